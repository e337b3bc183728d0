"""Notebooks 06 and 07 (the GMP scheduler): an animated G-M-P diagram and one panel per mechanism.

Every panel runs the :class:`~gmpkit.models.gmp.GMP` model (a miniature of
``runtime/proc.go``) on a small seeded workload, so what it shows is
deterministic and the notebook can assert on ``panel.data``.

Panels (``PANELS`` names):

* ``06:animation`` -- the G-M-P picture frame by frame (a Play widget over
  precomputed snapshots), with a caption saying what happened since the
  previous frame ("P1 stole 3 Gs from P0", "sysmon retook P0 ...").
* ``06:overflow`` -- a burst of ``go`` statements: runnext, the 256-slot ring,
  and ``runqputslow`` moving 128 + 1 = 129 Gs to the global queue.
* ``06:fairness`` -- a G waiting in the global queue gets a turn every 61st
  schedtick even while the local ring is full.
* ``06:stealing`` -- idle Ps steal half (rounded up) of a victim's ring.
* ``06:spinning`` -- how many Ms spin: one woken at a time, at most half the busy Ps.
* ``06:syscall`` -- sysmon's ``retake`` of a P from a G in a system call.
* ``06:netio`` -- blocking syscalls cost threads, network waits do not.
* ``06:preemption`` -- the 10 ms time slice: cooperative vs asynchronous.
* ``06:gm-vs-gmp`` -- one workload under Go 1.0's GM and Go 1.1's GMP.

Notebook helpers: :func:`find_runnable_order` (the model's own list),
:func:`runtime_excerpt` and :func:`struct_fields` (the installed Go runtime's
source, with a labelled fallback when Go is absent).
"""

from __future__ import annotations

import bisect
import inspect
import math
import re
from collections import OrderedDict
from functools import lru_cache

import ipywidgets as W
import numpy as np

from .. import ops
from .. import plots, scenarios
from ..models.gm import GM
from ..models.gmp import FORCE_PREEMPT_NS, GLOBAL_CHECK_EVERY, GMP, RUNQ_SIZE
from ..sim import Run, Simulation
from ..sync import Chan, WaitGroup
from . import PROJECTOR, Laps, Panel, defer_gc, register, render_png, slider
from .processes import plain_log_ticks

__all__ = [
    "ANIMATION_WORKLOADS", "build_frames", "animation_panel", "AnimationPanel",
    "burst", "overflow_panel", "fairness", "fairness_panel", "stealing", "stealing_panel",
    "spinning", "spinning_panel", "syscall_retake", "syscall_panel", "syscall_vs_netio",
    "netio_panel", "preemption", "preemption_panel", "gm_vs_gmp", "gm_vs_gmp_panel",
    "find_runnable_order", "runtime_excerpt", "struct_fields", "MAX_FRAMES",
    "OVERFLOW_BATCH",
]

SEED = 1
MAX_FRAMES = 300
MAX_RING = 6                          # ring slots drawn per P in the animation
OVERFLOW_BATCH = RUNQ_SIZE // 2 + 1   # runqputslow: half the ring plus the new G
_LOCAL = plots.SERIES_PALETTE[0]      # blue: local queue / GMP
_GLOBAL = plots.SERIES_PALETTE[1]     # vermilion: global queue / GM
_OTHER = plots.SERIES_PALETTE[2]      # green


class _Panel(Panel):
    """A Panel drawn without constrained layout (each draw function sets its
    own margins), PNG-compressed lightly, with the PNGs of recent control
    settings cached: runs are deterministic, so moving a slider back is free."""

    def __init__(self, *a, margins=None, **kw):
        self._margins = {**dict(left=0.07, right=0.98, bottom=0.14, top=0.9, wspace=0.22,
                                hspace=0.45), **(margins or {})}
        self._cache = OrderedDict()
        super().__init__(*a, **kw)

    def update(self):
        from matplotlib.figure import Figure
        key = tuple(sorted(self.values.items()))
        hit = self._cache.get(key)
        clock = self.timings = Laps()
        if hit is None:
            fig = Figure(figsize=self.figsize, dpi=self.dpi)
            try:
                with plots.style(projector=PROJECTOR["on"]):
                    data = self.compute(**self.values)
                    clock.lap("simulate")
                    summary = self.draw(data, fig) or ""
                    fig.subplots_adjust(**self._margins)
                error = None
            except Exception as e:  # show the learner what went wrong, in place
                data, error, summary = None, e, f"{type(e).__name__}: {e}"
                fig.clear()
                fig.text(0.02, 0.5, summary, wrap=True, fontsize=12, color="#b2182b")
            hit = (data, fig, summary, error, render_png(fig, clock))
            if error is None:
                self._cache[key] = hit
                while len(self._cache) > 24:
                    self._cache.popitem(last=False)
        self.data, self.fig, self.summary, self.error, png = hit
        self.image.value = png
        style = "color:#b2182b" if self.error else ""
        self.summary_label.value = f"<b style='{style}'>{_html(self.summary)}</b>"
        return self


def _us(ns):
    return ns / 1000.0


def _fmt(ns):
    return plots.fmt_time(int(ns))


# =====================================================================================
# 1. the animated G-M-P diagram
# =====================================================================================

def _wl_mixed():
    """Compute workers, two blocking syscalls and two network waits."""

    def worker(wg):
        yield ops.compute(us=150)
        yield wg.done()

    def sys_g(wg):
        yield ops.compute(us=20)
        yield ops.syscall(us=400)
        yield ops.compute(us=20)
        yield wg.done()

    def net_g(wg):
        yield ops.netio(us=250)
        yield ops.compute(us=30)
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(10)
        for _ in range(2):
            yield ops.go(sys_g, wg, name="syscall")
        for _ in range(2):
            yield ops.go(net_g, wg, name="netio")
        for _ in range(6):
            yield ops.go(worker, wg, name="worker")
        yield wg.wait()

    return main


def _wl_burst():
    """A burst of 14 go statements on P0: the other Ps must steal (scenarios.cpu_fanout)."""
    return scenarios.cpu_fanout(goroutines=14, work_us=200).main


def _wl_syscall():
    """One long blocking syscall while its P still has Gs queued."""

    def worker(wg):
        yield ops.compute(us=300)
        yield wg.done()

    def blocker(wg):
        yield ops.syscall(us=1500)
        yield ops.compute(us=50)
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(5)
        for _ in range(4):
            yield ops.go(worker, wg, name="worker")
        yield ops.go(blocker, wg, name="syscall")
        yield wg.wait()

    return main


def _wl_netio():
    """Eight connections waiting on the network, then a little work each."""

    def conn(wg, i):
        yield ops.netio(us=200 + 50 * i)
        yield ops.compute(us=40)
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(8)
        for i in range(8):
            yield ops.go(conn, wg, i, name="conn")
        yield wg.wait()

    return main


def _wl_hog():
    """Four tight loops (no function calls) and a goroutine that wants to run every 1 ms."""

    def hog(wg):
        yield ops.compute(ms=25, tight=True)
        yield wg.done()

    def ticker(wg):
        for _ in range(3):
            yield ops.sleep(us=1000)
            yield ops.compute(us=20)
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(5)
        yield ops.go(ticker, wg, name="ticker")
        for _ in range(4):
            yield ops.go(hog, wg, name="hog")
        yield wg.wait()

    return main


ANIMATION_WORKLOADS = OrderedDict([
    ("burst + syscalls + netio", _wl_mixed),
    ("burst of go statements (stealing)", _wl_burst),
    ("long syscall (sysmon retake)", _wl_syscall),
    ("network I/O (netpoller)", _wl_netio),
    ("tight loops (preemption)", _wl_hog),
])

# Which events matter most when a caption must be short.
_PRIORITY = {"overflow": 0, "steal": 0, "retake": 0, "preempt": 0, "handoff": 1,
             "syscall-enter": 1, "syscall-exit": 1, "gosched": 2, "netpoll": 2,
             "newm": 2, "spawn": 3, "ready": 3, "spin": 4, "park": 4, "run": 4, "exit": 5}
_MAX_SENTENCES = 4


def _where(snap, gid):
    """Where G ``gid`` sits in a snapshot: 'runnext of P0', 'P1's ring', ..."""
    for p in snap["ps"]:
        if p["runnext"] == gid:
            return f"P{p['id']}'s runnext"
        if gid in p["runq"]:
            return f"P{p['id']}'s ring"
    if gid in snap["global"]:
        return "the global queue"
    for m in snap["ms"]:
        if m["g"] == gid:
            return f"running on M{m['id']}"
    return ""


