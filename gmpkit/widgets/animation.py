"""Notebook 06's animated G-M-P diagram, and the captions that say what each frame shows.

``06:animation`` steps the :class:`~gmpkit.models.gmp.GMP` model through a small seeded
workload (``ANIMATION_WORKLOADS``, from :mod:`gmpkit.scenarios`) and draws the G-M-P
picture frame by frame (a Play widget over precomputed snapshots).

The captions are pure functions of a timeline event and the snapshots around it
(:func:`event_sentence`, :func:`thread_sentences`, :func:`caption`), so they are tested
without a kernel and without a simulation.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from functools import lru_cache

import ipywidgets as W

from .. import plots, scenarios
from ..i18n import N_, language, tr, using
from ..models.gmp import FORCE_PREEMPT_NS, GMP
from ..sim import Run, Simulation
from . import PROJECTOR, Laps, Panel, _escape, defer_gc, register, render_png, slider
from ._gmpbase import SEED, fmt

__all__ = ["ANIMATION_WORKLOADS", "build_frames", "animation_panel", "AnimationPanel",
           "MAX_FRAMES", "MAX_RING", "START_CAPTION", "caption", "event_sentence",
           "thread_sentences", "where"]

MAX_FRAMES = 300
MAX_RING = 6                          # ring slots drawn per P in the animation

# label -> scenario factory (gmpkit.scenarios)
ANIMATION_WORKLOADS = OrderedDict([
    (N_("burst + syscalls + netio"), scenarios.animation_mix),
    # a burst of 14 go statements on P0: the other Ps must steal
    (N_("burst of go statements (stealing)"), lambda: scenarios.cpu_fanout(goroutines=14,
                                                                            work_us=200)),
    (N_("long syscall (sysmon retake)"), scenarios.long_syscall),
    (N_("network I/O (netpoller)"), scenarios.netio_waits),
    (N_("tight loops (preemption)"), scenarios.tight_hogs),
])


# ---- captions: pure functions of events and snapshots ---------------------------------

# Which events matter most when a caption must be short.
_PRIORITY = {"overflow": 0, "steal": 0, "retake": 0, "preempt": 0, "handoff": 1,
             "syscall-enter": 1, "syscall-exit": 1, "gosched": 2, "netpoll": 2,
             "newm": 2, "spawn": 3, "ready": 3, "spin": 4, "park": 4, "run": 4, "exit": 5}
_MAX_SENTENCES = 4


def where(snap, gid):
    """Where G ``gid`` sits in a snapshot: 'runnext of P0', 'P1's ring', ..."""
    for p in snap["ps"]:
        if p["runnext"] == gid:
            return tr("P{p}'s runnext", p=p["id"])
        if gid in p["runq"]:
            return tr("P{p}'s ring", p=p["id"])
    if gid in snap["global"]:
        return tr("the global queue")
    for m in snap["ms"]:
        if m["g"] == gid:
            return tr("running on M{m}", m=m["id"])
    return ""


_SYSEXIT = {"fast": N_("kept its P (fast path)"), "oldp": N_("took its old P back"),
            "idlep": N_("took an idle P"), "nop": N_("found no P: its G goes to the global "
                                                     "queue and the M parks (stopm)")}
_HANDOFF = {"work": N_("it has work, so an M is started for it"),
            "spinning": N_("nobody spins, so a spinning M is started"),
            "last-p": N_("it is the last P, so an M keeps it"),
            "idle": N_("nothing to do, so it goes idle")}


def _why(table, detail):
    return tr(table[detail]) if detail in table else detail   # i18n: N_() values above


