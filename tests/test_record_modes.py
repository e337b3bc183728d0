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
    assert lt.spans == [] and lt.events == []
    assert dict(lt.event_counts) == dict(Counter(e.kind for e in ft.events))
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
