"""Notebook 03 (goroutines): memory, creation, hand-off and stack growth, measured in Go.

Panels (each runs one of the course's Go programs, ``gmpkit/real/programs``,
in a fresh process; without Go they show the table recorded in
``gmpkit/data/measurements`` and say so on screen):

* ``03:goroutine-memory`` -- N blocked goroutines (``memblocked``): bytes each,
  next to a thread's stack (virtual and resident, measured in this process).
* ``03:create`` -- a goroutine's whole life (``spawn``) vs an OS thread made by
  the Go runtime (``threads``) vs a Python thread vs ``fork``.
* ``03:handoff`` -- channel ping-pong between two goroutines vs the same with
  both goroutines locked to their own OS threads (``pingpong -locked``) vs
  two Python threads over pipes; the article's 200 ns and 1000-1500 ns marked.
* ``03:stack-growth`` -- a recursion deep enough to outgrow the stack
  (``stackgrowth``): each time ``runtime.newstack`` copies the stack to one
  twice as large.
"""

from __future__ import annotations

import resource
import statistics

import ipywidgets as W

from . import Panel, register, slider
from ..i18n import N_, tr
from ..units import fmt_bytes
from .processes import _fmt_ns, plain_log_ticks, time_forks
from ..real.toolchain import GoUnavailable, find_go

__all__ = ["go_source", "recorded_label", "goroutine_memory", "create_costs", "handoffs",
           "stack_growth", "memory_panel", "create_panel", "handoff_panel", "stack_growth_panel",
           "ARTICLE", "like_for_like"]

# The article's figures, drawn as reference marks.
ARTICLE = {"goroutine_stack": 2048, "thread_stack": (1 << 20, 8 << 20),
           "goroutine_switch_ns": 200, "thread_switch_ns": (1000, 1500)}
# DESIGN.md, "Reference measurements" (a quiet 2-vCPU VM): C pthreads, one hand-off.
C_PTHREAD_HANDOFF_NS = {"pipe": 2960, "futex": 2470}


def go_source():
    """``(toolchain, None)`` when Go is usable, else ``(None, recorded Measurements)``."""
    try:
        return find_go(), None
    except GoUnavailable:
        from ..real.measure import load_recorded
        return None, load_recorded()


def recorded_label(table):
    """The on-screen note for data that was not measured here."""
    p = table.provenance
    return tr("recorded on {cpu} ({cores} cores), {go}, {date} -- not measured on your machine "
              "(no Go toolchain found)", cpu=p.get("cpu_model", "?"), cores=p.get("cores", "?"),
              go=p.get("go_version") or tr("no Go"), date=str(p.get("date", "?"))[:10])


def _source_line(tc, table):
    return (tr("measured here with {version}", version=tc.version) if tc is not None
            else recorded_label(table))


def _median_runs(tc, program, args, field, repeats, gomaxprocs=None):
    vals = [float(tc.run(program, list(args), gomaxprocs=gomaxprocs, timeout=60).json()[field])
            for _ in range(repeats)]
    return statistics.median(vals), vals


# ---- memory -----------------------------------------------------------------------------------

def _thread_stack_numbers():
    """Virtual and resident bytes of one idle thread's stack, measured in this process."""
    from .threads import thread_stacks
    d = thread_stacks(2)
    s = d["stacks"]
    return (statistics.mean(x["mapping_size"] + x["guard_mapped"] for x in s),
            statistics.mean(x["rss"] for x in s))


def goroutine_memory(n=20000):
    """Bytes per blocked goroutine (``memblocked -n N``) and per idle thread."""
    tc, table = go_source()
    if tc is not None:
        r = tc.run("memblocked", ["-n", str(n)], timeout=60).json()
        g = {"sys": r["sys_per_g"], "stack": r["stack_inuse_per_g"], "heap": r["heap_inuse_per_g"]}
        measured_n = n
    else:
        g = {"sys": table.median("go.mem.sys_per_g"), "stack": table.median("go.mem.stack_per_g"),
             "heap": table.median("go.mem.heap_per_g")}
        measured_n = table["go.mem.sys_per_g"].params.get("args", ["-n", "100000"])[-1]
    t_virtual, t_resident = _thread_stack_numbers()
    return {"n": n, "measured_n": int(measured_n), "goroutine": g, "thread_virtual": t_virtual,
            "thread_resident": t_resident, "recorded": tc is None,
            "source": _source_line(tc, table),
            "ulimit_stack": resource.getrlimit(resource.RLIMIT_STACK)[0]}


