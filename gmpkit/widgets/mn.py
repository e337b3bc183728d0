"""Notebook 04 (the M:N model): one workload on 1:1 threads, N:1 green threads and M:N.

Panels (all simulated, so deterministic):

* ``04:three-models`` -- the same goroutines on :class:`~gmpkit.models.threads.Threads`
  (1:1), :class:`~gmpkit.models.green.GreenThreads` (N:1) and
  :class:`~gmpkit.models.gmp.GMP` (M:N), one Gantt chart per model, one row
  per OS thread, the same colour per goroutine.  Sliders: the share of
  goroutines that make a blocking system call, and the number of CPUs/Ps.
* ``04:blocking`` -- one goroutine blocks for a few ms, three others have work
  to do.  A blocking *system call* freezes N:1 (its only thread is in the
  kernel); network I/O (the netpoller) parks only the goroutine.  M:N keeps
  running others either way, adding a thread for the syscall.
* ``04:switch-cost`` -- a channel ping-pong: every hand-off is a kernel
  thread switch under 1:1 and a user-level goroutine switch under N:1 and M:N.
  Sliders for both switch costs.

The workloads are small generator functions defined here (:func:`mixed_workload`,
:func:`blocking_workload`); the ping-pong is :func:`gmpkit.scenarios.ping_pong`.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from .. import GMP, GreenThreads, Threads, WaitGroup, compute, go, gosched, netio, syscall
from .. import plots, scenarios, simulate
from ..costs import default_costs
from ..i18n import N_, tr
from . import Panel, register, slider

__all__ = ["mixed_workload", "syscall_goroutines", "blocking_workload", "three_models",
           "blocking", "switch_cost", "work_during", "three_models_panel", "blocking_panel",
           "switch_cost_panel", "MODEL_LABELS"]

MODEL_LABELS = {"1:1": N_("1:1 kernel threads"), "N:1": N_("N:1 green threads"),
                "M:N": N_("M:N (Go's GMP)")}


def _label(k):
    return tr(MODEL_LABELS[k])   # i18n: MODEL_LABELS values are N_() literals


# ---- workloads -----------------------------------------------------------------------------

def syscall_goroutines(goroutines, share_pct):
    """Which of the workers ``0 .. goroutines-1`` make a blocking system call.

    ``share_pct`` percent of them, spread evenly (25 % of 8 -> workers 3 and 7).
    """
    out = []
    for i in range(goroutines):
        if (i + 1) * share_pct // 100 > i * share_pct // 100:
            out.append(i)
    return out


def mixed_workload(goroutines=8, share_pct=25, work_us=200, syscall_us=1000):
    """``main``: start ``goroutines`` workers and wait for them.

    Every worker computes ``work_us``, then (the ones picked by
    :func:`syscall_goroutines`) makes a blocking system call of
    ``syscall_us``, then computes ``work_us`` again.
    """
    blockers = set(syscall_goroutines(goroutines, share_pct))

    def worker(i, wg):
        yield compute(us=work_us)
        if i in blockers:
            yield syscall(us=syscall_us)
        yield compute(us=work_us)
        yield wg.done()

    def main():
        wg = WaitGroup()
        wg.add(goroutines)
        for i in range(goroutines):
            yield go(worker, i, wg, name=f"w{i}")
        yield wg.wait()

    return main


def blocking_workload(kind="syscall", block_us=3000, others=3, rounds=4, work_us=150):
    """``main``: one goroutine blocks once for ``block_us`` (``kind`` = ``"syscall"``
    or ``"netio"``); ``others`` goroutines each do ``rounds`` x (compute
    ``work_us``, then ``runtime.Gosched``)."""
    if kind not in ("syscall", "netio"):
        raise ValueError(f"kind={kind!r}: choose 'syscall' or 'netio'")
    block = syscall if kind == "syscall" else netio

    def blocker(wg):
        yield compute(us=50)
        yield block(us=block_us)
        yield compute(us=50)
        yield wg.done()

    def worker(wg):
        for _ in range(rounds):
            yield compute(us=work_us)
            yield gosched()
        yield wg.done()

    def main():
        wg = WaitGroup()
        wg.add(others + 1)
        yield go(blocker, wg, name="blocker")
        for i in range(others):
            yield go(worker, wg, name=f"w{i}")
        yield wg.wait()

    return main


def _models(cpus, **gmp_costs):
    return {"1:1": Threads(cpus=cpus), "N:1": GreenThreads(), "M:N": GMP(procs=cpus, **gmp_costs)}


def _summary(run):
    st = run.stats
    return {"makespan_ns": st["makespan_ns"], "threads": st["threads_created"],
            "switches": st["context_switches"]}


def work_during(run, t0, t1, exclude=()):
    """ns of goroutine code (``running`` spans) executed in ``[t0, t1)``, by all Gs
    except those in ``exclude``: how much got done while something blocked."""
    a = run.timeline.span_arrays()
    sel = (a["lane"] == "M") & (a["state"] == "running") & ~np.isin(a["g"], list(exclude))
    s = np.clip(a["start"][sel], t0, t1)
    e = np.clip(a["end"][sel], t0, t1)
    return int(np.sum(np.maximum(e - s, 0)))


# ---- experiments -------------------------------------------------------------------------

def three_models(goroutines=8, share_pct=25, cpus=2, work_us=200, syscall_us=1000, seed=1):
    """Run :func:`mixed_workload` on 1:1, N:1 and M:N; the panel's data."""
    runs = {}
    for key, model in _models(cpus).items():
        runs[key] = simulate(mixed_workload(goroutines, share_pct, work_us, syscall_us),
                             model=model, seed=seed)
    blockers = syscall_goroutines(goroutines, share_pct)
    return {"goroutines": goroutines, "share_pct": share_pct, "cpus": cpus,
            "work_us": work_us, "syscall_us": syscall_us, "syscallers": len(blockers),
            "cpu_work_ns": goroutines * 2 * work_us * 1000,
            "syscall_ns_total": len(blockers) * syscall_us * 1000,
            "models": {k: _summary(r) for k, r in runs.items()}, "runs": runs}


