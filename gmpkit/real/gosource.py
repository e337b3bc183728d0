"""Read a learner's Go source just enough to trace it: package clause, ``main``, errors.

:mod:`gmpkit.real.tracego` records a program's execution trace without the
learner adding any code.  It does so by renaming the learner's ``main`` and
adding a second file to the package whose own ``main`` starts
``runtime/trace``, calls the learner's, and stops the trace when it returns
(see that module for why this way).  The renaming happens here, on Go
*tokens*, not on text:

* a small lexer skips comments (``//``, ``/* */``), interpreted and raw
  strings and rune literals, so ``"func main()"`` in a string or comment is
  never touched;
* every identifier token ``main`` except the package name becomes the new
  name.  Renaming every use, not just the declaration, keeps the program's
  meaning: a call ``main()``, a local variable or field called ``main`` all
  change together (the cell is the whole package, so there is no other file
  to keep in step with);
* nothing else changes, so line numbers are the cell's own, and compiler
  messages can be mapped back exactly (:func:`map_compiler_output`).

>>> src = 'package main\\n\\n// func main() in a comment\\nfunc main() { println("main") }\\n'
>>> print(rename_main(src, "userMain").text)
package main
<BLANKLINE>
// func main() in a comment
func userMain() { println("main") }
<BLANKLINE>
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["GoSourceError", "Token", "tokens", "package_name", "rename_main", "Renamed",
           "map_compiler_output"]


class GoSourceError(ValueError):
    """The cell is not a Go program that can be traced (the message says why and what to do)."""


@dataclass(frozen=True)
class Token:
    kind: str      # "ident"
    text: str
    start: int     # index in the source string
    line: int      # 1-based
    col: int       # 1-based, in bytes of UTF-8, as the Go compiler counts columns


_IDENT = re.compile(r"[^\W\d]\w*", re.UNICODE)


def tokens(src):
    """Identifier tokens of Go source (comments, strings and runes skipped).

    Raises :class:`GoSourceError` on an unterminated comment, string or rune,
    naming the line (the compiler would reject it too, but later and with a
    message about our added file).
    """
    out = []
    i, n, line, line_start = 0, len(src), 1, 0

    def col(pos):
        return len(src[line_start:pos].encode("utf-8")) + 1

    while i < n:
        c = src[i]
        if c == "\n":
            line += 1
            line_start = i + 1
            i += 1
        elif src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            if j < 0:
                raise GoSourceError(f"line {line}: comment not terminated (a `/*` without `*/`)")
            for k in range(i, j):
                if src[k] == "\n":
                    line += 1
                    line_start = k + 1
            i = j + 2
        elif c == "`":
            j = src.find("`", i + 1)
            if j < 0:
                raise GoSourceError(f"line {line}: raw string not terminated (a ` without its pair)")
            for k in range(i, j):
                if src[k] == "\n":
                    line += 1
                    line_start = k + 1
            i = j + 1
        elif c in "\"'":
            j = i + 1
            while j < n and src[j] != c:
                if src[j] == "\\":
                    j += 1
                elif src[j] == "\n":
                    break
                j += 1
            if j >= n or src[j] != c:
                what = "string" if c == '"' else "rune literal"
                raise GoSourceError(f"line {line}: {what} not terminated")
            i = j + 1
        else:
            m = _IDENT.match(src, i)
            if m:
                out.append(Token("ident", m.group(), i, line, col(i)))
                i = m.end()
            elif c.isdigit():
                m = re.compile(r"[0-9A-Za-z_.]+").match(src, i)   # a number (with its letters)
                i = m.end()
            else:
                i += 1
    return out


def package_name(src, toks=None):
    """The name in the package clause (the first two identifiers must be ``package NAME``)."""
    toks = toks if toks is not None else tokens(src)
    if len(toks) < 2 or toks[0].text != "package":
        raise GoSourceError("the cell does not start with a package clause: a Go program begins "
                            "with `package main` (comments may come first)")
    return toks[1].text


@dataclass(frozen=True)
class Renamed:
    """The learner's source with ``main`` renamed; where it changed, to map messages back."""
    text: str
    new_name: str
    edits: tuple          # (line, col) of each renamed identifier, in the original
    main_line: int        # line of `func main(`


