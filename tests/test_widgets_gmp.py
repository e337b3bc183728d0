"""Notebook 06's panels, without a kernel: set a control, check the data and the figure.

Assertions are relations the mechanism implies (overflow moves RUNQ_SIZE/2 + 1,
a steal takes n - n/2, the global queue gets a turn every 61 schedticks ...),
not numbers copied from a run.
"""

import math
import re

import pytest

from gmpkit.models import gmp as gmp_model
from gmpkit.widgets import PANELS
from gmpkit.widgets import gmp as gmp_panels


def titles(fig):
    return [ax.get_title() for ax in fig.axes]


# ---- the animation -------------------------------------------------------------------------

def test_animation_frames_follow_the_simulation_in_time_and_stay_capped():
    d = gmp_panels.build_frames("burst + syscalls + netio", 2)
    assert 2 < len(d["snapshots"]) <= gmp_panels.MAX_FRAMES
    assert d["times"] == sorted(d["times"])
    assert len(d["captions"]) == len(d["snapshots"]) == len(d["events"])


def test_many_frames_are_merged_to_the_cap():
    d = gmp_panels.build_frames("burst + syscalls + netio", 2, cap=10)
    full = gmp_panels.build_frames("burst + syscalls + netio", 2)
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
    d = gmp_panels.build_frames("long syscall (sysmon retake)", 2)
    i = next(k for k, ks in enumerate(d["kinds"]) if "retake" in ks)
    e = next(e for e in d["events"][i] if e.kind == "retake")
    assert f"sysmon retook P{e.p} from M{e.m}" in d["captions"][i]
    # after the retake the M in the syscall holds no P
    m = next(m for m in d["snapshots"][i]["ms"] if m["id"] == e.m)
    assert m["state"] == "syscall" and m["p"] is None


def _p_words(labels, pid):
    """The word drawn after "P<pid> " in a diagram's labels."""
    hits = [l.split("\n")[0][len(f"P{pid} "):] for l in labels if l.startswith(f"P{pid} ")]
    assert len(hits) == 1, (pid, hits)
    return hits[0]


def test_a_p_held_by_a_spinning_m_is_drawn_as_held_and_spinning_never_idle():
    """An M spins only while it holds a P (wakep/startm hand it over in nextp):
    the diagram draws that M above the P and labels the P "spinning"; a P
    handed to a thread still starting is "handed over". Every frame of every
    animation workload is checked, and the frames where it matters exist."""
    from gmpkit import plots
    checked = handed = 0
    for workload in gmp_panels.ANIMATION_WORKLOADS:
        for procs in (1, 2, 4):
            d = gmp_panels.build_frames(workload, procs)
            diagram = None
            for snap, cap in zip(d["snapshots"], d["captions"]):
                holders = {m["p"]: m for m in snap["ms"] if m["p"] is not None}
                if not any(m["state"] in ("spinning", "starting") for m in holders.values()):
                    continue
                if diagram is None:
                    diagram = plots.GMPDiagram(snap, max_ring=gmp_panels.MAX_RING)
                else:
                    diagram.update(snap)
                for pid, m in holders.items():
                    word = _p_words(diagram.labels, pid)
                    assert f"M{m['id']}\n{m['state']}" in diagram.labels
                    if m["state"] == "spinning":
                        checked += 1
                        assert word == "spinning", (workload, procs, snap["time"], pid, word)
                    elif m["state"] == "starting":
                        handed += 1
                        assert word == "handed over", (workload, procs, snap["time"], pid, word)
                if " spins" in cap:
                    assert re.search(r"M\d+ spins on P\d+", cap), cap
    assert checked > 20 and handed > 5, (checked, handed)


def test_the_frames_where_a_spinning_m_waits_for_its_thread_show_the_p_as_spinning():
    """The case from issue 9: P1 idle in the model's status while spinning M2
    (still being created) holds it in nextp."""
    from gmpkit import plots
    d = gmp_panels.build_frames("burst + syscalls + netio", 2)
    i, m = next((i, m) for i, s in enumerate(d["snapshots"]) for m in s["ms"]
                if m["state"] == "spinning" and s["ps"][m["p"]]["status"] == "idle")
    labels = plots.GMPDiagram(d["snapshots"][i], max_ring=gmp_panels.MAX_RING).labels
    assert _p_words(labels, m["p"]) == "spinning"
    assert not any(l.startswith(f"P{m['p']} idle") for l in labels)
    first = next(c for c in d["captions"] if f"M{m['id']}" in c)
    assert f"for P{m['p']}, spinning" in first, first


