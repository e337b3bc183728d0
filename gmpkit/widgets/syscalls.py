"""Notebook 07 (GMP: system calls, the netpoller, preemption, GM vs GMP): its panels.

Every panel runs the :class:`~gmpkit.models.gmp.GMP` model (and, for the last one,
Go 1.0's :class:`~gmpkit.models.gm.GM`) on a small seeded workload from
:mod:`gmpkit.scenarios`, so the notebook can assert on ``panel.data``.

Panels (``PANELS`` names):

* ``07:syscall`` -- sysmon's ``retake`` of a P from a G in a system call.
* ``07:netio`` -- blocking syscalls cost threads, network waits do not.
* ``07:preemption`` -- the 10 ms time slice: cooperative vs asynchronous.
* ``07:gm-vs-gmp`` -- one workload under Go 1.0's GM and Go 1.1's GMP.

The runtime's source excerpts the notebook shows come from :mod:`gmpkit.real.excerpts`.
"""

from __future__ import annotations

import bisect
from functools import lru_cache

import ipywidgets as W
import numpy as np

from .. import plots, scenarios
from ..facts import sysmon_tick_ns
from ..models.gm import GM
from ..models.gmp import FORCE_PREEMPT_NS, GMP, SYSCALL_RETAKE_NS
from ..sim import Simulation
from ..i18n import N_, tr
from . import register, slider
from ._gmpbase import GLOBAL, LOCAL, SEED, fmt, gmp_panel
from .processes import plain_log_ticks

__all__ = ["SYSCALL_GRID_US", "syscall_retake", "syscall_panel", "NETIO_GRID",
           "syscall_vs_netio", "netio_panel", "preemption", "preemption_panel",
           "remote_wakeups", "thread_sleeps", "gm_vs_gmp", "gm_vs_gmp_panel"]


# =====================================================================================
# 6. system calls: sysmon's retake, and the netpoller
# =====================================================================================

SYSCALL_GRID_US = (5, 10, 20, 40, 100, 1000, 5000, 9000, 13000, 20000, 30000)



@lru_cache(maxsize=256)
def syscall_retake(duration_us, local_work, procs=2):
    """main (G1) makes one blocking syscall of ``duration_us`` on P0, with two
    Gs queued behind it (``local_work``) or none; the other P is idle.

    Returns ``retaken`` (bool), ``retake_after_ns`` (from the syscall's start),
    the ``handoff`` reason, how the syscall returned (``exit``) and the run
    (for a Gantt chart)."""
    run = scenarios.syscall_behind_queue(duration_us, local_work).run(GMP(procs=procs),
                                                                      seed=SEED)
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
    for work, color, marker, label in ((True, GLOBAL, "o", tr("2 Gs queued on the P")),
                                       (False, LOCAL, "s", tr("nothing queued"))):
        xs = [x for x, r in sweep[work] if r is not None]
        ys = [r / 1000 for x, r in sweep[work] if r is not None]
        ax1.plot(xs, ys, marker=marker, color=color, lw=2,
                 label=tr("retaken: {what}", what=label))
        nx = [x for x, r in sweep[work] if r is None]
        ax1.scatter(nx, [0.5 if work else 0.35] * len(nx), marker="x", s=60, color=color,
                    label=tr("never retaken: {what}", what=label))
    tick = sysmon_tick_ns(d["procs"])
    ax1.axhline(tick / 1000, color="#777777", ls=":", lw=1)
    ax1.axhline(SYSCALL_RETAKE_NS / 1000, color="#777777", ls="--", lw=1)
    ax1.text(6, tick / 1000 * 1.15, tr("one sysmon tick ({tick}, model)", tick=fmt(tick)),
             fontsize="small")
    ax1.text(400, SYSCALL_RETAKE_NS / 1000 * 1.15,
             tr("retake's limit ({limit})", limit=fmt(SYSCALL_RETAKE_NS)), fontsize="small")
    ax1.axvline(d["duration_us"], color="#000000", lw=1)
    ax1.set_xscale("log")
    ax1.set_yscale("log")
    plain_log_ticks(ax1, "x")
    plain_log_ticks(ax1, "y")
    ax1.set_xlabel(tr("syscall duration (µs)"))
    ax1.set_ylabel(tr("P retaken after (µs)"))
    ax1.set_ylim(0.3, 40_000)
    ax1.legend(fontsize="x-small", loc="upper left")
    ax1.set_title(tr("when sysmon takes the P away"))
    run = d["run"]
    work = tr("work queued") if d["local_work"] else tr("no work")
    plots.gantt(run.timeline, by="M", ax=ax2, events=("retake", "handoff"), legend=False,
                title=tr("this run: {us} µs, {work}", us=d["duration_us"], work=work))
    if d["retaken"]:
        return tr("{us} µs syscall, {work}: P0 retaken after {after}, handoffp: {handoff}; the "
                  "syscall returned with {exit}", us=d["duration_us"], work=work,
                  after=fmt(d["retake_after_ns"]), handoff=d["handoff"], exit=d["exit"])
    return tr("{us} µs syscall, {work}: P0 not retaken (the syscall kept its P: {exit} path)",
              us=d["duration_us"], work=work, exit=d["exit"])


