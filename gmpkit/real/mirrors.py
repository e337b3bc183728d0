"""The scenarios' Go mirrors: :data:`MIRRORS` (scenario -> :class:`Mirror`: the Go
program, the parameters to compare at, the metrics) and the metric specs
(:class:`MetricSpec`: a metric and its band, possibly per configuration, with the
reason for its width).

Part of the comparison: the bands come from :mod:`~gmpkit.real.bands`; the
simulator's side (:mod:`~gmpkit.real.simside`) and the real one (:mod:`~gmpkit.real.goside`)
run what a mirror names.
:mod:`~gmpkit.real.compare` lists every part of the comparison and re-exports them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_
from .bands import INFO, Band, band, not_modelled, ratio_band, share

__all__ = ["MetricSpec", "Mirror", "MIRRORS", "WHY_MAKESPAN", "WHY_THREADS"]


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
    # slices)?  Then a run whose threads waited long for a CPU cannot judge it.
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


WHY_MAKESPAN = (N_("the goal for this course's machine: within x1.5 of the real median. The model "
                   "leaves out GC and the OS (which make reality slower) and takes its costs from "
                   "measurements (which may be slower or faster than this run)"))
WHY_THREADS = (N_("the goal: within x1.5 of the real median. Real Go starts one or two threads of "
                  "its own before main; the model starts with M0 and sysmon"))
_MAKESPAN = _m("makespan_ns", N_("makespan"), "ns", band(1.5, WHY_MAKESPAN), "gc", "os")
_THREADS = _m("threads", N_("threads (Ms)"), "", band(1.5, WHY_THREADS), "runtime_threads")
_SHARE = _m("p_share", N_("busiest P's share of the work"), "",
            share(0.1, N_("the OS may pause one P's thread, and Go's own goroutines use Ps too: "
                          "a tenth of the work either way")), "os", timed=True)
_WHO = _m("gs_per_p", N_("goroutines that ran on each P"), "",
          Band("info", why=N_("shown, not judged: a list per P, to compare by eye with the Gantt "
                              "charts (how the work spreads is judged by the busiest P's share)")))
_OS = _m("os_wait_share", N_("CPU wait of the real threads"), "",
         not_modelled("os", N_("the model has no OS: a simulated thread gets a CPU the moment it "
                               "is ready. Real: of the time the program's threads were ready to run "
                               "during the workload, the share they waited for a CPU (Linux "
                               "schedstat): the kernel's wake-up latency, the program's own threads "
                               "when more are ready than there are cores, and other programs; on a "
                               "loaded machine this stretches every real time")))
_RETAKES = _m("retakes", N_("Ps taken from syscalls"), "",
              Band("info", why=N_("shown, not judged: the real trace counts every P taken from a "
                                  "thread in a syscall (by sysmon's retake, or by a returning "
                                  "syscall taking its old P back), and so does the simulator's "
                                  "figure; the two differ by up to several times, a finding not "
                                  "yet explained")), "syscall")

MIRRORS = {
    "cpu_fanout": Mirror("cpu_fanout", "scn_cpu_fanout", dict(goroutines=8, work_us=2000),
                         (_MAKESPAN, _THREADS, _SHARE, _WHO, _OS),
                         N_("8 workers of 2 ms: with P processors the makespan is about "
                            "ceil(8 / P) x 2 ms, the work split evenly over the Ps.")),
    "ping_pong": Mirror("ping_pong", "scn_ping_pong", dict(rounds=2000, work_ns=0),
                        (_m("handoff_ns", N_("one channel hand-off"), "ns",
                            band(1.5, N_("the model's switch cost is one figure, measured with "
                                         "GOMAXPROCS=1 on a quiet machine; real hand-offs vary "
                                         "with GOMAXPROCS and the machine's load")), "os"),
                         _m("makespan_ns", N_("makespan"), "ns",
                            band(1.5, N_("the makespan is 2 x rounds hand-offs: as wide as the "
                                         "hand-off's band")), "os"),
                         _THREADS, _OS),
                        N_("2000 round trips over unbuffered channels: every hand-off is a "
                           "runnext switch, no system call."),
                        trace_params=dict(rounds=50)),
    "syscall_storm": Mirror("syscall_storm", "scn_syscall_storm",
                            dict(goroutines=32, syscall_us=1000, compute_us=50),
                            (_m("threads", N_("threads (Ms)"), "",
                                band(1.5, N_("the goal: x1.5. How many Ms the runtime adds "
                                             "depends on when sysmon looks (its delivered tick) "
                                             "and how late each nanosleep returns")),
                                "syscall", "runtime_threads"),
                             _m("makespan_ns", N_("makespan"), "ns", band(1.5, WHY_MAKESPAN),
                                "syscall", "os"),
                             _RETAKES, _WHO, _OS),
                            N_("32 goroutines each block in nanosleep for 1 ms: sysmon retakes "
                               "their Ps and the runtime starts new threads."),
                            sleep_syscalls=True),
    "short_syscalls": Mirror("short_syscalls", "scn_short_syscalls",
                             dict(goroutines=32, rounds=4, syscall_us=100, compute_us=20),
                             (_m("threads", N_("threads (Ms)"), "",
                                 band(1.33, N_("the goal for a workload the model was not tuned "
                                               "on: x1.33. A 100 µs call outlives one delivered "
                                               "sysmon tick but not two, so the count is sensitive "
                                               "to the tick")),
                                 "syscall", "runtime_threads"),
                              _m("makespan_ns", N_("makespan"), "ns", band(1.5, WHY_MAKESPAN),
                                 "syscall", "os"),
                              _RETAKES, _WHO, _OS),
                             N_("32 goroutines each make 4 short blocking calls (nanosleep of "
                                "100 µs, after 20 µs of compute): only calls sysmon sees on two "
                                "of its rounds lose their P."),
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
                           N_("32 goroutines wait on loopback TCP for a 1 ms answer: they park on "
                              "the netpoller, no thread blocks.")),
    "cpu_hog": Mirror("cpu_hog", "scn_cpu_hog", dict(hog_ms=50, tight=True, ticks=10, tick_us=1000),
                      (_m("worst_delay_ns", N_("ticker's worst delay"), "ns",
                          {1: band(1.5, N_("on one P the ticker waits for the hog's 10 ms slice "
                                           "(or, without async preemption, its whole 50 ms); sysmon "
                                           "sees the slice's end up to one backed-off round late")),
                           "*": not_modelled("timers", N_("with a P of its own the ticker waits "
                                                          "only for the kernel's timer and wake-up "
                                                          "latency and for a CPU, which the model "
                                                          "does not have"))},
                          "timers", "os"),
                       _m("preemptions", N_("preemptions"), "",
                          {(1, True): share(1, N_("each 10 ms slice may end up to one sysmon round "
                                                  "late, and a hog slowed by the OS lives into "
                                                  "one more slice: one preemption either way")),
                           (1, False): share(0.5, N_("without asynchronous preemption the tight "
                                                     "hog cannot be stopped: the counts must match")),
                           "*": not_modelled("runtime_goroutines",
                                             N_("with 2 Ps the hog is alone on its P for about "
                                                "one slice; real preemptions there come from "
                                                "starting and stopping the execution trace, which "
                                                "stops the world"))},
                          "os", timed=True),
                       _MAKESPAN, _THREADS, _OS),
                      N_("A 50 ms hog without function calls next to a ticker: only asynchronous "
                         "preemption (SIGURG) can stop the hog; asyncpreemptoff=1 turns it off.")),
    "spawn_burst": Mirror("spawn_burst", "scn_spawn_burst", dict(goroutines=1000, work_us=20),
                          (_m("global_queue_peak", N_("global queue peak"), "",
                              ratio_band(1 / 1.5, 2, N_("schedtrace samples once per ms and can "
                                                        "only miss the peak, so the band leans "
                                                        "up: sim within [real / 1.5, real x 2]")),
                              "sampling"),
                           _MAKESPAN, _THREADS, _SHARE, _WHO, _OS),
                          N_("main starts 1000 goroutines in a row: its P's ring (256) overflows "
                             "and half of it moves to the global queue, again and again.")),
}
