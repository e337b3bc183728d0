"""Convert notebook sources to jupytext's ``py:percent`` format (idempotent).

The course's sources used to be a home-made percent format read by
``tools/nbbuild.py`` (and a copy of its reader in ``gmpkit/homework/source.py``)::

    # %% [markdown] slide="slide"
    # # Title

    # %% tags=["nbval-ignore-output"] jupyter={"source_hidden": true}
    panel

This tool rewrites such a file as jupytext writes it, so JupyterLab (with
jupytext) can open it as a notebook:

* a YAML header with ``jupytext.formats: py:percent`` (the source is not paired with
  a built notebook: both editions are derived from it), ``comment_magics:
  false`` (``%%go`` cells stay plain Go, as before), a filter that keeps
  jupytext's version out of the header (no diff when jupytext is upgraded),
  and the kernelspec;
* every ``key=<JSON>`` pair after ``# %%`` kept as cell metadata, whatever
  the key (``tags``, ``jupyter``, ``lang`` ...); the old shorthand
  ``slide="x"`` becomes jupytext's ``slideshow={"slide_type": "x"}``, and a
  lenient tag list (``tags=['a', b]``) becomes JSON;
* cell sources unchanged (blank lines at a cell's edges dropped, as the old
  reader did).

Until issue 15 each source was paired with its built notebook (``ipynb,src//py:percent``);
since a source holds two languages and builds two editions, it is paired with nothing, and
converting an old header rewrites that one line.

A file that already has a jupytext header is read by jupytext and written
back the same way, so running the tool twice changes nothing::

    python -m tools.to_jupytext notebooks/src notebooks/homework/src   # convert (in place)
    python -m tools.to_jupytext --check notebooks/src ...              # exit 1 if any would change

After merging a branch whose sources are still in the old format (or an auto-merged
mixture: a jupytext header with old-style ``slide="slide"`` cells added below it),
convert, rebuild and check::

    python -m tools.to_jupytext notebooks/src notebooks/homework/src
    python -m tools.nbbuild && python -m gmpkit.homework build
    python -m tools.nbbuild --check && python -m gmpkit.homework check

>>> text = convert('# %% [markdown] slide="slide"\\n# # Hi\\n\\n# %% tags=[a]\\nx = 1\\n')
>>> print(text.split("# ---\\n")[-1].strip())
# %% [markdown] slideshow={"slide_type": "slide"}
# # Hi
<BLANKLINE>
# %% tags=["a"]
x = 1
>>> convert(text) == text
True
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import nbformat

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
# A source is a text notebook on its own: its editions (notebooks/NN.ipynb, notebooks/zh/...,
# homework student/ and solutions/) are derived by the builds, not jupytext pairs.
LECTURE_FORMATS = "py:percent"
HOMEWORK_FORMATS = "py:percent"
# Notebook-level jupytext options every source carries (and its built .ipynb, so that
# JupyterLab writes the .py back the same way).
JUPYTEXT_OPTIONS = {
    "comment_magics": False,
    "notebook_metadata_filter": "-jupytext.text_representation.jupytext_version",
}
FMT = "py:percent"
HEADER_RE = re.compile(r"\A# ---\n# jupyter:\n")
LEGACY_CELL_RE = re.compile(r"^# %%(?P<md> \[markdown\])?(?P<rest>.*)$")
_KEY = re.compile(r"\s*([A-Za-z_][\w.-]*)=")
_LENIENT_LIST = re.compile(r"\[([^\]\[]*)\]")


class SourceError(ValueError):
    """A source this tool cannot read; the message names the line and the fix."""


def is_jupytext(text: str) -> bool:
    """Whether ``text`` starts with jupytext's YAML header."""
    return bool(HEADER_RE.match(text))


