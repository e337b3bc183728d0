"""Measure what processes, threads and goroutines cost on *this* machine.

Each measurement is repeated (``repeats`` runs, each a loop of many
operations) and reported as the median per operation with its spread
(min and max over the runs).  Python measures the operating system's side
(fork, posix_spawn, thread creation, a system call, a hand-off between two
threads or two processes over pipes); the course's Go programs measure the
runtime's side (goroutine creation, channel hand-off with and without
``LockOSThread``, thread creation by the runtime, ``entersyscall`` overhead,
memory per blocked goroutine, stack growth, and what sysmon's short sleep
really lasts).

>>> table = measure_all(quick=True, progress=False)        # doctest: +SKIP
>>> table                  # doctest: +SKIP
>>> table.median("go.handoff.p1") < table.median("py.handoff.threads")  # doctest: +SKIP
True
>>> table.save("/tmp/this_machine.json")       # doctest: +SKIP
>>> Measurements.load("/tmp/this_machine.json").plot()   # doctest: +SKIP

Add a Go measurement by adding a :class:`GoBench` to :data:`GO_BENCHES`
(the program's JSON output field becomes the measured value).
"""

from __future__ import annotations

import html
import json
import os
import shutil
import statistics
import sys
import threading
import time
import timeit
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import resources
from ..resources import data_dir
from .recorded import provenance

__all__ = ["Measurement", "Measurements", "GoBench", "GO_BENCHES", "PY_BENCHES", "measure_all",
           "measure_some", "measure_python", "measure_go", "load_recorded", "measurements_or_recorded",
           "write_costs", "Progress"]

# Okabe-Ito: distinguishable with every common colour-vision deficiency.
GROUP_COLOURS = {"process": "#D55E00", "thread": "#E69F00", "syscall": "#CC79A7",
                 "goroutine": "#0072B2", "memory": "#009E73"}


@dataclass
class Measurement:
    """One measured quantity: per-operation values from ``len(samples)`` runs."""
    name: str             # stable key, e.g. "go.handoff.p1"
    label: str            # what a learner reads
    unit: str             # "ns" or "B"
    group: str            # process | thread | syscall | goroutine | memory
    samples: list
    command: str = ""
    params: dict = field(default_factory=dict)

    @property
    def median(self):
        return statistics.median(self.samples)

    @property
    def low(self):
        return min(self.samples)

    @property
    def high(self):
        return max(self.samples)

    @property
    def spread(self):
        """(max - min) / median: how much the runs disagree."""
        return (self.high - self.low) / self.median if self.median else 0.0


def _fmt(value, unit):
    if unit == "B":
        return f"{value:,.0f} B"
    for scale, suffix in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")):
        if value >= scale:
            return f"{value / scale:.3g} {suffix}"
    return f"{value:.3g} ns"


