"""The data files gmpkit reads and writes at run time. Every reader and writer goes through here.

They ship inside the package, in ``gmpkit/data/``, so a wheel installed anywhere
carries the same numbers as the source tree (``data/README.md`` says where each
file comes from):

=====================================  ===============================================
``costs.json``                         the models' default costs (:mod:`gmpkit.costs`)
``measurements/this_machine.json``     the course machine's measurements
                                       (:func:`gmpkit.real.load_recorded`)
``traces/NAME.txt`` + ``NAME.json``    recorded schedtraces and execution traces, with
                                       provenance (:mod:`gmpkit.real.recorded`)
``compare/SCENARIO_pN[...].json``      recorded real runs of the scenarios' Go mirrors,
``compare/...exectrace.txt.gz``        with one execution trace each (:mod:`gmpkit.real.compare`)
=====================================  ===============================================

The files are found with :mod:`importlib.resources`. A missing file is an error
that names it (:class:`MissingDataError`); nothing falls back to built-in numbers.

>>> read_json("costs.json")["goroutine_switch_ns"]["value_ns"] > 0
True
>>> "schedtrace_demo.txt" in names("traces")
True
>>> read_text("traces/no_such_trace.txt")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
gmpkit.resources.MissingDataError: gmpkit/data/traces/no_such_trace.txt is missing...
"""

from __future__ import annotations

import json
from importlib import resources as _ir
from pathlib import Path

__all__ = ["MissingDataError", "data_dir", "path", "read_text", "read_bytes", "read_json",
           "names", "write_text", "write_bytes", "write_json"]

FOLDER = "data"


class MissingDataError(FileNotFoundError):
    """A data file gmpkit needs is not in the installed package."""


def data_dir() -> Path:
    """The package's data folder (``gmpkit/data``) as a filesystem path.

    gmpkit is always installed unpacked (a wheel, an editable install or a source
    tree), so the folder is a real directory; the recording tools write into it.
    """
    root = _ir.files("gmpkit") / FOLDER
    if not isinstance(root, Path):   # e.g. imported from a zip file
        raise MissingDataError(f"gmpkit's data folder is not on the filesystem ({root}); "
                               "install gmpkit normally (pip install gmpkit), not from a zip")
    if not root.is_dir():
        raise MissingDataError(f"gmpkit's data folder {root} is missing: the package is "
                               "incomplete; reinstall it (pip install --force-reinstall gmpkit)")
    return root


def _check(relpath: str) -> str:
    rel = str(relpath).replace("\\", "/")
    if rel.startswith("/") or ".." in rel.split("/"):
        raise ValueError(f"{relpath!r}: give a path inside gmpkit/data, e.g. 'traces/x.txt'")
    return rel


def path(relpath: str) -> Path:
    """The path of an existing data file ``gmpkit/data/RELPATH``; :class:`MissingDataError` if absent."""
    rel = _check(relpath)
    p = data_dir() / rel
    if not p.is_file():
        folder = p.parent
        if folder.is_dir():
            have = sorted(q.name for q in folder.iterdir() if q.is_file())
            there = f"that folder holds: {', '.join(have)}" if have else "that folder holds no files"
        else:
            there = "its folder is missing too"
        raise MissingDataError(
            f"gmpkit/data/{rel} is missing ({p}); {there}. "
            "Restore it from the repository (git checkout -- gmpkit/data) or reinstall gmpkit.")
    return p


def read_bytes(relpath: str) -> bytes:
    """The bytes of ``gmpkit/data/RELPATH``."""
    return path(relpath).read_bytes()


def read_text(relpath: str) -> str:
    """The text (UTF-8) of ``gmpkit/data/RELPATH``."""
    return path(relpath).read_text(encoding="utf-8")


def read_json(relpath: str):
    """``gmpkit/data/RELPATH`` parsed as JSON; a broken file is an error naming it."""
    text = read_text(relpath)
    try:
        return json.loads(text)
    except ValueError as e:
        raise ValueError(f"gmpkit/data/{_check(relpath)} is not valid JSON: {e}") from None


def names(folder: str, suffix: str = "") -> list[str]:
    """Sorted names of the files in ``gmpkit/data/FOLDER`` ending in ``suffix``."""
    rel = _check(folder)
    d = data_dir() / rel
    if not d.is_dir():
        raise MissingDataError(f"gmpkit/data/{rel}/ is missing ({d}); restore it from the "
                               "repository (git checkout -- gmpkit/data) or reinstall gmpkit")
    return sorted(p.name for p in d.iterdir() if p.is_file() and p.name.endswith(suffix))


def _target(relpath: str) -> Path:
    p = data_dir() / _check(relpath)
    p.parent.mkdir(parents=True, exist_ok=True)
    return p


def write_bytes(relpath: str, data: bytes) -> Path:
    """Write ``gmpkit/data/RELPATH`` (the recording tools, run in a source checkout)."""
    p = _target(relpath)
    p.write_bytes(data)
    return p


def write_text(relpath: str, text: str) -> Path:
    """Write ``gmpkit/data/RELPATH`` as UTF-8 text."""
    p = _target(relpath)
    p.write_text(text, encoding="utf-8")
    return p


def write_json(relpath: str, obj, **kw) -> Path:
    """Write ``gmpkit/data/RELPATH`` as JSON (``indent=1`` unless told), ending in a newline."""
    kw.setdefault("indent", 1)
    return write_text(relpath, json.dumps(obj, **kw) + "\n")
