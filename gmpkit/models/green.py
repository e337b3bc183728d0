"""N:1 green threads: every goroutine multiplexed onto one kernel thread.

The runtime is a user-level scheduler on a single OS thread (M0) and so a
single CPU.  Switching between goroutines is cheap (no kernel involved), but:

* only one goroutine ever runs at a time, however many cores the machine has;
* a blocking system call blocks the one thread, so *every* goroutine freezes
  until it returns;
* there is no preemption: a goroutine runs until it blocks, yields or exits.

Network I/O and timers go through an event loop (``io_poller=True``, as in
gevent or early Java green threads with non-blocking sockets), so they park
only the goroutine.  With ``io_poller=False`` network I/O blocks the thread
like a system call.

>>> import gmpkit as gk
>>> def main():
...     yield gk.go(blocker); yield gk.go(ticker)
...     yield gk.sleep(ms=1)
>>> def blocker(): yield gk.syscall(ms=5)
>>> def ticker(): yield gk.compute(us=10)
>>> gk.simulate(main, model=gk.GreenThreads()).stats["makespan_ns"] >= 5_000_000
True
"""

from __future__ import annotations

from collections import deque

from ..i18n import N_
from ..ops import Compute
from .base import Model

__all__ = ["GreenThreads"]


class GreenThreads(Model):
    """N:1: all goroutines on one kernel thread, cooperative switching.

    Parameters
    ----------
    io_poller : bool
        Network I/O parks only the goroutine (True) or blocks the thread (False).
    goroutine_switch_ns, goroutine_create_ns : int
        Costs of a user-level switch and of creating a goroutine.
    """

    name = N_("N:1 green threads")
    SIMPLIFIES = (
        N_("gk.Mutex keeps Go's sync.Mutex rules (barging, starvation mode after 1 ms); with one "
           "CPU it never spins"),
        N_("one CPU, one kernel thread: nothing runs in parallel"),
        N_("cooperative only: no time slice, a goroutine runs until it blocks, yields or exits"),
        N_("one FIFO run queue; switch cost is a constant"),
    )

    def __init__(self, io_poller=True, **costs):
        super().__init__(**costs)
        self.io_poller = bool(io_poller)
        self.procs = 1
        self.max_parallel = 1

    def describe(self):
        return f"GreenThreads(io_poller={self.io_poller})"

    def setup(self, sim):
        super().setup(sim)
        self.runq = deque()
        self.cur = None       # G on the thread (running, or blocking it in a syscall)
        self.busy = False
        self.last = None      # last G that ran: switching to another costs a switch
        self.idle_since = 0
        sim.stats["threads_created"] = 1
        self.counter("threads", 1)
        # run_g does do_compute's work in place unless a subclass overrides it
        self._compute_op = Compute if type(self).do_compute is GreenThreads.do_compute else None

    # ---- queueing -----------------------------------------------------------
    def start(self, g):
        self._put(g)
        self._kick()

    def ready(self, g, waker):
        self._put(g)
        self._kick()

    def _put(self, g):
        self.runq.append(g)
        self.counter("runqueue", len(self.runq))

    def _kick(self):
        if not self.busy:
            self.schedule()

    def schedule(self):
        """Pick the next goroutine (FIFO) or let the thread idle."""
        self.cur = None
        if not self.runq:
            if self.busy:
                self.busy = False
                self.idle_since = self.engine.now
            return
        now = self.engine.now
        if not self.busy:
            self.span("idle", self.idle_since, now, m=0)
        self.busy = True
        g = self.runq.popleft()
        self.counter("runqueue", len(self.runq))
        self.cur = g
        cost = 0
        if self.last is not None and g is not self.last:
            cost = self.costs["goroutine_switch_ns"]
            self.sim.stats["context_switches"] += 1
            self.span("switch", now, now + cost, m=0, g=g.id)
        # Always through the engine: a long chain of instant switches must not
        # become a deep Python recursion.
        self.engine.after(cost, self._execute, g)

    def _execute(self, g):
        g.status = "running"
        g.m = 0
        self.last = g
        self.run_g(0, g)

    def run_g(self, m, g):
        """Run ``g`` to its next operation and hand that to its handler.

        A compute is done in place (as :meth:`do_compute`); when it ends before
        any other event is due, nothing can happen in between on the one thread,
        so the G runs on at once, in a loop, exactly as the run loop would pop
        the compute's end next (same clock, event count and records), without a
        heap push and pop.  Not while the run is stepped (animations)."""
        engine = self.engine
        while True:
            op = self._advance(g)
            if type(op) is not self._compute_op:
                self._handlers[type(op)](m, g, op)
                return
            now = engine.now
            ns = op.ns
            when = now + ns
            if ns > 0:
                self._mspan("running", now, when, 0, -1, g.id)
            heap = engine._heap
            if (heap and heap[0][0] <= when) or self.sim._check or not engine.may_run_ahead(when):
                engine.after(ns, self.run_g, 0, g)
                return
            engine.now = when     # the next event is this compute's end
            engine.events += 1

    # ---- operations ---------------------------------------------------------
    def do_compute(self, m, g, op):
        now = self.engine.now
        self.span("running", now, now + op.ns, m=0, g=g.id)
        self.engine.after(op.ns, self.run_g, 0, g)

    def do_go(self, m, g, op):
        self._put(op.g)
        cost = self.costs["goroutine_create_ns"]
        now = self.engine.now
        self.span("spawn", now, now + cost, m=0, g=g.id)
        self.engine.after(cost, self.run_g, 0, g)

    def do_syscall(self, m, g, op):
        # The only thread blocks in the kernel: nobody else can run.
        now = self.engine.now
        g.status = "syscall"
        self.event("syscall-enter", g=g.id, m=0)
        self.span("syscall", now, now + op.ns, m=0, g=g.id)
        self.engine.after(op.ns, self._syscall_exit, g)

    def _syscall_exit(self, g):
        self.event("syscall-exit", g=g.id, m=0)
        g.status = "running"
        self.run_g(0, g)

    def do_netio(self, m, g, op):
        if not self.io_poller:
            self.do_syscall(m, g, op)
            return
        self.sim.park(g, "IO wait", sync=False)
        self.engine.after(op.ns, self.sim.ready, g, None)
        self.schedule()

    def do_sleep(self, m, g, op):
        self.sim.park(g, "sleep", sync=False)
        self.engine.after(op.ns, self.sim.ready, g, None)
        self.schedule()

    def do_gosched(self, m, g, op):
        g.status = "runnable"
        self.event("gosched", g=g.id, m=0)
        self._put(g)
        self.schedule()

    def do_blocked(self, m, g):
        self.schedule()

    def do_exit(self, m, g):
        self.schedule()

    # ---- inspection ---------------------------------------------------------
    def finish(self, now):
        if not self.busy:
            self.span("idle", self.idle_since, now, m=0)

    def snapshot(self):
        cur = self.cur
        state = "idle" if cur is None else ("syscall" if cur.status == "syscall" else "running")
        return {"ps": [], "ms": [{"id": 0, "p": None, "g": cur.id if cur else None,
                                  "state": state}],
                "global": [g.id for g in self.runq], "netpoll": [], "timers": []}
