"""The Go 1.1+ scheduler, "GMP": a miniature of ``runtime/proc.go`` (Go 1.27.3).

Read it beside ``$GOROOT/src/runtime/proc.go``: the functions below carry the
runtime's names (``schedule``, ``findRunnable``, ``runqput``, ``stealWork`` ...),
in the same order of checks, with the same constants.  Each docstring names
its proc.go counterpart and says what it promises.

Glossary
--------
G
    A goroutine (``g`` in runtime2.go): its code, stack and status
    (runnable, running, syscall, waiting, dead).
M
    A machine: an OS thread (``m``).  It runs Go code only while it holds a P.
    M0 is the main thread, M1 is sysmon (it never holds a P), M2... are
    created on demand by ``newm`` when no idle M can be reused.
P
    A processor (``p``): the right to run Go code, and the local scheduling
    state.  There are exactly GOMAXPROCS (``procs``) of them.
runnext
    A one-G slot in front of a P's ring: the G most recently made runnable by
    this P (``go``, a channel wake-up).  It runs next and *inherits* the
    current time slice, so a producer/consumer pair ping-pongs on one P.
ring
    The P's local run queue, 256 slots (``runq``, ``runqhead``, ``runqtail``).
    Only its owner adds; anyone may take (steal) from the head.
global queue
    ``sched.runq``: overflow from full rings, preempted and Gosched'ed Gs,
    syscall exits that found no P.  Checked every 61st schedtick for fairness.
schedtick
    Counts ``execute`` calls on a P that started a new time slice.  Sysmon
    preempts a P whose schedtick has not moved for 10 ms.
spinning
    An M with a P but no G, looking for work (stealing).  At most one is woken
    at a time (``wakep``), and no more than half the busy Ps may spin.
sysmon
    A monitor thread without a P: it asks to sleep 20 µs between rounds
    (backing off to 10 ms when idle), retakes Ps from long syscalls and
    preempts long-running Gs.  A sleep lasts longer than asked: the kernel
    adds its timer slack and the wake-up (``usleep_overhead_ns``, measured on
    this machine: a 20 µs request takes about 85 µs on Linux).
netpoller
    epoll/kqueue: Gs waiting on network I/O park without holding a thread;
    whoever polls (a scheduling M, sysmon, or an M blocked in ``netpoll``)
    gets the ready Gs and queues them (``injectglist``).

Costs (override per model, e.g. ``gk.GMP(procs=4, goroutine_switch_ns=0)``):
``goroutine_switch_ns`` per G switch on an M (a ``switch`` span),
``goroutine_create_ns`` per ``go`` (a ``spawn`` span on the parent's M),
``thread_create_ns`` before a new M runs, ``kernel_switch_ns`` for an idle M
to be woken (futex), ``syscall_overhead_ns`` added to every syscall,
``usleep_overhead_ns`` added to each of sysmon's sleeps (what a short
``nanosleep`` takes beyond the request: timer slack plus wake-up; or, with
``GMP(sleep_overshoot=quantiles)``, a draw from the measured spread of it).

>>> import gmpkit as gk
>>> def main():
...     wg = gk.WaitGroup(); wg.add(4)
...     for _ in range(4):
...         yield gk.go(work, wg)
...     yield wg.wait()
>>> def work(wg):
...     yield gk.compute(us=100)
...     yield wg.done()
>>> run = gk.simulate(main, model=gk.GMP(procs=4), seed=1)
>>> run.timeline.check_invariants()
True
>>> run.makespan_ns < 4 * 100_000       # the four ran in parallel
True
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from numbers import Integral
from math import gcd

from ..i18n import N_, tr
from ..ops import BLOCKED, EXITED, Compute, Go
from ..sync import ACTIVE_SPIN, GoPanic
from .base import Model, check_count

_heappush = heapq.heappush

__all__ = ["GMP", "RUNQ_SIZE", "GLOBAL_CHECK_EVERY", "STEAL_TRIES", "FORCE_PREEMPT_NS",
           "SYSMON_MIN_US", "SYSMON_MAX_US", "SYSMON_IDLE_ROUNDS", "MAX_M_COUNT"]

# ---- constants (proc.go / runtime2.go) -------------------------------------
# A P's local ring (p.runq): big enough that a burst of `go` statements stays
# local, small enough to be a fixed array that other Ps can steal from lock-free.
RUNQ_SIZE = 256
# Schedule rounds runtime.main's own goroutines take on P0 before user code
# (see GMP.start): enough to leave schedtick 0, where the 61st-tick check fires.
STARTUP_SCHEDTICKS = 1

# findRunnable: every 61st schedtick, take one G from the global queue first.
# Otherwise two goroutines respawning each other could keep the local queue
# busy forever and starve the global queue.  61 is prime, so the check does not
# fall into step with a workload's own period.
GLOBAL_CHECK_EVERY = 61
# stealWork: passes over all Ps before giving up; the last pass also steals
# timers and a victim's runnext (the last resort: it is about to run).
STEAL_TRIES = 4
# retake: the time slice.  A P whose schedtick has not moved for this long is
# running one G (or a runnext chain sharing one slice) for too long.
FORCE_PREEMPT_NS = 10_000_000
# sysmon: sleep 20 µs between rounds; after 50 rounds without retaking a P,
# double the sleep each round, up to 10 ms (an idle program costs ~nothing).
# These are the *requested* sleeps (usleep's argument); each really lasts
# usleep_overhead_ns longer (timer slack + wake-up, a measured cost).
SYSMON_MIN_US = 20
SYSMON_MAX_US = 10_000
SYSMON_IDLE_ROUNDS = 50
# sysmon polls the network itself if nobody has for this long.
SYSMON_NETPOLL_NS = 10_000_000
# retake: a P in a syscall with no local work and somebody idle or spinning is
# left alone, but only for this long (it would keep sysmon from deep sleep).
SYSCALL_RETAKE_NS = 10_000_000
# sysmon's deep sleep (all Ps idle) lasts until the next timer, at most
# forcegcperiod/2 (forcegcperiod = 2 minutes).
SYSMON_DEEP_SLEEP_NS = 60_000_000_000
# checkmcount: more Ms than this is "thread exhaustion" (runtime/debug.SetMaxThreads).
MAX_M_COUNT = 10_000

# M states (M.state).  Spans are recorded for the waiting states; a running M's
# time is recorded by what it does (running, spawn, switch, syscall spans).
_SPAN_LABEL = {"idle": "idle", "netpoll": "idle", "waking": "idle",
               "spinning": "spinning", "starting": "sched"}


def _check_quantiles(q):
    """``sleep_overshoot`` checked: None, or a tuple of nondecreasing whole ns >= 0."""
    if q is None:
        return None
    if isinstance(q, (str, bytes)) or not hasattr(q, "__len__"):
        raise TypeError(f"GMP: sleep_overshoot={q!r} must be a list of quantiles in ns "
                        f"(e.g. the quantiles_ns printed by programs/usleep.go), or None")
    q = tuple(q)
    if not q:
        raise ValueError("GMP: sleep_overshoot=[] has no quantiles; give at least one "
                         "(one value is a fixed overshoot), or None for usleep_overhead_ns")
    for v in q:
        if isinstance(v, bool) or not isinstance(v, Integral) or v < 0:
            raise ValueError(f"GMP: sleep_overshoot holds {v!r}; each quantile is a whole "
                             f"number of ns >= 0")
    if any(b < a for a, b in zip(q, q[1:])):
        raise ValueError(f"GMP: sleep_overshoot must be sorted (quantiles never decrease), "
                         f"got {list(q)[:8]}{' ...' if len(q) > 8 else ''}; sort it")
    return tuple(int(v) for v in q)


class P:
    """A processor (``p`` in runtime2.go)."""

    __slots__ = ("id", "status", "m", "idle", "runnext", "runq", "runqhead", "runqtail",
                 "schedtick", "syscalltick", "timers", "preempt",
                 "sm_schedtick", "sm_schedwhen", "sm_syscalltick", "sm_syscallwhen",
                 "runq_name", "tick_name", "runq_rec", "tick_rec")

    def __init__(self, pid):
        self.id = pid
        self.status = "idle"      # idle | running (Go 1.27 keeps a syscall's P running)
        self.m = None             # the M holding it
        self.idle = False         # on the idle list (idlepMask)
        self.runnext = None
        self.runq = deque()       # the ring's contents, head first
        self.runqhead = 0         # ring indices as in the runtime: len = tail - head
        self.runqtail = 0
        self.schedtick = 0
        self.syscalltick = 0
        self.timers = []          # heap of (when, seq, g): this P's sleeping Gs
        self.preempt = False      # async preemption requested (pp.preempt)
        # sysmontick: what sysmon saw last time, and when
        self.sm_schedtick = 0
        self.sm_schedwhen = 0
        self.sm_syscalltick = 0
        self.sm_syscallwhen = 0
        self.runq_name = f"runq[{pid}]"
        self.tick_name = f"schedtick[{pid}]"
        self.runq_rec = self.tick_rec = None   # the timeline's recorders (GMP.setup)

    def __repr__(self):
        return f"<P{self.id} {self.status} ring={len(self.runq)} next={self.runnext}>"


class M:
    """A machine, an OS thread (``m`` in runtime2.go)."""

    __slots__ = ("id", "p", "nextp", "oldp", "curg", "lastg", "spinning", "state", "since",
                 "syscalltick", "poll_until", "poll_timer", "was_spinning", "woken")

    def __init__(self, mid, now):
        self.id = mid
        self.p = None             # the P held
        self.nextp = None         # the P handed over by startm, taken when it wakes
        self.oldp = None          # the P held before a syscall
        self.curg = None          # the G running (or in a syscall) on it
        self.lastg = None         # the G it ran last (a different one costs a switch)
        self.spinning = False
        self.state = "starting"   # starting|waking|spinning|running|syscall|idle|netpoll
        self.since = now          # when the current state (or syscall) began
        self.syscalltick = 0
        self.poll_until = 0       # blocked in netpoll: when its timeout ends (0 = none)
        self.poll_timer = None
        self.was_spinning = False
        self.woken = False        # started by startm and has not run a G since

    def __repr__(self):
        return f"<M{self.id} {self.state} p={self.p.id if self.p else None} g={self.curg}>"


class GMP(Model):
    """Go's scheduler since 1.1: Ps with local queues, work stealing, sysmon.

    Parameters
    ----------
    procs : int
        GOMAXPROCS, the number of Ps (1 to 1024).
    async_preempt : bool
        Go 1.14+ signal-based preemption (SIGURG).  False is
        ``GODEBUG=asyncpreemptoff=1``: a ``tight`` compute then runs to its end.
    max_threads : int
        ``runtime/debug.SetMaxThreads`` (default 10 000): more Ms is a fatal
        "thread exhaustion".
    idle_threads : int
        Ms already started and parked on the idle list when ``main`` begins
        (default 0: only M0 and sysmon).  Real Go has usually made one or two
        by then, for its own goroutines; the model-vs-reality comparison sets
        this to what the real program reported, so both start alike.
    goroutine_switch_ns, goroutine_create_ns, thread_create_ns, kernel_switch_ns,
    syscall_overhead_ns, usleep_overhead_ns : int
        Costs, see the module docstring.  ``usleep_overhead_ns=0`` gives the
        idealised sysmon that wakes exactly every 20 µs.
    sleep_overshoot : sequence of int, optional
        How much longer than asked a short sleep lasts on the machine modelled,
        as a distribution: ``n`` quantiles in ns, nondecreasing, the ``i``-th at
        probability ``(i + 0.5) / n`` (what ``programs/usleep.go`` prints as
        ``quantiles_ns``).  With it, every sysmon sleep lasts the request plus
        an overshoot drawn from this distribution (linear between the
        quantiles) instead of exactly ``usleep_overhead_ns``: real sleeps vary
        from call to call (timer slack, wake-up, a thread that waits for a
        CPU).  The draws come from their own generator, seeded by the
        simulation's seed: same seed, same timeline; and a distribution whose
        quantiles all equal ``usleep_overhead_ns`` gives the very schedule of
        the default.  Default None: no spread.
    sleep_syscalls : bool
        The workload's system calls are ``nanosleep(2)``: each lasts the
        request plus ``syscall_overhead_ns`` plus a sleep overshoot (a draw
        from ``sleep_overshoot``, or ``usleep_overhead_ns`` without one).
        Default False: a syscall lasts the request plus ``syscall_overhead_ns``.
    """

    name = "GMP"
    MODELS = (
        N_("exactly GOMAXPROCS Ps; Ms created on demand (newm) up to 10 000, plus sysmon"),
        N_("runnext + 256-slot ring per P; full ring moves half of it plus the new G (129) "
           "to the global queue (runqputslow)"),
        N_("findRunnable's order: timers, global every 61st schedtick, runnext (inherits the "
           "time slice), ring, global batch, non-blocking netpoll, stealing, re-checks, "
           "blocking netpoll, stopm"),
        N_("stealing: 4 passes over the Ps in a random coprime order, half of a victim's ring, "
           "runnext and timers on the last pass; spinning cap 2*nmspinning < busy Ps"),
        N_("wakep/startm/needspinning, resetspinning fan-out, the 'delicate dance' re-check"),
        N_("syscalls keep the P; sysmon retakes it after a sysmon tick when there is work or "
           "nobody idle, or after 10 ms; handoffp's rules; exitsyscall fast path, oldp, idle P, "
           "or global queue + stopm"),
        N_("sysmon: usleep(20 µs), doubling after 50 idle rounds up to 10 ms, each sleep "
           "lasting the request plus this machine's measured overshoot (timer slack + "
           "wake-up, usleep_overhead_ns), or, with sleep_overshoot, an overshoot drawn "
           "from its measured spread; deep sleep when all Ps are idle, woken by "
           "syscalls; netpoll when the last poll is > 10 ms old"),
        N_("preemption after 10 ms on one schedtick: cooperative at the next call, "
           "asynchronous (SIGURG) for tight loops; preempted and Gosched'ed Gs go to the "
           "global queue tail"),
        N_("netpoller: I/O parks only the G; ready Gs are found by findRunnable, sysmon or an "
           "M blocked in netpoll, and queued by injectglist"),
        N_("sync.Mutex (internal/sync/mutex.go): normal mode with barging, runtime_canSpin's "
           "spinning (4 x procyield(30)) and woken waiters re-queued first; starvation mode "
           "after 1 ms with semrelease1's hand-off and goyield (to the P's local queue)"),
        N_("timers on the sleeping G's P: run by that P's scheduler, by thieves on the last "
           "steal pass, or by the M blocked in netpoll until the next timer; a timer-woken G "
           "goes to runnext of the P that ran the timer"),
    )
    SIMPLIFIES = (
        N_("No garbage collector: no GC workers, no stop-the-world, no write barriers."),
        N_("No LockOSThread, no locked Ms, no cgo, no templateThread."),
        N_("Scheduling code itself takes no time: findRunnable, stealing and handoffs are "
           "instantaneous; only the named costs (switch, create, thread create, wake, syscall "
           "overhead) take time."),
        N_("The ~3 µs usleep before stealing a running P's runnext is left out (the steal "
           "happens at once)."),
        N_("Lock-free races do not exist: runtime code runs one M at a time, so the CAS retry "
           "loops never retry."),
        N_("Timers are only time.Sleep: no timer channels, no periodic timers, no adjusttimers; "
           "a timer runs exactly when some M checks that P's heap."),
        N_("A woken idle M takes kernel_switch_ns (a futex wake-up) before it runs; a new M "
           "takes thread_create_ns."),
        N_("Preemption requests take effect at once: a non-tight compute is stopped at its "
           "'next function call' immediately; a tight one only by the async signal."),
        N_("Ms never exit (idle Ms stay on the idle list), and G structures are not recycled "
           "(no gfree lists, no stacks)."),
        N_("sysmon does not run forcegc, the scavenger or GOMAXPROCS updates."),
        N_("By default every sysmon sleep lasts the request plus one measured overshoot "
           "(usleep_overhead_ns): no jitter, so sysmon's rounds keep a fixed phase against "
           "the workload (notebook 08's short_syscalls on one P shows where that matters). "
           "With sleep_overshoot each sleep draws its overshoot from a measured spread, but "
           "independently: real sleeps are not independent (a timer that fires inside "
           "another's slack wakes both, and a busy CPU delays whoever wakes next). sysmon "
           "also starts at the workload's start, fresh: a real program that took long to "
           "start may begin with sysmon already backed off."),
        N_("Without the ~3 µs pause, a thief may take a running P's runnext G that real Go "
           "would have run locally: a little less locality in producer/consumer pairs."),
        N_("An M blocked in netpoll wakes for free (real epoll_wait returns cost a kernel "
           "wake-up): network wake-ups are slightly early."),
        N_("runtime.main's own goroutines (forcegchelper, bgsweep, bgscavenge) are left out; "
           "P0 starts at schedtick 1 to stand for them (real P0s show 4-5 by 1 ms)."),
        N_("sync.Mutex: both modes are modelled (normal: barging, up to 4 spins of "
           "procyield(30) = mutex_spin_ns each, woken waiters re-queue first; starvation after "
           "1 ms: hand-off and goyield), but the lock word's CAS races never fail, and the "
           "machine is assumed to have at least GOMAXPROCS CPUs (numCPUStartup > 1 whenever "
           "procs > 1)."),
        N_("entersyscallblock (hand the P off at once, for calls known to block) is not "
           "modelled: every syscall keeps its P until sysmon retakes it."),
    )

    def __init__(self, procs=4, async_preempt=True, max_threads=MAX_M_COUNT, idle_threads=0,
                 spinning=True, sleep_overshoot=None, sleep_syscalls=False,
                 **costs):
        super().__init__(**costs)
        self.sleep_overshoot = _check_quantiles(sleep_overshoot)
        if not isinstance(sleep_syscalls, bool):
            raise TypeError(f"GMP: sleep_syscalls must be True or False, not {sleep_syscalls!r}")
        self.sleep_syscalls = sleep_syscalls
        self.idle_threads = check_count("GMP", "idle_threads", idle_threads, lo=0, hi=MAX_M_COUNT)
        self.procs = check_count("GMP", "procs", procs)
        # spinning=False is the design proc.go rejects ("unpark an additional thread
        # whenever we ready a goroutine and there is an idle P"): no spinning Ms, so
        # wakep wakes an idle M for every readied G while a P is idle.  For teaching.
        if not isinstance(spinning, bool):
            raise TypeError(tr("GMP: spinning must be True or False, not {value!r}",
                               value=spinning))
        self.spinning_enabled = spinning
        self.max_parallel = self.procs
        self.async_preempt = bool(async_preempt)
        # debug.SetMaxThreads may raise the limit above the default 10 000
        self.max_threads = check_count("GMP", "max_threads", max_threads, lo=2,
                                       hi=10 * MAX_M_COUNT)
        self.trace_period = None      # GODEBUG=schedtrace period (ns), when tracing
        self.trace_record = None
        self.lasttrace = None

    def describe(self):
        extra = "" if self.spinning_enabled else ", spinning=False"
        if self.sleep_overshoot is not None:
            extra += f", sleep_overshoot=<{len(self.sleep_overshoot)} quantiles>"
        if self.sleep_syscalls:
            extra += ", sleep_syscalls=True"
        return f"GMP(procs={self.procs}, async_preempt={self.async_preempt}{extra})"

    @property
    def sysmon_tick_ns(self):
        """How long sysmon's shortest round lasts: ``usleep(20)`` as delivered,
        20 µs plus ``usleep_overhead_ns``.

        >>> GMP(usleep_overhead_ns=0).sysmon_tick_ns
        20000
        """
        return SYSMON_MIN_US * 1000 + self.costs["usleep_overhead_ns"]

    # ======================================================================
    # setup
    # ======================================================================
    def setup(self, sim):
        """schedinit + procresize + mstart: P0 on M0, the other Ps idle, sysmon started."""
        super().setup(sim)
        c = self.costs
        self.switch_ns = c["goroutine_switch_ns"]
        self.create_ns = c["goroutine_create_ns"]
        self.thread_ns = c["thread_create_ns"]
        self.wake_ns = c["kernel_switch_ns"]
        self.syscall_ns = c["syscall_overhead_ns"]
        self.usleep_ns = c["usleep_overhead_ns"]
        # The overshoot draws have a generator of their own, so that they leave the
        # engine's (work stealing's random order) exactly as it is without them.
        self.sleep_rng = (None if self.sleep_overshoot is None
                          else random.Random(f"gmpkit.GMP.sleep_overshoot/{sim.seed}"))
        # Hot-path bindings.  A subclass that overrides do_compute, do_exit,
        # do_blocked or do_go (or _compute_done, _newproc_done, _run) gets them
        # called as written; otherwise the G's loop (_run_g_fast) does their work
        # in place.
        self._heap = self.engine._heap
        self._stats = sim.stats
        self._compute_op = Compute if type(self).do_compute is GMP.do_compute else None
        self._exit_op = EXITED if type(self).do_exit is GMP.do_exit else None
        self._blocked_op = BLOCKED if type(self).do_blocked is GMP.do_blocked else None
        cls = type(self)
        self._go_op = Go if (cls.do_go is GMP.do_go and cls._newproc_done is GMP._newproc_done
                             and cls._run is GMP._run) else None
        self._compute_done_fn = (self._run_g_fast if cls._compute_done is GMP._compute_done
                                 else lambda m, g, _ended: self._compute_done(m, g))
        self._run_fn = self._run
        # execute hands the G it picked back to the G loop (_run_g_fast) that
        # called schedule on _loop_m, when its _run is certainly the next event
        self._run_here = cls._run is GMP._run
        self._loop_m = self._loop_g = None
        st = self.stats_extra
        for k in ("retakes", "overflows", "global_runs", "spins", "netpoll_injected",
                  "sysmon_wakeups", "futile_wakeups"):
            st[k] = 0
        self.allp = [P(i) for i in range(self.procs)]
        # randomOrder: a start and a stride coprime with procs visit every P once.
        self.coprimes = [i for i in range(1, self.procs + 1) if gcd(i, self.procs) == 1]
        self.globalq = deque()        # sched.runq
        self.pidle = []               # sched.pidle: a LIFO list
        self.midle = []               # sched.midle: a LIFO list
        self.allm = []
        self.nmspinning = 0
        self.needspinning = 0
        self.netpoll_m = None         # the M blocked in netpoll (sched.lastpoll == 0)
        self.lastpoll = 0
        self.netpoll_waiters = 0      # Gs parked on the netpoller
        self.netpoll_pending = []     # heap of (completes at, seq, g): I/O in flight
        self.io_seq = 0
        self.timer_seq = 0
        self.curm = None              # the M whose code is running now (getg().m)
        self._inject = None           # collecting Gs marked runnable by injectglist
        self.sysmon_log = []          # (time, requested sleep µs) of every sysmon round
        self.sysmonwait = False
        self.sysmon_timer = None
        self.sm_idle = 0
        self.sm_delay = 0
        # Work conservation (Timeline.check_invariants): queued work may wait
        # with an idle P and nobody spinning at most as long as waking an M.
        self.tl.wake_latency_ns = max(self.wake_ns, self.thread_ns) + self.switch_ns

        m0 = self._newm_record()
        p0 = self.allp[0]
        self.acquirep(m0, p0)
        for pp in reversed(self.allp[1:]):   # pidleget hands out P1, P2, ... first
            self.pidleput(pp)
        self.sysmon_m = self._newm_record()
        self.sysmon_m.state = "sysmon"
        for _ in range(self.idle_threads):      # started before main, now parked (stopm)
            m = self._newm_record()
            m.state = "idle"
            self.midle.append(m)
        self.counter("needspinning", 0)
        self.counter("spinningthreads", 0)
        self.counter("idlethreads", len(self.midle))
        self.counter("runqueue", 0)
        for pp in self.allp:
            self.counter(pp.runq_name, 0)
            self.counter(pp.tick_name, 0)
            pp.runq_rec = self.tl._counter_fn(pp.runq_name)
            pp.tick_rec = self.tl._counter_fn(pp.tick_name)
        self._sysmon_sleep()

    def _newm_record(self):
        """allocm: a new M record, counted in ``threads`` (sysmon included)."""
        if len(self.allm) >= self.max_threads:
            raise GoPanic(tr("runtime: program exceeds {n}-thread limit\nfatal error: thread "
                             "exhaustion", n=self.max_threads))
        m = M(len(self.allm), self.engine.now)
        self.allm.append(m)
        self.sim.stats["threads_created"] += 1
        self.counter("threads", len(self.allm))
        return m

    def start(self, g):
        """runtime.main's G is queued on P0 (``newproc`` before mainStarted: no wakep).

        Before the user's main runs, the real runtime.main schedules a few system
        goroutines (init's forcegchelper, gcenable's bgsweep and bgscavenge), so
        P0's schedtick has moved.  The model leaves those goroutines out but starts
        P0's schedtick at 1: otherwise ``schedtick % 61 == 0`` would hold for the
        whole first time slice and a preempted G would be taken straight back
        from the global queue, which real programs do not show.
        """
        p0 = self.allp[0]
        p0.schedtick = STARTUP_SCHEDTICKS
        self.counter(p0.tick_name, p0.schedtick)
        self.runqput(p0, g, True)
        self.engine.at(0, self.schedule, self.allm[0])

    # ======================================================================
    # run queues
    # ======================================================================
    def runqput(self, pp, g, next_):
        """runqput: put ``g`` on ``pp``'s local queue.

        With ``next_`` it goes to runnext and the G it displaces to the ring's
        tail; a full ring spills to the global queue (runqputslow).
        """
        if next_:
            old = pp.runnext
            pp.runnext = g
            if old is None:
                return
            g = old
        runq = pp.runq
        if len(runq) < RUNQ_SIZE:
            runq.append(g)
            pp.runqtail += 1
            pp.runq_rec(self.engine.now, len(runq))
            return
        self.runqputslow(pp, g)

    def runqputslow(self, pp, g):
        """runqputslow: the ring is full: move its first half plus ``g`` (129 Gs)
        to the global queue in one batch, so the next 128 puts are cheap again."""
        n = len(pp.runq) // 2
        batch = [pp.runq.popleft() for _ in range(n)]
        pp.runqhead += n
        batch.append(g)
        self.globalq.extend(batch)
        self.counter(pp.runq_name, len(pp.runq))
        self.counter("runqueue", len(self.globalq))
        self.stats_extra["overflows"] += 1
        self.event("overflow", g=g.id, m=pp.m.id if pp.m else -1, p=pp.id, other=len(batch))

    def runqputbatch(self, pp, q):
        """runqputbatch: move Gs from the front of list ``q`` into ``pp``'s ring
        while it has room; returns what did not fit."""
        room = RUNQ_SIZE - len(pp.runq)
        put, rest = q[:room], q[room:]
        if put:
            pp.runq.extend(put)
            pp.runqtail += len(put)
            self.counter(pp.runq_name, len(pp.runq))
        return rest

    def runqget(self, pp):
        """runqget: runnext first (it inherits the time slice), then the ring's head.

        Returns ``(g, inheritTime)`` or ``(None, False)``.
        """
        g = pp.runnext
        if g is not None:
            pp.runnext = None
            return g, True
        if pp.runq:
            g = pp.runq.popleft()
            pp.runqhead += 1
            self.counter(pp.runq_name, len(pp.runq))
            return g, False
        return None, False

    @staticmethod
    def runqempty(pp):
        """runqempty: neither runnext nor ring holds a G."""
        return pp.runnext is None and not pp.runq

    def runqgrab(self, pp, steal_runnext):
        """runqgrab: take half (rounded up) of ``pp``'s ring; if it is empty and
        ``steal_runnext``, take its runnext.  Returns the list taken."""
        n = len(pp.runq)
        n -= n // 2
        if n == 0:
            if steal_runnext and pp.runnext is not None:
                # The runtime first sleeps ~3 µs if pp is running a G, to let pp
                # run its own runnext; simplified away (see SIMPLIFIES).
                g = pp.runnext
                pp.runnext = None
                return [g]
            return []
        batch = [pp.runq.popleft() for _ in range(n)]
        pp.runqhead += n
        self.counter(pp.runq_name, len(pp.runq))
        return batch

    def runqsteal(self, pp, p2, steal_runnext):
        """runqsteal: steal half of ``p2``'s queue into ``pp``'s ring; return the
        last G stolen (to run now) or None."""
        batch = self.runqgrab(p2, steal_runnext)
        if not batch:
            return None
        g = batch.pop()
        if batch:
            pp.runq.extend(batch)
            pp.runqtail += len(batch)
            self.counter(pp.runq_name, len(pp.runq))
        self.sim.stats["steals"] += 1
        self.event("steal", g=-1, m=pp.m.id if pp.m else -1, p=pp.id, other=p2.id,
                   detail=f"n={len(batch) + 1}")
        return g

    def globrunqput(self, g):
        """globrunqput: ``g`` to the tail of the global queue."""
        self.globalq.append(g)
        self.counter("runqueue", len(self.globalq))

    def globrunqget(self):
        """globrunqget: one G from the head of the global queue (the fairness check)."""
        g = self.globalq.popleft()
        self.counter("runqueue", len(self.globalq))
        self.stats_extra["global_runs"] += 1
        return g

    def globrunqgetbatch(self, pp, n=RUNQ_SIZE // 2):
        """globrunqgetbatch: take ``min(n, len, len/GOMAXPROCS + 1)`` Gs from the
        global queue: return the first, put the rest in ``pp``'s ring.

        The ``len/GOMAXPROCS + 1`` share leaves work for the other Ps.
        """
        size = len(self.globalq)
        if size == 0:
            return None
        n = min(n, size, size // self.procs + 1)
        g = self.globalq.popleft()
        rest = [self.globalq.popleft() for _ in range(n - 1)]
        self.counter("runqueue", len(self.globalq))
        self.stats_extra["global_runs"] += 1
        if rest and self.runqputbatch(pp, rest):   # pragma: no cover - n <= 128
            raise AssertionError("couldn't put Gs into empty local runq")
        return g

    # ======================================================================
    # idle Ps and Ms, spinning
    # ======================================================================
    def pidleput(self, pp):
        """pidleput: ``pp`` (with no M) joins the idle P list."""
        pp.status = "idle"
        pp.m = None
        pp.idle = True
        self.pidle.append(pp)
        self.counter("idleprocs", len(self.pidle))

    def pidleget(self):
        """pidleget: the most recently idled P, or None."""
        if not self.pidle:
            return None
        pp = self.pidle.pop()
        pp.idle = False
        self.counter("idleprocs", len(self.pidle))
        return pp

    def pidlegetSpinning(self):
        """pidlegetSpinning: pidleget for a would-be spinning M; when there is no
        idle P, set ``needspinning`` so an M about to drop its P spins instead."""
        pp = self.pidleget()
        if pp is None:
            self._set_needspinning(1)
        return pp

    def _set_needspinning(self, v):
        self.needspinning = v
        self.counter("needspinning", v)

    def _set_nmspinning(self, v):
        self.nmspinning = v
        self.counter("spinningthreads", v)

    def acquirep(self, m, pp):
        """acquirep: ``m`` takes ``pp``."""
        m.p = pp
        pp.m = m
        pp.status = "running"

    def releasep(self, m):
        """releasep: ``m`` lets go of its P and returns it."""
        pp = m.p
        m.p = None
        pp.m = None
        return pp

    def becomeSpinning(self, m):
        """m.becomeSpinning: count ``m`` as spinning; clears ``needspinning``."""
        m.spinning = True
        self._set_nmspinning(self.nmspinning + 1)
        if self.needspinning:
            self._set_needspinning(0)
        self.stats_extra["spins"] += 1
        self._set_state(m, "spinning")

    def resetspinning(self, m):
        """resetspinning: a spinning M found work: stop spinning and wake another
        M (wakep), since there may be more work than one M can do."""
        m.spinning = False
        self._set_nmspinning(self.nmspinning - 1)
        self.wakep()

    def wakep(self):
        """wakep: if nobody is spinning, start a spinning M on an idle P.

        Only one M is woken at a time (the CAS of nmspinning from 0 to 1); when
        it finds work it calls wakep again, so wake-ups fan out.

        With ``spinning=False`` (the rejected design) every call wakes an M for
        an idle P, whether or not another M is already on its way.
        """
        if not self.spinning_enabled:
            pp = self.pidleget()
            if pp is not None:
                self.startm(pp, False)
            return
        if self.nmspinning != 0:
            return
        if not self.pidle:
            # No idle P: nmspinning would go 0 -> 1 -> 0 within this instant (a
            # counter change that folds away) and pidlegetSpinning would only set
            # needspinning.  Do just that.
            if not self.needspinning:
                self._set_needspinning(1)
            return
        self._set_nmspinning(1)
        pp = self.pidlegetSpinning()
        if pp is None:
            self._set_nmspinning(0)
            return
        self.stats_extra["spins"] += 1
        self.startm(pp, True)

    def startm(self, pp, spinning):
        """startm: run ``pp`` (or any idle P if None) on an idle M, or a new one.

        A reused M wakes after ``kernel_switch_ns``; a new one after
        ``thread_create_ns``.  A spinning M was already counted in nmspinning.
        """
        if pp is None:
            pp = self.pidleget()
            if pp is None:
                return
        if self.midle:
            m = self.midle.pop()                       # mget
            self.counter("idlethreads", len(self.midle))
            m.spinning = spinning
            m.nextp = pp
            m.woken = True
            self._set_state(m, "spinning" if spinning else "waking")
            self.engine.after(self.wake_ns, self._mstart, m)
        else:
            self.newm(pp, spinning)

    def newm(self, pp, spinning):
        """newm: create an OS thread that will run ``pp`` (checkmcount first)."""
        m = self._newm_record()
        m.spinning = spinning
        m.nextp = pp
        m.woken = True
        m.state = "spinning" if spinning else "starting"
        self.engine.after(self.thread_ns, self._mstart, m)

    def _mstart(self, m):
        """mstart / the return from stopm's park: take the handed-over P, schedule."""
        pp = m.nextp
        m.nextp = None
        self.acquirep(m, pp)
        self.schedule(m)

    def stopm(self, m):
        """stopm: park ``m`` (no P, not spinning) on the idle M list until startm.

        An M that was woken and parks again without running a G counts as a
        ``futile_wakeups``: a futex wake (or a thread creation) for nothing."""
        if m.woken:
            m.woken = False
            self.stats_extra["futile_wakeups"] += 1
        self._set_state(m, "idle")
        self.midle.append(m)
        self.counter("idlethreads", len(self.midle))

    def handoffp(self, pp):
        """handoffp: ``pp`` lost its M (syscall retake): start an M for it at once
        if it has work, or nobody is spinning or idle, or it is the last running P
        and nobody polls the network; otherwise it goes idle.

        These are the conditions under which findRunnable would find work, so no
        runnable G is left without an M.
        """
        self.sim.stats["handoffs"] += 1
        if not self.runqempty(pp) or self.globalq:
            why = "work"
            self.startm(pp, False)
        elif self.nmspinning + len(self.pidle) == 0 and not self.spinning_enabled:
            why = "spinning"
            self.startm(pp, False)
        elif self.nmspinning + len(self.pidle) == 0:
            why = "spinning"
            self._set_nmspinning(1)
            self._set_needspinning(0)
            self.stats_extra["spins"] += 1
            self.startm(pp, True)
        elif len(self.pidle) == self.procs - 1 and self.netpoll_m is None:
            why = "last-p"
            self.startm(pp, False)
        else:
            why = "idle"
            when = pp.timers[0][0] if pp.timers else 0
            self.pidleput(pp)
            if when:
                self.wakeNetPoller(when)
        self.event("handoff", p=pp.id, detail=why)

    # ======================================================================
    # schedule
    # ======================================================================
    def schedule(self, m):
        """schedule: one round of the scheduler on ``m``: find a G and run it.

        If nothing is found the M has parked (stopm) or blocks in netpoll, and a
        later wake-up calls schedule again.
        """
        self.curm = m
        found = self.findRunnable(m)
        if found is None:
            return
        g, inherit = found
        if m.spinning:
            self.resetspinning(m)
        self.execute(m, g, inherit)

    def execute(self, m, g, inherit):
        """execute: run ``g`` on ``m``; a new time slice (schedtick++) unless it
        inherits the current one (it came from runnext)."""
        pp = m.p
        engine = self.engine
        now = engine.now
        if m.state in _SPAN_LABEL:
            self._set_state(m, "running")
        else:                           # from running or syscall: no span to close
            m.state = "running"
            m.since = now
        m.woken = False
        m.curg = g
        g.m = m.id
        g.p = pp.id
        g.status = "running"
        g.preempt = False
        if not inherit:
            pp.schedtick = tick = pp.schedtick + 1
            pp.tick_rec(now, tick)
        cost = 0
        if m.lastg is not g:
            cost = self.switch_ns
            self._stats["context_switches"] += 1
            if cost:
                self._mspan("switch", now, now + cost, m.id, pp.id, g.id)
        m.lastg = g
        when = now + cost
        if m is self._loop_m:
            # Called from the G loop on this M (_run_g_fast): if _run is
            # certainly the next event, the loop runs g itself, in place.
            self._loop_m = None
            heap = self._heap
            if ((not heap or heap[0][0] > when) and self._run_here and not self.sim._check
                    and engine.may_run_ahead(when)):
                engine.now = when
                engine.events += 1
                self._loop_g = g
                return
        # engine.after(cost, self._run, m, g), inlined
        engine._seq = seq = engine._seq + 1
        _heappush(self._heap, [when, seq, self._run_fn, (m, g)])

    def _run(self, m, g):
        """Resume ``g``'s code on ``m`` (gogo): finish a preempted compute, or
        run the goroutine to its next operation."""
        self.curm = m
        if g.preempt:     # the stack guard was poisoned: the next call preempts
            self.gopreempt_m(m, g)
        elif g.left > 0:
            self._start_compute(m, g)
        else:
            self._run_g_fast(m, g)

    def _run_g_fast(self, m, g, ended=False):
        """run_g with do_compute, do_exit, do_blocked and do_go done in place (the
        commonest outcomes); every other operation goes to its ``do_*`` handler.
        ``ended``: a compute of ``g`` ends now (its span is recorded first).

        Run ahead (see ``Engine.may_run_ahead``): what the run loop would pop
        next is done here, in a loop, when it is certainly the next event (same
        clock, same event count, same records in the same order), instead of a
        heap push and pop:

        * a compute that ends before any other event is due (a lone G on its
          P, one P, a quiet moment) is ended at once and ``g`` runs on;
        * a ``go`` whose newproc (``goroutine_create_ns`` later) is next: a G
          spawning many goroutines runs on;
        * when ``g`` exits or parks, ``schedule`` finds the next G, and if its
          ``execute`` may hand it back here (``_loop_m``), that G runs on this
          M in this loop: a loop, not a nested call, however many Gs follow.

        Not while the run is stepped (animations)."""
        engine = self.engine
        now = engine.now
        if ended:
            since = g.since
            if now > since:
                self._mspan("running", since, now, m.id, m.p.id, g.id)
            g.left = 0
            g.timer = None
        while True:
            self.curm = m
            if g.preempt:     # the stack guard was poisoned: this call preempts
                self.gopreempt_m(m, g)
                return
            op = self._advance(g)
            t = type(op)
            if t is self._compute_op:
                g.left = left = op.ns
                g.tight = op.tight
                g.since = now
                when = now + left
                heap = self._heap
                if ((heap and heap[0][0] <= when) or self.sim._check
                        or not engine.may_run_ahead(when)):
                    engine._seq = seq = engine._seq + 1
                    g.timer = t = [when, seq, self._compute_done_fn, (m, g, True)]
                    _heappush(heap, t)
                    return
                # the next event is this compute's end: end it now
                engine.now = when
                engine.events += 1
                if when > now:
                    self._mspan("running", now, when, m.id, m.p.id, g.id)
                now = when
                g.left = 0
                continue
            if op is self._exit_op or op is self._blocked_op:
                m.curg = None
                self._loop_m = m
                self.schedule(m)
                g = self._loop_g
                if g is None:
                    self._loop_m = None
                    return
                # execute(m, g) handed g back: _run(m, g), in place
                self._loop_g = None
                now = engine.now
                self.curm = m
                if g.preempt:
                    self.gopreempt_m(m, g)
                    return
                if g.left > 0:
                    self._start_compute(m, g)
                    return
                continue
            if t is self._go_op:
                when = now + self.create_ns
                heap = self._heap
                if ((heap and heap[0][0] <= when) or self.sim._check
                        or not engine.may_run_ahead(when)):
                    self.do_go(m, g, op)
                    return
                # do_go, then _newproc_done at its time, then _run(m, g): in place
                if when > now:
                    self._mspan("spawn", now, when, m.id, m.p.id, g.id)
                engine.now = now = when
                engine.events += 1
                self.curm = m
                self.runqput(m.p, op.g, True)
                self.wakep()
                continue
            self._handlers[t](m, g, op)
            return

    def findRunnable(self, m):
        """findRunnable: find a runnable G for ``m`` in the runtime's order.

        Returns ``(g, inheritTime)``, or None after releasing the P and parking
        the M (stopm or a blocking netpoll).
        """
        while True:  # top:
            pp = m.p
            # Run this P's expired timers (they may ready Gs onto our runnext).
            if pp.timers and pp.timers[0][0] <= self.engine.now:
                self.checkTimers(pp)
            # Fairness: every 61st tick, one G from the global queue first.
            if pp.schedtick % GLOBAL_CHECK_EVERY == 0 and self.globalq:
                return self.globrunqget(), False
            # Local: runnext, then the ring.
            g = pp.runnext
            if g is not None:
                pp.runnext = None
                return g, True
            if pp.runq:
                g = pp.runq.popleft()
                pp.runqhead += 1
                pp.runq_rec(self.engine.now, len(pp.runq))
                return g, False
            # Global: a batch.
            if self.globalq:
                return self.globrunqgetbatch(pp), False
            # Network, non-blocking (only if nobody is blocked in netpoll).
            if self.netpoll_waiters and self.netpoll_m is None:
                ready = self.netpoll()
                if ready:
                    g = ready.pop(0)
                    self.injectglist(ready, pp, first=g)
                    return g, False
            # Steal, if already spinning or fewer than half the busy Ps spin.
            if (m.spinning or not self.spinning_enabled
                    or 2 * self.nmspinning < self.procs - len(self.pidle)):
                if not m.spinning and self.spinning_enabled:
                    self.becomeSpinning(m)
                g, inherit, new_work = self.stealWork(m)
                if g is not None:
                    return g, inherit
                if new_work:
                    continue
            # Nothing to do.  Re-check the global queue "under the lock".
            if self.globalq:
                return self.globrunqgetbatch(pp), False
            if not m.spinning and self.needspinning:
                self.becomeSpinning(m)   # "delicate dance": spin on behalf of a waker
                continue
            self.releasep(m)
            self.pidleput(pp)
            poll_until = self._timers_wake_time(pp)
            was_spinning = m.spinning
            if m.spinning:
                # Drop nmspinning first, then check every source again, so that
                # work submitted meanwhile is not left without an M.
                m.spinning = False
                self._set_nmspinning(self.nmspinning - 1)
                if self.globalq:
                    pp2 = self.pidlegetSpinning()
                    if pp2 is not None:
                        self.acquirep(m, pp2)
                        g = self.globrunqgetbatch(pp2)
                        self.becomeSpinning(m)
                        return g, False
                pp2 = self.checkRunqsNoP()
                if pp2 is not None:
                    self.acquirep(m, pp2)
                    self.becomeSpinning(m)
                    continue
                poll_until = self.checkTimersNoP(poll_until)
            # Block in netpoll until I/O or the next timer; or park.
            if (self.netpoll_waiters or poll_until) and self.netpoll_m is None:
                self.netpoll_block(m, poll_until, was_spinning)
                return None
            if poll_until and self.netpoll_m is not None:
                pm = self.netpoll_m
                if pm.poll_until == 0 or pm.poll_until > poll_until:
                    self.engine.after(0, self._netpoll_return, pm)   # netpollBreak
            self.stopm(m)
            return None

    def stealWork(self, m):
        """stealWork: ``STEAL_TRIES`` passes over the other Ps in a random order,
        stealing half of a ring; the last pass also runs their expired timers and
        steals runnext.  Returns ``(g, inheritTime, newWork)``."""
        pp = m.p
        if not self._anything_to_steal(pp):
            # The passes below would find nothing whatever their order; skip
            # them (a speed-up only: the outcome is the same).
            return None, False, False
        ran_timer = False
        n = self.procs
        for i in range(STEAL_TRIES):
            last = i == STEAL_TRIES - 1
            # randomOrder: a random start and a stride coprime with procs.
            r = self.rng.getrandbits(32)
            pos = r % n
            inc = self.coprimes[(r // n) % len(self.coprimes)]
            for _ in range(n):
                p2 = self.allp[pos]
                pos = (pos + inc) % n
                if p2 is pp:
                    continue
                if last and p2.timers:
                    if self.checkTimers(p2):
                        g, inherit = self.runqget(pp)
                        if g is not None:
                            return g, inherit, ran_timer
                        ran_timer = True
                # Don't bother with an idle P, or one with nothing to take.
                if not p2.idle and (p2.runq or (last and p2.runnext is not None)):
                    g = self.runqsteal(pp, p2, last)
                    if g is not None:
                        return g, False, ran_timer
        return None, False, ran_timer

    def _anything_to_steal(self, pp):
        """Whether some other P has an expired timer, or queued Gs and is not idle."""
        now = self.engine.now
        for p2 in self.allp:
            if p2 is pp:
                continue
            if p2.timers and p2.timers[0][0] <= now:
                return True
            if not p2.idle and (p2.runq or p2.runnext is not None):
                return True
        return False

    def checkRunqsNoP(self):
        """checkRunqsNoP: if some busy P has queued Gs, grab an idle P to go
        steal them with (or None)."""
        for p2 in self.allp:
            if not p2.idle and not self.runqempty(p2):
                return self.pidlegetSpinning()
        return None

    def checkTimersNoP(self, poll_until):
        """checkTimersNoP: the earliest timer on any P, if before ``poll_until``."""
        for p2 in self.allp:
            if p2.timers:
                w = p2.timers[0][0]
                if poll_until == 0 or w < poll_until:
                    poll_until = w
        return poll_until

    # ======================================================================
    # timers and the netpoller
    # ======================================================================
    @staticmethod
    def _timers_wake_time(pp):
        return pp.timers[0][0] if pp.timers else 0

    def checkTimers(self, pp):
        """timers.check: run ``pp``'s expired timers.  Each wakes a sleeping G
        (goready with next=true) onto runnext of the *running M's* P.
        Returns True if any ran."""
        timers = pp.timers
        now = self.engine.now
        if not timers or timers[0][0] > now:
            return False
        while timers and timers[0][0] <= now:
            _, _, g = heapq.heappop(timers)
            self.sim.ready(g, None)
        return True

    def timeSleepUntil(self):
        """timeSleepUntil: when the next timer of any P fires (None if none)."""
        ws = [pp.timers[0][0] for pp in self.allp if pp.timers]
        return min(ws) if ws else None

    def wakeNetPoller(self, when):
        """wakeNetPoller: a timer for ``when`` was added: interrupt the M blocked
        in netpoll if it would sleep past it, or wake a P (wakep) if none is."""
        m = self.netpoll_m
        if m is not None:
            if m.poll_until == 0 or m.poll_until > when:
                self.engine.after(0, self._netpoll_return, m)   # netpollBreak
        else:
            self.wakep()

    def netpoll(self):
        """netpoll(0): every G whose I/O has completed by now (and forget them).

        Like one epoll_wait, it returns all descriptors ready at this instant,
        whichever of their completion events the engine has processed yet."""
        pending = self.netpoll_pending
        now = self.engine.now
        ready = []
        while pending and pending[0][0] <= now:
            ready.append(heapq.heappop(pending)[2])
        self.netpoll_waiters -= len(ready)
        # netpollready pushes each ready G onto a gList (a stack), so the list
        # comes back newest first: the last G whose I/O completed runs first.
        ready.reverse()
        return ready

    def netpoll_block(self, m, poll_until, was_spinning):
        """findRunnable's blocking ``netpoll(delay)``: ``m`` (no P) sleeps in the
        poller until I/O completes, the next timer, or a netpollBreak."""
        self._set_state(m, "netpoll")
        self.netpoll_m = m
        m.poll_until = poll_until
        m.was_spinning = was_spinning
        if self._io_ready():
            m.poll_timer = self.engine.after(0, self._netpoll_return, m)
        elif poll_until:
            m.poll_timer = self.engine.at(poll_until, self._netpoll_return, m)
        else:
            m.poll_timer = None

    def _netpoll_return(self, m):
        """The blocking netpoll returns: take an idle P and run the first ready G
        (the rest via injectglist); with no P, queue them globally and stopm."""
        if self.netpoll_m is not m:
            return                     # already woken by something else
        if m.poll_timer is not None:
            self.engine.cancel(m.poll_timer)
            m.poll_timer = None
        self.netpoll_m = None
        self.lastpoll = self.engine.now
        self.curm = m
        ready = self.netpoll()
        pp = self.pidleget()
        if pp is None:
            self.injectglist(ready, None)
            self.stopm(m)
            return
        self.acquirep(m, pp)
        if ready:
            g = ready.pop(0)
            self.injectglist(ready, pp, first=g)
            self.execute(m, g, False)
            return
        if m.was_spinning:
            self.becomeSpinning(m)
        self.schedule(m)

    def _io_ready(self):
        """Whether some G's I/O has completed and not yet been polled."""
        pending = self.netpoll_pending
        return bool(pending) and pending[0][0] <= self.engine.now

    def _io_done(self):
        """The kernel reports an I/O ready; an M blocked in netpoll wakes (unless
        a poll at this instant already took every completion)."""
        if self.netpoll_m is not None and self._io_ready():
            self._netpoll_return(self.netpoll_m)

    def injectglist(self, gs, pp, first=None):
        """injectglist: make the netpoll'ed ``gs`` runnable and queue them.

        Without a P: all to the global queue, and an M started per idle P.
        With a P: one per idle P to the global queue (each with an M started),
        the rest to ``pp``'s ring; then wakep.  ``first`` (the G the caller will
        run itself) is only marked runnable.
        """
        marked = [first] + gs if first is not None else gs
        if not marked:
            return
        self._inject = []
        for g in marked:
            self.sim.ready(g, None)     # casgstatus(_Gwaiting, _Grunnable)
        self._inject = None
        self.stats_extra["netpoll_injected"] += len(marked)
        if not gs:
            return
        if pp is None:
            self.globalq.extend(gs)
            self.counter("runqueue", len(self.globalq))
            self._start_idle(len(gs))
            return
        k = min(len(self.pidle), len(gs))
        if k:
            self.globalq.extend(gs[:k])
            self.counter("runqueue", len(self.globalq))
            self._start_idle(k)
        rest = self.runqputbatch(pp, gs[k:])
        if rest:
            self.globalq.extend(rest)
            self.counter("runqueue", len(self.globalq))
        self.wakep()

    def _start_idle(self, n):
        """injectglist's startIdle: start a (non-spinning) M on up to ``n`` idle Ps."""
        for _ in range(n):
            pp = self.pidlegetSpinning()
            if pp is None:
                break
            self.startm(pp, False)

    # ======================================================================
    # readying Gs
    # ======================================================================
    def ready(self, g, waker):
        """ready / goready: ``g`` is runnable: runnext of the P of the M doing the
        waking (the waker's M, or the M that ran the timer), then wakep."""
        if self._inject is not None:    # injectglist queues them itself
            self._inject.append(g)
            return
        m = self.curm
        if m is not None and m.p is not None:
            self.runqput(m.p, g, True)
        else:                            # pragma: no cover - readied with no P
            self.globrunqput(g)
        self.wakep()

    # ======================================================================
    # what a goroutine does
    # ======================================================================
    def do_compute(self, m, g, op):
        g.left = op.ns
        g.tight = op.tight
        self._start_compute(m, g)

    def _start_compute(self, m, g):
        g.since = self.engine.now
        g.timer = self.engine.after(g.left, self._compute_done, m, g)

    def _compute_done(self, m, g):
        """A compute ends: record it, and run ``g`` on to its next operation
        (``_run_g_fast``, which also ends in place the computes that follow when
        nothing else can happen in between)."""
        self._run_g_fast(m, g, True)

    def do_go(self, m, g, op):
        """newproc: the parent pays goroutine_create_ns, then the new G goes to
        runnext (the old runnext to the ring's tail) and wakep."""
        engine = self.engine
        now = engine.now
        cost = self.create_ns
        if cost:
            self._mspan("spawn", now, now + cost, m.id, m.p.id, g.id)
        # engine.after(cost, self._newproc_done, m, g, op.g), inlined
        engine._seq = seq = engine._seq + 1
        _heappush(self._heap, [now + cost, seq, self._newproc_done, (m, g, op.g)])

    def _newproc_done(self, m, g, newg):
        self.curm = m
        self.runqput(m.p, newg, True)
        self.wakep()
        self._run(m, g)

    def do_gosched(self, m, g, op):
        """gosched_m / goschedImpl: ``g`` to the global queue's tail, wakep, schedule."""
        self.event("gosched", g=g.id, m=m.id, p=m.p.id)
        self._requeue_global(m, g)

    def gopreempt_m(self, m, g):
        """gopreempt_m: a preempted ``g`` goes to the global queue's tail (keeping
        what is left of its compute), wakep, schedule."""
        self.sim.stats["preemptions"] += 1
        m.p.preempt = False
        self.event("preempt", g=g.id, m=m.id, p=m.p.id, detail=f"left={g.left}")
        self._requeue_global(m, g)

    def do_goyield(self, m, g, op):
        """goyield_m: after a starvation-mode Mutex hand-off (the waiter is on
        runnext), ``g`` goes to the tail of its P's *local* queue; schedule."""
        g.status = "runnable"
        m.curg = None
        self.runqput(m.p, g, False)
        self.schedule(m)

    def mutex_can_spin(self, g, iters):
        """sync_runtime_canSpin: fewer than 4 spins so far, GOMAXPROCS > 1 with
        another P running (``gomaxprocs > npidle + nmspinning + 1``), and nothing
        in the spinning G's own local queue."""
        if iters >= ACTIVE_SPIN or self.procs <= len(self.pidle) + self.nmspinning + 1:
            return False
        m = self.curm
        return m is not None and m.p is not None and self.runqempty(m.p)

    def _requeue_global(self, m, g):
        g.status = "runnable"
        m.curg = None
        self.globrunqput(g)
        self.wakep()
        self.schedule(m)

    def do_blocked(self, m, g):
        """park_m: ``g`` parked on a channel, mutex or wait group; schedule."""
        m.curg = None
        self.schedule(m)

    def do_exit(self, m, g):
        """goexit0: ``g`` is dead; schedule."""
        m.curg = None
        self.schedule(m)

    def do_sleep(self, m, g, op):
        """time.Sleep: park ``g`` with a timer on this P's heap; if it is the
        earliest, wakeNetPoller so somebody wakes up in time to run it."""
        self.sim.park(g, "sleep", sync=False)
        m.curg = None
        pp = m.p
        when = self.engine.now + op.ns
        earliest = not pp.timers or when < pp.timers[0][0]
        self.timer_seq += 1
        heapq.heappush(pp.timers, (when, self.timer_seq, g))
        if earliest:
            self.wakeNetPoller(when)
        self.schedule(m)

    def do_netio(self, m, g, op):
        """A network read: ``g`` parks on the netpoller (no thread blocks)."""
        self.sim.park(g, "IO wait", sync=False)
        m.curg = None
        self.netpoll_waiters += 1
        self.io_seq += 1
        heapq.heappush(self.netpoll_pending, (self.engine.now + op.ns, self.io_seq, g))
        self.engine.after(op.ns, self._io_done)
        self.schedule(m)

    # ---- system calls ------------------------------------------------------
    def do_syscall(self, m, g, op):
        """entersyscall: ``g`` enters the kernel; ``m`` blocks with it but keeps
        its P (the P stays running; sysmon may retake it)."""
        pp = m.p
        self.event("syscall-enter", g=g.id, m=m.id, p=pp.id)
        g.status = "syscall"
        m.state = "syscall"
        m.since = self.engine.now
        m.oldp = pp
        m.syscalltick = pp.syscalltick
        if self.sysmonwait:
            self._wake_sysmon()
        extra = self.overshoot() if self.sleep_syscalls else 0
        self.engine.after(op.ns + self.syscall_ns + extra, self.exitsyscall, m, g)

    def _take_p(self, m):
        """syscallingThread.takeP: unwire the P from ``m``, which stays in its syscall."""
        pp = m.p
        now = self.engine.now
        self.span("syscall", m.since, now, m=m.id, p=pp.id, g=m.curg.id)
        m.since = now
        self.releasep(m)
        pp.status = "idle"
        pp.syscalltick += 1
        return pp

    def exitsyscall(self, m, g):
        """exitsyscall: back from the kernel.  Fast path: still holding the P.
        Else take ``oldp`` back (if another syscall holds it) or any idle P; else
        ``g`` goes to the global queue and ``m`` parks (exitsyscallNoP)."""
        now = self.engine.now
        self.curm = m
        pp = m.p
        self.span("syscall", m.since, now, m=m.id, p=pp.id if pp else -1, g=g.id)
        g.status = "running"
        oldp, m.oldp = m.oldp, None
        if pp is not None:
            how = "fast"
        else:
            pp, how = self.exitsyscallTryGetP(oldp)
            if pp is not None:
                self.acquirep(m, pp)
        if pp is not None:
            pp.syscalltick += 1
            m.state = "running"
            self.event("syscall-exit", g=g.id, m=m.id, p=pp.id, detail=how)
            self._run(m, g)
            return
        # exitsyscallNoP
        self.event("syscall-exit", g=g.id, m=m.id, detail="nop")
        g.status = "runnable"
        m.curg = None
        self.globrunqput(g)
        self.stopm(m)

    def exitsyscallTryGetP(self, oldp):
        """exitsyscallTryGetP: ``oldp`` if it is now held by another M in a
        syscall (take it from that M), else an idle P.  Returns ``(p, how)``."""
        if oldp is not None and oldp.m is not None and oldp.m.state == "syscall":
            return self._take_p(oldp.m), "oldp"
        pp = self.pidleget()
        if pp is not None:
            if self.sysmonwait:
                self._wake_sysmon()
            return pp, "idlep"
        return None, "nop"

    # ======================================================================
    # sysmon
    # ======================================================================
    def overshoot(self):
        """How much longer than asked this sleep lasts (ns): ``usleep_overhead_ns``,
        or, with ``sleep_overshoot``, a draw from that distribution (inverse
        transform: a uniform ``u`` read off the quantiles, linearly between the
        two around it, the end quantiles below 1/(2n) and above 1 - 1/(2n))."""
        q = self.sleep_overshoot
        if q is None:
            return self.usleep_ns
        x = self.sleep_rng.random() * len(q) - 0.5
        if x <= 0:
            return q[0]
        i = int(x)
        if i >= len(q) - 1:
            return q[-1]
        return q[i] + int(round((q[i + 1] - q[i]) * (x - i)))

    def _sysmon_sleep(self):
        """sysmon's usleep(delay): ask for 20 µs; after 50 idle rounds double the
        request each round, up to 10 ms.  The sleep lasts the request plus an
        overshoot (:meth:`overshoot`): usleep is one nanosleep(2), and the kernel
        wakes the thread up to its timer slack late, then it must get a CPU again."""
        if self.sm_idle == 0:
            delay = SYSMON_MIN_US
        elif self.sm_idle > SYSMON_IDLE_ROUNDS:
            delay = self.sm_delay * 2
        else:
            delay = self.sm_delay
        self.sm_delay = min(delay, SYSMON_MAX_US)
        self.sysmon_timer = self.engine.after(self.sm_delay * 1_000 + self.overshoot(), self.sysmon)

    def drive_schedtrace(self, period_ns, record):
        """GODEBUG=schedtrace: sysmon prints, at its own rounds, once ``period_ns``
        has passed since the last line -- so a backed-off sysmon prints every
        10 ms whatever the period -- and it no longer deep-sleeps."""
        self.trace_period = period_ns
        self.trace_record = record
        return True

    def sysmon(self):
        """sysmon: one round of the monitor thread (no P): print the schedtrace if
        one is due; deep-sleep if all Ps are idle (not while tracing), else poll
        the network if nobody has for 10 ms, retake Ps from syscalls and preempt
        long-running Gs."""
        now = self.engine.now
        self.sysmon_log.append((now, self.sm_delay))
        self.stats_extra["sysmon_wakeups"] += 1
        if self.trace_record is not None and (self.lasttrace is None
                                              or self.lasttrace + self.trace_period <= now):
            self.lasttrace = now
            self.trace_record()
        if len(self.pidle) == self.procs and self.trace_record is None:
            nxt = self.timeSleepUntil()
            if nxt is None or nxt > now:
                self.sysmonwait = True
                sleep = SYSMON_DEEP_SLEEP_NS if nxt is None else min(SYSMON_DEEP_SLEEP_NS,
                                                                    nxt - now)
                self.sysmon_timer = self.engine.after(sleep, self._sysmon_deep_wake, False)
                return
        self._sysmon_round()

    def _wake_sysmon(self):
        """notewakeup(&sched.sysmonnote): a syscall ends sysmon's deep sleep."""
        self.sysmonwait = False
        self.engine.cancel(self.sysmon_timer)
        self.sysmon_timer = self.engine.after(0, self._sysmon_deep_wake, True)

    def _sysmon_deep_wake(self, syscall_wake):
        self.sysmonwait = False
        if syscall_wake:
            self.sm_idle = 0
            self.sm_delay = SYSMON_MIN_US
        self._sysmon_round()

    def _sysmon_round(self):
        now = self.engine.now
        if (self.netpoll_waiters and self.netpoll_m is None
                and self.lastpoll + SYSMON_NETPOLL_NS < now):
            self.lastpoll = now
            ready = self.netpoll()
            if ready:
                self.curm = self.sysmon_m
                self.injectglist(ready, None)
        if self.retake(now):
            self.sm_idle = 0
        else:
            self.sm_idle += 1
        self._sysmon_sleep()

    def retake(self, now):
        """retake: for each running P, preempt its G if the P's schedtick has not
        moved for 10 ms, and take it from a syscall that has lasted a sysmon tick
        when it has local work, or nobody is idle or spinning, or 10 ms passed.
        Returns how many Ps were retaken (preemptions do not count)."""
        n = 0
        for pp in self.allp:
            m = pp.m
            if m is None:
                continue
            sysretake = False
            if pp.sm_schedtick != pp.schedtick:
                pp.sm_schedtick = pp.schedtick
                pp.sm_schedwhen = now
            elif pp.sm_schedwhen + FORCE_PREEMPT_NS <= now:
                self.preemptone(pp)
                sysretake = True   # a G in a syscall cannot be preempted: take the P
            g = m.curg
            if g is None or g.status != "syscall" or m.p is not pp:
                continue
            # A syscall seen for the first time is left alone for one tick.
            # (Like the runtime, a P's very first syscall matches the zero
            # sysmontick and can be retaken at first sight.)
            if not sysretake and pp.sm_syscalltick != pp.syscalltick:
                pp.sm_syscalltick = pp.syscalltick
                pp.sm_syscallwhen = now
                continue
            if (self.runqempty(pp) and self.nmspinning + len(self.pidle) > 0
                    and pp.sm_syscallwhen + SYSCALL_RETAKE_NS > now):
                continue
            self._take_p(m)
            n += 1
            self.stats_extra["retakes"] += 1
            self.event("retake", g=g.id, m=m.id, p=pp.id)
            self.handoffp(pp)
        return n

    def preemptone(self, pp):
        """preemptone: ask the G running on ``pp`` to stop.  Cooperative: the
        poisoned stack guard stops it at its next function call.  With
        async_preempt, a SIGURG also stops a tight loop.  Returns True if asked."""
        m = pp.m
        g = m.curg if m is not None else None
        if g is None or g.status == "syscall":
            return False
        g.preempt = True
        if self.async_preempt:
            pp.preempt = True
        if g.timer is not None and (not g.tight or self.async_preempt):
            self.engine.after(0, self._preempt_compute, m, g)
        return True

    def _preempt_compute(self, m, g):
        """The preemption takes effect: stop ``g``'s compute, keep the rest in ``g.left``."""
        if g.timer is None or m.curg is not g or not g.preempt:
            return
        self.engine.cancel(g.timer)
        g.timer = None
        now = self.engine.now
        self.span("running", g.since, now, m=m.id, p=m.p.id, g=g.id)
        g.left -= now - g.since
        self.curm = m
        self.gopreempt_m(m, g)

    # ======================================================================
    # recording and inspection
    # ======================================================================
    def _set_state(self, m, state):
        """Move ``m`` to ``state``, closing the span of a waiting state."""
        label = _SPAN_LABEL.get(m.state)
        now = self.engine.now
        if label is not None and now > m.since:
            pp = m.p or m.nextp
            self.span(label, m.since, now, m=m.id, p=pp.id if pp else -1)
        m.state = state
        m.since = now

    def finish(self, now):
        """Close spans still open when main returns; a compute cut short is
        recorded for the time it actually ran."""
        for m in self.allm:
            if m is self.sysmon_m:
                continue
            if m.state in _SPAN_LABEL:
                self._set_state(m, m.state)
            elif m.state == "syscall" and m.curg is not None:
                self.span("syscall", m.since, now, m=m.id, p=m.p.id if m.p else -1,
                          g=m.curg.id)
            g = m.curg
            if m.state == "running" and g is not None and g.timer is not None:
                self.span("running", g.since, now, m=m.id, p=m.p.id, g=g.id)
                g.left -= now - g.since

    def stats(self):
        s = dict(self.stats_extra)
        s["threads"] = len(self.allm)
        s["procs"] = self.procs
        return s

    def snapshot(self):
        def gid(g):
            return g.id if g is not None else None

        ps = [{"id": pp.id, "status": pp.status, "m": pp.m.id if pp.m else None,
               "runnext": gid(pp.runnext), "runq": [g.id for g in pp.runq],
               "runqhead": pp.runqhead, "runqtail": pp.runqtail,
               "schedtick": pp.schedtick, "syscalltick": pp.syscalltick,
               "timers": len(pp.timers),
               "in_syscall": pp.m is not None and pp.m.state == "syscall"}
              for pp in self.allp]
        ms = []
        for m in self.allm:
            if m is self.sysmon_m:
                state = "sysmon"
            elif m.state in ("running", "syscall"):
                state = m.state
            elif m.spinning:
                state = "spinning"
            elif m.state in ("starting", "waking") and m.nextp is not None:
                state = "starting"     # newm / a woken M: on its way to the P in nextp
            else:
                state = "idle"
            p = m.p or m.nextp
            ms.append({"id": m.id, "p": p.id if p else None, "g": gid(m.curg), "state": state,
                       "netpoll": m is self.netpoll_m})
        timers = sorted((w, g.id) for pp in self.allp for w, _, g in pp.timers)
        netpoll = sorted(g.id for g in self.sim.gs.values() if g.wait == "IO wait")
        return {"ps": ps, "ms": ms, "global": [g.id for g in self.globalq],
                "netpoll": netpoll, "timers": timers,
                "nmspinning": self.nmspinning, "npidle": len(self.pidle),
                "nmidle": len(self.midle), "needspinning": self.needspinning}
