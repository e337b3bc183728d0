"""The static site (tools/build_site.py): a page per notebook, an index linking them all,
every relative link and image resolving to a file (data URIs are fine); both editions,
with a language switch on every page."""

import base64
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from tools import build_site as site

REPO = Path(__file__).resolve().parents[1]
REAL_NOTEBOOKS = site.find_notebooks(REPO / "notebooks")
EXTERNAL = ("http:", "https:", "data:", "mailto:", "javascript:", "//")


class Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.imgs = [], []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.refs.append((tag, value))
                if tag == "img":
                    self.imgs.append(value)


def refs_of(page: Path) -> Refs:
    parser = Refs()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def check_site(out: Path, notebook_dir: Path, notebooks: list[Path]) -> None:
    index, zh_index = out / "index.html", out / "zh" / "index.html"
    assert index.is_file() and zh_index.is_file(), "no index.html or zh/index.html"
    index_links = {urlsplit(v).path for _, v in refs_of(index).refs}
    zh_links = {"zh/" + urlsplit(v).path for _, v in refs_of(zh_index).refs}
    pages = sorted(out.rglob("*.html"))
    for nb in notebooks:
        rel = site.page_name(nb, notebook_dir)
        page = out / rel
        assert page.is_file() and page.stat().st_size > 1000, f"no page for {nb.name}"
        links = zh_links if site.language_of(rel) == "zh" else index_links
        assert rel.as_posix() in links, f"the index does not link to {rel}"
        text = page.read_text(encoding="utf-8")
        assert 'class="gmpkit-lang-link"' in text, f"{rel}: no language switch"
        want = 'lang="zh-CN"' if site.language_of(rel) == "zh" else 'lang="en"'
        assert re.search(r"<html[^>]*" + want, text), f"{rel}: <html> does not say {want}"
        for font in re.findall(r'url\("([^"]+\.otf)"\)', text):
            assert (page.parent / font).is_file(), f"{rel}: font {font} is not in the site"
    broken = []
    for page in pages:
        for tag, ref in refs_of(page).refs:
            if ref.startswith(EXTERNAL) or ref.startswith("#"):
                continue
            path = unquote(urlsplit(ref).path)
            if path and not (page.parent / path).exists():
                broken.append(f"{page.relative_to(out)}: <{tag}> {ref}")
    assert not broken, "links or images that resolve to no file:\n" + "\n".join(broken)


def _png_bytes() -> bytes:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [1, 0])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


@pytest.fixture
def tiny_course(tmp_path):
    """Two lectures and a homework: headings, a cross-link, a plot output, a markdown
    image from a file, and a widget view with its saved state."""
    nbdir = tmp_path / "notebooks"
    (nbdir / "homework").mkdir(parents=True)
    png = _png_bytes()
    (nbdir / "figure.png").write_bytes(png)
    a = nbformat.v4.new_notebook()
    a.cells = [
        nbformat.v4.new_markdown_cell("# 01 Processes\n\n## Goals\nSee [next](02_threads.ipynb#Goals)."),
        nbformat.v4.new_markdown_cell("## A picture\n![figure](figure.png)"),
        nbformat.v4.new_code_cell("plot()", execution_count=1, outputs=[nbformat.v4.new_output(
            "display_data", data={"image/png": base64.b64encode(png).decode(), "text/plain": "<Figure>"})]),
    ]
    state = {"version_major": 2, "version_minor": 0, "state": {"abc": {
        "model_name": "IntSliderModel", "model_module": "@jupyter-widgets/controls",
        "model_module_version": "2.0.0", "state": {"value": 3}}}}
    b = nbformat.v4.new_notebook()
    b.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": state}
    b.cells = [
        nbformat.v4.new_markdown_cell("# 02 Threads\n## Goals"),
        nbformat.v4.new_code_cell("slider", execution_count=1, outputs=[nbformat.v4.new_output(
            "display_data", data={"application/vnd.jupyter.widget-view+json":
                                  {"model_id": "abc", "version_major": 2, "version_minor": 0},
                                  "text/plain": "IntSlider(value=3)"})]),
    ]
    hw = nbformat.v4.new_notebook()
    hw.cells = [nbformat.v4.new_markdown_cell("# Homework 1\nBack to [the lecture](../01_processes.ipynb).")]
    nbformat.write(a, nbdir / "01_processes.ipynb")
    nbformat.write(b, nbdir / "02_threads.ipynb")
    nbformat.write(hw, nbdir / "homework" / "hw1.ipynb")
    zh = nbformat.v4.new_notebook()           # 01's Chinese edition (02 is not translated)
    zh.cells = [nbformat.v4.new_markdown_cell("# 01 进程\n\n## 学习目标\n进程是运行中的程序。"),
                a.cells[2]]
    (nbdir / "zh").mkdir()
    nbformat.write(zh, nbdir / "zh" / "01_processes.ipynb")
    return nbdir


