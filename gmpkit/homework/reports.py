"""The grader's reports: per-notebook grades, a gradebook, LMS exports, feedback files.

Written next to ``--out`` (default ``SUBMISSIONS/grades.csv``):

* ``grades.csv`` / ``grades.md``: one row per notebook (per-question points
  and feedback, score, integrity flags, problems), and a readable summary;
* ``gradebook.csv`` (``--format csv``): one row per student across all
  assignments, a column per question (``hw1-q1``, ``hw4-q1``: mixed folders
  never share a column), a total per assignment, and the grand total;
* ``gradebook-canvas.csv`` (``--format canvas``): Canvas's gradebook import
  (Student, ID, SIS User ID, SIS Login ID, Section, one column per
  assignment, a "Points Possible" row);
* ``gradebook-moodle.csv`` (``--format moodle``): Moodle's grade import (an
  "ID number" column to map to the user field, one grade and one feedback
  column per assignment);
* ``feedback/<student>.md`` and ``.html``: each question, the answer given,
  the verdict and the teaching message;
* ``similarity.md``: near-identical workload pairs.

Safety: every cell a spreadsheet could read as a formula (starting with
``= + - @``, a tab or a carriage return) is prefixed with ``'``; every echoed
answer is clipped to 200 characters and every feedback to 1,200, so the
reports grow with the number of questions, not with what students typed.

>>> safe("=HYPERLINK(\\"http://x\\")"), safe("-3"), safe(5), safe("ok")
('\\'=HYPERLINK("http://x")', "'-3", 5, 'ok')
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

from ..i18n import N_, tr, using

__all__ = ["safe", "write_all", "FORMATS", "UNSANDBOXED"]

FORMATS = ("csv", "canvas", "moodle")
UNSANDBOXED = ("WARNING: graded WITHOUT a sandbox (--no-sandbox): the submissions ran with the "
               "grader's access to files and network; do not trust these results for "
               "untrusted notebooks.")


def safe(cell):
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def _writer(path):
    f = path.open("w", newline="", encoding="utf-8")
    w = csv.writer(f)
    return f, (lambda row: w.writerow([safe(c) for c in row]))


def _qcols(results):
    cols = {}
    for r in results:
        for q, qr in r.questions.items():
            cols[(r.assignment, q)] = qr.points
    return sorted(cols.items(), key=lambda kv: (kv[0][0] or 0, int(kv[0][1][1:])))


def _fmt(x):
    return f"{x:g}"


def write_all(results, out, folder=None, formats=("csv",), sandboxed=True, pairs=()):
    """Write every report; return the paths written."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ValueError(f"unknown format {', '.join(bad)}: use {', '.join(FORMATS)}")
    written = [_grades_csv(results, out, sandboxed), _grades_md(results, out, folder, sandboxed,
                                                                pairs)]
    book = gradebook(results)
    for f in formats:
        written.append({"csv": _book_csv, "canvas": _book_canvas,
                        "moodle": _book_moodle}[f](book, out.parent, sandboxed))
    written.append(_feedback(results, out.parent / "feedback", sandboxed))
    written.append(_similarity(pairs, out.parent / "similarity.md", sandboxed))
    return written


def _grades_csv(results, out, sandboxed):
    cols = _qcols(results)
    f, row = _writer(out)
    with f:
        row(["student_id", "file", "assignment", "notebook_id"]
            + [x for (n, q), _ in cols for x in (f"hw{n}-{q}", f"hw{n}-{q}_feedback")]
            + ["score", "max", "flags", "problems", "sandbox"])
        for r in results:
            cells = [r.student_id, r.file, r.assignment, r.notebook_id]
            for (n, q), _ in cols:
                qr = r.questions.get(q) if r.assignment == n else None
                cells += [_fmt(qr.earned), qr.feedback] if qr else ["", ""]
            row(cells + [_fmt(r.score), _fmt(r.total), "; ".join(r.flags),
                         "; ".join(r.problems)[:2000], "bubblewrap" if sandboxed else "NONE"])
    return out


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|!#~])")


