"""The course's look: palettes, state and event styles, colour-blind checks, rcParams,
the CJK font, and the small axis helpers every picture shares (time labels, legends).

Colours
-------
* ``G_PALETTE`` -- Paul Tol's *muted* qualitative scheme (9 colours).  A
  goroutine keeps one colour in every plot of a run: ``g_color(gid)`` is a
  pure function of the id.  Ids are also written on bars and circles, since
  nine colours repeat.
* ``STATE_STYLE`` -- a fixed (colour, hatch) per scheduler state, from the
  Okabe--Ito scheme plus greys.  Every non-running state has a hatch or a
  grey that running bars never have, so meaning never rests on colour alone.
* ``colorblind_distance`` -- the check the tests run on both palettes
  (colours simulated for deuteranopia, protanopia and tritanopia with the
  Machado et al. 2009 matrices, compared as CIELAB ΔE76).
"""

from __future__ import annotations

from contextlib import contextmanager

import matplotlib as mpl
import numpy as np
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import FuncFormatter, MaxNLocator

# Chinese glyphs come from the CJK subset shipped with gmpkit, after DejaVu Sans (gmpkit.i18n)
from ..i18n import N_, register_fonts, tr

register_fonts()

# ---------------------------------------------------------------------------
# palette
# ---------------------------------------------------------------------------

# Paul Tol, "muted" (https://personal.sron.nl/~pault/): qualitative, colour-blind safe.
G_PALETTE = ("#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE",
             "#882255", "#44AA99", "#999933", "#AA4499")
NO_G_COLOR = "#BBBBBB"   # a span with no goroutine (g = -1)

# Okabe & Ito (2008), for series in line and bar charts.
SERIES_PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00",
                  "#56B4E9", "#F0E442", "#000000")
SERIES_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
SERIES_HATCHES = ("", "//", "..", "xx", "\\\\", "++", "--", "oo")
SERIES_LINESTYLES = ("-", "--", "-.", ":")

# Scheduler states: (face colour, hatch, what it means).  "running" is drawn
# in the goroutine's own colour; the colour here is only its legend swatch.
STATE_STYLE = {
    "running":   ("#117733", "",     N_("running a G's own code (colour = goroutine)")),
    "spawn":     ("#F0E442", "++",   N_("creating a goroutine (newproc)")),
    "switch":    ("#000000", "",     N_("context switch")),
    "sched":     ("#4D4D4D", "||",   N_("in the scheduler")),
    "syscall":   ("#D55E00", "//",   N_("blocked in a system call")),
    "spinning":  ("#56B4E9", "..",   N_("spinning: looking for work")),
    "idle":      ("#EDEDED", "",     N_("idle / parked")),
    "starting":  ("#DDCC77", "..",   N_("a thread being created or woken to take a handed-over P")),
    "lock-wait": ("#CC79A7", "xx",   N_("waiting for the scheduler lock")),
    "runnable":  ("#E69F00", "\\\\", N_("runnable, waiting in a queue")),
    "waiting":   ("#C4C4C4", "--",   N_("waiting (channel, mutex, ...)")),
    "blocked":   ("#8A8A8A", "||",   N_("thread blocked")),
    "sleep":     ("#0072B2", "..",   N_("sleeping on a timer")),
    "netio":     ("#009E73", "oo",   N_("parked on the netpoller")),
    "sysmon":    ("#FFFFFF", "|",    N_("sysmon: the monitor thread (never holds a P)")),
}
_UNKNOWN_STATE = ("#999999", "**", N_("other"))

# Point events that gantt() can mark: kind -> (marker, face colour, legend text).
EVENT_MARKERS = {
    "steal":    ("<", "#0072B2", N_("steal")),
    "preempt":  ("X", "#D55E00", N_("preempt")),
    "retake":   ("D", "#CC79A7", N_("retake (sysmon)")),
    "handoff":  ("^", "#009E73", N_("P handoff")),
    "overflow": ("s", "#E69F00", N_("ring overflow")),
    "gosched":  ("o", "#56B4E9", "Gosched"),
    "spawn":    ("P", "#F0E442", N_("go statement")),
    "syscall-enter": ("v", "#D55E00", N_("syscall enter")),
    "syscall-exit":  ("^", "#D55E00", N_("syscall exit")),
}
DEFAULT_EVENTS = ("steal", "preempt", "retake", "handoff")

