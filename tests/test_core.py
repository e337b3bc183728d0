"""The workload language, Go's sync semantics, and the simulation's guards.

These run on the N:1 model (one thread, FIFO, deterministic), so every
expected time below is derived from the costs rather than copied from a run.
"""

import math

import pytest

import gmpkit as gk
from gmpkit.engine import Engine
from gmpkit.ops import duration_ns


def sim(main, *args, **kw):
    kw.setdefault("model", gk.GreenThreads())
    return gk.simulate(main, *args, **kw)


# ---- durations -----------------------------------------------------------------
@pytest.mark.parametrize("kw, ns", [({"ns": 7}, 7), ({"us": 1.5}, 1500), ({"ms": 2}, 2_000_000)])
def test_units_convert_to_integer_ns(kw, ns):
    assert gk.compute(**kw).ns == ns
    assert isinstance(gk.sleep(**kw).ns, int)


@pytest.mark.parametrize("bad, match", [
    ({"us": -1}, "must be >= 0"),
    ({"ms": math.nan}, "finite"),
    ({"ns": math.inf}, "finite"),
    ({}, "exactly one of"),
    ({"us": 1, "ms": 1}, "exactly one of"),
    ({"ms": 10**12}, "more than one day"),
])
def test_bad_durations_say_what_and_how(bad, match):
    with pytest.raises(ValueError, match=match):
        gk.syscall(**bad)


def test_non_number_duration():
    with pytest.raises(TypeError, match="must be a number"):
        gk.compute(us="5")
    with pytest.raises(TypeError, match="must be a number"):
        duration_ns("sleep", ns=True)


# ---- timing on one thread --------------------------------------------------------
def test_compute_and_switch_costs_add_up():
    costs = gk.GreenThreads().costs
    sw, spawn = costs["goroutine_switch_ns"], costs["goroutine_create_ns"]

    def child():
        yield gk.compute(us=3)

    def main():
        yield gk.go(child)
        yield gk.sleep(us=100)

    run = sim(main)
    # main spawns (spawn), sleeps; child runs after one switch and exits; main
    # wakes at spawn + 100 us, then one switch back.
    assert run.makespan_ns == spawn + 100_000 + sw
    assert run.timeline.run_ns_by_g() == {2: 3000}


def test_now_and_plain_python_run_at_resume_instant():
    seen = []

    def main():
        seen.append((yield gk.now()))
        yield gk.compute(us=5)
        seen.append((yield gk.now()))

    sim(main)
    assert seen == [0, 5000]


def test_go_returns_new_goroutine_id_and_names():
    ids = []

    def child():
        yield gk.compute(ns=1)

    def main():
        ids.append((yield gk.go(child)))
        ids.append((yield gk.go(child, name="second")))
        yield gk.sleep(us=10)

    run = sim(main)
    assert ids == [2, 3]
    assert run.timeline.g_names == {1: "main", 2: "child", 3: "second"}


def test_main_returning_ends_the_program_like_go():
    def forever():
        while True:
            yield gk.sleep(ms=1)

    def main():
        yield gk.go(forever)
        yield gk.compute(us=10)

    run = sim(main)
    # one CPU that main never yields: forever was created but never ran
    assert run.unfinished == [(2, "forever", "runnable", "")]
    assert run.stats["unfinished"] == 1


# ---- channels ---------------------------------------------------------------------
def test_unbuffered_channel_rendezvous_and_values():
    got = []

    def producer(ch):
        for i in range(3):
            yield ch.send(i * 10)
        yield ch.close()

    def main():
        ch = gk.Chan()
        yield gk.go(producer, ch)
        while True:
            v, ok = yield ch.recv_ok()
            if not ok:
                break
            got.append(v)
        got.append((yield ch.recv()))  # closed and drained: zero value

    sim(main)
    assert got == [0, 10, 20, None]


def test_buffered_channel_does_not_block_until_full():
    log, got = [], []

    def main():
        ch = gk.Chan(cap=2)
        yield ch.send(1)
        yield ch.send(2)
        log.append(("len", len(ch)))
        yield gk.go(drain, ch)
        yield ch.send(3)          # the buffer is full: blocks until the drainer takes one
        log.append("sent 3")
        yield gk.sleep(us=1)

    def drain(ch):
        for _ in range(3):
            got.append((yield ch.recv()))
            log.append("recv")

    sim(main)
    assert log[0] == ("len", 2)
    assert got == [1, 2, 3]                       # FIFO, the blocked value kept its turn
    assert log.index("sent 3") > log.index("recv")


def test_send_on_closed_channel_panics_like_go():
    def main():
        ch = gk.Chan(cap=1)
        yield ch.close()
        yield ch.send(1)

    with pytest.raises(gk.GoPanic, match="send on closed channel"):
        sim(main)


def test_close_of_closed_channel_panics():
    def main():
        ch = gk.Chan()
        yield ch.close()
        yield ch.close()

    with pytest.raises(gk.GoPanic, match="close of closed channel"):
        sim(main)