def _md(text):
    r"""Student text as Markdown that shows it, never renders it as markup.

    HTML is escaped (``<`` ``>`` ``&``), so no tag (``<img onerror=…>``, ``<script>``) reaches
    a Markdown viewer; Markdown punctuation that could make a link, an image, emphasis, code
    or a table cell is backslash-escaped; line breaks become spaces.

    >>> print(_md("<img src=x> [a](http://e) | `x`\nnext"))
    &lt;img src=x&gt; \[a\](http://e) \| \`x\` next
    """
    text = str(text).replace("\r", " ").replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _code(text):
    """Student text as a Markdown code span (literal: no HTML, no links inside).

    >>> _code("12345"), _code("a`b")
    ('`12345`', '`` a`b ``')
    """
    text = str(text).replace("\r", " ").replace("\n", " ")
    fence = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _grades_md(results, out, folder, sandboxed, pairs):
    md = ([f"**{UNSANDBOXED}**", ""] if not sandboxed else []) + ["# Homework grades", ""]
    if folder is not None:
        md += [f"Submissions in `{folder}`: {len(results)}.", ""]
    if not results:
        md.append("No submissions found (expected `<student_id>.ipynb` or "
                  "`<student_id>/<name>.ipynb`).")
    else:
        cols = _qcols(results)
        md += ["| student | file | " + " | ".join(f"hw{n}-{q}" for (n, q), _ in cols)
               + " | score | flags | problems |",
               "|---|---|" + "---|" * len(cols) + "---|---|---|"]
        for r in results:
            marks = []
            for (n, q), _ in cols:
                qr = r.questions.get(q) if r.assignment == n else None
                marks.append("" if qr is None else "✔" if qr.ok else
                             (_fmt(qr.earned) if qr.earned else "✘"))
            md.append(f"| {_md(r.student_id)} | {_md(r.file)} | " + " | ".join(marks)
                      + f" | {_fmt(r.score)}/{_fmt(r.total)} | {_md('; '.join(r.flags))} | "
                        f"{_md('; '.join(r.problems)[:1000])} |")
        md += ["", "## Pass rate per question", ""]
        for (n, q), pts in cols:
            had = [r for r in results if r.assignment == n and q in r.questions]
            ok = sum(r.questions[q].ok for r in had)
            md.append(f"- hw{n}-{q} ({_fmt(pts)} pt): {ok}/{len(had)}")
        flagged = [r for r in results if r.flags]
        md += ["", "## Integrity flags", ""]
        md += [f"- {_md(r.student_id)} ({_md(r.file)}): {_md('; '.join(r.flags))}"
               for r in flagged] or ["None."]
        if pairs:
            md += ["", f"{len(pairs)} near-identical workload pair(s): see similarity.md."]
        md += ["", "## Feedback per student", "", "One file per student in `feedback/`.", ""]
        for r in results:
            md.append(f"### {_md(r.student_id)} ({_md(r.file)}): {_fmt(r.score)}/{_fmt(r.total)}")
            md.append("")
            for p in r.problems:
                md.append(f"- **problem:** {_md(p)}")
            for q, qr in r.questions.items():
                md.append(f"- {q} {'✔' if qr.ok else '✘'} ({qr.status}, {_fmt(qr.earned)}/"
                          f"{_fmt(qr.points)}): {_md(qr.feedback)}")
            md.append("")
    out.with_suffix(".md").write_text("\n".join(md) + "\n", encoding="utf-8")
    return out.with_suffix(".md")


# ---------------------------------------------------------------------------
def gradebook(results):
    """``{"columns": [(n, qid, points)], "assignments": {n: max}, "students": {id: {...}}}``.

    A student with two notebooks of one assignment keeps the better one.
    """
    cols = [(n, q, pts) for (n, q), pts in _qcols(results)]
    maxes = {}
    for n, q, pts in cols:
        maxes[n] = maxes.get(n, 0) + pts
    best = {}
    for r in results:
        key = (r.student_id, r.assignment)
        if key not in best or r.score > best[key].score:
            best[key] = r
    students = {}
    for (sid, n), r in sorted(best.items(), key=lambda kv: (str(kv[0][0]), kv[0][1] or 0)):
        s = students.setdefault(sid, {"scores": {}, "totals": {}, "flags": [], "results": []})
        for q, qr in r.questions.items():
            s["scores"][(n, q)] = qr.earned
        s["totals"][n] = r.score
        s["flags"] += r.flags
        s["results"].append(r)
    return {"columns": cols, "assignments": maxes, "students": students}


