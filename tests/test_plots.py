"""Tests of gmpkit.plots: they read back the artists a plot drew and compare
them with the timeline / snapshot it was given."""

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

import gmpkit as gk  # noqa: E402
from gmpkit import plots  # noqa: E402
from gmpkit.timeline import Timeline  # noqa: E402

US = 1_000
CVD = ("deuteranopia", "protanopia", "tritanopia")
# ΔE76 below which two colours are taken as "easily confused" (≈ 2 is just noticeable;
# the classic matplotlib red/green pair falls to ~7 under deuteranopia).
MIN_DELTA_E = 12


def same_color(a, b):
    return np.allclose(to_rgba(a), to_rgba(b), atol=1e-3)


# ---------------------------------------------------------------------------
# a hand-built timeline: three Ms, two Ps, three Gs
# ---------------------------------------------------------------------------

@pytest.fixture
def tl():
    t = Timeline(procs=2, meta={"model": "hand-built"})
    # M0: G1 runs, switch to G3, G3 runs, G2 in a syscall
    t.add_span("running", 0, 10 * US, m=0, p=0, g=1)
    t.add_span("switch", 10 * US, 11 * US, m=0, p=0, g=3)
    t.add_span("running", 11 * US, 40 * US, m=0, p=0, g=3)
    t.add_span("syscall", 40 * US, 60 * US, m=0, p=0, g=2)
    # M1: spins, runs G2, idles
    t.add_span("spinning", 0, 5 * US, m=1, p=1)
    t.add_span("running", 5 * US, 30 * US, m=1, p=1, g=2)
    t.add_span("idle", 30 * US, 60 * US, m=1)
    # M2: G3 again, on P1
    t.add_span("running", 45 * US, 55 * US, m=2, p=1, g=3)
    t.add_event("steal", 5 * US, m=1, p=1, other=0)
    t.add_event("preempt", 40 * US, g=3, m=0, p=0)
    for name, pts in {"runqueue": [(0, 0), (10 * US, 2), (20 * US, 1), (50 * US, 0)],
                      "runq[0]": [(0, 3), (11 * US, 2), (40 * US, 0)],
                      "runq[1]": [(0, 0), (5 * US, 1), (30 * US, 0)],
                      "threads": [(0, 2), (45 * US, 3)],
                      "idleprocs": [(0, 0), (30 * US, 1)],
                      "spinningthreads": [(0, 1), (5 * US, 0)]}.items():
        for time_, v in pts:
            t.sample(name, time_, v)
    return t


def bars(fig, state="running"):
    """(x0, x1, row, facecolor) of each bar a gantt drew for ``state``."""
    ax = fig.axes[0]
    art = [a for a in ax.get_children() if a.get_gid() == f"state:{state}"]
    assert len(art) == 1, f"expected one artist for {state}, found {len(art)}"
    art = art[0]
    out = []
    if state == "running":
        faces = art.get_facecolors()
        for path, face in zip(art.get_paths(), faces):
            v = path.vertices
            out.append((v[:, 0].min(), v[:, 0].max(), round(v[:, 1].mean()), tuple(face)))
    else:
        v = art.get_path().vertices.reshape(-1, 5, 2)
        for rect in v:
            out.append((rect[:, 0].min(), rect[:, 0].max(), round(rect[:4, 1].mean()),
                        tuple(art.get_facecolor())))
    return out


def ytick_labels(ax):
    return [t.get_text() for t in ax.get_yticklabels()]


# ---------------------------------------------------------------------------
# palette
# ---------------------------------------------------------------------------

def test_g_color_is_stable_and_cycles():
    assert plots.g_color(3) == plots.g_color(3) == plots.G_PALETTE[2]
    assert plots.g_color(3 + len(plots.G_PALETTE)) == plots.g_color(3)
    assert len({plots.g_color(g) for g in range(1, len(plots.G_PALETTE) + 1)}) == len(plots.G_PALETTE)
    assert plots.g_color(-1) == plots.NO_G_COLOR


