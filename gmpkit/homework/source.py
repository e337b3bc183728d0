"""Read a homework master (a percent-format script) into a notebook.

The masters in ``notebooks/homework/src`` use the same "percent" cell format
as the lecture sources (``# %%`` starts a code cell, ``# %% [markdown]`` a
Markdown cell, ``tags=[...]`` sets cell tags).  The homework builder lives in
the package, so its reader does too: ``build`` must not import ``tools/``
from the repository (an installed package has no ``tools/``).

>>> cells = parse('# %% [markdown]\\n# # Title\\n\\n# %% tags=["check"]\\nhw.check("q1", answer_q1)\\n')
>>> [(c.cell_type, c.source, c.metadata.get("tags")) for c in cells]
[('markdown', '# Title', None), ('code', 'hw.check("q1", answer_q1)', ['check'])]
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

__all__ = ["parse", "to_notebook", "KERNELSPEC"]

CELL_RE = re.compile(r"^# %%(?P<md> \[markdown\])?(?P<rest>.*)$")
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _meta(rest):
    meta = {}
    tags = re.search(r'tags=\[([^\]]*)\]', rest)
    if tags:
        meta["tags"] = [t.strip().strip("'\"") for t in tags.group(1).split(",") if t.strip()]
    return meta


def parse(text):
    """Split percent-format text into nbformat cells (blank edge lines dropped)."""
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

    for line in text.splitlines():
        m = CELL_RE.match(line)
        if m:
            flush()
            kind = "markdown" if m.group("md") else "code"
            meta, lines = _meta(m.group("rest")), []
        elif kind is not None:
            lines.append(line)
    flush()
    return cells


def to_notebook(src):
    """The notebook of master ``src`` (a path), with stable cell ids."""
    src = Path(src)
    nb = nbformat.v4.new_notebook()
    nb.cells = parse(src.read_text(encoding="utf-8"))
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{src.stem[:20]}-{i:03d}".replace("_", "-")
    return nb