class Measurements:
    """A table of :class:`Measurement` with provenance; renders, plots, saves.

    ``extra`` holds structured results that are not one number (the stack
    growth steps).
    """

    def __init__(self, items=(), provenance=None, extra=None):
        self.items = list(items)
        self.provenance = dict(provenance or {})
        self.extra = dict(extra or {})

    # ---- access -----------------------------------------------------------
    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __contains__(self, name):
        return any(m.name == name for m in self.items)

    def __getitem__(self, name):
        for m in self.items:
            if m.name == name:
                return m
        raise KeyError(f"no measurement {name!r}; have: {', '.join(m.name for m in self.items)}")

    def median(self, name):
        return self[name].median

    def add(self, m):
        self.items = [x for x in self.items if x.name != m.name] + [m]

    # ---- display ------------------------------------------------------------
    def rows(self):
        return [(m.label, _fmt(m.median, m.unit), f"{_fmt(m.low, m.unit)} – {_fmt(m.high, m.unit)}",
                 len(m.samples), m.name) for m in self.items]

    def __repr__(self):
        head = ("what", "median", "range", "runs", "key")
        rows = [head] + [tuple(map(str, r)) for r in self.rows()]
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
        p = self.provenance
        lines.append(f"({p.get('cpu_model', '?')}, {p.get('cores', '?')} cores, "
                     f"{p.get('go_version') or 'no Go'}, {p.get('date', '?')})")
        return "\n".join(lines)

    def _repr_html_(self):
        e = html.escape
        body = "".join(
            f"<tr><td style='text-align:left'>{e(r[0])}</td><td><b>{e(r[1])}</b></td>"
            f"<td>{e(r[2])}</td><td>{r[3]}</td><td style='text-align:left'><code>{e(r[4])}</code></td></tr>"
            for r in self.rows())
        p = self.provenance
        cap = e(f"{p.get('cpu_model', '?')}, {p.get('cores', '?')} cores, {p.get('os', '?')}, "
                f"{p.get('go_version') or 'no Go'}, {p.get('date', '?')}")
        return ("<table><thead><tr><th style='text-align:left'>what</th><th>median</th>"
                "<th>range</th><th>runs</th><th style='text-align:left'>key</th></tr></thead>"
                f"<tbody>{body}</tbody><caption style='caption-side:bottom'>{cap}</caption></table>")

    def plot(self, ax=None, *, unit="ns", names=None):
        """Horizontal bars of the medians (log scale) with min–max whiskers.

        Colours by group (Okabe-Ito palette); ``unit="B"`` plots the memory rows.
        Returns the matplotlib Axes.
        """
        import matplotlib.pyplot as plt
        items = [m for m in self.items if m.unit == unit and (names is None or m.name in names)]
        if ax is None:
            _, ax = plt.subplots(figsize=(12, 0.5 * len(items) + 1.8))
        y = range(len(items))
        med = [m.median for m in items]
        err = [[m.median - m.low for m in items], [m.high - m.median for m in items]]
        ax.barh(list(y), med, xerr=err, color=[GROUP_COLOURS.get(m.group, "#999999") for m in items],
                capsize=3, ecolor="#333333")
        ax.set_yticks(list(y))
        ax.set_yticklabels([m.label for m in items], fontsize=12)
        ax.invert_yaxis()
        top = max((m.high for m in items), default=1)
        if unit == "ns":
            ax.set_xscale("log")
            ax.set_xlim(right=top * 30)
            ax.set_xlabel("ns per operation, log scale (whisker: min–max)", fontsize=12)
        else:
            ax.set_xlim(right=top * 1.35)
            ax.set_xlabel("bytes per goroutine (bar: median; whisker: min–max)", fontsize=12)
        for i, m in enumerate(items):
            x = m.high * 1.25 if unit == "ns" else m.high + top * 0.02
            ax.text(x, i, _fmt(m.median, m.unit), va="center", fontsize=11)
        p = self.provenance
        ax.set_title(f"Measured on {p.get('cpu_model', '?')} ({p.get('cores', '?')} cores), "
                     f"{p.get('go_version') or 'no Go'}", fontsize=13)
        from matplotlib.patches import Patch
        groups = [g for g in GROUP_COLOURS if any(m.group == g for m in items)]
        ax.legend(handles=[Patch(color=GROUP_COLOURS[g], label=g) for g in groups],
                  loc="lower right", fontsize=11)
        ax.grid(axis="x", which="major", alpha=0.3)
        ax.figure.tight_layout()
        return ax

    def stack_growth(self):
        """The stack moves of a deep recursion: ``[{"depth", "used_bytes", "stack_bytes"}, ...]``.

        Each row is one ``runtime.newstack`` copy: at ``depth`` frames the
        goroutine had used ``used_bytes`` and its stack became ``stack_bytes``.
        """
        if "stack_growth" not in self.extra:
            raise KeyError("no stack growth recorded (measure_all with Go records it)")
        return list(self.extra["stack_growth"]["moves"])

    def plot_stack_growth(self, ax=None):
        """Stack size (steps) and bytes in use (dots) against recursion depth, log-log."""
        import matplotlib.pyplot as plt
        moves = self.stack_growth()
        if ax is None:
            _, ax = plt.subplots(figsize=(9, 5))
        last = self.extra["stack_growth"].get("depth", moves[-1]["depth"] if moves else 1)
        depth = [0] + [m["depth"] for m in moves] + [last]
        size = [2048] + [m["stack_bytes"] for m in moves]
        size.append(size[-1])
        ax.step(depth, size, where="post", color=GROUP_COLOURS["goroutine"], lw=2.5,
                label="stack size (copied to twice the size at each step)")
        ax.plot([m["depth"] for m in moves], [m["used_bytes"] for m in moves], "o",
                color=GROUP_COLOURS["process"], ms=7, label="bytes in use when it moved")
        ax.set_xscale("symlog", linthresh=10)
        ax.set_yscale("log", base=2)
        ax.set_xlabel("recursion depth (frames)", fontsize=12)
        ax.set_ylabel("bytes", fontsize=12)
        ax.set_title("A goroutine's stack grows by copying: 2 KiB, 4 KiB, 8 KiB ...", fontsize=13)
        ax.legend(fontsize=11)
        ax.grid(alpha=0.3)
        ax.figure.tight_layout()
        return ax

    # ---- persistence -----------------------------------------------------------
    def to_dict(self):
        return {"provenance": self.provenance, "measurements": [asdict(m) for m in self.items],
                "extra": self.extra}

    @classmethod
    def from_dict(cls, d):
        try:
            items = [Measurement(**m) for m in d["measurements"]]
        except (KeyError, TypeError) as e:
            raise ValueError(f"not a gmpkit measurements file ({e})") from None
        return cls(items, d.get("provenance"), d.get("extra"))

    def save(self, path):
        """Write JSON (provenance included); returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=1) + "\n")
        return path

    @classmethod
    def load(cls, path):
        return cls.from_dict(json.loads(Path(path).read_text()))


# ---- progress ---------------------------------------------------------------------

def _in_notebook():
    shell = sys.modules.get("IPython") and getattr(sys.modules["IPython"], "get_ipython", lambda: None)()
    return type(shell).__name__ == "ZMQInteractiveShell"


class Progress:
    """A progress bar: an ipywidgets bar in a notebook, a text bar on stderr otherwise.

    ``enabled=False`` makes it silent (tests).

    >>> with Progress(3, "demo", enabled=False) as bar:
    ...     for _ in range(3): bar.step("work")
    """

    def __init__(self, total, desc="", enabled=True, stream=None):
        self.total, self.desc, self.enabled, self.done = max(1, total), desc, enabled, 0
        self.stream = stream or sys.stderr
        self._widget = None
        if enabled and _in_notebook():
            try:
                import ipywidgets as w
                from IPython.display import display
                self._bar = w.IntProgress(value=0, max=self.total, description=desc[:20])
                self._label = w.Label("")
                self._widget = w.HBox([self._bar, self._label])
                display(self._widget)
            except ImportError:
                self._widget = None

    def step(self, what=""):
        self.done += 1
        if not self.enabled:
            return
        if self._widget is not None:
            self._bar.value, self._label.value = self.done, what
            return
        width = 30
        filled = int(width * self.done / self.total)
        self.stream.write(f"\r{self.desc} [{'#' * filled}{' ' * (width - filled)}] "
                          f"{self.done}/{self.total} {what[:40]:<40}")
        self.stream.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.enabled and self._widget is None:
            self.stream.write("\n")
            self.stream.flush()


# ---- Python-side measurements -------------------------------------------------------

def _per_op(fn, ops):
    t0 = time.perf_counter_ns()
    fn(ops)
    return (time.perf_counter_ns() - t0) / ops


def _fork(ops):
    for _ in range(ops):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)


def _spawn(ops):
    true = shutil.which("true") or "/bin/true"
    for _ in range(ops):
        pid = os.posix_spawn(true, [true], {})
        os.waitpid(pid, 0)


def _thread(ops):
    for _ in range(ops):
        t = threading.Thread(target=lambda: None)
        t.start()
        t.join()


def _pipe_pingpong(ops, use_process):
    """``ops`` hand-offs (ops/2 round trips) between two threads or processes over two pipes."""
    a_r, a_w = os.pipe()
    b_r, b_w = os.pipe()
    trips = max(1, ops // 2)

    def echo():
        for _ in range(trips):
            os.write(b_w, os.read(a_r, 1))

    if use_process:
        pid = os.fork()
        if pid == 0:
            try:
                echo()
            finally:
                os._exit(0)
    else:
        th = threading.Thread(target=echo)
        th.start()
    try:
        os.write(a_w, b"x")          # warm-up trip, not timed
        os.read(b_r, 1)
        t0 = time.perf_counter_ns()
        for _ in range(trips - 1):
            os.write(a_w, b"x")
            os.read(b_r, 1)
        elapsed = time.perf_counter_ns() - t0
    finally:
        if use_process:
            os.waitpid(pid, 0)
        else:
            th.join()
        for fd in (a_r, a_w, b_r, b_w):
            os.close(fd)
    return elapsed / max(1, 2 * (trips - 1))


def _call_ns(number):
    def f():
        return None
    return timeit.Timer("f()", globals={"f": f}).timeit(number) * 1e9 / number


def _getppid_ns(number):
    return timeit.Timer("g()", globals={"g": os.getppid}).timeit(number) * 1e9 / number


# name, label, group, function(size) -> ns per op, full size, quick size
PY_BENCHES = [
    ("py.process.fork", "process: fork + exit + wait (Python)", "process",
     lambda n: _per_op(_fork, n), 40, 10),
    ("py.process.spawn", "process: posix_spawn /bin/true + wait (Python)", "process",
     lambda n: _per_op(_spawn, n), 40, 10),
    ("py.thread.create", "thread: create + start + join (Python)", "thread",
     lambda n: _per_op(_thread, n), 400, 50),
    ("py.call", "function call (Python)", "syscall", _call_ns, 200_000, 20_000),
    ("py.syscall.getppid", "system call os.getppid() (Python)", "syscall", _getppid_ns, 200_000, 20_000),
    ("py.handoff.threads", "hand-off between 2 threads over pipes (Python)", "thread",
     lambda n: _pipe_pingpong(n, False), 4000, 400),
    ("py.handoff.processes", "hand-off between 2 processes over pipes (Python)", "process",
     lambda n: _pipe_pingpong(n, True), 4000, 400),
]


def measure_python(repeats=5, quick=False, bar=None, only=None):
    """Run the Python-side measurements; returns a list of :class:`Measurement`.

    The runs are interleaved (round 1 of every benchmark, then round 2 ...)
    so a burst of load from elsewhere hits all of them alike.
    """
    benches = [b for b in PY_BENCHES if only is None or b[0] in only]
    samples = {b[0]: [] for b in benches}
    for _ in range(repeats):
        for name, label, group, fn, full, small in benches:
            samples[name].append(float(fn(small if quick else full)))
            if bar:
                bar.step(name)
    return [Measurement(name, label, "ns", group, samples[name],
                        command=f"gmpkit.real.measure ({name}, {small if quick else full} ops per run)",
                        params={"ops_per_run": small if quick else full})
            for name, label, group, fn, full, small in benches]


# ---- Go-side measurements ------------------------------------------------------------

@dataclass(frozen=True)
class GoBench:
    """A Go program run: ``fields`` maps measurement name -> (JSON field, label, unit, group)."""
    program: str
    args: tuple
    quick_args: tuple
    fields: dict
    gomaxprocs: int | None = None
    repeats: int | None = None      # override (memory runs are slow and steady)


GO_BENCHES = [
    GoBench("spawn", ("-n", "200000"), ("-n", "20000"),
            {"go.spawn.p1": ("ns_per_op", "goroutine create + run + exit, GOMAXPROCS=1", "ns", "goroutine")},
            gomaxprocs=1),
    GoBench("spawn", ("-n", "200000"), ("-n", "20000"),
            {"go.spawn.p2": ("ns_per_op", "goroutine create + run + exit, GOMAXPROCS=2", "ns", "goroutine")},
            gomaxprocs=2),
    GoBench("pingpong", ("-n", "200000"), ("-n", "20000"),
            {"go.handoff.p1": ("ns_per_handoff", "goroutine hand-off (channel ping-pong), GOMAXPROCS=1",
                               "ns", "goroutine")}, gomaxprocs=1),
    GoBench("pingpong", ("-n", "200000"), ("-n", "20000"),
            {"go.handoff.p2": ("ns_per_handoff", "goroutine hand-off (channel ping-pong), GOMAXPROCS=2",
                               "ns", "goroutine")}, gomaxprocs=2),
    GoBench("pingpong", ("-locked", "-n", "20000"), ("-locked", "-n", "2000"),
            {"go.handoff.locked.p1": ("ns_per_handoff", "same, both goroutines LockOSThread'ed, GOMAXPROCS=1",
                                      "ns", "thread")}, gomaxprocs=1),
    GoBench("pingpong", ("-locked", "-n", "20000"), ("-locked", "-n", "2000"),
            {"go.handoff.locked.p2": ("ns_per_handoff", "same, both goroutines LockOSThread'ed, GOMAXPROCS=2",
                                      "ns", "thread")}, gomaxprocs=2),
    GoBench("threads", ("-n", "2000"), ("-n", "200"),
            {"go.thread.create": ("ns_per_thread", "thread create + exit by the Go runtime (newm)",
                                  "ns", "thread")}, gomaxprocs=2),
    GoBench("syscalls", ("-n", "1000000"), ("-n", "100000"),
            {"go.call": ("call_ns", "function call (Go)", "ns", "syscall"),
             "go.syscall.raw": ("raw_syscall_ns", "getppid via RawSyscall (Go, no scheduler)", "ns", "syscall"),
             "go.syscall": ("syscall_ns", "getppid via Syscall (Go, entersyscall/exitsyscall)", "ns", "syscall")},
            gomaxprocs=2),
    # sysmon's usleep(20) is one raw nanosleep(2) from a thread without a P
    # (runtime/sys_linux_amd64.s): programs/usleep.go makes the same call on a
    # locked thread.  (Not time.Sleep, which goes through the runtime's timers
    # and netpoll; not Python's time.sleep, which adds the interpreter.)
    GoBench("usleep", ("-us", "20,100,1000"), ("-us", "20,100,1000", "-budget", "15ms"),
            {"go.usleep.20": ("median_ns_20", "sysmon's usleep(20): a raw 20 µs nanosleep really takes",
                              "ns", "syscall"),
             "go.usleep.100": ("median_ns_100", "a raw 100 µs nanosleep really takes", "ns", "syscall"),
             "go.usleep.1000": ("median_ns_1000", "a raw 1 ms nanosleep really takes", "ns", "syscall")},
            gomaxprocs=1),
    GoBench("memblocked", ("-n", "100000"), ("-n", "20000"),
            {"go.mem.sys_per_g": ("sys_per_g", "memory (Sys) per blocked goroutine", "B", "memory"),
             "go.mem.stack_per_g": ("stack_inuse_per_g", "stack in use per blocked goroutine", "B", "memory"),
             "go.mem.heap_per_g": ("heap_inuse_per_g", "heap in use per blocked goroutine", "B", "memory")},
            repeats=3),
]


def measure_go(repeats=5, quick=False, bar=None, go=None, only=None):
    """Run the Go programs in :data:`GO_BENCHES`; returns ``(measurements, extra)``.

    Each repeat is a fresh process.  ``extra["stack_growth"]`` lists the
    stack moves of a deep recursion (depth, bytes used, stack size after).
    Raises :class:`~gmpkit.real.toolchain.GoUnavailable` without Go.
    """
    from .toolchain import find_go
    tc = find_go(go)
    benches = [b for b in GO_BENCHES if only is None or set(b.fields) & set(only)]
    samples = {name: [] for b in benches for name in b.fields}
    cmds = {}
    for r in range(max((b.repeats or repeats) for b in benches) if benches else 0):
        for i, b in enumerate(benches):      # interleaved rounds, as in measure_python
            if r >= (b.repeats or repeats):
                continue
            res = tc.run(b.program, list(b.quick_args if quick else b.args),
                         gomaxprocs=b.gomaxprocs, timeout=120)
            data = res.json()
            cmds[i] = res.command_line
            for name, (fld, *_rest) in b.fields.items():
                samples[name].append(float(data[fld]))
            if bar:
                bar.step(b.program)
    out = []
    for i, b in enumerate(benches):
        for name, (fld, label, unit, group) in b.fields.items():
            out.append(Measurement(name, label, unit, group, samples[name], command=cmds.get(i, ""),
                                   params={"program": b.program,
                                           "args": list(b.quick_args if quick else b.args),
                                           "gomaxprocs": b.gomaxprocs}))
    extra = {}
    if only is None:
        res = tc.run("stackgrowth", ["-depth", "5000" if quick else "20000"], timeout=60)
        extra["stack_growth"] = dict(res.json(), command=res.command_line)
        if bar:
            bar.step("stackgrowth")
    return out, extra


def _go_steps(repeats, only=None):
    n = sum((b.repeats or repeats) for b in GO_BENCHES
            if only is None or set(b.fields) & set(only))
    return n + (1 if only is None else 0)


def measure_all(repeats=5, *, quick=False, progress=True, go=None, python=True, golang=True):
    """Measure everything this module knows; returns :class:`Measurements`.

    Without Go the table holds the Python rows only and
    ``provenance["go_version"]`` is ``None``.  A full run takes about a minute
    on 2 cores; ``quick=True`` a few seconds.
    """
    from .toolchain import GoUnavailable, find_go
    tc = None
    if golang:
        try:
            tc = find_go(go)
        except GoUnavailable:
            tc = None
    total = (len(PY_BENCHES) * repeats if python else 0) + (_go_steps(repeats) if tc else 0)
    table = Measurements(provenance=provenance(
        f"gmpkit.real.measure.measure_all(repeats={repeats}, quick={quick})", tc))
    with Progress(total, "measuring", enabled=progress) as bar:
        if python:
            for m in measure_python(repeats, quick, bar):
                table.add(m)
        if tc is not None:
            items, extra = measure_go(repeats, quick, bar, go=go)
            for m in items:
                table.add(m)
            table.extra.update(extra)
    return table


# ---- recorded data and the simulator's costs ------------------------------------------------

RECORDED = "this_machine.json"


def load_recorded(name=RECORDED) -> Measurements:
    """The measurements recorded on the course's machine (``gmpkit/data/measurements/NAME``)."""
    return Measurements.from_dict(resources.read_json(f"measurements/{name}"))


