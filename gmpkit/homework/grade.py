"""Grade a folder of submitted homework notebooks, each in a sandbox.

Layout (the convention students follow)::

    SUBMISSIONS/<student_id>.ipynb            one notebook per student, or
    SUBMISSIONS/<student_id>/<anything>.ipynb  a folder per student (several assignments)

The file or folder name is the student id the grader trusts; ``STUDENT_ID``
in the notebook must match it (a mismatch is reported, and the answers are
checked against the *file name's* problems, so a copied notebook fails).

**Isolation.**  Before any submission runs, the grader imports its own code
and every assignment module, and reads ``data/released.json`` from the
package.  Each notebook's cells then run in :mod:`.runner` under bubblewrap
(:mod:`.sandbox`): no network, a read-only system and project, the
submissions and report folders hidden, a private home, resource limits, and
the whole process tree killed at the end.  Without a working sandbox
:func:`grade_folder` refuses (``SandboxUnavailable``) unless
``sandbox=False`` (``--no-sandbox``), and then every report's first line
says the grading was not isolated.

**Results** never come from anything the notebook prints.  The runner
exports the answer variables (``answer_qN`` / ``workload_qN``) as JSON after
every cell -- a kernel killed by a segfault or the memory limit keeps the
credit of what it answered before -- and the grader re-runs every check in
its own process against the problems generated for the file name's id.
A question also fails when its check cell was deleted or changed: check
cells are matched by content against the hashes of every *released*
version of the master's check cell (``released.json``), so fixing a master
after release does not fail old submissions.

**Points** come from the masters (``question(..., points=)``); a list answer
(a finish order) earns partial credit, the share of items in place.
**Integrity flags** (see :mod:`.integrity`): solution notebooks, identical
answers under different ids, near-identical workloads.  Reports: see
:mod:`.reports`.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..i18n import tr, using
from . import released, sandbox
from .build import CHECK_RE
from .variants import StudentIdError, check_id, normalise_id

__all__ = ["grade_folder", "grade_notebook", "find_submissions", "Result", "QResult",
           "SandboxUnavailable", "preload", "detect_language"]

SandboxUnavailable = sandbox.SandboxUnavailable
# A failed check is the question's result, not a problem with the submission.
QUIET_ERRORS = ("WrongAnswer", "Unanswered", "KeyboardInterrupt")
MAX_ECHO = 200              # characters of a student's answer shown in any report
MAX_FEEDBACK = 1200         # characters of one question's feedback
MAX_NOTEBOOK = 32 * 1024 * 1024     # bytes: a bigger submission is not read
MAX_PER_FOLDER = 10         # notebooks graded in one student's folder (5 assignments, retries)


def clip(text, n=MAX_ECHO):
    """``text`` cut to ``n`` characters, saying how much was cut.

    >>> clip("x" * 10, 8)
    'xxx…(+7)'
    """
    text = str(text)
    if len(text) <= n:
        return text
    tail = f"…(+{len(text) - n + len(str(len(text))) + 3})"
    keep = max(0, n - len(tail))
    return text[:keep] + f"…(+{len(text) - keep})"


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069"
                      "\ufeff]")


def printable(text):
    """``text`` with control characters shown as escapes: terminal escape sequences and
    bidirectional overrides from a submission never reach a terminal or a report.

    >>> printable("ok\\x1b[2J \\u202eexe\\tend")
    'ok\\\\x1b[2J \\\\u202eexe\\tend'
    """
    return _CONTROL.sub(lambda m: (f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                                   else f"\\u{ord(m.group()):04x}"), str(text))


def _clip_middle(text, n=MAX_FEEDBACK):
    text = str(text)
    if len(text) <= n:
        return text
    half = (n - 9) // 2
    return text[:half] + " […] " + text[-half:]


@dataclass
class QResult:
    ok: bool
    status: str          # pass | partial | wrong | unanswered | missing | check deleted | ...
    feedback: str
    points: float = 1
    earned: float = 0
    answer: str = ""     # the student's answer, clipped to MAX_ECHO characters
    title: str = ""


@dataclass
class Result:
    file: str
    student_id: str | None = None          # the id graded (from the file name)
    notebook_id: str | None = None         # STUDENT_ID found in the notebook (clipped)
    assignment: int | None = None
    questions: dict = field(default_factory=dict)   # qid -> QResult
    problems: list = field(default_factory=list)
    flags: list = field(default_factory=list)       # integrity flags
    seconds: float = 0.0
    sandboxed: bool = True
    answers: dict = field(default_factory=dict, repr=False)    # qid -> JSON value given
    expected: dict = field(default_factory=dict, repr=False)   # qid -> canonical JSON
    kinds: dict = field(default_factory=dict, repr=False)      # qid -> predict | workload
    language: str = "en"     # the submission's edition: its feedback is written in it

    @property
    def score(self):
        return round(sum(q.earned for q in self.questions.values()), 2)

    @property
    def total(self):
        return sum(q.points for q in self.questions.values())

    def column(self, qid):
        """The gradebook column of a question: ``hw1-q1`` (mixed folders never collide)."""
        return f"hw{self.assignment}-{qid}"


# ---------------------------------------------------------------------------
_RELEASED = None


def preload():
    """Import every assignment and read released.json, before any submission runs."""
    global _RELEASED
    if _RELEASED is None:
        from . import assignments  # noqa: F401 - registers every question now
        from . import core, handout, integrity, reports  # noqa: F401
        _RELEASED = released.load()
    return _RELEASED


def find_submissions(folder, exclude=(), left_out=None):
    """``[(path, id from the name)]``: top-level notebooks and one level of folders.

    At most :data:`MAX_PER_FOLDER` notebooks of one student's folder are listed; the
    number of the others goes in ``left_out[folder name]`` when a dict is given.
    """
    folder = Path(folder)
    skip = {Path(p).resolve() for p in exclude}
    subs = []
    left_out = {} if left_out is None else left_out
    for p in sorted(folder.iterdir()):
        if p.name.startswith(".") or p.resolve() in skip:
            continue
        if (p.is_file() or p.is_symlink()) and p.suffix == ".ipynb":
            subs.append((p, p.stem))           # a symbolic link is listed, and refused
        elif p.is_dir() and not p.is_symlink():
            mine = [q for q in sorted(p.glob("*.ipynb"))
                    if not q.name.startswith(".") and (q.is_file() or q.is_symlink())]
            subs += [(q, p.name) for q in mine[:MAX_PER_FOLDER]]
            if len(mine) > MAX_PER_FOLDER:
                left_out[p.name] = len(mine)
    return subs


def _detect_assignment(nb, path):
    meta = nb.metadata.get("gmpkit", {}) if isinstance(nb.metadata, dict) else {}
    n = meta.get("assignment") if isinstance(meta, dict) else None
    if isinstance(n, int) and not isinstance(n, bool):     # True == 1 would rename hw1's columns
        return n
    for c in nb.cells:
        m = re.search(r"\bassignment\(\s*(\d+)\s*,", str(c.get("source", "")))
        if m:
            return int(m.group(1))
    m = re.search(r"hw(\d+)", Path(path).name)
    return int(m.group(1)) if m else None


_SET_LANGUAGE = re.compile(r"""\bset_language\(\s*["']([A-Za-z_.@-]+)["']""")


def detect_language(nb):
    """The edition a notebook was handed out in: the language its ``gk.set_language(...)``
    cell sets (the Chinese edition has one before its first code cell), or its
    ``metadata.gmpkit.lang``; English otherwise.

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('gk.set_language("zh")')])
    >>> detect_language(nb), detect_language(nbformat.v4.new_notebook())
    ('zh', 'en')
    """
    from ..i18n import LANGUAGES
    meta = nb.metadata.get("gmpkit", {}) if isinstance(nb.metadata, dict) else {}
    found = meta.get("lang") if isinstance(meta, dict) else None
    for c in nb.cells:
        if c.get("cell_type") == "code":
            m = _SET_LANGUAGE.search(str(c.get("source", "")))
            if m:
                found = m.group(1)
                break
    code = re.split(r"[-_.@]", str(found or "en").lower(), maxsplit=1)[0]
    return code if code in LANGUAGES else "en"


def audit_checks(nb, info):
    """``{qid: problem or None}``: a released version of each check cell is present, or why not."""
    found = {}
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code":
            continue
        qids = {m for m, _ in CHECK_RE.findall(c.source)}
        qids |= set(re.findall(r"""check\(\s*["'](q\d+)["']""", c.source))
        h = released.normalised_hash(c.source)
        for qid in qids:
            if qid in info["questions"]:
                found.setdefault(qid, []).append((i, h in info["questions"][qid]["checks"]))
    out = {}
    for qid, q in info["questions"].items():
        cells = found.get(qid, [])
        if any(same for _, same in cells):
            out[qid] = None
        elif cells:
            out[qid] = tr("check cell modified (cell {cell}): it must read hw.check({qid!r}, "
                          "{var})", cell=cells[0][0], qid=qid, var=q["var"])
        else:
            out[qid] = tr("check cell deleted")
    return out


def solution_flags(nb, info):
    """Why this looks like a handed-in solution notebook (``[]`` if it does not)."""
    meta = nb.metadata.get("gmpkit", {}) if isinstance(nb.metadata, dict) else {}
    why = []
    if isinstance(meta, dict) and meta.get("version") == "solution":
        why.append('its metadata says "version": "solution"')
    sols = set(info.get("solutions", []))
    n = sum(released.normalised_hash(c.source) in sols for c in nb.cells if c.cell_type == "code")
    if n:
        why.append(f"{n} cell(s) identical to the published solution")
    return [f"solution notebook: {' and '.join(why)}"] if why else []


# ---------------------------------------------------------------------------
def execute(cells, names, limits, use_sandbox=True, hide=(), max_restarts=3):
    """Run the code cells; return ``(export | None, notes, errors)``.

    A cell that times out or kills the runner is skipped and the notebook re-run
    without it (at most ``max_restarts`` times, never beyond the total timeout).
    Answers exported before a death are kept when a later run does not set them.
    """
    notes, skip, exports = [], set(), []
    deadline = time.monotonic() + limits.total_timeout
    run = None
    for attempt in range(max_restarts + 1):
        run = sandbox.run_cells(cells, names, skip, limits, deadline, use_sandbox, hide)
        if run.export is not None:
            exports.append(run.export)
        if run.note and not (run.finished or run.died_in is not None):
            notes.append(run.note)
        bad = run.timed_out if run.timed_out is not None else run.died_in
        if run.total_timeout and run.timed_out is None:
            notes.append(tr("total time limit reached: the rest of the notebook did not run"))
            break
        if bad is None:
            break
        skip.add(bad)
        if run.timed_out is not None:
            notes.append(tr("cell {cell} timed out after {seconds:g} s (an infinite loop?): "
                            "skipped, the notebook re-run without it", cell=bad,
                            seconds=limits.cell_timeout))
        else:
            notes.append(tr("the kernel died in cell {cell} ({why}): answers set before it are "
                            "kept; skipped, the notebook re-run without it", cell=bad,
                            why=run.note))
        if run.total_timeout or time.monotonic() > deadline - 1:
            notes.append(tr("gave up: total time limit reached"))
            break
        if attempt == max_restarts:
            notes.append(tr("gave up after {n} restarts", n=max_restarts))
    if not exports:
        notes.append(tr("the answers could not be read back from the notebook"))
        return None, notes, (run.errors if run else [])
    final = json.loads(json.dumps(exports[-1]))
    for earlier in reversed(exports[:-1]):
        for name, a in earlier.get("answers", {}).items():
            if final["answers"].get(name, {}).get("state") != "given" and a.get("state") == "given":
                final["answers"][name] = a
        if final.get("student_id") is None:
            final["student_id"] = earlier.get("student_id")
    return final, notes, run.errors


# ---------------------------------------------------------------------------
def grade_notebook(path, file_id, assignment=None, limits=None, root=None, use_sandbox=True,
                   hide=()):
    """Grade one submission; never raises."""
    preload()
    t0 = time.monotonic()
    rel = str(Path(path).relative_to(root)) if root else str(path)
    res = Result(file=rel, sandboxed=use_sandbox)
    try:
        _grade(res, Path(path), file_id, assignment, limits or sandbox.Limits(), use_sandbox,
               hide)
    except Exception as e:  # noqa: BLE001 - the grader must survive any submission
        res.problems.append(f"grader error: {type(e).__name__}: {clip(e)}")
    _make_printable(res)
    res.seconds = round(time.monotonic() - t0, 1)
    return res


def _make_printable(res):
    """Every text a submission could have chosen (names, messages, answers), made printable."""
    res.file = printable(res.file)
    if res.student_id is not None:
        res.student_id = printable(res.student_id)
    if res.notebook_id is not None:
        res.notebook_id = printable(res.notebook_id)
    res.problems = [printable(p) for p in res.problems]
    res.flags = [printable(f) for f in res.flags]
    for qr in res.questions.values():
        qr.feedback, qr.answer = printable(qr.feedback), printable(qr.answer)


def _grade(res, path, file_id, assignment, limits, use_sandbox, hide):
    try:
        sid = check_id(file_id)
    except StudentIdError:
        sid = None
        res.problems.append(f"the file/folder name {clip(file_id, 80)!r} is not a valid "
                            f"student id")
    res.student_id = sid or clip(normalise_id(file_id), 80)
    if path.is_symlink():       # from an archive: it could point at any file the grader reads
        res.assignment = assignment or _detect_assignment(nbformat.v4.new_notebook(), path)
        res.problems.append("the submission is a symbolic link: not graded (submit the notebook "
                            "file itself)")
        _fail_all(res, "not graded: a symbolic link")
        return
    try:
        raw = _read_regular(path)
        nb = nbformat.reads(raw, as_version=4)
        if not isinstance(nb.cells, list):
            raise ValueError("no cell list")
    except Exception as e:  # noqa: BLE001
        res.assignment = assignment or _detect_assignment(nbformat.v4.new_notebook(), path)
        res.problems.append(f"not a readable notebook ({type(e).__name__}: "
                            f"{clip(str(e).splitlines()[0] if str(e) else '', 120)})")
        _fail_all(res, "not graded: the notebook could not be read")
        return
    res.language = detect_language(nb)
    with using(res.language):      # this student's feedback, in the edition they submitted
        _grade_read(res, nb, path, sid, assignment, limits, use_sandbox, hide)


def _grade_read(res, nb, path, sid, assignment, limits, use_sandbox, hide):
    n = assignment or _detect_assignment(nb, path)
    res.assignment = n
    info = _RELEASED.get(n)
    if info is None:
        res.problems.append(tr("could not tell which assignment this is (give --assignment)"))
        return
    res.flags += solution_flags(nb, info)
    meta = nb.metadata.get("gmpkit", {}) if isinstance(nb.metadata, dict) else {}
    if isinstance(meta, dict) and meta.get("version") == "graded":
        if not any('mode="graded"' in c.source for c in nb.cells if c.cell_type == "code"):
            res.flags.append("graded notebook switched to practice mode (setup cell edited)")
    names = {q: v["var"] for q, v in info["questions"].items()}
    audit = audit_checks(nb, info)
    for qid, why in audit.items():
        if why:
            res.problems.append(f"{qid}: {why}")
    code = [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    exported, notes, errors = execute([s for _, s in code], sorted(set(names.values())), limits,
                                      use_sandbox, hide)
    # Cell numbers in messages are the notebook's, not the runner's.
    res.problems += [re.sub(r"\bcell (\d+)", lambda m: f"cell {code[int(m.group(1))][0]}", t)
                     for t in notes]
    raised = {}
    for k, ename, evalue in errors:
        if ename not in QUIET_ERRORS:
            raised.setdefault(f"{ename}: {clip(evalue, 100)}", []).append(f"cell {code[k][0]}")
    for text, at in list(raised.items())[:10]:
        where = at[0] if len(at) == 1 else tr("{n} cells ({cells}...)", n=len(at),
                                                  cells=", ".join(at[:3]))
        res.problems.append(tr("{where} raised {error}", where=where, error=text))
    if exported is not None and isinstance(exported.get("student_id"), str):
        res.notebook_id = clip(exported["student_id"], 80)
    if res.notebook_id is None:
        res.problems.append(tr("no STUDENT_ID found in the notebook"))
    elif sid and normalise_id(res.notebook_id) != sid:
        res.problems.append(tr("student id mismatch: the notebook says {notebook!r}, the file "
                               "name says {sid!r} (graded as {sid!r})", notebook=res.notebook_id,
                               sid=sid))
    graded_id = sid
    if graded_id is None and res.notebook_id:
        try:
            graded_id = check_id(res.notebook_id)
            res.problems.append(tr("graded with the notebook's id {sid!r}", sid=graded_id))
        except StudentIdError:
            graded_id = None
    if graded_id is None:
        _fail_all(res, tr("not graded: no valid student id"))
        return
    _score(res, n, graded_id, info, names, audit, (exported or {}).get("answers", {}))


def _read_regular(path):
    """The text of ``path`` if it is a regular file (never through a link) of sane size."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise ValueError("not a regular file")
        if st.st_size > MAX_NOTEBOOK:
            raise ValueError(f"{st.st_size:,} bytes, over the {MAX_NOTEBOOK:,} a notebook may have")
        return f.read(MAX_NOTEBOOK + 1).decode("utf-8")


def _score(res, n, graded_id, info, names, audit, answers):
    from .core import WorkloadTask
    from .handout import Homework
    hw = Homework(n, graded_id, quiet=True)
    for qid, q in info["questions"].items():
        var, pts = names[qid], q.get("points", 1)
        a = answers.get(var, {"state": "missing"}) if isinstance(answers, dict) else {}
        a = a if isinstance(a, dict) else {"state": "missing"}
        qr = QResult(False, "", "", points=pts,
                     title=tr(q.get("title", qid)))   # i18n: titles are N_() in hw*.py @question
        res.questions[qid] = qr
        prob = hw.problem(qid)
        res.kinds[qid] = prob.kind
        if not isinstance(prob.check, WorkloadTask):
            try:
                res.expected[qid] = json.dumps(prob.check.expected, sort_keys=True)
            except Exception:  # noqa: BLE001
                pass
        state = a.get("state")
        if state == "given":
            res.answers[qid] = a.get("value")
            qr.answer = clip(json.dumps(a.get("value")))
        if audit[qid]:
            qr.status = ("check cell deleted" if audit[qid] == tr("check cell deleted")
                         else "check cell modified")
            qr.feedback = tr("{why}; the question counts as failed", why=audit[qid])
            continue
        if state == "given":
            fb = hw.feedback(qid, a["value"])
            qr.ok = bool(fb.ok)
            qr.earned = pts if qr.ok else _partial(a["value"], fb.expected) * pts
            qr.earned = round(qr.earned, 2)
            qr.status = "pass" if qr.ok else ("partial" if qr.earned else "wrong")
            text = str(fb.text)
            if len(qr.answer) >= MAX_ECHO:       # never echo a huge answer in full
                text = text.replace(_show_like(a["value"]), qr.answer)
            qr.feedback = _clip_middle(text)
            if qr.status == "partial":
                qr.feedback += tr(" (partial credit: {earned:g} of {points:g} points)",
                                  earned=qr.earned, points=pts)
        elif state == "unanswered":
            qr.status, qr.feedback = "unanswered", tr("{var} is still ...", var=var)
        elif state == "unexportable":
            qr.status = "wrong"
            qr.feedback = tr("{var} is a {type}, not plain data (a number, string or list)",
                             var=var, type=clip(a.get("type"), 60))
        elif state == "too large":
            qr.status = "wrong"
            qr.feedback = tr("{var} is too large to be an answer ({size} bytes of JSON)",
                             var=var, size=a.get("size"))
        else:
            qr.status, qr.feedback = "missing", tr("{var} was never set (or the notebook did "
                                                   "not run)", var=var)


def _show_like(value):
    from ..checks import _show
    try:
        return str(_show(value))
    except Exception:  # noqa: BLE001
        return repr(value)


def _partial(given, expected):
    """The share of a list answer's items in the right place (0 for anything else).

    >>> _partial(["A", "C", "B"], ["A", "B", "C"])
    0.3333333333333333
    >>> _partial(3, 4), _partial(["A"], ["A", "B"])
    (0, 0)
    """
    if (isinstance(given, list) and isinstance(expected, (list, tuple)) and expected
            and len(given) == len(expected)):
        from ..checks import exact
        return sum(bool(exact(g, e)) for g, e in zip(given, expected)) / len(expected)
    return 0


def _fail_all(res, why):
    info = (_RELEASED or {}).get(res.assignment)
    for qid, q in (info or {}).get("questions", {}).items():
        res.questions[qid] = QResult(False, "not graded", why, points=q.get("points", 1),
                                     title=q.get("title", qid))


# ---------------------------------------------------------------------------
def grade_folder(folder, out=None, assignment=None, cell_timeout=60, total_timeout=300,
                 log=print, sandbox_ok=True, jobs=None, formats=("csv",), limits=None):
    """Grade every submission in ``folder``; write the reports; return the Results.

    ``sandbox_ok=False`` is ``--no-sandbox``: run without isolation (the
    reports say so).  With ``sandbox_ok=True`` and no working sandbox this
    raises :class:`SandboxUnavailable` before running anything.
    """
    from . import integrity, reports
    folder = Path(folder)
    if not folder.is_dir():
        raise SystemExit(f"{folder}: no such folder")
    if sandbox_ok:
        why = sandbox.probe()
        if why:
            raise SandboxUnavailable(
                f"refusing to run untrusted notebooks without a sandbox: {why}. Pass "
                f"--no-sandbox to grade anyway (only for notebooks you trust; the reports will "
                f"say they were graded without isolation).")
    else:
        log("WARNING: grading WITHOUT a sandbox (--no-sandbox): submissions run with your "
            "user's access to files and network")
    preload()
    limits = limits or sandbox.Limits(cell_timeout=cell_timeout, total_timeout=total_timeout)
    out = Path(out) if out else folder / "grades.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    hide = [str(folder.resolve()), str(out.parent.resolve())]
    if os.path.realpath(tempfile.gettempdir()) != "/tmp":
        hide.append(tempfile.gettempdir())
    for h in [h for h in hide if not sandbox.hideable(h)]:
        hide.remove(h)
        log(f"note: {h} holds Python or gmpkit, so submissions can read it (not write it); "
            f"put submissions and reports in folders of their own to hide them")
    left_out = {}
    subs = find_submissions(folder, exclude=[out.parent] if out.parent != folder else [],
                            left_out=left_out)
    jobs = max(1, jobs or os.cpu_count() or 1)

    def one(item):
        path, fid = item
        r = grade_notebook(path, fid, assignment, limits, folder, sandbox_ok, hide)
        log(f"graded {r.file}: {r.student_id} {r.score:g}/{r.total:g}"
            + (f"  ({'; '.join(r.problems)[:300]})" if r.problems else ""))
        return r

    t0 = time.monotonic()
    with ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(one, subs))
    for name, n in left_out.items():
        first = next((r for r in results if Path(r.file).parts[0] == printable(name)), None)
        note = (f"{printable(clip(name, 80))}/ holds {n} notebooks: only the first "
                f"{MAX_PER_FOLDER} were graded")
        if first is not None:
            first.problems.append(note)
        log(f"note: {note}")
    pairs = integrity.flag(results)
    written = reports.write_all(results, out, folder, formats=formats, sandboxed=sandbox_ok,
                                pairs=pairs)
    log(f"graded {len(results)} submissions in {time.monotonic() - t0:.1f} s with {jobs} "
        f"worker(s); wrote {', '.join(str(p) for p in written)}")
    return results
