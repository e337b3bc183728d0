"""Behaviour the models must share with the real runtime (issue 9 §3).

Each test names the runtime function it follows and fails if the model
departs from it.
"""

import pytest

import gmpkit as gk

MODELS = {
    "GMP": lambda: gk.GMP(procs=1),
    "GM": lambda: gk.GM(procs=1),
    "Threads": lambda: gk.Threads(cpus=1),
    "Green": lambda: gk.GreenThreads(),
}


# ---- time.Sleep(0) ------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("zero", [dict(ns=0), dict(us=0), dict(ms=0.0)])
def test_sleep_zero_returns_at_once_like_timeSleep(name, zero):
    """timeSleep (runtime/time.go) starts with ``if ns <= 0 { return }``: the G
    does not park, so a runnable G queued behind it does not get to run."""
    seen = {}

    def other():
        seen["other_ran"] = True
        yield gk.compute(us=1)

    def main():
        yield gk.go(other)
        t0 = yield gk.now()
        yield gk.sleep(**zero)
        seen["ran_before_main_resumed"] = seen.get("other_ran", False)
        seen["elapsed"] = (yield gk.now()) - t0
        yield gk.compute(us=1)

    run = gk.simulate(main, model=MODELS[name]())
    assert seen["ran_before_main_resumed"] is False
    assert seen["elapsed"] == 0
    # the sleep left no trace: main was never parked or woken
    assert not [e for e in run.timeline.events if e.kind == "ready" and e.g == 1]


def test_a_positive_sleep_still_parks():
    """The check above is not vacuous: sleep(ns=1) does let the other G run."""
    seen = {}

    def other():
        seen["other_ran"] = True
        yield gk.compute(us=1)

    def main():
        yield gk.go(other)
        yield gk.sleep(ns=1)
        seen["ran"] = seen.get("other_ran", False)

    gk.simulate(main, model=gk.GMP(procs=1))
    assert seen["ran"] is True


# ---- netpoll: completions at one instant come back from one poll ----------------------
def _poll_sizes(model):
    sizes = []
    orig = model.netpoll

    def recording():
        ready = orig()
        if ready:
            sizes.append((model.engine.now, len(ready)))
        return ready

    model.netpoll = recording
    return sizes


@pytest.mark.parametrize("procs", [1, 2])
def test_same_instant_netpoll_completions_come_back_in_one_poll(procs):
    """netpoll (netpoll_epoll.go) returns every G whose descriptor is ready in one
    epoll_wait; readers whose I/O completes at the same instant are found together,
    whichever M polls (the one blocked in netpoll or a scheduling M)."""
    T = 300_000    # every read completes at t = 300 µs

    def reader():
        yield gk.netio(ns=T - (yield gk.now()))
        yield gk.compute(us=5)

    def main():
        for _ in range(4):
            yield gk.go(reader)
            yield gk.compute(us=10)   # the reads start 10 µs apart
        yield gk.sleep(ms=1)

    model = gk.GMP(procs=procs)
    sizes = _poll_sizes(model)
    run = gk.simulate(main, model=model)
    run.timeline.check_invariants()
    assert [n for _, n in sizes] == [4], sizes
    assert run.stats["netpoll_injected"] == 4


def test_completions_at_different_instants_are_separate_polls():
    def reader(i):
        yield gk.netio(us=100 + 50 * i)
        yield gk.compute(us=5)

    def main():
        for i in range(3):
            yield gk.go(reader, i)
        yield gk.sleep(ms=1)

    model = gk.GMP(procs=1)
    sizes = _poll_sizes(model)
    gk.simulate(main, model=model)
    assert [n for _, n in sizes] == [1, 1, 1]
