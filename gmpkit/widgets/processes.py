"""Notebook 01 (processes): a real address space, and what creating a process costs.

Panels (all measured on the learner's machine, nothing simulated):

* ``01:address-space`` -- ``/proc/<pid>/maps`` of this Python kernel (or of a
  small C program, ``sleep``) drawn to scale with :func:`gmpkit.plots.memory_map`,
  optionally with the kernel half of the 64-bit address space above it.
* ``01:creation-cost`` -- create N processes (``fork``, ``posix_spawn``) one
  by one and watch the total grow, next to N function calls and N system calls.
* ``01:fork-memory`` -- the same ``fork`` while the parent holds more and more
  memory: fork copies the parent's page tables, ``posix_spawn`` does not.

The helpers (:func:`read_maps`, :func:`classify`, :func:`time_forks` ...) are
plain functions so tests and notebooks can call them directly.
"""

from __future__ import annotations

import os
import shutil
import statistics
import time
import timeit

import ipywidgets as W

from . import Panel, register, slider
from ..i18n import N_, tr
from ..units import fmt_bytes

__all__ = ["read_maps", "classify", "simplify", "address_space", "time_forks", "time_spawns",
           "per_call_ns", "per_syscall_ns", "address_space_panel", "creation_cost_panel",
           "fork_memory_panel", "USER_TOP", "KERNEL_START"]

# x86-64 with 4-level page tables: user space is the low 128 TiB, the kernel
# lives in the high 128 TiB; everything between is "non-canonical" (unusable).
USER_TOP = 0x0000_8000_0000_0000
KERNEL_START = 0xFFFF_8000_0000_0000
ADDRESS_END = 1 << 64
VDSO_NAMES = ("[vdso]", "[vvar]", "[vvar_vclock]", "[vsyscall]")


# ---- reading an address space ----------------------------------------------------------------

def read_maps(pid="self"):
    """The mappings of process ``pid`` as dicts: start, end, perms, path (``/proc/PID/maps``)."""
    out = []
    with open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.split(None, 5)
            lo, hi = parts[0].split("-")
            out.append({"start": int(lo, 16), "end": int(hi, 16), "perms": parts[1],
                        "path": parts[5].strip() if len(parts) > 5 else ""})
    return out


def _exe(pid):
    try:
        return os.path.realpath(f"/proc/{pid}/exe")
    except OSError:
        return ""


def classify(maps, exe=""):
    """``(start, end, label, kind)`` for each mapping, kinds as in ``plots.KIND_STYLE``.

    The program's own file is ``code`` (executable) or ``data``; ``[heap]``,
    ``[stack]`` and the vdso pages are named by the kernel; other files are
    shared libraries (or data files mapped like them); nameless mappings are
    ``anon`` or, when no access is allowed (``---p``), ``guard``.
    """
    out = []
    for m in maps:
        path, perms = m["path"], m["perms"]
        name = os.path.basename(path) if path.startswith("/") else path
        if exe and path == exe:
            kind = "code" if "x" in perms else "data"
        elif path == "[heap]":
            kind = "heap"
        elif path.startswith("[stack"):
            kind = "stack"
        elif path in VDSO_NAMES:
            kind = "vdso"
        elif path.startswith("/"):
            kind = "lib"
        elif perms.startswith("---"):
            kind, name = "guard", "no access (---p)"
        else:
            kind, name = "anon", "anonymous"
        out.append((m["start"], m["end"], name, kind))
    return out


def simplify(regions):
    """Merge neighbouring regions of the same kind (a run of libraries becomes one block)."""
    out = []
    for start, end, label, kind in sorted(regions):
        if out and out[-1][3] == kind and kind in ("lib", "anon", "guard") and start - out[-1][1] < (1 << 30):
            s, _e, _lab, k, n = out[-1]
            n += 1
            lab = {"lib": f"{n} file mappings", "anon": f"{n} anonymous mappings",
                   "guard": f"{n} no-access mappings"}[kind]
            out[-1] = (s, end, lab, k, n)
        else:
            out.append((start, end, label, kind, 1))
    return [r[:4] for r in out]


def _spawn_sleeper():
    """Start ``sleep 30`` and return its pid once its libraries are mapped."""
    exe = shutil.which("sleep") or "/bin/sleep"
    pid = os.posix_spawn(exe, [exe, "30"], os.environ)
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        try:
            if any("libc" in m["path"] for m in read_maps(pid)):
                break
        except OSError:
            pass
        time.sleep(0.005)
    return pid