def event_sentence(e, after):
    """One event as a short English sentence (``after`` = the snapshot that follows)."""
    k = e.kind
    if k == "spawn":
        at = where(after, e.g)
        return tr("G{other} ran `go`: new G{g}", other=e.other, g=e.g) + (f" → {at}" if at else "")
    if k == "ready":
        by = tr("by G{other}", other=e.other) if e.other >= 0 else tr("by a timer or the netpoller")
        at = where(after, e.g)
        return tr("G{g} woken {by}", g=e.g, by=by) + (f" → {at}" if at else "")
    if k == "exit":
        return tr("G{g} exited", g=e.g)
    if k == "steal":
        n = e.detail.split("=")[-1] if "=" in e.detail else "?"
        if n == "1":
            return tr("P{p} (M{m}) stole {n} G from P{other}", p=e.p, m=e.m, n=n, other=e.other)
        return tr("P{p} (M{m}) stole {n} Gs from P{other}", p=e.p, m=e.m, n=n, other=e.other)
    if k == "overflow":
        return tr("P{p}'s ring was full: {n} Gs (half the ring + G{g}) moved to the global queue",
                  p=e.p, n=e.other, g=e.g)
    if k == "retake":
        return tr("sysmon retook P{p} from M{m} (G{g} is in a syscall)", p=e.p, m=e.m, g=e.g)
    if k == "handoff":
        return f"handoffp(P{e.p}): {_why(_HANDOFF, e.detail)}"
    if k == "preempt":
        return tr("G{g} preempted on P{p}: sysmon saw its time slice ({slice}) used up → tail of "
                  "the global queue", g=e.g, p=e.p, slice=fmt(FORCE_PREEMPT_NS))
    if k == "syscall-enter":
        return tr("G{g} on M{m} entered a syscall (M{m2} keeps P{p})", g=e.g, m=e.m, m2=e.m,
                  p=e.p)
    if k == "syscall-exit":
        return tr("G{g}'s syscall returned on M{m}: {what}", g=e.g, m=e.m,
                  what=_why(_SYSEXIT, e.detail))
    if k == "gosched":
        return tr("G{g} yielded (Gosched) → global queue", g=e.g)
    return f"{k} G{e.g}"


def thread_sentences(before, after):
    """What the threads did between two snapshots: new Ms, spinning, parking."""
    out = []
    old = {m["id"]: m for m in before["ms"]} if before else {}
    for m in after["ms"]:
        o = old.get(m["id"])
        if m["state"] == "sysmon":
            continue
        on_p = tr(" on P{p}", p=m["p"]) if m.get("p") is not None else ""
        if o is None:
            what = ""
            if on_p and m["state"] == "spinning":
                what = tr(" for P{p}, spinning (looking for work)", p=m["p"])
            elif on_p and m["state"] == "starting":
                what = tr(" to run P{p}", p=m["p"])
            out.append(("newm", tr("new thread M{m} (newm){what}", m=m["id"], what=what)))
        elif o["state"] != m["state"]:
            if m["state"] == "spinning":
                out.append(("spin", tr("M{m} spins{on_p}, looking for work", m=m["id"],
                                       on_p=on_p)))
            elif m["state"] == "starting":
                out.append(("spin", tr("idle M{m} woken to run P{p}", m=m["id"], p=m["p"])))
            elif m["state"] == "idle" and not m.get("netpoll"):
                out.append(("park", tr("M{m} parks (stopm)", m=m["id"])))
        if m["state"] == "running" and m["g"] is not None and (
                o is None or o["g"] != m["g"] or o["state"] != "running"):
            out.append(("run", tr("M{m} runs G{g} on P{p}", m=m["id"], g=m["g"], p=m["p"])))
        if m.get("netpoll") and not (o or {}).get("netpoll"):
            out.append(("netpoll", tr("M{m} blocks in netpoll", m=m["id"])))
    return out


def caption(events, before, after):
    """The caption of one frame: what the threads did (``before`` -> ``after``) and the
    timeline ``events`` in between, the most telling first, at most four sentences."""
    items = [(k, s) for k, s in thread_sentences(before, after)]
    items += [(e.kind, event_sentence(e, after)) for e in events]
    if not items:
        return tr("(time passes: Gs compute)")
    ranked = sorted(range(len(items)), key=lambda i: (_PRIORITY.get(items[i][0], 5), i))
    keep = sorted(ranked[:_MAX_SENTENCES])
    text = tr("; ").join(items[i][1] for i in keep)
    if len(items) > len(keep):
        text += tr("; +{n} more", n=len(items) - len(keep))
    return text


START_CAPTION = N_("start: main (G1) is in P0's runnext; the other Ps are idle")


# ---- frames --------------------------------------------------------------------------

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
    main = ANIMATION_WORKLOADS[workload]().main
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
    with using("en"):   # the data's captions are English, whatever the language (predictions read them)
        captions = [START_CAPTION]
        for i in range(1, len(snaps)):
            captions.append(caption(evs[i], snaps[i - 1], snaps[i]))
    run = Run(sim)
    return {"workload": workload, "procs": procs, "snapshots": snaps, "events": evs,
            "kinds": [sorted({e.kind for e in grp}) for grp in evs], "captions": captions,
            "times": [s["time"] for s in snaps], "stats": run.stats}


@lru_cache(maxsize=16)
def captions_in(workload, procs, lang):
    """The captions of :func:`build_frames` ``(workload, procs)`` in ``lang`` (the frames'
    data keeps them in English)."""
    d = build_frames(workload, procs)
    if lang == "en":
        return list(d["captions"])
    snaps, evs = d["snapshots"], d["events"]
    with using(lang):
        return [tr(START_CAPTION)] + [caption(evs[i], snaps[i - 1], snaps[i])  # i18n: N_() above
                                     for i in range(1, len(snaps))]


