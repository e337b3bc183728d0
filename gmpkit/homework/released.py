"""What the grader knows about each assignment's masters, shipped inside the package.

``gmpkit/homework/data/released.json`` is written by ``python -m gmpkit.homework
build`` from the masters in ``notebooks/homework/src``; the grader reads only
this file (with :mod:`importlib.resources`), never the repository, so a wheel
grades exactly like a checkout.  Per assignment it holds:

* ``master``: the master's name (``hw1_threads``);
* per question: the answer variable, the title, the points, and
  ``checks``: the SHA-256 of the normalised source of EVERY released version
  of its check cell.  Building appends the current hash and never removes
  one, so fixing a check cell in a master after release does not fail the
  submissions made from the released version;
* ``setup``: hashes of the released setup cells (``hw = assignment(N, ...)``);
* ``solutions``: hashes of the solution cells (a handed-in solution notebook
  is flagged even with its metadata edited).

>>> normalised_hash("hw.check('q1', answer_q1)  \\n") == normalised_hash("hw.check('q1', answer_q1)")
True
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources

__all__ = ["load", "normalise", "normalised_hash", "RELEASED", "ReleasedDataMissing"]

RELEASED = "data/released.json"


class ReleasedDataMissing(FileNotFoundError):
    """The package's released.json is missing or unreadable."""


def normalise(src):
    """A cell's source without trailing spaces or surrounding blank lines."""
    return "\n".join(line.rstrip() for line in str(src).strip().splitlines())


def normalised_hash(src):
    return hashlib.sha256(normalise(src).encode()).hexdigest()


def _file():
    return resources.files("gmpkit.homework").joinpath(RELEASED)


def load():
    """``{assignment number: info}`` from the package data; raises naming the file."""
    f = _file()
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReleasedDataMissing(
            f"gmpkit/homework/{RELEASED} is missing from the installed package: the grader "
            f"needs it (check-cell hashes, points). Rebuild it from a course checkout with "
            f"`python -m gmpkit.homework build`, and make sure the package data is "
            f"installed (pyproject.toml [tool.setuptools.package-data]).") from None
    except ValueError as e:
        raise ReleasedDataMissing(f"gmpkit/homework/{RELEASED} is not valid JSON ({e}): "
                                  f"rebuild it with `python -m gmpkit.homework build`.") from None
    return {int(k): v for k, v in data["assignments"].items()}


def path_for_writing():
    """The file on disk (only in a source checkout / editable install)."""
    return _file()
