"""Pictures of schedules: Gantt charts, queue plots, scaling curves, the G-M-P diagram.

Every function draws with matplotlib only, returns the :class:`~matplotlib.figure.Figure`
it drew on and never calls ``plt.show()``.  Figures are created through pyplot
and then *closed* (detached from pyplot), so a notebook cell shows a figure
once, through its return value, and a loop that draws many does not leak.
Pass ``ax=`` to draw into an Axes of your own figure instead.

Times in a :class:`~gmpkit.timeline.Timeline` are integer ns; plots keep the
data in ns and only the tick labels are scaled (``ns``/``µs``/``ms``/``s``,
chosen from the shown window), so ``ax.get_xlim()`` is always in ns.

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

Examples (``import gmpkit as gk; from gmpkit import plots``)::

    run = gk.simulate(main, model=gk.GreenThreads())
    tl = run.timeline

    with plots.style(projector=True):            # big fonts for the projector
        fig = plots.gantt(tl, by="M")             # one row per thread
    plots.gantt(tl, by="P", t0=0, t1=200_000)     # per P, first 200 µs
    plots.gantt(tl, by="G", events=("preempt",))  # per goroutine, preemptions marked
    plots.queues(tl)                              # global + per-P queues, threads/idle/spinning
    plots.scaling([1, 2, 4, 8], {"GM": [1, 1.6, 1.9, 1.7], "GMP": [1, 2, 3.9, 7.6]},
                  xlabel="GOMAXPROCS", ylabel="speed-up", log2x=True)
    plots.compare_bars(["thread", "goroutine"], {"model": [1500, 200],
                       "measured": [2100, 170]}, ylabel="hand-off (ns)", log=True)
    plots.gmp_diagram(sim.snapshot())             # the G-M-P picture, now
    d = plots.GMPDiagram(sim.snapshot())          # ... or animated:
    sim.run(until=50_000); d.update(sim.snapshot())
    plots.memory_map([(0x400000, 0x401000, "a.out", "code"),
                      (0x7ffd0000, 0x7ffd8000, "[stack]", "stack")])
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache

import matplotlib as mpl
import numpy as np
from matplotlib import patches as mpatches
from matplotlib.collections import EllipseCollection, PathCollection, PolyCollection
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .units import fmt_bytes  # noqa: F401  (re-exported: plots.fmt_bytes)

__all__ = [
    "G_PALETTE", "SERIES_PALETTE", "STATE_STYLE", "KIND_STYLE", "EVENT_MARKERS",
    "g_color", "state_style", "colorblind_distance", "rcparams", "style", "use",
    "time_unit", "fmt_time", "fmt_bytes",
    "gantt", "queues", "scaling", "compare_bars", "gmp_diagram", "GMPDiagram", "p_label",
    "memory_map",
]

# Chinese glyphs come from the CJK subset shipped with gmpkit, after DejaVu Sans (gmpkit.i18n)
from .i18n import N_, register_fonts, tr, trc  # noqa: E402

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
    "steal":    ("<", "#0072B2", "steal"),
    "preempt":  ("X", "#D55E00", "preempt"),
    "retake":   ("D", "#CC79A7", "retake (sysmon)"),
    "handoff":  ("^", "#009E73", "P handoff"),
    "overflow": ("s", "#E69F00", "ring overflow"),
    "gosched":  ("o", "#56B4E9", "Gosched"),
    "spawn":    ("P", "#F0E442", "go statement"),
    "syscall-enter": ("v", "#D55E00", "syscall enter"),
    "syscall-exit":  ("^", "#D55E00", "syscall exit"),
}
DEFAULT_EVENTS = ("steal", "preempt", "retake", "handoff")

# memory_map region kinds: (face colour, hatch, legend text)
KIND_STYLE = {
    "code":   ("#0072B2", "",     "code (r-x)"),
    "data":   ("#56B4E9", "..",   "data / bss"),
    "heap":   ("#009E73", "",     "heap"),
    "stack":  ("#E69F00", "",     "stack"),
    "guard":  ("#FFFFFF", "xx",   "guard page (no access)"),
    "lib":    ("#CC79A7", "//",   "shared library"),
    "anon":   ("#C4C4C4", "",     "anonymous mapping"),
    "vdso":   ("#F0E442", "oo",   "vdso / vvar"),
    "kernel": ("#4D4D4D", "",     "kernel"),
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
    return f"time ({name})"


# ---------------------------------------------------------------------------
# gantt
# ---------------------------------------------------------------------------

_BAR_H = 0.8
_MAX_LABELS = 150


def _model_name(timeline):
    m = timeline.meta.get("model") if timeline.meta else None
    return m or timeline.source


def _compound_path(verts):
    """One Path holding many (n, 4, 2) rectangles."""
    n = len(verts)
    v = np.concatenate([verts, verts[:, :1]], axis=1).reshape(-1, 2)
    codes = np.tile(np.array([Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO,
                              Path.CLOSEPOLY], dtype=Path.code_type), n)
    return Path(v, codes)


def _gantt_rows(timeline, by):
    """Select spans for view ``by``; return (row key per span, mask, prefix)."""
    a = timeline.span_arrays()
    lane = a["lane"]
    if by == "M":
        mask = (lane == "M") & (a["m"] >= 0)
        return a["m"], mask, "M"
    if by == "P":
        mask = ((lane == "M") | (lane == "P")) & (a["p"] >= 0)
        return a["p"], mask, "P"
    if by == "G":
        glane = (lane == "G") & (a["g"] >= 0)
        own = (lane == "M") & (a["g"] >= 0) & np.isin(a["state"], ("running", "syscall"))
        if np.any(glane & (a["state"] == "running")):
            mask = glane          # a real trace: the G lane already says when each G ran
        else:
            mask = glane | own
        return a["g"], mask, "G"
    raise ValueError(f"gantt(by={by!r}): by must be 'M' (threads), 'P' (processors) "
                     f"or 'G' (goroutines)")


def gantt(timeline, by="M", ax=None, t0=None, t1=None, label_gs=True, title=None,
          events=DEFAULT_EVENTS, legend=True, max_labels=_MAX_LABELS):
    """Gantt chart of a Timeline: one row per M, per P or per G.

    ``running`` bars take the goroutine's colour (``g_color``) and, when wide
    enough, its id; every other state its fixed colour and hatch
    (``STATE_STYLE``).  ``by="P"`` groups M-lane spans by the P they held (plus
    P-lane spans of real traces); ``by="G"`` uses G-lane spans, or the M-lane
    ``running``/``syscall`` spans of each G when the G lane has no running.
    ``t0``/``t1`` (ns) zoom in; ``events`` names the event kinds marked above
    their row (``EVENT_MARKERS``; ``()`` for none).  Vectorised: one
    collection for running bars (a colour per bar), one compound hatched path
    per other state, at most ``max_labels`` text labels: 100k spans draw in
    a few seconds.  Returns the Figure (of ``ax`` when given).

    >>> from gmpkit import Timeline
    >>> tl = Timeline(); tl.add_span("running", 0, 5_000, m=0, p=0, g=3)
    >>> fig = gantt(tl, by="G")
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['G3']
    """
    keys, mask, prefix = _gantt_rows(timeline, by)
    a = timeline.span_arrays()
    start, end, state, g = a["start"], a["end"], a["state"], a["g"]
    lo = 0 if t0 is None else int(t0)
    hi = timeline.end_time if t1 is None else int(t1)
    if hi <= lo:
        hi = lo + 1
    mask = mask & (end > lo) & (start < hi) & (end > start)
    idx = np.nonzero(mask)[0]
    row_ids = np.unique(keys[idx]) if idx.size else np.array([], dtype=np.int64)
    # rows for every M / P known even if idle in the window
    if by == "P" and timeline.procs:
        row_ids = np.union1d(row_ids, np.arange(timeline.procs))
    nrows = max(len(row_ids), 1)
    fig, ax = _new_axes(ax, (_fig_width(),
                             min(2.4 + 0.42 * nrows * _fs("font.size") / 11, 14)))

    row_of = np.searchsorted(row_ids, keys[idx])
    s = np.clip(start[idx], lo, hi).astype(float)
    e = np.clip(end[idx], lo, hi).astype(float)
    st = state[idx]
    gg = g[idx]
    y0 = row_of - _BAR_H / 2
    y1 = row_of + _BAR_H / 2
    verts = np.empty((idx.size, 4, 2))
    verts[:, 0, 0] = s; verts[:, 0, 1] = y0
    verts[:, 1, 0] = s; verts[:, 1, 1] = y1
    verts[:, 2, 0] = e; verts[:, 2, 1] = y1
    verts[:, 3, 0] = e; verts[:, 3, 1] = y0
    edge_lw = 0.6 if idx.size <= 3000 else 0.0

    handles = []
    states_present = [x for x in STATE_STYLE if np.any(st == x)]
    states_present += sorted(set(np.unique(st).tolist()) - set(STATE_STYLE))
    for name in states_present:
        sel = st == name
        color, hatch, desc = state_style(name)
        if name == "running":
            # one collection, a colour per bar: the goroutine's
            coll = PolyCollection(verts[sel], facecolors=_g_rgba(gg[sel]), edgecolors="white",
                                  linewidths=edge_lw, label=name, closed=True)
            coll.set_gid("state:running")
            ax.add_collection(coll, autolim=False)
            handles.append(mpatches.Patch(facecolor=g_color(1), edgecolor="white",
                                          label=tr("running (colour, label: G)")))
            continue
        # one compound path per state: hatching 100k separate bars would take
        # Agg half a minute, one hatched path takes a second
        patch = mpatches.PathPatch(_compound_path(verts[sel]), facecolor=color,
                                   hatch=hatch or None, edgecolor="#333333",
                                   linewidth=edge_lw, label=name)
        patch.set_gid(f"state:{name}")
        ax.add_artist(patch)
        handles.append(mpatches.Patch(facecolor=color, hatch=hatch or None, edgecolor="#333333",
                                      label=trc("state", name)))  # i18n: STATE_STYLE keys

    # goroutine ids on running bars wide enough to hold them
    if label_gs:
        sel = np.nonzero((st == "running") & (gg >= 0))[0]
        if sel.size:
            bbox_w_in = fig.get_figwidth() * ax.get_position().width
            ns_per_in = (hi - lo) / max(bbox_w_in, 1e-3)
            char_in = 0.62 * _fs("font.size") * 0.9 / 72
            nchar = np.floor(np.log10(np.maximum(gg[sel], 1))).astype(int) + 2  # "G" + digits
            need = (nchar * char_in + 0.08) * ns_per_in
            width = e[sel] - s[sel]
            ok = sel[width >= need]
            if ok.size > max_labels:
                ok = ok[np.argsort(-(e[ok] - s[ok]), kind="stable")[:max_labels]]
            for i in ok:
                c = g_color(gg[i])
                ax.text((s[i] + e[i]) / 2, row_of[i], f"G{gg[i]}", ha="center", va="center",
                        fontsize=_fs("font.size") * 0.9, color=_text_color(c),
                        clip_on=True, gid="glabel")

    # events as markers just above their row
    if events:
        ev_field = {"M": "m", "P": "p", "G": "g"}[by]
        for kind in events:
            evs = [x for x in timeline.events_of(kind) if lo <= x.time <= hi]
            if not evs:
                continue
            key = np.array([getattr(x, ev_field) for x in evs], dtype=np.int64)
            tt = np.array([x.time for x in evs], dtype=float)
            known = np.isin(key, row_ids)
            if not np.any(known):
                continue
            marker, color, desc = EVENT_MARKERS.get(kind, ("o", "#000000", kind))
            ax.scatter(tt[known], np.searchsorted(row_ids, key[known]) - _BAR_H / 2 + 0.08,
                       marker=marker, s=(_fs("font.size") * 0.8) ** 2, c=color,
                       edgecolors="black", linewidths=0.8, zorder=5, label=kind,
                       clip_on=False, gid=f"event:{kind}")
            handles.append(Line2D([], [], marker=marker, linestyle="", markerfacecolor=color,
                                  markeredgecolor="black", markersize=_fs("font.size") * 0.7,
                                  label=desc))

    ax.set_xlim(lo, hi)
    ax.set_ylim(nrows - 0.5, -0.5 - 0.3)   # row 0 on top; room for markers
    ticks = np.arange(len(row_ids))
    if len(row_ids) > 40:   # label every k-th row only
        ticks = ticks[:: int(np.ceil(len(row_ids) / 40))]
    ax.set_yticks(ticks)
    ax.set_yticklabels([f"{prefix}{row_ids[i]}" for i in ticks])
    ax.tick_params(axis="y", length=0)
    xlabel = _time_axis(ax, lo, hi)
    who = {"M": "thread (M)", "P": "processor (P)", "G": "goroutine (G)"}[by]
    if title is None:
        title = f"What each {who} did over time — {_model_name(timeline)}"
    _finish_axes(ax, title, xlabel=xlabel)
    if legend:
        _legend(ax, handles, loc="upper left", bbox_to_anchor=(1.0, 1.0),
                ncol=1, handlelength=1.6)
    return fig


# ---------------------------------------------------------------------------
# queues
# ---------------------------------------------------------------------------

def _runq_names(timeline):
    names = [n for n in timeline.counter_names if n.startswith("runq[") and n.endswith("]")]
    return sorted(names, key=lambda n: int(n[5:-1]) if n[5:-1].isdigit() else 10 ** 9)


def _step(ax, timeline, name, end, **kw):
    t, v = timeline.counter(name)
    x = np.append(t, max(end, t[-1])).astype(float)
    y = np.append(v, v[-1]).astype(float)
    return ax.plot(x, y, drawstyle="steps-post", **kw)[0]


THREAD_COUNTERS = (("threads", "threads (Ms)", "#000000", "-"),
                   ("idleprocs", "idle Ps", "#E69F00", "--"),
                   ("spinningthreads", "spinning Ms", "#56B4E9", "-."),
                   ("idlethreads", "idle Ms", "#999999", ":"))


def queues(timeline, ax=None, t0=None, t1=None, title=None):
    """Run-queue lengths over time (step plots of the timeline's counters).

    Top panel: the global queue (``runqueue``, thick black) and each P's
    ring (``runq[i]``, one colour and line style each).  Bottom panel:
    ``threads``, ``idleprocs``, ``spinningthreads`` and ``idlethreads``.
    ``ax``: ``None`` (new figure), a pair of Axes, or one Axes (top panel only).

    >>> fig = queues(run.timeline)          # doctest: +SKIP
    """
    lo = 0 if t0 is None else int(t0)
    hi = timeline.end_time if t1 is None else int(t1)
    if hi <= lo:
        hi = lo + 1
    if ax is None:
        w = _fig_width()
        fig = _detached_figure((w, w * 0.6), layout="constrained")
        ax_q, ax_t = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    elif isinstance(ax, (list, tuple, np.ndarray)):
        ax_q, ax_t = ax[0], ax[1]
        fig = ax_q.figure
    else:
        ax_q, ax_t, fig = ax, None, ax.figure

    names = timeline.counter_names
    if "runqueue" in names:
        _step(ax_q, timeline, "runqueue", hi, color="black", label="global queue",
              linewidth=mpl.rcParams["lines.linewidth"] * 1.4, zorder=3, gid="counter:runqueue")
    for k, name in enumerate(_runq_names(timeline)):
        _step(ax_q, timeline, name, hi, color=SERIES_PALETTE[k % 7],
              linestyle=SERIES_LINESTYLES[(k // 7 + k) % 4],
              label=f"P{name[5:-1]} local ring", gid=f"counter:{name}")
    if not ax_q.lines:
        ax_q.text(0.5, 0.5, "no queue counters in this timeline", ha="center", va="center",
                  transform=ax_q.transAxes, fontsize=_fs("font.size"))
    ax_q.set_xlim(lo, hi)
    ax_q.set_ylim(bottom=0)
    ax_q.yaxis.set_major_locator(MaxNLocator(integer=True))
    xlabel = _time_axis(ax_q, lo, hi)
    if title is None:
        title = f"Run-queue lengths — {_model_name(timeline)}"
    _finish_axes(ax_q, title, ylabel="Gs waiting",
                 xlabel=None if ax_t is not None else xlabel)
    _legend(ax_q, ax_q.lines, loc="upper left", bbox_to_anchor=(1.01, 1.0))

    if ax_t is not None:
        for name, label, color, ls in THREAD_COUNTERS:
            if name in names:
                _step(ax_t, timeline, name, hi, color=color, linestyle=ls, label=label,
                      gid=f"counter:{name}")
        if not ax_t.lines:
            ax_t.text(0.5, 0.5, "no thread counters in this timeline", ha="center",
                      va="center", transform=ax_t.transAxes, fontsize=_fs("font.size"))
        ax_t.set_xlim(lo, hi)
        ax_t.set_ylim(bottom=0)
        ax_t.yaxis.set_major_locator(MaxNLocator(integer=True))
        _time_axis(ax_t, lo, hi)
        _finish_axes(ax_t, None, xlabel=xlabel, ylabel="count")
        _legend(ax_t, ax_t.lines, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


# ---------------------------------------------------------------------------
# scaling curves and grouped bars
# ---------------------------------------------------------------------------

def _series_style(k, colors, label):
    if colors and label in colors:
        return colors[label]
    return SERIES_PALETTE[k % len(SERIES_PALETTE)]


def scaling(xs, ys_by_label, ax=None, xlabel="GOMAXPROCS", ylabel="throughput",
            title=None, log2x=False, logy=False, colors=None, ideal=None):
    """Scaling curves: one line with markers per series, e.g. throughput vs GOMAXPROCS.

    ``ys_by_label`` maps a series name to its y values (same length as
    ``xs``; ``None``/NaN leaves a gap).  ``log2x=True`` puts x on a log2 axis
    with the xs as ticks; ``ideal=y0`` adds the perfect-scaling line
    ``y0 * x / xs[0]``.

    >>> fig = scaling([1, 2, 4], {"GM": [1, 1.5, 1.4], "GMP": [1, 2, 3.9]},
    ...               ylabel="speed-up", log2x=True, ideal=1)
    """
    xs = np.asarray(xs, dtype=float)
    fig, ax = _new_axes(ax, mpl.rcParams["figure.figsize"])
    for k, (label, ys) in enumerate(ys_by_label.items()):
        ys = np.array([np.nan if y is None else y for y in ys], dtype=float)
        if ys.shape != xs.shape:
            raise ValueError(f"scaling: series {label!r} has {ys.size} values for {xs.size} xs")
        ax.plot(xs, ys, marker=SERIES_MARKERS[k % len(SERIES_MARKERS)],
                linestyle=SERIES_LINESTYLES[k % len(SERIES_LINESTYLES)],
                color=_series_style(k, colors, label), label=str(label),
                markersize=mpl.rcParams["lines.markersize"] * 1.3)
    if ideal is not None and xs.size:
        ax.plot(xs, ideal * xs / xs[0], color="#999999", linestyle=":", label="ideal (linear)",
                linewidth=mpl.rcParams["lines.linewidth"] * 0.7)
    if log2x:
        ax.set_xscale("log", base=2)
        ax.set_xticks(xs)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
        ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _p: ""))
    if logy:
        ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    if title is None:
        title = f"{ylabel} vs {xlabel}"
    _finish_axes(ax, title, xlabel=xlabel, ylabel=ylabel)
    _legend(ax, ax.lines, loc="best")
    return fig


def compare_bars(labels, values_by_series, ax=None, ylabel="", title=None, log=False,
                 fmt=None, colors=None, unit=""):
    """Grouped bars with their values written on them (optionally on a log scale).

    ``labels`` name the groups (x), ``values_by_series`` maps a series name
    to one value per group.  Each series has its own colour *and* hatch.
    ``fmt`` formats the value labels (default: 3 significant digits + ``unit``).

    >>> fig = compare_bars(["thread hand-off", "goroutine hand-off"],
    ...                    {"model": [1500, 200], "measured": [2100, 170]},
    ...                    ylabel="ns per hand-off", log=True, unit=" ns")
    """
    labels = [str(x) for x in labels]
    n_series = max(len(values_by_series), 1)
    fig, ax = _new_axes(ax, mpl.rcParams["figure.figsize"])
    x = np.arange(len(labels), dtype=float)
    width = 0.8 / n_series
    fmt = fmt or (lambda v: "" if v is None or not np.isfinite(v) else f"{v:.3g}{unit}")
    for k, (series, vals) in enumerate(values_by_series.items()):
        vals = np.array([np.nan if v is None else v for v in vals], dtype=float)
        if vals.size != len(labels):
            raise ValueError(f"compare_bars: series {series!r} has {vals.size} values "
                             f"for {len(labels)} labels")
        bars = ax.bar(x + (k - (n_series - 1) / 2) * width, np.nan_to_num(vals), width * 0.95,
                      label=str(series), color=_series_style(k, colors, series),
                      hatch=SERIES_HATCHES[k % len(SERIES_HATCHES)] or None,
                      edgecolor="black", linewidth=0.8)
        ax.bar_label(bars, labels=[fmt(v) for v in vals], padding=2,
                     fontsize=_fs("font.size") * 0.85)
    ax.set_xticks(x)
    ax.set_xticklabels(labels)
    if log:
        ax.set_yscale("log")
    else:
        ax.margins(y=0.12)
    ax.grid(True, axis="y", alpha=0.3)
    _finish_axes(ax, title or ylabel, ylabel=ylabel)
    if len(values_by_series) > 1:
        ax.legend(frameon=False, fontsize=_fs("legend.fontsize"), loc="best")
    return fig


# ---------------------------------------------------------------------------
# the G-M-P diagram
# ---------------------------------------------------------------------------

def _lighten(color, amount=0.55):
    r, g, b = to_rgb(color)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def _gget(gs, gid):
    """A G's record from a snapshot's ``gs`` (int keys, or str keys after JSON)."""
    if not gs or gid is None:
        return {}
    return gs.get(gid) or gs.get(str(gid)) or {}


@lru_cache(maxsize=4096)
def _glyphs(s, weight="normal", style="normal"):
    """Outline of one line of text at font size 1, baseline at y=0: (vertices, codes, x0, x1)."""
    tp = TextPath((0, 0), s, size=1.0,
                  prop=FontProperties(family="DejaVu Sans", weight=weight, style=style))
    v = tp.vertices
    if not len(v):
        return v, tp.codes, 0.0, 0.0
    return v, tp.codes, float(v[:, 0].min()), float(v[:, 0].max())


_CAP_MID = 0.36   # DejaVu Sans: half the cap height, in units of the font size


def p_label(p, m=None):
    """The word the G-M-P diagram writes after a P's name.

    The P's own ``status``, except when an M holds it: a P held by a spinning M
    is "spinning" (an M spins only while it holds a P: ``findRunnable`` runs
    with the P, and ``wakep``/``startm`` hand the P over in ``m.nextp`` before
    the thread even runs), and a P handed to a thread that is still starting
    or waking is "handed over" -- neither is idle: it is off the idle list.

    >>> p_label({"id": 1, "status": "idle"}, {"id": 2, "p": 1, "state": "spinning"})
    'spinning'
    >>> p_label({"id": 1, "status": "idle"}, {"id": 3, "p": 1, "state": "starting"})
    'handed over'
    >>> p_label({"id": 1, "status": "idle"})
    'idle'
    """
    status = p.get("status") or ""
    if m is None or m.get("p") != p.get("id"):
        return status
    if m.get("state") == "spinning":
        return "spinning"
    if status == "idle":
        return "handed over"
    return status


class GMPDiagram:
    """The G-M-P picture of one scheduler snapshot, redrawable for animations.

    Draws (from ``Simulation.snapshot()``, schema in DESIGN.md): the global
    run queue on top; per P a box with its M above it (the M's state and
    current G beside it), its ``runnext`` slot and its local ring below it
    (the first ``max_ring`` Gs as circles, then ``+N``); Ms without a P (in a
    syscall after hand-off, idle, spinning) in a pool; the netpoller's Gs and
    the sleeping Gs with their wake-up times.  Without Ps (GM, N:1, 1:1) the
    Ms hang under the global queue, which under GM carries the ``schedlock``.

    Every G is a circle in ``g_color(gid)`` with its id written in it.  All
    circles are one ``EllipseCollection`` and every label (ids, names,
    "+N") one ``PathCollection`` of text outlines, since Agg draws a Text
    artist slowly: a frame is a few dozen artists however many Gs are shown
    (4 Ps, 51 Gs: update + Agg draw ≈ 60 ms of CPU; ``labels`` lists the
    strings drawn).  ``update(snapshot)`` replaces the previous frame's artists and
    keeps the figure, so a Play widget can animate it.  After an update,
    ``counts`` holds what was drawn: ``p_boxes``, ``m_boxes``, ``g_circles``,
    ``g_ids`` (the ids drawn, in order) and ``overflow`` (the N of each "+N").

    ``wide=True`` (the animations) lays a snapshot with Ps out in landscape, to fit a
    1366x768 laptop screen beside its caption: the Ms without a P (two a row), the
    netpoller and the timers stand in a column right of the Ps, and the figure is
    sized so that a G's id is written at the style's font size (1-3 Ps: about
    650x510 px in the course style at 100 dpi; 4 Ps: 780x510), the same shape in both styles.

    >>> d = GMPDiagram(sim.snapshot())      # doctest: +SKIP
    >>> sim.run(until=sim.time + 10_000); d.update(sim.snapshot())   # doctest: +SKIP
    """

    R = 0.36          # G circle radius (layout units)
    PITCH = 0.9       # distance between queued Gs
    COL_P = 3.8       # width of a P column
    COL_M = 3.0       # width of an M column (no Ps)
    COL_SIDE = 6.6    # wide layout: the column of Ms without a P, netpoller and timers

    def __init__(self, snapshot=None, ax=None, max_ring=8, max_global=None, max_ms=16,
                 title=None, wide=False):
        self.max_ring = max_ring
        self.max_global = max_global
        self.max_ms = max_ms
        self.title = title
        self.wide = wide
        self._artists = []
        if ax is None and wide:
            # Landscape, for a laptop screen: the pool of Ms without a P, the netpoller
            # and the timers stand in a column right of the Ps instead of below them.
            # Just big enough that a G's id is written at the style's font size.
            w, h = self._extent(snapshot or {})
            unit = _fs("font.size") / (2 * self.R * 0.62) * 1.03 / 72   # inches per unit
            title_in = max(2.0 * _fs("axes.titlesize") / 72, 1.1 * unit)   # same shape in both styles
            fw, fh = (w + 0.4) * unit, (h + 0.4) * unit
            self.fig = _detached_figure((fw, fh + title_in))
            self.ax = self.fig.add_axes((0, 0, 1, fh / (fh + title_in)))
        elif ax is None:
            w, h = self._extent(snapshot or {})
            scale = min(13.0 / w, 9.5 / h, 0.55)
            self.fig = _detached_figure((w * scale, h * scale + 0.6))
            self.ax = self.fig.add_axes((0.01, 0.01, 0.98, 0.90))
        else:
            self.ax, self.fig = ax, ax.figure
        self.ax.set_axis_off()
        self.ax.set_aspect("equal", adjustable="box")
        self.counts = {}
        if snapshot is not None:
            self.update(snapshot)

    # ---- layout ------------------------------------------------------------
    def _extent(self, snap):
        ps = snap.get("ps") or []
        if ps and self.wide:
            # the Ps' part at least 3 Ps wide (room for the pool's heading and the ring
            # labels with 1 or 2 Ps); fewer columns, bigger text on a screen-wide picture
            w = max(len(ps), 3) * self.COL_P + self.COL_SIDE
            ring = (self.max_ring + 1) * self.PITCH + 0.2 if self._has_local_queues(snap) else -0.35
            h = max(0.3 + 1.5 + 1.2 + 2.0 + 1.35 + ring + 0.2, 11.3)   # 11.3: the column
        elif ps:
            w = max(len(ps) * self.COL_P, 15.0)
            ring = (self.max_ring + 2) * self.PITCH if self._has_local_queues(snap) else 0.0
            h = 2.0 + 2.4 + 1.5 + ring + 2.2 + 2.4
        else:
            n = min(len(snap.get("ms") or []), self.max_ms) or 1
            w = max(n * self.COL_M, 15.0)
            h = 2.0 + 3.0 + 2.4
        return w, h

    @staticmethod
    def _has_local_queues(snap):
        """1:1 threads have CPUs but no per-CPU run queue or runnext slot; a real
        execution trace does not record them (``queues_unknown``)."""
        return snap.get("model") != "Threads" and not snap.get("queues_unknown")

    # ---- drawing primitives -------------------------------------------------
    def _add(self, artist):
        self.ax.add_artist(artist)   # not add_patch: no data-limit bookkeeping
        self._artists.append(artist)
        return artist

    def _text(self, x, y, s, size=1.0, ha="center", va="center", color="black",
              weight="normal", style="normal", rotation=0, bg=None, z=3):
        """Queue a label; all labels become outlines in one PathCollection (fast to draw).

        ``size`` is relative to the frame's font size; ``bg`` paints a box behind it.
        """
        u = self._fsize * size / self._ppu          # font size in layout units
        lines = str(s).split("\n")
        lh = 1.25 * u
        y_first = {"center": y + (len(lines) - 1) * lh / 2, "top": y - u * _CAP_MID * 2,
                   "bottom": y + (len(lines) - 1) * lh}.get(va, y)
        c, sn = np.cos(np.radians(rotation)), np.sin(np.radians(rotation))
        rot = np.array([[c, sn], [-sn, c]])
        x_lo = y_lo = np.inf
        x_hi = y_hi = -np.inf
        for k, line in enumerate(lines):
            v, codes, x0, x1 = _glyphs(line, weight, style)
            if not len(v):
                continue
            dx = {"left": -x0, "right": -x1}.get(ha, -(x0 + x1) / 2)
            local = (v + (dx, -_CAP_MID)) * u + (0, y_first - y - k * lh)
            pts = local @ rot + (x, y)
            self._tpaths.append((Path(pts, codes), color, z))
            x_lo, y_lo = min(x_lo, pts[:, 0].min()), min(y_lo, pts[:, 1].min())
            x_hi, y_hi = max(x_hi, pts[:, 0].max()), max(y_hi, pts[:, 1].max())
        self.labels.append(str(s))
        if bg is not None and np.isfinite(x_lo):
            pad = 0.25 * u
            self._add(mpatches.Rectangle((x_lo - pad, y_lo - pad), x_hi - x_lo + 2 * pad,
                                         y_hi - y_lo + 2 * pad, facecolor=bg, edgecolor="none",
                                         alpha=0.85, zorder=1.5))

    def _box(self, x0, y0, w, h, face="white", edge="black", hatch=None, ls="-", lw=1.2, gid=None):
        b = mpatches.FancyBboxPatch((x0, y0), w, h, boxstyle="round,pad=0,rounding_size=0.15",
                                    facecolor=face, edgecolor=edge, hatch=hatch, linestyle=ls,
                                    linewidth=lw)
        b.set_gid(gid)
        return self._add(b)

    def _g(self, x, y, gid):
        """A goroutine: a circle in its colour with its id; ``None`` is an empty slot."""
        if gid is None:
            self._slots.append((x, y))
        else:
            self._circles.append((x, y, int(gid)))

    def _line(self, xs, ys, ls="-", color="black", lw=1.2):
        return self._add(Line2D(xs, ys, linestyle=ls, color=color, linewidth=lw, zorder=0.5))

    def _queue(self, x0, y, gids, width, label=None):
        """A horizontal queue of G circles from ``x0`` within ``width``; ``+N`` past it."""
        fit = max(int((width - 0.9) // self.PITCH), 1)
        if self.max_global is not None:
            fit = min(fit, self.max_global)
        shown = gids[:fit]
        for k, gid in enumerate(shown):
            self._g(x0 + self.R + k * self.PITCH, y, gid)
        if len(gids) > len(shown):
            self._overflow(x0 + self.R + len(shown) * self.PITCH, y, len(gids) - len(shown), "left")
        if not gids and label:
            self._text(x0, y, label, size=0.85, ha="left", color="#555555", style="italic")

    def _overflow(self, x, y, n, ha="center"):
        self._text(x, y, f"+{n}", size=0.95, ha=ha, weight="bold")
        self.counts["overflow"].append(n)

    def _m(self, cx, cy, m):
        """An M (thread) box centred at (cx, cy) naming its state, its G to the right."""
        state = m.get("state") or "idle"
        color, hatch, _ = state_style(state)
        running = state == "running"
        face = "white" if running else _lighten(color, 0.6)
        w, h = 1.9, 1.15
        self._box(cx - w / 2, cy - h / 2, w, h, face=face, edge="black" if running else "#333333",
                  hatch=None if running else (hatch or None), lw=2.0 if running else 1.2,
                  gid=f"M{m.get('id')}")
        self._text(cx, cy, f"M{m.get('id')}\n{state}", size=0.8, bg=face)
        self.counts["m_boxes"] += 1
        if m.get("g") is not None:
            self._g(cx + w / 2 + 0.15 + self.R, cy, m["g"])

    # ---- the picture --------------------------------------------------------
    def update(self, snapshot):
        """Redraw for ``snapshot`` (a ``Simulation.snapshot()`` dict); returns the Figure."""
        for a in self._artists:
            a.remove()
        self._artists = []
        self._circles, self._slots, self._tpaths, self.labels = [], [], [], []
        self.counts = {"p_boxes": 0, "m_boxes": 0, "g_circles": 0, "g_ids": [],
                       "overflow": []}
        snap = snapshot or {}
        w, h = self._extent(snap)
        ax = self.ax
        ax.set_xlim(-0.2, w + 0.2)
        ax.set_ylim(-0.2, h + 0.2)
        bbox = ax.get_position()
        pts_per_unit = min(self.fig.get_figwidth() * bbox.width * 72 / (w + 0.4),
                           self.fig.get_figheight() * bbox.height * 72 / (h + 0.4))
        self._ppu = pts_per_unit
        # text as large as the style asks, but small enough to fit the boxes
        self._fsize = min(_fs("font.size"), 2 * self.R * pts_per_unit * 0.62)
        ps = snap.get("ps") or []
        ms = snap.get("ms") or []
        model = snap.get("model", "")

        # global run queue
        top = h - 0.3
        gq = list(snap.get("global") or [])
        qy = top - 0.8
        self._box(0.1, top - 1.5, w - 0.2, 1.4, face="#F4F4F4", gid="global")
        qname = snap.get("queue_label") or (
            "kernel\nrun queue" if model == "Threads" else "global\nrun queue")
        self._text(0.3, qy, f"{qname} ({len(gq)})", size=0.8, ha="left", weight="bold")
        if "mcpu" in snap:   # GM: how many Ms may run Go code at once
            self._text(w - 0.3, top - 1.3, f"mcpu {snap['mcpu']} / mcpumax "
                       f"{snap.get('mcpumax', '?')}", size=0.6, ha="right")
        qx = 3.2
        locked = (not ps) and (model == "GM" or "schedlock" in snap)
        if locked:
            self._lock(qx + 0.2, qy, snap.get("schedlock"))
            qx += 0.9
        self._queue(qx, qy, gq, w - qx - 0.3, label="empty")
        y = top - 1.5
        if ps:
            y = self._draw_ps(ps, ms, y, w, "CPU" if model == "Threads" else "P",
                              self._has_local_queues(snap))
        else:
            y = self._draw_ms_only(ms, y, w)

        # netpoller and timers: below everything, side by side; in the wide layout
        # stacked at the foot of the right-hand column
        now = snap.get("time", 0) or 0
        if self.wide and ps:
            x0, top = w - self.COL_SIDE + 0.1, self._pool_bottom - 0.3
            self._io_box(snap, now, x0, top, self.COL_SIDE - 0.2)
            self._timer_box(snap, now, x0, top - 2.2, self.COL_SIDE - 0.2)
        else:
            y -= 0.3
            half = w / 2
            self._io_box(snap, now, 0.1, y, half - 0.2)
            self._timer_box(snap, now, half + 0.1, y, half - 0.2)

        self._draw_gs()
        self._draw_labels()
        title = self.title
        if title is None:
            what = {"GMP": "G-M-P", "GM": "G-M (Go 1.0)"}.get(model, model or "scheduler")
            title = f"{what} at t = {fmt_time(now)} — {len(snap.get('gs') or {})} live goroutines"
        ax.set_title(title, fontsize=_fs("axes.titlesize"),
                     fontweight=mpl.rcParams["axes.titleweight"])
        return self.fig

    def _io_box(self, snap, now, x0, ytop, width):
        """The netpoller's box (Gs waiting for I/O), ``width`` wide, its top at ``ytop``."""
        npoll = list(snap.get("netpoll") or [])
        self._box(x0, ytop - 1.9, width, 1.9, face="#F4F4F4", gid="netpoll")
        self._text(x0 + 0.2, ytop - 0.35, f"netpoller: {len(npoll)} G waiting for I/O",
                   size=0.75, ha="left")
        self._queue(x0 + 0.2, ytop - 1.15, npoll, width - 0.4, label="(none)")

    def _timer_box(self, snap, now, x0, ytop, width):
        """The timers' box (sleeping Gs and when they wake), its top at ``ytop``."""
        timers = sorted(snap.get("timers") or [], key=lambda t: t[0])
        self._box(x0, ytop - 1.9, width, 1.9, face="#F4F4F4", gid="timers")
        self._text(x0 + 0.2, ytop - 0.35, f"timers: {len(timers)} G sleeping", size=0.75,
                   ha="left")
        step = self.PITCH * 1.7
        fit = max(int((width - 0.7) // step), 1)
        gx = x0 + 0.2 + self.R
        for k, (when, gid) in enumerate(timers[:fit]):
            self._g(gx + k * step, ytop - 1.0, gid)
        if timers:
            self._text(x0 + 0.2, ytop - 1.62, "wake in: " + ", ".join(
                fmt_time(max(w_ - now, 0)).replace(" ", "") for w_, _ in timers[:fit]),
                size=0.6, ha="left", color="#333333")
        if len(timers) > fit:
            self._overflow(gx + fit * step, ytop - 1.0, len(timers) - fit, "left")
        if not timers:
            self._text(x0 + 0.2, ytop - 1.15, "(none)", size=0.85, ha="left", color="#555555",
                       style="italic")

    def _draw_gs(self):
        """All G circles as one collection, all their ids as one collection of outlines."""
        ax = self.ax
        if self._slots:
            xy = np.array(self._slots)
            d = np.full(len(xy), 2 * self.R)
            self._add(EllipseCollection(d, d, np.zeros(len(xy)), units="xy", offsets=xy,
                                        offset_transform=ax.transData, facecolors="none",
                                        edgecolors="#777777", linestyles="--", linewidths=1.0))
        if not self._circles:
            return
        xy = np.array([(x, y) for x, y, _ in self._circles], dtype=float)
        gids = [g for _, _, g in self._circles]
        d = np.full(len(xy), 2 * self.R)
        coll = EllipseCollection(d, d, np.zeros(len(xy)), units="xy", offsets=xy,
                                 offset_transform=ax.transData, facecolors=_g_rgba(gids),
                                 edgecolors="black", linewidths=1.0, zorder=2)
        coll.set_gid("gs")
        self._add(coll)
        for (x, y), gid in zip(xy, gids):
            txt = str(gid)
            size = 1.0 if len(txt) < 3 else 0.8 if len(txt) == 3 else 0.6
            self._text(x, y, txt, size=size * 0.85, color=_text_color(g_color(gid)),
                       weight="bold", z=3)
        self.counts["g_circles"] = len(gids)
        self.counts["g_ids"] = gids

    def _draw_labels(self):
        """Every label of the frame as one collection of filled outlines."""
        if not self._tpaths:
            return
        paths, colors, _ = zip(*self._tpaths)
        coll = PathCollection(list(paths), facecolors=list(colors), edgecolors="none",
                              zorder=3, transform=self.ax.transData)
        coll.set_gid("labels")
        self._add(coll)

    def _lock(self, x, y, lock=None):
        """A padlock on the global queue: Go 1.0's single scheduler lock.

        ``lock`` is the snapshot's ``schedlock``: ``{"owner": m, "spinning": [ms],
        "sleeping": [ms]}`` (or just the owner's id).
        """
        body = mpatches.Rectangle((x - 0.28, y - 0.35), 0.56, 0.42, facecolor="#CC79A7",
                                  edgecolor="black", linewidth=1.0, hatch="xx")
        body.set_gid("lock")
        self._add(body)
        self._add(mpatches.Arc((x, y + 0.07), 0.38, 0.5, theta1=0, theta2=180, linewidth=1.6,
                               edgecolor="black"))
        if not isinstance(lock, dict):
            lock = {"owner": lock}
        owner = lock.get("owner", lock.get("m"))
        waiters = len(lock.get("spinning") or []) + len(lock.get("sleeping") or [])
        label = "schedlock" + ("" if owner is None else f": M{owner}")
        if waiters:
            label += f", {waiters} wait"
        self._text(x, y - 0.6, label, size=0.55)

    def _draw_ps(self, ps, ms, y, w, pname="P", queues=True):
        pids = {p.get("id") for p in ps}
        m_of_p = {}
        for m in ms:
            if m.get("p") in pids:
                m_of_p.setdefault(m["p"], m)
        for p in ps:  # a P may name its M even if the M record does not name it back
            if p.get("id") not in m_of_p and p.get("m") is not None:
                m = next((m for m in ms if m.get("id") == p["m"]), None)
                if m is not None and m.get("p") is None:
                    m_of_p[p["id"]] = m
        attached = {id(m) for m in m_of_p.values()}
        side = self.COL_SIDE if self.wide else 0.0
        x_off = (w - side - len(ps) * self.COL_P) / 2
        my = y - 1.2
        py = my - 2.0
        ring_top = py - 1.35
        for i, p in enumerate(ps):
            cx = x_off + self.COL_P * (i + 0.5)
            m = m_of_p.get(p.get("id"))
            status = p.get("status") or ""
            if m is not None:
                self._m(cx - 0.45, my, m)
                ls = "--" if (m.get("state") == "syscall" or status == "syscall") else "-"
                self._line([cx - 0.45, cx - 0.45], [my - 0.58, py + 0.55], ls=ls, lw=2.0)
            else:
                self._box(cx - 1.4, my - 0.58, 1.9, 1.15, face="none", edge="#999999", ls="--")
                self._text(cx - 0.45, my, "no M", size=0.7, color="#777777", style="italic")
            # the P box; a P whose M is in a syscall is hatched like a syscall
            syscall = status == "syscall" or bool(p.get("in_syscall"))
            shown = p_label(p, m)
            face = "#FFFFFF" if shown == "running" else (
                _lighten(STATE_STYLE["syscall"][0], 0.6) if syscall else
                _lighten(STATE_STYLE["spinning"][0], 0.6) if shown == "spinning" else "#EDEDED")
            self._box(cx - 1.6, py - 0.55, 3.2, 1.1, face=face, hatch="//" if syscall else None,
                      lw=2.0, gid=f"P{p.get('id')}")
            self.counts["p_boxes"] += 1
            runq = list(p.get("runq") or [])
            tick = p.get("schedtick")
            tick = "" if tick is None else f" · tick {tick}"
            second = f"q {len(runq)}{tick}" if queues else ""
            self._text(cx - 1.45, py, f"{pname}{p.get('id')} {shown}\n{second}".rstrip(),
                       ha="left", size=0.75, bg=face)
            if not queues:
                continue
            # runnext slot to the right of the ring, the ring top to bottom
            self._g(cx + 0.85, ring_top, p.get("runnext"))
            rx = cx - 0.45
            shown = runq[: self.max_ring]
            n_slots = max(len(shown), 1)
            self._box(rx - self.R - 0.12, ring_top - (n_slots - 1) * self.PITCH - self.R - 0.12,
                      2 * self.R + 0.24, (n_slots - 1) * self.PITCH + 2 * self.R + 0.24,
                      face="#F4F4F4", edge="#777777", lw=1.0, gid=f"runq{p.get('id')}")
            for k, gid in enumerate(shown):
                self._g(rx, ring_top - k * self.PITCH, gid)
            if len(runq) > len(shown):
                self._overflow(rx, ring_top - len(shown) * self.PITCH - 0.15,
                               len(runq) - len(shown))
            if i == 0:   # name the parts once
                self._text(rx - self.R - 0.2, ring_top, "runq", size=0.6, rotation=90,
                           ha="right", color="#555555")
                self._text(cx + 0.85, ring_top - self.R - 0.25, "runnext", size=0.6,
                           color="#555555")
        y = ring_top - (self.max_ring + 1) * self.PITCH - 0.2 if queues else py - 1.0

        # Ms that hold no P: in a syscall after hand-off, idle, spinning without a P;
        # a row below the Ps, or (wide) the top of the right-hand column, 2 Ms a row
        loose = [m for m in ms if id(m) not in attached]
        if self.wide:
            x0, top, width, rows = w - side + 0.1, my + 0.8, side - 0.2, 2
            per_row, y_m = max(int((width - 0.4 + 1e-9) // 3.0), 1), top - 1.55
        else:
            x0, top, width, rows = 0.1, y, w - 0.2, 1
            per_row, y_m = max(int((w - 1.0) // 3.0), 1), top - 1.2
        height = top - y_m + 1.4 * (rows - 1) + 0.8
        self._pool_bottom = top - height
        self._box(x0, top - height, width, height, face="#FAFAFA", edge="#777777", gid="mpool")
        n_sys = sum(1 for m in loose if m.get("state") == "syscall")
        n_idle = sum(1 for m in loose if m.get("state") in ("idle", None))
        head = f"Ms without a {pname}: {n_sys} in syscall, {n_idle} idle, " \
               f"{len(loose) - n_sys - n_idle} other"
        if self.wide:
            head = head.replace(": ", ":\n", 1)
        self._text(x0 + 0.2, top - 0.3 - 0.25 * self.wide, head, size=0.7, ha="left")
        order = {"syscall": 0, "spinning": 1, "running": 1, "lock-wait": 2, "blocked": 2}
        loose.sort(key=lambda m: (order.get(m.get("state"), 3), m.get("id", 0)))
        fit = per_row * rows
        for k, m in enumerate(loose[:fit]):
            self._m(x0 + 1.2 + (k % per_row) * 3.0, y_m - (k // per_row) * 1.4, m)
        if len(loose) > fit:
            if self.wide:   # at the right of the heading
                self._overflow(x0 + width - 0.2, top - 0.55, len(loose) - fit, "right")
            else:
                self._overflow(x0 + 0.2 + fit * 3.0, y_m, len(loose) - fit, "left")
        if not loose:
            self._text(x0 + 0.2, y_m, "(none)", size=0.85, ha="left", color="#555555",
                       style="italic")
        return y - 2.0

    def _draw_ms_only(self, ms, y, w):
        order = {"running": 0, "syscall": 1, "lock-wait": 2, "spinning": 3, "blocked": 4}
        ranked = sorted(ms, key=lambda m: (order.get(m.get("state"), 5), m.get("id", 0)))
        fit = max(min(self.max_ms, int(w // self.COL_M)), 1)
        hidden = ranked[fit:]
        shown = sorted(ranked[:fit], key=lambda m: m.get("id", 0))
        my = y - 1.6
        x_off = (w - len(shown) * self.COL_M) / 2 if shown else 0
        for k, m in enumerate(shown):
            cx = x_off + self.COL_M * (k + 0.5) - 0.4
            ls = "--" if m.get("state") in ("syscall", "idle", "blocked") else "-"
            self._line([cx, cx], [y, my + 0.58], ls=ls, color="#777777", lw=1.0)
            self._m(cx, my, m)
        if hidden:
            states = {}
            for m in hidden:
                states[m.get("state")] = states.get(m.get("state"), 0) + 1
            desc = ", ".join(f"{n} {s}" for s, n in sorted(states.items(), key=str))
            self._text(w - 0.2, my - 1.0, f"+{len(hidden)} more Ms ({desc})", size=0.7,
                       ha="right")
            self.counts["overflow"].append(len(hidden))
        if not ms:
            self._text(w / 2, my, "(no threads)", size=0.85, color="#555555", style="italic")
        return my - 1.2


def gmp_diagram(snapshot, ax=None, max_ring=8, title=None):
    """The G-M-P picture of one snapshot (see :class:`GMPDiagram`); returns the Figure.

    >>> fig = gmp_diagram({"time": 0, "model": "GMP", "ps": [{"id": 0, "status": "running",
    ...     "m": 0, "runnext": 3, "runq": [4, 5]}], "ms": [{"id": 0, "p": 0, "g": 2,
    ...     "state": "running"}], "global": [6], "netpoll": [], "timers": [], "gs": {}})
    """
    return GMPDiagram(snapshot, ax=ax, max_ring=max_ring, title=title).fig


# ---------------------------------------------------------------------------
# memory map
# ---------------------------------------------------------------------------

def _region_tuple(r):
    if isinstance(r, dict):
        return int(r["start"]), int(r["end"]), str(r.get("label", "")), r.get("kind", "anon")
    start, end, label, kind = r
    return int(start), int(end), str(label), kind


def memory_map(regions, ax=None, scale="log", merge=True, title=None, max_labels=60,
               page=4096):
    """A process's address space drawn to scale, low addresses at the bottom.

    ``regions``: ``(start, end, label, kind)`` tuples (or dicts with those
    keys), ``kind`` one of ``KIND_STYLE`` (code, data, heap, stack, guard, lib,
    anon, vdso, kernel).  Unmapped gaps are cut out of the axis (a zig-zag
    and the gap's size mark each cut).  ``scale="log"``: each region's height
    ∝ log2 of its size in pages, so a 4 KiB guard page and an 8 MiB stack
    both show; ``scale="linear"``: height ∝ size (tiny regions get a minimum
    height, noted in the title).  ``merge=True`` joins touching regions with
    the same label and kind (a library's r-x, r-- and rw- mappings).

    >>> fig = memory_map([(0x400000, 0x402000, "a.out", "code"),
    ...                   (0x1000000, 0x1021000, "[heap]", "heap"),
    ...                   (0x7ffc000000, 0x7ffc001000, "guard", "guard"),
    ...                   (0x7ffc001000, 0x7ffc801000, "[stack]", "stack")])
    """
    if scale not in ("log", "linear"):
        raise ValueError(f"memory_map(scale={scale!r}): scale must be 'log' or 'linear'")
    regs = sorted((_region_tuple(r) for r in regions), key=lambda r: r[0])
    for start, end, label, kind in regs:
        if kind not in KIND_STYLE:
            raise ValueError(f"memory_map: region {label!r} has kind {kind!r}; kinds are "
                             f"{', '.join(KIND_STYLE)}")
        if end <= start:
            raise ValueError(f"memory_map: region {label!r} ends at {end:#x}, not after its "
                             f"start {start:#x}")
    if merge and regs:
        merged = [list(regs[0])]
        for r in regs[1:]:
            last = merged[-1]
            if r[0] == last[1] and r[2] == last[2] and r[3] == last[3]:
                last[1] = r[1]
            else:
                merged.append(list(r))
        regs = [tuple(r) for r in merged]

    sizes = np.array([e - s for s, e, _, _ in regs], dtype=float)
    if scale == "log":
        heights = np.log2(np.maximum(sizes / page, 1.0)) + 1.0
        min_note = ""
    else:
        total = sizes.sum() if sizes.size else 1.0
        floor = total * 0.004
        heights = np.maximum(sizes, floor) / total * 100
        min_note = "; tiny regions enlarged" if np.any(sizes < floor) else ""
    gap_h = max(float(np.median(heights)) * 0.35, 0.6) if heights.size else 1.0

    fig, ax = _new_axes(ax, (_fig_width(), min(4 + 0.35 * len(regs), 16)))
    y = 0.0
    bottoms = []
    ticks, ticklabels = [], []
    kinds_used = []
    prev_end = None
    for (start, end, label, kind), hgt in zip(regs, heights):
        if prev_end is not None and start > prev_end:
            gap = start - prev_end
            zx = np.linspace(0, 1, 13)
            zy = y + gap_h / 2 + np.where(np.arange(13) % 2, 0.12, -0.12) * gap_h
            ax.plot(zx, zy, color="#777777", linewidth=1.0)
            ax.text(1.04, y + gap_h / 2, f"⋮ unmapped {fmt_bytes(gap)}", va="center",
                    ha="left", fontsize=_fs("font.size") * 0.7, color="#777777")
            y += gap_h
        color, hatch, _ = KIND_STYLE[kind]
        r = mpatches.Rectangle((0, y), 1, hgt, facecolor=color, hatch=hatch or None,
                               edgecolor="black", linewidth=0.8)
        r.set_gid(f"region:{kind}")
        ax.add_patch(r)
        bottoms.append(y)
        if kind not in kinds_used:
            kinds_used.append(kind)
        ticks.append(y)
        ticklabels.append(f"{start:#x}")
        y += hgt
        prev_end = end
    # labels: the tallest regions first, no more than max_labels
    order = np.argsort(-heights, kind="stable")[:max_labels]
    min_gap = (y or 1) / 45
    placed = []
    for i in sorted(order.tolist()):
        start, end, label, kind = regs[i]
        ym = bottoms[i] + heights[i] / 2
        if any(abs(ym - p) < min_gap for p in placed):
            continue
        placed.append(ym)
        ax.text(1.04, ym, f"{label or kind}  {fmt_bytes(end - start)}", va="center", ha="left",
                fontsize=_fs("font.size") * 0.8)
    shown_ticks, last = [], None
    for k, t in enumerate(ticks):
        if last is None or t - last >= min_gap:
            shown_ticks.append(k)
            last = t
    ax.set_yticks([ticks[k] for k in shown_ticks])
    ax.set_yticklabels([ticklabels[k] for k in shown_ticks], family="monospace")
    ax.set_xlim(0, 2.6)
    ax.set_ylim(0, max(y, 1))
    ax.set_xticks([])
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    handles = [mpatches.Patch(facecolor=KIND_STYLE[k][0], hatch=KIND_STYLE[k][1] or None,
                              edgecolor="black", label=KIND_STYLE[k][2]) for k in kinds_used]
    if title is None:
        how = "height ∝ log₂ size" if scale == "log" else "height ∝ size"
        title = f"Virtual address space ({how}, gaps cut{min_note})"
    _finish_axes(ax, title, ylabel="start address")
    _legend(ax, handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), ncol=1)
    return fig
