"""Model vs reality: the GMP model agrees with real Go within two-sided bands.

The bands are enforced on the medians of the runs recorded in gmpkit/data/compare
(at least 5 per configuration, on the course's 2-core machine), and each band
is shown able to fail: the same comparison with the model broken on purpose
(sysmon's uncalibrated 20 µs tick) is reported "outside".  Live runs (when Go
is installed) vary with the machine's load, so they are checked for what holds
on any machine: every metric gets a verdict, and every "outside" says why.
"""

import json

import pytest

from gmpkit.real import compare as cmp
from gmpkit.real.compare import (EXPECTED, MIRRORS, VERDICTS, Band, Comparison, Metric, band,
                                 compare, not_modelled, recorded_configs, renumber_goroutines,
                                 share)
from gmpkit.real.testing import needs_go
from gmpkit.real.toolchain import GoUnavailable
from gmpkit.timeline import Timeline

SCENARIOS = sorted(MIRRORS)
CONFIGS = [(s, p, True) for s in SCENARIOS for p in (1, 2)] + [("cpu_hog", 1, False),
                                                                ("cpu_hog", 2, False)]
# short_syscalls on one P was a known disagreement while every simulated sleep lasted
# exactly the median overshoot: the model made no thread beyond the 3 real Go had at
# the start, real Go made a 4th in every run. With fixed sleeps, two Ms settle into
# taking the P back from each other (exitsyscall's oldp path); between one M's syscall
# entry and the other's return the P sits in a syscall for 63 or 85 µs, each shorter
# than sysmon's 87.6 µs tick, so retake never sees one syscall on two rounds and no
# further M is needed. Real sleeps vary (the recorded trace: 100 µs nanosleeps took
# 128-203 µs; the 4th thread came after one took 203 µs): one long sleep opens a
# window of two ticks. The model now draws each overshoot from the measured spread
# (the calibration's usleep_overshoot_quantiles_ns) and takes the median of 7 seeds.
_LIVE: dict = {}
_REC: dict = {}


def live(scenario, procs=2, async_preempt=True):
    """One live comparison per configuration for the whole test module."""
    key = (scenario, procs, async_preempt)
    if key not in _LIVE:
        _LIVE[key] = compare(scenario, procs=procs, runs=5, real="live", async_preempt=async_preempt)
    return _LIVE[key]


def recorded(scenario, procs=2, async_preempt=True, **sim_costs):
    key = (scenario, procs, async_preempt, tuple(sorted(sim_costs.items())))
    if key not in _REC:
        _REC[key] = compare(scenario, procs=procs, real="recorded", async_preempt=async_preempt,
                            sim_costs=sim_costs or None)
    return _REC[key]


def uncalibrated(scenario, procs):
    """The model as it was before calibration: sysmon wakes exactly every 20 µs and a
    nanosleep syscall lasts exactly what it asks for."""
    return recorded(scenario, procs, **cmp.uncalibrated_costs())


# ---- agreement on the recorded runs: every band, on the medians ----------------------------

@pytest.mark.parametrize("scenario,procs,async_preempt", CONFIGS)
def test_model_agrees_with_recorded_go_within_every_band(scenario, procs, async_preempt):
    c = recorded(scenario, procs, async_preempt)
    assert c.mode == "recorded" and c.runs >= 5
    assert "not measured on your machine" in c.source_line
    outside = [m for m in c.metrics if m.verdict == "outside"]
    assert not outside, f"model and real Go disagree beyond a band:\n{c!r}"


@pytest.mark.parametrize("scenario,procs", [(s, p) for s in SCENARIOS for p in (1, 2)])
def test_thread_counts_and_makespans_are_within_x1_5_or_the_load_is_measured(scenario, procs):
    # The goal of issue 9: thread counts and makespans within x1.5 of the real
    # median, for every scenario and GOMAXPROCS in {1, 2}. Thread counts are always
    # judged. A makespan is judged unless the recorded runs measurably lost more than
    # QUIET_WAIT_SHARE of their ready time waiting for a CPU; then it is "not modelled" (never
    # "within"), and that can only come from the measured load, not from a band.
    c = recorded(scenario, procs)
    m = c.metric("threads")
    assert m.band.kind == "ratio" and m.band.hi <= 1.5 and m.band.lo >= 1 / 1.5
    assert m.verdict == "within" and 1 / 1.5 <= m.sim / m.real <= 1.5, repr(c)
    m = c.metric("makespan_ns")
    if m.verdict == "not modelled":
        assert c.metric("os_wait_share").real > cmp.QUIET_WAIT_SHARE, repr(c)
        assert "a judged run may wait" in m.band.why
    else:
        assert m.verdict == "within" and 1 / 1.5 <= m.sim / m.real <= 1.5, repr(c)


