"""Model vs reality: run a scenario in the simulator and its Go mirror, side by side.

Each scenario in :mod:`gmpkit.scenarios` that names a ``go_program`` has a Go
twin, ``gmpkit/real/programs/scn_<name>.go``, taking the scenario's parameters
as flags.  :func:`compare` runs the GMP model on the scenario and the Go
program on this machine (``runs`` times, with ``GODEBUG=schedtrace=1`` and a
``runtime/trace``), and lines up what both say:

==================  ==============================  ===========================================
metric              simulator                       real Go
==================  ==============================  ===========================================
makespan            ``run.makespan_ns``             the program's own clock around the workload
threads (Ms)        peak of the ``threads`` counter ``runtime/pprof`` threadcreate count
global queue peak   peak of ``runqueue``            largest schedtrace ``runqueue=`` (1 ms samples)
busiest P's share   running time per P (M lane)     running time per P (execution trace)
preemptions         ``stats["preemptions"]``        ``Running->Runnable "preempted"`` transitions
hand-off            ``results["handoff_ns"]``       the program's own clock, per hand-off
ticker's worst      first run or wake-up, latest    the same, measured by the ticker
delay
==================  ==============================  ===========================================

Real numbers are medians over ``runs`` runs.  Each metric carries the model's
stated :class:`Tolerance` -- generous, because the real side runs on a shared,
noisy machine -- and a verdict.  Where the model leaves something out on
purpose (the garbage collector, the OS scheduler, real system-call costs, the
runtime's own goroutines and threads) the result says so
(:attr:`Comparison.expected`), and the tolerance is a *direction* ("real is at
least the simulator's, because ...") rather than a band.

``real="auto"`` runs Go when it is installed and otherwise uses the runs
recorded in ``gmpkit/data/compare`` (``real="recorded"`` forces that); the result says
plainly which (:attr:`Comparison.source_line`).

>>> c = compare("spawn_burst", procs=2, runs=3)            # doctest: +SKIP
>>> c.metric("global_queue_peak").sim, c.ok                # doctest: +SKIP
(129, True)
>>> c                                                      # doctest: +SKIP
(an HTML table in Jupyter)
"""

from __future__ import annotations

import gzip
import html
import json
import re
import statistics
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..timeline import Timeline
from .exectrace import parse_exectrace, strip_stacks
from .. import resources
from .recorded import provenance
from .schedtrace import parse_schedtrace
from .toolchain import GoUnavailable, find_go

__all__ = ["compare", "Comparison", "Metric", "Tolerance", "MIRRORS", "Mirror", "EXPECTED",
           "record_all", "recorded_configs", "find_go_or_none", "calibrate", "real_run", "renumber_goroutines"]


# ---- tolerances ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Tolerance:
    """How far the real value may be from the simulator's and still count as agreeing.

    ``kind`` is one of

    * ``"ratio"``: ``lo <= real / sim <= hi`` (or, when ``abs_`` is set, also
      ``|real - sim| <= abs_``: for values near zero, where ratios mean little);
    * ``"abs"``: ``|real - sim| <= hi``;
    * ``"at_least"``: ``real >= lo * sim`` -- an expected *direction*: the model
      leaves something out that can only make reality slower or bigger;
    * ``"at_most"``: ``real <= hi * sim + lo``;
    * ``"info"``: shown, not judged.

    ``why`` says where the width comes from.
    """
    kind: str
    lo: float = 0.0
    hi: float = 0.0
    why: str = ""
    abs_: float = 0.0

    def check(self, sim, real):
        if self.kind == "info" or sim is None or real is None:
            return None
        if self.kind == "ratio":
            if self.abs_ and abs(real - sim) <= self.abs_:
                return True
            if sim == 0:
                return real == 0
            return self.lo <= real / sim <= self.hi
        if self.kind == "abs":
            return abs(real - sim) <= self.hi
        if self.kind == "at_least":
            return real >= self.lo * sim
        if self.kind == "at_most":
            return real <= self.hi * sim + self.lo
        raise ValueError(f"unknown tolerance kind {self.kind!r}")

    def describe(self, unit=""):
        if self.kind == "ratio":
            extra = f" or |real − sim| ≤ {_fmt(self.abs_, unit)}" if self.abs_ else ""
            return f"real/sim in [{self.lo:g}, {self.hi:g}]{extra}"
        if self.kind == "abs":
            return f"|real − sim| ≤ {_fmt(self.hi, unit)}"
        if self.kind == "at_least":
            return f"real ≥ {self.lo:g} × sim"
        if self.kind == "at_most":
            return f"real ≤ {self.hi:g} × sim + {_fmt(self.lo, unit)}"
        return "shown only"


