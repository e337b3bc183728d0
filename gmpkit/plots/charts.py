"""Charts of a Timeline and of measurements: Gantt per M / P / G, run-queue plots,
scaling curves and grouped bars."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib import patches as mpatches
from matplotlib.collections import PolyCollection
from matplotlib.lines import Line2D
from matplotlib.path import Path
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..i18n import N_, tr, trc
from .theme import (DEFAULT_EVENTS, EVENT_MARKERS, SERIES_HATCHES, SERIES_LINESTYLES,
                    SERIES_MARKERS, SERIES_PALETTE, STATE_STYLE, _detached_figure, _fig_width,
                    _finish_axes, _fs, _g_rgba, _legend, _new_axes, _text_color, _time_axis,
                    g_color, state_style)

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
                                  label=tr(desc)))   # i18n: EVENT_MARKERS texts are N_()

    ax.set_xlim(lo, hi)
    ax.set_ylim(nrows - 0.5, -0.5 - 0.3)   # row 0 on top; room for markers
    ticks = np.arange(len(row_ids))
    if len(row_ids) > 40:   # label every k-th row only
        ticks = ticks[:: int(np.ceil(len(row_ids) / 40))]
    ax.set_yticks(ticks)
    ax.set_yticklabels([f"{prefix}{row_ids[i]}" for i in ticks])
    ax.tick_params(axis="y", length=0)
    xlabel = _time_axis(ax, lo, hi)
    if title is None:
        title = {"M": tr("What each thread (M) did over time — {model}", model=_model_name(timeline)),
                 "P": tr("What each processor (P) did over time — {model}",
                         model=_model_name(timeline)),
                 "G": tr("What each goroutine (G) did over time — {model}",
                         model=_model_name(timeline))}[by]
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


THREAD_COUNTERS = (("threads", N_("threads (Ms)"), "#000000", "-"),
                   ("idleprocs", N_("idle Ps"), "#E69F00", "--"),
                   ("spinningthreads", N_("spinning Ms"), "#56B4E9", "-."),
                   ("idlethreads", N_("idle Ms"), "#999999", ":"))


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
        _step(ax_q, timeline, "runqueue", hi, color="black", label=tr("global queue"),
              linewidth=mpl.rcParams["lines.linewidth"] * 1.4, zorder=3, gid="counter:runqueue")
    for k, name in enumerate(_runq_names(timeline)):
        _step(ax_q, timeline, name, hi, color=SERIES_PALETTE[k % 7],
              linestyle=SERIES_LINESTYLES[(k // 7 + k) % 4],
              label=tr("P{p} local ring", p=name[5:-1]), gid=f"counter:{name}")
    if not ax_q.lines:
        ax_q.text(0.5, 0.5, tr("no queue counters in this timeline"), ha="center", va="center",
                  transform=ax_q.transAxes, fontsize=_fs("font.size"))
    ax_q.set_xlim(lo, hi)
    ax_q.set_ylim(bottom=0)
    ax_q.yaxis.set_major_locator(MaxNLocator(integer=True))
    xlabel = _time_axis(ax_q, lo, hi)
    if title is None:
        title = tr("Run-queue lengths — {model}", model=_model_name(timeline))
    _finish_axes(ax_q, title, ylabel=tr("Gs waiting"),
                 xlabel=None if ax_t is not None else xlabel)
    _legend(ax_q, ax_q.lines, loc="upper left", bbox_to_anchor=(1.01, 1.0))

    if ax_t is not None:
        for name, label, color, ls in THREAD_COUNTERS:
            if name in names:
                _step(ax_t, timeline, name, hi, color=color, linestyle=ls,
                      label=tr(label), gid=f"counter:{name}")   # i18n: THREAD_COUNTERS N_()
        if not ax_t.lines:
            ax_t.text(0.5, 0.5, tr("no thread counters in this timeline"), ha="center",
                      va="center", transform=ax_t.transAxes, fontsize=_fs("font.size"))
        ax_t.set_xlim(lo, hi)
        ax_t.set_ylim(bottom=0)
        ax_t.yaxis.set_major_locator(MaxNLocator(integer=True))
        _time_axis(ax_t, lo, hi)
        _finish_axes(ax_t, None, xlabel=xlabel, ylabel=tr("count"))
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
        ax.plot(xs, ideal * xs / xs[0], color="#999999", linestyle=":", label=tr("ideal (linear)"),
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
