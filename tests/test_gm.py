"""The GM model: Go 1.0's scheduler and the four problems of Vyukov's 2012 doc.

Each test names the mechanism it checks and would fail if that mechanism were
missing or wrong.  Where a test depends on the size of costs, it pins them
(``PINNED``) so a re-measured ``data/costs.json`` cannot move it.
"""

import pytest

import gmpkit as gk
from gmpkit import scenarios

# Fixed costs (round figures near the reference measurements of DESIGN.md, and the
# assumed schedlock times of costs.json), so re-measuring costs.json cannot move these tests.
PINNED = dict(goroutine_switch_ns=170, goroutine_create_ns=200, kernel_switch_ns=2_700,
              thread_create_ns=15_000, schedlock_hold_ns=200, schedlock_spin_ns=1_000,
              thread_clone_ns=6_000, syscall_overhead_ns=400)


def gm(procs, **kw):
    return gk.GM(procs=procs, **{**PINNED, **kw})


def m_spans(run, m):
    return [s for s in run.timeline.spans if s.lane == "M" and s.m == m]


def running(run, g):
    return [s for s in run.timeline.spans if s.state == "running" and s.g == g]


def peak_parallel(run):
    rs = [s for s in run.timeline.spans if s.state == "running"]
    pts = sorted([(s.start, 1) for s in rs] + [(s.end, -1) for s in rs])
    live = peak = 0
    for _, d in pts:
        live += d
        peak = max(peak, live)
    return peak


# ---- mcpu <= mcpumax ------------------------------------------------------------
@pytest.mark.parametrize("procs", [1, 2, 3, 5])
def test_at_most_gomaxprocs_goroutines_run_at_once(procs):
    run = scenarios.cpu_fanout(goroutines=12, work_us=300).run(gm(procs))
    assert run.timeline.max_parallel == procs
    run.timeline.check_invariants()
    assert peak_parallel(run) == procs
    assert max(run.timeline.counter("mcpu")[1]) == procs


def test_default_gomaxprocs_is_one_as_in_go_1_0():
    assert gk.GM().procs == 1


# ---- one global FIFO queue ------------------------------------------------------
def test_single_fifo_global_queue_and_gosched_goes_to_its_tail():
    order = []

    def child(i):
        order.append(i)
        yield gk.gosched()
        order.append(i)

    def main():
        for i in range(5):
            yield gk.go(child, i)
        yield gk.sleep(ms=1)

    run = gk.simulate(main, model=gm(1))
    # main keeps the only slot until it sleeps (no preemption): the five wait in
    # spawn order, then the timer goroutine main's sleep started; each Gosched
    # sends its G to the tail, behind the others.
    assert order == [0, 1, 2, 3, 4] * 2
    assert max(run.timeline.counter("runqueue")[1]) == 6
    assert run.timeline.count("gosched") == 5
    # timerproc sleeps in a system call on the thread that ran it, so one more M
    # runs the rest
    assert run.stats["ms"] == 2


def test_every_scheduling_operation_holds_the_lock():
    def child():
        yield gk.compute(us=1)

    def main():
        yield gk.go(child)
        yield gk.compute(us=10)

    run = gk.simulate(main, model=gm(1))
    c = PINNED
    got = [(s.state, s.end - s.start) for s in m_spans(run, 0)][:5]
    # M0: schedule(nil) under the lock, gogo to main, the go statement's
    # allocation, newproc under the lock, then main's own compute
    assert got == [("sched", c["schedlock_hold_ns"]), ("switch", c["goroutine_switch_ns"]),
                   ("spawn", c["goroutine_create_ns"]), ("sched", c["schedlock_hold_ns"]),
                   ("running", 10_000)]
    # schedule(nil), newproc, and main's exit (a schedule that the end of the run cuts off)
    assert run.stats["lock_acquisitions"] == 3
    assert run.stats["lock_contended"] == 0