# memory_map region kinds: (face colour, hatch, legend text)
KIND_STYLE = {
    "code":   ("#0072B2", "",     N_("code (r-x)")),
    "data":   ("#56B4E9", "..",   N_("data / bss")),
    "heap":   ("#009E73", "",     N_("heap")),
    "stack":  ("#E69F00", "",     N_("stack")),
    "guard":  ("#FFFFFF", "xx",   N_("guard page (no access)")),
    "lib":    ("#CC79A7", "//",   N_("shared library")),
    "anon":   ("#C4C4C4", "",     N_("anonymous mapping")),
    "vdso":   ("#F0E442", "oo",   "vdso / vvar"),
    "kernel": ("#4D4D4D", "",     N_("kernel")),
}

_G_RGBA = np.array([to_rgba(c) for c in G_PALETTE])


def g_color(gid):
    """g_color(gid) -> hex colour of goroutine ``gid``; the same in every plot.

    >>> g_color(1) == g_color(1 + len(G_PALETTE)) == G_PALETTE[0]
    True
    """
    gid = int(gid)
    if gid < 0:
        return NO_G_COLOR
    return G_PALETTE[(gid - 1) % len(G_PALETTE)]


def _g_rgba(gids):
    gids = np.asarray(gids, dtype=np.int64)
    out = _G_RGBA[(gids - 1) % len(G_PALETTE)]
    out[gids < 0] = to_rgba(NO_G_COLOR)
    return out


def state_style(state):
    """state_style(state) -> (colour, hatch, description in the learner's language);
    unknown states get a grey."""
    color, hatch, desc = STATE_STYLE.get(state, _UNKNOWN_STATE)
    return color, hatch, tr(desc)   # i18n: descriptions are N_-marked above


def _text_color(color):
    """Black or white, whichever reads better on ``color``."""
    r, g, b = to_rgb(color)
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "white"


# Colour-vision-deficiency simulation: Machado, Oliveira & Fernandes (2009),
# severity 1.0, applied to linear RGB.
_CVD = {
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
    "normal": np.eye(3),
}


def _lab(colors, vision="normal"):
    rgb = np.array([to_rgb(c) for c in colors])
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    lin = np.clip(lin @ _CVD[vision].T, 0, 1)
    xyz = lin @ np.array([[0.4124, 0.3576, 0.1805],
                          [0.2126, 0.7152, 0.0722],
                          [0.0193, 0.1192, 0.9505]]).T
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]),
                     200 * (f[:, 1] - f[:, 2])], axis=1)


def colorblind_distance(c1, c2, vision="deuteranopia"):
    """CIELAB ΔE76 between two colours as seen with ``vision``.

    ``vision``: ``"deuteranopia"``, ``"protanopia"``, ``"tritanopia"`` or
    ``"normal"``.  About 2 is just noticeable; above ~10 two bars read as
    different colours at a glance.
    """
    a, b = _lab([c1, c2], vision)
    return float(np.linalg.norm(a - b))


# ---------------------------------------------------------------------------
# style
# ---------------------------------------------------------------------------