def test_cvd_simulation_can_fail():
    # the check below must be able to fail: red/green collapse for a deuteranope
    red, green = "#D62728", "#2CA02C"
    assert plots.colorblind_distance(red, green, "normal") > 50
    assert plots.colorblind_distance(red, green, "deuteranopia") < MIN_DELTA_E


def test_goroutine_palette_is_colorblind_distinguishable():
    """Every pair of G colours stays ≥ MIN_DELTA_E apart (CIELAB ΔE76) after
    simulating deuteranopia, protanopia and tritanopia (Machado et al. 2009)."""
    worst = min((plots.colorblind_distance(a, b, v), a, b, v)
                for a, b in itertools.combinations(plots.G_PALETTE, 2) for v in CVD)
    print(f"closest G colours: {worst}")
    assert worst[0] >= MIN_DELTA_E, worst


def test_state_styles_differ_and_never_rest_on_colour_alone():
    styles = {k: v for k, v in plots.STATE_STYLE.items() if k != "running"}
    colors = [c.lower() for c, _, _ in styles.values()]
    assert len(set(colors)) == len(colors), "two states share a colour"
    # pairs too close for a colour-blind reader must differ in hatch
    for (a, (ca, ha, _)), (b, (cb, hb, _)) in itertools.combinations(styles.items(), 2):
        d = min(plots.colorblind_distance(ca, cb, v) for v in CVD)
        assert d >= MIN_DELTA_E or ha != hb, (a, b, d)
    # a state bar cannot be taken for a running bar: hatched or not a G colour
    g_colors = {c.lower() for c in plots.G_PALETTE}
    for name, (c, hatch, _) in styles.items():
        assert hatch or c.lower() not in g_colors, name


# ---------------------------------------------------------------------------
# gantt
# ---------------------------------------------------------------------------

def test_gantt_one_row_per_m(tl):
    fig = plots.gantt(tl, by="M")
    assert ytick_labels(fig.axes[0]) == ["M0", "M1", "M2"]
    assert fig.axes[0].get_title()


def test_gantt_bar_of_g3_has_its_colour_and_extent(tl):
    fig = plots.gantt(tl, by="M")
    g3 = sorted((x0, x1, row) for x0, x1, row, face in bars(fig) if same_color(face, plots.g_color(3)))
    assert g3 == [(11 * US, 40 * US, 0), (45 * US, 55 * US, 2)]
    g1 = [(x0, x1, row) for x0, x1, row, face in bars(fig) if same_color(face, plots.g_color(1))]
    assert g1 == [(0, 10 * US, 0)]


def test_gantt_goroutine_keeps_colour_across_plots(tl):
    other = Timeline(procs=4)
    for k, g in enumerate([9, 3, 7, 1]):        # G3 second, among other Gs
        other.add_span("running", k * 1000, k * 1000 + 900, m=k % 2, p=k, g=g)
    a = plots.gantt(tl, by="M")
    b = plots.gantt(other, by="P")
    color_a = {tuple(face) for x0, x1, row, face in bars(a) if (x0, x1) == (11 * US, 40 * US)}
    color_b = {tuple(face) for x0, x1, row, face in bars(b) if (x0, x1) == (1000, 1900)}
    assert color_a == color_b and len(color_a) == 1
    assert same_color(color_a.pop(), plots.g_color(3))


def test_gantt_state_bars_use_state_style(tl):
    fig = plots.gantt(tl, by="M")
    (x0, x1, row, face), = bars(fig, "syscall")
    assert (x0, x1, row) == (40 * US, 60 * US, 0)
    color, hatch, _ = plots.STATE_STYLE["syscall"]
    assert same_color(face, color)
    patch = next(a for a in fig.axes[0].get_children() if a.get_gid() == "state:syscall")
    assert patch.get_hatch() == hatch
    spin = bars(fig, "spinning")
    assert [(x0, x1, row) for x0, x1, row, _ in spin] == [(0, 5 * US, 1)]
    assert not same_color(spin[0][3], face)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert {"syscall", "spinning", "idle", "switch"} <= set(legend)


