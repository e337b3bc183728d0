"""The learner's language: English (default) or Chinese, for every string gmpkit shows.

The language follows the notebook: the Chinese edition's first cell calls
``gk.set_language("zh")``; ``GMPKIT_LANG=zh`` in the environment does the same
for a whole session (``make lab COURSE_LANG=zh`` will set it).  English is the
default.

Strings are written in English in the code and looked up at the moment they
are shown, gettext-style: the English text *is* the key, so the code stays
readable and the English edition needs no catalogue at all.

* ``tr("English text {n}", n=3)`` -- translate now, then ``str.format`` the
  arguments (placeholders and conversions such as ``{name!r}`` work in both
  languages; Chinese may reorder them).
* ``trc("state", "idle")`` -- the same, with a context, for short words that
  need different Chinese in different places (a Gantt state vs. a P status).
* ``N_("English text")`` -- marks a string defined at import time (a table of
  legend descriptions, say) as translatable without translating it; translate
  it with ``tr`` where it is shown.

The Chinese lives in ``gmpkit/lang/zh.json`` (``{"English": "中文"}``, a context
as ``"ctx|English"``).  A missing translation shows the English, never an
error; ``tests/test_i18n.py`` fails when any ``tr``/``trc``/``N_`` literal in
gmpkit lacks its Chinese, when a catalogue entry is no longer used, or when
the two sides' placeholders differ.

Figures: ``gmpkit.plots`` registers a subset of Noto Sans CJK SC shipped in
``gmpkit/lang/`` as a fallback after DejaVu Sans (:func:`register_fonts`), so
Chinese renders on machines without CJK fonts while Latin text keeps its look.

>>> set_language("zh")
'zh'
>>> tr("in the scheduler")
'在调度器中'
>>> set_language("en"); tr("in the scheduler")
'en'
'in the scheduler'
>>> tr("panel {title!r} has no control {name!r}; it has {names}",
...    title="demo", name="n", names="m, p")
"panel 'demo' has no control 'n'; it has m, p"
"""

from __future__ import annotations

import json
import os
import re
import threading
import warnings
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources as _resources
from pathlib import Path

__all__ = ["LANGUAGES", "set_language", "language", "tr", "trc", "N_", "pick", "catalogue",
           "terms", "term", "glossary_markdown", "using", "register_fonts", "FONT_FAMILY", "FONT_FILES",
           "LANG_DIR"]

LANGUAGES = ("en", "zh")
LANG_DIR = Path(str(_resources.files("gmpkit.lang")))   # package data, found like any resource
CATALOGUE_FILE = LANG_DIR / "zh.json"
TERMS_FILE = LANG_DIR / "terms.json"
# The shipped font subset (tools/cjkfont.py makes it): family name and files.
FONT_FAMILY = "Noto Sans CJK SC gmpkit"
FONT_FILES = (LANG_DIR / "NotoSansCJKSC-gmpkit-Regular.otf",
              LANG_DIR / "NotoSansCJKSC-gmpkit-Bold.otf")
CTX_SEP = "|"


def _normalise(lang, source):
    """'zh_CN.UTF-8' -> 'zh', 'en-GB' -> 'en'; anything else is an error naming the choices."""
    code = re.split(r"[-_.@]", str(lang).strip().lower(), maxsplit=1)[0]
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} in {source}: use one of "
                         f"{', '.join(repr(x) for x in LANGUAGES)} (e.g. set_language('zh'))")
    return code


def _from_env():
    value = os.environ.get("GMPKIT_LANG", "")
    if not value:
        return "en"
    try:
        return _normalise(value, "GMPKIT_LANG")
    except ValueError as e:   # never break `import gmpkit` over a typo: say so, use English
        warnings.warn(f"{e}; using English", stacklevel=3)
        return "en"


_STATE = {"lang": _from_env()}
_LOCAL = threading.local()      # using(): a language for this thread only (the grader)


def set_language(lang):
    """Show gmpkit's text in ``lang`` ("en" or "zh") from now on; returns the language.

    Figures and panels drawn afterwards use it (panels redraw when a control moves).

    >>> set_language("zh_CN"); set_language("en")
    'zh'
    'en'
    """
    _STATE["lang"] = _normalise(lang, "set_language()")
    return _STATE["lang"]


def language():
    """The current language code ("en" or "zh")."""
    return getattr(_LOCAL, "lang", None) or _STATE["lang"]


@contextmanager
def using(lang):
    """Show text in ``lang`` inside the ``with`` block, in this thread only.

    The grader uses it to write each student's feedback in the language of the
    notebook they submitted, while other threads grade other students.

    >>> with using("zh"):
    ...     tr("in the scheduler")
    '在调度器中'
    >>> tr("in the scheduler")
    'in the scheduler'
    """
    before = getattr(_LOCAL, "lang", None)
    _LOCAL.lang = _normalise(lang, "using()")
    try:
        yield _LOCAL.lang
    finally:
        _LOCAL.lang = before


@lru_cache(maxsize=None)
def catalogue():
    """The Chinese catalogue: ``{English (or "ctx|English"): Chinese}``."""
    with open(CATALOGUE_FILE, encoding="utf-8") as f:
        data = json.load(f)
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _lookup(key, text, lang):
    if lang == "zh":
        return catalogue().get(key) or text
    return text


