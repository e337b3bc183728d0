"""Build the student and solution notebooks from the homework masters.

A master, ``notebooks/homework/src/hwN_name.py``, is a jupytext percent script
(read by :mod:`.source`) whose answer cells are tagged ``solution`` and whose
check cells are tagged ``check``.  From it:

* ``student/hwN_name.ipynb``: each solution cell replaced by a stub
  (``answer_q1 = ...  # your prediction``), not executed: a clean start;
* ``solutions/hwN_name.ipynb``: everything, executed with the demo id, so its
  outputs are the reference strict nbval compares against;
* the same two for the Chinese edition, ``student/zh/`` and ``solutions/zh/``, when
  the master's prose is bilingual (``lang="en"``/``lang="zh"`` cell pairs, see
  :mod:`.bilingual`): the code cells are the same, so the check cells hash the same
  and the grader grades either edition alike.  Its language cell
  (``gk.set_language("zh")``) comes right after the student-id cell, which stays first.
  No version is a jupytext pair: an instructor edits the master (in an editor, or
  opened in JupyterLab as a notebook through jupytext) and rebuilds;
* with ``--mode graded``: ``graded/hwN_name.ipynb`` (or ``--out DIR``), the
  student version whose setup cell says ``assignment(N, STUDENT_ID,
  mode="graded")``: its check cells record answers instead of revealing the
  model's (the check cells themselves are unchanged, so they hash the same);
  ``graded/zh/`` for the Chinese edition.

Building also records every master's check-cell hashes, points and answer
names in the package's ``data/released.json`` (see :mod:`.released`), which
is all the grader reads at run time.

:func:`stale` rebuilds both in memory and lists what differs from the
committed files (the freshness test).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat

from . import bilingual, released, source

ROOT = Path(__file__).resolve().parents[2]
HW_DIR = ROOT / "notebooks" / "homework"
SRC_DIR = HW_DIR / "src"
STUDENT_DIR = HW_DIR / "student"
SOLUTION_DIR = HW_DIR / "solutions"
GRADED_DIR = HW_DIR / "graded"
CHECK_RE = re.compile(r"""\bhw\.check\(\s*["'](q\d+)["']\s*,\s*(\w+)\s*\)""")
SETUP_RE = re.compile(r"""^(hw\s*=\s*assignment\(\s*\d+\s*,\s*STUDENT_ID)\s*\)\s*$""", re.M)

__all__ = ["masters", "languages", "edition_dir", "assignment_of", "student_notebook", "solution_notebook",
           "graded_notebook", "build_all", "stale", "stub_for", "check_cells", "release_data"]


def masters():
    """The master sources; a clear error when this is not a course checkout."""
    if not SRC_DIR.is_dir():
        raise FileNotFoundError(
            f"no homework masters at {SRC_DIR}: building needs a checkout of the course "
            f"repository (grading does not: it reads the package's data/released.json)")
    return sorted(SRC_DIR.glob("hw[0-9]*_*.py"))


def assignment_of(path) -> int:
    m = re.match(r"hw(\d+)_", Path(path).name)
    if not m:
        raise ValueError(f"{path}: a homework master is named hwN_topic.py")
    return int(m.group(1))


def stub_for(source) -> str:
    """The student's stub for a solution cell: its answer variable set to ``...``.

    The answer variable is the last name the cell assigns (``answer_qN`` or
    ``workload_qN``).
    """
    tree = ast.parse(source)
    names = []
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, (ast.FunctionDef, ast.AnnAssign)):
            names.append(node.name if isinstance(node, ast.FunctionDef) else node.target.id)
    answers = [n for n in names if re.match(r"(answer|workload)_q\d+$", n)]
    if not answers:
        raise ValueError(f"a solution cell must assign answer_qN or workload_qN:\n{source}")
    name = answers[-1]
    if name.startswith("workload"):
        return (f"# YOUR ANSWER HERE: a workload (list of operations, see above)\n"
                f"{name} = ...  # your workload")
    return f"# YOUR ANSWER HERE\n{name} = ...  # your prediction"


def check_cells(nb):
    """``{qid: (cell index, source)}`` of a notebook's check cells (by tag or content)."""
    out = {}
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code":
            continue
        m = CHECK_RE.search(c.source)
        if "check" in c.metadata.get("tags", []) or m:
            if m:
                out.setdefault(m.group(1), (i, c.source))
    return out


def _bilingual(src):
    nb = source.to_notebook(src)
    probs = bilingual.problems(nb)
    if probs:
        raise ValueError(f"{src.name}: " + f"; ".join(probs))
    return nb


def languages(src):
    """The editions a master has: ``("en",)`` or ``("en", "zh")``."""
    return bilingual.languages(source.to_notebook(src))


def edition_dir(folder, lang):
    """``student/`` or ``student/zh/`` (the same for solutions/ and graded/)."""
    return Path(folder) if lang == "en" else Path(folder) / lang


def _base(src, lang="en"):
    nb = bilingual.edition(_bilingual(src), lang)
    cells = nb.cells
    k = next((i for i, c in enumerate(cells) if bilingual.is_language_cell(c)), None)
    sid = next((i for i, c in enumerate(cells) if "student-id" in c.metadata.get("tags", [])), None)
    if k is not None and sid is not None and k < sid:
        cells.insert(sid, cells.pop(k))        # the student's id stays the first cell
    nb.metadata["gmpkit"] = {"assignment": assignment_of(src), "master": src.name, "lang": lang}
    return nb


def student_notebook(src, lang="en"):
    nb = _base(src, lang)
    nb.metadata["gmpkit"]["version"] = "student"
    for c in nb.cells:
        tags = c.metadata.get("tags", [])
        if "solution" in tags:
            c.source = stub_for(c.source)
            c.metadata["tags"] = [t for t in tags if t != "solution"] + ["answer"]
    return nb


def graded_notebook(src, lang="en"):
    """The student version for graded use: the setup cell asks for ``mode="graded"``."""
    nb = student_notebook(src, lang)
    nb.metadata["gmpkit"]["version"] = "graded"
    n = 0
    for c in nb.cells:
        if c.cell_type == "code":
            c.source, k = SETUP_RE.subn(r'\1, mode="graded")', c.source)
            n += k
    if n != 1:
        raise ValueError(f"{src.name}: expected one setup cell `hw = assignment(N, STUDENT_ID)`, "
                         f"found {n}")
    return nb


def solution_notebook(src, run=True, lang="en"):
    nb = _base(src, lang)
    nb.metadata["gmpkit"]["version"] = "solution"
    if run:
        where = edition_dir(SOLUTION_DIR, lang)
        where.mkdir(parents=True, exist_ok=True)
        _execute(nb, where)
        for c in nb.cells:
            _coalesce_streams(c)
        for i, c in enumerate(nb.cells):
            errs = [o for o in c.get("outputs", []) if o.get("output_type") == "error"]
            if errs:
                raise RuntimeError(f"{src.name}: solution cell {i} raised {errs[0]['ename']}: "
                                   f"{errs[0]['evalue']}")
    return nb


def _execute(nb, cwd, timeout=120):
    from nbclient import NotebookClient
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(cwd)}}, record_timing=False,
                   store_widget_state=True).execute()
    return nb


