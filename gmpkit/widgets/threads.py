"""Notebook 02 (threads): stacks and guard pages, hand-off cost, and what switching eats.

Panels:

* ``02:thread-stacks`` (real) -- start N threads in this process, ask each one
  where its stack is (``pthread_getattr_np``), and find those stacks and
  their guard pages in ``/proc/self/maps``; virtual size vs resident size
  from ``/proc/self/smaps``.
* ``02:handoff`` (real) -- two threads, or two processes, pass a byte back
  and forth over pipes: each hand-off is a wake-up and a context switch.
* ``02:switch-cost`` (model) -- the 1:1 :class:`~gmpkit.models.threads.Threads`
  model: threads that never block share one CPU in time slices; each slice
  costs one switch, so the useful share of the CPU is ``S / (S + C)``.
"""

from __future__ import annotations

import ctypes
import os
import resource
import statistics
import threading

import ipywidgets as W

from . import Panel, register, slider
from ..i18n import N_, tr
from ..units import fmt_bytes
from .processes import _fmt_ns, classify, plain_log_ticks, read_maps

__all__ = ["thread_stacks", "smaps_rss", "handoff", "switch_cost", "thread_stacks_panel",
           "handoff_panel", "switch_cost_panel", "useful_fraction", "STACK_SIZES"]

# ---- where is my stack? ------------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)
_libc.pthread_self.restype = ctypes.c_ulong
_libc.pthread_getattr_np.argtypes = [ctypes.c_ulong, ctypes.c_void_p]
_libc.pthread_attr_getstack.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p),
                                        ctypes.POINTER(ctypes.c_size_t)]
_libc.pthread_attr_getguardsize.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t)]
_libc.pthread_attr_destroy.argtypes = [ctypes.c_void_p]


def my_stack():
    """``(low address, size, guard size)`` of the calling thread's stack, from glibc."""
    attr = ctypes.create_string_buffer(128)          # pthread_attr_t is 56 bytes on x86-64
    err = _libc.pthread_getattr_np(_libc.pthread_self(), attr)
    if err:
        raise OSError(err, os.strerror(err))
    addr, size, guard = ctypes.c_void_p(), ctypes.c_size_t(), ctypes.c_size_t()
    _libc.pthread_attr_getstack(attr, ctypes.byref(addr), ctypes.byref(size))
    _libc.pthread_attr_getguardsize(attr, ctypes.byref(guard))
    _libc.pthread_attr_destroy(attr)
    return addr.value, size.value, guard.value


def smaps_rss(pid="self"):
    """``{start address: resident bytes}`` for every mapping (``/proc/PID/smaps``)."""
    out, start = {}, None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = line.split(None, 1)[0]
            if "-" in head and not head.endswith(":"):
                start = int(head.split("-")[0], 16)
            elif head == "Rss:":
                out[start] = int(line.split()[1]) * 1024
    return out


STACK_SIZES = {N_("default (ulimit -s)"): 0, "256 KiB": 256 << 10, "1 MiB": 1 << 20}


