"""Go 1.0's GM scheduler: one global run queue under one global lock.

A miniature of ``src/pkg/runtime/proc.c`` as released with Go 1.0 (March
2012), the scheduler that Dmitry Vyukov's "Scalable Go Scheduler Design Doc"
(2012) set out to replace.  The functions below carry the C names, and each
docstring names its counterpart, so the two can be read side by side.

Glossary
--------
G
    A goroutine (``struct G``).
M
    An OS thread (``struct M``).  There is no P: an M runs Go code whenever
    it holds a G, and every M has its own memory cache (``m->mcache``).
sched
    The one ``Sched`` struct: the run queue ``ghead``/``gtail`` (one FIFO for
    the whole program), the idle M list ``mhead`` (a stack), the G free list,
    and the counters ``mcpu`` (Ms running Go code) and ``mcpumax``
    (GOMAXPROCS, which defaulted to **1** in Go 1.0).
schedlock
    The lock around ``sched``.  Every scheduling decision takes it: ``go``
    (``newproc``), every wake-up (``ready``), every block, yield or exit
    (``schedule``), and system calls whenever Gs are waiting.
hand-off
    ``matchmg`` gives a queued G to a *particular* M in ``m->nextg`` and wakes
    that thread.  The G lands on whichever M is idle (or a brand-new one),
    not on the M that readied it: its cache is cold (locality lost) and a
    thread must be woken first (latency).

How the lock is modelled
------------------------
See :mod:`gmpkit.models.gmlock` (``lock_futex.c``): a thread that finds
``schedlock`` held spins, then sleeps in ``futex``; each critical section
holds the lock ``schedlock_hold_ns``, longer when it creates or wakes a thread.
Timers (``time.goc``) are in :mod:`gmpkit.models.gmtimers`.

What this produces: with few Ms the lock is rarely held when wanted; as
GOMAXPROCS grows, the waits (``lock-wait`` spans: spinning burns the CPU,
sleeping does not) and the thread wake-ups of hand-offs grow faster than the
added parallelism, so on a scheduling-heavy workload throughput first
flattens and then *falls*; the 2012 design doc reports a server at 70 % CPU
on 8 cores with 14 % of its profile in ``runtime.futex``.  On an M's lane:
``lock-wait`` while waiting for the lock, ``sched`` while holding it.

Vyukov's four problems, and where to see them here
---------------------------------------------------
1. Global mutex: stats ``lock_wait_ns``, ``lock_contended``, ``lock_sleeps``;
   makespan vs ``procs`` on :func:`gmpkit.scenarios.lock_heavy`.
2. G hand-off: stats ``handoffs``, ``migrations`` (a G resumed on another
   M than last time) and ``remote_wakeups`` (a woken or new G that ran on
   another M than the G that readied it: the data it was handed is in the
   other thread's cache); ``handoff`` events.
3. Per-M mcache: stats ``mcache_bytes_peak`` (Ms x ``mcache_bytes``; Ms are
   never freed) and ``mcache_bytes_in_syscall_peak`` (the caches held by Ms
   blocked in system calls, doing nothing with them).
4. Thread churn: stats ``thread_parks`` and ``thread_wakeups``;
   ``exitsyscall_requeues`` counts syscalls that returned to a full house and
   had to park their M.

The Timeline: M lanes only, ``p = -1`` everywhere (Go 1.0 has no P).
``max_parallel = procs``: at most GOMAXPROCS Gs run Go code at once.
Counters ``runqueue`` (global queue), ``threads``, ``idlethreads``, ``mcpu``.

>>> import gmpkit as gk
>>> def child(): yield gk.compute(us=5)
>>> def main():
...     for _ in range(4):
...         yield gk.go(child)
...     yield gk.sleep(us=100)
>>> run = gk.simulate(main, model=gk.GM(procs=2))
>>> run.stats["handoffs"] > 0, run.stats["threads_created"] >= 2
(True, True)
"""

from __future__ import annotations

from array import array
from collections import deque

from ..i18n import N_
from .base import Model, check_count
from .gmlock import _TIMER, FutexLock, _Waiter
from .gmtimers import Go1Timers

_NO_M_1024 = array("i", [-1] * 1024).tobytes()   # GM.lastm grows by this much

__all__ = ["GM"]


