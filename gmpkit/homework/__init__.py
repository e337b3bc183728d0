"""Homework for the gmpkit course: seeded per-student problems, checks, build, grading.

``assignment(n, STUDENT_ID)`` gives a student's assignment ``n`` (1-5); its
``show``/``check`` calls are what the notebooks' problem and check cells run.
``python -m gmpkit.homework build`` writes the student and solution notebooks
from the masters in ``notebooks/homework/src``; ``python -m gmpkit.homework
grade DIR`` grades a folder of submissions.  See ``notebooks/homework/README.md``.
"""

from .core import HW_COSTS, Problem, WorkloadTask
from .handout import Homework, assignment
from .variants import DEMO_ID, StudentIdError, check_id, seed_for
from .workload import WorkloadSpecError, describe as describe_workload, run as run_workload
from ..checks import Unanswered, WrongAnswer

__all__ = ["assignment", "Homework", "Problem", "WorkloadTask", "HW_COSTS", "DEMO_ID",
           "StudentIdError", "check_id", "seed_for", "WorkloadSpecError", "describe_workload",
           "run_workload", "Unanswered", "WrongAnswer"]