def thread_stacks(n, stack_size=0):
    """Start ``n`` threads, find their stacks and guard pages in this process's map.

    ``stack_size`` (bytes, 0 = the default, which glibc takes from ``ulimit -s``)
    is passed to :func:`threading.stack_size` for these threads only.
    Returns a dict: ``stacks`` (one dict per thread: start, size, guard_start,
    guard_size, guard_found, rss), the map ``regions`` around them, totals.
    """
    ready = threading.Barrier(n + 1)
    release = threading.Event()
    found = [None] * n

    def body(i):
        found[i] = my_stack()
        ready.wait()
        release.wait()

    old = threading.stack_size(stack_size)
    threads = []
    try:
        for i in range(n):
            t = threading.Thread(target=body, args=(i,), daemon=True, name=f"demo-{i}")
            t.start()
            threads.append(t)
    finally:
        threading.stack_size(old)
    try:
        ready.wait(timeout=10)
        maps = read_maps()
        rss = smaps_rss()
        vm_kib = _status_kib("VmSize")
        rss_kib = _status_kib("VmRSS")
    finally:
        release.set()
        for t in threads:
            t.join()
    by_start = {m["start"]: m for m in maps}
    by_end = {m["end"]: m for m in maps}
    stacks = []
    for i, (lo, size, guard) in enumerate(found):
        m = next((m for m in maps if m["start"] <= lo < m["end"]), None)
        below = by_end.get(m["start"]) if m else None
        guard_found = bool(below and below["perms"].startswith("---"))
        stacks.append({"thread": i, "start": lo, "size": size, "guard_size": guard,
                       "mapping_start": m["start"] if m else None,
                       "mapping_size": (m["end"] - m["start"]) if m else 0,
                       "perms": m["perms"] if m else "",
                       "guard_start": below["start"] if guard_found else None,
                       "guard_mapped": (below["end"] - below["start"]) if guard_found else 0,
                       "guard_found": guard_found,
                       "rss": rss.get(m["start"], 0) if m else 0})
    del by_start
    lo = min([s["guard_start"] or s["mapping_start"] for s in stacks], default=0)
    hi = max([s["mapping_start"] + s["mapping_size"] for s in stacks], default=0)
    regions = []
    for start, end, label, kind in classify(maps):
        if end <= lo or start >= hi:
            continue
        for s in stacks:
            if start == s["mapping_start"]:
                label, kind = f"thread {s['thread']} stack", "stack"
            elif start == s["guard_start"]:
                label, kind = f"thread {s['thread']} guard page", "guard"
        regions.append((start, end, label, kind))
    return {"n": n, "stack_size_asked": stack_size, "stacks": stacks, "regions": regions,
            "default_stack_bytes": resource.getrlimit(resource.RLIMIT_STACK)[0],
            "virtual_bytes": sum(s["mapping_size"] + s["guard_mapped"] for s in stacks),
            "resident_bytes": sum(s["rss"] for s in stacks),
            "guards": sum(s["guard_found"] for s in stacks),
            "process_vm_bytes": vm_kib * 1024, "process_rss_bytes": rss_kib * 1024}


def _status_kib(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


@register("02:thread-stacks", real=True)
def thread_stacks_panel(n=4, stack="default (ulimit -s)"):
    """Panel: N new threads, their stacks and guard pages in the memory map."""
    from .. import plots

    controls = {"n": slider(tr("threads to start"), n, 1, 16),
                "stack": W.Dropdown(options=[(tr(k), k) for k in STACK_SIZES],  # i18n: N_() keys
                                    value=stack, description=tr("stack size"))}

    def compute(n, stack):
        return thread_stacks(n, STACK_SIZES[stack])

    def draw(d, fig):
        ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.15, 1])
        plots.memory_map(d["regions"], ax=ax1, scale="log", merge=False, max_labels=24,
                         title=tr("The new threads' stacks in the map"))
        ax1.get_legend().remove() if ax1.get_legend() else None
        ys = range(d["n"])
        virt = [s["mapping_size"] for s in d["stacks"]]
        res = [max(s["rss"], 1) for s in d["stacks"]]
        ax2.barh([y + 0.2 for y in ys], virt, 0.4, color="#E69F00", edgecolor="black",
                 label=tr("virtual (reserved)"))
        ax2.barh([y - 0.2 for y in ys], res, 0.4, color="#0072B2", edgecolor="black",
                 hatch="//", label=tr("resident (touched)"))
        ax2.set_xscale("log")
        ax2.set_xlim(1024, max(virt + [1 << 20]) * 4)
        ax2.set_yticks(list(ys))
        ax2.set_yticklabels([tr("thread {i}", i=i) for i in ys])
        ax2.invert_yaxis()
        ticks = [4 << 10, 64 << 10, 1 << 20, 8 << 20]
        ax2.set_xticks(ticks)
        ax2.set_xticklabels([fmt_bytes(t) for t in ticks])
        ax2.xaxis.set_minor_formatter(__import__("matplotlib.ticker").ticker.NullFormatter())
        ax2.set_xlabel(tr("bytes (log scale)"))
        ax2.set_title(tr("Each stack: reserved vs used"))
        ax2.legend(frameon=False, loc="lower right", fontsize=9)
        return tr("{n} threads: {n2} stacks of {size} + {guards} guard pages of {guard}; "
                  "{virtual} virtual, {resident} resident", n=d["n"], n2=d["n"],
                  size=fmt_bytes(d["stacks"][0]["mapping_size"]), guards=d["guards"],
                  guard=fmt_bytes(d["stacks"][0]["guard_mapped"]),
                  virtual=fmt_bytes(d["virtual_bytes"]), resident=fmt_bytes(d["resident_bytes"]))

    return Panel(N_("02 · New threads, new stacks (and guard pages)"), controls, compute, draw,
                 figsize=(10, 5.2),
                 notice=N_("Each thread's stack is one mapping; the no-access page just below "
                           "it is its guard page. Orange bar: reserved. Blue: actually touched."))


