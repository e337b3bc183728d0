"""Cost parameters of the models, with where each number comes from.

Defaults are read from ``data/costs.json`` (measured with the course's own
programs; every entry says on what machine and when).  Where that file lacks
an entry, the fallback below is used and its provenance says so.  Any cost can
be overridden per model, e.g. ``gk.Threads(cpus=2, switch_ns=5000)``.

>>> c = default_costs()
>>> c["goroutine_switch_ns"] > 0
True
>>> provenance("goroutine_switch_ns")  # doctest: +ELLIPSIS
'...'
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

__all__ = ["default_costs", "provenance", "COSTS_FILE"]

COSTS_FILE = Path(__file__).resolve().parent.parent / "data" / "costs.json"

# Fallbacks: GO_SCHEDULER.md §10 (2-vCPU VM, Go 1.27.3, medians of 9) and
# order-of-magnitude figures where the reference table has none.
_FALLBACK = {
    "goroutine_switch_ns": (170, "GO_SCHEDULER.md §10: unbuffered channel hand-off, GOMAXPROCS=2, 166 ns"),
    "goroutine_create_ns": (200, "GO_SCHEDULER.md §10: goroutine create+run+exit, 186-227 ns"),
    "thread_create_ns": (15_000, "order of magnitude for pthread_create+join on Linux (no local measurement)"),
    "kernel_switch_ns": (2_700, "GO_SCHEDULER.md §10: C pthreads hand-off over pipe/futex, 2.47-2.96 us"),
    "locked_handoff_ns": (11_600, "GO_SCHEDULER.md §10: channel hand-off between LockOSThread'ed goroutines"),
    "syscall_overhead_ns": (100, "order of magnitude of entersyscall+exitsyscall (no local measurement)"),
    "usleep_overhead_ns": (67_000, "GO_SCHEDULER.md §2: usleep(20) takes about 87 µs on a 2-vCPU Linux VM "
                           "(50 µs timer slack plus the wake-up), 67 µs more than asked"),
    "process_create_ns": (500_000, "order of magnitude of fork+exec+wait (no local measurement)"),
    "schedlock_hold_ns": (200, "assumed hold time of Go 1.0's schedlock per scheduling operation"),
    "schedlock_spin_ns": (1_000, "Go 1.0 lock_futex.c: a waiter spins 4 x procyield(30) and osyields once "
                          "before it sleeps in futex; order of magnitude (no local measurement)"),
    "thread_stack_bytes": (8 * 1024 * 1024, "glibc default pthread stack (ulimit -s 8192)"),
    "goroutine_bytes": (2_760, "GO_SCHEDULER.md §10: 2048 B stack + 639 B heap per blocked goroutine"),
    "mcache_bytes": (2 * 1024 * 1024, "Vyukov 2012 design doc: an mcache can be up to 2 MB"),
}


@lru_cache(maxsize=1)
def _load():
    table = {k: {"value_ns": v, "source": src} for k, (v, src) in _FALLBACK.items()}
    try:
        data = json.loads(COSTS_FILE.read_text())
    except (OSError, ValueError):
        data = {}
    for k, entry in data.items():
        if isinstance(entry, dict) and isinstance(entry.get("value_ns"), (int, float)):
            table[k] = {"value_ns": int(entry["value_ns"]),
                        "source": "; ".join(str(entry[x]) for x in
                                            ("source", "measured_on", "date") if entry.get(x))}
    return table


def default_costs():
    """All cost defaults as ``{name: int}``."""
    return {k: v["value_ns"] for k, v in _load().items()}


def provenance(name):
    """Where the default for cost ``name`` comes from."""
    table = _load()
    if name not in table:
        raise KeyError(f"no cost named {name!r}; known: {', '.join(sorted(table))}")
    return table[name]["source"]
