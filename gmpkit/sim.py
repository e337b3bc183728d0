"""Running a workload under a scheduler model.

The simulation owns the goroutines (their generators, states and the sync
objects they wait on); the model owns the Ms and Ps and decides who runs
where.  They meet in three calls:

* ``sim.advance(g)`` -- the model lets ``g`` run: its generator is resumed and
  instant operations (``now``, sync operations that need not wait, ``go``'s
  bookkeeping) are done here, at the current instant.  It returns the next
  operation the model must schedule (Compute, Syscall, NetIO, Sleep, Gosched,
  Go; a Mutex may also ask for a Spin or a GoYield) or BLOCKED / EXITED.
* ``sim.park(g, reason)`` / ``sim.ready(g, waker)`` -- a G stops / becomes
  runnable; ``ready`` calls ``model.ready`` so the model can queue it.

>>> import gmpkit as gk
>>> def main():
...     yield gk.compute(us=10)
>>> run = gk.simulate(main, model=gk.GreenThreads())
>>> run.stats["makespan_ns"]
10000
"""

from __future__ import annotations

import heapq
import inspect
from types import GeneratorType

from .engine import Engine, SimulationLimit
from .i18n import tr
from .models.base import Model
from .ops import BLOCKED, EXITED, Compute, Go, Gosched, NetIO, Now, Op, Sleep, Syscall
from .sync import BLOCK, GoPanic, GoYield, Spin, SyncOp
from .timeline import Timeline

__all__ = ["G", "Simulation", "simulate", "Run", "Deadlock", "WorkloadError",
           "SimulationLimit", "GoPanic", "BLOCKED", "EXITED"]


_SCHED_OPS = frozenset((Syscall, NetIO, Sleep, Gosched))
_CO_GENERATOR = inspect.CO_GENERATOR


class Deadlock(RuntimeError):
    """Every goroutine is blocked on a channel, mutex or wait group.

    ``waiting`` lists ``(goroutine id, name, wait reason)``.
    """

    def __init__(self, message, waiting):
        super().__init__(message)
        self.waiting = waiting


class WorkloadError(TypeError):
    """A goroutine did something the simulator cannot run (names the G and the op)."""


class G:
    """A goroutine: its generator and scheduling state (``g`` in runtime2.go).

    Models may use ``left`` (ns still to run of the current timed op),
    ``since`` (when the current span began), ``m``/``p`` (where it runs),
    ``timer`` (a pending engine Timer) and ``preempt`` (preemption requested).
    """

    # When it was created and when it ended are in the timeline (its "spawn" and
    # "exit" events), not here: a parked G costs two slots less and no int of its own.
    __slots__ = ("id", "name", "gen", "status", "wait", "waitobj", "resume_value",
                 "asked_ns", "left", "tight", "since", "m", "p",
                 "timer", "preempt", "sync_parked", "retry")

    def __init__(self, gid, name, gen):
        self.id = gid
        self.name = name
        self.gen = gen
        self.status = "runnable"
        self.wait = ""
        self.waitobj = None
        self.resume_value = None
        self.asked_ns = 0
        self.left = 0
        self.tight = False
        self.since = 0
        self.m = -1
        self.p = -1
        self.timer = None
        self.preempt = False
        self.sync_parked = False
        self.retry = None      # a sync op to apply again when it next runs (Mutex.Lock)

    def __repr__(self):
        w = f" ({self.wait})" if self.wait else ""
        return f"<G{self.id} {self.name} {self.status}{w}>"


def _make_generator(fn, args, opname):
    code = getattr(fn, "__code__", None)
    if code is not None and code.co_flags & inspect.CO_GENERATOR:   # the common case, fast
        return fn(*args), fn.__name__
    name = getattr(fn, "__name__", repr(fn))
    if inspect.isgeneratorfunction(fn):
        return fn(*args), name
    if not callable(fn):
        raise WorkloadError(tr("{op}({fn!r}): a goroutine must be a generator function",
                               op=opname, fn=fn))
    result = fn(*args)
    if isinstance(result, GeneratorType):
        return result, name
    raise WorkloadError(
        tr("{op}({name}): {name} is not a generator function (it contains no 'yield'), so "
           "the scheduler cannot run it as a goroutine. Make it yield its operations, e.g. "
           "'yield gk.compute(us=10)'.", op=opname, name=name))


