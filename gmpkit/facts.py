"""Delays the course states in its prose, computed by simulating ``gk.GMP``.

Every sentence in the notebooks that says how soon sysmon takes a P from a
system call, or how soon a goroutine that will not stop is preempted, gets
its number from here, never from a number typed into the text: the model's
sysmon tick follows this machine (``gmpkit.costs``), so the delays move with
it.  Each helper runs a tiny seeded workload and reads the answer off the
timeline's events (``syscall-enter`` -> ``retake``, the hog's first
``running`` span -> ``preempt``), so it measures what the model *does*, not
what its constants say it should do.

>>> tick = sysmon_tick_ns()
>>> r = retake_delay(procs=2, local_work=True)
>>> tick <= r.min_ns <= r.max_ns <= 3 * tick     # one to two ticks, whatever the tick
True
>>> retake_delay(procs=2, local_work=False).min_ns >= syscall_retake_ns()
True
>>> preempt_delay() >= force_preempt_ns()
True
"""

from __future__ import annotations

import statistics
from functools import lru_cache
from typing import NamedTuple

from . import ops
from .i18n import tr
from .models import gmp as _gmp
from .plots import fmt_time
from .sim import Simulation
from .sync import WaitGroup

__all__ = ["sysmon_tick_ns", "RetakeDelay", "retake_delay", "preempt_delay",
           "force_preempt_ns", "syscall_retake_ns", "fmt", "retake_sentences",
           "preempt_sentence", "retake_rule"]

SEED = 1
_PHASES = 8            # syscall start offsets within one sysmon tick


def fmt(ns):
    """A duration as the course writes it: ``fmt(87_000) == '87 µs'``."""
    return fmt_time(int(round(ns)))


def force_preempt_ns():
    """The time slice (``forcePreemptNS`` in proc.go), as the model has it."""
    return _gmp.FORCE_PREEMPT_NS


def syscall_retake_ns():
    """How long ``retake`` leaves a syscall's P alone when it has no local work
    and some P is idle or spinning (proc.go: ``10*1000*1000``), as the model has it."""
    return _gmp.SYSCALL_RETAKE_NS


def _check_procs(procs):
    if not isinstance(procs, int) or isinstance(procs, bool) or not 1 <= procs <= 64:
        raise ValueError(f"procs must be an int from 1 to 64 (GOMAXPROCS), not {procs!r}")


def _hog_main(hog_us):
    def main(results):
        yield ops.compute(us=hog_us)
    return main


@lru_cache(maxsize=8)
def sysmon_tick_ns(procs=1):
    """sysmon's delivered interval between two rounds at its shortest sleep, in ns.

    Simulates a 600 µs CPU-bound ``main`` (sysmon backs off only after 50 idle
    rounds, so it is still at its shortest sleep) and takes the median gap
    between its rounds from the model's ``sysmon_log``.
    """
    _check_procs(procs)
    sim = Simulation(_hog_main(600), {}, model=_gmp.GMP(procs=procs), seed=SEED)
    sim.run()
    times = [t for t, _delay in sim.model.sysmon_log]
    gaps = [b - a for a, b in zip(times, times[1:])][:8]
    if not gaps:
        raise RuntimeError("sysmon ran fewer than two rounds in 600 µs; the model's sysmon "
                           "tick is longer than this helper assumes")
    return int(statistics.median(gaps))


class RetakeDelay(NamedTuple):
    """When ``retake`` took a syscall's P, measured from the syscall's start."""
    procs: int
    local_work: bool
    syscall_ns: int
    samples: tuple        # one per start phase; None = never retaken
    tick_ns: int          # sysmon_tick_ns(procs), for comparison

    @property
    def retaken(self):
        return [s for s in self.samples if s is not None]

    @property
    def min_ns(self):
        return min(self.retaken) if self.retaken else None

    @property
    def max_ns(self):
        return max(self.retaken) if self.retaken else None

    def span(self):
        """``'87–174 µs'``, or one value when every phase gave the same delay."""
        if not self.retaken:
            return "never"
        lo, hi = fmt(self.min_ns), fmt(self.max_ns)
        if lo == hi:
            return lo
        (lo_n, _, lo_u), (_, _, hi_u) = lo.partition(" "), hi.partition(" ")
        return f"{lo_n}–{hi}" if lo_u == hi_u else f"{lo}–{hi}"


_QUEUED = 8            # Gs queued behind the syscall: enough that a thief cannot empty P0's ring
_QUEUED_US = 200       # ... before sysmon looks (each runs this long)


def _syscall_main(offset_ns, local_work, syscall_ns):
    def worker(wg):
        yield ops.compute(us=_QUEUED_US)
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        # A P's very first syscall matches sysmon's zero-initialised record and
        # can be retaken at first sight; one short syscall first avoids that.
        yield ops.syscall(ns=100)
        if offset_ns:
            yield ops.compute(ns=offset_ns)
        if local_work:
            wg.add(_QUEUED)
            for _ in range(_QUEUED):
                yield ops.go(worker, wg, name="queued")
        results["enter"] = yield ops.now()
        yield ops.syscall(ns=syscall_ns)
        yield wg.wait()

    return main


