"""The grader: one folder of awkward submissions, graded once, each case checked.

These cases grade the same with or without the sandbox, so they run without it
where bubblewrap cannot (saying so); tests/test_homework_hostile.py holds the
cases that need isolation.
"""

import csv
import hashlib
import json
from pathlib import Path

import nbformat
import pytest

from gmpkit.homework import Homework, build, sandbox
from gmpkit.homework.core import WorkloadTask
from gmpkit.homework.grade import grade_folder

HW = 1
STUDENT = build.STUDENT_DIR / "hw1_threads.ipynb"
STUDENT_ZH = build.STUDENT_DIR / "zh" / "hw1_threads.ipynb"
SANDBOX = sandbox.probe() is None
ROOT = Path(__file__).resolve().parents[1]
STATE = {}
HW1_POINTS = 7           # q1 2, q2 1, q3 2, q4 1, q5 1 (gmpkit/homework/hw1_threads.py)


def filled(sid, wrong=(), notebook_id=None, student=STUDENT, number=HW):
    """The student version with ``sid``'s correct answers filled in (``wrong``: 12345)."""
    nb = nbformat.read(student, as_version=4)
    hw = Homework(number, sid, quiet=True)
    nb.cells[0].source = f'STUDENT_ID = "{sid if notebook_id is None else notebook_id}"'
    for c in nb.cells:
        if "answer" in c.metadata.get("tags", []):
            var = c.source.splitlines()[-1].split(" = ")[0]
            qid = var.split("_")[1]
            p = hw.problem(qid)
            v = p.check.example if isinstance(p.check, WorkloadTask) else p.check.expected
            c.source = f"{var} = {json.dumps(12345 if qid in wrong else v)}"
    return nb


def cell_with(nb, text):
    return next(i for i, c in enumerate(nb.cells) if text in c.source)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    d = tmp_path_factory.mktemp("subs")
    save = lambda nb, name: nbformat.write(nb, d / name)  # noqa: E731
    save(filled("alice"), "alice.ipynb")
    save(filled("bob", wrong=("q2",)), "bob.ipynb")
    # carol: an infinite loop that even ignores the interrupt, then her answers
    nb = filled("carol")
    nb.cells.insert(2, nbformat.v4.new_code_cell(
        "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"))
    save(nb, "carol.ipynb")
    # dave: deleted q3's check, rewrote q1's (tag removed too), prints a fake PASS
    nb = filled("dave", wrong=("q1",))
    nb.cells.pop(cell_with(nb, 'hw.check("q3"'))
    i = cell_with(nb, 'hw.check("q1"')
    nb.cells[i].source = 'print("Correct: q1 PASS")  # hw.check("q1", answer_q1)'
    nb.cells[i].metadata["tags"] = []
    save(nb, "dave.ipynb")
    # erin hands in frank's notebook (wrong id), in a folder named after her
    (d / "erin").mkdir()
    save(filled("frank", notebook_id="frank"), "erin/hw1.ipynb")
    # gina: not JSON.  hank: a syntax error and an exception, cells reordered, extras added
    (d / "gina.ipynb").write_text("{ this is not a notebook")
    nb = filled("hank")
    nb.cells.insert(3, nbformat.v4.new_code_cell("def broken(:\n    pass"))
    nb.cells.insert(4, nbformat.v4.new_code_cell("1 / 0"))
    j = cell_with(nb, "answer_q5 = ")
    nb.cells.insert(2, nb.cells.pop(j))            # answer before the setup cell
    nb.cells.append(nbformat.v4.new_markdown_cell("my notes"))
    save(nb, "hank.ipynb")
    # ivan: an object with a rigged __eq__ and an empty id
    nb = filled("ivan", notebook_id="")
    nb.cells.insert(1, nbformat.v4.new_code_cell(
        "class Yes:\n    def __eq__(self, other):\n        return True"))
    nb.cells[cell_with(nb, "answer_q2 = ")].source = "answer_q2 = Yes()"
    save(nb, "ivan.ipynb")
    # jack: assignment 4, with a workload answer (a list of tuples) among the predictions
    (d / "jack").mkdir()
    save(filled("jack", number=4, student=build.STUDENT_DIR / "hw4_gmp.ipynb"), "jack/hw4.ipynb")
    # lin and mei hand in the Chinese edition (student/zh/): graded like alice and bob
    save(filled("lin", student=STUDENT_ZH), "lin.ipynb")
    save(filled("mei", wrong=("q2",), student=STUDENT_ZH), "mei.ipynb")
    out = d / "report" / "grades.csv"
    watched = [ROOT / "gmpkit", ROOT / "notebooks" / "homework"]
    before = tree_hash(*watched), tree_hash(d)
    results = grade_folder(d, out, cell_timeout=4, total_timeout=40, log=lambda *a: None,
                           sandbox_ok=SANDBOX)
    STATE["unchanged"] = (tree_hash(*watched), tree_hash(d, skip=[out.parent])) == before
    return {r.student_id: r for r in results}, out


