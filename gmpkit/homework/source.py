"""Read a notebook source (a jupytext ``py:percent`` script) into a notebook.

The lecture sources (``notebooks/src``) and the homework masters
(``notebooks/homework/src``) are jupytext percent scripts: a YAML header with
the pairing and the kernelspec, then ``# %%`` code cells and ``# %% [markdown]``
cells whose ``key=<JSON>`` pairs are the cell's metadata.  jupytext reads
them; this module only adds what the course's builds need on top: stable cell
ids (diffable notebooks), ``language_info``, and no jupytext bookkeeping in
the cells.  It lives in the package because the homework builder does (an
installed package has no ``tools/``); ``tools/nbbuild.py`` uses it too.

jupytext is needed only to *build* notebooks from sources (``make test``'s
install has it); following or grading the course never reads a source.

>>> nb = parse('# ---\\n# jupyter:\\n#   kernelspec:\\n#     display_name: Python 3\\n'
...            '#     name: python3\\n# ---\\n\\n# %% [markdown]\\n# # Title\\n\\n'
...            '# %% tags=["check"]\\nhw.check("q1", answer_q1)\\n')
>>> [(c.cell_type, c.source, c.metadata.get("tags")) for c in nb.cells]
[('markdown', '# Title', None), ('code', 'hw.check("q1", answer_q1)', ['check'])]
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["parse", "to_notebook", "is_source", "FMT", "PAIRING_KEYS"]

FMT = "py:percent"
# jupytext's notebook-level options a built notebook keeps, so that JupyterLab (with
# jupytext) writes the paired source back exactly as it is (text_representation is
# the text file's own business).
PAIRING_KEYS = ("formats", "comment_magics", "notebook_metadata_filter", "cell_metadata_filter")
_HEADER = "# ---\n# jupyter:\n"


def _jupytext():
    try:
        import jupytext
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "building notebooks from their sources needs jupytext, a build and test tool "
            "(following or grading the course does not): "
            "pip install -c constraints.txt -e '.[course,test]'") from None
    return jupytext


def is_source(text: str) -> bool:
    """Whether ``text`` is a jupytext percent script with its header."""
    return text.startswith(_HEADER)


def parse(text: str, where: str = "source"):
    """The notebook jupytext reads from ``text`` (cells and header metadata, as is)."""
    if not is_source(text):
        raise ValueError(f"{where} has no jupytext header ('# ---' / '# jupyter:'): convert it "
                         f"with python -m tools.to_jupytext {where}")
    return _jupytext().reads(text, fmt=FMT)


def _bookkeeping():
    from jupytext.metadata_filter import _JUPYTEXT_CELL_METADATA
    return set(_JUPYTEXT_CELL_METADATA)


def to_notebook(src):
    """The notebook of source ``src`` (a path): cells with stable ids, the pairing metadata.

    The cells' sources and metadata are jupytext's reading of the file, minus
    jupytext's spacing bookkeeping (``lines_to_next_cell`` ...), which belongs in
    the text file only.
    """
    import nbformat
    src = Path(src)
    read = parse(src.read_text(encoding="utf-8"), str(src))
    if "kernelspec" not in read.metadata:
        raise ValueError(f"{src}: its header has no kernelspec: run python -m tools.to_jupytext {src}")
    nb = nbformat.v4.new_notebook()
    skip = _bookkeeping()
    for i, c in enumerate(read.cells):
        meta = {k: v for k, v in c.metadata.items() if k not in skip}
        new = (nbformat.v4.new_markdown_cell if c.cell_type == "markdown" else
               nbformat.v4.new_raw_cell if c.cell_type == "raw" else nbformat.v4.new_code_cell)
        cell = new(c.source, metadata=meta)
        # nbformat gives each new cell a random id; make ids stable (and diffable).
        cell["id"] = f"{src.stem[:20]}-{i:03d}".replace("_", "-")
        nb.cells.append(cell)
    pairing = {k: v for k, v in read.metadata.get("jupytext", {}).items() if k in PAIRING_KEYS}
    if pairing:
        nb.metadata["jupytext"] = pairing
    nb.metadata["kernelspec"] = dict(read.metadata["kernelspec"])
    nb.metadata["language_info"] = {"name": "python"}
    return nb
