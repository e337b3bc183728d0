"""1:1 kernel threads: every goroutine is an OS thread scheduled by the kernel.

This is what a language without a runtime scheduler does (C with pthreads,
Java before virtual threads): ``go f()`` becomes ``pthread_create``, and the
kernel decides which threads run on the machine's CPUs.

Glossary
--------
thread
    A kernel-scheduled thread.  Here goroutine *n* is thread *n*: in the
    Timeline its lane is ``m = n`` (the M vocabulary of Go: an M is an OS
    thread) and ``p`` is the CPU it is running on (``-1`` off CPU), so a
    "per P" view of the timeline is a per-CPU view.
CPU
    One of ``cpus`` processors.  At most ``cpus`` threads run at once
    (``Timeline.max_parallel``).
run queue
    Runnable threads waiting for a CPU: one FIFO queue (counter ``runqueue``).
time slice
    How long a thread may run while others wait; then it is preempted and
    goes to the tail of the run queue.
context switch
    A CPU moving from one thread to another: ``kernel_switch_ns`` of CPU time
    that runs nobody's code (a ``switch`` span).  With ``R`` threads always
    runnable, each slice ``S`` of useful work costs one switch ``C``, so the
    useful share of the CPU is ``S / (S + C)``.

What costs what
---------------
* ``go f()``: the creating thread spends ``thread_create_ns`` on its CPU
  (``spawn`` span), then the new thread is runnable.  Each thread reserves
  ``thread_stack_bytes`` (8 MB, glibc's default) of virtual memory plus one
  4 KiB guard page (stats ``virtual_bytes`` now and ``virtual_bytes_peak``).
* ``syscall`` and ``netio`` block the thread in the kernel (``syscall``
  span, ``p = -1``): its CPU runs someone else.  ``sleep`` and channel, mutex
  and wait-group waits block the thread too (``blocked`` span; in C that is
  ``nanosleep`` or a futex wait).
* A woken thread goes to the tail of the run queue; an idle CPU takes it at
  once (its last CPU if idle, else the lowest-numbered idle one).
* Every time a thread is put on a CPU (after a wake-up, a preemption, or a
  new thread's first run) the CPU pays ``kernel_switch_ns`` (default 2.7 µs:
  the measured pthread hand-off over a futex: DESIGN.md, "Reference measurements").  A thread
  that keeps its CPU (its slice ends but nobody waits) pays nothing.

The default time slice, 3 ms, is what Linux's CFS gives each of two runnable
threads on one CPU (``sched_latency_ns`` = 6 ms shared between them); CFS
shrinks it as more threads wait, to a floor of 0.75 ms, and this model keeps
it fixed so the arithmetic of the "switch cost eats CPU" experiment stays
visible.  Change it with ``slice_ns=``.

>>> import gmpkit as gk
>>> def hog(): yield gk.compute(ms=9)
>>> def main():
...     yield gk.go(hog); yield gk.go(hog)
...     yield gk.sleep(ms=30)
>>> run = gk.simulate(main, model=gk.Threads(cpus=1))
>>> run.stats["threads_created"], run.stats["preemptions"] > 0
(3, True)
"""

from __future__ import annotations

from collections import deque
from numbers import Integral

from ..i18n import N_, tr
from .base import Model, check_count

__all__ = ["Threads", "GUARD_PAGE_BYTES", "DEFAULT_SLICE_NS"]

# glibc puts one guard page (PROT_NONE) below every thread stack it maps, so a
# stack overflow faults instead of silently overwriting the next mapping.
GUARD_PAGE_BYTES = 4096

# CFS: sched_latency_ns (6 ms) divided between two runnable threads.
DEFAULT_SLICE_NS = 3_000_000

# A slice longer than this is a unit mistake (1 s of simulated CPU per turn).
MAX_SLICE_NS = 1_000_000_000


class _CPU:
    """One processor: the thread on it, when its slice ends, since when it idles."""

    __slots__ = ("id", "cur", "slice_end", "idle_since")

    def __init__(self, cid):
        self.id = cid
        self.cur = None        # G whose thread is on this CPU (or switching in)
        self.slice_end = 0
        self.idle_since = 0


