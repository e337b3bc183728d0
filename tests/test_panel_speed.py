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


# ---- text drawn from kept bitmaps ------------------------------------------------------------

def _text_figure(texts, size=(4, 1.5), dpi=90):
    """A figure of ``(x, y, string, kwargs)`` texts on a white background."""
    from matplotlib.figure import Figure

    from gmpkit import plots   # noqa: F401 - adds the CJK font after DejaVu Sans
    fig = Figure(figsize=size, dpi=dpi)
    for x, y, s, kw in texts:
        fig.text(x, y, s, **kw)
    return fig


def _pixels(fig, renderer_cls=None):
    """RGB pixels of ``fig`` drawn by the panels' renderer (or by ``renderer_cls``)."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from gmpkit.widgets import _shared_canvas
    if renderer_cls is None:
        canvas = _shared_canvas(fig)
    else:
        canvas = FigureCanvasAgg(fig)
        r = renderer_cls(*canvas.get_width_height(physical=True), fig.dpi)
        canvas.get_renderer = lambda: r
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].astype(int).copy()


def _forget_text_bitmaps():
    from gmpkit.widgets import render
    render._shared_canvas(_text_figure([]))      # makes the renderer class
    render._PanelRenderer._text_bitmaps.clear()


TEXTS = [(0.05, 0.6, "G12 runnext 0.25 ms", {"fontsize": 11}),
         (0.05, 0.2, "调度器: 本地运行队列", {"fontsize": 10, "color": "#0072B2"}),
         (0.8, 0.5, "rotated", {"rotation": 90, "fontsize": 9})]


def test_a_kept_bitmap_draws_the_same_pixels_as_a_fresh_one():
    import numpy as np
    _forget_text_bitmaps()
    first = _pixels(_text_figure(TEXTS))          # rasterised now
    again = _pixels(_text_figure(TEXTS))          # drawn from the kept bitmaps
    assert np.array_equal(first, again)
    assert (first < 128).any()                    # something was drawn


def test_kept_bitmaps_are_told_apart_by_string_size_and_font():
    import numpy as np
    _forget_text_bitmaps()
    base = _pixels(_text_figure([(0.1, 0.4, "M0 M1", {"fontsize": 11})]))
    for other in ([(0.1, 0.4, "M0 M2", {"fontsize": 11})],
                  [(0.1, 0.4, "M0 M1", {"fontsize": 12})],
                  [(0.1, 0.4, "M0 M1", {"fontsize": 11, "fontweight": "bold"})]):
        assert not np.array_equal(base, _pixels(_text_figure(other))), other


def test_panel_text_is_matplotlibs_own_drawing_up_to_sub_pixel_placement():
    """Latin and Chinese (the fallback font), horizontal and rotated: where a string
    starts on a whole pixel, the same pixels as Matplotlib's own renderer; elsewhere
    the same ink, at most one pixel away (a kept bitmap is placed on whole pixels, as
    Matplotlib did up to 3.10; 3.11 places each glyph at 1/64 px).  Rotated text is
    Matplotlib's own everywhere."""
    import numpy as np
    from matplotlib.backends.backend_agg import RendererAgg

    def box(im):
        ink = (255 - im).sum(axis=2)
        ys, xs = np.nonzero(ink)
        return np.array([xs.min(), xs.max(), ys.min(), ys.max()]), ink.sum()

    _forget_text_bitmaps()
    for dx in (0.0, 0.013, 0.0271):              # whole-pixel, then sub-pixel origins
        for x, y, text, kw in TEXTS:
            one = [(x + dx, y + dx, text, kw)]
            ours, stock = _pixels(_text_figure(one)), _pixels(_text_figure(one), RendererAgg)
            if dx == 0.0 or kw.get("rotation"):
                assert np.array_equal(ours, stock), (text, dx)
                continue
            (b1, ink1), (b2, ink2) = box(ours), box(stock)
            assert np.abs(b1 - b2).max() <= 1, (text, dx, b1, b2)
            assert abs(ink1 - ink2) <= 0.03 * ink2, (text, dx, ink1, ink2)


# ---- pictures of settings already shown --------------------------------------------------

def _simulated(real=False):
    """A panel marked as registration marks it, counting its computations."""
    calls = []

    def compute(n):
        calls.append(n)
        return {"n": n}

    def draw(d, fig):
        ax = fig.subplots()
        ax.bar([0, 1], [1, d["n"]])
        ax.set_title(f"n = {d['n']}")
        return f"n={d['n']}"

    p = Panel("t", {"n": W.IntSlider(value=1, min=1, max=9)}, compute, draw)
    p.panel_id, p.real = "test:cache", real
    if not real:
        p._remember()
    return p, calls


def test_a_slider_moved_back_shows_the_kept_picture_without_simulating():
    p, calls = _simulated()
    first = (p.image.value, p.summary, p.data)
    p.set(n=5)
    p.set(n=1)
    assert calls == [1, 5]                       # n=1 was not computed again
    assert (p.image.value, p.summary, p.data) == first
    assert "cached" in p.timings
    # kept pictures keep no figure: asking for it draws the shown setting's again
    assert p.fig.axes[0].get_title() == "n = 1"
    assert calls == [1, 5, 1] and p.image.value == first[0] and "cached" in p.timings
    assert p.fig is p.fig                        # drawn once


