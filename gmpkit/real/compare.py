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

Real numbers are medians over ``runs`` runs.  Each metric carries a
:class:`Band` around the real value, with the reason for its width, and a
verdict: "within", "outside", or "not modelled" where the real value is
dominated by something the model leaves out on purpose (the garbage
collector, the OS, the runtime's own goroutines and threads: the result names
it, :attr:`Comparison.expected`).  "Not modelled" never counts as agreeing,
and no band has an "or within X" escape clause.

The simulator is calibrated to the machine the real runs come from: sysmon's
``usleep(20)`` there really lasts about 85 µs (timer slack plus wake-up), so
the simulator's sysmon sleeps that long (:func:`calibrated_costs`); the
overshoot is measured with the runs (:func:`machine_calibration`) and stored
with recorded ones.

``real="auto"`` runs Go when it is installed and otherwise uses the runs
recorded in ``gmpkit/data/compare`` (``real="recorded"`` forces that); the result says
plainly which (:attr:`Comparison.source_line`).

>>> c = compare("spawn_burst", procs=2, runs=5)            # doctest: +SKIP
>>> c.metric("global_queue_peak").verdict, c.ok            # doctest: +SKIP
('within', True)
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

from ..i18n import N_, tr
from ..timeline import Timeline
from .exectrace import parse_exectrace, strip_stacks
from .. import resources
from .recorded import provenance
from .schedtrace import parse_schedtrace
from .toolchain import GoUnavailable, find_go

__all__ = ["compare", "Comparison", "Metric", "Band", "band", "ratio_band", "share", "not_modelled",
           "VERDICTS", "MIRRORS", "Mirror", "EXPECTED", "record", "record_all", "recorded_configs",
           "find_go_or_none", "calibrate", "sleep_overshoot", "machine_calibration", "calibrated_costs",
           "uncalibrated_costs", "before_after", "print_before_after",
           "real_run", "renumber_goroutines"]


# ---- bands ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Band:
    """Where the simulator's value must lie, around the real one, to count as agreeing.

    ``kind`` is one of

    * ``"ratio"``: ``lo <= sim / real <= hi``, a band around the real value
      (``band(1.5)`` is ``[real / 1.5, real x 1.5]``);
    * ``"abs"``: ``|sim - real| <= width``, for values like a share of the work
      (``width`` must be smaller than the values it judges: see :meth:`check`);
    * ``"not_modelled"``: the real value is dominated by something the model
      leaves out (``expected`` names it); shown with the verdict "not
      modelled", which never counts as agreeing;
    * ``"info"``: shown, not judged (lists such as goroutines per P).

    ``why`` says where the width comes from.  There is no "or within X"
    clause: a band is the only way to agree.

    >>> band(1.5).verdict(10, 14), band(1.5).verdict(10, 16)
    ('within', 'outside')
    >>> share(0.1).verdict(0.5, 0.58), not_modelled("os").verdict(1, 50)
    ('within', 'not modelled')
    """
    kind: str
    lo: float = 0.0
    hi: float = 0.0
    why: str = ""
    width: float = 0.0
    expected: str = ""

    def verdict(self, sim, real):
        """"within", "outside", "not modelled", or "shown" (info, or a value is missing)."""
        if self.kind == "not_modelled":
            return "not modelled"
        if self.kind == "info" or sim is None or real is None or isinstance(sim, list):
            return "shown"
        if self.kind == "ratio":
            if real == 0 or sim == 0:
                return "within" if sim == real else "outside"
            return "within" if self.lo <= sim / real <= self.hi else "outside"
        if self.kind == "abs":
            # a width as large as the values would accept anything: never "within" then
            if self.width >= max(abs(real), abs(sim)):
                return "outside"
            return "within" if abs(sim - real) <= self.width else "outside"
        raise ValueError(f"unknown band kind {self.kind!r}")

    def check(self, sim, real):
        """True (within), False (outside) or None (not modelled, or shown only)."""
        return {"within": True, "outside": False}.get(self.verdict(sim, real))

    def interval(self, real):
        """``(low, high)``: the simulator values that agree with ``real`` (None if not judged)."""
        if real is None or isinstance(real, list):
            return None
        if self.kind == "ratio":
            return (real * self.lo, real * self.hi)
        if self.kind == "abs":
            return (real - self.width, real + self.width)
        return None

    def describe(self, unit=""):
        if self.kind == "ratio":
            if abs(self.lo * self.hi - 1) < 1e-9:
                return f"sim within real ÷× {self.hi:g}"
            return f"sim/real in [{self.lo:.3g}, {self.hi:.3g}]"
        if self.kind == "abs":
            return f"|sim − real| ≤ {_fmt(self.width, unit)}"
        if self.kind == "not_modelled":
            return f"not modelled ({self.expected})"
        return "shown only"


def band(k, why=""):
    """A two-sided band ``[real / k, real x k]``."""
    if k < 1:
        raise ValueError(f"band(k={k}): k is a factor >= 1")
    return Band("ratio", 1 / k, k, why)


def ratio_band(lo, hi, why=""):
    """An asymmetric band: ``lo <= sim / real <= hi`` (say why it leans one way)."""
    return Band("ratio", lo, hi, why)


def share(width, why=""):
    """``|sim - real| <= width``."""
    return Band("abs", why=why, width=width)


