"""Build the course notebooks from their jupytext sources, with outputs: both editions.

Each lecture has one source, ``notebooks/src/<name>.py`` (jupytext ``py:percent``, what is
reviewed and merged), holding every prose cell in English and in Chinese as an adjacent
pair (``lang="en"`` then ``lang="zh"``; see :mod:`gmpkit.homework.bilingual` and DESIGN.md
"The Chinese edition").  It builds two editions, each executed in its own folder with its
own outputs and widget state:

* ``notebooks/<name>.ipynb``: the English edition (the path learners always had);
* ``notebooks/zh/<name>.ipynb``: the Chinese edition, whose language cell
  ``gk.set_language("zh")`` makes figures and panels speak Chinese too.

A source with no ``lang`` cell yet (not translated) builds its English edition only, and
``--check`` lists it under "no Chinese edition yet".  Editions are not jupytext pairs: they
are derived, like the homework's student notebooks.  An instructor edits the source (in an
editor, or opened in JupyterLab as a notebook through jupytext: README, "Editing a lesson")
and rebuilds.  Homework masters (``notebooks/homework/src``) are built by ``python -m
gmpkit.homework build``, which writes student and solution versions of both editions.

What is done here on top of jupytext's reading:

* execute each edition in its folder (as JupyterLab and nbval do) and store the outputs
  and the widget state, so the committed notebook reads well on a web page and strict
  nbval can compare every deterministic output;
* stable cell ids, and a cell that raised (without the ``raises-exception`` tag) stops
  the build;
* ``--check``: the source's twin cells are complete (``bilingual.problems``), and each
  committed edition is what the source gives, cell by cell (sources and metadata), with
  no jupytext pairing; a Chinese edition whose source has no Chinese is stale.

``python -m tools.nbbuild [NAME ...] [--lang en|zh]`` builds (``--no-execute``: no
outputs); ``--check`` only compares.  A source still in the old home-made format is
converted by ``python -m tools.to_jupytext``.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
from pathlib import Path

import nbformat

from gmpkit.homework import bilingual
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


def target_for(src: Path, lang: str = "en") -> Path:
    """``notebooks/<name>.ipynb`` (English) or ``notebooks/zh/<name>.ipynb``."""
    return bilingual.edition_path(src, lang)


def parse(text, where="source"):
    """The cells of a source's text (for tools and tests that read the prose)."""
    return _source.parse(text, where).cells


def to_notebook(src: Path):
    """The bilingual notebook of ``src``, not executed (see
    :func:`gmpkit.homework.source.to_notebook`): both languages' cells, ``lang`` kept."""
    try:
        return _source.to_notebook(src)
    except ValueError as e:
        raise SystemExit(str(e)) from None


def languages(src: Path):
    """The editions ``src`` has: ``("en",)`` or ``("en", "zh")``."""
    return bilingual.languages(to_notebook(src))


def editions(src: Path):
    """``{lang: notebook}`` of every edition ``src`` has, not executed."""
    nb = to_notebook(src)
    return {lang: bilingual.edition(nb, lang) for lang in bilingual.languages(nb)}


def execute(nb, cwd: Path, timeout=120):
    from nbclient import NotebookClient
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}},
                            record_timing=False, store_widget_state=True)
    client.execute()
    return nb


def build(src: Path, run=True, langs=None):
    """Write (and execute) the editions of ``src``: ``[(target, seconds)]``.

    ``langs`` limits which editions (default: every edition the source has)."""
    nb = to_notebook(src)
    probs = bilingual.problems(nb)
    if probs:
        raise SystemExit(f"{src.name}: " + f"\n{src.name}: ".join(probs))
    have = bilingual.languages(nb)
    unknown = [lang for lang in (langs or ()) if lang not in bilingual.LANGS]
    if unknown:
        raise SystemExit(f"unknown edition {unknown[0]!r}; use one of {', '.join(bilingual.LANGS)}")
    out = []
    for lang in have:
        if langs and lang not in langs:
            continue
        ed = bilingual.edition(nb, lang)
        target = target_for(src, lang)
        target.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        if run:
            execute(ed, target.parent)
            for i, c in enumerate(ed.cells):
                errs = [o for o in c.get("outputs", []) if o.get("output_type") == "error"]
                if errs and "raises-exception" not in c.metadata.get("tags", []):
                    raise SystemExit(f"{_rel(target)}: cell {i} raised "
                                     f"{errs[0]['ename']}: {errs[0]['evalue']}")
        nbformat.write(ed, target)
        out.append((target, time.perf_counter() - t0))
    return out


