"""Parse ``go tool trace -d=parsed`` output into a Timeline.

A program traced with ``runtime/trace`` writes a binary file;
``go tool trace -d=parsed trace.out`` prints one event per line::

    M=8730 P=1 G=1 StateTransition Time=267112295360 GoID=21 NotExist->Runnable Reason=""
    M=8728 P=-1 G=-1 StateTransition Time=267116428736 ProcID=0 Running->Idle Reason=""

``M`` is the OS thread id, ``P`` the processor the thread held (-1: none),
``G`` the goroutine that was running and did it (-1: none).  Lines may be
followed by ``Stack=`` / ``TransitionStack=`` blocks of tab-indented frames.

What the Timeline gets (times in ns from the first event):

* lane ``"G"``: each goroutine's state spans ``runnable``, ``running``,
  ``waiting``, ``syscall`` (running and syscall spans carry their m and p);
* lane ``"M"``: the same ``running``/``syscall`` spans seen from the thread
  (M ids renumbered 0, 1, ... in order of appearance; ``tl.meta["m_tids"]``
  maps them back to thread ids);
* lane ``"P"``: each P ``running`` (with the M that holds it) or ``idle``;
* events: ``spawn`` (other = creator G), ``ready`` (a wake-up; other = the
  waker G, detail = what it waited for), ``block`` (detail = wait reason),
  ``preempt``, ``gosched``, ``syscall-enter``, ``syscall-exit`` (detail
  ``kept P`` / ``lost P``), ``exit``, ``acquirep`` / ``releasep`` (M<->P
  binding) and ``retake`` (a P taken from an M in a syscall by another M --
  sysmon; other = the M that lost it);
* counters: ``idleprocs``, ``running_gs``, ``runnable_gs``, ``syscall_gs``.

The runtime's and the tracer's own goroutines (GC workers, the trace reader,
the forcegc helper ...) are filtered out; ``tl.meta["filtered_goroutines"]``
lists them and ``tl.meta["filtered"]`` counts them.

>>> tl = parse_exectrace('''
... M=7 P=0 G=1 StateTransition Time=1000 GoID=5 NotExist->Runnable Reason=""
... M=7 P=0 G=1 StateTransition Time=1500 GoID=1 Running->Waiting Reason="chan receive"
... M=7 P=0 G=-1 StateTransition Time=1600 GoID=5 Runnable->Running Reason=""
... M=7 P=0 G=5 StateTransition Time=1900 GoID=5 Running->NotExist Reason=""
... ''')
>>> [(s.state, s.start, s.end) for s in tl.spans if s.lane == "G" and s.g == 5]
[('runnable', 0, 600), ('running', 600, 900)]
>>> tl.events_of("spawn")[0].other
1
"""

from __future__ import annotations

import re
from collections import defaultdict

from ..timeline import Timeline
from .errors import TraceParseError, as_text

__all__ = ["parse_exectrace", "run_exectrace", "exectrace_or_recorded", "exectrace_text", "strip_stacks",
           "SYSTEM_WAIT_REASONS", "SYSTEM_PREFIXES"]

G_STATES = ("Undetermined", "NotExist", "Runnable", "Running", "Waiting", "Syscall")
P_STATES = ("Undetermined", "NotExist", "Running", "Idle")
EVENT_KINDS = ("Sync", "Metric", "Label", "StackSample", "RangeBegin", "RangeActive", "RangeEnd",
               "TaskBegin", "TaskEnd", "RegionBegin", "RegionEnd", "Log", "StateTransition",
               "Experimental")
# Wait reasons only the runtime's own goroutines use (traceBlockSystemGoroutine, bgsweep).
SYSTEM_WAIT_REASONS = ("system goroutine wait", "GC background sweeper wait")

_EVENT_RE = re.compile(r"M=(-?\d+) P=(-?\d+) G=(-?\d+) ([A-Za-z]+) Time=(\d+)(?: (.*))?")
_GO_RE = re.compile(r"GoID=(\d+) ([A-Za-z]+)->([A-Za-z]+) Reason=\"((?:[^\"\\]|\\.)*)\"")
_PROC_RE = re.compile(r"ProcID=(\d+) ([A-Za-z]+)->([A-Za-z]+) Reason=\"((?:[^\"\\]|\\.)*)\"")
_METRIC_RE = re.compile(r"Name=\"((?:[^\"\\]|\\.)*)\" Value=Value\{([A-Za-z0-9]+)\(([^)]*)\)\}")
_FRAME_RE = re.compile(r"\t(\S.*?) @ 0x[0-9a-f]+")