def ratio(lo, hi, why="", or_within=0):
    return Tolerance("ratio", lo, hi, why, or_within)


def absolute(d, why=""):
    return Tolerance("abs", 0, d, why)


def at_least(k, why=""):
    return Tolerance("at_least", k, 0, why)


def at_most(k, plus=0, why=""):
    return Tolerance("at_most", plus, k, why)


INFO = Tolerance("info")


# ---- what the model leaves out, and where it shows ---------------------------------------

EXPECTED = {
    "gc": "No garbage collector in the model. Real Go runs GC workers on the Ps and stops the "
          "world now and then, so real runs can only be slower.",
    "os": "No operating system in the model. Real threads share 2 CPUs with other programs; "
          "the kernel may run something else in the middle of a goroutine, so real makespans "
          "stretch, by a lot on a loaded machine.",
    "syscall": "System calls cost only what the model is told. A real nanosleep wakes up late "
               "(timer slack, the kernel scheduler), usually by 50 µs or more.",
    "runtime_threads": "The model starts with 2 Ms (M0 and sysmon). Real Go has started a few "
                       "more before main runs (for its own goroutines: GC workers, the "
                       "scavenger, the tracer), so real thread counts sit a few above the model's.",
    "runtime_goroutines": "The model runs only the workload's goroutines. Real Go also runs "
                          "its own (the tracer's reader, timers, netpoll), on the same Ps.",
    "sampling": "Real schedtrace samples once per ms; the model knows every instant. A real "
                "peak is the largest *sample*, so it is at most the true peak.",
    "timers": "Real timers fire late by tens of µs (and by ms on a busy machine); the model's "
              "fire exactly when an M looks.",
}


# ---- the metrics ---------------------------------------------------------------------------

@dataclass
class Metric:
    """One line of a comparison: the simulator's value, the real one, and the verdict."""
    key: str
    label: str
    unit: str
    sim: float | None
    real: float | None
    tolerance: Tolerance
    ok: bool | None = None
    expected: tuple = ()        # keys of EXPECTED that explain a difference
    samples: list = field(default_factory=list)   # the real value of each run

    @property
    def numeric(self):
        return isinstance(self.sim, (int, float)) and isinstance(self.real, (int, float))

    @property
    def difference(self):
        if not self.numeric:
            return None
        return self.real - self.sim

    @property
    def ratio(self):
        if not self.numeric or self.sim == 0:
            return None
        return self.real / self.sim

    @property
    def verdict(self):
        return {True: "within", False: "outside", None: "—"}[self.ok]

    def as_dict(self):
        return {"key": self.key, "label": self.label, "unit": self.unit, "sim": self.sim,
                "real": self.real, "ratio": self.ratio, "tolerance": self.tolerance.describe(self.unit),
                "ok": self.ok, "expected": list(self.expected), "samples": list(self.samples)}


@dataclass(frozen=True)
class MetricSpec:
    key: str
    label: str
    unit: str
    tolerance: Tolerance
    expected: tuple = ()


@dataclass(frozen=True)
class Mirror:
    """A scenario's Go twin: which program, which parameters to compare at, which metrics."""
    scenario: str
    program: str
    params: dict
    metrics: tuple
    note: str = ""
    # Parameters of a separate, traced run (for the Gantt chart) when tracing
    # every event would distort what the untraced runs measure (ping_pong's
    # hand-off); None: every run is traced.
    trace_params: dict | None = None


def _m(key, label, unit, tol, *expected):
    return MetricSpec(key, label, unit, tol, tuple(expected))


_MAKESPAN = _m("makespan_ns", "makespan", "ns",
               at_least(0.7, "the model leaves out GC, the OS and other programs, which only add "
                             "time; 0.7 allows for cost figures measured on a quieter machine"),
               "gc", "os")
_THREADS = _m("threads", "threads (Ms)", "",
              at_most(1, 5, "real Go starts a few threads of its own before main"),
              "runtime_threads")
