"""Build reveal.js slides of each lecture notebook (``notebooks/*.ipynb``), both editions:
the Chinese notebooks (``notebooks/zh/*.ipynb``) become ``<out>/zh/<name>.slides.html``,
declared ``lang="zh-CN"``, with the course's CJK subset font after the system CJK fonts
(as on the site; copied to ``<out>/_fonts``).

    python tools/build_slides.py [--notebooks notebooks] [--out build/slides]
                                 [--reveal-prefix URL_OR_PATH]

nbconvert's SlidesExporter renders one ``<name>.slides.html`` per notebook, with the
stored outputs. A notebook whose cells carry ``slideshow`` metadata is used as it is.
One without any gets it assigned on an in-memory copy (the committed notebook is never
edited): a markdown cell that starts with a ``#`` or ``##`` heading opens a new slide, one
that starts with ``###`` a sub-slide (down arrow), every other cell continues the current
slide. Cells tagged ``remove-cell`` (assert cells) are left out. Slides scroll when their content is taller than the screen.

Offline: every script a deck needs (reveal.js, require.js, jQuery) is vendored in
``tools/vendor`` with its licence (see its README) and copied to ``<out>/_vendor``; the decks
use the course's template (``tools/templates/gmpkit_reveal``), which loads nothing from the
network: no MathJax, no mermaid, no widget renderer. Widgets show their last saved picture
and summary as static HTML, as on the static site. ``--reveal-prefix`` points the decks at
another reveal.js 4 copy (a URL or a path) instead of the vendored one.
"""

from __future__ import annotations

import argparse
import copy
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
VENDOR = REPO / "tools" / "vendor"
TEMPLATES = REPO / "tools" / "templates"
VENDOR_DIR = "_vendor"  # where the decks find the vendored scripts, relative to them
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


def find_lectures(notebook_dir: Path) -> list[Path]:
    """The lecture notebooks: English (``*.ipynb``), then Chinese (``zh/*.ipynb``)."""
    return sorted(Path(notebook_dir).glob("*.ipynb")) + sorted(Path(notebook_dir).glob("zh/*.ipynb"))


def build_slides(notebook_dir=REPO / "notebooks", out_dir=REPO / "build" / "slides",
                 reveal_prefix: str | None = None, log=print) -> list[Path]:
    """Write one ``<stem>.slides.html`` per lecture notebook; return their paths."""
    from nbconvert import SlidesExporter

    from tools.build_site import add_static_views, without_hidden_cells

    notebook_dir, out_dir = Path(notebook_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(VENDOR, out_dir / VENDOR_DIR, dirs_exist_ok=True)
    from tools.build_site import FONTS_DIR, LANG_CODE, font_files, zh_style

    def exporter_for(up: str):
        prefix = reveal_prefix or f"{VENDOR_DIR}/reveal.js"
        if not re.match(r"[a-z]+:|/", prefix):           # a relative path: from the deck's folder
            prefix = up + prefix
        return SlidesExporter(
            template_name="gmpkit_reveal",
            extra_template_basedirs=[str(TEMPLATES)],
            reveal_scroll=True,
            reveal_theme="white",
            reveal_url_prefix=prefix,
            require_js_url=f"{up}{VENDOR_DIR}/requirejs/require.js",
            jquery_url=f"{up}{VENDOR_DIR}/jquery/jquery.min.js",
        )

    exporters = {"en": exporter_for(""), "zh": exporter_for("../")}
    written = []
    for nb_path in find_lectures(notebook_dir):
        t0 = time.monotonic()
        lang = "zh" if nb_path.parent.name == "zh" and nb_path.parent != notebook_dir else "en"
        nb = with_slide_metadata(without_hidden_cells(nbformat.read(nb_path, as_version=4)))
        add_static_views(nb, lang)
        body, _ = exporters[lang].from_notebook_node(
            nb, resources={"metadata": {"path": str(nb_path.parent)}}
        )
        rel = Path(f"{nb_path.stem}.slides.html") if lang == "en" else \
            Path("zh") / f"{nb_path.stem}.slides.html"
        body = re.sub(r"<html\b[^>]*>", f'<html lang="{LANG_CODE[lang]}">', body, count=1)
        if lang == "zh":
            body = body.replace("</head>", zh_style(rel) + "\n</head>", 1)
            fonts = out_dir / FONTS_DIR
            fonts.mkdir(exist_ok=True)
            for f in font_files().values():
                shutil.copyfile(f, fonts / f.name)
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
        written.append(target)
        log(f"{rel.as_posix()}  ({time.monotonic() - t0:.1f} s)")
    return written


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--notebooks", type=Path, default=REPO / "notebooks")
    ap.add_argument("--out", type=Path, default=REPO / "build" / "slides")
    ap.add_argument("--reveal-prefix", default=None,
                    help="URL or relative path of a reveal.js 4 copy (default: the vendored one)")
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
