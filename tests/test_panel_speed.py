"""The panel speed-ups of issue 12 change when and how a picture is drawn, never what it shows."""

import asyncio
import gc

import ipywidgets as W
import pytest

from gmpkit.widgets import Panel, _layout_key, defer_gc


def _panel(labels):
    """A two-axes panel whose y tick labels get longer with ``n`` (so its margins must grow)."""
    def compute(n):
        return {"n": n}

    def draw(d, fig):
        a1, a2 = fig.subplots(1, 2)
        a1.plot([0, 1], [0, 10 ** d["n"]])
        a2.bar([0, 1], [1, d["n"]])
        a1.set_title(labels.get(d["n"], "growth"))
        return f"n={d['n']}"

    return Panel("t", {"n": W.IntSlider(value=1, min=1, max=9)}, compute, draw)


def _constrained_positions(panel):
    """Where constrained layout puts the axes of ``panel``'s current figure, from scratch."""
    from matplotlib.figure import Figure
    from gmpkit.widgets import render_png
    fig = Figure(figsize=panel.figsize, dpi=panel.dpi, layout="constrained")
    panel.draw(panel.data, fig)
    render_png(fig)
    return [ax.get_position().bounds for ax in fig.axes]


def test_a_reused_layout_is_the_one_constrained_layout_would_find():
    p = _panel({})
    p.set(n=2)     # same tick-label widths as n=1? no: 100 vs 10 -- a new layout
    p.set(n=1)
    assert len(p._layouts) == 2
    p.set(n=2)
    assert len(p._layouts) == 2            # reused, not recomputed
    got = [ax.get_position().bounds for ax in p.fig.axes]
    want = _constrained_positions(p)
    for g, w in zip(got, want):
        assert g == pytest.approx(w, abs=1e-9)


def test_anything_that_sizes_the_margins_asks_for_a_new_layout():
    p = _panel({3: "a title\non two lines"})
    keys = set()
    for n in (1, 2, 3, 4, 5):
        p.set(n=n)
        keys.add(_layout_key(p.fig))
    # n=1, 2 and 4, 5 differ in tick-label width; n=3 in the title's line count
    assert len(keys) == len(p._layouts) == 5
    for n in (1, 3, 5):
        p.set(n=n)
        got = [ax.get_position().bounds for ax in p.fig.axes]
        for g, w in zip(got, _constrained_positions(p)):
            assert g == pytest.approx(w, abs=1e-9)


def _in_a_plain_thread(fn):
    """Run ``fn`` in a new thread, where no event loop runs (the browser tests' Playwright
    keeps one running in the main thread for the whole session), and re-raise its error."""
    import threading
    out = {}

    def run():
        try:
            fn()
        except BaseException as e:  # noqa: BLE001 - handed back to the test
            out["error"] = e

    t = threading.Thread(target=run)
    t.start()
    t.join(60)
    if "error" in out:
        raise out["error"]


def test_defer_gc_without_an_event_loop_switches_the_collector_back_on_at_once():
    _in_a_plain_thread(_defer_gc_without_a_loop)


def _defer_gc_without_a_loop():
    gc.enable()   # an earlier test's deferral may still be pending (see the safety net test)
    with defer_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_defer_gc_in_a_kernel_waits_for_the_event_loop():
    _in_a_plain_thread(_defer_gc_in_a_loop)


def _defer_gc_in_a_loop():
    gc.enable()
    seen = {}

    async def main():
        with defer_gc():
            pass
        seen["right after"] = gc.isenabled()
        await asyncio.sleep(0.1)
        seen["later"] = gc.isenabled()

    asyncio.run(main())
    assert seen == {"right after": False, "later": True}
    assert gc.isenabled()


def test_defer_gc_switches_the_collector_on_even_if_the_loop_never_runs_again():
    """A loop that stops after the redraw (as a test harness's may) must not leave the
    collector off: the safety net switches it on after GC_SAFETY_S."""
    import time

    from gmpkit.widgets import GC_SAFETY_S

    def body():
        gc.enable()
        loop = asyncio.new_event_loop()

        async def redraw():
            with defer_gc():
                pass

        loop.run_until_complete(redraw())
        loop.close()                    # the 50 ms callback never runs
        assert not gc.isenabled()
        deadline = time.monotonic() + GC_SAFETY_S + 2
        while not gc.isenabled() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gc.isenabled()

    _in_a_plain_thread(body)


def test_defer_gc_leaves_a_disabled_collector_disabled():
    gc.disable()
    try:
        with defer_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_moving_a_control_defers_the_collector_only_while_it_redraws():
    _in_a_plain_thread(_moving_a_control)


def _moving_a_control():
    p = _panel({})
    states = []
    p.draw = (lambda d0: lambda d, fig: states.append(gc.isenabled()) or d0(d, fig))(p.draw)
    p.controls["n"].value = 4          # as the browser does: the observer redraws
    assert states == [False] and gc.isenabled()
    p.set(n=5)                          # set() is for tests and benchmarks: no deferral
    assert states == [False, True]