def not_modelled(expected, why=""):
    """The real value is dominated by ``expected`` (a key of :data:`EXPECTED`)."""
    return Band("not_modelled", why=why or EXPECTED.get(expected, ""), expected=expected)


INFO = Band("info", why="shown, not judged")


# ---- what the model leaves out, and where it shows ---------------------------------------

EXPECTED = {
    "gc": "No garbage collector in the model. Real Go runs GC workers on the Ps and stops the "
          "world now and then, so real runs can only be slower.",
    "os": "No operating system in the model. Real threads share the CPUs with other programs; "
          "the kernel may run something else in the middle of a goroutine, so real makespans "
          "stretch, by a lot on a loaded machine.",
    "syscall": "A mirror's blocking system call is nanosleep(2), which lasts the request plus "
               "this machine's sleep overshoot (timer slack + wake-up); the simulator is given "
               "that measured overshoot, but real sleeps also vary from call to call.",
    "runtime_threads": "The model starts with 2 Ms (M0 and sysmon). Real Go has started one or "
                       "two more before main runs (for its own goroutines), so real thread "
                       "counts sit a little above the model's.",
    "runtime_goroutines": "The model runs only the workload's goroutines. Real Go also runs "
                          "its own (the tracer's reader, timers, netpoll), on the same Ps, and "
                          "starting or stopping the execution trace stops the world, which "
                          "preempts every running goroutine.",
    "sampling": "Real schedtrace samples once per ms; the model knows every instant. A real "
                "peak is the largest *sample*, so it is at most the true peak.",
    "timers": "Real timers fire late: an idle P's thread waits in epoll_wait, whose timeout "
              "is in whole ms plus the kernel's timer slack, and then must get a CPU; the "
              "model's timers fire exactly when an M looks.",
}


# ---- the metrics ---------------------------------------------------------------------------

VERDICTS = ("within", "outside", "not modelled", "shown")


@dataclass
class Metric:
    """One line of a comparison: the simulator's value, the real one, and the verdict."""
    key: str
    label: str
    unit: str
    sim: float | None
    real: float | None
    band: Band
    verdict: str = "shown"      # one of VERDICTS
    expected: tuple = ()        # keys of EXPECTED that explain a difference
    samples: list = field(default_factory=list)   # the real value of each run

    @property
    def ok(self):
        """True (within its band), False (outside) or None (not modelled, or shown only)."""
        return {"within": True, "outside": False}.get(self.verdict)

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
        """real / sim (None when not both numbers, or sim is 0)."""
        if not self.numeric or self.sim == 0:
            return None
        return self.real / self.sim

    @property
    def why(self):
        """Why the band is as wide as it is (or why the metric is not modelled)."""
        return self.band.why

    def as_dict(self):
        return {"key": self.key, "label": self.label, "unit": self.unit, "sim": self.sim,
                "real": self.real, "ratio": self.ratio, "band": self.band.describe(self.unit),
                "why": self.band.why, "verdict": self.verdict, "ok": self.ok,
                "expected": list(self.expected), "samples": list(self.samples)}


@dataclass(frozen=True)
class MetricSpec:
    """A metric of a mirror and its band; ``band`` may be a dict keyed by
    ``(procs, async_preempt)``, ``procs`` or ``"*"`` (every other configuration)
    when the band depends on the configuration."""
    key: str
    label: str
    unit: str
    band: object
    expected: tuple = ()
    # Does the real value grow with wall-clock time (a time, or a count of 10 ms
    # slices)?  Then a run that lost its CPU to other programs cannot judge it.
    timed: bool = False

    def band_for(self, procs, async_preempt=True):
        if isinstance(self.band, Band):
            return self.band
        for key in ((procs, async_preempt), procs, "*"):
            if key in self.band:
                return self.band[key]
        return INFO


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
    # The Go program's blocking system calls are nanosleep(2): the simulator's
    # syscalls then last the request plus the measured sleep overshoot.
    sleep_syscalls: bool = False


def _m(key, label, unit, b, *expected, timed=None):
    return MetricSpec(key, label, unit, b, tuple(expected),
                      unit == "ns" if timed is None else timed)


WHY_MAKESPAN = ("the goal for this course's machine: within x1.5 of the real median. The model "
                "leaves out GC and the OS (which make reality slower) and takes its costs from "
                "measurements (which may be slower or faster than this run)")
WHY_THREADS = ("the goal: within x1.5 of the real median. Real Go starts one or two threads of "
               "its own before main; the model starts with M0 and sysmon")
_MAKESPAN = _m("makespan_ns", N_("makespan"), "ns", band(1.5, WHY_MAKESPAN), "gc", "os")
_THREADS = _m("threads", N_("threads (Ms)"), "", band(1.5, WHY_THREADS), "runtime_threads")
_SHARE = _m("p_share", N_("busiest P's share of the work"), "",
            share(0.1, "the OS may pause one P's thread, and Go's own goroutines use Ps too: "
                       "a tenth of the work either way"), "os", timed=True)
_WHO = _m("gs_per_p", N_("goroutines that ran on each P"), "",
          Band("info", why="shown, not judged: a list per P, to compare by eye with the Gantt "
                           "charts (how the work spreads is judged by the busiest P's share)"))
_OS = _m("os_wait_share", N_("CPU lost to other programs"), "",
         not_modelled("os", "the model has no OS and no other programs. Real: of the time the "
                            "program's threads were ready to run during the workload, the share "
                            "they waited for a CPU (Linux schedstat); on a loaded machine this "
                            "stretches every real time"))
