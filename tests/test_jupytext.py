"""The notebook sources are jupytext percent scripts: the converter from the old home-made
format, the edition check (a source and a built edition out of step fail), and what
JupyterLab with jupytext does when an instructor opens a source as a notebook and saves it.
Since issue 15 a source is paired with nothing: its editions are derived by the builds."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

jupytext = pytest.importorskip("jupytext")

from gmpkit.homework import build as hw_build          # noqa: E402
from gmpkit.homework import source                     # noqa: E402
from tools import nbbuild, to_jupytext as tj           # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "notebooks" / "src").glob("*.py")) + \
    sorted((ROOT / "notebooks" / "homework" / "src").glob("*.py"))

# An old-format source with every kind of header the old readers (tools/nbbuild.py,
# gmpkit/homework/source.py and predict's key=<JSON> extension) accepted.
LEGACY = '''# %% [markdown] slide="slide"
# # Title
#
# Prose with a `# %`-free line.
#not-spaced comment line

# %% tags=["nbval-ignore-output"]
%load_ext gmpkit
panel = 1


# %% tags=['check', solution]
hw.check("q1", answer_q1)

# %% tags=["remove-cell"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert panel == 1

# %% [markdown] lang="zh" slide="subslide"
# 中文

# %% tags=["nbval-ignore-output"] custom={"n": 3, "ok": false, "xs": [1.5, null]}
%%go --procs 2 --name pool
package main

func main() {}
'''

WANT_META = [
    {"slideshow": {"slide_type": "slide"}},
    {"tags": ["nbval-ignore-output"]},
    {"tags": ["check", "solution"]},
    {"tags": ["remove-cell"], "jupyter": {"source_hidden": True, "outputs_hidden": True}},
    {"lang": "zh", "slideshow": {"slide_type": "subslide"}},
    {"tags": ["nbval-ignore-output"], "custom": {"n": 3, "ok": False, "xs": [1.5, None]}},
]


def jt_cells(text):
    return [(c.cell_type, c.source, dict(c.metadata)) for c in source.parse(text).cells]


# ---- the converter ------------------------------------------------------------------------

def test_every_metadata_kind_converts():
    cells = jt_cells(tj.convert(LEGACY))
    assert [m for _, _, m in cells] == WANT_META
    assert [t for t, _, _ in cells] == ["markdown", "code", "code", "code", "markdown", "code"]


def test_round_trip_keeps_the_old_readers_cells():
    """What the old reader made of a source is what jupytext reads from its conversion."""
    old = [(c.cell_type, c.source, dict(c.metadata)) for c in tj.parse_legacy(LEGACY)]
    assert jt_cells(tj.convert(LEGACY)) == old
    assert old[0][1].endswith("Prose with a `# %`-free line.\nnot-spaced comment line")
    assert old[1][1] == "%load_ext gmpkit\npanel = 1"          # edge blank lines dropped
    assert old[5][1].startswith("%%go --procs 2 --name pool\npackage main\n")


def test_conversion_is_idempotent():
    once = tj.convert(LEGACY)
    assert tj.convert(once) == once
    assert tj.convert(tj.convert(once, tj.HOMEWORK_FORMATS), tj.HOMEWORK_FORMATS) == \
        tj.convert(once, tj.HOMEWORK_FORMATS)


def test_the_header_pairs_nothing_and_pins_nothing_version_specific():
    head = source.parse(tj.convert(LEGACY)).metadata
    assert head["jupytext"]["formats"] == "py:percent"     # a text notebook on its own
    assert head["jupytext"]["comment_magics"] is False
    assert head["kernelspec"]["name"] == "python3"
    assert jupytext.__version__ not in tj.convert(LEGACY)   # no diff when jupytext is upgraded


def test_the_build_keeps_every_metadata_kind(tmp_path):
    """What nbbuild and the homework builder put in the .ipynb: the cells' metadata as
    written in the source (hidden cells included), stable ids, no jupytext bookkeeping."""
    src = tmp_path / "src" / "99_demo.py"
    src.parent.mkdir()
    # two blank lines after a cell: jupytext records lines_to_next_cell; not in the notebook
    src.write_text(tj.convert(LEGACY).replace("panel = 1\n", "panel = 1\n\n"))
    assert jupytext.reads(src.read_text(), fmt="py:percent").cells[1].metadata.get(
        "lines_to_next_cell") == 2
    nb = nbbuild.to_notebook(src)
    assert [dict(c.metadata) for c in nb.cells] == WANT_META
    assert [c.id for c in nb.cells][:2] == ["99-demo-000", "99-demo-001"]
    assert "text_representation" not in nb.metadata.get("jupytext", {})
    # the LEGACY cell with lang="zh" has no English twin: the build refuses it, by name
    with pytest.raises(SystemExit, match="Chinese prose without its English twin"):
        nbbuild.build(src, run=False)
    src.write_text(src.read_text().replace('lang="zh" ', ""))
    nbbuild.build(src, run=False)
    built = nbformat.read(tmp_path / "99_demo.ipynb", as_version=4)
    assert "jupytext" not in built.metadata              # an edition is not paired
    assert [dict(c.metadata) for c in built.cells][:4] == WANT_META[:4]
    assert not (tmp_path / "zh").exists()                # no Chinese cell: no Chinese edition


def test_a_jupytext_file_with_the_old_slide_shorthand_is_normalised():
    text = tj.convert("# %%\nx = 1\n").replace("# %%\n", '# %% [markdown] slide="slide"\n# Hi\n\n# %%\n')
    assert jt_cells(text)[0][2] == {"slide": "slide"}           # jupytext alone keeps it as is
    assert jt_cells(tj.convert(text))[0][2] == {"slideshow": {"slide_type": "slide"}}


def test_an_auto_merged_mixture_converts():
    """git may merge a converted source with a branch that added old-style cells without a
    conflict: the converter (the integrator re-runs it) fixes the mixture."""
    text = tj.convert("# %% [markdown]\n# Hi\n\n# %%\nx = 1\n")
    text += ('\n# %% [markdown] slide="slide"\n# ## New\n\n'
             '# %% tags=["remove-cell"] jupyter={"source_hidden": true, "outputs_hidden": true}\n'
             'assert x == 1\n\n# %% tags=["nbval-ignore-output"]\n%%go --name a\npackage main\n')
    out = tj.convert(text)
    assert [m for _, _, m in jt_cells(out)] == [
        {}, {}, {"slideshow": {"slide_type": "slide"}},
        {"tags": ["remove-cell"], "jupyter": {"source_hidden": True, "outputs_hidden": True}},
        {"tags": ["nbval-ignore-output"]}]
    assert jt_cells(out)[-1][1] == "%%go --name a\npackage main"
    assert tj.convert(out) == out


@pytest.mark.parametrize("text, where, what", [
    ("# %% tags=[\"a\"\nx\n", ":1", "tags is not JSON"),
    ("# %% slide=slide\nx\n", ":1", "slide is not JSON"),
    ("# %%\nx\n# %% [markdown] a title\n# y\n", ":3", "cannot read 'a title'"),
    ("import os\n# %%\nx\n", ":1", "before the first '# %%'"),
])
def test_bad_old_headers_are_refused_naming_the_line(text, where, what):
    with pytest.raises(tj.SourceError) as e:
        tj.convert(text, where="x.py")
    assert f"x.py{where}" in str(e.value) and what.split()[0] in str(e.value)


def test_sources_are_paired_with_no_notebook():
    for path in (ROOT / "notebooks/src/01_processes.py",
                 ROOT / "notebooks/homework/src/hw1_threads.py"):
        assert tj.formats_for(path) == "py:percent"
        assert source.parse(path.read_text()).metadata["jupytext"]["formats"] == "py:percent"
    paths = [p for p, _ in jupytext.paired_paths.paired_paths(
        "notebooks/homework/src/hw1_threads.py", "py:percent", tj.HOMEWORK_FORMATS)]
    assert paths == ["notebooks/homework/src/hw1_threads.py"]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_every_source_is_already_converted(path):
    """Each committed source is a fixed point of the converter (run twice: no change)."""
    text = path.read_text(encoding="utf-8")
    assert source.is_source(text), f"{path.name}: run python -m tools.to_jupytext {path}"
    assert tj.convert(text, tj.formats_for(path)) == text, \
        f"{path.name} is not in jupytext's form: python -m tools.to_jupytext {path}"


def test_cli_check_and_convert(tmp_path):
    d = tmp_path / "src"
    d.mkdir()
    (d / "a.py").write_text(LEGACY)
    run = lambda *a: subprocess.run([sys.executable, "-m", "tools.to_jupytext", *a], cwd=ROOT,
                                    capture_output=True, text=True)
    assert run("--check", str(d)).returncode == 1 and (d / "a.py").read_text() == LEGACY
    assert run(str(d)).returncode == 0
    converted = (d / "a.py").read_text()
    assert run("--check", str(d)).returncode == 0
    assert run(str(d)).returncode == 0 and (d / "a.py").read_text() == converted
    (d / "b.py").write_text("# %% slide=x\n1\n")
    r = run(str(d / "b.py"))
    assert r.returncode != 0 and "b.py:1" in r.stderr and "Traceback" not in r.stderr


# ---- pairs out of step fail ----------------------------------------------------------------

@pytest.fixture
def pair(tmp_path):
    """A copy of lecture 01's source and its editions: tmp/src/01_processes.py,
    tmp/01_processes.ipynb (English) and tmp/zh/01_processes.ipynb (Chinese)."""
    (tmp_path / "src").mkdir()
    (tmp_path / "zh").mkdir()
    src = tmp_path / "src" / "01_processes.py"
    shutil.copy(ROOT / "notebooks/src/01_processes.py", src)
    shutil.copy(ROOT / "notebooks/01_processes.ipynb", tmp_path / "01_processes.ipynb")
    shutil.copy(ROOT / "notebooks/zh/01_processes.ipynb", tmp_path / "zh" / "01_processes.ipynb")
    return src, tmp_path / "01_processes.ipynb"


def test_a_committed_pair_is_in_step(pair):
    assert nbbuild.differences(pair[0]) == []


def _edit(path, fn):
    nb = nbformat.read(path, as_version=4)
    fn(nb)
    nbformat.write(nb, path)


@pytest.mark.parametrize("change", [
    lambda nb: setattr(nb.cells[3], "source", nb.cells[3].source + " (edited)"),
    lambda nb: nb.cells[1].metadata.update(tags=["raises-exception"]),
    lambda nb: nb.cells[0].metadata.pop("slideshow"),
    lambda nb: nb.cells[2].metadata.update(jupyter={"source_hidden": True}),
    lambda nb: nb.cells.pop(),
    lambda nb: nb.metadata.update(jupytext={"formats": "ipynb,src//py:percent"}),
], ids=["source", "tags", "slideshow", "hidden", "cell-count", "pairing"])
def test_a_notebook_out_of_step_fails(pair, change):
    src, ipynb = pair
    _edit(ipynb, change)
    probs = nbbuild.differences(src)
    assert probs and "out of step" in probs[0] and "python -m tools.nbbuild 01_processes" in probs[0]


def test_a_source_out_of_step_fails(pair):
    src, _ = pair
    src.write_text(src.read_text().replace("# %% [markdown]", '# %% [markdown] tags=["x"]', 1))
    assert nbbuild.differences(src)
    src.write_text(tj.parse_legacy.__doc__ or "")          # not a jupytext script at all
    assert "python -m tools.to_jupytext" in nbbuild.differences(src)[0]


def test_view_state_jupyterlab_adds_is_not_a_difference(pair):
    """Collapsing or scrolling an output in JupyterLab is not an edit (jupytext drops it)."""
    src, ipynb = pair
    _edit(ipynb, lambda nb: nb.cells[1].metadata.update(collapsed=True, scrolled=True))
    assert nbbuild.differences(src) == []


@pytest.mark.parametrize("master", hw_build.masters(), ids=lambda p: p.stem)
def test_homework_notebooks_are_derived_not_paired(master):
    for d in (hw_build.SOLUTION_DIR, hw_build.STUDENT_DIR):
        nb = nbformat.read(d / f"{master.stem}.ipynb", as_version=4)
        assert "jupytext" not in nb.metadata      # a learner's JupyterLab never writes a master
    nb = nbformat.read(hw_build.SOLUTION_DIR / f"{master.stem}.ipynb", as_version=4)
    assert nbbuild.edition_difference(nb, hw_build.solution_notebook(master, run=False),
                                      "solution", "rebuild") is None


# ---- an instructor edits a source in JupyterLab (jupytext's contents manager) -------------

def test_opening_a_source_as_a_notebook_and_saving_writes_only_the_source(pair):
    """README "Editing a lesson": open notebooks/src/NN.py with *Open With > Jupytext
    Notebook*, edit a cell of either language, save: the .py changes by that line, its
    twin cells and their lang metadata survive, no notebook is written beside it, and the
    editions are then out of step until rebuilt."""
    from jupyter_server.services.contents.filemanager import FileContentsManager
    from jupytext.sync_contentsmanager import build_sync_jupytext_contents_manager_class

    from tools import bilingual
    src, ipynb = pair
    text = src.read_text()                       # a bilingual lesson: title pair first
    assert bilingual.problems(bilingual.read(text)) == []
    (src.parent.parent / "zh" / "01_processes.ipynb").unlink()   # say so when an edition is gone
    cm = build_sync_jupytext_contents_manager_class(FileContentsManager)(root_dir=str(src.parent))
    model = cm.get(src.name)
    cells = model["content"]["cells"]
    assert [c["metadata"].get("lang") for c in cells[:2]] == ["en", "zh"]
    cells[0]["source"] += "\n\nA sentence added in JupyterLab."
    cells[1]["source"] += "\n\n在 JupyterLab 里加的一句。"
    cells[1]["metadata"]["collapsed"] = False          # view state: stays out of the source
    cm.save(model, src.name)
    after_save = src.read_text()
    added = [ln for ln in after_save.splitlines() if ln not in text.splitlines()]
    assert added == ["# A sentence added in JupyterLab.", "# 在 JupyterLab 里加的一句。"]
    assert len(after_save.splitlines()) == len(text.splitlines()) + 4
    assert sorted(p.name for p in src.parent.iterdir()) == [src.name]   # no .ipynb beside it
    assert bilingual.problems(bilingual.read(after_save)) == []
    probs = nbbuild.differences(src)
    assert any("out of step" in p for p in probs)          # English edition: the edited title
    assert any("zh/01_processes.ipynb is missing" in p for p in probs)


# ---- jupytext is a build tool: the package runs without it -------------------------------

def test_the_package_and_the_grader_run_without_jupytext():
    code = (
        "import sys; sys.modules['jupytext'] = None\n"      # import jupytext -> ImportError
        "import gmpkit, gmpkit.homework, gmpkit.homework.grade, gmpkit.homework.released\n"
        "from gmpkit.homework import Homework\n"
        "hw = Homework(1, 'demo', quiet=True); assert hw.qids\n"
        "from gmpkit.homework import source\n"
        "try:\n"
        "    source.parse('# ---\\n# jupyter:\\n# ---\\n')\n"
        "except ModuleNotFoundError as e:\n"
        "    print('MSG', e)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert "MSG building notebooks from their sources needs jupytext" in r.stdout
    assert "pip install" in r.stdout
