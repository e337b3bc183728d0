"""This machine, measured for a comparison: how long sysmon's ``usleep(20)`` really
takes (the sleep overshoot's median and its spread, :func:`machine_calibration`), one
goroutine hand-off (:func:`switch_cost`) and the loop speed the Go mirrors spin with
(:func:`calibrate`).  Not to be confused with :mod:`gmpkit.real.calibrate`, which turns
the measurement table into ``costs.json``; these figures are measured with each
comparison's real runs and recorded with them.

Part of the comparison: :mod:`~gmpkit.real.simside` turns these figures into the
simulator's costs, :mod:`~gmpkit.real.goside` runs the mirrors at :func:`calibrate`'s
speed, :mod:`~gmpkit.real.comparedata` records them with the runs.
:mod:`~gmpkit.real.compare` lists every part of the comparison and re-exports them all.
"""

from __future__ import annotations

import statistics

from .toolchain import find_go

__all__ = ["calibrate", "SPREAD_KEY", "CALIBRATION_ATTEMPTS", "SPREAD_THREADS", "usleep_sample",
           "overshoot_spread", "sleep_overshoot", "switch_cost", "machine_calibration"]


_IPU: dict = {}


def calibrate(tc=None):
    """Loop iterations per µs on this CPU (median of 3 calibrations; cached per process)."""
    tc = tc or find_go()
    if "ipu" not in _IPU:
        vals = [tc.run("scn_cpu_fanout", ["-goroutines", "1", "-work_us", "1"], gomaxprocs=1,
                       timeout=30).json()["iters_per_us"] for _ in range(3)]
        _IPU["ipu"] = statistics.median(vals)
    return _IPU["ipu"]


# The calibration's key for the measured spread of the sleep overshoot: the overshoot's
# quantiles (ns) at probabilities (i + 0.5) / n, as GMP(sleep_overshoot=) takes them.
SPREAD_KEY = "usleep_overshoot_quantiles_ns"
# Recording protocol for the calibration's sleeps (like the runs'): measure this many
# times and keep the attempt whose thread waited least for a CPU after its wake-ups
# (other programs' share), so a burst of load does not pass for the timer's spread.
CALIBRATION_ATTEMPTS = 5


# How many threads sleep at once when the spread is measured: sysmon and one M in a
# system call, the fewest a program has when sysmon retakes a P.  (Their timers share
# the timer interrupts, so some sleeps end early, inside their slack, and some wait
# for a CPU: one thread sleeping alone shows far less spread than a Go program's.)
SPREAD_THREADS = 2


def _usleep_once(tc, threads=1):
    """One run of ``programs/usleep.go``: about 400 raw 20 µs nanosleeps per thread,
    ``threads`` threads sleeping at once; ``{"median": overshoot ns, "quantiles":
    [overshoot ns, ...], "cpu_wait_ns": per sleep}``."""
    js = tc.run("usleep", ["-us", "20", "-budget", "40ms", "-threads", str(threads)],
                timeout=30).json()
    row = js["sleeps"][0]
    return {"median": max(0, int(js["median_ns_20"]) - 20_000),
            "quantiles": [max(0, int(q) - 20_000) for q in row.get("quantiles_ns", [])],
            "cpu_wait_ns": int(row.get("cpu_wait_ns_per_sleep", 0))}


def usleep_sample(tc=None, attempts=1, threads=1):
    """What sysmon's ``usleep(20)`` really takes beyond the request on this machine,
    with ``threads`` threads sleeping at once: the quietest of ``attempts``
    measurements (:func:`_usleep_once`: the one whose threads waited least for a
    CPU); cached per process, number of attempts and threads."""
    tc = tc or find_go()
    key = ("usleep", attempts, threads)
    if key not in _IPU:
        tries = [_usleep_once(tc, threads) for _ in range(max(1, attempts))]
        best = min(tries, key=lambda t: t["cpu_wait_ns"])
        _IPU[key] = dict(best, attempt_cpu_waits_ns=[t["cpu_wait_ns"] for t in tries])
    return _IPU[key]


def overshoot_spread(median, sample):
    """The overshoot distribution the simulator draws from: ``sample``'s quantiles
    (:func:`usleep_sample` with :data:`SPREAD_THREADS` threads) moved onto
    ``median`` (sysmon's ``usleep(20)`` alone, the calibration's
    ``usleep_overhead_ns``): the spread is the sample's, the centre the median's."""
    return [max(0, int(median) + q - sample["median"]) for q in sample["quantiles"]]


def sleep_overshoot(tc=None):
    """How much longer than asked sysmon's ``usleep(20)`` lasts on this machine, in ns
    (a raw 20 µs nanosleep on a thread of its own: ``programs/usleep.go``; the
    median of about 400 sleeps; cached per process)."""
    return usleep_sample(tc)["median"]


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


def machine_calibration(tc=None, attempts=1):
    """What the simulator is calibrated with for a comparison on this machine:
    ``{"usleep_overhead_ns": ..., "usleep_overshoot_quantiles_ns": [...],
    "goroutine_switch_ns": ...}`` (see :func:`calibrated_costs`): the median
    and the spread of the sleep overshoot come from the same sleeps, the
    quietest of ``attempts`` measurements (recording uses
    :data:`CALIBRATION_ATTEMPTS`; a live comparison measures once, under the
    load its runs see)."""
    tc = tc or find_go()
    u = usleep_sample(tc, attempts)
    out = {"usleep_overhead_ns": u["median"], "goroutine_switch_ns": switch_cost(tc)}
    spread = usleep_sample(tc, attempts, SPREAD_THREADS)
    if spread["quantiles"]:
        out[SPREAD_KEY] = overshoot_spread(u["median"], spread)
        out["usleep_cpu_wait_ns"] = spread["cpu_wait_ns"]
    return out
