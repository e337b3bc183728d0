"""Helpers the assignment modules share: problem text, models with homework costs."""

from __future__ import annotations

import gmpkit as gk

from .core import HW_COSTS, fmt_ns
from .workload import describe, run

GM_COSTS = dict(HW_COSTS, schedlock_hold_ns=200, schedlock_spin_ns=1_000)


def costs_text(model, keys):
    return ", ".join(f"{k}={model.costs[k]:,}" for k in keys)


def problem_text(spec, model_line, ask, extra=""):
    """The problem as shown: the workload, the model, then what to predict."""
    parts = [describe(spec), "", f"model: {model_line}"]
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


__all__ = ["GM_COSTS", "costs_text", "problem_text", "exit_order", "gmp", "gm", "green",
           "threads", "run", "fmt_ns", "describe"]
