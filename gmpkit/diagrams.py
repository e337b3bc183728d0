"""Conceptual diagrams: the pictures a lecture draws on the board, drawn in code.

Each function draws one diagram with matplotlib and returns the Figure (``ax=`` draws into an
Axes of your own). They use the course palette (``gmpkit.plots``: Okabe-Ito and Paul Tol,
colour-blind safe), fit a 1366x768 laptop view (at most 6.5 in, 650 px, tall at 100 dpi) and
follow ``plots.style(projector=True)`` for a lecture hall. Numbers that the runtime fixes (the
ring's 256 slots, the 1-in-61 check, the 10 ms preemption) come from ``gmpkit.models.gmp``,
so a diagram cannot drift from the model it explains.

    >>> from gmpkit import diagrams
    >>> fig = diagrams.thread_mappings()          # 1:1, N:1 and M:N side by side
    >>> sorted(diagrams.DIAGRAMS)
    ['address_space', 'gmp_structure', 'syscall_handoff', 'thread_mappings']
"""

from __future__ import annotations

import matplotlib as mpl
from matplotlib import patches as mpatches

from . import plots
from .i18n import N_, tr
from .models import gmp as gmp_model

__all__ = ["address_space", "thread_mappings", "gmp_structure", "syscall_handoff", "DIAGRAMS"]

MAX_HEIGHT_IN = 6.5          # 650 px at 100 dpi: fits a 768 px laptop screen with the toolbar
_OI = plots.SERIES_PALETTE   # Okabe-Ito: blue, vermilion, green, purple, orange, sky, yellow, black
_KERNEL_THREAD = "#4D4D4D"
_CPU = "#FFFFFF"


# --------------------------------------------------------------------------- drawing kit

def _canvas(ax, size, xlim, ylim):
    """A figure (or the given Axes) with data coordinates ``xlim`` x ``ylim`` and no axes."""
    if ax is None:
        w, h = size
        fig = plots._detached_figure((w, min(h, MAX_HEIGHT_IN)), layout="constrained")
        ax = fig.add_subplot()
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_axis_off()
    return ax.figure, ax


def _fs(scale=1.0):
    """A font size: the style's, capped so that the projector style (16 pt) still fits a
    diagram into a laptop screen; on a projector the picture is shown large anyway."""
    return min(mpl.rcParams["font.size"], 12.5) * scale


def _box(ax, x, y, w, h, text="", face="#FFFFFF", hatch="", edge="black", lw=1.2, size=1.0,
         weight="normal", align="center", color=None, zorder=2):
    """A rectangle with its lower-left corner at (x, y) and a label inside."""
    ax.add_patch(mpatches.Rectangle((x, y), w, h, facecolor=face, edgecolor=edge, hatch=hatch,
                                    linewidth=lw, zorder=zorder))
    if text:
        tx = x + w / 2 if align == "center" else x + 0.1
        ax.text(tx, y + h / 2, text, ha=align, va="center", fontsize=_fs(size), weight=weight,
                color=color or plots._text_color(face), zorder=zorder + 1,
                bbox=dict(facecolor=face, edgecolor="none", pad=1) if hatch else None)


def _g(ax, x, y, gid, r=0.28, label=None, size=0.8):
    """A goroutine (or any user-level thread): a circle in its colour with its id."""
    face = plots.g_color(gid)
    ax.add_patch(mpatches.Circle((x, y), r, facecolor=face, edgecolor="black", linewidth=1,
                                 zorder=4))
    ax.text(x, y, label or f"G{gid}", ha="center", va="center", fontsize=_fs(size),
            color=plots._text_color(face), zorder=5, weight="bold")


def _arrow(ax, a, b, text="", color="black", style="-|>", ls="-", size=0.85, rad=0.0,
           text_offset=(0, 0), ha="center"):
    ax.annotate("", xy=b, xytext=a, zorder=3,
                arrowprops=dict(arrowstyle=style, color=color, linewidth=1.5, linestyle=ls,
                                shrinkA=2, shrinkB=2, connectionstyle=f"arc3,rad={rad}"))
    if text:
        mx = (a[0] + b[0]) / 2 + text_offset[0]
        my = (a[1] + b[1]) / 2 + text_offset[1]
        ax.text(mx, my, text, ha=ha, va="center", fontsize=_fs(size), color=color, zorder=6,
                bbox=dict(facecolor="white", edgecolor="none", pad=1.5, alpha=0.9))


