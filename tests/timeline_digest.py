"""Digests of simulated timelines, to prove an engine change altered no schedule.

``python -m tests.timeline_digest --write`` runs a fixed set of scenarios under every model
and stores one SHA-256 per run in ``tests/data/timeline_digests.json``.  The stored file
was written by running the code *before* the speed work of issue 12 (commit b640b22, the
start of branch ``speed``), so the test in ``test_timeline_digest.py`` checks that the
faster engine produces the very same spans, events, counters and stats.  Regenerate it only
from code whose schedules you trust (e.g. after a deliberate model change), never to make
the test pass after a speed change.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import gmpkit as gk
from gmpkit import scenarios

DIGESTS = Path(__file__).with_name("data") / "timeline_digests.json"

MODELS = {
    "GMP4": lambda: gk.GMP(procs=4),
    "GMP1": lambda: gk.GMP(procs=1),
    "GMP4-coop": lambda: gk.GMP(procs=4, async_preempt=False),
    "GM4": lambda: gk.GM(procs=4),
    "Threads2": lambda: gk.Threads(cpus=2),
    "Green": lambda: gk.GreenThreads(),
}

# name -> scenario factory call; small enough that the whole set runs in seconds.
CASES = {
    "cpu_fanout": lambda: scenarios.cpu_fanout(goroutines=12, work_us=300),
    "ping_pong": lambda: scenarios.ping_pong(rounds=200, work_ns=300),
    "syscall_storm": lambda: scenarios.syscall_storm(goroutines=16, syscall_us=500),
    "netio_server": lambda: scenarios.netio_server(connections=16, io_us=400),
    "cpu_hog": lambda: scenarios.cpu_hog(hog_ms=15, ticks=5),
    "spawn_burst": lambda: scenarios.spawn_burst(goroutines=300),
    "lock_heavy": lambda: scenarios.lock_heavy(goroutines=24, rounds=6),
    "mixed": lambda: scenarios.mixed(goroutines=12),
    "tokens": lambda: _tokens(goroutines=300, rounds=3),
}


def _tokens(goroutines, rounds):
    """The benchmark's workload, small: compute and pass tokens over a buffered channel."""
    def worker(ch, wg):
        for _ in range(rounds):
            yield gk.compute(us=5)
            yield ch.send(1)
            yield ch.recv()
        yield wg.done()

    def main(results):
        ch, wg = gk.Chan(cap=16), gk.WaitGroup()
        wg.add(goroutines)
        for _ in range(goroutines):
            yield gk.go(worker, ch, wg)
        yield wg.wait()
        results["t"] = yield gk.now()

    return scenarios.Scenario("tokens", "tokens", main)


def _h(obj):
    return repr(obj).encode()


def digest(run):
    """SHA-256 over everything a run recorded (spans, events, counters, stats, results)."""
    tl = run.timeline
    h = hashlib.sha256()
    for s in tl.spans:
        h.update(_h(tuple(s)))
    h.update(b"|events|")
    for e in tl.events:
        h.update(_h(tuple(e)))
    h.update(b"|counters|")
    for name in tl.counter_names:
        t, v = tl.counter(name)
        h.update(_h((name, t.tolist(), v.tolist())))
    h.update(_h(sorted(tl.g_names.items())))
    h.update(_h((tl.end_time, sorted((tl.expected_run_ns or {}).items()))))
    h.update(_h(sorted(run.stats.items())))
    h.update(_h(getattr(run, "results", None)))
    return h.hexdigest()


def compute_all():
    out = {}
    for case, make in CASES.items():
        for mname, model in MODELS.items():
            for seed in (0, 7):
                run = make().run(model(), seed=seed)
                out[f"{case}/{mname}/seed{seed}"] = digest(run)
    # the schedtrace/scheddetail path (snapshots taken during the run)
    for case in ("mixed", "syscall_storm"):
        run = CASES[case]().run(gk.GMP(procs=4), seed=1, schedtrace=0.2, scheddetail=True)
        out[f"{case}/GMP4/scheddetail"] = hashlib.sha256(
            _h(run.schedtrace(detail=True)) + _h(run.snapshots)).hexdigest()
    return out


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        print(__doc__)
        sys.exit(2)
    DIGESTS.parent.mkdir(exist_ok=True)
    DIGESTS.write_text(json.dumps(compute_all(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {DIGESTS}")