def tr(text, /, **kwargs):
    """``text`` in the current language, formatted with ``kwargs`` (``str.format``)."""
    out = _lookup(text, text, language())
    return out.format(**kwargs) if kwargs else out


def trc(context, text, /, **kwargs):
    """Like :func:`tr`, for a word whose Chinese depends on where it is shown.

    >>> trc("state", "syscall")
    'syscall'
    """
    out = _lookup(f"{context}{CTX_SEP}{text}", text, language())
    return out.format(**kwargs) if kwargs else out


def N_(text):
    """Mark ``text`` translatable without translating it (translate with ``tr`` when shown)."""
    return text


def pick(text, lang=None):
    """Text written in the notebook rather than in gmpkit: a plain string is shown as it is;
    a ``{"en": ..., "zh": ...}`` pair shows the current language's side (English when that
    side is missing or empty).

    >>> pick({"en": "How many?", "zh": "多少个？"}, "zh"), pick("How many?", "zh")
    ('多少个？', 'How many?')
    """
    if isinstance(text, dict):
        lang = _normalise(lang, "pick()") if lang else language()
        if "en" not in text:
            raise ValueError(f"a bilingual text needs its English: {{'en': ..., 'zh': ...}}, "
                             f"got the keys {sorted(text)}")
        return text.get(lang) or text["en"]
    return text


# ---------------------------------------------------------------------------
# the term table
# ---------------------------------------------------------------------------

@lru_cache(maxsize=None)
def terms():
    """The bilingual term table: ``{English term: entry}``, each entry with ``zh``,
    ``meaning`` ({"en", "zh"}) and optionally ``note_zh`` and ``keep`` (the English is
    kept in Chinese text, as for "goroutine")."""
    with open(TERMS_FILE, encoding="utf-8") as f:
        data = json.load(f)
    return {t["en"]: t for t in data["terms"]}


def term(english, lang=None):
    """The term in ``lang`` (default: the current language).

    >>> term("local run queue", "zh"), term("goroutine", "zh")
    ('本地运行队列', 'goroutine')
    """
    table = terms()
    if english not in table:
        raise KeyError(f"term {english!r} is not in the term table {TERMS_FILE}; add it there "
                       f"(English, Chinese, meaning) or use one of its {len(table)} terms")
    lang = _normalise(lang, "term()") if lang else language()
    return table[english]["zh"] if lang == "zh" else english


def _cell(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def glossary_markdown(rows, lang=None):
    """A notebook's Glossary table, from the term table.

    ``rows``: English terms, or ``(term, meaning_en)`` / ``(term, meaning_en, meaning_zh)``
    tuples for a meaning specific to the notebook (the table's meaning otherwise).
    English edition: ``English | 中文 | meaning``; Chinese: ``中文 | English | 含义``.
    A meaning with no Chinese yet shows the English in the Chinese edition.

    >>> print(glossary_markdown(["work stealing"], "en"))
    | English | 中文 | meaning |
    |---|---|---|
    | work stealing | 工作窃取 | an idle P taking half of another P's local run queue |
    """
    lang = _normalise(lang, "glossary_markdown()") if lang else language()
    table = terms()
    if lang == "zh":
        out = ["| 中文 | English | 含义 |", "|---|---|---|"]
    else:
        out = ["| English | 中文 | meaning |", "|---|---|---|"]
    for row in rows:
        name, *meaning = (row,) if isinstance(row, str) else row
        term(name, "en")   # raises a clear KeyError for an unknown term
        t = table[name]
        zh = t["zh"] + (f"（{t['note_zh']}）" if t.get("note_zh") else "")
        m_en = meaning[0] if meaning else t["meaning"]["en"]
        m_zh = meaning[1] if len(meaning) > 1 else (None if meaning else t["meaning"].get("zh"))
        if lang == "zh":
            out.append(f"| {_cell(zh)} | {_cell(name)} | {_cell(m_zh or m_en)} |")
        else:
            out.append(f"| {_cell(name)} | {_cell(zh)} | {_cell(m_en)} |")
    return "\n".join(out)


# ---------------------------------------------------------------------------
# fonts
# ---------------------------------------------------------------------------

_FONTS = {"done": False}


def register_fonts():
    """Make matplotlib draw Chinese with the shipped font subset, Latin with DejaVu Sans.

    Adds the subset to matplotlib's font manager and appends its family to
    ``font.family`` (``["sans-serif", "Noto Sans CJK SC gmpkit"]``): matplotlib
    (≥ 3.6) draws each glyph with the first family in that list that has it, so
    Latin text stays DejaVu Sans and English figures look exactly as before.  Idempotent;
    returns the family name.  A missing font file (a broken install) warns once
    and leaves matplotlib as it was.
    """
    import matplotlib as mpl
    from matplotlib import font_manager

    if not _FONTS["done"]:
        missing = [str(p) for p in FONT_FILES if not p.exists()]
        if missing:
            warnings.warn(f"gmpkit's CJK font is missing ({', '.join(missing)}): Chinese text "
                          f"in figures may show as boxes; reinstall gmpkit or run "
                          f"`python -m tools.cjkfont`", stacklevel=2)
            return None
        for p in FONT_FILES:
            font_manager.fontManager.addfont(str(p))
        _FONTS["done"] = True
    fams = list(mpl.rcParams["font.family"])
    if FONT_FAMILY not in fams:
        mpl.rcParams["font.family"] = fams + [FONT_FAMILY]
    return FONT_FAMILY