def test_bad_channel_capacity():
    with pytest.raises(ValueError, match="capacity must be an int >= 0"):
        gk.Chan(cap=-1)


# ---- mutex and wait group ------------------------------------------------------------
def test_mutex_excludes_and_hands_over_in_fifo_order():
    order = []

    def worker(i, mu):
        yield mu.lock()
        order.append(("in", i))
        yield gk.sleep(us=10)      # hold it across a blocking call
        order.append(("out", i))
        yield mu.unlock()

    def main():
        mu, wg = gk.Mutex(), gk.WaitGroup()
        wg.add(3)
        for i in range(3):
            yield gk.go(lambda i=i: _done_after(worker(i, mu), wg))
        yield wg.wait()

    sim(main)
    assert order == [("in", 0), ("out", 0), ("in", 1), ("out", 1), ("in", 2), ("out", 2)]


def _done_after(gen, wg):
    yield from gen
    yield wg.done()


def test_unlock_of_unlocked_mutex_is_fatal():
    def main():
        yield gk.Mutex().unlock()

    with pytest.raises(gk.GoPanic, match="unlock of unlocked mutex"):
        sim(main)


def test_negative_waitgroup_counter_panics():
    def main():
        wg = gk.WaitGroup()
        yield wg.done()

    with pytest.raises(gk.GoPanic, match="sync: negative WaitGroup counter"):
        sim(main)


def test_waitgroup_add_plain_call_can_release_waiters():
    def releaser(wg):
        yield gk.compute(us=5)
        wg.add(-2)

    def main():
        wg = gk.WaitGroup()
        wg.add(2)
        yield gk.go(releaser, wg)
        yield wg.wait()
        return

    run = sim(main)
    assert run.stats["unfinished"] == 0


# ---- deadlocks, bad workloads, limits ---------------------------------------------------
def test_deadlock_names_every_blocked_goroutine():
    def stuck(mu):
        yield mu.lock()

    def main():
        mu = gk.Mutex()
        yield mu.lock()
        yield gk.go(stuck, mu, name="locker")
        yield gk.Chan().recv()

    with pytest.raises(gk.Deadlock) as info:
        sim(main)
    msg = str(info.value)
    assert msg.startswith("fatal error: all goroutines are asleep - deadlock!")
    assert "goroutine 1 [chan receive]: main" in msg
    assert "goroutine 2 [sync.Mutex.Lock]: locker" in msg
    assert info.value.waiting == [(1, "main", "chan receive"), (2, "locker", "sync.Mutex.Lock")]


def test_sleeping_goroutine_is_not_a_deadlock():
    def sleeper(ch):
        yield gk.sleep(ms=1)
        yield ch.send(1)

    def main():
        ch = gk.Chan()
        yield gk.go(sleeper, ch)
        assert (yield ch.recv()) == 1

    assert sim(main).makespan_ns >= 1_000_000


def test_non_generator_goroutine_is_rejected_with_a_fix():
    def plain():
        return 3

    def main():
        yield gk.go(plain)

    with pytest.raises(gk.WorkloadError, match="not a generator function.*yield gk.compute"):
        sim(main)
    with pytest.raises(gk.WorkloadError, match="not a generator function"):
        gk.simulate(plain, model=gk.GreenThreads())


@pytest.mark.parametrize("bad, hint", [
    (42, "not a scheduler operation"),
    (gk.compute, "call it"),
    (None, "not a scheduler operation"),
])
def test_yielding_unknown_object_names_goroutine_and_object(bad, hint):
    def worker():
        yield bad

    def main():
        yield gk.go(worker, name="w")
        yield gk.sleep(us=1)

    with pytest.raises(gk.WorkloadError) as info:
        sim(main)
    assert "goroutine 2 (w) yielded" in str(info.value)
    assert hint in str(info.value)


def test_yielding_a_generator_suggests_go_or_yield_from():
    def sub():
        yield gk.compute(us=1)

    def main():
        yield sub()

    with pytest.raises(gk.WorkloadError, match="yield from"):
        sim(main)


def test_exception_in_workload_names_the_goroutine():
    def main():
        yield gk.compute(us=1)
        raise KeyError("oops")

    with pytest.raises(gk.WorkloadError, match=r"goroutine 1 \(main\) raised KeyError"):
        sim(main)


def test_runaway_instant_loop_stops_at_max_events():
    def main():
        while True:
            yield gk.now()

    with pytest.raises(gk.SimulationLimit, match="max_events"):
        sim(main, max_events=10_000)


def test_runaway_time_stops_at_max_time_and_names_who_runs():
    def main():
        while True:
            yield gk.compute(ms=1)

    with pytest.raises(gk.SimulationLimit, match=r"max_time.*G1 main"):
        sim(main, max_time=50_000_000)