_RETAKES = _m("retakes", N_("Ps taken from syscalls"), "",
              Band("info", why="shown, not judged: the real trace counts every P taken from a "
                               "thread in a syscall (by sysmon's retake, or by a returning "
                               "syscall taking its old P back), and so does the simulator's "
                               "figure; the two differ by up to several times, a finding not "
                               "yet explained"), "syscall")

MIRRORS = {
    "cpu_fanout": Mirror("cpu_fanout", "scn_cpu_fanout", dict(goroutines=8, work_us=2000),
                         (_MAKESPAN, _THREADS, _SHARE, _WHO, _OS),
                         "8 workers of 2 ms: with P processors the makespan is about "
                         "ceil(8 / P) x 2 ms, the work split evenly over the Ps."),
    "ping_pong": Mirror("ping_pong", "scn_ping_pong", dict(rounds=2000, work_ns=0),
                        (_m("handoff_ns", N_("one channel hand-off"), "ns",
                            band(1.5, "the model's switch cost is one figure, measured with "
                                      "GOMAXPROCS=1 on a quiet machine; real hand-offs vary "
                                      "with GOMAXPROCS and the machine's load"), "os"),
                         _m("makespan_ns", N_("makespan"), "ns",
                            band(1.5, "the makespan is 2 x rounds hand-offs: as wide as the "
                                      "hand-off's band"), "os"),
                         _THREADS, _OS),
                        "2000 round trips over unbuffered channels: every hand-off is a "
                        "runnext switch, no system call.",
                        trace_params=dict(rounds=50)),
    "syscall_storm": Mirror("syscall_storm", "scn_syscall_storm",
                            dict(goroutines=32, syscall_us=1000, compute_us=50),
                            (_m("threads", N_("threads (Ms)"), "",
                                band(1.5, "the goal: x1.5. How many Ms the runtime adds "
                                          "depends on when sysmon looks (its delivered tick) "
                                          "and how late each nanosleep returns"),
                                "syscall", "runtime_threads"),
                             _m("makespan_ns", N_("makespan"), "ns", band(1.5, WHY_MAKESPAN),
                                "syscall", "os"),
                             _RETAKES, _WHO, _OS),
                            "32 goroutines each block in nanosleep for 1 ms: sysmon retakes "
                            "their Ps and the runtime starts new threads.",
                            sleep_syscalls=True),
    "short_syscalls": Mirror("short_syscalls", "scn_short_syscalls",
                             dict(goroutines=32, rounds=4, syscall_us=100, compute_us=20),
                             (_m("threads", N_("threads (Ms)"), "",
                                 band(1.33, "the goal for a workload the model was not tuned "
                                            "on: x1.33. A 100 µs call outlives one delivered "
                                            "sysmon tick but not two, so the count is sensitive "
                                            "to the tick"),
                                 "syscall", "runtime_threads"),
                              _m("makespan_ns", N_("makespan"), "ns", band(1.5, WHY_MAKESPAN),
                                 "syscall", "os"),
                              _RETAKES, _WHO, _OS),
                             "32 goroutines each make 4 short blocking calls (nanosleep of "
                             "100 µs, after 20 µs of compute): only calls sysmon sees on two "
                             "of its rounds lose their P.",
                             sleep_syscalls=True),
    "netio_server": Mirror("netio_server", "scn_netio_server",
                           dict(connections=32, io_us=1000, compute_us=50, requests=1),
                           (_m("threads", N_("threads (Ms)"), "",
                               band(1.5, WHY_THREADS + "; no thread blocks on the network"),
                               "runtime_threads"),
                            _m("makespan_ns", N_("makespan"), "ns",
                               band(1.5, WHY_MAKESPAN + "; the real server answers through "
                                         "timers, which fire late"), "timers", "os"),
                            _WHO, _OS),
                           "32 goroutines wait on loopback TCP for a 1 ms answer: they park on "
                           "the netpoller, no thread blocks."),
    "cpu_hog": Mirror("cpu_hog", "scn_cpu_hog", dict(hog_ms=50, tight=True, ticks=10, tick_us=1000),
                      (_m("worst_delay_ns", N_("ticker's worst delay"), "ns",
                          {1: band(1.5, "on one P the ticker waits for the hog's 10 ms slice "
                                        "(or, without async preemption, its whole 50 ms); sysmon "
                                        "sees the slice's end up to one backed-off round late"),
                           "*": not_modelled("timers", "with a P of its own the ticker waits "
                                                       "only for the kernel's timer and wake-up "
                                                       "latency and for a CPU, which the model "
                                                       "does not have")},
                          "timers", "os"),
                       _m("preemptions", N_("preemptions"), "",
                          {(1, True): share(1, "each 10 ms slice may end up to one sysmon round "
                                               "late, and a hog slowed by the OS lives into "
                                               "one more slice: one preemption either way"),
                           (1, False): share(0.5, "without asynchronous preemption the tight "
                                                  "hog cannot be stopped: the counts must match"),
                           "*": not_modelled("runtime_goroutines",
                                             "with 2 Ps the hog is alone on its P for about "
                                             "one slice; real preemptions there come from "
                                             "starting and stopping the execution trace, which "
                                             "stops the world")},
                          "os", timed=True),
                       _MAKESPAN, _THREADS, _OS),
                      "A 50 ms hog without function calls next to a ticker: only asynchronous "
                      "preemption (SIGURG) can stop the hog; asyncpreemptoff=1 turns it off."),
    "spawn_burst": Mirror("spawn_burst", "scn_spawn_burst", dict(goroutines=1000, work_us=20),
                          (_m("global_queue_peak", N_("global queue peak"), "",
                              ratio_band(1 / 1.5, 2, "schedtrace samples once per ms and can "
                                                     "only miss the peak, so the band leans "
                                                     "up: sim within [real / 1.5, real x 2]"),
                              "sampling"),
                           _MAKESPAN, _THREADS, _SHARE, _WHO, _OS),
                          "main starts 1000 goroutines in a row: its P's ring (256) overflows "
                          "and half of it moves to the global queue, again and again."),
}


