"""Experiment panels: controls -> compute -> figure, testable without a kernel.

A :class:`Panel` ties ipywidgets controls to two plain functions:

* ``compute(**values) -> data`` runs the experiment (usually a simulation);
* ``draw(data, fig)`` draws it on a matplotlib Figure and returns a one-line
  summary (shown under the figure, and read by tests and the browser test).

The figure is shown as a PNG in an ``ipywidgets.Image``, so it updates in place
in JupyterLab, survives in the saved widget state (the static site shows the
last view), and needs no interactive matplotlib backend.

>>> import ipywidgets as W
>>> p = Panel("double", {"n": W.IntSlider(value=2, min=1, max=5)},
...           compute=lambda n: {"n": n, "double": 2 * n},
...           draw=lambda d, fig: f"2 x {d['n']} = {d['double']}")
>>> p.summary
'2 x 2 = 4'
>>> p.set(n=4).summary
'2 x 4 = 8'

Each notebook's panels live in a submodule (``gmpkit.widgets.queues`` ...), as
functions that build a Panel with sensible defaults.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import gc
import os
import re
import threading
import time
from typing import Callable

import ipywidgets as W
from matplotlib.figure import Figure

from ..i18n import language, register_fonts, tr

# Panels draw Chinese too: the CJK subset must be in font.family even when nothing has
# imported gmpkit.plots (03's panels draw with matplotlib directly).
register_fonts()

# the one rendering path (figure -> PNG bytes) lives in render.py
from .render import (TEXT_CACHE_SIZE, _MARKERS, _apply_layout, _cheap_marker_copies,  # noqa: E402,F401
                     _layout_key, _layout_of, _panel_renderer_class, _shared_canvas,
                     _text_shape, render_png)

__all__ = ["Panel", "projector", "PROJECTOR", "benchmark_panels", "slider", "PANELS", "register",
           "render_png", "defer_gc", "clear_caches", "Laps"]

# Lecture-hall mode from the start when JupyterLab was opened with
# `make lab PROJECTOR=1` (or GMPKIT_PROJECTOR=1 in the environment).
PROJECTOR = {"on": os.environ.get("GMPKIT_PROJECTOR", "") not in ("", "0")}
PANELS: dict[str, Callable[[], "Panel"]] = {}

if PROJECTOR["on"]:  # apply the big style once, at import
    from .. import plots as _plots
    _plots.use(projector=True)   # name -> factory, for benchmarks and tests


def projector(on=True):
    """Lecture-hall mode: bigger figures, fonts and lines for every figure and for
    the panels made afterwards.  ``projector(False)`` turns it off.

    >>> projector(True); projector(False)
    True
    False
    """
    from .. import plots
    PROJECTOR["on"] = bool(on)
    plots.use(projector=PROJECTOR["on"])
    return PROJECTOR["on"]


REAL_PANELS: set = set()   # panels that run real measurements (their latency is the machine's)


def register(name, real=False):
    """Decorator: list a panel factory in ``PANELS`` (benchmarked by ``make bench``).

    ``real=True`` marks a panel that measures this machine (forks, threads, Go
    programs) when a control moves: its latency is the measurement's, not the
    simulator's, and the benchmark reports it apart from the 150 ms target.
    """

    def deco(fn):
        @functools.wraps(fn)
        def factory(*args, **kwargs):
            panel = fn(*args, **kwargs)
            # the browser latency benchmark finds a panel by these (CSS classes)
            panel.panel_id, panel.real = name, real
            if not real:          # a simulated panel: remember its first picture too
                panel._remember()
            return panel

        PANELS[name] = factory
        if real:
            REAL_PANELS.add(name)
        return factory

    return deco


def slider(description, value, lo, hi, step=1, kind="int", **kw):
    """A slider that only fires when released (simulations are not free)."""
    cls = W.IntSlider if kind == "int" else W.FloatSlider
    return cls(value=value, min=lo, max=hi, step=step, description=description,
               continuous_update=False, style={"description_width": "initial"},
               layout=W.Layout(width="420px"), **kw)


class Panel:
    """One experiment: named controls, a compute function and a draw function.

    Parameters
    ----------
    title : str
    controls : dict of name -> ipywidgets control (its ``.value`` is passed to
        ``compute`` under that name)
    compute : callable(**values) -> data
    draw : callable(data, fig) -> str summary
    figsize : (w, h) inches; enlarged in projector mode
    notice : str, optional -- a "what to notice" line under the figure
    margins : dict, optional -- ``Figure.subplots_adjust`` arguments applied after
        ``draw``, instead of constrained layout (the draw function places its axes)
    course_style : bool -- compute and draw inside ``plots.style()`` (the course's
        fonts and lines) rather than with the session's rcParams
    """

    def __init__(self, title, controls, compute, draw, figsize=(9, 4), notice="",
                 margins=None, course_style=False):
        self.title = title
        self.margins = dict(margins) if margins is not None else None
        self.course_style = course_style
        self.controls = dict(controls)
        self.compute = compute
        self.draw = draw
        scale = 1.35 if PROJECTOR["on"] else 1.0
        self.figsize = (figsize[0] * scale, figsize[1] * scale)
        self.dpi = 110 if PROJECTOR["on"] else 90
        self.image = W.Image(format="png", layout=W.Layout(max_width="100%"))
        self.summary_label = W.HTML()
        # CSS classes let the browser tests find a panel and its summary.
        self.summary_label.add_class("gmpkit-summary")
        self.notice = notice
        self.data = None
        self._figure, self._fig_missing = None, False
        self._layouts = {}      # layout key -> axes positions found by constrained layout
        self.summary = ""
        self.error = None
        # settings already shown -> (data, summary, error, figure, PNG): a slider moved back
        # to a value answers at once (see ``_cache_key``)
        self._pictures = collections.OrderedDict()
        for c in self.controls.values():
            if isinstance(c, W.Checkbox):   # show the whole label, not "newm's clone() happens u…"
                c.indent = False
                c.layout.width = "auto"
            c.observe(self._changed, names="value")
        self.update()

    @property
    def values(self):
        return {k: c.value for k, c in self.controls.items()}

    def _changed(self, change):
        with defer_gc():
            self.update()

    def set(self, **values):
        """Set controls (as a learner would) and return self once redrawn.

        Unknown names raise a KeyError listing the controls.
        """
        for k in values:
            if k not in self.controls:
                raise KeyError(tr("panel {title!r} has no control {name!r}; it has {names}",
                                  title=self.title, name=k, names=", ".join(self.controls)))
        hold = self.controls
        for k, v in values.items():
            # one redraw per set() call: silence observers until the last value
            c = hold[k]
            if c.value != v:
                c.unobserve(self._changed, names="value")
                c.value = v
                c.observe(self._changed, names="value")
        self.update()
        return self

    PICTURES_KEPT = 12   # settings remembered per panel (data, summary and PNG each)

    @property
    def fig(self):
        """The Figure of the current picture (drawn again on first access after a move
        answered from the kept pictures, which do not keep figures)."""
        if self._fig_missing:
            png, laps = self.image.value, getattr(self, "timings", None)
            self._update()                 # same settings -> same data, same picture
            self.image.value, self.timings = png, laps
        return self._figure

    @fig.setter
    def fig(self, fig):
        self._figure, self._fig_missing = fig, False

    def _cache_key(self):
        """What decides a simulated panel's picture: its controls' values, the language of
        its text and projector mode.  ``None`` (never cached) for a panel that measures
        the machine -- each move is a new measurement -- or one not in ``PANELS``."""
        if getattr(self, "real", None) is not False:
            return None
        from ..i18n import language
        try:
            key = (language(), PROJECTOR["on"], self.figsize, self.dpi,
                   tuple(sorted(self.values.items())))
            hash(key)
        except TypeError:      # a control with an unhashable value
            return None
        return key

    def _remember(self):
        key = self._cache_key()
        if key is None or self._figure is None or self.PICTURES_KEPT <= 0:
            return
        # not the figure: a panel's figure is a megabyte or two of artists; ``fig`` draws
        # a kept setting's figure again only if a test or a notebook asks for it
        self._pictures[key] = (self.data, self.summary, self.error, self.image.value)
        self._pictures.move_to_end(key)
        while len(self._pictures) > self.PICTURES_KEPT:
            self._pictures.popitem(last=False)

    def update(self):
        """Recompute and redraw with the controls' current values (a simulated panel
        shows settings it has shown before from its cache, without simulating)."""
        key = self._cache_key()
        hit = self._pictures.get(key) if key is not None else None
        if hit is not None:
            clock = self.timings = Laps()
            self.data, self.summary, self.error, png = hit
            self._figure, self._fig_missing = None, True
            self._pictures.move_to_end(key)
            self.image.value = png
            clock.lap("cached")
            self._show_summary()
            return self
        self._update()
        if key is not None:
            self._remember()
        return self

    def _show_summary(self):
        style = "color:#b2182b" if self.error else ""
        self.summary_label.value = f"<b style='{style}'>{_escape(self.summary)}</b>"

    def _update(self):
        with _cheap_marker_copies():
            return self._draw_afresh()

    def _draw_afresh(self):
        clock = self.timings = Laps()
        fig = Figure(figsize=self.figsize, dpi=self.dpi)
        key = None
        try:
            with self._style():
                self.data = self.compute(**self.values)
                clock.lap("simulate")
                self.summary = self.draw(self.data, fig) or ""
                if self.margins is not None:
                    fig.subplots_adjust(**self.margins)
            self.error = None
            # a layout found for one language only (its texts have other widths)
            key = (language(), _layout_key(fig)) if self.margins is None else None
        except Exception as e:  # show the learner what went wrong, in place
            self.error = e
            self.summary = f"{type(e).__name__}: {e}"
            fig.clear()
            fig.text(0.02, 0.5, self.summary, wrap=True, fontsize=12, color="#b2182b")
        self.fig = fig
        layout = self._layouts.get(key) if key is not None else None
        if self.margins is not None:       # the draw function placed the axes
            self.image.value = render_png(fig, clock)
        elif layout is None:
            fig.set_layout_engine("constrained")
            self.image.value = render_png(fig, clock)
            if key is not None:
                self._layouts[key] = _layout_of(fig)
                fig.set_layout_engine("none")   # keep what it found; later draws stay put
        else:
            _apply_layout(fig, layout)
            self.image.value = render_png(fig, clock)
        self._show_summary()
        return self

    def _style(self):
        if not self.course_style:
            return contextlib.nullcontext()
        from .. import plots
        return plots.style(projector=PROJECTOR["on"])

    @property
    def widget(self):
        title = tr(self.title)   # i18n: panel titles are N_() literals where each panel is made
        head = W.HTML(f"<h4 style='margin:4px 0'>{_escape(title)}</h4>")
        parts = [head, W.VBox(list(self.controls.values())), self.image, self.summary_label]
        if self.notice:
            parts.append(W.HTML(f"<i>{_escape(tr(self.notice))}</i>"))  # i18n: N_() notices
        box = W.VBox(parts)
        return self._tag(box)

    def _tag(self, box):
        """CSS classes for browser tests: ``gmpkit-panel``, ``gmpkit-id-<06-stealing>``
        and ``gmpkit-real`` for a panel that measures this machine."""
        box.add_class("gmpkit-panel")
        pid = getattr(self, "panel_id", None)
        if pid:
            box.add_class("gmpkit-id-" + re.sub(r"[^A-Za-z0-9-]+", "-", pid))
        if getattr(self, "real", False):
            box.add_class("gmpkit-real")
        return box

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)

    def __repr__(self):
        return f"<Panel {self.title!r}: {self.summary}>"


GC_SAFETY_S = 1.0   # defer_gc: the collector is back on after this, whatever the loop does


@contextlib.contextmanager
def defer_gc():
    """Hold Python's cyclic garbage collector off while a moved control is answered.

    A full collection in a kernel holding a course's worth of figures and timelines
    takes 100-200 ms; when one fell inside a redraw it doubled that move's latency.
    Inside a running kernel the collector is switched back on from the event loop
    50 ms after the new picture left (the collection then happens while the learner
    looks at it); without an event loop (tests, ``make bench``) at once.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            gc.enable()
        else:
            loop.call_later(0.05, gc.enable)
            # a safety net: a loop that stops running callbacks (a test harness's, not a
            # kernel's) must not leave the collector off for the rest of the process
            t = threading.Timer(GC_SAFETY_S, gc.enable)
            t.daemon = True
            t.start()


