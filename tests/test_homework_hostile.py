"""Hostile submissions: one folder graded once in the sandbox, then each attack checked.

Every case asserts the exact score and flags, and the module checks that nothing
outside the sandbox changed: the hashes of the project's package and homework files
and of the submissions folder, no process left behind, no connection to a listener
the test holds open on the host.  Without a working bubblewrap these tests skip and
say why (``.ci/run`` installs it, so in CI they run).
"""

import csv
import doctest
import json
import os
import re
import signal
import socket
from pathlib import Path

import nbformat
import pytest

from gmpkit.homework import Homework, build, grade, sandbox
from gmpkit.homework import integrity, released, reports, runner, source
from gmpkit.homework.grade import MAX_PER_FOLDER, grade_folder
from test_homework_grade import HW1_POINTS, cell_with, filled, tree_hash

ROOT = Path(__file__).resolve().parents[1]
MARK = "gmpkit-hostile-7f3a"       # in the command line of every process a submission starts
WHY = sandbox.probe()
needs_sandbox = pytest.mark.skipif(WHY is not None, reason=f"no sandbox here: {WHY}")


def marked_processes():
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if MARK.encode() in (d / "cmdline").read_bytes():
                    out.append(int(d.name))
            except OSError:
                pass
    return out


def add(nb, i, src):
    nb.cells.insert(i, nbformat.v4.new_code_cell(src))
    return nb


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    if WHY is not None:
        pytest.skip(f"no sandbox here: {WHY}")
    d = tmp_path_factory.mktemp("hostile")
    report = tmp_path_factory.mktemp("report") / "grades.csv"
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    hw_module = ROOT / "gmpkit" / "homework" / "hw1_threads.py"
    save = lambda nb, name: nbformat.write(nb, d / name)  # noqa: E731

    # a1: tries to rig the grader (append to an assignment module), to overwrite another
    # student's notebook and the grades, and to plant a module on the grader's path.
    nb = filled("a1")
    add(nb, 2, f"""
for target, text in [({str(hw_module)!r}, "\\nREGISTRY.clear()\\n"),
                     ({str(d / 'z9.ipynb')!r}, "{{}}"), ({str(report)!r}, "pwned"),
                     ({str(ROOT / 'gmpkit' / 'homework' / 'evil.py')!r}, "x = 1")]:
    try:
        open(target, "a").write(text)
    except OSError as e:
        print(e)
""")
    save(nb, "a1.ipynb")
    # z9: all wrong, graded after a1 (sorted): must score 0, whatever a1 did
    save(filled("z9", wrong=("q1", "q2", "q3", "q4", "q5")), "z9.ipynb")
    # b2: a process that leaves its session and tries to outlive the kernel
    nb = filled("b2")
    add(nb, 2, f"""
import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time\\nwhile True: time.sleep(0.2)", {MARK!r}],
                 start_new_session=True)
""")
    save(nb, "b2.ipynb")
    # c3: the network, three ways: Python's socket, _socket, and a subprocess
    nb = filled("c3")
    add(nb, 2, f"""
import _socket, socket, subprocess, sys
for how in ("socket", "_socket"):
    try:
        s = (socket.socket() if how == "socket" else _socket.socket())
        s.settimeout(2)
        s.connect(("127.0.0.1", {port}))
        print("connected with", how)
    except OSError as e:
        print(how, e)
subprocess.run([sys.executable, "-c", "import socket; socket.create_connection(('127.0.0.1', {port}), 2)"])
subprocess.run([sys.executable, "-c", "import socket; socket.create_connection(('1.1.1.1', 80), 2)"])
""")
    save(nb, "c3.ipynb")
    # d4: a 10 MB answer; e5: a spreadsheet formula as the notebook's id, and as a file name
    nb = filled("d4")
    nb.cells[cell_with(nb, "answer_q2 = ")].source = "answer_q2 = 'x' * 10_000_000"
    save(nb, "d4.ipynb")
    save(filled("e5", notebook_id="=HYPERLINK(A1)&'x'"), "e5.ipynb")
    save(filled("e6"), '=HYPERLINK("http-evil","x").ipynb')
    # f6: the published solution, resubmitted with the student's own id
    nb = nbformat.read(build.SOLUTION_DIR / "hw1_threads.ipynb", as_version=4)
    nb.cells[0].source = 'STUDENT_ID = "f6"'
    save(nb, "f6.ipynb")
    # g7: a kernel that segfaults after q1 and q2, and a memory bomb
    nb = filled("g7")
    add(nb, cell_with(nb, "answer_q3 = "), "import ctypes\nctypes.string_at(0)")
    add(nb, 2, "big = bytearray(16 * 1024 ** 3)")
    save(nb, "g7.ipynb")
    # h8: copies h9's answers (different problems); both flagged
    nb = filled("h9")
    save(nb, "h9.ipynb")
    nb = filled("h9")
    nb.cells[0].source = 'STUDENT_ID = "h8"'
    save(nb, "h8.ipynb")
    # k1/k2: hw4 with the same workload answer for q6 (renamed goroutines)
    hw4 = build.STUDENT_DIR / "hw4_gmp.ipynb"
    (d / "k1").mkdir()
    (d / "k2").mkdir()
    save(filled("k1", number=4, student=hw4), "k1/hw4.ipynb")
    nb = filled("k2", number=4, student=hw4)
    k1_workload = Homework(4, "k1", quiet=True).problem("q6").check.example
    copied = json.loads(json.dumps(k1_workload).replace('"w"', '"v"'))  # renamed goroutines
    nb.cells[cell_with(nb, "workload_q6 = ")].source = f"workload_q6 = {json.dumps(copied)}"
    save(nb, "k2/hw4.ipynb")
    # k3/k4: two 48 kB workload answers (3,000 operations; under the 64 kB export limit),
    # alike but for the last operation: comparing them whole took the grader hours
    huge = [["compute", i % 97 + 1] for i in range(3000)]
    for sid, wl in (("k3", huge), ("k4", huge[:-1] + [["sleep", 5]])):
        (d / sid).mkdir()
        nb = filled(sid, number=4, student=hw4)
        nb.cells[cell_with(nb, "workload_q6 = ")].source = f"workload_q6 = {json.dumps(wl)}"
        save(nb, f"{sid}/hw4.ipynb")
    # q7: HTML and Markdown in what the reports echo (an error message, an answer, a file name)
    nb = filled("q7")
    add(nb, 2, 'raise ValueError("<img src=x onerror=alert(1)> [your grade](http://evil.example)")')
    nb.cells[cell_with(nb, "answer_q2 = ")].source = (
        'answer_q2 = "`</code><script>alert(2)</script>` ![x](http://evil.example/t.png) | **"')
    save(nb, "q7.ipynb")
    save(filled("q8"), "<img src=x onerror=alert(3)>.ipynb")
    # r1/r2: forge the runner's protocol: a cell index that does not exist (then sleep), and a
    # line of JSON nested 100,000 deep
    nb = filled("r1")
    add(nb, 2, "import os, sys, time\nos.write(int(sys.argv[1]), b'{\"start\": 999}\\n')\n"
               "time.sleep(30)")
    save(nb, "r1.ipynb")
    nb = filled("r2")
    add(nb, 2, "import os, sys\nos.write(int(sys.argv[1]), b'[' * 100_000 + b'\\n')")
    save(nb, "r2.ipynb")
    # v1: metadata that says assignment `true` (True == 1 in Python): it renamed every hw1
    # column of the class to hwTrue-… (and "Homework True" in the LMS exports)
    nb = filled("v1")
    nb.metadata["gmpkit"] = {"assignment": True}
    save(nb, "v1.ipynb")
    # w?1: an invalid file name whose feedback file name was w_1's: it overwrote w_1's feedback
    save(filled("w_1"), "w_1.ipynb")
    save(filled("w_1", wrong=("q1", "q2", "q3", "q4", "q5")), "w?1.ipynb")
    # x1: a student folder of 200 notebooks (every one was graded: minutes per student)
    (d / "x1").mkdir()
    nb = filled("x1")
    for i in range(200):
        save(nb, f"x1/hw1-{i:03d}.ipynb")
    # r3: reports its own cell done, then keeps running (the cell timeout no longer applied)
    nb = filled("r3")
    own = sum(c.cell_type == "code" for c in nb.cells[:2])         # its index among code cells
    add(nb, 2, f"import os, sys, time\nos.write(int(sys.argv[1]), b'{{\"done\": {own}}}\\n')\n"
               "time.sleep(20)")
    save(nb, "r3.ipynb")
    # y1: terminal escapes and a right-to-left override in an error message, an exception's
    # type name and an answer: they reached the instructor's terminal (the grader's log) raw
    nb = filled("y1")
    add(nb, 2, 'raise type("Boom\\x1b[2J", (Exception,), {})("\\x1b]0;owned\\x07\\x1b[2J '
               'txt.\\u202eexe")')
    nb.cells[cell_with(nb, "answer_q2 = ")].source = 'answer_q2 = "\\x1b[31m\\u202e 7/7"'
    save(nb, "y1.ipynb")
    # z2: a user namespace of its own inside the sandbox, to mount a tmpfs of no fixed size
    # (around the /tmp and /dev/shm limits) and reach more of the kernel
    nb = filled("z2")
    nb.cells.append(nbformat.v4.new_code_cell(
        "import subprocess\n"
        "r = subprocess.run(['unshare', '-Urm', 'sh', '-c', 'mount -t tmpfs none /mnt'])\n"
        "if r.returncode == 0:\n    answer_q2 = 'nested user namespace'"))
    save(nb, "z2.ipynb")
    # m3: partial credit (q1's finish order with the last two swapped)
    nb = filled("m3")
    i = cell_with(nb, "answer_q1 = ")
    order = json.loads(nb.cells[i].source.split(" = ", 1)[1])
    nb.cells[i].source = f"answer_q1 = {json.dumps(order[:-2] + order[-2:][::-1])}"
    save(nb, "m3.ipynb")

    # n4: the limits -- a 100 MB file, 200 processes, a flood of output
    nb = filled("n4")
    add(nb, 2, "open('big', 'wb').write(b'x' * 100_000_000)")
    add(nb, 3, f"""import subprocess
procs = [subprocess.Popen(["sh", "-c", "sleep 60; :", {MARK!r}]) for _ in range(200)]""")
    add(nb, 4, "for _ in range(200_000):\n    print('x' * 250)")
    save(nb, "n4.ipynb")
    # p1: reads a file only the grader's user may read, outside every hidden folder (as root,
    # a user namespace's uid 65534 was the host's root: /etc/shadow, keys...); a leak would
    # replace q2's right answer.
    secret = ROOT / ".hostile-secret-7f3a"
    secret.write_text("TOP-SECRET-7f3a")
    secret.chmod(0o600)
    nb = filled("p1")
    nb.cells.append(nbformat.v4.new_code_cell(f"""
for path in ({str(secret)!r}, "/etc/shadow"):
    try:
        answer_q2 = "leaked " + open(path).read()[:100]
        break
    except OSError:
        pass
"""))
    save(nb, "p1.ipynb")
    # u1: a unix socket of the grader's user outside the hidden folders (as root, uid 65534 in
    # a user namespace was root on the host and could connect)
    sock_path = str(ROOT / ".hostile-sock-7f3a")
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(sock_path)
    os.chmod(sock_path, 0o755)
    unix.listen(4)
    unix.setblocking(False)
    nb = filled("u1")
    nb.cells.append(nbformat.v4.new_code_cell(f"""
import socket
s = socket.socket(socket.AF_UNIX)
s.settimeout(2)
try:
    s.connect({sock_path!r})
    answer_q2 = "connected"
except OSError:
    pass
"""))
    save(nb, "u1.ipynb")
    # p2: fills the disk through its home (a host folder) and RAM through /dev, /dev/shm, /run
    nb = filled("p2")
    add(nb, 2, """
import os
for i in range(40):                  # 40 x 60 MB, each file under the 64 MB file size limit
    with open(f"fill{i}", "wb") as f:
        f.write(b"x" * 60_000_000)""")
    add(nb, 3, "open('/dev/fill', 'w').write('x')")
    add(nb, 4, "open('/run/fill', 'w').write('x')")
    save(nb, "p2.ipynb")
    # t1/t2: submissions that are symbolic links (archives keep them): to a file only the grader
    # may read, and to another student's notebook
    (d / "t1.ipynb").symlink_to(secret)
    (d / "t2").mkdir()
    (d / "t2" / "hw1.ipynb").symlink_to(d / "a1.ipynb")
    watched = [ROOT / "gmpkit", ROOT / "notebooks" / "homework", ROOT / "tools"]
    before = tree_hash(*watched), tree_hash(d)
    logged = []
    results = grade_folder(d, report, cell_timeout=6, total_timeout=60, log=logged.append,
                           formats=("csv", "canvas", "moodle"))
    after = tree_hash(*watched), tree_hash(d)
    try:
        conn = listener.accept()
    except BlockingIOError:
        conn = None
    listener.close()
    try:
        unix_conn = unix.accept()
    except BlockingIOError:
        unix_conn = None
    unix.close()
    os.unlink(sock_path)
    secret.unlink()
    return {"res": {r.student_id: r for r in results}, "before": before, "after": after,
            "conn": conn, "report": report, "folder": d, "order": order, "copied": copied,
            "left": marked_processes(), "huge": huge,
            "unix_conn": unix_conn, "log": logged}


