"""Notebook 04's panels (gmpkit.widgets.mn): logic and figures, without a kernel.

Assertions are relations between models or settings (N:1 serialises, M:N adds
threads for syscalls ...), never numbers copied from a run.
"""

import pytest

from gmpkit.widgets import PANELS
from gmpkit.widgets import mn


def test_syscall_goroutines_spreads_the_share_evenly():
    assert mn.syscall_goroutines(8, 0) == []
    assert mn.syscall_goroutines(8, 25) == [3, 7]
    assert mn.syscall_goroutines(8, 100) == list(range(8))
    assert len(mn.syscall_goroutines(8, 50)) == 4


def test_three_models_defaults_order_and_thread_counts():
    p = PANELS["04:three-models"]()
    assert p.error is None, p.summary
    d, m = p.data, p.data["models"]
    assert m["N:1"]["threads"] == 1
    assert m["1:1"]["threads"] == d["goroutines"] + 1
    assert m["N:1"]["makespan_ns"] >= d["cpu_work_ns"] + d["syscall_ns_total"]
    assert m["M:N"]["makespan_ns"] < m["N:1"]["makespan_ns"]
    # one Gantt axes per model, in order, titled with its name
    axes = p.fig.axes
    assert len(axes) == 3
    for ax, label in zip(axes, mn.MODEL_LABELS.values()):
        assert ax.get_title().startswith(label)
    # the three charts share one time scale
    assert len({ax.get_xlim() for ax in axes}) == 1


def test_more_syscalls_slow_n1_by_the_syscall_time_and_add_mn_threads():
    p = PANELS["04:three-models"]()
    p.set(share_pct=0)
    none = p.data["models"]
    p.set(share_pct=100)
    d, full = p.data, p.data["models"]
    extra = full["N:1"]["makespan_ns"] - none["N:1"]["makespan_ns"]
    assert extra >= d["syscall_ns_total"]          # N:1 waits out every syscall in turn
    assert full["M:N"]["threads"] > none["M:N"]["threads"] + d["cpus"]
    assert full["1:1"]["threads"] == none["1:1"]["threads"]   # 1:1 has a thread each anyway
    assert "8 with a syscall" in p.summary


def test_more_cpus_help_1to1_and_mn_but_not_n1():
    p = PANELS["04:three-models"]()
    p.set(cpus=1)
    one = p.data["models"]
    p.set(cpus=4)
    four = p.data["models"]
    assert four["M:N"]["makespan_ns"] < one["M:N"]["makespan_ns"]
    assert four["1:1"]["makespan_ns"] < one["1:1"]["makespan_ns"]
    assert four["N:1"]["makespan_ns"] == one["N:1"]["makespan_ns"]


def test_blocking_syscall_freezes_n1_but_netio_does_not():
    p = PANELS["04:blocking"]()
    assert p.error is None, p.summary
    d = p.data
    assert d["kind"] == "syscall"
    assert d["models"]["N:1"]["work_during_block_ns"] == 0
    assert d["models"]["M:N"]["work_during_block_ns"] > 0
    assert d["models"]["N:1"]["makespan_ns"] >= d["block_ns"]
    sys_threads = d["models"]["M:N"]["threads"]
    p.set(kind="netio")
    n = p.data["models"]
    assert n["N:1"]["work_during_block_ns"] > 0
    assert n["M:N"]["threads"] < sys_threads
    assert n["N:1"]["syscall_events"] == 0
    assert len(p.fig.axes) == 2
    assert "netio" in p.summary


def test_longer_block_delays_n1_by_the_difference():
    p = PANELS["04:blocking"]()
    p.set(block_ms=2)
    short = p.data["models"]["N:1"]["makespan_ns"]
    p.set(block_ms=6)
    long = p.data["models"]["N:1"]["makespan_ns"]
    assert long - short == 4_000_000


def test_blocking_rejects_unknown_kinds():
    with pytest.raises(ValueError, match="syscall"):
        mn.blocking_workload(kind="disk")


def test_switch_cost_threads_pay_the_kernel_switch():
    p = PANELS["04:switch-cost"]()
    assert p.error is None, p.summary
    h = {k: v["handoff_ns"] for k, v in p.data["models"].items()}
    assert h["1:1"] > h["M:N"]
    assert h["N:1"] == h["M:N"]
    assert all(v["final"] == p.data["rounds"] for v in p.data["models"].values())
    before = h["1:1"]
    p.set(thread_switch_us=p.data["thread_switch_ns"] / 1000 + 5)
    assert p.data["models"]["1:1"]["handoff_ns"] - before == pytest.approx(5000)
    # goroutine switch cost moves N:1 and M:N, not 1:1
    g_before = p.data["models"]["M:N"]["handoff_ns"]
    t_before = p.data["models"]["1:1"]["handoff_ns"]
    p.set(goroutine_switch_ns=p.data["goroutine_switch_ns"] + 500)
    assert p.data["models"]["M:N"]["handoff_ns"] > g_before
    assert p.data["models"]["1:1"]["handoff_ns"] == t_before
    # in the model a goroutine hand-off is exactly the goroutine switch (channel work is free)
    assert p.data["models"]["M:N"]["handoff_ns"] == p.data["goroutine_switch_ns"]
    # the goroutine-switch slider reaches past the default kernel switch, so the two can cross
    assert p.controls["goroutine_switch_ns"].max > before
    p.set(thread_switch_us=before / 1000, goroutine_switch_ns=p.controls["goroutine_switch_ns"].max)
    assert p.data["models"]["M:N"]["handoff_ns"] > p.data["models"]["1:1"]["handoff_ns"]
    ax = p.fig.axes[0]
    assert ax.get_yscale() == "log"
    assert len(ax.patches) == 3


def test_work_during_counts_only_other_goroutines_in_the_window():
    d = mn.blocking("syscall", 3)
    run = d["runs"]["M:N"]
    everything = mn.work_during(run, 0, run.stats["makespan_ns"])
    assert everything == sum(run.timeline.run_ns_by_g().values())
    assert mn.work_during(run, 0, 0) == 0