def legacy_metadata(rest: str, where: str = "cell header") -> dict:
    """The metadata of an old-format header: what follows ``# %%`` (and ``[markdown]``).

    >>> legacy_metadata(' tags=["a", "b"] jupyter={"source_hidden": true}')
    {'tags': ['a', 'b'], 'jupyter': {'source_hidden': True}}
    >>> legacy_metadata(" tags=['x', y] slide=\\"subslide\\"")
    {'tags': ['x', 'y'], 'slideshow': {'slide_type': 'subslide'}}
    """
    meta, pos, dec = {}, 0, json.JSONDecoder()
    rest = rest.rstrip()
    while pos < len(rest):
        m = _KEY.match(rest, pos)
        if not m:
            raise SourceError(f"{where}: cannot read {rest[pos:].strip()!r}: write cell metadata "
                              f'as key=<JSON> pairs, e.g. tags=["nbval-ignore-output"]')
        key, start = m.group(1), m.end()
        try:
            value, pos = dec.raw_decode(rest, start)
        except json.JSONDecodeError as e:
            lenient = _LENIENT_LIST.match(rest, start) if key == "tags" else None
            if not lenient:
                raise SourceError(f"{where}: the value of {key} is not JSON ({e.msg}); quote "
                                  f'strings with double quotes, e.g. slide="slide"') from None
            # the old reader's tags=[a, 'b']: bare or single-quoted names
            value = [t.strip().strip("'\"") for t in lenient.group(1).split(",") if t.strip()]
            pos = lenient.end()
        meta[key] = value
    return normalise(meta)


def normalise(meta: dict) -> dict:
    """Old shorthands -> jupytext's metadata: ``slide`` -> ``slideshow.slide_type``."""
    meta = dict(meta)
    if "slide" in meta:
        slide = meta.pop("slide")
        meta["slideshow"] = {**meta.get("slideshow", {}), "slide_type": slide}
    return meta


def parse_legacy(text: str, where: str = "source") -> list:
    """The cells of an old-format source (the reader tools/nbbuild.py used to have)."""
    cells, kind, meta, lines = [], None, {}, []

    def flush():
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        if kind == "markdown":
            body = "\n".join(re.sub(r"^# ?", "", ln) for ln in lines)
            cells.append(nbformat.v4.new_markdown_cell(body, metadata=meta))
        elif kind == "code":
            cells.append(nbformat.v4.new_code_cell("\n".join(lines), metadata=meta))

    for n, line in enumerate(text.splitlines(), 1):
        m = LEGACY_CELL_RE.match(line)
        if m:
            flush()
            kind = "markdown" if m.group("md") else "code"
            meta, lines = legacy_metadata(m.group("rest"), f"{where}:{n}"), []
        elif kind is not None:
            lines.append(line)
        elif line.strip():
            raise SourceError(f"{where}:{n}: text before the first '# %%' cell marker would be "
                              f"lost; put it in a cell (# %% [markdown]) or delete it")
    flush()
    return cells


def formats_for(path) -> str:
    """The jupytext formats of a source (one, for lectures and homework alike)."""
    p = Path(path).resolve()
    return HOMEWORK_FORMATS if p.parent.parent.name == "homework" else LECTURE_FORMATS


def to_notebook(text: str, formats: str = LECTURE_FORMATS, where: str = "source"):
    """A source (old format or jupytext) -> notebook with the course's jupytext metadata."""
    import jupytext
    if is_jupytext(text):
        nb = jupytext.reads(text, fmt=FMT)
        for c in nb.cells:
            c.metadata = normalise(c.metadata)
        kernelspec = nb.metadata.get("kernelspec") or dict(KERNELSPEC)
    else:
        nb = nbformat.v4.new_notebook()
        nb.cells = parse_legacy(text, where)
        kernelspec = dict(KERNELSPEC)
    nb.metadata = {"jupytext": {"formats": formats, **JUPYTEXT_OPTIONS},
                   "kernelspec": kernelspec}
    return nb


def convert(text: str, formats: str = LECTURE_FORMATS, where: str = "source") -> str:
    """The jupytext ``py:percent`` text of a source; ``convert(convert(t)) == convert(t)``."""
    import jupytext
    return jupytext.writes(to_notebook(text, formats, where), fmt=FMT)


def sources(paths):
    """The ``.py`` files named by ``paths`` (files, or folders: their ``*.py``)."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(p.glob("*.py"))
        elif p.suffix == ".py" and p.is_file():
            out.append(p)
        else:
            raise SystemExit(f"{p}: not a .py source or a folder of them")
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+", help="sources or folders, e.g. notebooks/src")
    ap.add_argument("--check", action="store_true",
                    help="change nothing; exit 1 if a source is not in jupytext's form")
    args = ap.parse_args(argv)
    changed = []
    for path in sources(args.paths):
        text = path.read_text(encoding="utf-8")
        try:
            new = convert(text, formats_for(path), where=str(path))
        except SourceError as e:
            raise SystemExit(str(e)) from None
        if new != text:
            changed.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    verb = "would change" if args.check else "converted"
    print("\n".join(f"{verb} {p}" for p in changed) or "all sources are jupytext percent scripts")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