@register("03:goroutine-memory", real=True)
def memory_panel(n=20000):
    """Panel: memory of one goroutine vs one thread, and of N of each."""
    controls = {"n": slider(tr("blocked goroutines"), n, 1000, 100000, step=1000)}

    def compute(n):
        return goroutine_memory(n)

    def draw(d, fig):
        ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.2, 1])
        g = d["goroutine"]
        labels = [tr("goroutine:\nstack in use"), tr("goroutine:\nall memory (Sys)"),
                  tr("thread: stack\nresident"), tr("thread: stack\nvirtual + guard")]
        vals = [g["stack"], g["sys"], d["thread_resident"], d["thread_virtual"]]
        colours = ["#0072B2", "#56B4E9", "#E69F00", "#D55E00"]
        bars = ax1.barh(range(4), vals, color=colours, edgecolor="black",
                        hatch=["", "..", "//", ""])
        ax1.bar_label(bars, labels=[fmt_bytes(v) for v in vals], padding=3, fontsize=11)
        ax1.set_yticks(range(4))
        ax1.set_yticklabels(labels, fontsize=10)
        ax1.invert_yaxis()
        ax1.set_xscale("log")
        ax1.set_xlim(500, max(vals) * 40)
        ticks = [1 << 10, 64 << 10, 8 << 20]
        ax1.set_xticks(ticks)
        plain_log_ticks(ax1, "x", lambda v, _p: fmt_bytes(v))
        ax1.axvline(ARTICLE["goroutine_stack"], color="#333333", linestyle=":",
                    label=tr("article: 2 KB per goroutine"))
        ax1.legend(frameon=False, fontsize=9, loc="upper right")
        ax1.set_title(tr("One of each (log scale)"))
        n = d["n"]
        tot = [n * g["sys"], n * d["thread_resident"], n * d["thread_virtual"]]
        tl = ["goroutines", tr("threads\n(resident)"), tr("threads\n(virtual)")]
        b2 = ax2.bar(tl, [t / 2**20 for t in tot], color=["#56B4E9", "#E69F00", "#D55E00"],
                     edgecolor="black")
        ax2.bar_label(b2, labels=[fmt_bytes(t) for t in tot], padding=2, fontsize=10)
        ax2.set_yscale("log")
        plain_log_ticks(ax2, "y")
        ax2.set_ylabel(tr("MiB (log scale)"))
        ax2.set_title(tr("{n:,} of them", n=n))
        fig.suptitle(d["source"], fontsize=10, color="#b2182b" if d["recorded"] else "#333333")
        return tr("one blocked goroutine: {stack:.0f} B of stack, {sys:.0f} B in all; one idle "
                  "thread: {virtual} virtual, {resident} resident ({source})", stack=g["stack"],
                  sys=g["sys"], virtual=fmt_bytes(d["thread_virtual"]),
                  resident=fmt_bytes(d["thread_resident"]), source=d["source"])

    return Panel(N_("03 · Memory: a goroutine vs a thread"), controls, compute, draw,
                 figsize=(10, 4.5),
                 notice=N_("Goroutines: runtime.MemStats before and after starting N blocked "
                           "goroutines. Threads: two idle Python threads in this kernel."))


# ---- creation -----------------------------------------------------------------------------------

CREATE_OPS = (N_("goroutine (go f(), run, exit)"), N_("OS thread made by the Go runtime"),
              N_("Python thread (start + join)"), N_("process (fork + exit + wait)"))


def create_costs(gomaxprocs=1, repeats=3):
    """ns to create (and finish) a goroutine, a thread (Go and Python) and a process."""
    from ..real.benches import PY_BENCHES
    tc, table = go_source()
    if tc is not None:
        g, _ = _median_runs(tc, "spawn", ["-n", "20000"], "ns_per_op", repeats, gomaxprocs)
        t, _ = _median_runs(tc, "threads", ["-n", "200"], "ns_per_thread", repeats, 2)
    else:
        g = table.median(f"go.spawn.p{min(gomaxprocs, 2)}")
        t = table.median("go.thread.create")
    py_thread = next(b for b in PY_BENCHES if b[0] == "py.thread.create")[3]
    pt = statistics.median(py_thread(30) for _ in range(repeats))
    fk = min(time_forks(3))
    return {"gomaxprocs": gomaxprocs, "recorded": tc is None, "source": _source_line(tc, table),
            "ns": dict(zip(CREATE_OPS, (g, t, pt, fk))),
            "thread_over_goroutine": t / g, "process_over_thread": fk / t}


