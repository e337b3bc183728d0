"""Notebook 07's panels, without a kernel: syscalls and sysmon's retake, the netpoller,
preemption, GM vs GMP.  Assertions are relations the mechanism implies."""

from gmpkit.models import gmp as gmp_model
from gmpkit.widgets import PANELS, syscalls


def titles(fig):
    return [ax.get_title() for ax in fig.axes]



# ---- syscalls ------------------------------------------------------------------------------

def test_retake_after_a_sysmon_tick_with_work_and_after_10ms_without():
    from gmpkit.facts import sysmon_tick_ns
    tick = sysmon_tick_ns(2)          # the delivered tick: usleep(20) and then some
    short = syscalls.syscall_retake(10, True)
    assert not short["retaken"] and short["exit"] == "fast"
    work = syscalls.syscall_retake(1000, True)
    assert work["retaken"] and tick <= work["retake_after_ns"] <= 3 * tick
    assert work["handoff"] == "work"
    idle = syscalls.syscall_retake(5000, False)
    assert not idle["retaken"]
    late = syscalls.syscall_retake(25000, False)    # 10 ms + a backed-off sysmon's sleep
    assert late["retaken"] and late["retake_after_ns"] >= gmp_model.SYSCALL_RETAKE_NS


def test_syscall_panel_checkbox_changes_the_answer():
    p = PANELS["07:syscall"]().set(duration_us=5000, local_work=True)
    assert "retaken after" in p.summary
    p.set(local_work=False)
    assert "not retaken" in p.summary


def test_netio_keeps_threads_flat_syscalls_do_not():
    small, big = syscalls.syscall_vs_netio(2), syscalls.syscall_vs_netio(32)
    assert big["netio"]["peak"] == small["netio"]["peak"] <= big["procs"] + 2
    assert big["syscall"]["peak"] > small["syscall"]["peak"]


# ---- preemption ----------------------------------------------------------------------------

def test_async_preemption_bounds_the_delay_a_tight_loop_causes():
    on = syscalls.preemption(30, True, True)
    off = syscalls.preemption(30, False, True)
    coop = syscalls.preemption(30, False, False)
    assert gmp_model.FORCE_PREEMPT_NS <= on["first_latency_ns"] < 30_000_000
    assert off["first_latency_ns"] > on["first_latency_ns"] + 10_000_000
    assert coop["first_latency_ns"] == on["first_latency_ns"]


def test_preemption_panel_toggle():
    p = PANELS["07:preemption"]()
    first = p.data["first_latency_ns"]
    p.set(async_preempt=False)
    assert p.data["first_latency_ns"] > first
    assert "asyncpreemptoff" in titles(p.fig)[0]


# ---- GM vs GMP -----------------------------------------------------------------------------

def test_gm_vs_gmp_four_problems():
    d = syscalls.gm_vs_gmp("GMP", 4)
    gm, gp = d["GM"], d["GMP"]
    assert gp["lock_wait_ns"] == 0 < gm["lock_wait_ns"]
    assert gp["remote_wakeups"] < gm["remote_wakeups"]
    assert gp["mcache_bytes"] == 4 * 2**21 < gm["mcache_bytes"]
    assert gp["thread_sleeps"] < gm["thread_sleeps"]
    assert gm["wakeups"] == gp["wakeups"]            # the same workload


def test_gm_vs_gmp_toggle_switches_the_gantt():
    p = PANELS["07:gm-vs-gmp"]()
    assert titles(p.fig)[0].startswith("GMP")
    p.set(model="GM")
    assert titles(p.fig)[0].startswith("GM (") and p.summary.startswith("showing GM")



def test_every_panel_builds_without_error():
    names = [k for k, f in PANELS.items() if f.__module__ == "gmpkit.widgets.syscalls"]
    assert sorted(names) == ["07:gm-vs-gmp", "07:netio", "07:preemption", "07:syscall"]
    for name in names:
        p = PANELS[name]()
        assert p.error is None, (name, p.summary)
        assert p.image.value[:4] == b"\x89PNG"
