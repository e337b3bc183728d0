"""Notebook 10 (your own program): pictures of a real traced run, and the model beside it.

* :func:`real_frames` / :func:`real_animation` -- the G-M-P diagram of
  notebook 06 replaying a real execution trace (:class:`RealAnimation`: a
  Play widget, a frame slider and a caption, the same CSS classes as 06's
  animation).  What the trace cannot show (run-queue order, ``runnext``,
  spinning Ms, steals) is said on the picture, not invented: runnable Gs are
  drawn in one box without an order.
* :func:`lanes_figure` -- per-P and per-M lanes of the real run, one above
  the other.
* :func:`schedtrace_figure` -- the ``GODEBUG=schedtrace`` counters over time,
  each field explained in the legend (:data:`SCHEDTRACE_FIELDS`).
* :func:`compare_runs` -- a :class:`~gmpkit.real.tracego.TracedRun` and a
  simulated :class:`~gmpkit.sim.Run` in the same lanes on one time axis, with
  metrics judged by two-sided bands built from :mod:`gmpkit.real.compare`
  (:class:`~gmpkit.real.compare.Band`, :class:`~gmpkit.real.compare.Metric`).
"""

from __future__ import annotations

import html
import io
from collections import OrderedDict

import ipywidgets as W

from .. import plots
from ..i18n import N_, language, tr
from ..real.compare import EXPECTED, HEAD, INFO, Metric, ratio_band, share
from ..real.tracego import TRACE_CANNOT_SHOW
from . import PROJECTOR
from .reality import p_view

__all__ = ["real_frames", "real_animation", "RealAnimation", "lanes_figure",
           "schedtrace_figure", "SCHEDTRACE_FIELDS", "compare_runs", "RunComparison",
           "MAX_FRAMES", "NETWORK_WAITS", "SLEEP_WAITS", "who_waits", "snapshot_at"]

MAX_FRAMES = 240
NETWORK_WAITS = ("network", "IO wait")
SLEEP_WAITS = ("sleep",)


# =====================================================================================
# the G-M-P diagram, replaying a real trace
# =====================================================================================

def _timeline_of(run):
    tl = getattr(run, "timeline", run)
    if tl is None:
        raise ValueError(tr("this run has no execution trace to replay"))
    return tl


def _g_spans(tl):
    by_g = {}
    for s in tl.spans:
        if s.lane == "G" and s.g >= 0 and s.end >= s.start:
            by_g.setdefault(s.g, []).append(s)
    for v in by_g.values():
        v.sort(key=lambda s: (s.start, s.end))
    return by_g


def _at(spans, t):
    """The span of a sorted list that holds instant ``t`` (start <= t < end), or None."""
    lo, hi = 0, len(spans)
    while lo < hi:
        mid = (lo + hi) // 2
        if spans[mid].start <= t:
            lo = mid + 1
        else:
            hi = mid
    i = lo - 1
    if i >= 0 and spans[i].start <= t < spans[i].end:
        return spans[i]
    return None


def _m_first(by_g):
    """When each M first ran or made a system call for a G."""
    first = {}
    for spans in by_g.values():
        for s in spans:
            if s.m >= 0 and s.start < first.get(s.m, s.start + 1):
                first[s.m] = s.start
    return first