def _book_csv(book, where, sandboxed):
    path = where / "gradebook.csv"
    ns = sorted(book["assignments"])
    f, row = _writer(path)
    with f:
        head = ["student_id"]
        for n in ns:
            head += [f"hw{n}-{q}" for m, q, _ in book["columns"] if m == n] + [f"hw{n} total"]
        row(head + ["total", "max", "percent", "flags", "sandbox"])
        row(["(points possible)"] + [x for n in ns for x in
                                     [_fmt(p) for m, _, p in book["columns"] if m == n]
                                     + [_fmt(book["assignments"][n])]]
            + [_fmt(sum(book["assignments"].values())), "", "", "", ""])
        grand = sum(book["assignments"].values())
        for sid, s in book["students"].items():
            cells = [sid]
            for n in ns:
                cells += [_fmt(s["scores"][(n, q)]) if (n, q) in s["scores"] else ""
                          for m, q, _ in book["columns"] if m == n]
                cells.append(_fmt(s["totals"][n]) if n in s["totals"] else "")
            tot = sum(s["totals"].values())
            cells += [_fmt(round(tot, 2)), _fmt(grand),
                      f"{100 * tot / grand:.1f}" if grand else "", "; ".join(s["flags"]),
                      "bubblewrap" if sandboxed else "NONE"]
            row(cells)
    return path


def _title(n):
    return f"Homework {n}"


def _book_canvas(book, where, sandboxed):
    path = where / "gradebook-canvas.csv"
    ns = sorted(book["assignments"])
    f, row = _writer(path)
    with f:
        row(["Student", "ID", "SIS User ID", "SIS Login ID", "Section"] + [_title(n) for n in ns])
        row(["Points Possible", "", "", "", ""] + [_fmt(book["assignments"][n]) for n in ns])
        for sid, s in book["students"].items():
            row([sid, "", sid, "", ""] + [_fmt(s["totals"][n]) if n in s["totals"] else ""
                                          for n in ns])
    return path


def _book_moodle(book, where, sandboxed):
    path = where / "gradebook-moodle.csv"
    ns = sorted(book["assignments"])
    f, row = _writer(path)
    with f:
        row(["ID number"] + [x for n in ns for x in (_title(n), f"{_title(n)} feedback")])
        for sid, s in book["students"].items():
            cells = [sid]
            for n in ns:
                r = next((r for r in s["results"] if r.assignment == n), None)
                if r is None:
                    cells += ["", ""]
                    continue
                summary = ", ".join(f"{q} {_fmt(qr.earned)}/{_fmt(qr.points)}"
                                    for q, qr in r.questions.items())
                cells += [_fmt(r.score), f"{_fmt(r.score)}/{_fmt(r.total)}: {summary}. "
                                         f"Details in your feedback file."]
            row(cells)
    return path


# ---------------------------------------------------------------------------
def _fname(sid):
    name = re.sub(r"[^A-Za-z0-9._-]", "_", str(sid))[:64] or "unknown"
    return ("_" + name) if name.startswith(".") else name


def _fnames(sids):
    """A distinct feedback file name per student id.

    A valid id is its own name.  Any other id (from a file name that is not a valid id) starts
    with ``_``, which no valid id does, and gets a number if it would still collide, so no
    submission can overwrite another student's feedback.

    >>> _fnames(["w_1", "w?1", "w!1", ".x"])
    {'w_1': 'w_1', 'w?1': '_w_1', 'w!1': '_w_1-2', '.x': '_.x'}
    """
    from .variants import StudentIdError, check_id
    out, used = {}, set()
    valid = []
    for sid in sids:
        try:
            valid.append(check_id(sid) == sid)
        except StudentIdError:
            valid.append(False)
    for sid, ok in sorted(zip(sids, valid), key=lambda x: not x[1]):   # valid ids first
        name = str(sid) if ok else "_" + _fname(sid).lstrip("_")
        base, n = name, 1
        while name.lower() in used:          # case-insensitive file systems too
            n += 1
            name = f"{base}-{n}"
        used.add(name.lower())
        out[sid] = name
    return {sid: out[sid] for sid in sids}


