"""The record of what happened: one `Timeline` for simulated and real runs.

A Timeline holds three kinds of record, all with integer-nanosecond times:

* **spans** -- an interval on a *lane*.  The lane is ``"M"`` (an OS thread's
  activity: running a G, in a syscall, spinning, idle, waiting for a lock ...),
  ``"P"`` (a processor's state when it is recorded on its own, e.g. idle in a
  real trace) or ``"G"`` (a goroutine's own state: runnable, waiting ...).
  Every span also carries the ``m``, ``p`` and ``g`` it concerns (``-1`` when
  none), so "per P" views are a filter of the M lane by ``p``.
* **events** -- something that happened at an instant: spawn, ready, steal,
  handoff, preempt, retake, syscall enter/exit, overflow to the global queue ...
  ``g`` is the goroutine concerned, ``other`` a second party (the waker, the
  victim P, the number of Gs moved ...).
* **counters** -- sampled values that change over time (the global queue,
  each P's ring length, threads, idle Ps, spinning Ms).  A counter is stored
  as the sequence of its changes; ``value_at`` reads it at any instant.

The class knows nothing of any scheduler model: simulators and the real-trace
parsers in :mod:`gmpkit.real` both fill it, and plots, the invariant checker
and the schedtrace printer read it.

>>> tl = Timeline(procs=1)
>>> tl.add_span("running", 0, 500, lane="M", m=0, p=0, g=1)
>>> tl.add_event("spawn", 100, g=2, other=1)
>>> tl.sample("runqueue", 0, 0); tl.sample("runqueue", 300, 2)
>>> tl.value_at("runqueue", 299), tl.value_at("runqueue", 300)
(0, 2)
>>> tl.check_invariants()
True
"""

from __future__ import annotations

import struct
from array import array
from bisect import bisect_right
from collections import defaultdict
from typing import NamedTuple

import numpy as np
from operator import index as _index

from .i18n import tr
from .invariants import RUNQ_SIZE, InvariantError, TimelineChecks  # noqa: F401 (re-exported)

__all__ = ["Timeline", "Span", "Event", "InvariantError", "RUNQ_SIZE"]

# Records the simulator's recorders buffer before moving them into the columns.
_FLUSH_SPANS = 4096
_FLUSH_EVENTS = 4096


def _pack_ints(ints):
    """A list of ints as the bytes of an int64 array in native order (struct
    converts an int about twice as fast as array.fromlist, which parses a
    format per item); an int out of int64's range raises struct.error."""
    return struct.pack(f"={len(ints)}q", *ints)

# States an M-lane span may have.  "running" is a G executing its own code;
# the others are time an M spends on the scheduler's business.
M_STATES = ("running", "spawn", "switch", "syscall", "spinning", "idle",
            "lock-wait", "sched", "blocked")
# States a G-lane span may have (real traces; the simulator may add them too).
G_STATES = ("runnable", "running", "waiting", "syscall", "sleep", "netio")
P_STATES = ("running", "idle", "syscall")


class Span(NamedTuple):
    state: str
    start: int
    end: int
    lane: str
    m: int
    p: int
    g: int


class Event(NamedTuple):
    kind: str
    time: int
    g: int
    m: int
    p: int
    other: int
    detail: str


