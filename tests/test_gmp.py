"""The GMP model against Go 1.27.3's runtime/proc.go (each test names the mechanism it checks).

Each test builds a small workload whose outcome depends on one mechanism, so
it fails if that mechanism is wrong.  Every run also passes check_invariants.
"""

import re
from collections import deque

import pytest

import gmpkit as gk
from gmpkit.models import gmp as gmpmod

MS = 1_000_000
US = 1_000

# Fixed costs so the timings below do not move when gmpkit/data/costs.json changes.
COSTS = dict(goroutine_switch_ns=170, goroutine_create_ns=200, thread_create_ns=15_000,
             kernel_switch_ns=2_700, syscall_overhead_ns=100)


def gmp(procs, **kw):
    return gk.GMP(procs=procs, **{**COSTS, **kw})


def run(main, procs=1, seed=1, **kw):
    r = gk.simulate(main, model=gmp(procs, **kw), seed=seed)
    assert r.timeline.check_invariants()
    return r


def events(r, kind):
    return r.timeline.events_of(kind)


def first_run_start(r, gid):
    return min(s.start for s in r.timeline.spans if s.state == "running" and s.g == gid)


def noop(log=None, tag=None, us=1):
    if log is not None:
        log.append(tag)
    yield gk.compute(us=us)


class FakeG:
    """Stand-in for a G in direct tests of the queue functions."""

    def __init__(self, gid):
        self.id = gid


# ---- parameters ------------------------------------------------------------
@pytest.mark.parametrize("procs, err", [(0, ValueError), (-1, ValueError),
                                        (10**6, ValueError), (2.5, TypeError),
                                        (True, TypeError), ("4", TypeError)])
def test_bad_procs_are_rejected_clearly(procs, err):
    with pytest.raises(err, match="procs"):
        gk.GMP(procs=procs)


def test_costs_can_be_overridden_and_unknown_costs_rejected():
    def main():
        yield gk.go(noop)
        yield gk.compute(us=5)

    r = run(main, procs=2, goroutine_switch_ns=0)
    assert not [s for s in r.timeline.spans if s.state == "switch"]
    r = run(main, procs=2, goroutine_switch_ns=1_000)
    assert [s for s in r.timeline.spans if s.state == "switch"]
    with pytest.raises(TypeError, match="unknown cost"):
        gk.GMP(procs=2, goroutine_swich_ns=0)


def test_model_documents_what_it_models_and_simplifies():
    assert len(gk.GMP.SIMPLIFIES) >= 5 and len(gk.GMP.MODELS) >= 5


def test_constants_are_the_installed_runtimes():
    """The model's constants, read against the Go runtime source installed with
    the course's toolchain (not against literals copied into this test)."""
    from gmpkit.real import toolchain
    from gmpkit.sync import ACTIVE_SPIN, STARVATION_THRESHOLD_NS

    try:
        src = toolchain.find_go().goroot / "src"
    except toolchain.GoUnavailable as e:
        pytest.skip(str(e))
    read = lambda rel: (src / rel).read_text()                       # noqa: E731
    proc, rt2 = read("runtime/proc.go"), read("runtime/runtime2.go")
    mutex, spin = read("internal/sync/mutex.go"), read("runtime/lock_spinbit.go")
    assert f"pp.schedtick%{gmpmod.GLOBAL_CHECK_EVERY} == 0" in proc
    assert f"runq     [{gmpmod.RUNQ_SIZE}]guintptr" in rt2
    assert f"const stealTries = {gmpmod.STEAL_TRIES}" in proc
    ms = gmpmod.FORCE_PREEMPT_NS // 1_000_000
    assert f"const forcePreemptNS = {ms} * 1000 * 1000" in proc
    assert f"delay = {gmpmod.SYSMON_MIN_US}\n" in proc
    assert f"idle > {gmpmod.SYSMON_IDLE_ROUNDS} {{" in proc
    assert f"if delay > {gmpmod.SYSMON_MAX_US // 1000}*1000 {{" in proc
    assert f"sched.maxmcount = {gmpmod.MAX_M_COUNT}\n" in proc
    assert f"starvationThresholdNs = 1e{len(str(STARVATION_THRESHOLD_NS)) - 1}" in mutex
    assert str(STARVATION_THRESHOLD_NS) == "1" + "0" * (len(str(STARVATION_THRESHOLD_NS)) - 1)
    assert f"active_spin     = {ACTIVE_SPIN} " in spin