def test_gantt_by_p_groups_m_spans_by_p(tl):
    fig = plots.gantt(tl, by="P")
    assert ytick_labels(fig.axes[0]) == ["P0", "P1"]
    g3 = sorted((x0, x1, row) for x0, x1, row, face in bars(fig) if same_color(face, plots.g_color(3)))
    assert g3 == [(11 * US, 40 * US, 0), (45 * US, 55 * US, 1)]   # M2's run is P1's
    assert "idle" not in {a.get_gid() for a in fig.axes[0].get_children()}  # idle M had no P


def test_gantt_by_g(tl):
    fig = plots.gantt(tl, by="G")
    assert ytick_labels(fig.axes[0]) == ["G1", "G2", "G3"]
    (x0, x1, row, _), = bars(fig, "syscall")
    assert (x0, x1, row) == (40 * US, 60 * US, 1)          # G2's syscall on G2's row
    g_lane = Timeline()
    g_lane.add_span("runnable", 0, 50, lane="G", g=4)
    g_lane.add_span("running", 50, 90, lane="G", g=4)
    g_lane.add_span("running", 50, 90, lane="M", m=0, g=4)   # not drawn twice
    fig = plots.gantt(g_lane, by="G")
    assert len(bars(fig)) == 1 and len(bars(fig, "runnable")) == 1


def test_gantt_labels_window_and_units(tl):
    fig = plots.gantt(tl, by="M")
    ax = fig.axes[0]
    assert "µs" in ax.get_xlabel()
    labels = [t.get_text() for t in ax.texts]
    assert "G3" in labels              # the 29 µs bar is wide enough for its id
    fig = plots.gantt(tl, by="M", t0=20 * US, t1=50 * US)
    assert fig.axes[0].get_xlim() == (20 * US, 50 * US)
    g3 = [(x0, x1) for x0, x1, row, face in bars(fig) if same_color(face, plots.g_color(3))]
    assert sorted(g3) == [(20 * US, 40 * US), (45 * US, 50 * US)]    # clipped to the window
    assert not any(same_color(face, plots.g_color(1)) for *_, face in bars(fig))
    long = Timeline()
    long.add_span("running", 0, 50_000_000, m=0, g=1)
    assert "ms" in plots.gantt(long).axes[0].get_xlabel()


def test_gantt_marks_events(tl):
    fig = plots.gantt(tl, by="M")
    ax = fig.axes[0]
    steal = [a for a in ax.collections if a.get_gid() == "event:steal"]
    assert len(steal) == 1
    (x, y), = steal[0].get_offsets()
    assert x == 5 * US and round(y) == 1            # above M1's row
    none = plots.gantt(tl, by="M", events=())
    assert not [a for a in none.axes[0].collections if str(a.get_gid()).startswith("event:")]


def test_gantt_rejects_unknown_view(tl):
    with pytest.raises(ValueError, match="by must be"):
        plots.gantt(tl, by="X")


def test_gantt_empty_timeline_draws():
    fig = plots.gantt(Timeline())
    fig.savefig(__import__("io").BytesIO(), format="png")