@register("03:create", real=True)
def create_panel(gomaxprocs=1):
    """Panel: creating and destroying a goroutine, a thread, a process."""
    controls = {"gomaxprocs": slider(tr("GOMAXPROCS (goroutines)"), gomaxprocs, 1, 2)}

    def compute(gomaxprocs):
        return create_costs(gomaxprocs)

    def draw(d, fig):
        ax = fig.add_subplot()
        vals = [d["ns"][k] for k in CREATE_OPS]
        colours = ["#0072B2", "#E69F00", "#F0E442", "#D55E00"]
        bars = ax.barh(range(4), vals, color=colours, edgecolor="black",
                       hatch=["", "//", "..", "xx"])
        ax.bar_label(bars, labels=[_fmt_ns(v) for v in vals], padding=3, fontsize=12)
        ax.set_yticks(range(4))
        ax.set_yticklabels([tr(k) for k in CREATE_OPS], fontsize=11)   # i18n: N_() above
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_xlim(min(vals) / 3, max(vals) * 20)
        ax.set_xticks([t for t in (100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8) if min(vals) / 3 <= t <= max(vals) * 20])
        plain_log_ticks(ax, "x", lambda v, _p: _fmt_ns(v))
        ax.set_xlabel(tr("create + finish one (log scale)"))
        ax.set_title(tr("Create and destroy ({source})", source=d["source"]), fontsize=10,
                     color="#b2182b" if d["recorded"] else "#333333")
        return tr("goroutine {g} (GOMAXPROCS={procs}), Go-made thread {t} (x{x:.0f}), process "
                  "{p}", g=_fmt_ns(vals[0]), procs=d["gomaxprocs"], t=_fmt_ns(vals[1]),
                  x=d["thread_over_goroutine"], p=_fmt_ns(vals[3]))

    return Panel(N_("03 · Creating a goroutine, a thread, a process"), controls, compute, draw,
                 figsize=(10, 4))


# ---- hand-off -------------------------------------------------------------------------------------

HANDOFF_OPS = (N_("goroutine → goroutine (channel)"),
               N_("locked goroutines: thread → thread (Go)"),
               N_("Python thread → thread (pipes)"))


def handoffs(gomaxprocs=1, repeats=3):
    """ns per hand-off: goroutines, LockOSThread'ed goroutines, Python threads."""
    from .threads import handoff
    tc, table = go_source()
    if tc is not None:
        g, _ = _median_runs(tc, "pingpong", ["-n", "20000"], "ns_per_handoff", repeats, gomaxprocs)
        lk, _ = _median_runs(tc, "pingpong", ["-locked", "-n", "2000"], "ns_per_handoff",
                             repeats, gomaxprocs)
    else:
        p = min(gomaxprocs, 2)
        g, lk = table.median(f"go.handoff.p{p}"), table.median(f"go.handoff.locked.p{p}")
    py = handoff(2000, repeats)["thread_ns"]
    return {"gomaxprocs": gomaxprocs, "recorded": tc is None, "source": _source_line(tc, table),
            "ns": dict(zip(HANDOFF_OPS, (g, lk, py))), "locked_over_goroutine": lk / g,
            "python_over_goroutine": py / g}


def like_for_like(gomaxprocs=1, repeats=3):
    """One goroutine hand-off vs one bare thread hand-off, both measured here.

    The thread side is ``futexpingpong``: two OS threads passing a turn with raw
    ``futex`` system calls, the way a C program does (no Go scheduler involved),
    the partner of the C pthreads reference measured on the course's VM.
    ``pingpong -locked`` is not like for like: it also hands the P from thread
    to thread on every turn.  Without Go (or off Linux) the recorded goroutine
    figure and the C reference are used, and ``recorded`` says so.

    Returns ``goroutine_ns``, ``futex_ns``, ``ratio`` (futex / goroutine),
    ``recorded`` and ``source``.

    >>> d = like_for_like()                                # doctest: +SKIP
    >>> d["futex_ns"] > d["goroutine_ns"], d["source"]     # doctest: +SKIP
    (True, 'both measured here')
    """
    tc, table = go_source()
    futex = None
    if tc is not None:
        g, _ = _median_runs(tc, "pingpong", ["-n", "20000"], "ns_per_handoff", repeats, gomaxprocs)
        try:
            # both threads on one CPU, as both goroutines are on one P: a wake-up and a
            # switch on that CPU, without waking an idle second CPU (microseconds on a VM)
            futex, _ = _median_runs(tc, "futexpingpong", ["-n", "20000", "-cpu", "0"],
                                    "ns_per_handoff", repeats, gomaxprocs)
        except Exception:      # not Linux: futexpingpong does not build
            futex = None
    else:
        g = table.median(f"go.handoff.p{min(gomaxprocs, 2)}")
    measured = futex is not None
    if not measured:
        futex = C_PTHREAD_HANDOFF_NS["futex"]
    return {"gomaxprocs": gomaxprocs, "goroutine_ns": g, "futex_ns": futex,
            "ratio": futex / g, "recorded": not measured,
            "source": (tr("both measured here") if measured else
                       tr("thread side: C pthreads over a futex, recorded on the course's VM"))}


