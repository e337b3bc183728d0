"""The G-M-P diagram of one scheduler snapshot (``GMPDiagram``), redrawable for animations."""

from __future__ import annotations

import re
from functools import lru_cache

import matplotlib as mpl
import numpy as np
from matplotlib import patches as mpatches
from matplotlib.collections import EllipseCollection, PathCollection
from matplotlib.colors import to_rgb
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.path import Path
from matplotlib.textpath import TextPath

from ..i18n import N_, tr, trc
from .theme import (STATE_STYLE, _detached_figure, _fs, _g_rgba, _text_color, fmt_time, g_color,
                    state_style)

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


_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


@lru_cache(maxsize=4096)
def _glyphs(s, weight="normal", style="normal"):
    """Outline of one line of text at font size 1, baseline at y=0: (vertices, codes, x0, x1).

    Latin text is drawn in DejaVu Sans (as it always was); a line with Chinese in it
    takes the missing glyphs from gmpkit's CJK subset, glyph by glyph.
    """
    family = "DejaVu Sans"
    if _CJK.search(s):
        from ..i18n import FONT_FAMILY, register_fonts
        register_fonts()
        family = ["DejaVu Sans", FONT_FAMILY]
    tp = TextPath((0, 0), s, size=1.0,
                  prop=FontProperties(family=family, weight=weight, style=style))
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


# the words the diagram writes after a P's name (p_label), as shown
_P_WORDS = {"running": N_("running"), "idle": N_("idle"), "syscall": N_("syscall"),
            "spinning": N_("spinning"), "handed over": N_("handed over")}


def _p_word(word):
    return tr(_P_WORDS[word]) if word in _P_WORDS else word   # i18n: _P_WORDS values are N_()


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
        self._text(cx, cy, f"M{m.get('id')}\n{trc('state', state)}", size=0.8,  # i18n: STATE_STYLE keys
                   bg=face)
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
            tr("kernel\nrun queue") if model == "Threads" else tr("global\nrun queue"))
        self._text(0.3, qy, f"{qname} ({len(gq)})", size=0.8, ha="left", weight="bold")
        if "mcpu" in snap:   # GM: how many Ms may run Go code at once
            self._text(w - 0.3, top - 1.3, f"mcpu {snap['mcpu']} / mcpumax "
                       f"{snap.get('mcpumax', '?')}", size=0.6, ha="right")
        qx = 3.2
        locked = (not ps) and (model == "GM" or "schedlock" in snap)
        if locked:
            self._lock(qx + 0.2, qy, snap.get("schedlock"))
            qx += 0.9
        self._queue(qx, qy, gq, w - qx - 0.3, label=tr("empty"))
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
            what = {"GMP": "G-M-P", "GM": "G-M (Go 1.0)"}.get(model, model or tr("scheduler"))
            title = tr("{what} at t = {t} — {n} live goroutines", what=what, t=fmt_time(now),
                       n=len(snap.get("gs") or {}))
        ax.set_title(title, fontsize=_fs("axes.titlesize"),
                     fontweight=mpl.rcParams["axes.titleweight"])
        return self.fig

    def _io_box(self, snap, now, x0, ytop, width):
        """The netpoller's box (Gs waiting for I/O), ``width`` wide, its top at ``ytop``."""
        npoll = list(snap.get("netpoll") or [])
        self._box(x0, ytop - 1.9, width, 1.9, face="#F4F4F4", gid="netpoll")
        self._text(x0 + 0.2, ytop - 0.35, tr("netpoller: {n} G waiting for I/O", n=len(npoll)),
                   size=0.75, ha="left")
        self._queue(x0 + 0.2, ytop - 1.15, npoll, width - 0.4, label=tr("(none)"))

    def _timer_box(self, snap, now, x0, ytop, width):
        """The timers' box (sleeping Gs and when they wake), its top at ``ytop``."""
        timers = sorted(snap.get("timers") or [], key=lambda t: t[0])
        self._box(x0, ytop - 1.9, width, 1.9, face="#F4F4F4", gid="timers")
        self._text(x0 + 0.2, ytop - 0.35, tr("timers: {n} G sleeping", n=len(timers)),
                   size=0.75, ha="left")
        step = self.PITCH * 1.7
        fit = max(int((width - 0.7) // step), 1)
        gx = x0 + 0.2 + self.R
        for k, (when, gid) in enumerate(timers[:fit]):
            self._g(gx + k * step, ytop - 1.0, gid)
        if timers:
            self._text(x0 + 0.2, ytop - 1.62, tr("wake in: {times}", times=", ".join(
                fmt_time(max(w_ - now, 0)).replace(" ", "") for w_, _ in timers[:fit])),
                size=0.6, ha="left", color="#333333")
        if len(timers) > fit:
            self._overflow(gx + fit * step, ytop - 1.0, len(timers) - fit, "left")
        if not timers:
            self._text(x0 + 0.2, ytop - 1.15, tr("(none)"), size=0.85, ha="left",
                       color="#555555", style="italic")

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
            label += tr(", {n} wait", n=waiters)
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
                self._text(cx - 0.45, my, tr("no M"), size=0.7, color="#777777", style="italic")
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
            self._text(cx - 1.45, py, f"{pname}{p.get('id')} {_p_word(shown)}\n{second}".rstrip(),
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
        head = tr("Ms without a {pname}: {sys} in syscall, {idle} idle, {other} other",
                  pname=pname, sys=n_sys, idle=n_idle, other=len(loose) - n_sys - n_idle)
        if self.wide:
            head = head.replace(": ", ":\n", 1).replace("：", "：\n", 1)
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
            self._text(x0 + 0.2, y_m, tr("(none)"), size=0.85, ha="left", color="#555555",
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
            desc = ", ".join(f"{n} {trc('state', s)}"  # i18n: STATE_STYLE keys
                             for s, n in sorted(states.items(), key=str))
            self._text(w - 0.2, my - 1.0, tr("+{n} more Ms ({desc})", n=len(hidden), desc=desc),
                       size=0.7, ha="right")
            self.counts["overflow"].append(len(hidden))
        if not ms:
            self._text(w / 2, my, tr("(no threads)"), size=0.85, color="#555555", style="italic")
        return my - 1.2


def gmp_diagram(snapshot, ax=None, max_ring=8, title=None):
    """The G-M-P picture of one snapshot (see :class:`GMPDiagram`); returns the Figure.

    >>> fig = gmp_diagram({"time": 0, "model": "GMP", "ps": [{"id": 0, "status": "running",
    ...     "m": 0, "runnext": 3, "runq": [4, 5]}], "ms": [{"id": 0, "p": 0, "g": 2,
    ...     "state": "running"}], "global": [6], "netpoll": [], "timers": [], "gs": {}})
    """
    return GMPDiagram(snapshot, ax=ax, max_ring=max_ring, title=title).fig
