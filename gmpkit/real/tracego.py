"""Trace your own Go program: build it, run it, and read its real schedule.

:func:`trace_go` (and the ``%%go`` cell magic, ``%load_ext gmpkit``) takes the
source of a Go program (``package main``), builds it with the course's
toolchain, runs it with the chosen ``GOMAXPROCS``, and returns a
:class:`TracedRun`: what the program printed, its execution trace as the same
:class:`~gmpkit.timeline.Timeline` the simulator produces, counts
(:attr:`TracedRun.stats`) and, when asked, the runtime's ``schedtrace``.

>>> run = trace_go('''
... package main
... import "sync"
... func main() {
...     var wg sync.WaitGroup
...     for i := 0; i < 4; i++ {
...         wg.Add(1)
...         go func() { defer wg.Done() }()
...     }
...     wg.Wait()
... }''', procs=2)                                          # doctest: +SKIP
>>> run.stats["goroutines_created"]                          # doctest: +SKIP
4
>>> run.timeline.check_invariants()                          # doctest: +SKIP
True

This module holds :func:`trace_go` and the recorded runs used when Go is
absent.  Its siblings: :mod:`gmpkit.real.userprog` (how the program is built
with the tracer and run, and how it is stopped early),
:mod:`gmpkit.real.tracedrun` (:class:`TracedRun`, and the trace turned into a
Timeline).  Their public names are importable from here too.
"""

from __future__ import annotations

import gzip
import json
import re
import tempfile
from pathlib import Path

from .exectrace import strip_stacks
from .gosource import GoSourceError, rename_main
from .recorded import data_dir, provenance
from ..i18n import N_
from .toolchain import GoUnavailable, _run_process, find_go
from .tracedrun import _NAMELESS_FRAME, TracedRun, _assemble, _split_stderr, make_timeline
from .userprog import TRACER_SOURCE, USER_MAIN, GoCompileError, _run_traced, build_user_program

__all__ = ["trace_go", "TracedRun", "GoCompileError", "GoSourceError", "TRACER_SOURCE",
           "parse_every", "recorded_run", "trace_go_or_recorded", "RECORDED_DIR",
           "TRACE_CANNOT_SHOW", "recorded_path", "make_timeline", "build_user_program"]

DEFAULT_MAX_OUTPUT = 1 << 20          # bytes kept per stream
MAX_TRACE_BYTES = 64 << 20            # binary trace files larger than this are not parsed
RECORDED_DIR = "yourprog"             # gmpkit/data/yourprog/NAME.json.gz

# What an execution trace cannot show (said beside every picture of a real run).
TRACE_CANNOT_SHOW = N_(
    "The execution trace records state changes of Gs, Ps and Ms, not the run queues: "
    "which runnable G waits in which P's ring, in what order, and which one is in runnext "
    "are not in it, so runnable Gs are drawn in one box without an order. A spinning M, "
    "a work steal and the global queue are not recorded either; a G made runnable on one P "
    "that runs on another was stolen or went through the global queue, the trace does not "
    "say which.")


def parse_every(value):
    """``--schedtrace`` value in ms: ``"1ms"``, ``"10"``, ``5`` -> int; ``None``/``"off"`` -> None."""
    if value in (None, False, "", "off", "0", 0):
        return None
    m = re.fullmatch(r"\s*(\d+)\s*(ms)?\s*", str(value))
    if not m or int(m.group(1)) < 1:
        raise ValueError(f"schedtrace={value!r}: give a period in whole milliseconds, "
                         f"like 1ms or 10ms (the runtime prints at most once per ms)")
    return int(m.group(1))


def _check_name(name):
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,40}", str(name)):
        raise ValueError(f"name={name!r}: use letters, digits and _ (it names the Go file "
                         f"and the variable that holds the run)")
    return str(name)