# ---- problem 2: hand-off and lost locality ---------------------------------------
def test_matchmg_hands_new_goroutines_to_new_ms():
    def child():
        yield gk.compute(us=100)

    def main():
        for _ in range(3):
            yield gk.go(child)
        yield gk.sleep(ms=1)

    run = gk.simulate(main, model=gm(4))
    st = run.stats
    assert st["threads_created"] == 4
    handoffs = run.timeline.events_of("handoff")
    assert [(e.g, e.m, e.other) for e in handoffs[:3]] == [(2, 1, 0), (3, 2, 0), (4, 3, 0)]
    # main's wake-up after its sleep is handed to the idle M parked last (a stack)
    assert st["handoffs"] == 4 and handoffs[3].g == 1 and handoffs[3].m != 0
    for gid, m in ((2, 1), (3, 2), (4, 3)):
        assert {s.m for s in running(run, gid)} == {m}
    # newm ran under schedlock: the creator's hold grew by clone()'s share of a
    # thread creation, not by the whole create (+ destroy)
    holds = [s.end - s.start for s in m_spans(run, 0) if s.state == "sched"]
    assert PINNED["thread_clone_ns"] in holds
    assert not [h for h in holds if h >= PINNED["thread_create_ns"]]
    # each new M starts thread_create_ns after its newm began, then takes the lock
    # itself (schedule(nil)) to pick up its nextg
    spawns = [e.time for e in run.timeline.events_of("handoff")[:3]]
    for t, m in zip(spawns, (1, 2, 3)):
        first = min(s.start for s in m_spans(run, m))
        assert first >= t + PINNED["thread_create_ns"]
        assert [s for s in m_spans(run, m) if s.state == "sched"]


def ping_pong_pairs(pairs, rounds=50):
    def pong(a, b):
        for _ in range(rounds):
            v = yield a.recv()
            yield gk.compute(us=1)
            yield b.send(v)

    def ping(a, b, wg):
        for i in range(rounds):
            yield a.send(i)
            yield gk.compute(us=1)
            yield b.recv()
        yield wg.done()

    def main():
        wg = gk.WaitGroup()
        wg.add(pairs)
        for _ in range(pairs):
            a, b = gk.Chan(), gk.Chan()
            yield gk.go(pong, a, b)
            yield gk.go(ping, a, b, wg)
        yield wg.wait()

    return main


def test_ping_pong_goroutines_migrate_between_ms():
    run = gk.simulate(ping_pong_pairs(3), model=gm(4))
    assert run.stats["migrations"] > 50
    assert run.stats["remote_wakeups"] > 50
    run.timeline.check_invariants()


def test_every_wakeup_lands_on_another_thread_when_a_slot_is_free():
    one = gk.simulate(ping_pong_pairs(1), model=gm(1)).stats
    two = gk.simulate(ping_pong_pairs(1), model=gm(2)).stats
    assert one["remote_wakeups"] == one["handoffs"] == 0
    # each of the 2 x 50 messages hands the receiver to the other (sleeping) M
    assert two["remote_wakeups"] >= 100
    assert two["handoffs"] >= 100


# ---- problem 4: thread block/unblock churn ----------------------------------------
def test_channel_ping_pong_is_slower_with_more_procs_because_threads_sleep_and_wake():
    runs = {p: scenarios.ping_pong(rounds=200).run(gm(p)) for p in (1, 2)}
    assert runs[1].stats["thread_parks"] == runs[1].stats["thread_wakeups"] == 0
    st = runs[2].stats
    assert st["thread_parks"] >= 400 and st["thread_wakeups"] >= 399
    # every hand-off now waits for a thread to be woken
    assert runs[2].results["handoff_ns"] >= PINNED["kernel_switch_ns"]
    assert runs[2].results["handoff_ns"] > 4 * runs[1].results["handoff_ns"]


def test_exitsyscall_over_mcpumax_requeues_the_g_and_parks_the_m():
    def blocker(wg):
        yield gk.syscall(ms=1)
        yield gk.compute(us=10)
        yield wg.done()

    def main():
        wg = gk.WaitGroup()
        wg.add(1)
        yield gk.go(blocker, wg)
        yield gk.sleep(us=10)          # M0 runs blocker, which enters its syscall
        yield gk.compute(ms=2)         # meanwhile main holds the only slot
        yield wg.wait()

    run = gk.simulate(main, model=gm(1))
    st = run.stats
    assert st["exitsyscall_requeues"] == 1
    sc_exit = run.timeline.events_of("syscall-exit")[0]
    main_compute = [s for s in running(run, 1) if s.end - s.start == 2_000_000][0]
    assert sc_exit.time < main_compute.end
    after = running(run, 2)
    assert len(after) == 1 and after[0].start >= main_compute.end
    # blocker's M went to sleep after the syscall; blocker resumed on main's M
    m_sys = sc_exit.m
    assert after[0].m != m_sys
    assert any(s.state == "idle" and s.start >= sc_exit.time for s in m_spans(run, m_sys))
    assert st["thread_parks"] >= 1 and st["migrations"] >= 1


