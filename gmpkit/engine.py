"""A small discrete-event engine: an integer-nanosecond clock and one heap.

It knows nothing about Go.  Callbacks are scheduled at absolute times; ties are
broken by the order they were scheduled, so a run is a pure function of its
inputs and seed.

>>> e = Engine(seed=1)
>>> log = []
>>> _ = e.after(30, log.append, "b"); t = e.after(10, log.append, "a")
>>> _ = e.after(20, log.append, "never"); e.cancel(_)
>>> while e.step(): pass
>>> log, e.now
(['a', 'b'], 30)

Each scheduled callback is one plain list ``[when, seq, fn, args]`` on the heap
(the *timer*: ``at``/``after`` return it): no object per event beyond that list,
so the hot loop is a pop, a clock update and a call.  ``seq`` is unique, so two
timers never compare further than their second item.  Cancelling sets ``fn`` to
None; the loop skips such timers.
"""

from __future__ import annotations

import heapq
import random

from .i18n import tr

_heappush = heapq.heappush

__all__ = ["Engine", "SimulationLimit", "WHEN", "FN"]

WHEN, SEQ, FN, ARGS = 0, 1, 2, 3   # the fields of a timer list


class SimulationLimit(RuntimeError):
    """A run went past ``max_time`` or ``max_events``."""


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
                 "describe", "run_ahead")

    def __init__(self, seed=0, max_time=60_000_000_000, max_events=20_000_000):
        self.now = 0
        self.rng = random.Random(seed)
        self.max_time = max_time
        self.max_events = max_events
        self.events = 0
        self._heap: list = []
        self._seq = 0
        self.describe = lambda: ""  # who is still running; set by the simulation
        # True while a run goes to its end (not step by step): a model may then
        # finish an event itself when it is certainly the next one (see
        # :meth:`may_run_ahead`), instead of a heap push and pop.
        self.run_ahead = False

    def at(self, when, fn, *args):
        """Call ``fn(*args)`` at absolute time ``when`` (ns); returns the timer."""
        if when < self.now:
            when = self.now
        self._seq = seq = self._seq + 1
        t = [when, seq, fn, args]
        _heappush(self._heap, t)
        return t

    def after(self, delay, fn, *args):
        """Call ``fn(*args)`` ``delay`` ns from now; returns the timer."""
        # at() inlined: this is the hottest call of every model (delay is never < 0)
        when = self.now + delay if delay > 0 else self.now
        self._seq = seq = self._seq + 1
        t = [when, seq, fn, args]
        _heappush(self._heap, t)
        return t

    @staticmethod
    def cancel(timer):
        """Make a timer returned by :meth:`at` / :meth:`after` a no-op."""
        timer[FN] = None

    @staticmethod
    def cancelled(timer):
        return timer[FN] is None

    def may_run_ahead(self, when):
        """Whether a callback due at ``when`` is certainly the next event and may be
        run now by its caller, without the heap: the run is not being stepped, no
        live or cancelled timer is due at or before ``when`` (a tie would go to the
        earlier timer), and neither limit would stop the run there.  The caller
        must then set ``now = when`` and count the event, as :meth:`step` does."""
        heap = self._heap
        return (self.run_ahead and (not heap or heap[0][WHEN] > when)
                and when <= self.max_time and self.events < self.max_events)

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
            t = heapq.heappop(heap)
            when, _, fn, args = t
            if fn is None:
                continue
            if when > self.max_time:
                t[SEQ] = 0
                heapq.heappush(heap, t)  # keep it for a post-mortem
                raise SimulationLimit(
                    tr("simulated time passed max_time={max_time:,} ns (next event at "
                       "{when:,} ns); raise max_time= or shorten the workload. {state}",
                       max_time=self.max_time, when=when, state=self.describe()))
            self.now = when
            self.events += 1
            if self.events > self.max_events:
                self.tick(0)
            fn(*args)
            return True
        return False

    def peek(self):
        """Time of the next live event, or None."""
        heap = self._heap
        while heap and heap[0][FN] is None:
            heapq.heappop(heap)
        return heap[0][WHEN] if heap else None