@register("07:syscall")
def syscall_panel(duration_us=100, local_work=True):
    """Slider: syscall duration; checkbox: Gs queued on the P."""
    return gmp_panel(N_("A blocking syscall keeps its P until sysmon retakes it"),
                 {"duration_us": slider(tr("syscall duration (µs)"), duration_us, 5, 30000, 5),
                  "local_work": W.Checkbox(value=local_work,
                                           description=tr("2 Gs queued on P0"))},
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
    for kind, color, ls in (("syscall", GLOBAL, "-"), ("netio", LOCAL, "--")):
        k = d[kind]
        t = np.array(k["times"] + [k["end"]]) / 1000
        v = k["threads"] + [k["threads"][-1]]
        ax1.step(t, v, where="post", color=color, ls=ls, lw=2.5,
                 label=tr("{kind}: peak {peak}", kind=kind, peak=k["peak"]))
    ax1.set_xlabel(tr("time (µs)"))
    ax1.set_ylabel(tr("threads (Ms, sysmon included)"))
    ax1.legend(loc="center right")
    ax1.set_title(tr("{n} goroutines each wait 1 ms", n=d["n"]))
    sw = _netio_sweep(d["procs"])
    ax2.plot([s[0] for s in sw], [s[1] for s in sw], "o-", color=GLOBAL, lw=2,
             label=tr("blocking syscall"))
    ax2.plot([s[0] for s in sw], [s[2] for s in sw], "s--", color=LOCAL, lw=2,
             label=tr("network I/O (netpoller)"))
    ax2.axvline(d["n"], color="black", lw=1)
    ax2.set_xscale("log", base=2)
    ax2.set_xlabel(tr("goroutines waiting at once"))
    ax2.set_ylabel(tr("peak threads"))
    ax2.legend(loc="upper left")
    ax2.set_title(f"GOMAXPROCS={d['procs']}")
    return tr("{n} waiting goroutines: {syscall} threads for blocking syscalls, {netio} for "
              "network I/O", n=d["n"], syscall=d["syscall"]["peak"], netio=d["netio"]["peak"])


@register("07:netio")
def netio_panel(n=16):
    """Slider: goroutines waiting at once."""
    return gmp_panel(N_("Syscalls take threads; the netpoller does not"),
                 {"n": slider(tr("goroutines waiting at once"), n, 1, 64)},
                 compute=lambda n: syscall_vs_netio(n), draw=_draw_netio, figsize=(11, 4.2),
                 margins=dict(wspace=0.25))


# =====================================================================================
# 7. preemption after 10 ms: cooperative vs asynchronous
# =====================================================================================


@lru_cache(maxsize=64)
def preemption(hog_ms, async_preempt, tight, ticks=3):
    """A hog computing ``hog_ms`` and a ticker that sleeps 1 ms ``ticks`` times,
    on one P (the ticker sleeps first, so the hog holds the P when its timer
    fires).  Returns how late each tick ran and the run."""
    run = scenarios.hog_vs_ticker(hog_ms, tight, ticks).run(
        GMP(procs=1, async_preempt=async_preempt), seed=SEED)
    results = run.results
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
                title=(tr("async preemption on") if d["async_preempt"] else
                       "GODEBUG=asyncpreemptoff=1") +
                      tr(" · hog: {loop}, {ms} ms · one P",
                         loop=tr("tight loop") if d["tight"] else tr("loop with calls"),
                         ms=d["hog_ms"]))
    for i, (due, ran) in enumerate(d["ticks"]):
        y = 0.55 + 0.12 * i
        ax1.plot([due, ran], [y, y], color=GLOBAL, lw=2.5, transform=ax1.get_xaxis_transform())
        ax1.plot([due], [y], "o", mfc="white", mec=GLOBAL, ms=9,
                 transform=ax1.get_xaxis_transform())
        ax1.plot([ran], [y], "o", color=GLOBAL, ms=9, transform=ax1.get_xaxis_transform())
    ax1.text(0.01, 0.93, tr("ticker: ○ due → ● ran"), transform=ax1.transAxes, color=GLOBAL,
             fontweight="bold", va="top")
    lat = np.array(d["latency_ns"]) / 1e6
    x = np.arange(1, len(lat) + 1)
    bars = ax2.bar(x, lat, color=GLOBAL, edgecolor="black")
    ax2.bar_label(bars, fmt="%.2f ms")
    ax2.axhline(FORCE_PREEMPT_NS / 1e6, color="#777777", ls="--", lw=1)
    ax2.text(0.5, FORCE_PREEMPT_NS / 1e6, " 10 ms", va="bottom", color="#555555")
    ax2.set_xticks(x, [tr("tick {i}", i=i) for i in x])
    ax2.set_ylim(0, max(max(lat) * 1.25, 12))
    ax2.set_ylabel(tr("ticker late by (ms)"))
    return tr("first tick late by {first:.2f} ms, worst {worst:.2f} ms; preemptions: {n}",
              first=d["first_latency_ns"] / 1e6, worst=d["max_latency_ns"] / 1e6,
              n=d["preemptions"])


