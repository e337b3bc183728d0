"""The Chinese edition's infrastructure: language switch, UI catalogue, term table, CJK font.

What each test would catch:
* a ``tr``/``trc``/``N_`` string added in gmpkit without its Chinese (or a stale entry,
  or placeholders that differ between the two languages);
* the term table losing a term a notebook glossary uses, or drifting from the
  community's usual Chinese for the core scheduler terms;
* Chinese in a figure drawn as empty boxes on a machine with no CJK fonts, or the
  shipped subset missing a character the course uses, or missing from the wheel.
"""

from __future__ import annotations

import ast
import json
import os
import re
import string
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

import gmpkit as gk
from gmpkit import i18n

REPO = Path(__file__).resolve().parents[1]
PKG = REPO / "gmpkit"
CJK = re.compile(r"[\u3400-\u9fff]")
# catalogue entries whose Chinese is, by design, the English word (or only punctuation:
# the separators ", " and "; " are 、 and ； in Chinese; "GM (Go 1.0)" only takes
# full-width brackets)
SAME_IN_CHINESE = {"state|sysmon", ", ", "; ", "GM (Go 1.0)"}


@pytest.fixture(autouse=True)
def english_after():
    yield
    gk.set_language("en")


# ---------------------------------------------------------------------------
# the language switch
# ---------------------------------------------------------------------------

def test_set_language_normalises_and_rejects_unknown():
    assert gk.set_language("zh_CN.UTF-8") == "zh" and gk.language() == "zh"
    assert gk.set_language("EN-gb") == "en"
    with pytest.raises(ValueError, match=r"unknown language 'fr'.*'en', 'zh'"):
        gk.set_language("fr")
    assert gk.language() == "en"


def _run(code, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k != "GMPKIT_LANG"}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def test_gmpkit_lang_environment_sets_the_start_language():
    code = "import gmpkit as gk; print(gk.language())"
    assert _run(code).stdout.split() == ["en"]                          # default
    assert _run(code, {"GMPKIT_LANG": "zh_CN.UTF-8"}).stdout.split() == ["zh"]
    bad = _run(code, {"GMPKIT_LANG": "klingon"})
    assert bad.returncode == 0 and bad.stdout.split() == ["en"]        # import never breaks
    assert "GMPKIT_LANG" in bad.stderr and "'zh'" in bad.stderr        # ... but says why


def test_tr_formats_in_both_languages_and_falls_back_to_english():
    msg = "panel {title!r} has no control {name!r}; it has {names}"
    assert i18n.tr(msg, title="t", name="x", names="a, b") == "panel 't' has no control 'x'; it has a, b"
    gk.set_language("zh")
    out = i18n.tr(msg, title="t", name="x", names="a, b")
    assert CJK.search(out) and "'t'" in out and "'x'" in out and "a, b" in out
    assert i18n.tr("a string nobody translated") == "a string nobody translated"
    assert i18n.trc("state", "syscall") == "系统调用"
    assert i18n.trc("nowhere", "syscall") == "syscall"


# ---------------------------------------------------------------------------
# the UI catalogue
# ---------------------------------------------------------------------------

NOTEBOOK_SOURCES = REPO / "notebooks" / "src"


def ui_strings(root=PKG, base=REPO, notebooks=None):
    """{catalogue key: [file:line]} for every tr/trc/N_ call in gmpkit, and a list of calls
    whose text is not a plain string literal and whose line lacks an ``# i18n:`` comment
    saying where its values are declared (a tool cannot look those up).

    ``notebooks``: a folder of lecture sources (py:percent) scanned too: what their visible
    cells print with ``tr("...")`` needs its Chinese like gmpkit's own strings. There a
    call on a variable (``tr(line)`` over a model's ``N_()`` list) is allowed without the
    comment, to keep the learner's code plain; an f-string or an expression is not."""
    found, bad = {}, []
    paths = sorted(root.rglob("*.py")) + (sorted(notebooks.glob("*.py")) if notebooks else [])
    for path in paths:
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        in_notebook = notebooks is not None and path.parent == notebooks
        if in_notebook:     # IPython magics (%load_ext ...) are not Python: blank them
            source = "\n".join("" if ln.startswith("%") else ln for ln in lines)
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("tr", "trc", "N_")):
                continue
            where = f"{path.relative_to(base)}:{node.lineno}"
            args = node.args[:2] if node.func.id == "trc" else node.args[:1]
            if not args or not all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                   for a in args):
                if in_notebook and all(isinstance(a, (ast.Name, ast.Attribute, ast.Subscript))
                                       for a in args):
                    continue
                if "# i18n:" not in lines[node.end_lineno - 1]:
                    bad.append(where)
                continue
            key = i18n.CTX_SEP.join(a.value for a in args)
            found.setdefault(key, []).append(where)
    return found, bad


