"""Grade a folder of submitted homework notebooks.

Layout (the convention students follow)::

    SUBMISSIONS/<student_id>.ipynb            one notebook per student, or
    SUBMISSIONS/<student_id>/<anything>.ipynb  a folder per student

The file or folder name is the student id the grader trusts; ``STUDENT_ID``
in the notebook must match it (a mismatch is reported, and the answers are
checked against the *file name's* problems, so a copied notebook fails).

Each notebook runs in isolation: its own kernel (nbclient), started in a
fresh temporary directory with a minimal environment (no user site packages,
HOME and TMPDIR inside the temporary directory, proxies pointing nowhere, and
a first hidden cell that makes Python sockets refuse to connect), a per-cell
timeout, a total timeout, and the kernel killed at the end.  Cells that fail
do not stop the run.

Results do not come from anything the notebook prints.  After the student's
cells, the grader appends one cell that exports the answer variables
(``answer_qN`` / ``workload_qN``) and ``STUDENT_ID`` as JSON, and re-runs every
check itself, in the grader's process, against the problems generated for
the file name's id.  Printing "Correct" proves nothing, and an object with a
rigged ``__eq__`` does not survive JSON.  A question also fails when its check
cell was deleted or changed: check cells are found by their ``check`` tag and
by their content (``hw.check("qN", ...)``) and compared with the master's.

Outputs: ``grades.csv`` (one row per notebook: per-question pass/fail and
feedback, score, problems) and ``grades.md`` next to it (summary table,
per-question pass rates, per-student feedback).
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .build import CHECK_RE, check_cells, master_check_sources
from .core import Homework
from .variants import StudentIdError, check_id, normalise_id

__all__ = ["grade_folder", "grade_notebook", "find_submissions", "Result", "write_reports"]

EXPORT_MARK = "GMPKIT-HOMEWORK-EXPORT "
# A failed check is the question's result, not a problem with the submission.
QUIET_ERRORS = ("WrongAnswer", "Unanswered", "KeyboardInterrupt")
GUARD_CELL = '''\
import socket as _gmpkit_socket
def _gmpkit_no_network(*args, **kwargs):
    raise OSError("network access is disabled while grading")
for _gmpkit_name in ("connect", "connect_ex", "sendto", "sendmsg"):
    setattr(_gmpkit_socket.socket, _gmpkit_name, _gmpkit_no_network)
_gmpkit_socket.create_connection = _gmpkit_no_network
_gmpkit_socket.getaddrinfo = _gmpkit_no_network
del _gmpkit_name, _gmpkit_socket, _gmpkit_no_network
'''
EXPORT_CELL = '''\
def _gmpkit_export(names):
    import json
    g = globals()
    out = {"student_id": g.get("STUDENT_ID", None) if isinstance(g.get("STUDENT_ID"), str) else None,
           "answers": {}}
    for name in names:
        if name not in g:
            out["answers"][name] = {"state": "missing"}
            continue
        v = g[name]
        if v is Ellipsis:
            out["answers"][name] = {"state": "unanswered"}
            continue
        try:
            out["answers"][name] = {"state": "given",
                                    "value": json.loads(json.dumps(v, allow_nan=False))}
        except Exception:
            out["answers"][name] = {"state": "unexportable", "type": type(v).__name__}
    print(%r + json.dumps(out))
_gmpkit_export(%r)
'''


@dataclass
class QResult:
    ok: bool
    status: str          # pass | wrong | unanswered | missing | check deleted | check modified | ...
    feedback: str


@dataclass
class Result:
    file: str
    student_id: str | None = None          # the id graded (from the file name)
    notebook_id: str | None = None         # STUDENT_ID found in the notebook
    assignment: int | None = None
    questions: dict = field(default_factory=dict)   # qid -> QResult
    problems: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def score(self):
        return sum(q.ok for q in self.questions.values())

    @property
    def total(self):
        return len(self.questions)


# ---------------------------------------------------------------------------
def find_submissions(folder):
    """``[(path, id from the name)]``: top-level notebooks and one level of folders."""
    folder = Path(folder)
    subs = []
    for p in sorted(folder.iterdir()):
        if p.name.startswith("."):
            continue
        if p.is_file() and p.suffix == ".ipynb":
            subs.append((p, p.stem))
        elif p.is_dir():
            for q in sorted(p.glob("*.ipynb")):
                if not q.name.startswith("."):
                    subs.append((q, p.name))
    return subs


def _detect_assignment(nb, path):
    meta = nb.metadata.get("gmpkit", {}) if isinstance(nb.metadata, dict) else {}
    if isinstance(meta.get("assignment"), int):
        return meta["assignment"]
    for c in nb.cells:
        m = re.search(r"\bassignment\(\s*(\d+)\s*,", c.get("source", ""))
        if m:
            return int(m.group(1))
    m = re.search(r"hw(\d+)", Path(path).name)
    return int(m.group(1)) if m else None


def _norm(src):
    return "\n".join(line.rstrip() for line in src.strip().splitlines())


def audit_checks(nb, master):
    """``{qid: problem or None}``: each master check cell is present unchanged, or why not."""
    found = {}
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code":
            continue
        tagged = "check" in c.metadata.get("tags", [])
        qids = set(CHECK_RE.findall(c.source) and [m for m, _ in CHECK_RE.findall(c.source)])
        qids |= set(re.findall(r"""check\(\s*["'](q\d+)["']""", c.source))
        for qid in qids:
            if qid in master:
                found.setdefault(qid, []).append((i, _norm(c.source) == _norm(master[qid]), tagged))
    out = {}
    for qid, src in master.items():
        cells = found.get(qid, [])
        if any(same for _, same, _ in cells):
            out[qid] = None
        elif cells:
            out[qid] = (f"check cell modified (cell {cells[0][0]}): it must read "
                        f"{src.strip()!r}")
        else:
            out[qid] = "check cell deleted"
    return out


# ---------------------------------------------------------------------------
def _clean_env(workdir):
    venv_bin = os.path.dirname(sys.executable)
    root = str(Path(__file__).resolve().parents[2])
    dead = "http://127.0.0.1:9"
    env = {"PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin", "HOME": workdir,
           "TMPDIR": workdir, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONNOUSERSITE": "1",
           "PYTHONPATH": root, "MPLBACKEND": "Agg", "MPLCONFIGDIR": os.path.join(workdir, ".mpl"),
           "IPYTHONDIR": os.path.join(workdir, ".ipython"), "GMPKIT_GRADING": "1",
           "no_proxy": "", "NO_PROXY": ""}
    for k in ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy"):
        env[k] = env[k.upper()] = dead
    return env


def _error_of(cell):
    for o in cell.get("outputs", []):
        if o.get("output_type") == "error":
            return o.get("ename", "Error"), o.get("evalue", "")
    return None


def execute_isolated(nb, names, cell_timeout=60, total_timeout=300, max_restarts=3):
    """Run ``nb``'s code cells in a fresh kernel; return ``(export dict | None, notes)``.

    A cell that times out is skipped: the kernel is killed and a new one re-runs the
    cells before it (an interrupted kernel's replies can no longer be trusted to match
    their cells), then goes on after it.  At most ``max_restarts`` times, and never
    beyond ``total_timeout``.
    """
    notes = []
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))   # never modify the caller's copy
    index = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    user_cells = [nb.cells[i] for i in index]
    guard = nbformat.v4.new_code_cell(GUARD_CELL)
    export = nbformat.v4.new_code_cell(EXPORT_CELL % (EXPORT_MARK, list(names)))
    cells = [guard] + user_cells + [export]
    where = lambda k: f"cell {index[k - 1]}" if 0 < k <= len(index) else "a grader cell"  # noqa: E731
    deadline = time.monotonic() + total_timeout
    skip = set()
    for attempt in range(max_restarts + 1):
        timed_out = _attempt(cells, skip, cell_timeout, deadline, notes, where)
        if timed_out is None:
            break
        skip.add(timed_out)
        notes.append(f"{where(timed_out)} timed out after {cell_timeout} s (an infinite loop?)"
                     f": skipped, the notebook re-run without it")
        if time.monotonic() > deadline - 5 or attempt == max_restarts:
            notes.append("gave up: time limit reached" if attempt < max_restarts else
                         f"gave up after {max_restarts} timeouts")
            break
    text = "".join(o.get("text", "") for o in cells[-1].get("outputs", [])
                   if o.get("output_type") == "stream")
    for line in text.splitlines():
        if line.startswith(EXPORT_MARK):
            try:
                return json.loads(line[len(EXPORT_MARK):]), notes
            except ValueError:
                break
    notes.append("the answers could not be read back from the notebook")
    return None, notes