def snapshot_at(tl, t, by_g=None, p_spans=None, wait_reason=None, names=None, m_first=None):
    """The scheduler state at ``t`` of a real timeline, in the snapshot schema of
    :meth:`gmpkit.sim.Simulation.snapshot` (what the trace does not record is empty,
    and ``queues_unknown`` tells the diagram not to draw rings)."""
    by_g = by_g if by_g is not None else _g_spans(tl)
    if p_spans is None:
        p_spans = {}
        for s in tl.spans:
            if s.lane == "P" and s.p >= 0:
                p_spans.setdefault(s.p, []).append(s)
        for v in p_spans.values():
            v.sort(key=lambda s: s.start)
    wait_reason = wait_reason or {}
    gs, runnable, netpoll, timers, ms = {}, [], [], [], {}
    blocked = {}
    for g, spans in by_g.items():
        s = _at(spans, t)
        if s is None:
            continue
        info = {"name": (names or {}).get(g, ""), "status": s.state, "wait": ""}
        if s.state == "runnable":
            runnable.append((s.start, g))
        elif s.state in ("running", "syscall") and s.m >= 0:
            ms[s.m] = {"id": s.m, "p": None, "g": g, "state": s.state}
        elif s.state == "waiting":
            why = wait_reason.get((g, s.start), "")
            info["wait"] = why
            if why in NETWORK_WAITS:
                netpoll.append(g)
            elif why in SLEEP_WAITS:
                timers.append((s.end, g))
            else:
                blocked[why or "?"] = blocked.get(why or "?", 0) + 1
        gs[g] = info
    ps = []
    for pid in range(tl.procs or 0):
        s = _at(p_spans.get(pid, []), t)
        st = s.state if s is not None else "idle"
        m = s.m if (s is not None and s.state == "running" and s.m >= 0) else None
        if m is not None:
            # an M holding a running P without running a G is in the scheduler
            rec = ms.setdefault(m, {"id": m, "p": None, "g": None, "state": "sched"})
            rec["p"] = pid
            if rec["state"] == "syscall":
                st = "syscall"
        ps.append({"id": pid, "status": st, "m": m, "runnext": None, "runq": [],
                   "schedtick": None, "timers": 0})
    if m_first is None:
        m_first = _m_first(by_g)
    for m, first in m_first.items():   # Ms seen so far but doing nothing we can see
        if first <= t and m not in ms:
            ms[m] = {"id": m, "p": None, "g": None, "state": "idle"}
    return {"time": int(t), "model": "real", "queues_unknown": True,
            "queue_label": tr("runnable\n(queue not\nin trace)"),
            "ps": ps, "ms": [ms[k] for k in sorted(ms)],
            "global": [g for _, g in sorted(runnable)], "netpoll": sorted(netpoll),
            "timers": sorted(timers), "gs": gs, "blocked": blocked}


def _sentence(e):
    k = e.kind
    if k == "spawn":
        return (tr("G{other} ran `go`: new G{g} (runnable)", other=e.other, g=e.g)
                if e.other >= 0 else tr("new G{g}", g=e.g))
    if k == "ready":
        by = tr(" by G{other}", other=e.other) if e.other >= 0 else ""
        what = f" ({e.detail})" if e.detail else ""
        return tr("G{g} woken{by}{what}", g=e.g, by=by, what=what)
    if k == "block":
        return tr("G{g} blocked: {why}", g=e.g, why=e.detail or tr("waiting"))
    if k == "exit":
        return tr("G{g} exited", g=e.g)
    if k == "preempt":
        return (tr("G{g} preempted on P{p}", g=e.g, p=e.p) if e.detail == "preempted"
                else tr("G{g} stopped ({why})", g=e.g, why=e.detail))
    if k == "gosched":
        return tr("G{g} yielded (Gosched)", g=e.g)
    if k == "syscall-enter":
        return tr("G{g} entered a system call on M{m}, holding P{p}", g=e.g, m=e.m, p=e.p)
    if k == "syscall-exit":
        return (tr("G{g}'s system call returned; it kept its P", g=e.g) if e.detail == "kept P"
                else tr("G{g}'s system call returned; its P had been taken, so it waits to run",
                        g=e.g))
    if k == "retake":
        return tr("P{p} taken from M{other} (in a system call) by M{m}", p=e.p, other=e.other,
                  m=e.m)
    return None


_PRIO = {"retake": 0, "preempt": 0, "syscall-enter": 1, "syscall-exit": 1, "spawn": 2,
         "block": 2, "ready": 2, "gosched": 2, "exit": 3, "run": 4}


