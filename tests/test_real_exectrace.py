"""`go tool trace -d=parsed` parsing: real traces to Timelines, errors, fuzzing."""

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gmpkit.real import TraceParseError, parse_exectrace
from gmpkit.real.exectrace import exectrace_text, strip_stacks
from gmpkit.real.recorded import read_trace
from gmpkit.timeline import Timeline

from gmpkit.real.testing import GO, mutated, time_limit

DEMO, DEMO_META = read_trace("exectrace_demo")

SMALL = """\
M=-1 P=-1 G=-1 Sync Time=100 N=1
M=7 P=-1 G=-1 StateTransition Time=1000 ProcID=0 Undetermined->Running Reason=""
M=7 P=0 G=-1 StateTransition Time=1000 GoID=1 Undetermined->Running Reason=""
M=7 P=0 G=1 StateTransition Time=1100 GoID=5 NotExist->Runnable Reason=""
M=7 P=0 G=1 StateTransition Time=1500 GoID=1 Running->Waiting Reason="chan receive"
M=7 P=0 G=-1 StateTransition Time=1600 GoID=5 Runnable->Running Reason=""
M=7 P=0 G=5 StateTransition Time=1700 GoID=1 Waiting->Runnable Reason=""
M=7 P=0 G=5 StateTransition Time=1800 GoID=5 Running->Syscall Reason=""
M=9 P=-1 G=-1 StateTransition Time=1900 ProcID=0 Running->Idle Reason=""
M=9 P=-1 G=-1 StateTransition Time=1950 ProcID=0 Idle->Running Reason=""
M=9 P=0 G=-1 StateTransition Time=2000 GoID=1 Runnable->Running Reason=""
M=7 P=-1 G=5 StateTransition Time=2500 GoID=5 Syscall->Runnable Reason=""
M=9 P=0 G=1 StateTransition Time=2600 GoID=1 Running->Runnable Reason="preempted"
M=9 P=0 G=-1 StateTransition Time=2700 GoID=5 Runnable->Running Reason=""
M=9 P=0 G=5 StateTransition Time=2800 GoID=5 Running->NotExist Reason=""
"""


def test_small_trace_spans_and_events():
    tl = parse_exectrace(SMALL)
    g5 = [(s.state, s.start, s.end, s.m) for s in tl.spans if s.lane == "G" and s.g == 5]
    # times are relative to the program's first event (at 1000), not to the Sync at 100: the
    # Sync carries the oldest trace buffer's time, which can be milliseconds early
    assert g5 == [("runnable", 100, 600, -1), ("running", 600, 800, 0),
                  ("syscall", 800, 1500, 0), ("runnable", 1500, 1700, -1),
                  ("running", 1700, 1800, 1)]
    assert tl.end_time == 1800 and tl.meta["t0"] == 1000
    spawn, = tl.events_of("spawn")
    assert (spawn.g, spawn.other) == (5, 1)
    ready, = tl.events_of("ready")
    assert (ready.g, ready.other) == (1, 5)                 # G5 woke G1
    retake, = tl.events_of("retake")
    assert (retake.p, retake.m, retake.other) == (0, 1, 0)  # M9 took P0 from M7 in a syscall
    assert [e.detail for e in tl.events_of("syscall-exit")] == ["lost P"]
    assert [e.g for e in tl.events_of("preempt")] == [1]
    assert tl.meta["m_tids"] == {0: 7, 1: 9}
    assert tl.count("acquirep") == 2
    # running on the M lane mirrors running on the G lane
    assert tl.run_ns_by_g() == {1: 500 + 600, 5: 200 + 100}
    assert tl.check_invariants()


def test_recorded_demo_has_every_scheduler_event():
    tl = parse_exectrace(DEMO)
    kinds = Counter(e.kind for e in tl.events)
    for k in ("spawn", "ready", "block", "preempt", "gosched", "syscall-enter", "syscall-exit",
              "exit", "acquirep", "retake"):
        assert kinds[k] > 0, k
    assert tl.procs == DEMO_META["gomaxprocs"] == 2
    assert tl.check_invariants()
    # the tracer's and the runtime's goroutines are gone, and counted
    assert tl.meta["filtered"] == len(tl.meta["filtered_goroutines"]) > 0
    assert not set(tl.meta["filtered_goroutines"]) & set(tl.gs)
    # every spawned user goroutine has a name from its start function, in package main
    spawned = {e.g for e in tl.events_of("spawn")}
    assert spawned and all(tl.g_names[g].startswith("main.") for g in spawned)
    # at most GOMAXPROCS goroutines run at once, each on one M
    arr = tl.span_arrays()
    assert set(arr["lane"]) == {"G", "M", "P"}
    # the CPU-bound goroutines were preempted after about a 10 ms time slice
    running = [s for s in tl.spans if s.lane == "G" and s.state == "running"]
    assert max(s.end - s.start for s in running) >= 5_000_000