class Simulation:
    """A workload under a model, run step by step (for animations) or to the end.

    >>> import gmpkit as gk
    >>> def main():
    ...     yield gk.go(child)
    ...     yield gk.sleep(us=5)
    >>> def child():
    ...     yield gk.compute(us=2)
    >>> s = gk.Simulation(main, model=gk.GreenThreads())
    >>> s.run(until=1000).time <= 1000
    True
    >>> s.run().makespan_ns > 5000
    True
    """

    def __init__(self, main, *args, model=None, seed=0, max_time=60_000_000_000,
                 max_events=20_000_000, schedtrace=None, scheddetail=False, record="full",
                 sample_every=100):
        if model is None:
            raise ValueError(tr("simulate(main, model=...) needs a model, e.g. "
                                "model=gk.GMP(procs=4)"))
        if not isinstance(model, Model):
            raise TypeError(tr("model={model!r} is not a scheduler model; use gk.GMP(procs=4), "
                               "gk.GM(procs=4), gk.Threads(cpus=4) or gk.GreenThreads()",
                               model=model))
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(tr("seed={seed!r} must be an int", seed=seed))
        for label, v in (("max_time", max_time), ("max_events", max_events)):
            if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
                raise ValueError(tr("{label}={value!r} must be a positive int", label=label,
                                    value=v))
        if model.sim is not None:
            raise ValueError(tr("this {model} model object already ran a simulation; create a "
                                "new one (models keep per-run state)", model=type(model).__name__))
        self.engine = Engine(seed=seed, max_time=max_time, max_events=max_events)
        self.engine.describe = self.describe
        self.model = model
        self.seed = seed
        self.gs: dict[int, G] = {}
        self.current: G | None = None
        self.n_alive = 0
        self.n_parked = 0
        self.ops = 0   # goroutine operations yielded so far
        self.finished = False
        self.main = None
        self.stats = {"goroutines": 0, "threads_created": 0, "context_switches": 0,
                      "steals": 0, "handoffs": 0, "preemptions": 0}
        self.tl = Timeline(procs=model.procs, source="sim", max_parallel=model.max_parallel,
                           meta={"model": model.describe(), "seed": seed},
                           record=record, sample_every=sample_every)
        self._event = self.tl._add_event
        self._check = False   # the run loop must look for a deadlock or the end
        self.snapshots: list[dict] = []
        self.schedtrace_lines: list[str] = []
        self._trace = (schedtrace, scheddetail)
        if schedtrace is not None and not (isinstance(schedtrace, (int, float)) and schedtrace > 0):
            raise ValueError(tr("schedtrace={value!r}: give the period in ms, e.g. schedtrace=1",
                                value=schedtrace))
        if schedtrace is not None and record != "full":
            raise ValueError(tr("schedtrace= reads the queue counters at every line, which "
                                "record={record!r} does not keep; use record='full' with it",
                                record=record))
        model.setup(self)
        self.main = self.spawn(main, args, "main", parent=None, opname="simulate")
        model.start(self.main)
        if schedtrace is not None:
            period = int(schedtrace * 1_000_000)
            # A model with a sysmon prints the way the runtime does: from sysmon's
            # rounds, once at least a period has passed.  Others print on the dot.
            if not model.drive_schedtrace(period, self.record_schedtrace):
                self.engine.at(0, self._trace_tick, period)

    # ---- goroutines --------------------------------------------------------
    def spawn(self, fn, args, name, parent, opname="go"):
        """Create a G for ``fn(*args)`` (newproc's bookkeeping; placement is the model's)."""
        code = getattr(fn, "__code__", None)
        if code is not None and code.co_flags & _CO_GENERATOR:   # the common case, in place
            gen, fname = fn(*args), fn.__name__
        else:
            gen, fname = _make_generator(fn, args, opname)
        gid = len(self.gs) + 1
        g = G(gid, name or fname, gen)
        self.gs[gid] = g
        self.n_alive += 1
        self.stats["goroutines"] += 1
        self.tl.g_names[gid] = g.name
        if parent is not None:
            self._event("spawn", self.engine.now, gid, -1, -1, parent.id, "")
        return g

    def advance(self, g):
        """Run ``g``'s code up to its next scheduler operation; see the module doc.

        The hot loop of every model: one generator resume per operation, then a
        type dispatch (an ``is`` test per operation class, the commonest first);
        sync operations are applied in place.  Operations are counted in a local
        and added to ``ops`` and the engine's event count on the way out, with
        the ``max_events`` budget checked against the local on every operation.
        """
        self.current = g
        if g.retry is not None:   # back in Mutex.lockSlow's loop after a spin or a wake-up
            op, g.retry = g.retry, None
            r = self._apply(g, op)
            if r is not None:
                return r
        send = g.gen.send
        engine = self.engine
        value = g.resume_value
        g.resume_value = None      # only a parking op or a `go` sets it again
        n = 0
        budget = engine.max_events - engine.events
        try:
            while True:
                try:
                    op = send(value)
                except StopIteration:
                    self._exit(g)
                    return EXITED
                except (GoPanic, Deadlock, SimulationLimit, WorkloadError):
                    raise
                except Exception as e:  # the workload's own bug: say whose
                    raise WorkloadError(
                        tr("goroutine {id} ({name}) raised {type}: {error}", id=g.id,
                           name=g.name, type=type(e).__name__, error=e)) from e
                n += 1
                if n > budget:
                    self.ops += n
                    engine.events += n
                    n = 0
                    engine.tick(0)   # raises SimulationLimit with the full story
                t = type(op)
                if t is Compute:
                    g.asked_ns += op.ns
                    return op
                if t is SyncOp:
                    r = op.fn(op.obj, self, g, op.arg)   # SyncOp.apply, inlined
                    if r is None:
                        value = None
                        continue
                    if r is BLOCK:
                        return BLOCKED
                    rt = type(r)
                    if rt is Spin or rt is GoYield:
                        return self._sync_needs_scheduler(g, op, r)
                    value = r
                    continue
                if t in _SCHED_OPS:
                    if t is Sleep and op.ns <= 0:
                        value = None   # timeSleep: "if ns <= 0 { return }": no park, no re-queue
                        continue
                    return op
                if t is Now:
                    value = engine.now
                    continue
                if t is Go:
                    op.g = self.spawn(op.fn, op.args, op.name, parent=g)
                    g.resume_value = op.g.id
                    return op
                raise WorkloadError(self._bad_op_message(g, op))
        finally:
            self.ops += n
            engine.events += n

    def _apply(self, g, op):
        """Apply sync op ``op`` for ``g``: None if ``g`` goes on (its result is in
        ``g.resume_value``), else what the scheduler must do: BLOCKED, a Spin (run,
        then apply ``op`` again) or a GoYield (the unlocker yields its P)."""
        r = op.apply(self, g)
        if r is BLOCK:
            return BLOCKED
        t = type(r)
        if t is Spin or t is GoYield:
            return self._sync_needs_scheduler(g, op, r)
        g.resume_value = r
        return None

    @staticmethod
    def _sync_needs_scheduler(g, op, r):
        """A Mutex op that needs the scheduler: a Spin (the G runs it, then tries
        ``op`` again) or a GoYield (the unlocker yields its P to the waiter)."""
        if type(r) is Spin:
            g.asked_ns += r.ns
            g.retry = op
        else:
            g.resume_value = None
        return r

    def _bad_op_message(self, g, op):
        hint = ""
        if callable(op) and getattr(op, "__module__", "").startswith("gmpkit"):
            hint = tr(" It looks like the function itself: call it, e.g. "
                      "'yield gk.{fn}(us=10)'.", fn=op.__name__)
        elif isinstance(op, GeneratorType):
            hint = tr(" It is a generator: to start it as a goroutine write 'yield gk.go(f)'; "
                      "to run it inline write 'yield from f()'.")
        elif isinstance(op, Op):
            hint = tr(" (an operation this model cannot schedule)")
        return tr("goroutine {id} ({name}) yielded {op!r} ({type}), which is not a scheduler "
                  "operation. Yield one of gk.compute(), gk.syscall(), gk.netio(), gk.sleep(), "
                  "gk.gosched(), gk.now(), gk.go(), or a Chan/Mutex/WaitGroup operation.{hint}",
                  id=g.id, name=g.name, op=op, type=type(op).__name__, hint=hint)

    def _exit(self, g):
        g.status = "dead"
        now = self.engine.now
        self.n_alive -= 1
        self._event("exit", now, g.id, -1, -1, -1, "")
        if g is self.main:
            self.finished = True
            self._check = True
        elif self.n_parked >= self.n_alive:
            self._check = True

    def park(self, g, reason, obj=None, sync=True):
        """``gopark``: ``g`` stops running until ``ready``; ``sync`` parks count for deadlock."""
        g.status = "waiting"
        g.wait = reason
        g.waitobj = obj
        if sync:
            g.sync_parked = True
            self.n_parked += 1
            if self.n_parked >= self.n_alive:
                self._check = True     # the run loop checks for a deadlock

    def ready(self, g, waker):
        """``goready``: ``g`` is runnable again; the model decides where it queues."""
        if g.sync_parked:
            g.sync_parked = False
            self.n_parked -= 1
        g.status = "runnable"
        g.wait = ""
        g.waitobj = None
        self._event("ready", self.engine.now, g.id, -1, -1,
                    waker.id if waker is not None else -1, "")
        self.model.ready(g, waker)

    # ---- running -----------------------------------------------------------
    @property
    def time(self):
        return self.engine.now

    def _check_dead(self):
        if not self.finished and self.n_alive and self.n_parked >= self.n_alive:
            waiting = [(g.id, g.name, g.wait) for g in self.gs.values() if g.status == "waiting"]
            lines = "\n".join(f"goroutine {i} [{w}]: {n}" for i, n, w in waiting[:50])
            more = ("\n" + tr("... and {n} more", n=len(waiting) - 50)
                    if len(waiting) > 50 else "")
            raise Deadlock(tr("fatal error: all goroutines are asleep - deadlock! "
                              "(at t={now:,} ns)", now=self.engine.now)
                           + f"\n\n{lines}{more}", waiting)

    def step(self):
        """Process one event.  Returns False once main has returned."""
        if self.finished:
            return False
        if not self.engine.step():
            self._check_dead()
            if self.finished:
                self._finish()
                return False
            raise RuntimeError(
                tr("the {model} model stalled at t={now:,} ns with nothing scheduled but main "
                   "unfinished (a model bug). {state}", model=type(self.model).__name__,
                   now=self.engine.now, state=self.describe()))
        if self.n_parked >= self.n_alive and not self.finished:
            self._check_dead()
        if self.finished:
            self._finish()
            return False
        return True

    def run(self, until=None):
        """Run to the end (or until simulated time ``until`` ns); returns self or a Run."""
        if until is None:
            self._run_to_end()
            return Run(self)
        while not self.finished:
            nxt = self.engine.peek()
            if nxt is None or nxt > until:
                self.engine.now = max(self.engine.now, until)
                break
            self.step()
        # a paused run keeps its records in the timeline's columns, not in the
        # recorders' buffer (Python ints: several times the bytes)
        self.tl._flush()
        return self

    def _run_to_end(self):
        """``while self.step(): pass`` with Engine.step inlined (the same checks,
        in the same order, without two method calls per event)."""
        if self.finished:
            return
        engine = self.engine
        engine.run_ahead = True
        try:
            self._run_loop(engine)
        finally:
            engine.run_ahead = False

    def _run_loop(self, engine):
        heap = engine._heap
        pop = heapq.heappop
        max_time, max_events = engine.max_time, engine.max_events
        while True:
            if not heap:
                if not self.step():     # nothing left: deadlock, stall or the end
                    return
                continue
            t = pop(heap)
            when, _, fn, args = t
            if fn is None:              # cancelled
                continue
            if when > max_time:
                heapq.heappush(heap, t)
                engine.step()           # raises SimulationLimit with the full story
            engine.now = when
            engine.events = events = engine.events + 1
            if events > max_events:
                engine.tick(0)
            fn(*args)
            if self._check:   # set by park/_exit when a deadlock or the end may be here
                if self.n_parked >= self.n_alive and not self.finished:
                    self._check_dead()
                if self.finished:
                    self._finish()
                    return
                self._check = False

    def _finish(self):
        now = self.engine.now
        self.model.finish(now)
        tl = self.tl
        tl.end_time = now
        tl.expected_run_ns = {g.id: g.asked_ns for g in self.gs.values()}
        tl.partial_gs = {g.id for g in self.gs.values() if g.status != "dead"}
        st = self.stats
        st["makespan_ns"] = now
        st["ops"] = self.ops
        for name, key in (("threads", "threads_peak"), ("runqueue", "global_queue_peak")):
            if name in tl._counters:
                st[key] = int(tl.peak(name))
            else:
                st.setdefault(key, 0)
        st["unfinished"] = sum(1 for g in self.gs.values() if g.status != "dead")
        st.update(self.model.stats())

    def describe(self):
        """Who is doing what (for limit and stall messages)."""
        live = [g for g in self.gs.values() if g.status != "dead"]
        parts = [f"G{g.id} {g.name} [{g.status}{': ' + g.wait if g.wait else ''}]"
                 for g in live[:8]]
        more = f" and {len(live) - 8} more" if len(live) > 8 else ""
        return f"Still alive: {', '.join(parts) or 'none'}{more}."

    def snapshot(self):
        """The full scheduler state now (see DESIGN.md for the schema)."""
        snap = self.model.snapshot()
        snap["time"] = self.engine.now
        snap["model"] = type(self.model).__name__
        snap["gs"] = {g.id: {"name": g.name, "status": g.status, "wait": g.wait}
                      for g in self.gs.values() if g.status != "dead"}
        return snap

    def record_schedtrace(self):
        """Record the ``SCHED`` line(s) for this instant (``schedtrace()`` in proc.go)."""
        snap = self.snapshot()
        self.snapshots.append(snap)
        self.schedtrace_lines.extend(render_schedtrace(snap, self.tl, detail=self._trace[1]))

    def _trace_tick(self, period):
        self.record_schedtrace()
        self.engine.after(period, self._trace_tick, period)


