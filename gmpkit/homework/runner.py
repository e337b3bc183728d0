"""The program that runs ONE submission's cells, inside the grading sandbox.

The grader (:mod:`gmpkit.homework.grade`) starts ``python -I -m
gmpkit.homework.runner`` under bubblewrap (:mod:`gmpkit.homework.sandbox`),
writes a job on its stdin and reads a protocol on the file descriptor named
by the first argument::

    job (stdin, JSON):  {"cells": [source, ...], "skip": [index, ...], "names": [var, ...]}
    protocol (fd 3):    one JSON object a line
        {"start": i}                       cell i begins (fd: argv[1])
        {"done": i, "error": [ename, evalue] | null, "export": {...}}

``export`` is what the grader grades: ``STUDENT_ID`` and each answer variable
as JSON data, taken after EVERY cell.  A kernel that dies later (out of
memory, a segfault, a kill) therefore keeps the credit of every answer set
before it died.  Values that are not plain data, or whose JSON is over
:data:`MAX_VALUE` bytes, are exported as a state, never as the value.

The cells run in an IPython shell (magics work as in Jupyter); the student's
stdout and stderr go wherever the sandbox sends them (nowhere).  Nothing here
is trusted by the grader beyond "these were the variables' values": the
checks themselves run in the grader's own process.
"""

from __future__ import annotations

import json
import os
import sys

MAX_VALUE = 65_536          # bytes of JSON per exported answer


def export(ns, names):
    """``{"student_id": str|None, "answers": {name: {...}}}`` from a namespace.

    >>> export({"STUDENT_ID": "s1", "answer_q1": 3, "answer_q2": ...}, ["answer_q1", "answer_q2", "answer_q3"])
    {'student_id': 's1', 'answers': {'answer_q1': {'state': 'given', 'value': 3}, 'answer_q2': {'state': 'unanswered'}, 'answer_q3': {'state': 'missing'}}}
    """
    sid = ns.get("STUDENT_ID")
    out = {"student_id": sid[:200] if isinstance(sid, str) else None, "answers": {}}
    for name in names:
        if name not in ns:
            out["answers"][name] = {"state": "missing"}
            continue
        v = ns[name]
        if v is Ellipsis:
            out["answers"][name] = {"state": "unanswered"}
            continue
        try:
            text = json.dumps(v, allow_nan=False)
        except Exception:  # noqa: BLE001 - a rigged object, a cycle, a NaN: not plain data
            out["answers"][name] = {"state": "unexportable", "type": type(v).__name__[:60]}
            continue
        if len(text) > MAX_VALUE:
            out["answers"][name] = {"state": "too large", "size": len(text)}
            continue
        out["answers"][name] = {"state": "given", "value": json.loads(text)}
    return out


def main():
    job = json.loads(sys.stdin.read())
    proto = os.fdopen(int(sys.argv[1]), "w", buffering=1, encoding="utf-8")

    def send(obj):
        proto.write(json.dumps(obj) + "\n")
        proto.flush()

    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    shell.colors = "NoColor"
    names = list(job["names"])
    skip = set(job.get("skip", []))
    for i, src in enumerate(job["cells"]):
        if i in skip:
            continue
        send({"start": i})
        try:
            r = shell.run_cell(src, store_history=False, silent=False)
            err = r.error_in_exec or r.error_before_exec
            error = [type(err).__name__, str(err)[:300]] if err is not None else None
        except BaseException as e:  # noqa: BLE001 - SystemExit, KeyboardInterrupt from a cell
            error = [type(e).__name__, str(e)[:300]]
        try:
            ex = export(shell.user_ns, names)
        except BaseException as e:  # noqa: BLE001 - a namespace a cell made hostile
            ex = {"student_id": None, "answers": {}, "error": type(e).__name__}
        send({"done": i, "error": error, "export": ex})
    send({"end": True})


if __name__ == "__main__":
    main()