# ---- local run queue: runnext and the ring -----------------------------------
def test_ring_overflow_moves_half_plus_one_to_global():
    # P0 alone: runnext + 256 slots hold 257 new Gs; the 258th kicks the
    # runnext into a full ring, so 128 + 1 = 129 Gs move to the global queue.
    def main():
        for _ in range(258):
            yield gk.go(noop)
        yield gk.compute(us=10)

    r = run(main, procs=1)
    ov = events(r, "overflow")
    assert len(ov) == 1 and ov[0].other == 129 and ov[0].p == 0
    assert ov[0].g == 258      # the runnext that was kicked out (G2..G259 are children)
    tl = r.timeline
    assert tl.value_at("runq[0]", ov[0].time - 1) == 256
    assert tl.value_at("runq[0]", ov[0].time) == 128
    assert tl.value_at("runqueue", ov[0].time) == 129


def test_runnext_runs_newest_first_and_kicked_runnext_goes_to_ring_tail():
    order = []

    def main():
        for tag in ("X1", "X2", "X3"):
            yield gk.go(noop, order, tag)
        yield gk.compute(us=10)
        yield gk.sleep(us=100)

    sim = gk.Simulation(main, model=gmp(1), seed=1)
    sim.run(until=5 * US)                  # main still computing
    p0 = sim.snapshot()["ps"][0]
    assert p0["runnext"] == 4              # X3, the newest
    assert p0["runq"] == [2, 3]            # X1 then X2 (kicked out of runnext in turn)
    r = sim.run()
    assert order == ["X3", "X1", "X2"]
    assert r.timeline.check_invariants()


@pytest.mark.parametrize("spawned, stolen", [(2, 1), (20, 10), (21, 10), (101, 50)])
def test_idle_p_steals_half_of_the_ring_rounded_up(spawned, stolen):
    # main fills P0 (ring = spawned - 1, the last one in runnext) faster than
    # the new spinning M for P1 can start (thread_create_ns), then keeps P0 busy.
    def main():
        for _ in range(spawned):
            yield gk.go(noop, None, None, 10)
        yield gk.compute(ms=1)

    r = run(main, procs=2, thread_create_ns=100_000)
    st = events(r, "steal")[0]
    ring = spawned - 1
    assert (st.p, st.other, st.g) == (1, 0, -1)
    assert st.detail == f"n={ring - ring // 2}" == f"n={stolen}"
    tl = r.timeline
    assert tl.value_at("runq[0]", st.time - 1) == ring
    assert tl.value_at("runq[0]", st.time) == ring - stolen
    assert r.stats["steals"] >= 1


def test_stealing_respects_the_spinning_cap_and_needspinning():
    def main():
        yield gk.compute(us=1)

    sim = gk.Simulation(main, model=gmp(4), seed=1)
    mod = sim.model
    p0 = mod.allp[0]
    for i in range(6):
        mod.runqput(p0, FakeG(100 + i), False)

    def m_with_idle_p():
        m = mod._newm_record()
        mod.acquirep(m, mod.pidleget())
        return m

    # busy Ps = 4 - 2 idle = 2; one M already spinning: 2*1 < 2 is false.
    m = m_with_idle_p()
    mod.nmspinning = 1
    assert mod.findRunnable(m) is None and len(p0.runq) == 6 and not m.spinning
    # Same, but a waker found no idle P (needspinning): the M spins instead.
    m = m_with_idle_p()
    mod.needspinning = 1
    g, inherit = mod.findRunnable(m)
    assert g.id in range(100, 106) and m.spinning and mod.needspinning == 0
    assert len(p0.runq) == 3 and len(m.p.runq) == 2


