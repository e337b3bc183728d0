"""Property tests: random workloads on every model, procs and seed.

For any workload the models must: keep the Timeline's invariants; give an
identical timeline for the same seed; and either finish every goroutine
exactly once or report a deadlock.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gmpkit as gk

MODELS = {
    "GreenThreads": lambda procs: gk.GreenThreads(),
    "Threads": lambda procs: gk.Threads(cpus=procs),
    "GM": lambda procs: gk.GM(procs=procs),
    "GMP": lambda procs: gk.GMP(procs=procs),
    "GMP-noasync": lambda procs: gk.GMP(procs=procs, async_preempt=False),
}

# One step of a goroutine program: (kind, amount or channel index).
step = st.one_of(
    st.tuples(st.just("compute"), st.integers(0, 3_000)),
    st.tuples(st.just("tight"), st.integers(1, 15_000_000)),
    st.tuples(st.just("syscall"), st.integers(1, 40_000)),
    st.tuples(st.just("netio"), st.integers(1, 40_000)),
    st.tuples(st.just("sleep"), st.integers(0, 40_000)),
    st.tuples(st.just("gosched"), st.just(0)),
    st.tuples(st.just("send"), st.integers(0, 2)),
    st.tuples(st.just("recv"), st.integers(0, 2)),
    st.tuples(st.just("locked"), st.integers(0, 5_000)),
    st.tuples(st.just("spawn"), st.integers(0, 2_000)),
)
program = st.lists(step, max_size=6)
workload = st.lists(program, min_size=1, max_size=12)


def build(programs):
    """A main that runs each program as a goroutine and waits for all."""

    def child(us):
        yield gk.compute(ns=us)

    def goroutine(prog, chans, mu, wg):
        for kind, x in prog:
            if kind == "compute":
                yield gk.compute(ns=x)
            elif kind == "tight":
                yield gk.compute(ns=x, tight=True)
            elif kind == "syscall":
                yield gk.syscall(ns=x)
            elif kind == "netio":
                yield gk.netio(ns=x)
            elif kind == "sleep":
                yield gk.sleep(ns=x)
            elif kind == "gosched":
                yield gk.gosched()
            elif kind == "send":
                yield chans[x].send(x)
            elif kind == "recv":
                yield chans[x].recv()
            elif kind == "locked":
                yield mu.lock()
                yield gk.compute(ns=x)
                yield mu.unlock()
            elif kind == "spawn":
                yield gk.go(child, x)
        yield wg.done()

    def main():
        chans = [gk.Chan(), gk.Chan(cap=1), gk.Chan(cap=4)]
        mu, wg = gk.Mutex(), gk.WaitGroup()
        wg.add(len(programs))
        for prog in programs:
            yield gk.go(goroutine, prog, chans, mu, wg)
        yield wg.wait()

    return main


def run_or_deadlock(programs, model, seed):
    try:
        return gk.simulate(build(programs), model=model, seed=seed, max_events=2_000_000)
    except gk.Deadlock as e:
        return e


@pytest.mark.parametrize("name", sorted(MODELS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs=workload, procs=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
def test_invariants_determinism_and_completion(name, programs, procs, seed):
    first = run_or_deadlock(programs, MODELS[name](procs), seed)
    second = run_or_deadlock(programs, MODELS[name](procs), seed)
    if isinstance(first, gk.Deadlock):
        assert isinstance(second, gk.Deadlock)
        assert first.waiting == second.waiting
        assert "all goroutines are asleep" in str(first)
        return
    tl = first.timeline
    tl.check_invariants()
    # same seed -> identical record
    assert tl.spans == second.timeline.spans
    assert tl.events == second.timeline.events
    assert first.stats == second.stats
    # main waited for all workers, so every goroutine but the spawned children
    # exited exactly once; children may still be running when main returns.
    exits = [e.g for e in tl.events_of("exit")]
    assert len(exits) == len(set(exits))
    workers = {g for g, n in tl.g_names.items() if n == "goroutine"}
    assert len(workers) == len(programs)
    assert workers | {1} <= set(exits)
    assert first.stats["unfinished"] == first.stats["goroutines"] - len(exits)
