"""Notebook 06 (GMP: the queues): one panel per mechanism, and a helper for the prose.

Every panel runs the :class:`~gmpkit.models.gmp.GMP` model (a miniature of
``runtime/proc.go``) on a small seeded workload from :mod:`gmpkit.scenarios`, so what
it shows is deterministic and the notebook can assert on ``panel.data``.

Panels (``PANELS`` names; the animation ``06:animation`` is in :mod:`.animation`):

* ``06:overflow`` -- a burst of ``go`` statements: runnext, the 256-slot ring, and
  ``runqputslow`` moving 128 + 1 = 129 Gs to the global queue.
* ``06:fairness`` -- a G waiting in the global queue gets a turn every 61st schedtick
  even while the local ring is full.
* ``06:stealing`` -- idle Ps steal half (rounded up) of a victim's ring.
* ``06:spinning`` -- how many Ms spin: one woken at a time, at most half the busy Ps.

:func:`find_runnable_order` lists the model's own ``findRunnable`` steps.  The runtime's
source excerpts the notebook shows come from :mod:`gmpkit.real.excerpts`.
"""

from __future__ import annotations

import bisect
import inspect
import re
from functools import lru_cache

import ipywidgets as W
import numpy as np

from .. import scenarios
from ..i18n import N_, tr
from ..models.gmp import GLOBAL_CHECK_EVERY, GMP, RUNQ_SIZE
from ..sim import Simulation
from . import register, slider
from ._gmpbase import GLOBAL, LOCAL, OTHER, SEED, fmt, gmp_panel

__all__ = ["burst", "overflow_panel", "fairness", "fairness_panel", "stealing",
           "stealing_panel", "spinning", "spinning_panel", "SPIN_WORKLOADS", "thread_wakeups",
           "start_latencies", "find_runnable_order", "OVERFLOW_BATCH"]

OVERFLOW_BATCH = RUNQ_SIZE // 2 + 1   # runqputslow: half the ring plus the new G


# =====================================================================================
# 2. runnext, the ring, and overflow to the global queue
# =====================================================================================

@lru_cache(maxsize=64)
def burst(n, procs=1):
    """One G runs ``n`` go statements on P0 (procs=1: nobody steals meanwhile).

    Returns where the Gs are right after the burst (``runnext``, ``ring``,
    ``global``), the ``overflows`` and their batch sizes, and the trajectory
    (``spawned``, ``ring_len``, ``global_len``) after every go statement.
    """
    sim = Simulation(scenarios.burst_and_look(n).main, {}, model=GMP(procs=procs),
                     seed=SEED)
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
    ax1.step(d["spawned"], d["ring_len"], where="post", color=LOCAL, lw=2.5,
             label=tr("P0's ring (runq)"))
    ax1.step(d["spawned"], d["global_len"], where="post", color=GLOBAL, lw=2.5, ls="--",
             label=tr("global queue"))
    ax1.axhline(RUNQ_SIZE, color="#555555", lw=1, ls=":")
    ax1.text(2, RUNQ_SIZE + 6, tr("ring full: 256"), fontsize="small", color="#555555")
    for k, (x, y) in enumerate(zip(d["spawned"][1:], np.diff(d["global_len"]))):
        if y > 0:
            ax1.annotate(f"+{y}", (x, d["global_len"][k + 1]), textcoords="offset points",
                         xytext=(4, 4), color=GLOBAL, fontweight="bold")
    ax1.set_xlabel(tr("go statements so far"))
    ax1.set_ylabel(tr("Gs queued"))
    ax1.set_xlim(0, max(d["spawned"][-1], 1))
    ax1.set_ylim(0, max(RUNQ_SIZE, max(d["global_len"])) + 40)
    ax1.legend(loc="center left", bbox_to_anchor=(0.0, 0.72))  # below the "ring full" line
    ax1.set_title(tr("{n} go statements by one G on P0", n=d["n"]))
    parts = [("runnext", d["runnext"], OTHER), (tr("ring"), d["ring"], LOCAL),
             (tr("global"), d["global"], GLOBAL)]
    bars = ax2.bar([p[0] for p in parts], [p[1] for p in parts],
                   color=[p[2] for p in parts], edgecolor="black",
                   hatch=["", "", "//"])
    ax2.bar_label(bars, fontsize="medium")
    ax2.set_ylim(0, max(d["n"], 1) * 1.12)
    ax2.set_title(tr("where the Gs are now"))
    if d["overflows"] == 1:
        return tr("{n} go statements → runnext {runnext}, ring {ring}, global {glob} "
                  "({overflows} overflow × {batch})", n=d["n"], runnext=d["runnext"],
                  ring=d["ring"], glob=d["global"], overflows=d["overflows"],
                  batch=OVERFLOW_BATCH)
    return tr("{n} go statements → runnext {runnext}, ring {ring}, global {glob} "
              "({overflows} overflows × {batch})", n=d["n"], runnext=d["runnext"],
              ring=d["ring"], glob=d["global"], overflows=d["overflows"], batch=OVERFLOW_BATCH)


