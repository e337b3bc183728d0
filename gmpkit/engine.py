"""A small discrete-event engine: an integer-nanosecond clock and one heap.

It knows nothing about Go.  Callbacks are scheduled at absolute times; ties are
broken by the order they were scheduled, so a run is a pure function of its
inputs and seed.

>>> e = Engine(seed=1)
>>> log = []
>>> _ = e.after(30, log.append, "b"); _ = e.after(10, log.append, "a")
>>> while e.step(): pass
>>> log, e.now
(['a', 'b'], 30)
"""

from __future__ import annotations

import heapq
import random

from .i18n import tr

_heappush = heapq.heappush

__all__ = ["Engine", "Timer", "SimulationLimit"]


class SimulationLimit(RuntimeError):
    """A run went past ``max_time`` or ``max_events``."""


class Timer:
    """A scheduled callback; ``cancel()`` makes it a no-op."""

    __slots__ = ("when", "fn", "args", "cancelled")

    def __init__(self, when, fn, args):
        self.when = when
        self.fn = fn
        self.args = args
        self.cancelled = False

    def cancel(self):
        self.cancelled = True


class Engine:
    """Clock, event heap, seeded RNG and the two run limits.

    Parameters
    ----------
    seed : int
        Seeds ``self.rng`` (a ``random.Random``); nothing else is random.
    max_time : int
        Simulated nanoseconds after which :meth:`step` raises SimulationLimit.
    max_events : int
        Events (plus goroutine operations counted with :meth:`tick`) after
        which :meth:`step` raises SimulationLimit.
    """

    __slots__ = ("now", "rng", "max_time", "max_events", "events", "_heap", "_seq",
                 "describe")

    def __init__(self, seed=0, max_time=60_000_000_000, max_events=20_000_000):
        self.now = 0
        self.rng = random.Random(seed)
        self.max_time = max_time
        self.max_events = max_events
        self.events = 0
        self._heap: list = []
        self._seq = 0
        self.describe = lambda: ""  # who is still running; set by the simulation

    def at(self, when, fn, *args):
        """Call ``fn(*args)`` at absolute time ``when`` (ns); returns a Timer."""
        if when < self.now:
            when = self.now
        t = Timer(when, fn, args)
        self._seq += 1
        heapq.heappush(self._heap, (when, self._seq, t))
        return t

    def after(self, delay, fn, *args):
        """Call ``fn(*args)`` ``delay`` ns from now; returns a Timer."""
        # at() inlined: this is the hottest call of every model (delay is never < 0)
        when = self.now + delay if delay > 0 else self.now
        t = Timer(when, fn, args)
        self._seq = seq = self._seq + 1
        _heappush(self._heap, (when, seq, t))
        return t

    def tick(self, n=1):
        """Count ``n`` units of work against ``max_events``."""
        self.events += n
        if self.events > self.max_events:
            raise SimulationLimit(
                tr("stopped after {events:,} events at t={now:,} ns: the run looks runaway "
                   "(raise max_events= if it is not). {state}", events=self.max_events,
                   now=self.now, state=self.describe()))

    def step(self):
        """Run the next callback; return False when nothing is left."""
        heap = self._heap
        while heap:
            when, _, t = heapq.heappop(heap)
            if t.cancelled:
                continue
            if when > self.max_time:
                heapq.heappush(heap, (when, 0, t))  # keep it for a post-mortem
                raise SimulationLimit(
                    tr("simulated time passed max_time={max_time:,} ns (next event at "
                       "{when:,} ns); raise max_time= or shorten the workload. {state}",
                       max_time=self.max_time, when=when, state=self.describe()))
            self.now = when
            self.events += 1
            if self.events > self.max_events:
                self.tick(0)
            t.fn(*t.args)
            return True
        return False

    def peek(self):
        """Time of the next live event, or None."""
        heap = self._heap
        while heap and heap[0][2].cancelled:
            heapq.heappop(heap)
        return heap[0][0] if heap else None
