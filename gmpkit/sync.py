"""Channels, mutexes and wait groups with Go's semantics, for every model.

These objects decide *whether* a goroutine blocks and *whom* an operation
wakes; the scheduler model decides *where* the woken goroutine is queued and
when it runs (in GMP: the waker's ``runnext``).  An operation that can
proceed takes no simulated time; one that cannot parks the G (never the M).

>>> ch = Chan(cap=1)
>>> ch
Chan(cap=1, len=0)
"""

from __future__ import annotations

from collections import deque

from .i18n import tr
from .ops import Compute, Gosched, Op

__all__ = ["Chan", "Mutex", "WaitGroup", "SyncOp", "GoPanic", "BLOCK", "Spin", "GoYield",
           "STARVATION_THRESHOLD_NS", "ACTIVE_SPIN"]

BLOCK = object()  # returned by SyncOp.apply when the G parked

# internal/sync/mutex.go: a waiter that waited longer than this switches the
# mutex to starvation mode.
STARVATION_THRESHOLD_NS = 1_000_000
# runtime (lock_spinbit.go): sync.Mutex spins at most active_spin rounds of
# procyield(active_spin_cnt = 30).
ACTIVE_SPIN = 4


class Spin(Compute):
    """A sync.Mutex spin round (``procyield(30)``): the G keeps its CPU for ``ns``,
    then tries the lock again.  Returned by ``SyncOp.apply``; the model runs it
    as a compute."""

    __slots__ = ()
    opname = "spin"


class GoYield(Gosched):
    """``goyield``: after a starvation-mode hand-off the unlocker yields its P to
    the waiter it handed the lock to (GMP: to its P's local queue, not the global)."""

    __slots__ = ()

    def __repr__(self):
        return "goyield()"


class GoPanic(RuntimeError):
    """A goroutine did what Go punishes with a panic or a fatal error."""


class SyncOp(Op):
    """An operation on a sync object; ``apply`` returns a value or BLOCK."""

    __slots__ = ("obj", "arg", "fn")

    def __init__(self, obj, fn, arg=None):
        self.obj = obj
        self.fn = fn      # the semantics, e.g. Chan._send (a plain function)
        self.arg = arg

    def apply(self, sim, g):
        return self.fn(self.obj, sim, g, self.arg)

    def __repr__(self):
        return f"{self.obj!r}.{self.fn.__name__.lstrip('_')}()"


class Chan:
    """A Go channel: ``gk.Chan()`` is unbuffered, ``gk.Chan(cap=n)`` buffered.

    Yield its operations from a goroutine::

        yield ch.send(v)
        v = yield ch.recv()            # None once closed and drained
        v, ok = yield ch.recv_ok()     # ok is False once closed and drained
        yield ch.close()
    """

    __slots__ = ("cap", "buf", "recvq", "sendq", "closed", "name", "_recv_op", "_recv_ok_op",
                 "_send_ops")

    def __init__(self, cap=0, name=None):
        if isinstance(cap, bool) or not isinstance(cap, int) or cap < 0:
            raise ValueError(tr("Chan(cap={cap!r}): capacity must be an int >= 0 "
                                "(0 = unbuffered)", cap=cap))
        self.cap = cap
        self.buf: deque = deque()
        self.recvq: deque = deque()   # parked receivers; each one's g.resume_value holds want_ok
        self.sendq: deque = deque()   # (g, value)
        self.closed = False
        self.name = name
        # operations without an argument are made once: a goroutine may yield
        # the same one many times (the simulation never changes an op)
        self._recv_op = SyncOp(self, Chan._recv, False)
        self._recv_ok_op = SyncOp(self, Chan._recv, True)
        self._send_ops = None   # int value -> its send op, made on first use

    def __repr__(self):
        label = f"{self.name}: " if self.name else ""
        return f"Chan({label}cap={self.cap}, len={len(self.buf)})"

    def __len__(self):
        return len(self.buf)

    # -- what a goroutine yields
    def send(self, value=None):
        # Sends of None or of a small set of ints (tokens, ids, counts) are made
        # once per value and shared; other values get an op of their own.
        if value is None or type(value) is int:
            ops = self._send_ops
            if ops is None:
                ops = self._send_ops = {}
            op = ops.get(value)
            if op is None:
                op = SyncOp(self, _chan_send, value)
                if len(ops) < _SEND_OPS_MAX:
                    ops[value] = op
            return op
        return SyncOp(self, _chan_send, value)

    def recv(self):
        return self._recv_op

    def recv_ok(self):
        return self._recv_ok_op

    def close(self):
        return SyncOp(self, Chan._close)

    # -- semantics (chansend / chanrecv / closechan in chan.go)
    def _send(self, sim, g, value):
        if self.closed:
            raise GoPanic(tr("panic: send on closed channel (goroutine {id} [{name}])",
                             id=g.id, name=g.name))
        if self.recvq:
            r = self.recvq.popleft()
            r.resume_value = (value, True) if r.resume_value else value
            sim.ready(r, g)
            return None
        if len(self.buf) < self.cap:
            self.buf.append(value)
            return None
        self.sendq.append((g, value))
        sim.park(g, "chan send", self)
        return BLOCK

    def _recv(self, sim, g, want_ok):
        if self.buf:
            value = self.buf.popleft()
            if self.sendq:  # a blocked sender's value takes the freed slot
                s, v = self.sendq.popleft()
                self.buf.append(v)
                sim.ready(s, g)
            return (value, True) if want_ok else value
        if self.sendq:  # unbuffered: take the value straight from the sender
            s, v = self.sendq.popleft()
            sim.ready(s, g)
            return (v, True) if want_ok else v
        if self.closed:
            return (None, False) if want_ok else None
        g.resume_value = want_ok   # read back by the sender that wakes it
        self.recvq.append(g)
        sim.park(g, "chan receive", self)
        return BLOCK

    def _close(self, sim, g, _):
        if self.closed:
            raise GoPanic(tr("panic: close of closed channel (goroutine {id} [{name}])",
                             id=g.id, name=g.name))
        if self.sendq:
            s, _v = self.sendq[0]
            raise GoPanic(tr("panic: send on closed channel (goroutine {sid} [{sname}] was "
                             "blocked sending when goroutine {id} [{name}] closed it)",
                             sid=s.id, sname=s.name, id=g.id, name=g.name))
        self.closed = True
        # closechan collects the waiters on a gList (a stack) and then readies
        # them by popping it: the receiver that blocked last is woken first.
        while self.recvq:
            r = self.recvq.pop()
            r.resume_value = (None, False) if r.resume_value else None
            sim.ready(r, g)
        return None