def _fields(s):
    return sorted((name, conv or "", spec or "") for _, name, spec, conv
                  in string.Formatter().parse(s) if name is not None)


def test_every_ui_string_has_chinese_and_every_entry_is_used():
    from gmpkit import plots
    used, bad = ui_strings(notebooks=NOTEBOOK_SOURCES)
    for state in plots.STATE_STYLE:     # the dynamic trc("state", name) in plots.gantt
        used.setdefault(f"state|{state}", []).append("gmpkit/plots/theme.py:STATE_STYLE")
    cat = i18n.catalogue()
    assert not bad, f"tr()/trc()/N_() need string literals (no f-strings): {bad}"
    assert len(used) >= 30   # the panel error, the state descriptions and legend labels
    missing = {k: v for k, v in used.items() if not cat.get(k)}
    assert not missing, ("add the Chinese of these strings to gmpkit/lang/zh.json "
                         f"(then run python -m tools.cjkfont): {missing}")
    stale = sorted(set(cat) - set(used))
    assert not stale, f"gmpkit/lang/zh.json has entries no code uses any more: {stale}"
    for k, zh in cat.items():
        en = k.split(i18n.CTX_SEP, 1)[-1]
        assert _fields(en) == _fields(zh), f"placeholders differ: {k!r} vs {zh!r}"
        assert CJK.search(zh) or k in SAME_IN_CHINESE, f"not Chinese: {k!r} -> {zh!r}"


def test_the_checker_sees_a_missing_translation(tmp_path):
    (tmp_path / "m.py").write_text('from gmpkit.i18n import tr\nx = tr("no such text {n}", n=1)\n'
                                   'y = tr(f"{x}")\n')
    used, bad = ui_strings(tmp_path, base=tmp_path)
    assert "no such text {n}" in used and "no such text {n}" not in i18n.catalogue()
    assert bad == ["m.py:3"]


def test_the_checker_reads_what_notebooks_print(tmp_path):
    nbs = tmp_path / "nb"
    nbs.mkdir()
    (nbs / "01_x.py").write_text('# %%\n%load_ext gmpkit\nfrom gmpkit.i18n import tr\n'
                                 'print(tr("a lecture line {n}", n=1))\n'
                                 'for line in lines:\n    print(tr(line))\n'
                                 'print(tr(f"{n} goroutines"))\n')
    used, bad = ui_strings(tmp_path / "none", base=tmp_path, notebooks=nbs)
    assert used == {"a lecture line {n}": ["nb/01_x.py:4"]}
    assert bad == ["nb/01_x.py:7"]
    used, _ = ui_strings(notebooks=NOTEBOOK_SOURCES)
    assert any(w.startswith("notebooks/src/01_") for ws in used.values() for w in ws)


def test_plots_and_panel_speak_the_learners_language():
    from gmpkit import plots
    from gmpkit.widgets import Panel
    import ipywidgets as W

    en = plots.state_style("syscall")
    assert en[2] == "blocked in a system call"
    tl = gk.simulate(_main_with_syscall, model=gk.GMP(procs=1), seed=1).timeline

    def legend(fig):
        return [t.get_text() for ax in fig.axes if ax.get_legend()
                for t in ax.get_legend().get_texts()]

    labels_en = legend(plots.gantt(tl, by="M"))
    assert "syscall" in labels_en
    gk.set_language("zh")
    assert plots.state_style("syscall")[:2] == en[:2]
    assert plots.state_style("syscall")[2] == "阻塞在系统调用中"
    labels_zh = legend(plots.gantt(tl, by="M"))
    assert "系统调用" in labels_zh and "syscall" not in labels_zh
    assert len(labels_zh) == len(labels_en)
    p = Panel("demo", {"n": W.IntSlider(value=1)}, compute=lambda n: n, draw=lambda d, f: str(d))
    with pytest.raises(KeyError, match="没有名为 'm' 的控件"):
        p.set(m=2)


def _main_with_syscall():
    def w():
        yield gk.syscall(us=50)
    yield gk.go(w)
    yield gk.compute(us=100)
    yield gk.sleep(us=100)


# ---------------------------------------------------------------------------
# the term table
# ---------------------------------------------------------------------------

COMMUNITY = {"scheduler": "调度器", "local run queue": "本地运行队列",
             "global run queue": "全局运行队列", "work stealing": "工作窃取",
             "spinning thread": "自旋线程", "system call": "系统调用",
             "cooperative preemption": "协作式抢占", "asynchronous preemption": "异步抢占",
             "network poller": "网络轮询器", "goroutine": "goroutine"}