def measurements_or_recorded(quick=True, **kw) -> Measurements:
    """Measure here when Go is available, else load the recorded table."""
    from .toolchain import GoUnavailable, find_go
    try:
        find_go(kw.get("go"))
    except GoUnavailable:
        return load_recorded()
    return measure_all(quick=quick, **kw)


COST_SOURCES = {
    # name: (how it is derived, what it is, the reference figure (DESIGN.md) or None)
    "goroutine_switch_ns": (lambda t: t.median("go.handoff.p1"),
                            "go.handoff.p1: unbuffered channel ping-pong, one hand-off, GOMAXPROCS=1",
                            "reference: 279 ns (GOMAXPROCS=1), 166 ns (GOMAXPROCS=2)"),
    "goroutine_create_ns": (lambda t: t.median("go.spawn.p1"),
                            "go.spawn.p1: goroutine create+run+exit in batches of 100, GOMAXPROCS=1",
                            "reference: 227 ns (GOMAXPROCS=1), 186 ns (GOMAXPROCS=2)"),
    "thread_create_ns": (lambda t: t.median("go.thread.create"),
                         "go.thread.create: the Go runtime creating (and destroying) an OS thread",
                         None),
    "kernel_switch_ns": (lambda t: t.median("py.handoff.processes"),
                         "py.handoff.processes: one hand-off between two processes blocked on pipes "
                         "(a kernel wake-up and context switch, plus a little Python)",
                         "reference: C pthreads 2.96 µs over a pipe, 2.47 µs over a futex"),
    "syscall_overhead_ns": (lambda t: t.median("go.syscall"),
                            "go.syscall: getppid (a system call that does almost nothing) through "
                            "syscall.Syscall: kernel entry/exit plus entersyscall/exitsyscall", None),
    "usleep_overhead_ns": (lambda t: t.median("go.usleep.20") - 20_000,
                           "go.usleep.20: sysmon's usleep(20) (a raw nanosleep of 20 µs on a locked "
                           "thread, runtime/sys_linux_amd64.s) minus the 20 µs asked for: the kernel's "
                           "timer slack plus the wake-up",
                           "reference (DESIGN.md, 'Reference measurements'): usleep(20) ≈ 87 µs, "
                           "nanosleep(100 µs) ≈ 167 µs, nanosleep(1 ms) ≈ 1.07 ms on a 2-vCPU VM "
                           "(a near-constant ~67 µs over)"),
    "process_create_ns": (lambda t: t.median("py.process.fork"),
                          "py.process.fork: fork + child exit + waitpid from Python", None),
    "locked_handoff_ns": (lambda t: t.median("go.handoff.locked.p1"),
                          "go.handoff.locked.p1: channel hand-off between two LockOSThread'ed goroutines",
                          "reference: 11.6 µs (GOMAXPROCS=1), 17.0 µs (GOMAXPROCS=2)"),
    "goroutine_bytes": (lambda t: t.median("go.mem.sys_per_g"),
                        "go.mem.sys_per_g: runtime Sys bytes per blocked goroutine (100 000 of them)",
                        "reference: 2048 B stack + 639 B heap = 2.76 KB"),
}

