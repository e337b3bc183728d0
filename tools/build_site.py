"""Build the course's static website from the committed notebooks.

    python tools/build_site.py [--notebooks notebooks] [--out build/html] [--execute]

One HTML page per notebook (``notebooks/*.ipynb`` and ``notebooks/homework/*.ipynb``),
rendered with nbconvert's HTMLExporter and the ``lab`` template, with the stored outputs,
plus ``index.html``: the course outline (each notebook's title and sections) with links.

Both editions (issue 15): the Chinese notebooks (``notebooks/zh/*.ipynb``) become
``zh/*.html`` with their own ``zh/index.html``.  Every page and both indexes carry a
language switch (English page <-> 中文 page; to the other index while a notebook has no
translation yet), and Chinese pages declare ``lang="zh-CN"``.  Chinese prose is drawn by
the reader's system CJK font when there is one, else by the course's subset font
(gmpkit/lang/NotoSansCJKSC-gmpkit-*.otf, copied to ``_fonts/`` and declared with
``@font-face``), which holds every character the course's sources use.

Widgets: nbconvert embeds widget views when the notebook's metadata holds the widget
state (``metadata.widgets["application/vnd.jupyter.widget-state+json"]``); the page then
shows each widget as last saved, drawn by the @jupyter-widgets/html-manager script that
the page loads from a CDN (the one network reference, with require.js and MathJax).
JupyterLab writes that state only with "Save Widget State Automatically" on; nbclient
always writes it, so ``--execute`` runs each notebook first (on a copy, never touching the
committed file) and is the reliable way to get every widget on the page.

Cells tagged ``remove-cell`` (the assert cells nbval needs) are left out.
Links between notebooks (``02_threads.ipynb#...``) become links between pages; images
referenced by markdown are embedded as data URIs.
"""

from __future__ import annotations

import argparse
import copy
import html
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
COURSE_TITLE = "How Go schedules goroutines: an interactive course"


ZH_DIR = "zh"        # the Chinese edition's folder, in notebooks/ and in the site
LANG_CODE = {"en": "en", "zh": "zh-CN"}
COURSE_TITLE_ZH = "Go 如何调度 goroutine：交互式课程"


def find_notebooks(notebook_dir: Path) -> list[Path]:
    """Lecture notebooks first (sorted), then homework, then the Chinese edition
    (``zh/*.ipynb``); checkpoints excluded."""
    notebook_dir = Path(notebook_dir)
    lectures = sorted(notebook_dir.glob("*.ipynb"))
    homework = sorted((notebook_dir / "homework").glob("*.ipynb"))
    chinese = sorted((notebook_dir / ZH_DIR).glob("*.ipynb"))
    return [p for p in lectures + homework + chinese if ".ipynb_checkpoints" not in p.parts]


def language_of(rel: Path) -> str:
    """``"zh"`` for a page of the Chinese edition (``zh/...``), else ``"en"``."""
    return "zh" if Path(rel).parts[0] == ZH_DIR else "en"


def counterpart(rel: Path) -> Path:
    """The same page in the other edition: ``NN.html`` <-> ``zh/NN.html``."""
    rel = Path(rel)
    return Path(*rel.parts[1:]) if language_of(rel) == "zh" else Path(ZH_DIR) / rel


def _href(frm: Path, to: Path) -> str:
    """A relative link from page ``frm`` to page ``to`` (both relative to the site root)."""
    import os
    return Path(os.path.relpath(to, Path(frm).parent)).as_posix()


FONT_FAMILY = "Noto Sans CJK SC gmpkit"
# system CJK fonts first (each platform's usual one), the shipped subset last: the browser
# falls back character by character through NAMED families.  No system-ui or -apple-system:
# chromium draws a character system-ui lacks as an empty box instead of trying the next
# family (tests/browser/test_site_fonts_browser.py found it).
CJK_STACK = ('"Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", '
             '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", '
             f'"{FONT_FAMILY}", sans-serif')
FONTS_DIR = "_fonts"


def font_files() -> dict:
    """``{weight: path}`` of the shipped CJK subset (gmpkit/lang)."""
    lang = REPO / "gmpkit" / "lang"
    return {w: lang / f"NotoSansCJKSC-gmpkit-{name}.otf" for w, name in
            ((400, "Regular"), (700, "Bold"))}


def font_faces(page_rel: Path) -> str:
    """The ``@font-face`` rules of the subset, with URLs relative to ``page_rel`` (a browser
    downloads the file only when a character on the page needs it)."""
    return "".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {w}; font-display: swap; '
        f'src: url("{_href(page_rel, Path(FONTS_DIR) / f.name)}") format("opentype"); }}\n'
        for w, f in font_files().items())


