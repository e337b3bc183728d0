"""Notebook 06's panels, without a kernel: set a control, check the data and the figure.

Assertions are relations the mechanism implies (overflow moves RUNQ_SIZE/2 + 1,
a steal takes n - n/2, the global queue gets a turn every 61 schedticks ...),
not numbers copied from a run.
"""

import math

import pytest

from gmpkit.models import gmp as M
from gmpkit.widgets import PANELS
from gmpkit.widgets import gmp as G


def titles(fig):
    return [ax.get_title() for ax in fig.axes]


# ---- the animation -------------------------------------------------------------------------

def test_animation_frames_follow_the_simulation_in_time_and_stay_capped():
    d = G.build_frames("burst + syscalls + netio", 2)
    assert 2 < len(d["snapshots"]) <= G.MAX_FRAMES
    assert d["times"] == sorted(d["times"])
    assert len(d["captions"]) == len(d["snapshots"]) == len(d["events"])


def test_many_frames_are_merged_to_the_cap():
    d = G.build_frames("burst + syscalls + netio", 2, cap=10)
    full = G.build_frames("burst + syscalls + netio", 2)
    assert len(d["snapshots"]) <= 10
    assert d["snapshots"][-1]["time"] == full["snapshots"][-1]["time"]
    assert sum(len(e) for e in d["events"]) == sum(len(e) for e in full["events"])


def test_setting_the_frame_redraws_and_the_caption_names_the_steal():
    p = PANELS["06:animation"]()
    d = p.data
    i = next(k for k, ks in enumerate(d["kinds"]) if "steal" in ks)
    steal = next(e for e in d["events"][i] if e.kind == "steal")
    before = p.image.value
    p.set(frame=i)
    assert p.frame.value == i and p.image.value != before
    assert f"P{steal.p} (M{steal.m}) stole" in p.caption.value
    assert f"from P{steal.other}" in p.summary
    # the diagram shows the thief's ring: the stolen Gs (minus the one it runs) sit there
    snap = d["snapshots"][i]
    n = int(steal.detail.split("=")[1])
    assert len(snap["ps"][steal.p]["runq"]) >= n - 1
    assert p.counts["p_boxes"] == 2


def test_caption_names_sysmon_retake_and_handoff():
    d = G.build_frames("long syscall (sysmon retake)", 2)
    i = next(k for k, ks in enumerate(d["kinds"]) if "retake" in ks)
    e = next(e for e in d["events"][i] if e.kind == "retake")
    assert f"sysmon retook P{e.p} from M{e.m}" in d["captions"][i]
    # after the retake the M in the syscall holds no P
    m = next(m for m in d["snapshots"][i]["ms"] if m["id"] == e.m)
    assert m["state"] == "syscall" and m["p"] is None


def test_play_is_linked_to_the_frame_slider_and_workload_change_resets_it():
    p = PANELS["06:animation"]()
    p.play.value = 3
    assert p.frame.value == 3 and p.data["frame"] == 3
    p.set(workload="network I/O (netpoller)")
    n = len(G.build_frames("network I/O (netpoller)", 2)["snapshots"])
    assert p.frame.max == p.play.max == n - 1 and p.frame.value == 0
    assert "gmpkit-gmp-frame" in p.frame._dom_classes
    assert "gmpkit-gmp-caption" in p.caption._dom_classes


def test_netpoller_frames_show_gs_waiting_for_io():
    d = G.build_frames("network I/O (netpoller)", 2)
    assert max(len(s["netpoll"]) for s in d["snapshots"]) == 8


def test_preemption_workload_caption_says_preempted():
    d = G.build_frames("tight loops (preemption)", 1)
    caps = [c for c, ks in zip(d["captions"], d["kinds"]) if "preempt" in ks]
    assert caps and all("preempted" in c for c in caps)


