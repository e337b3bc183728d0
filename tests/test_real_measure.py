"""Measurements: the table object, recorded data and costs.json, and sanity ratios."""


import matplotlib
import pytest

matplotlib.use("Agg")

from gmpkit import resources
from gmpkit.real.benches import measure_go, measure_python
from gmpkit.real.calibrate import ASSUMED, COST_SOURCES, MEASURED_APART, REFERENCE, write_costs
from gmpkit.real.measure import Progress, load_recorded
from gmpkit.real.measurements import Measurement, Measurements

from gmpkit.real.testing import GO


def small_table():
    return Measurements([
        Measurement("a", "goroutine thing", "ns", "goroutine", [100.0, 120.0, 90.0]),
        Measurement("b", "thread thing", "ns", "thread", [5000.0, 5200.0, 4900.0]),
        Measurement("m", "bytes thing", "B", "memory", [2048.0, 2048.0, 2050.0]),
    ], provenance={"cpu_model": "Test CPU", "cores": 2, "go_version": "go1.0", "date": "today"})


def test_statistics():
    m = small_table()["a"]
    assert (m.median, m.low, m.high) == (100.0, 90.0, 120.0)
    assert m.spread == pytest.approx(0.3)


def test_save_load_round_trip(tmp_path):
    t = small_table()
    t.extra["stack_growth"] = {"moves": [{"depth": 1, "used_bytes": 100, "stack_bytes": 4096}]}
    back = Measurements.load(t.save(tmp_path / "x.json"))
    assert back.to_dict() == t.to_dict()
    with pytest.raises(ValueError, match="not a gmpkit measurements file"):
        Measurements.from_dict({"nope": 1})


def test_html_and_text_show_every_row():
    t = small_table()
    h = t._repr_html_()
    assert h.count("<tr>") == 4 and "Test CPU" in h and "100 ns" in h and "5 µs" in h
    text = repr(t)
    assert "2,048 B" in text and "goroutine thing" in text
    with pytest.raises(KeyError, match="have: a, b, m"):
        t["zzz"]


def test_plot_has_a_bar_per_row():
    t = small_table()
    ax = t.plot()
    assert len(ax.patches) == 2 and ax.get_xscale() == "log"
    assert [tl.get_text() for tl in ax.get_yticklabels()] == ["goroutine thing", "thread thing"]
    ax2 = t.plot(unit="B")
    assert len(ax2.patches) == 1
    matplotlib.pyplot.close("all")


def test_progress_text_bar():
    import io
    buf = io.StringIO()
    with Progress(4, "x", stream=buf) as bar:
        for _ in range(4):
            bar.step("go")
    assert "4/4" in buf.getvalue() and "#" * 30 in buf.getvalue()
    quiet = io.StringIO()
    with Progress(4, "x", enabled=False, stream=quiet) as bar:
        bar.step()
    assert quiet.getvalue() == ""


def test_recorded_measurements_have_provenance():
    t = load_recorded()
    p = t.provenance
    for key in ("go_version", "os", "cpu_model", "cores", "date", "command"):
        assert p.get(key), key
    for m in t:
        assert len(m.samples) >= 3 and m.median > 0
    # what the course tells learners, read off the recorded numbers
    assert t.median("go.handoff.p1") * 3 < t.median("py.handoff.threads")
    assert t.median("go.spawn.p1") * 3 < t.median("go.thread.create")
    assert t.median("go.mem.stack_per_g") == 2048          # stackMin, as in the runtime
    moves = t.stack_growth()
    assert [m["stack_bytes"] for m in moves[:3]] == [4096, 8192, 16384]
    assert all(a["used_bytes"] < b["used_bytes"] for a, b in zip(moves, moves[1:]))


