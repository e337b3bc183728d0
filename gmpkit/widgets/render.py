"""How a panel's figure becomes PNG bytes, fast (the one rendering path of gmpkit.widgets).

* constrained layout computed once per arrangement and reused while a slider moves
  (``_layout_of`` / ``_apply_layout``);
* marker styles copied cheaply while a panel draws (``_cheap_marker_copies``);
* ``render_png``: one draw on an Agg canvas whose renderer is shared by every figure of
  the same size and keeps each string's rasterised bitmap (``_shared_canvas``,
  ``_panel_renderer_class``), then a light RGB PNG.

``gmpkit.widgets`` (``Panel``) is the only caller; it re-exports ``render_png`` for the
panels that draw their own figures (the G-M-P animation).
"""

from __future__ import annotations

import contextlib
import io

# ---- constrained layout, computed once per arrangement -------------------------------
# Constrained layout is the costliest part of drawing a panel (it measures every tick
# label before the real draw measures them again).  A panel's arrangement rarely
# changes when a slider moves, so the positions it finds are kept and reused as long
# as nothing that sizes the margins changed: the axes grid, the number of lines of
# every title and label, the longest tick label on each axis, and the legends' texts.

def _text_shape(t):
    s = t.get_text() if t is not None and t.get_visible() else ""
    return (s.count("\n"), len(s) if "\n" in s else min(len(s), 1))


def _layout_key(fig):
    """What decides where constrained layout puts the axes (cheap to compute)."""
    key = [tuple(fig.get_size_inches()), fig.dpi]
    for st in (fig._suptitle, fig._supxlabel, fig._supylabel):
        key.append(_text_shape(st))
    for ax in fig.axes:
        ss = ax.get_subplotspec()
        key.append((ss.get_geometry() if ss is not None else tuple(ax.get_position().bounds),
                    ax.get_visible(), ax.axison,
                    _text_shape(ax.title), _text_shape(ax._left_title),
                    _text_shape(ax._right_title),
                    _text_shape(ax.xaxis.label), _text_shape(ax.yaxis.label)))
        for axis in (ax.xaxis, ax.yaxis):
            if not axis.get_visible():
                continue
            try:
                locs = [x for x in axis.get_majorticklocs()]
                lo, hi = sorted(axis.get_view_interval())
                labels = axis.get_major_formatter().format_ticks(
                    [x for x in locs if lo <= x <= hi])
            except Exception:   # an unusual axis: never reuse a layout for it
                return None
            key.append((axis.get_label_position(), axis.get_ticks_position(),
                        max((len(x) for x in labels), default=0), len(labels) > 0))
        leg = ax.get_legend()
        if leg is not None:
            key.append(tuple(t.get_text() for t in leg.get_texts()))
    for leg in fig.legends:
        key.append(tuple(t.get_text() for t in leg.get_texts()))
    return tuple(key)


def _layout_of(fig):
    pos = [(ax.get_position(original=True), ax.get_position(original=False))
           for ax in fig.axes]
    sup = [t.get_position() if t is not None else None
           for t in (fig._suptitle, fig._supxlabel, fig._supylabel)]
    return pos, sup


def _apply_layout(fig, layout):
    pos, sup = layout
    for ax, (orig, active) in zip(fig.axes, pos):
        ax._set_position(orig, which="original")
        ax._set_position(active, which="active")
    for t, p in zip((fig._suptitle, fig._supxlabel, fig._supylabel), sup):
        if t is not None and p is not None:
            t.set_position(p)


_MARKERS = {"depth": 0, "stock": None}


@contextlib.contextmanager
def _cheap_marker_copies():
    """While a panel draws: copy a ``MarkerStyle`` without ``copy.deepcopy``.

    Every tick of a new Axes copies its first tick's properties, and each copy of a
    tick mark's ``MarkerStyle`` was a ``deepcopy`` of its attributes (paths,
    transforms, a bound method): 10-15 % of drawing a panel.  Marker styles are not
    changed in place once made, except the transforms that ``rotated`` /
    ``transformed`` adjust on their own copy; those are copied here, the rest is
    shared.  Matplotlib's own copy is back when the outermost use ends, so figures
    outside panels never see this.
    """
    import types

    from matplotlib.markers import MarkerStyle

    if _MARKERS["depth"] == 0:
        stock = _MARKERS["stock"] = MarkerStyle._set_marker

        def _set_marker(self, marker):
            if not isinstance(marker, MarkerStyle):
                return stock(self, marker)
            d = dict(marker.__dict__)
            for k in ("_transform", "_alt_transform", "_user_transform"):
                if d.get(k) is not None:
                    d[k] = d[k].frozen()      # a new matrix: adjusting it leaves marker's
            f = d.get("_marker_function")
            if getattr(f, "__self__", None) is marker:
                d["_marker_function"] = types.MethodType(f.__func__, self)
            self.__dict__ = d

        MarkerStyle._set_marker = _set_marker
    _MARKERS["depth"] += 1
    try:
        yield
    finally:
        _MARKERS["depth"] -= 1
        if _MARKERS["depth"] == 0:
            MarkerStyle._set_marker = _MARKERS["stock"]