# Costs that are not measured by the course: each is an assumption with its primary source.
ASSUMED = {
    "thread_stack_bytes": (8 * 1024 * 1024, "glibc's default pthread stack: RLIMIT_STACK, 8192 KiB "
                                            "(`ulimit -s`), see pthread_create(3)"),
    "mcache_bytes": (2 * 1024 * 1024, "Vyukov, 'Scalable Go Scheduler Design Doc' (2012): an M's "
                                      "mcache can be up to 2 MB"),
    "schedlock_hold_ns": (200, "assumed hold time of Go 1.0's schedlock per scheduling operation "
                               "(Go 1.0 does not build on today's systems, so it is not measured)"),
    "schedlock_spin_ns": (1_000, "Go 1.0 src/pkg/runtime/lock_futex.c runtime·lock: a waiter spins "
                                 "4 x procyield(30) and osyields once before it sleeps in futex; "
                                 "order of magnitude"),
}
ASSUMED_ON = "not measured: an assumption, stated with its source"

# Measured once, apart from measure_all(), by a small C program on the course's build machine
# (what the C library and the CPU cost, not Go): value, what was timed, where.
MEASURED_APART = {
    "thread_clone_ns": (6_000, "pthread_create returning to its caller (the part of creating a "
                               "thread the creator waits for): median of 2001 runs, 5.9-6.0 us; "
                               "create + join 16.4 us"),
    "mutex_spin_ns": (730, "procyield(30), 30 PAUSE instructions: one sync.Mutex spin round; "
                           "median of 201 x 10000, 0.71-0.74 us"),
}
MEASURED_APART_ON = "AMD EPYC, 2 cores, Linux: the course's build machine, a C program (2026-11)"