class Laps(dict):
    """Where an update's time went: ``lap(name)`` adds the time since the last lap.

    ``cpu`` is the CPU time this process spent from the start to the last lap: on a
    shared machine the wall-clock laps also hold the time spent waiting for a core.

    >>> c = Laps(); c.lap("simulate"); sorted(c), c.cpu >= 0
    (['simulate'], True)
    """

    def __init__(self):
        super().__init__()
        self._t = time.perf_counter()
        self._c0 = time.process_time()
        self.cpu = 0.0

    def lap(self, name):
        now = time.perf_counter()
        self[name] = self.get(name, 0.0) + now - self._t
        self._t = now
        self.cpu = time.process_time() - self._c0


def _escape(text):
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def benchmark_panels(repeats=10, names=None):
    """Time "set a control -> figure ready" for every registered panel.

    For each panel, the first numeric control is moved ``repeats`` times to
    values spread over its range, never to the value it shows.  A slider with
    fewer values than that comes back to values it showed before; the caches
    (pictures and simulations of settings already seen) are then emptied
    first, so no move is answered from a cache of an earlier move.  Returns
    ``{name: {"simulate": [s, ...], "draw": [...], "encode": [...], "total": [...],
    "cpu": [...], "back": [...]}}`` (see ``Laps``; ``cpu`` is the process's CPU time
    of each move, ``back`` the time of moves back to the value just shown, answered
    from the panel's kept pictures; ``REAL_PANELS`` are the panels that measure this machine).
    """
    _import_all()
    out = {}
    for name, factory in sorted(PANELS.items()):
        if names and name not in names:
            continue
        panel = factory()
        ctl_name, ctl = next(((k, c) for k, c in panel.controls.items()
                              if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)),
                             (None, None))
        if ctl is None:
            continue
        spread = _fresh_values(ctl, repeats) + [ctl.value]
        seen = {ctl.value}
        res = {"simulate": [], "draw": [], "encode": [], "total": [], "cpu": [], "back": []}
        for k in range(repeats * 2):
            if len(res["total"]) == repeats:
                break
            v = spread[k % len(spread)]
            if v == ctl.value:
                continue
            if v in seen:
                clear_caches(panel)
            seen.add(v)
            # the collection a kernel makes while the learner looks at the last picture
            # (see defer_gc); here, outside the timed interval
            gc.collect()
            t0 = time.perf_counter()
            with defer_gc():
                panel.set(**{ctl_name: v})
                dt = time.perf_counter() - t0
            res["total"].append(dt)
            laps = getattr(panel, "timings", None) or {}
            for phase in ("simulate", "draw", "encode"):
                res[phase].append(laps.get(phase, 0.0))
            res["cpu"].append(getattr(laps, "cpu", 0.0))
        # moving back to the value just shown: what a kept picture costs (simulated panels)
        other = next((v for v in spread if v != ctl.value), None)
        if not getattr(panel, "real", False) and other is not None:
            here = ctl.value
            for _ in range(3):
                panel.set(**{ctl_name: other})          # (drawn, or kept: not timed)
                t0 = time.perf_counter()
                panel.set(**{ctl_name: here})
                res["back"].append(time.perf_counter() - t0)
        if res["total"]:
            out[name] = res
    return out


def clear_caches(panel=None):
    """Forget cached simulations and pictures (of one panel, and module-level ones)."""
    import functools
    import sys
    for attr in ("_cache", "_png", "_pictures"):
        c = getattr(panel, attr, None)
        if hasattr(c, "clear"):
            c.clear()
    for mod in [m for k, m in sys.modules.items() if k.startswith(__name__ + ".")]:
        for obj in vars(mod).values():
            if isinstance(obj, functools._lru_cache_wrapper):
                obj.cache_clear()


def _fresh_values(ctl, n):
    """Up to ``n`` values of a slider's range, spread out, none equal to its current value."""
    lo, hi, v = ctl.min, ctl.max, ctl.value
    step = getattr(ctl, "step", 1) or 1
    count = int(round((hi - lo) / step)) + 1
    picks = []
    for k in range(1, n + 1):
        i = round(k * (count - 1) / (n + 1)) if count > n + 1 else k - 1
        x = lo + i * step
        x = type(v)(round(x, 6)) if isinstance(v, float) else int(x)
        if x != v and x not in picks and lo <= x <= hi:
            picks.append(x)
    return picks


def _import_all():
    import importlib
    import pkgutil
    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")
