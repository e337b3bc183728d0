"""Helpers the assignment modules share: problem text, models with homework costs.

A leaf of the homework package: it imports the models and the workload
language, never :mod:`.core` (which imports this module).
"""

from __future__ import annotations

import gmpkit as gk

from ..i18n import tr
from .workload import describe, run

# Fixed, round costs for every homework model, printed with the problems: the
# expected answers must not move when data/costs.json is re-measured.
HW_COSTS = {"goroutine_switch_ns": 200, "goroutine_create_ns": 200, "thread_create_ns": 20_000,
            "kernel_switch_ns": 5_000, "syscall_overhead_ns": 0,
            # sysmon wakes exactly every 20 µs (the problems say so), not 20 µs + this
            # machine's measured sleep overshoot
            "usleep_overhead_ns": 0}

GM_COSTS = dict(HW_COSTS, schedlock_hold_ns=200, schedlock_spin_ns=1_000)


def fmt_ns(ns):
    """A duration for a reader: ``fmt_ns(1500) == '1.5 µs'``.

    >>> fmt_ns(2_500_000), fmt_ns(1500), fmt_ns(40)
    ('2.500 ms', '1.5 µs', '40 ns')
    """
    if ns >= 1_000_000:
        return f"{ns / 1e6:,.3f} ms"
    if ns >= 1_000:
        return f"{ns / 1e3:,.1f} µs"
    return f"{ns} ns"


def costs_text(model, keys):
    return ", ".join(f"{k}={model.costs[k]:,}" for k in keys)


def problem_text(spec, model_line, ask, extra=""):
    """The problem as shown: the workload, the model, then what to predict."""
    parts = [describe(spec), "", tr("model: {model}", model=model_line)]
    if extra:
        parts.append(extra)
    parts += ["", ask]
    return "\n".join(parts)


def exit_order(r, skip=("main",)):
    tl = r.timeline
    return [tl.g_names[e.g] for e in tl.events_of("exit") if tl.g_names[e.g] not in skip]


def gmp(procs, **kw):
    return gk.GMP(procs=procs, **{**HW_COSTS, **kw})


def gm(procs, **kw):
    return gk.GM(procs=procs, **{**GM_COSTS, **kw})


def green(**kw):
    return gk.GreenThreads(**{**HW_COSTS, **kw})


def threads(cpus, slice_ns=3_000_000, **kw):
    base = {"kernel_switch_ns": HW_COSTS["kernel_switch_ns"], "thread_create_ns": 0}
    return gk.Threads(cpus=cpus, slice_ns=slice_ns, **{**base, **kw})


__all__ = ["HW_COSTS", "GM_COSTS", "costs_text", "problem_text", "exit_order", "gmp", "gm", "green",
           "threads", "run", "fmt_ns", "describe"]
