"""The simulator's side of a comparison: the costs it runs a mirror with
(:func:`calibrated_costs`, calibrated to the real side's machine, and
:func:`uncalibrated_costs`, the model before calibration), the seeds
(:data:`SIM_SEEDS`, :func:`sim_seeds`) and its metrics (medians over the seeds).

Part of the comparison: the figures come from :mod:`~gmpkit.real.machine`, the
mirrors from :mod:`~gmpkit.real.mirrors`; the real side is :mod:`~gmpkit.real.goside`.
:mod:`~gmpkit.real.compare` lists every part of the comparison and re-exports them all.
"""

from __future__ import annotations

import statistics

from .machine import SPREAD_KEY
from .mirrors import MIRRORS

__all__ = ["calibrated_costs", "uncalibrated_costs", "SIM_SEEDS", "sim_seeds"]


# ---- the simulator side --------------------------------------------------------------------

def calibrated_costs(scenario, calibration=None, **overrides):
    """The costs the simulator runs ``scenario``'s mirror with.

    The defaults (``data/costs.json``), with this machine's measured sleep
    overshoot (``calibration["usleep_overhead_ns"]``, measured with the real
    runs) for sysmon's ticks; for a mirror whose blocking system calls are
    nanosleeps (``Mirror.sleep_syscalls``) every syscall also lasts that much
    longer than asked, as a real nanosleep does.  ``calibration["goroutine_switch_ns"]``
    is this machine's goroutine hand-off (:func:`switch_cost`), and
    ``calibration["idle_threads"]``
    starts the model with the threads real Go had already made before the
    workload (``GMP(idle_threads=...)``).  ``overrides`` replace any
    cost (to break the model on purpose: ``usleep_overhead_ns=0`` is the
    uncalibrated 20 µs tick).  When the calibration also holds the measured
    spread of the overshoot (``calibration["usleep_overshoot_quantiles_ns"]``,
    recorded since the calibration kept more than the median), the simulator
    draws every sleep's overshoot from it (``GMP(sleep_overshoot=...)``), and
    :func:`compare` takes the median over :data:`SIM_SEEDS` seeds, as the
    real side is a median of runs; without it, every sleep overshoots by
    exactly the median (one seed: nothing in the run is random enough to
    matter).  ``sleep_overshoot=None`` in ``overrides`` drops the spread.

    >>> calibrated_costs("syscall_storm", {"usleep_overhead_ns": 65_000})["usleep_overhead_ns"]
    65000
    """
    from ..costs import default_costs
    mirror = MIRRORS[scenario]
    base = default_costs()
    calibration = calibration or {}
    over = int(calibration.get("usleep_overhead_ns", base["usleep_overhead_ns"]))
    out = {"usleep_overhead_ns": over}
    spread = calibration.get(SPREAD_KEY)
    if spread:
        # each sleep's overshoot drawn from the measured distribution (GMP(sleep_overshoot=))
        out["sleep_overshoot"] = tuple(int(x) for x in spread)
    if mirror.sleep_syscalls:
        # a nanosleep syscall: the request + syscall_overhead_ns + a sleep overshoot
        # (exactly usleep_overhead_ns, or a draw from sleep_overshoot)
        out["syscall_overhead_ns"] = base["syscall_overhead_ns"]
        out["sleep_syscalls"] = True
    if "goroutine_switch_ns" in calibration:
        out["goroutine_switch_ns"] = int(calibration["goroutine_switch_ns"])
    if "idle_threads" in calibration:
        out["idle_threads"] = int(calibration["idle_threads"])
    out.update(overrides)
    return out


# Seeds the simulator runs a comparison with when sleeps have a spread: the median of
# as many simulated runs as real ones are recorded (5), plus two, for a steadier median.
SIM_SEEDS = tuple(range(7))


