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

Each notebook's panels live in a submodule (``gmpkit.widgets.gmp`` ...), as
functions that build a Panel with sensible defaults.
"""

from __future__ import annotations

import io
import os
import statistics
import time
from typing import Callable

import ipywidgets as W
from matplotlib.figure import Figure

from ..i18n import tr

__all__ = ["Panel", "projector", "PROJECTOR", "benchmark_panels", "slider", "PANELS", "register",
           "render_png"]

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
        PANELS[name] = fn
        if real:
            REAL_PANELS.add(name)
        return fn

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
    """

    def __init__(self, title, controls, compute, draw, figsize=(9, 4), notice=""):
        self.title = title
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
        self.fig = None
        self.summary = ""
        self.error = None
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

    def update(self):
        """Recompute and redraw with the controls' current values."""
        fig = Figure(figsize=self.figsize, dpi=self.dpi, layout="constrained")
        try:
            self.data = self.compute(**self.values)
            self.summary = self.draw(self.data, fig) or ""
            self.error = None
        except Exception as e:  # show the learner what went wrong, in place
            self.error = e
            self.summary = f"{type(e).__name__}: {e}"
            fig.clear()
            fig.text(0.02, 0.5, self.summary, wrap=True, fontsize=12, color="#b2182b")
        self.fig = fig
        self.image.value = render_png(fig)
        style = "color:#b2182b" if self.error else ""
        self.summary_label.value = f"<b style='{style}'>{_escape(self.summary)}</b>"
        return self

    @property
    def widget(self):
        head = W.HTML(f"<h4 style='margin:4px 0'>{_escape(self.title)}</h4>")
        parts = [head, W.VBox(list(self.controls.values())), self.image, self.summary_label]
        if self.notice:
            parts.append(W.HTML(f"<i>{_escape(self.notice)}</i>"))
        box = W.VBox(parts)
        box.add_class("gmpkit-panel")
        return box

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)

    def __repr__(self):
        return f"<Panel {self.title!r}: {self.summary}>"


def render_png(fig):
    """PNG bytes of ``fig``, drawn once.

    ``savefig`` draws a constrained-layout figure twice (a layout pass, then the
    real one); drawing on an Agg canvas lays out and draws in one pass, and a
    light PNG compression keeps encoding cheap.  Together they halve the time
    from moving a slider to a new picture.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    w, h = canvas.get_width_height(physical=True)
    img = Image.frombuffer("RGBA", (w, h), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buf = io.BytesIO()
    img.save(buf, format="png", compress_level=1)
    return buf.getvalue()


def _escape(text):
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def benchmark_panels(repeats=5, names=None):
    """Time "set a control -> figure ready" for every registered panel.

    For each panel, the first numeric control is moved to ``repeats`` different
    values across its range (never back to a value already drawn, so no cache
    can answer).  Returns ``{name: (median_s, worst_s)}``; see ``REAL_PANELS``.
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
        times = []
        for v in _fresh_values(ctl, repeats):
            t0 = time.perf_counter()
            panel.set(**{ctl_name: v})
            times.append(time.perf_counter() - t0)
        if times:
            out[name] = (statistics.median(times), max(times))
    return out


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
