"""Cost parameters of the models, with where each number comes from.

Defaults are read from the package's ``costs.json`` (``gmpkit/data/costs.json``,
through :mod:`gmpkit.resources`): figures measured with the course's own
programs, reference measurements and stated assumptions, each with its
provenance (``data/README.md``).  There is no built-in fallback: a missing or
broken file, or one that lacks a cost the models need, is an error naming the
file.  Any cost can be overridden per model, e.g.
``gk.Threads(cpus=2, switch_ns=5000)``.

>>> c = default_costs()
>>> c["goroutine_switch_ns"] > 0
True
>>> provenance("thread_stack_bytes")  # doctest: +ELLIPSIS
"glibc's default pthread stack..."
"""

from __future__ import annotations

from functools import lru_cache

from . import resources

__all__ = ["default_costs", "provenance", "COSTS_FILE", "REQUIRED"]

COSTS_FILE = "costs.json"   # inside gmpkit/data; see gmpkit.resources

# The costs the models read; costs.json may hold more.
REQUIRED = ("goroutine_switch_ns", "goroutine_create_ns", "thread_create_ns", "kernel_switch_ns",
            "locked_handoff_ns", "syscall_overhead_ns", "process_create_ns", "schedlock_hold_ns",
            "schedlock_spin_ns", "thread_stack_bytes", "goroutine_bytes", "mcache_bytes",
            "thread_clone_ns", "mutex_spin_ns", "usleep_overhead_ns")


@lru_cache(maxsize=1)
def _load():
    data = resources.read_json(COSTS_FILE)
    table = {}
    for k, entry in data.items():
        if k.startswith("_"):
            continue
        if not (isinstance(entry, dict) and isinstance(entry.get("value_ns"), (int, float))):
            raise ValueError(f"gmpkit/data/{COSTS_FILE}: entry {k!r} has no numeric 'value_ns' "
                             f"({entry!r}); fix the file or rewrite it with gmpkit.real.measure")
        table[k] = {"value_ns": int(entry["value_ns"]),
                    "source": "; ".join(str(entry[x]) for x in
                                        ("source", "measured_on", "date") if entry.get(x))}
    missing = [k for k in REQUIRED if k not in table]
    if missing:
        raise resources.MissingDataError(
            f"gmpkit/data/{COSTS_FILE} lacks {', '.join(missing)}: the models need them; "
            "rewrite it with gmpkit.real.measure.write_costs (it writes every cost)")
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