def _feedback(results, where, sandboxed):
    where.mkdir(parents=True, exist_ok=True)
    by_student = {}
    for r in results:
        by_student.setdefault(r.student_id, []).append(r)
    names = _fnames(list(by_student))
    for sid, rs in by_student.items():
        # the student's language: the edition of their (first) submission
        lang = getattr(rs[0], "language", "en") or "en"
        with using(lang):
            _feedback_files(sid, rs, where, names[sid], sandboxed, lang)
    return where


_VERDICTS = {"correct": N_("correct"), "pass": N_("pass"), "partial": N_("partial"),
             "wrong": N_("wrong"), "unanswered": N_("unanswered"), "missing": N_("missing"),
             "check cell deleted": N_("check cell deleted"),
             "check cell modified": N_("check cell modified"), "not graded": N_("not graded")}


def _feedback_files(sid, rs, where, name, sandboxed, lang):
    md = [tr("# Homework feedback for {sid}", sid=_md(sid)), ""]
    body = [f"<h1>{tr('Homework feedback for {sid}', sid=html.escape(str(sid)))}</h1>"]
    if not sandboxed:
        md[1:1] = [f"_{UNSANDBOXED}_", ""]
        body.append(f"<p><em>{html.escape(UNSANDBOXED)}</em></p>")
    for r in rs:
        head = tr("Homework {n} ({file}): {score} of {total} points", n=r.assignment, file=r.file,
                  score=_fmt(r.score), total=_fmt(r.total))
        md += [f"## {_md(head)}", ""]
        body.append(f"<h2>{html.escape(head)}</h2>")
        if r.problems:
            md += [tr("- problem: {text}", text=_md(p)) for p in r.problems] + [""]
            body.append("<ul>" + "".join(f"<li>{tr('problem: {text}', text=html.escape(p))}</li>"
                                         for p in r.problems) + "</ul>")
        for q, qr in r.questions.items():
            verdict = "correct" if qr.ok else qr.status
            verdict = tr(_VERDICTS[verdict]) if verdict in _VERDICTS else verdict  # i18n: _VERDICTS
            none = tr("(none)")
            md += [f"### {_md(q)}. {_md(qr.title)}", "",
                   tr("- your answer: {answer}", answer=_code(qr.answer or none)),
                   tr("- verdict: {verdict}, {earned} of {points} points", verdict=_md(verdict),
                      earned=_fmt(qr.earned), points=_fmt(qr.points)),
                   f"- {_md(qr.feedback)}", ""]
            body.append(
                f"<h3>{html.escape(q)}. {html.escape(qr.title)}</h3><ul>"
                f"<li>{tr('your answer: {answer}', answer='<code>' + html.escape(qr.answer or none) + '</code>')}</li>"
                f"<li>{tr('verdict: {verdict}, {earned} of {points} points', verdict=html.escape(verdict), earned=_fmt(qr.earned), points=_fmt(qr.points))}</li>"
                f"<li>{html.escape(qr.feedback)}</li></ul>")
    (where / f"{name}.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    page = (f"<!doctype html><html lang=\"{'zh-CN' if lang == 'zh' else 'en'}\"><head>"
            "<meta charset=\"utf-8\">"
            f"<title>{tr('Homework feedback: {sid}', sid=html.escape(str(sid)))}</title>"
            "<style>body{font:18px/1.5 sans-serif;max-width:50em;margin:2em auto}"
            "code{background:#eee}</style></head><body>" + "".join(body) + "</body></html>\n")
    (where / f"{name}.html").write_text(page, encoding="utf-8")


def _similarity(pairs, path, sandboxed):
    md = ([f"**{UNSANDBOXED}**", ""] if not sandboxed else []) + [
        "# Similar workload answers", "",
        "Pairs of \"write a workload\" answers whose token sequences are at least 90% alike "
        "(difflib ratio over the workload's JSON tokens). A flag for a human to look at, not "
        "a verdict: short workloads that meet the same goal can be alike by nature.", ""]
    if not pairs:
        md.append("No similar pairs.")
    for ratio, n, q, a, b in pairs:
        md += [f"- hw{n}-{q}: {_md(a.student_id)} ({_md(a.file)}) and {_md(b.student_id)} "
               f"({_md(b.file)}): {ratio:.0%}",
               f"  - {_md(a.questions[q].answer) if q in a.questions else ''}",
               f"  - {_md(b.questions[q].answer) if q in b.questions else ''}"]
    path.write_text("\n".join(md) + "\n", encoding="utf-8")
    return path