# The reference measurements of DESIGN.md (a quiet 2-vCPU VM, Go 1.27.3, medians of 9): used
# as the default where they have a figure, because the course's build machine is shared and loaded.
REFERENCE = {
    "goroutine_switch_ns": (279, "unbuffered channel ping-pong, one hand-off = one goroutine "
                                 "switch on one P, GOMAXPROCS=1"),
    "goroutine_create_ns": (227, "goroutine create+run+exit in batches of 100, GOMAXPROCS=1"),
    "kernel_switch_ns": (2470, "C pthreads, one hand-off over a futex (2.96 us over a pipe)"),
    "locked_handoff_ns": (11600, "channel hand-off between two LockOSThread'ed goroutines, GOMAXPROCS=1"),
}
REFERENCE_ON = ("reference measurement (DESIGN.md, 'Reference measurements'): 2-vCPU VM, Go 1.27.3, "
                "median of 9 (quiet machine)")
REFERENCE_DATE = "2026-11"
COSTS_POLICY = ("Defaults of the simulator's costs. Where DESIGN.md's reference measurements (a quiet "
                "2-vCPU VM) have a figure it is used, and the figure measured on the course's build machine "
                "is kept beside it under 'this_machine'; the others were measured with gmpkit.real.measure "
                "on that machine, except the assumptions marked 'not measured', which cite their source. "
                "Notebook outputs depend on these numbers: change them deliberately and rebuild the "
                "notebooks.")


