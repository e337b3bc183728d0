"""Homework: per-student variants, the workload language, the checks, the built notebooks."""

import json

import nbformat
import pytest

from gmpkit.checks import Unanswered, WrongAnswer
from gmpkit.homework import (Homework, StudentIdError, WorkloadSpecError, assignment, check_id,
                             describe_workload, seed_for)
from gmpkit.homework import build
from gmpkit.homework.core import REGISTRY, WorkloadTask
from gmpkit.homework.workload import validate

MASTERS = build.masters()
NUMBERS = [build.assignment_of(m) for m in MASTERS]


# ---- ids and seeds -----------------------------------------------------------
def test_seeds_are_stable_sha256_not_hash():
    # A fixed value: the same on every machine and Python (hash() is salted per process).
    assert seed_for("demo", 1, "q1") == seed_for(" DEMO", 1, "q1")
    assert seed_for("demo", 1, "q1") == 4873091441960667958
    assert len({seed_for(s, 1, "q1") for s in ("a1", "a2", "a3", "a4")}) == 4
    assert seed_for("a1", 1, "q1") != seed_for("a1", 1, "q2") != seed_for("a1", 2, "q1")


@pytest.mark.parametrize("bad, says", [("", "empty"), ("   ", "empty"), (None, "not set"),
                                       (..., "not set"), (1234, "string"), ("your-id", "placeholder"),
                                       ("has space", "not a valid id"), ("ü" * 3, "not a valid id")])
def test_bad_ids_get_a_clear_message(bad, says):
    with pytest.raises(StudentIdError, match=says):
        check_id(bad)
    with pytest.raises(StudentIdError, match="STUDENT_ID"):
        assignment(1, bad)


def test_variants_differ_between_students_but_not_between_runs():
    texts = {sid: Homework(1, sid, quiet=True).problem("q3").text for sid in ("s1", "s2", "s3", "s4")}
    assert len(set(texts.values())) >= 3
    assert Homework(1, "s1", quiet=True).problem("q3").text == texts["s1"]


# ---- the workload language ---------------------------------------------------
def test_workload_language_validates_and_prints():
    spec = [("go", [("compute", 100), ["syscall", 2000]], "A", 2), "wait"]
    assert validate(json.loads(json.dumps(spec))) == validate(spec)
    assert "go A x2: compute 100 µs; syscall 2 ms" in describe_workload(spec)
    for bad, says in [(5, "list of operations"), ([("compute", 1.5)], "whole number"),
                      ([("fly", 3)], "unknown operation"), ([("go", [], "x", 0)], "count"),
                      ([("compute", 10, "loose")], "tight"), (..., "still ...")]:
        with pytest.raises(WorkloadSpecError, match=says):
            validate(bad)


# ---- every question, for a few students ----------------------------------------
@pytest.mark.parametrize("number", NUMBERS)
def test_each_question_accepts_its_answer_and_explains_a_wrong_one(number):
    for sid in ("demo", "s0001"):
        hw = Homework(number, sid, quiet=True)
        assert 4 <= len(hw.qids) <= 6
        for qid in hw.qids:
            p = hw.problem(qid)
            assert p.text and p.title
            with pytest.raises(Unanswered, match="not answered yet"):
                hw.check(qid, ...)
            if isinstance(p.check, WorkloadTask):
                assert p.check.check(p.check.example, strict=False).ok, (sid, qid)
                fb = hw.feedback(qid, [("compute", 1)])
            else:
                exp = p.check.expected
                assert hw.feedback(qid, json.loads(json.dumps(exp))).ok, (sid, qid, exp)
                fb = hw.feedback(qid, "certainly wrong")
            assert not fb.ok and len(fb.text) > 60, fb.text     # teaches, not just "wrong"
            with pytest.raises(WrongAnswer):
                hw.check(qid, "certainly wrong")


def test_workload_tasks_exist_in_assignments_2_to_4():
    for n in (2, 3, 4):
        if n in REGISTRY:
            hw = Homework(n, "demo", quiet=True)
            assert any(isinstance(hw.problem(q).check, WorkloadTask) for q in hw.qids), n