def render_png(fig, clock=None):
    """PNG bytes of ``fig``, drawn once.

    ``savefig`` draws a constrained-layout figure twice (a layout pass, then the
    real one); drawing on an Agg canvas lays out and draws in one pass, and a
    light PNG compression of the RGB pixels (alpha dropped when the figure is
    opaque) keeps encoding cheap.  Together they halve the time
    from moving a slider to a new picture.
    """
    from PIL import Image

    canvas = _shared_canvas(fig)
    with _cheap_marker_copies():
        canvas.draw()
    if clock is not None:
        clock.lap("draw")      # the panel's artists and their rasterising
    w, h = canvas.get_width_height(physical=True)
    img = Image.frombuffer("RGBA", (w, h), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    if img.getchannel("A").getextrema()[0] == 255:
        # an opaque figure (every panel's): RGB is a quarter less to compress, and
        # lossless -- a palette PNG would be faster still but shifts colours by up
        # to 6 %, and the course's palettes were chosen colour by colour
        img = img.convert("RGB")
    buf = io.BytesIO()
    img.save(buf, format="png", compress_level=1)
    if clock is not None:
        clock.lap("encode")
    return buf.getvalue()


_RENDERERS: dict = {}   # (width, height, dpi) -> a RendererAgg reused by every panel
TEXT_CACHE_SIZE = 4096  # rasterised strings kept (a few MB; a panel shows 20-60)


def _panel_renderer_class():
    """``RendererAgg`` that rasterises each string once and keeps its bitmap.

    Matplotlib 3.11 draws text glyph by glyph from Python (a font lookup, a layout
    and a FreeType render per glyph, every draw): 1-3 ms per tick label, title or
    bar label on this 2-core machine, which made text most of a panel's time.  A
    panel redraws mostly the same strings (tick labels, titles, G ids), so this
    renderer lays out and rasterises a string once (FreeType's whole-string path,
    fallback fonts included, as Matplotlib up to 3.10 did) and afterwards only
    blends the kept bitmap at the new place: about 0.1 ms.  Keyed on the string,
    the font properties (family list, size, weight ...), the dpi and the hinting
    settings, so a language switch or projector mode never reuses a bitmap of other
    text.  A horizontal string that starts on a whole pixel comes out pixel for pixel
    as Matplotlib draws it, elsewhere at most a pixel off (tests/test_panel_speed.py);
    rotated text and mathtext are left to Matplotlib.
    """
    import matplotlib as mpl
    import numpy as np
    from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag

    class PanelRenderer(RendererAgg):
        _text_bitmaps: dict = {}
        _height_metrics: dict = {}

        def _get_font_height_metrics(self, prop):
            """``(ascent, descent, line gap)`` of a font at a size, as ``Text`` computes
            them for every label (a font look-up and two font tables each time): kept
            per font properties and dpi."""
            key = (hash(prop), self.dpi)
            got = self._height_metrics.get(key)
            if got is None:
                from matplotlib.font_manager import fontManager, get_font
                font = get_font(fontManager._find_fonts_by_props(prop))
                got = (None, None, None)
                for table_name, gap_key, asc_key, desc_key in (
                        ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                        ("hhea", "lineGap", "ascent", "descent")):
                    table = font.get_sfnt_table(table_name)
                    if table is None:
                        continue
                    scale = (1 / font.get_sfnt_table("head")["unitsPerEm"]
                             * prop.get_size_in_points() * self.dpi / 72)
                    got = (table[asc_key] * scale, -table[desc_key] * scale,
                           table[gap_key] * scale)
                    break
                if len(self._height_metrics) >= TEXT_CACHE_SIZE:
                    self._height_metrics.clear()
                self._height_metrics[key] = got
            return got

        def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
            if ismath or angle:
                # rotated text (a y label or two) is drawn as Matplotlib draws it: turning
                # a kept bitmap would move it a pixel or two
                return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
            aa = bool(gc.get_antialiased())
            flags = get_hinting_flag()
            key = (s, hash(prop), self.dpi, aa, flags, mpl.rcParams["text.hinting_factor"])
            cache = self._text_bitmaps
            hit = cache.get(key)
            if hit is None:
                font = self._prepare_font(prop)
                font.set_text(s, 0, flags=flags)
                font.draw_glyphs_to_bitmap(antialiased=aa)
                xo, yo = font.get_bitmap_offset()
                # a copy: the font's own buffer is overwritten by the next string
                hit = (np.array(font.get_image()), xo / 64.0, yo / 64.0,
                       font.get_descent() / 64.0)
                if len(cache) >= TEXT_CACHE_SIZE:
                    cache.clear()
                cache[key] = hit
            img, xo, yo, d = hit
            self._renderer.draw_text_image(img, round(x + xo), round(y + yo + d) + 1, 0, gc)

    return PanelRenderer


def _shared_canvas(fig):
    """An Agg canvas for ``fig`` that draws with a renderer shared by all figures
    of the same size.

    Matplotlib caches text metrics and parsed mathtext per renderer; a new
    canvas per picture means a new renderer, so every tick label was measured
    and parsed afresh on every slider move.  Panels draw one picture at a time
    and read the pixels out at once, so one renderer per size is safe.  The
    renderer keeps rasterised strings too (``_panel_renderer_class``).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    global _SharedCanvas, _PanelRenderer
    if _SharedCanvas is None:
        _PanelRenderer = _panel_renderer_class()

        class SharedCanvas(FigureCanvasAgg):
            def get_renderer(self):
                w, h = self.get_width_height(physical=True)
                key = (w, h, self.figure.dpi)
                r = _RENDERERS.get(key)
                if r is None:
                    if len(_RENDERERS) > 8:
                        _RENDERERS.clear()
                    r = _RENDERERS[key] = _PanelRenderer(w, h, self.figure.dpi)
                self.renderer = r
                return r

        _SharedCanvas = SharedCanvas
    return _SharedCanvas(fig)


_PanelRenderer = None
_SharedCanvas = None