def tree_hash(*dirs, skip=()):
    """``{path: sha256}`` of every file under ``dirs`` (caches and ``skip`` folders left out)."""
    h = {}
    for d in dirs:
        for p in sorted(Path(d).rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts and not any(
                    Path(s) in p.parents for s in skip):
                h[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return h


def test_grading_changed_no_file(graded):
    assert STATE["unchanged"]      # the project, and the submissions (reports aside)


def test_correct_and_wrong_answers(graded):
    res, _ = graded
    assert (res["alice"].score, res["alice"].total, res["alice"].problems) == (7, 7, [])
    bob = res["bob"]
    assert bob.score == 6 and not bob.questions["q2"].ok
    assert "you said 12345" in bob.questions["q2"].feedback          # feedback teaches


def test_the_chinese_edition_is_graded_like_the_english_one(graded):
    """Same assignment id, same check cells (hashes), same points: the language cell and
    the Chinese prose change nothing the grader looks at."""
    zh = nbformat.read(STUDENT_ZH, as_version=4)
    assert zh.metadata["gmpkit"]["assignment"] == 1 and zh.metadata["gmpkit"]["lang"] == "zh"
    assert "作业 1" in "".join(c.source for c in zh.cells if c.cell_type == "markdown")
    assert build.check_cells(zh).keys() == build.check_cells(nbformat.read(STUDENT, 4)).keys()
    res, _ = graded
    lin, mei, bob = res["lin"], res["mei"], res["bob"]
    assert (lin.assignment, lin.score, lin.total, lin.problems) == (1, 7, 7, [])
    assert (mei.score, mei.problems) == (bob.score, []) and not mei.questions["q2"].ok
    assert [q.ok for q in mei.questions.values()] == [q.ok for q in bob.questions.values()]
    # the feedback is in the student's edition (issue 15): Chinese here, English for bob
    assert (mei.language, bob.language) == ("zh", "en")
    assert "你的答案是 12345" in mei.questions["q2"].feedback
    assert "you said 12345" in bob.questions["q2"].feedback


def test_infinite_loop_is_cut_and_the_rest_graded(graded):
    carol = graded[0]["carol"]
    assert any("timed out" in p for p in carol.problems)
    assert carol.score == 7


def test_deleted_and_tampered_checks_fail_and_fake_pass_is_ignored(graded):
    dave = graded[0]["dave"]
    assert dave.questions["q3"].status == "check cell deleted" and not dave.questions["q3"].ok
    assert dave.questions["q1"].status == "check cell modified" and not dave.questions["q1"].ok
    assert dave.score == 7 - 2 - 2        # q1 (2 points) and q3 (2 points) lost
    assert any("q3: check cell deleted" in p for p in dave.problems)


def test_wrong_id_is_reported_and_graded_as_the_folder(graded):
    erin = graded[0]["erin"]
    assert erin.file == "erin/hw1.ipynb"
    assert any("mismatch" in p and "'frank'" in p for p in erin.problems)
    assert erin.score < erin.total          # frank's answers do not fit erin's problems


def test_invalid_json_is_reported(graded):
    gina = graded[0]["gina"]
    assert gina.score == 0 and any("not a readable notebook" in p for p in gina.problems)


def test_errors_reordering_and_extra_cells(graded):
    hank = graded[0]["hank"]
    assert hank.score == 7
    assert any("SyntaxError" in p for p in hank.problems)
    assert any("ZeroDivisionError" in p for p in hank.problems)


def test_rigged_eq_and_empty_id(graded):
    ivan = graded[0]["ivan"]
    assert not ivan.questions["q2"].ok and "not plain data" in ivan.questions["q2"].feedback
    assert any("mismatch" in p for p in ivan.problems)
    assert any("StudentIdError" in p and "empty" in p for p in ivan.problems)
    assert ivan.score == 6                  # graded with the file name's id


def test_reports(graded):
    res, out = graded
    rows = list(csv.DictReader(out.open()))
    assert {r["student_id"] for r in rows} == set(res)
    alice = next(r for r in rows if r["student_id"] == "alice")
    assert alice["score"] == "7" and alice["hw1-q1"] == "2"
    assert alice["hw1-q1_feedback"].startswith("Correct")
    jack = next(r for r in rows if r["student_id"] == "jack")
    assert jack["hw4-q1"] == "2" and jack["hw1-q1"] == ""     # mixed folder: own columns
    md = out.with_suffix(".md").read_text()
    assert "| alice |" in md and "Pass rate per question" in md and "check cell deleted" in md
    book = list(csv.DictReader((out.parent / "gradebook.csv").open()))
    assert book[0]["student_id"] == "(points possible)" and book[0]["hw1 total"] == "7"
    assert next(r for r in book if r["student_id"] == "alice")["total"] == "7"


def test_per_student_feedback_files(graded):
    _, out = graded
    md = (out.parent / "feedback" / "bob.md").read_text()
    assert "### q2. Counting context switches" in md and "your answer: `12345`" in md
    assert "verdict: wrong, 0 of 1 points" in md and "you said 12345" in md
    page = (out.parent / "feedback" / "bob.html").read_text()
    assert page.startswith("<!doctype html>") and "<h3>q2. Counting context switches</h3>" in page


def test_empty_folder(tmp_path):
    results = grade_folder(tmp_path, log=lambda *a: None, sandbox_ok=SANDBOX)
    assert results == []
    assert "No submissions found" in (tmp_path / "grades.md").read_text()
    assert (tmp_path / "grades.csv").read_text().startswith("student_id,file")


@pytest.mark.skipif(not SANDBOX, reason=f"no sandbox here: {sandbox.probe()}")
def test_cli(tmp_path):
    from gmpkit.homework.__main__ import main
    nbformat.write(filled("alice"), tmp_path / "alice.ipynb")
    out = tmp_path / "report" / "g.csv"
    assert main(["grade", str(tmp_path), "--out", str(out), "--format", "canvas",
                 "--format", "moodle"]) == 0
    rows = list(csv.reader((out.parent / "gradebook-canvas.csv").open()))
    assert rows[:3] == [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Homework 1"],
                        ["Points Possible", "", "", "", "", "7"],
                        ["alice", "", "alice", "", "", "7"]]
    rows = list(csv.reader((out.parent / "gradebook-moodle.csv").open()))
    assert rows[0] == ["ID number", "Homework 1", "Homework 1 feedback"]
    assert rows[1][:2] == ["alice", "7"]


def test_cli_refuses_without_a_sandbox(tmp_path, monkeypatch, capsys):
    from gmpkit.homework.__main__ import main
    monkeypatch.setattr(sandbox, "probe", lambda refresh=False: "bwrap is not installed")
    nbformat.write(filled("alice"), tmp_path / "alice.ipynb")
    assert main(["grade", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "refusing" in err and "bwrap is not installed" in err and "--no-sandbox" in err
    assert not (tmp_path / "grades.csv").exists()
    assert main(["grade", str(tmp_path), "--no-sandbox"]) == 0
    md = (tmp_path / "grades.md").read_text()
    assert md.splitlines()[0].startswith("**WARNING: graded WITHOUT a sandbox")
    assert next(csv.DictReader((tmp_path / "grades.csv").open()))["sandbox"] == "NONE"
    assert "| alice |" in md


def test_another_assignment_with_a_workload_answer(graded):
    jack = graded[0]["jack"]
    assert jack.assignment == 4 and (jack.score, jack.total) == (8, 8), jack.problems
    assert jack.questions["q6"].feedback.startswith("Correct: P1 stole")