_chan_send = Chan._send
_SEND_OPS_MAX = 64   # distinct int values cached per channel


class Mutex:
    """``sync.Mutex``: ``yield mu.lock()`` ... ``yield mu.unlock()``.

    Go's two modes (``internal/sync/mutex.go``):

    * **Normal mode.**  Waiters queue FIFO, but a woken waiter does not own the
      lock: it must win it like anyone else, and a G that is already running
      (one that just unlocked, or a newcomer) usually wins.  A G that finds the
      lock held may first *spin* a few rounds (``runtime_canSpin``: at most 4
      rounds of ``procyield(30)``, only with another P running the owner and
      nothing in its own run queue) and take the lock the moment it is freed,
      without parking.  A woken waiter that loses queues again at the front.
    * **Starvation mode.**  A waiter that waited more than 1 ms
      (``starvationThresholdNs``) switches the mutex to starvation mode: Unlock
      hands ownership straight to the first waiter and yields its P to it
      (``semrelease1(handoff=true)`` then ``goyield``); newcomers neither spin
      nor barge, they queue at the back.  It returns to normal mode when the
      waiter that gets it waited less than 1 ms or is the last one.

    What it needs from the model (see :class:`gmpkit.models.base.Model`):
    ``mutex_can_spin(g, iters)`` (whether a spin round is possible now), the
    ``mutex_spin_ns`` cost (one round, run as a ``Spin`` compute of the G), a
    handler for ``GoYield``, and ``MUTEX_STARVATION`` (False: the Go 1.0 mutex,
    normal mode only, FIFO re-queue).

    >>> import gmpkit as gk
    >>> def main():
    ...     mu = gk.Mutex()
    ...     yield mu.lock()
    ...     yield mu.unlock()
    >>> gk.simulate(main, model=gk.GMP(procs=2)).stats["goroutines"]
    1
    """

    __slots__ = ("owner", "waiters", "name", "woken", "starving", "slow", "handoffs",
                 "barges", "spins", "_lock_op", "_unlock_op")

    def __init__(self, name=None):
        self.owner = None       # the G holding it (mutexLocked), or None
        self.waiters: deque = deque()   # the semaphore queue of parked Gs
        self.woken = False      # mutexWoken: a G is awake and trying (no need to wake another)
        self.starving = False   # mutexStarving
        self.slow = {}          # G -> [iters, awoke, starving, waitStartTime, just_woken]
        self.name = name
        self.handoffs = 0       # starvation-mode hand-offs
        self.barges = 0         # a running G took the lock while a woken waiter was on its way
        self.spins = 0          # spin rounds
        self._lock_op = SyncOp(self, Mutex._lock)
        self._unlock_op = SyncOp(self, Mutex._unlock)

    def __repr__(self):
        state = f"held by G{self.owner.id}" if self.owner else "unlocked"
        mode = ", starving" if self.starving else ""
        return f"Mutex({state}, {len(self.waiters)} waiting{mode})"

    def lock(self):
        return self._lock_op

    def unlock(self):
        return self._unlock_op

    def _lock(self, sim, g, _):
        """Lock, then lockSlow's loop; applied again after each spin or wake-up."""
        now = sim.engine.now
        st = self.slow.get(g)
        if st is None:
            if self.owner is None and not self.starving:   # the fast path (or a barge)
                if self.woken:
                    self.barges += 1
                self.owner = g
                return None
            st = self.slow[g] = [0, False, False, 0, False]
        iters, awoke, starving, wait_start, just_woken = st
        model = sim.model
        if just_woken:                  # back from runtime_SemacquireMutex
            starving = starving or now - wait_start > STARVATION_THRESHOLD_NS
            if self.owner is g:         # handed over in starvation mode
                if not starving or not self.waiters:
                    self.starving = False
                del self.slow[g]
                return None
            awoke, iters = True, 0
        if (self.owner is not None and not self.starving
                and model.mutex_can_spin(g, iters)):
            if not awoke and not self.woken and self.waiters:
                self.woken = awoke = True   # tell Unlock not to wake anyone: we are here
            st[:] = [iters + 1, awoke, starving, wait_start, False]
            self.spins += 1
            return Spin(model.costs["mutex_spin_ns"])
        if awoke:
            self.woken = False
        if self.owner is None and not self.starving:
            self.owner = g
            del self.slow[g]
            return None
        if starving and self.owner is not None and model.MUTEX_STARVATION:
            self.starving = True
        # queue: a waiter that already waited goes to the front (LIFO), in Go 1.9+
        if wait_start and model.MUTEX_STARVATION:
            self.waiters.appendleft(g)
        else:
            self.waiters.append(g)
        if not wait_start:
            wait_start = now
        st[:] = [0, False, starving, wait_start, False]
        sim.park(g, "sync.Mutex.Lock", self)
        return BLOCK

    def _unlock(self, sim, g, _):
        if self.owner is None:
            raise GoPanic(tr("fatal error: sync: unlock of unlocked mutex "
                             "(goroutine {id} [{name}])", id=g.id, name=g.name))
        self.owner = None
        if not self.waiters:
            return None
        if not self.starving:
            # unlockSlow, normal mode: wake one waiter unless someone is already
            # awake and trying; the waiter must still win the lock.
            if self.woken:
                return None
            self.woken = True
            self._wake(sim, g)
            return None
        # starvation mode: hand the lock to the first waiter and yield to it
        w = self._wake(sim, g)
        self.owner = w
        self.handoffs += 1
        return GoYield()

    def _wake(self, sim, g):
        w = self.waiters.popleft()
        self.slow[w][4] = True          # just_woken: it re-runs lockSlow when it runs
        w.retry = self._lock_op
        sim.ready(w, g)
        return w