_SYSEXIT = {"fast": "kept its P (fast path)", "oldp": "took its old P back",
            "idlep": "took an idle P", "nop": "found no P: its G goes to the global queue "
                                             "and the M parks (stopm)"}
_HANDOFF = {"work": "it has work, so an M is started for it",
            "spinning": "nobody spins, so a spinning M is started",
            "last-p": "it is the last P, so an M keeps it",
            "idle": "nothing to do, so it goes idle"}


def _sentence(e, after):
    """One event as a short English sentence (``after`` = the snapshot that follows)."""
    k = e.kind
    if k == "spawn":
        where = _where(after, e.g)
        return f"G{e.other} ran `go`: new G{e.g}" + (f" → {where}" if where else "")
    if k == "ready":
        by = f"by G{e.other}" if e.other >= 0 else "by a timer or the netpoller"
        where = _where(after, e.g)
        return f"G{e.g} woken {by}" + (f" → {where}" if where else "")
    if k == "exit":
        return f"G{e.g} exited"
    if k == "steal":
        n = e.detail.split("=")[-1] if "=" in e.detail else "?"
        s = "" if n == "1" else "s"
        return f"P{e.p} (M{e.m}) stole {n} G{s} from P{e.other}"
    if k == "overflow":
        return (f"P{e.p}'s ring was full: {e.other} Gs (half the ring + G{e.g}) "
                f"moved to the global queue")
    if k == "retake":
        return f"sysmon retook P{e.p} from M{e.m} (G{e.g} is in a syscall)"
    if k == "handoff":
        return f"handoffp(P{e.p}): {_HANDOFF.get(e.detail, e.detail)}"
    if k == "preempt":
        return (f"G{e.g} preempted on P{e.p}: sysmon saw its time slice "
                f"({_fmt(FORCE_PREEMPT_NS)}) used up → tail of the global queue")
    if k == "syscall-enter":
        return f"G{e.g} on M{e.m} entered a syscall (M{e.m} keeps P{e.p})"
    if k == "syscall-exit":
        return f"G{e.g}'s syscall returned on M{e.m}: {_SYSEXIT.get(e.detail, e.detail)}"
    if k == "gosched":
        return f"G{e.g} yielded (Gosched) → global queue"
    return f"{k} G{e.g}"


def _m_sentences(before, after):
    """What the threads did between two snapshots: new Ms, spinning, parking."""
    out = []
    old = {m["id"]: m for m in before["ms"]} if before else {}
    for m in after["ms"]:
        o = old.get(m["id"])
        if m["state"] == "sysmon":
            continue
        on_p = f" on P{m['p']}" if m.get("p") is not None else ""
        if o is None:
            what = {"spinning": f" for P{m['p']}, spinning (looking for work)",
                    "starting": f" to run P{m['p']}"}.get(m["state"], "") if on_p else ""
            out.append(("newm", f"new thread M{m['id']} (newm){what}"))
        elif o["state"] != m["state"]:
            if m["state"] == "spinning":
                out.append(("spin", f"M{m['id']} spins{on_p}, looking for work"))
            elif m["state"] == "starting":
                out.append(("spin", f"idle M{m['id']} woken to run P{m['p']}"))
            elif m["state"] == "idle" and not m.get("netpoll"):
                out.append(("park", f"M{m['id']} parks (stopm)"))
        if m["state"] == "running" and m["g"] is not None and (
                o is None or o["g"] != m["g"] or o["state"] != "running"):
            out.append(("run", f"M{m['id']} runs G{m['g']} on P{m['p']}"))
        if m.get("netpoll") and not (o or {}).get("netpoll"):
            out.append(("netpoll", f"M{m['id']} blocks in netpoll"))
    return out


def _caption(events, before, after):
    items = [(k, s) for k, s in _m_sentences(before, after)]
    items += [(e.kind, _sentence(e, after)) for e in events]
    if not items:
        return "(time passes: Gs compute)"
    ranked = sorted(range(len(items)), key=lambda i: (_PRIORITY.get(items[i][0], 5), i))
    keep = sorted(ranked[:_MAX_SENTENCES])
    text = "; ".join(items[i][1] for i in keep)
    if len(items) > len(keep):
        text += f"; +{len(items) - len(keep)} more"
    return text


def _m_signature(model):
    return tuple((m.state, m.spinning, m.p is None, m is model.netpoll_m,
                  m.curg.id if m.curg is not None else 0) for m in model.allm)


def _placed(sim, gid):
    """Whether a new G has been put on a queue (newproc's placement follows the
    spawn event after goroutine_create_ns)."""
    g = sim.gs[gid]
    m = sim.model
    return (any(p.runnext is g or g in p.runq for p in m.allp) or g in m.globalq
            or g.status != "runnable")


@lru_cache(maxsize=16)
def build_frames(workload, procs, seed=SEED, cap=MAX_FRAMES):
    """Step ``workload`` under ``GMP(procs)``; a frame whenever the scheduler did something.

    A frame closes after every engine step that recorded an event (spawn,
    ready, steal, overflow, retake, handoff, preempt, syscall enter/exit,
    exit) or changed a thread's state.  More than ``cap`` frames are merged in
    even groups (captions joined).  Returns a dict: ``snapshots``,
    ``captions``, ``kinds`` (event kinds per frame), ``events`` (per frame),
    ``times``, ``stats``, ``workload``, ``procs``.
    """
    if workload not in ANIMATION_WORKLOADS:
        raise KeyError(f"no workload {workload!r}; choose from {', '.join(ANIMATION_WORKLOADS)}")
    main = ANIMATION_WORKLOADS[workload]()
    sim = Simulation(main, {}, model=GMP(procs=procs), seed=seed)
    model, tl = sim.model, sim.tl
    snaps = [sim.snapshot()]
    evs = [[]]
    n_ev = 0
    carry = []            # go statements whose G is not queued yet (shown once it is)
    sig = _m_signature(model)
    while sim.step():
        n = len(tl._ev_kind)
        s2 = _m_signature(model)
        if n == n_ev and s2 == sig and not carry:
            continue
        new = carry + (tl.events[n_ev:n] if n > n_ev else [])
        n_ev = n
        carry = [e for e in new if e.kind == "spawn" and not _placed(sim, e.g)]
        show = [e for e in new if e not in carry]
        if not show and s2 == sig:
            continue
        snaps.append(sim.snapshot())
        evs.append(show)
        sig = s2
    snaps.append(sim.snapshot())
    evs.append(carry + tl.events[n_ev:])
    # merge into at most `cap` frames (the first frame stays the start)
    if len(snaps) > cap:
        k = math.ceil((len(snaps) - 1) / (cap - 1))
        ms, me = [snaps[0]], [evs[0]]
        for i in range(1, len(snaps), k):
            ms.append(snaps[min(i + k - 1, len(snaps) - 1)])
            me.append([e for grp in evs[i:i + k] for e in grp])
        snaps, evs = ms, me
    captions = ["start: main (G1) is in P0's runnext; the other Ps are idle"]
    for i in range(1, len(snaps)):
        captions.append(_caption(evs[i], snaps[i - 1], snaps[i]))
    run = Run(sim)
    return {"workload": workload, "procs": procs, "snapshots": snaps, "events": evs,
            "kinds": [sorted({e.kind for e in grp}) for grp in evs], "captions": captions,
            "times": [s["time"] for s in snaps], "stats": run.stats}