def test_gantt_100k_spans_caps_its_labels():
    rng = np.random.default_rng(0)
    t = Timeline(procs=8)
    states = ["running"] * 6 + ["switch", "spawn", "syscall", "spinning", "idle"]
    for m in range(8):
        now = 0
        durations = rng.integers(100, 5000, 12_500)
        gids = rng.integers(1, 500, 12_500)
        for k in range(12_500):
            d = int(durations[k])
            t.add_span(states[k % len(states)], now, now + d, m=m, p=m, g=int(gids[k]))
            now += d
    fig = plots.gantt(t, by="M")
    fig.canvas.draw()
    # 100k spans would be 100k labels; only the widest _MAX_LABELS get one
    # (how long drawing takes is a benchmark's business, not a test's)
    assert len(fig.axes[0].texts) <= plots._MAX_LABELS
    # spans wide enough for a label each: more of them than the cap
    wide = Timeline(procs=8)
    for m in range(8):
        for k in range(20):
            wide.add_span("running", 1000 * k, 1000 * (k + 1), m=m, p=m, g=1 + k % 9)
    fig = plots.gantt(wide, by="M")
    assert 8 * 20 > plots._MAX_LABELS
    assert len(fig.axes[0].texts) == plots._MAX_LABELS


def test_gantt_of_gmp_run():
    def work(wg):
        yield gk.compute(us=80)
        yield gk.syscall(us=50)
        yield gk.compute(us=40)
        yield wg.done()

    def main():
        wg = gk.WaitGroup()
        wg.add(12)
        for _ in range(12):
            yield gk.go(work, wg)
        yield wg.wait()

    run = gk.simulate(main, model=gk.GMP(procs=3), seed=1)
    fig = plots.gantt(run.timeline, by="P")
    assert ytick_labels(fig.axes[0]) == ["P0", "P1", "P2"]
    total = sum(x1 - x0 for x0, x1, *_ in bars(fig))
    assert total == sum(run.timeline.run_ns_by_g().values())    # every running ns drawn


# ---------------------------------------------------------------------------
# queues
# ---------------------------------------------------------------------------

def step_value(line, t):
    """Value of a steps-post line at time t."""
    x, y = line.get_xdata(), line.get_ydata()
    i = np.searchsorted(x, t, side="right") - 1
    return y[i]


def test_queue_steps_equal_counters(tl):
    fig = plots.queues(tl)
    top, bottom = fig.axes
    lines = {ln.get_gid(): ln for ax in fig.axes for ln in ax.lines}
    assert {"counter:runqueue", "counter:runq[0]", "counter:runq[1]"} <= {
        ln.get_gid() for ln in top.lines}
    assert {"counter:threads", "counter:idleprocs", "counter:spinningthreads"} <= {
        ln.get_gid() for ln in bottom.lines}
    for name in ("runqueue", "runq[0]", "runq[1]", "threads", "idleprocs", "spinningthreads"):
        line = lines[f"counter:{name}"]
        assert line.get_drawstyle() == "steps-post"
        for t in range(0, 60 * US, 500):
            assert step_value(line, t) == tl.value_at(name, t), (name, t)
        assert line.get_xdata()[-1] == tl.end_time          # drawn to the end of the run
    labels = [t.get_text() for t in top.get_legend().get_texts()]
    assert labels[:3] == ["global queue", "P0 local ring", "P1 local ring"]


def test_queues_without_counters_and_single_axes():
    fig = plots.queues(Timeline())
    assert any("no queue counters" in t.get_text() for t in fig.axes[0].texts)
    own = plt.figure()
    ax = own.add_subplot()
    assert plots.queues(Timeline(), ax=ax) is own
    plt.close(own)


# ---------------------------------------------------------------------------
# scaling and bars
# ---------------------------------------------------------------------------

def test_scaling_curves():
    xs = [1, 2, 4, 8]
    ys = {"GM": [1, 1.6, 1.9, 1.7], "GMP": [1, 2, 3.9, 7.6]}
    fig = plots.scaling(xs, ys, ylabel="speed-up", log2x=True, ideal=1)
    ax = fig.axes[0]
    series = {ln.get_label(): ln for ln in ax.lines}
    assert list(series) == ["GM", "GMP", "ideal (linear)"]
    assert list(series["GMP"].get_ydata()) == ys["GMP"]
    assert series["GM"].get_marker() != series["GMP"].get_marker()
    assert not same_color(series["GM"].get_color(), series["GMP"].get_color())
    assert ax.get_xscale() == "log"
    assert list(series["ideal (linear)"].get_ydata()) == xs
    with pytest.raises(ValueError, match="has 2 values"):
        plots.scaling(xs, {"bad": [1, 2]})