def test_wakep_without_idle_p_sets_needspinning():
    def main():
        yield gk.go(noop)
        yield gk.compute(us=5)

    r = run(main, procs=1)
    t, v = r.timeline.counter("needspinning")
    assert 1 in list(v)
    spawn_t = events(r, "spawn")[0].time
    assert r.timeline.value_at("needspinning", spawn_t + COSTS["goroutine_create_ns"]) == 1


# ---- the global queue --------------------------------------------------------
def test_global_queue_is_checked_every_61_schedticks():
    # X sits in the global queue (Gosched) while P0's ring never empties:
    # it runs when schedtick reaches 61, not after the 200 others.
    order = []

    def yielder():
        yield gk.gosched()
        order.append("X")

    def main():
        yield gk.go(yielder)
        for i in range(200):
            yield gk.go(noop, order, i)
        yield gk.sleep(ms=1)

    r = run(main, procs=1)
    # P0 starts at schedtick STARTUP_SCHEDTICKS (runtime.main's own goroutines ran
    # first); X runs when schedtick reaches 61.
    from gmpkit.models.gmp import STARTUP_SCHEDTICKS
    assert order.index("X") == 61 - STARTUP_SCHEDTICKS
    assert len(order) == 201
    assert r.stats["global_runs"] >= 1