@needs_sandbox
def test_nothing_outside_the_sandbox_changed(hostile):
    assert hostile["after"][0] == hostile["before"][0]         # project files
    assert hostile["after"][1] == hostile["before"][1]         # submissions folder
    assert not (ROOT / "gmpkit" / "homework" / "evil.py").exists()
    assert hostile["left"] == []                               # no process survived
    assert hostile["conn"] is None                             # no connection reached the host


@needs_sandbox
def test_tampering_cannot_change_other_grades(hostile):
    res = hostile["res"]
    assert (res["a1"].score, res["a1"].flags) == (HW1_POINTS, [])
    assert (res["z9"].score, res["z9"].total) == (0, HW1_POINTS)
    rows = list(csv.DictReader(hostile["report"].open()))
    assert {r["student_id"] for r in rows} >= {"a1", "z9"}      # the grades were not replaced


@needs_sandbox
def test_escaping_process_and_network(hostile):
    res = hostile["res"]
    assert (res["b2"].score, res["b2"].flags) == (HW1_POINTS, [])
    assert (res["c3"].score, res["c3"].flags) == (HW1_POINTS, [])


@needs_sandbox
def test_huge_answer_keeps_reports_small_and_readable(hostile):
    d4 = hostile["res"]["d4"]
    assert d4.score == HW1_POINTS - 1 and d4.questions["q2"].status == "wrong"
    assert "too large" in d4.questions["q2"].feedback
    rows = list(csv.DictReader(hostile["report"].open()))     # Python's csv reads it back
    assert len(rows) == len(hostile["res"]) + MAX_PER_FOLDER - 1  # x1's folder: several rows
    assert hostile["report"].stat().st_size < 3_500 * len(rows)   # a row: ~10 answers clipped
    assert hostile["report"].with_suffix(".md").stat().st_size < 5_000 * len(rows)


