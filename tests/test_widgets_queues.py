"""Notebook 06's panels, without a kernel: set a control, check the data and the figure.

Assertions are relations the mechanism implies (overflow moves RUNQ_SIZE/2 + 1,
a steal takes n - n/2, the global queue gets a turn every 61 schedticks ...),
not numbers copied from a run.
"""

import math

import pytest

from gmpkit.models import gmp as gmp_model
from gmpkit.widgets import PANELS, animation, queues


def titles(fig):
    return [ax.get_title() for ax in fig.axes]



# ---- overflow ------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [100, 257, 258, 300, 600])
def test_burst_overflows_move_half_the_ring_plus_one(n):
    b = queues.burst(n)
    expected = math.ceil(max(0, n - 1 - gmp_model.RUNQ_SIZE) / (gmp_model.RUNQ_SIZE // 2 + 1))
    assert b["overflows"] == expected
    assert all(x == gmp_model.RUNQ_SIZE // 2 + 1 for x in b["batches"])
    assert b["global"] == expected * queues.OVERFLOW_BATCH
    assert b["runnext"] + b["ring"] + b["global"] == n
    assert max(b["ring_len"]) <= gmp_model.RUNQ_SIZE


def test_overflow_panel_slider_changes_the_figure():
    p = PANELS["06:overflow"]()
    p.set(n=600)
    assert "600 go statements" in p.summary and "3 overflows" in p.summary
    assert "600 go statements by one G on P0" in titles(p.fig)


# ---- fairness ------------------------------------------------------------------------------

def test_global_g_runs_every_61st_schedtick_while_the_ring_is_long():
    f = queues.fairness(200)
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
    s = queues.stealing(queued)
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
    sp = queues.spinning(procs, workload)
    on, off = sp["on"], sp["off"]
    for n, busy in zip(on["spinning"], on["busy"]):
        assert n <= max(1, math.ceil(busy / 2))
    assert off["peak_spinning"] == 0, "GMP(spinning=False) has no spinning Ms"
    assert on["runnable"] == off["runnable"] > 0


def test_without_spinning_a_ping_pong_wakes_threads_for_nothing():
    sp = queues.spinning(8, "ping-pong")
    on, off = sp["on"], sp["off"]
    assert off["wakeups"] >= 2 * on["wakeups"] > 0
    # runnext: the readied G runs on its waker's P, so the woken thread finds nothing
    assert on["futile"] >= on["wakeups"] - 1 and off["futile"] >= off["wakeups"]
    assert on["latency_us"] == off["latency_us"] < 1


def test_spinning_saves_wakeups_in_bursts_and_pays_in_start_latency():
    sp = queues.spinning(8, "bursts")
    on, off = sp["on"], sp["off"]
    assert on["wakeups"] < off["wakeups"]
    assert on["latency_us"] > off["latency_us"], "the fan-out of spinners is one after another"


def test_spinning_is_a_bool_and_shows_in_describe():
    assert "spinning=False" in gmp_model.GMP(procs=2, spinning=False).describe()
    with pytest.raises(TypeError, match="spinning must be True or False"):
        gmp_model.GMP(procs=2, spinning="no")
    with pytest.raises(ValueError, match="workload must be one of"):
        queues.spinning(4, "trickle")


def test_spinning_panel_summary_follows_the_workload():
    p = PANELS["06:spinning"]()
    assert p.summary.startswith("thread wake-ups: ")
    before = p.summary
    p.set(workload="bursts: 10 x 8 go statements")
    assert p.summary != before and "wasted: 0 vs 0" in p.summary


# ---- helpers -------------------------------------------------------------------------------

def test_find_runnable_order_comes_from_the_model_in_order():
    steps = queues.find_runnable_order()
    text = " | ".join(steps).lower()
    order = [text.index(w) for w in ("timers", "every 61st", "local: runnext", "global: a batch", "network",
                                     "steal", "park")]
    assert order == sorted(order)




def test_every_panel_builds_without_error():
    names = [k for k, f in PANELS.items() if f.__module__ in (queues.__name__,
                                                              animation.__name__)]
    assert sorted(names) == ["06:animation", "06:fairness", "06:overflow", "06:spinning",
                             "06:stealing"]
    for name in names:
        p = PANELS[name]()
        assert p.error is None, (name, p.summary)
        assert p.image.value[:4] == b"\x89PNG"