# ---- the simulator side --------------------------------------------------------------------

def calibrated_costs(scenario, calibration=None, **overrides):
    """The costs the simulator runs ``scenario``'s mirror with.

    The defaults (``data/costs.json``), with this machine's measured sleep
    overshoot (``calibration["usleep_overhead_ns"]``, measured with the real
    runs) for sysmon's ticks; for a mirror whose blocking system calls are
    nanosleeps (``Mirror.sleep_syscalls``) every syscall also lasts that much
    longer than asked, as a real nanosleep does.  ``calibration["goroutine_switch_ns"]``
    is this machine's goroutine hand-off (:func:`switch_cost`), and
    ``calibration["idle_threads"]``
    starts the model with the threads real Go had already made before the
    workload (``GMP(idle_threads=...)``).  ``overrides`` replace any
    cost (to break the model on purpose: ``usleep_overhead_ns=0`` is the
    uncalibrated 20 µs tick).

    >>> calibrated_costs("syscall_storm", {"usleep_overhead_ns": 65_000})["usleep_overhead_ns"]
    65000
    """
    from ..costs import default_costs
    mirror = MIRRORS[scenario]
    base = default_costs()
    calibration = calibration or {}
    over = int(calibration.get("usleep_overhead_ns", base["usleep_overhead_ns"]))
    out = {"usleep_overhead_ns": over}
    if mirror.sleep_syscalls:
        out["syscall_overhead_ns"] = base["syscall_overhead_ns"] + over
    if "goroutine_switch_ns" in calibration:
        out["goroutine_switch_ns"] = int(calibration["goroutine_switch_ns"])
    if "idle_threads" in calibration:
        out["idle_threads"] = int(calibration["idle_threads"])
    out.update(overrides)
    return out


def _sim_metrics(scenario, procs, async_preempt, params, costs=None):
    from ..models.gmp import GMP
    from ..scenarios import get
    sc = get(scenario, **params)
    run = sc.run(GMP(procs=procs, async_preempt=async_preempt, **(costs or {})), seed=0,
                 schedtrace=1)
    tl, st = run.timeline, run.stats
    oldp = sum(1 for e in tl.events_of("syscall-exit") if e.detail == "oldp")
    out = {"makespan_ns": st["makespan_ns"], "threads": st.get("threads_peak", 0),
           "global_queue_peak": st.get("global_queue_peak", 0),
           "preemptions": st.get("preemptions", 0), "retakes": st.get("retakes", 0) + oldp,
           "os_wait_share": 0.0}
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


def sleep_overshoot(tc=None):
    """How much longer than asked sysmon's ``usleep(20)`` lasts on this machine, in ns
    (a raw 20 µs nanosleep on a thread of its own: ``programs/usleep.go``; the
    median of about 400 sleeps; cached per process)."""
    tc = tc or find_go()
    if "usleep" not in _IPU:
        js = tc.run("usleep", ["-us", "20", "-budget", "40ms"], timeout=30).json()
        _IPU["usleep"] = max(0, int(js["median_ns_20"]) - 20_000)
    return _IPU["usleep"]


def switch_cost(tc=None):
    """One goroutine hand-off (= one switch) on this machine, in ns: the median of
    9 short runs of ``programs/pingpong.go`` (2000 round trips, GOMAXPROCS=1).
    Short runs, because the OS seldom interrupts half a millisecond: on a loaded
    machine a long run measures the load.  Cached per process."""
    tc = tc or find_go()
    if "switch" not in _IPU:
        vals = [tc.run("pingpong", ["-n", "2000"], gomaxprocs=1, timeout=30).json()["ns_per_handoff"]
                for _ in range(9)]
        _IPU["switch"] = int(round(statistics.median(vals)))
    return _IPU["switch"]


def machine_calibration(tc=None):
    """What the simulator is calibrated with for a comparison on this machine:
    ``{"usleep_overhead_ns": ..., "goroutine_switch_ns": ...}`` (see
    :func:`calibrated_costs`)."""
    return {"usleep_overhead_ns": sleep_overshoot(tc), "goroutine_switch_ns": switch_cost(tc)}


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
            text = _clean(tc.parsed_trace(out))
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
    if js.get("os_wait_ns") is not None:
        out["os_wait_ns"] = js["os_wait_ns"]
        out["os_wait_share"] = wait_share(js, procs)
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