_SHARE = _m("p_share", "busiest P's share of the work", "",
            absolute(0.25, "the OS may pause one P's thread; Go's own goroutines use Ps too"), "os")
_WHO = _m("gs_per_p", "goroutines that ran on each P", "", INFO)

MIRRORS = {
    "cpu_fanout": Mirror("cpu_fanout", "scn_cpu_fanout", dict(goroutines=8, work_us=2000),
                         (_MAKESPAN, _THREADS, _SHARE, _WHO),
                         "8 workers of 2 ms: with P processors the makespan is about "
                         "ceil(8 / P) x 2 ms, the work split evenly over the Ps."),
    "ping_pong": Mirror("ping_pong", "scn_ping_pong", dict(rounds=2000, work_ns=0),
                        (_m("handoff_ns", "one channel hand-off", "ns",
                            ratio(0.3, 5, "the model's switch cost is one measured figure; "
                                          "real hand-offs vary with the machine and GOMAXPROCS"),
                            "os"),
                         _m("makespan_ns", "makespan", "ns",
                            ratio(0.3, 5, "the makespan is 2 x rounds hand-offs: the model's "
                                          "switch cost (measured on GOMAXPROCS=1) can be slower "
                                          "than real Go on 2 Ps (166 ns in DESIGN.md's "
                                          "reference measurements)"),
                            "os"),
                         _THREADS),
                        "2000 round trips over unbuffered channels: every hand-off is a "
                        "runnext switch, no system call.",
                        trace_params=dict(rounds=50)),
    "syscall_storm": Mirror("syscall_storm", "scn_syscall_storm",
                            dict(goroutines=32, syscall_us=1000, compute_us=50),
                            (_m("threads", "threads (Ms)", "",
                                ratio(0.2, 2, "how many Ms sysmon adds depends on when it "
                                               "looks (every 20 µs at best) and how late each "
                                               "nanosleep returns"),
                                "syscall", "runtime_threads"),
                             _m("makespan_ns", "makespan", "ns",
                                at_least(0.7, "real system calls return late; fewer real Ms "
                                              "means more calls in a row"),
                                "syscall", "os"),
                             _m("retakes", "Ps retaken from syscalls", "", INFO),
                             _WHO),
                            "32 goroutines each block in nanosleep for 1 ms: sysmon retakes "
                            "their Ps and the runtime starts new threads."),
    "netio_server": Mirror("netio_server", "scn_netio_server",
                           dict(connections=32, io_us=1000, compute_us=50, requests=1),
                           (_m("threads", "threads (Ms)", "",
                               at_most(1, 5, "real Go starts a few threads of its own; no "
                                             "thread blocks on the network"),
                               "runtime_threads"),
                            _m("makespan_ns", "makespan", "ns",
                               at_least(0.7, "the real server answers through timers, which "
                                             "fire late"), "timers", "os"),
                            _WHO),
                           "32 goroutines wait on loopback TCP for a 1 ms answer: they park on "
                           "the netpoller, no thread blocks."),
    "cpu_hog": Mirror("cpu_hog", "scn_cpu_hog", dict(hog_ms=50, tight=True, ticks=10, tick_us=1000),
                      (_m("worst_delay_ns", "ticker's worst delay", "ns",
                          ratio(0.25, 5, "sysmon sees a 10 ms slice only at its next round "
                                           "(20 µs to 10 ms later); a busy OS stretches the "
                                           "hog; with a P of its own the ticker waits only for "
                                           "real timer and wake-up latency (up to ms here)",
                                or_within=10_000_000),
                          "timers", "os"),
                       _m("preemptions", "preemptions", "",
                          ratio(0.3, 3, "each 10 ms slice may be seen up to a sysmon round late, "
                                        "and a hog slowed by the OS lives for more slices",
                                or_within=4),
                          "os"),
                       _MAKESPAN, _THREADS),
                      "A 50 ms hog without function calls next to a ticker: only asynchronous "
                      "preemption (SIGURG) can stop the hog; asyncpreemptoff=1 turns it off."),
    "spawn_burst": Mirror("spawn_burst", "scn_spawn_burst", dict(goroutines=1000, work_us=20),
                          (_m("global_queue_peak", "global queue peak", "",
                              ratio(0.1, 1.5, "schedtrace samples once per ms; by the first "
                                              "sample the other P may have taken a batch"),
                              "sampling"),
                           _MAKESPAN, _THREADS, _SHARE, _WHO),
                          "main starts 1000 goroutines in a row: its P's ring (256) overflows "
                          "and half of it moves to the global queue, again and again."),
}