@needs_sandbox
def test_formulas_are_escaped(hostile):
    rows = list(csv.reader(hostile["report"].open()))
    cells = [c for row in rows for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t")]
    assert "'=HYPERLINK(A1)&'x'" in cells                                  # notebook_id column
    assert "'=hyperlink(\"http-evil\",\"x\")" in cells                  # student_id column
    res = hostile["res"]
    assert res["e5"].score == HW1_POINTS and any("mismatch" in p for p in res["e5"].problems)
    e6 = res['=hyperlink("http-evil","x")']
    assert e6.score == HW1_POINTS and any("not a valid student id" in p for p in e6.problems)
    assert "graded with the notebook's id 'e6'" in e6.problems


@needs_sandbox
def test_markdown_and_html_reports_echo_text_never_markup(hostile):
    res = hostile["res"]
    assert res["q7"].score == HW1_POINTS - 1 and res["q7"].questions["q2"].status == "wrong"
    assert any("raised ValueError" in p for p in res["q7"].problems)
    where = hostile["report"].parent
    pages = [hostile["report"].with_suffix(".md")] + sorted((where / "feedback").glob("*"))
    assert (where / "feedback" / "q7.md").exists()
    for page in pages:
        text = page.read_text()
        if page.suffix == ".md":          # a code span shows its text literally: drop them
            text = re.sub(r"(?<![`\\])(`+)(?!`).*?(?<!`)\1(?!`)", "", text)
        for markup in ("<img", "<script") + (("</code>",) if page.suffix == ".md" else ()):
            assert markup not in text, (page.name, markup)
        if page.suffix == ".md":                                  # a link needs an unescaped ](
            assert not re.search(r"(?<!\\)\]\(", text), page.name
    md = (where / "feedback" / "q7.md").read_text()
    assert "evil.example" in md and "alert(2)" in md          # shown as text, not dropped


@needs_sandbox
def test_forged_protocol_lines_are_ignored(hostile):
    r1, r2 = hostile["res"]["r1"], hostile["res"]["r2"]
    assert (r1.score, r1.flags) == (HW1_POINTS, [])
    assert r1.problems == ["cell 2 timed out after 6 s (an infinite loop?): skipped, the notebook "
                           "re-run without it"], r1.problems
    assert (r2.score, r2.flags, r2.problems) == (HW1_POINTS, [], [])
    r3 = hostile["res"]["r3"]
    assert (r3.score, r3.flags) == (HW1_POINTS, [])
    assert r3.problems == ["cell 2 timed out after 6 s (an infinite loop?): skipped, the notebook "
                           "re-run without it"], r3.problems


@needs_sandbox
def test_symbolic_links_are_not_followed(hostile):
    for sid in ("t1", "t2"):
        r = hostile["res"][sid]
        assert (r.score, r.flags) == (0, []), sid
        assert r.problems == ["the submission is a symbolic link: not graded (submit the notebook "
                              "file itself)"], r.problems
    assert "TOP-SECRET" not in hostile["report"].read_text()
    assert "TOP-SECRET" not in hostile["report"].with_suffix(".md").read_text()


@needs_sandbox
def test_assignment_number_must_be_a_real_int(hostile):
    v1 = hostile["res"]["v1"]
    assert (v1.score, v1.assignment, v1.flags, v1.problems) == (HW1_POINTS, 1, [], [])
    head = next(csv.reader(hostile["report"].open()))
    assert not [h for h in head if "True" in h]


@needs_sandbox
def test_feedback_files_never_collide(hostile):
    res, where = hostile["res"], hostile["report"].parent / "feedback"
    assert (res["w_1"].score, res["w?1"].score) == (HW1_POINTS, 0)
    mine = (where / "w_1.html").read_text()
    assert "(w_1.ipynb)" in mine and "w?1" not in mine
    pages = sorted(p.name for p in where.glob("*.html"))
    assert len(pages) == len({r.student_id for r in res.values()})
    assert [p for p in pages if "w?1" in (where / p).read_text()] == ["_w_1.html"]


@needs_sandbox
def test_a_folder_of_many_notebooks_is_graded_up_to_a_limit(hostile):
    rows = [r for r in csv.DictReader(hostile["report"].open()) if r["student_id"] == "x1"]
    assert len(rows) == MAX_PER_FOLDER
    x1 = hostile["res"]["x1"]
    assert x1.score == HW1_POINTS
    assert sum(f"x1/ holds 200 notebooks: only the first {MAX_PER_FOLDER} were graded" in p
               for r in rows for p in [r["problems"]]) == 1
    # the gradebook keeps a student's best notebook per assignment: several notebooks can
    # try several answers, so they are flagged
    assert x1.flags == [f"{MAX_PER_FOLDER} notebooks for hw1: the best one counts, so answers "
                        f"can be tried across them"]
    assert all(r["flags"] == x1.flags[0] for r in rows)


@needs_sandbox
def test_control_characters_never_reach_the_terminal_or_reports(hostile):
    y1 = hostile["res"]["y1"]
    assert (y1.score, y1.flags) == (HW1_POINTS - 1, [])
    assert any("raised Boom" in p and "owned" in p for p in y1.problems), y1.problems
    where = hostile["report"].parent
    texts = ["\n".join(hostile["log"])] + [p.read_text() for p in where.rglob("*") if p.is_file()]
    bad = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
    assert [t[:60] for t in texts if bad.search(t)] == []


@needs_sandbox
def test_no_user_namespace_inside_the_sandbox(hostile):
    z2 = hostile["res"]["z2"]
    assert (z2.score, z2.flags, z2.problems) == (HW1_POINTS, [], [])


@needs_sandbox
def test_solution_notebook_is_flagged(hostile):
    f6 = hostile["res"]["f6"]
    assert f6.score == HW1_POINTS                            # flags never change a score
    assert len(f6.flags) == 1 and f6.flags[0].startswith("solution notebook")
    assert '"version": "solution"' in f6.flags[0] and "5 cell(s) identical" in f6.flags[0]


@needs_sandbox
def test_dead_kernel_keeps_credit(hostile):
    g7 = hostile["res"]["g7"]
    assert g7.score == HW1_POINTS and g7.flags == []
    assert any("kernel died" in p and "SIGSEGV" in p for p in g7.problems), g7.problems
    assert any("MemoryError" in p for p in g7.problems), g7.problems


@needs_sandbox
def test_limits_on_files_processes_and_output(hostile):
    n4 = hostile["res"]["n4"]
    assert (n4.score, n4.flags) == (HW1_POINTS, [])
    assert any("File too large" in p for p in n4.problems), n4.problems
    assert any("BlockingIOError" in p and "unavailable" in p for p in n4.problems), n4.problems


@needs_sandbox
def test_files_only_the_grader_may_read_stay_unread(hostile):
    p1 = hostile["res"]["p1"]
    u1 = hostile["res"]["u1"]
    if os.geteuid() == 0:        # as an ordinary user the sandbox IS that user (see sandbox.py)
        assert (p1.score, p1.flags, p1.problems) == (HW1_POINTS, [], [])
        assert (u1.score, u1.flags, u1.problems) == (HW1_POINTS, [], [])
        assert hostile["unix_conn"] is None
    assert "TOP-SECRET" not in hostile["report"].read_text()


@needs_sandbox
def test_disk_and_ram_through_tmpfs_are_bounded(hostile):
    p2 = hostile["res"]["p2"]
    assert (p2.score, p2.flags) == (HW1_POINTS, [])
    assert any("No space left on device" in p for p in p2.problems), p2.problems
    assert any("Read-only file system: '/dev/fill'" in p for p in p2.problems), p2.problems
    assert any("Read-only file system: '/run/fill'" in p for p in p2.problems), p2.problems


@needs_sandbox
def test_identical_answers_under_different_ids(hostile):
    res = hostile["res"]
    assert res["h9"].score == HW1_POINTS and res["h8"].score < HW1_POINTS
    assert len(res["h8"].flags) == 1 and "identical answers to" in res["h8"].flags[0]
    assert "as h9" in res["h8"].flags[0] and "as h8" in res["h9"].flags[0]
    assert res["a1"].flags == [] and res["b2"].flags == []


@needs_sandbox
def test_similar_workloads_and_mixed_assignments(hostile):
    res = hostile["res"]
    assert (res["k1"].score, res["k1"].total) == (8, 8)
    assert len(res["k1"].flags) == 1 and res["k1"].flags[0].startswith("hw4-q6 workload")
    assert "similar to k2's" in res["k1"].flags[0] and "similar to k1's" in res["k2"].flags[0]
    ok = Homework(4, "k2", quiet=True).feedback("q6", hostile["copied"]).ok
    assert res["k2"].score == 8 - (0 if ok else 2)
    sim = (hostile["report"].parent / "similarity.md").read_text()
    assert "hw4-q6: k1" in sim and "k2" in sim
    head = next(csv.reader(hostile["report"].open()))
    assert "hw1-q1" in head and "hw4-q1" in head and "q1" not in head


@needs_sandbox
def test_huge_workloads_are_compared_in_bounded_time(hostile):
    res = hostile["res"]
    ok = Homework(4, "k3", quiet=True).feedback("q6", hostile["huge"]).ok
    assert (res["k3"].score, res["k3"].total) == (8 - (0 if ok else 2), 8)
    assert any("similar to k4's" in f for f in res["k3"].flags), res["k3"].flags
    assert not any("similar to k3's" in f for f in res["k1"].flags)


def test_similarity_compares_a_bounded_prefix():
    huge = [["compute", i % 97 + 1] for i in range(3000)]
    assert len(integrity._tokens(huge)) == integrity.MAX_TOKENS
    assert integrity.similarity(huge, huge[::-1], integrity.SIMILAR) < integrity.SIMILAR
    assert integrity.similarity(huge, huge[:-1]) == 1.0


@needs_sandbox
def test_partial_credit(hostile):
    m3 = hostile["res"]["m3"]
    n = len(hostile["order"])
    q1 = m3.questions["q1"]
    assert q1.status == "partial" and q1.earned == round(2 * (n - 2) / n, 2)
    assert m3.score == round(HW1_POINTS - 2 + 2 * (n - 2) / n, 2)


@needs_sandbox
def test_lms_exports(hostile):
    where = hostile["report"].parent
    canvas = list(csv.reader((where / "gradebook-canvas.csv").open()))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                         "Homework 1", "Homework 4"]
    assert canvas[1][5:] == ["7", "8"]
    k1 = next(r for r in canvas if r[0] == "k1")
    assert k1[5:] == ["", "8"]
    book = list(csv.DictReader((where / "gradebook.csv").open()))
    a1 = next(r for r in book if r["student_id"] == "a1")
    assert (a1["hw1 total"], a1["total"], a1["max"]) == ("7", "7", "15")


