"""Integrity flags across a class's submissions.

* **identical answers under different ids**: every student's numbers come
  from their id, so two students whose problems have different expected
  answers cannot both be right with the same answer.  When two notebooks of
  the same assignment give the same (non-trivial) answer to at least
  :data:`MIN_SHARED` such questions, both are flagged;
* **near-identical workloads**: "write a workload" answers are compared as
  token sequences (:class:`difflib.SequenceMatcher`); pairs at or above
  :data:`SIMILAR` are flagged and listed in the similarity report;
* **several notebooks of one assignment** from one student: the gradebook
  keeps the best, so a student could try different answers in each;
* solution notebooks are flagged per notebook by :func:`.grade.solution_flags`.

Flags inform the instructor; they never change a score.

>>> similarity([["go", [["compute", 1000]], "A"]], [["go", [["compute", 1000]], "B"]]) > 0.8
True
"""

from __future__ import annotations

import json
import re
from difflib import SequenceMatcher
from itertools import combinations

__all__ = ["flag", "similarity", "MIN_SHARED", "SIMILAR"]

MIN_SHARED = 2          # identical answers to this many differing problems -> flagged
SIMILAR = 0.9           # workload similarity ratio that is flagged
MAX_TOKENS = 500        # tokens of a workload compared (a real one has ~100)


def _tokens(value):
    """The workload's JSON tokens, the first :data:`MAX_TOKENS` only.

    SequenceMatcher's time grows far faster than the square of the length on
    repetitive input: two 16 kB workloads took two minutes, two 64 kB ones
    (still small enough to be exported) hours, for every such pair in a class.
    """
    return re.findall(r"[A-Za-z_]+|\d+|[^\s\w]", json.dumps(value, sort_keys=True))[:MAX_TOKENS]


def similarity(a, b, at_least=0.0):
    """How alike two workloads are, 0..1 (1: the same tokens in the same order).

    When a cheap upper bound is already below ``at_least``, that bound is returned.
    """
    m = SequenceMatcher(None, _tokens(a), _tokens(b), autojunk=False)
    if m.real_quick_ratio() < at_least or m.quick_ratio() < at_least:
        return m.quick_ratio()
    return m.ratio()


def flag(results):
    """Add ``flags`` to ``results`` in place; return the similarity pairs
    ``[(ratio, assignment, qid, result a, result b)]``, most similar first."""
    by_hw = {}
    for r in results:
        if r.assignment is not None and r.student_id:
            by_hw.setdefault(r.assignment, []).append(r)
    pairs = []
    for n, rs in by_hw.items():
        count = {}
        for r in rs:
            count[r.student_id] = count.get(r.student_id, 0) + 1
        for r in rs:
            if count[r.student_id] > 1:
                r.flags.append(f"{count[r.student_id]} notebooks for hw{n}: the best one counts, "
                               f"so answers can be tried across them")
        for a, b in combinations(rs, 2):
            if a.student_id == b.student_id:
                continue
            same = []
            for qid in sorted(set(a.answers) & set(b.answers)):
                if a.kinds.get(qid) == "workload":
                    continue
                ea, eb = a.expected.get(qid), b.expected.get(qid)
                if ea is None or eb is None or ea == eb:
                    continue                      # the problems agree: same answers prove nothing
                if json.dumps(a.answers[qid], sort_keys=True) == json.dumps(b.answers[qid],
                                                                              sort_keys=True):
                    same.append(qid)
            if len(same) >= MIN_SHARED:
                for x, y in ((a, b), (b, a)):
                    x.flags.append(f"identical answers to {', '.join(same)} as {y.student_id} "
                                   f"({y.file}), although their problems differ")
            for qid in sorted(set(a.answers) & set(b.answers)):
                if a.kinds.get(qid) != "workload":
                    continue
                ratio = similarity(a.answers[qid], b.answers[qid], SIMILAR)
                if ratio >= SIMILAR:
                    pairs.append((ratio, n, qid, a, b))
                    for x, y in ((a, b), (b, a)):
                        x.flags.append(f"hw{n}-{qid} workload {ratio:.0%} similar to "
                                       f"{y.student_id}'s (see similarity.md)")
    pairs.sort(key=lambda p: -p[0])
    return pairs