# ---- the simulator side --------------------------------------------------------------------

def _sim_metrics(scenario, procs, async_preempt, params):
    from ..models.gmp import GMP
    from ..scenarios import get
    sc = get(scenario, **params)
    run = sc.run(GMP(procs=procs, async_preempt=async_preempt), seed=0, schedtrace=1)
    tl, st = run.timeline, run.stats
    out = {"makespan_ns": st["makespan_ns"], "threads": st.get("threads_peak", 0),
           "global_queue_peak": st.get("global_queue_peak", 0),
           "preemptions": st.get("preemptions", 0), "retakes": st.get("retakes", 0)}
    out.update(_per_p(tl, lane="M", procs=procs))
    if "handoff_ns" in run.results:
        out["handoff_ns"] = run.results["handoff_ns"]
    if scenario == "cpu_hog":
        ticker = next(g for g, n in tl.g_names.items() if n == "ticker")
        spawn = next(e.time for e in tl.events_of("spawn") if e.g == ticker)
        first = min((s.start for s in tl.spans if s.g == ticker and s.lane == "M"),
                    default=run.makespan_ns)
        out["start_delay_ns"] = first - spawn
        out["worst_delay_ns"] = max([first - spawn] + list(run.results.get("latency_ns", [])))
    return out, run


def _per_p(tl, lane, procs):
    """Busiest P's share of the goroutines' running time, and which Gs ran on each P."""
    busy = [0] * procs
    gs = [set() for _ in range(procs)]
    for s in tl.spans:
        if s.lane == lane and s.state == "running" and s.g >= 0 and 0 <= s.p < procs:
            busy[s.p] += s.end - s.start
            gs[s.p].add(s.g)
    total = sum(busy)
    share = max(busy) / total if total else None
    return {"p_share": share, "gs_per_p": [len(x) for x in gs], "busy_ns": busy}


# ---- the real side ---------------------------------------------------------------------------

_IPU: dict = {}


def calibrate(tc=None):
    """Loop iterations per µs on this CPU (median of 3 calibrations; cached per process)."""
    tc = tc or find_go()
    if "ipu" not in _IPU:
        vals = [tc.run("scn_cpu_fanout", ["-goroutines", "1", "-work_us", "1"], gomaxprocs=1,
                       timeout=30).json()["iters_per_us"] for _ in range(3)]
        _IPU["ipu"] = statistics.median(vals)
    return _IPU["ipu"]


def _flags(params):
    out = []
    for k, v in params.items():
        out += [f"-{k}={str(v).lower()}"] if isinstance(v, bool) else [f"-{k}", str(v)]
    return out


def real_run(scenario, procs=2, async_preempt=True, params=None, tc=None, trace=True):
    """Run the Go mirror once; return ``(metrics, raw)`` where ``raw`` holds the
    program's JSON, its schedtrace and (with ``trace``) its parsed execution trace text."""
    mirror = MIRRORS[scenario]
    tc = tc or find_go()
    p = dict(mirror.params, **(params or {}))
    godebug = "schedtrace=1" + ("" if async_preempt else ",asyncpreemptoff=1")
    with tempfile.TemporaryDirectory(prefix="gmpkit-cmp-") as d:
        out = Path(d) / "trace.out"
        args = _flags(p) + ["-ipu", f"{calibrate(tc):.3f}"] + (["-o", str(out)] if trace else [])
        res = tc.run(mirror.program, args, gomaxprocs=procs, godebug=godebug, timeout=60)
        text = ""
        if trace:
            text = _clean(tc.go_command(["tool", "trace", "-d=parsed", out], timeout=300).stdout)
    raw = {"json": res.json(), "schedtrace": _sched_lines(res.stderr), "exectrace": text,
           "command": res.command_line}
    return _real_metrics(scenario, procs, raw), raw


def _real_run_retry(*args, attempts=3, **kw):
    """:func:`real_run`, run again when its traces come out unreadable (a rare
    truncated or garbled line on a loaded machine); the last error is raised."""
    from .errors import TraceParseError
    for i in range(attempts):
        try:
            return real_run(*args, **kw)
        except TraceParseError:
            if i == attempts - 1:
                raise