def _caption(events, before, after):
    items = []
    for e in events:
        s = _sentence(e)
        if s:
            items.append((e.kind, s))
    old = {m["id"]: m for m in (before or {}).get("ms", [])}
    for m in after["ms"]:
        o = old.get(m["id"])
        if m["state"] == "running" and (o is None or o.get("g") != m["g"]):
            where = tr(" holding P{p}", p=m["p"]) if m["p"] is not None else ""
            items.append(("run", tr("M{m} runs G{g}{where}", m=m["id"], g=m["g"], where=where)))
    if not items:
        return tr("(Gs keep running)")
    order = sorted(range(len(items)), key=lambda i: (_PRIO.get(items[i][0], 5), i))
    keep = sorted(order[:4])
    text = tr("; ").join(items[i][1] for i in keep)
    if len(items) > 4:
        text += tr("; +{n} more", n=len(items) - 4)
    return text


def real_frames(run, cap=MAX_FRAMES):
    """Frames of a real run: a snapshot at every instant a G or P changed state.

    More than ``cap`` instants are thinned evenly (the captions of the frames
    left out are merged into the next one's).  Returns a dict like
    :func:`gmpkit.widgets.animation.build_frames`: ``snapshots``, ``captions``,
    ``events``, ``times``, and ``cannot_show``.
    """
    tl = _timeline_of(run)
    by_g = _g_spans(tl)
    p_spans = {}
    for s in tl.spans:
        if s.lane == "P" and s.p >= 0:
            p_spans.setdefault(s.p, []).append(s)
    for v in p_spans.values():
        v.sort(key=lambda s: s.start)
    wait_reason = {(e.g, e.time): e.detail for e in tl.events_of("block")}
    times = sorted({s.start for v in by_g.values() for s in v}
                   | {s.start for v in p_spans.values() for s in v} | {0})
    if len(times) > cap:
        step = (len(times) - 1) / (cap - 1)
        times = sorted({times[round(i * step)] for i in range(cap)})
    events = sorted(tl.events, key=lambda e: e.time)
    snaps, caps, evs = [], [], []
    j = 0
    names = dict(tl.g_names)
    m_first = _m_first(by_g)
    for i, t in enumerate(times):
        grp = []
        while j < len(events) and events[j].time <= t:
            if events[j].kind not in ("acquirep", "releasep"):
                grp.append(events[j])
            j += 1
        snap = snapshot_at(tl, t, by_g, p_spans, wait_reason, names, m_first)
        caps.append("start of the trace" if i == 0 else _caption(grp, snaps[-1], snap))
        snaps.append(snap)
        evs.append(grp)
    return {"snapshots": snaps, "captions": caps, "events": evs, "times": times,
            "procs": tl.procs, "cannot_show": TRACE_CANNOT_SHOW,
            "partial": bool(tl.meta.get("partial")), "recorded": bool(tl.meta.get("recorded"))}


