"""Notebook 02's panels: thread stacks and guard pages, hand-off cost, the 1:1 model."""

import resource
import threading

import pytest

from gmpkit.widgets import PANELS
from gmpkit.widgets import threads as T


def test_my_stack_top_is_inside_a_mapping_of_this_process():
    # the main thread's stack grows on demand: only its top end is surely mapped
    lo, size, guard = T.my_stack()
    from gmpkit.widgets.processes import read_maps
    assert size > 0 and any(m["start"] <= lo + size - 1 < m["end"] for m in read_maps())


def test_n_threads_get_n_stacks_each_with_a_guard_page_below():
    before = threading.active_count()
    d = T.thread_stacks(3)
    assert threading.active_count() == before          # the demo threads were joined
    assert len(d["stacks"]) == 3
    assert len({s["start"] for s in d["stacks"]}) == 3   # three different stacks
    limit = resource.getrlimit(resource.RLIMIT_STACK)[0]
    for s in d["stacks"]:
        assert s["perms"].startswith("rw")
        assert s["guard_found"] and s["guard_mapped"] == s["guard_size"] == 4096
        if limit not in (resource.RLIM_INFINITY, -1):
            assert s["mapping_size"] == limit           # glibc's default = ulimit -s
        assert 0 < s["rss"] < s["mapping_size"] / 16     # only a few pages are touched
    assert d["guards"] == 3
    labels = [r[2] for r in d["regions"]]
    assert "thread 2 stack" in labels and "thread 0 guard page" in labels


def test_stack_size_control_changes_the_new_stacks_only():
    d = T.thread_stacks(2, 256 << 10)
    assert all(s["mapping_size"] == 256 << 10 for s in d["stacks"])
    assert threading.stack_size() == 0                   # restored for everyone else


def test_thread_stacks_panel_follows_the_slider():
    p = PANELS["02:thread-stacks"]()
    assert p.error is None, p.summary
    p.set(n=6)
    assert len(p.data["stacks"]) == 6
    ax_map, ax_bars = p.fig.axes[:2]
    assert len(ax_bars.get_yticklabels()) == 6
    assert ax_bars.get_title() == "Each stack: reserved vs used"
    assert p.summary.startswith("6 threads: 6 stacks")
    p.set(stack="1 MiB")
    assert all(s["mapping_size"] == 1 << 20 for s in p.data["stacks"])


def test_handoff_measures_threads_and_processes_in_the_same_ballpark():
    d = T.handoff(n=2000, repeats=2)
    assert len(d["threads_ns"]) == len(d["processes_ns"]) == 2
    # both are a wake-up plus a context switch: microseconds.  A process hand-off is not
    # much dearer than a thread one; it may even be cheaper, because two Python threads
    # also fight over one GIL (two processes have one each), so no lower bound.
    assert d["thread_ns"] > 300 and d["process_ns"] > 300
    assert d["ratio"] < 4


def test_handoff_panel_pins_and_unpins():
    import os
    before = os.sched_getaffinity(0)
    p = PANELS["02:handoff"](n=1000)
    p.set(one_cpu=True)
    assert p.error is None, p.summary
    assert p.data["one_cpu"] is True
    assert os.sched_getaffinity(0) == before
    assert "one CPU" in p.fig.axes[0].get_title()


def test_useful_fraction_formula():
    assert T.useful_fraction(100, 0) == 1
    assert T.useful_fraction(3, 1) == pytest.approx(0.75)


@pytest.mark.parametrize("slice_us,switch_us", [(10, 5), (100, 3), (1000, 10)])
def test_switch_cost_simulation_matches_s_over_s_plus_c(slice_us, switch_us):
    d = T.switch_cost(slice_us, switch_us, threads=3, work_ms=1.0)
    assert d["useful_sim"] == pytest.approx(d["useful_formula"], abs=0.02)
    assert d["switches"] > 0


def test_switch_cost_panel_smaller_slice_wastes_more():
    p = PANELS["02:switch-cost"](slice_us=1000, switch_us=5)
    big = p.data["useful_sim"]
    p.set(slice_us=20)
    small = p.data["useful_sim"]
    assert small < big
    assert p.data["switches"] > 10
    assert p.fig.axes[1].get_title() == "Switch cost C = 5 µs"
    assert p.fig.axes[1].get_xscale() == "log"