def record(scenario, procs=2, async_preempt=True, runs=5):
    """Run the Go mirror ``runs`` times and save the raw outputs to ``gmpkit/data/compare``:
    ``NAME.json`` (provenance, parameters, the simulator's calibration measured
    just before, each run's JSON and schedtrace) and ``NAME.exectrace.txt.gz``
    (the median run's execution trace, stacks stripped)."""
    tc = find_go()
    calib = machine_calibration(tc)
    log = []
    results = [_record_run(scenario, procs, async_preempt, tc, log) for _ in range(runs)]
    return _save_record(scenario, procs, async_preempt, results, tc, calib, log)


def wait_share(js, procs=None):
    """How much of a run the OS took: of the time the program's threads were
    ready to run during the workload, the share they spent waiting for a CPU
    held by another program (Linux schedstat: run-queue wait over wait + CPU
    time).  0: never waited; 0.5: half.  It does not depend on how many
    threads the run kept busy."""
    wait, ran = js.get("os_wait_ns", 0), js.get("cpu_ns", 0)
    return wait / (wait + ran) if wait + ran else 0.0


def quiet_share(js):
    """:func:`wait_share` of the workload or of the program's start-up, whichever is
    larger: the recording protocol's test.  A slow start-up matters too: it
    decides whether sysmon has already backed off when the workload begins."""
    wait, ran = js.get("startup_wait_ns", 0), js.get("startup_cpu_ns", 0)
    return max(wait_share(js), wait / (wait + ran) if wait + ran else 0.0)


# Recording protocol: a run whose threads spent more than this share of their
# ready time waiting for a CPU held by other programs (wait_share) is set aside
# and run again, up to QUIET_ATTEMPTS times; the quietest attempt is kept.  The judgement is on the *cause* (measured waiting),
# never on the result, and the record lists every attempt's share.
QUIET_WAIT_SHARE = 0.15
QUIET_ATTEMPTS = 20


def _record_run(scenario, procs, async_preempt, tc, log=None):
    """One run for the record, following the quiet-run protocol above."""
    traced = MIRRORS[scenario].trace_params is None
    best = None
    for _ in range(QUIET_ATTEMPTS):
        m, raw = _real_run_retry(scenario, procs, async_preempt, tc=tc, trace=traced)
        share = quiet_share(raw["json"])
        if log is not None:
            log.append(round(share, 3))
        if best is None or share < quiet_share(best[1]["json"]):
            best = (m, raw)
        if share <= QUIET_WAIT_SHARE:
            break
    return best


def _save_record(scenario, procs, async_preempt, results, tc, calib, attempts=()):
    mirror = MIRRORS[scenario]
    med = _median_index([m["makespan_ns"] for m, _ in results])
    name = _config_name(scenario, procs, async_preempt)
    meta = provenance(results[med][1]["command"], tc)
    rec = {"scenario": scenario, "procs": procs, "async_preempt": async_preempt,
           "params": dict(mirror.params), "provenance": meta, "ipu": calibrate(tc),
           "calibration": dict(calib, how="gmpkit.real.compare.machine_calibration, measured "
                                          "before these runs: usleep_overhead_ns = median of "
                                          "~400 raw 20 µs nanosleeps (programs/usleep.go) "
                                          "minus 20 µs; goroutine_switch_ns = median of 9 "
                                          "pingpong -n 2000 runs, GOMAXPROCS=1"),
           "median_run": med,
           "protocol": {"quiet_wait_share": QUIET_WAIT_SHARE, "attempts_per_run": QUIET_ATTEMPTS,
                        "attempt_wait_shares": list(attempts),
                        "rule": "a run whose threads spent more than quiet_wait_share of their "
                                "ready time (start-up included) waiting for a CPU was run "
                                "again; the quietest attempt was kept"},
           "runs": [{"json": raw["json"], "schedtrace": raw["schedtrace"], "command": raw["command"]}
                    for _, raw in results]}
    path = resources.write_json(f"compare/{name}.json", rec, sort_keys=True)
    text = results[med][1]["exectrace"] or _traced_run(scenario, procs, async_preempt, {}, tc)[1]
    resources.write_bytes(f"compare/{name}.exectrace.txt.gz", gzip.compress(text.encode(), mtime=0))
    return path


RECORD_PLAN = [(s, p, True) for s in MIRRORS for p in (1, 2)] + [("cpu_hog", 1, False),
                                                                   ("cpu_hog", 2, False)]


