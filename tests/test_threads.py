"""The 1:1 model: every goroutine a kernel thread, round-robin time slices.

Expected numbers are derived from the costs (switch C, slice S, thread
creation), so each test fails if the mechanism it names were wrong.
"""

import pytest

import gmpkit as gk
from gmpkit import scenarios
from gmpkit.models.threads import GUARD_PAGE_BYTES

MB = 1024 * 1024


def hogs(n, ms, wait=True):
    """main starts ``n`` CPU hogs of ``ms`` each and waits for them."""

    def hog(wg):
        yield gk.compute(ms=ms)
        yield wg.done()

    def main():
        wg = gk.WaitGroup()
        wg.add(n)
        for _ in range(n):
            yield gk.go(hog, wg, name="hog")
        yield wg.wait()

    return main


def running_spans(run, g=None):
    return [s for s in run.timeline.spans
            if s.state == "running" and s.lane == "M" and (g is None or s.g == g)]


def peak_parallel(run):
    pts = sorted([(s.start, 1) for s in running_spans(run)] +
                 [(s.end, -1) for s in running_spans(run)])
    live = peak = 0
    for _, d in pts:
        live += d
        peak = max(peak, live)
    return peak


# ---- threads and their memory ----------------------------------------------------
def test_every_goroutine_gets_its_own_thread_and_stack():
    run = gk.simulate(hogs(10, 1), model=gk.Threads(cpus=2))
    st = run.stats
    assert st["threads_created"] == st["goroutines"] == 11
    assert st["threads_peak"] == 11
    per_thread = 8 * MB + GUARD_PAGE_BYTES
    assert st["virtual_bytes_per_thread"] == per_thread
    assert st["virtual_bytes_peak"] == 11 * per_thread
    # thread n is goroutine n: the M lane of every G's span is its own id
    assert all(s.m == s.g for s in run.timeline.spans if s.lane == "M")


def test_stack_size_is_a_cost_parameter():
    run = gk.simulate(hogs(3, 1), model=gk.Threads(cpus=1, thread_stack_bytes=MB))
    assert run.stats["virtual_bytes_peak"] == 4 * (MB + GUARD_PAGE_BYTES)


def test_creating_a_thread_costs_the_creator_thread_create_ns():
    def child():
        yield gk.compute(us=1)

    def main():
        for _ in range(5):
            yield gk.go(child)
        yield gk.sleep(ms=1)

    create = 40_000
    run = gk.simulate(main, model=gk.Threads(cpus=1, thread_create_ns=create))
    spawns = [s for s in run.timeline.spans if s.state == "spawn"]
    assert len(spawns) == 5
    assert all(s.g == 1 and s.end - s.start == create for s in spawns)


# ---- CPUs and time slices ---------------------------------------------------------
@pytest.mark.parametrize("cpus", [1, 2, 3])
def test_at_most_cpus_threads_run_at_once(cpus):
    run = gk.simulate(hogs(6, 2), model=gk.Threads(cpus=cpus))
    assert run.timeline.max_parallel == cpus
    run.timeline.check_invariants()
    assert peak_parallel(run) == cpus


def test_time_slicing_interleaves_two_hogs_on_one_cpu():
    slice_ns = 1_000_000
    run = gk.simulate(hogs(2, 5), model=gk.Threads(cpus=1, slice_ns=slice_ns))
    order = [s.g for s in running_spans(run) if s.g in (2, 3)]
    # 5 ms each in 1 ms slices, strictly alternating once both are runnable
    assert order[:10] == [2, 3] * 5
    assert all(s.end - s.start <= slice_ns for s in running_spans(run))
    assert run.stats["preemptions"] >= 8
    assert run.timeline.count("preempt") == run.stats["preemptions"]


def test_a_hog_alone_keeps_its_cpu_without_switching():
    # nobody waits when its slice ends: a new slice, no preemption, no switch
    def main():
        yield gk.compute(ms=20)

    run = gk.simulate(main, model=gk.Threads(cpus=1, slice_ns=1_000_000))
    assert run.stats["preemptions"] == 0
    assert run.stats["context_switches"] == 1          # the main thread's first run
    assert run.makespan_ns == 20_000_000 + run.model.costs["kernel_switch_ns"]


@pytest.mark.parametrize("slice_us, switch_us", [(100, 10), (20, 5), (1000, 2.7)])
def test_switch_cost_and_time_slice_eat_cpu(slice_us, switch_us):
    """With many CPU-bound threads, useful CPU = S / (S + C)."""
    S, C = int(slice_us * 1000), int(switch_us * 1000)
    n, work_ms = 8, 20
    run = gk.simulate(hogs(n, work_ms),
                      model=gk.Threads(cpus=1, slice_ns=S, kernel_switch_ns=C,
                                       thread_create_ns=0))
    useful = n * work_ms * 1_000_000 / run.makespan_ns
    assert useful == pytest.approx(S / (S + C), rel=0.01)
    st = run.stats
    assert st["switch_ns_total"] == st["context_switches"] * C
    assert st["running_ns_total"] == n * work_ms * 1_000_000