def address_space(process="this Python kernel"):
    """Read and classify one process's address space; returns the panel's data dict."""
    if process == "this Python kernel":
        pid, child = os.getpid(), None
    else:
        child = _spawn_sleeper()
        pid = child
    try:
        maps = read_maps(pid)
        exe = _exe(pid)
        rss_kib = _status_kib(pid, "VmRSS")
    finally:
        if child is not None:
            os.kill(child, 9)
            os.waitpid(child, 0)
    regions = classify(maps, exe)
    user = [r for r in regions if r[1] <= USER_TOP]
    kinds = {}
    for r in regions:
        kinds[r[3]] = kinds.get(r[3], 0) + 1
    return {"process": process, "pid": pid, "exe": exe, "regions": regions,
            "mappings": len(regions), "kinds": kinds,
            "virtual_bytes": sum(e - s for s, e, _l, _k in user),
            "resident_bytes": rss_kib * 1024,
            "highest_user_address": max(e for _s, e, _l, _k in user),
            "lowest_address": min(s for s, _e, _l, _k in regions),
            "above_user_space": [r for r in regions if r[0] >= USER_TOP]}


def _status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def _with_kernel_half(regions):
    """Add the kernel's half of the address space (everything above ``KERNEL_START``)."""
    above = sorted(r for r in regions if r[0] >= KERNEL_START)
    out = [r for r in regions if r[0] < KERNEL_START]
    cursor = KERNEL_START
    for r in above:
        if r[0] > cursor:
            out.append((cursor, r[0], tr("kernel space (only in kernel mode)"), "kernel"))
        out.append(r)
        cursor = r[1]
    if cursor < ADDRESS_END:
        out.append((cursor, ADDRESS_END, tr("kernel space (only in kernel mode)"), "kernel"))
    return out


PROCESSES = (N_("this Python kernel"), N_("a small C program (sleep)"))


@register("01:address-space", real=True)
def address_space_panel(process="this Python kernel", scale="log", kernel=True, detail="simplified"):
    """Panel: a real process's address space, low addresses at the bottom."""
    from .. import plots

    controls = {
        "process": W.Dropdown(options=[(tr(o), o) for o in PROCESSES],  # i18n: N_() PROCESSES
                              value=process, description=tr("process")),
        "scale": W.Dropdown(options=[(tr("log"), "log"), (tr("linear"), "linear")], value=scale,
                            description=tr("height")),
        "kernel": W.Checkbox(value=kernel, description=tr("show the kernel half")),
        "detail": W.Dropdown(options=[(tr("simplified"), "simplified"),
                                      (tr("every mapping"), "every mapping")], value=detail,
                             description=tr("detail")),
    }

    def compute(process, scale, kernel, detail):
        data = address_space(process)
        regs = data["regions"]
        if detail == "simplified":
            regs = simplify(regs)
        if kernel:
            regs = _with_kernel_half(regs)
        data.update(drawn=regs, scale=scale, kernel=kernel, detail=detail)
        return data

    def draw(d, fig):
        ax = fig.add_subplot()
        who = (tr("this Python kernel") if d["process"] == "this Python kernel"
               else "`sleep` (C)")
        plots.memory_map(d["drawn"], ax=ax, scale=d["scale"], merge=True, max_labels=28,
                         title=tr("Address space of {who}: {n} mappings", who=who,
                                  n=d["mappings"]))
        return tr("{process}: {n} mappings, {virtual} virtual, {resident} resident; highest user "
                  "address {highest:#x} (user space ends at {top:#x})",
                  process=tr(d["process"]),   # i18n: N_() PROCESSES
                  n=d["mappings"], virtual=fmt_bytes(d["virtual_bytes"]),
                  resident=fmt_bytes(d["resident_bytes"]), highest=d["highest_user_address"],
                  top=USER_TOP)

    return Panel(N_("01 · A real address space, from /proc/<pid>/maps"), controls, compute, draw,
                 figsize=(12, 5.2),
                 notice=N_("Low addresses at the bottom. Gaps (zig-zags) are unmapped: touching "
                           "them is a segmentation fault."))


# ---- what creating a process costs ---------------------------------------------------------------

def time_forks(n):
    """Time ``n`` fork + child ``_exit`` + ``waitpid`` one by one; ns for each."""
    out = []
    for _ in range(n):
        t0 = time.perf_counter_ns()
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        out.append(time.perf_counter_ns() - t0)
    return out