def render_schedtrace(snap, tl, detail=False):
    """``SCHED`` line(s) for one snapshot, as GODEBUG=schedtrace[,scheddetail=1] prints."""
    now = snap["time"]
    head = tl.schedtrace_line(now)
    if not detail:
        return [head]
    head = head.split(" [")[0]
    ps, ms, gs = snap.get("ps", []), snap.get("ms", []), snap.get("gs", {})
    lines = [head + " gcwaiting=false nmidlelocked=0 stopwait=0 sysmonwait=false"]
    pstatus = {"idle": 0, "running": 1, "syscall": 2}
    for p in ps:
        m = p.get("m")
        lines.append(f"  P{p['id']}: status={pstatus.get(p.get('status'), 0)} "
                     f"schedtick={p.get('schedtick', 0)} syscalltick={p.get('syscalltick', 0)} "
                     f"m={'nil' if m is None else m} runqsize={len(p.get('runq', []))} "
                     f"gfreecnt=0 timerslen={p.get('timers', 0)}")
    for m in sorted(ms, key=lambda x: -x["id"]):
        lines.append(f"  M{m['id']}: p={'nil' if m.get('p') is None else m['p']} "
                     f"curg={'nil' if m.get('g') is None else m['g']} mallocing=0 throwing=0 "
                     f"preemptoff= locks=0 dying=0 spinning={str(m.get('state') == 'spinning').lower()} "
                     f"blocked={str(m.get('state') in ('idle', 'blocked')).lower()} lockedg=nil")
    gstatus = {"runnable": 1, "running": 2, "syscall": 3, "waiting": 4}
    running_on = {m["g"]: m["id"] for m in ms if m.get("g") is not None}
    for gid in sorted(gs):
        g = gs[gid]
        on = running_on.get(gid)
        lines.append(f"  G{gid}: status={gstatus.get(g['status'], 4)}({g['wait']}) "
                     f"m={'nil' if on is None else on} lockedm=nil")
    return lines