def record_all(runs=5, out=print, plan=None):
    """Record every configuration the course and the tests use (``RECORD_PLAN``).

    The runs are interleaved (run 1 of every configuration, then run 2 ...), so
    a burst of load from other programs hits all configurations alike instead of
    spoiling one of them."""
    tc = find_go()
    plan = list(plan or RECORD_PLAN)
    calib = machine_calibration(tc)
    results = {cfg: [] for cfg in plan}
    logs = {cfg: [] for cfg in plan}
    for i in range(runs):
        for cfg in plan:
            results[cfg].append(_record_run(*cfg, tc, logs[cfg]))
        out(f"round {i + 1} of {runs} done")
    for cfg in plan:
        out(f"recorded {_save_record(*cfg, results[cfg], tc, calib, logs[cfg])}")


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
                 sim_run, real_timeline, real_schedtrace, runs, calibration=None, costs=None):
        self.scenario, self.procs, self.async_preempt = scenario, procs, async_preempt
        self.params, self.metrics, self.mode = params, metrics, mode
        self.provenance, self.sim_run = provenance, sim_run
        self.real_timeline, self.real_schedtrace, self.runs = real_timeline, real_schedtrace, runs
        self.calibration = dict(calibration or {})
        self.costs = dict(costs or {})
        keys = []
        for m in metrics:
            keys += [k for k in m.expected if k not in keys]
            if m.band.kind == "not_modelled" and m.band.expected not in keys:
                keys.append(m.band.expected)
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
        """The metrics with a band: verdict "within" or "outside"."""
        return [m for m in self.metrics if m.verdict in ("within", "outside")]

    @property
    def outside(self):
        return [m for m in self.metrics if m.verdict == "outside"]

    @property
    def not_modelled(self):
        return [m for m in self.metrics if m.verdict == "not modelled"]

    @property
    def ok(self):
        """True when every judged metric is within its band ("not modelled" ones are not
        judged, and never count as within)."""
        return all(m.verdict == "within" for m in self.judged)

    def counts(self):
        """``{verdict: how many metrics}`` for the four verdicts."""
        return {v: sum(1 for m in self.metrics if m.verdict == v) for v in VERDICTS}

    @property
    def source_line(self):
        p = self.provenance or {}
        where = tr("{go} on {cpu} ({cores} cores, load {load})", go=p.get("go_version", "?"),
                   cpu=p.get("cpu_model", "?"), cores=p.get("cores", "?"), load=_load(p))
        if self.recorded:
            return tr("real Go: recorded on {date}, {where}, median of {runs} runs -- not "
                      "measured on your machine", date=str(p.get("date", "?"))[:10], where=where,
                      runs=self.runs)
        return tr("real Go: measured on this machine now, {where}, median of {runs} runs",
                  where=where, runs=self.runs)

    @property
    def calibration_line(self):
        """What the simulator was calibrated with (measured on the real side's machine)."""
        ov = self.costs.get("usleep_overhead_ns")
        if ov is None:
            return "simulator: default costs"
        if ov != self.calibration.get("usleep_overhead_ns", ov):
            how = "set by hand, not the measured figure"
        else:
            how = "measured with these runs" if "usleep_overhead_ns" in self.calibration else "default"
        line = (f"simulator: sysmon's usleep(20) lasts 20 µs + {_fmt(ov, 'ns')} ({how}: timer "
                f"slack + wake-up)")
        if MIRRORS[self.scenario].sleep_syscalls:
            line += "; each nanosleep syscall lasts that much longer than asked, too"
        if self.costs.get("goroutine_switch_ns") is not None:
            line += f"; a goroutine hand-off costs {_fmt(self.costs['goroutine_switch_ns'], 'ns')}"
        if self.costs.get("idle_threads"):
            line += (f"; it starts with {2 + self.costs['idle_threads']} threads, as real Go had "
                     f"before the workload (M0, sysmon and {self.costs['idle_threads']} idle)")
        return line

    @property
    def title(self):
        extra = "" if self.async_preempt else ", GODEBUG=asyncpreemptoff=1"
        return f"{self.scenario} (GOMAXPROCS={self.procs}{extra})"

    def rows(self):
        """Table rows as strings: metric, sim, real, sim/real, band, verdict."""
        out = []
        for m in self.metrics:
            r = None if m.ratio is None or m.ratio == 0 else 1 / m.ratio
            out.append((m.label, _fmt(m.sim, m.unit), _fmt(m.real, m.unit),
                        "" if r is None else f"{r:.2f}", m.band.describe(m.unit), m.verdict))
        return out

    def summary(self):
        c = self.counts()
        text = tr("{title}: {ok} of {n} judged metrics within their bands", title=self.title,
                  ok=c["within"], n=len(self.judged))
        if c["not modelled"]:
            text += tr(", {n} not modelled", n=c["not modelled"])
        return text + (tr(" (recorded real runs)") if self.recorded else tr(" (live real runs)"))

    def explain(self):
        """One sentence per metric outside its band or not modelled: what it is and why."""
        out = []
        for m in self.metrics:
            if m.verdict == "outside":
                r = m.ratio
                side = "higher" if m.real > m.sim else "lower"
                out.append(f"{m.label}: outside its band ({m.band.describe(m.unit)}): real "
                           f"{_fmt(m.real, m.unit)} is {side} than the simulator's "
                           f"{_fmt(m.sim, m.unit)}" + (f" (x{r:.2f})" if r else "")
                           + f" (runs: {', '.join(_fmt(x, m.unit) for x in m.samples)}). "
                           f"Band: {m.band.why}. What the model leaves out here: "
                           + " ".join(EXPECTED[k] for k in m.expected))
            elif m.verdict == "not modelled" and m.key != "os_wait_share":
                out.append(f"{m.label}: not modelled: {m.band.why}.")
        if out and any(m.key == "os_wait_share" and m.real for m in self.metrics):
            lost = self.metric("os_wait_share")
            out.append(f"Measured with the real runs: other programs took {lost.real:.0%} of the "
                       f"CPU time this program could have used (median; runs: "
                       f"{', '.join(f'{x:.0%}' for x in lost.samples)}).")
        return out

    def __repr__(self):
        lines = [self.summary(), self.source_line, self.calibration_line]
        w = [max(len(r[i]) for r in self.rows() + [HEAD]) for i in range(6)]
        for r in [HEAD] + self.rows():
            lines.append("  ".join(c.ljust(w[i]) for i, c in enumerate(r)))
        why = self.explain()
        if why:
            lines.append("why:")
            lines += [f"  - {x}" for x in why]
        if self.expected:
            lines.append("expected differences:")
            lines += [f"  - {k}: {v}" for k, v in self.expected.items()]
        return "\n".join(lines)

    def _repr_html_(self):
        head = "".join(f"<th style='text-align:left'>{h}</th>" for h in HEAD)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r[:5])
            + f"<td style='color:{VERDICT_STYLE[r[5]][0]};font-weight:bold'>{r[5]}</td></tr>"
            for r in self.rows())
        why = "".join(f"<li>{html.escape(x)}</li>" for x in self.explain())
        exp = "".join(f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>"
                      for k, v in self.expected.items())
        src_colour = "#b2182b" if self.recorded else "#333333"
        return (f"<div class='gmpkit-compare'><b>{html.escape(self.summary())}</b><br>"
                f"<span style='color:{src_colour}'>{html.escape(self.source_line)}</span><br>"
                f"<span>{html.escape(self.calibration_line)}</span>"
                f"<table><tr>{head}</tr>{body}</table>"
                + (f"<p>Why:</p><ul>{why}</ul>" if why else "")
                + (f"<p>Expected differences (what the model leaves out):</p><ul>{exp}</ul>"
                   if exp else "") + "</div>")

    def plotted(self):
        """The metrics :meth:`plot` draws: every one with two positive numbers."""
        return [m for m in self.metrics if m.numeric and m.sim > 0 and m.real > 0]

    def plot(self, ax=None):
        """Each metric as simulator / real Go (real = 1, log scale), its band as a
        shaded bar around 1, and its verdict written above it."""
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter, NullFormatter
        ms = self.plotted()
        if ax is None:
            fig, ax = plt.subplots(figsize=(10, 4.5))
        else:
            fig = ax.figure
        ax.axhline(1, color="#333333", lw=1)
        values = []
        for i, m in enumerate(ms):
            v = m.sim / m.real
            values.append(v)
            span = m.band.interval(m.real)
            if span is not None and span[1] > 0:
                lo, hi = max(span[0], m.real * 1e-3) / m.real, span[1] / m.real
                values += [lo, hi]
                ax.bar(i, hi - lo, bottom=lo, width=0.6, color="#DDDDDD", edgecolor="#777777",
                       hatch="//", linewidth=0.8, zorder=1)
            colour, marker = VERDICT_STYLE[m.verdict]
            ax.plot([i], [v], marker=marker, markersize=13, color=colour, zorder=3,
                    markerfacecolor=colour if m.verdict != "not modelled" else "white",
                    markeredgewidth=2, linestyle="none")
            ax.annotate(f"{_verdict(m.verdict)}\n×{v:.2g}", (i, v), textcoords="offset points",
                        xytext=(0, 14), ha="center", fontsize=10, color=colour,
                        bbox=dict(facecolor="white", edgecolor="none", alpha=0.85, pad=1))
        ax.set_yscale("log")
        if values:
            ax.set_ylim(min(values + [1]) / 2.5, max(values + [1]) * 3)
        ax.set_xticks(range(len(ms)))
        labels = [tr(m.label) for m in ms]   # i18n: metric labels are N_() in the _m(...) specs
        ax.set_xticklabels([lab.replace(" ", "\n", 1) if len(lab) > 14 else lab
                            for lab in labels])
        ax.set_xlim(-0.6, len(ms) - 0.4)
        lo_y, hi_y = ax.get_ylim()
        ticks = [t for t in (0.001, 0.01, 0.1, 0.25, 0.5, 0.67, 1, 1.5, 2, 4, 10, 100, 1000)
                 if lo_y <= t <= hi_y]
        ax.set_yticks(ticks)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_ylabel(tr("simulator / real Go (real = 1)"))
        ax.grid(True, axis="y", alpha=0.3)
        c = self.counts()
        shown = sum(1 for m in ms if m.verdict == "shown")
        nm = sum(1 for m in ms if m.verdict == "not modelled")
        ax.set_title(tr("{title}: {ok} of {n} judged within their bands (shaded)",
                        title=self.title, ok=c["within"], n=len(self.judged))
                     + (tr(", {n} not modelled", n=nm) if nm else "")
                     + (tr(", {n} shown only", n=shown) if shown else ""), fontsize=11)
        return fig

    def as_dict(self):
        return {"scenario": self.scenario, "procs": self.procs, "async_preempt": self.async_preempt,
                "params": self.params, "mode": self.mode, "provenance": self.provenance,
                "calibration": self.calibration, "costs": self.costs,
                "metrics": [m.as_dict() for m in self.metrics], "expected": self.expected}


