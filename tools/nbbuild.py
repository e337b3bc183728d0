"""Build the course notebooks from their plain-text sources, with outputs.

Sources live in ``notebooks/src/<name>.py`` (homework masters, in
``notebooks/homework/src``, are built by ``python -m gmpkit.homework build``)
in the "percent" format, so they diff and review like code::

    # %% [markdown]
    # # Title
    # Prose, one '# ' prefix per line.

    # %%
    import gmpkit as gk

    # %% tags=["nbval-ignore-output"]
    panel  # a widget: its view varies, so nbval skips the comparison

Markdown cells may carry ``slide`` metadata for ``make slides``:
``# %% [markdown] slide="slide"`` (or "subslide", "fragment", "skip", "notes").

Any other cell metadata is written as jupytext writes it, ``key=<JSON>`` after
the marker, so the sources stay readable by jupytext.  The course uses it for
the test scaffolding learners should not see (assert cells, which nbval needs)::

    # %% tags=["remove-cell"] jupyter={"source_hidden": true, "outputs_hidden": true}
    assert panel.data["global"] == 129

``jupyter.source_hidden`` / ``outputs_hidden`` collapse the cell in JupyterLab
(a thin bar the learner can click open); the ``remove-cell`` tag leaves it out of
the static site (tools/build_site.py) and the slides (tools/build_slides.py).

``python -m tools.nbbuild [NAME ...]`` writes ``notebooks/<name>.ipynb`` and
executes it in the notebook's folder (as JupyterLab and nbval do), storing
outputs and widget state, so the committed notebook reads well on a web page
and strict nbval can compare every deterministic output.
``--no-execute`` only converts.  ``--check`` fails if a committed notebook's
cells differ from its source (used by the tests).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"
CELL_RE = re.compile(r"^# %%(?P<md> \[markdown\])?(?P<rest>.*)$")
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def source_files(names=None):
    """All lecture notebook sources, optionally filtered by stem."""
    # Homework masters (notebooks/homework/src) have their own builder, which writes a
    # student and a solution version: python -m gmpkit.homework build.
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


HIDDEN_TAG = "remove-cell"
HIDDEN_HEADER = '# %% tags=["remove-cell"] jupyter={"source_hidden": true, "outputs_hidden": true}'
_KEY = re.compile(r"\s*([A-Za-z_][\w.-]*)=")


def _meta(rest, where="cell header"):
    """Cell metadata from what follows ``# %%`` (and ``[markdown]``).

    jupytext's ``key=<JSON value>`` pairs; ``slide="x"`` becomes
    ``slideshow.slide_type``.

    >>> _meta(' tags=["a", "b"] jupyter={"source_hidden": true}')
    {'tags': ['a', 'b'], 'jupyter': {'source_hidden': True}}
    >>> _meta(' slide="slide"')
    {'slideshow': {'slide_type': 'slide'}}
    """
    import json
    meta, pos, dec = {}, 0, json.JSONDecoder()
    rest = rest.rstrip()
    while pos < len(rest):
        m = _KEY.match(rest, pos)
        if not m:
            raise SystemExit(f"{where}: cannot read {rest[pos:].strip()!r}: write metadata as "
                             'key=<JSON>, e.g. tags=["nbval-ignore-output"]')
        try:
            value, end = dec.raw_decode(rest, m.end())
        except json.JSONDecodeError as e:
            raise SystemExit(f"{where}: the value of {m.group(1)} is not JSON ({e.msg}); "
                             'quote strings with double quotes, e.g. slide="slide"') from None
        meta[m.group(1)] = value
        pos = end
    if "slide" in meta:
        meta["slideshow"] = {"slide_type": meta.pop("slide")}
    return meta


def is_hidden(cell) -> bool:
    """A cell kept for the tests but not shown to learners (tag ``remove-cell``)."""
    return HIDDEN_TAG in cell.get("metadata", {}).get("tags", [])


def parse(text, where="source"):
    """Split a percent-format source into nbformat cells."""
    cells, kind, meta, lines = [], None, {}, []

    def flush():
        if kind is None:
            return
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        if kind == "markdown":
            body = "\n".join(re.sub(r"^# ?", "", ln) for ln in lines)
            cells.append(nbformat.v4.new_markdown_cell(body, metadata=meta))
        else:
            cells.append(nbformat.v4.new_code_cell("\n".join(lines), metadata=meta))

    for n, line in enumerate(text.splitlines(), 1):
        m = CELL_RE.match(line)
        if m:
            flush()
            kind = "markdown" if m.group("md") else "code"
            meta, lines = _meta(m.group("rest"), f"{where}:{n}"), []
        elif kind is not None:
            lines.append(line)
    flush()
    return cells


def to_notebook(src: Path):
    nb = nbformat.v4.new_notebook()
    nb.cells = parse(src.read_text(), src.name)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    # nbformat gives each new cell a random id; make ids stable (and diffable).
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{src.stem[:20]}-{i:03d}".replace("_", "-")
    return nb


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


def differences(src: Path):
    """Cells whose source or type differs between ``src`` and its committed notebook."""
    target = target_for(src)
    if not target.exists():
        return [f"{target.name} is missing: run python -m tools.nbbuild {src.stem}"]
    have = nbformat.read(target, as_version=4).cells
    want = to_notebook(src).cells
    out = []
    if len(have) != len(want):
        out.append(f"{target.name}: {len(have)} cells, source has {len(want)}")
    for i, (a, b) in enumerate(zip(have, want)):
        if a.cell_type != b.cell_type or a.source != b.source:
            out.append(f"{target.name} cell {i} differs from {src.name}")
        if a.metadata.get("tags", []) != b.metadata.get("tags", []):
            out.append(f"{target.name} cell {i} tags differ from {src.name}")
        if a.metadata.get("jupyter", {}) != b.metadata.get("jupyter", {}):
            out.append(f"{target.name} cell {i} hidden/collapsed state differs from {src.name}")
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*", help="notebook stems, e.g. 06_gmp_queues")
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