@pytest.mark.parametrize("kw, exc, match", [
    ({"model": None}, ValueError, "needs a model"),
    ({"model": "GMP"}, TypeError, "not a scheduler model"),
    ({"seed": 1.5}, TypeError, "seed"),
    ({"max_events": 0}, ValueError, "max_events"),
])
def test_bad_simulate_arguments(kw, exc, match):
    def main():
        yield gk.compute(us=1)

    kw = {"model": gk.GreenThreads(), **kw}
    with pytest.raises(exc, match=match):
        gk.simulate(main, **kw)


def test_model_object_cannot_be_reused():
    def main():
        yield gk.compute(us=1)

    m = gk.GreenThreads()
    gk.simulate(main, model=m)
    with pytest.raises(ValueError, match="already ran"):
        gk.simulate(main, model=m)


def test_unknown_cost_name():
    with pytest.raises(TypeError, match="unknown cost"):
        gk.GreenThreads(switch_cost=5)


# ---- N:1 semantics --------------------------------------------------------------------
def test_n_to_1_freezes_everyone_during_a_syscall():
    def blocker():
        yield gk.syscall(ms=5)

    def other(log):
        yield gk.compute(us=1)
        log.append((yield gk.now()))

    def main(log):
        yield gk.go(blocker)
        yield gk.go(other, log)
        yield gk.sleep(ms=6)

    log = []
    sim(main, log)
    assert log[0] >= 5_000_000   # "other" could not run until the syscall returned

    log = []
    gk.simulate(main, log, model=gk.GreenThreads(io_poller=True))
    assert log[0] >= 5_000_000


def test_n_to_1_netio_uses_the_poller():
    def waiter():
        yield gk.netio(ms=5)

    def other(log):
        yield gk.compute(us=1)
        log.append((yield gk.now()))

    def main(log):
        yield gk.go(waiter)
        yield gk.go(other, log)
        yield gk.sleep(ms=6)

    log = []
    sim(main, log)
    assert log[0] < 1_000_000
    log = []
    gk.simulate(main, log, model=gk.GreenThreads(io_poller=False))
    assert log[0] >= 5_000_000


# ---- engine, stepping, schedtrace -------------------------------------------------------
def test_engine_orders_ties_by_schedule_order():
    e, out = Engine(), []
    for i in range(5):
        e.at(10, out.append, i)
    while e.step():
        pass
    assert out == [0, 1, 2, 3, 4]


def test_stepping_interface_matches_a_full_run():
    from gmpkit.scenarios import mixed
    sc = mixed(goroutines=6)
    s = sc.simulation(gk.GreenThreads(), seed=3)
    times = []
    while s.step():
        times.append(s.time)
    assert times == sorted(times)
    full = sc.run(gk.GreenThreads(), seed=3)
    assert s.tl.spans == full.timeline.spans
    snap = s.snapshot()
    assert {"time", "model", "ms", "gs", "global"} <= set(snap)


def test_run_until_stops_at_the_requested_time():
    from gmpkit.scenarios import cpu_fanout
    s = cpu_fanout(goroutines=4, work_us=100).simulation(gk.GreenThreads())
    s.run(until=150_000)
    assert s.time == 150_000 and not s.finished
    snap = s.snapshot()
    assert sum(1 for g in snap["gs"].values() if g["status"] != "dead") >= 2


def test_schedtrace_lines_have_the_runtime_format():
    import re
    from gmpkit.scenarios import cpu_fanout
    run = cpu_fanout(goroutines=4, work_us=1000).run(gk.GreenThreads(), schedtrace=1)
    lines = run.schedtrace()
    pat = re.compile(r"^SCHED \d+ms: gomaxprocs=\d+ idleprocs=\d+ threads=\d+ spinningthreads=\d+ "
                     r"needspinning=\d+ idlethreads=\d+ runqueue=\d+ \[ (\d+ ?)* \] schedticks=\[ (\d+ ?)* \]$")
    assert len(lines) == run.makespan_ns // 1_000_000 + 1
    assert all(pat.match(line) for line in lines), lines[0]
    with pytest.raises(ValueError, match="scheddetail=True"):
        run.schedtrace(detail=True)
    detail = cpu_fanout(goroutines=2).run(gk.GreenThreads(), schedtrace=1, scheddetail=True)
    dl = detail.schedtrace(detail=True)
    assert dl[0].startswith("SCHED 0ms:") and "gcwaiting=false" in dl[0]
    assert any(line.startswith("  M0: ") for line in dl)
    assert any(re.match(r"  G1: status=\d\(", line) for line in dl)


def test_close_wakes_the_last_blocked_receiver_first():
    # closechan gathers the waiting receivers on a stack (gList) and readies them
    # by popping it; on one FIFO thread they then run in that order.
    order = []

    def rx(ch, name):
        yield ch.recv()
        order.append(name)

    def main():
        ch = gk.Chan()
        for name in "ABCD":
            yield gk.go(rx, ch, name)
        yield gk.sleep(us=10)          # all four block, in the order A, B, C, D
        yield ch.close()
        yield gk.sleep(us=10)

    sim(main)
    assert order == ["D", "C", "B", "A"]