class AnimationPanel(Panel):
    """A Panel whose ``frame`` control only redraws (frames are precomputed).

    ``play`` is an ``ipywidgets.Play`` linked to the ``frame`` slider (Python
    side, so it also works without a browser); the slider and the caption
    carry the CSS classes ``gmpkit-gmp-frame`` and ``gmpkit-gmp-caption`` for
    browser tests.  Drawn frames are cached as PNG bytes.
    """

    PICTURES_KEPT = 0    # keeps its own pictures (``_png``), one per frame

    def __init__(self, workload, procs, figsize=(10, 7.2)):
        self.frame = W.IntSlider(value=0, min=0, max=1, description=tr("frame"),
                                 continuous_update=True, layout=W.Layout(width="300px"))
        self.frame.add_class("gmpkit-gmp-frame")
        self.play = W.Play(value=0, min=0, max=1, step=1, interval=600, description=tr("play"))
        self._link = W.link((self.play, "value"), (self.frame, "value"))
        self.workload = W.Dropdown(options=[(tr(k), k) for k in ANIMATION_WORKLOADS],  # i18n: N_()
                                   value=workload, description=tr("workload"),
                                   style={"description_width": "initial"},
                                   layout=W.Layout(width="300px"))
        self.procs = slider(tr("GOMAXPROCS (Ps)"), procs, 1, 4)
        self.procs.layout.width = "250px"
        self.caption = W.HTML()
        self.caption.add_class("gmpkit-gmp-caption")
        self._png = OrderedDict()
        self._quiet = False
        self._diagram = None
        self._fig = None
        self._key = None
        super().__init__(N_("The G-M-P scheduler, frame by frame"),
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

    @staticmethod
    def _caption(data, i):
        return captions_in(data["workload"], data["procs"], language())[i]

    def _draw(self, data, fig):
        i = data["frame"]
        caption = self._caption(data, i)
        return tr("frame {i}/{last} at {t}: {caption}", i=i, last=len(data["snapshots"]) - 1,
                  t=fmt(data["times"][i]), caption=caption)

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
        # the picture's text is in the learner's language, its size the projector's
        key = (language(), PROJECTOR["on"], d["workload"], d["procs"], i)
        snap = d["snapshots"][i]
        if self._fig is None or self._fig_procs != (d["procs"], language()):
            with plots.style(projector=PROJECTOR["on"]):
                self._diagram = plots.GMPDiagram(snap, max_ring=MAX_RING, wide=True)
            self._fig = self._diagram.fig
            self._fig.set_dpi(100 if not PROJECTOR["on"] else 90)
            self._fig_procs = (d["procs"], language())
        if key not in self._png:
            with plots.style(projector=PROJECTOR["on"]):
                self._diagram.title = (f"{tr(d['workload'])} · GOMAXPROCS={d['procs']} · "  # i18n: N_()
                                       f"t = {fmt(snap['time'])}")
                self._diagram.update(snap)
            self._png[key] = (render_png(self._fig, clock), dict(self._diagram.counts))
            while len(self._png) > 64:
                self._png.popitem(last=False)
        self.fig = self._fig
        self.image.value, self.counts = self._png[key]
        self.summary = self._draw(d, self._fig)
        caption = self._caption(d, i)
        self.caption.value = (f"<div style='font-size:1.15em'><b>t = {fmt(d['times'][i])}"
                              f"</b> — {_escape(caption)}</div>")
        self.summary_label.value = f"<b>{_escape(self.summary)}</b>"
        return self

    @property
    def widget(self):
        # Laid out for a 1366x768 laptop (about 700 px of notebook): the controls in one
        # row (wrapping in a narrow window), the caption beside the diagram, not above it.
        title = tr(self.title)   # i18n: N_() title above
        head = W.HTML(f"<h4 style='margin:4px 0'>{_escape(title)}</h4>")
        controls = W.HBox([self.workload, self.procs, self.play, self.frame],
                          layout=W.Layout(flex_flow="row wrap", align_items="center"))
        self.image.layout.flex = "1 1 auto"
        self.image.layout.min_width = "0"
        self.caption.layout = W.Layout(flex="0 0 240px", width="240px", margin="0 0 0 12px")
        body = W.HBox([self.image, self.caption], layout=W.Layout(align_items="flex-start"))
        box = W.VBox([head, controls, body])
        return self._tag(box)


@register("06:animation")
def animation_panel(workload="burst + syscalls + netio", procs=2):
    """The animated G-M-P diagram (see :class:`AnimationPanel`)."""
    return AnimationPanel(workload, procs)