def sim_seeds(costs):
    """The seeds :func:`compare` simulates with: :data:`SIM_SEEDS` when sleep
    overshoots are drawn from a distribution, else only seed 0 (the run does
    not depend on the seed enough to matter: only work stealing's order)."""
    return SIM_SEEDS if (costs or {}).get("sleep_overshoot") else (0,)


def _sim_metrics(scenario, procs, async_preempt, params, costs=None):
    """The simulator's metrics: each the median over :func:`sim_seeds` runs (lists
    from the run of median makespan), the per-seed values in ``"samples"``, and
    the run of median makespan (for the Gantt chart)."""
    per_seed = [_sim_metrics_one(scenario, procs, async_preempt, params, costs, seed)
                for seed in sim_seeds(costs)]
    med = _median_index([m["makespan_ns"] for m, _ in per_seed])
    out = {}
    for k, v in per_seed[med][0].items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            vals = [m[k] for m, _ in per_seed if m.get(k) is not None]
            out[k] = statistics.median(vals)
            if all(isinstance(x, int) for x in vals) and float(out[k]).is_integer():
                out[k] = int(out[k])
        else:
            out[k] = v
    out["samples"] = {k: [m.get(k) for m, _ in per_seed] for k in out
                      if isinstance(out[k], (int, float))}
    return out, per_seed[med][1]


def _sim_metrics_one(scenario, procs, async_preempt, params, costs, seed):
    from ..models.gmp import GMP
    from ..scenarios import get
    sc = get(scenario, **params)
    run = sc.run(GMP(procs=procs, async_preempt=async_preempt, **(costs or {})), seed=seed,
                 schedtrace=1)
    tl, st = run.timeline, run.stats
    oldp = sum(1 for e in tl.events_of("syscall-exit") if e.detail == "oldp")
    out = {"makespan_ns": st["makespan_ns"], "threads": st.get("threads_peak", 0),
           "global_queue_peak": st.get("global_queue_peak", 0),
           "preemptions": st.get("preemptions", 0), "retakes": st.get("retakes", 0) + oldp,
           "os_wait_share": 0.0}
    out.update(_per_p(tl, lane="M", procs=procs))
    if "handoff_ns" in run.results:
        out["handoff_ns"] = run.results["handoff_ns"]
    if scenario == "cpu_hog":
        ticker = next(g for g, n in tl.g_names.items() if n == "ticker")
        spawn = next(e.time for e in tl.events_of("spawn") if e.g == ticker)
        first = min((s.start for s in tl.spans if s.g == ticker and s.lane == "M"),
                    default=run.makespan_ns)
        out["start_delay_ns"] = first - spawn
        out["worst_delay_ns"] = max([first - spawn] + list(run.results.get("latency_ns", [])))
    return out, run


def _per_p(tl, lane, procs):
    """Busiest P's share of the goroutines' running time, and which Gs ran on each P."""
    busy = [0] * procs
    gs = [set() for _ in range(procs)]
    for s in tl.spans:
        if s.lane == lane and s.state == "running" and s.g >= 0 and 0 <= s.p < procs:
            busy[s.p] += s.end - s.start
            gs[s.p].add(s.g)
    total = sum(busy)
    share = max(busy) / total if total else None
    return {"p_share": share, "gs_per_p": [len(x) for x in gs], "busy_ns": busy}


def _median_index(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    return order[(len(order) - 1) // 2]


def uncalibrated_costs():
    """The simulator's side as it was before calibration: sysmon wakes exactly every
    20 µs, a nanosleep syscall lasts exactly what it asks for (no overshoot, no
    spread), a hand-off costs the default (reference) figure, and the model starts
    with M0 and sysmon only."""
    from ..costs import default_costs
    base = default_costs()
    return {"usleep_overhead_ns": 0, "idle_threads": 0, "sleep_overshoot": None,
            "syscall_overhead_ns": base["syscall_overhead_ns"],
            "goroutine_switch_ns": base["goroutine_switch_ns"]}
