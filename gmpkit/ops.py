"""The goroutine instruction set: what a goroutine may ``yield``.

A goroutine is a generator function.  Each ``yield`` hands one of these
operations to the scheduler, the way Go code calls into the runtime::

    def worker(results):
        yield gk.compute(us=50)        # run on a CPU for 50 µs
        yield gk.syscall(us=200)       # blocking system call: the M blocks too
        yield results.send(42)         # may park the G; never blocks the M

Every operation that takes time accepts exactly one of ``ns=``, ``us=``,
``ms=``; the value is rounded to whole nanoseconds.

>>> compute(us=1.5)
compute(ns=1500)
>>> sleep(ms=-1)
Traceback (most recent call last):
  ...
ValueError: sleep(ms=-1): a duration must be >= 0 ns; got -1 ms. Pass a positive number, e.g. sleep(ms=1).
"""

from __future__ import annotations

import math
from numbers import Real

from .i18n import tr

__all__ = ["Op", "Compute", "Syscall", "NetIO", "Sleep", "Gosched", "Now", "Go",
           "compute", "syscall", "netio", "sleep", "gosched", "now", "go", "duration_ns",
           "BLOCKED", "EXITED"]

_UNITS = {"ns": 1, "us": 1_000, "ms": 1_000_000}
# One simulated day: longer durations are almost certainly a unit mistake.
MAX_DURATION_NS = 86_400 * 1_000_000_000


def duration_ns(opname, ns=None, us=None, ms=None, *, allow_zero=True):
    """Turn exactly one of ``ns``/``us``/``ms`` into whole nanoseconds.

    Raises ValueError that names the operation and the fix when the input is
    missing, doubled, negative, NaN, infinite, or absurdly large.
    """
    # Fast path for the common case: one positive int in a sane range.
    if us is None and ms is None:
        if type(ns) is int and 0 < ns <= MAX_DURATION_NS:
            return ns
    elif ns is None and ms is None:
        if type(us) is int and 0 < us <= MAX_DURATION_NS // 1_000:
            return us * 1_000
    elif ns is None and us is None:
        if type(ms) is int and 0 < ms <= MAX_DURATION_NS // 1_000_000:
            return ms * 1_000_000
    given = [(k, v) for k, v in (("ns", ns), ("us", us), ("ms", ms)) if v is not None]
    if len(given) != 1:
        names = ", ".join(f"{k}=" for k, _ in given) or tr("none")
        raise ValueError(tr("{op}() takes exactly one of ns=, us=, ms= (got {names}); "
                            "e.g. {op}(us=50)", op=opname, names=names))
    unit, value = given[0]
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(tr("{op}({unit}={value!r}): a duration must be a number, not {type}",
                           op=opname, unit=unit, value=value, type=type(value).__name__))
    if math.isnan(value) or math.isinf(value):
        raise ValueError(tr("{op}({unit}={value}): a duration must be a finite number of {unit}",
                            op=opname, unit=unit, value=value))
    if value < 0:
        raise ValueError(tr("{op}({unit}={value}): a duration must be >= 0 ns; got {value} "
                            "{unit}. Pass a positive number, e.g. {op}({unit}=1).",
                            op=opname, unit=unit, value=value))
    n = int(round(value * _UNITS[unit]))
    if n == 0 and not allow_zero:
        raise ValueError(tr("{op}({unit}={value}): the duration rounds to 0 ns; {op} needs at "
                            "least 1 ns", op=opname, unit=unit, value=value))
    if n > MAX_DURATION_NS:
        raise ValueError(tr("{op}({unit}={value}) is {s:,.0f} s of simulated time, more than "
                            "one day: did you mean another unit?", op=opname, unit=unit,
                            value=value, s=n / 1e9))
    return n


class Op:
    """Base of everything a goroutine may yield."""

    __slots__ = ()


class _Timed(Op):
    __slots__ = ("ns",)
    opname = "op"

    def __init__(self, ns):
        self.ns = ns

    def __repr__(self):
        return f"{self.opname}(ns={self.ns})"


class Compute(_Timed):
    """Run on a CPU for ``ns``.  ``tight`` loops have no preemption point."""

    __slots__ = ("tight",)
    opname = "compute"

    def __init__(self, ns, tight=False):
        self.ns = ns
        self.tight = bool(tight)

    def __repr__(self):
        return f"compute(ns={self.ns}{', tight=True' if self.tight else ''})"


