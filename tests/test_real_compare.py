"""Model vs reality: the GMP model agrees with real Go within the stated tolerances.

Every scenario with a Go mirror is compared live (when Go is installed) and on
the runs recorded in gmpkit/data/compare (always).  Where the model leaves something
out on purpose, the test checks the expected *direction* of the difference.
"""

import json

import pytest

from gmpkit.real import compare as cmp
from gmpkit.real.compare import (EXPECTED, MIRRORS, Tolerance, compare, recorded_configs,
                                 renumber_goroutines)
from gmpkit.real.testing import needs_go
from gmpkit.real.toolchain import GoUnavailable
from gmpkit.timeline import Timeline

SCENARIOS = sorted(MIRRORS)
_LIVE: dict = {}


def live(scenario, procs=2, async_preempt=True):
    """One live comparison per configuration for the whole test module (they take ~1 s each)."""
    key = (scenario, procs, async_preempt)
    if key not in _LIVE:
        _LIVE[key] = compare(scenario, procs=procs, runs=3, real="live", async_preempt=async_preempt)
    return _LIVE[key]


def recorded(scenario, procs=2, async_preempt=True):
    return compare(scenario, procs=procs, real="recorded", async_preempt=async_preempt)


def assert_agrees(c):
    assert c.ok, f"model and real Go disagree beyond the stated tolerance:\n{c!r}"


# ---- agreement, scenario by scenario ---------------------------------------------------------

@needs_go
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_model_agrees_with_live_go(scenario):
    c = live(scenario)
    assert c.mode == "live" and not c.recorded
    assert "measured on this machine" in c.source_line
    assert_agrees(c)


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("procs", [1, 2])
def test_model_agrees_with_recorded_go(scenario, procs):
    c = recorded(scenario, procs)
    assert c.mode == "recorded"
    assert "not measured on your machine" in c.source_line
    assert_agrees(c)


@pytest.mark.parametrize("procs", [1, 2])
def test_cpu_hog_without_async_preemption_agrees_on_recorded_go(procs):
    assert_agrees(recorded("cpu_hog", procs, async_preempt=False))


@needs_go
def test_cpu_hog_one_p_agrees_with_live_go_with_and_without_async_preemption():
    assert_agrees(live("cpu_hog", 1, True))
    assert_agrees(live("cpu_hog", 1, False))


# ---- expected differences, tested as directions ----------------------------------------------

def _both(scenario, procs=2, async_preempt=True):
    """The recorded comparison, and the live one when Go is here."""
    out = [recorded(scenario, procs, async_preempt)]
    if cmp.find_go_or_none() is not None:
        out.append(live(scenario, procs, async_preempt))
    return out


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if s != "ping_pong"])
def test_real_makespan_is_not_shorter_than_the_models(scenario):
    # The model leaves out GC, the OS and other programs: they only add time.
    # (Not ping_pong: its makespan is 2 x rounds x the model's switch cost, a figure
    # measured on GOMAXPROCS=1 that real Go on 2 Ps can beat; it gets a ratio band.)
    for c in _both(scenario):
        m = c.metric("makespan_ns")
        assert m.real >= 0.7 * m.sim, repr(c)
        assert set(m.expected) >= {"os"}


def test_blocking_syscalls_make_threads_and_network_waits_do_not():
    for storm, net in zip(_both("syscall_storm"), _both("netio_server")):
        for side in ("sim", "real"):
            t_storm = getattr(storm.metric("threads"), side)
            t_net = getattr(net.metric("threads"), side)
            assert t_storm > t_net, f"{side}: syscall_storm {t_storm} threads, netio {t_net}"
        assert storm.metric("threads").real >= 2 * storm.procs


def test_a_spawn_burst_fills_the_global_queue_in_both():
    for c in _both("spawn_burst"):
        m = c.metric("global_queue_peak")
        assert m.sim >= 129, "one overflow moves 128 + 1 Gs"
        assert m.real > 0, "real schedtrace shows a non-empty global queue"
        assert m.real <= m.sim * 1.5   # a 1 ms sample cannot see more than the peak (+ noise)


def test_async_preemption_shortens_the_tickers_worst_delay_in_both():
    for on, off in zip(_both("cpu_hog", 1, True), _both("cpu_hog", 1, False)):
        for side in ("sim", "real"):
            d_on = getattr(on.metric("worst_delay_ns"), side)
            d_off = getattr(off.metric("worst_delay_ns"), side)
            assert d_off > d_on, f"{side}: {d_off} ns without async preemption, {d_on} ns with"
        # without async preemption the ticker waits for the whole hog
        assert off.metric("worst_delay_ns").real >= 0.8 * off.params["hog_ms"] * 1e6


def test_channel_handoffs_need_no_new_threads():
    for c in _both("ping_pong", 1):
        assert c.metric("threads").real <= c.metric("threads").sim + 3
        assert 50 <= c.metric("handoff_ns").real <= 5000


