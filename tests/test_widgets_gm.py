"""Notebook 05's panels (gmpkit.widgets.gm): the four problems of Go 1.0's scheduler.

Assertions compare GM with GMP, or one setting with another; no copied numbers.
"""

import pytest

import gmpkit as gk
from gmpkit import scenarios
from gmpkit.widgets import PANELS
from gmpkit.widgets import gm


@pytest.mark.parametrize("sc", [scenarios.ping_pong(rounds=40, work_ns=2000),
                                scenarios.lock_heavy(goroutines=8, rounds=2, work_ns=5000),
                                scenarios.syscall_storm(goroutines=6)],
                         ids=["ping_pong", "lock_heavy", "syscall_storm"])
def test_tracked_agrees_with_gms_own_counters(sc):
    st = sc.run(gm.tracked(gk.GM)(procs=3), seed=1).stats
    assert st["tracked_migrations"] == st["migrations"]
    assert st["tracked_remote_wakeups"] == st["remote_wakeups"]
    assert st["tracked_parks"] == st["thread_parks"]


def test_tracked_leaves_gmp_behaviour_unchanged():
    sc = scenarios.lock_heavy(goroutines=8, rounds=2, work_ns=5000)
    plain = sc.run(gk.GMP(procs=4), seed=1)
    track = sc.run(gm.tracked(gk.GMP)(procs=4), seed=1)
    assert track.stats["makespan_ns"] == plain.stats["makespan_ns"]
    assert track.stats["threads_created"] == plain.stats["threads_created"]
    assert track.stats["tracked_dispatches"] > 0
    assert gm.tracked(gk.GMP) is gm.tracked(gk.GMP)      # one subclass per model


def test_lock_scaling_gm_waits_more_for_the_lock_as_procs_grow_gmp_never():
    p = PANELS["05:lock-scaling"]()
    assert p.error is None, p.summary
    d = p.data
    i4, i16 = d["procs"].index(4), d["procs"].index(16)
    assert d["GMP"]["makespan_ns"][i16] <= d["GMP"]["makespan_ns"][i4]
    assert d["GM"]["lock_wait_ns"][0] == 0                  # one M never waits
    assert d["GM"]["lock_wait_ns"] == sorted(d["GM"]["lock_wait_ns"])
    assert d["GM"]["lock_wait_ns"][i16] > 10 * d["GM"]["lock_wait_ns"][i4]
    # each added processor buys less: the share of processor time running Go code falls
    assert d["GM"]["cpu_busy_pct"] == sorted(d["GM"]["cpu_busy_pct"], reverse=True)
    assert all(x == 0 for x in d["GMP"]["lock_wait_ns"])
    ax1, ax2 = p.fig.axes[:2]
    lines = {ln.get_label(): ln for ln in ax1.get_lines()}
    assert list(lines[gm.GM_LABEL].get_ydata()) == d["GM"]["jobs_per_ms"]
    assert list(lines[gm.GMP_LABEL].get_ydata()) == d["GMP"]["jobs_per_ms"]
    assert ax2.get_title() == "Where the processors' time went"


def test_longer_lock_hold_slows_gm_only():
    p = PANELS["05:lock-scaling"]()
    p.set(hold_ns=100)
    short = p.data
    p.set(hold_ns=1500)
    long = p.data
    assert long["GM"]["makespan_ns"][0] > short["GM"]["makespan_ns"][0]     # one M: pure hold
    assert long["GMP"]["makespan_ns"] == short["GMP"]["makespan_ns"]
    # the lock alone (threads free to create): a long hold costs most at 16 Ms
    p.set(thread_create=False, hold_ns=100)
    free_short = p.data["GM"]["makespan_ns"]
    p.set(hold_ns=1500)
    free_long = p.data["GM"]["makespan_ns"]
    assert free_long[-1] - free_short[-1] > free_long[0] - free_short[0]