# ---- overflow ------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [100, 257, 258, 300, 600])
def test_burst_overflows_move_half_the_ring_plus_one(n):
    b = G.burst(n)
    expected = math.ceil(max(0, n - 1 - M.RUNQ_SIZE) / (M.RUNQ_SIZE // 2 + 1))
    assert b["overflows"] == expected
    assert all(x == M.RUNQ_SIZE // 2 + 1 for x in b["batches"])
    assert b["global"] == expected * G.OVERFLOW_BATCH
    assert b["runnext"] + b["ring"] + b["global"] == n
    assert max(b["ring_len"]) <= M.RUNQ_SIZE


def test_overflow_panel_slider_changes_the_figure():
    p = PANELS["06:overflow"]()
    p.set(n=600)
    assert "600 go statements" in p.summary and "3 overflows" in p.summary
    assert "600 go statements by one G on P0" in titles(p.fig)


# ---- fairness ------------------------------------------------------------------------------

def test_global_g_runs_every_61st_schedtick_while_the_ring_is_long():
    f = G.fairness(200)
    long_ring = [g for g, left in zip(f["gaps"], f["local_left_at_turn"]) if left >= 61]
    # the first gap is shorter by the ticks P0 had before the yielder first ran
    # (runtime.main's own goroutines: STARTUP_SCHEDTICKS); then every 61st tick
    assert long_ring[0] == M.GLOBAL_CHECK_EVERY - 1 - M.STARTUP_SCHEDTICKS
    assert len(long_ring) >= 2 and set(long_ring[1:]) == {M.GLOBAL_CHECK_EVERY - 1}
    assert all(g <= M.GLOBAL_CHECK_EVERY - 1 for g in f["gaps"])


def test_fairness_panel_follows_the_slider():
    p = PANELS["06:fairness"]().set(local=80)
    assert p.data["local"] == 80
    assert p.data["gaps"][0] == M.GLOBAL_CHECK_EVERY - 1 - M.STARTUP_SCHEDTICKS
    assert "80 Gs in P0's local ring" in titles(p.fig)[0]


# ---- stealing ------------------------------------------------------------------------------

@pytest.mark.parametrize("queued", [1, 2, 9, 20, 64])
def test_each_steal_takes_half_rounded_up(queued):
    s = G.stealing(queued)
    assert s["steals"]
    first = s["first"]
    assert first["victim"] == 0 and first["before"] == queued
    for st in s["steals"]:
        if st["before"]:
            assert st["taken"] == st["before"] - st["before"] // 2
        else:
            assert st["taken"] == 1            # the victim's runnext, on the last pass
    assert sum(s["ran_per_p"]) == queued + 1


def test_stealing_panel_summary_follows_the_slider():
    p = PANELS["06:stealing"]().set(queued=20)
    assert "took 10 of P0's 20" in p.summary


# ---- spinning ------------------------------------------------------------------------------

@pytest.mark.parametrize("workload", ["ping-pong", "bursts"])
@pytest.mark.parametrize("procs", [2, 4, 8])
def test_spinning_ms_stay_under_half_the_busy_ps(procs, workload):
    sp = G.spinning(procs, workload)
    on, off = sp["on"], sp["off"]
    for n, busy in zip(on["spinning"], on["busy"]):
        assert n <= max(1, math.ceil(busy / 2))
    assert off["peak_spinning"] == 0, "GMP(spinning=False) has no spinning Ms"
    assert on["runnable"] == off["runnable"] > 0


def test_without_spinning_a_ping_pong_wakes_threads_for_nothing():
    sp = G.spinning(8, "ping-pong")
    on, off = sp["on"], sp["off"]
    assert off["wakeups"] >= 2 * on["wakeups"] > 0
    # runnext: the readied G runs on its waker's P, so the woken thread finds nothing
    assert on["futile"] >= on["wakeups"] - 1 and off["futile"] >= off["wakeups"]
    assert on["latency_us"] == off["latency_us"] < 1


def test_spinning_saves_wakeups_in_bursts_and_pays_in_start_latency():
    sp = G.spinning(8, "bursts")
    on, off = sp["on"], sp["off"]
    assert on["wakeups"] < off["wakeups"]
    assert on["latency_us"] > off["latency_us"], "the fan-out of spinners is one after another"


def test_spinning_is_a_bool_and_shows_in_describe():
    assert "spinning=False" in M.GMP(procs=2, spinning=False).describe()
    with pytest.raises(TypeError, match="spinning must be True or False"):
        M.GMP(procs=2, spinning="no")
    with pytest.raises(ValueError, match="workload must be one of"):
        G.spinning(4, "trickle")


def test_spinning_panel_summary_follows_the_workload():
    p = PANELS["06:spinning"]()
    assert p.summary.startswith("thread wake-ups: ")
    before = p.summary
    p.set(workload="bursts: 10 x 8 go statements")
    assert p.summary != before and "wasted: 0 vs 0" in p.summary


# ---- syscalls ------------------------------------------------------------------------------

def test_retake_after_a_sysmon_tick_with_work_and_after_10ms_without():
    tick = M.SYSMON_MIN_US * 1000
    short = G.syscall_retake(10, True)
    assert not short["retaken"] and short["exit"] == "fast"
    work = G.syscall_retake(1000, True)
    assert work["retaken"] and tick <= work["retake_after_ns"] <= 3 * tick
    assert work["handoff"] == "work"
    idle = G.syscall_retake(5000, False)
    assert not idle["retaken"]
    late = G.syscall_retake(15000, False)
    assert late["retaken"] and late["retake_after_ns"] >= M.SYSCALL_RETAKE_NS


def test_syscall_panel_checkbox_changes_the_answer():
    p = PANELS["06:syscall"]().set(duration_us=5000, local_work=True)
    assert "retaken after" in p.summary
    p.set(local_work=False)
    assert "not retaken" in p.summary


def test_netio_keeps_threads_flat_syscalls_do_not():
    small, big = G.syscall_vs_netio(2), G.syscall_vs_netio(32)
    assert big["netio"]["peak"] == small["netio"]["peak"] <= big["procs"] + 2
    assert big["syscall"]["peak"] > small["syscall"]["peak"]


# ---- preemption ----------------------------------------------------------------------------

def test_async_preemption_bounds_the_delay_a_tight_loop_causes():
    on = G.preemption(30, True, True)
    off = G.preemption(30, False, True)
    coop = G.preemption(30, False, False)
    assert M.FORCE_PREEMPT_NS <= on["first_latency_ns"] < 30_000_000
    assert off["first_latency_ns"] > on["first_latency_ns"] + 10_000_000
    assert coop["first_latency_ns"] == on["first_latency_ns"]


def test_preemption_panel_toggle():
    p = PANELS["06:preemption"]()
    first = p.data["first_latency_ns"]
    p.set(async_preempt=False)
    assert p.data["first_latency_ns"] > first
    assert "asyncpreemptoff" in titles(p.fig)[0]


# ---- GM vs GMP -----------------------------------------------------------------------------

def test_gm_vs_gmp_four_problems():
    d = G.gm_vs_gmp("GMP", 4)
    gm, gp = d["GM"], d["GMP"]
    assert gp["lock_wait_ns"] == 0 < gm["lock_wait_ns"]
    assert gp["remote_wakeups"] < gm["remote_wakeups"]
    assert gp["mcache_bytes"] == 4 * 2**21 < gm["mcache_bytes"]
    assert gp["thread_sleeps"] < gm["thread_sleeps"]
    assert gm["wakeups"] == gp["wakeups"]            # the same workload


def test_gm_vs_gmp_toggle_switches_the_gantt():
    p = PANELS["06:gm-vs-gmp"]()
    assert titles(p.fig)[0].startswith("GMP")
    p.set(model="GM")
    assert titles(p.fig)[0].startswith("GM (") and p.summary.startswith("showing GM")


# ---- helpers -------------------------------------------------------------------------------

def test_find_runnable_order_comes_from_the_model_in_order():
    steps = G.find_runnable_order()
    text = " | ".join(steps).lower()
    order = [text.index(w) for w in ("timers", "every 61st", "local: runnext", "global: a batch", "network",
                                     "steal", "park")]
    assert order == sorted(order)


def test_runtime_excerpt_falls_back_with_a_label(monkeypatch):
    import gmpkit.real.toolchain as tc

    def no_go(*a, **k):
        raise tc.GoUnavailable("no go")

    monkeypatch.setattr(tc, "runtime_source_lines", no_go)
    monkeypatch.setattr(tc, "find_go", no_go)
    header, text, live = G.runtime_excerpt("runqgrab")
    assert not live and "recorded" in header and "n - n/2" in text and "not your machine" in text
    header, text, live = G.struct_fields("p", {"runq"})
    assert not live and "[256]guintptr" in text


def test_every_panel_builds_without_error():
    for name in [k for k in PANELS if k.startswith("06:")]:
        p = PANELS[name]()
        assert p.error is None, (name, p.summary)
        assert p.image.value[:4] == b"\x89PNG"
