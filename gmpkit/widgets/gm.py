"""Notebook 05 (Go 1.0's GM scheduler): the four problems of Vyukov's 2012 design doc.

Each panel runs the same workload on :class:`~gmpkit.models.gm.GM` (Go 1.0)
and :class:`~gmpkit.models.gmp.GMP` (Go 1.1+) and shows one problem:

* ``05:lock-scaling`` -- (1) the global ``schedlock``: throughput of
  :func:`gmpkit.scenarios.lock_heavy` vs GOMAXPROCS.  Slider: how long each
  scheduling operation holds the lock.
* ``05:handoff`` -- (2) G hand-off: how often a woken goroutine runs on a
  different thread than the goroutine that woke it (its data is in that
  thread's cache), and how often a goroutine changes threads.
* ``05:mcache`` -- (3) per-M memory caches: Ms stuck in system calls each keep
  an mcache (up to 2 MB) under GM; under GMP the caches belong to the Ps.
* ``05:churn`` -- (4) thread block/unblock churn around system calls.

GM counts its own locality and churn statistics (``remote_wakeups``,
``migrations``, ``thread_parks``, ``thread_wakeups``).  GMP does not, so
:func:`tracked` wraps a model class to count the same things from outside,
at the same places (``execute``, ``ready``/``go``, ``stopm``/``mstart``);
the tests check that the wrapper agrees with GM's own counters.
"""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as W
import numpy as np

from .. import GM, GMP, WaitGroup, compute, go, syscall
from .. import plots, scenarios
from ..costs import default_costs
from ..i18n import N_, tr
from ..units import fmt_bytes
from . import Panel, register, slider

__all__ = ["tracked", "syscall_loop", "lock_scaling", "handoff", "mcache", "churn",
           "time_in_states", "lock_scaling_panel", "handoff_panel", "mcache_panel",
           "churn_panel", "PROCS", "COLORS"]

PROCS = (1, 2, 4, 8, 16)
COLORS = {N_("GM (Go 1.0)"): plots.SERIES_PALETTE[1], N_("GMP (Go 1.1+)"): plots.SERIES_PALETTE[0]}
GM_LABEL, GMP_LABEL = COLORS


def _colors():
    """COLORS keyed by the labels as shown (legend entries are the dict keys)."""
    return {tr(k): v for k, v in COLORS.items()}   # i18n: COLORS keys are N_() literals


# ---- counting locality and churn the same way for both models ---------------------------

_TRACKED = {}


def tracked(cls):
    """A subclass of the model ``cls`` (GM or GMP) that counts, in ``self.track``:

    * ``dispatches`` and ``migrations`` -- every ``execute`` of a G, and those on
      another M than the G's previous run;
    * ``wakeups`` and ``remote_wakeups`` -- every G readied (``ready``) or created
      (``go``) by a running G, and those that then ran on another M than the one
      that readied it;
    * ``parks`` and ``unparks`` -- an M going to sleep with nothing to do, and
      being woken to run again (GMP: ``stopm``/blocking ``netpoll`` and the
      return from them; GM: its own ``thread_parks``/``thread_wakeups``).
    """
    if cls in _TRACKED:
        return _TRACKED[cls]

    class Tracked(cls):
        def setup(self, sim):
            super().setup(sim)
            self.track = {"dispatches": 0, "migrations": 0, "wakeups": 0, "remote_wakeups": 0,
                          "parks": 0, "unparks": 0}
            self._lastm = {}
            self._wokenon = {}
            self._parked = set()

        def _woken(self, g, m_id):
            if m_id is not None and m_id >= 0:
                self._wokenon[g.id] = m_id
                self.track["wakeups"] += 1

        def ready(self, g, waker):
            self._woken(g, waker.m if waker is not None else None)
            super().ready(g, waker)

        def do_go(self, m, g, op):
            self._woken(op.g, m.id)
            super().do_go(m, g, op)

        def execute(self, m, g, *args):
            t = self.track
            t["dispatches"] += 1
            last = self._lastm.get(g.id)
            if last is not None and last != m.id:
                t["migrations"] += 1
            self._lastm[g.id] = m.id
            w = self._wokenon.pop(g.id, None)
            if w is not None and w != m.id:
                t["remote_wakeups"] += 1
            super().execute(m, g, *args)

        # GMP's parking points (GM counts its own)
        def stopm(self, m):
            self.track["parks"] += 1
            self._parked.add(m.id)
            super().stopm(m)

        def netpoll_block(self, m, *args):
            self.track["parks"] += 1
            self._parked.add(m.id)
            super().netpoll_block(m, *args)

        def _mstart(self, m):
            if m.id in self._parked:
                self._parked.discard(m.id)
                self.track["unparks"] += 1
            super()._mstart(m)

        def _netpoll_return(self, m):
            if m.id in self._parked:
                self._parked.discard(m.id)
                self.track["unparks"] += 1
            super()._netpoll_return(m)

        def stats(self):
            s = super().stats()
            s.update({f"tracked_{k}": v for k, v in self.track.items()})
            if "thread_parks" in s:           # GM: its own counters are the reference
                s["tracked_parks"] = s["thread_parks"]
                s["tracked_unparks"] = s["thread_wakeups"]
            return s

    Tracked.__name__ = Tracked.__qualname__ = cls.__name__
    _TRACKED[cls] = Tracked
    return Tracked


