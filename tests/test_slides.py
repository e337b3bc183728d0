"""Slides (tools/build_slides.py): one reveal.js deck per lecture notebook of each edition,
with more than one slide; slide metadata assigned on a copy, never on the committed
notebook; the Chinese decks in zh/, offline like the English ones."""

import re
from pathlib import Path

import nbformat
import pytest

from tools import build_slides as slides

REPO = Path(__file__).resolve().parents[1]
REAL_LECTURES = slides.find_lectures(REPO / "notebooks")


def sections(deck: Path) -> int:
    """Slides in a deck: reveal nests vertical slides as <section><section>..., so count the
    innermost sections (a deck of one slide has two <section> tags)."""
    tags = re.findall(r"<(/?)section\b", deck.read_text(encoding="utf-8"))
    leaves = 0
    for i, closing in enumerate(tags):
        if not closing and i + 1 < len(tags) and tags[i + 1] == "/":
            leaves += 1
    return leaves


@pytest.fixture
def lectures(tmp_path):
    nbdir = tmp_path / "notebooks"
    (nbdir / "homework").mkdir(parents=True)
    plain = nbformat.v4.new_notebook()
    plain.cells = [
        nbformat.v4.new_markdown_cell("# Threads\nGoals."),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_markdown_cell("## Stacks\nGuard pages."),
        nbformat.v4.new_markdown_cell("### Detail\nMore."),
        nbformat.v4.new_markdown_cell("## Switch cost"),
    ]
    tagged = nbformat.v4.new_notebook()
    tagged.cells = [nbformat.v4.new_markdown_cell("# One"), nbformat.v4.new_markdown_cell("# Two")]
    tagged.cells[0].metadata["slideshow"] = {"slide_type": "slide"}
    tagged.cells[1].metadata["slideshow"] = {"slide_type": "-"}  # the author's choice stays
    nbformat.write(plain, nbdir / "02_threads.ipynb")
    nbformat.write(tagged, nbdir / "03_tagged.ipynb")
    nbformat.write(nbformat.v4.new_notebook(), nbdir / "homework" / "hw.ipynb")
    zh = nbformat.v4.new_notebook()
    zh.cells = [nbformat.v4.new_markdown_cell("# 线程\n目标。"),
                nbformat.v4.new_markdown_cell("## 栈\n保护页。")]
    (nbdir / "zh").mkdir()
    nbformat.write(zh, nbdir / "zh" / "02_threads.ipynb")
    return nbdir


def test_slide_types_from_headings(lectures):
    nb = slides.with_slide_metadata(nbformat.read(lectures / "02_threads.ipynb", as_version=4))
    assert [c.metadata.slideshow["slide_type"] for c in nb.cells] == [
        "slide", "-", "slide", "subslide", "slide"]


def test_decks_of_tiny_lectures(lectures, tmp_path):
    before = {p: p.read_bytes() for p in lectures.rglob("*.ipynb")}
    decks = slides.build_slides(lectures, tmp_path / "slides", log=lambda *a: None)
    assert sorted(d.relative_to(tmp_path / "slides").as_posix() for d in decks) == [
        "02_threads.slides.html", "03_tagged.slides.html", "zh/02_threads.slides.html"]
    zh = (tmp_path / "slides" / "zh" / "02_threads.slides.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in zh and "保护页" in zh and sections(
        tmp_path / "slides" / "zh" / "02_threads.slides.html") == 2
    assert 'url("../_fonts/NotoSansCJKSC-gmpkit-Regular.otf")' in zh
    assert (tmp_path / "slides" / "_fonts" / "NotoSansCJKSC-gmpkit-Regular.otf").is_file()
    assert sections(tmp_path / "slides" / "02_threads.slides.html") >= 4
    # the tagged notebook kept its own metadata: both headings on one slide
    assert sections(tmp_path / "slides" / "03_tagged.slides.html") == 1
    assert before == {p: p.read_bytes() for p in lectures.rglob("*.ipynb")}, "notebook edited"


def test_reveal_prefix_is_used(lectures, tmp_path):
    slides.build_slides(lectures, tmp_path / "s", reveal_prefix="reveal.js", log=lambda *a: None)
    assert 'href="reveal.js/dist/reveal.css"' in (tmp_path / "s" / "02_threads.slides.html").read_text()


@pytest.mark.skipif(not REAL_LECTURES, reason="no lecture notebooks in notebooks/ yet")
def test_decks_of_the_course(tmp_path):
    decks = slides.build_slides(REPO / "notebooks", tmp_path / "slides", log=lambda *a: None)
    assert [d.relative_to(tmp_path / "slides").as_posix() for d in decks] == [
        f"{p.relative_to(REPO / 'notebooks').with_suffix('').as_posix()}.slides.html"
        for p in REAL_LECTURES]
    few = [d.name for d in decks if sections(d) <= 1]
    assert not few, f"decks with a single slide (add ## headings or slide metadata): {few}"


def test_decks_load_nothing_from_the_network(lectures, tmp_path):
    """Every script and style sheet a deck loads is a relative path that exists next to it
    (the vendored copies), so the decks work in a classroom without a network."""
    out = tmp_path / "offline"
    slides.build_slides(lectures, out, log=lambda *a: None)
    for deck in (out / "02_threads.slides.html", out / "zh" / "02_threads.slides.html"):
        html = deck.read_text(encoding="utf-8")
        refs = re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"', html)
        refs += re.findall(r'"((?:\.\./)?_vendor/[^"]+\.js)"', html)  # the modules require.js loads
        refs += re.findall(r'url\("([^"]+)"\)', html)                  # the Chinese decks' font
        assert refs, "the deck loads no script at all?"
        remote = [r for r in refs if re.match(r"[a-z]+:", r) or r.startswith("//")]
        assert remote == []
        missing = [r for r in refs if not (deck.parent / r).is_file()]
        assert missing == [], deck
        assert "mathjax" not in html.lower() and "unpkg" not in html


def test_vendored_assets_carry_their_licences():
    vendor = slides.VENDOR
    for pkg, licence in [("reveal.js", "LICENSE"), ("jquery", "LICENSE.txt")]:
        assert "Permission is hereby granted" in (vendor / pkg / licence).read_text()
    assert "Released under MIT license" in (vendor / "requirejs" / "require.js").read_text()[:400]
    listed = (vendor / "README.md").read_text()
    for pkg in ("reveal.js", "requirejs", "jquery"):
        assert pkg in listed


def test_cells_tagged_remove_cell_are_not_on_a_slide(lesson_with_a_hidden_assert, tmp_path):
    nbdir = lesson_with_a_hidden_assert
    slides.build_slides(nbdir, tmp_path / "s", log=lambda *a: None)
    deck = (tmp_path / "s" / "01_lesson.slides.html").read_text(encoding="utf-8")
    assert len(re.findall(r">assert</span>", deck)) == 1 and "1 + 1" not in deck


@pytest.mark.skipif(not REAL_LECTURES, reason="no course notebooks yet")
def test_no_lecture_deck_shows_an_assert_line(tmp_path):
    slides.build_slides(REPO / "notebooks", tmp_path / "s", log=lambda *a: None)
    shown = [d.name for d in sorted((tmp_path / "s").glob("*.html"))
             if re.search(r">assert</span>", d.read_text(encoding="utf-8"))]
    assert not shown, f"decks showing assert lines: {shown}"