def time_spawns(n, program="true"):
    """Time ``n`` posix_spawn of ``program`` + ``waitpid``; ns for each."""
    exe = shutil.which(program) or f"/bin/{program}"
    out = []
    for _ in range(n):
        t0 = time.perf_counter_ns()
        pid = os.posix_spawn(exe, [exe], {})
        os.waitpid(pid, 0)
        out.append(time.perf_counter_ns() - t0)
    return out


def _noop():
    return None


def per_call_ns(number=20_000, repeats=3):
    """A Python function call, ns (best of ``repeats`` loops of ``number``)."""
    t = timeit.Timer("f()", globals={"f": _noop})
    return min(t.repeat(repeats, number)) * 1e9 / number


def per_syscall_ns(number=20_000, repeats=3):
    """``os.getppid()`` -- one trip into the kernel and back -- ns (best of ``repeats``)."""
    t = timeit.Timer("g()", globals={"g": os.getppid})
    return min(t.repeat(repeats, number)) * 1e9 / number


OPS = ("function call", "system call (getppid)", "posix_spawn + exec + exit", "fork + exit")
_OP_SHOWN = {"function call": N_("function call"),
             "system call (getppid)": N_("system call (getppid)")}


def _op(op):
    """An operation's name as shown (the identifiers-only ones stay as they are)."""
    return tr(_OP_SHOWN[op]) if op in _OP_SHOWN else op   # i18n: _OP_SHOWN values are N_()


OP_COLOURS = {"function call": "#009E73", "system call (getppid)": "#CC79A7",
              "posix_spawn + exec + exit": "#0072B2", "fork + exit": "#D55E00"}


@register("01:creation-cost", real=True)
def creation_cost_panel(n=8):
    """Panel: total time for N operations of each kind, as N grows."""
    controls = {"n": slider(tr("N (operations)"), n, 1, 40)}

    def compute(n):
        forks = time_forks(n)
        spawns = time_spawns(n)
        call, sysc = per_call_ns(), per_syscall_ns()
        per_op = {"function call": call, "system call (getppid)": sysc,
                  "posix_spawn + exec + exit": statistics.median(spawns),
                  "fork + exit": statistics.median(forks)}
        ks = list(range(1, n + 1))
        cum = {"fork + exit": _cumsum(forks), "posix_spawn + exec + exit": _cumsum(spawns),
               "system call (getppid)": [k * sysc for k in ks],
               "function call": [k * call for k in ks]}
        return {"n": n, "per_op_ns": per_op, "cumulative_ns": cum, "forks_ns": forks,
                "spawns_ns": spawns, "ratio_fork_syscall": per_op["fork + exit"] / sysc,
                "ratio_syscall_call": sysc / call}

    def draw(d, fig):
        ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.3, 1])
        ks = list(range(1, d["n"] + 1))
        for op in OPS:
            style = "-" if op in ("fork + exit", "posix_spawn + exec + exit") else "--"
            ax1.plot(ks, [v / 1e3 for v in d["cumulative_ns"][op]], style, marker="o",
                     markersize=3, color=OP_COLOURS[op], label=_op(op))
        ax1.set_yscale("log")
        plain_log_ticks(ax1, "y")
        ax1.set_xlabel(tr("N (operations done one after another)"))
        ax1.set_ylabel(tr("total time (µs, log scale)"))
        ax1.set_title(tr("Total time for N operations"))
        ax1.grid(True, alpha=0.3)
        ax1.legend(fontsize=9, loc="center right", frameon=False)
        vals = [d["per_op_ns"][op] for op in OPS]
        bars = ax2.barh(range(len(OPS)), vals, color=[OP_COLOURS[o] for o in OPS],
                        edgecolor="black")
        ax2.bar_label(bars, labels=[_fmt_ns(v) for v in vals], padding=3, fontsize=10)
        ax2.set_yticks(range(len(OPS)))
        ax2.set_yticklabels([_op(o).replace(" + ", "\n+ ", 1) for o in OPS], fontsize=9)
        ax2.set_xscale("log")
        plain_log_ticks(ax2, "x", lambda v, _p: _fmt_ns(v))
        ax2.set_xlim(min(vals) / 3, max(vals) * 30)
        ax2.set_xticks([t for t in (10, 1e3, 1e5, 1e7, 1e9) if min(vals) / 3 <= t <= max(vals) * 30])
        ax2.set_xlabel(tr("one operation (ns, log scale)"))
        ax2.set_title(tr("Cost of one"))
        p = d["per_op_ns"]
        return tr("per operation: call {call}, getppid {getppid}, posix_spawn {spawn}, fork "
                  "{fork} -- a fork costs {ratio:,.0f} system calls",
                  call=_fmt_ns(p["function call"]), getppid=_fmt_ns(p["system call (getppid)"]),
                  spawn=_fmt_ns(p["posix_spawn + exec + exit"]), fork=_fmt_ns(p["fork + exit"]),
                  ratio=d["ratio_fork_syscall"])

    return Panel(N_("01 · Creating processes vs calling functions vs entering the kernel"),
                 controls, compute, draw, figsize=(10, 4.2),
                 notice=N_("Solid lines: each creation timed on its own. Dashed: N x the cost "
                           "measured over 20,000 calls (one call is too short to time alone)."))