@register("06:overflow")
def overflow_panel(n=300):
    """Slider: goroutines spawned in a burst (100..600)."""
    return gmp_panel(N_("runnext, the 256-slot ring, and overflow to the global queue"),
                 {"n": slider(tr("goroutines spawned in a burst"), n, 100, 600, 10)},
                 compute=lambda n: burst(n), draw=_draw_burst, figsize=(10, 4.2))


# =====================================================================================
# 3. 1/61 fairness
# =====================================================================================

def fairness(local, rounds=4, work_us=20):
    """``local`` Gs queued on P0 (procs=1) and one G that keeps yielding to the
    global queue (``runtime.Gosched``).  Returns the run ``order`` (G ids, one
    per run), P0's ``ticks`` at each run, the yielder's ``turns`` (indices in
    ``order``), how many local Gs ran between its turns (``gaps``), and its
    waits in ns."""
    results = {}
    sim = Simulation(scenarios.gosched_fairness(local, rounds, work_us).main, results,
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
                label=tr("local Gs queued ahead of it when it yielded"))
    b2 = ax.bar(k + 0.2, ran, 0.4, color=GLOBAL, edgecolor="black", hatch="//",
                label=tr("local Gs that ran before its next turn"))
    ax.bar_label(b1)
    ax.bar_label(b2)
    ax.axhline(d["every"] - 1, color="#555555", ls=":", lw=1)
    ax.text(len(turns) + 0.45, d["every"] - 1, f"{d['every'] - 1}", va="center",
            color="#555555")
    ax.set_xticks(k, [f"Gosched #{i}" for i in k])
    ax.set_ylabel(tr("local Gs"))
    ax.set_ylim(0, max(ahead + [1]) * 1.2)
    ax.legend(loc="upper right")
    ax.set_title(tr("{local} Gs in P0's local ring; one G yields to the global queue {rounds} "
                    "times (GOMAXPROCS=1)", local=d["local"], rounds=d["rounds"]))
    return tr("the yielder ran again after {gaps} local Gs (one turn per {every} schedticks), "
              "not after the whole ring", gaps=", ".join(map(str, d["gaps"])), every=d["every"])


@register("06:fairness")
def fairness_panel(local=200):
    """Slider: how many Gs wait in the local ring."""
    return gmp_panel(N_("1/61 fairness: the global queue is never starved"),
                 {"local": slider(tr("Gs in P0's local ring"), local, 70, 250, 10)},
                 compute=lambda local: fairness(local), draw=_draw_fairness,
                 figsize=(10, 4.4))


# =====================================================================================
# 4. work stealing: half of the victim's ring
# =====================================================================================

def stealing(queued, procs=4, work_us=500):
    """``queued`` Gs wait in P0's ring (main spawned ``queued + 1``; P0 runs
    the one in runnext), the other Ps are idle.  Every steal is recorded with
    the victim's ring length just before it: ``steals`` = list of dicts
    (``time``, ``thief``, ``victim``, ``before``, ``taken``)."""
    workers = scenarios.cpu_fanout(goroutines=queued + 1, work_us=work_us)
    sim = Simulation(workers.main, {}, model=GMP(procs=procs), seed=SEED)
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
                     edgecolor="black", label=tr("victim's ring before"))
        b2 = ax1.bar(x + 0.2, [s["taken"] for s in st], 0.4, color=LOCAL,
                     edgecolor="black", hatch="//", label=tr("stolen (incl. the one run now)"))
        ax1.bar_label(b1)
        ax1.bar_label(b2)
        ax1.set_xticks(x, [f"P{s['thief']}←P{s['victim']}\n{fmt(s['time'])}" for s in st],
                       fontsize="small")
        ax1.legend(loc="upper right")
    else:
        ax1.text(0.5, 0.5, tr("no steals: nothing queued"), ha="center", transform=ax1.transAxes)
    ax1.set_ylabel("Gs")
    ax1.set_title(tr("each steal, in order") + (tr(" (first 10)") if len(d["steals"]) > 10
                                                else ""))
    bars = ax2.bar([f"P{i}" for i in range(d["procs"])], d["ran_per_p"], color=OTHER,
                   edgecolor="black")
    ax2.bar_label(bars)
    ax2.yaxis.get_major_locator().set_params(integer=True)
    ax2.set_title(tr("workers run per P"))
    f = d["first"]
    head = (tr("first steal: P{thief} took {taken} of P{victim}'s {before}", thief=f["thief"],
               taken=f["taken"], victim=f["victim"], before=f["before"])
            if f else tr("no steal"))
    return tr("{queued} Gs queued on P0 → {head}; {n} steals in all", queued=d["queued"],
              head=head, n=len(d["steals"]))