# ---------------------------------------------------------------------------
@needs_sandbox
def test_sandbox_view(tmp_path):
    """What a cell sees: uid nobody, a private home, a read-only project, no network."""
    import time
    cells = ["import os, socket\nanswer_q1 = [os.getuid(), os.getcwd()]",
             f"open({str(ROOT / 'README.md')!r}, 'a')",
             "s = socket.socket(); s.settimeout(2); s.connect(('1.1.1.1', 80))",
             "open('mine.txt', 'w').write('ok'); answer_q2 = open('mine.txt').read()",
             f"answer_q3 = sorted(os.listdir({os.path.expanduser('~')!r}))"]
    run = sandbox.run_cells(cells, ["answer_q1", "answer_q2", "answer_q3"], set(),
                            sandbox.Limits(), time.monotonic() + 60)
    ans = run.export["answers"]
    # the grader's home shows only the way to Python / the venv / the project, if anything
    home = os.path.realpath(os.path.expanduser("~"))
    ways = {Path(os.path.relpath(n, home)).parts[0] for n in sandbox._needed()
            if n.startswith(home + "/")}
    assert set(ans["answer_q3"]["value"]) == ways
    uid = ans["answer_q1"]["value"][0]
    if os.geteuid() == 0:        # root: a host uid of the sandbox's own, never root's
        assert uid >= sandbox.UID_BASE
    else:
        assert uid == 65534
    assert ans["answer_q1"]["value"][1] == sandbox.HOME
    assert ans["answer_q2"]["value"] == "ok"
    errs = {k: (e, v) for k, e, v in run.errors}
    assert "Read-only file system" in errs[1][1] or "Permission denied" in errs[1][1]
    assert errs[2][0] in ("OSError", "TimeoutError") and "unreachable" in errs[2][1].lower()


