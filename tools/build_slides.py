"""Build reveal.js slides of each lecture notebook (``notebooks/*.ipynb``).

    python tools/build_slides.py [--notebooks notebooks] [--out build/slides]
                                 [--reveal-prefix URL_OR_PATH]

nbconvert's SlidesExporter renders one ``<name>.slides.html`` per notebook, with the
stored outputs. A notebook whose cells carry ``slideshow`` metadata is used as it is.
One without any gets it assigned on an in-memory copy (the committed notebook is never
edited): a markdown cell that starts with a ``#`` or ``##`` heading opens a new slide, one
that starts with ``###`` a sub-slide (down arrow), every other cell continues the current
slide. Cells tagged ``remove-cell`` (assert cells) are left out. Slides scroll when their content is taller than the screen.

reveal.js: by default the pages load reveal.js 4 (and require.js) from a CDN, nbconvert's
default. ``--reveal-prefix`` points them at another copy instead, e.g. a folder holding
reveal.js's ``dist/`` and ``plugin/`` (``npm pack reveal.js@4.0.2`` gives one) for a
classroom without a network.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
_HEADING = re.compile(r"^\s*(#{1,6})\s+\S")


def has_slide_metadata(nb) -> bool:
    return any("slideshow" in cell.get("metadata", {}) for cell in nb.cells)


def slide_type_for(cell) -> str:
    if cell.cell_type == "markdown":
        m = _HEADING.match(cell.source)
        if m:
            return "slide" if len(m.group(1)) <= 2 else "subslide"
    return "-"


def with_slide_metadata(nb):
    """A copy of ``nb`` with ``slideshow.slide_type`` on every cell (unchanged if the
    notebook already has slide metadata on any cell)."""
    nb = copy.deepcopy(nb)
    if has_slide_metadata(nb):
        return nb
    for cell in nb.cells:
        cell.metadata["slideshow"] = {"slide_type": slide_type_for(cell)}
    return nb


def without_hidden_cells(nb):
    """A copy of ``nb`` without the cells tagged ``remove-cell`` (assert cells: nbval
    needs them, an audience does not)."""
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if "remove-cell" not in c.get("metadata", {}).get("tags", [])]
    return nb


def find_lectures(notebook_dir: Path) -> list[Path]:
    return sorted(Path(notebook_dir).glob("*.ipynb"))


def build_slides(notebook_dir=REPO / "notebooks", out_dir=REPO / "build" / "slides",
                 reveal_prefix: str | None = None, log=print) -> list[Path]:
    """Write one ``<stem>.slides.html`` per lecture notebook; return their paths."""
    from nbconvert import SlidesExporter

    notebook_dir, out_dir = Path(notebook_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    kwargs = {"reveal_scroll": True}
    if reveal_prefix:
        kwargs["reveal_url_prefix"] = reveal_prefix
    exporter = SlidesExporter(**kwargs)
    written = []
    for nb_path in find_lectures(notebook_dir):
        t0 = time.monotonic()
        nb = with_slide_metadata(without_hidden_cells(nbformat.read(nb_path, as_version=4)))
        body, _ = exporter.from_notebook_node(
            nb, resources={"metadata": {"path": str(nb_path.parent)}}
        )
        target = out_dir / f"{nb_path.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
        log(f"{target.name}  ({time.monotonic() - t0:.1f} s)")
    return written


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--notebooks", type=Path, default=REPO / "notebooks")
    ap.add_argument("--out", type=Path, default=REPO / "build" / "slides")
    ap.add_argument("--reveal-prefix", default=None,
                    help="URL or relative path of a reveal.js 4 copy (default: nbconvert's CDN)")
    args = ap.parse_args(argv)
    if not args.notebooks.is_dir():
        print(f"no notebook folder at {args.notebooks}", file=sys.stderr)
        return 1
    t0 = time.monotonic()
    decks = build_slides(args.notebooks, args.out, reveal_prefix=args.reveal_prefix)
    print(f"wrote {len(decks)} slide decks to {args.out} in {time.monotonic() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