def _coalesce_streams(cell):
    """Merge consecutive stdout/stderr chunks (how the kernel splits them varies by run)."""
    outs = []
    for o in cell.get("outputs", []):
        if (outs and o.get("output_type") == "stream" and outs[-1].get("output_type") == "stream"
                and outs[-1].get("name") == o.get("name")):
            outs[-1]["text"] += o["text"]
        else:
            outs.append(o)
    if "outputs" in cell:
        cell["outputs"] = outs


def _write(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def build_all(names=None, run=True, log=print, mode="practice", out=None):
    """Write student/ and solutions/ for every master (or those whose stem is in ``names``).

    ``mode="graded"`` writes only the graded student versions, to ``out``
    (default ``notebooks/homework/graded``).  Either way the package's
    ``released.json`` gains the masters' current check-cell hashes.
    """
    done = []
    for src in masters():
        if names and src.stem not in names and f"hw{assignment_of(src)}" not in names:
            continue
        for lang in languages(src):
            if mode == "graded":
                target = edition_dir(out or GRADED_DIR, lang) / f"{src.stem}.ipynb"
                _write(graded_notebook(src, lang), target)
                log(f"built {src.stem}: {target} (graded: no answers in the notebook)")
            else:
                st = edition_dir(STUDENT_DIR, lang) / f"{src.stem}.ipynb"
                so = edition_dir(SOLUTION_DIR, lang) / f"{src.stem}.ipynb"
                _write(student_notebook(src, lang), st)
                _write(solution_notebook(src, run=run, lang=lang), so)
                log(f"built {src.stem}: {st.relative_to(HW_DIR)}, {so.relative_to(HW_DIR)}")
        done.append(src.stem)
    write_release_data()
    return done


def release_data(previous=None):
    """The ``released.json`` content for the current masters, merged with ``previous``.

    Hashes of earlier check/setup/solution cells are kept (append-only).
    """
    from . import assignments  # noqa: F401 - registers every assignment
    from .core import REGISTRY
    prev = (previous or {}).get("assignments", {})
    out = {}
    for src in masters():
        n = assignment_of(src)
        nb = source.to_notebook(src)
        old = prev.get(str(n), {})
        info = REGISTRY[n]
        qs = {}
        for qid, (_, s) in check_cells(nb).items():
            oq = old.get("questions", {}).get(qid, {})
            title = next((t for q, t, _ in info.questions if q == qid), qid)
            qs[qid] = {"var": CHECK_RE.search(s).group(2), "title": title,
                       "points": info.points.get(qid, 1),
                       "checks": _merge(oq.get("checks", []), released.normalised_hash(s))}
        setup = [c.source for c in nb.cells if c.cell_type == "code" and SETUP_RE.search(c.source)]
        sols = [c.source for c in nb.cells if "solution" in c.metadata.get("tags", [])]
        setups = old.get("setup", [])
        for s in setup:
            setups = _merge(setups, released.normalised_hash(s))
            setups = _merge(setups, released.normalised_hash(
                SETUP_RE.sub(r'\1, mode="graded")', s)))
        solutions = old.get("solutions", [])
        for s in sols:
            solutions = _merge(solutions, released.normalised_hash(s))
        out[str(n)] = {"master": src.stem, "title": info.title, "questions": qs,
                       "setup": setups, "solutions": solutions}
    return {"about": "written by `python -m gmpkit.homework build`; hashes are append-only "
                     "(see gmpkit/homework/released.py)", "assignments": out}


def _merge(hashes, h):
    return list(hashes) + ([h] if h not in hashes else [])


def _released_path():
    return Path(__file__).resolve().parent / released.RELEASED


def write_release_data():
    path = _released_path()
    prev = json.loads(path.read_text()) if path.exists() else None
    data = release_data(prev)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


# cell metadata JupyterLab sets as one works (jupytext keeps it out of the source too)
_VIEW_STATE = {"autoscroll", "collapsed", "scrolled", "trusted", "execution", "ExecuteTime"}


def _cells(nb):
    return [(c.cell_type, c.source, {k: v for k, v in c.metadata.items() if k not in _VIEW_STATE})
            for c in nb.cells]


def stale():
    """What differs between the masters and the committed notebooks (empty = fresh)."""
    probs = []
    for src in masters():
        try:
            langs = languages(src)
            _bilingual(src)
        except ValueError as e:
            probs.append(str(e))
            continue
        for lang in langs:
            st = edition_dir(STUDENT_DIR, lang) / f"{src.stem}.ipynb"
            so = edition_dir(SOLUTION_DIR, lang) / f"{src.stem}.ipynb"
            for path, want in ((st, student_notebook(src, lang)),
                               (so, solution_notebook(src, run=False, lang=lang))):
                if not path.exists():
                    probs.append(f"{path.relative_to(ROOT)} is missing")
                    continue
                have = nbformat.read(path, as_version=4)
                if _cells(have) != _cells(want):
                    probs.append(f"{path.relative_to(ROOT)} differs from {src.name}")
                elif any(have.metadata.get(k) != want.metadata.get(k)
                         for k in ("gmpkit", "jupytext")):
                    probs.append(f"{path.relative_to(ROOT)}: metadata differs from {src.name}")
            if so.exists():
                have = nbformat.read(so, as_version=4)
                if any(c.cell_type == "code" and c.source.strip() and not c.get("execution_count")
                       for c in have.cells):
                    probs.append(f"{so.relative_to(ROOT)} was not executed")
    for d in (STUDENT_DIR, SOLUTION_DIR):
        for lang in bilingual.LANGS:
            for nbp in edition_dir(d, lang).glob("*.ipynb"):
                master = SRC_DIR / f"{nbp.stem}.py"
                if not master.exists():
                    probs.append(f"{nbp.relative_to(ROOT)} has no master")
                elif lang not in languages(master):
                    probs.append(f"{nbp.relative_to(ROOT)}: {master.name} has no lang=\"{lang}\" "
                                 f"cell (delete the notebook or translate the master)")
    path = _released_path()
    have = json.loads(path.read_text()) if path.exists() else None
    if have is None or release_data(have) != have:
        probs.append(f"gmpkit/homework/{released.RELEASED} does not record the current masters "
                     f"(run python -m gmpkit.homework build)")
    return probs


def master_check_sources(number):
    """``{qid: source}`` of the check cells in assignment ``number``'s master."""
    for src in masters():
        if assignment_of(src) == number:
            nb = source.to_notebook(src)
            return {q: s for q, (_, s) in check_cells(nb).items()}
    raise ValueError(f"no master for assignment {number}")