def test_entersyscall_with_waiting_gs_starts_another_m():
    def child():
        yield gk.compute(us=50)

    def main():
        yield gk.go(child)              # queued: main holds the only slot
        yield gk.syscall(ms=1)          # mcpu--, Gs wait: matchmg -> newm

    run = gk.simulate(main, model=gm(1))
    sc = [s for s in run.timeline.spans if s.state == "syscall"][0]
    ch = running(run, 2)[0]
    assert sc.start <= ch.start and ch.end <= sc.end
    assert ch.m != sc.m and run.stats["threads_created"] == 2


# ---- problem 3: per-M mcache ----------------------------------------------------------
def test_a_syscall_storm_creates_ms_and_their_mcaches_stay():
    mcache = 2 * 1024 * 1024
    storm = scenarios.syscall_storm(goroutines=32, syscall_us=1000, compute_us=20)
    net = scenarios.netio_server(connections=32, io_us=1000, compute_us=20)
    s = storm.run(gm(2, mcache_bytes=mcache)).stats
    n = net.run(gm(2, mcache_bytes=mcache)).stats
    assert s["ms"] >= 16 and s["ms_in_syscall_peak"] >= 16
    assert s["mcache_bytes_peak"] == s["ms"] * mcache
    assert s["mcache_bytes_in_syscall_peak"] == s["ms_in_syscall_peak"] * mcache
    # the same waits on the network park Gs, not Ms: a handful of Ms suffice
    assert n["ms"] <= 4 and n["mcache_bytes_peak"] * 4 <= s["mcache_bytes_peak"]


# ---- problem 1: the global lock ---------------------------------------------------------
def test_lock_heavy_throughput_flattens_then_falls_as_procs_grow():
    procs = (1, 2, 4, 8, 16)
    runs = {p: scenarios.lock_heavy().run(gm(p)) for p in procs}
    mk = {p: r.makespan_ns for p, r in runs.items()}
    assert mk[2] < mk[1] and mk[4] < mk[1]          # some parallelism first
    assert mk[8] >= mk[4] and mk[16] > mk[8]        # then more procs make it slower
    waits = [runs[p].stats["lock_wait_ns"] for p in procs]
    assert waits[0] == 0 and waits == sorted(waits) and waits[-1] > 10 * waits[1]
    assert runs[16].stats["lock_sleeps"] > runs[4].stats["lock_sleeps"]


def test_the_lock_flattens_the_curve_and_thread_wakeups_make_it_fall():
    def curve(**costs):
        return {p: scenarios.lock_heavy().run(gm(p, **costs)).makespan_ns for p in (1, 4, 16)}

    nothing = curve(schedlock_hold_ns=0, kernel_switch_ns=0, thread_create_ns=0)
    lock_only = curve(kernel_switch_ns=0, thread_create_ns=0)
    assert nothing[16] < 0.5 * nothing[4]                  # free scheduling: it scales
    assert lock_only[4] < lock_only[1]
    assert lock_only[16] >= 0.95 * lock_only[4]            # the lock caps throughput


def test_a_coarse_cpu_bound_workload_still_scales():
    mk = {p: scenarios.cpu_fanout(goroutines=16, work_us=2000).run(gm(p)).makespan_ns
          for p in (1, 4, 8, 16)}
    assert mk[4] < 0.3 * mk[1] and mk[8] < 0.55 * mk[4] and mk[16] < 0.6 * mk[8]


def test_lock_waits_are_on_the_timeline_and_add_up():
    run = scenarios.lock_heavy(goroutines=16, rounds=5).run(gm(8))
    lw = sum(s.end - s.start for s in run.timeline.spans if s.state == "lock-wait")
    assert lw > 0
    # the stat counts completed waits; the timeline also closes waits cut off at the end
    assert run.stats["lock_wait_ns"] <= lw
    assert run.stats["lock_spin_ns"] <= run.stats["lock_wait_ns"]
    assert all(s.p == -1 for s in run.timeline.spans if s.lane == "M")