def time_in_states(run):
    """Total ns per M-lane state (``running``, ``lock-wait``, ``sched``, ``idle`` ...)."""
    a = run.timeline.span_arrays()
    sel = (a["lane"] == "M") & (a["m"] >= 0)
    out = {}
    for st, s, e in zip(a["state"][sel].tolist(), a["start"][sel].tolist(), a["end"][sel].tolist()):
        out[st] = out.get(st, 0) + (e - s)
    return out


# ---- (1) the global lock ----------------------------------------------------------------

LOCK_WORKLOAD = dict(goroutines=16, rounds=4, work_ns=20_000)


@lru_cache(maxsize=64)
def _lock_run(model, procs, hold_ns, thread_create, goroutines, rounds, work_ns):
    costs = {} if thread_create else {"thread_create_ns": 0}
    if model == "GM":
        m = GM(procs=procs, schedlock_hold_ns=hold_ns, **costs)
    else:
        m = GMP(procs=procs, **costs)
    run = scenarios.lock_heavy(goroutines=goroutines, rounds=rounds, work_ns=work_ns).run(m, seed=1)
    st = run.stats
    states = time_in_states(run)
    return {"makespan_ns": st["makespan_ns"], "threads": st["threads_created"],
            "lock_wait_ns": st.get("lock_wait_ns", 0), "lock_sleeps": st.get("lock_sleeps", 0),
            "running_ns": states.get("running", 0), "lock_wait_span_ns": states.get("lock-wait", 0),
            "total": run.results["total"]}


def lock_scaling(hold_ns=200, thread_create=True, procs=PROCS, **workload):
    """Makespan and throughput of ``scenarios.lock_heavy`` vs GOMAXPROCS, GM and GMP.

    ``hold_ns`` is GM's ``schedlock_hold_ns``; ``thread_create=False`` makes
    creating a thread free (``thread_create_ns=0``, in both models), which
    separates the cost of Go 1.0 calling ``newm`` under the lock from the lock
    itself.  Returns per-model lists aligned with ``procs``.
    """
    wl = {**LOCK_WORKLOAD, **workload}
    jobs = wl["goroutines"] * wl["rounds"]
    out = {"procs": list(procs), "hold_ns": hold_ns, "thread_create": thread_create,
           "jobs": jobs, **wl}
    for key, label in (("GM", GM_LABEL), ("GMP", GMP_LABEL)):
        rows = [_lock_run(key, p, hold_ns, thread_create, wl["goroutines"], wl["rounds"],
                          wl["work_ns"]) for p in procs]
        out[key] = {
            "makespan_ns": [r["makespan_ns"] for r in rows],
            "jobs_per_ms": [round(jobs / (r["makespan_ns"] / 1e6), 2) for r in rows],
            "threads": [r["threads"] for r in rows],
            "lock_wait_ns": [r["lock_wait_ns"] for r in rows],
            # share of all processor time (procs x makespan) running goroutine code
            "cpu_busy_pct": [round(100 * r["running_ns"] / (p * r["makespan_ns"]), 1)
                             for p, r in zip(procs, rows)],
            # share of the Ms' time spent waiting for schedlock (spinning or in futex)
            "lock_wait_pct": [round(100 * r["lock_wait_span_ns"] / (p * r["makespan_ns"]), 1)
                              for p, r in zip(procs, rows)],
            "total": [r["total"] for r in rows],
        }
    gm = out["GM"]["jobs_per_ms"]
    out["GM"]["best_procs"] = procs[int(np.argmax(gm))]
    return out