class WaitGroup:
    """``sync.WaitGroup``: ``wg.add(n)`` is a plain call; ``done`` and ``wait`` are yielded."""

    __slots__ = ("counter", "waiters", "_sim", "name", "_done_op", "_wait_op")

    def __init__(self, name=None):
        self.counter = 0
        self.waiters: deque = deque()
        self._sim = None
        self.name = name
        self._done_op = SyncOp(self, WaitGroup._done)
        self._wait_op = SyncOp(self, WaitGroup._wait)

    def __repr__(self):
        return f"WaitGroup(counter={self.counter}, {len(self.waiters)} waiting)"

    def add(self, n=1):
        """Add ``n`` (may be negative) to the counter, as ``wg.Add(n)``."""
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(tr("WaitGroup.add({n!r}): n must be an int", n=n))
        self._change(self._sim, None, n)

    def done(self):
        return self._done_op

    def wait(self):
        return self._wait_op

    def _change(self, sim, g, n):
        self.counter += n
        if self.counter < 0:
            if g is not None:
                raise GoPanic(tr("panic: sync: negative WaitGroup counter (goroutine {id} "
                                 "[{name}])", id=g.id, name=g.name))
            raise GoPanic(tr("panic: sync: negative WaitGroup counter"))
        if self.counter == 0 and self.waiters:
            waker = g if g is not None else (sim.current if sim else None)
            while self.waiters:
                sim.ready(self.waiters.popleft(), waker)

    def _done(self, sim, g, _):
        self._sim = sim
        self._change(sim, g, -1)
        return None

    def _wait(self, sim, g, _):
        self._sim = sim
        if self.counter == 0:
            return None
        self.waiters.append(g)
        sim.park(g, "sync.WaitGroup.Wait", self)
        return BLOCK