def test_a_loaded_machine_turns_times_into_not_modelled_never_into_within(monkeypatch):
    monkeypatch.setattr(cmp, "QUIET_WAIT_SHARE", 1.0)      # no run counts as loaded
    judged = compare("ping_pong", procs=1, real="recorded")
    assert judged.metric("handoff_ns").verdict == "within"
    monkeypatch.setattr(cmp, "QUIET_WAIT_SHARE", -1.0)     # every run now counts as loaded
    c = compare("ping_pong", procs=1, real="recorded")
    for m in c.metrics:
        if m.unit == "ns":
            assert m.verdict == "not modelled" and "a judged run may wait" in m.why
    assert not any(m.unit != "ns" and "a judged run may wait" in m.why for m in c.metrics)
    assert c.metric("threads").verdict == "within"          # counts are still judged
    assert c.counts()["within"] < judged.counts()["within"]


@pytest.mark.parametrize("procs", [1, 2])
def test_a_short_syscall_workload_the_model_was_not_tuned_on_lands_within_x1_33(procs):
    c = recorded("short_syscalls", procs)
    m = c.metric("threads")
    assert m.band.hi <= 1.33 + 1e-9
    assert 1 / 1.33 <= m.sim / m.real <= 1.33, repr(c)
    assert m.real > 2 * procs          # the workload does make threads: the test has teeth
    # the simulated side is a median over seeds, each drawing its own sleeps
    assert c.costs["sleep_overshoot"] and len(m.sim_samples) == len(cmp.SIM_SEEDS) >= 5
    assert m.sim == sorted(m.sim_samples)[len(m.sim_samples) // 2]


def test_sleeps_without_spread_or_with_far_too_much_fall_outside_x1_33_on_one_p():
    spread = recorded("short_syscalls", 1).costs["sleep_overshoot"]
    # every sleep exactly the median (the model before): too few threads
    fixed = recorded("short_syscalls", 1, sleep_overshoot=None).metric("threads")
    assert fixed.verdict == "outside" and fixed.sim < fixed.real and fixed.sim_samples == [3]
    # a fifth of the sleeps a millisecond late (a loaded machine's CPU waits, which the
    # recording protocol keeps out): too many
    wide = tuple(spread[:40]) + (1_000_000,) * 10
    many = recorded("short_syscalls", 1, sleep_overshoot=wide).metric("threads")
    assert many.verdict == "outside" and many.sim > many.real, many


def test_the_spread_is_recorded_with_its_provenance_and_drawn_from():
    for s, p, a in CONFIGS:
        c = recorded(s, p, a)
        q = c.calibration[cmp.SPREAD_KEY]
        assert len(q) == 50 and q == sorted(q) and all(x >= 0 for x in q)
        # centred on the median measured with the runs (one thread alone)
        assert abs(q[24] - c.calibration["usleep_overhead_ns"]) < 10_000
        assert q[-1] - q[0] > 1_000                                  # a real spread
        assert "usleep.go" in c.calibration.get("usleep_overshoot_how", cmp.CALIBRATION_HOW)
        assert c.costs["sleep_overshoot"] == tuple(q)
        assert c.sim_run.model.sleep_overshoot == tuple(q)
        if cmp.MIRRORS[s].sleep_syscalls:
            assert c.sim_run.model.sleep_syscalls
    # old recordings (median only) still compare, with fixed sleeps and one seed
    old = cmp.calibrated_costs("short_syscalls", {"usleep_overhead_ns": 67_000})
    assert "sleep_overshoot" not in old and cmp.sim_seeds(old) == (0,)
    assert old["sleep_syscalls"] and old["usleep_overhead_ns"] == 67_000


def test_recorded_medians_are_of_at_least_five_runs_with_the_calibration():
    for s, p, a in CONFIGS:
        c = recorded(s, p, a)
        assert c.runs >= 5
        for m in c.metrics:
            if m.key in ("threads", "makespan_ns"):
                assert len(m.samples) == c.runs >= 5
        # the simulator ran with the sleep overshoot and the hand-off measured with these runs
        assert 30_000 <= c.calibration["usleep_overhead_ns"] <= 200_000
        assert c.costs["usleep_overhead_ns"] == c.calibration["usleep_overhead_ns"]
        assert 30 <= c.costs["goroutine_switch_ns"] == c.calibration["goroutine_switch_ns"] <= 5000


# ---- a band that cannot fail is no band: break the model and watch it fail -----------------

@pytest.fixture
def judge_all(monkeypatch):
    """Judge every time too, however loaded the recorded runs were (the bands' teeth are
    tested here, not the load rule)."""
    monkeypatch.setattr(cmp, "QUIET_WAIT_SHARE", 1.0)


def test_the_uncalibrated_20us_tick_is_caught_outside_the_thread_band():
    # syscall_storm on 2 Ps: the 20 µs tick makes far too many threads (issue 9: 22 vs 11-14)
    bad, good = uncalibrated("syscall_storm", 2), recorded("syscall_storm", 2)
    assert bad.metric("threads").verdict == "outside", repr(bad)
    assert good.metric("threads").verdict == "within", repr(good)
    assert bad.metric("threads").sim > good.metric("threads").sim > 0
    # on 1 P it errs the same way, but less than the x1.5 band can see
    assert uncalibrated("syscall_storm", 1).metric("threads").sim > \
        recorded("syscall_storm", 1).metric("threads").sim


# (syscall_storm on two Ps is caught by its thread count instead: recorded on a quiet machine,
# its uncalibrated makespan lands just inside the band, sim/real 0.68)
@pytest.mark.parametrize("scenario,procs", [("syscall_storm", 1), ("short_syscalls", 1),
                                            ("short_syscalls", 2)])
def test_the_uncalibrated_model_is_outside_on_makespan_where_the_calibrated_one_is_within(
        judge_all, scenario, procs):
    bad = compare(scenario, procs=procs, real="recorded", sim_costs=cmp.uncalibrated_costs())
    good = compare(scenario, procs=procs, real="recorded")
    assert bad.metric("makespan_ns").verdict == "outside", repr(bad)
    assert good.metric("makespan_ns").verdict == "within", repr(good)
    assert bad.metric("makespan_ns").sim < good.metric("makespan_ns").sim   # too fast before


def test_a_wrong_switch_cost_is_caught_by_the_handoff_band(judge_all):
    wrong = 3 * recorded("ping_pong", 1).costs["goroutine_switch_ns"]
    c = compare("ping_pong", procs=1, real="recorded", sim_costs={"goroutine_switch_ns": wrong})
    assert c.metric("handoff_ns").verdict == "outside"
    assert compare("ping_pong", procs=1, real="recorded").metric("handoff_ns").verdict == "within"


# ---- verdicts and bands: honest names, no escape clauses -----------------------------------

def test_band_verdicts_are_two_sided():
    b = band(1.5)
    assert [b.verdict(10, r) for r in (6, 7, 10, 15, 16)] == \
        ["outside", "within", "within", "within", "outside"]   # sim 10 vs real 6 .. 16
    assert b.verdict(0, 0) == "within" and b.verdict(0, 3) == "outside"
    assert b.verdict([1, 2], [1, 2]) == "shown" and b.verdict(None, 3) == "shown"
    with pytest.raises(ValueError, match="factor"):
        band(0.7)
    assert share(0.1).verdict(0.5, 0.59) == "within" and share(0.1).verdict(0.5, 0.61) == "outside"
    assert "÷× 1.5" in b.describe() and "≤ 1" in share(1).describe()


def test_an_absolute_band_as_wide_as_its_values_cannot_say_within():
    # |sim - real| <= 10 would accept 0 vs 9 preemptions: such a band judges nothing
    assert share(10).verdict(0, 9) == "outside"
    assert share(1).verdict(2, 3) == "within"


def test_not_modelled_is_never_within_and_never_counted_as_agreeing():
    b = not_modelled("os")
    assert b.verdict(5, 5) == "not modelled" and b.check(5, 5) is None
    ms = [Metric("a", "a", "", 1, 1, band(1.5), band(1.5).verdict(1, 1)),
          Metric("b", "b", "", 1, 1, b, b.verdict(1, 1))]
    c = Comparison("cpu_fanout", 1, True, {}, ms, "recorded", {}, None, None, "", 5)
    assert [m.key for m in c.judged] == ["a"] and c.counts()["within"] == 1
    assert c.counts()["not modelled"] == 1 and "1 of 1 judged" in c.summary()
    assert "1 not modelled" in c.summary()


def test_no_band_has_an_escape_clause_and_every_band_says_why():
    # (why_template/why_args only let a "why" built from figures be said in Chinese)
    assert set(Band.__dataclass_fields__) == {"kind", "lo", "hi", "why", "width", "expected",
                                              "why_template", "why_args"}
    for mirror in MIRRORS.values():
        for spec in mirror.metrics:
            assert all(k in EXPECTED for k in spec.expected)
            bands = [spec.band] if isinstance(spec.band, Band) else list(spec.band.values())
            for b in bands:
                assert b.kind in ("ratio", "abs", "not_modelled", "info")
                assert b.why, (mirror.scenario, spec.key)
                if b.kind == "ratio":
                    assert b.lo <= 1 <= b.hi and b.hi <= 2 and b.lo >= 0.5
                if b.kind == "not_modelled":
                    assert b.expected in EXPECTED


def test_recorded_absolute_bands_are_narrower_than_what_they_judge():
    for s, p, a in CONFIGS:
        for m in recorded(s, p, a).metrics:
            if m.band.kind == "abs" and m.verdict == "within":
                assert m.band.width < max(abs(m.real), abs(m.sim))


def test_every_metric_is_judged_or_says_why_not():
    for s, p, a in CONFIGS:
        c = recorded(s, p, a)
        for m in c.metrics:
            assert m.verdict in VERDICTS
            if m.verdict in ("not modelled", "shown"):
                assert m.band.why
        # thread counts are never waved through as "not modelled"; times only by the load rule
        assert all(m.key != "threads" for m in c.not_modelled)
        for m in c.not_modelled:
            if "a judged run may wait" in m.why:
                assert c.metric("os_wait_share").real > cmp.QUIET_WAIT_SHARE


# ---- expected differences, as directions -----------------------------------------------------

def _both(scenario, procs=2, async_preempt=True):
    """The recorded comparison, and the live one when Go is here."""
    out = [recorded(scenario, procs, async_preempt)]
    if cmp.find_go_or_none() is not None:
        out.append(live(scenario, procs, async_preempt))
    return out


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS
                                      if s not in ("ping_pong", "short_syscalls")])
