"""The course's two editions, for the convention tests (issue 15).

A lecture source (``notebooks/src/NN.py``) holds both languages; the convention tests are
applied to each edition separately: the English one with today's markers, the Chinese one
with the markers below (also listed for translators in DESIGN.md "The Chinese edition").
``sources_editions()`` gives ``(source, lang)`` for every edition a source has, and
``committed_editions()`` the built notebooks, ``notebooks/NN.ipynb`` and
``notebooks/zh/NN.ipynb``.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
LECTURE_SOURCES = sorted((NB_DIR / "src").glob("[0-9][0-9]_*.py"))
HOMEWORK_SOURCES = sorted((NB_DIR / "homework" / "src").glob("hw[0-9]*_*.py"))

# The literal markers the tests look for, per edition.  The Chinese bold markers keep the
# full-width colon OUTSIDE the bold: CommonMark does not close ``**先预测：**`` when a CJK
# character follows (a closing ``**`` after punctuation needs a space or punctuation next).
MARKERS = {
    "en": {"predict": "**Predict first:**", "notice": "**What to notice:**",
           "goals": "Learning goals", "summary": "Summary", "self_check": "Self-check",
           "glossary": "Glossary", "reading": "Further reading"},
    "zh": {"predict": "**先预测**：", "notice": "**观察要点**：",
           "goals": "学习目标", "summary": "小结", "self_check": "自测",
           "glossary": "术语表", "reading": "延伸阅读"},
}
# Chinese prose cells: at least this share of their prose is Chinese (bilingual.chinese_share)
CHINESE_SHARE_MIN = 0.6


def edition_of(src: Path, lang: str):
    """Edition ``lang`` of a source, as built but not executed."""
    from tools import nbbuild
    from tools.bilingual import edition
    return edition(nbbuild.to_notebook(src), lang)


def languages_of(src: Path):
    from tools import nbbuild
    return nbbuild.languages(src)


def sources_editions(sources=None):
    """``[(source, lang)]`` for every edition each lecture source has."""
    return [(s, lang) for s in (LECTURE_SOURCES if sources is None else sources)
            for lang in languages_of(s)]


def edition_id(item):
    src, lang = item if isinstance(item, tuple) else (item, "en")
    return src.stem if lang == "en" else f"{lang}/{src.stem}"


def committed_editions():
    """``[(notebook path, lang)]``: the English and Chinese lecture notebooks on disk."""
    out = [(p, "en") for p in sorted(NB_DIR.glob("[0-9][0-9]_*.ipynb"))]
    out += [(p, "zh") for p in sorted((NB_DIR / "zh").glob("[0-9][0-9]_*.ipynb"))]
    return out


def path_id(item):
    path, lang = item
    return path.stem if lang == "en" else f"{lang}/{path.stem}"


def markdown_text(cells) -> str:
    """The prose of a notebook's cells (dicts from JSON or nbformat nodes), joined."""
    return "\n".join(_src(c) for c in cells if c["cell_type"] == "markdown")


def _src(c):
    s = c["source"]
    return "".join(s) if isinstance(s, list) else s


def heading_re(title: str):
    """A heading of any level containing ``title`` (as today's English tests accept)."""
    return re.compile(r"^#+ .*" + re.escape(title), re.M | re.I)
