"""Engine speed of two or more versions of gmpkit, measured alternately in one process.

    python -m tools.engine_ab b640b22 HEAD            # the original engine against this one
    python -m tools.engine_ab b640b22 . --models GMP,GM --repeat 7

Each REV is a git revision (its ``gmpkit/`` is extracted with ``git archive`` into a
temporary folder) or ``.`` for the working tree.  Every version is imported once;
before each of its runs its modules are put back in ``sys.modules``, so the runs of
all versions alternate in one process on the same workload: ``make bench``'s
reference workload (``goroutines`` goroutines, each 4 x (compute 5 us, send and
receive on a shared buffered channel) then ``wg.done()``), taken from the working
tree's ``gmpkit.bench`` and given each version's ``gk``, so every version runs the
very same generator code.  Times are CPU seconds of this process
(``time.process_time``); the working tree's bare heapq loop
(``gmpkit.bench.bare_loop``) is timed before every run, and the table gives medians: ops/s, the
ratio to the bare loop, and the speed-up against the first REV.

This measures; it asserts nothing (a shared machine is noisy: use several repeats).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODELS = {"GMP": ("GMP", {"procs": 8}), "GMP1": ("GMP", {"procs": 1}), "GM": ("GM", {"procs": 8}),
          "Threads": ("Threads", {"cpus": 8}), "GreenThreads": ("GreenThreads", {})}


def _purge():
    for k in [k for k in sys.modules if k == "gmpkit" or k.startswith("gmpkit.")]:
        del sys.modules[k]


def load(path):
    """Import the gmpkit found in folder ``path``; return (module, its modules)."""
    _purge()
    sys.path.insert(0, str(path))
    try:
        gk = importlib.import_module("gmpkit")
        importlib.import_module("gmpkit.sim")
    finally:
        sys.path.remove(str(path))
    return gk, {k: v for k, v in sys.modules.items() if k == "gmpkit" or k.startswith("gmpkit.")}


def activate(mods):
    _purge()
    sys.modules.update(mods)


def extract(rev, into):
    """``git archive REV gmpkit`` into folder ``into``; returns the folder."""
    into.mkdir(parents=True, exist_ok=True)
    tar = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "gmpkit"],
                         check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=tar, check=True)
    return into


def working_tree_bench():
    """``gmpkit.bench`` of the working tree: its reference workload (given each
    version's ``gk``) and its bare loop are what every version is measured with."""
    _purge()
    sys.path.insert(0, str(ROOT))
    try:
        return importlib.import_module("gmpkit.bench")
    finally:
        sys.path.remove(str(ROOT))


def bare_loop(bench, goroutines):
    ops, seconds = bench.bare_loop(goroutines, clock=time.process_time)
    return ops / seconds


def run_once(bench, gk, mods, model, goroutines):
    activate(mods)
    cls, kw = MODELS[model]
    main = bench.reference_workload(goroutines, gk=gk)
    gc.collect()
    t0 = time.process_time()
    run = gk.simulate(main, model=getattr(gk, cls)(**kw), seed=1, max_events=100_000_000)
    dt = time.process_time() - t0
    return run.stats["ops"] / dt, run.stats["makespan_ns"]


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m tools.engine_ab", description=__doc__.split("\n")[0])
    ap.add_argument("revs", nargs="+", help="git revisions, or . for the working tree")
    ap.add_argument("--models", default="GMP", help="comma-separated: " + ",".join(MODELS))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--goroutines", type=int, default=10_000)
    args = ap.parse_args(argv)
    models = args.models.split(",")
    bench = working_tree_bench()
    tmp = tempfile.TemporaryDirectory(prefix="engine_ab-")
    versions = []
    for i, rev in enumerate(args.revs):
        path = ROOT if rev == "." else extract(rev, Path(tmp.name) / f"v{i}")
        versions.append((rev, *load(path)))
    rates = {(r, m): [] for r, _, _ in versions for m in models}
    ratios = {(r, m): [] for r, _, _ in versions for m in models}
    makespan = {}
    for _ in range(args.repeat):
        for m in models:
            for rev, gk, mods in versions:
                bare = bare_loop(bench, args.goroutines)
                rate, makespan[rev, m] = run_once(bench, gk, mods, m, args.goroutines)
                rates[rev, m].append(rate)
                ratios[rev, m].append(rate / bare)
    print(f"{args.goroutines:,} goroutines x 14 ops, {args.repeat} alternating repeats, "
          f"medians of ops per CPU second")
    print(f"{'model':<14}{'rev':<12}{'ops/s':>11}{'(min-max)':>22}{'x bare':>8}"
          f"{'speed-up':>10}   makespan ns")
    for m in models:
        first = statistics.median(rates[args.revs[0], m])
        for rev, _, _ in versions:
            rs = rates[rev, m]
            med = statistics.median(rs)
            print(f"{m:<14}{rev:<12}{med:>11,.0f}  ({min(rs):>9,.0f}-{max(rs):>9,.0f})"
                  f"{statistics.median(ratios[rev, m]):>8.2f}{med / first:>9.2f}x   "
                  f"{makespan[rev, m]:,}")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
