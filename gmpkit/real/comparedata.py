"""Recorded real runs of the mirrors, ``gmpkit/data/compare``: reading them
(:func:`recorded_configs`, :func:`compare_dir`), the recording protocol (quiet runs,
:data:`QUIET_WAIT_SHARE`), recording (:func:`record`, :func:`record_all`,
:data:`RECORD_PLAN`) and adding the overshoot spread to old recordings
(:func:`add_overshoot_spread`).  (:mod:`gmpkit.real.record` records the small demo
traces of ``gmpkit/data/traces``; :mod:`gmpkit.real.recorded` reads them.)

Part of the comparison: a run is :mod:`~gmpkit.real.goside`'s, the calibration
:mod:`~gmpkit.real.machine`'s.
:mod:`~gmpkit.real.compare` lists every part of the comparison and re-exports them all.
"""

from __future__ import annotations

import gzip

from .. import resources
from .goside import _real_run_retry, _traced_run, quiet_share
from .machine import (CALIBRATION_ATTEMPTS, SPREAD_KEY, SPREAD_THREADS, calibrate,
                      machine_calibration, overshoot_spread, usleep_sample)
from .mirrors import MIRRORS
from .recorded import provenance
from .simside import _median_index
from .toolchain import find_go

__all__ = ["compare_dir", "recorded_configs", "record", "record_all", "RECORD_PLAN",
           "QUIET_WAIT_SHARE", "QUIET_ATTEMPTS", "CALIBRATION_HOW", "add_overshoot_spread"]


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
    calib = machine_calibration(tc, CALIBRATION_ATTEMPTS)
    log = []
    results = [_record_run(scenario, procs, async_preempt, tc, log) for _ in range(runs)]
    return _save_record(scenario, procs, async_preempt, results, tc, calib, log)


# Recording protocol: a run whose threads spent more than this share of their
# ready time waiting for a CPU (wait_share: wake-ups, own threads, other programs) is set aside
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
           "calibration": dict(calib, how=CALIBRATION_HOW),
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


CALIBRATION_HOW = (
    "gmpkit.real.compare.machine_calibration, measured before these runs: usleep_overhead_ns "
    "= median of ~400 raw 20 µs nanosleeps on one thread (programs/usleep.go) minus 20 µs; "
    f"{SPREAD_KEY} = 50 quantiles (1 %, 3 %, ..., 99 %) of ~800 such sleeps by "
    f"{SPREAD_THREADS} threads sleeping at once (usleep.go -threads {SPREAD_THREADS}), moved "
    "onto that median (overshoot_spread); each the quietest of "
    f"{CALIBRATION_ATTEMPTS} measurements (least CPU wait after the wake-ups; "
    "usleep_cpu_wait_ns per sleep for the spread); goroutine_switch_ns = median of 9 "
    "pingpong -n 2000 runs, GOMAXPROCS=1")


def add_overshoot_spread(attempts=15, out=print):
    """For recordings made when the calibration kept only the median: measure the
    spread of the sleep overshoot now (the quietest of ``attempts`` measurements
    of ``programs/usleep.go``) and add it to every recorded configuration that
    lacks one, centred on that recording's own median (each quantile = the
    recorded median + (measured quantile - measured median)); the calibration
    says so (``usleep_overshoot_how``).  A fresh :func:`record_all` makes this
    unnecessary: its calibration measures the spread with the median."""
    import datetime
    import os
    tc = find_go()
    u = usleep_sample(tc, attempts, SPREAD_THREADS)
    if not u["quantiles"]:
        raise RuntimeError("programs/usleep.go printed no quantiles_ns: rebuild it")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    for scenario, procs, a in recorded_configs():
        name = _config_name(scenario, procs, a)
        rec = resources.read_json(f"compare/{name}.json")
        cal = rec.setdefault("calibration", {})
        if SPREAD_KEY in cal and "usleep_overshoot_how" not in cal:
            continue        # measured with the runs: keep it
        centre = int(cal.get("usleep_overhead_ns", u["median"]))
        cal[SPREAD_KEY] = overshoot_spread(centre, u)
        cal["usleep_overshoot_how"] = (
            f"the spread measured after these runs (their calibration kept only the median), "
            f"on {when} on the same machine (load average {load:.1f}), by "
            f"gmpkit.real.compare.add_overshoot_spread: the quietest of {attempts} runs of "
            f"programs/usleep.go -us 20 -threads {SPREAD_THREADS} (CPU wait per sleep "
            f"{u['cpu_wait_ns']} ns; all attempts: "
            f"{', '.join(str(w) for w in u['attempt_cpu_waits_ns'])}), its 50 quantiles "
            f"moved by {centre - u['median']:+d} ns onto the median measured with the runs "
            f"({centre} ns, one thread; the sample's own median: {u['median']} ns)")
        out(f"added the overshoot spread to {resources.write_json(f'compare/{name}.json', rec, sort_keys=True)}")


RECORD_PLAN = [(s, p, True) for s in MIRRORS for p in (1, 2)] + [("cpu_hog", 1, False),
                                                                   ("cpu_hog", 2, False)]


def record_all(runs=5, out=print, plan=None):
    """Record every configuration the course and the tests use (``RECORD_PLAN``).

    The runs are interleaved (run 1 of every configuration, then run 2 ...), so
    a burst of load from other programs hits all configurations alike instead of
    spoiling one of them."""
    tc = find_go()
    plan = list(plan or RECORD_PLAN)
    calib = machine_calibration(tc, CALIBRATION_ATTEMPTS)
    results = {cfg: [] for cfg in plan}
    logs = {cfg: [] for cfg in plan}
    for i in range(runs):
        for cfg in plan:
            results[cfg].append(_record_run(*cfg, tc, logs[cfg]))
        out(f"round {i + 1} of {runs} done")
    for cfg in plan:
        out(f"recorded {_save_record(*cfg, results[cfg], tc, calib, logs[cfg])}")