def rcparams(projector=False):
    """rcParams for the course: ``projector=True`` gives ≥14 pt text and thick lines."""
    if projector:
        sizes = dict(base=16, title=20, label=18, tick=15, legend=14, lw=3.0, fig=(13.0, 7.0))
    else:
        sizes = dict(base=11, title=13, label=12, tick=10, legend=10, lw=2.0, fig=(10.0, 5.0))
    return {
        "font.size": sizes["base"],
        "axes.titlesize": sizes["title"],
        "axes.titleweight": "bold",
        "axes.labelsize": sizes["label"],
        "xtick.labelsize": sizes["tick"],
        "ytick.labelsize": sizes["tick"],
        "legend.fontsize": sizes["legend"],
        "legend.title_fontsize": sizes["legend"],
        "lines.linewidth": sizes["lw"],
        "lines.markersize": 8 if projector else 6,
        "axes.linewidth": 1.5 if projector else 1.0,
        "hatch.linewidth": 1.2 if projector else 0.8,
        "figure.figsize": sizes["fig"],
        "axes.prop_cycle": mpl.cycler(color=list(SERIES_PALETTE)),
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


@contextmanager
def style(projector=False):
    """Context manager: draw with the course style (``projector=True``: big, thick).

    >>> with style(projector=True):
    ...     fig = scaling([1, 2], {"GMP": [1, 2]})
    """
    with mpl.rc_context(rcparams(projector)):
        yield


def use(projector=False):
    """Apply the course style for the rest of the session (e.g. at the top of a notebook)."""
    mpl.rcParams.update(rcparams(projector))


def _fs(key):
    """A font size from the current rcParams, in points."""
    return FontProperties(size=mpl.rcParams[key]).get_size_in_points()


def _detached_figure(figsize, **kw):
    """A new Figure that pyplot does not track (so Jupyter shows it once, via the
    return value, and loops do not leak), with an Agg canvas (``fig.canvas.draw()`` works)."""
    import matplotlib.pyplot as plt   # registers Jupyter's figure display
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig = plt.figure(figsize=figsize, **kw)
    plt.close(fig)
    FigureCanvasAgg(fig)
    return fig


def _new_axes(ax, figsize, **kw):
    if ax is not None:
        return ax.figure, ax
    fig = _detached_figure(figsize, layout="constrained")
    return fig, fig.add_subplot(**kw)


def _finish_axes(ax, title, xlabel=None, ylabel=None):
    if title:
        ax.set_title(title, fontsize=_fs("axes.titlesize"),
                     fontweight=mpl.rcParams["axes.titleweight"])
    if xlabel is not None:
        ax.set_xlabel(xlabel, fontsize=_fs("axes.labelsize"))
    if ylabel is not None:
        ax.set_ylabel(ylabel, fontsize=_fs("axes.labelsize"))
    ax.tick_params(labelsize=_fs("xtick.labelsize"))


def _fig_width():
    """Figure width: the style's, but never narrower than 9 in (Gantt rows need room)."""
    return max(mpl.rcParams["figure.figsize"][0], 9.0)


def _legend(ax, handles, **kw):
    if not handles:
        return None
    kw.setdefault("fontsize", _fs("legend.fontsize"))
    kw.setdefault("frameon", False)
    return ax.legend(handles=handles, **kw)


# ---------------------------------------------------------------------------
# time and size formatting
# ---------------------------------------------------------------------------

_UNITS = (("s", 1_000_000_000), ("ms", 1_000_000), ("µs", 1_000), ("ns", 1))


def time_unit(span_ns):
    """(name, ns per unit) to label a window ``span_ns`` long: µs below 10 ms, etc."""
    span_ns = abs(span_ns)
    if span_ns >= 10_000_000_000:
        return _UNITS[0]
    if span_ns >= 10_000_000:
        return _UNITS[1]
    if span_ns >= 10_000:
        return _UNITS[2]
    return _UNITS[3]


def fmt_time(ns):
    """A readable duration: ``fmt_time(1_234_000) == '1.23 ms'``."""
    ns = float(ns)
    for name, scale in _UNITS:
        if abs(ns) >= scale or scale == 1:
            v = ns / scale
            return f"{v:.3g} {name}" if scale != 1 else f"{int(round(v))} ns"
    return f"{ns} ns"  # pragma: no cover


def _time_axis(ax, t0, t1, axis="x"):
    name, scale = time_unit(t1 - t0)
    fmt = FuncFormatter(lambda v, _pos: f"{v / scale:g}")
    getattr(ax, f"{axis}axis").set_major_formatter(fmt)
    getattr(ax, f"{axis}axis").set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 2.5, 5, 10]))
    return tr("time ({unit})", unit=name)