def _title(ax, text):
    ax.set_title(text, fontsize=mpl.rcParams["axes.titlesize"],
                 fontweight=mpl.rcParams["axes.titleweight"])


# --------------------------------------------------------------------------- 01: address space

# (kind, label, height) from low addresses to high, for one process
_LAYOUT = [
    ("code", N_("code (.text)"), 1.0),
    ("data", N_("data / bss"), 0.8),
    ("heap", N_("heap ↑ (malloc, brk)"), 1.4),
    (None, "", 1.2),
    ("lib", N_("shared libraries (mmap)"), 1.0),
    (None, "", 0.5),
    ("stack", N_("main thread's stack ↓"), 1.2),
    ("kernel", N_("kernel (no user access)"), 0.8),
]


def _space(ax, x, w, stacks, title):
    """One address space as a column; ``stacks`` extra thread stacks in the mmap area."""
    y = 0.0
    for kind, label, h in _LAYOUT:
        if kind is None and stacks and h > 1:
            # thread stacks live in the mmap area: each one has a guard page below it
            sh = h / stacks
            for i in range(stacks):
                _box(ax, x, y + i * sh, w, sh * 0.2, face=plots.KIND_STYLE["guard"][0],
                     hatch=plots.KIND_STYLE["guard"][1], lw=0.8)
                _box(ax, x, y + i * sh + sh * 0.2, w, sh * 0.8, tr("thread {n}'s stack ↓", n=i + 2),
                     face=plots.KIND_STYLE["stack"][0], size=0.8)
        elif kind is None:
            _box(ax, x, y, w, h, tr("(unmapped)"), face="#FFFFFF", edge="#999999", lw=0.8,
                 color="#666666", size=0.8)
        else:
            face, hatch, _ = plots.KIND_STYLE[kind]
            _box(ax, x, y, w, h, tr(label), face=face, hatch=hatch, size=0.85)  # i18n: _LAYOUT N_()
        y += h
    ax.text(x + w / 2, y + 0.25, title, ha="center", va="bottom", fontsize=_fs(0.95),
            weight="bold")
    return y


def address_space(ax=None):
    """Two processes side by side with one process of three threads: separate address
    spaces against one shared space with a stack (and guard page) per thread.

    >>> fig = address_space()
    >>> any("guard" in t.get_text() for t in fig.axes[0].texts)
    True
    """
    fig, ax = _canvas(ax, (11, 6.4), (-1.6, 13.2), (-0.6, 9.6))
    top = 0.0
    for i, x in enumerate((0.0, 3.3)):
        top = _space(ax, x, 2.9, 0, tr("process {name}: 1 thread", name="AB"[i]))
    _space(ax, 7.6, 3.4, 2, tr("one process, 3 threads"))
    ax.annotate("", xy=(-0.7, top), xytext=(-0.7, 0), arrowprops=dict(arrowstyle="-|>", lw=1.5))
    ax.text(-1.0, top / 2, tr("addresses grow"), rotation=90, ha="center", va="center",
            fontsize=_fs(0.85))
    ax.text(3.1, -0.45, tr("fork: a new address space (copied lazily, page by page)"),
            ha="center", fontsize=_fs(0.85), style="italic")
    ax.text(9.3, -0.45, tr("clone/pthread_create: same space, new stack"),
            ha="center", fontsize=_fs(0.85), style="italic")
    handles = [mpatches.Patch(facecolor=plots.KIND_STYLE["guard"][0], edgecolor="black",
                              hatch=plots.KIND_STYLE["guard"][1],
                              label=tr("guard page: touching it faults (stack overflow)"))]
    plots._legend(ax, handles, loc="upper right", bbox_to_anchor=(1.0, 1.0))
    _title(ax, tr("Processes have separate address spaces; threads share one"))
    return fig