def plain_log_ticks(ax, axis="x", fmt=None):
    """Label a log axis with plain numbers (no mathtext: it is slow and small on a projector),
    with unlabelled minor ticks at 2 and 5 of each decade only: matplotlib's default eight
    per decade made every redraw of a log-log panel twice as slow."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    a = getattr(ax, f"{axis}axis")
    a.set_major_formatter(FuncFormatter(fmt or (lambda v, _p: f"{v:g}")))
    a.set_minor_locator(LogLocator(base=a.get_scale() == "log" and a._scale.base or 10,
                                   subs=(2.0, 5.0)))
    a.set_minor_formatter(NullFormatter())


def _cumsum(xs):
    out, t = [], 0
    for x in xs:
        t += x
        out.append(t)
    return out


def _fmt_ns(v):
    for scale, suffix in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")):
        if v >= scale:
            return f"{v / scale:.3g} {suffix}"
    return f"{v:.3g} ns"


@register("01:fork-memory", real=True)
def fork_memory_panel(max_mib=256, n=3):
    """Panel: fork slows down as the parent's memory grows; posix_spawn does not."""
    controls = {"max_mib": slider(tr("parent's extra memory up to (MiB)"), max_mib, 64, 512,
                                  step=64),
                "n": slider(tr("creations per point"), n, 2, 8)}

    def compute(max_mib, n):
        sizes = [0, max_mib // 4, max_mib // 2, max_mib]
        fork_ns, spawn_ns = [], []
        for mib in sizes:
            block = bytearray(mib << 20)
            if mib:
                block[::4096] = b"\x01" * len(block[::4096])   # touch every page
            # best of n: the run least disturbed by other work on a shared machine
            fork_ns.append(min(time_forks(n)))
            spawn_ns.append(min(time_spawns(n)))
            del block
        return {"sizes_mib": sizes, "fork_ns": fork_ns, "spawn_ns": spawn_ns, "n": n,
                "fork_growth": fork_ns[-1] / fork_ns[0], "spawn_growth": spawn_ns[-1] / spawn_ns[0],
                "fork_added_ns": fork_ns[-1] - fork_ns[0], "spawn_added_ns": spawn_ns[-1] - spawn_ns[0]}

    def draw(d, fig):
        ax = fig.add_subplot()
        ax.plot(d["sizes_mib"], [v / 1e6 for v in d["fork_ns"]], "-o",
                color=OP_COLOURS["fork + exit"], label="fork + exit + wait")
        ax.plot(d["sizes_mib"], [v / 1e6 for v in d["spawn_ns"]], "--s",
                color=OP_COLOURS["posix_spawn + exec + exit"], label="posix_spawn + exec + exit + wait")
        ax.set_xlabel(tr("memory the parent has touched, on top of what it had (MiB)"))
        ax.set_ylabel(tr("one creation (ms, best of n)"))
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        ax.legend(frameon=False)
        ax.set_title(tr("fork copies the parent's page tables; posix_spawn does not"))
        return tr("from 0 to {mib} MiB: fork {f0} -> {f1} (x{fx:.1f}), posix_spawn {s0} -> {s1} "
                  "(x{sx:.1f})", mib=d["sizes_mib"][-1], f0=_fmt_ns(d["fork_ns"][0]),
                  f1=_fmt_ns(d["fork_ns"][-1]), fx=d["fork_growth"],
                  s0=_fmt_ns(d["spawn_ns"][0]), s1=_fmt_ns(d["spawn_ns"][-1]),
                  sx=d["spawn_growth"])

    return Panel(N_("01 · Why fork gets slower as the parent grows"), controls, compute, draw,
                 figsize=(9, 4.2))