def test_costs_json_is_derived_from_the_recorded_table(tmp_path):
    costs = resources.read_json("costs.json")
    t = load_recorded()
    again = write_costs(t, tmp_path / "costs.json")
    assert again == costs                   # regenerating gives the committed file
    assert isinstance(costs.pop("_policy"), str)
    assert set(costs) == set(COST_SOURCES) | set(ASSUMED) | set(MEASURED_APART)
    for name in ASSUMED:
        entry = costs.pop(name)
        assert entry["value_ns"] == ASSUMED[name][0] and entry["measured_on"].startswith("not measured")
    for name in MEASURED_APART:
        entry = costs.pop(name)
        assert entry["value_ns"] == MEASURED_APART[name][0] and "C program" in entry["measured_on"]
    for name, entry in costs.items():
        here = entry.get("this_machine", entry)
        for e in (entry, here):
            assert {"value_ns", "source", "measured_on", "date"} <= set(e)
            assert isinstance(e["value_ns"], int) and e["value_ns"] > 0
        assert here["source"].startswith("median of ")
        assert here["value_ns"] == round(COST_SOURCES[name][0](t))
        if name in REFERENCE:
            assert entry["value_ns"] == REFERENCE[name][0] and "DESIGN.md" in entry["measured_on"]
    # the measured order of magnitude agrees with the reference where both exist
    for name in REFERENCE:
        ratio = costs[name]["this_machine"]["value_ns"] / costs[name]["value_ns"]
        assert 0.2 < ratio < 5, (name, ratio)
    # the plain format (no reference) is the brief's: value_ns, source, measured_on, date
    plain = write_costs(t, tmp_path / "plain.json", prefer_reference=False)
    assert all(set(e) == {"value_ns", "source", "measured_on", "date"} for e in plain.values())
    assert set(plain) == set(COST_SOURCES) | set(ASSUMED) | set(MEASURED_APART)


def test_python_measurements_run_and_are_ordered():
    rows = {m.name: m for m in measure_python(repeats=3, quick=True,
                                              only={"py.call", "py.handoff.threads"})}
    assert set(rows) == {"py.call", "py.handoff.threads"}
    # a function call is far cheaper than waking another thread through the kernel
    assert rows["py.call"].median * 3 < rows["py.handoff.threads"].median


@pytest.mark.go
def test_goroutine_handoff_much_cheaper_than_thread_handoff():
    """Fresh numbers with Go; the recorded ones without it."""
    if GO is None:
        t = load_recorded()
        go_ns, locked_ns = t.median("go.handoff.p1"), t.median("go.handoff.locked.p1")
        thread_ns = t.median("py.handoff.threads")
    else:
        items, _ = measure_go(repeats=3, quick=True, only={"go.handoff.p1", "go.handoff.locked.p1"})
        rows = {m.name: m for m in items}
        go_ns, locked_ns = rows["go.handoff.p1"].median, rows["go.handoff.locked.p1"].median
        thread_ns = measure_python(repeats=3, quick=True, only={"py.handoff.threads"})[0].median
    assert go_ns * 3 < thread_ns
    assert go_ns * 3 < locked_ns        # locking both to threads makes each hand-off a thread wake-up


@pytest.mark.go
def test_memory_per_blocked_goroutine():
    if GO is None:
        t = load_recorded()
        stack, sys_ = t.median("go.mem.stack_per_g"), t.median("go.mem.sys_per_g")
    else:
        items, _ = measure_go(repeats=1, quick=True,
                              only={"go.mem.sys_per_g", "go.mem.stack_per_g", "go.mem.heap_per_g"})
        rows = {m.name: m.median for m in items}
        stack, sys_ = rows["go.mem.stack_per_g"], rows["go.mem.sys_per_g"]
    assert 2048 <= stack <= 4096           # a blocked goroutine holds its minimum stack
    assert stack < sys_ < 16 * 1024        # a few KB in all, not the MBs of a thread stack


def test_stack_growth_plot():
    t = load_recorded()
    ax = t.plot_stack_growth()
    assert len(ax.lines) == 2 and len(ax.lines[1].get_xdata()) == len(t.stack_growth())
    matplotlib.pyplot.close("all")
    with pytest.raises(KeyError, match="no stack growth"):
        small_table().stack_growth()
