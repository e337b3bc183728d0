"""The real side of a comparison: one run of a Go mirror (:func:`real_run`), its
metrics from the program's JSON, schedtrace and execution trace, how much of it the
OS took (:func:`wait_share`, :func:`quiet_share`), and the real timeline's goroutines
numbered like the simulator's (:func:`renumber_goroutines`).

Part of the comparison: the mirrors come from :mod:`~gmpkit.real.mirrors`, the loop
speed from :mod:`~gmpkit.real.machine`; :mod:`~gmpkit.real.comparedata` records these
runs, :mod:`~gmpkit.real.simside` is the other side.
:mod:`~gmpkit.real.compare` lists every part of the comparison and re-exports them all.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from ..timeline import Timeline
from .exectrace import parse_exectrace, strip_stacks
from .machine import calibrate
from .mirrors import MIRRORS
from .schedtrace import parse_schedtrace
from .simside import _per_p
from .toolchain import find_go

__all__ = ["real_run", "renumber_goroutines", "wait_share", "quiet_share"]


def _flags(params):
    out = []
    for k, v in params.items():
        out += [f"-{k}={str(v).lower()}"] if isinstance(v, bool) else [f"-{k}", str(v)]
    return out


def real_run(scenario, procs=2, async_preempt=True, params=None, tc=None, trace=True):
    """Run the Go mirror once; return ``(metrics, raw)`` where ``raw`` holds the
    program's JSON, its schedtrace and (with ``trace``) its parsed execution trace text."""
    mirror = MIRRORS[scenario]
    tc = tc or find_go()
    p = dict(mirror.params, **(params or {}))
    godebug = "schedtrace=1" + ("" if async_preempt else ",asyncpreemptoff=1")
    with tempfile.TemporaryDirectory(prefix="gmpkit-cmp-") as d:
        out = Path(d) / "trace.out"
        args = _flags(p) + ["-ipu", f"{calibrate(tc):.3f}"] + (["-o", str(out)] if trace else [])
        res = tc.run(mirror.program, args, gomaxprocs=procs, godebug=godebug, timeout=60)
        text = ""
        if trace:
            text = _clean(tc.parsed_trace(out))
    raw = {"json": res.json(), "schedtrace": _sched_lines(res.stderr), "exectrace": text,
           "command": res.command_line}
    return _real_metrics(scenario, procs, raw), raw


def _real_run_retry(*args, attempts=3, **kw):
    """:func:`real_run`, run again when its traces come out unreadable (a rare
    truncated or garbled line on a loaded machine); the last error is raised."""
    from .errors import TraceParseError
    for i in range(attempts):
        try:
            return real_run(*args, **kw)
        except TraceParseError:
            if i == attempts - 1:
                raise


_NAMELESS_FRAME = re.compile(r"^\t+ *@ 0x[0-9a-f]+\n", re.M)


def _clean(text):
    """A parsed trace made small (stack blocks dropped, creation stacks cut to their
    first frames) and without the nameless frames (``\t @ 0x0``) the trace tool
    sometimes prints."""
    return _NAMELESS_FRAME.sub("", strip_stacks(text))


_SCHED_LINE = re.compile(r"SCHED \d+ms: gomaxprocs=\d+ .* schedticks=\[(?: \d+)* \]")


def _sched_lines(stderr):
    """The complete ``SCHED`` lines of a program's stderr (the last one may be cut off
    when the program exits while sysmon is printing it)."""
    return "\n".join(ln for ln in stderr.splitlines() if _SCHED_LINE.fullmatch(ln)) + "\n"


def _traced_run(scenario, procs, async_preempt, params, tc):
    """The extra traced run of a mirror with ``trace_params``: ``(metrics, trace text)``."""
    mirror = MIRRORS[scenario]
    p = {**mirror.params, **params, **mirror.trace_params}
    m, raw = _real_run_retry(scenario, procs, async_preempt, p, tc=tc, trace=True)
    return m, raw["exectrace"]


def _real_metrics(scenario, procs, raw):
    js = raw["json"]
    out = {"makespan_ns": js["makespan_ns"], "threads": js["threads"],
           "threads_at_start": js.get("threads_at_start")}
    if js.get("os_wait_ns") is not None:
        out["os_wait_ns"] = js["os_wait_ns"]
        out["os_wait_share"] = wait_share(js, procs)
    if raw["schedtrace"].strip():
        st = parse_schedtrace(raw["schedtrace"], strict=False)
        out["global_queue_peak"] = int(max(st.counter("runqueue")[1]))
        out["threads_schedtrace"] = int(max(st.counter("threads")[1]))
    for k in ("handoff_ns", "worst_delay_ns", "start_delay_ns"):
        if k in js:
            out[k] = js[k]
    if raw.get("exectrace"):
        tl = parse_exectrace(raw["exectrace"])
        out["preemptions"] = sum(1 for e in tl.events_of("preempt") if e.detail == "preempted")
        out["retakes"] = tl.count("retake")
        out.update(_per_p(tl, lane="G", procs=procs))
    return out


def renumber_goroutines(tl, order_from=None):
    """A copy of a real Timeline whose goroutines are numbered as the simulator numbers
    them: main is 1, then the rest in the order they were created (2, 3, ...).

    Goroutines that existed before the trace started (no spawn event) keep
    their number + 1000.  Returns ``(new_timeline, mapping)``.  Colours are
    chosen per goroutine id, so the same goroutine gets the same colour in
    the simulated and the real Gantt chart.
    """
    mapping = {1: 1}
    for e in sorted(tl.events_of("spawn"), key=lambda e: e.time):
        if e.g not in mapping:
            mapping[e.g] = len(mapping) + 1
    for g in tl.gs:
        mapping.setdefault(g, g + 1000)
    new = Timeline(procs=tl.procs, source=tl.source, max_parallel=tl.max_parallel,
                   meta=dict(tl.meta, renumbered=True))
    for s in tl.spans:
        new.add_span(s.state, s.start, s.end, lane=s.lane, m=s.m, p=s.p, g=mapping.get(s.g, s.g))
    for e in tl.events:
        new.add_event(e.kind, e.time, g=mapping.get(e.g, e.g), m=e.m, p=e.p,
                      other=mapping.get(e.other, e.other) if e.kind in ("spawn", "ready") else e.other,
                      detail=e.detail)
    for name in tl.counter_names:
        for t, v in zip(*tl.counter(name)):
            new.sample(name, int(t), v.item() if hasattr(v, "item") else v)
    new.g_names = {mapping.get(g, g): n for g, n in tl.g_names.items()}
    new.end_time = tl.end_time
    return new, mapping


def wait_share(js, procs=None):
    """How much of a run the OS took: of the time the program's threads were
    ready to run during the workload, the share they spent waiting for a CPU
    (Linux schedstat: run-queue wait over wait + CPU time).  The wait is the
    kernel's wake-up latency, the program's own threads when more are ready than
    there are cores, and other programs: schedstat cannot tell them apart.
    0: never waited; 0.5: half.  It does not depend on how many threads the run
    kept busy."""
    wait, ran = js.get("os_wait_ns", 0), js.get("cpu_ns", 0)
    return wait / (wait + ran) if wait + ran else 0.0


def quiet_share(js):
    """:func:`wait_share` of the workload or of the program's start-up, whichever is
    larger: the recording protocol's test.  A slow start-up matters too: it
    decides whether sysmon has already backed off when the workload begins."""
    wait, ran = js.get("startup_wait_ns", 0), js.get("startup_cpu_ns", 0)
    return max(wait_share(js), wait / (wait + ran) if wait + ran else 0.0)