def _attempt(cells, skip, cell_timeout, deadline, notes, where):
    """One run in a new kernel; returns the index of a cell that timed out, or None."""
    import subprocess

    from jupyter_core.utils import run_sync
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    for c in cells:
        c.outputs, c.execution_count = [], None
    raised = {}                   # error text -> the cells that raised it
    try:
        return _run_cells(cells, skip, cell_timeout, deadline, notes, where, raised)
    finally:
        for text, at in raised.items():
            cells_txt = at[0] if len(at) == 1 else f"{len(at)} cells ({', '.join(at[:3])}...)"
            notes.append(f"{cells_txt} raised {text}")


def _run_cells(cells, skip, cell_timeout, deadline, notes, where, raised):
    import subprocess

    from jupyter_core.utils import run_sync
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    run_nb = nbformat.v4.new_notebook()
    run_nb.cells = cells
    with tempfile.TemporaryDirectory(prefix="gmpkit-grade-") as workdir:
        client = NotebookClient(run_nb, timeout=cell_timeout, kernel_name="python3",
                                allow_errors=True, interrupt_on_timeout=False,
                                record_timing=False, startup_timeout=60, iopub_timeout=5,
                                shutdown_kernel="immediate",
                                resources={"metadata": {"path": workdir}})
        client.timeout_func = lambda cell: max(1, int(min(cell_timeout,
                                                           deadline - time.monotonic())))
        try:
            with client.setup_kernel(env=_clean_env(workdir), cwd=workdir,
                                     stderr=subprocess.DEVNULL):
                for i, cell in enumerate(cells):
                    last = i == len(cells) - 1
                    if i in skip:
                        continue
                    if time.monotonic() > deadline and not last:
                        notes.append(f"{where(i)} not run: total time limit reached")
                        continue
                    if last:
                        client.timeout_func = lambda cell: 30
                    try:
                        client.execute_cell(cell, i)
                    except CellTimeoutError:
                        if last:
                            notes.append("the grader's export cell timed out")
                            return None
                        return i
                    except DeadKernelError:
                        notes.append(f"the kernel died in {where(i)}")
                        return None
                    err = _error_of(cell)
                    if err and 0 < i < len(cells) - 1 and err[0] not in QUIET_ERRORS:
                        raised.setdefault(f"{err[0]}: {err[1][:100]}", []).append(where(i))
        except Exception as e:  # noqa: BLE001 - a kernel that will not start, etc.
            notes.append(f"could not run the notebook: {type(e).__name__}: {e}")
        finally:
            try:
                if client.km is not None and client.km.has_kernel:
                    run_sync(client.km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001
                pass
    return None


# ---------------------------------------------------------------------------
def grade_notebook(path, file_id, assignment=None, cell_timeout=60, total_timeout=300,
                   root=None):
    """Grade one submission; never raises."""
    t0 = time.monotonic()
    rel = str(Path(path).relative_to(root)) if root else str(path)
    res = Result(file=rel)
    try:
        _grade(res, Path(path), file_id, assignment, cell_timeout, total_timeout)
    except Exception as e:  # noqa: BLE001 - the grader must survive any submission
        res.problems.append(f"grader error: {type(e).__name__}: {e}")
    res.seconds = round(time.monotonic() - t0, 1)
    return res


def _grade(res, path, file_id, assignment, cell_timeout, total_timeout):
    try:
        sid = check_id(file_id)
    except StudentIdError:
        sid = None
        res.problems.append(f"the file/folder name {file_id!r} is not a valid student id")
    res.student_id = sid or normalise_id(file_id)
    try:
        raw = path.read_text(encoding="utf-8")
        nb = nbformat.reads(raw, as_version=4)
    except Exception as e:  # noqa: BLE001
        res.assignment = assignment
        res.problems.append(f"not a readable notebook ({type(e).__name__}: "
                            f"{str(e).splitlines()[0][:120] if str(e) else ''})")
        _fail_all(res, "not graded: the notebook could not be read")
        return
    n = assignment or _detect_assignment(nb, path)
    res.assignment = n
    try:
        master = master_check_sources(n) if n is not None else None
    except ValueError:
        master = None
    if master is None:
        res.problems.append("could not tell which assignment this is (give --assignment)")
        return
    names = {q: CHECK_RE.search(s).group(2) for q, s in master.items()}
    audit = audit_checks(nb, master)
    for qid, why in audit.items():
        if why:
            res.problems.append(f"{qid}: {why}")
    exported, notes = execute_isolated(nb, sorted(set(names.values())), cell_timeout,
                                       total_timeout)
    res.problems += notes
    if exported is not None:
        res.notebook_id = exported.get("student_id")
    if res.notebook_id is None:
        res.problems.append("no STUDENT_ID found in the notebook")
    elif sid and normalise_id(res.notebook_id) != sid:
        res.problems.append(f"student id mismatch: the notebook says {res.notebook_id!r}, the "
                            f"file name says {sid!r} (graded as {sid!r})")
    graded_id = sid
    if graded_id is None and res.notebook_id:
        try:
            graded_id = check_id(res.notebook_id)
            res.problems.append(f"graded with the notebook's id {graded_id!r}")
        except StudentIdError:
            graded_id = None
    if graded_id is None:
        _fail_all(res, "not graded: no valid student id", master)
        return
    hw = Homework(n, graded_id, quiet=True)
    answers = (exported or {}).get("answers", {})
    for qid in master:
        var = names[qid]
        a = answers.get(var, {"state": "missing"})
        if audit[qid]:
            res.questions[qid] = QResult(False, audit[qid].split(" (")[0].split(":")[0],
                                         f"{audit[qid]}; the question counts as failed")
            continue
        state = a.get("state")
        if state == "given":
            fb = hw.feedback(qid, a["value"])
            res.questions[qid] = QResult(fb.ok, "pass" if fb.ok else "wrong", fb.text)
        elif state == "unanswered":
            res.questions[qid] = QResult(False, "unanswered", f"{var} is still ...")
        elif state == "unexportable":
            res.questions[qid] = QResult(False, "wrong", f"{var} is a {a.get('type')}, not "
                                         f"plain data (a number, string or list)")
        else:
            res.questions[qid] = QResult(False, "missing",
                                         f"{var} was never set (or the notebook did not run)")


def _fail_all(res, why, master=None):
    if master is None and res.assignment is not None:
        try:
            master = master_check_sources(res.assignment)
        except ValueError:
            master = None
    for qid in (master or {}):
        res.questions[qid] = QResult(False, "not graded", why)


# ---------------------------------------------------------------------------
def grade_folder(folder, out=None, assignment=None, cell_timeout=60, total_timeout=300,
                 log=print):
    """Grade every submission in ``folder``; write CSV + Markdown; return the Results."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SystemExit(f"{folder}: no such folder")
    out = Path(out) if out else folder / "grades.csv"
    subs = [(p, i) for p, i in find_submissions(folder)
            if p.resolve() != out.resolve()]
    results = []
    for path, fid in subs:
        log(f"grading {path.relative_to(folder)} ...")
        r = grade_notebook(path, fid, assignment, cell_timeout, total_timeout, root=folder)
        log(f"  {r.student_id}: {r.score}/{r.total}" + (f"  ({'; '.join(r.problems)})"
                                                        if r.problems else ""))
        results.append(r)
    write_reports(results, out, folder)
    log(f"wrote {out} and {out.with_suffix('.md')} ({len(results)} submissions)")
    return results


def write_reports(results, out, folder=None):
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    qids = sorted({q for r in results for q in r.questions}, key=lambda q: int(q[1:]))
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student_id", "file", "assignment", "notebook_id"]
                   + [x for q in qids for x in (q, f"{q}_feedback")]
                   + ["score", "max", "problems"])
        for r in results:
            row = [r.student_id, r.file, r.assignment, r.notebook_id]
            for q in qids:
                qr = r.questions.get(q)
                row += ([1 if qr.ok else 0, qr.feedback] if qr else ["", ""])
            w.writerow(row + [r.score, r.total, "; ".join(r.problems)])
    md = [f"# Homework grades", ""]
    if folder is not None:
        md.append(f"Submissions in `{folder}`: {len(results)}.")
        md.append("")
    if not results:
        md.append("No submissions found (expected `<student_id>.ipynb` or "
                  "`<student_id>/<name>.ipynb`).")
    else:
        md += ["| student | file | assignment | " + " | ".join(qids) + " | score | problems |",
               "|---|---|---|" + "---|" * len(qids) + "---|---|"]
        for r in results:
            marks = ["✔" if r.questions.get(q) and r.questions[q].ok else
                     ("✘" if q in r.questions else "") for q in qids]
            probs = "; ".join(r.problems).replace("|", "\\|")
            md.append(f"| {r.student_id} | {r.file} | {r.assignment or '?'} | "
                      + " | ".join(marks) + f" | {r.score}/{r.total} | {probs} |")
        md += ["", "## Pass rate per question", ""]
        for q in qids:
            had = [r for r in results if q in r.questions]
            ok = sum(r.questions[q].ok for r in had)
            md.append(f"- {q}: {ok}/{len(had)}")
        md += ["", "## Feedback per student", ""]
        for r in results:
            md.append(f"### {r.student_id} ({r.file}): {r.score}/{r.total}")
            md.append("")
            for p in r.problems:
                md.append(f"- **problem:** {p}")
            for q in qids:
                if q in r.questions:
                    qr = r.questions[q]
                    md.append(f"- {q} {'✔' if qr.ok else '✘'} ({qr.status}): {qr.feedback}")
            md.append("")
    out.with_suffix(".md").write_text("\n".join(md) + "\n", encoding="utf-8")