@lru_cache(maxsize=32)
def retake_delay(procs=1, local_work=True, syscall_us=None):
    """Simulate ``main`` making one blocking syscall on P0 and measure, from the
    timeline, how long after the syscall began ``retake`` took the P.

    ``local_work``: eight Gs are queued on P0 behind the syscall (else none;
    with other Ps, thieves take half, so P0 still has work when sysmon looks);
    ``syscall_us``: its length (default: long enough for every case, 3 x the
    10 ms limit, since a backed-off sysmon may sleep up to 10 ms).  The syscall starts at ``_PHASES`` different offsets within
    one sysmon tick, since where it starts in sysmon's cycle decides whether
    one tick or two pass before sysmon sees it twice.
    """
    _check_procs(procs)
    tick = sysmon_tick_ns(procs)
    syscall_ns = int(syscall_us * 1000) if syscall_us is not None else \
        syscall_retake_ns() * 3
    if syscall_ns <= 0:
        raise ValueError(f"syscall_us must be positive, not {syscall_us!r}")
    samples = []
    for k in range(_PHASES):
        results = {}
        run = Simulation(_syscall_main(k * tick // _PHASES, local_work, syscall_ns), results,
                         model=_gmp.GMP(procs=procs), seed=SEED).run()
        enter = results["enter"]
        main_g = 1
        took = [e.time for e in run.timeline.events_of("retake")
                if e.g == main_g and e.time >= enter]
        samples.append(took[0] - enter if took else None)
    return RetakeDelay(procs, bool(local_work), syscall_ns, tuple(samples), tick)


def _preempt_main(hog_ms, tight):
    def hog(wg):
        yield ops.compute(ms=hog_ms, tight=tight)
        yield wg.done()

    def other(wg):
        yield ops.compute(us=10)
        yield wg.done()

    def main(results):
        wg = WaitGroup()
        wg.add(2)
        yield ops.go(other, wg, name="other")
        yield ops.go(hog, wg, name="hog")     # runnext: runs first, with `other` queued
        yield wg.wait()

    return main


@lru_cache(maxsize=16)
def preempt_delay(procs=1, async_preempt=True, tight=True, hog_ms=40):
    """Simulate a goroutine computing ``hog_ms`` while another waits for its P,
    and measure, from the timeline, how long the hog ran before sysmon
    preempted it (its first ``running`` span -> the ``preempt`` event).
    ``None`` if it was never preempted (a tight loop with async preemption off)."""
    _check_procs(procs)
    sim = Simulation(_preempt_main(hog_ms, tight), {},
                     model=_gmp.GMP(procs=procs, async_preempt=async_preempt), seed=SEED)
    run = sim.run()
    tl = run.timeline
    hog = next(g.id for g in sim.gs.values() if g.name == "hog")
    start = min(s.start for s in tl.spans if s.g == hog and s.state == "running")
    pre = [e.time for e in tl.events_of("preempt") if e.g == hog]
    return pre[0] - start if pre else None


# ---- sentences for the notebooks -----------------------------------------------------------

def retake_rule():
    """proc.go's ``retake`` condition for a P in a system call, with the model's numbers."""
    return tr("sysmon takes a P from a goroutine in a system call once it has seen the same "
              "syscall in two of its rounds (at least one sysmon tick, {tick} in the model on "
              "this machine), and only if the P has work queued, or no other P is idle and no M "
              "is spinning, or {limit} have passed since sysmon first saw the syscall",
              tick=fmt(sysmon_tick_ns()), limit=fmt(syscall_retake_ns()))


def retake_sentences(procs=2):
    """What the model does with one long syscall, in three computed sentences."""
    work = retake_delay(procs, True)
    idle = retake_delay(procs, False)
    one = retake_delay(1, False)
    return [
        tr("GOMAXPROCS={procs}, work queued behind the syscall: its P is retaken after {span} "
           "(one to two sysmon ticks of {tick}).", procs=procs, span=work.span(),
           tick=fmt(work.tick_ns)),
        tr("GOMAXPROCS={procs}, nothing queued and another P idle: after {span} (the {limit} "
           "limit, plus sysmon's backed-off tick).", procs=procs, span=idle.span(),
           limit=fmt(syscall_retake_ns())),
        tr("GOMAXPROCS=1, nothing queued: after {span}, since no other P is idle or spinning.",
           span=one.span()),
    ]


def preempt_sentence(procs=1):
    """How long a goroutine that never yields keeps its P, computed."""
    d = preempt_delay(procs)
    return tr("a goroutine that never yields is preempted after {d} of running: the {slice} "
              "time slice, plus however long sysmon (backed off, since retaking nothing counts "
              "as an idle round) takes to look", d=fmt(d), slice=fmt(force_preempt_ns()))