def blocking(kind="syscall", block_ms=3, others=3, seed=1):
    """Run :func:`blocking_workload` on N:1 and on M:N with one P (and 1:1 on one CPU)."""
    block_us = int(block_ms * 1000)
    runs = {}
    for key, model in _models(1).items():
        runs[key] = simulate(blocking_workload(kind, block_us, others), model=model, seed=seed)
    out = {"kind": kind, "block_ns": block_us * 1000, "others": others, "models": {}, "runs": runs}
    for key, run in runs.items():
        ev = run.timeline.events_of("syscall-enter")
        blocker = next(g for g, n in run.timeline.g_names.items() if n == "blocker")
        # when the blocker started waiting: its first compute ends after 50 µs of running
        a = run.timeline.span_arrays()
        mine = (a["g"] == blocker) & (a["state"] == "running") & (a["lane"] == "M")
        t0 = int(a["end"][mine].min())
        t1 = t0 + block_us * 1000
        d = _summary(run)
        d["work_during_block_ns"] = work_during(run, t0, t1, exclude=(blocker,))
        d["syscall_events"] = len(ev)
        out["models"][key] = d
    out["blocker_starts_ns"] = t0
    return out


def switch_cost(thread_switch_ns=None, goroutine_switch_ns=None, rounds=200, seed=1):
    """ns per channel hand-off in :func:`gmpkit.scenarios.ping_pong` on one CPU."""
    c = default_costs()
    ks = c["kernel_switch_ns"] if thread_switch_ns is None else int(thread_switch_ns)
    gs = c["goroutine_switch_ns"] if goroutine_switch_ns is None else int(goroutine_switch_ns)
    sc = scenarios.ping_pong(rounds=rounds)
    models = {"1:1": Threads(cpus=1, kernel_switch_ns=ks),
              "N:1": GreenThreads(goroutine_switch_ns=gs),
              "M:N": GMP(procs=1, goroutine_switch_ns=gs)}
    out = {"thread_switch_ns": ks, "goroutine_switch_ns": gs, "rounds": rounds, "models": {}}
    for key, model in models.items():
        run = sc.run(model, seed=seed)
        d = _summary(run)
        d["handoff_ns"] = run.results["handoff_ns"]
        d["final"] = run.results["final"]
        out["models"][key] = d
    return out