def test_term_table_is_bilingual_and_uses_the_communitys_terms():
    t = i18n.terms()
    raw = json.loads(i18n.TERMS_FILE.read_text(encoding="utf-8"))["terms"]
    assert len(raw) == len(t), "an English term appears twice in terms.json"
    for en, e in t.items():
        assert en.strip() and e["zh"].strip() and e["meaning"]["en"].strip(), e
        assert CJK.search(e["zh"]) or e.get("keep") or re.search(r"[A-Za-z]", e["zh"]), e
    for en, zh in COMMUNITY.items():
        assert i18n.term(en, "zh") == zh, en
    assert t["goroutine"].get("keep")


def test_every_glossary_term_in_the_notebooks_is_in_the_table():
    from tools.terms import glossaries, problems
    assert sum(len(r) for r in glossaries().values()) > 50
    missing, differs, _ = problems()
    assert not missing, ("add these glossary terms to gmpkit/lang/terms.json "
                         f"(python -m tools.terms check): {missing}")


def test_the_term_check_flags_notebooks_that_disagree(tmp_path):
    from tools.terms import problems
    row = "# | local run queue | {} | a P's queue |\n"
    for nb, zh in (("a", "本地运行队列"), ("b", "本地队列"), ("c", "本地队列（ring）")):
        (tmp_path / f"{nb}.py").write_text("# ## Glossary\n# | English | 中文 | meaning |\n"
                                           "# |---|---|---|\n" + row.format(zh) +
                                           "# | no such term | 无 | x |\n")
    missing, differs, inconsistent = problems(tmp_path)
    assert sorted(missing) == [("a", "no such term"), ("b", "no such term"), ("c", "no such term")]
    assert [d[0] for d in differs] == ["b", "c"]
    assert set(inconsistent["local run queue"]) == {"本地运行队列", "本地队列", "本地队列（ring）"}


def test_ui_strings_use_the_term_tables_chinese():
    from tools.terms import ui_problems
    assert ui_problems() == [], "UI strings must use gmpkit/lang/terms.json's Chinese"
    # the check sees a variant (a known one, and one only a notebook glossary used)
    cat = {"a": "P 的本地队列满了", "b": "本地运行队列满了", "c": "放进全局运行队列"}
    assert [(k, v) for k, v, *_ in ui_problems(cat)] == [("a", "本地队列")]


def test_the_term_check_reads_the_chinese_editions_glossary(tmp_path):
    """A bilingual source's 术语表 (中文 | English | 含义) is checked against the table too."""
    from tools.terms import parse_glossary, problems
    text = ('# %% [markdown] lang="en"\n# ## Glossary\n# | English | 中文 | meaning |\n'
            '# |---|---|---|\n# | local run queue | 本地运行队列 | a P queue |\n\n'
            '# %% [markdown] lang="zh"\n# ## 术语表\n# | 中文 | English | 含义 |\n'
            '# |---|---|---|\n# | 本地队列 | local run queue | P 的队列 |\n')
    (tmp_path / "a.py").write_text(text)
    assert parse_glossary(text, "zh") == [("local run queue", "本地队列", "P 的队列")]
    assert parse_glossary(text) == [("local run queue", "本地运行队列", "a P queue")]
    missing, differs, inconsistent = problems(tmp_path)
    assert missing == [] and differs == [("a", "local run queue", "本地队列", "本地运行队列")]
    assert set(inconsistent["local run queue"]) == {"本地运行队列", "本地队列"}


def test_glossary_rendering_both_editions():
    rows = ["scheduler", ("local run queue", "a P's ring", "P 的环形队列"), ("goroutine", "a G")]
    en = i18n.glossary_markdown(rows, "en").splitlines()
    zh = i18n.glossary_markdown(rows, "zh").splitlines()
    assert en[0] == "| English | 中文 | meaning |" and zh[0] == "| 中文 | English | 含义 |"
    assert en[3] == "| local run queue | 本地运行队列 | a P's ring |"
    assert zh[3] == "| 本地运行队列 | local run queue | P 的环形队列 |"
    assert en[4].startswith("| goroutine | goroutine（通常不译")
    assert zh[4].endswith("| a G |")     # no Chinese meaning yet: the English shows
    with pytest.raises(KeyError, match="'run quueue' is not in the term table"):
        i18n.glossary_markdown(["run quueue"], "en")


def test_render_keeps_a_notebooks_rows_and_takes_chinese_from_the_table():
    from tools.terms import glossaries, render
    nb, rows = next(iter(glossaries().items()))
    out = render(nb).splitlines()[2:]
    assert len(out) == len(rows)
    for line, (en, _, meaning) in zip(out, rows):
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        assert cells[0] == en and cells[1].startswith(i18n.term(en, "zh")) and cells[2] == meaning


# ---------------------------------------------------------------------------
# the CJK font
# ---------------------------------------------------------------------------

