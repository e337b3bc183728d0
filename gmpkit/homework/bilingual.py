"""One source, two editions (prototype for issue 15; see DESIGN.md "The Chinese edition").

A bilingual source is an ordinary percent-format notebook source (jupytext's
``py:percent``) in which every prose cell comes as an adjacent pair, English first::

    # %% [markdown] lang="en"
    # ## Work stealing
    # An idle P takes half of another P's local run queue.

    # %% [markdown] lang="zh"
    # ## 工作窃取
    # 空闲的 P 会从别的 P 的本地运行队列里拿走一半 goroutine。

    # %%
    panel = gmp.stealing()        # code: one copy, shared by both editions

``lang`` is plain cell metadata: jupytext reads and writes it unchanged, and
:func:`read` here is jupytext's reader.  A markdown cell without
``lang`` is shared (a quote from the seed article, a table of numbers, an image).

* :func:`edition` keeps the shared cells and the cells of one language, drops the
  ``lang`` key, and for Chinese puts ``gk.set_language("zh")`` before the first code
  cell, so figures and panels speak Chinese too.
* :func:`problems` lists what the twin-cell test rejects: an English prose cell with
  no Chinese twin right after it (or the reverse), a code cell with ``lang``, an
  unknown language.
* :func:`chinese_share` measures how much of a Chinese cell's prose is Chinese
  (code spans, URLs, HTML and identifiers kept in English do not count).

    python -m tools.bilingual check SRC.py ...          # twin problems, exit 1 if any
    python -m tools.bilingual split SRC.py --lang zh OUT.ipynb   # one edition, not executed

It lives in the package because the homework builder (``python -m gmpkit.homework
build``) splits the homework masters too; ``tools/bilingual.py`` is the command line and
``tools/nbbuild.py`` the lectures' build.

>>> nb = read('''# %% [markdown] lang="en"
... # Hello
...
... # %% [markdown] lang="zh"
... # 你好
...
... # %%
... x = 1
... ''')
>>> [c.source for c in edition(nb, "en").cells]
['Hello', 'x = 1']
>>> [c.source for c in edition(nb, "zh").cells]
['你好', 'import gmpkit as gk\\ngk.set_language("zh")', 'x = 1']
>>> languages(nb), languages(edition(nb, "en"))
(('en', 'zh'), ('en',))
>>> problems(nb)
[]
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat


LANGS = ("en", "zh")
KEY = "lang"
LANGUAGE_CELL = {"zh": 'import gmpkit as gk\ngk.set_language("zh")'}
LANGUAGE_TAG = "gmpkit-language"
# the language cell: kept in JupyterLab (a learner sees how to switch), left out of the site
# and the slides like the assert cells
LANGUAGE_CELL_TAGS = [LANGUAGE_TAG, "remove-cell"]


def read(text):
    """A bilingual percent-format source -> notebook whose cells carry ``lang`` metadata
    (jupytext's reading; a jupytext header is optional here)."""
    from jupytext.metadata_filter import _JUPYTEXT_CELL_METADATA

    from .source import _jupytext
    nb = _jupytext().reads(text, fmt="py:percent")
    for c in nb.cells:
        for k in _JUPYTEXT_CELL_METADATA:
            c.metadata.pop(k, None)
    return nb


def languages(nb):
    """The editions a source has: ``("en",)`` until its first Chinese cell, then
    ``("en", "zh")`` (a source not translated yet builds its English edition only)."""
    have = {c.metadata.get(KEY) for c in nb.cells}
    return ("en",) + tuple(lang for lang in LANGS[1:] if lang in have)


def problems(nb):
    """What makes a bilingual notebook invalid, as readable messages (empty: fine)."""
    out, cells = [], nb.cells
    for i, c in enumerate(cells):
        lang = c.metadata.get(KEY)
        if lang is None:
            continue
        where = f"cell {i} ({c.source.strip().splitlines()[0][:40] if c.source.strip() else 'empty'!r})"
        if lang not in LANGS:
            out.append(f"{where}: unknown lang={lang!r}; use one of {', '.join(LANGS)}")
        elif c.cell_type != "markdown":
            out.append(f"{where}: code is shared by both editions; remove lang={lang!r} "
                       f"(text a learner reads from code goes through gmpkit.i18n.tr)")
        elif lang == "en":
            nxt = cells[i + 1] if i + 1 < len(cells) else None
            if nxt is None or nxt.cell_type != "markdown" or nxt.metadata.get(KEY) != "zh":
                out.append(f"{where}: English prose without its Chinese twin right after it")
        elif lang == "zh":
            prev = cells[i - 1] if i else None
            if prev is None or prev.cell_type != "markdown" or prev.metadata.get(KEY) != "en":
                out.append(f"{where}: Chinese prose without its English twin right before it")
    return out


def edition(nb, lang):
    """The notebook of one language: shared cells + that language's prose (a copy)."""
    if lang not in LANGS:
        raise ValueError(f"unknown edition {lang!r}; use one of {', '.join(LANGS)}")
    out = copy.deepcopy(nb)
    out.metadata.pop("jupytext", None)     # an edition is not the source's jupytext pair
    cells = []
    for c in out.cells:
        if c.metadata.get(KEY, lang) != lang:
            continue
        c.metadata.pop(KEY, None)
        cells.append(c)
    if lang in LANGUAGE_CELL:
        first_code = next((i for i, c in enumerate(cells) if c.cell_type == "code"), len(cells))
        cell = nbformat.v4.new_code_cell(LANGUAGE_CELL[lang],
                                         metadata={"tags": list(LANGUAGE_CELL_TAGS)})
        cell["id"] = LANGUAGE_TAG          # stable (nbformat would pick a random id)
        cells.insert(first_code, cell)
    out.cells = cells
    return out


def is_language_cell(cell):
    return LANGUAGE_TAG in cell.get("metadata", {}).get("tags", [])


def code_cells(nb):
    """The code a notebook runs, minus the language cell: equal in both editions."""
    return [c.source for c in nb.cells if c.cell_type == "code" and not is_language_cell(c)]


# code blocks, code spans, maths, HTML tags, links to a web page (label too: the title of
# an English source is a name, like an identifier), other link targets, bare URLs
_SKIP = re.compile(r"```.*?```|`[^`]*`|\$[^$]*\$|<[^>]+>|\[[^\]]*\]\(https?://[^)]*\)"
                   r"|\]\([^)]*\)|https?://\S+", re.S)
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def chinese_share(markdown, kept=("goroutine", "goroutines")):
    """Share of a cell's prose that is Chinese: CJK characters / (CJK characters +
    2 × English words), ignoring code spans, maths, HTML, links to web pages (their
    labels are often an English source's title), other link targets, URLs and the
    words in ``kept`` (terms Chinese text keeps in English).  One English word weighs
    two characters, about what it takes to say it in Chinese.

    >>> chinese_share("空闲的 P 会从别的 P 的本地运行队列里拿走一半 goroutine。") > 0.9
    True
    >>> chinese_share("An idle P takes half of another P's queue.") == 0.0
    True
    >>> chinese_share("1. [Scalable Go Scheduler Design Doc](https://golang.org/s/go11sched)：设计文档")
    1.0
    """
    text = _SKIP.sub(" ", markdown)
    cjk = len(_CJK.findall(text))
    words = [w for w in _WORD.findall(text) if w.lower() not in kept and len(w) > 1]
    total = cjk + 2 * len(words)
    return cjk / total if total else 1.0


_WIDE = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"          # CJK and full-width punctuation
_ENDS_WIDE = re.compile(f"[{_WIDE}]$")
_STARTS_WIDE = re.compile(f"^(?:\\*\\*|\\*|_)?[{_WIDE}]")
_BLOCK = re.compile(r"^(?:#|[-*+] |>|\||\d+[.)] |```|<|$)")


def soft_breaks(markdown):
    r"""Lines of a cell whose line break falls between two Chinese characters inside one
    paragraph: browsers render such a break as a stray space ("答案， 把它"), so Chinese
    prose is written one paragraph per line.  Returns the 1-based numbers of the lines
    that should be joined with the next.

    >>> soft_breaks("## 标题\n第一句，\n第二句。\n\n- 列表\n- 第二项")
    [2]
    >>> soft_breaks("English lines\nwrap as usual.\n在 `code`\nabc")
    []
    """
    lines, out, fence = markdown.splitlines(), [], False
    for i, (a, b) in enumerate(zip(lines, lines[1:]), 1):
        if a.lstrip().startswith("```"):
            fence = not fence
        if fence or _BLOCK.match(b.strip()) or a.lstrip().startswith(("#", "|")):
            continue
        if _ENDS_WIDE.search(a.rstrip()) and _STARTS_WIDE.match(b.strip()):
            out.append(i)
    return out


def edition_path(src, lang):
    """Where an edition of a lecture source ``notebooks/src/NN.py`` goes:
    ``notebooks/NN.ipynb`` (en, today's path) or ``notebooks/zh/NN.ipynb`` (zh).
    (Homework: the homework builder puts ``zh/`` inside ``student/`` and ``solutions/``.)"""
    src = Path(src)
    base = src.parent.parent
    return base / (f"{src.stem}.ipynb" if lang == "en" else f"{lang}/{src.stem}.ipynb")