_NAMELESS_FRAME = re.compile(r"^\t+ *@ 0x[0-9a-f]+\n", re.M)


def _clean(text):
    """A parsed trace made small (stack blocks dropped, creation stacks cut to their
    first frames) and without the nameless frames (``\t @ 0x0``) the trace tool
    sometimes prints."""
    return _NAMELESS_FRAME.sub("", strip_stacks(text))


_SCHED_LINE = re.compile(r"SCHED \d+ms: gomaxprocs=\d+ .* schedticks=\[(?: \d+)* \]")


def _sched_lines(stderr):
    """The complete ``SCHED`` lines of a program's stderr (the last one may be cut off
    when the program exits while sysmon is printing it)."""
    return "\n".join(ln for ln in stderr.splitlines() if _SCHED_LINE.fullmatch(ln)) + "\n"


def _traced_run(scenario, procs, async_preempt, params, tc):
    """The extra traced run of a mirror with ``trace_params``: ``(metrics, trace text)``."""
    mirror = MIRRORS[scenario]
    p = {**mirror.params, **params, **mirror.trace_params}
    m, raw = _real_run_retry(scenario, procs, async_preempt, p, tc=tc, trace=True)
    return m, raw["exectrace"]


def _real_metrics(scenario, procs, raw):
    js = raw["json"]
    out = {"makespan_ns": js["makespan_ns"], "threads": js["threads"],
           "threads_at_start": js.get("threads_at_start")}
    if raw["schedtrace"].strip():
        st = parse_schedtrace(raw["schedtrace"], strict=False)
        out["global_queue_peak"] = int(max(st.counter("runqueue")[1]))
        out["threads_schedtrace"] = int(max(st.counter("threads")[1]))
    for k in ("handoff_ns", "worst_delay_ns", "start_delay_ns"):
        if k in js:
            out[k] = js[k]
    if raw.get("exectrace"):
        tl = parse_exectrace(raw["exectrace"])
        out["preemptions"] = sum(1 for e in tl.events_of("preempt") if e.detail == "preempted")
        out["retakes"] = tl.count("retake")
        out.update(_per_p(tl, lane="G", procs=procs))
    return out


def renumber_goroutines(tl, order_from=None):
    """A copy of a real Timeline whose goroutines are numbered as the simulator numbers
    them: main is 1, then the rest in the order they were created (2, 3, ...).

    Goroutines that existed before the trace started (no spawn event) keep
    their number + 1000.  Returns ``(new_timeline, mapping)``.  Colours are
    chosen per goroutine id, so the same goroutine gets the same colour in
    the simulated and the real Gantt chart.
    """
    mapping = {1: 1}
    for e in sorted(tl.events_of("spawn"), key=lambda e: e.time):
        if e.g not in mapping:
            mapping[e.g] = len(mapping) + 1
    for g in tl.gs:
        mapping.setdefault(g, g + 1000)
    new = Timeline(procs=tl.procs, source=tl.source, max_parallel=tl.max_parallel,
                   meta=dict(tl.meta, renumbered=True))
    for s in tl.spans:
        new.add_span(s.state, s.start, s.end, lane=s.lane, m=s.m, p=s.p, g=mapping.get(s.g, s.g))
    for e in tl.events:
        new.add_event(e.kind, e.time, g=mapping.get(e.g, e.g), m=e.m, p=e.p,
                      other=mapping.get(e.other, e.other) if e.kind in ("spawn", "ready") else e.other,
                      detail=e.detail)
    for name in tl.counter_names:
        for t, v in zip(*tl.counter(name)):
            new.sample(name, int(t), v.item() if hasattr(v, "item") else v)
    new.g_names = {mapping.get(g, g): n for g, n in tl.g_names.items()}
    new.end_time = tl.end_time
    return new, mapping


def find_go_or_none():
    """The toolchain, or None when Go is not installed."""
    try:
        return find_go()
    except GoUnavailable:
        return None


# ---- recorded runs --------------------------------------------------------------------------

def _config_name(scenario, procs, async_preempt):
    return f"{scenario}_p{procs}" + ("" if async_preempt else "_asyncpreemptoff")


def compare_dir():
    """The folder of recorded real runs, ``gmpkit/data/compare`` (see :mod:`gmpkit.resources`)."""
    return resources.data_dir() / "compare"