def test_check_cells_of_every_released_version_are_accepted(monkeypatch):
    info = json.loads(json.dumps(grade.preload()[1]))
    old = 'hw.check("q1", answer_q1)   # the version released in spring'
    nb = filled("alice")
    nb.cells[cell_with(nb, 'hw.check("q1"')].source = old
    assert grade.audit_checks(nb, info)["q1"].startswith("check cell modified")
    info["questions"]["q1"]["checks"].append(released.normalised_hash(old))
    assert grade.audit_checks(nb, info)["q1"] is None
    # building keeps the hashes of earlier releases (append-only)
    data = json.loads(json.dumps(build.release_data()))
    data["assignments"]["1"]["questions"]["q1"]["checks"].insert(0, "0" * 64)
    again = build.release_data(data)
    assert again["assignments"]["1"]["questions"]["q1"]["checks"][0] == "0" * 64
    assert again["assignments"]["1"]["questions"]["q1"]["checks"][1:] == \
        build.release_data()["assignments"]["1"]["questions"]["q1"]["checks"]


def test_released_data_missing_is_an_error_naming_it(monkeypatch, tmp_path):
    class Gone:
        def joinpath(self, name):
            return tmp_path / name
    monkeypatch.setattr(released.resources, "files", lambda pkg: Gone())
    with pytest.raises(released.ReleasedDataMissing, match="data/released.json is missing"):
        released.load()