@register("05:lock-scaling")
def lock_scaling_panel(hold_ns=200, thread_create=True):
    """Panel: throughput vs GOMAXPROCS for GM and GMP on a scheduling-heavy workload."""
    controls = {"hold_ns": slider(tr("schedlock hold per operation (ns)"), hold_ns, 50, 2000, 50),
                "thread_create": W.Checkbox(value=thread_create,
                                            description=tr("newm's clone() happens under the "
                                                           "lock (as in Go 1.0)"))}

    def draw(d, fig):
        ax1, ax2 = fig.subplots(1, 2, width_ratios=(1.3, 1))
        gm_l, gmp_l, colors = tr(GM_LABEL), tr(GMP_LABEL), _colors()  # i18n: N_() labels above
        plots.scaling(d["procs"], {gm_l: d["GM"]["jobs_per_ms"],
                                   gmp_l: d["GMP"]["jobs_per_ms"]},
                      ax=ax1, xlabel="GOMAXPROCS", ylabel=tr("jobs per ms (higher is better)"),
                      title=tr("lock_heavy: {workers} workers x {rounds} rounds",
                               workers=d["goroutines"], rounds=d["rounds"]),
                      log2x=True, colors=colors)
        ax1.set_ylim(bottom=0)
        x = np.arange(len(d["procs"]))
        w = 0.38
        for k, (key, label) in enumerate((("GM", GM_LABEL), ("GMP", GMP_LABEL))):
            ax2.bar(x + (k - 0.5) * w, d[key]["cpu_busy_pct"], w * 0.95, color=COLORS[label],
                    edgecolor="black", hatch=("//", "")[k],
                    label=tr("{model}: running Go code", model=label.split()[0]))
        ax2.plot(x - 0.5 * w, d["GM"]["lock_wait_pct"], marker="X", linestyle="none",
                 color="black", markersize=9, label=tr("GM: waiting for schedlock"))
        ax2.set_xticks(x)
        ax2.set_xticklabels([str(p) for p in d["procs"]])
        ax2.set_xlabel("GOMAXPROCS")
        ax2.set_ylabel(tr("% of procs x makespan"))
        ax2.set_ylim(0, 105)
        ax2.set_title(tr("Where the processors' time went"))
        ax2.legend(frameon=False, fontsize=9, loc="upper right")
        gm, gmp = d["GM"]["jobs_per_ms"], d["GMP"]["jobs_per_ms"]
        if d["GM"]["best_procs"] != d["procs"][-1]:
            return tr("GM peaks at GOMAXPROCS={best} ({peak:g} jobs/ms) and falls to {last:g} "
                      "at {procs}; GMP reaches {gmp:g}", best=d["GM"]["best_procs"],
                      peak=max(gm), last=gm[-1], procs=d["procs"][-1], gmp=gmp[-1])
        return tr("GM reaches {gm:g} jobs/ms at GOMAXPROCS={procs}, with {wait:g}% of the "
                  "processors' time waiting for schedlock; GMP reaches {gmp:g}", gm=gm[-1],
                  procs=d["procs"][-1], wait=d["GM"]["lock_wait_pct"][-1], gmp=gmp[-1])

    return Panel(N_("05 · Problem 1: one lock for the whole scheduler"), controls,
                 lock_scaling, draw, figsize=(11, 4.6),
                 notice=N_("Every go statement, wake-up, block and exit takes schedlock under "
                           "GM. GMP does not depend on the slider: it has no global lock on "
                           "these paths."))


# ---- (2) G hand-off and locality --------------------------------------------------------

HANDOFF_WORKLOADS = {
    N_("ping-pong (2 goroutines)"): lambda: scenarios.ping_pong(rounds=100, work_ns=2000),
    N_("worker pool (lock_heavy)"): lambda: scenarios.lock_heavy(goroutines=16, rounds=3,
                                                                 work_ns=5000),
}