class Run:
    """The result of :func:`simulate`: ``timeline``, ``stats``, ``unfinished``."""

    def __init__(self, sim):
        self.timeline = sim.tl
        self.stats = dict(sim.stats)
        self.model = sim.model
        self.seed = sim.seed
        self.unfinished = [(g.id, g.name, g.status, g.wait)
                           for g in sim.gs.values() if g.status != "dead"]
        self.snapshots = sim.snapshots
        self._lines = sim.schedtrace_lines
        self._trace = sim._trace

    @property
    def makespan_ns(self):
        return self.stats["makespan_ns"]

    def schedtrace(self, every=None, detail=False):
        """The run as ``GODEBUG=schedtrace=every`` lines (``every`` in ms).

        Plain lines can be rendered for any period from the timeline's
        counters.  ``detail=True`` (the ``scheddetail=1`` form) needs the run to
        have been recorded with ``simulate(..., schedtrace=every, scheddetail=True)``.
        """
        rec_every, rec_detail = self._trace
        if detail:
            if not rec_detail or (every is not None and every != rec_every):
                raise ValueError(tr(
                    "schedtrace(detail=True) needs the per-P/M/G state recorded during the run: "
                    "run it as gk.simulate(..., schedtrace={every}, scheddetail=True)",
                    every=every or 1))
            return list(self._lines)
        if every is None:
            if self._lines and not rec_detail:
                return list(self._lines)
            every = rec_every or 1
        return self.timeline.schedtrace(every)

    def __repr__(self):
        return (f"<Run {self.timeline.meta.get('model')}: makespan "
                f"{self.stats['makespan_ns']:,} ns, {self.stats['goroutines']} goroutines>")