def rename_main(src, new_name="gmpkitUserMain"):
    """Rename every identifier ``main`` (not the package name) to ``new_name``.

    Checks first that the source is ``package main`` with a top-level
    ``func main()``; otherwise raises :class:`GoSourceError` saying what to
    change.  ``new_name`` must not already appear in the source.
    """
    toks = tokens(src)
    pkg = package_name(src, toks)
    if pkg != "main":
        raise GoSourceError(f"this cell is `package {pkg}`, a library. %%go runs a program: "
                            f"write `package main` with a `func main()` (a library can be "
                            f"tried out by calling it from such a main)")
    if any(t.text == new_name for t in toks):
        raise GoSourceError(f"the identifier {new_name} is reserved by gmpkit's tracer; "
                            f"please rename it in your program")
    main_line = None
    for a, b, c in zip(toks, toks[1:], toks[2:]):
        if a.text == "func" and b.text == "main" and src[b.start + 4:].lstrip().startswith("()") \
                and _top_level(src, a.start):
            main_line = b.line
            break
    if main_line is None:
        raise GoSourceError("the program has no `func main()`: a Go program starts in "
                            "func main() in package main; add one")
    pieces, last, edits = [], 0, []
    for t in toks[2:]:
        if t.text == "main":
            pieces.append(src[last:t.start])
            pieces.append(new_name)
            last = t.start + 4
            edits.append((t.line, t.col))
    pieces.append(src[last:])
    return Renamed("".join(pieces), new_name, tuple(edits), main_line)


def _top_level(src, pos):
    """Whether ``pos`` is at brace depth 0 (outside comments and strings)."""
    depth = 0
    stripped = _blank_literals(src[:pos])
    for ch in stripped:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
    return depth == 0


def _blank_literals(src):
    """``src`` with comments, strings and runes replaced by spaces (same length)."""
    out = list(src)
    i, n = 0, len(src)
    while i < n:
        if src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
        elif src[i] == "`":
            j = src.find("`", i + 1)
            j = n if j < 0 else j + 1
        elif src[i] in "\"'":
            q, j = src[i], i + 1
            while j < n and src[j] not in (q, "\n"):
                j += 2 if src[j] == "\\" else 1
            j = min(j + 1, n)
        else:
            i += 1
            continue
        for k in range(i, j):
            if out[k] != "\n":
                out[k] = " "
        i = j
    return "".join(out)


def map_compiler_output(text, renamed, file_name, shown_name=None):
    """Compiler messages as the learner would see them from their own cell.

    Paths of our temporary build (``./cell.go``) become ``shown_name``
    (default the same file name), the new name of ``main`` becomes ``main``
    again, and columns on lines where an identifier was renamed shift back
    by the difference in length.  Messages about the tracer's own file
    (which should not happen) are kept and labelled.
    """
    shown = shown_name or file_name
    delta = len(renamed.new_name) - 4
    edits_by_line = {}
    for line, col in renamed.edits:
        edits_by_line.setdefault(line, []).append(col)
    pat = re.compile(r"(?:\./|[^\s:]*/)?" + re.escape(file_name) + r":(\d+):(\d+)")

    def fix(m):
        line, col = int(m.group(1)), int(m.group(2))
        before = sum(1 for c in edits_by_line.get(line, ()) if c < col)
        return f"{shown}:{line}:{col - before * delta}"

    out = []
    for ln in text.splitlines():
        if ln.startswith("# command-line-arguments"):
            continue
        ln = pat.sub(fix, ln)
        ln = re.sub(r"\b" + re.escape(renamed.new_name) + r"\b", "main", ln)
        out.append(ln)
    return "\n".join(out).strip("\n")