@pytest.mark.parametrize("procs", [1, 2])
def test_real_makespan_is_not_shorter_than_the_models(scenario, procs):
    # The model leaves out GC, the OS and other programs: they only add time, and the
    # mirrors' compute loops are calibrated on their fastest try. (Not ping_pong: its
    # makespan is 2 x rounds x a measured switch cost, which real Go on 2 Ps can beat; not
    # short_syscalls: its makespan is mostly the model's measured thread wake-up and
    # creation costs, which can err either way, and its band is two-sided.)
    m = recorded(scenario, procs).metric("makespan_ns")
    assert m.real >= m.sim, (m.sim, m.real)
    assert {"os"} <= set(m.expected)


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


# ---- live runs: verdicts shown, and explained -------------------------------------------------

@needs_go
@pytest.mark.parametrize("scenario", ["syscall_storm", "short_syscalls", "cpu_fanout"])
def test_live_comparison_gives_every_metric_a_verdict_and_explains_outside_ones(scenario):
    c = live(scenario)
    assert c.mode == "live" and not c.recorded and c.runs == 5
    assert "measured on this machine" in c.source_line
    assert 30_000 <= c.costs["usleep_overhead_ns"] <= 200_000      # measured here, now
    assert all(m.verdict in VERDICTS for m in c.metrics)
    why = c.explain()
    for m in c.outside:
        assert any(x.startswith(m.label + ": outside") for x in why)
    share_lost = c.metric("os_wait_share")
    assert share_lost.verdict == "not modelled" and 0 <= share_lost.real <= 1


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
    for word in ("makespan", "threads (Ms)", "within", "Expected differences", "garbage collector",
                 "usleep(20)"):
        assert word in h
    assert len(c.rows()) == len(c.metrics)
    assert "sim/real" in repr(c)
    fig = c.plot()
    ax = fig.axes[0]
    # one marker per plotted metric, and the title counts the same metrics
    assert len(ax.get_xticklabels()) == len(c.plotted())
    assert f"of {len(c.judged)} judged" in ax.get_title()
    d = json.loads(json.dumps(c.as_dict()))
    assert d["metrics"][0]["key"] == "makespan_ns" and d["metrics"][0]["verdict"] in VERDICTS


