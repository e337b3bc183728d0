"""Notebook 03's panels: goroutine memory, creation, hand-off, stack growth.

With Go installed the panels run the course's Go programs; the recorded-data
path is tested by making the toolchain look absent.  Timing assertions are
ratios with wide margins.
"""

import pytest

from gmpkit.real.toolchain import GoUnavailable
from gmpkit.widgets import PANELS
from gmpkit.widgets import goroutines as goroutine_panels


def _has_go():
    try:
        goroutine_panels.find_go()
        return True
    except GoUnavailable:
        return False


needs_go = pytest.mark.skipif(not _has_go(), reason="no Go toolchain")


@pytest.fixture
def no_go(monkeypatch):
    def absent(*_a, **_k):
        raise GoUnavailable("pretend Go is not installed")
    monkeypatch.setattr(goroutine_panels, "find_go", absent)


@needs_go
def test_memory_panel_measures_a_goroutine_in_kilobytes_and_a_thread_in_megabytes():
    p = PANELS["03:goroutine-memory"](n=5000)
    assert p.error is None, p.summary
    d = p.data
    assert not d["recorded"] and d["measured_n"] == 5000
    assert 1900 <= d["goroutine"]["stack"] <= 8192        # about the 2 KiB minimum (span accounting blurs it)
    assert d["goroutine"]["sys"] > d["goroutine"]["stack"]  # the g struct and friends cost extra
    assert d["thread_virtual"] > 100 * d["goroutine"]["sys"]
    assert d["thread_resident"] < d["thread_virtual"] / 16
    p.set(n=2000)
    assert p.data["n"] == 2000 and p.fig.axes[1].get_title() == "2,000 of them"
    assert "measured here" in p.summary


def test_memory_panel_without_go_says_recorded(no_go):
    p = goroutine_panels.memory_panel(n=3000)
    assert p.error is None, p.summary
    assert p.data["recorded"]
    assert "not measured on your machine" in p.summary
    assert "recorded on" in p.fig._suptitle.get_text()
    assert p.data["goroutine"]["stack"] >= 1900


@needs_go
def test_create_panel_orders_goroutine_thread_process():
    p = PANELS["03:create"]()
    assert p.error is None, p.summary
    ns = p.data["ns"]
    g, t, _py, fk = (ns[k] for k in goroutine_panels.CREATE_OPS)
    assert t > 10 * g            # an OS thread costs far more than a goroutine
    assert fk > t                # and a process more than a thread
    p.set(gomaxprocs=2)
    assert p.data["gomaxprocs"] == 2
    assert p.fig.axes[0].get_xscale() == "log"


@needs_go
def test_handoff_goroutines_are_much_cheaper_than_threads():
    d = goroutine_panels.handoffs(gomaxprocs=1, repeats=2)
    g, locked, py = (d["ns"][k] for k in goroutine_panels.HANDOFF_OPS)
    assert locked > 3 * g
    assert py > 3 * g
    assert d["locked_over_goroutine"] == pytest.approx(locked / g)


def test_handoff_panel_without_go_uses_recorded_pingpong(no_go):
    p = goroutine_panels.handoff_panel(gomaxprocs=2)
    assert p.error is None, p.summary
    from gmpkit.real.measure import load_recorded
    t = load_recorded()
    assert p.data["ns"][goroutine_panels.HANDOFF_OPS[0]] == t.median("go.handoff.p2")
    assert "recorded on" in p.fig.axes[0].get_title()


@needs_go
def test_stack_growth_doubles_from_2k():
    p = PANELS["03:stack-growth"](depth=500)
    assert p.error is None, p.summary
    moves = p.data["moves"]
    assert moves, "a 500-deep recursion must outgrow 2 KiB"
    assert moves[0]["stack_bytes"] == 4096
    for a, b in zip(moves, moves[1:]):
        assert b["stack_bytes"] == 2 * a["stack_bytes"] and b["depth"] > a["depth"]
    assert all(m["used_bytes"] <= m["stack_bytes"] for m in moves)
    few = len(moves)
    p.set(depth=5000)
    assert len(p.data["moves"]) > few
    assert "copies by runtime.newstack" in p.fig.axes[0].get_title()


def test_stack_growth_without_go_cuts_the_recording_at_the_depth(no_go):
    d = goroutine_panels.stack_growth(depth=100)
    assert d["recorded"] and all(m["depth"] <= 100 for m in d["moves"])
    assert len(goroutine_panels.stack_growth(depth=20000)["moves"]) > len(d["moves"])


@needs_go
def test_like_for_like_a_bare_futex_thread_hand_off_costs_more_but_less_than_the_locked_path():
    """futexpingpong (two threads, raw futex, no Go scheduler) vs channel ping-pong;
    pingpong -locked also moves the P each turn, so it costs more than the bare one."""
    d = goroutine_panels.like_for_like(repeats=3)
    assert not d["recorded"] and d["source"] == "both measured here"
    assert d["futex_ns"] > 2 * d["goroutine_ns"]          # the kernel's wake-up and switch
    locked = goroutine_panels.handoffs(1, repeats=3)["ns"][goroutine_panels.HANDOFF_OPS[1]]
    assert d["futex_ns"] < locked                          # no P hand-off on the bare path


def test_like_for_like_without_go_uses_the_c_reference(no_go):
    d = goroutine_panels.like_for_like()
    assert d["recorded"] and d["futex_ns"] == goroutine_panels.C_PTHREAD_HANDOFF_NS["futex"]
    assert "recorded" in d["source"] and d["ratio"] == d["futex_ns"] / d["goroutine_ns"]