def handoff(procs=4, workload="ping-pong (2 goroutines)"):
    """Locality under GM and GMP: remote wake-ups, migrations, thread wake-ups."""
    sc = HANDOFF_WORKLOADS[workload]()
    out = {"procs": procs, "workload": workload}
    for key, cls in (("GM", GM), ("GMP", GMP)):
        run = sc.run(tracked(cls)(procs=procs), seed=1)
        st = run.stats
        out[key] = {"makespan_ns": st["makespan_ns"], "threads": st["threads_created"],
                    "wakeups": st["tracked_wakeups"], "remote_wakeups": st["tracked_remote_wakeups"],
                    "dispatches": st["tracked_dispatches"], "migrations": st["tracked_migrations"],
                    "thread_wakeups": st["tracked_unparks"],
                    "handoff_ns": run.results.get("handoff_ns")}
        o = out[key]
        o["remote_pct"] = round(100 * o["remote_wakeups"] / max(o["wakeups"], 1), 1)
        o["migration_pct"] = round(100 * o["migrations"] / max(o["dispatches"], 1), 1)
    return out


@register("05:handoff")
def handoff_panel(procs=4, workload="ping-pong (2 goroutines)"):
    """Panel: where a woken goroutine runs, GM vs GMP."""
    controls = {"procs": slider("GOMAXPROCS", procs, 1, 8),
                "workload": W.Dropdown(options=[(tr(k), k) for k in HANDOFF_WORKLOADS],  # i18n: N_() keys
                                       value=workload, description=tr("workload"))}

    def draw(d, fig):
        ax1, ax2 = fig.subplots(1, 2, width_ratios=(1.4, 1))
        gm_l, gmp_l, colors = tr(GM_LABEL), tr(GMP_LABEL), _colors()  # i18n: N_() labels above
        labels = [tr("woken G runs on\nanother thread (%)"), tr("G resumes on\nanother thread (%)")]
        plots.compare_bars(labels, {gm_l: [d["GM"]["remote_pct"], d["GM"]["migration_pct"]],
                                    gmp_l: [d["GMP"]["remote_pct"], d["GMP"]["migration_pct"]]},
                           ax=ax1, ylabel=tr("% of wake-ups / of runs"), unit="%", colors=colors,
                           title=f"{tr(d['workload'])}, GOMAXPROCS={d['procs']}")  # i18n: N_() keys
        ax1.set_ylim(0, 115)
        vals = [d["GM"]["thread_wakeups"], d["GMP"]["thread_wakeups"]]
        bars = ax2.bar([gm_l, gmp_l], vals, color=[COLORS[GM_LABEL], COLORS[GMP_LABEL]],
                       edgecolor="black", hatch=["//", ""], width=0.55)
        ax2.bar_label(bars, padding=2)
        ax2.margins(y=0.15)
        ax2.set_ylabel(tr("sleeping threads woken"))
        ax2.set_title(tr("Thread wake-ups (futex)"))
        gm, gmp = d["GM"], d["GMP"]
        extra = ""
        if gm["handoff_ns"]:
            extra = tr("; one hand-off: GM {gm}, GMP {gmp}", gm=plots.fmt_time(gm["handoff_ns"]),
                       gmp=plots.fmt_time(gmp["handoff_ns"]))
        return tr("remote wake-ups: GM {gm_remote}/{gm_all}, GMP {gmp_remote}/{gmp_all}{extra}",
                  gm_remote=gm["remote_wakeups"], gm_all=gm["wakeups"],
                  gmp_remote=gmp["remote_wakeups"], gmp_all=gmp["wakeups"], extra=extra)

    return Panel(N_("05 · Problem 2: goroutines handed from thread to thread"), controls,
                 lambda procs, workload: handoff(procs, workload), draw, figsize=(11, 4.4),
                 notice=N_("GM's matchmg gives a readied G to an idle (or new) thread; GMP puts "
                           "it in runnext of the waker's own P, so it runs on the same thread "
                           "next."))


# ---- (3) mcache per M ---------------------------------------------------------------------

MCACHE_SWEEP = (1, 2, 4, 8, 16, 32, 64)


@lru_cache(maxsize=64)
def _mcache_point(n, procs):
    sc = scenarios.syscall_storm(goroutines=n, syscall_us=1000, compute_us=50)
    gm = sc.run(GM(procs=procs), seed=1).stats
    gmp = sc.run(GMP(procs=procs), seed=1).stats
    mc = default_costs()["mcache_bytes"]
    return {"n": n, "gm_ms": gm["ms"], "gm_mcache": gm["mcache_bytes_peak"],
            "gm_in_syscall": gm["mcache_bytes_in_syscall_peak"],
            "gm_syscall_ms": gm["ms_in_syscall_peak"],
            "gmp_threads": gmp["threads_created"], "gmp_mcache": procs * mc}