def test_thread_creation_is_part_of_gms_cost():
    p = PANELS["05:lock-scaling"]()
    with_newm = p.data["GM"]["jobs_per_ms"][-1]
    p.set(thread_create=False)
    assert p.data["GM"]["jobs_per_ms"][-1] > with_newm
    assert p.data["GM"]["lock_wait_ns"][-1] < PANELS["05:lock-scaling"]().data["GM"]["lock_wait_ns"][-1]


def test_handoff_gm_wakes_remote_gmp_keeps_local():
    p = PANELS["05:handoff"]()
    assert p.error is None, p.summary
    g, q = p.data["GM"], p.data["GMP"]
    assert g["remote_wakeups"] > q["remote_wakeups"]
    assert g["thread_wakeups"] > q["thread_wakeups"]
    assert g["handoff_ns"] > q["handoff_ns"]
    bars = [r.get_height() for r in p.fig.axes[0].patches]
    assert g["remote_pct"] in bars and q["remote_pct"] in bars


def test_handoff_on_one_proc_has_no_other_thread_to_go_to():
    p = PANELS["05:handoff"]()
    p.set(procs=1)
    assert p.data["GM"]["remote_wakeups"] == 0
    assert p.data["GM"]["thread_wakeups"] == 0


def test_handoff_worker_pool_migrates_more_under_gm():
    p = PANELS["05:handoff"]()
    p.set(workload="worker pool (lock_heavy)")
    g, q = p.data["GM"], p.data["GMP"]
    assert g["handoff_ns"] is None
    assert g["migration_pct"] >= q["migration_pct"]
    assert g["remote_pct"] > q["remote_pct"]


def test_mcache_grows_per_m_under_gm_and_stays_per_p_under_gmp():
    p = PANELS["05:mcache"]()
    assert p.error is None, p.summary
    d = p.data
    assert d["gm_mcache_mb"] == sorted(d["gm_mcache_mb"])              # never shrinks with N
    assert d["gm_mcache_mb"][-1] > d["gm_mcache_mb"][0]
    assert len(set(d["gmp_mcache_mb"])) == 1                             # flat
    assert all(a >= b for a, b in zip(d["gm_mcache_mb"], d["gm_in_syscall_mb"]))
    h = d["here"]
    assert h["gm_syscall_ms"] == d["in_syscalls"]
    before = h["gmp_mcache"]
    p.set(procs=d["procs"] * 2)
    assert p.data["here"]["gmp_mcache"] == 2 * before
    ax = p.fig.axes[0]
    assert len(ax.get_lines()) >= 3
    assert ax.get_xlabel().startswith("goroutines making")


def test_mcache_more_blocked_goroutines_more_gm_ms():
    p = PANELS["05:mcache"]()
    p.set(in_syscalls=4)
    few = p.data["here"]["gm_ms"]
    p.set(in_syscalls=12)
    assert p.data["here"]["gm_ms"] > few


def test_churn_short_syscalls_park_gm_threads_not_gmp():
    p = PANELS["05:churn"]()
    assert p.error is None, p.summary
    g, q = p.data["GM"], p.data["GMP"]
    assert p.data["syscall_us"] < 20
    assert g["parks"] > q["parks"]
    assert g["requeues"] > 0
    # only a P's very first syscall can be taken at sysmon's first sight of it
    # (its sysmontick still matches the zero record), so at most one per P
    assert q["retakes"] <= p.data["procs"]
    assert len(p.fig.axes) == 2
    sweep = p.data["sweep"]
    assert len(g["parks_per_100"]) == len(sweep) == len(q["parks_per_100"])


def test_churn_long_syscalls_get_their_p_retaken():
    p = PANELS["05:churn"]()
    p.set(syscall_us=200)
    assert p.data["GMP"]["retakes"] > 0
    assert p.data["GMP"]["parks"] > PANELS["05:churn"]().data["GMP"]["parks"]
