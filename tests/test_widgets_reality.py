"""Notebook 07's panels: simulator vs real Go, without a kernel.

The recorded path is tested by making the toolchain look absent; the live path
(when Go is installed) only checks what holds on any machine.
"""

import pytest

from gmpkit.real import compare as cmp
from gmpkit.real.testing import needs_go
from gmpkit.real.toolchain import GoUnavailable
from gmpkit.widgets import PANELS
from gmpkit.widgets import reality as R


@pytest.fixture
def no_go(monkeypatch):
    def absent(*_a, **_k):
        raise GoUnavailable("pretend Go is not installed")
    monkeypatch.setattr(cmp, "find_go", absent)
    R.clear_cache()
    yield
    R.clear_cache()


def test_panels_are_registered():
    assert {"08:gantt", "08:schedtrace", "08:compare"} <= set(PANELS)


def test_gantt_panel_on_recorded_data_says_so_and_colours_alike(no_go):
    p = R.gantt_panel(scenario="cpu_fanout", procs=2)
    assert p.error is None, p.summary
    d = p.data
    assert d["mode"] == "recorded" and "recorded" in p.summary
    assert "not measured on your machine" in p.fig._suptitle.get_text()
    # goroutines renumbered like the simulator's: main 1, workers 2..9
    assert d["sim_gs"] == list(range(2, 10))
    assert set(range(2, 10)) <= set(d["real_gs"])
    titles = [ax.get_title() for ax in p.fig.axes]
    assert any("simulator" in t for t in titles) and any("real Go" in t for t in titles)
    p.set(scenario="cpu_hog", procs=1)
    assert p.error is None and p.data["scenario"] == "cpu_hog"


def test_schedtrace_panel_shows_the_global_queue_in_both(no_go):
    p = R.schedtrace_panel(scenario="spawn_burst", procs=2)
    assert p.error is None, p.summary
    d = p.data
    assert d["sim_peak_runqueue"] >= 129 and d["real_peak_runqueue"] > 0
    assert d["real_samples"] >= 3
    # every series spans its run: a thread count that never changes is a line across
    # the run, not one point on a 0-0.0005 ms axis
    for who in ("real", "sim"):
        for name in ("threads", "runqueue"):
            t, v = d["series"][(who, name)]
            assert len(t) >= 2 and t[-1] == d[f"{who}_end_ns"] >= 1_000_000, (who, name, t)
    assert p.fig.axes[1].get_xlim()[1] >= 1.0        # the threads plot, in ms
    text = R.schedtrace_side_by_side(d["comparison"], lines=4)
    assert text.count("SCHED") == 8 and "gomaxprocs=2" in text


def test_compare_panel_verdicts_and_async_switch(no_go):
    p = R.compare_panel(scenario="cpu_hog", procs=1)
    assert p.error is None, p.summary
    on = p.data["metrics"]["worst_delay_ns"]
    assert p.data["ok"] and "outside" not in p.data["verdicts"].values()
    assert set(p.data["verdicts"].values()) <= set(cmp.VERDICTS)
    # the figure draws the metrics the summary counts, each with its verdict
    ax = p.fig.axes[0]
    assert len(ax.get_xticklabels()) == len(p.data["plotted"])
    judged = p.data["counts"]["within"] + p.data["counts"]["outside"]
    assert f"of {judged} judged" in ax.get_title() and f"of {judged} judged" in p.summary
    p.set(async_preempt=False)
    off = p.data["metrics"]["worst_delay_ns"]
    assert p.data["async_preempt"] is False
    assert off[0] > on[0] and off[1] > on[1]      # sim and real: the hog delays the ticker more
    assert "asyncpreemptoff" in p.summary


def test_p_view_keeps_only_running_spans():
    c = cmp.compare("syscall_storm", procs=2, real="recorded")
    v = R.p_view(c.real_timeline)
    assert {s.state for s in v.spans} == {"running"}
    assert all(s.p in (0, 1) for s in v.spans)


@needs_go
def test_live_panel_measures_here():
    R.clear_cache()
    p = R.compare_panel(scenario="spawn_burst", procs=2)
    assert p.error is None, p.summary
    assert p.data["mode"] == "live" and "live" in p.summary
