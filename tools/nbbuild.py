"""Build the course notebooks from their jupytext sources, with outputs.

Each lecture is a jupytext pair: ``notebooks/src/<name>.py`` (``py:percent``,
what is reviewed and merged) and ``notebooks/<name>.ipynb`` (what learners
open, with outputs).  The pairing is in both files' metadata,
``formats: ipynb,src//py:percent``, so JupyterLab with jupytext keeps them in
step when an instructor edits either (README, "Editing a lesson").  Homework
masters (``notebooks/homework/src``) are built by ``python -m gmpkit.homework
build``, which writes a student and a solution version.

jupytext reads and writes the sources (``gmpkit.homework.source`` wraps it);
what it does not do is done here:

* execute the notebook in its folder (as JupyterLab and nbval do) and store the
  outputs and the widget state, so the committed notebook reads well on a web
  page and strict nbval can compare every deterministic output;
* stable cell ids, and a cell that raised (without the ``raises-exception``
  tag) stops the build;
* ``--check``: each committed notebook is what jupytext pairs with its source
  (the .py jupytext would write from the .ipynb is the source, byte for byte),
  so a pair out of step fails the tests.

``python -m tools.nbbuild [NAME ...]`` builds (``--no-execute``: no outputs);
``--check`` only compares.  A source still in the old home-made format is
converted by ``python -m tools.to_jupytext``.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
from pathlib import Path

import nbformat

from gmpkit.homework import source as _source

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"


def source_files(names=None):
    """All lecture notebook sources, optionally filtered by stem."""
    files = sorted(NB_DIR.glob("src/*.py"))
    if names:
        files = [f for f in files if f.stem in names]
        missing = set(names) - {f.stem for f in files}
        if missing:
            raise SystemExit(f"no notebook source named {', '.join(sorted(missing))} in "
                             f"{NB_DIR / 'src'}")
    return files


def target_for(src: Path) -> Path:
    return src.parent.parent / f"{src.stem}.ipynb"


def parse(text, where="source"):
    """The cells of a source's text (for tools and tests that read the prose)."""
    return _source.parse(text, where).cells


def to_notebook(src: Path):
    """The notebook of ``src``, not executed (see :func:`gmpkit.homework.source.to_notebook`)."""
    try:
        return _source.to_notebook(src)
    except ValueError as e:
        raise SystemExit(str(e)) from None


def execute(nb, cwd: Path, timeout=120):
    from nbclient import NotebookClient
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}},
                            record_timing=False, store_widget_state=True)
    client.execute()
    return nb


def build(src: Path, run=True):
    nb = to_notebook(src)
    target = target_for(src)
    t0 = time.perf_counter()
    if run:
        execute(nb, target.parent)
        for i, c in enumerate(nb.cells):
            errs = [o for o in c.get("outputs", []) if o.get("output_type") == "error"]
            if errs and "raises-exception" not in c.metadata.get("tags", []):
                raise SystemExit(f"{src.name}: cell {i} raised {errs[0]['ename']}: "
                                 f"{errs[0]['evalue']}")
    nbformat.write(nb, target)
    return target, time.perf_counter() - t0


def pair_difference(nb, src: Path, nb_name: str, fix: str):
    """``None`` if ``src`` is the text jupytext writes for notebook ``nb``, else a message
    naming what differs (the pairing metadata, then the first lines) and ``fix``."""
    import copy

    import jupytext
    want = src.read_text(encoding="utf-8")
    head = _source.parse(want, src.name).metadata
    pairing = {k: v for k, v in head.get("jupytext", {}).items() if k in _source.PAIRING_KEYS}
    problems = []
    if nb.metadata.get("jupytext") != pairing:
        problems.append(f"its jupytext metadata is {nb.metadata.get('jupytext')}, the source's "
                        f"header says {pairing}")
        nb = copy.deepcopy(nb)          # compare the cells regardless
        nb.metadata["jupytext"] = pairing
    have = jupytext.writes(nb, fmt=_source.FMT)
    if have != want:
        diff = list(difflib.unified_diff(want.splitlines(), have.splitlines(), src.name,
                                         nb_name, lineterm="", n=0))
        problems.append("\n    ".join(diff[:10] + (["..."] if len(diff) > 10 else [])))
    if not problems:
        return None
    return f"{nb_name} is out of step with {src.name} ({fix}):\n    " + "\n    ".join(problems)


def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def differences(src: Path):
    """How ``src`` and its committed notebook disagree (empty: they are a jupytext pair)."""
    target = target_for(src)
    if not target.exists():
        return [f"{target.name} is missing: run python -m tools.nbbuild {src.stem}"]
    text = src.read_text(encoding="utf-8")
    if not _source.is_source(text):
        return [f"{src.name} is not a jupytext script: run python -m tools.to_jupytext {src}"]
    msg = pair_difference(nbformat.read(target, as_version=4), src, target.name,
                          f"source edited: python -m tools.nbbuild {src.stem}; notebook edited "
                          f"without jupytext: jupytext --to py:percent -o {_rel(src)} {_rel(target)}")
    return [msg] if msg else []


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*", help="notebook stems, e.g. 06_gmp_scheduler")
    ap.add_argument("--no-execute", action="store_true")
    ap.add_argument("--check", action="store_true", help="only compare sources and notebooks")
    args = ap.parse_args(argv)
    files = source_files(args.names)
    if args.check:
        probs = [p for f in files for p in differences(f)]
        print("\n".join(probs) or f"{len(files)} notebooks match their sources")
        return 1 if probs else 0
    for f in files:
        target, dt = build(f, run=not args.no_execute)
        print(f"{target.relative_to(ROOT)}  {dt:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