@register("03:handoff", real=True)
def handoff_panel(gomaxprocs=1):
    """Panel: one hand-off between goroutines vs between threads, with the article's claims."""
    controls = {"gomaxprocs": slider("GOMAXPROCS", gomaxprocs, 1, 2)}

    def compute(gomaxprocs):
        return handoffs(gomaxprocs)

    def draw(d, fig):
        ax = fig.add_subplot()
        vals = [d["ns"][k] for k in HANDOFF_OPS]
        bars = ax.barh(range(3), vals, color=["#0072B2", "#E69F00", "#F0E442"],
                       edgecolor="black", hatch=["", "//", ".."])
        ax.bar_label(bars, labels=[_fmt_ns(v) for v in vals], padding=3, fontsize=12)
        ax.set_yticks(range(3))
        ax.set_yticklabels([tr(k) for k in HANDOFF_OPS], fontsize=11)   # i18n: N_() above
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_xlim(50, max(vals) * 8)
        ax.set_xticks([100, 1e3, 1e4, 1e5])
        plain_log_ticks(ax, "x", lambda v, _p: _fmt_ns(v))
        ax.axvline(ARTICLE["goroutine_switch_ns"], color="#0072B2", linestyle=":", linewidth=2,
                   label=tr("article: goroutine switch 200 ns"))
        lo, hi = ARTICLE["thread_switch_ns"]
        ax.axvspan(lo, hi, color="#999999", alpha=0.35,
                   label=tr("article: thread switch 1000–1500 ns"))
        ax.axvline(C_PTHREAD_HANDOFF_NS["futex"], color="#D55E00", linestyle="--",
                   label=tr("reference: C pthreads 2.5 µs (course VM)"))
        ax.legend(frameon=False, fontsize=9, loc="upper center", bbox_to_anchor=(0.45, -0.2),
                  ncol=3)
        ax.set_xlabel(tr("one hand-off (log scale)"))
        ax.set_title(f"GOMAXPROCS={d['gomaxprocs']} ({d['source']})", fontsize=10,
                     color="#b2182b" if d["recorded"] else "#333333")
        return tr("goroutine hand-off {g}; between locked threads {lk} (x{x:.0f}); Python "
                  "threads {py}", g=_fmt_ns(vals[0]), lk=_fmt_ns(vals[1]),
                  x=d["locked_over_goroutine"], py=_fmt_ns(vals[2]))

    return Panel(N_("03 · Hand-off: goroutine to goroutine vs thread to thread"), controls,
                 compute, draw, figsize=(10, 4))


# ---- stack growth ------------------------------------------------------------------------------------

def stack_growth(depth=2000):
    """The stack moves of a recursion ``depth`` deep (``stackgrowth -depth D``)."""
    tc, table = go_source()
    if tc is not None:
        moves = tc.run("stackgrowth", ["-depth", str(depth)], timeout=60).json()["moves"]
    else:
        moves = [m for m in table.extra["stack_growth"]["moves"] if m["depth"] <= depth]
    return {"depth": depth, "moves": moves, "recorded": tc is None,
            "source": _source_line(tc, table),
            "final_stack": moves[-1]["stack_bytes"] if moves else 2048}


@register("03:stack-growth", real=True)
def stack_growth_panel(depth=2000):
    """Panel: a goroutine's stack doubles (by copying) as a recursion deepens."""
    controls = {"depth": slider(tr("recursion depth"), depth, 10, 20000, step=10)}

    def compute(depth):
        return stack_growth(depth)

    def draw(d, fig):
        ax = fig.add_subplot()
        xs = [0] + [m["depth"] for m in d["moves"]] + [d["depth"]]
        sizes = [2048] + [m["stack_bytes"] for m in d["moves"]]
        sizes.append(sizes[-1])
        ax.step(xs, sizes, where="post", color="#0072B2",
                label=tr("stack size (after each copy)"))
        ax.plot([m["depth"] for m in d["moves"]], [m["used_bytes"] for m in d["moves"]], "o",
                color="#D55E00", label=tr("bytes in use when it overflowed"))
        ax.set_yscale("log", base=2)
        plain_log_ticks(ax, "y", lambda v, _p: fmt_bytes(v))
        ax.set_xlabel(tr("recursion depth (frames)"))
        ax.set_ylabel(tr("bytes (log₂ scale)"))
        ax.grid(True, alpha=0.3)
        ax.legend(frameon=False, loc="lower right")
        ax.set_title(tr("{n} copies by runtime.newstack ({source})", n=len(d["moves"]),
                        source=d["source"]), fontsize=10,
                     color="#b2182b" if d["recorded"] else "#333333")
        return tr("depth {depth}: the stack was copied {n} times, 2 KiB -> {final}",
                  depth=d["depth"], n=len(d["moves"]), final=fmt_bytes(d["final_stack"]))

    return Panel(N_("03 · A goroutine's stack grows by copying"), controls, compute, draw,
                 figsize=(9, 4))