def test_recorded_data_has_provenance_and_is_small():
    d = cmp.compare_dir()
    total = sum(p.stat().st_size for p in d.iterdir())
    assert total < 400_000, f"data/compare holds {total} bytes"
    assert set(recorded_configs()) >= set(CONFIGS)
    for p in d.glob("*.json"):
        rec = json.loads(p.read_text())
        prov = rec["provenance"]
        for key in ("go_version", "os", "cpu_model", "cores", "loadavg", "date", "command"):
            assert prov.get(key), f"{p.name} lacks {key}"
        assert rec["params"] == MIRRORS[rec["scenario"]].params
        assert len(rec["runs"]) >= 5
        assert rec["calibration"]["how"] and rec["protocol"]["rule"]


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
    with pytest.raises(TypeError, match="unknown cost"):
        compare("cpu_fanout", procs=2, real="recorded", sim_costs={"tick_ns": 1})


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


def test_a_loaded_machines_reason_is_said_in_the_learners_language():
    from gmpkit.i18n import set_language
    from gmpkit.real.compare import _LOADED
    args = dict(lost=0.74, quiet=0.15, band="sim within real ÷× 1.5")
    b = Band("not_modelled", why=_LOADED.format(**args), expected="os",
             why_template=_LOADED, why_args=tuple(args.items()))
    assert b.reason() == b.why and b.why.startswith("the real runs' threads waited for a CPU 74% of the time")
    set_language("zh")
    try:
        assert "74%" in b.reason() and "其他程序" in b.reason() and b.why.startswith("the real runs'")
    finally:
        set_language("en")