@pytest.mark.parametrize("queued", [1, 3, 4, 5, 9, 100, 515, 600, 1000])
def test_globrunqgetbatch_takes_min_128_len_len_over_procs_plus_1(queued):
    def main():
        yield gk.compute(us=1)

    mod = gk.Simulation(main, model=gmp(4), seed=1).model
    pp = mod.allp[1]
    mod.globalq = deque(FakeG(i) for i in range(queued))
    g = mod.globrunqgetbatch(pp)
    taken = 1 + len(pp.runq)
    assert taken == min(128, queued, queued // 4 + 1)
    assert g.id == 0 and [x.id for x in pp.runq] == list(range(1, taken))
    assert len(mod.globalq) == queued - taken


def test_gosched_puts_the_g_on_the_global_queue():
    order = []

    def yielder():
        order.append("Y")
        yield gk.gosched()
        order.append("Y-again")

    def main():
        yield gk.go(yielder)
        yield gk.go(noop, order, "Z1")
        yield gk.go(noop, order, "Z2")
        yield gk.compute(us=1)
        yield gk.sleep(ms=1)

    r = run(main, procs=1)
    ev = events(r, "gosched")
    assert len(ev) == 1
    assert r.timeline.value_at("runqueue", ev[0].time) == 1
    assert order == ["Z2", "Y", "Z1", "Y-again"]


# ---- system calls --------------------------------------------------------------
def test_syscall_p_is_retaken_after_a_sysmon_tick_when_it_has_local_work():
    def main():
        yield gk.syscall(us=1)          # warm-up: a P's first syscall can be taken at first sight
        yield gk.go(noop, None, None, 10)   # local work waiting on P0 (runnext)
        yield gk.syscall(ms=1)

    r = run(main, procs=1)
    enter = events(r, "syscall-enter")[1]
    rt = events(r, "retake")
    assert len(rt) == 1 and rt[0].g == 1
    # seen on one sysmon round, taken on the next: one to two delivered ticks
    # (usleep(20) lasts 20 µs + the measured overshoot)
    tick = r.model.sysmon_tick_ns
    assert tick <= rt[0].time - enter.time <= 2 * tick
    assert events(r, "handoff")[0].detail == "work"
    # the child ran on another M while main was still in its syscall
    child = [s for s in r.timeline.spans if s.state == "running" and s.g == 2][0]
    assert child.start < enter.time + 1 * MS and child.m != enter.m
    assert r.stats["threads_peak"] == 3      # M0, sysmon, the M started by handoffp


@pytest.mark.parametrize("idle", [0, 2])
def test_threads_parked_before_main_are_woken_before_new_ones_are_made(idle):
    # GMP(idle_threads=n): Ms the runtime made and parked before main (real Go has one
    # or two); handoffp's startm wakes one (mget) instead of creating a thread (newm)
    def main():
        yield gk.syscall(us=1)
        yield gk.go(noop, None, None, 10)
        yield gk.syscall(ms=1)

    r = run(main, procs=1, idle_threads=idle)
    assert r.timeline.value_at("threads", 0) == 2 + idle
    assert r.timeline.value_at("idlethreads", 0) == idle
    assert events(r, "retake")
    assert r.stats["threads_peak"] == 2 + max(idle, 1)      # a new M only when none was idle
    with pytest.raises(ValueError, match="idle_threads"):
        gk.GMP(idle_threads=-1)


def test_syscall_p_is_not_retaken_before_10ms_without_work_when_a_p_is_idle():
    def main():
        yield gk.syscall(ms=30)

    r = run(main, procs=2)
    rt = events(r, "retake")
    assert rt and rt[0].time >= 10 * MS
    assert rt[0].time < 30 * MS


def test_exitsyscall_fast_path_keeps_the_p():
    def main():
        yield gk.syscall(us=5)
        yield gk.compute(us=5)

    r = run(main, procs=2)
    (ex,) = events(r, "syscall-exit")
    assert ex.detail == "fast" and not events(r, "retake")


def test_exitsyscall_without_p_queues_g_globally_and_parks_the_m():
    def main():
        yield gk.syscall(us=1)
        yield gk.go(noop, None, None, 2_000)     # B computes 2 ms
        yield gk.syscall(us=400)                 # P0 retaken for B meanwhile
        yield gk.compute(us=1)

    r = run(main, procs=1)
    ex = events(r, "syscall-exit")[-1]
    assert ex.detail == "nop" and ex.p == -1
    tl = r.timeline
    assert tl.value_at("runqueue", ex.time) == 1
    assert tl.value_at("idlethreads", ex.time) >= 1
    b_end = max(s.end for s in tl.spans if s.state == "running" and s.g == 2)
    main_again = [s for s in tl.spans if s.state == "running" and s.g == 1]
    assert main_again[-1].start >= b_end


def test_exitsyscall_takes_an_idle_p():
    # P0 retaken at first sight (nobody idle), then P0 goes to... main
    # comes back and finds an idle P.
    def main():
        yield gk.syscall(ms=20)     # longer than 10 ms + sysmon's backed-off rounds
        yield gk.compute(us=1)

    r = run(main, procs=2)
    assert events(r, "retake")
    ex = events(r, "syscall-exit")[-1]
    assert ex.detail in ("idlep", "oldp")


def test_netio_keeps_threads_flat_where_syscalls_grow_them():
    def worker(kind, wg):
        yield (gk.syscall(ms=1) if kind == "syscall" else gk.netio(ms=1))
        yield gk.compute(us=5)
        yield wg.done()

    def main(kind):
        wg = gk.WaitGroup()
        wg.add(100)
        for _ in range(100):
            yield gk.go(worker, kind, wg)
        yield wg.wait()

    sys_run = gk.simulate(main, "syscall", model=gmp(2), seed=1)
    net_run = gk.simulate(main, "netio", model=gmp(2), seed=1)
    for r in (sys_run, net_run):
        assert r.timeline.check_invariants()
    assert net_run.stats["threads_peak"] <= 2 + 2        # Ms for the Ps, sysmon, a poller
    assert sys_run.stats["threads_peak"] >= 4 * net_run.stats["threads_peak"]
    assert net_run.stats["netpoll_injected"] == 100
    assert sys_run.stats["retakes"] > 10 and net_run.stats["retakes"] == 0


def test_thread_limit_is_fatal():
    def worker():
        yield gk.syscall(ms=50)

    def main():
        for _ in range(100):
            yield gk.go(worker)
        yield gk.sleep(ms=60)

    with pytest.raises(gk.GoPanic, match="thread exhaustion"):
        gk.simulate(main, model=gmp(1, max_threads=20), seed=1)


# ---- preemption -----------------------------------------------------------------
def warm_up():
    """Leave schedtick 0.  While a P's schedtick is 0 (everything so far came
    from runnext), ``0 % 61 == 0`` makes findRunnable take the global queue's
    head first, so a just-preempted G would run again at once, as in the
    runtime.  One Gosched (global queue -> execute, schedtick 1) avoids that."""
    yield gk.gosched()


def spinner_and_victim(tight):
    started = {}

    def victim():
        started["B"] = yield gk.now()
        yield gk.compute(us=10)

    def hog():
        yield gk.compute(ms=30, tight=tight)

    def main():
        yield from warm_up()
        yield gk.go(victim)           # ring
        yield gk.go(hog)              # runnext: runs first
        yield gk.sleep(ms=40)

    return main, started


@pytest.mark.parametrize("async_preempt", [True, False])
@pytest.mark.parametrize("tight", [True, False])
def test_time_slice_preemption(tight, async_preempt):
    main, started = spinner_and_victim(tight)
    r = run(main, procs=1, async_preempt=async_preempt)
    pre = events(r, "preempt")
    if tight and not async_preempt:
        # no preemption point and no signal: the hog runs its 30 ms, B starves;
        # the request is honoured at the first call after the loop
        assert [e.detail for e in pre if e.g == 3] == ["left=0"]
        assert [e.time for e in pre if e.g == 3][0] >= 30 * MS
        assert started["B"] >= 30 * MS
    else:
        # preempted once 10 ms passed on one schedtick, seen at sysmon's pace:
        # at the first round at least 10 ms after the round that first saw it
        (p,) = [e for e in pre if e.g == 3]
        rounds = [t for t, _ in r.model.sysmon_log]
        seen = min(t for t in rounds if t >= first_run_start(r, 3))
        assert p.time == min(t for t in rounds if t >= seen + 10 * MS)
        assert 10 * MS <= p.time < 20 * MS
        assert p.detail == f"left={30 * MS - (p.time - first_run_start(r, 3))}"
        assert p.time <= started["B"] < p.time + 1 * MS
        assert r.stats["preemptions"] >= 1
    # either way the hog got exactly its 30 ms of CPU (checked by the invariants)
    assert r.timeline.run_ns_by_g()[3] == 30 * MS


def test_preempted_gs_go_to_the_global_queue_tail():
    order = []

    def long(tag):
        order.append(tag)
        yield gk.compute(ms=30)
        order.append(tag + "-done")

    def main():
        yield from warm_up()
        yield gk.go(long, "A")
        yield gk.go(long, "B")
        yield gk.go(noop, order, "C")
        yield gk.go(noop, order, "X")     # runnext
        yield gk.sleep(ms=100)

    r = run(main, procs=1)
    pre = events(r, "preempt")
    assert [e.g for e in pre[:2]] == [2, 3]
    assert r.timeline.value_at("runqueue", pre[0].time) == 1
    assert r.timeline.value_at("runqueue", pre[1].time) == 2
    # C (local ring) runs before either resumes; A was queued first, so resumes first
    assert order[:4] == ["X", "A", "B", "C"]
    assert order.index("A-done") < order.index("B-done")


# ---- sysmon ---------------------------------------------------------------------
def test_sysmon_backs_off_from_20us_to_10ms_and_resets_after_a_retake():
    def main():
        yield gk.compute(ms=40)
        yield gk.syscall(us=1)
        yield gk.go(noop)
        yield gk.syscall(ms=25)       # sysmon now wakes every 10 ms: it needs two looks
        yield gk.compute(ms=1)

    r = run(main, procs=1)
    log = r.model.sysmon_log
    delays = [d for _, d in log]
    assert delays[:51] == [20] * 51
    assert delays[51:59] == [40, 80, 160, 320, 640, 1280, 2560, 5120]
    assert delays[59] == 10_000
    # times follow the delays, each lasting usleep_overhead_ns longer than asked
    # (up to the retake; then it deep-sleeps)
    over = r.model.costs["usleep_overhead_ns"]
    assert over > 0
    for (t0, _), (t1, d) in zip(log[:60], log[1:60]):
        assert t1 - t0 == d * US + over
    # after the retake sysmon is back to 20 µs
    rt = events(r, "retake")[0]
    after = [d for t, d in log if t > rt.time]
    assert after[0] == 20


# A measured-looking overshoot distribution: 50 quantiles, a body near 66 µs, a
# group of early wakes near 58 µs and a tail (what programs/usleep.go prints).
SPREAD = sorted([58_000 + 40 * i for i in range(12)] + [66_000 + 150 * i for i in range(34)]
                + [78_000, 84_000, 97_000, 140_000])


def _syscalls(n=24, us=100):
    def worker(wg):
        for _ in range(4):
            yield gk.compute(us=20)
            yield gk.syscall(us=us)
        yield wg.done()

    def main():
        wg = gk.WaitGroup()
        wg.add(n)
        for _ in range(n):
            yield gk.go(worker, wg)
        yield wg.wait()
    return main


def _digest(r):
    tl = r.timeline
    return (tuple(map(tuple, tl.spans)), tuple(map(tuple, tl.events)), r.stats["makespan_ns"])


def test_sysmon_sleeps_draw_their_overshoot_from_the_distribution():
    # each round lasts 20 µs + a draw from SPREAD: within its range, spread out, and
    # centred where the distribution is (not at usleep_overhead_ns, set far away here)
    r = run(_syscalls(), procs=1, sleep_overshoot=SPREAD, usleep_overhead_ns=500_000)
    log = r.model.sysmon_log
    gaps = [t1 - t0 - d0 * US for (t0, d0), (t1, _) in zip(log, log[1:]) if d0 == 20]
    assert len(gaps) > 50
    assert min(gaps) >= SPREAD[0] and max(gaps) <= SPREAD[-1]
    assert len(set(gaps)) > len(gaps) // 2
    gaps.sort()
    assert 62_000 <= gaps[len(gaps) // 2] <= 72_000
    assert sum(g < 62_000 for g in gaps) >= len(gaps) // 20     # the early group shows up


def test_sleep_syscalls_last_the_request_plus_an_overshoot():
    over = 65_000
    fixed = run(_syscalls(4), procs=1, sleep_syscalls=True, usleep_overhead_ns=over)
    plain = run(_syscalls(4), procs=1, usleep_overhead_ns=over)
    for r, extra in ((fixed, over), (plain, 0)):
        enter = {}
        for e in r.timeline.events:
            if e.kind == "syscall-enter":
                enter[e.g] = e.time
            elif e.kind == "syscall-exit":
                assert e.time - enter.pop(e.g) == 100 * US + COSTS["syscall_overhead_ns"] + extra
    # with a distribution each syscall draws its own overshoot
    drawn = run(_syscalls(4), procs=1, sleep_syscalls=True, sleep_overshoot=SPREAD)
    lengths, enter = [], {}
    for e in drawn.timeline.events:
        if e.kind == "syscall-enter":
            enter[e.g] = e.time
        elif e.kind == "syscall-exit":
            lengths.append(e.time - enter.pop(e.g) - 100 * US - COSTS["syscall_overhead_ns"])
    assert len(set(lengths)) > len(lengths) // 2
    assert all(SPREAD[0] <= x <= SPREAD[-1] for x in lengths)


def test_a_spread_is_deterministic_and_a_zero_spread_is_the_default_schedule():
    main = _syscalls()
    a = run(main, procs=2, seed=3, sleep_overshoot=SPREAD, sleep_syscalls=True)
    b = run(main, procs=2, seed=3, sleep_overshoot=SPREAD, sleep_syscalls=True)
    c = run(main, procs=2, seed=4, sleep_overshoot=SPREAD, sleep_syscalls=True)
    assert _digest(a) == _digest(b)            # same seed, same timeline
    assert _digest(a) != _digest(c)            # another seed, other draws
    # every quantile equal to usleep_overhead_ns: the draws are that figure, and the
    # engine's own generator (work stealing) is untouched: the very default schedule
    over = 67_000
    flat = run(main, procs=2, seed=3, sleep_overshoot=[over] * 50, usleep_overhead_ns=over)
    default = run(main, procs=2, seed=3, usleep_overhead_ns=over)
    assert _digest(flat) == _digest(default)
    assert _digest(a) != _digest(run(main, procs=2, seed=3, sleep_syscalls=True))


def test_the_overshoot_is_read_off_the_quantiles():
    m = gmp(1, sleep_overshoot=[10, 20, 30, 40])
    gk.simulate(_syscalls(1), model=m, seed=0)
    draws = sorted(m.overshoot() for _ in range(4000))
    assert draws[0] >= 10 and draws[-1] <= 40
    # quantile i stands at probability (i + 0.5) / 4: 1/8 of the draws at or below 10
    assert 0.09 < sum(d == 10 for d in draws) / len(draws) < 0.16
    assert abs(draws[len(draws) // 2] - 25) <= 2
    assert gmp(1, sleep_overshoot=[7]).sleep_overshoot == (7,)


@pytest.mark.parametrize("bad,err,msg", [
    ([30, 20], ValueError, "sorted"), ([], ValueError, "no quantiles"),
    ([10, -1], ValueError, ">= 0"), ([1.5], ValueError, "whole number"),
    ("65000", TypeError, "list of quantiles"), (65000, TypeError, "list of quantiles")])
def test_a_bad_overshoot_distribution_is_named(bad, err, msg):
    with pytest.raises(err, match=msg):
        gk.GMP(procs=1, sleep_overshoot=bad)
    with pytest.raises(TypeError, match="sleep_syscalls"):
        gk.GMP(procs=1, sleep_syscalls="yes")


def test_sysmon_deep_sleeps_when_all_ps_are_idle():
    def main():
        yield gk.sleep(ms=200)

    r = run(main, procs=2)
    # without deep sleep sysmon would wake 51 + ~20 times; it sleeps to the timer
    assert r.stats["sysmon_wakeups"] < 5


# ---- netpoller and timers --------------------------------------------------------
def test_netpoll_ready_gs_are_found_and_run():
    done = []

    def reader(i):
        yield gk.netio(us=100 + i)
        done.append(i)
        yield gk.compute(us=5)

    def main():
        for i in range(10):
            yield gk.go(reader, i)
        yield gk.sleep(ms=1)

    r = run(main, procs=2)
    assert sorted(done) == list(range(10))
    assert r.stats["netpoll_injected"] == 10


def test_timer_wakes_sleeper_onto_runnext_of_the_timer_running_p():
    order = []

    def sleeper():
        yield gk.sleep(us=50)
        order.append("S")

    def main():
        yield gk.go(sleeper)
        yield gk.compute(us=1)
        for i in range(5):
            yield gk.go(noop, order, i, 100)
        yield gk.compute(us=1)
        yield gk.sleep(ms=1)

    r = run(main, procs=1)
    # runs: 4 (runnext), S (sleeps 50 µs), 0 (100 µs).  S's timer expires
    # while 0 computes; P0's next findRunnable runs it and S goes to runnext,
    # ahead of 1, 2, 3 in the ring.
    assert order[:3] == [4, 0, "S"]


# ---- determinism, schedtrace, snapshot -----------------------------------------------
def busy_workload():
    def worker(i, ch, wg):
        for k in range(3):
            yield gk.compute(us=5 + (i * 7 + k) % 40)
            if i % 3 == 0:
                yield ch.send(i)
            elif i % 3 == 1:
                yield ch.recv()
            else:
                yield gk.sleep(us=20)
        yield wg.done()

    def main():
        ch, wg = gk.Chan(cap=4), gk.WaitGroup()
        wg.add(60)
        for i in range(60):
            yield gk.go(worker, i, ch, wg)
        yield wg.wait()

    return main


def test_same_seed_same_timeline_and_seeds_change_steal_order():
    a = run(busy_workload(), procs=4, seed=7)
    b = run(busy_workload(), procs=4, seed=7)
    assert a.timeline.spans == b.timeline.spans
    assert a.timeline.events == b.timeline.events
    assert a.stats == b.stats
    steals = {tuple((e.time, e.p, e.other) for e in events(run(busy_workload(), procs=4,
                                                                   seed=s), "steal"))
              for s in range(1, 7)}
    assert len(steals) > 1


SCHED_RE = re.compile(
    r"^SCHED (\d+)ms: gomaxprocs=(\d+) idleprocs=(\d+) threads=(\d+) spinningthreads=(\d+) "
    r"needspinning=(\d+) idlethreads=(\d+) runqueue=(\d+) \[((?: \d+)+) \] "
    r"schedticks=\[((?: \d+)+) \]$")


def test_schedtrace_lines_match_the_real_format_field_for_field():
    from gmpkit.real.recorded import read_trace
    real = read_trace("schedtrace_demo")[0].splitlines()   # recorded from real Go, with provenance
    assert real and all(SCHED_RE.match(line) for line in real)
    r = gk.simulate(busy_workload(), model=gmp(4), seed=1, schedtrace=0.1)
    lines = r.schedtrace()
    assert len(lines) >= 2
    for line in lines:
        m = SCHED_RE.match(line)
        assert m, line
        assert int(m.group(2)) == 4
        assert len(m.group(9).split()) == 4 and len(m.group(10).split()) == 4
        assert int(m.group(4)) >= 2          # M0 and sysmon at least
    detail = gk.simulate(busy_workload(), model=gmp(4), seed=1, schedtrace=0.1,
                         scheddetail=True).schedtrace(detail=True)
    assert any(line.startswith("  P3: status=") for line in detail)
    assert any(line.startswith("  M1: p=nil") for line in detail)   # sysmon


def test_snapshot_schema():
    sim = gk.Simulation(busy_workload(), model=gmp(4), seed=1)
    sim.run(until=100 * US)
    snap = sim.snapshot()
    assert snap["model"] == "GMP" and snap["time"] == 100 * US
    assert set(snap) >= {"ps", "ms", "global", "netpoll", "timers", "gs"}
    assert len(snap["ps"]) == 4
    for p in snap["ps"]:
        assert set(p) >= {"id", "status", "m", "runnext", "runq", "schedtick", "timers"}
        assert p["status"] in ("idle", "running")
        assert all(isinstance(g, int) for g in p["runq"])
    states = {m["state"] for m in snap["ms"]}
    assert states <= {"running", "spinning", "idle", "syscall", "sysmon"}
    assert [m for m in snap["ms"] if m["state"] == "sysmon" and m["p"] is None]
    running = [m for m in snap["ms"] if m["state"] == "running"]
    assert all(m["p"] is not None for m in running)
    assert all(isinstance(t, tuple) and len(t) == 2 for t in snap["timers"])
    sim.run()


def test_main_returning_cuts_running_goroutines_cleanly():
    def main():
        yield gk.go(noop, None, None, 500)
        yield gk.compute(us=100)

    r = run(main, procs=2)
    assert r.unfinished and r.timeline.run_ns_by_g().get(2, 0) < 500 * US


def test_schedtrace_lines_come_from_sysmon_rounds():
    # GODEBUG=schedtrace is printed by sysmon when it wakes and a period has
    # passed: once sysmon has backed off (a lone CPU hog gives it nothing to
    # do but preempt), lines come ~10 ms apart however short the period.
    import re
    from gmpkit import scenarios
    r = scenarios.cpu_hog(hog_ms=50).run(gk.GMP(procs=1), schedtrace=1)
    times = [int(re.match(r"SCHED (\d+)ms", line).group(1)) for line in r.schedtrace()]
    assert times[0] == 0
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= 1
    assert max(gaps) >= 9                      # a backed-off sysmon: ~10 ms between lines
    assert len(times) < r.makespan_ns // 1_000_000 // 2
    sysmon_rounds = {t // 1_000_000 for t, _ in r.model.sysmon_log}
    assert set(times) <= sysmon_rounds         # printed only when sysmon ran