# --------------------------------------------------------------------------- 04: mappings

def _cpus(ax, x0, n, y=0.0, w=1.0):
    for i in range(n):
        _box(ax, x0 + i * (w + 0.3), y, w, 0.55, f"CPU {i}", face=_CPU, lw=1.5, size=0.8)
    return [x0 + i * (w + 0.3) + w / 2 for i in range(n)]


def _kthreads(ax, xs, y=1.4, labels=None):
    for i, x in enumerate(xs):
        _box(ax, x - 0.45, y, 0.9, 0.55, (labels or [f"T{i}"] * len(xs))[i] if labels else f"T{i}",
             face=_KERNEL_THREAD, size=0.8)


def thread_mappings(ax=None):
    """1:1, N:1 and M:N: who maps user-level threads onto kernel threads, and how many
    kernel threads can run at once.

    >>> labels = [t.get_text() for t in thread_mappings().axes[0].texts]
    >>> [s for s in ("1:1", "N:1", "M:N") if any(l.startswith(s) for l in labels)]
    ['1:1', 'N:1', 'M:N']
    """
    fig, ax = _canvas(ax, (12, 5.6), (-1.3, 16.4), (-1.7, 6.2))
    # 1:1 -- every user thread is a kernel thread
    xs = [0.5 + i * 1.1 for i in range(4)]
    for i, x in enumerate(xs):
        _g(ax, x, 3.6, i + 1, label=f"t{i + 1}")
        _arrow(ax, (x, 3.3), (x, 1.95), style="-")
    _kthreads(ax, xs)
    cpus = _cpus(ax, 0.25, 2, w=1.5)
    for x in xs:
        _arrow(ax, (x, 1.4), (cpus[0] if x < 2 else cpus[1], 0.55), style="-", ls=":")
    ax.text(2.2, 5.2, tr("1:1  (Linux pthreads, Java)"), ha="center", fontsize=_fs(1.0),
            weight="bold")
    ax.text(2.2, 4.45, tr("the kernel schedules every thread"), ha="center", fontsize=_fs(0.8))

    # N:1 -- green threads on one kernel thread
    gx = [5.9 + i * 0.75 for i in range(5)]
    for i, x in enumerate(gx):
        _g(ax, x, 3.6, i + 1, label=f"g{i + 1}", r=0.26)
        _arrow(ax, (x, 3.3), (7.4, 1.95), style="-")
    _kthreads(ax, [7.4], labels=["T0"])
    cpus = _cpus(ax, 6.0, 2, w=1.2)
    _arrow(ax, (7.4, 1.4), (cpus[0], 0.55), style="-", ls=":")
    ax.text(7.4, 5.2, tr("N:1  (green threads, early Java)"), ha="center", fontsize=_fs(1.0),
            weight="bold")
    ax.text(7.4, 4.45, tr("a library schedules; one CPU at most"), ha="center",
            fontsize=_fs(0.8))
    ax.text(7.4, -0.6, tr("one blocking syscall stops all of them"), ha="center",
            fontsize=_fs(0.8), color=_OI[1], weight="bold")

    # M:N -- goroutines on a few threads, each running thread holding a P
    gx = [10.6 + i * 0.72 for i in range(8)]
    for i, x in enumerate(gx):
        _g(ax, x, 3.6, i + 1, r=0.25, size=0.7)
    tx = [11.3, 13.0, 14.9]
    # G1 and G4 run (solid); the others wait in their P's queue (dotted); G7 is in a syscall
    # on M2, which gave its P away.
    owner = {1: 0, 2: 0, 3: 0, 4: 1, 5: 1, 6: 1, 8: 1, 7: 2}
    for i, x in enumerate(gx):
        gid = i + 1
        _arrow(ax, (x, 3.33), (tx[owner[gid]], 2.65), style="-",
               ls="-" if gid in (1, 4, 7) else ":")
    for i, x in enumerate(tx[:2]):
        _box(ax, x - 0.4, 2.1, 0.8, 0.45, f"P{i}", face=_OI[4], size=0.8)
    _box(ax, tx[2] - 0.55, 2.1, 1.1, 0.45, tr("no P"), face="#FFFFFF", edge="#999999", size=0.75,
         color="#666666")
    _kthreads(ax, tx, y=1.3, labels=["M0", "M1", "M2"])
    ax.text(tx[2], 0.95, tr("in a syscall (P retaken)"), ha="center", fontsize=_fs(0.75),
            color=_OI[1])
    cpus = _cpus(ax, 10.9, 2, w=1.4)
    for x, c in zip(tx[:2], cpus):
        _arrow(ax, (x, 1.3), (c, 0.55), style="-", ls=":")
    ax.text(13.2, 5.2, tr("M:N  (Go: G on M, with a P)"), ha="center", fontsize=_fs(1.0),
            weight="bold")
    ax.text(13.2, 4.45, tr("the runtime schedules Gs; the kernel, Ms"), ha="center",
            fontsize=_fs(0.8))
    ax.text(13.2, -0.6, tr("GOMAXPROCS = number of Ps"), ha="center", fontsize=_fs(0.8))
    for x in (4.7, 9.9):
        ax.axvline(x, color="#BBBBBB", lw=1)
    ax.text(-0.35, 3.6, tr("user\nlevel"), ha="right", va="center", fontsize=_fs(0.7),
            color="#666666")
    ax.text(-0.35, 1.65, tr("kernel\nthreads"), ha="right", va="center", fontsize=_fs(0.7),
            color="#666666")
    ax.text(-0.35, 0.28, "CPUs", ha="right", va="center", fontsize=_fs(0.7), color="#666666")
    _title(ax, tr("Three ways to map concurrency onto kernel threads"))
    return fig