class RealAnimation:
    """The G-M-P diagram replaying a real run: Play, a frame slider, a caption.

    Uses :class:`gmpkit.plots.GMPDiagram` (as notebook 06 does) on
    :func:`real_frames`.  The slider and caption carry the CSS classes
    ``gmpkit-gmp-frame`` and ``gmpkit-gmp-caption`` (browser tests).
    """

    error = None   # a replay fails when it is built, never later (tally.follow reads this)

    def __init__(self, run, title=None, cap=MAX_FRAMES):
        self.run = run
        self.data = real_frames(run, cap=cap)
        n = len(self.data["snapshots"])
        name = getattr(run, "name", "program")
        procs = self.data["procs"]
        self.title = title or tr("{name}: the real schedule, frame by frame (GOMAXPROCS={procs})",
                                 name=name, procs=procs)
        self.frame = W.IntSlider(value=0, min=0, max=max(n - 1, 1), description=tr("frame"),
                                 continuous_update=True, layout=W.Layout(width="420px"))
        self.frame.add_class("gmpkit-gmp-frame")
        self.play = W.Play(value=0, min=0, max=max(n - 1, 1), step=1, interval=500,
                           description=tr("play"))
        self._link = W.link((self.play, "value"), (self.frame, "value"))
        self.caption = W.HTML()
        self.caption.add_class("gmpkit-gmp-caption")
        self.image = W.Image(format="png", layout=W.Layout(max_width="100%"))
        self.summary_label = W.HTML()
        self.summary_label.add_class("gmpkit-summary")
        self._png = OrderedDict()
        with plots.style(projector=PROJECTOR["on"]):
            self._diagram = plots.GMPDiagram(self.data["snapshots"][0], max_ring=4, wide=True)
        self.fig = self._diagram.fig
        self.frame.observe(lambda ch: self.show(ch["new"]), names="value")
        self.counts = {}
        self.show(0)

    def show(self, i):
        """Draw frame ``i``; returns self."""
        d = self.data
        i = max(0, min(int(i), len(d["snapshots"]) - 1))
        snap = d["snapshots"][i]
        key = (language(), i)     # a picture per language: its title is text
        if key not in self._png:
            with plots.style(projector=PROJECTOR["on"]):
                blocked = tr(", ").join(tr("{n} on {what}", n=n, what=k)
                                        for k, n in sorted(snap["blocked"].items()))
                self._diagram.title = (tr("real trace · t = {t} · {n} Gs",
                                          t=plots.fmt_time(snap["time"]), n=len(snap["gs"]))
                                       + (tr(" · blocked: {blocked}", blocked=blocked)
                                          if blocked else ""))
                self._diagram.update(snap)
            buf = io.BytesIO()
            self.fig.savefig(buf, format="png", pil_kwargs={"compress_level": 1})
            self._png[key] = (buf.getvalue(), dict(self._diagram.counts))
            while len(self._png) > 64:
                self._png.popitem(last=False)
        self.image.value, self.counts = self._png[key]
        self.index = i
        cap = d["captions"][i]
        self.summary = tr("frame {i}/{last} at {t}: {caption}", i=i, last=len(d["snapshots"]) - 1,
                          t=plots.fmt_time(snap["time"]), caption=cap)
        self.state_line = who_waits(snap)
        self.caption.value = (f"<div style='font-size:1.15em'><b>t = {plots.fmt_time(snap['time'])}"
                              f"</b> — {html.escape(cap)}</div>"
                              f"<div style='color:#333'>{html.escape(self.state_line)}</div>")
        self.summary_label.value = f"<b>{html.escape(self.summary)}</b>"
        return self

    @property
    def widget(self):
        head = W.HTML(f"<h4 style='margin:4px 0'>{html.escape(self.title)}</h4>")
        flags = []
        if self.data["partial"]:
            flags.append("<b style='color:#b2182b'>"
                         + tr("PARTIAL trace: the program did not finish") + "</b>")
        if self.data["recorded"]:
            flags.append("<b style='color:#b2182b'>"
                         + tr("recorded trace, not run on your machine") + "</b>")
        note = W.HTML(" · ".join(flags) + "<div style='color:#555'><i>"
                      + tr("What the trace cannot show: {what}",
                           what=html.escape(tr(TRACE_CANNOT_SHOW))) + "</i></div>")  # i18n: N_()
        # fits a 1366x768 laptop (about 700 px): the caption beside the diagram
        self.image.layout.flex = "1 1 auto"
        self.image.layout.min_width = "0"
        self.caption.layout = W.Layout(flex="0 0 300px", width="300px", margin="0 0 0 12px")
        body = W.HBox([self.image, self.caption], layout=W.Layout(align_items="flex-start"))
        box = W.VBox([head, note, W.HBox([self.play, self.frame]), body, self.summary_label])
        box.add_class("gmpkit-panel")
        return box

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)