def test_site_of_a_tiny_course(tiny_course, tmp_path):
    out = tmp_path / "html"
    before = {p: p.read_bytes() for p in tiny_course.rglob("*.ipynb")}
    pages = site.build_site(tiny_course, out, log=lambda *a: None)
    notebooks = site.find_notebooks(tiny_course)
    assert len(notebooks) == 4 and len(pages) == 6          # + index.html and zh/index.html
    check_site(out, tiny_course, notebooks)
    first = (out / "01_processes.html").read_text()
    assert 'href="02_threads.html#Goals"' in first          # notebook links become page links
    assert 'src="figure.png"' not in first and first.count("data:image/png;base64") >= 2
    second = (out / "02_threads.html").read_text()
    assert "application/vnd.jupyter.widget-state+json" in second and '"model_id": "abc"' in second
    assert 'href="../01_processes.html"' in (out / "homework" / "hw1.html").read_text()
    index = (out / "index.html").read_text()
    assert "01 Processes" in index and "Goals" in index and "Homework 1" in index
    assert before == {p: p.read_bytes() for p in tiny_course.rglob("*.ipynb")}


def _switch(page: Path):
    m = re.search(r'<a class="gmpkit-lang-link"[^>]*href="([^"]+)"[^>]*>([^<]+)</a>',
                  page.read_text(encoding="utf-8"))
    return m.group(1), m.group(2)