# ---- no preemption ---------------------------------------------------------------------
def test_no_preemption_a_hog_starves_others_with_one_proc():
    sc = scenarios.cpu_hog(hog_ms=20, tight=False, ticks=3, tick_us=1000)
    one = sc.run(gm(1)).results["latency_ns"]
    two = sc.run(gm(2)).results["latency_ns"]
    assert max(one) >= 18_000_000      # the ticker waited for the hog to finish
    assert max(two) < 100_000          # a second slot: the ticker runs on time-ish
    run = sc.run(gm(1))
    assert run.stats["preemptions"] == 0 and run.timeline.count("preempt") == 0


# ---- records, determinism, inputs -----------------------------------------------------
@pytest.mark.parametrize("name", ["cpu_fanout", "ping_pong", "syscall_storm", "netio_server",
                                  "cpu_hog", "spawn_burst", "lock_heavy", "mixed"])
@pytest.mark.parametrize("procs", [1, 4])
def test_scenarios_keep_invariants_and_are_deterministic(name, procs):
    a = scenarios.get(name).run(gk.GM(procs=procs), seed=3)
    b = scenarios.get(name).run(gk.GM(procs=procs), seed=3)
    a.timeline.check_invariants()
    assert a.timeline.spans == b.timeline.spans
    assert a.timeline.events == b.timeline.events
    assert a.stats == b.stats
    assert set(a.timeline.counter_names) >= {"runqueue", "threads", "idlethreads", "mcpu"}


def test_snapshot_shows_ms_queue_and_mcpu():
    sim = gk.Simulation(scenarios.cpu_fanout(goroutines=6, work_us=500).main, {},
                        model=gm(2))
    sim.run(until=300_000)
    snap = sim.snapshot()
    assert snap["model"] == "GM" and snap["ps"] == []
    assert snap["mcpu"] == 2 and snap["mcpumax"] == 2
    states = [m["state"] for m in snap["ms"]]
    assert states.count("running") == 2
    assert all(st in ("running", "idle", "syscall", "lock-wait") for st in states)
    assert all(m["p"] is None for m in snap["ms"])
    assert len(snap["global"]) == 4      # 6 workers, 2 running, main blocked in wg.wait
    assert set(snap["schedlock"]) == {"owner", "spinning", "sleeping"}


def test_schedtrace_prints_the_global_queue_and_threads():
    run = scenarios.spawn_burst(goroutines=50).run(gm(2), schedtrace=0.01)
    lines = run.schedtrace()
    assert lines and all(line.startswith("SCHED ") and "gomaxprocs=2" in line for line in lines)


@pytest.mark.parametrize("bad, err", [(0, ValueError), (-1, ValueError), (2.5, TypeError),
                                      (10**6, ValueError), (None, TypeError), ("4", TypeError)])
def test_bad_procs_are_refused_clearly(bad, err):
    with pytest.raises(err, match="procs"):
        gk.GM(procs=bad)


def test_bad_costs_are_refused_clearly():
    with pytest.raises(ValueError, match="schedlock_hold_ns"):
        gk.GM(procs=2, schedlock_hold_ns=-1)
    with pytest.raises(TypeError, match="unknown cost"):
        gk.GM(procs=2, lock_ns=5)


def test_model_lists_what_it_models_and_simplifies():
    for text in gk.GM.MODELS + gk.GM.SIMPLIFIES:
        assert isinstance(text, str) and text.endswith(".")


