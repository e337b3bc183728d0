"""GODEBUG=schedtrace parsing: real output, errors, fuzzing, and the round trip."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gmpkit.real import TraceParseError, parse_schedtrace
from gmpkit.real.recorded import read_trace
from gmpkit.real.schedtrace import run_schedtrace, schedtrace_snapshots
from gmpkit.timeline import Timeline

from gmpkit.real.testing import GO, mutated, needs_go, time_limit

PLAIN, _ = read_trace("schedtrace_demo")
DETAIL, _ = read_trace("scheddetail_demo")

LINE = ("SCHED 49ms: gomaxprocs=2 idleprocs=0 threads=4 spinningthreads=0 needspinning=1 "
        "idlethreads=0 runqueue=1 [ 2 1 ] schedticks=[ 6 7 ]")


def test_one_line_to_counters():
    tl = parse_schedtrace(LINE)
    t = 49_000_000
    assert tl.procs == 2 and tl.source == "schedtrace"
    got = {n: tl.value_at(n, t, default=None) for n in tl.counter_names}
    assert got == {"idleprocs": 0, "threads": 4, "spinningthreads": 0, "needspinning": 1,
                   "idlethreads": 0, "runqueue": 1, "runq[0]": 2, "runq[1]": 1,
                   "schedtick[0]": 6, "schedtick[1]": 7}
    assert tl.value_at("threads", t - 1, default=None) is None   # nothing before the first line


def test_recorded_plain_trace_matches_its_text():
    tl = parse_schedtrace(PLAIN)
    lines = [ln for ln in PLAIN.splitlines() if ln.strip()]
    snaps = tl.meta["snapshots"]
    assert len(snaps) == len(lines) and not tl.meta["detail"]
    for line, snap in zip(lines, snaps):
        # printing the parsed state at that instant gives back the runtime's own line
        assert tl.schedtrace_line(snap.time_ns) == line
    assert tl.check_invariants()


def test_recorded_detail_trace_keeps_p_m_g_records():
    tl = parse_schedtrace(DETAIL)
    snaps = tl.meta["snapshots"]
    assert tl.meta["detail"] and len(snaps) >= 2
    for s in snaps:
        assert len(s.ps) == tl.procs == s.fields["gomaxprocs"]
        assert s.ms and s.gs
        for i, p in enumerate(s.ps):
            assert tl.value_at(f"runq[{i}]", s.time_ns) == p["runqsize"]
            assert tl.value_at(f"schedtick[{i}]", s.time_ns) == p["schedtick"]
        assert tl.value_at("threads", s.time_ns) == s.fields["threads"]
        # a G running on an M is that M's curg
        curg = {m["id"]: m["curg"] for m in s.ms}
        for g in s.gs:
            if g["state"] == "running":
                assert curg[g["m"]] == g["id"]
    main = [g for g in snaps[-1].gs if g["id"] == 1][0]
    assert main["state"] in ("waiting", "running", "runnable") and isinstance(main["waitreason"], str)


def test_other_output_is_an_error_unless_not_strict():
    text = "hello from the program\n" + LINE
    with pytest.raises(TraceParseError) as e:
        parse_schedtrace(text)
    assert e.value.lineno == 1 and "hello" in str(e.value)
    assert parse_schedtrace(text, strict=False).value_at("threads", 49_000_000) == 4


@pytest.mark.parametrize("bad, where", [
    (LINE.replace("[ 2 1 ]", "[ 2 ]"), "run queue list has 1 entries"),
    (LINE.replace("threads=4", "threads=four"), "not an integer"),
    (LINE.replace(" idleprocs=0", ""), "lacks idleprocs"),
    (LINE[:-3], "schedticks"),
    (LINE + "\n" + LINE.replace("49ms", "12ms"), "backwards"),
    (DETAIL.splitlines()[0] + "\n  P0: status=1 schedtick=0 syscalltick=0 m=0 runqsize=0 gfreecnt=0 timerslen=0\n",
     "has 1 P lines"),
    ("  G1: status=4(sleep) m=nil lockedm=nil", "outside a scheddetail block"),
    ("", "no SCHED lines"),
])
def test_errors_name_the_line_and_the_problem(bad, where):
    with pytest.raises(TraceParseError, match=where) as e:
        parse_schedtrace(bad)
    if bad:
        assert e.value.lineno is not None or "P lines" in str(e.value)


def test_bytes_that_are_not_utf8():
    with pytest.raises(TraceParseError) as e:
        parse_schedtrace(LINE.encode() + b"\n\xff\xfe junk")
    assert e.value.lineno == 2


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(mutated(PLAIN), mutated(DETAIL)))
def test_fuzz_only_trace_parse_error_escapes(text):
    with time_limit(10):
        try:
            tl = parse_schedtrace(text)
        except TraceParseError:
            return
        assert isinstance(tl, Timeline)
        tl.check_invariants(raise_=False)
        tl.schedtrace(50)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_random_bytes(data):
    with time_limit(10):
        try:
            parse_schedtrace(data)
        except TraceParseError:
            pass


# ---- round trip: Timeline.schedtrace() -> parse_schedtrace() -------------------------

@st.composite
def counter_timelines(draw):
    procs = draw(st.integers(1, 4))
    tl = Timeline(procs=procs)
    names = ["idleprocs", "threads", "spinningthreads", "needspinning", "idlethreads", "runqueue"]
    names += [f"runq[{i}]" for i in range(procs)] + [f"schedtick[{i}]" for i in range(procs)]
    end = draw(st.integers(1, 40)) * 1_000_000
    for name in names:
        for t in sorted(draw(st.sets(st.integers(0, end), max_size=6))):
            tl.sample(name, t, draw(st.integers(0, 300)))
    tl.end_time = end
    return tl


@settings(max_examples=80, deadline=None)
@given(counter_timelines(), st.integers(1, 7))
def test_round_trip_through_schedtrace_text(tl, every_ms):
    text = "\n".join(tl.schedtrace(every_ms))
    back = parse_schedtrace(text)
    assert back.procs == tl.procs
    names = ["idleprocs", "threads", "spinningthreads", "needspinning", "idlethreads", "runqueue"]
    names += [f"runq[{i}]" for i in range(tl.procs)] + [f"schedtick[{i}]" for i in range(tl.procs)]
    for k in range(tl.end_time // 1_000_000 // every_ms + 1):
        t = k * every_ms * 1_000_000
        for name in names:
            assert back.value_at(name, t) == tl.value_at(name, t), (name, t)


# ---- a fresh real run (recorded data when Go is absent) -------------------------------

@pytest.mark.go
@pytest.mark.parametrize("detail", [False, True])
def test_real_schedtrace_fresh_or_recorded(detail):
    if GO is not None:
        tl = run_schedtrace(every_ms=40, detail=detail, gomaxprocs=2, args=["-d", "200ms"])
        assert not tl.meta["recorded"]
    else:
        text, meta = read_trace("scheddetail_demo" if detail else "schedtrace_demo")
        tl = parse_schedtrace(text)
    snaps = tl.meta["snapshots"]
    assert len(snaps) >= 3 and tl.procs == 2 and tl.meta["detail"] == detail
    assert tl.check_invariants()
    # the busy program keeps every P busy after start-up and runs more threads than Ps
    late = snaps[len(snaps) // 2]
    assert late.fields["threads"] >= 3
    assert sum(tl.value_at(f"schedtick[{i}]", snaps[-1].time_ns) for i in range(2)) > 0
    times = [s.time_ns for s in snaps]
    assert times == sorted(times)