def recorded_configs():
    """``[(scenario, procs, async_preempt), ...]`` recorded in ``gmpkit/data/compare``."""
    out = []
    for n in resources.names("compare", ".json"):
        meta = resources.read_json(f"compare/{n}")
        out.append((meta["scenario"], meta["procs"], meta["async_preempt"]))
    return out


def _load_recorded(scenario, procs, async_preempt, params):
    name = _config_name(scenario, procs, async_preempt)
    if f"{name}.json" not in resources.names("compare", ".json"):
        have = ", ".join(f"{s} procs={p}{'' if a else ' asyncpreemptoff'}"
                         for s, p, a in recorded_configs())
        raise FileNotFoundError(f"no recorded real runs for {scenario} with procs={procs}"
                                f"{'' if async_preempt else ' and asyncpreemptoff=1'} "
                                f"(gmpkit/data/compare/{name}.json); recorded: {have or 'none'}")
    rec = resources.read_json(f"compare/{name}.json")
    if rec["params"] != params:
        raise ValueError(f"the recorded runs of {scenario} used {rec['params']}, not {params}: "
                         f"compare recorded data at the recorded parameters")
    text = gzip.decompress(resources.read_bytes(f"compare/{name}.exectrace.txt.gz")).decode()
    return rec, text


def record(scenario, procs=2, async_preempt=True, runs=3):
    """Run the Go mirror ``runs`` times and save the raw outputs to ``gmpkit/data/compare``:
    ``NAME.json`` (provenance, parameters, each run's JSON and schedtrace) and
    ``NAME.exectrace.txt.gz`` (the median run's execution trace, stacks stripped)."""
    tc = find_go()
    mirror = MIRRORS[scenario]
    results = [real_run(scenario, procs, async_preempt, tc=tc, trace=mirror.trace_params is None)
               for _ in range(runs)]
    med = _median_index([m["makespan_ns"] for m, _ in results])
    name = _config_name(scenario, procs, async_preempt)
    meta = provenance(results[med][1]["command"], tc)
    rec = {"scenario": scenario, "procs": procs, "async_preempt": async_preempt,
           "params": dict(mirror.params), "provenance": meta, "ipu": calibrate(tc),
           "median_run": med,
           "runs": [{"json": raw["json"], "schedtrace": raw["schedtrace"], "command": raw["command"]}
                    for _, raw in results]}
    path = resources.write_json(f"compare/{name}.json", rec, sort_keys=True)
    text = results[med][1]["exectrace"] or _traced_run(scenario, procs, async_preempt, {}, tc)[1]
    resources.write_bytes(f"compare/{name}.exectrace.txt.gz", gzip.compress(text.encode(), mtime=0))
    return path


RECORD_PLAN = [(s, p, True) for s in MIRRORS for p in (1, 2)] + [("cpu_hog", 1, False),
                                                                   ("cpu_hog", 2, False)]


def record_all(runs=3, out=print):
    """Record every configuration the course and the tests use (``RECORD_PLAN``)."""
    for s, p, a in RECORD_PLAN:
        out(f"recorded {record(s, p, a, runs=runs)}")