# ---- hand-off between threads or processes --------------------------------------------

def _pingpong():
    from ..real.benches import _pipe_pingpong
    return _pipe_pingpong


def handoff(n=4000, repeats=3, one_cpu=False):
    """ns per hand-off (best of ``repeats``) between two threads and two processes.

    With ``one_cpu`` both sides are pinned to one CPU (so every hand-off is a
    context switch on that CPU); the pinning is undone afterwards.
    """
    pingpong = _pingpong()
    old = os.sched_getaffinity(0)
    if one_cpu:
        os.sched_setaffinity(0, {min(old)})
    try:
        th = [pingpong(n, False) for _ in range(repeats)]
        pr = [pingpong(n, True) for _ in range(repeats)]
    finally:
        os.sched_setaffinity(0, old)
    return {"n": n, "one_cpu": one_cpu, "threads_ns": th, "processes_ns": pr,
            "thread_ns": min(th), "process_ns": min(pr), "ratio": min(pr) / min(th)}


ARTICLE_THREAD_SWITCH = (1000, 1500)     # the article's "thread switch 1000-1500 ns"
ARTICLE_GOROUTINE_SWITCH = 200


@register("02:handoff", real=True)
def handoff_panel(n=4000, one_cpu=False):
    """Panel: one hand-off between two threads vs between two processes, measured."""
    controls = {"n": slider(tr("hand-offs per run"), n, 1000, 20000, step=1000),
                "one_cpu": W.Checkbox(value=one_cpu, description=tr("pin both sides to one CPU"))}

    def compute(n, one_cpu):
        return handoff(n, 3, one_cpu)

    def draw(d, fig):
        ax = fig.add_subplot()
        labels = [tr("2 threads\n(one process)"), tr("2 processes")]
        vals = [d["thread_ns"], d["process_ns"]]
        bars = ax.bar(labels, vals, color=["#E69F00", "#D55E00"], edgecolor="black",
                      hatch=["", "//"], width=0.5)
        ax.bar_label(bars, labels=[_fmt_ns(v) for v in vals], padding=3, fontsize=12)
        lo, hi = ARTICLE_THREAD_SWITCH
        ax.axhspan(lo, hi, color="#999999", alpha=0.35,
                   label=tr("article: thread switch 1000–1500 ns"))
        ax.axhline(ARTICLE_GOROUTINE_SWITCH, color="#0072B2", linestyle=":",
                   label=tr("article: goroutine switch 200 ns"))
        ax.set_ylim(0, max(vals) * 1.25)
        ax.set_ylabel(tr("one hand-off (ns, best of 3 runs)"))
        where = tr("both pinned to one CPU") if d["one_cpu"] else tr("free to use every CPU")
        ax.set_title(tr("Pass a byte back and forth over two pipes ({where})", where=where))
        ax.legend(frameon=False, loc="upper left", fontsize=10)
        ax.grid(True, axis="y", alpha=0.3)
        return tr("thread hand-off {t}, process hand-off {p}: processes cost x{x:.2f} of "
                  "threads", t=_fmt_ns(d["thread_ns"]), p=_fmt_ns(d["process_ns"]),
                  x=d["ratio"])

    return Panel(N_("02 · Hand-off: thread to thread vs process to process"), controls, compute,
                 draw, figsize=(8.5, 4.5),
                 notice=N_("Each hand-off = write to a pipe, wake the other side, switch to it. "
                           "Python adds its own overhead to both bars equally."))


# ---- the 1:1 model: what switching eats -----------------------------------------------------------

def useful_fraction(slice_ns, switch_ns):
    """Share of a CPU running threads' own code when every slice ends in a switch."""
    return slice_ns / (slice_ns + switch_ns)


def _hogs(threads, work_ns):
    import gmpkit as gk

    def main():
        wg = gk.WaitGroup()
        wg.add(threads)

        def hog():
            yield gk.compute(ns=work_ns)
            yield wg.done()

        for _ in range(threads):
            yield gk.go(hog)
        yield wg.wait()

    return main