def who_waits(snap):
    """One line naming the Gs that are not running: in a system call (on which M), and
    waiting (on what), e.g. ``in a syscall: G2 (M3) · waiting: G4 G5 on chan receive``."""
    parts = []
    sys_gs = [f"G{m['g']} (M{m['id']})" for m in snap["ms"] if m["state"] == "syscall"]
    if sys_gs:
        parts.append(tr("in a syscall: {gs}", gs=", ".join(sys_gs)))
    by_reason = {}
    for g, info in sorted(snap["gs"].items()):
        if info["status"] == "waiting":
            by_reason.setdefault(info["wait"] or "?", []).append(f"G{g}")
    if by_reason:
        parts.append(tr("waiting: {gs}", gs="; ".join(tr("{gs} on {why}", gs=" ".join(gs), why=why)
                                                      for why, gs in sorted(by_reason.items()))))
    return " · ".join(parts) or tr("no G is waiting or in a system call")


def real_animation(run, **kw):
    """:class:`RealAnimation` of a TracedRun (or a real Timeline)."""
    return RealAnimation(run, **kw)


# =====================================================================================
# lanes, schedtrace
# =====================================================================================

def lanes_figure(run, events=("preempt", "retake", "syscall-enter")):
    """Per-P and per-M lanes of a real run, one above the other, on one time axis."""
    from matplotlib.figure import Figure
    tl = _timeline_of(run)
    n_m = len(tl.meta.get("m_tids", {})) or 1
    fig = Figure(figsize=(10, 3.2 + 0.35 * ((tl.procs or 1) + n_m)), layout="constrained")
    ax1, ax2 = fig.subplots(2, 1, sharex=True,
                            gridspec_kw={"height_ratios": [max(tl.procs or 1, 1) + 1, n_m + 1]})
    name = getattr(run, "name", "program")
    part = tr(" — PARTIAL") if tl.meta.get("partial") else ""
    plots.gantt(p_view(tl), by="P", ax=ax1, events=events, legend=False,
                title=tr("{name}: which G each processor (P) ran{part}", name=name, part=part))
    plots.gantt(tl, by="M", ax=ax2, events=events, legend=True,
                title=tr("the same run per thread (M): running, and in system calls"))
    return fig


SCHEDTRACE_FIELDS = {
    "idleprocs": N_("idleprocs: Ps with nothing to run"),
    "threads": N_("threads: Ms the runtime has made (all of them, idle or not)"),
    "spinningthreads": N_("spinningthreads: Ms without work, looking for some (spinning)"),
    "needspinning": N_("needspinning: a G was readied while no M spun; one should start"),
    "idlethreads": N_("idlethreads: Ms parked, waiting to be woken"),
    "runqueue": N_("runqueue: Gs in the global run queue"),
    "runq": N_("runq[i] (the [ ... ] list): Gs in P i's local ring (runnext not counted)"),
}


def _field(name):
    return tr(SCHEDTRACE_FIELDS[name])   # i18n: SCHEDTRACE_FIELDS values are N_() literals


def schedtrace_figure(run):
    """The schedtrace counters of a run (``--schedtrace``) over time, fields explained."""
    from matplotlib.figure import Figure
    st = getattr(run, "schedtrace", run)
    if st is None:
        raise ValueError(tr("this run has no schedtrace: run it with --schedtrace=1ms (or "
                            "trace_go(..., schedtrace='1ms'))"))
    fig = Figure(figsize=(10, 5.2), layout="constrained")
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    pal = plots.SERIES_PALETTE
    styles = plots.SERIES_LINESTYLES
    for k, name in enumerate(("threads", "idlethreads", "spinningthreads", "idleprocs")):
        if name in st.counter_names:
            t, v = st.counter(name)
            ax1.step(t / 1e6, v, where="post", color=pal[k], ls=styles[k % len(styles)],
                     marker=plots.SERIES_MARKERS[k], ms=4, label=_field(name))
    queues = [n for n in st.counter_names if n.startswith("runq[")]
    for k, name in enumerate(["runqueue"] + queues):
        if name in st.counter_names:
            t, v = st.counter(name)
            label = _field("runqueue") if name == "runqueue" else (
                _field("runq") if k == 1 else name)
            ax2.step(t / 1e6, v, where="post", color=pal[(k + 4) % len(pal)],
                     ls=styles[k % len(styles)], marker=plots.SERIES_MARKERS[(k + 4) % 8], ms=4,
                     label=label if name in ("runqueue", "runq[0]") else name)
    ax1.set_ylabel(tr("count"))
    ax2.set_ylabel(tr("Gs waiting"))
    ax2.set_xlabel(tr("ms since the program started (one SCHED line per sample)"))
    name = getattr(run, "name", "program")
    ax1.set_title(tr("{name}: GODEBUG=schedtrace, threads and processors", name=name))
    ax2.set_title(tr("run queues: global, and each P's ring"))
    for ax in (ax1, ax2):
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
        ax.grid(alpha=0.3)
    return fig


