"""The engine's fast paths (issue 12) change no schedule.

A run to the end lets a model finish a compute itself when its end is certainly the
next event (``Engine.may_run_ahead``), instead of a heap push and pop; a run stepped
event by event (animations) never does.  Both must record the very same timeline, hit
the limits at the same point, and the fast path must really be taken.
"""

import pytest

import gmpkit as gk
from gmpkit import scenarios

MODELS = {"GMP1": lambda: gk.GMP(procs=1), "GMP4": lambda: gk.GMP(procs=4),
          "Green": gk.GreenThreads, "GM2": lambda: gk.GM(procs=2),
          "Threads2": lambda: gk.Threads(cpus=2)}
CASES = ["mixed", "ping_pong", "cpu_hog", "syscall_storm", "lock_heavy", "netio_server",
         "spawn_burst", "cpu_fanout"]


def _record(tl):
    counters = {n: tl.counter(n) for n in tl.counter_names}
    return (tl.spans, tl.events, {n: (t.tolist(), v.tolist()) for n, (t, v) in counters.items()},
            tl.end_time)


def _stepped(sc, model, seed):
    sim = sc.simulation(model, seed=seed)
    while sim.step():
        pass
    return sim


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("mname", sorted(MODELS))
def test_a_run_to_the_end_records_what_a_stepped_run_records(case, mname):
    sc = scenarios.get(case)
    full = sc.run(MODELS[mname](), seed=5)
    stepped = _stepped(sc, MODELS[mname](), 5)
    assert _record(full.timeline) == _record(stepped.tl)
    assert full.stats["ops"] == stepped.ops


def _lone_worker(n):
    def main():
        for _ in range(n):
            yield gk.compute(us=3)
            yield gk.now()
    return main


@pytest.mark.parametrize("model", [lambda: gk.GMP(procs=1), gk.GreenThreads])
def test_the_fast_path_is_taken_and_saves_heap_events(model):
    run_sim = gk.Simulation(_lone_worker(200), model=model(), seed=1)
    run_sim.run()
    step_sim = gk.Simulation(_lone_worker(200), model=model(), seed=1)
    while step_sim.step():
        pass
    # the same events are counted either way, but fewer went through the heap
    assert run_sim.engine.events == step_sim.engine.events
    assert run_sim.engine._seq < step_sim.engine._seq - 150
    assert run_sim.tl.spans == step_sim.tl.spans


def _where_limits_stop(workload, model, limit):
    """``(clock, events, spans)`` where ``limit`` stops the run, run whole and stepped."""
    stopped = []
    for stepped in (False, True):
        sim = gk.Simulation(workload, model=model(), seed=1, **limit)
        with pytest.raises(gk.SimulationLimit, match=next(iter(limit))):
            if stepped:
                while sim.step():
                    pass
            else:
                sim.run()
        stopped.append((sim.engine.now, sim.engine.events, sim.tl.spans))
    return stopped


@pytest.mark.parametrize("model", [lambda: gk.GMP(procs=1), gk.GreenThreads])
@pytest.mark.parametrize("limit", [{"max_events": 301}, {"max_time": 150_000}])
def test_limits_stop_a_fast_run_where_they_stop_a_stepped_one(model, limit):
    whole, stepped = _where_limits_stop(_lone_worker(1000), model, limit)
    assert whole == stepped


def _tie(block):
    """main lets a G start a 10-us ``block`` (a sleep, or a compute on the other P),
    then computes 5 + 5 us: its second compute ends exactly when that block does.
    The earlier-scheduled event must go first, as in a stepped run."""
    def other():
        yield block()

    def main():
        yield gk.go(other)
        yield gk.gosched()
        yield gk.compute(us=5)
        yield gk.compute(us=5)
        yield gk.gosched()
    return main


@pytest.mark.parametrize("model,block", [
    (lambda: gk.GreenThreads(goroutine_switch_ns=0, goroutine_create_ns=0),
     lambda: gk.sleep(us=10)),
    (lambda: gk.GMP(procs=2, goroutine_switch_ns=0, goroutine_create_ns=0,
                    thread_create_ns=0, kernel_switch_ns=0),
     lambda: gk.compute(us=10)),
])
def test_an_event_due_when_a_compute_ends_goes_first(model, block):
    run = gk.simulate(_tie(block), model=model(), seed=1)
    sim = gk.Simulation(_tie(block), model=model(), seed=1)
    while sim.step():
        pass
    kinds = [(e.kind, e.time) for e in run.timeline.events]
    assert kinds == [(e.kind, e.time) for e in sim.tl.events]
    assert run.timeline.spans == sim.tl.spans


@pytest.mark.parametrize("mname", ["GMP1", "GMP4", "Green"])
def test_a_run_paused_at_a_time_and_resumed_records_what_a_whole_run_does(mname):
    sc = scenarios.get("mixed")
    whole = sc.run(MODELS[mname](), seed=2)
    sim = sc.simulation(MODELS[mname](), seed=2)
    sim.run(until=whole.stats["makespan_ns"] // 3)      # stepped up to there ...
    assert not sim.finished and sim.engine.run_ahead is False
    resumed = sim.run()                                   # ... then run to the end
    assert _record(resumed.timeline) == _record(whole.timeline)


def _short_lived(n):
    """main starts ``n`` goroutines that each compute once and exit; one P runs them
    one after the other: each exit is followed by the next G's execute."""
    def child(wg):
        yield gk.compute(us=2)
        yield wg.done()

    def main():
        wg = gk.WaitGroup()
        wg.add(n)
        for _ in range(n):
            yield gk.go(child, wg)
        yield wg.wait()
    return main


def test_the_next_g_runs_in_place_after_an_exit_and_records_what_a_stepped_run_does():
    """GMP's execute hands the G it picked back to the G loop on that M when its
    _run is certainly the next event: fewer heap events, the same timeline, and no
    nesting however many Gs follow one another."""
    n = 300
    model = lambda: gk.GMP(procs=1)      # noqa: E731
    run_sim = gk.Simulation(_short_lived(n), model=model(), seed=1)
    run_sim.run()
    step_sim = gk.Simulation(_short_lived(n), model=model(), seed=1)
    while step_sim.step():
        pass
    assert run_sim.engine.events == step_sim.engine.events
    assert _record(run_sim.tl) == _record(step_sim.tl)
    # the stepped run pushes each child's compute end and each execute's _run;
    # the whole run neither (its computes end in place too: that alone saves n)
    assert run_sim.engine._seq < step_sim.engine._seq - 2 * n


@pytest.mark.parametrize("procs", [1, 2])
@pytest.mark.parametrize("limit", [{"max_events": 777}, {"max_time": 333_333}])
def test_limits_stop_the_hand_back_where_they_stop_a_stepped_run(procs, limit):
    whole, stepped = _where_limits_stop(_short_lived(1000), lambda: gk.GMP(procs=procs), limit)
    assert whole == stepped
