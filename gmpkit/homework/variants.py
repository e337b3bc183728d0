"""Per-student variants: a student id, checked, and the seeds derived from it.

Every problem's numbers come from a :class:`random.Random` seeded with
``sha256("gmpkit-homework|<assignment>|<question>|<student id>")``: stable
across machines, Python versions and runs (unlike ``hash()``, which is salted
per process), different between students, and recomputable by the grader,
who knows each student's id.

>>> seed_for("s1234", 1, "q1") == seed_for("S1234 ", 1, "q1")
True
>>> seed_for("s1234", 1, "q1") != seed_for("s1235", 1, "q1")
True
>>> check_id("")
Traceback (most recent call last):
  ...
gmpkit.homework.variants.StudentIdError: STUDENT_ID is empty. Put your student id in the first cell, e.g. STUDENT_ID = "s2412345", then run the notebook again from the top.
"""

from __future__ import annotations

import hashlib
import random
import re

__all__ = ["StudentIdError", "check_id", "normalise_id", "seed_for", "rng_for", "DEMO_ID"]

DEMO_ID = "demo"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
PLACEHOLDERS = {"...", "your-id", "your_id", "yourid", "student", "student-id", "xxx", "todo"}


class StudentIdError(ValueError):
    """The student id is missing or not a usable id."""


def normalise_id(student_id) -> str:
    """Ids compare without case and surrounding spaces: ``" S1234"`` is ``"s1234"``."""
    return str(student_id).strip().lower()


def check_id(student_id) -> str:
    """Return the normalised id, or raise :class:`StudentIdError` saying what to fix."""
    example = 'e.g. STUDENT_ID = "s2412345"'
    if student_id is Ellipsis or student_id is None:
        raise StudentIdError(f"STUDENT_ID is not set. Put your student id in the first cell, "
                             f"{example}, then run the notebook again from the top.")
    if not isinstance(student_id, str):
        raise StudentIdError(f"STUDENT_ID must be a string in quotes, not "
                             f"{type(student_id).__name__} {student_id!r}: {example}.")
    sid = normalise_id(student_id)
    if not sid:
        raise StudentIdError(f"STUDENT_ID is empty. Put your student id in the first cell, "
                             f"{example}, then run the notebook again from the top.")
    if sid in PLACEHOLDERS:
        raise StudentIdError(f"STUDENT_ID is still the placeholder {student_id!r}: replace it "
                             f"with your own student id, {example}.")
    if not ID_RE.match(sid):
        raise StudentIdError(
            f"STUDENT_ID {student_id!r} is not a valid id: use 1-64 letters, digits, '.', '_' "
            f"or '-' (no spaces), starting with a letter or digit, {example}. It must match "
            f"the name your instructor expects your notebook under.")
    return sid


def seed_for(student_id, assignment, qid) -> int:
    """The 64-bit seed of question ``qid`` of ``assignment`` for this student."""
    key = f"gmpkit-homework|{assignment}|{qid}|{normalise_id(student_id)}"
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


def rng_for(student_id, assignment, qid) -> random.Random:
    """A :class:`random.Random` for drawing this student's numbers for ``qid``."""
    return random.Random(seed_for(student_id, assignment, qid))