@register("06:stealing")
def stealing_panel(queued=9, procs=4):
    """Sliders: Gs queued in P0's ring; GOMAXPROCS."""
    return gmp_panel(N_("Work stealing: an idle P takes half of a busy P's ring"),
                 {"queued": slider(tr("Gs queued on P0"), queued, 1, 64),
                  "procs": slider(tr("GOMAXPROCS (Ps)"), procs, 2, 8)},
                 compute=lambda queued, procs: stealing(queued, procs),
                 draw=_draw_stealing, figsize=(10, 4.2), margins=dict(bottom=0.17))


# =====================================================================================
# 5. spinning Ms
# =====================================================================================

SPIN_WORKLOADS = {
    N_("ping-pong: 200 channel hand-offs"): "ping-pong",
    N_("bursts: 10 x 8 go statements"): "bursts",
}


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
        run = scenarios.go_bursts().run(model, seed=SEED)
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
    rows = ((tr("thread wake-ups\n(futex wakes)"), "wakeups", "{:.0f}"),
            (tr("wasted wake-ups\n(found no G, slept again)"), "futile", "{:.0f}"),
            (tr("mean start latency (µs)\nrunnable -> running"), "latency_us", "{:.1f}"))
    for ax, (title, key, fmt) in zip(axes, rows):
        bars = ax.bar([tr("spinning\n(Go)"), tr("no spinning\n(rejected)")], [on[key], off[key]],
                      color=[LOCAL, GLOBAL], edgecolor="black", hatch=["", "//"])
        ax.bar_label(bars, labels=[fmt.format(on[key]), fmt.format(off[key])])
        ax.set_title(title, fontsize="medium")
        ax.set_ylim(0, max(on[key], off[key], 1) * 1.25)
        ax.set_yticks([])
    name = next(k for k, v in SPIN_WORKLOADS.items() if v == d["workload"])
    shown = tr(name)   # i18n: SPIN_WORKLOADS keys are N_() literals
    axes[0].set_ylabel(f"{re.split('[:：]', shown)[0]}, GOMAXPROCS={d['procs']}")
    ratio = off["wakeups"] / max(1, on["wakeups"])
    return tr("thread wake-ups: {on} with spinning, {off} without ({ratio:.1f}x); wasted: "
              "{on_futile} vs {off_futile}; mean start latency {on_lat:.1f} vs {off_lat:.1f} µs",
              on=on["wakeups"], off=off["wakeups"], ratio=ratio, on_futile=on["futile"],
              off_futile=off["futile"], on_lat=on["latency_us"], off_lat=off["latency_us"])


@register("06:spinning")
def spinning_panel(procs=8, workload="ping-pong"):
    """Spinning Ms vs the rejected "wake a thread per readied G" design."""
    label = next(k for k, v in SPIN_WORKLOADS.items() if v == workload)
    controls = {"procs": slider(tr("GOMAXPROCS (Ps)"), procs, 2, 8),
                "workload": W.Dropdown(options=[(tr(k), k) for k in SPIN_WORKLOADS],  # i18n: N_()
                                       value=label, description=tr("workload"),
                                       style={"description_width": "initial"})}
    return gmp_panel(N_("Waking idle Ms: with spinning Ms, and without"),
                  controls, compute=lambda procs, workload: spinning(procs, SPIN_WORKLOADS[workload]),
                  draw=_draw_spinning, figsize=(10, 3.4),
                  margins=dict(left=0.05, top=0.82, bottom=0.16, wspace=0.15))


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