def test_graded_mode(tmp_path, capsys):
    src = build.SRC_DIR / "hw1_threads.py"
    nb = build.graded_notebook(src)
    assert nb.metadata["gmpkit"]["version"] == "graded"
    setup = next(c.source for c in nb.cells if "assignment(" in c.source)
    assert 'assignment(1, STUDENT_ID, mode="graded")' in setup
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")
    # its check cells are the released ones, so the grader accepts them
    info = grade.preload()[1]
    assert all(v is None for v in grade.audit_checks(nb, info).values())
    # the Chinese edition's graded version: the same setup and check cells
    zh = build.graded_notebook(src, "zh")
    assert zh.metadata["gmpkit"]["lang"] == "zh" and build.check_cells(zh).keys() == \
        build.check_cells(nb).keys()
    assert all(v is None for v in grade.audit_checks(zh, info).values())
    assert [c.source for c in zh.cells if "assignment(" in c.source] == [setup]
    build.build_all(["hw1"], mode="graded", out=tmp_path / "handout", log=lambda *a: None)
    assert (tmp_path / "handout" / "zh" / "hw1_threads.ipynb").is_file()
    assert (tmp_path / "handout" / "hw1_threads.ipynb").is_file()
    from gmpkit.homework import Unanswered, assignment
    hw = assignment(1, "s77", mode="graded")
    with pytest.raises(AttributeError, match="computed by the grader"):
        hw.problem("q1").check.expected
    with pytest.raises(Unanswered):
        hw.check("q1", ...)
    capsys.readouterr()
    hw.check("q1", ["A", "B"])
    out = capsys.readouterr().out
    assert out.startswith("q1: recorded ['A', 'B']") and "mechanism" in out
    practice = assignment(1, "s77").problem("q1").check.expected
    assert str(practice) not in out