# ---- panels --------------------------------------------------------------------------------

def _plain_log_axis(ax, axis, ticks):
    """Label a log axis with a few plain time labels (mathtext labels are slow to draw)."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter, NullLocator
    a = getattr(ax, f"{axis}axis")
    a.set_major_locator(FixedLocator(ticks))
    a.set_major_formatter(FuncFormatter(lambda v, _p: plots.fmt_time(v)))
    a.set_minor_locator(NullLocator())
    a.set_minor_formatter(NullFormatter())


def _gantt_rows(fig, runs, titles, t1):
    axes = fig.subplots(len(runs), 1, sharex=True,
                        height_ratios=[max(len(set(r.timeline.span_arrays()["m"].tolist()) - {-1}), 1) + 1
                                       for r in runs])
    handles = {}
    for k, (ax, run, title) in enumerate(zip(axes, runs, titles)):
        plots.gantt(run.timeline, by="M", ax=ax, t0=0, t1=t1, title=title, events=())
        leg = ax.get_legend()
        if leg is not None:       # one legend for the figure, each state once
            for h in leg.legend_handles:
                handles.setdefault(h.get_label(), h)
            leg.remove()
        if k < len(runs) - 1:
            ax.set_xlabel("")
    axes[0].legend(handles=list(handles.values()), loc="upper left", bbox_to_anchor=(1.0, 1.0),
                   frameon=False, fontsize=9)
    return axes


@register("04:three-models")
def three_models_panel(share_pct=25, cpus=2, goroutines=8):
    """Panel: one workload, three threading models, one Gantt chart each."""
    controls = {"share_pct": slider(tr("goroutines making a 1 ms syscall (%)"), share_pct, 0,
                                    100, 25),
                "cpus": slider(tr("CPUs (1:1) = Ps (M:N)"), cpus, 1, 4)}

    def comp(share_pct, cpus):
        return three_models(goroutines, share_pct, cpus)

    def draw(d, fig):
        runs = [d["runs"][k] for k in MODEL_LABELS]
        t1 = max(m["makespan_ns"] for m in d["models"].values())
        titles = []
        for k in MODEL_LABELS:
            m = d["models"][k]
            titles.append(tr("{model}: {threads} thread(s), done at {done}", model=_label(k),
                             threads=m["threads"], done=plots.fmt_time(m["makespan_ns"])))
        _gantt_rows(fig, runs, titles, t1)
        ms = {k: plots.fmt_time(v["makespan_ns"]) for k, v in d["models"].items()}
        return tr("{n} goroutines, {syscallers} with a syscall, {cpus} CPU(s): 1:1 {t11}, N:1 "
                  "{tn1}, M:N {tmn}", n=d["goroutines"], syscallers=d["syscallers"],
                  cpus=d["cpus"], t11=ms["1:1"], tn1=ms["N:1"], tmn=ms["M:N"])

    return Panel(N_("04 · The same goroutines on 1:1, N:1 and M:N"), controls, comp, draw,
                 figsize=(12.5, 6.2),
                 notice=N_("One row per OS thread. Coloured bars: a goroutine's own code (same "
                           "colour = same goroutine in all three). Orange hatched: a thread "
                           "blocked in a system call."))


@register("04:blocking")
def blocking_panel(block_ms=3, kind="syscall"):
    """Panel: a blocking syscall vs network I/O under N:1 and M:N (one CPU each)."""
    controls = {"block_ms": slider(tr("how long the blocker waits (ms)"), block_ms, 1, 8),
                "kind": W.ToggleButtons(options=["syscall", "netio"], value=kind,
                                        description=tr("it waits in"))}

    def draw(d, fig):
        keys = ["N:1", "M:N"]
        runs = [d["runs"][k] for k in keys]
        t1 = max(d["models"][k]["makespan_ns"] for k in keys)
        titles = []
        for k in keys:
            m = d["models"][k]
            titles.append(tr("{model}, one CPU: {threads} thread(s); others ran {work} while "
                             "the blocker waited", model=_label(k), threads=m["threads"],
                             work=plots.fmt_time(m["work_during_block_ns"])))
        axes = _gantt_rows(fig, runs, titles, t1)
        for ax in axes:
            ax.axvspan(d["blocker_starts_ns"], d["blocker_starts_ns"] + d["block_ns"],
                       color="#D55E00", alpha=0.08, zorder=0)
        n1, mn = d["models"]["N:1"], d["models"]["M:N"]
        return tr("blocker waits {wait} in {kind}: N:1 done at {n1} ({n1_threads} thread), M:N "
                  "done at {mn} ({mn_threads} threads)", wait=plots.fmt_time(d["block_ns"]),
                  kind=d["kind"], n1=plots.fmt_time(n1["makespan_ns"]),
                  n1_threads=n1["threads"], mn=plots.fmt_time(mn["makespan_ns"]),
                  mn_threads=mn["threads"])

    return Panel(N_("04 · Who else runs while one goroutine waits?"), controls,
                 lambda block_ms, kind: blocking(kind, block_ms), draw, figsize=(11.5, 5.6),
                 notice=N_("The shaded band is the blocker's wait. M:N's extra rows are threads "
                           "the runtime added (M1 is sysmon's own thread)."))


@register("04:switch-cost")
def switch_cost_panel(thread_switch_us=None, goroutine_switch_ns=None):
    """Panel: a channel ping-pong's hand-off cost under 1:1, N:1 and M:N."""
    c = default_costs()
    if thread_switch_us is None:
        thread_switch_us = round(c["kernel_switch_ns"] / 1000, 1)
    if goroutine_switch_ns is None:
        goroutine_switch_ns = int(round(c["goroutine_switch_ns"], -1))
    controls = {"thread_switch_us": slider(tr("kernel thread switch (µs)"), thread_switch_us,
                                           0.5, 20.0, 0.5, kind="float"),
                "goroutine_switch_ns": slider(tr("goroutine switch (ns)"), goroutine_switch_ns,
                                              50, 5000, 10)}

    def comp(thread_switch_us, goroutine_switch_ns):
        return switch_cost(int(round(thread_switch_us * 1000)), goroutine_switch_ns)

    def draw(d, fig):
        ax = fig.add_subplot()
        keys = list(MODEL_LABELS)
        plots.compare_bars([_label(k) for k in keys],
                           {tr("one hand-off"): [d["models"][k]["handoff_ns"] for k in keys]},
                           ax=ax, ylabel=tr("ns per channel hand-off (log)"), log=True,
                           fmt=lambda v: plots.fmt_time(v),
                           title=tr("Ping-pong over unbuffered channels, {rounds} rounds, one "
                                    "CPU", rounds=d["rounds"]))
        ax.set_ylim(50, 1e5)
        _plain_log_axis(ax, "y", [100, 1000, 10_000, 100_000])
        h = {k: d["models"][k]["handoff_ns"] for k in keys}
        return tr("one hand-off: 1:1 {t11}, N:1 {tn1}, M:N {tmn} -- threads are {x:.0f}x "
                  "slower here", t11=plots.fmt_time(h["1:1"]), tn1=plots.fmt_time(h["N:1"]),
                  tmn=plots.fmt_time(h["M:N"]), x=h["1:1"] / h["M:N"])

    return Panel(N_("04 · What a switch costs: kernel thread vs goroutine"), controls, comp, draw,
                 figsize=(9, 4.5),
                 notice=N_("Under 1:1 each hand-off wakes a blocked thread (a kernel switch); "
                           "under N:1 and M:N the runtime swaps goroutines on the same thread."))