def test_real_thread_counts_sit_above_the_models_start():
    # The model starts with M0 and sysmon; real Go has a few runtime threads first.
    for c in _both("cpu_fanout"):
        assert c.metric("threads").real >= c.metric("threads").sim
        assert "runtime_threads" in c.expected


# ---- the result object -----------------------------------------------------------------------

def test_auto_falls_back_to_recorded_data_without_go(monkeypatch):
    def no_go(*a, **k):
        raise GoUnavailable("no Go here")
    monkeypatch.setattr(cmp, "find_go", no_go)
    c = compare("spawn_burst", procs=2)
    assert c.mode == "recorded" and c.recorded
    assert "recorded on" in c.source_line and "not measured on your machine" in c.source_line
    assert "not measured on your machine" in c._repr_html_()
    with pytest.raises(GoUnavailable):
        compare("spawn_burst", real="live")


def test_table_html_plot_and_dict():
    c = recorded("cpu_fanout")
    h = c._repr_html_()
    for word in ("makespan", "threads (Ms)", "within", "Expected differences", "garbage collector"):
        assert word in h
    assert len(c.rows()) == len(c.metrics)
    assert "real/sim" in repr(c)
    fig = c.plot()
    assert "real Go / simulator" in fig.axes[0].get_title()
    d = json.loads(json.dumps(c.as_dict()))
    assert d["metrics"][0]["key"] == "makespan_ns"


def test_recorded_data_has_provenance_and_is_small():
    d = cmp.compare_dir()
    total = sum(p.stat().st_size for p in d.iterdir())
    assert total < 400_000, f"data/compare holds {total} bytes"
    assert len(recorded_configs()) >= 14
    for p in d.glob("*.json"):
        rec = json.loads(p.read_text())
        prov = rec["provenance"]
        for key in ("go_version", "os", "cpu_model", "cores", "loadavg", "date", "command"):
            assert prov.get(key), f"{p.name} lacks {key}"
        assert rec["params"] == MIRRORS[rec["scenario"]].params
        assert len(rec["runs"]) >= 3


def test_bad_requests_are_clear():
    with pytest.raises(KeyError, match="mirrored"):
        compare("lock_heavy")
    with pytest.raises(ValueError, match="auto"):
        compare("cpu_fanout", real="maybe")
    with pytest.raises(TypeError, match="work_us"):
        compare("cpu_fanout", works=3)
    with pytest.raises(FileNotFoundError, match="recorded: "):
        compare("cpu_fanout", procs=7, real="recorded")
    with pytest.raises(ValueError, match="recorded parameters"):
        compare("cpu_fanout", procs=2, real="recorded", goroutines=3)


def test_every_expected_difference_is_explained():
    for mirror in MIRRORS.values():
        for spec in mirror.metrics:
            assert all(k in EXPECTED for k in spec.expected)
            assert spec.tolerance.kind == "info" or spec.tolerance.why


def test_tolerances():
    assert Tolerance("ratio", 0.5, 2).check(10, 19) and not Tolerance("ratio", 0.5, 2).check(10, 21)
    assert Tolerance("abs", 0, 3).check(5, 8) and not Tolerance("abs", 0, 3).check(5, 9)
    assert Tolerance("at_least", 0.7).check(10, 7) and not Tolerance("at_least", 0.7).check(10, 6)
    assert Tolerance("at_most", 5, 1).check(3, 8) and not Tolerance("at_most", 5, 1).check(3, 9)
    assert Tolerance("info").check(1, 100) is None
    assert Tolerance("ratio", 0.5, 2).check(0, 0)
    assert "25 ms" in Tolerance("abs", 0, 25_000_000).describe("ns")


def test_renumbering_matches_the_simulators_goroutine_ids():
    tl = Timeline(procs=1, source="exectrace")
    tl.add_event("spawn", 10, g=40, other=1)
    tl.add_event("spawn", 20, g=37, other=1)
    tl.add_span("running", 30, 50, lane="G", p=0, g=37)
    tl.add_span("running", 0, 10, lane="G", p=0, g=1)
    tl.add_span("running", 60, 70, lane="G", p=0, g=9)   # existed before the trace
    new, mapping = renumber_goroutines(tl)
    assert mapping == {1: 1, 40: 2, 37: 3, 9: 1009}
    assert sorted(new.gs) == [1, 2, 3, 1009]
    assert [e.g for e in new.events_of("spawn")] == [2, 3]


def test_a_schedtrace_line_cut_off_at_exit_is_dropped():
    full = ("SCHED 2ms: gomaxprocs=2 idleprocs=1 threads=4 spinningthreads=0 needspinning=0 "
            "idlethreads=2 runqueue=0 [ 0 0 ] schedticks=[ 2 3 ]")
    cut = full.replace("3 ]", "")
    assert cmp._sched_lines(f"{full}\nsome program output\n{cut}") == full + "\n"