@pytest.mark.skipif(WHY is not None, reason=f"no sandbox here: {WHY}")
def test_graded_notebook_is_graded_by_the_grader(tmp_path):
    def graded_filled(sid):
        nb = build.graded_notebook(build.SRC_DIR / "hw1_threads.py")
        want = {c.source.split(" = ")[0]: c.source for c in filled(sid).cells
                if "answer" in c.metadata.get("tags", [])}
        for c in nb.cells:
            if "answer" in c.metadata.get("tags", []):
                c.source = want[c.source.splitlines()[-1].split(" = ")[0]]
        nb.cells[0].source = f'STUDENT_ID = "{sid}"'
        return nb

    nbformat.write(graded_filled("s77"), tmp_path / "s77.ipynb")
    tampered = graded_filled("s78")
    for c in tampered.cells:
        c.source = c.source.replace(', mode="graded"', "")
    nbformat.write(tampered, tmp_path / "s78.ipynb")
    res = {r.student_id: r for r in grade_folder(tmp_path, tmp_path / "out" / "g.csv",
                                                 log=lambda *a: None)}
    assert (res["s77"].score, res["s77"].flags) == (HW1_POINTS, [])
    assert res["s78"].flags == ["graded notebook switched to practice mode (setup cell edited)"]


def test_limits_and_clipping():
    assert len(grade.clip("x" * 10_000_000)) == grade.MAX_ECHO
    assert runner.export({"answer_q1": "x" * 100_000}, ["answer_q1"])["answers"]["answer_q1"] == \
        {"state": "too large", "size": 100_002}