class Timeline(TimelineChecks):
    """Spans, events and counters of one run (simulated or real).

    Parameters
    ----------
    procs : int or None
        GOMAXPROCS (or CPUs) of the run; ``None`` when not known.
    source : str
        Where it came from: ``"sim"`` or ``"schedtrace"`` / ``"exectrace"``.
    max_parallel : int or None
        How many Gs may run at the same instant (GOMAXPROCS under GM and GMP,
        the CPU count for 1:1 threads); checked by :meth:`check_invariants`.
    meta : dict
        Free-form provenance (model name, seed, Go version, command ...).
    """

    RECORD_MODES = ("full", "counters", "sampled")

    def __init__(self, *, procs=None, source="sim", max_parallel=None, meta=None,
                 record="full", sample_every=100):
        self.procs = procs
        self.source = source
        self.max_parallel = max_parallel
        self.meta = dict(meta or {})
        self.g_names: dict[int, str] = {}
        # compute asked for by each G (ns); set by the simulator so the
        # checker can prove no work was lost or invented.
        self.expected_run_ns: dict[int, int] | None = None
        self.partial_gs: set[int] = set()   # Gs cut off by the end of the run
        # The model's own wake-up latency (ns): how long queued work may wait
        # while a P is idle and no M spins, before work conservation is broken.
        # Set by a model with Ps (GMP); None skips that check.
        self.wake_latency_ns: int | None = None
        # Columnar storage: a run may hold millions of records, so numbers go
        # into flat int64 arrays (5 per record) and strings into lists of
        # shared (interned) str objects.
        # The simulator's recorders first put each record, flat, into a plain
        # list (one list.extend of a tuple: far cheaper than array.extend), and
        # the list is moved into the columns in chunks (:meth:`_flush`): when it
        # holds _FLUSH_SPANS spans or _FLUSH_EVENTS events, and before anything
        # reads the columns (``_sp_state``, ``_sp``, ``end_time`` ... are
        # properties that flush first), so readers never see the difference.
        self._c_state: list[str] = []
        # the lane of each span as a 2-byte code (a name in _lane_names): a
        # list would hold an 8-byte pointer per span, for a handful of names
        self._c_lane = array("H")
        self._lane_names = ["M"]
        self._lane_codes = {"M": 0}
        self._c_sp = array("q")        # start, end, m, p, g
        self._c_kind: list[str] = []
        self._c_detail: list[str] = []
        self._c_ev = array("q")        # time, g, m, p, other
        self._spbuf: list = []         # state, start, end, lane, m, p, g, state, ...
        self._evbuf: list = []         # kind, time, g, m, p, other, detail, kind, ...
        self._end = 0
        # spans and events in the columns that _end already accounts for: the
        # later ones raise it when end_time is read (one vectorised max)
        self._end_sp = self._end_ev = 0
        # name -> (times, values): times an int64 array (a list for the
        # recorders of _counter_fn), values a list
        self._counters: dict[str, tuple[array | list, list]] = {}
        self._arrays = None
        self._arrays_n = -1
        self.record = record
        # the simulator's recorders, as closures over the columns (no attribute
        # look-ups per record); a lighter recording mode replaces them
        self._add_m_span = self._m_span_recorder()
        self._add_event = self._event_recorder()
        self._sample = self._counter_recorder()
        if record != "full":
            self._set_record(record, sample_every)

    def _m_span_recorder(self):
        """``add_span(state, start, end, lane="M", m=, p=, g=)`` for the simulator's
        hot path: positional, integer times, one closure call and one list
        extend per span (moved into the columns by :meth:`_flush`)."""
        buf = self._spbuf
        put = buf.extend
        flush = self._flush
        limit = 7 * _FLUSH_SPANS

        def add_m_span(state, start, end, m, p, g):
            put((state, start, end, "M", m, p, g))
            if len(buf) >= limit:
                flush()

        return add_m_span

    def _event_recorder(self):
        """``add_event`` with positional arguments (kind, time, g, m, p, other,
        detail), integer times, as a closure: the simulator's hot path."""
        buf = self._evbuf
        put = buf.extend
        flush = self._flush
        limit = 7 * _FLUSH_EVENTS

        def add_event(kind, time, g, m, p, other, detail):
            put((kind, time, g, m, p, other, detail))
            if len(buf) >= limit:
                flush()

        return add_event

    def _flush(self):
        """Move the buffered records into the columns, in recording order
        (``end_time`` takes them into account when it is next read)."""
        buf = self._spbuf
        if buf:
            n = len(buf) // 7
            ints = [0] * (5 * n)
            ints[0::5] = buf[1::7]
            ints[1::5] = buf[2::7]
            for k in range(2, 5):
                ints[k::5] = buf[k + 2::7]
            self._c_sp.frombytes(_pack_ints(ints))
            self._c_state.extend(buf[0::7])
            lanes = buf[3::7]
            if lanes.count("M") == n:      # the simulator's spans are all on the M lane
                self._c_lane.frombytes(bytes(2 * n))
            else:
                codes = self._lane_codes
                for lane in sorted(set(lanes).difference(codes)):
                    codes[lane] = len(self._lane_names)
                    self._lane_names.append(lane)
                self._c_lane.extend(map(codes.__getitem__, lanes))
            buf.clear()
        buf = self._evbuf
        if buf:
            n = len(buf) // 7
            ints = [0] * (5 * n)
            for k in range(5):
                ints[k::5] = buf[k + 1::7]
            self._c_ev.frombytes(_pack_ints(ints))
            self._c_kind.extend(buf[0::7])
            self._c_detail.extend(buf[6::7])
            buf.clear()

    # the columns, complete (what was buffered is moved in first)
    @property
    def _sp_state(self):
        self._flush()
        return self._c_state

    @property
    def _sp_lane(self):
        """Each span's lane name (a list made from the codes on each read)."""
        self._flush()
        return list(map(self._lane_names.__getitem__, self._c_lane))

    @property
    def _sp(self):
        self._flush()
        return self._c_sp

    @property
    def _ev_kind(self):
        self._flush()
        return self._c_kind

    @property
    def _ev_detail(self):
        self._flush()
        return self._c_detail

    @property
    def _ev(self):
        self._flush()
        return self._c_ev

    @property
    def end_time(self):
        """The latest instant recorded (ns): set by whoever fills the timeline,
        raised by every span end and event time recorded after."""
        if self._spbuf or self._evbuf:
            self._flush()
        n = len(self._c_state)
        if n > self._end_sp:
            end = int(np.frombuffer(self._c_sp, dtype=np.int64)[5 * self._end_sp + 1::5].max())
            if end > self._end:
                self._end = end
            self._end_sp = n
        n = len(self._c_kind)
        if n > self._end_ev:
            end = int(np.frombuffer(self._c_ev, dtype=np.int64)[5 * self._end_ev::5].max())
            if end > self._end:
                self._end = end
            self._end_ev = n
        return self._end

    @end_time.setter
    def end_time(self, value):
        # what was recorded before counts no more: only later records raise it
        if self._spbuf or self._evbuf:
            self._flush()
        self._end_sp = len(self._c_state)
        self._end_ev = len(self._c_kind)
        self._end = value

    def _counter_fn(self, name):
        """A recorder ``rec(time, value)`` for the one counter ``name``, for the
        simulator's hottest counters: no name look-up per sample, integer times.
        Folds like :meth:`sample` and shares its storage (the two may be mixed)."""
        if self.record != "full":
            sample = self._sample
            return lambda time, value: sample(name, time, value)
        # The hottest counters (GMP's per-P ring lengths and schedticks, a change
        # per goroutine or more) keep their times in a list: reading back the
        # last time and appending cost least there.  Every other counter keeps an
        # int64 array (see _counter_recorder).
        c = self._counters.get(name)
        if c is None:
            c = self._counters[name] = ([], [])
        elif type(c[0]) is not list:
            c = self._counters[name] = (c[0].tolist(), c[1])
        times, values = c
        t_app, v_app = times.append, values.append

        def rec(time, value):
            if values:
                if values[-1] == value:
                    return
                if times[-1] == time:
                    values[-1] = value
                    if len(values) > 1 and values[-2] == value:
                        times.pop()
                        values.pop()
                    return
            t_app(time)
            v_app(value)

        return rec

    def _counter_recorder(self):
        """``sample(name, time, value)`` as a closure (see :meth:`sample`)."""
        counters = self._counters

        def sample(name, time, value):
            c = counters.get(name)
            if c is None:
                # the times in an int64 array: 8 bytes a change, where a list
                # would hold an int object (32 bytes) besides its 8-byte slot;
                # a recorder from _counter_fn turns it into a list
                c = counters[name] = (array("q"), [])
            times, values = c
            if values and values[-1] == value:
                return
            if times and times[-1] == time:
                values[-1] = value
                if len(values) > 1 and values[-2] == value:
                    times.pop()
                    values.pop()
                return
            times.append(time if type(time) is int else int(time))   # whole ns
            values.append(value)

        return sample

    # ---- recording modes for very long runs -----------------------------------
    def _set_record(self, record, sample_every):
        """Switch to a lighter recording: ``"counters"`` keeps only totals (events
        per kind, time per span state, each G's running time, each counter's last
        value and peak); ``"sampled"`` keeps those and one span and one event in
        every ``sample_every``.  Memory then stays flat (counters) or grows
        ``sample_every`` times slower (sampled) as the run gets longer."""
        if record not in self.RECORD_MODES:
            raise ValueError(tr("record={record!r}: choose one of {modes} (full is the default)",
                                record=record, modes=", ".join(map(repr, self.RECORD_MODES))))
        if isinstance(sample_every, bool) or not isinstance(sample_every, int) \
                or sample_every < 1:
            raise ValueError(tr("sample_every={value!r} must be an int >= 1, e.g. "
                                "sample_every=100 keeps one span in 100", value=sample_every))
        self.sample_every = sample_every if record == "sampled" else 0
        self.event_counts: dict[str, int] = defaultdict(int)
        self.span_ns: dict[str, int] = defaultdict(int)     # state -> total ns (all lanes)
        self.n_spans = 0
        self.n_events = 0
        self._run_ns: dict[int, int] = defaultdict(int)
        self._peaks: dict[str, object] = {}
        full_span, full_event = Timeline.add_span, Timeline.add_event
        every = self.sample_every

        def add_span(state, start, end, *, lane="M", m=-1, p=-1, g=-1):
            self.n_spans += 1
            self.span_ns[state] += end - start
            if state == "running" and lane == "M" and g >= 0:
                self._run_ns[g] += end - start
            if every and self.n_spans % every == 1 % every:
                full_span(self, state, start, end, lane=lane, m=m, p=p, g=g)
            elif end > self._end:
                self._end = int(end)

        def add_event(kind, time, *, g=-1, m=-1, p=-1, other=-1, detail=""):
            self.n_events += 1
            self.event_counts[kind] += 1
            if every and self.n_events % every == 1 % every:
                full_event(self, kind, time, g=g, m=m, p=p, other=other, detail=detail)
            elif time > self._end:
                self._end = int(time)

        def sample(name, time, value):
            c = self._counters.get(name)
            if c is None:
                self._counters[name] = ([int(time)], [value])
                self._peaks[name] = None
                return
            if c[0][0] != time:    # the last value stood for a while: it counts
                pk = self._peaks[name]
                if pk is None or c[1][0] > pk:
                    self._peaks[name] = c[1][0]
                c[0][0] = int(time)
            c[1][0] = value            # (a value replaced at the same instant never stood)

        self.add_span = add_span
        self._add_m_span = lambda state, start, end, m, p, g: add_span(
            state, start, end, lane="M", m=m, p=p, g=g)
        self.add_event = add_event
        self._add_event = lambda kind, time, g, m, p, other, detail: add_event(
            kind, time, g=g, m=m, p=p, other=other, detail=detail)
        self.sample = self._sample = sample

    def _need_full(self, what, sample_ok=False):
        """Raise a clear error when ``what`` reads records this mode did not keep.

        ``record="counters"`` keeps totals only, so every reader of spans, events
        or counter histories fails; ``"sampled"`` keeps one span and one event in
        ``sample_every`` (readers of spans and events get that sample:
        ``sample_ok``) but no counter history.
        """
        if self.record == "full" or (sample_ok and self.record == "sampled"):
            return
        if self.record == "counters":
            kept = tr("totals only (count(kind), span_ns, run_ns_by_g(), peak(name), n_spans, "
                      "n_events)")
        else:
            kept = tr("one span and one event in every {n} and the counters' totals, not their "
                      "history", n=self.sample_every)
        raise ValueError(tr(
            "{what} needs the full record, but this run was recorded with record={record!r}, "
            "which keeps {kept}; run it again with record='full' (the default)", what=what,
            record=self.record, kept=kept))

    def peak(self, name, default=0):
        """The largest value counter ``name`` reached (every recording mode keeps it)."""
        if self.record != "full":
            if name not in self._peaks:
                return default
            pk, last = self._peaks[name], self._counters[name][1][0]
            return last if pk is None or last > pk else pk
        c = self._counters.get(name)
        return max(c[1]) if c and c[1] else default

    # ---- recording -------------------------------------------------------
    def add_span(self, state, start, end, *, lane="M", m=-1, p=-1, g=-1):
        """Record that ``lane`` was in ``state`` from ``start`` to ``end`` (ns)."""
        # buffered like the simulator's records (whole numbers checked now,
        # as the int64 column would)
        self._spbuf.extend((state, _index(start), _index(end), lane, _index(m), _index(p),
                            _index(g)))
        if len(self._spbuf) >= 7 * _FLUSH_SPANS:
            self._flush()

    def add_event(self, kind, time, *, g=-1, m=-1, p=-1, other=-1, detail=""):
        """Record a point event at ``time`` (ns)."""
        self._evbuf.extend((kind, _index(time), _index(g), _index(m), _index(p), _index(other),
                            detail))
        if len(self._evbuf) >= 7 * _FLUSH_EVENTS:
            self._flush()

    def sample(self, name, time, value):
        """Record that counter ``name`` has ``value`` from ``time`` on.

        Repeated values are folded, so callers may sample freely.
        """
        self._sample(name, time, value)


    # ---- reading ---------------------------------------------------------
    def _span_tuples(self):
        sp, states, lanes = self._sp, self._sp_state, self._sp_lane
        for i in range(len(states)):
            j = 5 * i
            yield (states[i], sp[j], sp[j + 1], lanes[i], sp[j + 2], sp[j + 3], sp[j + 4])

    def _event_tuples(self):
        ev, kinds, details = self._ev, self._ev_kind, self._ev_detail
        for i in range(len(kinds)):
            j = 5 * i
            yield (kinds[i], ev[j], ev[j + 1], ev[j + 2], ev[j + 3], ev[j + 4], details[i])

    @property
    def spans(self):
        """Every span, in recording order (``record="sampled"``: the sample)."""
        self._need_full("Timeline.spans", sample_ok=True)
        return [Span(*s) for s in self._span_tuples()]

    @property
    def events(self):
        """Every event, in recording order (``record="sampled"``: the sample)."""
        self._need_full("Timeline.events", sample_ok=True)
        return [Event(*e) for e in self._event_tuples()]

    def events_of(self, kind):
        """All events of one kind, in recording order."""
        self._need_full(f"Timeline.events_of({kind!r})", sample_ok=True)
        return [Event(*e) for e in self._event_tuples() if e[0] == kind]

    def count(self, kind):
        """How many events of ``kind`` happened (in every recording mode)."""
        if self.record != "full":
            return self.event_counts.get(kind, 0)
        return self._ev_kind.count(kind)

    @property
    def counter_names(self):
        return sorted(self._counters)

    def counter(self, name):
        """``(times, values)`` numpy arrays of a counter's changes."""
        self._need_full(f"Timeline.counter({name!r})")
        if name not in self._counters:
            raise KeyError(tr("no counter {name!r}; this timeline has: {names}", name=name,
                              names=", ".join(self.counter_names) or tr("none")))
        t, v = self._counters[name]
        return np.asarray(t, dtype=np.int64), np.asarray(v)

    def value_at(self, name, time, default=0):
        """The value counter ``name`` had at ``time`` (its last change <= time)."""
        if self.record != "full":
            self._need_full("Timeline.value_at()")
        if name not in self._counters:
            return default
        times, values = self._counters[name]
        i = bisect_right(times, time)
        return values[i - 1] if i else default

    def span_arrays(self):
        """Columns of all spans as numpy arrays (for vectorised plotting).

        Keys: ``state``, ``lane`` (str arrays), ``start``, ``end``, ``m``,
        ``p``, ``g`` (int64 arrays).
        """
        self._need_full("Timeline.span_arrays() (used by the plots)", sample_ok=True)
        if self._arrays is None or self._arrays_n != len(self._sp_state):
            self._arrays_n = len(self._sp_state)
            cols = np.frombuffer(self._sp, dtype=np.int64).reshape(-1, 5) if len(self._sp) \
                else np.zeros((0, 5), dtype=np.int64)
            self._arrays = {
                "state": np.asarray(self._sp_state, dtype=str),
                "start": cols[:, 0].copy(),
                "end": cols[:, 1].copy(),
                "lane": np.asarray(self._sp_lane, dtype=str),
                "m": cols[:, 2].copy(),
                "p": cols[:, 3].copy(),
                "g": cols[:, 4].copy(),
            }
        return self._arrays

    def run_ns_by_g(self):
        """Total ``running`` time of each G on the M lane."""
        if self.record != "full":
            return dict(self._run_ns)
        out: dict[int, int] = defaultdict(int)
        for st, s, e, lane, m, p, g in self._span_tuples():
            if st == "running" and lane == "M" and g >= 0:
                out[g] += e - s
        return dict(out)

    @property
    def gs(self):
        """Ids of every goroutine that appears in a span or event."""
        ids = set(self._sp[4::5]) | set(self._ev[1::5])
        ids.discard(-1)
        return sorted(ids)

    def __len__(self):
        if self.record != "full":
            return self.n_spans + self.n_events
        return len(self._sp_state) + len(self._ev_kind)

    def __repr__(self):
        return (f"<Timeline {self.source}: {len(self._sp_state)} spans, "
                f"{len(self._ev_kind)} events, {len(self._counters)} counters, "
                f"end {self.end_time} ns>")

    # ---- schedtrace ------------------------------------------------------
    def schedtrace(self, every_ms=1, *, start_ms=None, end_ms=None):
        """Render counters as the runtime's ``GODEBUG=schedtrace`` lines.

        Needs the counters ``idleprocs``, ``threads``, ``spinningthreads``,
        ``needspinning``, ``idlethreads``, ``runqueue``, ``runq[i]`` and
        ``schedtick[i]``; missing ones read as 0.  One line per ``every_ms``
        milliseconds of the run, the first at 0 ms, exactly as sysmon prints.
        """
        if every_ms <= 0:
            raise ValueError(f"schedtrace every_ms must be > 0, got {every_ms}")
        self._need_full("Timeline.schedtrace()")
        procs = self.procs or 0
        t_ms = 0 if start_ms is None else start_ms
        stop_ms = (self.end_time // 1_000_000) if end_ms is None else end_ms
        lines = []
        while t_ms <= stop_ms:
            lines.append(self.schedtrace_line(t_ms * 1_000_000))
            t_ms += every_ms
        return lines

    def schedtrace_line(self, t_ns):
        """One ``SCHED`` line for the state at ``t_ns``."""
        procs = self.procs or 0
        v = lambda name: self.value_at(name, t_ns)  # noqa: E731
        runqs = " ".join(str(v(f"runq[{i}]")) for i in range(procs))
        ticks = " ".join(str(v(f"schedtick[{i}]")) for i in range(procs))
        return (f"SCHED {t_ns // 1_000_000}ms: gomaxprocs={procs} idleprocs={v('idleprocs')} "
                f"threads={v('threads')} spinningthreads={v('spinningthreads')} "
                f"needspinning={v('needspinning')} idlethreads={v('idlethreads')} "
                f"runqueue={v('runqueue')} [ {runqs} ] schedticks=[ {ticks} ]")