class _Ev:
    __slots__ = ("lineno", "line", "m", "p", "g", "kind", "time", "res", "rid", "old", "new",
                 "reason", "start_fn", "restated")

    def __init__(self, lineno, line, m, p, g, kind, time):
        self.lineno, self.line, self.m, self.p, self.g, self.kind, self.time = lineno, line, m, p, g, kind, time
        self.res = self.rid = self.old = self.new = self.reason = self.start_fn = None
        self.restated = False


SYSTEM_PREFIXES = ("runtime.", "runtime/")


def _lex(text, system_prefixes=SYSTEM_PREFIXES):
    """Pass 1: validate every line; return events, gomaxprocs and the system goroutines."""
    events, procs, system = [], None, {}
    gstate, pstate = {}, {}
    gen, seen_gen = 0, {}     # generation number; generation of each G/P's last transition
    last_t = None
    stack_of = None          # the event whose stack block we are in
    stack_kind = None
    first_frame_pending = False
    for lineno, line in enumerate(as_text(text).splitlines(), 1):
        if not line.strip():
            continue
        if line in ("Stack=", "TransitionStack="):
            if not events:
                raise TraceParseError("stack block before any event", lineno, line)
            stack_of, stack_kind, first_frame_pending = events[-1], line, True
            continue
        if line.startswith("\t"):
            if stack_of is None:
                raise TraceParseError("stack frame outside a Stack= block", lineno, line)
            if first_frame_pending and not line.startswith("\t\t"):
                first_frame_pending = False
                fm = _FRAME_RE.match(line)
                if not fm:
                    raise TraceParseError("stack frame must look like 'func @ 0xADDR'", lineno, line)
                ev = stack_of
                if (stack_kind == "TransitionStack=" and ev.res == "G" and ev.old == "NotExist"):
                    ev.start_fn = fm.group(1)
                    fn = fm.group(1)
                    if fn.startswith(tuple(system_prefixes)):
                        system.setdefault(ev.rid, f"started in {fn}")
            continue
        stack_of = None
        m = _EVENT_RE.fullmatch(line)
        if not m:
            raise TraceParseError("not a `go tool trace -d=parsed` line (expected "
                                  "'M=.. P=.. G=.. Kind Time=..')", lineno, line)
        mm, pp, gg, kind, t = int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4), int(m.group(5))
        rest = m.group(6) or ""
        if kind not in EVENT_KINDS:
            raise TraceParseError(f"unknown event kind {kind!r}", lineno, line)
        if last_t is not None and t < last_t:
            raise TraceParseError(f"time goes backwards ({t} after {last_t})", lineno, line)
        last_t = t
        ev = _Ev(lineno, line, mm, pp, gg, kind, t)
        if kind == "StateTransition":
            sm = _GO_RE.fullmatch(rest)
            if sm:
                ev.res, states, table = "G", G_STATES, gstate
            else:
                sm = _PROC_RE.fullmatch(rest)
                if not sm:
                    raise TraceParseError("StateTransition needs 'GoID=N Old->New Reason=\"..\"' "
                                          "or 'ProcID=N Old->New Reason=\"..\"'", lineno, line)
                ev.res, states, table = "P", P_STATES, pstate
            ev.rid, ev.old, ev.new, ev.reason = int(sm.group(1)), sm.group(2), sm.group(3), sm.group(4)
            for s in (ev.old, ev.new):
                if s not in states:
                    raise TraceParseError(f"unknown {'goroutine' if ev.res == 'G' else 'P'} state {s!r}",
                                          lineno, line)
            have = table.get(ev.rid)
            if ev.old != "Undetermined" and have is not None and have != ev.old:
                raise TraceParseError(f"{'G' if ev.res == 'G' else 'P'}{ev.rid} is {have}, "
                                      f"cannot leave {ev.old}", lineno, line)
            key = (ev.res, ev.rid)
            if ev.old == ev.new:
                # A trace longer than a generation (about a second) restates, just after each
                # Sync, the state of every P and G that is running: "Running->Running".
                # Anywhere else a transition to the same state is damage.
                if seen_gen.get(key) == gen:
                    raise TraceParseError(f"transition from {ev.old} to itself", lineno, line)
                ev.restated = True
            seen_gen[key] = gen
            table[ev.rid] = ev.new
            if ev.res == "G" and ev.new == "Waiting" and ev.reason in SYSTEM_WAIT_REASONS:
                system.setdefault(ev.rid, f"waits: {ev.reason}")
        elif kind == "Metric":
            mt = _METRIC_RE.fullmatch(rest)
            if not mt:
                raise TraceParseError("Metric needs 'Name=\"..\" Value=Value{Kind(v)}'", lineno, line)
            if mt.group(1) == "/sched/gomaxprocs:threads":
                if not mt.group(3).isdigit() or not 0 < int(mt.group(3)) <= 1 << 16:
                    raise TraceParseError("bad gomaxprocs value", lineno, line)
                procs = int(mt.group(3))
        # (Label events are no guide: "GC (fractional)" labels also land on user
        # goroutines that were caught doing mark work.)
        elif kind == "Sync":
            gen += 1
            if not rest.startswith("N="):
                raise TraceParseError("Sync needs N=", lineno, line)
        events.append(ev)
    return events, procs, system