def trace_go(source, procs=2, timeout=30, args=(), *, schedtrace=None, name="cell",
             max_output=DEFAULT_MAX_OUTPUT, godebug=None, go=None) -> TracedRun:
    """Build, run and trace the Go program ``source``; return a :class:`TracedRun`.

    ``procs`` is GOMAXPROCS; ``timeout`` (s) stops the program (its trace so far
    is kept, marked partial); ``args`` are its command-line arguments;
    ``schedtrace`` (``"1ms"``, ``10`` ...) also sets ``GODEBUG=schedtrace``;
    ``name`` names the file in compiler messages; ``max_output`` bytes per
    stream are kept, and a program printing more is stopped (``output_cut``);
    ``godebug`` adds runtime settings (``"asyncpreemptoff=1"``).

    Raises :class:`GoSourceError` (not ``package main``, no ``func main``),
    :class:`GoCompileError` (with the compiler's messages, the cell's line
    numbers) and :class:`~gmpkit.real.toolchain.GoUnavailable` (no Go).
    """
    name = _check_name(name)
    if int(procs) < 1:
        raise ValueError(f"procs must be >= 1, got {procs}")
    if not timeout or float(timeout) <= 0:
        raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
    every = parse_every(schedtrace)
    if not isinstance(source, str) or not source.strip():
        raise GoSourceError("the cell is empty: write a Go program (package main, func main)")
    rename_main(source, USER_MAIN)          # clear errors before looking for Go
    tc = find_go(go)
    binary, renamed, cached = build_user_program(source, name, tc)
    extra = {"GOMAXPROCS": str(int(procs))}
    debug = [f"schedtrace={every}"] if every else []
    if every:
        extra["GMPKIT_SCHEDTRACE_MS"] = str(every)
    if godebug:
        if not re.fullmatch(r"[a-z0-9]+=[A-Za-z0-9]+(,[a-z0-9]+=[A-Za-z0-9]+)*", str(godebug)):
            raise ValueError(f"godebug={godebug!r}: write settings like asyncpreemptoff=1 "
                             f"(comma-separated, no spaces)")
        debug.append(str(godebug))
    if debug:
        extra["GODEBUG"] = ",".join(debug)
    with tempfile.TemporaryDirectory(prefix="gmpkit-run-") as d:
        out = Path(d) / "trace.out"
        extra["GMPKIT_TRACE_OUT"] = str(out)
        res = _run_traced(binary, args, tc.env(extra), float(timeout), int(max_output))
        report_path = Path(str(out) + ".json")
        report = json.loads(report_path.read_text()) if report_path.is_file() else {}
        trace_text, notes = "", []
        size = out.stat().st_size if out.is_file() else 0
        if size > MAX_TRACE_BYTES:
            notes.append(f"the execution trace is {size / 2**20:.0f} MiB, too big to show in a "
                         f"notebook (the limit is {MAX_TRACE_BYTES // 2**20} MiB): do less work, "
                         f"or lower --timeout")
        elif size > 0:
            parsed = _run_process([str(tc.go), "tool", "trace", "-d=parsed", str(out)],
                                  env=tc.env(), timeout=300, cwd=d, max_output=1 << 30,
                                  what="go tool trace", check=False)
            if parsed.returncode != 0:
                notes.append("the trace file was cut off (the program was killed); what could "
                             "be read is shown: " + parsed.stderr.strip().splitlines()[-1][:200]
                             if parsed.stderr.strip() else "the trace file could not be read")
            trace_text = _NAMELESS_FRAME.sub("", strip_stacks(parsed.stdout))
        elif size == 0 and not report:
            notes.append("no trace was written: the program was killed before the tracer "
                         "flushed anything (it could not be stopped gracefully, e.g. a loop "
                         "without function calls under asyncpreemptoff=1 keeps the runtime "
                         "from stopping the world)" if res["killed"] else "no trace was written")
    stdout = res["stdout"].decode("utf-8", errors="replace")
    stderr_all = res["stderr"].decode("utf-8", errors="replace")
    stderr, sched = _split_stderr(stderr_all, every)
    cut = {k: res[f"{k}_total"] for k in ("stdout", "stderr") if res[f"{k}_total"] > max_output}
    partial, reason = False, ""
    if res["killed"]:
        partial, reason = True, "killed"
    elif res["stop"] in ("timeout", "output"):
        partial, reason = True, res["stop"]
    elif report.get("ended") != "returned":
        partial, reason = True, "exit"
    cmd = " ".join(f"{k}={v}" for k, v in extra.items() if k in ("GOMAXPROCS", "GODEBUG"))
    prov = provenance(f"{cmd} {name} {' '.join(map(str, args))}".strip(), tc)
    return _assemble(source=source, name=name, procs=int(procs), args=args, timeout=float(timeout),
                     stdout=stdout, stderr=stderr, returncode=res["returncode"],
                     trace_text=trace_text, report=report, schedtrace_text=sched,
                     partial=partial, partial_reason=reason, output_cut=cut,
                     elapsed_s=res["elapsed_s"], prov=prov, recorded=False, every=every,
                     notes=notes, cached=cached)


# ---- recorded runs (used when Go is absent) ----------------------------------------------

def recorded_path(name):
    return data_dir() / RECORDED_DIR / f"{name}.json.gz"


def recorded_run(name) -> TracedRun:
    """The run recorded as ``data/yourprog/NAME.json.gz`` (marked recorded)."""
    path = recorded_path(name)
    if not path.is_file():
        have = sorted(p.name.split(".")[0] for p in path.parent.glob("*.json.gz"))
        raise FileNotFoundError(f"no recorded run {name!r} ({path}); recorded: "
                                f"{', '.join(have) or 'none'}")
    r = json.loads(gzip.decompress(path.read_bytes()))
    every = None
    if r.get("schedtrace_text"):
        m = re.search(r"schedtrace=(\d+)", r["provenance"].get("command", ""))
        every = int(m.group(1)) if m else None
    return _assemble(source=r["source"], name=r["name"], procs=r["procs"], args=r["args"],
                     timeout=r["timeout"], stdout=r["stdout"], stderr=r["stderr"],
                     returncode=r["returncode"], trace_text=r["trace_text"], report=r["report"],
                     schedtrace_text=r["schedtrace_text"], partial=r["partial"],
                     partial_reason=r["partial_reason"], output_cut=r["output_cut"],
                     elapsed_s=r["elapsed_s"], prov=r["provenance"], recorded=True, every=every,
                     notes=[])


def trace_go_or_recorded(source, *, name, **kw) -> TracedRun:
    """:func:`trace_go` when Go is installed; otherwise the run recorded under ``name``
    (and a note when ``source`` differs from the recorded program's)."""
    try:
        find_go(kw.get("go"))
    except GoUnavailable:
        run = recorded_run(name)
        if run.source.strip() != source.strip():
            run.notes.append("Go is not installed, so this is the recorded run of the "
                             "ORIGINAL program, not of your edited version.")
        return run
    return trace_go(source, name=name, **kw)
