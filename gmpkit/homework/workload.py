"""A tiny workload language for homework: goroutines as lists of operations.

OSTEP's simulators describe a problem in a line of text; here a workload is
plain data (lists and tuples), so it prints readably, survives JSON (the
grader re-checks a student's workload in its own process) and cannot hang.

A goroutine is a list of operations; the workload is main's list::

    [("go", [("compute", 300), ("syscall", 2000)], "A"),   # start goroutine A
     ("go", [("compute", 300)], "B"),
     ("wait",)]                                          # wait for A and B

=====================================  ==========================================
operation                              meaning (times in µs, whole numbers)
=====================================  ==========================================
``("compute", us)``                    run on a CPU (cooperative preemption points)
``("compute", us, "tight")``           a tight loop: no preemption point
``("syscall", us)``                    blocking system call: the thread blocks too
``("netio", us)``                      network wait: parks on the netpoller
``("sleep", us)``                      ``time.Sleep``
``("gosched",)``                       ``runtime.Gosched()``
``("go", [ops])`` / ``("go", [ops], name)``  start a goroutine running ``ops``
``("go", [ops], name, n)``             start ``n`` such goroutines
``("wait",)``                          wait for every goroutine this one started
=====================================  ==========================================

>>> spec = [("go", [("compute", 100)], "A", 3), ("wait",)]
>>> print(describe(spec))
main:
  go A x3: compute 100 µs
  wait for its goroutines
>>> import gmpkit as gk
>>> run(spec, gk.GreenThreads()).stats["goroutines"]
4
"""

from __future__ import annotations

from .. import ops as gk
from ..i18n import N_, tr
from ..sync import WaitGroup

__all__ = ["WorkloadSpecError", "validate", "describe", "to_main", "run", "LIMITS"]

TIMED = ("compute", "syscall", "netio", "sleep")
LIMITS = {"max_us": 1_000_000, "max_ops": 5_000, "max_goroutines": 2_000, "max_depth": 5,
          "max_events": 2_000_000, "max_time_ns": 20_000_000_000}
GRAMMAR = N_('a workload is a list of operations: ("compute", us), ("compute", us, "tight"), '
             '("syscall", us), ("netio", us), ("sleep", us), ("gosched",), '
             '("go", [ops], name, n) and ("wait",); times are whole µs')


def _grammar():
    return tr(GRAMMAR)   # i18n: GRAMMAR is an N_() literal above


class WorkloadSpecError(ValueError):
    """The workload is not in the homework workload language (says where and why)."""


def validate(spec, _depth=0, _count=None, where="main"):
    """Check ``spec`` and return it as nested tuples; raise WorkloadSpecError if bad."""
    if _count is None:
        _count = {"ops": 0, "goroutines": 1}
    if spec is Ellipsis:
        raise WorkloadSpecError(tr("the workload is still ... : replace it with a list of "
                                   "operations"))
    if not isinstance(spec, (list, tuple)):
        raise WorkloadSpecError(tr("{where}: expected a list of operations, got {type} "
                                   "{spec!r}; {grammar}", where=where, type=type(spec).__name__,
                                   spec=spec, grammar=_grammar()))
    if _depth > LIMITS["max_depth"]:
        raise WorkloadSpecError(tr("{where}: goroutines nested more than {n} deep", where=where,
                                   n=LIMITS["max_depth"]))
    out = []
    for i, op in enumerate(spec):
        at = f"{where}[{i}]"
        _count["ops"] += 1
        if _count["ops"] > LIMITS["max_ops"]:
            raise WorkloadSpecError(tr("more than {n} operations in all: keep workloads small "
                                       "(use ('go', ops, name, n) to repeat)",
                                       n=LIMITS["max_ops"]))
        if isinstance(op, str):
            op = (op,)
        if not isinstance(op, (list, tuple)) or not op or not isinstance(op[0], str):
            raise WorkloadSpecError(tr("{at} = {op!r} is not an operation; {grammar}", at=at,
                                       op=op, grammar=_grammar()))
        kind = op[0].strip().lower()
        if kind in TIMED:
            tight = len(op) == 3 and kind == "compute" and op[2] == "tight"
            if len(op) not in (2, 3) or (len(op) == 3 and not tight):
                raise WorkloadSpecError(
                    tr("{at} = {op!r}: write ({kind!r}, us)", at=at, op=op, kind=kind)
                    + (tr(' or ("compute", us, "tight")') if kind == "compute" else ""))
            us = op[1]
            if isinstance(us, bool) or not isinstance(us, int) or not 0 < us <= LIMITS["max_us"]:
                raise WorkloadSpecError(tr("{at} = {op!r}: the time must be a whole number of "
                                           "µs from 1 to {max:,}", at=at, op=op,
                                           max=LIMITS["max_us"]))
            out.append((kind, us, "tight") if tight else (kind, us))
        elif kind in ("gosched", "wait"):
            if len(op) != 1:
                raise WorkloadSpecError(tr("{at} = {op!r}: write ({kind!r},)", at=at, op=op,
                                           kind=kind))
            out.append((kind,))
        elif kind == "go":
            if not 2 <= len(op) <= 4:
                raise WorkloadSpecError(tr("{at} = {op!r}: write ('go', [ops]), ('go', [ops], "
                                           "name) or ('go', [ops], name, n)", at=at, op=op))
            name = op[2] if len(op) > 2 else "g"
            n = op[3] if len(op) > 3 else 1
            if not isinstance(name, str) or not name or len(name) > 20:
                raise WorkloadSpecError(tr("{at}: the goroutine's name must be a short string, "
                                           "got {name!r}", at=at, name=name))
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise WorkloadSpecError(tr("{at}: the count must be an int >= 1, got {n!r}",
                                           at=at, n=n))
            _count["goroutines"] += n
            if _count["goroutines"] > LIMITS["max_goroutines"]:
                raise WorkloadSpecError(tr("more than {n} goroutines",
                                           n=LIMITS["max_goroutines"]))
            body = validate(op[1], _depth + 1, _count, where=f"{at} ({name})")
            _count["ops"] += len(body) * (n - 1)
            if _count["ops"] > LIMITS["max_ops"] * 20:
                raise WorkloadSpecError(tr("the workload is too large: keep it small"))
            out.append(("go", body, name, n))
        else:
            raise WorkloadSpecError(tr("{at}: unknown operation {name!r}; {grammar}", at=at,
                                       name=op[0], grammar=_grammar()))
    return tuple(out)