def parse_exectrace(text, *, keep_system=False, meta=None,
                    system_prefixes=SYSTEM_PREFIXES) -> Timeline:
    """Turn ``go tool trace -d=parsed`` output into a :class:`Timeline`.

    ``keep_system=True`` keeps the runtime's own goroutines: those whose start
    function begins with one of ``system_prefixes`` (``runtime.``, ``runtime/``;
    :mod:`gmpkit.real.tracego` adds its tracer's) or that wait the way only
    system goroutines wait.  Malformed,
    inconsistent (a G leaving a state it is not in) or truncated input raises
    :class:`TraceParseError` with the line number and text.
    """
    events, procs, system = _lex(text, system_prefixes)
    if not any(ev.kind == "StateTransition" for ev in events):
        raise TraceParseError("no StateTransition events found (is this `go tool trace -d=parsed` output?)")
    if keep_system:
        system = {}
    # Time 0 is the first event of the program's: not the opening Sync, whose time is the
    # oldest trace buffer's and may come milliseconds before the trace began (a thread that
    # took its buffer and then lost its CPU, on a loaded machine).
    t0 = next((ev.time for ev in events if ev.kind != "Sync"), events[0].time)
    if procs is None:
        procs = len({ev.rid for ev in events if ev.res == "P"}) or None
    tl = Timeline(procs=procs, source="exectrace", max_parallel=procs,
                  meta=dict(meta or {}, filtered_goroutines=sorted(system), filtered=len(system),
                            filtered_why=dict(sorted(system.items())), t0=t0))
    mids: dict[int, int] = {}

    def mid(tid):
        if tid < 0:
            return -1
        return mids.setdefault(tid, len(mids))

    gcur: dict[int, tuple] = {}        # gid -> (state, start, m, p)
    pcur: dict[int, tuple] = {}        # pid -> (state, start, m)
    counts = defaultdict(int)          # "running"/"runnable"/"syscall" -> user Gs in it

    def g_close(gid, t):
        st = gcur.pop(gid, None)
        if st is None:
            return None
        state, start, m, p = st
        tl.add_span(state, start, t, lane="G", m=m, p=p, g=gid)
        if state in ("running", "syscall") and m >= 0:
            tl.add_span(state, start, t, lane="M", m=m, p=p, g=gid)
        if state in ("running", "runnable", "syscall"):
            counts[state] -= 1
        return st

    def g_open(gid, state, t, m=-1, p=-1):
        gcur[gid] = (state, t, m, p)
        if state in ("running", "runnable", "syscall"):
            counts[state] += 1

    for ev in events:
        t = ev.time - t0
        m = mid(ev.m)
        if ev.kind != "StateTransition" or ev.restated:
            continue
        if ev.res == "P":
            prev = pcur.pop(ev.rid, None)
            if prev is not None:
                tl.add_span(prev[0], prev[1], t, lane="P", m=prev[2], p=ev.rid)
            if ev.new == "Running":
                pcur[ev.rid] = ("running", t, m)
                tl.add_event("acquirep", t, m=m, p=ev.rid)
            elif ev.new == "Idle":
                pcur[ev.rid] = ("idle", t, -1)
                if ev.old == "Running":
                    owner = prev[2] if prev is not None else -1
                    if ev.p == -1 and owner >= 0 and owner != m:
                        tl.add_event("retake", t, m=m, p=ev.rid, other=owner)
                    else:
                        tl.add_event("releasep", t, m=m, p=ev.rid)
            tl.sample("idleprocs", t, sum(1 for s in pcur.values() if s[0] == "idle"))
            continue
        gid = ev.rid
        if gid in system:
            continue
        old, new = ev.old, ev.new
        prev = g_close(gid, t)
        actor = ev.g if ev.g not in system else -1
        if new == "Running":
            g_open(gid, "running", t, m, ev.p)
            if old == "Syscall":
                tl.add_event("syscall-exit", t, g=gid, m=m, p=ev.p, detail="kept P")
        elif new == "Runnable":
            g_open(gid, "runnable", t)
            if old == "NotExist":
                tl.add_event("spawn", t, g=gid, m=m, p=ev.p, other=actor)
                if ev.start_fn:
                    tl.g_names[gid] = ev.start_fn
            elif old == "Waiting":
                why = prev[0] if prev else ""
                tl.add_event("ready", t, g=gid, m=m, p=ev.p, other=actor,
                             detail=ev.reason or (why if why != "waiting" else ""))
            elif old == "Running":
                kind = "gosched" if ev.reason == "runtime.Gosched" else "preempt"
                tl.add_event(kind, t, g=gid, m=prev[2] if prev else m, p=ev.p, detail=ev.reason)
            elif old == "Syscall":
                tl.add_event("syscall-exit", t, g=gid, m=m, p=ev.p, detail="lost P")
        elif new == "Waiting":
            g_open(gid, "waiting", t)
            if old == "Running":
                tl.add_event("block", t, g=gid, m=m, p=ev.p, detail=ev.reason)
        elif new == "Syscall":
            g_open(gid, "syscall", t, m, ev.p)
            if old == "Running":
                tl.add_event("syscall-enter", t, g=gid, m=m, p=ev.p)
        elif new == "NotExist" and old == "Running":
            tl.add_event("exit", t, g=gid, m=m, p=ev.p)
        tl.sample("running_gs", t, counts["running"])
        tl.sample("runnable_gs", t, counts["runnable"])
        tl.sample("syscall_gs", t, counts["syscall"])

    end = events[-1].time - t0
    for gid in list(gcur):
        g_close(gid, end)
    for pid, (state, start, m) in pcur.items():
        tl.add_span(state, start, end, lane="P", m=m, p=pid)
    tl.end_time = max(tl.end_time, end)
    tl.meta["m_tids"] = {v: k for k, v in mids.items()}
    return tl