# =====================================================================================
# model beside reality
# =====================================================================================

def _busy_per_p(tl, procs):
    busy = [0] * procs
    for s in tl.spans:
        if s.lane == "M" and s.state == "running" and s.g >= 0 and 0 <= s.p < procs:
            busy[s.p] += s.end - s.start
    return busy


def _share(busy):
    total = sum(busy)
    return max(busy) / total if total else None


# Bands for a learner's own program and its mirror (sim / real, two-sided, no escape clause):
# built with the constructors of gmpkit.real.compare, wider than the course's mirrors (whose
# Go twins were written with the model in mind).
RUN_METRICS = (
    ("goroutines", "goroutines (main included)", "",
     share(0, "a mirror creates the goroutines the program creates: no more, no fewer"), ()),
    ("makespan_ns", "makespan", "ns",
     ratio_band(0.25, 2, "the mirror's compute times are the learner's estimate; the model "
                         "leaves out GC and the OS, which only add time"), ("gc", "os")),
    ("threads", "threads (Ms)", "",
     ratio_band(1 / 3, 2, "real Go starts a few threads of its own before main"),
     ("runtime_threads",)),
    ("p_share", "busiest P's share of the work", "",
     share(0.25, "the OS may pause one P's thread; Go's own goroutines use Ps too"), ("os",)),
    ("preemptions", "preemptions", "",
     ratio_band(1 / 3, 10 / 3, "a 10 ms slice may be seen up to a sysmon round late"), ("os",)),
    ("syscalls", "system calls", "", INFO, ("syscall",)),
)


