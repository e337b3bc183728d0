"""The benchmarks: what is measured, and how one run of each is taken.

The Python side (:data:`PY_BENCHES`, run by :func:`measure_python`) times
what the operating system costs: fork, posix_spawn, thread creation, a system
call, a hand-off between two threads or two processes over pipes.  The Go side
(:data:`GO_BENCHES`, run by :func:`measure_go`) runs the course's Go programs
(``gmpkit/real/programs/``) and reads the runtime's costs from their JSON
output.  Each returns :class:`~gmpkit.real.measurements.Measurement` rows.

Siblings: :mod:`gmpkit.real.measure` runs them all (``measure_all``) and
records the table; :mod:`gmpkit.real.measurements` is the table.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import timeit
from dataclasses import dataclass

from ..i18n import N_
from .measurements import Measurement

__all__ = ["PY_BENCHES", "GO_BENCHES", "GoBench", "measure_python", "measure_go"]


# ---- Python-side measurements -------------------------------------------------------

def _per_op(fn, ops):
    t0 = time.perf_counter_ns()
    fn(ops)
    return (time.perf_counter_ns() - t0) / ops


def _fork(ops):
    for _ in range(ops):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)


def _spawn(ops):
    true = shutil.which("true") or "/bin/true"
    for _ in range(ops):
        pid = os.posix_spawn(true, [true], {})
        os.waitpid(pid, 0)


def _thread(ops):
    for _ in range(ops):
        t = threading.Thread(target=lambda: None)
        t.start()
        t.join()


def _pipe_pingpong(ops, use_process):
    """``ops`` hand-offs (ops/2 round trips) between two threads or processes over two pipes."""
    a_r, a_w = os.pipe()
    b_r, b_w = os.pipe()
    trips = max(1, ops // 2)

    def echo():
        for _ in range(trips):
            os.write(b_w, os.read(a_r, 1))

    if use_process:
        pid = os.fork()
        if pid == 0:
            try:
                echo()
            finally:
                os._exit(0)
    else:
        th = threading.Thread(target=echo)
        th.start()
    try:
        os.write(a_w, b"x")          # warm-up trip, not timed
        os.read(b_r, 1)
        t0 = time.perf_counter_ns()
        for _ in range(trips - 1):
            os.write(a_w, b"x")
            os.read(b_r, 1)
        elapsed = time.perf_counter_ns() - t0
    finally:
        if use_process:
            os.waitpid(pid, 0)
        else:
            th.join()
        for fd in (a_r, a_w, b_r, b_w):
            os.close(fd)
    return elapsed / max(1, 2 * (trips - 1))


def _call_ns(number):
    def f():
        return None
    return timeit.Timer("f()", globals={"f": f}).timeit(number) * 1e9 / number


def _getppid_ns(number):
    return timeit.Timer("g()", globals={"g": os.getppid}).timeit(number) * 1e9 / number


# name, label, group, function(size) -> ns per op, full size, quick size
PY_BENCHES = [
    ("py.process.fork", N_("process: fork + exit + wait (Python)"), "process",
     lambda n: _per_op(_fork, n), 40, 10),
    ("py.process.spawn", N_("process: posix_spawn /bin/true + wait (Python)"), "process",
     lambda n: _per_op(_spawn, n), 40, 10),
    ("py.thread.create", N_("thread: create + start + join (Python)"), "thread",
     lambda n: _per_op(_thread, n), 400, 50),
    ("py.call", N_("function call (Python)"), "syscall", _call_ns, 200_000, 20_000),
    ("py.syscall.getppid", N_("system call os.getppid() (Python)"), "syscall", _getppid_ns, 200_000, 20_000),
    ("py.handoff.threads", N_("hand-off between 2 threads over pipes (Python)"), "thread",
     lambda n: _pipe_pingpong(n, False), 4000, 400),
    ("py.handoff.processes", N_("hand-off between 2 processes over pipes (Python)"), "process",
     lambda n: _pipe_pingpong(n, True), 4000, 400),
]


def measure_python(repeats=5, quick=False, bar=None, only=None):
    """Run the Python-side measurements; returns a list of :class:`Measurement`.

    The runs are interleaved (round 1 of every benchmark, then round 2 ...)
    so a burst of load from elsewhere hits all of them alike.
    """
    benches = [b for b in PY_BENCHES if only is None or b[0] in only]
    samples = {b[0]: [] for b in benches}
    for _ in range(repeats):
        for name, label, group, fn, full, small in benches:
            samples[name].append(float(fn(small if quick else full)))
            if bar:
                bar.step(name)
    return [Measurement(name, label, "ns", group, samples[name],
                        command=f"gmpkit.real.measure ({name}, {small if quick else full} ops per run)",
                        params={"ops_per_run": small if quick else full})
            for name, label, group, fn, full, small in benches]


# ---- Go-side measurements ------------------------------------------------------------

@dataclass(frozen=True)
class GoBench:
    """A Go program run: ``fields`` maps measurement name -> (JSON field, label, unit, group)."""
    program: str
    args: tuple
    quick_args: tuple
    fields: dict
    gomaxprocs: int | None = None
    repeats: int | None = None      # override (memory runs are slow and steady)


GO_BENCHES = [
    GoBench("spawn", ("-n", "200000"), ("-n", "20000"),
            {"go.spawn.p1": ("ns_per_op", N_("goroutine create + run + exit, GOMAXPROCS=1"), "ns", "goroutine")},
            gomaxprocs=1),
    GoBench("spawn", ("-n", "200000"), ("-n", "20000"),
            {"go.spawn.p2": ("ns_per_op", N_("goroutine create + run + exit, GOMAXPROCS=2"), "ns", "goroutine")},
            gomaxprocs=2),
    GoBench("pingpong", ("-n", "200000"), ("-n", "20000"),
            {"go.handoff.p1": ("ns_per_handoff", N_("goroutine hand-off (channel ping-pong), GOMAXPROCS=1"),
                               "ns", "goroutine")}, gomaxprocs=1),
    GoBench("pingpong", ("-n", "200000"), ("-n", "20000"),
            {"go.handoff.p2": ("ns_per_handoff", N_("goroutine hand-off (channel ping-pong), GOMAXPROCS=2"),
                               "ns", "goroutine")}, gomaxprocs=2),
    GoBench("pingpong", ("-locked", "-n", "20000"), ("-locked", "-n", "2000"),
            {"go.handoff.locked.p1": ("ns_per_handoff", N_("same, both goroutines LockOSThread'ed, GOMAXPROCS=1"),
                                      "ns", "thread")}, gomaxprocs=1),
    GoBench("pingpong", ("-locked", "-n", "20000"), ("-locked", "-n", "2000"),
            {"go.handoff.locked.p2": ("ns_per_handoff", N_("same, both goroutines LockOSThread'ed, GOMAXPROCS=2"),
                                      "ns", "thread")}, gomaxprocs=2),
    GoBench("threads", ("-n", "2000"), ("-n", "200"),
            {"go.thread.create": ("ns_per_thread", N_("thread create + exit by the Go runtime (newm)"),
                                  "ns", "thread")}, gomaxprocs=2),
    GoBench("syscalls", ("-n", "1000000"), ("-n", "100000"),
            {"go.call": ("call_ns", N_("function call (Go)"), "ns", "syscall"),
             "go.syscall.raw": ("raw_syscall_ns", N_("getppid via RawSyscall (Go, no scheduler)"), "ns", "syscall"),
             "go.syscall": ("syscall_ns", N_("getppid via Syscall (Go, entersyscall/exitsyscall)"), "ns", "syscall")},
            gomaxprocs=2),
    # sysmon's usleep(20) is one raw nanosleep(2) from a thread without a P
    # (runtime/sys_linux_amd64.s): programs/usleep.go makes the same call on a
    # locked thread.  (Not time.Sleep, which goes through the runtime's timers
    # and netpoll; not Python's time.sleep, which adds the interpreter.)
    GoBench("usleep", ("-us", "20,100,1000"), ("-us", "20,100,1000", "-budget", "15ms"),
            {"go.usleep.20": ("median_ns_20", N_("sysmon's usleep(20): a raw 20 µs nanosleep really takes"),
                              "ns", "syscall"),
             "go.usleep.100": ("median_ns_100", N_("a raw 100 µs nanosleep really takes"), "ns", "syscall"),
             "go.usleep.1000": ("median_ns_1000", N_("a raw 1 ms nanosleep really takes"), "ns", "syscall")},
            gomaxprocs=1),
    GoBench("memblocked", ("-n", "100000"), ("-n", "20000"),
            {"go.mem.sys_per_g": ("sys_per_g", N_("memory (Sys) per blocked goroutine"), "B", "memory"),
             "go.mem.stack_per_g": ("stack_inuse_per_g", N_("stack in use per blocked goroutine"), "B", "memory"),
             "go.mem.heap_per_g": ("heap_inuse_per_g", N_("heap in use per blocked goroutine"), "B", "memory")},
            repeats=3),
]


def measure_go(repeats=5, quick=False, bar=None, go=None, only=None):
    """Run the Go programs in :data:`GO_BENCHES`; returns ``(measurements, extra)``.

    Each repeat is a fresh process.  ``extra["stack_growth"]`` lists the
    stack moves of a deep recursion (depth, bytes used, stack size after).
    Raises :class:`~gmpkit.real.toolchain.GoUnavailable` without Go.
    """
    from .toolchain import find_go
    tc = find_go(go)
    benches = [b for b in GO_BENCHES if only is None or set(b.fields) & set(only)]
    samples = {name: [] for b in benches for name in b.fields}
    cmds = {}
    for r in range(max((b.repeats or repeats) for b in benches) if benches else 0):
        for i, b in enumerate(benches):      # interleaved rounds, as in measure_python
            if r >= (b.repeats or repeats):
                continue
            res = tc.run(b.program, list(b.quick_args if quick else b.args),
                         gomaxprocs=b.gomaxprocs, timeout=120)
            data = res.json()
            cmds[i] = res.command_line
            for name, (fld, *_rest) in b.fields.items():
                samples[name].append(float(data[fld]))
            if bar:
                bar.step(b.program)
    out = []
    for i, b in enumerate(benches):
        for name, (fld, label, unit, group) in b.fields.items():
            out.append(Measurement(name, label, unit, group, samples[name], command=cmds.get(i, ""),
                                   params={"program": b.program,
                                           "args": list(b.quick_args if quick else b.args),
                                           "gomaxprocs": b.gomaxprocs}))
    extra = {}
    if only is None:
        res = tc.run("stackgrowth", ["-depth", "5000" if quick else "20000"], timeout=60)
        extra["stack_growth"] = dict(res.json(), command=res.command_line)
        if bar:
            bar.step("stackgrowth")
    return out, extra


def _go_steps(repeats, only=None):
    n = sum((b.repeats or repeats) for b in GO_BENCHES
            if only is None or set(b.fields) & set(only))
    return n + (1 if only is None else 0)