def all_chinese_strings():
    out = [v for v in i18n.catalogue().values()]
    for e in i18n.terms().values():
        out += [e["zh"], e.get("note_zh") or "", e["meaning"].get("zh") or ""]
    return [s for s in out if CJK.search(s)]


def test_the_subset_holds_every_character_the_course_uses():
    from tools.cjkfont import font_chars, needed_chars
    need = set(needed_chars())
    assert set("调度器本地运行队列") <= need
    for p in i18n.FONT_FILES:
        lacks = "".join(sorted(need - font_chars(p)))
        assert not lacks, f"{p.name} lacks {lacks!r}: run python -m tools.cjkfont"
    assert "OFL" in (i18n.LANG_DIR / "OFL.txt").read_text() or "Open Font License" in \
        (i18n.LANG_DIR / "OFL.txt").read_text()


_RENDER = """
import warnings, json, sys
from matplotlib import font_manager as fm
# a machine with no CJK system fonts: matplotlib sees DejaVu only
fm.fontManager.ttflist = [f for f in fm.fontManager.ttflist if f.name.startswith("DejaVu")]
fm.fontManager.afmlist = []
register = sys.argv[1] == "register"
if register:
    import gmpkit.plots                     # registers the shipped subset
from matplotlib.figure import Figure
from matplotlib.backends.backend_agg import FigureCanvasAgg
strings = json.loads(sys.stdin.read())
warnings.simplefilter("error")              # "Glyph ... missing from font(s)" -> failure
# a page of 60 strings per figure: one figure for a thousand strings would be taller than
# FreeType can rasterise ("raster overflow")
for k in range(0, len(strings), 60):
    page = strings[k:k + 60]
    fig = Figure(figsize=(8, 2 + 0.25 * len(page)))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.set_title(page[0])                      # bold (axes.titleweight in the course style)
    ax.set_xlabel(page[-1])
    for i, s in enumerate(page):
        ax.text(0, i, s, fontweight="bold" if i % 2 else "normal")
    ax.legend(handles=[ax.plot([], [], label=s)[0] for s in page[:5]])
    fig.canvas.draw()
import matplotlib as mpl
used = {fm.findfont(fm.FontProperties(family=[f])) for f in mpl.rcParams["font.family"]}
print(json.dumps(sorted(used)))
"""


def _render(strings, mode):
    return subprocess.run([sys.executable, "-c", _RENDER, mode], cwd=REPO, input=json.dumps(strings),
                          capture_output=True, text=True, timeout=180)


def test_chinese_renders_without_cjk_system_fonts():
    strings = all_chinese_strings()
    assert len(strings) > 60
    r = _render(strings, "register")
    assert r.returncode == 0, r.stderr[-2000:]
    used = json.loads(r.stdout)
    assert any("NotoSansCJKSC-gmpkit" in u for u in used) and any("DejaVuSans" in u for u in used)
    assert not any("/usr/share/fonts" in u for u in used), used   # no system font was used
    # the control: the same figure without the shipped font draws boxes, and the check says so
    r = _render(strings, "bare")
    assert r.returncode != 0 and "missing from font(s)" in r.stderr


def test_english_figures_look_exactly_as_before_the_cjk_fallback():
    import matplotlib as mpl
    from gmpkit import plots
    from gmpkit.widgets import render_png
    assert mpl.rcParams["font.family"][-1] == i18n.FONT_FAMILY
    tl = gk.simulate(_main_with_syscall, model=gk.GMP(procs=2), seed=1).timeline

    def png():
        return render_png(plots.gantt(tl, by="M", title="GMP — syscall hand-off"))

    with_fallback = png()
    with mpl.rc_context({"font.family": ["sans-serif"]}):
        without = png()
    assert with_fallback == without


def test_the_font_files_are_package_data_in_the_wheel(tmp_path):
    import fnmatch
    try:
        import tomllib
    except ImportError:                   # Python 3.10
        tomllib = pytest.importorskip("tomli")
    spec = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    pats = spec.get("gmpkit.lang", [])
    data = [p for p in i18n.LANG_DIR.iterdir() if p.suffix != ".py" and p.is_file()]
    for p in data:
        assert any(fnmatch.fnmatch(p.name, pat) for pat in pats), f"{p.name} not in package-data"
    # and really in a built wheel (a directory named "src" confuses setuptools: use another)
    src = tmp_path / "gmpkit_wheel_src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        (src / name).write_bytes((REPO / name).read_bytes())
    subprocess.run(["cp", "-r", str(PKG), str(src / "gmpkit")], check=True)
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                        str(tmp_path / "out"), str(src)], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    (whl,) = (tmp_path / "out").glob("gmpkit-*.whl")
    names = set(zipfile.ZipFile(whl).namelist())
    for p in data + list(i18n.FONT_FILES):
        assert f"gmpkit/lang/{p.name}" in names, p.name
