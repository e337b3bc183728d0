"""From measurements to the simulator's costs: ``gmpkit/data/costs.json``.

:data:`COST_SOURCES` says which measurement gives which cost;
:data:`REFERENCE` holds DESIGN.md's quiet-machine reference figures, used
where they exist; :data:`ASSUMED` and :data:`MEASURED_APART` are the costs the
course does not measure with :mod:`gmpkit.real.measure`, each with its source.
:func:`write_costs` writes the file that :mod:`gmpkit.costs` reads.

Siblings: :mod:`gmpkit.real.measure` (taking the measurements),
:mod:`gmpkit.real.measurements` (the table).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..resources import data_dir
from .measurements import Measurements

__all__ = ["COST_SOURCES", "ASSUMED", "MEASURED_APART", "REFERENCE", "write_costs"]


COST_SOURCES = {
    # name: (how it is derived, what it is, the reference figure (DESIGN.md) or None)
    "goroutine_switch_ns": (lambda t: t.median("go.handoff.p1"),
                            "go.handoff.p1: unbuffered channel ping-pong, one hand-off, GOMAXPROCS=1",
                            "reference: 279 ns (GOMAXPROCS=1), 166 ns (GOMAXPROCS=2)"),
    "goroutine_create_ns": (lambda t: t.median("go.spawn.p1"),
                            "go.spawn.p1: goroutine create+run+exit in batches of 100, GOMAXPROCS=1",
                            "reference: 227 ns (GOMAXPROCS=1), 186 ns (GOMAXPROCS=2)"),
    "thread_create_ns": (lambda t: t.median("go.thread.create"),
                         "go.thread.create: the Go runtime creating (and destroying) an OS thread",
                         None),
    "kernel_switch_ns": (lambda t: t.median("py.handoff.processes"),
                         "py.handoff.processes: one hand-off between two processes blocked on pipes "
                         "(a kernel wake-up and context switch, plus a little Python)",
                         "reference: C pthreads 2.96 µs over a pipe, 2.47 µs over a futex"),
    "syscall_overhead_ns": (lambda t: t.median("go.syscall"),
                            "go.syscall: getppid (a system call that does almost nothing) through "
                            "syscall.Syscall: kernel entry/exit plus entersyscall/exitsyscall", None),
    "usleep_overhead_ns": (lambda t: t.median("go.usleep.20") - 20_000,
                           "go.usleep.20: sysmon's usleep(20) (a raw nanosleep of 20 µs on a locked "
                           "thread, runtime/sys_linux_amd64.s) minus the 20 µs asked for: the kernel's "
                           "timer slack plus the wake-up",
                           "reference (DESIGN.md, 'Reference measurements'): usleep(20) ≈ 87 µs, "
                           "nanosleep(100 µs) ≈ 167 µs, nanosleep(1 ms) ≈ 1.07 ms on a 2-vCPU VM "
                           "(a near-constant ~67 µs over)"),
    "process_create_ns": (lambda t: t.median("py.process.fork"),
                          "py.process.fork: fork + child exit + waitpid from Python", None),
    "locked_handoff_ns": (lambda t: t.median("go.handoff.locked.p1"),
                          "go.handoff.locked.p1: channel hand-off between two LockOSThread'ed goroutines",
                          "reference: 11.6 µs (GOMAXPROCS=1), 17.0 µs (GOMAXPROCS=2)"),
    "goroutine_bytes": (lambda t: t.median("go.mem.sys_per_g"),
                        "go.mem.sys_per_g: runtime Sys bytes per blocked goroutine (100 000 of them)",
                        "reference: 2048 B stack + 639 B heap = 2.76 KB"),
}

# Costs that are not measured by the course: each is an assumption with its primary source.
ASSUMED = {
    "thread_stack_bytes": (8 * 1024 * 1024, "glibc's default pthread stack: RLIMIT_STACK, 8192 KiB "
                                            "(`ulimit -s`), see pthread_create(3)"),
    "mcache_bytes": (2 * 1024 * 1024, "Vyukov, 'Scalable Go Scheduler Design Doc' (2012): an M's "
                                      "mcache can be up to 2 MB"),
    "schedlock_hold_ns": (200, "assumed hold time of Go 1.0's schedlock per scheduling operation "
                               "(Go 1.0 does not build on today's systems, so it is not measured)"),
    "schedlock_spin_ns": (1_000, "Go 1.0 src/pkg/runtime/lock_futex.c runtime·lock: a waiter spins "
                                 "4 x procyield(30) and osyields once before it sleeps in futex; "
                                 "order of magnitude"),
}
ASSUMED_ON = "not measured: an assumption, stated with its source"

# Measured once, apart from measure_all(), by a small C program on the course's build machine
# (what the C library and the CPU cost, not Go): value, what was timed, where.
MEASURED_APART = {
    "thread_clone_ns": (6_000, "pthread_create returning to its caller (the part of creating a "
                               "thread the creator waits for): median of 2001 runs, 5.9-6.0 us; "
                               "create + join 16.4 us"),
    "mutex_spin_ns": (730, "procyield(30), 30 PAUSE instructions: one sync.Mutex spin round; "
                           "median of 201 x 10000, 0.71-0.74 us"),
}
MEASURED_APART_ON = "AMD EPYC, 2 cores, Linux: the course's build machine, a C program (2026-11)"


# The reference measurements of DESIGN.md (a quiet 2-vCPU VM, Go 1.27.3, medians of 9): used
# as the default where they have a figure, because the course's build machine is shared and loaded.
REFERENCE = {
    "goroutine_switch_ns": (279, "unbuffered channel ping-pong, one hand-off = one goroutine "
                                 "switch on one P, GOMAXPROCS=1"),
    "goroutine_create_ns": (227, "goroutine create+run+exit in batches of 100, GOMAXPROCS=1"),
    "kernel_switch_ns": (2470, "C pthreads, one hand-off over a futex (2.96 us over a pipe)"),
    "locked_handoff_ns": (11600, "channel hand-off between two LockOSThread'ed goroutines, GOMAXPROCS=1"),
}
REFERENCE_ON = ("reference measurement (DESIGN.md, 'Reference measurements'): 2-vCPU VM, Go 1.27.3, "
                "median of 9 (quiet machine)")
REFERENCE_DATE = "2026-11"
COSTS_POLICY = ("Defaults of the simulator's costs. Where DESIGN.md's reference measurements (a quiet "
                "2-vCPU VM) have a figure it is used, and the figure measured on the course's build machine "
                "is kept beside it under 'this_machine'; the others were measured with gmpkit.real.measure "
                "on that machine, except the assumptions marked 'not measured', which cite their source. "
                "Notebook outputs depend on these numbers: change them deliberately and rebuild the "
                "notebooks.")


def _measured_on(p):
    on = (f"{p.get('cpu_model', '?')}, {p.get('cores', '?')} cores, {p.get('os', '?')}, "
          f"{p.get('go_version') or 'no Go'}")
    if p.get("loadavg"):
        on += f", load average {p['loadavg'][0]} at the start (a shared machine: noisy)"
    return on


def write_costs(table: Measurements, path=None, *, prefer_reference=True):
    """Write the simulator's default costs (``gmpkit/data/costs.json``) from a measured table.

    Format: ``{"name": {"value_ns": int, "source": str, "measured_on": str,
    "date": str}}``; :mod:`gmpkit.costs` reads it.  With ``prefer_reference``
    the quiet-machine reference figures (DESIGN.md) are the values where they
    exist, and this machine's measurement is kept under ``"this_machine"``;
    ``"_policy"`` says so.  The costs the course does not measure
    (:data:`ASSUMED`, :data:`MEASURED_APART`) are written with their source. Costs the
    table cannot give (it lacks their measurement) keep the entry the file already has,
    so measuring one thing (``--only``) updates only its own costs.
    """
    p = table.provenance
    on = _measured_on(p)
    path = Path(path) if path else data_dir() / "costs.json"
    try:
        out = json.loads(path.read_text())
    except (OSError, ValueError):
        out = {}
    for name, (get, how, ref) in COST_SOURCES.items():
        try:
            value = get(table)
        except KeyError:
            continue
        row = table[how.split(':')[0]]
        src = f"median of {len(row.samples)} runs of {how}"
        if ref:
            src += f"; cross-check {ref}"
        mp = row.params.get("provenance")      # a row measured apart (measure_some)
        here = {"value_ns": int(round(value)), "source": src,
                "measured_on": _measured_on(mp) if mp else on,
                "date": (mp or p).get("date", "")}
        if prefer_reference and name in REFERENCE:
            v, what = REFERENCE[name]
            out[name] = {"value_ns": v, "source": what, "measured_on": REFERENCE_ON,
                         "date": REFERENCE_DATE, "this_machine": here}
        else:
            out[name] = here
    for name, (value, why) in ASSUMED.items():
        out[name] = {"value_ns": value, "source": why, "measured_on": ASSUMED_ON, "date": ""}
    for name, (value, why) in MEASURED_APART.items():
        out[name] = {"value_ns": value, "source": why, "measured_on": MEASURED_APART_ON,
                     "date": "2026-11"}
    out.pop("_policy", None)
    if prefer_reference:
        out["_policy"] = COSTS_POLICY
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    return out