class AnimationPanel(Panel):
    """A Panel whose ``frame`` control only redraws (frames are precomputed).

    ``play`` is an ``ipywidgets.Play`` linked to the ``frame`` slider (Python
    side, so it also works without a browser); the slider and the caption
    carry the CSS classes ``gmpkit-gmp-frame`` and ``gmpkit-gmp-caption`` for
    browser tests.  Drawn frames are cached as PNG bytes.
    """

    def __init__(self, workload, procs, figsize=(10, 7.2)):
        self.frame = W.IntSlider(value=0, min=0, max=1, description="frame",
                                 continuous_update=True, layout=W.Layout(width="300px"))
        self.frame.add_class("gmpkit-gmp-frame")
        self.play = W.Play(value=0, min=0, max=1, step=1, interval=600, description="play")
        self._link = W.link((self.play, "value"), (self.frame, "value"))
        self.workload = W.Dropdown(options=list(ANIMATION_WORKLOADS), value=workload,
                                   description="workload", style={"description_width": "initial"},
                                   layout=W.Layout(width="300px"))
        self.procs = slider("GOMAXPROCS (Ps)", procs, 1, 4)
        self.procs.layout.width = "250px"
        self.caption = W.HTML()
        self.caption.add_class("gmpkit-gmp-caption")
        self._png = OrderedDict()
        self._quiet = False
        self._diagram = None
        self._fig = None
        self._key = None
        super().__init__("The G-M-P scheduler, frame by frame",
                         {"frame": self.frame, "workload": self.workload, "procs": self.procs},
                         compute=self._compute, draw=self._draw, figsize=figsize)

    def _compute(self, frame, workload, procs):
        data = build_frames(workload, procs)
        n = len(data["snapshots"])
        if (workload, procs) != self._key:
            first = self._key is None
            self._key = (workload, procs)
            self._png.clear()
            self._quiet = True
            try:
                self.play.playing = False
                if not first:
                    self.play.value = 0        # a new run starts at its first frame
                self.play.max = n - 1
                self.frame.max = n - 1
            finally:
                self._quiet = False
            frame = self.frame.value
        return dict(data, frame=min(frame, n - 1))

    def _changed(self, change):
        if not self._quiet:
            with defer_gc():
                self.update()

    def _draw(self, data, fig):
        i = data["frame"]
        caption = data["captions"][i]
        return f"frame {i}/{len(data['snapshots']) - 1} at {_fmt(data['times'][i])}: {caption}"

    def update(self):
        """Recompute (cached) and redraw only the diagram: reuses one figure."""
        clock = self.timings = Laps()
        try:
            self.data = self.compute(**self.values)
            clock.lap("simulate")
            self.error = None
        except Exception as e:  # pragma: no cover - shown in place
            self.error = e
            self.summary = f"{type(e).__name__}: {e}"
            self.summary_label.value = f"<b style='color:#b2182b'>{self.summary}</b>"
            return self
        d = self.data
        i = d["frame"]
        key = (d["workload"], d["procs"], i)
        snap = d["snapshots"][i]
        if self._fig is None or self._fig_procs != d["procs"]:
            with plots.style(projector=PROJECTOR["on"]):
                self._diagram = plots.GMPDiagram(snap, max_ring=MAX_RING, wide=True)
            self._fig = self._diagram.fig
            self._fig.set_dpi(100 if not PROJECTOR["on"] else 90)
            self._fig_procs = d["procs"]
        if key not in self._png:
            with plots.style(projector=PROJECTOR["on"]):
                self._diagram.title = (f"{d['workload']} · GOMAXPROCS={d['procs']} · "
                                       f"t = {_fmt(snap['time'])}")
                self._diagram.update(snap)
            self._png[key] = (render_png(self._fig, clock), dict(self._diagram.counts))
            while len(self._png) > 64:
                self._png.popitem(last=False)
        self.fig = self._fig
        self.image.value, self.counts = self._png[key]
        self.summary = self._draw(d, self._fig)
        caption = d["captions"][i]
        self.caption.value = (f"<div style='font-size:1.15em'><b>t = {_fmt(d['times'][i])}"
                              f"</b> — {_html(caption)}</div>")
        self.summary_label.value = f"<b>{_html(self.summary)}</b>"
        return self

    @property
    def widget(self):
        # Laid out for a 1366x768 laptop (about 700 px of notebook): the controls in one
        # row (wrapping in a narrow window), the caption beside the diagram, not above it.
        head = W.HTML(f"<h4 style='margin:4px 0'>{_html(self.title)}</h4>")
        controls = W.HBox([self.workload, self.procs, self.play, self.frame],
                          layout=W.Layout(flex_flow="row wrap", align_items="center"))
        self.image.layout.flex = "1 1 auto"
        self.image.layout.min_width = "0"
        self.caption.layout = W.Layout(flex="0 0 240px", width="240px", margin="0 0 0 12px")
        body = W.HBox([self.image, self.caption], layout=W.Layout(align_items="flex-start"))
        box = W.VBox([head, controls, body])
        return self._tag(box)