def test_both_editions_with_a_language_switch_on_every_page(tiny_course, tmp_path):
    out = tmp_path / "html"
    site.build_site(tiny_course, out, log=lambda *a: None)
    assert _switch(out / "01_processes.html") == ("zh/01_processes.html", "中文")
    assert _switch(out / "zh" / "01_processes.html") == ("../01_processes.html", "English")
    href, label = _switch(out / "02_threads.html")          # no Chinese 02 yet
    assert href == "zh/index.html" and "尚未翻译" in label
    assert _switch(out / "index.html") == ("zh/index.html", "中文")
    assert _switch(out / "zh" / "index.html") == ("../index.html", "English")
    zh = (out / "zh" / "01_processes.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in zh and "01 进程" in zh
    assert '@font-face { font-family: "Noto Sans CJK SC gmpkit"' in zh
    assert 'url("../_fonts/NotoSansCJKSC-gmpkit-Regular.otf")' in zh
    assert '"Noto Sans CJK SC gmpkit", sans-serif' in zh                # the last resort
    assert (out / "_fonts" / "NotoSansCJKSC-gmpkit-Bold.otf").stat().st_size > 10_000
    en = (out / "01_processes.html").read_text(encoding="utf-8")
    assert f"--jp-content-font-family: {site.CJK_STACK}" not in en and 'lang="en"' in en
    assert f"--jp-content-font-family: {site.CJK_STACK}" in zh        # English prose: as before
    assert 'url("_fonts/NotoSansCJKSC-gmpkit-Regular.otf")' in en      # only for its "中文" link
    zh_index = (out / "zh" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in zh_index and 'href="01_processes.html"' in zh_index
    assert "02_threads" not in zh_index and "讲义" in zh_index


def test_link_checker_catches_a_missing_image(tiny_course, tmp_path):
    out = tmp_path / "html"
    site.build_site(tiny_course, out, log=lambda *a: None)
    page = out / "02_threads.html"
    page.write_text(page.read_text() + '<img src="missing.png">')
    with pytest.raises(AssertionError, match="missing.png"):
        check_site(out, tiny_course, site.find_notebooks(tiny_course))


def test_missing_widget_state_is_reported(tiny_course, tmp_path):
    nb_path = tiny_course / "02_threads.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    del nb.metadata["widgets"]
    nbformat.write(nb, nb_path)
    said = []
    site.build_site(tiny_course, tmp_path / "html", log=said.append)
    assert any("02_threads.ipynb has widget outputs but no saved widget state" in s for s in said)


@pytest.mark.skipif(not REAL_NOTEBOOKS, reason="no course notebooks in notebooks/ yet")
def test_site_of_the_course(tmp_path):
    out = tmp_path / "html"
    site.build_site(REPO / "notebooks", out, log=lambda *a: None)
    check_site(out, REPO / "notebooks", REAL_NOTEBOOKS)
    for nb in REAL_NOTEBOOKS:
        if nb.parent.name in ("notebooks", "zh"):               # the lectures, both editions
            page = (out / site.page_name(nb, REPO / "notebooks")).read_text(encoding="utf-8")
            assert not SHOWN_ASSERT.search(page), f"{nb.name}: the page shows an assert line"


# pygments marks the keyword: <span class="k">assert</span>
SHOWN_ASSERT = __import__("re").compile(r">assert</span>")


def test_cells_tagged_remove_cell_stay_off_the_page(lesson_with_a_hidden_assert, tmp_path):
    nbdir = lesson_with_a_hidden_assert
    site.build_site(nbdir, tmp_path / "html", log=lambda *a: None)
    page = (tmp_path / "html" / "01_lesson.html").read_text(encoding="utf-8")
    assert len(SHOWN_ASSERT.findall(page)) == 1 and "shown here" in page and "1 + 1" not in page


@pytest.mark.parametrize("output_type", ["display_data", "execute_result"])
def test_widget_views_get_a_static_copy_of_their_last_picture(tmp_path, output_type):
    """A panel (a VBox holding an Image and an HTML summary) is shown on the page as
    its last saved picture and text too, so the page reads without the widget CDN --
    displayed, or the value of a cell's last expression (``tally.follow(...)``)."""
    from tools.build_site import add_static_views, build_site

    png = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()
    ctrl = "@jupyter-widgets/controls"
    state = {
        "box": {"model_name": "VBoxModel", "model_module": ctrl, "model_module_version": "2.0.0",
                "state": {"children": ["IPY_MODEL_img", "IPY_MODEL_sum"]}},
        "img": {"model_name": "ImageModel", "model_module": ctrl, "model_module_version": "2.0.0",
                "state": {"format": "png"},
                "buffers": [{"path": ["value"], "encoding": "base64", "data": png}]},
        "sum": {"model_name": "HTMLModel", "model_module": ctrl, "model_module_version": "2.0.0",
                "state": {"value": "<b>makespan 1.74 ms</b>"}},
    }
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json":
                              {"state": state, "version_major": 2, "version_minor": 0}}
    cell = nbformat.v4.new_code_cell("panel")
    extra = {"execution_count": 1} if output_type == "execute_result" else {}
    cell.outputs = [nbformat.v4.new_output(output_type, data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "box", "version_major": 2,
                                                     "version_minor": 0},
        "text/plain": "VBox()"}, **extra)]
    nb.cells = [nbformat.v4.new_markdown_cell("# Panel"), cell]
    src = tmp_path / "nbs"
    src.mkdir()
    nbformat.write(nb, src / "01_panel.ipynb")
    assert add_static_views(nbformat.read(src / "01_panel.ipynb", as_version=4)) == 1
    build_site(src, tmp_path / "out", log=lambda *_: None)
    page = (tmp_path / "out" / "01_panel.html").read_text()
    assert 'class="gmpkit-static-view"' in page
    assert f"data:image/png;base64,{png}" in page
    assert "makespan 1.74 ms" in page
    assert '"model_id": "box"' in page          # the live widget view is still there
    # the notebook on disk is not changed: the copy is made for the page only
    assert len(nbformat.read(src / "01_panel.ipynb", as_version=4).cells[1].outputs) == 1