@pytest.mark.parametrize("module", [grade, integrity, reports, runner, source, released])
def test_doctests(module):
    assert doctest.testmod(module).failed == 0


def test_folders_holding_python_or_gmpkit_are_never_hidden(tmp_path):
    assert sandbox.hideable(tmp_path)
    assert not sandbox.hideable(ROOT)                       # the package lives there
    assert not sandbox.hideable(Path(sandbox.sys.prefix))   # so does the venv


@pytest.mark.skipif(not os.access("/sys/fs/cgroup/cpu/cgroup.procs", os.W_OK),
                    reason="no writable cgroup v1 cpu controller here (root in a container "
                           "has one)")
def test_a_sandbox_gets_one_cpu_however_many_processes_it_starts():
    """60 busy processes, each in its own session, made the notebooks graded beside them 6x
    slower (measured with `grade --jobs 2`); a cgroup quota holds the sandbox to one CPU."""
    cg = sandbox._Cgroup(sandbox.Limits())
    try:
        cpu = [p for p in cg.paths if "/cpu/" in p]
        assert len(cpu) == 1
        quota = [int(Path(cpu[0], f).read_text())
                 for f in ("cpu.cfs_quota_us", "cpu.cfs_period_us")]
        assert quota == [100_000, 100_000]
        assert {p.split("/")[-1] for p in cg.paths} == {cpu[0].split("/")[-1]}
        assert cg.enter_cmd()[2].count("cgroup.procs") == len(cg.paths) == 3
    finally:
        cg.remove()
    assert not any(os.path.exists(p) for p in cg.paths)