def zh_style(page_rel: Path) -> str:
    """The ``<style>`` of a Chinese page: the subset font and the CJK font stack."""
    faces = font_faces(page_rel)
    return (f"<style>\n{faces}"
            f":root {{ --jp-content-font-family: {CJK_STACK}; --jp-ui-font-family: {CJK_STACK}; }}\n"
            f"body {{ font-family: {CJK_STACK}; }}\n</style>")


SWITCH_CSS = (".gmpkit-lang-switch { text-align: right; font-size: 0.95rem; padding: 0.4rem 1rem; "
              f"font-family: {CJK_STACK}; }} .gmpkit-lang-switch a {{ font-weight: 600; }}")


def switch_html(page_rel: Path, pages: set, index: bool = False) -> str:
    """The language switch of a page: a link to the same page in the other edition, or to
    the other edition's index when that page does not exist (yet)."""
    page_rel = Path(page_rel)
    other = counterpart(page_rel)
    lang = language_of(page_rel)
    exists = index or other.as_posix() in pages
    target = other if exists else (Path("index.html") if lang == "zh" else Path(ZH_DIR) / "index.html")
    if lang == "en":
        label = "中文" if exists else "中文版（本讲尚未翻译）"
        attrs = 'hreflang="zh-CN" lang="zh-CN"'
    else:
        label = "English" if exists else "English edition"
        attrs = 'hreflang="en" lang="en"'
    faces = "" if lang == "zh" else font_faces(page_rel)     # "中文" on an English page
    return (f'<nav class="gmpkit-lang-switch"><style>{faces}{SWITCH_CSS}</style>'
            f'<a class="gmpkit-lang-link" {attrs} href="{html.escape(_href(page_rel, target))}">'
            f"{label}</a></nav>")


def page_name(nb_path: Path, notebook_dir: Path) -> Path:
    """Where a notebook's page goes, relative to the output dir."""
    return Path(nb_path).relative_to(notebook_dir).with_suffix(".html")


def headings(nb) -> tuple[str, list[str]]:
    """The notebook's title (first ``#`` heading) and its ``##`` section titles."""
    title, sections = None, []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        in_code = False
        for line in cell.source.splitlines():
            if line.lstrip().startswith("```"):
                in_code = not in_code
            if in_code:
                continue
            m = re.match(r"^(#{1,2})\s+(.+?)\s*#*\s*$", line)
            if not m:
                continue
            text = re.sub(r"[*_`]", "", m.group(2)).strip()
            if m.group(1) == "#" and title is None:
                title = text
            elif m.group(1) == "##":
                sections.append(text)
    return title or "", sections


def has_widget_views(nb) -> bool:
    return any(
        WIDGET_VIEW in out.get("data", {})
        for cell in nb.cells if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    )


def execute(nb, cwd: Path, timeout: int = 600):
    """Run a copy of ``nb`` with nbclient, storing widget state; return the copy."""
    from nbclient import NotebookClient

    nb = copy.deepcopy(nb)
    NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}},
        store_widget_state=True,
    ).execute()
    return nb


_IPYNB_HREF = re.compile(r'href="(?![a-z][a-z0-9+.-]*:|/|#)([^"#?]+)\.ipynb([#?][^"]*)?"', re.I)