def _fmt_us(us):
    if us >= 1000 and us % 1000 == 0:
        return f"{us // 1000} ms"
    return f"{us:,} µs"


def _op_text(op):
    kind = op[0]
    if kind in TIMED:
        return f"{kind} {_fmt_us(op[1])}" + (tr(" (tight loop)") if len(op) == 3 else "")
    if kind == "wait":
        return tr("wait for its goroutines")
    return kind


def describe(spec, name="main"):
    """The workload as indented text, one goroutine per line where it fits."""
    spec = validate(spec)
    lines = [f"{name}:"]

    def walk(ops, indent):
        pad = "  " * indent
        for op in ops:
            if op[0] == "go":
                _, body, gname, n = op
                simple = all(o[0] != "go" for o in body)
                head = f"{pad}go {gname}" + (f" x{n}" if n > 1 else "")
                if simple:
                    lines.append(f"{head}: " + "; ".join(_op_text(o) for o in body))
                else:
                    lines.append(f"{head}:")
                    walk(body, indent + 2)
            else:
                lines.append(pad + _op_text(op))

    walk(spec, 1)
    return "\n".join(lines)


def _goroutine(ops):
    """A generator function running ``ops`` (already validated)."""

    def body(parent_wg):
        wg = None
        for op in ops:
            kind = op[0]
            if kind == "compute":
                yield gk.compute(us=op[1], tight=len(op) == 3)
            elif kind == "syscall":
                yield gk.syscall(us=op[1])
            elif kind == "netio":
                yield gk.netio(us=op[1])
            elif kind == "sleep":
                yield gk.sleep(us=op[1])
            elif kind == "gosched":
                yield gk.gosched()
            elif kind == "go":
                _, child_ops, name, n = op
                if wg is None:
                    wg = WaitGroup()
                for _ in range(n):
                    wg.add(1)
                    yield gk.go(_goroutine(child_ops), wg, name=name)
            elif kind == "wait":
                if wg is not None:
                    yield wg.wait()
        if parent_wg is not None:
            yield parent_wg.done()

    return body


def to_main(spec):
    """A ``main`` generator function for :func:`gmpkit.simulate`."""
    ops = validate(spec)
    body = _goroutine(ops)

    def main():
        yield from body(None)

    return main


def run(spec, model, seed=0, **kw):
    """Simulate ``spec`` under ``model`` (with the homework's limits)."""
    from ..sim import simulate
    kw.setdefault("max_events", LIMITS["max_events"])
    kw.setdefault("max_time", LIMITS["max_time_ns"])
    return simulate(to_main(spec), model=model, seed=seed, **kw)