class _M:
    """``struct M``: an OS thread.  ``nextg`` is a G handed over by matchmg."""

    __slots__ = ("id", "curg", "nextg", "lastg", "state", "since", "pending")

    def __init__(self, mid):
        self.id = mid
        self.curg = None      # the G it runs (or is about to run, or is in a syscall with)
        self.nextg = None     # m->nextg: handed over by matchmg, not yet running
        self.lastg = None     # the G it ran last (resuming it costs no switch)
        self.state = "new"    # new | running | lock-wait | idle | syscall
        self.since = 0        # when it went idle
        self.pending = deque()  # Gs it readied while running its G: each costs a ready()

    def __repr__(self):
        return f"<M{self.id} {self.state}>"


class GM(FutexLock, Go1Timers, Model):
    """Go 1.0: one global FIFO run queue, one lock, no P, no preemption.

    Parameters
    ----------
    procs : int
        GOMAXPROCS (``mcpumax``): how many Ms may run Go code at once.  Go 1.0's
        default was 1.
    costs : keyword costs
        ``schedlock_hold_ns``, ``schedlock_spin_ns``, ``kernel_switch_ns``
        (waking a sleeping thread), ``thread_create_ns``,
        ``goroutine_switch_ns``, ``goroutine_create_ns``, ``mcache_bytes`` ...
    """

    name = N_("GM (Go 1.0)")
    MODELS = (
        N_("One run queue for the whole program, first in first out, under one lock."),
        N_("Every scheduling operation (go, wake-up, block, yield, exit, and a syscall while "
           "goroutines wait) takes the global lock and holds it for schedlock_hold_ns."),
        N_("A thread that finds the lock held spins for schedlock_spin_ns, then sleeps in futex; "
           "each release hands the lock to a spinner and wakes one sleeper, which takes "
           "kernel_switch_ns to wake and may find the lock taken again."),
        N_("At most GOMAXPROCS threads run Go code (mcpu <= mcpumax); the rest of the Ms are idle "
           "or in system calls."),
        N_("While a slot is free, a woken goroutine is handed to an idle thread (the one parked "
           "last) or a newly created one, never to the thread of the goroutine that woke it; an "
           "idle thread must be woken first (kernel_switch_ns)."),
        N_("A system call gives up its slot (mcpu--) and may start another thread; returning to a "
           "full house sends the goroutine to the global queue and puts the thread to sleep."),
        N_("Every thread has its own memory cache, including threads blocked in system calls; "
           "threads are never destroyed."),
        N_("No preemption: a goroutine runs until it blocks, yields, makes a syscall or exits."),
        N_("Timers (time.goc): time.Sleep adds to one heap served by the timerproc goroutine, "
           "started by the first sleep; it sleeps in a system call until the next timer (woken "
           "early by an earlier one) and, like any goroutine, needs a CPU slot to run them, so "
           "goroutines that never block hold back every timer."),
    )
    SIMPLIFIES = (
        N_("Spinning threads get the lock in arrival order (on real hardware whichever core "
           "sees the release first wins), and spinning takes no CPU away from running "
           "goroutines (the machine is assumed to have a core for every thread)."),
        N_("Every critical section holds the lock for the same time, schedlock_hold_ns "
           "(plus thread_clone_ns per thread it creates, and syscall_overhead_ns per futex "
           "wake-up it does under the lock)."),
        N_("Network I/O completions ready their goroutine through the global lock without an "
           "M of their own; Go 1.0 ran them on a poll-server goroutine blocked in epoll."),
        N_("Go 1.0's timers only serve time.Sleep (no time.After, tickers or timer channels)."),
        N_("The thread that releases schedlock pays nothing for the futex wake-up it makes when "
           "another thread sleeps on the lock (the woken thread's kernel_switch_ns is modelled)."),
        N_("Network I/O simply parks the goroutine until it completes (no poll-server thread "
           "in a system call)."),
        N_("No garbage collector, no stop-the-world, no LockOSThread, no cgo."),
        N_("Go 1.0's segmented stacks and the G free list cost nothing here."),
    )

    # Go 1.0's sync.Mutex: normal mode only (no spinning before Go 1.5, no
    # starvation mode before Go 1.9); a woken waiter that loses re-queues at the tail.
    MUTEX_STARVATION = False

    def __init__(self, procs=1, **costs):
        super().__init__(**costs)
        self.procs = check_count("GM", "procs", procs)
        self.max_parallel = self.procs

    def describe(self):
        return f"GM(procs={self.procs})"

    # ---- attached to a simulation ------------------------------------------
    def setup(self, sim):
        super().setup(sim)
        self.ms: list[_M] = []
        self.runq = deque()          # sched.ghead .. sched.gtail
        self.midle: list[_M] = []    # sched.mhead: mput pushes, mget pops (a stack)
        self.mcpu = 0                # Ms running Go code (or handed a G to run)
        self.mcpumax = self.procs    # GOMAXPROCS
        self.lock_owner = None       # M (or the timer) holding schedlock
        self.lock_spinners = deque()  # _Waiters spinning for it, in arrival order
        self.lock_sleepers = deque()  # _Waiters asleep in futex, in order of sleeping
        self.lock_waiting = {}        # every _Waiter not yet served (spinning, asleep, waking)
        self.readyonstop = set()     # gids readied while still on their M
        # lastm[gid]: the M that G last ran on, -1 if none yet (an int array grown
        # as Gs appear: 4 bytes a G, where a dict entry costs ~30)
        self.lastm = array("i")
        self.wokenby = {}            # gid -> the M whose G readied it
        self.insyscall = 0
        # Go 1.0's timers (time.goc): one heap, served by the timerproc goroutine
        self.timers = []             # heap of (when, seq, g)
        self.timer_seq = 0
        self.timerproc = None        # timers.timerproc, created by the first sleep
        self.tp_sleeping = False     # timers.sleeping: in notetsleep (a syscall)
        self.tp_rescheduling = False  # timers.rescheduling: parked, no timers
        self.tp_wake = None          # the private channel timerproc parks on
        self.tp_woken = False        # notewakeup came before the sleep started
        self._extra_hold = 0          # ns the current section holds the lock beyond the hold
        self._mwakeup = None          # mwakeup: the M to wake after the unlock
        self.st = {"lock_acquisitions": 0, "lock_contended": 0, "lock_sleeps": 0,
                   "lock_futex_wakeups": 0, "lock_wait_ns": 0, "lock_spin_ns": 0, "lock_hold_ns": 0, "migrations": 0, "remote_wakeups": 0,
                   "thread_parks": 0, "thread_wakeups": 0, "exitsyscall_requeues": 0,
                   "mcache_bytes_peak": 0, "ms_in_syscall_peak": 0,
                   "mcache_bytes_in_syscall_peak": 0, "gfree": 0, "wakeups_under_lock": 0}
        self.counter("mcpu", 0)
        self.counter("idlethreads", 0)

    def start(self, g):
        """rt0: the main G is queued and M0 enters the scheduler (``mstart``)."""
        m0 = self._allocm()
        self.gput(g)
        self.schedule(m0, None)

    # ---- schedlock ---------------------------------------------------------------
    def schedlock(self, m, section, *args):
        """``schedlock()``: take the global lock, then run a critical section.

        ``m`` (an M, or the timer) gets the lock (see :meth:`_lock_wait` for
        how it waits), holds it for ``schedlock_hold_ns``, and then
        ``section(m, *args)`` runs under the lock.  The section returns what
        ``m`` does after :meth:`schedunlock` (a tuple ``(fn, *args)``) or None.
        """
        w = _Waiter(m, self.engine.now, section, args)
        self.st["lock_acquisitions"] += 1
        if self.lock_owner is None:
            self._take(w)
            return
        self.st["lock_contended"] += 1
        if m is not _TIMER:
            m.state = "lock-wait"
        self.lock_waiting[id(w)] = w
        self._lock_wait(w)

    def schedunlock(self, m, cont, wake):
        """``schedunlock()``: release the lock, then wake ``mwakeup``, the last idle
        M handed a G in this section (earlier ones were woken under the lock by
        :meth:`mnextg`).  A woken thread runs ``kernel_switch_ns`` later."""
        now = self.engine.now
        self._lock_release()
        if m is not _TIMER and m.state == "idle":
            m.since = now                 # parked in nextgandunlock
        if wake is not None:
            self._notewakeup(wake, now)
        if cont is not None:
            self.engine.after(0, *cont)

    def _notewakeup(self, mp, when):
        """``notewakeup(&mp->havenextg)`` at ``when``: the idle M runs its ``nextg``
        ``kernel_switch_ns`` later."""
        self.span("idle", mp.since, when, m=mp.id)
        ks = self.costs["kernel_switch_ns"]
        self.span("switch", when, when + ks, m=mp.id, g=mp.nextg.id)
        mp.state = "running"
        self.engine.at(when + ks, self._wakeup, mp)

    def _mstart(self, m):
        """The new thread runs ``mstart`` -> ``schedule(nil)``: it takes the lock and
        finds the G matchmg left in ``m->nextg``."""
        m.state = "running"
        self.schedule(m, None)

    # ---- the queues (sched must be locked) ----------------------------------------
    def gput(self, g):
        """``gput(g)``: put ``g`` at the tail of the global run queue."""
        self.runq.append(g)
        self.counter("runqueue", len(self.runq))

    def gget(self):
        """``gget()``: take the G at the head of the global run queue (or None)."""
        if not self.runq:
            return None
        g = self.runq.popleft()
        self.counter("runqueue", len(self.runq))
        return g

    def mput(self, m):
        """``mput(m)``: push ``m`` on the idle M list."""
        self.midle.append(m)
        self.counter("idlethreads", len(self.midle))

    def mget(self):
        """``mget(g)``: pop an idle M (the most recently parked), or None."""
        if not self.midle:
            return None
        m = self.midle.pop()
        self.counter("idlethreads", len(self.midle))
        return m

    def canaddmcpu(self):
        """``canaddmcpu()``: claim a slot to run Go code if ``mcpu < mcpumax``."""
        if self.mcpu >= self.mcpumax:
            return False
        self._mcpu(+1)
        return True

    def _mcpu(self, d):
        self.mcpu += d
        self.counter("mcpu", self.mcpu)

    # ---- Ms ---------------------------------------------------------------------------
    def _allocm(self):
        """``runtime·allocm``: a new M with its own mcache (never freed)."""
        m = _M(len(self.ms))
        self.ms.append(m)
        self.sim.stats["threads_created"] += 1
        self.counter("threads", len(self.ms))
        self.st["mcache_bytes_peak"] = len(self.ms) * self.costs["mcache_bytes"]
        return m

    def newm(self):
        """``runtime·newm()``, called by matchmg under the lock: allocate the M and
        ``clone()`` the thread, which lengthens the hold by ``thread_clone_ns``.
        The new thread starts ``thread_create_ns`` after newm began."""
        m = self._allocm()
        c = self.costs
        start = self.engine.now + self._extra_hold
        self._extra_hold += min(c["thread_clone_ns"], c["thread_create_ns"])
        self.engine.at(start + c["thread_create_ns"], self._mstart, m)
        return m

    def mnextg(self, mp, g, by):
        """``mnextg(m, g)``: hand ``g`` to ``mp`` in ``m->nextg`` (mcpu already
        counted).  If ``mp`` is parked waiting for a G (``waitnextg``), it becomes
        ``mwakeup``, to be woken after the unlock; an ``mwakeup`` already set by
        this section is woken now, under the lock."""
        mp.nextg = g
        mp.curg = g
        g.m = mp.id
        self.sim.stats["handoffs"] += 1
        self.event("handoff", g=g.id, m=mp.id, other=by.id)
        if mp.state == "idle":
            if self._mwakeup is not None:
                self.st["wakeups_under_lock"] += 1
                self._notewakeup(self._mwakeup, self.engine.now + self._extra_hold)
                self._extra_hold += self.costs["syscall_overhead_ns"]
            self._mwakeup = mp

    def matchmg(self, m):
        """``matchmg()``: while Gs wait and ``mcpu < mcpumax``, pair the queue's head
        with an idle M, or a new one, and hand it over.  Sched is locked."""
        while self.runq and self.canaddmcpu():
            g = self.gget()
            mp = self.mget()
            if mp is None:
                mp = self.newm()
            self.mnextg(mp, g, m)

    # ---- the scheduler -------------------------------------------------------------------
    def schedule(self, m, gp):
        """``schedule(gp)``: one round of the scheduler on ``m``'s g0.

        Under the lock: ``mcpu--`` for the G that stopped, requeue it
        (``Gosched``), free it (exit) or leave it (blocked, in a syscall); if
        it was readied while still on ``m`` (``readyonstop``) ready it now;
        then :meth:`nextgandunlock` finds the next G or parks ``m``.
        """
        self.schedlock(m, self._schedule_locked, gp)

    def _schedule_locked(self, m, gp):
        if gp is not None:
            gp.m = -1
            m.curg = None
            self._mcpu(-1)
            if gp.status == "running":          # runtime·Gosched: back of the queue
                gp.status = "runnable"
                self.gput(gp)
            elif gp.status == "dead":           # gfput
                self.st["gfree"] += 1
            if gp.id in self.readyonstop:
                self.readyonstop.discard(gp.id)
                self.readylocked(m, gp)
        g = self.nextgandunlock(m)
        return None if g is None else (self.execute, m, g)

    def nextgandunlock(self, m):
        """``nextgandunlock()``: the next G for ``m``: one handed over in
        ``m->nextg``, else the queue's head while ``mcpu < mcpumax``; else park
        ``m`` on the idle list (it sleeps until matchmg hands it a G).  Called
        locked; :meth:`schedunlock` follows."""
        if m.nextg is not None:
            g, m.nextg = m.nextg, None
            return g
        if self.runq and self.canaddmcpu():
            g = self.gget()
            m.curg = g
            g.m = m.id
            return g
        m.state = "idle"
        self.st["thread_parks"] += 1
        self.mput(m)
        return None

    def _wakeup(self, m):
        """An idle M's ``notesleep(&m->havenextg)`` returns: run ``m->nextg``."""
        self.st["thread_wakeups"] += 1
        g, m.nextg = m.nextg, None
        self.execute(m, g)

    def execute(self, m, g):
        """``gogo``: switch ``m`` from g0 to ``g`` and run it."""
        now = self.engine.now
        cost = 0
        if m.lastg is not g:
            cost = self.costs["goroutine_switch_ns"]
            self.sim.stats["context_switches"] += 1
            self.span("switch", now, now + cost, m=m.id, g=g.id)
        lastm, gid = self.lastm, g.id
        while gid >= len(lastm):
            lastm.frombytes(_NO_M_1024)     # 1024 more Gs that never ran
        last = lastm[gid]
        if last >= 0 and last != m.id:
            self.st["migrations"] += 1
        waker = self.wokenby.pop(g.id, None)
        if waker is not None and waker != m.id:
            self.st["remote_wakeups"] += 1
        lastm[gid] = m.id
        m.curg = g
        m.lastg = g
        m.state = "running"
        g.m = m.id
        g.status = "running"
        self.engine.after(cost, self.run_g, m, g)

    # ---- readying ---------------------------------------------------------------------
    def ready(self, g, waker):
        """``runtime·ready(g)``: lock, ``readylocked``, unlock.

        A wake-up by a running G costs its M a trip through the lock before
        the G goes on; a timer or network completion takes the lock without
        an M.
        """
        m = self.ms[waker.m] if waker is not None and waker.m >= 0 else None
        if m is not None and m.curg is waker:
            m.pending.append(g)
        else:
            self.schedlock(_TIMER, self._ready_locked, g, None)

    def _ready_locked(self, m, g, cont):
        self.readylocked(m, g)
        return cont

    def readylocked(self, m, g):
        """``readylocked(g)``: sched is locked.  If ``g`` is still on an M that has
        not yet been through ``schedule``, mark it ``readyonstop``; else put it on
        the queue and ``matchmg``."""
        if g.m >= 0:
            self.readyonstop.add(g.id)
            return
        g.status = "runnable"
        if m is not _TIMER:
            self.wokenby[g.id] = m.id
        self.gput(g)
        self.matchmg(m)

    def run_g(self, m, g):
        self._after_advance(m, g, self._advance(g))

    def _after_advance(self, m, g, op):
        # Each G this one woke on the way (a channel send, an unlock ...) cost a
        # runtime·ready, in order, before the G's next operation.
        if m.pending:
            w = m.pending.popleft()
            self.schedlock(m, self._ready_locked, w, (self._after_advance, m, g, op))
        else:
            self._handlers[type(op)](m, g, op)     # dispatch(m, g, op)

    # ---- operations ----------------------------------------------------------------------
    def do_compute(self, m, g, op):
        engine = self.engine
        now = engine.now
        ns = op.ns
        if ns > 0:
            self._mspan("running", now, now + ns, m.id, -1, g.id)
        engine.after(ns, self.run_g, m, g)

    def do_go(self, m, g, op):
        """The go statement: allocate the G, then ``newproc`` under the lock."""
        cost = self.costs["goroutine_create_ns"]
        now = self.engine.now
        self.span("spawn", now, now + cost, m=m.id, g=g.id)
        self.engine.after(cost, self.newproc, m, g, op.g)

    def newproc(self, m, g, newg):
        """``runtime·newproc1``: lock; ``newprocreadylocked``: queue the new G and
        matchmg (which may hand it to another M at once); unlock."""
        self.schedlock(m, self._ready_locked, newg, (self.run_g, m, g))

    def do_syscall(self, m, g, op):
        self.entersyscall(m, g, op)

    def entersyscall(self, m, g, op):
        """``runtime·entersyscall``: ``mcpu--`` with one atomic add; only if Gs are
        waiting does it take the lock to ``matchmg`` (which may start a thread)."""
        g.status = "syscall"
        self.event("syscall-enter", g=g.id, m=m.id)
        self._mcpu(-1)
        if self.runq:
            self.schedlock(m, self._entersyscall_locked, g, op)
        else:
            self._syscall(m, g, op)

    def _entersyscall_locked(self, m, g, op):
        self.matchmg(m)
        return (self._syscall, m, g, op)

    def _syscall(self, m, g, op):
        now = self.engine.now
        m.state = "syscall"
        m.since = now
        self.insyscall += 1
        peak = max(self.st["ms_in_syscall_peak"], self.insyscall)
        self.st["ms_in_syscall_peak"] = peak
        self.st["mcache_bytes_in_syscall_peak"] = peak * self.costs["mcache_bytes"]
        ns = op.ns
        if g is self.timerproc and self.tp_woken:     # notewakeup already came
            self.tp_woken = False
            ns = 0
        g.timer = self.engine.after(ns, self.exitsyscall, m, g)

    def exitsyscall(self, m, g):
        """``runtime·exitsyscall``: ``mcpu++`` atomically; under ``mcpumax`` keep
        running.  Else the G is marked ``readyonstop`` and the M goes through
        ``schedule``: the G to the global queue, the M (usually) to sleep."""
        g.timer = None
        self.span("syscall", m.since, self.engine.now, m=m.id, g=g.id)
        self.event("syscall-exit", g=g.id, m=m.id)
        self.insyscall -= 1
        m.state = "running"
        self._mcpu(+1)
        if self.mcpu <= self.mcpumax:
            g.status = "running"
            self.run_g(m, g)
            return
        self.st["exitsyscall_requeues"] += 1
        self.readyonstop.add(g.id)
        self.schedule(m, g)

    def do_netio(self, m, g, op):
        # Go 1.0's poll server: the G waits; the completion readies it.
        self.sim.park(g, "IO wait", sync=False)
        self.engine.after(op.ns, self.sim.ready, g, None)
        self.schedule(m, g)

    def do_gosched(self, m, g, op):
        """``runtime·Gosched``: back to the tail of the global queue."""
        self.event("gosched", g=g.id, m=m.id)
        g.status = "running"
        self.schedule(m, g)

    def do_blocked(self, m, g):
        if g is self.timerproc:
            g.wait = "timer goroutine (idle)"      # its parking reason in Go 1.0
        self.schedule(m, g)

    def do_exit(self, m, g):
        self.schedule(m, g)

    # ---- inspection -----------------------------------------------------------------------
    def finish(self, now):
        for m in self.ms:
            if m.state == "idle":
                self.span("idle", m.since, now, m=m.id)
            elif m.state == "syscall" and m.curg is not None:
                self.span("syscall", m.since, now, m=m.id, g=m.curg.id)
        for w in self.lock_waiting.values():
            if w.m is not _TIMER:
                self.span("lock-wait", w.since, now, m=w.m.id,
                          g=w.m.curg.id if w.m.curg is not None else -1)

    def stats(self):
        s = dict(self.st)
        s["gomaxprocs"] = self.procs
        s["ms"] = len(self.ms)
        return s

    def snapshot(self):
        ms = [{"id": m.id, "p": None, "g": m.curg.id if m.curg is not None else None,
               "state": {"new": "idle"}.get(m.state, m.state),
               "nextg": m.nextg.id if m.nextg is not None else None} for m in self.ms]
        owner = self.lock_owner
        return {"ps": [], "ms": ms, "global": [g.id for g in self.runq], "netpoll": [],
                "timers": [], "mcpu": self.mcpu, "mcpumax": self.mcpumax,
                "schedlock": {"owner": None if owner is None else owner.id,
                              "spinning": [w.m.id for w in self.lock_spinners],
                              "sleeping": [w.m.id for w in self.lock_sleepers]}}
