"""The ``%%go`` cell magic: trace the Go program in a notebook cell.

Load it once with ``%load_ext gmpkit``; then a cell::

    %%go --procs 2 --timeout 10 --schedtrace=1ms --godebug asyncpreemptoff=1 --name pool
    package main
    ...

builds and runs the cell's program with :func:`gmpkit.real.tracego.trace_go`,
shows what it printed (and what went wrong, if anything: a compile error as
the compiler prints it with the cell's line numbers, a timeout, output cut),
and stores the :class:`~gmpkit.real.tracego.TracedRun` (or the
:class:`Problem` that stopped it) in the notebook variable named by
``--name`` (default ``go_run``).  Arguments after ``--``
are passed to the program: ``%%go --procs 4 -- -n 100``.

Without Go, the cell says how to install it (and a ``--recorded NAME`` cell
shows the run recorded in ``data/yourprog/NAME.json.gz`` instead).

>>> args = parse_args("--procs 4 --timeout 5 --schedtrace=1ms --name pool -- -n 3")
>>> args["procs"], args["timeout"], args["schedtrace"], args["name"], args["args"]
(4, 5.0, '1ms', 'pool', ['-n', '3'])
"""

from __future__ import annotations

import argparse
import shlex

from .i18n import tr

__all__ = ["parse_args", "go_cell", "load_ipython_extension"]


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise ValueError(tr("%%go: {message}. Usage: {usage}", message=message,
                            usage=self.format_usage().strip()))


def _parser():
    p = _Parser(prog="%%go", add_help=False,
                description="build, run and trace the Go program in this cell")
    p.add_argument("--procs", type=int, default=2, help="GOMAXPROCS (default 2)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds before it is stopped")
    p.add_argument("--schedtrace", default=None, help="also GODEBUG=schedtrace, e.g. 1ms")
    p.add_argument("--godebug", default=None, help="runtime settings, e.g. asyncpreemptoff=1")
    p.add_argument("--name", default="go_run", help="variable that receives the TracedRun")
    p.add_argument("--recorded", default=None,
                   help="without Go, show the run recorded under this name")
    p.add_argument("--max-output", type=int, default=None, help="bytes kept per stream")
    return p


def parse_args(line):
    """The magic's options as a dict (``args`` = the program's arguments after ``--``)."""
    words = shlex.split(line or "")
    prog_args = []
    if "--" in words:
        i = words.index("--")
        words, prog_args = words[:i], words[i + 1:]
    ns = _parser().parse_args(words)
    if ns.procs < 1:
        raise ValueError(tr("%%go: --procs must be at least 1, got {procs}", procs=ns.procs))
    if ns.timeout <= 0:
        raise ValueError(tr("%%go: --timeout must be more than 0 seconds, got {timeout:g}",
                            timeout=ns.timeout))
    if not ns.name.isidentifier():
        raise ValueError(tr("%%go: --name {name!r} is not a Python variable name", name=ns.name))
    return {"procs": ns.procs, "timeout": ns.timeout, "schedtrace": ns.schedtrace,
            "name": ns.name, "recorded": ns.recorded, "godebug": ns.godebug, "max_output": ns.max_output,
            "args": prog_args}


def go_cell(line, cell, namespace=None):
    """Run a ``%%go`` cell: returns the TracedRun, or an error object that displays
    itself (compile error, not a program, no Go).  Never raises for bad Go code."""
    from .real.gosource import GoSourceError
    from .real.toolchain import GoUnavailable
    from .real import tracego
    from .real.userprog import GoCompileError
    opts = parse_args(line)
    kw = dict(procs=opts["procs"], timeout=opts["timeout"], args=opts["args"],
              schedtrace=opts["schedtrace"], godebug=opts["godebug"],
              name=opts["name"] if opts["name"] != "go_run" else "cell")
    if opts["max_output"]:
        kw["max_output"] = opts["max_output"]
    try:
        if opts["recorded"]:
            run = tracego.trace_go_or_recorded(cell, **dict(kw, name=opts["recorded"]))
        else:
            run = tracego.trace_go(cell, **kw)
    except GoCompileError as e:
        run = Problem(tr("compile error"), e.compiler_output, kind="compile")
    except GoSourceError as e:
        run = Problem(tr("not a Go program gmpkit can run"), str(e), kind="source")
    except GoUnavailable as e:
        run = Problem(tr("no Go toolchain"), str(e), kind="no-go")
    if namespace is not None:
        namespace[opts["name"]] = run
    return run


class Problem:
    """What a ``%%go`` cell shows when it cannot run: a title and the message, in red.

    ``kind`` is ``"compile"``, ``"source"`` or ``"no-go"``."""

    def __init__(self, title, message, kind=""):
        self.title, self.message, self.kind = title, message, kind

    def __repr__(self):
        return f"%%go: {self.title}\n{self.message}"

    def _repr_html_(self):
        import html
        return (f"<div class='gmpkit-go-problem'><b style='color:#b2182b'>%%go: "
                f"{html.escape(self.title)}</b><pre>{html.escape(self.message)}</pre></div>")


def load_ipython_extension(ipython):
    """Register ``%%go`` (called by ``%load_ext gmpkit``)."""
    def go(line, cell):
        return go_cell(line, cell, ipython.user_ns)
    go.__doc__ = __doc__
    ipython.register_magic_function(go, magic_kind="cell", magic_name="go")