def test_compare_bars_values_and_labels():
    fig = plots.compare_bars(["thread", "goroutine"], {"model": [1500, 200],
                                                       "measured": [2100, 170]},
                             ylabel="ns", log=True, unit=" ns")
    ax = fig.axes[0]
    heights = sorted(p.get_height() for p in ax.patches)
    assert heights == [170, 200, 1500, 2100]
    texts = {t.get_text() for t in ax.texts}
    assert {"1.5e+03 ns", "200 ns", "2.1e+03 ns", "170 ns"} == texts
    hatches = {p.get_hatch() for p in ax.patches}
    assert len(hatches) == 2                         # series differ by more than colour
    assert ax.get_yscale() == "log"


# ---------------------------------------------------------------------------
# the G-M-P diagram
# ---------------------------------------------------------------------------

def gmp_snapshot():
    ring = {0: [10, 11, 12], 1: list(range(20, 32)), 2: [], 3: [40, 41]}
    return {
        "time": 123_456, "model": "GMP",
        "ps": [{"id": i, "status": ["running", "running", "idle", "running"][i],
                "m": [0, 1, None, 3][i], "runnext": [7, None, None, 9][i], "runq": ring[i],
                "schedtick": 5 * i, "timers": 0, "in_syscall": i == 3} for i in range(4)],
        "ms": [{"id": 0, "p": 0, "g": 1, "state": "running"},
               {"id": 1, "p": 1, "g": 2, "state": "running"},
               {"id": 3, "p": 3, "g": 3, "state": "syscall"},
               {"id": 2, "p": None, "g": 4, "state": "syscall"},
               {"id": 4, "p": None, "g": None, "state": "idle"},
               {"id": 5, "p": None, "g": None, "state": "sysmon"}],
        "global": list(range(60, 90)), "netpoll": [91, 92],
        "timers": [(200_000, 93), (150_000, 94)],
        "gs": {},
    }


def snapshot_gs(snap):
    """Every G a snapshot places somewhere (on an M, runnext, a ring, a queue, a timer)."""
    out = [m["g"] for m in snap.get("ms", []) if m.get("g") is not None]
    for p in snap.get("ps", []):
        out += ([p["runnext"]] if p.get("runnext") is not None else []) + list(p.get("runq", []))
    out += list(snap.get("global", [])) + list(snap.get("netpoll", []))
    out += [g for _, g in snap.get("timers", [])]
    return out


def artists(d, prefix):
    import re
    return [a for a in d.ax.get_children() if re.fullmatch(prefix, str(a.get_gid()))]


def test_diagram_draws_ps_circles_and_overflow():
    snap = gmp_snapshot()
    d = plots.GMPDiagram(snap)
    assert len(artists(d, r"P\d+")) == 4
    circles, = artists(d, "gs")
    n = len(circles.get_offsets())
    assert n == d.counts["g_circles"]
    assert n + sum(d.counts["overflow"]) == len(snapshot_gs(snap))   # drawn or counted
    # P1's ring of 12 shows its first 8 and "+4"
    assert "+4" in d.labels
    assert d.counts["g_ids"].count(20) == 1 and 28 not in d.counts["g_ids"]
    # the global queue of 30 overflows too
    assert any(lbl.startswith("+") and int(lbl[1:]) > 4 for lbl in d.labels if lbl[1:].isdigit())
    # each circle has its goroutine's colour
    for (gid, face) in zip(d.counts["g_ids"], circles.get_facecolors()):
        assert same_color(face, plots.g_color(gid))
    assert {f"M{i}" for i in range(6)} == {a.get_gid() for a in artists(d, r"M\d+")}
    assert "123 µs" in d.ax.get_title()