def mcache(in_syscalls=16, procs=4):
    """mcache memory when ``in_syscalls`` goroutines block in system calls at once
    (``scenarios.syscall_storm``): GM keeps one per M, GMP one per P."""
    sweep = sorted(set(MCACHE_SWEEP) | {in_syscalls})
    pts = [_mcache_point(n, procs) for n in sweep]
    here = _mcache_point(in_syscalls, procs)
    mb = 1024 * 1024
    return {"in_syscalls": in_syscalls, "procs": procs,
            "mcache_bytes": default_costs()["mcache_bytes"], "sweep": sweep,
            "gm_mcache_mb": [p["gm_mcache"] / mb for p in pts],
            "gm_in_syscall_mb": [p["gm_in_syscall"] / mb for p in pts],
            "gmp_mcache_mb": [p["gmp_mcache"] / mb for p in pts],
            "here": here}


@register("05:mcache")
def mcache_panel(in_syscalls=16, procs=4):
    """Panel: MB of mcache held under GM (per M) vs GMP (per P)."""
    controls = {"in_syscalls": slider(tr("goroutines making a 1 ms syscall"), in_syscalls, 1, 64),
                "procs": slider("GOMAXPROCS", procs, 1, 8)}

    def draw(d, fig):
        ax = fig.add_subplot()
        gm_l, gmp_l = tr(GM_LABEL), tr(GMP_LABEL)   # i18n: N_() labels above
        all_l = tr("{gm}: all Ms' mcaches", gm=gm_l)
        held_l = tr("{gm}: held by Ms in syscalls", gm=gm_l)
        per_p = tr("{gmp}: one per P", gmp=gmp_l)
        plots.scaling(d["sweep"], {all_l: d["gm_mcache_mb"], held_l: d["gm_in_syscall_mb"],
                                   per_p: d["gmp_mcache_mb"]},
                      ax=ax, xlabel=tr("goroutines making a 1 ms syscall (about at once)"),
                      ylabel=tr("mcache memory (MiB)"), log2x=False,
                      colors={all_l: COLORS[GM_LABEL], held_l: "#CC79A7",
                              per_p: COLORS[GMP_LABEL]},
                      title=tr("mcache of {size} each, GOMAXPROCS={procs}",
                               size=fmt_bytes(d["mcache_bytes"]), procs=d["procs"]))
        ax.axvline(d["in_syscalls"], color="#777777", linestyle=":")
        ax.set_ylim(bottom=0)
        h = d["here"]
        mb = 1024 * 1024
        return tr("{n} in syscalls: GM has {ms} Ms holding {gm:g} MiB ({idle:g} MiB idle in "
                  "syscalls); GMP has {threads} threads but {gmp:g} MiB of mcache",
                  n=d["in_syscalls"], ms=h["gm_ms"], gm=h["gm_mcache"] / mb,
                  idle=h["gm_in_syscall"] / mb, threads=h["gmp_threads"],
                  gmp=h["gmp_mcache"] / mb)

    return Panel(N_("05 · Problem 3: every thread owns a memory cache"), controls, mcache, draw,
                 figsize=(10, 4.6),
                 notice=N_("A thread blocked in a system call allocates nothing, yet under Go "
                           "1.0 it keeps its mcache. Go 1.1 moved the mcache to the P."))


# ---- (4) thread churn around system calls ---------------------------------------------

def syscall_loop(goroutines=8, loops=10, compute_us=20, syscall_us=50):
    """``main``: ``goroutines`` workers, each ``loops`` x (compute, blocking syscall)."""

    def worker(wg):
        for _ in range(loops):
            yield compute(us=compute_us)
            yield syscall(us=syscall_us)
        yield wg.done()

    def main():
        wg = WaitGroup()
        wg.add(goroutines)
        for _ in range(goroutines):
            yield go(worker, wg)
        yield wg.wait()

    return main


CHURN_SWEEP = (5, 10, 20, 50, 100, 200, 500)