def test_mwakeup_second_handoff_wakes_the_first_m_under_the_lock():
    """Go 1.0's mnextg/schedunlock: a section that hands Gs to two parked Ms wakes
    the first at once, while still holding schedlock (its futex call lengthens
    the hold), and remembers only the last in ``mwakeup`` for after the unlock."""
    from gmpkit.models.gmlock import _TIMER

    def child():
        yield gk.sleep(us=10)

    def main():
        for _ in range(3):
            yield gk.go(child)
        yield gk.sleep(ms=2)

    def extra():
        yield gk.compute(us=5)

    sim = gk.Simulation(main, model=gm(4))
    sim.run(until=1_000_000)
    model = sim.model
    # four Ms parked idle, one (timerproc's) asleep in its timer syscall
    assert len(model.midle) >= 2 and model.mcpu == 0
    a, b = (sim.spawn(extra, (), f"x{i}", parent=None) for i in range(2))
    expected = [model.midle[-1], model.midle[-2]]       # mget pops the last parked

    def section(m):          # e.g. starttheworld: two queued Gs, two free slots
        model.gput(a)
        model.gput(b)
        model.matchmg(m)

    t0 = sim.time
    model.schedlock(_TIMER, section)
    run = sim.run()
    hold, futex = PINNED["schedlock_hold_ns"], PINNED["syscall_overhead_ns"]
    wake = {m.id: min(s.start for s in m_spans(run, m.id)
                      if s.state == "switch" and s.start >= t0) for m in expected}
    assert run.stats["wakeups_under_lock"] == 1
    assert wake[expected[0].id] == t0 + hold                 # under the lock
    assert wake[expected[1].id] == t0 + hold + futex         # after the unlock


def test_timers_wait_for_the_timer_goroutine_to_get_a_cpu_slot():
    """Go 1.0's timerproc is an ordinary goroutine: when its sleep ends it needs a
    CPU slot to run the expired timer.  With GOMAXPROCS=1 a hog queued before it
    holds back the sleeper's wake-up itself (its 'ready'), not just its run; and
    the woken sleeper queues behind a G that became runnable meanwhile."""
    seen = {}

    def sleeper():
        yield gk.sleep(us=100)
        seen["sleeper"] = yield gk.now()

    def hog(late):
        yield gk.compute(ms=1)
        yield gk.go(late)                  # runnable at ~1 ms, before the timer runs
        yield gk.compute(ms=4)

    def late():
        seen["late"] = yield gk.now()
        yield gk.compute(us=10)

    def main():
        wg = gk.WaitGroup()
        wg.add(2)
        yield gk.go(lambda: _then_done(sleeper(), wg), name="sleeper")
        yield gk.go(lambda: _then_done(hog(late), wg), name="hog")
        yield wg.wait()

    run = gk.simulate(main, model=gm(1))
    run.timeline.check_invariants()
    sleeper_g = next(g for g, n in run.timeline.g_names.items() if n == "sleeper")
    woken = [e.time for e in run.timeline.events_of("ready") if e.g == sleeper_g]
    hog_g = next(g for g, n in run.timeline.g_names.items() if n == "hog")
    hog_end = max(s.end for s in run.timeline.spans if s.state == "running" and s.g == hog_g)
    assert hog_end >= 5_000_000
    assert woken and woken[0] >= hog_end                   # not at 100 µs: after the hog
    assert seen["late"] < seen["sleeper"]
    # the timer goroutine is on the timeline: it first ran when the hog let go
    tp = next(g for g, n in run.timeline.g_names.items() if n == "timerproc")
    assert min(s.start for s in run.timeline.spans if s.g == tp) >= hog_end


def _then_done(gen, wg):
    yield from gen
    yield wg.done()


def test_timerproc_is_woken_for_an_earlier_timer_and_readied_after_parking():
    """addtimer: a new earliest timer wakes timerproc out of its timed sleep
    (notewakeup), and wakes it with runtime·ready once it parked for lack of timers;
    either way every sleeper runs soon after its deadline when a slot is free."""
    late = {}

    def sleeper(name, start_us, sleep_us):
        yield gk.sleep(us=start_us)
        t0 = yield gk.now()
        yield gk.sleep(us=sleep_us)
        late[name] = (yield gk.now()) - t0 - sleep_us * 1000

    def main():
        wg = gk.WaitGroup()
        wg.add(3)
        for args in (("a", 1, 1000), ("b", 100, 200), ("c", 2000, 100)):
            yield gk.go(lambda a=args: _then_done(sleeper(*a), wg))
        yield wg.wait()

    run = gk.simulate(main, model=gm(2))
    run.timeline.check_invariants()
    assert set(late) == {"a", "b", "c"}
    # b's 200 µs timer, earlier than a's, cut timerproc's sleep short (else b would
    # have waited ~700 µs more); c came after timerproc had parked with no timers
    assert all(0 <= v < 20_000 for v in late.values()), late