class Threads(Model):
    """1:1: each goroutine a kernel thread, time-sliced on ``cpus`` CPUs.

    Parameters
    ----------
    cpus : int
        Number of CPUs (1-1024).
    slice_ns : int
        Round-robin time slice in ns (default 3 ms, see the module doc).
    costs : keyword costs
        ``kernel_switch_ns``, ``thread_create_ns``, ``thread_stack_bytes`` ...
        e.g. ``gk.Threads(cpus=2, kernel_switch_ns=10_000)``.
    """

    name = N_("1:1 threads")
    MODELS = (
        N_("Every goroutine is a kernel thread, created at thread_create_ns and never reused."),
        N_("Each thread reserves an 8 MB stack plus a 4 KiB guard page of virtual memory."),
        N_("At most cpus threads run at once; the rest wait in the kernel's run queue."),
        N_("A thread that still has work when its time slice ends is preempted if another "
           "thread is waiting, and goes to the tail of the run queue."),
        N_("Every time a thread is put on a CPU (woken, preempted and resumed, or new) the CPU "
           "spends kernel_switch_ns switching to it."),
        N_("Blocking calls (syscalls, network reads, sleeps, channel and mutex waits) take the "
           "thread off its CPU, which then runs another thread."),
    )
    SIMPLIFIES = (
        N_("gk.Mutex keeps Go's sync.Mutex rules (barging, starvation mode after 1 ms) rather "
           "than a pthread mutex's, and never spins."),
        N_("The kernel scheduler is plain round robin with one fixed time slice; real CFS/EEVDF "
           "track virtual run time, shrink the slice as more threads wait, and let a woken "
           "thread preempt a running one."),
        N_("One run queue shared by all CPUs; Linux keeps one per CPU and balances them, so a "
           "woken thread can wait longer than here."),
        N_("A switch costs the same constant whatever the threads; cache and TLB refill "
           "after a switch is not modelled."),
        N_("A running thread is preempted only between its compute chunks, at slice boundaries; "
           "creating a thread or a channel operation is never interrupted."),
        N_("Waking a blocked thread and thread exit cost nothing beyond the switch onto a CPU."),
        N_("Network I/O blocks the thread like any system call (no epoll event loop)."),
    )

    def __init__(self, cpus=1, slice_ns=DEFAULT_SLICE_NS, **costs):
        super().__init__(**costs)
        self.cpus = check_count("Threads", "cpus", cpus)
        if isinstance(slice_ns, bool) or not isinstance(slice_ns, Integral):
            raise TypeError(tr("Threads(slice_ns={value!r}): the time slice must be a whole "
                               "number of ns, e.g. slice_ns=3_000_000 for 3 ms", value=slice_ns))
        if not 0 < slice_ns <= MAX_SLICE_NS:
            raise ValueError(tr("Threads(slice_ns={value}): the time slice must be between 1 ns "
                                "and {max:,} ns (1 s); Linux uses a few ms", value=slice_ns,
                                max=MAX_SLICE_NS))
        self.slice_ns = int(slice_ns)
        self.procs = self.cpus
        self.max_parallel = self.cpus

    def describe(self):
        return f"Threads(cpus={self.cpus}, slice_ns={self.slice_ns})"

    @property
    def thread_vm_bytes(self):
        """Virtual memory one thread reserves: its stack plus a guard page."""
        return self.costs["thread_stack_bytes"] + GUARD_PAGE_BYTES

    # ---- attached to a simulation ------------------------------------------
    def setup(self, sim):
        super().setup(sim)
        self.cpu = [_CPU(i) for i in range(self.cpus)]
        self.runq = deque()           # runnable threads (Gs), FIFO
        self.last_cpu = {}            # gid -> CPU it last ran on (wake-up affinity)
        self.blocked_since = {}       # gid -> when its thread blocked (sleep, futex)
        self.live = 0
        self.st = {"switch_ns_total": 0, "running_ns_total": 0, "virtual_bytes_peak": 0,
                   "virtual_bytes": 0, "thread_create_ns_total": 0}
        self.counter("idleprocs", self.cpus)

    def start(self, g):
        # The process's main thread exists already: no creation cost, but it
        # counts as a thread with its own stack.
        self._new_thread(g)
        self._wake(g)

    def _new_thread(self, g):
        self.sim.stats["threads_created"] += 1
        self.live += 1
        g.m = g.id
        vm = self.live * self.thread_vm_bytes
        self.st["virtual_bytes"] = vm
        self.st["virtual_bytes_peak"] = max(self.st["virtual_bytes_peak"], vm)
        self.counter("threads", self.live)

    # ---- the kernel scheduler ----------------------------------------------
    def ready(self, g, waker):
        """A blocked thread is woken (futex wake, timer): it becomes runnable."""
        since = self.blocked_since.pop(g.id, None)
        if since is not None:
            self.span("blocked", since, self.engine.now, m=g.id, g=g.id)
        self._wake(g)

    def _wake(self, g):
        g.status = "runnable"
        self.runq.append(g)
        self.counter("runqueue", len(self.runq))
        idle = [c for c in self.cpu if c.cur is None]
        if idle:
            prev = self.last_cpu.get(g.id)
            cpu = next((c for c in idle if c.id == prev), idle[0])
            self._dispatch(cpu)

    def _dispatch(self, cpu):
        """The kernel's schedule() on ``cpu``: run the head of the run queue, or idle."""
        now = self.engine.now
        was_idle = cpu.cur is None and cpu.idle_since is not None
        if not self.runq:
            cpu.cur = None
            if cpu.idle_since is None:
                cpu.idle_since = now
                self._count_idle()
            return
        if was_idle:
            self.tl.add_span("idle", cpu.idle_since, now, lane="P", p=cpu.id)
            cpu.idle_since = None
        g = self.runq.popleft()
        self.counter("runqueue", len(self.runq))
        cpu.cur = g
        g.p = cpu.id
        self._count_idle()
        # Every time a thread gets a CPU it was not already running on, the
        # kernel switches to it (from another thread or from the idle task).
        cost = self.costs["kernel_switch_ns"]
        self.sim.stats["context_switches"] += 1
        self.st["switch_ns_total"] += cost
        self.span("switch", now, now + cost, m=g.id, p=cpu.id, g=g.id)
        # Through the engine, never a direct call: a long run of zero-cost
        # dispatches must not become deep recursion.
        self.engine.after(cost, self._on_cpu, cpu, g)

    def _on_cpu(self, cpu, g):
        cpu.slice_end = self.engine.now + self.slice_ns
        self.last_cpu[g.id] = cpu.id
        g.status = "running"
        if g.left > 0:                 # preempted in the middle of a compute
            self._run_chunk(cpu, g)
        else:
            self.run_g(cpu, g)

    def _off_cpu(self, cpu, g):
        """``g``'s thread leaves ``cpu`` (blocks, yields, exits): run someone else."""
        g.p = -1
        cpu.cur = None
        self._dispatch(cpu)

    def _count_idle(self):
        self.counter("idleprocs", sum(1 for c in self.cpu if c.cur is None))

    # ---- compute and preemption --------------------------------------------
    def do_compute(self, cpu, g, op):
        g.left = op.ns
        self._run_chunk(cpu, g)

    def _run_chunk(self, cpu, g):
        now = self.engine.now
        if g.left == 0:
            self.engine.after(0, self.run_g, cpu, g)
            return
        if now >= cpu.slice_end:
            if self.runq:              # slice used up and someone waits: preempt
                self._preempt(cpu, g)
                return
            cpu.slice_end = now + self.slice_ns   # alone: keep the CPU, new slice
        n = min(g.left, cpu.slice_end - now)
        self.span("running", now, now + n, m=g.id, p=cpu.id, g=g.id)
        self.st["running_ns_total"] += n
        self.engine.after(n, self._chunk_done, cpu, g, n)

    def _chunk_done(self, cpu, g, n):
        g.left -= n
        if g.left:
            self._run_chunk(cpu, g)
        else:
            self.run_g(cpu, g)

    def _preempt(self, cpu, g):
        self.sim.stats["preemptions"] += 1
        self.event("preempt", g=g.id, m=g.id, p=cpu.id)
        g.status = "runnable"
        g.p = -1
        cpu.cur = None
        self.runq.append(g)
        self.counter("runqueue", len(self.runq))
        self._dispatch(cpu)

    # ---- operations ----------------------------------------------------------
    def do_go(self, cpu, g, op):
        """``pthread_create``: the creator's CPU pays, then the new thread is runnable."""
        cost = self.costs["thread_create_ns"]
        now = self.engine.now
        self.span("spawn", now, now + cost, m=g.id, p=cpu.id, g=g.id)
        self.st["thread_create_ns_total"] += cost
        self.engine.after(cost, self._created, cpu, g, op.g)

    def _created(self, cpu, g, child):
        self._new_thread(child)
        self._wake(child)
        self.run_g(cpu, g)

    def do_syscall(self, cpu, g, op, what="syscall"):
        now = self.engine.now
        g.status = "syscall"
        self.event("syscall-enter", g=g.id, m=g.id, p=cpu.id, detail=what)
        self.span("syscall", now, now + op.ns, m=g.id, g=g.id)
        self.engine.after(op.ns, self._syscall_exit, g, what)
        self._off_cpu(cpu, g)

    def _syscall_exit(self, g, what):
        self.event("syscall-exit", g=g.id, m=g.id, detail=what)
        self._wake(g)

    def do_netio(self, cpu, g, op):
        # A blocking read() on a socket: the thread sleeps in the kernel.
        self.do_syscall(cpu, g, op, what="netio")

    def do_sleep(self, cpu, g, op):
        self.sim.park(g, "sleep", sync=False)
        self.blocked_since[g.id] = self.engine.now
        self.engine.after(op.ns, self.sim.ready, g, None)
        self._off_cpu(cpu, g)

    def do_gosched(self, cpu, g, op):
        """``sched_yield``: to the tail of the run queue if anyone else is waiting."""
        self.event("gosched", g=g.id, m=g.id, p=cpu.id)
        if not self.runq:
            self.engine.after(0, self.run_g, cpu, g)
            return
        g.status = "runnable"
        g.p = -1
        cpu.cur = None
        self.runq.append(g)
        self.counter("runqueue", len(self.runq))
        self._dispatch(cpu)

    def do_blocked(self, cpu, g):
        # The sync object parked the G: its thread waits on a futex.
        self.blocked_since[g.id] = self.engine.now
        self._off_cpu(cpu, g)

    def do_exit(self, cpu, g):
        self.live -= 1
        self.st["virtual_bytes"] = self.live * self.thread_vm_bytes
        self.counter("threads", self.live)
        self._off_cpu(cpu, g)

    # ---- inspection -----------------------------------------------------------
    def finish(self, now):
        for c in self.cpu:
            if c.cur is None and c.idle_since is not None:
                self.tl.add_span("idle", c.idle_since, now, lane="P", p=c.id)
        for gid, since in sorted(self.blocked_since.items()):
            self.span("blocked", since, now, m=gid, g=gid)

    def stats(self):
        s = dict(self.st)
        s["virtual_bytes_per_thread"] = self.thread_vm_bytes
        s["cpus"] = self.cpus
        s["slice_ns"] = self.slice_ns
        return s

    def snapshot(self):
        on = {c.cur.id: c.id for c in self.cpu if c.cur is not None}
        queued = {g.id for g in self.runq}
        ms = []
        for g in self.sim.gs.values():
            if g.status == "dead":
                continue
            if g.id in on:
                state = "running"
            elif g.status == "syscall":
                state = "syscall"
            elif g.id in queued:
                state = "runnable"
            else:
                state = "blocked"
            ms.append({"id": g.id, "p": on.get(g.id), "g": g.id, "state": state})
        ps = [{"id": c.id, "status": "idle" if c.cur is None else "running",
               "m": c.cur.id if c.cur is not None else None, "runnext": None, "runq": [],
               "schedtick": 0, "timers": 0} for c in self.cpu]
        return {"ps": ps, "ms": ms, "global": [g.id for g in self.runq], "netpoll": [],
                "timers": [], "slice_ns": self.slice_ns}