@lru_cache(maxsize=128)
def _churn_point(syscall_us, procs, goroutines, loops, compute_us):
    from .. import simulate
    out = {}
    for key, cls in (("GM", GM), ("GMP", GMP)):
        run = simulate(syscall_loop(goroutines, loops, compute_us, syscall_us),
                       model=tracked(cls)(procs=procs), seed=1)
        st = run.stats
        out[key] = {"makespan_ns": st["makespan_ns"], "threads": st["threads_created"],
                    "parks": st["tracked_parks"], "unparks": st["tracked_unparks"],
                    "requeues": st.get("exitsyscall_requeues", 0),
                    "retakes": st.get("retakes", 0)}
    return out


def churn(syscall_us=10, procs=4, goroutines=8, loops=10, compute_us=20):
    """Threads parked and woken around system calls, GM vs GMP, at ``syscall_us``
    and over :data:`CHURN_SWEEP` (parks per 100 syscalls vs syscall length)."""
    n = goroutines * loops
    out = {"syscall_us": syscall_us, "procs": procs, "goroutines": goroutines, "loops": loops,
           "compute_us": compute_us, "syscalls": n,
           **_churn_point(syscall_us, procs, goroutines, loops, compute_us)}
    sweep = sorted(set(CHURN_SWEEP) | {syscall_us})
    pts = [_churn_point(us, procs, goroutines, loops, compute_us) for us in sweep]
    out["sweep"] = sweep
    for key in ("GM", "GMP"):
        out[key]["parks_per_100"] = [round(100 * p[key]["parks"] / n, 1) for p in pts]
    return out


@register("05:churn")
def churn_panel(syscall_us=10, procs=4):
    """Panel: thread parks and wake-ups around syscalls, GM vs GMP."""
    controls = {"syscall_us": slider(tr("each syscall lasts (µs)"), syscall_us, 5, 500, 5),
                "procs": slider("GOMAXPROCS", procs, 1, 8)}

    def draw(d, fig):
        ax1, ax2 = fig.subplots(1, 2, width_ratios=(1.2, 1))
        gm_l, gmp_l, colors = tr(GM_LABEL), tr(GMP_LABEL), _colors()  # i18n: N_() labels above
        labels = [tr("threads parked"), tr("threads woken"), tr("threads created")]
        gm, gmp = d["GM"], d["GMP"]
        plots.compare_bars(labels, {gm_l: [gm["parks"], gm["unparks"], gm["threads"]],
                                    gmp_l: [gmp["parks"], gmp["unparks"], gmp["threads"]]},
                           ax=ax1, ylabel=tr("count"), colors=colors, fmt=lambda v: f"{v:.0f}",
                           title=tr("{n} syscalls of {us} µs, GOMAXPROCS={procs}",
                                    n=d["syscalls"], us=d["syscall_us"], procs=d["procs"]))
        plots.scaling(d["sweep"], {gm_l: gm["parks_per_100"], gmp_l: gmp["parks_per_100"]},
                      ax=ax2, xlabel=tr("syscall length (µs, log)"),
                      ylabel=tr("parks per 100 syscalls"),
                      title=tr("Churn vs syscall length"), colors=colors)
        ax2.set_xscale("log")
        from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator
        ax2.xaxis.set_major_locator(FixedLocator([5, 20, 100, 500]))
        ax2.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
        ax2.xaxis.set_minor_locator(NullLocator())
        from ..facts import sysmon_tick_ns
        ax2.axvline(sysmon_tick_ns(d["procs"]) / 1000, color="#777777", linestyle=":")
        ax2.axvline(d["syscall_us"], color="black", linewidth=0.8)
        ax2.set_ylim(bottom=0)
        return tr("{n} syscalls of {us} µs: GM parked a thread {gm} times ({requeues} returns "
                  "found every slot taken), GMP {gmp} times (sysmon retook {retakes} Ps)",
                  n=d["syscalls"], us=d["syscall_us"], gm=gm["parks"], requeues=gm["requeues"],
                  gmp=gmp["parks"], retakes=gmp["retakes"])

    return Panel(N_("05 · Problem 4: threads put to sleep and woken around syscalls"),
                 controls, churn, draw, figsize=(11, 4.6),
                 notice=N_("Dotted line: sysmon's tick in the model (usleep(20) as this machine "
                           "delivers it, measured from the model's rounds). GMP leaves a shorter "
                           "syscall its P, so nothing is parked or woken; GM releases its slot on "
                           "every syscall."))
