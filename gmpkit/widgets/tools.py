"""Notebook 09 (lab: the runtime's own tools): ``GODEBUG=schedtrace`` and ``go tool trace``.

Panels (both run real Go on the learner's machine; without Go they show what was recorded
in ``data/traces`` and say so in red):

* ``09:schedtrace`` -- runs ``schedload`` with ``GODEBUG=schedtrace=N``: the raw lines the
  runtime prints, and the fields a learner should read plotted over time.
* ``09:trace`` -- records ``tracedemo`` under ``runtime/trace``, shows what ran on each M
  (from ``go tool trace -d=parsed``), and lists what to look for in the web UI.

Runs are cached per configuration for the session.
"""

from __future__ import annotations

from collections import Counter

from . import Panel, register, slider
from ..i18n import N_, tr
from ..plots import SERIES_PALETTE, fmt_time, gantt
from ..real.exectrace import parse_exectrace
from ..real.recorded import read_trace
from ..real.schedtrace import parse_schedtrace, run_schedtrace
from ..real.toolchain import GoUnavailable

__all__ = ["schedtrace_run", "trace_run", "trace_facts", "schedtrace_panel", "trace_panel",
           "READ_FIELDS", "clear_cache"]

_CACHE: dict = {}
RECORDED = "#b2182b"
# The summary fields the schedtrace panel plots (the others are explained in the notebook).
READ_FIELDS = ("threads", "idleprocs", "runqueue", "spinningthreads")


def clear_cache():
    _CACHE.clear()


def schedtrace_run(procs=2, every_ms=20, workers=6, real="auto"):
    """A parsed schedtrace of ``schedload`` (``tl.meta["raw"]`` holds the lines as printed).

    ``real="auto"`` runs Go when it is here and falls back to the recording;
    ``real=False`` always uses the recording (``data/traces/schedtrace_demo.txt``).
    """
    key = ("sched", int(procs), int(every_ms), int(workers), real)
    if key not in _CACHE:
        tl = None
        if real is not False:
            try:
                tl = run_schedtrace("schedload", ["-d", "200ms", "-workers", str(int(workers))],
                                    every_ms=int(every_ms), gomaxprocs=int(procs))
            except GoUnavailable:
                if real is True:
                    raise
        if tl is None:
            text, meta = read_trace("schedtrace_demo")
            tl = parse_schedtrace(text, strict=False, meta=dict(meta, recorded=True, raw=text))
        _CACHE[key] = tl
    return _CACHE[key]


def trace_run(procs=2, real="auto"):
    """``(timeline, trace_file)`` of ``tracedemo``; ``trace_file`` is None when recorded."""
    key = ("trace", int(procs), real)
    if key not in _CACHE:
        from ..real import tracetool
        out = None
        if real is not False:
            try:
                path = tracetool.record_trace("tracedemo", gomaxprocs=int(procs))
                out = (tracetool.parse_trace_file(path), path)
            except GoUnavailable:
                if real is True:
                    raise
        if out is None:
            # the run that tracetool.recorded_viewer_pictures() shows
            text, meta = read_trace("trace_ui_demo")
            out = (parse_exectrace(text, meta=dict(meta, recorded=True)), None)
        _CACHE[key] = out
    return _CACHE[key]


def trace_facts(tl):
    """What a learner can find in the trace viewer, read from the parsed trace.

    >>> from gmpkit.real.exectrace import exectrace_or_recorded
    >>> facts = trace_facts(exectrace_or_recorded())        # doctest: +SKIP
    >>> sorted(facts)                                        # doctest: +SKIP
    ['preemptions', 'start_functions', 'syscalls']
    """
    syscalls = []
    exits = {e.g: e for e in tl.events_of("syscall-exit")}
    for e in tl.events_of("syscall-enter"):
        out = exits.get(e.g)
        syscalls.append({"g": e.g, "p": e.p, "lost_p": bool(out and out.p < 0),
                         "ns": (out.time - e.time) if out else None})
    return {
        "syscalls": syscalls,
        "preemptions": dict(Counter(e.g for e in tl.events_of("preempt"))),
        "start_functions": dict(Counter(tl.g_names.values())),
    }


