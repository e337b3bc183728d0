"""How long grading a class takes: ``python -m gmpkit.homework.bench [N]``.

Builds ``N`` (default 30) submissions -- the five assignments in turn, each
with the student's correct answers filled in, one in five with a wrong answer
-- and grades them the way ``python -m gmpkit.homework grade`` does (sandboxed
when bubblewrap works here, else without, and it says so).  The target from
the course's brief: 30 submissions in under 2 minutes on 2 cores.
``gmpkit.bench`` (``make bench``) prints the same figure.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from . import Homework, build, sandbox
from .core import WorkloadTask

TARGET_S = 120


def filled_submission(number, sid, wrong=()):
    """The student notebook of assignment ``number`` with ``sid``'s correct answers."""
    src = next(m for m in build.masters() if build.assignment_of(m) == number)
    nb = build.student_notebook(src)
    hw = Homework(number, sid, quiet=True)
    nb.cells[0].source = f'STUDENT_ID = "{sid}"'
    for c in nb.cells:
        if "answer" in c.metadata.get("tags", []):
            var = c.source.splitlines()[-1].split(" = ")[0]
            qid = var.split("_")[1]
            p = hw.problem(qid)
            v = p.check.example if isinstance(p.check, WorkloadTask) else p.check.expected
            c.source = f"{var} = {json.dumps(12345 if qid in wrong else v)}"
    return nb


def grading_seconds(n=30, jobs=None):
    """``(seconds, results, sandboxed)`` for grading ``n`` fresh submissions."""
    use = sandbox.probe() is None
    with tempfile.TemporaryDirectory(prefix="gmpkit-bench-") as d:
        for i in range(n):
            number = i % 5 + 1
            sid = f"s{1000 + i}"
            nb = filled_submission(number, sid, wrong=("q2",) if i % 5 == 4 else ())
            (Path(d) / sid).mkdir()
            nbformat.write(nb, Path(d) / sid / f"hw{number}.ipynb")
        from .grade import grade_folder
        t0 = time.perf_counter()
        results = grade_folder(d, Path(d) / "report" / "grades.csv", log=lambda *a: None,
                               sandbox_ok=use, jobs=jobs)
        return time.perf_counter() - t0, results, use


def report(n=30):
    secs, results, used = grading_seconds(n)
    bad = [r for r in results if r.problems]
    print(f"\ngrading {n} homework submissions ({os.cpu_count()} cores, "
          f"{'bubblewrap sandbox' if used else 'NO sandbox: bwrap unavailable'}): "
          f"{secs:.1f} s, {secs / n:.2f} s each; target < {TARGET_S} s for 30: "
          f"{'ok' if secs * 30 / n < TARGET_S else 'MISS'}"
          + (f"; {len(bad)} with problems" if bad else ""))
    return secs


if __name__ == "__main__":
    report(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
