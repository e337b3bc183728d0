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


# ---- sync.Mutex: normal mode (barging, spinning) and starvation mode --------------------
def _mutex_run(model, holder_rounds, hold_us, gap_us=0):
    """G 'holder' locks/unlocks ``holder_rounds`` times (holding ``hold_us``, then
    ``gap_us`` unlocked); G 'waiter' wants the lock once, while the holder holds
    it the first time (the holder keeps the lock until the waiter has arrived,
    then holds it ``hold_us`` more).  Returns ``(got, mu, run)``: ``got`` has the
    waiter's arrival and acquisition times and the holder's lock times."""
    got = {"holder": []}
    mu = gk.Mutex()

    def holder(wg):
        for r in range(holder_rounds):
            yield mu.lock()
            got["holder"].append((yield gk.now()))
            while r == 0 and "arrived" not in got:
                yield gk.compute(ns=100)
            yield gk.compute(us=hold_us)
            yield mu.unlock()
            if gap_us:
                yield gk.compute(us=gap_us)
        yield wg.done()

    def waiter(wg):
        while not got["holder"]:
            yield gk.compute(ns=100)
        got["arrived"] = yield gk.now()
        yield mu.lock()
        got["waiter"] = yield gk.now()
        yield mu.unlock()
        yield wg.done()

    def main():
        wg = gk.WaitGroup()
        wg.add(2)
        yield gk.go(holder, wg)
        yield gk.go(waiter, wg)
        yield wg.wait()

    run = gk.simulate(main, model=model)
    run.timeline.check_invariants()
    return got, mu, run


def waiter_parked(run):
    """Whether the waiter (G3) was ever parked and woken."""
    return any(e.kind == "ready" and e.g == 3 for e in run.timeline.events)


def test_normal_mode_a_running_g_barges_in_before_the_woken_waiter():
    """Normal mode: Unlock wakes the waiter but does not give it the lock; the
    holder, still running, takes it straight back (5 rounds of 100 µs, under the
    1 ms starvation threshold).  A hand-off on every unlock would let the waiter
    in after the first round."""
    got, mu, run = _mutex_run(gk.GMP(procs=2), holder_rounds=5, hold_us=100)
    assert waiter_parked(run)
    assert got["waiter"] > got["holder"][-1]
    assert mu.barges >= 1 and mu.handoffs == 0 and not mu.starving


def test_a_spinning_g_takes_a_briefly_held_lock_without_parking():
    """runtime_canSpin: with GOMAXPROCS=2 and the owner running on the other P, a
    G wanting the lock spins (procyield(30) rounds) and takes it the moment it is
    freed: it never parks, so nobody has to wake it."""
    spin = 730
    got, mu, run = _mutex_run(gk.GMP(procs=2, mutex_spin_ns=spin), holder_rounds=1,
                              hold_us=1, gap_us=50)
    assert 1 <= mu.spins <= 4
    assert not waiter_parked(run)
    # it got the lock within one spin round of the holder's unlock
    unlock = got["arrived"] + 1_000
    assert unlock <= got["waiter"] <= unlock + spin + 100


def test_no_spinning_with_one_p_or_on_a_long_hold():
    """canSpin is false with GOMAXPROCS=1, and after 4 rounds the G parks."""
    _, mu1, run1 = _mutex_run(gk.GMP(procs=1), holder_rounds=1, hold_us=1, gap_us=50)
    assert mu1.spins == 0 and waiter_parked(run1)
    _, mu2, run2 = _mutex_run(gk.GMP(procs=2), holder_rounds=1, hold_us=100, gap_us=50)
    assert mu2.spins == 4 and waiter_parked(run2)


def test_starvation_mode_hands_the_lock_over_after_1ms_and_the_unlocker_yields():
    """A waiter that keeps losing to a barging holder waits more than
    starvationThresholdNs (1 ms), sets starvation mode, and the next Unlock hands
    it the lock and yields (goyield) instead of letting the holder take it back."""
    hold = 200_000
    got, mu, run = _mutex_run(gk.GMP(procs=2), holder_rounds=20, hold_us=hold // 1000)
    assert mu.handoffs == 1
    # it waited > 1 ms; it noticed at its next wake-up (an unlock) and got the
    # lock at the unlock after that
    waited = got["waiter"] - got["arrived"]
    assert 1_000_000 < waited <= 1_000_000 + 2 * hold + 10_000
    assert got["holder"][0] < got["waiter"] < got["holder"][-1]
    assert not mu.starving         # the last waiter leaves starvation mode
    # goyield: the holder went to its P's local queue, not the global one
    assert not [e for e in run.timeline.events if e.kind == "gosched"]


def test_go_1_0_mutex_has_no_starvation_mode():
    """GM models Go 1.0, whose Mutex had neither spinning nor starvation mode: the
    same waiter waits for the holder's whole loop."""
    got, mu, _ = _mutex_run(gk.GM(procs=2), holder_rounds=20, hold_us=200)
    assert got["waiter"] > got["holder"][-1]
    assert mu.handoffs == 0 and mu.spins == 0


def test_mutex_still_excludes_under_every_model():
    inside = []

    def worker(mu, wg):
        for _ in range(3):
            yield mu.lock()
            inside.append(1)
            assert len(inside) == 1, "two goroutines inside the critical section"
            yield gk.compute(us=30)
            inside.pop()
            yield mu.unlock()
            yield gk.compute(us=5)
        yield wg.done()

    def main():
        mu, wg = gk.Mutex(), gk.WaitGroup()
        wg.add(6)
        for _ in range(6):
            yield gk.go(worker, mu, wg)
        yield wg.wait()

    for make in (lambda: gk.GMP(procs=4), lambda: gk.GM(procs=4),
                 lambda: gk.Threads(cpus=4), gk.GreenThreads):
        run = gk.simulate(main, model=make())
        run.timeline.check_invariants()


# ---- work conservation (Timeline.check_invariants) --------------------------------------
def test_work_conservation_catches_a_model_that_never_wakes_an_idle_p():
    """A GMP whose wakep does nothing leaves Ps idle, with nobody spinning, while
    the Gs main spawned wait in P0's ring: the invariant names the stretch."""
    from gmpkit import scenarios

    class NoWakep(gk.GMP):
        def wakep(self):
            pass

    sc = scenarios.cpu_fanout()
    sc.run(gk.GMP(procs=4)).timeline.check_invariants()          # the real one passes
    broken = sc.run(NoWakep(procs=4)).timeline
    with pytest.raises(gk.InvariantError, match="work conservation: from t="):
        broken.check_invariants()


def test_work_conservation_allows_exactly_the_wake_up_latency():
    from gmpkit.timeline import Timeline

    def tl(idle_for):
        t = Timeline(procs=2)
        t.wake_latency_ns = 1000
        t.sample("spinningthreads", 0, 0)
        t.sample("idleprocs", 0, 1)
        t.sample("runqueue", 100, 3)                    # work queued at t=100 ...
        t.sample("runq[0]", 100, 0)
        t.sample("idleprocs", 100 + idle_for, 0)        # ... a P takes it this much later
        t.sample("runqueue", 100 + idle_for, 2)
        t.add_span("running", 0, 5000, m=0, p=0, g=1)
        return t

    assert tl(1000).check_invariants() is True
    problems = tl(1001).check_invariants(raise_=False)
    assert problems != True and "from t=100 to t=1101" in problems[0]
    # a spinning M covers the wait: it is on its way
    t = tl(5000)
    t.sample("spinningthreads", 100, 1)
    assert t.check_invariants() is True