def _measured_on(p):
    on = (f"{p.get('cpu_model', '?')}, {p.get('cores', '?')} cores, {p.get('os', '?')}, "
          f"{p.get('go_version') or 'no Go'}")
    if p.get("loadavg"):
        on += f", load average {p['loadavg'][0]} at the start (a shared machine: noisy)"
    return on


def write_costs(table: Measurements, path=None, *, prefer_reference=True):
    """Write the simulator's default costs (``gmpkit/data/costs.json``) from a measured table.

    Format: ``{"name": {"value_ns": int, "source": str, "measured_on": str,
    "date": str}}``; :mod:`gmpkit.costs` reads it.  With ``prefer_reference``
    the quiet-machine reference figures (DESIGN.md) are the values where they
    exist, and this machine's measurement is kept under ``"this_machine"``;
    ``"_policy"`` says so.  The costs the course does not measure
    (:data:`ASSUMED`, :data:`MEASURED_APART`) are written with their source. Costs the
    table cannot give (it lacks their measurement) keep the entry the file already has,
    so measuring one thing (``--only``) updates only its own costs.
    """
    p = table.provenance
    on = _measured_on(p)
    path = Path(path) if path else data_dir() / "costs.json"
    try:
        out = json.loads(path.read_text())
    except (OSError, ValueError):
        out = {}
    for name, (get, how, ref) in COST_SOURCES.items():
        try:
            value = get(table)
        except KeyError:
            continue
        row = table[how.split(':')[0]]
        src = f"median of {len(row.samples)} runs of {how}"
        if ref:
            src += f"; cross-check {ref}"
        mp = row.params.get("provenance")      # a row measured apart (measure_some)
        here = {"value_ns": int(round(value)), "source": src,
                "measured_on": _measured_on(mp) if mp else on,
                "date": (mp or p).get("date", "")}
        if prefer_reference and name in REFERENCE:
            v, what = REFERENCE[name]
            out[name] = {"value_ns": v, "source": what, "measured_on": REFERENCE_ON,
                         "date": REFERENCE_DATE, "this_machine": here}
        else:
            out[name] = here
    for name, (value, why) in ASSUMED.items():
        out[name] = {"value_ns": value, "source": why, "measured_on": ASSUMED_ON, "date": ""}
    for name, (value, why) in MEASURED_APART.items():
        out[name] = {"value_ns": value, "source": why, "measured_on": MEASURED_APART_ON,
                     "date": "2026-11"}
    out.pop("_policy", None)
    if prefer_reference:
        out["_policy"] = COSTS_POLICY
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    return out