def simulate(main, *args, model=None, seed=0, max_time=60_000_000_000,
             max_events=20_000_000, schedtrace=None, scheddetail=False, record="full",
             sample_every=100):
    """Run ``main(*args)`` as goroutine 1 under ``model``; return a :class:`Run`.

    Parameters
    ----------
    model : a scheduler model, e.g. ``gk.GMP(procs=4)``.
    seed : int -- same workload, model, parameters and seed give the same Timeline.
    max_time, max_events : limits that stop a runaway run with a clear error.
    schedtrace : float ms or None -- record ``SCHED`` lines as GODEBUG=schedtrace does.
    scheddetail : bool -- with ``schedtrace``, record the per-P/M/G form.
    record : ``"full"`` (default: every span, event and counter change),
        ``"counters"`` (totals only: events per kind, time per state, each G's
        running time, counters' last value and peak; memory stays flat however
        long the run) or ``"sampled"`` (the totals plus one span and one event in
        every ``sample_every``).  The schedule itself is the same in every mode.

    A long run without holding every span: ``record="counters"`` keeps the totals
    (and raises a clear error if asked for spans, e.g. by a plot);
    ``record="sampled"`` also keeps every ``sample_every``-th span and event,
    the same ones on every run:

    >>> import gmpkit as gk
    >>> def main():
    ...     for _ in range(1000):
    ...         yield gk.compute(us=1)
    ...         yield gk.gosched()
    >>> run = gk.simulate(main, model=gk.GMP(procs=2), record="counters")
    >>> tl = run.timeline
    >>> tl.run_ns_by_g()[1], tl.count("gosched"), tl.n_spans > 1000
    (1000000, 1000, True)
    >>> tl.spans
    Traceback (most recent call last):
      ...
    ValueError: Timeline.spans needs the full record, but this run was recorded with record='counters', which keeps totals only (count(kind), span_ns, run_ns_by_g(), peak(name), n_spans, n_events); run it again with record='full' (the default)
    >>> sampled = gk.simulate(main, model=gk.GMP(procs=2), record="sampled", sample_every=100)
    >>> len(sampled.timeline.spans) == (tl.n_spans + 99) // 100, sampled.stats == run.stats
    (True, True)

    Raises Deadlock ("all goroutines are asleep"), GoPanic (Go's own panics),
    WorkloadError (a goroutine yielded something that is not an operation, or
    raised), SimulationLimit.
    """
    return Simulation(main, *args, model=model, seed=seed, max_time=max_time,
                      max_events=max_events, schedtrace=schedtrace,
                      scheddetail=scheddetail, record=record,
                      sample_every=sample_every).run()