# ---- building ---------------------------------------------------------------------
def test_committed_notebooks_are_fresh():
    problems = build.stale()
    assert not problems, "\n".join(problems) + "\nrun: python -m gmpkit.homework build"


def test_stub_replaces_the_solution():
    assert build.stub_for("p = 1\nanswer_q3 = p * 2") == \
        "# YOUR ANSWER HERE\nanswer_q3 = ...  # your prediction"
    assert build.stub_for("workload_q5 = [('wait',)]").endswith("workload_q5 = ...  # your workload")
    with pytest.raises(ValueError):
        build.stub_for("x = 1")


EDITIONS = [(m, lang) for m in MASTERS for lang in build.languages(m)]


@pytest.mark.parametrize("master,lang", EDITIONS,
                         ids=[f"{lang}/{m.stem}".removeprefix("en/") for m, lang in EDITIONS])
def test_student_version_has_no_solutions_and_every_check(master, lang):
    """Both editions (student/ and student/zh/): same answer stubs and check cells."""
    nb = nbformat.read(build.edition_dir(build.STUDENT_DIR, lang) / f"{master.stem}.ipynb",
                       as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not any("solution" in c.metadata.get("tags", []) for c in code)
    answers = [c for c in code if "answer" in c.metadata.get("tags", [])]
    checks = build.check_cells(nb)
    assert len(answers) == len(checks) >= 4
    assert all(" = ...  # your" in c.source for c in answers)
    assert nb.cells[0].source.startswith('STUDENT_ID = "demo"')
    assert all("check" in code_cell.metadata.get("tags", [])
               for i, code_cell in enumerate(nb.cells) if i in {v[0] for v in checks.values()})
    if lang == "zh":
        en = nbformat.read(build.STUDENT_DIR / f"{master.stem}.ipynb", as_version=4)
        assert [s for _, s in checks.values()] == [s for _, s in build.check_cells(en).values()]
        assert 'gk.set_language("zh")' in nb.cells[1].source     # right after the id cell


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_student_version_runs_up_to_the_first_check_which_teaches(master):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    nb = nbformat.read(build.STUDENT_DIR / f"{master.stem}.ipynb", as_version=4)
    with pytest.raises(CellExecutionError) as info:
        NotebookClient(nb, timeout=60, kernel_name="python3",
                       resources={"metadata": {"path": str(build.STUDENT_DIR)}}).execute()
    failed = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and
              any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    first_check = min(i for i, _ in build.check_cells(nb).values())
    assert failed == [first_check]
    err = [o for o in nb.cells[first_check].outputs if o.output_type == "error"][0]
    assert err.ename == "Unanswered"
    assert "not answered yet" in err.evalue and "replace ..." in err.evalue
    assert "Unanswered" in str(info.value)


def test_no_import_cycles_in_the_homework_package():
    """Every relative import, at module or function level: the graph has no cycle."""
    import ast
    from pathlib import Path
    pkg = Path(build.__file__).parent
    graph = {}
    for f in pkg.glob("*.py"):
        deps = set()
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = [node.module.split(".")[0]] if node.module else [a.name for a in node.names]
                deps |= {n for n in names if (pkg / f"{n}.py").exists()}
        graph[f.stem] = deps

    def reach(start, node, seen):
        for d in graph.get(node, ()):
            if d == start:
                return True
            if d not in seen:
                seen.add(d)
                if reach(start, d, seen):
                    return True
        return False

    assert graph["core"] and graph["handout"]          # the walk saw the imports
    assert [m for m in graph if reach(m, m, set())] == []


def test_a_missing_assignment_module_is_an_error():
    import ast
    from pathlib import Path
    src = (Path(build.__file__).parent / "assignments.py").read_text()
    assert "except" not in src and "ModuleNotFoundError" not in src.split('"""')[-1]
    tree = ast.parse(src)
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    assert imported == {m.stem for m in MASTERS}       # every master's module, imported plainly