def _html(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@register("06:animation")
def animation_panel(workload="burst + syscalls + netio", procs=2):
    """The animated G-M-P diagram (see :class:`AnimationPanel`)."""
    return AnimationPanel(workload, procs)


# =====================================================================================
# 2. runnext, the ring, and overflow to the global queue
# =====================================================================================

def _burst_main(n):
    def child(wg):
        yield ops.compute(us=10)
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(n)
        for _ in range(n):
            yield ops.go(child, wg)
        yield ops.compute(us=5)     # still running: the queues hold still for a look
        yield wg.wait()

    return main


@lru_cache(maxsize=64)
def burst(n, procs=1):
    """One G runs ``n`` go statements on P0 (procs=1: nobody steals meanwhile).

    Returns where the Gs are right after the burst (``runnext``, ``ring``,
    ``global``), the ``overflows`` and their batch sizes, and the trajectory
    (``spawned``, ``ring_len``, ``global_len``) after every go statement.
    """
    sim = Simulation(_burst_main(n), {}, model=GMP(procs=procs), seed=SEED)
    model = sim.model
    p0 = model.allp[0]
    spawned, ring, glob = [0], [0], [0]
    while sim.step():
        if p0.runnext is not None and p0.runnext.id - 1 != spawned[-1]:
            spawned.append(p0.runnext.id - 1)      # G ids 2..n+1: the k-th go statement
            ring.append(len(p0.runq))
            glob.append(len(model.globalq))
        if len(sim.gs) == n + 1 and sim.main.left > 0:
            break
    snap = sim.snapshot()
    p = snap["ps"][0]
    batches = [e.other for e in sim.tl.events_of("overflow")]
    return {"n": n, "procs": procs, "runnext": 0 if p["runnext"] is None else 1,
            "ring": len(p["runq"]), "global": len(snap["global"]),
            "overflows": len(batches), "batches": batches, "ring_size": RUNQ_SIZE,
            "spawned": spawned, "ring_len": ring, "global_len": glob}


def _draw_burst(d, fig):
    ax1, ax2 = fig.subplots(1, 2, width_ratios=(2.2, 1))
    ax1.step(d["spawned"], d["ring_len"], where="post", color=_LOCAL, lw=2.5,
             label="P0's ring (runq)")
    ax1.step(d["spawned"], d["global_len"], where="post", color=_GLOBAL, lw=2.5, ls="--",
             label="global queue")
    ax1.axhline(RUNQ_SIZE, color="#555555", lw=1, ls=":")
    ax1.text(2, RUNQ_SIZE + 6, "ring full: 256", fontsize="small", color="#555555")
    for k, (x, y) in enumerate(zip(d["spawned"][1:], np.diff(d["global_len"]))):
        if y > 0:
            ax1.annotate(f"+{y}", (x, d["global_len"][k + 1]), textcoords="offset points",
                         xytext=(4, 4), color=_GLOBAL, fontweight="bold")
    ax1.set_xlabel("go statements so far")
    ax1.set_ylabel("Gs queued")
    ax1.set_xlim(0, max(d["spawned"][-1], 1))
    ax1.set_ylim(0, max(RUNQ_SIZE, max(d["global_len"])) + 40)
    ax1.legend(loc="center left", bbox_to_anchor=(0.0, 0.72))  # below the "ring full" line
    ax1.set_title(f"{d['n']} go statements by one G on P0")
    parts = [("runnext", d["runnext"], _OTHER), ("ring", d["ring"], _LOCAL),
             ("global", d["global"], _GLOBAL)]
    bars = ax2.bar([p[0] for p in parts], [p[1] for p in parts],
                   color=[p[2] for p in parts], edgecolor="black",
                   hatch=["", "", "//"])
    ax2.bar_label(bars, fontsize="medium")
    ax2.set_ylim(0, max(d["n"], 1) * 1.12)
    ax2.set_title("where the Gs are now")
    return (f"{d['n']} go statements → runnext {d['runnext']}, ring {d['ring']}, "
            f"global {d['global']} ({d['overflows']} overflow"
            f"{'s' if d['overflows'] != 1 else ''} × {OVERFLOW_BATCH})")


@register("06:overflow")
def overflow_panel(n=300):
    """Slider: goroutines spawned in a burst (100..600)."""
    return _Panel("runnext, the 256-slot ring, and overflow to the global queue",
                 {"n": slider("goroutines spawned in a burst", n, 100, 600, 10)},
                 compute=lambda n: burst(n), draw=_draw_burst, figsize=(10, 4.2))


# =====================================================================================
# 3. 1/61 fairness
# =====================================================================================

def _fairness_main(local, rounds, work_us):
    def worker(wg):
        yield ops.compute(us=work_us)
        yield wg.done()

    def yielder(wg, results):
        for _ in range(rounds):
            results.setdefault("yields", []).append((yield ops.now()))
            yield ops.gosched()           # to the tail of the global queue
            results.setdefault("turns", []).append((yield ops.now()))
            yield ops.compute(us=1)
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(local + 1)
        yield ops.go(yielder, wg, results, name="yielder")
        for _ in range(local):
            yield ops.go(worker, wg, name="local")
        yield wg.wait()

    return main


@lru_cache(maxsize=64)
def fairness(local, rounds=4, work_us=20):
    """``local`` Gs queued on P0 (procs=1) and one G that keeps yielding to the
    global queue (``runtime.Gosched``).  Returns the run ``order`` (G ids, one
    per run), P0's ``ticks`` at each run, the yielder's ``turns`` (indices in
    ``order``), how many local Gs ran between its turns (``gaps``), and its
    waits in ns."""
    results = {}
    sim = Simulation(_fairness_main(local, rounds, work_us), results,
                     model=GMP(procs=1), seed=SEED)
    run = sim.run()
    tl = run.timeline
    # runs: consecutive running/switch spans of the same G are one run
    spans = sorted((s.start, s.g) for s in tl.spans
                   if s.lane == "M" and s.state in ("running", "switch") and s.g > 0)
    order, starts = [], []
    for t, g in spans:
        if not order or order[-1] != g:
            order.append(g)
            starts.append(t)
    yid = 2
    t_ticks, v_ticks = tl.counter("schedtick[0]")
    ticks = [int(v_ticks[bisect.bisect_right(t_ticks, t) - 1]) if t >= t_ticks[0] else 0
             for t in starts]
    turns = [i for i, g in enumerate(order) if g == yid]
    gaps = [b - a - 1 for a, b in zip(turns, turns[1:])]
    waits = [b - a for a, b in zip(results["yields"], results["turns"])]
    remaining = [sum(1 for g in order[i + 1:] if g not in (1, yid)) for i in turns]
    return {"local": local, "rounds": rounds, "order": order, "ticks": ticks, "turns": turns,
            "gaps": gaps, "waits_ns": waits, "local_left_at_turn": remaining,
            "yielder": yid, "every": GLOBAL_CHECK_EVERY}


def _draw_fairness(d, fig):
    ax = fig.subplots()
    turns = d["turns"][1:]                 # the yielder's turns after each Gosched
    k = np.arange(1, len(turns) + 1)
    ahead = d["local_left_at_turn"][:len(turns)]
    ran = d["gaps"]
    b1 = ax.bar(k - 0.2, ahead, 0.4, color="#DDDDDD", edgecolor="black",
                label="local Gs queued ahead of it when it yielded")
    b2 = ax.bar(k + 0.2, ran, 0.4, color=_GLOBAL, edgecolor="black", hatch="//",
                label="local Gs that ran before its next turn")
    ax.bar_label(b1)
    ax.bar_label(b2)
    ax.axhline(d["every"] - 1, color="#555555", ls=":", lw=1)
    ax.text(len(turns) + 0.45, d["every"] - 1, f"{d['every'] - 1}", va="center",
            color="#555555")
    ax.set_xticks(k, [f"Gosched #{i}" for i in k])
    ax.set_ylabel("local Gs")
    ax.set_ylim(0, max(ahead + [1]) * 1.2)
    ax.legend(loc="upper right")
    ax.set_title(f"{d['local']} Gs in P0's local ring; one G yields to the global queue "
                 f"{d['rounds']} times (GOMAXPROCS=1)")
    return (f"the yielder ran again after {', '.join(map(str, d['gaps']))} local Gs "
            f"(one turn per {d['every']} schedticks), not after the whole ring")


@register("06:fairness")
def fairness_panel(local=200):
    """Slider: how many Gs wait in the local ring."""
    return _Panel("1/61 fairness: the global queue is never starved",
                 {"local": slider("Gs in P0's local ring", local, 70, 250, 10)},
                 compute=lambda local: fairness(local), draw=_draw_fairness,
                 figsize=(10, 4.4))


# =====================================================================================
# 4. work stealing: half of the victim's ring
# =====================================================================================

def _stealing_main(n, work_us):
    def worker(wg):
        yield ops.compute(us=work_us)
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(n)
        for _ in range(n):
            yield ops.go(worker, wg, name="worker")
        yield wg.wait()

    return main


@lru_cache(maxsize=128)
def stealing(queued, procs=4, work_us=500):
    """``queued`` Gs wait in P0's ring (main spawned ``queued + 1``; P0 runs
    the one in runnext), the other Ps are idle.  Every steal is recorded with
    the victim's ring length just before it: ``steals`` = list of dicts
    (``time``, ``thief``, ``victim``, ``before``, ``taken``)."""
    sim = Simulation(_stealing_main(queued + 1, work_us), {}, model=GMP(procs=procs),
                     seed=SEED)
    model, tl = sim.model, sim.tl
    rings = [0] * procs
    n_ev = 0
    steals = []
    ran_on = {}
    while sim.step():
        n = len(tl._ev_kind)
        if n != n_ev:
            for e in tl.events[n_ev:n]:
                if e.kind == "steal":
                    taken = int(e.detail.split("=")[1])
                    steals.append({"time": e.time, "thief": e.p, "victim": e.other,
                                   "before": rings[e.other], "taken": taken})
            n_ev = n
        rings = [len(p.runq) for p in model.allp]
        for m in model.allm:
            if m.curg is not None and m.p is not None and m.curg.id > 1:
                ran_on.setdefault(m.curg.id, m.p.id)
    per_p = [sum(1 for p in ran_on.values() if p == i) for i in range(procs)]
    return {"queued": queued, "procs": procs, "steals": steals, "ran_per_p": per_p,
            "first": steals[0] if steals else None}


def _draw_stealing(d, fig):
    ax1, ax2 = fig.subplots(1, 2, width_ratios=(2, 1))
    st = d["steals"][:10]
    if st:
        x = np.arange(len(st))
        b1 = ax1.bar(x - 0.2, [s["before"] for s in st], 0.4, color="#DDDDDD",
                     edgecolor="black", label="victim's ring before")
        b2 = ax1.bar(x + 0.2, [s["taken"] for s in st], 0.4, color=_LOCAL,
                     edgecolor="black", hatch="//", label="stolen (incl. the one run now)")
        ax1.bar_label(b1)
        ax1.bar_label(b2)
        ax1.set_xticks(x, [f"P{s['thief']}←P{s['victim']}\n{_fmt(s['time'])}" for s in st],
                       fontsize="small")
        ax1.legend(loc="upper right")
    else:
        ax1.text(0.5, 0.5, "no steals: nothing queued", ha="center", transform=ax1.transAxes)
    ax1.set_ylabel("Gs")
    ax1.set_title("each steal, in order" + (" (first 10)" if len(d["steals"]) > 10 else ""))
    bars = ax2.bar([f"P{i}" for i in range(d["procs"])], d["ran_per_p"], color=_OTHER,
                   edgecolor="black")
    ax2.bar_label(bars)
    ax2.yaxis.get_major_locator().set_params(integer=True)
    ax2.set_title("workers run per P")
    f = d["first"]
    head = (f"first steal: P{f['thief']} took {f['taken']} of P{f['victim']}'s {f['before']}"
            if f else "no steal")
    return f"{d['queued']} Gs queued on P0 → {head}; {len(d['steals'])} steals in all"


@register("06:stealing")
def stealing_panel(queued=9, procs=4):
    """Sliders: Gs queued in P0's ring; GOMAXPROCS."""
    return _Panel("Work stealing: an idle P takes half of a busy P's ring",
                 {"queued": slider("Gs queued on P0", queued, 1, 64),
                  "procs": slider("GOMAXPROCS (Ps)", procs, 2, 8)},
                 compute=lambda queued, procs: stealing(queued, procs),
                 draw=_draw_stealing, figsize=(10, 4.2), margins=dict(bottom=0.17))


# =====================================================================================
# 5. spinning Ms
# =====================================================================================

SPIN_WORKLOADS = {
    "ping-pong: 200 channel hand-offs": "ping-pong",
    "bursts: 10 x 8 go statements": "bursts",
}


def _bursts_main(rounds=10, burst=8, gap_us=100, work_us=40):
    def worker(wg):
        yield ops.compute(us=work_us)
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(rounds * burst)
        for _ in range(rounds):
            for _ in range(burst):
                yield ops.go(worker, wg)
            yield ops.compute(us=gap_us)
        yield wg.wait()

    return main


def thread_wakeups(tl):
    """How many times an idle thread was woken (falls of ``idlethreads``)."""
    try:
        _, v = tl.counter("idlethreads")
    except KeyError:
        return 0
    d = np.diff(v.astype(int))
    return int(-d[d < 0].sum())


def start_latencies(tl):
    """For every G made runnable (``spawn`` or ``ready``), the time until it next ran (ns)."""
    starts = {}
    for sp in tl.spans:
        if sp.state == "running":
            starts.setdefault(sp.g, []).append(sp.start)
    for v in starts.values():
        v.sort()
    out = []
    for e in tl.events:
        if e.kind in ("spawn", "ready") and e.g in starts:
            i = bisect.bisect_left(starts[e.g], e.time)
            if i < len(starts[e.g]):
                out.append(starts[e.g][i] - e.time)
    return out


def _spin_run(workload, procs, spinning):
    model = GMP(procs=procs, spinning=spinning)
    if workload == "ping-pong":
        run = scenarios.ping_pong(rounds=200, work_ns=2000).run(model, seed=SEED)
    else:
        run = Simulation(_bursts_main(), {}, model=model, seed=SEED).run()
    tl = run.timeline
    lat = start_latencies(tl)
    ts, _ = tl.counter("spinningthreads")
    ti, _ = tl.counter("idleprocs")
    times = np.union1d(ts, ti)
    spin = np.array([tl.value_at("spinningthreads", t) for t in times], dtype=int)
    busy = procs - np.array([tl.value_at("idleprocs", t) for t in times], dtype=int)
    return {"wakeups": thread_wakeups(tl),
            "created": run.stats["threads_created"] - 2,          # minus M0 and sysmon
            "futile": run.stats["futile_wakeups"],
            "latency_us": float(np.mean(lat)) / 1000 if lat else 0.0,
            "latency_max_us": max(lat) / 1000 if lat else 0.0,
            "runnable": len(lat), "makespan_us": run.makespan_ns / 1000,
            "spinning": spin.tolist(), "busy": busy.tolist(),
            "peak_spinning": int(spin.max()) if len(spin) else 0}


@lru_cache(maxsize=32)
def spinning(procs=8, workload="ping-pong"):
    """The same workload under GMP with spinning Ms (``on``, real Go) and under the
    design proc.go rejects, ``GMP(spinning=False)`` (``off``): wake an idle M for
    every readied G while a P is idle.

    Each side reports ``wakeups`` (idle Ms woken: a futex wake each), ``created``
    (new Ms), ``futile`` (Ms woken or created that parked again without running
    a G), the mean and worst time from "runnable" to "running" (``latency_us``,
    ``latency_max_us``), and the spinning/busy series of the run.
    """
    if workload not in SPIN_WORKLOADS.values():
        raise ValueError(f"workload must be one of {', '.join(SPIN_WORKLOADS.values())}, "
                         f"not {workload!r}")
    return {"procs": procs, "workload": workload,
            "on": _spin_run(workload, procs, True), "off": _spin_run(workload, procs, False)}


def _draw_spinning(d, fig):
    axes = fig.subplots(1, 3)
    on, off = d["on"], d["off"]
    rows = (("thread wake-ups\n(futex wakes)", "wakeups", "{:.0f}"),
            ("wasted wake-ups\n(found no G, slept again)", "futile", "{:.0f}"),
            ("mean start latency (µs)\nrunnable -> running", "latency_us", "{:.1f}"))
    for ax, (title, key, fmt) in zip(axes, rows):
        bars = ax.bar(["spinning\n(Go)", "no spinning\n(rejected)"], [on[key], off[key]],
                      color=[_LOCAL, _GLOBAL], edgecolor="black", hatch=["", "//"])
        ax.bar_label(bars, labels=[fmt.format(on[key]), fmt.format(off[key])])
        ax.set_title(title, fontsize="medium")
        ax.set_ylim(0, max(on[key], off[key], 1) * 1.25)
        ax.set_yticks([])
    name = next(k for k, v in SPIN_WORKLOADS.items() if v == d["workload"])
    axes[0].set_ylabel(f"{name.split(':')[0]}, GOMAXPROCS={d['procs']}")
    ratio = off["wakeups"] / max(1, on["wakeups"])
    return (f"thread wake-ups: {on['wakeups']} with spinning, {off['wakeups']} without "
            f"({ratio:.1f}x); wasted: {on['futile']} vs {off['futile']}; mean start latency "
            f"{on['latency_us']:.1f} vs {off['latency_us']:.1f} µs")


@register("06:spinning")
def spinning_panel(procs=8, workload="ping-pong"):
    """Spinning Ms vs the rejected "wake a thread per readied G" design."""
    label = next(k for k, v in SPIN_WORKLOADS.items() if v == workload)
    controls = {"procs": slider("GOMAXPROCS (Ps)", procs, 2, 8),
                "workload": W.Dropdown(options=list(SPIN_WORKLOADS), value=label,
                                       description="workload",
                                       style={"description_width": "initial"})}
    return _Panel("Waking idle Ms: with spinning Ms, and without",
                  controls, compute=lambda procs, workload: spinning(procs, SPIN_WORKLOADS[workload]),
                  draw=_draw_spinning, figsize=(10, 3.4),
                  margins=dict(left=0.05, top=0.82, bottom=0.16, wspace=0.15))


# =====================================================================================
# 6. system calls: sysmon's retake, and the netpoller
# =====================================================================================

SYSCALL_GRID_US = (5, 10, 20, 40, 100, 1000, 5000, 9000, 13000, 20000, 30000)


def _syscall_main(duration_us, local_work):
    # The queued Gs compute long enough that P1's thief, once started, is still
    # busy with the first when sysmon looks a second time (~170 µs in).
    def worker(wg):
        # long enough that P1, stealing, cannot empty P0's ring before sysmon
        # looks twice (even with a calibrated, longer sysmon tick)
        yield ops.compute(us=300)
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        # A P's very first syscall matches sysmon's zero-initialised record and
        # can be retaken at first sight; one short syscall first avoids that.
        yield ops.syscall(ns=100)
        if local_work:
            wg.add(2)
            for _ in range(2):
                yield ops.go(worker, wg, name="queued")
        yield ops.syscall(us=duration_us)
        yield wg.wait()

    return main


@lru_cache(maxsize=256)
def syscall_retake(duration_us, local_work, procs=2):
    """main (G1) makes one blocking syscall of ``duration_us`` on P0, with two
    Gs queued behind it (``local_work``) or none; the other P is idle.

    Returns ``retaken`` (bool), ``retake_after_ns`` (from the syscall's start),
    the ``handoff`` reason, how the syscall returned (``exit``) and the run
    (for a Gantt chart)."""
    results = {}
    run = Simulation(_syscall_main(duration_us, local_work), results, model=GMP(procs=procs),
                     seed=SEED).run()
    tl = run.timeline
    enter = [e for e in tl.events_of("syscall-enter") if e.g == 1][-1]
    ret = [e for e in tl.events_of("retake") if e.g == 1 and e.time >= enter.time]
    hand = [e for e in tl.events_of("handoff") if e.time >= enter.time]
    ex = [e for e in tl.events_of("syscall-exit") if e.g == 1][-1]
    return {"duration_us": duration_us, "local_work": local_work, "procs": procs,
            "retaken": bool(ret), "retake_after_ns": ret[0].time - enter.time if ret else None,
            "handoff": hand[0].detail if hand else None, "exit": ex.detail,
            "threads": run.stats["threads"], "run": run, "enter_ns": enter.time}


@lru_cache(maxsize=4)
def _syscall_sweep(procs=2):
    out = {}
    for work in (True, False):
        out[work] = [(d, syscall_retake(d, work, procs)["retake_after_ns"])
                     for d in SYSCALL_GRID_US]
    return out


def _draw_syscall(d, fig):
    ax1, ax2 = fig.subplots(1, 2, width_ratios=(1.25, 1))
    sweep = _syscall_sweep(d["procs"])
    for work, color, marker, label in ((True, _GLOBAL, "o", "2 Gs queued on the P"),
                                       (False, _LOCAL, "s", "nothing queued")):
        xs = [x for x, r in sweep[work] if r is not None]
        ys = [r / 1000 for x, r in sweep[work] if r is not None]
        ax1.plot(xs, ys, marker=marker, color=color, lw=2, label=f"retaken: {label}")
        nx = [x for x, r in sweep[work] if r is None]
        ax1.scatter(nx, [0.5 if work else 0.35] * len(nx), marker="x", s=60, color=color,
                    label=f"never retaken: {label}")
    from ..facts import sysmon_tick_ns
    from ..models.gmp import SYSCALL_RETAKE_NS
    tick = sysmon_tick_ns(d["procs"])
    ax1.axhline(tick / 1000, color="#777777", ls=":", lw=1)
    ax1.axhline(SYSCALL_RETAKE_NS / 1000, color="#777777", ls="--", lw=1)
    ax1.text(6, tick / 1000 * 1.15, f"one sysmon tick ({_fmt(tick)}, model)", fontsize="small")
    ax1.text(400, SYSCALL_RETAKE_NS / 1000 * 1.15, f"retake's limit ({_fmt(SYSCALL_RETAKE_NS)})",
             fontsize="small")
    ax1.axvline(d["duration_us"], color="#000000", lw=1)
    ax1.set_xscale("log")
    ax1.set_yscale("log")
    plain_log_ticks(ax1, "x")
    plain_log_ticks(ax1, "y")
    ax1.set_xlabel("syscall duration (µs)")
    ax1.set_ylabel("P retaken after (µs)")
    ax1.set_ylim(0.3, 40_000)
    ax1.legend(fontsize="x-small", loc="upper left")
    ax1.set_title("when sysmon takes the P away")
    run = d["run"]
    plots.gantt(run.timeline, by="M", ax=ax2, events=("retake", "handoff"), legend=False,
                title=f"this run: {d['duration_us']} µs, "
                      f"{'work queued' if d['local_work'] else 'no work'}")
    if d["retaken"]:
        return (f"{d['duration_us']} µs syscall, {'work queued' if d['local_work'] else 'no work'}: "
                f"P0 retaken after {_fmt(d['retake_after_ns'])}, handoffp: {d['handoff']}; "
                f"the syscall returned with {d['exit']}")
    return (f"{d['duration_us']} µs syscall, {'work queued' if d['local_work'] else 'no work'}: "
            f"P0 not retaken (the syscall kept its P: {d['exit']} path)")


@register("06:syscall")
def syscall_panel(duration_us=100, local_work=True):
    """Slider: syscall duration; checkbox: Gs queued on the P."""
    return _Panel("A blocking syscall keeps its P until sysmon retakes it",
                 {"duration_us": slider("syscall duration (µs)", duration_us, 5, 30000, 5),
                  "local_work": W.Checkbox(value=local_work, description="2 Gs queued on P0")},
                 compute=lambda duration_us, local_work: syscall_retake(duration_us, local_work),
                 draw=_draw_syscall, figsize=(11, 4.4), margins=dict(wspace=0.3))


NETIO_GRID = (1, 2, 4, 8, 16, 32, 64)


@lru_cache(maxsize=128)
def syscall_vs_netio(n, procs=2, wait_us=1000):
    """``n`` goroutines each wait ``wait_us`` in a blocking syscall, or on the
    network; returns the thread count over time and its peak for both."""
    out = {"n": n, "procs": procs}
    for kind, sc in (("syscall", scenarios.syscall_storm(n, wait_us, 20)),
                     ("netio", scenarios.netio_server(n, wait_us, 20))):
        run = sc.run(GMP(procs=procs), seed=SEED)
        t, v = run.timeline.counter("threads")
        out[kind] = {"times": t.tolist(), "threads": v.astype(int).tolist(),
                     "peak": int(run.stats["threads_peak"]), "end": run.makespan_ns}
    return out


@lru_cache(maxsize=4)
def _netio_sweep(procs=2):
    return [(n, syscall_vs_netio(n, procs)["syscall"]["peak"],
             syscall_vs_netio(n, procs)["netio"]["peak"]) for n in NETIO_GRID]


def _draw_netio(d, fig):
    ax1, ax2 = fig.subplots(1, 2)
    for kind, color, ls in (("syscall", _GLOBAL, "-"), ("netio", _LOCAL, "--")):
        k = d[kind]
        t = np.array(k["times"] + [k["end"]]) / 1000
        v = k["threads"] + [k["threads"][-1]]
        ax1.step(t, v, where="post", color=color, ls=ls, lw=2.5,
                 label=f"{kind}: peak {k['peak']}")
    ax1.set_xlabel("time (µs)")
    ax1.set_ylabel("threads (Ms, sysmon included)")
    ax1.legend(loc="center right")
    ax1.set_title(f"{d['n']} goroutines each wait 1 ms")
    sw = _netio_sweep(d["procs"])
    ax2.plot([s[0] for s in sw], [s[1] for s in sw], "o-", color=_GLOBAL, lw=2,
             label="blocking syscall")
    ax2.plot([s[0] for s in sw], [s[2] for s in sw], "s--", color=_LOCAL, lw=2,
             label="network I/O (netpoller)")
    ax2.axvline(d["n"], color="black", lw=1)
    ax2.set_xscale("log", base=2)
    ax2.set_xlabel("goroutines waiting at once")
    ax2.set_ylabel("peak threads")
    ax2.legend(loc="upper left")
    ax2.set_title(f"GOMAXPROCS={d['procs']}")
    return (f"{d['n']} waiting goroutines: {d['syscall']['peak']} threads for blocking "
            f"syscalls, {d['netio']['peak']} for network I/O")


@register("06:netio")
def netio_panel(n=16):
    """Slider: goroutines waiting at once."""
    return _Panel("Syscalls take threads; the netpoller does not",
                 {"n": slider("goroutines waiting at once", n, 1, 64)},
                 compute=lambda n: syscall_vs_netio(n), draw=_draw_netio, figsize=(11, 4.2),
                 margins=dict(wspace=0.25))


# =====================================================================================
# 7. preemption after 10 ms: cooperative vs asynchronous
# =====================================================================================

def _hog_main(hog_ms, tight, ticks):
    def hog(wg):
        yield ops.compute(ms=hog_ms, tight=tight)
        yield wg.done()

    def ticker(wg, results):
        lat = results.setdefault("latency_ns", [])
        for _ in range(ticks):
            due = (yield ops.now()) + 1_000_000
            yield ops.sleep(us=1000)
            ran = yield ops.now()
            lat.append(ran - due)
            results.setdefault("ticks", []).append((due, ran))
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(2)
        yield ops.go(hog, wg, name="hog")
        yield ops.go(ticker, wg, results, name="ticker")
        yield wg.wait()

    return main


@lru_cache(maxsize=64)
def preemption(hog_ms, async_preempt, tight, ticks=3):
    """A hog computing ``hog_ms`` and a ticker that sleeps 1 ms ``ticks`` times,
    on one P (the ticker sleeps first, so the hog holds the P when its timer
    fires).  Returns how late each tick ran and the run."""
    results = {}
    run = Simulation(_hog_main(hog_ms, tight, ticks), results,
                     model=GMP(procs=1, async_preempt=async_preempt), seed=SEED).run()
    lat = results["latency_ns"]
    return {"hog_ms": hog_ms, "async_preempt": async_preempt, "tight": tight,
            "latency_ns": lat, "max_latency_ns": max(lat),
            "first_latency_ns": lat[0], "preemptions": run.stats["preemptions"],
            "ticks": results["ticks"],
            "preempt_times": [e.time for e in run.timeline.events_of("preempt")],
            "run": run}


def _draw_preemption(d, fig):
    ax1, ax2 = fig.subplots(2, 1, height_ratios=(1, 1))
    plots.gantt(d["run"].timeline, by="M", ax=ax1, events=("preempt",), legend=False,
                title=("async preemption on" if d["async_preempt"] else
                       "GODEBUG=asyncpreemptoff=1") +
                      f" · hog: {'tight loop' if d['tight'] else 'loop with calls'}, "
                      f"{d['hog_ms']} ms · one P")
    for i, (due, ran) in enumerate(d["ticks"]):
        y = 0.55 + 0.12 * i
        ax1.plot([due, ran], [y, y], color=_GLOBAL, lw=2.5, transform=ax1.get_xaxis_transform())
        ax1.plot([due], [y], "o", mfc="white", mec=_GLOBAL, ms=9,
                 transform=ax1.get_xaxis_transform())
        ax1.plot([ran], [y], "o", color=_GLOBAL, ms=9, transform=ax1.get_xaxis_transform())
    ax1.text(0.01, 0.93, "ticker: ○ due → ● ran", transform=ax1.transAxes, color=_GLOBAL,
             fontweight="bold", va="top")
    lat = np.array(d["latency_ns"]) / 1e6
    x = np.arange(1, len(lat) + 1)
    bars = ax2.bar(x, lat, color=_GLOBAL, edgecolor="black")
    ax2.bar_label(bars, fmt="%.2f ms")
    ax2.axhline(FORCE_PREEMPT_NS / 1e6, color="#777777", ls="--", lw=1)
    ax2.text(0.5, FORCE_PREEMPT_NS / 1e6, " 10 ms", va="bottom", color="#555555")
    ax2.set_xticks(x, [f"tick {i}" for i in x])
    ax2.set_ylim(0, max(max(lat) * 1.25, 12))
    ax2.set_ylabel("ticker late by (ms)")
    return (f"first tick late by {d['first_latency_ns'] / 1e6:.2f} ms, worst "
            f"{d['max_latency_ns'] / 1e6:.2f} ms; preemptions: {d['preemptions']}")


@register("06:preemption")
def preemption_panel(hog_ms=30, async_preempt=True, tight=True):
    """Slider: hog length; checkboxes: async preemption, tight loop."""
    return _Panel("Preemption after 10 ms: cooperative vs asynchronous",
                 {"hog_ms": slider("hog runs (ms)", hog_ms, 5, 50, 5),
                  "async_preempt": W.Checkbox(value=async_preempt,
                                              description="async preemption (Go 1.14+)"),
                  "tight": W.Checkbox(value=tight, description="tight loop (no calls)")},
                 compute=lambda hog_ms, async_preempt, tight: preemption(hog_ms, async_preempt,
                                                                         tight),
                 draw=_draw_preemption, figsize=(10.5, 5.4),
                 margins=dict(bottom=0.08, top=0.94, hspace=0.35))


# =====================================================================================
# 8. GM vs GMP on one workload
# =====================================================================================

def server_mix(pairs=8, rounds=20, work_us=5, syscall_every=2, syscall_us=10):
    """Client/server pairs over unbuffered channels; the server does a blocking
    syscall every ``syscall_every`` requests.  Channel hand-offs, wake-ups and
    syscalls: everything the 2012 design doc blamed GM for."""

    def server(req, resp):
        i = 0
        while True:
            v, ok = yield req.recv_ok()
            if not ok:
                return
            yield ops.compute(us=work_us)
            i += 1
            if i % syscall_every == 0:
                yield ops.syscall(us=syscall_us)
            yield resp.send(v)

    def client(req, resp, wg):
        for r in range(rounds):
            yield req.send(r)
            yield resp.recv()
            yield ops.compute(us=work_us)
        yield req.close()
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(pairs)
        for _ in range(pairs):
            req, resp = Chan(), Chan()
            yield ops.go(server, req, resp, name="server")
            yield ops.go(client, req, resp, wg, name="client")
        yield wg.wait()

    return main


def _runs_by_g(tl):
    runs = {}
    for s in tl.spans:
        if s.lane == "M" and s.state in ("running", "switch") and s.g > 0:
            runs.setdefault(s.g, []).append((s.start, s.m))
    for v in runs.values():
        v.sort()
    return runs


def remote_wakeups(tl):
    """Wake-ups by a G after which the woken G first ran on another thread than
    its waker: ``(remote, total)``, from the timeline (the same yardstick for
    every model)."""
    runs = _runs_by_g(tl)
    remote = total = 0
    for e in tl.events_of("ready"):
        if e.other < 0:
            continue
        w = runs.get(e.other, [])
        i = bisect.bisect_right(w, (e.time, 1 << 62)) - 1
        r = runs.get(e.g, [])
        j = bisect.bisect_left(r, (e.time, -1))
        if i < 0 or j >= len(r):
            continue
        total += 1
        remote += r[j][1] != w[i][1]
    return remote, total


def thread_sleeps(tl):
    """How many times a thread went to sleep on the idle list (rises of ``idlethreads``)."""
    try:
        _, v = tl.counter("idlethreads")
    except KeyError:
        return 0
    d = np.diff(np.concatenate([[0], v.astype(int)]))
    return int(d[d > 0].sum())


_MCACHE = 2 * 1024 * 1024


@lru_cache(maxsize=16)
def _gm_gmp_runs(procs, pairs):
    out = {}
    for name, model in (("GM", GM(procs=procs)), ("GMP", GMP(procs=procs))):
        run = Simulation(server_mix(pairs=pairs), {}, model=model, seed=SEED).run()
        st, tl = run.stats, run.timeline
        ms = st["threads_created"] - (1 if name == "GMP" else 0)   # sysmon has no mcache
        rem, tot = remote_wakeups(tl)
        out[name] = {
            "makespan_ns": run.makespan_ns,
            "lock_wait_ns": st.get("lock_wait_ns", 0),
            "remote_wakeups": rem, "wakeups": tot,
            "mcache_bytes": (ms if name == "GM" else procs) * model.costs.get(
                "mcache_bytes", _MCACHE),
            "thread_sleeps": thread_sleeps(tl), "threads": st["threads_created"],
            "run": run}
    return out


def gm_vs_gmp(model="GMP", procs=4, pairs=8):
    """The same client/server workload under GM (Go 1.0) and GMP (Go 1.1+).

    The four problems of the 2012 design doc, each measured the same way for
    both: ``lock_wait_ns`` (time Ms waited for the scheduler lock),
    ``remote_wakeups`` (the woken G ran on another thread than its waker),
    ``mcache_bytes`` (per-M caches under GM, per-P under GMP), and
    ``thread_sleeps`` (threads parked on the idle list)."""
    runs = _gm_gmp_runs(procs, pairs)
    return {"model": model, "procs": procs, "pairs": pairs, "GM": runs["GM"],
            "GMP": runs["GMP"]}


_METRICS = (("lock_wait_ns", "1. waiting for the\nscheduler lock (µs)", 1e-3),
            ("remote_wakeups", "2. woken G runs on\nanother thread", 1),
            ("mcache_bytes", "3. mcache memory\n(MiB)", 1 / 2**20),
            ("thread_sleeps", "4. threads put\nto sleep", 1))


def _draw_gm_gmp(d, fig):
    gs = fig.add_gridspec(2, 4, height_ratios=(1.25, 1))
    ax = fig.add_subplot(gs[0, :])
    sel = d[d["model"]]
    plots.gantt(sel["run"].timeline, by="M", ax=ax, legend=True, label_gs=False, events=(),
                title=f"{d['model']} (GOMAXPROCS={d['procs']}): {d['pairs']} client/server "
                      f"pairs, makespan {_fmt(sel['makespan_ns'])}")
    for k, (key, label, scale) in enumerate(_METRICS):
        a = fig.add_subplot(gs[1, k])
        vals = [d["GM"][key] * scale, d["GMP"][key] * scale]
        colors = [_GLOBAL, _LOCAL]
        bars = a.bar(["GM", "GMP"], vals, color=colors, edgecolor="black",
                     hatch=["//", ""], linewidth=[3 if m == d["model"] else 1
                                                  for m in ("GM", "GMP")])
        a.bar_label(bars, fmt="%.0f")
        a.set_title(label, fontsize="medium")
        a.set_ylim(0, max(max(vals) * 1.3, 1))
        a.set_yticks([])
    g, p = d["GM"], d["GMP"]
    return (f"showing {d['model']}. GM → GMP: lock wait {_fmt(g['lock_wait_ns'])} → "
            f"{_fmt(p['lock_wait_ns'])}; remote wake-ups {g['remote_wakeups']} → "
            f"{p['remote_wakeups']}; mcache {g['mcache_bytes'] >> 20} → "
            f"{p['mcache_bytes'] >> 20} MiB; thread sleeps {g['thread_sleeps']} → "
            f"{p['thread_sleeps']}; makespan {_fmt(g['makespan_ns'])} → "
            f"{_fmt(p['makespan_ns'])}")


@register("06:gm-vs-gmp")
def gm_vs_gmp_panel(model="GMP", procs=4):
    """Dropdown: the model; slider: GOMAXPROCS."""
    return _Panel("One workload, two schedulers: Go 1.0's GM vs Go 1.1's GMP",
                 {"procs": slider("GOMAXPROCS", procs, 1, 8),
                  "model": W.ToggleButtons(options=["GM", "GMP"], value=model,
                                           description="model")},
                 compute=lambda procs, model: gm_vs_gmp(model, procs),
                 draw=_draw_gm_gmp, figsize=(11.5, 6.0),
                 margins=dict(left=0.05, right=0.77, bottom=0.05, top=0.94, hspace=0.5))


# =====================================================================================
# helpers for the notebook's prose: the model's own findRunnable, the live runtime source
# =====================================================================================

def find_runnable_order():
    """The steps of ``GMP.findRunnable``, in order: its own comments, read from
    the model's source (so the list cannot drift from the code)."""
    src = inspect.getsource(GMP.findRunnable)
    body = src.split('"""', 2)[-1]
    steps, cur = [], []
    for line in body.splitlines():
        s = line.strip()
        if s.startswith("#"):
            cur.append(s.lstrip("#").strip())
        elif cur:
            steps.append(re.sub(r"\s+", " ", " ".join(cur)))
            cur = []
    return steps


_FALLBACK_NOTE = ("(Go is not installed here, so this is the excerpt recorded from Go 1.27.3's "
                  "runtime/proc.go, not your machine's source.)")


def runtime_excerpt(name, keep=None, file="proc.go", context=0, max_lines=40):
    """Lines of runtime function ``name`` from the installed Go source.

    ``keep``: regexes; only matching lines (plus ``context`` lines around
    them) are shown, with ``...`` for gaps.  Returns ``(header, text, live)``
    where ``live`` says whether it came from this machine's Go.  Without Go,
    the recorded excerpt in ``_RECORDED`` is returned, labelled.
    """
    try:
        from ..real.toolchain import find_go, runtime_source_lines
        loc = runtime_source_lines(name, file=file)
        version = find_go().version
    except Exception:   # GoUnavailable, no source, LookupError: fall back, labelled
        text = _RECORDED.get(name, f"// {name}: no recorded excerpt")
        return f"// runtime/{file}: {name} (recorded from go1.27.3)", \
            text + "\n" + _FALLBACK_NOTE, False
    lines = loc.text.splitlines()
    if keep:
        pats = [re.compile(k) for k in keep]
        want = set()
        for i, ln in enumerate(lines):
            if any(p.search(ln) for p in pats):
                want.update(range(max(0, i - context), min(len(lines), i + context + 1)))
        out, last = [], -2
        for i in sorted(want):
            if i != last + 1:
                out.append("    ...")
            out.append(f"{loc.start + i:5d}  {lines[i]}")
            last = i
        body = "\n".join(out[:max_lines])
    else:
        body = "\n".join(f"{loc.start + i:5d}  {ln}" for i, ln in enumerate(lines[:max_lines]))
    header = f"// runtime/{loc.file.name}:{loc.start}-{loc.end} ({version}, installed)"
    return header, body.replace("\t", "    "), True


def struct_fields(type_name, fields, file="runtime2.go"):
    """Selected fields of a runtime struct (``type p struct`` ...) with line
    numbers, from the installed source; ``(header, text, live)`` as above."""
    try:
        from ..real.toolchain import find_go
        go = find_go()
        path = go.goroot / "src" / "runtime" / file
        lines = path.read_text(encoding="utf-8").splitlines()
    except Exception:
        text = _RECORDED.get(f"type {type_name}", f"// type {type_name}: no recorded excerpt")
        return f"// runtime/{file}: type {type_name} (recorded from go1.27.3)", \
            text + "\n" + _FALLBACK_NOTE, False
    start = next(i for i, ln in enumerate(lines) if ln.startswith(f"type {type_name} struct"))
    end = next(i for i in range(start, len(lines)) if lines[i] == "}")
    out = [f"{start + 1:5d}  {lines[start]}"]
    for i in range(start + 1, end):
        tok = lines[i].strip().split()
        if tok and tok[0] in fields:
            out.append(f"{i + 1:5d}  {lines[i]}")
    out.append(f"{end + 1:5d}  }}")
    return (f"// runtime/{file}:{start + 1}-{end + 1} ({go.version}, installed; "
            f"selected fields)", "\n".join(out).replace("\t", "    "), True)


# Recorded from Go 1.27.3's runtime (shown only when no Go toolchain is found).
_RECORDED = {
    "runqput": """\
func runqput(pp *p, gp *g, next bool) {
    ...
    if next {
    retryNext:
        oldnext := pp.runnext
        if !pp.runnext.cas(oldnext, guintptr(unsafe.Pointer(gp))) {
            goto retryNext
        }
    ...
    h := atomic.LoadAcq(&pp.runqhead) // load-acquire, synchronize with consumers
    t := pp.runqtail
    if t-h < uint32(len(pp.runq)) {
        pp.runq[t%uint32(len(pp.runq))].set(gp)
        atomic.StoreRel(&pp.runqtail, t+1) // store-release, makes the item available for consumption
        return
    }
    if runqputslow(pp, gp, h, t) {""",
    "runqgrab": """\
func runqgrab(pp *p, batch *[256]guintptr, batchHead uint32, stealRunNextG bool) uint32 {
    for {
        h := atomic.LoadAcq(&pp.runqhead) // load-acquire, synchronize with other consumers
        t := atomic.LoadAcq(&pp.runqtail) // load-acquire, synchronize with the producer
        n := t - h
        n = n - n/2
    ...
        if atomic.CasRel(&pp.runqhead, h, h+n) { // cas-release, commits consume
            return n
        }
    }""",
    "runqsteal": """\
func runqsteal(pp, p2 *p, stealRunNextG bool) *g {
    t := pp.runqtail
    n := runqgrab(p2, &pp.runq, t, stealRunNextG)
    ...
    atomic.StoreRel(&pp.runqtail, t+n) // store-release, makes the item available for consumption""",
    "type p": """\
type p struct {
    schedtick   uint32     // incremented on every scheduler call
    syscalltick uint32     // incremented on every system call
    m           muintptr   // back-link to associated m (nil if idle)
    mcache      *mcache
    runqhead uint32
    runqtail uint32
    runq     [256]guintptr
    runnext guintptr
}""",
    "main": """\
func main() {
    ...
    // Max stack size is 1 GB on 64-bit, 250 MB on 32-bit.
    if goarch.PtrSize == 8 {
        maxstacksize = 1000000000
    } else {
        maxstacksize = 250000000
    }
    ...""",
    "execute": """\
func execute(gp *g, inheritTime bool) {
    mp := getg().m
    ...
    mp.curg = gp
    gp.m = mp
    ...
    gogo(&gp.sched)
}""",
    "stoplockedm": """\
func stoplockedm() {
    ...
    if gp.m.p != 0 {
        // Schedule another M to run this p.
        pp := releasep()
        handoffp(pp)
    }
    ...
    acquirep(gp.m.nextp.ptr())
    ...
}""",
    "startlockedm": """\
func startlockedm(gp *g) {
    ...
    // directly handoff current P to the locked m
    incidlelocked(-1)
    pp := releasep()
    mp.nextp.set(pp)
    notewakeup(&mp.park)
    stopm()
}""",
    "type gobuf": """\
type gobuf struct {
    sp   uintptr
    pc   uintptr
    g    guintptr
    ctxt unsafe.Pointer
    lr   uintptr
    bp   uintptr // for framepointer-enabled architectures
}""",
    "type m": """\
type m struct {
    g0      *g     // goroutine with scheduling stack
    curg       *g       // current running goroutine
    ...
}""",
    "retake": """\
func retake(now int64) uint32 {
    ...
        } else if pd.schedwhen+forcePreemptNS <= now {
            preemptone(pp)
            sysretake = true
        }
        ...
        thread, ok := setBlockOnExitSyscall(pp)
        ...
        // Retake the P if it's there for more than 1 sysmon tick (at least 20us).
        if syst := int64(pp.syscalltick); !sysretake && int64(pd.syscalltick) != syst {
            pd.syscalltick = uint32(syst)
            pd.syscallwhen = now
            thread.resume()
            goto done
        }
        ...
        if runqempty(pp) && sched.nmspinning.Load()+sched.npidle.Load() > 0 && pd.syscallwhen+10*1000*1000 > now {
            thread.resume()
            goto done
        }
        thread.takeP()
        ...
        handoffp(pp)
    ...
}""",
}