def measure_some(names, repeats=9, *, quick=False, go=None, out=None, costs=None):
    """Measure only the Go measurements ``names`` (e.g. ``["go.usleep.20"]``) and
    merge them into the recorded table (``out``) and ``costs.json`` (``costs``):
    each new row carries its own provenance (``params["provenance"]``), the costs
    it gives are rewritten, every other entry is kept.  Returns the new table."""
    from .toolchain import find_go
    tc = find_go(go)
    known = {n for b in GO_BENCHES for n in b.fields}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise KeyError(f"no Go measurement {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    prov = provenance(f"gmpkit.real.measure.measure_some({list(names)}, repeats={repeats}, "
                      f"quick={quick})", tc)
    items, _ = measure_go(repeats, quick, go=go, only=names)
    items = [m for m in items if m.name in names]
    new = Measurements(items, provenance=prov)
    out = Path(out) if out else data_dir() / "measurements" / RECORDED
    table = Measurements.load(out) if out.is_file() else Measurements(provenance=prov)
    for m in items:
        table.add(Measurement(m.name, m.label, m.unit, m.group, m.samples, m.command,
                              dict(m.params, provenance=prov)))
    table.save(out)
    write_costs(new, costs)
    return new


def main(argv=None):
    """``python -m gmpkit.real.measure [--quick] [--only NAME,...]``: measure, record
    and write costs.json (with ``--only``: just those Go measurements, merged in)."""
    import argparse
    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--only", default="", help="comma-separated Go measurement names, "
                                               "e.g. go.usleep.20,go.usleep.100,go.usleep.1000")
    ap.add_argument("--out", default=str(data_dir() / "measurements" / RECORDED))
    ap.add_argument("--costs", default=str(data_dir() / "costs.json"))
    a = ap.parse_args(argv)
    if a.only:
        print(measure_some([n.strip() for n in a.only.split(",") if n.strip()], a.repeats,
                           quick=a.quick, out=a.out, costs=a.costs))
        return
    table = measure_all(a.repeats, quick=a.quick)
    table.provenance["command"] = "python -m gmpkit.real.measure " + " ".join(argv or sys.argv[1:])
    if a.out:
        table.save(a.out)
    else:
        resources.write_json(f"measurements/{RECORDED}", table.to_dict())
    write_costs(table, a.costs)
    print(table)


if __name__ == "__main__":
    main()
