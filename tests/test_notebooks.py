"""The course notebooks: in sync with their sources, complete, and well formed.

Strict output checking (re-execute and compare every deterministic output) is
nbval's job: `make test` runs it over notebooks/*.ipynb and notebooks/zh/*.ipynb.
These tests check what nbval does not: that the committed notebook is the built
source, that it was executed and has no errors, and that each has the parts every
lesson needs.  Each test runs on both editions (English: notebooks/NN.ipynb,
Chinese: notebooks/zh/NN.ipynb), with each edition's markers (tests/editions.py).
"""

import json
import re
from pathlib import Path

import pytest

from editions import MARKERS, committed_editions, heading_re, path_id

ROOT = Path(__file__).resolve().parent.parent
LECTURES = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EDITIONS = committed_editions()
EXPECTED = ["01_processes", "02_threads", "03_goroutines", "04_mn_model",
            "05_gm_scheduler", "06_gmp_queues", "07_gmp_syscalls", "08_model_vs_reality",
            "09_real_tools", "10_your_program"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def load(path):
    return json.loads(path.read_text())


def text_of(nb, kind="markdown"):
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == kind)


def test_all_lectures_exist():
    have = [p.stem for p in LECTURES]
    missing = [n for n in EXPECTED if n not in have]
    assert not missing, f"missing notebooks: {missing}"


def test_notebooks_match_their_sources():
    """Each notebook and its jupytext source are a pair: the .py jupytext writes from the
    .ipynb is the committed source (cells' sources and metadata, the pairing header).
    tests/test_jupytext.py shows this fails for each kind of drift."""
    from tools.nbbuild import differences, source_files
    problems = [p for src in source_files() for p in differences(src)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path,lang", EDITIONS, ids=[path_id(e) for e in EDITIONS])
def test_executed_without_errors(path, lang):
    nb = load(path)
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] != "code" or not "".join(c["source"]).strip():
            continue
        assert c.get("execution_count"), f"{path.name} cell {i} has no stored output (not executed)"
        errs = [o for o in c.get("outputs", []) if o["output_type"] == "error"]
        assert not errs, f"{path.name} cell {i} stored an error: {errs[0]['ename']}"


@pytest.mark.parametrize("path,lang", EDITIONS, ids=[path_id(e) for e in EDITIONS])
def test_every_lesson_has_its_parts(path, lang):
    nb = load(path)
    md = text_of(nb)
    code = text_of(nb, "code")
    m = MARKERS[lang]
    for part in ("goals", "summary", "glossary", "self_check"):
        assert heading_re(m[part]).search(md), f"no {m[part]!r} section (a heading naming it)"
    glossary = md[heading_re(m["glossary"]).search(md).end():]
    assert len(CJK.findall(glossary)) >= 10, "the glossary needs the Chinese terms"
    assert "Question(" in code or "questions" in code.lower(), "no self-check questions"
    predicts = md.count(m["predict"])
    notices = md.count(m["notice"])
    assert predicts >= 2, f"{predicts} {m['predict']!r} prompts; every experiment needs one"
    assert notices >= predicts, f"each experiment ends with {m['notice']!r}"


@pytest.mark.parametrize("path,lang", EDITIONS, ids=[path_id(e) for e in EDITIONS])
def test_each_experiment_is_a_panel_followed_by_an_assert(path, lang):
    nb = load(path)
    cells = nb["cells"]
    panels = 0
    for i, c in enumerate(cells):
        if c["cell_type"] != "code":
            continue
        # an experiment's cell shows its panel through the prediction it resolves
        if "nbval-ignore-output" in c.get("metadata", {}).get("tags", []) and \
                re.search(r"^tally\.follow\(", "".join(c["source"]), re.M):
            panels += 1
            nxt = next((d for d in cells[i + 1:] if d["cell_type"] == "code"), None)
            assert nxt is not None and "assert" in "".join(nxt["source"]), \
                f"{path.name} cell {i}: a panel must be followed by an assert cell"
    assert panels >= 2, f"{path.name} has {panels} widget experiments; at least 2 needed"
    assert nb["metadata"].get("widgets"), "widget state was not saved (the static site needs it)"


MAX_CELLS = 45          # one 45-60 minute lecture, counted in one edition


@pytest.mark.parametrize("path,lang", EDITIONS, ids=[path_id(e) for e in EDITIONS])
def test_lecture_sized(path, lang):
    """Cells of one edition (the Chinese edition's language cell is not lesson content)."""
    from tools.bilingual import is_language_cell
    n = sum(not is_language_cell(c) for c in load(path)["cells"])
    assert n <= MAX_CELLS, f"{path.name} has {n} cells; split it (a lecture is <= {MAX_CELLS})"


@pytest.mark.parametrize("path,lang", EDITIONS, ids=[path_id(e) for e in EDITIONS])
def test_learners_see_no_test_scaffolding(path, lang):
    """Assert cells (nbval needs them) are collapsed in JupyterLab and tagged for removal
    from the site and slides; the self-check questions, whose code holds the answers, too."""
    for i, c in enumerate(load(path)["cells"]):
        if c["cell_type"] != "code":
            continue
        src = "".join(c["source"])
        scaffolding = re.search(r"^\s*assert\b", src, re.M) or "Question(" in src
        if not scaffolding:
            continue
        meta = c.get("metadata", {})
        assert "remove-cell" in meta.get("tags", []), f"{path.name} cell {i}: not tagged remove-cell"
        assert meta.get("jupyter", {}).get("source_hidden") is True, \
            f"{path.name} cell {i}: its source is shown in JupyterLab"
        assert meta.get("jupyter", {}).get("outputs_hidden") is True, \
            f"{path.name} cell {i}: its output (which states the answers) is shown in JupyterLab"


@pytest.mark.parametrize("path,lang", EDITIONS, ids=[path_id(e) for e in EDITIONS])
def test_one_self_check_style(path, lang):
    """Every lecture: a dict of answers checked by self_check, then the boxes with the tally."""
    code = text_of(load(path), "code")
    assert "self_check(questions, my_answers)" in code
    assert "answer_boxes(questions, tally)" in code
    assert "reveal(" not in code, "answers are shown on request (the boxes' button), not printed"