# --------------------------------------------------------------------------- 06: G, M, P

def _ring(ax, x, y, gids, slots=6, w=0.42):
    """A P's local run queue: the first slots of the ring, then its capacity."""
    for i in range(slots):
        gid = gids[i] if i < len(gids) else None
        face = plots.g_color(gid) if gid else "#FFFFFF"
        _box(ax, x + i * w, y, w, 0.42, f"{gid}" if gid else "", face=face, lw=0.8, size=0.7)
    ax.text(x + slots * w + 0.1, y + 0.21, f"… {gmp_model.RUNQ_SIZE}", va="center",
            fontsize=_fs(0.75))


def gmp_structure(ax=None):
    """The G-M-P relationship and where every queue lives: the global run queue under
    ``sched.lock``, each P's ``runnext`` and local ring, idle Ps and Ms, the netpoller,
    and an M in a system call without a P.

    >>> texts = " ".join(t.get_text() for t in gmp_structure().axes[0].texts)
    >>> "runnext" in texts and "256" in texts
    True
    """
    fig, ax = _canvas(ax, (12, 6.4), (-0.5, 18.5), (-0.9, 9.4))
    # global run queue
    _box(ax, 3.4, 8.0, 10.2, 0.7, "", face="#F7F7F7", lw=1.5)
    ax.text(3.55, 8.35, tr("global run queue  (sched.runq, guarded by sched.lock)"), va="center",
            fontsize=_fs(0.85), weight="bold")
    for i, gid in enumerate((7, 8)):
        _g(ax, 12.5 + i * 0.62, 8.35, gid, r=0.25, size=0.7)

    # two Ps with their Ms and queues
    for i, (x, run, nxt, ring) in enumerate([(0.6, 1, 2, [3, 4, 6]), (7.0, 5, None, [])]):
        _box(ax, x, 2.8, 5.6, 2.6, "", face="#FFF4DC", lw=1.8)
        ax.text(x + 0.15, 5.15, f"P{i}", fontsize=_fs(1.0), weight="bold", va="center")
        ax.text(x + 0.15, 4.55, "runnext", fontsize=_fs(0.8), va="center")
        if nxt:
            _g(ax, x + 2.0, 4.55, nxt, r=0.25, size=0.7)
        else:
            _box(ax, x + 1.8, 4.35, 0.42, 0.42, "", face="#FFFFFF", lw=0.8)
        ax.text(x + 0.15, 3.8, tr("local ring"), fontsize=_fs(0.8), va="center")
        _ring(ax, x + 1.8, 3.6, ring)
        ax.text(x + 0.15, 3.1, tr("timers, mcache, schedtick …"), fontsize=_fs(0.75),
                color="#555555",
                va="center")
        # the M that holds this P, running a G
        _box(ax, x + 1.6, 6.1, 1.3, 0.7, f"M{i}", face=_KERNEL_THREAD, size=0.9, weight="bold")
        _g(ax, x + 3.6, 6.45, run, r=0.3)
        ax.text(x + 4.05, 6.45, tr("running"), fontsize=_fs(0.8), va="center")
        _arrow(ax, (x + 2.25, 6.1), (x + 2.25, 5.4), tr("holds"), size=0.75,
               text_offset=(0.45, 0))
        _arrow(ax, (x + 2.9, 6.45), (x + 3.28, 6.45), style="-")
    # work moves between queues
    _arrow(ax, (6.2, 3.8), (7.0, 3.8), tr("P1's queues are empty:\nit steals half of P0's"),
           color=_OI[0], size=0.72, text_offset=(0, -1.45))
    _arrow(ax, (8.3, 8.0), (3.4, 5.4), tr("every {n}th schedule,\nor when the local queue is "
                                          "empty", n=gmp_model.GLOBAL_CHECK_EVERY),
           color=_OI[2], size=0.72, rad=0.15,
           text_offset=(-0.6, 0.4))
    _arrow(ax, (12.2, 5.4), (12.2, 8.0), tr("a full ring\nmoves half\nof itself here"),
           color=_OI[1], size=0.72, text_offset=(1.05, 0))

    # idle lists, the syscall M, the netpoller
    _box(ax, 14.4, 4.6, 3.8, 1.0, "", face="#EDEDED", lw=1.2)
    ax.text(14.55, 5.35, tr("idle Ps (sched.pidle)"), fontsize=_fs(0.8), va="center")
    _box(ax, 14.6, 4.7, 0.9, 0.4, "P2", face=_OI[4], size=0.75)
    _box(ax, 14.4, 3.1, 3.8, 1.0, "", face="#EDEDED", lw=1.2)
    ax.text(14.55, 3.85, tr("idle Ms (sched.midle)"), fontsize=_fs(0.8), va="center")
    _box(ax, 14.6, 3.2, 0.9, 0.4, "M3", face=_KERNEL_THREAD, size=0.75)
    _box(ax, 14.4, 6.2, 1.3, 0.7, "M2", face=_KERNEL_THREAD, size=0.9, weight="bold")
    _g(ax, 16.3, 6.55, 9, r=0.3)
    ax.text(14.4, 7.15, tr("in a system call, P retaken: no P"), fontsize=_fs(0.8), color=_OI[1],
            ha="left")
    _box(ax, 0.6, 0.0, 8.5, 1.6, "", face="#E8F4FA", lw=1.2)
    ax.text(0.75, 1.3, tr("netpoller (epoll): goroutines parked on network I/O"),
            fontsize=_fs(0.8),
            va="center")
    for i, gid in enumerate((10, 11, 12)):
        _g(ax, 1.3 + i * 0.75, 0.55, gid, r=0.27, size=0.7)
    ax.text(3.7, 0.55, tr("→ made runnable by findRunnable or sysmon"), fontsize=_fs(0.75),
            va="center")
    _box(ax, 9.6, 0.0, 8.6, 1.6, "", face="#F2F2F2", lw=1.2)
    ax.text(9.75, 1.3, tr("sysmon: its own M, never holds a P"), fontsize=_fs(0.8), va="center",
            weight="bold")
    ax.text(9.75, 0.55, tr("retakes Ps from syscalls; preempts a G after {ms} ms",
                           ms=gmp_model.FORCE_PREEMPT_NS // 1_000_000),
            fontsize=_fs(0.75), va="center")
    _title(ax, tr("G, M and P: where runnable goroutines wait"))
    return fig


# --------------------------------------------------------------------------- 07: syscall

_LANES = ("G1", "M1", "P0", "sysmon", "M2", "G2")


def syscall_handoff(ax=None):
    """A long blocking system call as a sequence: the P stays with the thread at first,
    sysmon's ``retake`` takes it, ``handoffp`` starts another M for the waiting work, and
    the returning goroutine finds no P and queues globally.

    >>> fig = syscall_handoff()
    >>> [t for t in ("entersyscall", "retake", "handoffp", "exitsyscall")
    ...  if not any(t in x.get_text() for x in fig.axes[0].texts)]
    []
    """
    fig, ax = _canvas(ax, (11.5, 6.4), (-0.6, 11.6), (-0.4, 10.2))
    xs = {name: 0.8 + i * 2.0 for i, name in enumerate(_LANES)}
    faces = {"G1": plots.g_color(1), "G2": plots.g_color(2), "M1": _KERNEL_THREAD,
             "M2": _KERNEL_THREAD, "P0": _OI[4], "sysmon": "#F2F2F2"}
    for name, x in xs.items():
        _box(ax, x - 0.65, 9.2, 1.3, 0.6, name, face=faces[name], size=0.9, weight="bold")
        ax.plot([x, x], [0.2, 9.2], color="#999999", lw=1, ls="--", zorder=1)
    ax.text(-0.55, 9.0, tr("time\n↓"), fontsize=_fs(0.8), va="top")
    steps = [
        (8.4, "G1", "M1", tr("G1 runs on M1, which holds P0"), "-"),
        (7.5, "G1", "P0", tr("entersyscall: G1 → _Gsyscall; P0 stays _Prunning (M1 keeps it)"),
         "-|>"),
        (6.5, "sysmon", "P0", tr("retake: in a syscall ≥ 1 sysmon tick, and work waits"), "-|>"),
        (5.5, "P0", "M2", tr("handoffp → startm: M2 takes P0"), "-|>"),
        (4.5, "M2", "G2", tr("M2 runs G2 while M1 is still blocked"), "-|>"),
        (3.2, "G1", "P0", tr("exitsyscall: P0 is taken, no idle P"), "-|>"),
        (2.2, "G1", "global", tr("G1 goes to the global run queue"), "-|>"),
        (1.2, "M1", "M1", tr("M1 has no P: stopm (sleeps on a futex)"), None),
    ]
    xs["global"] = 7.0
    _box(ax, xs["global"], 1.95, 2.6, 0.5, tr("global run queue"), face="#F7F7F7", size=0.8,
         zorder=4)
    for y, a, b, text, style in steps:
        xa, xb = xs[a], xs[b]
        if style:
            _arrow(ax, (xa, y), (xb, y), style=style, color="black")
        tx = (xa + xb) / 2 if b == "global" else (max(xa, xb) + 0.2 if style else xa + 0.2)
        ax.text(tx, y + 0.28, text, fontsize=_fs(0.8),
                va="center", ha="center" if b == "global" else "left",
                bbox=dict(facecolor="white", edgecolor="none", pad=1, alpha=0.9))
    # the thread blocked in the kernel
    ax.add_patch(mpatches.Rectangle((xs["M1"] - 0.18, 3.2), 0.36, 4.3,
                                    facecolor=plots.STATE_STYLE["syscall"][0],
                                    hatch=plots.STATE_STYLE["syscall"][1], edgecolor="black",
                                    zorder=2))
    ax.text(xs["M1"] - 0.3, 5.35, tr("blocked in\nthe kernel"), ha="right", va="center",
            fontsize=_fs(0.75), color=_OI[1])
    ax.text(5.8, -0.2, tr("A short syscall returns before sysmon looks: M1 still holds P0 and "
                          "G1 simply carries on (exitsyscall's fast path)."), ha="center",
            fontsize=_fs(0.8), style="italic")
    _title(ax, tr("A long system call: the P is handed to another thread"))
    return fig


DIAGRAMS = {f.__name__: f for f in (address_space, thread_mappings, gmp_structure,
                                     syscall_handoff)}