def strip_stacks(text, keep_creation=True):
    """Drop ``Stack=`` blocks (and all but goroutine-creation ``TransitionStack=``
    blocks, reduced to their first frame) to make a trace small enough to record.

    The parser still recognises the runtime's goroutines by their start function.
    """
    out, keep, last_event, frames = [], False, "", 0
    for line in as_text(text).splitlines():
        if line.startswith("M="):
            out.append(line)
            last_event, keep = line, False
        elif line == "TransitionStack=" and " NotExist->" in last_event and keep_creation:
            out.append(line)
            keep, frames = True, 0
        elif line in ("Stack=", "TransitionStack="):
            keep = False
        elif line.startswith("\t") and keep and frames < 2:
            out.append(line)
            frames += 1
    return "\n".join(out) + "\n"


# ---- producing real traces ----------------------------------------------------------

def exectrace_text(program="tracedemo", args=(), *, gomaxprocs=2, timeout=120, go=None):
    """Run ``program`` (which writes a runtime/trace to ``-o FILE``), then
    ``go tool trace -d=parsed FILE``; return ``(text, provenance)``.

    The first call builds ``go tool trace`` itself, which takes tens of seconds.
    """
    import tempfile
    from pathlib import Path

    from .recorded import provenance
    from .toolchain import find_go
    tc = find_go(go)
    with tempfile.TemporaryDirectory(prefix="gmpkit-trace-") as d:
        out = Path(d) / "trace.out"
        res = tc.run(program, ["-o", out, *args], gomaxprocs=gomaxprocs, timeout=timeout)
        parsed = tc.parsed_trace(out, timeout=max(timeout, 300))
    meta = provenance(f"{res.command_line} && go tool trace -d=parsed trace.out", tc)
    meta.update(program=program, gomaxprocs=gomaxprocs)
    return parsed, meta


def run_exectrace(program="tracedemo", args=(), *, gomaxprocs=2, timeout=120, go=None) -> Timeline:
    """Trace a course Go program for real and parse it (raises GoUnavailable without Go)."""
    text, meta = exectrace_text(program, args, gomaxprocs=gomaxprocs, timeout=timeout, go=go)
    return parse_exectrace(text, meta=dict(meta, recorded=False))


def exectrace_or_recorded(**kw) -> Timeline:
    """A fresh real execution trace when Go is here, else ``gmpkit/data/traces/exectrace_demo.txt``.

    ``tl.meta["recorded"]`` tells which one you got.
    """
    from .recorded import read_trace
    from .toolchain import GoUnavailable
    try:
        return run_exectrace(**kw)
    except GoUnavailable:
        text, meta = read_trace("exectrace_demo")
        return parse_exectrace(text, meta=dict(meta, recorded=True))