def test_kept_pictures_are_per_language_and_the_machine_panels_keep_none():
    import gmpkit as gk
    p, calls = _simulated()
    try:
        gk.set_language("zh")
        p.set(n=1)                               # same value, other language: drawn again
        assert calls == [1, 1]
    finally:
        gk.set_language("en")
    p.set(n=1)
    assert calls == [1, 1]                       # the English picture was kept
    real, calls = _simulated(real=True)
    real.set(n=3)
    real.set(n=1)
    assert calls == [1, 3, 1]                    # each move measures again


def test_only_the_last_few_pictures_are_kept():
    p, calls = _simulated()
    p.PICTURES_KEPT = 3
    for n in range(1, 10):
        p.set(n=n)
    assert len(p._pictures) == 3
    p.set(n=8)                                   # kept
    p.set(n=2)                                   # forgotten: computed again
    assert calls == list(range(1, 10)) + [2]


def test_an_opaque_panel_is_sent_as_rgb_and_a_transparent_figure_keeps_its_alpha():
    import io

    from matplotlib.figure import Figure
    from PIL import Image

    from gmpkit.widgets import render_png
    opaque = Figure(figsize=(2, 1), dpi=50)
    opaque.subplots().plot([0, 1], [1, 0])
    clear = Figure(figsize=(2, 1), dpi=50)
    clear.patch.set_alpha(0)
    for fig, mode in ((opaque, "RGB"), (clear, "RGBA")):
        img = Image.open(io.BytesIO(render_png(fig)))
        assert img.mode == mode
    px = Image.open(io.BytesIO(render_png(clear))).getpixel((0, 0))
    assert px[3] == 0                            # still see-through, not black


def test_kept_font_metrics_place_every_text_where_matplotlib_does():
    """The panels' renderer keeps each font's ascent/descent; titles, tick labels and a
    two-line label must get exactly the boxes Matplotlib's own renderer gives them."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
    from matplotlib.figure import Figure

    from gmpkit import plots  # noqa: F401
    from gmpkit.widgets import _shared_canvas

    def boxes(make_canvas):
        fig = Figure(figsize=(5, 3), dpi=90)
        ax = fig.subplots()
        ax.plot([0, 10], [0, 1e4])
        ax.set_title("本地运行队列 — what each P ran", fontsize=13, fontweight="bold")
        ax.set_xlabel("time (µs)\\nsecond line")
        canvas = make_canvas(fig)
        canvas.draw()
        r = canvas.get_renderer()
        texts = [ax.title, ax.xaxis.label] + ax.get_xticklabels() + ax.get_yticklabels()
        return [tuple(t.get_window_extent(r).bounds) for t in texts]

    def stock(fig):
        c = FigureCanvasAgg(fig)
        r = RendererAgg(*c.get_width_height(physical=True), fig.dpi)
        c.get_renderer = lambda: r
        return c

    assert boxes(_shared_canvas) == boxes(stock)


def _marker_figure():
    from matplotlib.figure import Figure
    fig = Figure(figsize=(4, 3), dpi=60)
    a1, a2 = fig.subplots(1, 2)
    a1.plot([1, 2, 3], [3, 1, 2], marker="o", label="line")
    a1.scatter([1, 2], [2, 3], marker="X", s=80, label="points")
    a1.legend()
    a2.set_xscale("log")
    a2.plot([1, 10, 100], [1, 2, 3], marker=">", markevery=1)
    a2.grid(True)
    return fig


def test_cheap_marker_copies_draw_the_same_picture_and_copies_stay_independent():
    from matplotlib.markers import MarkerStyle

    from gmpkit.widgets import _MARKERS, _cheap_marker_copies, render_png
    stock_set = MarkerStyle._set_marker
    with _cheap_marker_copies():
        assert MarkerStyle._set_marker is not stock_set
        fast = render_png(_marker_figure())
        m = MarkerStyle("^")
        before = m.get_transform().get_matrix().copy()
        turned = m.rotated(deg=30)              # adjusts the copy's transform only
        copy = MarkerStyle(m)
    assert MarkerStyle._set_marker is stock_set and _MARKERS["depth"] == 0
    assert (m.get_transform().get_matrix() == before).all()
    assert not (turned.get_transform().get_matrix() == before).all()
    assert copy.get_path() is m.get_path() and copy.get_marker() == "^"
    # the same pixels as with Matplotlib's own (deep) copies, on the same renderer
    import numpy as np

    from gmpkit.widgets import _shared_canvas

    def pixels(fig):
        c = _shared_canvas(fig)
        c.draw()
        return np.asarray(c.buffer_rgba()).copy()

    stock = pixels(_marker_figure())
    with _cheap_marker_copies():
        ours = pixels(_marker_figure())
    assert np.array_equal(stock, ours)
    assert fast[:4] == b"\x89PNG"
