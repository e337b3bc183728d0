"""A process's address space drawn to scale (``memory_map``)."""

from __future__ import annotations

import numpy as np
from matplotlib import patches as mpatches

from ..i18n import tr
from ..units import fmt_bytes
from .theme import KIND_STYLE, _fig_width, _finish_axes, _fs, _legend, _new_axes

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
        min_note = tr("; tiny regions enlarged") if np.any(sizes < floor) else ""
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
                              edgecolor="black",
                              label=tr(KIND_STYLE[k][2]))   # i18n: KIND_STYLE texts are N_()
               for k in kinds_used]
    if title is None:
        how = tr("height ∝ log₂ size") if scale == "log" else tr("height ∝ size")
        title = tr("Virtual address space ({how}, gaps cut{note})", how=how, note=min_note)
    _finish_axes(ax, title, ylabel=tr("start address"))
    _legend(ax, handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), ncol=1)
    return fig