class Syscall(_Timed):
    """A blocking system call: the thread (M) blocks with the G."""

    __slots__ = ()
    opname = "syscall"


class NetIO(_Timed):
    """Network I/O: the G parks on the netpoller; no thread blocks."""

    __slots__ = ()
    opname = "netio"


class Sleep(_Timed):
    """``time.Sleep``: the G parks on a timer."""

    __slots__ = ()
    opname = "sleep"


class Gosched(Op):
    """``runtime.Gosched``: yield the processor; the G stays runnable."""

    __slots__ = ()

    def __repr__(self):
        return "gosched()"


class Now(Op):
    """Current simulated time in ns (free: takes no time)."""

    __slots__ = ()

    def __repr__(self):
        return "now()"


class Go(Op):
    """The go statement (``newproc``).  The simulation fills ``g`` with the new G."""

    __slots__ = ("fn", "args", "name", "g")

    def __init__(self, fn, args, name):
        self.fn = fn
        self.args = args
        self.name = name
        self.g = None

    def __repr__(self):
        return f"go({getattr(self.fn, '__name__', self.fn)!s})"


def compute(ns=None, us=None, ms=None, *, tight=False):
    """Run on a CPU for a while.  ``tight=True``: a loop without function calls,
    which only asynchronous preemption can interrupt.

    >>> compute(ms=2, tight=True)
    compute(ns=2000000, tight=True)
    """
    # A loop yields the same compute() again and again: non-tight computes of a
    # whole number of µs or ns are made once and shared (ops are never changed
    # after creation; the simulation only reads them).
    if tight is False and ms is None:
        if ns is None:
            if type(us) is int:
                op = _COMPUTE_US.get(us)
                if op is not None:
                    return op
                op = Compute(duration_ns("compute", None, us, None), False)
                if len(_COMPUTE_US) < _CACHE_MAX:
                    _COMPUTE_US[us] = op
                return op
        elif us is None and type(ns) is int:
            op = _COMPUTE_NS.get(ns)
            if op is not None:
                return op
            op = Compute(duration_ns("compute", ns, None, None), False)
            if len(_COMPUTE_NS) < _CACHE_MAX:
                _COMPUTE_NS[ns] = op
            return op
    return Compute(duration_ns("compute", ns, us, ms), tight)


_COMPUTE_US: dict = {}
_COMPUTE_NS: dict = {}
_CACHE_MAX = 4096


def syscall(ns=None, us=None, ms=None):
    """A blocking system call (e.g. a file read): the M blocks with the G."""
    return Syscall(duration_ns("syscall", ns, us, ms))


def netio(ns=None, us=None, ms=None):
    """Network I/O that completes after the given time; the G waits on the netpoller."""
    return NetIO(duration_ns("netio", ns, us, ms))


def sleep(ns=None, us=None, ms=None):
    """``time.Sleep``: park on a timer for the given time.  A zero duration returns
    at once without parking, as ``time.Sleep(0)`` does (``timeSleep``: ``if ns <= 0``)."""
    return Sleep(duration_ns("sleep", ns, us, ms))


_GOSCHED = Gosched()
_NOW = Now()


def gosched():
    """``runtime.Gosched()``: let others run; this G goes to the global queue."""
    return _GOSCHED


def now():
    """Current simulated time: ``t = yield gk.now()``."""
    return _NOW


def go(fn, *args, name=None):
    """The go statement: ``yield gk.go(worker, i)`` starts ``worker(i)`` as a new G.

    ``fn`` must be a generator function (a ``def`` containing ``yield``).
    The yield returns the new goroutine's id.
    """
    if not callable(fn):
        raise TypeError(tr("go({fn!r}): needs a generator function, got {type}", fn=fn,
                           type=type(fn).__name__))
    if name is not None and not isinstance(name, str):
        raise TypeError(tr("go(..., name={name!r}): name must be a string", name=name))
    return Go(fn, args, name)


# ---- what Simulation.advance() returns besides an op ------------------------------------------
# A goroutine never yields these; the simulation returns them to the model when the G parked
# on a sync object (BLOCKED) or its function returned (EXITED). They live here, beside the ops
# they stand with, so that the models (models/base.py) and the simulation (sim.py) both import
# them from below instead of from each other.

class _Marker:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


class _Blocked(_Marker):
    __slots__ = ()


class _Exited(_Marker):
    __slots__ = ()


BLOCKED = _Blocked("BLOCKED")  # advance(): the G parked on a sync object
EXITED = _Exited("EXITED")     # advance(): the G's function returned