def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# cell metadata JupyterLab sets as one works: not an edit
_VIEW_STATE = {"autoscroll", "collapsed", "scrolled", "trusted", "execution", "ExecuteTime"}


def _cells(nb):
    return [(c.cell_type, c.source,
             {k: v for k, v in c.metadata.items() if k not in _VIEW_STATE}) for c in nb.cells]


def edition_difference(have, want, name: str, fix: str):
    """``None`` if notebook ``have`` holds the cells (sources and metadata) of edition
    ``want`` and no jupytext pairing, else a message naming the first difference and ``fix``."""
    problems = []
    if "jupytext" in have.metadata:
        problems.append("it carries jupytext pairing metadata (editions are derived, not paired)")
    a, b = _cells(want), _cells(have)
    if a != b:
        if len(a) != len(b):
            problems.append(f"{len(b)} cells, the source gives {len(a)}")
        k = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        if k < min(len(a), len(b)):
            (ta, sa, ma), (tb, sb, mb) = a[k], b[k]
            what = ("type" if ta != tb else "metadata" if sa == sb else "source")
            detail = (f"{mb} vs the source's {ma}" if what == "metadata" else
                      "\n    ".join(list(difflib.unified_diff(
                          sa.splitlines(), sb.splitlines(), "source", name, lineterm="",
                          n=0))[:8]) if what == "source" else f"{tb} vs {ta}")
            problems.append(f"cell {k} differs ({what}): {detail}")
    if not problems:
        return None
    return f"{name} is out of step with its source ({fix}):\n    " + "\n    ".join(problems)


def differences(src: Path):
    """How ``src`` and its committed editions disagree (empty: all built from it)."""
    text = src.read_text(encoding="utf-8")
    if not _source.is_source(text):
        return [f"{src.name} is not a jupytext script: run python -m tools.to_jupytext {src}"]
    nb = to_notebook(src)
    out = [f"{_rel(src)}: {p}" for p in bilingual.problems(nb)]
    have_langs = bilingual.languages(nb)
    for lang in bilingual.LANGS:
        target = target_for(src, lang)
        if lang not in have_langs:
            if target.exists():
                out.append(f"{_rel(target)} has no source any more ({src.name} has no "
                           f"lang=\"{lang}\" cell): delete it or translate the source")
            continue
        if not target.exists():
            out.append(f"{_rel(target)} is missing: run python -m tools.nbbuild {src.stem}")
            continue
        msg = edition_difference(
            nbformat.read(target, as_version=4), bilingual.edition(nb, lang), _rel(target),
            f"edit {_rel(src)}, not the notebook, then python -m tools.nbbuild {src.stem}")
        if msg:
            out.append(msg)
    return out


def untranslated(files=None):
    """Sources with no Chinese edition yet (no ``lang="zh"`` cell)."""
    return [f for f in (files or source_files()) if "zh" not in languages(f)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*", help="notebook stems, e.g. 06_gmp_queues")
    ap.add_argument("--lang", action="append", choices=bilingual.LANGS,
                    help="build only this edition (repeatable; default: every edition)")
    ap.add_argument("--no-execute", action="store_true")
    ap.add_argument("--check", action="store_true", help="only compare sources and notebooks")
    args = ap.parse_args(argv)
    files = source_files(args.names)
    if args.check:
        probs = [p for f in files for p in differences(f)]
        todo = untranslated(files)
        n = sum(len(languages(f)) for f in files)
        print("\n".join(probs) or f"{len(files)} sources, {n} editions: every notebook matches "
                                   f"its source")
        if todo:
            print(f"no Chinese edition yet ({len(todo)} of {len(files)} sources have no "
                  f'lang="zh" cell): {", ".join(f.stem for f in todo)}')
        return 1 if probs else 0
    for f in files:
        for target, dt in build(f, run=not args.no_execute, langs=args.lang):
            print(f"{_rel(target)}  {dt:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
