"""One source, two editions (issue 15) on the real course: every lecture and homework
source keeps its prose in adjacent English/Chinese twins, both editions run the same code,
and each Chinese prose cell is predominantly Chinese.

``test_every_lecture_and_homework_has_a_chinese_edition`` is the strict coverage check:
it fails while any source is untranslated (``python -m tools.nbbuild --check`` lists
them); the other tests check whatever is translated, source by source.
"""

from __future__ import annotations

import pytest

from editions import CHINESE_SHARE_MIN, HOMEWORK_SOURCES, LECTURE_SOURCES
from tools import bilingual, nbbuild

SOURCES = LECTURE_SOURCES + HOMEWORK_SOURCES


def ids(paths):
    return [p.stem for p in paths]


@pytest.mark.parametrize("src", SOURCES, ids=ids(SOURCES))
def test_every_prose_cell_has_its_twin(src):
    probs = bilingual.problems(nbbuild.to_notebook(src))
    assert not probs, f"{src.name}:\n" + "\n".join(probs)


@pytest.mark.parametrize("src", SOURCES, ids=ids(SOURCES))
def test_both_editions_run_the_same_code(src):
    nb = nbbuild.to_notebook(src)
    if "zh" not in bilingual.languages(nb):
        pytest.skip(f"{src.name} has no Chinese edition yet")
    en, zh = bilingual.edition(nb, "en"), bilingual.edition(nb, "zh")
    assert bilingual.code_cells(en) == bilingual.code_cells(zh)
    assert len(en.cells) + 1 == len(zh.cells), "one Chinese cell per English cell, + the language cell"
    first_code = next(c for c in zh.cells if c.cell_type == "code")
    assert bilingual.is_language_cell(first_code), "the Chinese edition sets its language first"


@pytest.mark.parametrize("src", SOURCES, ids=ids(SOURCES))
def test_chinese_prose_is_predominantly_chinese(src):
    nb = nbbuild.to_notebook(src)
    low = [(i, round(bilingual.chinese_share(c.source), 2), c.source.strip().splitlines()[0][:50])
           for i, c in enumerate(nb.cells)
           if c.metadata.get("lang") == "zh" and bilingual.chinese_share(c.source) < CHINESE_SHARE_MIN]
    assert not low, (f"{src.name}: Chinese cells under a {CHINESE_SHARE_MIN:.0%} share of Chinese "
                     f"(put identifiers in `code font`; translate the prose): {low}")


@pytest.mark.parametrize("src", SOURCES, ids=ids(SOURCES))
def test_no_line_break_inside_chinese_text(src):
    """A line break between two Chinese characters renders as a stray space in JupyterLab
    and on the site: Chinese paragraphs are written one per line."""
    nb = nbbuild.to_notebook(src)
    bad = [(i, c.source.splitlines()[k - 1][-20:])
           for i, c in enumerate(nb.cells) if c.metadata.get("lang") == "zh"
           for k in bilingual.soft_breaks(c.source)]
    assert not bad, f"{src.name}: join these lines with the next one (cell, line end): {bad}"


def test_the_share_bar_fails_a_half_translated_cell():
    """What the bar rejects: English prose left in a Chinese cell, even with Chinese terms."""
    half = ("## 工作窃取\nAn idle P takes half of the 本地运行队列 of another P, "
            "so that no processor sits idle while work waits.")
    assert bilingual.chinese_share(half) < CHINESE_SHARE_MIN
    done = "## 工作窃取\n空闲的 P 会拿走另一个 P 的本地运行队列里一半的 goroutine，免得有活时处理器闲着。"
    assert bilingual.chinese_share(done) >= CHINESE_SHARE_MIN


def test_homework_masters_are_translated():
    """The homework masters are translated on this branch (the lectures by their own)."""
    missing = [s.stem for s in HOMEWORK_SOURCES if "zh" not in nbbuild.languages(s)]
    assert HOMEWORK_SOURCES and not missing, missing


def test_every_lecture_and_homework_has_a_chinese_edition():
    """Strict: the whole course in both languages (fails until every lecture is translated;
    `python -m tools.nbbuild --check` names the sources that are not)."""
    missing = [s.stem for s in SOURCES if "zh" not in nbbuild.languages(s)]
    assert not missing, (f"no Chinese edition yet ({len(missing)} of {len(SOURCES)} sources): "
                         f"{', '.join(missing)}")


def test_check_names_each_kind_of_drift(tmp_path):
    """nbbuild --check on a small bilingual lesson: in step after a build; a Chinese edit
    puts only the Chinese edition out of step; a lost twin is named, and the Chinese
    edition it leaves behind is flagged; an untranslated source is listed, not failed."""
    from pathlib import Path

    from tools import to_jupytext as tj
    fixture = Path(__file__).with_name("fixtures") / "bilingual_demo.py"
    src = tmp_path / "src" / "99_demo.py"
    src.parent.mkdir()
    src.write_text(tj.convert(fixture.read_text(encoding="utf-8")), encoding="utf-8")
    built = [t for t, _ in nbbuild.build(src, run=False)]
    assert built == [tmp_path / "99_demo.ipynb", tmp_path / "zh" / "99_demo.ipynb"]
    assert nbbuild.differences(src) == [] and nbbuild.untranslated([src]) == []

    text = src.read_text(encoding="utf-8")
    src.write_text(text.replace("一份源文件", "一个源文件"), encoding="utf-8")
    probs = nbbuild.differences(src)
    assert len(probs) == 1 and "zh/99_demo.ipynb is out of step" in probs[0], probs
    assert "cell 0 differs (source)" in probs[0] and "python -m tools.nbbuild 99_demo" in probs[0]

    import re
    lone = re.sub(r'# %% \[markdown\] lang="zh".*?(?=\n# %%)', "", text, count=1, flags=re.S)
    src.write_text(lone, encoding="utf-8")
    probs = nbbuild.differences(src)
    assert any("English prose without its Chinese twin" in p for p in probs), probs
    assert any("zh/99_demo.ipynb has no source any more" in p for p in probs), probs
    assert nbbuild.untranslated([src]) == [src]
    with pytest.raises(SystemExit, match="without its Chinese twin"):
        nbbuild.build(src, run=False)
