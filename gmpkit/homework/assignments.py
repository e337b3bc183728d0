"""Imports every assignment module so their questions register (see core.question).

A missing module is an error: the grader must know every assignment it was
released with, and an import that fails silently would grade its notebooks
as "could not tell which assignment this is".
"""

from . import hw1_threads, hw2_mn, hw3_gm, hw4_gmp, hw5_reality  # noqa: F401

MODULES = ("hw1_threads", "hw2_mn", "hw3_gm", "hw4_gmp", "hw5_reality")