def relink(body: str) -> str:
    """Relative links to notebooks point at their pages instead."""
    return _IPYNB_HREF.sub(lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', body)


def _widget_parts(state: dict, model_id: str, seen=None) -> list[tuple[str, str]]:
    """The pictures (Image widgets) and texts (HTML/Label widgets) under a widget,
    in display order, from the saved widget state: ``[("img", b64) | ("html", text)]``."""
    seen = set() if seen is None else seen
    if model_id in seen or model_id not in state:
        return []
    seen.add(model_id)
    model = state[model_id]
    name, st = model.get("model_name", ""), model.get("state", {})
    if name == "ImageModel":
        for buf in model.get("buffers", []):
            if buf.get("path") == ["value"] and buf.get("encoding", "base64") == "base64":
                return [("img", buf["data"])]
        return []
    if name in ("HTMLModel", "LabelModel", "HTMLMathModel") and st.get("value"):
        text = st["value"] if name != "LabelModel" else html.escape(st["value"])
        return [("html", text)]
    parts = []
    for child in st.get("children", []):
        parts += _widget_parts(state, str(child).removeprefix("IPY_MODEL_"), seen)
    return parts


STATIC_NOTE = {
    "en": ("The last saved view of this experiment. Open the notebook in JupyterLab "
           "(<code>make lab</code>) to move its controls."),
    "zh": ("这是本实验最后保存的画面。在 JupyterLab 中打开 notebook"
           "（<code>make lab COURSE_LANG=zh</code>）即可拖动控件。"),
}


def add_static_views(nb, lang: str = "en") -> int:
    """After each widget view, add a static copy of its last saved picture and text.

    The widget itself is drawn on the page by a script from a CDN; the static copy
    shows the same last view without it (offline, or where scripts are blocked).
    When the live widgets do render, a small script on the page hides the copies.
    Returns how many static views were added.
    """
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    added = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outs = []
        for out in cell.get("outputs", []):
            outs.append(out)
            view = (out.get("data", {}).get(WIDGET_VIEW)
                    if out.get("output_type") in ("display_data", "execute_result") else None)
            parts = _widget_parts(state, view["model_id"]) if view else []
            if not any(kind == "img" for kind, _ in parts):
                continue
            body = "".join(
                f'<img alt="last saved view" style="max-width:100%" src="data:image/png;base64,{v}">'
                if kind == "img" else f"<div>{v}</div>" for kind, v in parts)
            outs.append(nbformat.v4.new_output("display_data", data={"text/html": (
                f'<div class="gmpkit-static-view">{body}<p style="color:#666;font-size:0.9em">'
                f"<i>{STATIC_NOTE[lang]}</i></p></div>")}))
            added += 1
        cell["outputs"] = outs
    return added


# Hide the static copies once the live widgets have been drawn by the widget manager.
_HIDE_STATIC = """<script>
(function () {
  var tries = 0;
  var timer = setInterval(function () {
    tries += 1;
    if (document.querySelector('.jupyter-widgets.widget-image, .widget-image')) {
      document.querySelectorAll('.gmpkit-static-view').forEach(function (e) { e.style.display = 'none'; });
      clearInterval(timer);
    } else if (tries > 40) { clearInterval(timer); }
  }, 250);
})();
</script>"""


HIDDEN_TAG = "remove-cell"   # test scaffolding (assert cells): kept for nbval, not for readers


def without_hidden_cells(nb):
    """A copy of ``nb`` without the cells tagged ``remove-cell`` (see tools/nbbuild.py)."""
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if HIDDEN_TAG not in c.get("metadata", {}).get("tags", [])]
    return nb


def render(nb, resources_path: Path, lang: str = "en") -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", embed_images=True)
    nb = without_hidden_cells(nb)
    add_static_views(nb, lang)
    body, _ = exporter.from_notebook_node(
        nb, resources={"metadata": {"path": str(resources_path)}}
    )
    return relink(body).replace("</body>", _HIDE_STATIC + "\n</body>", 1)


def with_language(page: str, page_rel: Path, pages: set) -> str:
    """A rendered page with its language switch (first thing in the body) and, for a
    Chinese page, the CJK fonts."""
    lang = language_of(page_rel)
    # nbconvert accepts only two-letter codes (and falls back to "en"): set it here
    page = re.sub(r"<html\b[^>]*>", f'<html lang="{LANG_CODE[lang]}">', page, count=1)
    if lang == "zh":
        page = page.replace("</head>", zh_style(page_rel) + "\n</head>", 1)
    return re.sub(r"(<body\b[^>]*>)", lambda m: m.group(1) + switch_html(page_rel, pages),
                  page, count=1)


INDEX_CSS = """
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #222; }
h1 { font-size: 1.8rem; } li.nb { margin: 0.8rem 0; } li.nb > a { font-weight: 600; }
ul.sections { color: #555; font-size: 0.95rem; margin-top: 0.2rem; }
.note { color: #666; font-size: 0.9rem; }
"""


INDEX_TEXT = {
    "en": {"title": COURSE_TITLE, "lectures": "Lectures", "homework": "Homework",
           "none": "No notebooks yet.",
           "intro": "Processes, threads, goroutines, the M:N model, Go 1.0's GM scheduler and "
                    "today's GMP scheduler: simulated, measured, and compared. These pages show "
                    "the notebooks as last run; to change the experiments, run them in "
                    "JupyterLab (<code>make lab</code>).",
           "built": "Built {date} from the course notebooks."},
    "zh": {"title": COURSE_TITLE_ZH, "lectures": "讲义", "homework": "作业",
           "none": "还没有已翻译的 notebook。",
           "intro": "进程、线程、goroutine、M:N 模型、Go 1.0 的 GM 调度器和今天的 GMP 调度器："
                    "模拟、实测、对照。这些页面展示的是 notebook 最后一次运行的结果；想改动实验，"
                    "请在 JupyterLab 中运行它们（<code>make lab COURSE_LANG=zh</code>）。",
           "built": "{date} 由课程 notebook 生成。"},
}


