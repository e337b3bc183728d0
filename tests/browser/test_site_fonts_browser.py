"""A Chinese page of the static site on a machine with no CJK font (issue 15): chromium
runs with a fontconfig that knows only DejaVu, so every Chinese character must come from
the course's subset (the page's ``@font-face``, ``_fonts/``).  With the site's font
declaration removed, the same page has nothing to draw Chinese with: the check can fail.
"""

import re

import nbformat
import pytest

import lab

pytestmark = pytest.mark.browser

DEJAVU = "/usr/share/fonts/truetype/dejavu"
TEXT = "调度器把可运行的任务放进本地运行队列"      # CJK only: each glyph is 1 em wide


@pytest.fixture(scope="module")
def site(tmp_path_factory, browser_available):
    from tools import build_site
    root = tmp_path_factory.mktemp("fonts")
    nbdir = root / "notebooks"
    (nbdir / "zh").mkdir(parents=True)
    en, zh = nbformat.v4.new_notebook(), nbformat.v4.new_notebook()
    en.cells = [nbformat.v4.new_markdown_cell("# 06 Queues\n\nThe scheduler puts a goroutine "
                                               "in the local run queue.")]
    zh.cells = [nbformat.v4.new_markdown_cell(f"# 06 队列\n\n<p id='zh'>{TEXT}。</p>")]
    nbformat.write(en, nbdir / "06_q.ipynb")
    nbformat.write(zh, nbdir / "zh" / "06_q.ipynb")
    build_site.build_site(nbdir, root / "html", log=lambda *a: None)
    conf = root / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{DEJAVU}</dir><cachedir>{root / 'fc-cache'}</cachedir></fontconfig>""")
    return root


@pytest.fixture(scope="module")
def fontless(site, browser):
    """A second chromium, from the session's playwright, that sees only DejaVu."""
    b = browser.browser_type.launch(executable_path=lab.CHROMIUM, headless=True,
                                    args=lab.CHROMIUM_ARGS,
                                    env={"FONTCONFIG_FILE": str(site / "fonts.conf"),
                                         "HOME": str(site)})
    try:
        yield b
    finally:
        b.close()


def glyphs_drawn(fontless, site, page_name):
    """``(subset font loaded?, width of TEXT in the page's fonts, len(TEXT) em)``: a CJK font
    draws each character 1 em wide; DejaVu's empty box is narrower."""
    page = fontless.new_page()
    try:
        page.goto((site / "html" / page_name).as_uri())
        page.evaluate("document.fonts.ready")
        page.wait_for_function("document.fonts.status === 'loaded'")
        loaded = page.evaluate(
            "[...document.fonts].some(f => f.family.includes('gmpkit') && f.status === 'loaded')")
        width = page.evaluate("""(t) => {
            const c = document.createElement('canvas').getContext('2d');
            const el = document.getElementById('zh');
            c.font = getComputedStyle(el).fontSize + ' ' + getComputedStyle(el).fontFamily;
            return [c.measureText(t).width, t.length * parseFloat(getComputedStyle(el).fontSize)];
        }""", TEXT)
        page.screenshot(path=str(lab.SCREENSHOTS / f"site-zh-font-{page_name.replace('/', '_')}.png"))
        return loaded, width[0], width[1]
    finally:
        page.close()


def test_chinese_page_draws_chinese_without_system_cjk_fonts(site, fontless):
    lab.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    loaded, width, ems = glyphs_drawn(fontless, site, "zh/06_q.html")
    assert loaded, "the page never needed (or could not load) the course's CJK subset"
    assert abs(width - ems) < 1, f"the Chinese text is not drawn by a CJK font ({width} px, not {ems})"
    # without the site's @font-face the same machine has no font for it: the check can fail
    page = site / "html" / "zh" / "06_q.html"
    text = page.read_text(encoding="utf-8")
    page.with_name("nofont.html").write_text(re.sub(r"@font-face \{[^}]*\}", "", text),
                                             encoding="utf-8")
    loaded, width, ems = glyphs_drawn(fontless, site, "zh/nofont.html")
    assert not loaded and abs(width - ems) > 10, (width, ems)


def test_the_switch_on_an_english_page_draws_its_chinese_label(site, fontless):
    """English pages keep their fonts; the "中文" link gets the subset too."""
    page = fontless.new_page()
    try:
        page.goto((site / "html" / "06_q.html").as_uri())
        link = page.locator("a.gmpkit-lang-link")
        assert link.inner_text() == "中文"
        page.wait_for_function("document.fonts.status === 'loaded'")
        size = float(link.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
        width = link.evaluate("e => e.getBoundingClientRect().width")
        assert abs(width - 2 * size) < 1, f"'中文' is {width} px wide at {size} px: empty boxes"
    finally:
        page.close()
