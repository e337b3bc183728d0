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

from .ops import Op

__all__ = ["Chan", "Mutex", "WaitGroup", "SyncOp", "GoPanic", "BLOCK"]

BLOCK = object()  # returned by SyncOp.apply when the G parked


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

    __slots__ = ("cap", "buf", "recvq", "sendq", "closed", "name")

    def __init__(self, cap=0, name=None):
        if isinstance(cap, bool) or not isinstance(cap, int) or cap < 0:
            raise ValueError(f"Chan(cap={cap!r}): capacity must be an int >= 0 "
                             f"(0 = unbuffered)")
        self.cap = cap
        self.buf: deque = deque()
        self.recvq: deque = deque()   # parked receivers; each one's g.resume_value holds want_ok
        self.sendq: deque = deque()   # (g, value)
        self.closed = False
        self.name = name

    def __repr__(self):
        label = f"{self.name}: " if self.name else ""
        return f"Chan({label}cap={self.cap}, len={len(self.buf)})"

    def __len__(self):
        return len(self.buf)

    # -- what a goroutine yields
    def send(self, value=None):
        return SyncOp(self, Chan._send, value)

    def recv(self):
        return SyncOp(self, Chan._recv, False)

    def recv_ok(self):
        return SyncOp(self, Chan._recv, True)

    def close(self):
        return SyncOp(self, Chan._close)

    # -- semantics (chansend / chanrecv / closechan in chan.go)
    def _send(self, sim, g, value):
        if self.closed:
            raise GoPanic(f"panic: send on closed channel (goroutine {g.id} [{g.name}])")
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
            raise GoPanic(f"panic: close of closed channel (goroutine {g.id} [{g.name}])")
        if self.sendq:
            s, _v = self.sendq[0]
            raise GoPanic(f"panic: send on closed channel (goroutine {s.id} [{s.name}] "
                          f"was blocked sending when goroutine {g.id} [{g.name}] closed it)")
        self.closed = True
        # closechan collects the waiters on a gList (a stack) and then readies
        # them by popping it: the receiver that blocked last is woken first.
        while self.recvq:
            r = self.recvq.pop()
            r.resume_value = (None, False) if r.resume_value else None
            sim.ready(r, g)
        return None


class Mutex:
    """``sync.Mutex``: ``yield mu.lock()`` ... ``yield mu.unlock()``.

    Simplified: ownership is handed straight to the longest waiter (Go's
    starvation mode); Go's normal mode lets a running G barge in first.
    """

    __slots__ = ("owner", "waiters", "name")

    def __init__(self, name=None):
        self.owner = None
        self.waiters: deque = deque()
        self.name = name

    def __repr__(self):
        state = f"held by G{self.owner.id}" if self.owner else "unlocked"
        return f"Mutex({state}, {len(self.waiters)} waiting)"

    def lock(self):
        return SyncOp(self, Mutex._lock)

    def unlock(self):
        return SyncOp(self, Mutex._unlock)

    def _lock(self, sim, g, _):
        if self.owner is None:
            self.owner = g
            return None
        if self.owner is g:
            # Go has no re-entrant mutex: this goroutine now waits on itself.
            pass
        self.waiters.append(g)
        sim.park(g, "sync.Mutex.Lock", self)
        return BLOCK

    def _unlock(self, sim, g, _):
        if self.owner is None:
            raise GoPanic(f"fatal error: sync: unlock of unlocked mutex "
                          f"(goroutine {g.id} [{g.name}])")
        if self.waiters:
            w = self.waiters.popleft()
            self.owner = w
            sim.ready(w, g)
        else:
            self.owner = None
        return None


class WaitGroup:
    """``sync.WaitGroup``: ``wg.add(n)`` is a plain call; ``done`` and ``wait`` are yielded."""

    __slots__ = ("counter", "waiters", "_sim", "name")

    def __init__(self, name=None):
        self.counter = 0
        self.waiters: deque = deque()
        self._sim = None
        self.name = name

    def __repr__(self):
        return f"WaitGroup(counter={self.counter}, {len(self.waiters)} waiting)"

    def add(self, n=1):
        """Add ``n`` (may be negative) to the counter, as ``wg.Add(n)``."""
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"WaitGroup.add({n!r}): n must be an int")
        self._change(self._sim, None, n)

    def done(self):
        return SyncOp(self, WaitGroup._done)

    def wait(self):
        return SyncOp(self, WaitGroup._wait)

    def _change(self, sim, g, n):
        self.counter += n
        if self.counter < 0:
            who = f" (goroutine {g.id} [{g.name}])" if g is not None else ""
            raise GoPanic(f"panic: sync: negative WaitGroup counter{who}")
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