def test_diagram_handles_empty_parts():
    for snap in ({}, {"time": 0, "model": "GMP", "ps": [
            {"id": 0, "status": "idle", "m": None, "runnext": None, "runq": []}],
            "ms": [], "global": [], "netpoll": [], "timers": [], "gs": {}}):
        d = plots.GMPDiagram(snap)
        d.fig.canvas.draw()
        assert d.counts["g_circles"] == 0 and d.counts["overflow"] == []
    assert len(artists(d, r"P\d+")) == 1
    assert "no M" in d.labels and "(none)" in d.labels


def test_diagram_gm_snapshot_has_lock_and_no_ps():
    snap = {"time": 5_000, "model": "GM", "ps": [],
            "ms": [{"id": i, "p": None, "g": [1, 2, None, None][i],
                    "state": ["running", "running", "lock-wait", "idle"][i]} for i in range(4)],
            "global": [5, 6, 7], "netpoll": [], "timers": [], "mcpu": 2, "mcpumax": 2,
            "schedlock": {"owner": 2, "spinning": [3], "sleeping": []}}
    d = plots.GMPDiagram(snap)
    assert artists(d, "lock") and not artists(d, r"P\d+")
    assert len(artists(d, r"M\d+")) == 4
    assert "schedlock: M2, 1 wait" in d.labels
    assert d.counts["g_circles"] == 5


def test_diagram_of_real_models_mid_run():
    def work(wg):
        yield gk.compute(us=40)
        yield gk.syscall(us=100)
        yield gk.netio(us=100)
        yield gk.sleep(us=60)
        yield gk.compute(us=20)
        yield wg.done()

    def main():
        wg = gk.WaitGroup()
        wg.add(20)
        for _ in range(20):
            yield gk.go(work, wg)
        yield wg.wait()

    for model in (gk.GMP(procs=4), gk.GM(procs=4), gk.Threads(cpus=2), gk.GreenThreads()):
        sim = gk.Simulation(main, model=model, seed=1)
        d = plots.GMPDiagram(sim.snapshot())
        for _ in range(6):
            sim.run(until=sim.time + 60_000)
            snap = sim.snapshot()
            fig = d.update(snap)
            assert fig is d.fig
            assert d.counts["g_circles"] + sum(d.counts["overflow"]) >= len(set(snapshot_gs(snap))) \
                or type(model).__name__ == "Threads"    # 1:1: a thread per G, Gs shown on Ms
            assert len(artists(d, r"P\d+")) == len(snap.get("ps") or [])
        d.fig.canvas.draw()


def test_diagram_update_redraws_in_place():
    """Updating the diagram reuses its figure and does not pile up artists (the
    speed of a redraw is measured by the benchmarks, not asserted here)."""
    snap = gmp_snapshot()
    snap["ps"][1]["runq"] = list(range(20, 28))
    d = plots.GMPDiagram(snap)
    fig = d.fig
    d.fig.canvas.draw()
    sizes = []
    for _ in range(3):
        d.update(snap)
        d.fig.canvas.draw()
        sizes.append(sum(len(ax.get_children()) for ax in d.fig.axes))
    assert d.fig is fig
    assert len(set(sizes)) == 1, sizes


def test_diagram_in_given_axes_and_str_keys():
    fig = plt.figure()
    ax = fig.add_subplot()
    snap = gmp_snapshot()
    snap["gs"] = {str(g): {"name": "w", "status": "runnable", "wait": ""} for g in range(1, 95)}
    assert plots.gmp_diagram(snap, ax=ax) is fig
    plt.close(fig)


# ---------------------------------------------------------------------------
# memory map
# ---------------------------------------------------------------------------