class RunComparison:
    """A real run and a simulated one: metrics (each with a band and verdict) and a
    picture of both in the same lanes on one time axis."""

    def __init__(self, real, sim, metrics):
        self.real, self.sim, self.metrics = real, sim, metrics
        keys = []
        for m in metrics:
            keys += [k for k in m.expected if k not in keys]
        self.expected = {k: EXPECTED[k] for k in keys}

    def metric(self, key):
        for m in self.metrics:
            if m.key == key:
                return m
        raise KeyError(f"no metric {key!r}; have {', '.join(m.key for m in self.metrics)}")

    @property
    def judged(self):
        return [m for m in self.metrics if m.ok is not None]

    @property
    def ok(self):
        return all(m.ok for m in self.judged)

    def rows(self):
        return [(m.label, _value(m.sim, m.unit), _value(m.real, m.unit),
                 f"{m.sim / m.real:.2f}" if m.numeric and m.real else "", m.band.describe(m.unit),
                 m.verdict) for m in self.metrics]

    def summary(self):
        n_ok = sum(1 for m in self.judged if m.ok)
        src = (tr("recorded, not on your machine") if getattr(self.real, "recorded", False)
               else tr("on this machine"))
        return tr("{name}: {ok} of {n} metrics within their bands (real run {src})",
                  name=getattr(self.real, "name", "program"), ok=n_ok, n=len(self.judged),
                  src=src)

    def __repr__(self):
        rows = [HEAD] + self.rows()
        w = [max(len(r[i]) for r in rows) for i in range(6)]
        lines = [self.summary()] + ["  ".join(c.ljust(w[i]) for i, c in enumerate(r)) for r in rows]
        return "\n".join(lines)

    def _repr_html_(self):
        colour = {"within": "#1a7f37", "outside": "#b2182b"}
        head = "".join(f"<th style='text-align:left'>{h}</th>" for h in HEAD)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r[:5])
                       + f"<td style='color:{colour.get(r[5], '#555555')};font-weight:bold'>{r[5]}</td></tr>"
                       for r in self.rows())
        exp = "".join(f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>"
                      for k, v in self.expected.items())
        return (f"<div class='gmpkit-compare'><b>{html.escape(self.summary())}</b>"
                f"<table><tr>{head}</tr>{body}</table>"
                + (f"<p>{tr('Expected differences:')}</p><ul>{exp}</ul>" if exp else "")
                + "</div>")

    def plot(self):
        """Both runs per P, one above the other, on one time axis (same G, same colour)."""
        from matplotlib.figure import Figure
        real_tl, sim_tl = self.real.timeline, self.sim.timeline
        procs = max(real_tl.procs or 1, sim_tl.procs or 1)
        fig = Figure(figsize=(10, 2.8 + 0.7 * procs), layout="constrained")
        ax1, ax2 = fig.subplots(2, 1, sharex=True)
        end = max(real_tl.end_time, sim_tl.end_time)
        plots.gantt(p_view(sim_tl), by="P", ax=ax1, t0=0, t1=end,
                    events=("preempt", "retake", "steal"), legend=False,
                    title=tr("simulator: {model} — your mirror",
                             model=sim_tl.meta.get("model", "GMP")))
        plots.gantt(p_view(real_tl), by="P", ax=ax2, t0=0, t1=end, events=("preempt", "retake"),
                    legend=False,
                    title=tr("real Go: {name}", name=getattr(self.real, "name", "program"))
                    + (tr(" (recorded)") if getattr(self.real, "recorded", False) else ""))
        return fig


def _value(v, unit):
    if v is None:
        return "—"
    if unit == "ns":
        return plots.fmt_time(int(v))
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.2f}"
    return f"{int(v):,}"


def compare_runs(real, sim):
    """Compare a :class:`~gmpkit.real.tracego.TracedRun` with a simulated Run of its mirror.

    Returns a :class:`RunComparison` (``.metrics``, ``.ok``, ``.plot()``, an HTML table).
    """
    if getattr(real, "timeline", None) is None:
        raise ValueError(tr("the real run has no trace (see its notes); run it again"))
    if not hasattr(sim, "stats") or not hasattr(sim, "timeline"):
        raise TypeError(tr("compare_runs(real, sim): sim must be a gmpkit Run from "
                           "gk.simulate(...)"))
    procs = max(real.procs, sim.timeline.procs or 1)
    rs, ss = real.stats, sim.stats
    real_v = {"goroutines": rs.get("goroutines"),
              "makespan_ns": real.report.get("main_ns") or real.timeline.end_time,
              "threads": rs.get("threads"),
              "p_share": _share(_busy_per_p(real.timeline, procs)),
              "preemptions": rs.get("preemptions"), "syscalls": rs.get("syscalls")}
    sim_v = {"goroutines": ss.get("goroutines"), "makespan_ns": ss.get("makespan_ns"),
             "threads": ss.get("threads_peak", ss.get("threads")),
             "p_share": _share(_busy_per_p(sim.timeline, procs)),
             "preemptions": ss.get("preemptions"),
             "syscalls": sim.timeline.count("syscall-enter")}
    metrics = []
    for key, label, unit, tol, expected in RUN_METRICS:
        s, r = sim_v[key], real_v[key]
        metrics.append(Metric(key, label, unit, s, r, tol, tol.verdict(s, r), expected,
                              [r] if r is not None else []))
    return RunComparison(real, sim, metrics)