def index_html(entries: list[dict], title: str | None = None, lang: str = "en",
               switch: str = "") -> str:
    text = INDEX_TEXT[lang]
    title = title or text["title"]
    def block(items):
        out = []
        for e in items:
            secs = "".join(f"<li>{html.escape(s)}</li>" for s in e["sections"])
            out.append(
                f'<li class="nb"><a href="{html.escape(e["href"])}">{html.escape(e["title"])}</a>'
                f' <span class="note">({html.escape(e["file"])})</span>'
                + (f'<ul class="sections">{secs}</ul>' if secs else "")
                + "</li>"
            )
        return "\n".join(out)

    lectures = [e for e in entries if not e["homework"]]
    homework = [e for e in entries if e["homework"]]
    style = zh_style(Path(ZH_DIR) / "index.html") if lang == "zh" else ""
    parts = [
        "<!DOCTYPE html>", f'<html lang="{LANG_CODE[lang]}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title><style>{INDEX_CSS}</style>{style}</head><body>",
        switch,
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{text['intro']}</p>",
    ]
    if lectures:
        parts += [f"<h2>{text['lectures']}</h2>", f"<ol>{block(lectures)}</ol>"]
    else:
        parts += [f"<p>{text['none']}</p>"]
    if homework:
        parts += [f"<h2>{text['homework']}</h2>", f"<ul>{block(homework)}</ul>"]
    parts += [f'<p class="note">{text["built"].format(date=time.strftime("%Y-%m-%d"))}</p>',
              "</body></html>"]
    return "\n".join(parts)


def build_site(notebook_dir=REPO / "notebooks", out_dir=REPO / "build" / "html",
               execute_notebooks: bool = False, log=print) -> list[Path]:
    """Build the site; return the paths written (index.html first)."""
    notebook_dir, out_dir = Path(notebook_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written, entries = [], []
    notebooks = find_notebooks(notebook_dir)
    pages = {page_name(p, notebook_dir).as_posix() for p in notebooks}
    for nb_path in notebooks:
        t0 = time.monotonic()
        nb = nbformat.read(nb_path, as_version=4)
        if execute_notebooks:
            nb = execute(nb, nb_path.parent)
        elif has_widget_views(nb) and WIDGET_STATE not in nb.metadata.get("widgets", {}):
            log(f"warning: {nb_path.name} has widget outputs but no saved widget state: "
                "its widgets will not show on the page (use --execute, or save the "
                "notebook with 'Save Widget State Automatically' on)")
        rel = page_name(nb_path, notebook_dir)
        lang = language_of(rel)
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(with_language(render(nb, nb_path.parent, lang), rel, pages),
                          encoding="utf-8")
        written.append(target)
        title, sections = headings(nb)
        entries.append({
            "href": rel.as_posix(), "title": title or nb_path.stem, "sections": sections,
            "file": nb_path.relative_to(notebook_dir).as_posix(),
            "homework": rel.parts[0] == "homework", "lang": lang,
        })
        log(f"{target.relative_to(out_dir)}  ({time.monotonic() - t0:.1f} s)")
    index = out_dir / "index.html"
    zh_index = out_dir / ZH_DIR / "index.html"
    en_entries = [e for e in entries if e["lang"] == "en"]
    index.write_text(index_html(en_entries, switch=switch_html(Path("index.html"), pages,
                                                                index=True)), encoding="utf-8")
    zh_entries = [dict(e, href=Path(e["href"]).relative_to(ZH_DIR).as_posix())
                  for e in entries if e["lang"] == "zh"]
    zh_index.parent.mkdir(parents=True, exist_ok=True)
    zh_index.write_text(index_html(zh_entries, lang="zh", switch=switch_html(
        Path(ZH_DIR) / "index.html", pages, index=True)), encoding="utf-8")
    fonts = out_dir / FONTS_DIR
    fonts.mkdir(exist_ok=True)
    for f in font_files().values():
        shutil.copyfile(f, fonts / f.name)
    return [index, zh_index] + written


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--notebooks", type=Path, default=REPO / "notebooks")
    ap.add_argument("--out", type=Path, default=REPO / "build" / "html")
    ap.add_argument("--execute", action="store_true",
                    help="run each notebook (on a copy) first, so every widget's state is saved")
    args = ap.parse_args(argv)
    if not args.notebooks.is_dir():
        print(f"no notebook folder at {args.notebooks}", file=sys.stderr)
        return 1
    t0 = time.monotonic()
    pages = build_site(args.notebooks, args.out, execute_notebooks=args.execute)
    print(f"wrote {len(pages)} pages to {args.out} in {time.monotonic() - t0:.1f} s; "
          f"open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