REGIONS = [
    (0x555555554000, 0x555555556000, "python3", "code"),
    (0x555555556000, 0x555555558000, "python3", "data"),
    (0x555555558000, 0x555555579000, "[heap]", "heap"),
    (0x7FFFF7000000, 0x7FFFF7001000, "guard", "guard"),
    (0x7FFFF7001000, 0x7FFFF7801000, "thread stack", "stack"),
    (0x7FFFF7A00000, 0x7FFFF7BC0000, "libc.so.6", "lib"),
    (0x7FFFF7BC0000, 0x7FFFF7BD0000, "libc.so.6", "lib"),     # merged with the one before
    (0x7FFFF7FC1000, 0x7FFFF7FC3000, "[vdso]", "vdso"),
    (0x7FFFF7FD0000, 0x7FFFF7FE0000, "", "anon"),
    (0x7FFFFFFDE000, 0x7FFFFFFFF000, "[stack]", "stack"),
]


def regions_drawn(fig):
    return sorted((p for p in fig.axes[0].patches if str(p.get_gid()).startswith("region:")),
                  key=lambda p: p.get_y())


def test_memory_map_to_scale():
    fig = plots.memory_map(REGIONS)
    drawn = regions_drawn(fig)
    assert len(drawn) == len(REGIONS) - 1            # the two libc mappings are one
    kinds = [p.get_gid()[7:] for p in drawn]
    assert kinds == ["code", "data", "heap", "guard", "stack", "lib", "vdso", "anon", "stack"]
    for p, kind in zip(drawn, kinds):
        assert same_color(p.get_facecolor(), plots.KIND_STYLE[kind][0])
    h = {k: p.get_height() for p, k in zip(drawn, kinds) if k in ("guard", "heap")}
    stack8m = drawn[4].get_height()
    assert h["guard"] < h["heap"] < stack8m              # log scale keeps the order of sizes
    assert drawn[3].get_hatch() == "xx"                  # guard pages are not colour only
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "8 MiB" in texts and "unmapped" in texts
    lin = regions_drawn(plots.memory_map(REGIONS, scale="linear"))
    assert lin[4].get_height() / lin[2].get_height() == pytest.approx(
        0x800000 / 0x21000, rel=1e-6)                    # linear: heights ∝ sizes


def test_memory_map_rejects_bad_regions():
    with pytest.raises(ValueError, match="kinds are"):
        plots.memory_map([(0, 4096, "x", "weird")])
    with pytest.raises(ValueError, match="not after"):
        plots.memory_map([(4096, 4096, "x", "heap")])
    plots.memory_map([])


# ---------------------------------------------------------------------------
# style and hygiene
# ---------------------------------------------------------------------------

def test_projector_style_is_big(tl):
    before = matplotlib.rcParams["font.size"]
    with plots.style(projector=True):
        fig = plots.gantt(tl)
    ax = fig.axes[0]
    assert ax.title.get_fontsize() >= 18
    assert min(t.get_fontsize() for t in ax.get_yticklabels()) >= 14
    assert min(t.get_fontsize() for t in ax.get_legend().get_texts()) >= 14
    assert matplotlib.rcParams["font.size"] == before       # restored
    small = plots.gantt(tl).axes[0]
    assert small.title.get_fontsize() < ax.title.get_fontsize()


def test_plots_leave_no_pyplot_figures(tl):
    plt.close("all")
    plots.gantt(tl)
    plots.queues(tl)
    plots.gmp_diagram(gmp_snapshot())
    plots.scaling([1, 2], {"a": [1, 2]})
    assert plt.get_fignums() == []


def test_time_and_size_formatting():
    assert plots.fmt_time(1_234_000) == "1.23 ms"
    assert plots.fmt_time(999) == "999 ns"
    assert plots.fmt_bytes(8 << 20) == "8 MiB"
    assert plots.time_unit(5_000_000)[0] == "µs" and plots.time_unit(50_000_000)[0] == "ms"