HEAD = ("metric", "simulator", "real Go", "sim/real", "band", "verdict")
_VERDICT_WORDS = {"within": N_("within"), "outside": N_("outside"),
                  "not modelled": N_("not modelled"), "shown": N_("shown")}


def _verdict(v):
    """A verdict as the learner reads it (the data keeps the English word)."""
    return tr(_VERDICT_WORDS[v]) if v in _VERDICT_WORDS else v   # i18n: N_() words above
# Okabe-Ito colours, and a marker shape per verdict so colour is not needed to read it.
VERDICT_STYLE = {"within": ("#0072B2", "o"), "outside": ("#D55E00", "X"),
                 "not modelled": ("#555555", "s"), "shown": ("#555555", "D")}


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


def compare(scenario, procs=2, runs=5, real="auto", async_preempt=True, sim_costs=None,
            **params):
    """Run ``scenario`` in the GMP model and as real Go; return a :class:`Comparison`.

    ``procs`` is GOMAXPROCS for both; ``runs`` real runs are made (medians are
    compared); ``real`` is ``"auto"`` (live when Go is found, recorded
    otherwise), ``"live"`` or ``"recorded"``; ``async_preempt=False`` is
    ``GODEBUG=asyncpreemptoff=1`` (and ``GMP(async_preempt=False)``).  The
    simulator is calibrated to the real side's machine (see :func:`calibrated_costs`);
    ``sim_costs`` replaces costs on top of that, e.g. ``{"usleep_overhead_ns": 0}``
    to see the uncalibrated model.  Keyword ``params`` override the mirror's
    parameters (live runs only).
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

    mode = real
    if real == "auto":
        try:
            find_go()
            mode = "live"
        except GoUnavailable:
            mode = "recorded"
    if mode == "live":
        tc = find_go()
        calib = machine_calibration(tc)
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
        calib = {k: v for k, v in rec.get("calibration", {}).items() if k != "how"}
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

    starts = [m["threads_at_start"] for m in per_run if m.get("threads_at_start")]
    if starts:     # M0 and sysmon, plus the Ms real Go had made and parked before main
        calib = dict(calib, idle_threads=max(0, int(statistics.median_low(starts)) - 2))
    costs = calibrated_costs(scenario, calib, **(sim_costs or {}))
    sim, sim_run = _sim_metrics(scenario, procs, async_preempt, p, costs)
    shares = [m["os_wait_share"] for m in per_run if m.get("os_wait_share") is not None]
    lost = statistics.median(shares) if shares else None
    metrics = []
    for spec in mirror.metrics:
        samples = [m.get(spec.key) for m in per_run if m.get(spec.key) is not None]
        real_v = _median(samples)
        sim_v = sim.get(spec.key)
        b = spec.band_for(procs, async_preempt)
        if spec.timed and b.kind in ("ratio", "abs") and lost is not None \
                and lost > QUIET_WAIT_SHARE:
            b = not_modelled("os", f"other programs took {lost:.0%} of the CPU time these runs "
                                   f"could have used (median), more than the "
                                   f"{QUIET_WAIT_SHARE:.0%} a judged run may lose, so the real "
                                   f"value follows the machine's load more than the scheduler; "
                                   f"on a quieter machine it is judged by: {b.describe(spec.unit)}")
        metrics.append(Metric(spec.key, spec.label, spec.unit, sim_v, real_v, b,
                              b.verdict(sim_v, real_v), spec.expected, samples))
    real_tl = None
    if trace_text:
        real_tl, _ = renumber_goroutines(parse_exectrace(trace_text, meta={"recorded": mode == "recorded"}))
    return Comparison(scenario, procs, async_preempt, p, metrics, mode, prov, sim_run, real_tl,
                      sched_text, runs, calibration=calib, costs=costs)


def uncalibrated_costs():
    """The simulator's side as it was before calibration: sysmon wakes exactly every
    20 µs, a nanosleep syscall lasts exactly what it asks for, a hand-off costs the
    default (reference) figure, and the model starts with M0 and sysmon only."""
    from ..costs import default_costs
    base = default_costs()
    return {"usleep_overhead_ns": 0, "idle_threads": 0,
            "syscall_overhead_ns": base["syscall_overhead_ns"],
            "goroutine_switch_ns": base["goroutine_switch_ns"]}


def before_after(configs=None, real="recorded"):
    """The simulator before and after calibration, next to real Go, for every metric
    of every configuration: rows ``(config, metric, real, sim_before, verdict_before,
    sim_after, verdict_after)`` (values formatted).  "Before" is the model with
    sysmon waking exactly every 20 µs and nanosleeps lasting exactly what they ask
    for, and it starts with M0 and sysmon only (:func:`uncalibrated_costs`); "after"
    is the calibrated model."""
    configs = configs or RECORD_PLAN
    rows = []
    for s, p, a in configs:
        after = compare(s, procs=p, real=real, async_preempt=a)
        before = compare(s, procs=p, real=real, async_preempt=a,
                         sim_costs=uncalibrated_costs())
        def judged(m):
            r = m.ratio
            return m.verdict + ("" if not r else f" (sim/real {1 / r:.2f})")

        for mb, ma in zip(before.metrics, after.metrics):
            if (ma.verdict == "shown" and not ma.numeric) or ma.key == "os_wait_share":
                continue
            rows.append((after.title, ma.label, _fmt(ma.real, ma.unit), _fmt(mb.sim, mb.unit),
                         judged(mb), _fmt(ma.sim, ma.unit), judged(ma)))
        rows.append((after.title, "CPU lost to other programs (real, median)",
                     f"{after.metric('os_wait_share').real:.0%}", "", "", "", ""))
    return rows


def print_before_after(rows, out=print):
    """``rows`` of :func:`before_after` as a Markdown table."""
    out("| configuration | metric | real (median) | sim before | verdict before | sim after "
        "| verdict after |")
    out("|---|---|---|---|---|---|---|")
    for r in rows:
        out("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    # python -m gmpkit.real.compare            record gmpkit/data/compare (every configuration)
    # python -m gmpkit.real.compare --table    the before/after calibration table (recorded)
    import sys
    if "--table" in sys.argv[1:]:
        print_before_after(before_after())
    else:
        record_all()
