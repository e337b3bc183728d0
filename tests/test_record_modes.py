"""record="counters" / "sampled" (issue 12): lighter recording, the same schedule."""

from collections import Counter

import pytest

import gmpkit as gk
from gmpkit import scenarios

CASES = [("mixed", gk.GMP, {"procs": 4}), ("syscall_storm", gk.GMP, {"procs": 2}),
         ("lock_heavy", gk.GM, {"procs": 4}), ("ping_pong", gk.Threads, {"cpus": 2}),
         ("netio_server", gk.GreenThreads, {})]


def _run(name, model, kw, **rec):
    return scenarios.get(name).run(model(**kw), seed=3, **rec)


@pytest.mark.parametrize("name,model,kw", CASES)
def test_counters_mode_keeps_totals_of_the_full_run(name, model, kw):
    full = _run(name, model, kw)
    light = _run(name, model, kw, record="counters")
    assert light.stats == full.stats
    assert light.results == full.results
    ft, lt = full.timeline, light.timeline
    assert len(lt._sp_state) == 0 and len(lt._ev_kind) == 0
    assert dict(lt.event_counts) == dict(Counter(e.kind for e in ft.events))
    for kind in set(e.kind for e in ft.events):
        assert lt.count(kind) == ft.count(kind)
    per_state = Counter()
    for s in ft.spans:
        per_state[s.state] += s.end - s.start
    assert dict(lt.span_ns) == dict(per_state)
    assert lt.run_ns_by_g() == ft.run_ns_by_g()
    assert lt.n_spans == len(ft.spans) and len(lt) == len(ft)
    for c in ft.counter_names:
        assert lt.peak(c) == max(ft.counter(c)[1].tolist())
    assert lt.end_time == ft.end_time
    assert lt.check_invariants()


@pytest.mark.parametrize("name,model,kw", CASES)
def test_sampled_mode_keeps_one_record_in_n(name, model, kw):
    full = _run(name, model, kw)
    s = _run(name, model, kw, record="sampled", sample_every=7)
    assert s.stats == full.stats
    fs, ss = full.timeline.spans, s.timeline.spans
    assert ss == fs[::7]
    assert s.timeline.events == full.timeline.events[::7]
    assert s.timeline.check_invariants()


def test_counters_mode_memory_does_not_grow_with_the_run():
    def main():
        for _ in range(3000):
            yield gk.compute(us=1)
            yield gk.gosched()
    tl = gk.simulate(main, model=gk.GMP(procs=2), record="counters").timeline
    assert len(tl._sp_state) == 0 and len(tl._ev_kind) == 0
    assert all(len(t) == 1 for t, _ in tl._counters.values())
    assert tl.count("gosched") == 3000


def test_counters_mode_still_catches_lost_work():
    tl = _run("mixed", gk.GMP, {"procs": 4}, record="counters").timeline
    g = next(iter(tl.expected_run_ns))
    tl.expected_run_ns[g] += 1
    with pytest.raises(gk.timeline.InvariantError, match="asked for"):
        tl.check_invariants()


@pytest.mark.parametrize("kw,msg", [({"record": "everything"}, "choose one of"),
                                    ({"record": "sampled", "sample_every": 0}, "sample_every"),
                                    ({"record": "counters", "schedtrace": 1}, "record='full'")])
def test_bad_recording_options_say_what_to_do(kw, msg):
    with pytest.raises(ValueError, match=msg):
        _run("mixed", gk.GMP, {"procs": 2}, **kw)


def test_reading_what_was_not_recorded_names_the_fix():
    tl = _run("mixed", gk.GMP, {"procs": 2}, record="counters").timeline
    with pytest.raises(ValueError, match="record='full'"):
        tl.schedtrace(1)
    with pytest.raises(ValueError, match="record='full'"):
        tl.value_at("runqueue", 0)


def test_counters_mode_refuses_what_needs_every_span():
    """Plots and stats that read spans, events or counter histories say how to get them."""
    from gmpkit import plots
    tl = _run("mixed", gk.GMP, {"procs": 2}, record="counters").timeline
    for read in (lambda: tl.spans, lambda: tl.events, lambda: tl.events_of("steal"),
                 tl.span_arrays, lambda: tl.counter("runqueue")):
        with pytest.raises(ValueError, match="record='counters'.*record='full'"):
            read()
    with pytest.raises(ValueError, match="record='full'"):
        plots.gantt(tl)
    with pytest.raises(ValueError, match="record='full'"):
        plots.queues(tl)


def test_sampled_mode_has_its_sample_of_spans_but_no_counter_history():
    tl = _run("mixed", gk.GMP, {"procs": 2}, record="sampled", sample_every=5).timeline
    assert len(tl.spans) == len(tl._sp_state) > 0
    assert tl.span_arrays()["start"].size == len(tl.spans)
    for read in (lambda: tl.counter("runqueue"), lambda: tl.value_at("runqueue", 0),
                 lambda: tl.schedtrace(1)):
        with pytest.raises(ValueError, match="record='sampled'.*record='full'"):
            read()


def test_sampled_spans_are_the_same_subset_on_every_run():
    a = _run("syscall_storm", gk.GMP, {"procs": 2}, record="sampled", sample_every=3)
    b = _run("syscall_storm", gk.GMP, {"procs": 2}, record="sampled", sample_every=3)
    assert a.timeline.spans == b.timeline.spans and a.timeline.events == b.timeline.events
    full = _run("syscall_storm", gk.GMP, {"procs": 2})
    assert a.timeline.spans == full.timeline.spans[::3]


def test_a_long_run_in_counters_mode_keeps_no_spans():
    """The docstring's promise for long runs: the records held stay a handful."""
    def main():
        ch, wg = gk.Chan(cap=8), gk.WaitGroup()
        wg.add(40)
        for _ in range(40):
            yield gk.go(worker, ch, wg)
        yield wg.wait()

    def worker(ch, wg):
        for _ in range(2000):
            yield gk.compute(ns=100)
            yield ch.send(1)
            yield ch.recv()
        yield wg.done()

    run = gk.simulate(main, model=gk.GMP(procs=4), record="counters", max_events=10**7)
    tl = run.timeline
    assert run.stats["ops"] > 240_000
    assert len(tl._sp_state) == 0 and len(tl._ev_kind) == 0
    assert all(len(t) == 1 for t, _ in tl._counters.values())
    assert tl.n_spans > 0 and sum(tl.run_ns_by_g().values()) == 40 * 2000 * 100