def _median_index(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    return order[(len(order) - 1) // 2]


# ---- the comparison --------------------------------------------------------------------------

class Comparison:
    """The simulator and real Go on one scenario: metrics side by side, and where each came from.

    Attributes: ``scenario``, ``procs``, ``async_preempt``, ``params``,
    ``metrics`` (a list of :class:`Metric`), ``mode`` ("live" or "recorded"),
    ``provenance`` (of the real runs), ``sim_run`` (the simulator's Run),
    ``real_timeline`` (the median real run's execution trace, goroutines
    renumbered like the simulator's), ``real_schedtrace`` (its SCHED lines),
    ``expected`` (``{key: sentence}`` of the differences the model accepts).
    """

    def __init__(self, scenario, procs, async_preempt, params, metrics, mode, provenance,
                 sim_run, real_timeline, real_schedtrace, runs):
        self.scenario, self.procs, self.async_preempt = scenario, procs, async_preempt
        self.params, self.metrics, self.mode = params, metrics, mode
        self.provenance, self.sim_run = provenance, sim_run
        self.real_timeline, self.real_schedtrace, self.runs = real_timeline, real_schedtrace, runs
        keys = []
        for m in metrics:
            keys += [k for k in m.expected if k not in keys]
        self.expected = {k: EXPECTED[k] for k in keys}

    @property
    def recorded(self):
        return self.mode == "recorded"

    def metric(self, key):
        for m in self.metrics:
            if m.key == key:
                return m
        raise KeyError(f"no metric {key!r}; this comparison has {', '.join(m.key for m in self.metrics)}")

    @property
    def judged(self):
        return [m for m in self.metrics if m.ok is not None]

    @property
    def ok(self):
        """True when every judged metric is within its tolerance."""
        return all(m.ok for m in self.judged)

    @property
    def source_line(self):
        p = self.provenance or {}
        where = (f"{p.get('go_version', '?')} on {p.get('cpu_model', '?')} "
                 f"({p.get('cores', '?')} cores, load {_load(p)})")
        if self.recorded:
            return (f"real Go: recorded on {str(p.get('date', '?'))[:10]}, {where} -- "
                    f"not measured on your machine")
        return f"real Go: measured on this machine now, {where}, median of {self.runs} runs"

    @property
    def title(self):
        extra = "" if self.async_preempt else ", GODEBUG=asyncpreemptoff=1"
        return f"{self.scenario} (GOMAXPROCS={self.procs}{extra})"

    def rows(self):
        """Table rows as strings: metric, sim, real, real/sim, tolerance, verdict."""
        out = []
        for m in self.metrics:
            r = m.ratio
            out.append((m.label, _fmt(m.sim, m.unit), _fmt(m.real, m.unit),
                        "" if r is None else f"{r:.2f}", m.tolerance.describe(m.unit), m.verdict))
        return out

    def summary(self):
        n_ok = sum(1 for m in self.judged if m.ok)
        return (f"{self.title}: {n_ok} of {len(self.judged)} metrics within tolerance "
                f"({'recorded' if self.recorded else 'live'} real runs)")

    def __repr__(self):
        lines = [self.summary(), self.source_line]
        w = [max(len(r[i]) for r in self.rows() + [HEAD]) for i in range(6)]
        for r in [HEAD] + self.rows():
            lines.append("  ".join(c.ljust(w[i]) for i, c in enumerate(r)))
        if self.expected:
            lines.append("expected differences:")
            lines += [f"  - {k}: {v}" for k, v in self.expected.items()]
        return "\n".join(lines)

    def _repr_html_(self):
        colour = {"within": "#1a7f37", "outside": "#b2182b", "—": "#555555"}
        head = "".join(f"<th style='text-align:left'>{h}</th>" for h in HEAD)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r[:5])
            + f"<td style='color:{colour[r[5]]};font-weight:bold'>{r[5]}</td></tr>"
            for r in self.rows())
        exp = "".join(f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>"
                      for k, v in self.expected.items())
        src_colour = "#b2182b" if self.recorded else "#333333"
        return (f"<div class='gmpkit-compare'><b>{html.escape(self.summary())}</b><br>"
                f"<span style='color:{src_colour}'>{html.escape(self.source_line)}</span>"
                f"<table><tr>{head}</tr>{body}</table>"
                + (f"<p>Expected differences (what the model leaves out):</p><ul>{exp}</ul>"
                   if exp else "") + "</div>")

    def plot(self, ax=None):
        """Bars: each metric's real value relative to the simulator's (sim = 1), on a log scale."""
        from ..plots import compare_bars
        ms = [m for m in self.metrics if m.ratio is not None and m.ratio > 0]
        labels = [m.label.replace(" ", "\n", 1) if len(m.label) > 14 else m.label for m in ms]
        fig = compare_bars(labels, {"simulator": [1.0] * len(ms), "real Go": [m.ratio for m in ms]},
                           ax=ax, ylabel="relative to the simulator (sim = 1)", log=True,
                           fmt=lambda v: f"×{v:.2g}",
                           title=f"{self.title}: real Go / simulator")
        from matplotlib.ticker import FuncFormatter, NullFormatter
        ax = fig.axes[0] if ax is None else ax
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        return fig

    def as_dict(self):
        return {"scenario": self.scenario, "procs": self.procs, "async_preempt": self.async_preempt,
                "params": self.params, "mode": self.mode, "provenance": self.provenance,
                "metrics": [m.as_dict() for m in self.metrics], "expected": self.expected}


HEAD = ("metric", "simulator", "real Go", "real/sim", "tolerance", "verdict")


def _load(p):
    la = p.get("loadavg")
    return f"{la[0]:.1f}" if la else "?"