def switch_cost(slice_us, switch_us, threads=4, work_ms=2.0):
    """Simulate ``threads`` CPU-bound threads on one CPU; returns the panel's data."""
    import gmpkit as gk
    slice_ns, switch_ns = int(round(slice_us * 1000)), int(round(switch_us * 1000))
    model = gk.Threads(cpus=1, slice_ns=slice_ns, kernel_switch_ns=switch_ns)
    run = gk.simulate(_hogs(threads, int(work_ms * 1e6)), model=model)
    tl = run.timeline
    # the contended stretch: from the last thread's first run to the first thread's exit
    exits = sorted(e.time for e in tl.events_of("exit") if e.g != 0) if tl.count("exit") else []
    t_end = exits[0] if exits else run.makespan_ns
    busy = {"running": 0, "switch": 0}
    t_start = None
    for s in tl.spans:
        if s.state == "running" and s.g != 0:
            t_start = s.start if t_start is None else min(t_start, s.start)
    for s in tl.spans:
        if s.state in busy and s.lane == "M":
            a, b = max(s.start, t_start), min(s.end, t_end)
            if b > a:
                busy[s.state] += b - a
    sim_useful = busy["running"] / max(1, busy["running"] + busy["switch"])
    curve_slices = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]
    return {"slice_ns": slice_ns, "switch_ns": switch_ns, "threads": threads,
            "timeline": tl, "stats": run.stats, "window": (t_start, t_end),
            "useful_sim": sim_useful, "useful_formula": useful_fraction(slice_ns, switch_ns),
            "switches": run.stats["context_switches"],
            "curve_us": curve_slices,
            "curve": [useful_fraction(s * 1000, switch_ns) for s in curve_slices]}


@register("02:switch-cost")
def switch_cost_panel(slice_us=100, switch_us=None, threads=4):
    """Panel (model): time slice and switch cost decide how much CPU is left for work."""
    from .. import plots
    if switch_us is None:
        from ..costs import default_costs
        switch_us = round(default_costs()["kernel_switch_ns"] / 1000 * 2) / 2
    controls = {"slice_us": slider(tr("time slice (µs)"), slice_us, 10, 3000, step=10),
                "switch_us": slider(tr("switch cost (µs)"), switch_us, 0.5, 20, step=0.5,
                                    kind="float"),
                "threads": slider(tr("CPU-bound threads"), threads, 2, 8)}

    def compute(slice_us, switch_us, threads):
        return switch_cost(slice_us, switch_us, threads)

    def draw(d, fig):
        ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.5, 1])
        t0 = d["window"][0]
        period = d["slice_ns"] + d["switch_ns"]
        plots.gantt(d["timeline"], by="M", ax=ax1, t0=t0, t1=t0 + period * (d["threads"] + 2),
                    title=tr("One CPU, first rounds"), events=(), legend=False)
        xs = d["curve_us"]
        ax2.plot(xs, [100 * v for v in d["curve"]], "-", color="#0072B2",
                 label="S / (S + C)")
        ax2.plot([d["slice_ns"] / 1000], [100 * d["useful_sim"]], "o", color="#D55E00",
                 markersize=10, label=tr("simulated"))
        ax2.set_xscale("log")
        plain_log_ticks(ax2, "x")
        ax2.set_ylim(0, 100)
        ax2.set_xlabel(tr("time slice S (µs, log)"))
        ax2.set_ylabel(tr("useful CPU (%)"))
        ax2.set_title(tr("Switch cost C = {c:g} µs", c=d["switch_ns"] / 1000))
        ax2.grid(True, alpha=0.3)
        ax2.legend(frameon=False, loc="lower right")
        return tr("slice {s:g} µs, switch {c:g} µs: {useful:.1f}% of the CPU runs the threads' "
                  "code, {lost:.1f}% goes to {n:,} switches", s=d["slice_ns"] / 1000,
                  c=d["switch_ns"] / 1000, useful=100 * d["useful_sim"],
                  lost=100 - 100 * d["useful_sim"], n=d["switches"])

    return Panel(N_("02 · How switch cost and time slice eat the CPU (1:1 model)"), controls,
                 compute, draw, figsize=(10, 4.5),
                 notice=N_("Black bars are context switches: CPU time that runs nobody's code."))
