"""Build the student and solution notebooks from the homework masters.

A master, ``notebooks/homework/src/hwN_name.py``, is a percent-format source
(see ``tools/nbbuild.py``) whose answer cells are tagged ``solution`` and
whose check cells are tagged ``check``.  From it:

* ``student/hwN_name.ipynb``: each solution cell replaced by a stub
  (``answer_q1 = ...  # your prediction``), not executed: a clean start;
* ``solutions/hwN_name.ipynb``: everything, executed with the demo id, so its
  outputs are the reference strict nbval compares against.

:func:`stale` rebuilds both in memory and lists what differs from the
committed files (the freshness test).
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
HW_DIR = ROOT / "notebooks" / "homework"
SRC_DIR = HW_DIR / "src"
STUDENT_DIR = HW_DIR / "student"
SOLUTION_DIR = HW_DIR / "solutions"
CHECK_RE = re.compile(r"""\bhw\.check\(\s*["'](q\d+)["']\s*,\s*(\w+)\s*\)""")

__all__ = ["masters", "assignment_of", "student_notebook", "solution_notebook", "build_all",
           "stale", "stub_for", "check_cells"]


def _nbbuild():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tools import nbbuild
    return nbbuild


def masters():
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


def _base(src):
    nb = _nbbuild().to_notebook(src)
    nb.metadata["gmpkit"] = {"assignment": assignment_of(src), "master": src.name}
    return nb


def student_notebook(src):
    nb = _base(src)
    nb.metadata["gmpkit"]["version"] = "student"
    for c in nb.cells:
        tags = c.metadata.get("tags", [])
        if "solution" in tags:
            c.source = stub_for(c.source)
            c.metadata["tags"] = [t for t in tags if t != "solution"] + ["answer"]
    return nb


def solution_notebook(src, run=True):
    nb = _base(src)
    nb.metadata["gmpkit"]["version"] = "solution"
    if run:
        SOLUTION_DIR.mkdir(parents=True, exist_ok=True)
        _nbbuild().execute(nb, SOLUTION_DIR)
        for c in nb.cells:
            _coalesce_streams(c)
        for i, c in enumerate(nb.cells):
            errs = [o for o in c.get("outputs", []) if o.get("output_type") == "error"]
            if errs:
                raise RuntimeError(f"{src.name}: solution cell {i} raised {errs[0]['ename']}: "
                                   f"{errs[0]['evalue']}")
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


def build_all(names=None, run=True, log=print):
    """Write student/ and solutions/ for every master (or those whose stem is in ``names``)."""
    done = []
    for src in masters():
        if names and src.stem not in names and f"hw{assignment_of(src)}" not in names:
            continue
        _write(student_notebook(src), STUDENT_DIR / f"{src.stem}.ipynb")
        _write(solution_notebook(src, run=run), SOLUTION_DIR / f"{src.stem}.ipynb")
        log(f"built {src.stem}: student/{src.stem}.ipynb, solutions/{src.stem}.ipynb")
        done.append(src.stem)
    return done


def _cells(nb):
    return [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in nb.cells]


def stale():
    """What differs between the masters and the committed notebooks (empty = fresh)."""
    probs = []
    for src in masters():
        st, so = STUDENT_DIR / f"{src.stem}.ipynb", SOLUTION_DIR / f"{src.stem}.ipynb"
        for path, want in ((st, student_notebook(src)), (so, solution_notebook(src, run=False))):
            if not path.exists():
                probs.append(f"{path.relative_to(ROOT)} is missing")
                continue
            have = nbformat.read(path, as_version=4)
            if _cells(have) != _cells(want):
                probs.append(f"{path.relative_to(ROOT)} differs from {src.name}")
            elif have.metadata.get("gmpkit") != want.metadata.get("gmpkit"):
                probs.append(f"{path.relative_to(ROOT)}: metadata differs from {src.name}")
        if so.exists():
            have = nbformat.read(so, as_version=4)
            if any(c.cell_type == "code" and c.source.strip() and not c.get("execution_count")
                   for c in have.cells):
                probs.append(f"{so.relative_to(ROOT)} was not executed")
    for d in (STUDENT_DIR, SOLUTION_DIR):
        for nbp in d.glob("*.ipynb"):
            if not (SRC_DIR / f"{nbp.stem}.py").exists():
                probs.append(f"{nbp.relative_to(ROOT)} has no master")
    return probs


def master_check_sources(number):
    """``{qid: source}`` of the check cells in assignment ``number``'s master."""
    for src in masters():
        if assignment_of(src) == number:
            nb = _nbbuild().to_notebook(src)
            return {q: s for q, (_, s) in check_cells(nb).items()}
    raise ValueError(f"no master for assignment {number}")


def master_json(number):
    """Cheap metadata of a master for the grader: check sources and answer names."""
    checks = master_check_sources(number)
    return json.loads(json.dumps({q: {"source": s, "var": CHECK_RE.search(s).group(2)}
                                  for q, s in checks.items()}))
