"""Parse ``GODEBUG=schedtrace=X`` output (plain and ``scheddetail=1``) into a Timeline.

Every X ms sysmon prints one summary line::

    SCHED 49ms: gomaxprocs=2 idleprocs=0 threads=4 spinningthreads=0 needspinning=1
    idlethreads=0 runqueue=1 [ 2 1 ] schedticks=[ 6 6 ]

(one line in reality).  With ``scheddetail=1`` the bracketed lists are
replaced by one line per P, M and G::

    P0: status=1 schedtick=4 syscalltick=0 m=0 runqsize=1 gfreecnt=0 timerslen=1
    M3: p=1 curg=8 mallocing=0 ... spinning=false blocked=false lockedg=nil
    G12: status=3() m=0 lockedm=nil

The summary becomes Timeline counters (``idleprocs``, ``threads``,
``spinningthreads``, ``needspinning``, ``idlethreads``, ``runqueue``,
``runq[i]``, ``schedtick[i]``), ``gomaxprocs`` becomes ``tl.procs``, and
each block is kept whole as a :class:`Snapshot` in ``tl.meta["snapshots"]``.

>>> tl = parse_schedtrace(
...     "SCHED 0ms: gomaxprocs=2 idleprocs=1 threads=3 spinningthreads=0 "
...     "needspinning=0 idlethreads=0 runqueue=0 [ 1 0 ] schedticks=[ 4 0 ]")
>>> tl.procs, tl.value_at("runq[0]", 0), tl.value_at("schedtick[0]", 0)
(2, 1, 4)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..timeline import Timeline
from .errors import TraceParseError, as_text

__all__ = ["parse_schedtrace", "schedtrace_snapshots", "Snapshot", "run_schedtrace",
           "schedtrace_or_recorded", "G_STATUS"]

# runtime2.go's goroutine status numbers, as scheddetail prints them.
G_STATUS = {0: "idle", 1: "runnable", 2: "running", 3: "syscall", 4: "waiting",
            5: "moribund_unused", 6: "dead", 7: "enqueue_unused", 8: "copystack",
            9: "preempted", 10: "leaked", 11: "deadextra"}
P_STATUS = {0: "idle", 1: "running", 2: "syscall", 3: "gcstop", 4: "dead"}

SUMMARY_COUNTERS = ("idleprocs", "threads", "spinningthreads", "needspinning",
                    "idlethreads", "runqueue")
_REQUIRED = ("gomaxprocs", "idleprocs", "threads", "spinningthreads", "idlethreads", "runqueue")

_SCHED_RE = re.compile(r"SCHED (\d+)ms: (.*)")
_DETAIL_RE = re.compile(r"  ([PMG])(\d+): (.*)")
# How a schedtrace line can begin: what is left of one when the program exits as sysmon
# starts printing it ("S" ... "SCHED ", "SCHED 12", "SCHED 12ms", "  P", "  M3" ...).
SCHED_LINE_START = re.compile(r"S(?:C(?:H(?:E(?:D(?: \d*(?:m(?:s:?)?)?)?)?)?)?)?"
                              r"| (?: (?:[PMG]\d*:?)?)?")
_KEY_SPLIT = re.compile(r"(?:^| )([a-z]+)=")
_INT_RE = re.compile(r"-?\d+")
_LIST_RE = re.compile(r"\[((?: \d+)*) \]")
_GSTATUS_RE = re.compile(r"(\d+)\((.*)\)")


@dataclass
class Snapshot:
    """One ``SCHED`` block: the summary fields and, with scheddetail, every P, M and G."""
    time_ns: int
    lineno: int
    fields: dict
    ps: list = field(default_factory=list)
    ms: list = field(default_factory=list)
    gs: list = field(default_factory=list)

    @property
    def detail(self):
        return "gcwaiting" in self.fields or bool(self.ps)


def _split_fields(text, lineno, line):
    """``"a=1 b=x y c="`` -> ``{"a": "1", "b": "x y", "c": ""}``; keys must be unique."""
    parts = _KEY_SPLIT.split(text)
    if parts[0] != "":
        raise TraceParseError("expected key=value fields", lineno, line)
    out = {}
    for key, value in zip(parts[1::2], parts[2::2]):
        if key in out:
            raise TraceParseError(f"field {key!r} appears twice", lineno, line)
        out[key] = value
    return out


def _int(value, key, lineno, line):
    if not _INT_RE.fullmatch(value):
        raise TraceParseError(f"{key}={value!r} is not an integer", lineno, line)
    return int(value)


def _ref(value, key, lineno, line):
    """An M/P/G reference: an integer, or ``nil`` -> -1."""
    return -1 if value == "nil" else _int(value, key, lineno, line)


def _bool(value, key, lineno, line):
    if value not in ("true", "false"):
        raise TraceParseError(f"{key}={value!r} is not true/false", lineno, line)
    return value == "true"


def _int_list(text, key, n, lineno, line):
    m = _LIST_RE.fullmatch(text)
    if not m:
        raise TraceParseError(f"{key} is not a list like [ 1 2 ]", lineno, line)
    vals = [int(x) for x in m.group(1).split()]
    if len(vals) != n:
        raise TraceParseError(f"{key} has {len(vals)} entries but gomaxprocs={n}", lineno, line)
    return vals


def _parse_summary(t_ms, rest, lineno, line):
    raw = _split_fields(rest, lineno, line)
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise TraceParseError(f"SCHED line lacks {', '.join(missing)}", lineno, line)
    f = {}
    for key, value in raw.items():
        if key == "runqueue":
            head, _, lst = value.partition(" ")
            f["runqueue"] = _int(head, key, lineno, line)
            if lst:
                f["runq"] = lst       # checked below, once gomaxprocs is known
        elif key == "schedticks":
            f["schedticks"] = value
        elif key in ("gcwaiting", "sysmonwait"):
            f[key] = _bool(value, key, lineno, line)
        else:
            f[key] = _int(value, key, lineno, line)
    n = f["gomaxprocs"]
    if not 1 <= n <= 1 << 16:
        raise TraceParseError(f"gomaxprocs={n} is out of range", lineno, line)
    if "runq" in f:
        f["runq"] = _int_list(f["runq"], "run queue list", n, lineno, line)
    if "schedticks" in f:
        f["schedticks"] = _int_list(f["schedticks"], "schedticks", n, lineno, line)
    return f


def _parse_detail(kind, ident, rest, lineno, line):
    raw = _split_fields(rest, lineno, line)
    rec = {"id": ident}
    if kind == "G":
        if "status" not in raw or "m" not in raw:
            raise TraceParseError("G line needs status= and m=", lineno, line)
        m = _GSTATUS_RE.fullmatch(raw.pop("status"))
        if not m:
            raise TraceParseError("G status must look like 4(chan receive)", lineno, line)
        rec["status"] = int(m.group(1))
        base = rec["status"] & ~0x1000          # _Gscan bit: the GC is scanning its stack
        state = G_STATUS.get(base, f"status{base}")
        rec["state"] = ("scan+" + state) if rec["status"] & 0x1000 else state
        rec["waitreason"] = m.group(2)
        for key, value in raw.items():
            rec[key] = _ref(value, key, lineno, line)
        return rec
    need = ("status", "schedtick", "m", "runqsize") if kind == "P" else ("p", "curg", "spinning")
    missing = [k for k in need if k not in raw]
    if missing:
        raise TraceParseError(f"{kind} line lacks {', '.join(missing)}", lineno, line)
    for key, value in raw.items():
        if key == "preemptoff":
            rec[key] = value
        elif key in ("spinning", "blocked"):
            rec[key] = _bool(value, key, lineno, line)
        else:
            rec[key] = _ref(value, key, lineno, line)
    if kind == "P":
        rec["state"] = P_STATUS.get(rec["status"], f"status{rec['status']}")
    return rec


def schedtrace_snapshots(text, *, strict=True):
    """The ``SCHED`` blocks of ``text`` as a list of :class:`Snapshot`.

    With ``strict`` any line that is neither a SCHED line nor a scheddetail
    record raises :class:`TraceParseError`; with ``strict=False`` such lines
    (a program's own output mixed into stderr) are skipped, and so is a last
    line cut off at the program's exit (see :func:`_snapshots`).
    """
    return _snapshots(text, strict=strict)[0]


def _snapshots(text, *, strict=True):
    """``(snapshots, cut)``: :func:`schedtrace_snapshots`, and the line cut off at exit.

    sysmon prints a SCHED line (and each scheddetail record) in many small
    writes to stderr, from its own thread; a program that exits meanwhile
    leaves the last line unfinished, without its newline ("SCHED ", "SCHED
    12ms: gomaxprocs=2 idlepro").  On a loaded machine, where sysmon's thread
    can lose its CPU in the middle of a line, that happens often enough to
    matter.  Outside ``strict`` mode such a last line, when it does not parse,
    is dropped (with the scheddetail block it would have completed) and
    returned as ``cut``; anywhere else a line that does not parse is damage.
    """
    text = as_text(text)
    unfinished = not strict and bool(text) and not text.endswith(("\n", "\r"))
    lines = text.splitlines()
    if unfinished and SCHED_LINE_START.fullmatch(lines[-1]):
        return _snapshots_of(lines[:-1], strict, cut_block=True), lines[-1]
    try:
        return _snapshots_of(lines, strict), None
    except TraceParseError:
        if not unfinished:
            raise
    # the unfinished last line is the one that did not parse, or the block it cuts short is
    # incomplete: read what came before it (a damaged earlier line still raises)
    return _snapshots_of(lines[:-1], strict, cut_block=True), lines[-1]


def _snapshots_of(lines, strict, cut_block=False):
    snaps: list[Snapshot] = []
    cur = None

    def close(snap, lineno):
        if snap is not None and snap.detail:
            n = snap.fields["gomaxprocs"]
            if len(snap.ps) != n:
                raise TraceParseError(f"scheddetail block of SCHED {snap.time_ns // 1_000_000}ms "
                                      f"(line {snap.lineno}) has {len(snap.ps)} P lines, "
                                      f"expected gomaxprocs={n} (truncated?)", lineno, "")

    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        m = _SCHED_RE.fullmatch(line)
        if m:
            close(cur, lineno)
            t_ms = int(m.group(1))
            if snaps and t_ms * 1_000_000 < snaps[-1].time_ns:
                raise TraceParseError(f"time goes backwards ({t_ms}ms after "
                                      f"{snaps[-1].time_ns // 1_000_000}ms)", lineno, line)
            fields = _parse_summary(t_ms, m.group(2), lineno, line)
            if snaps and fields["gomaxprocs"] != snaps[-1].fields["gomaxprocs"]:
                # GOMAXPROCS may change at run time; counters stay per P index.
                pass
            cur = Snapshot(t_ms * 1_000_000, lineno, fields)
            snaps.append(cur)
            continue
        m = _DETAIL_RE.fullmatch(line)
        if m:
            if cur is None or not cur.detail:
                raise TraceParseError(f"{m.group(1)} record outside a scheddetail block", lineno, line)
            kind, ident = m.group(1), int(m.group(2))
            rec = _parse_detail(kind, ident, m.group(3), lineno, line)
            if kind == "P":
                if ident != len(cur.ps):
                    raise TraceParseError(f"expected P{len(cur.ps)} next, got P{ident}", lineno, line)
                if cur.ms or cur.gs:
                    raise TraceParseError("P line after M or G lines", lineno, line)
                if ident >= cur.fields["gomaxprocs"]:
                    raise TraceParseError(f"P{ident} but gomaxprocs={cur.fields['gomaxprocs']}", lineno, line)
                cur.ps.append(rec)
            elif kind == "M":
                if cur.gs:
                    raise TraceParseError("M line after G lines", lineno, line)
                cur.ms.append(rec)
            else:
                cur.gs.append(rec)
            continue
        if strict:
            raise TraceParseError("not a schedtrace line (expected 'SCHED <t>ms: ...' or a "
                                  "P/M/G record; pass strict=False to skip other output)", lineno, line)
    if cut_block and cur is not None and cur.detail and len(cur.ps) != cur.fields["gomaxprocs"]:
        snaps.pop()            # the block the cut line belonged to ends without all its P lines
        return snaps
    close(cur, None)
    return snaps


def parse_schedtrace(text, *, strict=True, meta=None) -> Timeline:
    """Turn schedtrace output into a :class:`Timeline` of counters.

    Times are the ``SCHED <t>ms`` stamps (ms since the program started).  In
    scheddetail mode ``runq[i]`` and ``schedtick[i]`` come from each P line's
    ``runqsize`` and ``schedtick``.  ``tl.meta["snapshots"]`` holds every
    block; ``tl.meta["detail"]`` says whether P/M/G lines were present.
    Malformed input raises :class:`TraceParseError` (line number and text);
    with ``strict=False`` a last line cut off at the program's exit is dropped and kept
    in ``tl.meta["cut_at_exit"]`` (None when the output ended whole).

    >>> tl = parse_schedtrace(read_trace("schedtrace_demo")[0])  # doctest: +SKIP
    >>> print(tl.schedtrace(50)[1])                                            # doctest: +SKIP
    SCHED 50ms: gomaxprocs=2 idleprocs=0 threads=5 ...
    """
    snaps, cut = _snapshots(text, strict=strict)
    if not snaps:
        raise TraceParseError("no SCHED lines found (was the program run with GODEBUG=schedtrace=X?)")
    procs = max(s.fields["gomaxprocs"] for s in snaps)
    tl = Timeline(procs=procs, source="schedtrace", max_parallel=procs,
                  meta=dict(meta or {}, snapshots=snaps, detail=any(s.detail for s in snaps),
                            cut_at_exit=cut))
    for s in snaps:
        t, f = s.time_ns, s.fields
        for name in SUMMARY_COUNTERS:
            if name in f:
                tl.sample(name, t, f[name])
        if s.ps:
            runq = [p["runqsize"] for p in s.ps]
            ticks = [p["schedtick"] for p in s.ps]
        else:
            runq, ticks = f.get("runq"), f.get("schedticks")
        for i in range(procs):
            if runq is not None:
                tl.sample(f"runq[{i}]", t, runq[i] if i < len(runq) else 0)
            if ticks is not None:
                tl.sample(f"schedtick[{i}]", t, ticks[i] if i < len(ticks) else 0)
    tl.end_time = max(tl.end_time, snaps[-1].time_ns)
    return tl


# ---- producing real schedtrace output -------------------------------------------

def run_schedtrace(program="schedload", args=(), *, every_ms=50, detail=False, gomaxprocs=2,
                   timeout=60, go=None) -> Timeline:
    """Run a course Go program with ``GODEBUG=schedtrace=every_ms`` and parse what it prints.

    Raises :class:`~gmpkit.real.toolchain.GoUnavailable` without Go; see
    :func:`schedtrace_or_recorded` for the fallback.

    >>> tl = run_schedtrace(every_ms=50, detail=True)      # doctest: +SKIP
    >>> len(tl.meta["snapshots"]) >= 4                      # doctest: +SKIP
    True
    """
    from .recorded import provenance
    from .toolchain import find_go
    tc = find_go(go)
    godebug = f"schedtrace={int(every_ms)}" + (",scheddetail=1" if detail else "")
    res = tc.run(program, list(args), gomaxprocs=gomaxprocs, godebug=godebug, timeout=timeout)
    meta = provenance(res.command_line, tc)
    meta.update(program=program, gomaxprocs=gomaxprocs, every_ms=every_ms, recorded=False,
                raw=res.stderr)
    return parse_schedtrace(res.stderr, strict=False, meta=meta)


def schedtrace_or_recorded(detail=False, **kw) -> Timeline:
    """A fresh real schedtrace when Go is here, else the one recorded in ``gmpkit/data/traces``.

    ``tl.meta["recorded"]`` tells which one you got.
    """
    from .recorded import read_trace
    from .toolchain import GoUnavailable
    try:
        return run_schedtrace(detail=detail, **kw)
    except GoUnavailable:
        text, meta = read_trace("scheddetail_demo" if detail else "schedtrace_demo")
        return parse_schedtrace(text, strict=False, meta=dict(meta, recorded=True, raw=text))