def _num(v):
    if v is None:
        return "—"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.3g}"
    return f"{int(v):,}"


def _fmt(v, unit):
    if v is None:
        return "—"
    if isinstance(v, (list, tuple)):
        return " / ".join(f"P{i}: {x}" for i, x in enumerate(v))
    if unit == "ns":
        for scale, suf in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")):
            if abs(v) >= scale:
                return f"{v / scale:.3g} {suf}"
        return f"{v:.3g} ns"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.2f}"
    return _num(v)


def _median(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    if isinstance(vals[0], list):
        return vals[_median_index([sum(v) for v in vals])]
    return statistics.median(vals)


def compare(scenario, procs=2, runs=3, real="auto", async_preempt=True, **params):
    """Run ``scenario`` in the GMP model and as real Go; return a :class:`Comparison`.

    ``procs`` is GOMAXPROCS for both; ``runs`` real runs are made (medians are
    compared); ``real`` is ``"auto"`` (live when Go is found, recorded
    otherwise), ``"live"`` or ``"recorded"``; ``async_preempt=False`` is
    ``GODEBUG=asyncpreemptoff=1`` (and ``GMP(async_preempt=False)``).  Keyword
    ``params`` override the mirror's parameters (live runs only).
    """
    if scenario not in MIRRORS:
        raise KeyError(f"no Go mirror for scenario {scenario!r}; mirrored: {', '.join(MIRRORS)}")
    if real not in ("auto", "live", "recorded"):
        raise ValueError(f"real={real!r}: choose 'auto', 'live' or 'recorded'")
    mirror = MIRRORS[scenario]
    p = dict(mirror.params, **params)
    unknown = set(params) - set(mirror.params)
    if unknown:
        raise TypeError(f"{scenario} has no parameter {', '.join(sorted(unknown))}; "
                        f"it takes {', '.join(mirror.params)}")
    sim, sim_run = _sim_metrics(scenario, procs, async_preempt, p)

    mode = real
    if real == "auto":
        try:
            find_go()
            mode = "live"
        except GoUnavailable:
            mode = "recorded"
    if mode == "live":
        tc = find_go()
        traced = mirror.trace_params is None
        results = [_real_run_retry(scenario, procs, async_preempt, p, tc=tc, trace=traced)
                   for _ in range(runs)]
        per_run = [m for m, _ in results]
        med = _median_index([m["makespan_ns"] for m in per_run])
        raw = results[med][1]
        trace_text, sched_text = raw["exectrace"], raw["schedtrace"]
        if not traced:
            tm, trace_text = _traced_run(scenario, procs, async_preempt, p, tc)
            for k in ("p_share", "gs_per_p", "preemptions", "retakes"):
                if k in tm:
                    per_run[med][k] = tm[k]
        prov = provenance(raw["command"], tc)
    else:
        rec, trace_text = _load_recorded(scenario, procs, async_preempt, p)
        raws = [dict(r, exectrace="") for r in rec["runs"]]
        med = rec["median_run"]
        raws[med]["exectrace"] = trace_text
        per_run = [_real_metrics(scenario, procs, r) for r in raws]
        # per-P and preemption figures come from the one recorded execution trace
        for k in ("p_share", "gs_per_p", "preemptions", "retakes"):
            for i, m in enumerate(per_run):
                if i != med:
                    m.pop(k, None)
        sched_text = rec["runs"][med]["schedtrace"]
        prov = rec["provenance"]
        runs = len(raws)

    metrics = []
    for spec in mirror.metrics:
        samples = [m.get(spec.key) for m in per_run if m.get(spec.key) is not None]
        real_v = _median(samples)
        sim_v = sim.get(spec.key)
        ok = spec.tolerance.check(sim_v, real_v) if not isinstance(sim_v, list) else None
        metrics.append(Metric(spec.key, spec.label, spec.unit, sim_v, real_v, spec.tolerance, ok,
                              spec.expected, samples))
    real_tl = None
    if trace_text:
        real_tl, _ = renumber_goroutines(parse_exectrace(trace_text, meta={"recorded": mode == "recorded"}))
    return Comparison(scenario, procs, async_preempt, p, metrics, mode, prov, sim_run, real_tl,
                      sched_text, runs)


if __name__ == "__main__":   # python -m gmpkit.real.compare: record gmpkit/data/compare
    record_all()