def test_play_is_linked_to_the_frame_slider_and_workload_change_resets_it():
    p = PANELS["06:animation"]()
    p.play.value = 3
    assert p.frame.value == 3 and p.data["frame"] == 3
    p.set(workload="network I/O (netpoller)")
    n = len(gmp_panels.build_frames("network I/O (netpoller)", 2)["snapshots"])
    assert p.frame.max == p.play.max == n - 1 and p.frame.value == 0
    assert "gmpkit-gmp-frame" in p.frame._dom_classes
    assert "gmpkit-gmp-caption" in p.caption._dom_classes


def test_netpoller_frames_show_gs_waiting_for_io():
    d = gmp_panels.build_frames("network I/O (netpoller)", 2)
    assert max(len(s["netpoll"]) for s in d["snapshots"]) == 8


def test_preemption_workload_caption_says_preempted():
    d = gmp_panels.build_frames("tight loops (preemption)", 1)
    caps = [c for c, ks in zip(d["captions"], d["kinds"]) if "preempt" in ks]
    assert caps and all("preempted" in c for c in caps)


# ---- overflow ------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [100, 257, 258, 300, 600])
def test_burst_overflows_move_half_the_ring_plus_one(n):
    b = gmp_panels.burst(n)
    expected = math.ceil(max(0, n - 1 - gmp_model.RUNQ_SIZE) / (gmp_model.RUNQ_SIZE // 2 + 1))
    assert b["overflows"] == expected
    assert all(x == gmp_model.RUNQ_SIZE // 2 + 1 for x in b["batches"])
    assert b["global"] == expected * gmp_panels.OVERFLOW_BATCH
    assert b["runnext"] + b["ring"] + b["global"] == n
    assert max(b["ring_len"]) <= gmp_model.RUNQ_SIZE


def test_overflow_panel_slider_changes_the_figure():
    p = PANELS["06:overflow"]()
    p.set(n=600)
    assert "600 go statements" in p.summary and "3 overflows" in p.summary
    assert "600 go statements by one G on P0" in titles(p.fig)


# ---- fairness ------------------------------------------------------------------------------

def test_global_g_runs_every_61st_schedtick_while_the_ring_is_long():
    f = gmp_panels.fairness(200)
    long_ring = [g for g, left in zip(f["gaps"], f["local_left_at_turn"]) if left >= 61]
    # the first gap is shorter by the ticks P0 had before the yielder first ran
    # (runtime.main's own goroutines: STARTUP_SCHEDTICKS); then every 61st tick
    assert long_ring[0] == gmp_model.GLOBAL_CHECK_EVERY - 1 - gmp_model.STARTUP_SCHEDTICKS
    assert len(long_ring) >= 2 and set(long_ring[1:]) == {gmp_model.GLOBAL_CHECK_EVERY - 1}
    assert all(g <= gmp_model.GLOBAL_CHECK_EVERY - 1 for g in f["gaps"])


def test_fairness_panel_follows_the_slider():
    p = PANELS["06:fairness"]().set(local=80)
    assert p.data["local"] == 80
    assert p.data["gaps"][0] == gmp_model.GLOBAL_CHECK_EVERY - 1 - gmp_model.STARTUP_SCHEDTICKS
    assert "80 Gs in P0's local ring" in titles(p.fig)[0]


# ---- stealing ------------------------------------------------------------------------------

@pytest.mark.parametrize("queued", [1, 2, 9, 20, 64])
def test_each_steal_takes_half_rounded_up(queued):
    s = gmp_panels.stealing(queued)
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
    sp = gmp_panels.spinning(procs, workload)
    on, off = sp["on"], sp["off"]
    for n, busy in zip(on["spinning"], on["busy"]):
        assert n <= max(1, math.ceil(busy / 2))
    assert off["peak_spinning"] == 0, "GMP(spinning=False) has no spinning Ms"
    assert on["runnable"] == off["runnable"] > 0


def test_without_spinning_a_ping_pong_wakes_threads_for_nothing():
    sp = gmp_panels.spinning(8, "ping-pong")
    on, off = sp["on"], sp["off"]
    assert off["wakeups"] >= 2 * on["wakeups"] > 0
    # runnext: the readied G runs on its waker's P, so the woken thread finds nothing
    assert on["futile"] >= on["wakeups"] - 1 and off["futile"] >= off["wakeups"]
    assert on["latency_us"] == off["latency_us"] < 1


def test_spinning_saves_wakeups_in_bursts_and_pays_in_start_latency():
    sp = gmp_panels.spinning(8, "bursts")
    on, off = sp["on"], sp["off"]
    assert on["wakeups"] < off["wakeups"]
    assert on["latency_us"] > off["latency_us"], "the fan-out of spinners is one after another"


def test_spinning_is_a_bool_and_shows_in_describe():
    assert "spinning=False" in gmp_model.GMP(procs=2, spinning=False).describe()
    with pytest.raises(TypeError, match="spinning must be True or False"):
        gmp_model.GMP(procs=2, spinning="no")
    with pytest.raises(ValueError, match="workload must be one of"):
        gmp_panels.spinning(4, "trickle")


def test_spinning_panel_summary_follows_the_workload():
    p = PANELS["06:spinning"]()
    assert p.summary.startswith("thread wake-ups: ")
    before = p.summary
    p.set(workload="bursts: 10 x 8 go statements")
    assert p.summary != before and "wasted: 0 vs 0" in p.summary


# ---- syscalls ------------------------------------------------------------------------------

def test_retake_after_a_sysmon_tick_with_work_and_after_10ms_without():
    from gmpkit.facts import sysmon_tick_ns
    tick = sysmon_tick_ns(2)          # the delivered tick: usleep(20) and then some
    short = gmp_panels.syscall_retake(10, True)
    assert not short["retaken"] and short["exit"] == "fast"
    work = gmp_panels.syscall_retake(1000, True)
    assert work["retaken"] and tick <= work["retake_after_ns"] <= 3 * tick
    assert work["handoff"] == "work"
    idle = gmp_panels.syscall_retake(5000, False)
    assert not idle["retaken"]
    late = gmp_panels.syscall_retake(25000, False)    # 10 ms + a backed-off sysmon's sleep
    assert late["retaken"] and late["retake_after_ns"] >= gmp_model.SYSCALL_RETAKE_NS


def test_syscall_panel_checkbox_changes_the_answer():
    p = PANELS["06:syscall"]().set(duration_us=5000, local_work=True)
    assert "retaken after" in p.summary
    p.set(local_work=False)
    assert "not retaken" in p.summary


def test_netio_keeps_threads_flat_syscalls_do_not():
    small, big = gmp_panels.syscall_vs_netio(2), gmp_panels.syscall_vs_netio(32)
    assert big["netio"]["peak"] == small["netio"]["peak"] <= big["procs"] + 2
    assert big["syscall"]["peak"] > small["syscall"]["peak"]


# ---- preemption ----------------------------------------------------------------------------

def test_async_preemption_bounds_the_delay_a_tight_loop_causes():
    on = gmp_panels.preemption(30, True, True)
    off = gmp_panels.preemption(30, False, True)
    coop = gmp_panels.preemption(30, False, False)
    assert gmp_model.FORCE_PREEMPT_NS <= on["first_latency_ns"] < 30_000_000
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
    d = gmp_panels.gm_vs_gmp("GMP", 4)
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
    steps = gmp_panels.find_runnable_order()
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
    header, text, live = gmp_panels.runtime_excerpt("runqgrab")
    assert not live and "recorded" in header and "n - n/2" in text and "not your machine" in text
    header, text, live = gmp_panels.struct_fields("p", {"runq"})
    assert not live and "[256]guintptr" in text


def test_every_panel_builds_without_error():
    for name in [k for k in PANELS if k.startswith("06:")]:
        p = PANELS[name]()
        assert p.error is None, (name, p.summary)
        assert p.image.value[:4] == b"\x89PNG"