@register("07:preemption")
def preemption_panel(hog_ms=30, async_preempt=True, tight=True):
    """Slider: hog length; checkboxes: async preemption, tight loop."""
    return gmp_panel(N_("Preemption after 10 ms: cooperative vs asynchronous"),
                 {"hog_ms": slider(tr("hog runs (ms)"), hog_ms, 5, 50, 5),
                  "async_preempt": W.Checkbox(value=async_preempt,
                                              description=tr("async preemption (Go 1.14+)")),
                  "tight": W.Checkbox(value=tight, description=tr("tight loop (no calls)"))},
                 compute=lambda hog_ms, async_preempt, tight: preemption(hog_ms, async_preempt,
                                                                         tight),
                 draw=_draw_preemption, figsize=(10.5, 5.4),
                 margins=dict(bottom=0.08, top=0.94, hspace=0.35))


# =====================================================================================
# 8. GM vs GMP on one workload
# =====================================================================================



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
        run = Simulation(scenarios.server_mix(pairs=pairs).main, {}, model=model,
                         seed=SEED).run()
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


_METRICS = (("lock_wait_ns", N_("1. waiting for the\nscheduler lock (µs)"), 1e-3),
            ("remote_wakeups", N_("2. woken G runs on\nanother thread"), 1),
            ("mcache_bytes", N_("3. mcache memory\n(MiB)"), 1 / 2**20),
            ("thread_sleeps", N_("4. threads put\nto sleep"), 1))


def _draw_gm_gmp(d, fig):
    gs = fig.add_gridspec(2, 4, height_ratios=(1.25, 1))
    ax = fig.add_subplot(gs[0, :])
    sel = d[d["model"]]
    plots.gantt(sel["run"].timeline, by="M", ax=ax, legend=True, label_gs=False, events=(),
                title=tr("{model} (GOMAXPROCS={procs}): {pairs} client/server pairs, makespan "
                         "{makespan}", model=d["model"], procs=d["procs"], pairs=d["pairs"],
                         makespan=fmt(sel["makespan_ns"])))
    for k, (key, label, scale) in enumerate(_METRICS):
        a = fig.add_subplot(gs[1, k])
        vals = [d["GM"][key] * scale, d["GMP"][key] * scale]
        colors = [GLOBAL, LOCAL]
        bars = a.bar(["GM", "GMP"], vals, color=colors, edgecolor="black",
                     hatch=["//", ""], linewidth=[3 if m == d["model"] else 1
                                                  for m in ("GM", "GMP")])
        a.bar_label(bars, fmt="%.0f")
        a.set_title(tr(label), fontsize="medium")   # i18n: _METRICS labels are N_()
        a.set_ylim(0, max(max(vals) * 1.3, 1))
        a.set_yticks([])
    g, p = d["GM"], d["GMP"]
    return tr("showing {model}. GM → GMP: lock wait {gl} → {pl}; remote wake-ups {gr} → {pr}; "
              "mcache {gm} → {pm} MiB; thread sleeps {gs} → {ps}; makespan {gt} → {pt}",
              model=d["model"], gl=fmt(g["lock_wait_ns"]), pl=fmt(p["lock_wait_ns"]),
              gr=g["remote_wakeups"], pr=p["remote_wakeups"], gm=g["mcache_bytes"] >> 20,
              pm=p["mcache_bytes"] >> 20, gs=g["thread_sleeps"], ps=p["thread_sleeps"],
              gt=fmt(g["makespan_ns"]), pt=fmt(p["makespan_ns"]))


@register("07:gm-vs-gmp")
def gm_vs_gmp_panel(model="GMP", procs=4):
    """Dropdown: the model; slider: GOMAXPROCS."""
    return gmp_panel(N_("One workload, two schedulers: Go 1.0's GM vs Go 1.1's GMP"),
                 {"procs": slider("GOMAXPROCS", procs, 1, 8),
                  "model": W.ToggleButtons(options=["GM", "GMP"], value=model,
                                           description=tr("model"))},
                 compute=lambda procs, model: gm_vs_gmp(model, procs),
                 draw=_draw_gm_gmp, figsize=(11.5, 6.0),
                 margins=dict(left=0.05, right=0.77, bottom=0.05, top=0.94, hspace=0.5))