def _banner(fig, tl):
    if tl.meta.get("recorded"):
        fig.text(0.99, 0.995, tr("recorded {date} with {go}, not on your machine",
                                 date=tl.meta.get("date", "")[:10],
                                 go=tl.meta.get("go_version") or "Go"),
                 ha="right", va="top", color=RECORDED, fontsize=9)


# ---- 09:schedtrace ----------------------------------------------------------------------

def _draw_schedtrace(tl, fig):
    ax = fig.add_subplot()
    times = [s.time_ns for s in tl.meta["snapshots"]]
    for i, name in enumerate(READ_FIELDS):
        values = [tl.value_at(name, t) for t in times]
        ax.plot(times, values, label=name, color=SERIES_PALETTE[i], marker="os^D"[i],
                linestyle=("-", "--", "-.", ":")[i], markersize=7 - i)
    ax.set_xlabel(tr("time since the program started"))
    ax.set_ylabel(tr("value printed"))
    ax.xaxis.set_major_formatter(lambda x, _pos: fmt_time(x))
    ax.legend(loc="upper left", frameon=False, ncols=4)
    ax.set_title(tr("GODEBUG=schedtrace: GOMAXPROCS={procs}, {n} lines", procs=tl.procs,
                    n=len(tl.meta["snapshots"])))
    _banner(fig, tl)
    t_thr, v_thr = tl.counter("threads")
    t_q, v_q = tl.counter("runqueue")
    where = tr("recorded") if tl.meta.get("recorded") else tr("on this machine")
    return tr("{n} SCHED lines ({where}); threads peaked at {threads}, the global run queue at "
              "{queue} goroutines.", n=len(tl.meta["snapshots"]), where=where,
              threads=int(v_thr.max()), queue=int(v_q.max()))


@register("09:schedtrace", real=True)
def schedtrace_panel(procs=2, every_ms=20, workers=6, real="auto"):
    """``schedload`` under ``GODEBUG=schedtrace``: what the runtime prints, plotted."""
    def compute(procs, every_ms, workers):
        return schedtrace_run(procs, every_ms, workers, real=real)

    return Panel(
        N_("schedtrace: the runtime's own summary, every N ms"),
        {"procs": slider("GOMAXPROCS", procs, 1, 4),
         "every_ms": slider(tr("schedtrace interval (ms)"), every_ms, 10, 100, step=10),
         "workers": slider(tr("CPU-bound goroutines"), workers, 1, 12)},
        compute, _draw_schedtrace, figsize=(9, 3.4),
        notice=N_("Each SCHED line is one sample by sysmon; the plot is those samples."))


# ---- 09:trace ---------------------------------------------------------------------------

def _draw_trace(data, fig):
    tl, path = data
    ax = fig.add_subplot()
    gantt(tl, by="M", ax=ax, events=("preempt", "retake", "syscall-enter"),
          title=tr("tracedemo, GOMAXPROCS={procs}: what each thread ran (execution trace)",
                   procs=tl.procs))
    _banner(fig, tl)
    facts = trace_facts(tl)
    calls = facts["syscalls"]
    lost = sum(c["lost_p"] for c in calls)
    return (tr("{gs} goroutines of the program; {calls} blocking system call(s), {lost} of them "
               "lost its P; {preempts} preemption(s).", gs=len(tl.g_names), calls=len(calls),
               lost=lost, preempts=sum(facts["preemptions"].values()))
            + ("" if path else tr(" (recorded trace: no file for go tool trace here)")))


@register("09:trace", real=True)
def trace_panel(procs=2, real="auto"):
    """``tracedemo`` under ``runtime/trace``: each thread's timeline, as the web UI's
    "View trace by thread" draws it."""
    return Panel(
        N_("go tool trace: the same run, event by event"),
        {"procs": slider("GOMAXPROCS", procs, 1, 4)},
        lambda procs: trace_run(procs, real=real), _draw_trace, figsize=(9, 3.4),
        notice=N_("Markers: a preemption, sysmon retaking a P, a goroutine entering a "
                  "syscall."))