def test_makespan_grows_as_the_slice_shrinks():
    spans = [gk.simulate(hogs(8, 10), model=gk.Threads(cpus=2, slice_ns=s)).makespan_ns
             for s in (3_000_000, 300_000, 30_000, 3_000)]
    assert spans == sorted(spans) and len(set(spans)) == 4
    assert spans[-1] > 1.5 * spans[0]        # 3 µs slices vs a 2.7 µs switch: about half lost


def test_default_slice_is_cfs_3ms():
    assert gk.Threads().slice_ns == 3_000_000


# ---- blocking -----------------------------------------------------------------------
def test_a_blocking_syscall_frees_the_cpu_for_others():
    done = {}

    def blocker():
        yield gk.syscall(ms=5)
        done["blocker"] = yield gk.now()

    def worker():
        yield gk.compute(ms=1)
        done["worker"] = yield gk.now()

    def main():
        yield gk.go(blocker)
        yield gk.go(worker)
        yield gk.sleep(ms=8)

    run = gk.simulate(main, model=gk.Threads(cpus=1))
    assert done["worker"] < 2_000_000 < 5_000_000 < done["blocker"]
    sc = [s for s in run.timeline.spans if s.state == "syscall"]
    assert len(sc) == 1 and sc[0].p == -1 and sc[0].end - sc[0].start == 5_000_000
    # while the syscall ran, the worker was running on the one CPU
    w = running_spans(run, g=3)
    assert sc[0].start <= w[0].start < sc[0].end


def test_channel_ping_pong_pays_a_kernel_switch_per_handoff():
    run = scenarios.ping_pong(rounds=200).run(gk.Threads(cpus=2))
    C = run.model.costs["kernel_switch_ns"]
    assert run.results["handoff_ns"] == pytest.approx(C, rel=0.05)


def test_blocked_threads_are_drawn_as_blocked_and_use_no_cpu():
    def sleeper():
        yield gk.sleep(ms=2)

    def main():
        yield gk.go(sleeper)
        yield gk.sleep(ms=3)

    run = gk.simulate(main, model=gk.Threads(cpus=1))
    blocked = [s for s in run.timeline.spans if s.state == "blocked" and s.g == 2]
    assert len(blocked) == 1 and blocked[0].end - blocked[0].start == 2_000_000
    assert blocked[0].p == -1


# ---- records, determinism, inputs ----------------------------------------------------
@pytest.mark.parametrize("name", ["cpu_fanout", "ping_pong", "syscall_storm", "netio_server",
                                  "cpu_hog", "spawn_burst", "lock_heavy", "mixed"])
@pytest.mark.parametrize("cpus", [1, 3])
def test_scenarios_keep_invariants_and_are_deterministic(name, cpus):
    a = scenarios.get(name).run(gk.Threads(cpus=cpus), seed=7)
    b = scenarios.get(name).run(gk.Threads(cpus=cpus), seed=7)
    a.timeline.check_invariants()
    assert a.timeline.spans == b.timeline.spans
    assert a.timeline.events == b.timeline.events
    assert a.stats == b.stats


def test_snapshot_shows_cpus_threads_and_run_queue():
    sim = gk.Simulation(hogs(4, 5), model=gk.Threads(cpus=2))
    sim.run(until=3_000_000)
    snap = sim.snapshot()
    assert snap["model"] == "Threads"
    assert [p["status"] for p in snap["ps"]] == ["running", "running"]
    running = [m for m in snap["ms"] if m["state"] == "running"]
    assert sorted(m["p"] for m in running) == [0, 1]
    assert len(snap["global"]) == 2          # 4 hogs on 2 CPUs: two wait (main is blocked)
    assert all(m["state"] in ("running", "runnable", "blocked", "syscall") for m in snap["ms"])


@pytest.mark.parametrize("bad, err", [(0, ValueError), (-1, ValueError), (2.5, TypeError),
                                      (10**6, ValueError), (True, TypeError), ("2", TypeError)])
def test_bad_cpu_counts_are_refused_clearly(bad, err):
    with pytest.raises(err, match="cpus"):
        gk.Threads(cpus=bad)


@pytest.mark.parametrize("bad, err", [(-1, ValueError), (0, ValueError), (1.5, TypeError),
                                      (10**12, ValueError)])
def test_bad_slices_are_refused_clearly(bad, err):
    with pytest.raises(err, match="slice_ns"):
        gk.Threads(cpus=1, slice_ns=bad)


def test_bad_costs_are_refused_clearly():
    with pytest.raises(ValueError, match="kernel_switch_ns"):
        gk.Threads(cpus=1, kernel_switch_ns=-5)
    with pytest.raises(TypeError, match="unknown cost"):
        gk.Threads(cpus=1, switch_cost=5)
