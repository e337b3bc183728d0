"""Go 1.0's timers (``src/pkg/runtime/time.goc``): ``time.Sleep`` on GM.

One heap of timers, served by the ``timerproc`` goroutine, which the first
sleep starts.  It sleeps in a system call until the next timer (woken early
by an earlier one) or parks when there is none, and, like any goroutine,
needs one of GM's CPU slots to run the timers.

:class:`Go1Timers` is mixed into :class:`~gmpkit.models.gm.GM` (the scheduler,
beside ``proc.c``); its state (``timers``, ``timer_seq``, ``timerproc``,
``tp_sleeping``, ``tp_rescheduling``, ``tp_wake``, ``tp_woken``) is set up in
``GM.setup``.  The lock it goes through is :mod:`gmpkit.models.gmlock`.
"""

from __future__ import annotations

import heapq

from ..ops import Syscall
from ..sync import Chan

__all__ = ["Go1Timers"]


class Go1Timers:
    """Mixin of :class:`~gmpkit.models.gm.GM`: ``runtime·tsleep``, ``addtimer``'s
    wake-ups and the ``timerproc`` goroutine of Go 1.0's ``time.goc``."""

    def do_sleep(self, m, g, op):
        """``runtime·tsleep`` (Go 1.0's time.goc): add a timer and park ``g``.

        ``addtimer`` starts the timer goroutine with the first timer; when the new
        timer is the earliest, it wakes timerproc: out of its ``notetsleep`` (a
        futex wait inside entersyscall/exitsyscall) or, if it had no timers and
        parked, with ``runtime·ready``.  Either way timerproc must get a CPU slot
        to run the timer, like any goroutine."""
        sim = self.sim
        sim.park(g, "sleep", sync=False)
        when = self.engine.now + op.ns
        self.timer_seq += 1
        heapq.heappush(self.timers, (when, self.timer_seq, g))
        if self.timerproc is None:
            self.tp_wake = Chan(name="timers")
            self.timerproc = sim.spawn(self._timerproc, (), "timerproc", parent=g)
            self.schedlock(m, self._ready_locked, self.timerproc, (self.schedule, m, g))
            return
        if self.timers[0][2] is g:                   # the earliest timer now
            if self.tp_sleeping:
                self.tp_sleeping = False
                self._notewakeup_timers()
            if self.tp_rescheduling:
                self.tp_rescheduling = False
                Chan._send(self.tp_wake, sim, g, None)   # runtime·ready(timers.timerproc)
                self._drain_pending(m, (self.schedule, m, g))
                return
        self.schedule(m, g)

    def _drain_pending(self, m, cont):
        """Pay the ``runtime·ready`` calls ``m``'s G made (one lock section each), then
        ``cont``."""
        if m.pending:
            w = m.pending.popleft()
            self.schedlock(m, self._ready_locked, w, (self._drain_pending, m, cont))
        else:
            cont[0](*cont[1:])

    def _notewakeup_timers(self):
        """``notewakeup(&timers.waitnote)``: end timerproc's sleep; its thread runs
        ``kernel_switch_ns`` later (then exitsyscall needs a CPU slot)."""
        tp = self.timerproc
        if tp.timer is None:               # not yet in its sleep: it will not start it
            self.tp_woken = True
            return
        self.engine.cancel(tp.timer)
        m = self.ms[tp.m]
        tp.timer = self.engine.after(self.costs["kernel_switch_ns"], self.exitsyscall, m, tp)

    def _timerproc(self):
        """Go 1.0's ``timerproc`` goroutine: run the expired timers (each readies its
        sleeper, ``runtime·ready``); then sleep in a syscall until the next one, or
        park when there is none."""
        sim, me = self.sim, self.timerproc
        while True:
            now = self.engine.now
            while self.timers and self.timers[0][0] <= now:
                _, _, g = heapq.heappop(self.timers)
                sim.ready(g, me)
            if not self.timers:
                self.tp_rescheduling = True
                yield self.tp_wake.recv()
                continue
            self.tp_sleeping = True
            yield Syscall(self.timers[0][0] - now)
            self.tp_sleeping = False
