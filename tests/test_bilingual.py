"""Prototype of the one-source-two-editions build (issue 15) on a fixture, not a lesson.

tests/fixtures/bilingual_demo.py holds one English/Chinese prose pair, a shared quote
and one code cell; the tests split it, check the twin rules, and run both editions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools import bilingual as bl

FIXTURE = Path(__file__).with_name("fixtures") / "bilingual_demo.py"


@pytest.fixture
def nb():
    return bl.read(FIXTURE.read_text(encoding="utf-8"))


def test_fixture_pairs_and_editions(nb):
    assert bl.problems(nb) == []
    en, zh = bl.edition(nb, "en"), bl.edition(nb, "zh")
    assert [c.cell_type for c in en.cells] == ["markdown", "markdown", "code"]
    assert [c.cell_type for c in zh.cells] == ["markdown", "markdown", "code", "code"]
    assert en.cells[0].source.startswith("# Demo") and zh.cells[0].source.startswith("# 示例")
    assert en.cells[1].source == zh.cells[1].source          # the shared quote, verbatim
    assert zh.cells[2].source.endswith('gk.set_language("zh")')
    assert bl.code_cells(en) == bl.code_cells(zh)
    assert all("lang" not in c.metadata for c in en.cells + zh.cells)
    assert en.cells[0].metadata["slideshow"] == {"slide_type": "slide"}
    assert bl.chinese_share(zh.cells[0].source) > 0.8
    assert bl.chinese_share(en.cells[0].source) == 0.0


def test_twin_rules_catch_a_missing_or_misplaced_translation(nb):
    lone = bl.read(FIXTURE.read_text(encoding="utf-8"))
    del lone.cells[1]                                   # English without its Chinese
    assert any("without its Chinese twin" in p for p in bl.problems(lone))
    swapped = bl.read(FIXTURE.read_text(encoding="utf-8"))
    swapped.cells[0], swapped.cells[1] = swapped.cells[1], swapped.cells[0]
    msgs = bl.problems(swapped)
    assert any("without its English twin" in p for p in msgs)
    nb.cells[3].metadata["lang"] = "zh"                 # language-specific code
    assert any("code is shared" in p for p in bl.problems(nb))
    nb.cells[0].metadata["lang"] = "fr"
    assert any("unknown lang='fr'" in p for p in bl.problems(nb))


def test_chinese_share_counts_prose_not_code_or_kept_terms():
    assert bl.chinese_share("运行 `findRunnable` 的 goroutine 在 https://go.dev/x 上") == 1.0
    mixed = "本地运行队列 holds the runnable goroutines of one P, in a ring"
    assert 0.2 < bl.chinese_share(mixed) < 0.6        # mostly English: would fail a 0.6 bar


def test_jupytext_reads_the_same_languages():
    jupytext = pytest.importorskip("jupytext")
    text = FIXTURE.read_text(encoding="utf-8")
    ours = [c.metadata.get("lang") for c in bl.read(text).cells]
    theirs = [c.metadata.get("lang") for c in jupytext.reads(text, fmt="py:percent").cells]
    assert ours == theirs == ["en", "zh", None, None]
    assert jupytext.writes(jupytext.reads(text, fmt="py:percent"), fmt="py:percent").count(
        'lang="zh"') == 1


def test_both_editions_run_and_the_chinese_one_speaks_chinese(nb, tmp_path):
    from tools.nbbuild import execute
    out = {}
    for lang in ("en", "zh"):
        ed = bl.edition(nb, lang)
        execute(ed, tmp_path, timeout=120)
        out[lang] = ed.cells[-1].outputs[0]["data"]["text/plain"]
    assert out == {"en": "'blocked in a system call'", "zh": "'阻塞在系统调用中'"}