def test_keep_system_keeps_them():
    tl = parse_exectrace(DEMO, keep_system=True)
    assert tl.meta["filtered"] == 0
    assert set(parse_exectrace(DEMO).meta["filtered_goroutines"]) <= set(tl.gs)


def test_full_stacks_parse_like_stripped_ones():
    text = SMALL.replace('GoID=5 NotExist->Runnable Reason=""',
                         'GoID=5 NotExist->Runnable Reason=""\nTransitionStack=\n'
                         '\tmain.worker @ 0x4a10c0\n\t\t/src/main.go:10\n\nStack=\n'
                         '\tmain.main @ 0x4a1000\n\t\t/src/main.go:20\n')
    tl = parse_exectrace(text)
    assert tl.g_names[5] == "main.worker"
    assert strip_stacks(text).count("\t") == 3       # creation frame kept, Stack= dropped
    rt = text.replace("main.worker", "runtime.bgsweep")
    assert parse_exectrace(rt).meta["filtered_goroutines"] == [5]


def test_a_gc_label_does_not_make_a_user_goroutine_system():
    # real traces label user goroutines "GC (fractional)" when they did mark work
    text = SMALL.replace('M=7 P=0 G=5 StateTransition Time=1800',
                         'M=7 P=0 G=5 Label Time=1750 Label="GC (fractional)" Resource=Goroutine(5)\n'
                         'M=7 P=0 G=5 StateTransition Time=1800')
    tl = parse_exectrace(text)
    assert tl.meta["filtered"] == 0 and 5 in tl.gs


def test_system_wait_reason_filters():
    text = SMALL.replace('GoID=1 Running->Waiting Reason="chan receive"',
                         'GoID=1 Running->Waiting Reason="system goroutine wait"')
    tl = parse_exectrace(text)
    assert tl.meta["filtered_goroutines"] == [1] and 1 not in tl.gs
    assert tl.events_of("spawn")[0].other == -1      # its spawn of G5 is kept, creator unknown


@pytest.mark.parametrize("edit, where", [
    (lambda s: s.replace("GoID=5 Runnable->Running", "GoID=5 Waiting->Running", 1), "G5 is Runnable"),
    (lambda s: s.replace("Time=1600", "Time=900"), "backwards"),
    (lambda s: s.replace("Running->Waiting", "Running->Sleeping"), "unknown goroutine state"),
    (lambda s: s.replace("StateTransition Time=1100", "Teleport Time=1100"), "unknown event kind"),
    (lambda s: s + "garbage\n", "not a `go tool trace"),
    (lambda s: s + "\tmain.main @ 0x1\n", "outside a Stack"),
    (lambda s: s.replace('Reason="chan receive"', 'Reason="chan rec'), "StateTransition needs"),
    (lambda s: "", "no StateTransition"),
])
def test_errors_name_the_line(edit, where):
    with pytest.raises(TraceParseError, match=where) as e:
        parse_exectrace(edit(SMALL))
    if "no StateTransition" not in where:
        assert e.value.lineno and e.value.line


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(DEMO))
def test_fuzz_only_trace_parse_error_escapes(text):
    with time_limit(10):
        try:
            tl = parse_exectrace(text)
        except TraceParseError:
            return
        assert isinstance(tl, Timeline)
        tl.check_invariants(raise_=False)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_random_bytes(data):
    with time_limit(10):
        try:
            parse_exectrace(data)
        except TraceParseError:
            pass


@pytest.mark.go
def test_real_trace_fresh_or_recorded():
    """Trace tracedemo now (or use the recorded trace without Go) and check the story."""
    if GO is not None:
        text, meta = exectrace_text("tracedemo", ["-cpu", "22ms", "-block", "12ms"], gomaxprocs=2)
        assert meta["go_version"] == GO.version
    else:
        text = DEMO
    tl = parse_exectrace(text)
    assert tl.check_invariants()
    assert tl.procs == 2 and tl.meta["filtered"] > 0
    kinds = Counter(e.kind for e in tl.events)
    assert kinds["spawn"] >= 7 and kinds["exit"] >= 7        # tracedemo starts 7 goroutines (GOMAXPROCS=2)
    assert kinds["gosched"] >= 3 and kinds["syscall-enter"] >= 1
    assert kinds["ready"] >= 5                               # the ping-pong wakes its partner
    # three CPU-bound goroutines on two Ps: someone waits in the run queue while others run
    assert any(s.state == "runnable" and s.end - s.start > 1_000_000 for s in tl.spans if s.lane == "G")
