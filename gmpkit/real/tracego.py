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

How the trace is taken without the learner adding code
-----------------------------------------------------

Go has no hook that runs when ``main`` returns, and a trace must be stopped
(``trace.Stop``) to be complete.  So the program is built from two files:

1. the learner's source, with every identifier ``main`` (not the package
   name) renamed to ``gmpkitUserMain`` -- on Go tokens, never inside strings
   or comments (:mod:`gmpkit.real.gosource`); nothing else changes, so line
   numbers stay the cell's own and compiler messages are mapped back to the
   learner's names and columns;
2. ``0gmpkit_trace.go``, whose ``init`` starts ``runtime/trace`` and whose
   ``main`` calls the learner's and, in a ``defer`` (so also on a panic in
   main), stops the trace and writes a small report (threads created, from
   ``runtime/pprof``'s ``threadcreate`` profile).

Rejected: an ``init``-only file (the trace is never stopped, so the last part
is lost); asking learners to add ``trace.Start``; rewriting with a regular
expression (breaks on ``"func main()"`` in a string or a comment).

Stopping early.  The tracer file also reads a pipe that gmpkit holds open
(its descriptor in ``GMPKIT_CONTROL_FD``, non-blocking, so the waiting goroutine parks on the
netpoller and holds no thread).  When the program runs past its timeout or
prints more than ``max_output`` bytes, gmpkit closes the pipe: the program
stops its trace, exits with status 124, and the trace up to that moment is
shown, marked **partial**.  Only if that does not happen within a grace
period (a program that never lets the runtime stop the world) is the process
killed; then whatever part of the trace was written is parsed, if any.

The tracer's own goroutine (and the runtime's: GC workers, the trace reader
...) is filtered out of the timeline and counted apart
(``stats["runtime_goroutines"]``), so ``stats["goroutines"]`` is what the
program created, plus main.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..timeline import Timeline
from .errors import TraceParseError
from .exectrace import SYSTEM_PREFIXES, parse_exectrace, strip_stacks
from .gosource import GoSourceError, map_compiler_output, rename_main
from .recorded import data_dir, provenance
from .schedtrace import parse_schedtrace
from .toolchain import GoProgramError, GoUnavailable, _run_process, cache_dir, find_go

__all__ = ["trace_go", "TracedRun", "GoCompileError", "GoSourceError", "TRACER_SOURCE",
           "parse_every", "recorded_run", "trace_go_or_recorded", "RECORDED_DIR",
           "TRACE_CANNOT_SHOW", "recorded_path", "make_timeline", "build_user_program"]

USER_MAIN = "gmpkitUserMain"
TRACER_FILE = "0gmpkit_trace.go"
DEFAULT_MAX_OUTPUT = 1 << 20          # bytes kept per stream
SHOWN_OUTPUT = 20_000                 # characters shown per stream in a notebook
STOP_GRACE_S = 3.0
MAX_TRACE_BYTES = 64 << 20            # binary trace files larger than this are not parsed
EXIT_STOPPED = 124
RECORDED_DIR = "yourprog"             # gmpkit/data/yourprog/NAME.json.gz

# What an execution trace cannot show (said beside every picture of a real run).
TRACE_CANNOT_SHOW = (
    "The execution trace records state changes of Gs, Ps and Ms, not the run queues: "
    "which runnable G waits in which P's ring, in what order, and which one is in runnext "
    "are not in it, so runnable Gs are drawn in one box without an order. A spinning M, "
    "a work steal and the global queue are not recorded either; a G made runnable on one P "
    "that runs on another was stolen or went through the global queue, the trace does not "
    "say which.")

TRACER_SOURCE = """\
// Added by gmpkit to trace the program in the cell next to it; the cell's
// func main was renamed gmpkitUserMain. Nothing here changes what it does.
package main

import (
	"encoding/json"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"sync"
	"time"
)

var (
	gmpkitTraceFile  *os.File
	gmpkitTracePath  string
	gmpkitTraceOnce  sync.Once
	gmpkitTraceStart time.Time
)

func init() {
	gmpkitTracePath = os.Getenv("GMPKIT_TRACE_OUT")
	if gmpkitTracePath == "" {
		return // run without tracing
	}
	f, err := os.Create(gmpkitTracePath)
	if err != nil {
		panic("gmpkit: cannot create the trace file: " + err.Error())
	}
	gmpkitTraceFile = f
	if err := trace.Start(f); err != nil {
		panic("gmpkit: cannot start the trace: " + err.Error())
	}
	gmpkitTraceStart = time.Now()
	if fd, err := strconv.Atoi(os.Getenv("GMPKIT_CONTROL_FD")); err == nil && fd > 2 {
		go gmpkitWatch(os.NewFile(uintptr(fd), "gmpkit-control"))
	}
}

// gmpkitWatch returns when gmpkit closes its end of the pipe: the program ran
// past its timeout or printed too much. The trace so far is kept.
func gmpkitWatch(ctl *os.File) {
	var b [1]byte
	ctl.Read(b[:])
	gmpkitStop("stopped")
	os.Exit(124)
}

func gmpkitStop(how string) {
	if gmpkitTraceFile == nil {
		return
	}
	gmpkitTraceOnce.Do(func() {
		trace.Stop()
		gmpkitTraceFile.Close()
		info := map[string]any{
			"ended":             how,
			"threads":           pprof.Lookup("threadcreate").Count(),
			"goroutines_at_end": runtime.NumGoroutine(),
			"main_ns":           time.Since(gmpkitTraceStart).Nanoseconds(),
		}
		b, _ := json.Marshal(info)
		os.WriteFile(gmpkitTracePath+".json", b, 0o644)
		// With schedtrace on, give sysmon time to print a last SCHED line: a short
		// program may otherwise end before it prints any. (After the trace's stop.)
		if ms, err := strconv.Atoi(os.Getenv("GMPKIT_SCHEDTRACE_MS")); err == nil && ms > 0 {
			time.Sleep(time.Duration(max(3*ms, 12)) * time.Millisecond)
		}
	})
}

func main() {
	defer gmpkitStop("returned") // runs when main returns, and when it panics
	gmpkitUserMain()
}
"""


class GoCompileError(GoProgramError):
    """The program did not compile; ``message`` is the compiler's output with the cell's
    file name, line numbers and names."""

    def __init__(self, message, name):
        self.compiler_output = message
        self.name = name
        RuntimeError.__init__(self, f"{name}.go does not compile:\n{message}")
        self.command, self.returncode, self.stderr = [], 1, message

    def _repr_html_(self):   # pragma: no cover - display only
        return (f"<pre style='color:#b2182b'>{html.escape(str(self))}</pre>")


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


# ---- building -------------------------------------------------------------------------

def build_user_program(source, name="cell", tc=None):
    """Build ``source`` with the tracer file; return ``(binary, renamed, cached)``.

    Builds are cached by content (source, tracer, Go version) in
    ``cache_dir()/usergo``.  A compile error raises :class:`GoCompileError`.
    """
    tc = tc or find_go()
    source = source.rstrip() + "\n"     # trailing blank lines do not make another build
    renamed = rename_main(source, USER_MAIN)
    if re.search(r"\bgmpkit[A-Z_]", renamed.text.replace(USER_MAIN, "")):
        raise GoSourceError("identifiers starting with `gmpkit` are reserved for the tracer "
                            "gmpkit adds; please rename yours")
    key = hashlib.sha256((renamed.text + "\0" + TRACER_SOURCE + "\0"
                          + f"{tc.version}/{tc.goos}/{tc.goarch}").encode()).hexdigest()[:20]
    bindir = cache_dir() / "usergo"
    bindir.mkdir(parents=True, exist_ok=True)
    out = bindir / f"prog-{key}"
    if out.exists():
        os.utime(out)                  # most recently used: kept longest
        return out, renamed, True
    with tempfile.TemporaryDirectory(prefix="gmpkit-go-") as d:
        d = Path(d)
        (d / f"{name}.go").write_text(renamed.text, encoding="utf-8")
        (d / TRACER_FILE).write_text(TRACER_SOURCE, encoding="utf-8")
        tmp = bindir / f".prog-{key}.{os.getpid()}.tmp"
        res = _run_process([str(tc.go), "build", "-o", str(tmp), TRACER_FILE, f"{name}.go"],
                           env=tc.env(), timeout=300, cwd=d, max_output=1 << 20,
                           what="go build", check=False)
        if res.returncode != 0:
            if tmp.exists():
                tmp.unlink()
            msg = map_compiler_output(res.stderr + res.stdout, renamed, f"{name}.go")
            raise GoCompileError(msg, name)
        os.replace(tmp, out)
    _prune(bindir)
    return out, renamed, False


KEEP_BUILDS = 64


def _prune(bindir, keep=KEEP_BUILDS):
    """Keep the ``keep`` most recently used builds of learners' programs (each is a few MB,
    and every edit of a cell makes a new one)."""
    progs = sorted(bindir.glob("prog-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for p in progs[keep:]:
        try:
            p.unlink()
        except OSError:
            pass


# ---- running ---------------------------------------------------------------------------

class _Capture(threading.Thread):
    """Drain a pipe; keep the first ``cap`` bytes, count the rest."""

    def __init__(self, stream, cap, on_overflow):
        super().__init__(daemon=True)
        self.stream, self.cap, self.on_overflow = stream, cap, on_overflow
        self.kept, self.total = bytearray(), 0

    def run(self):
        while True:
            chunk = self.stream.read1(65536) if hasattr(self.stream, "read1") else self.stream.read(65536)
            if not chunk:
                break
            self.total += len(chunk)
            room = self.cap - len(self.kept)
            if room > 0:
                self.kept += chunk[:room]
            if self.total > self.cap:
                self.on_overflow()
        self.stream.close()


def _run_traced(binary, args, env, timeout, max_output):
    """Run with a control pipe (its fd in ``GMPKIT_CONTROL_FD``); return what happened."""
    r, w = os.pipe()
    os.set_blocking(r, False)      # the Go side waits for it on the netpoller, not on a thread
    stop = []                      # [(reason, time)] once a stop was asked for
    lock = threading.Lock()

    def request_stop(why):
        with lock:
            if stop:
                return
            stop.append((why, time.perf_counter()))
            try:
                os.close(w)
            except OSError:
                pass

    env = dict(env, GMPKIT_CONTROL_FD=str(r))
    t0 = time.perf_counter()
    try:
        proc = subprocess.Popen([str(binary), *map(str, args)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env,
                                start_new_session=True, pass_fds=(r,))
    except OSError as e:
        os.close(r)
        os.close(w)
        raise GoProgramError(f"could not start the program: {e}") from None
    os.close(r)
    outs = [_Capture(proc.stdout, max_output, lambda: request_stop("output")),
            _Capture(proc.stderr, max_output, lambda: request_stop("output"))]
    for c in outs:
        c.start()
    killed = False
    while True:
        try:
            proc.wait(timeout=0.02)
            break
        except subprocess.TimeoutExpired:
            pass
        now = time.perf_counter()
        if now - t0 > timeout:
            request_stop("timeout")
        if stop and not killed and now - stop[0][1] > STOP_GRACE_S:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            killed = True
    elapsed = time.perf_counter() - t0
    for c in outs:
        c.join(timeout=5)
    with lock:
        if not stop:
            stop.append((None, 0))
            try:
                os.close(w)
            except OSError:
                pass
    return {"returncode": proc.returncode, "elapsed_s": elapsed, "killed": killed,
            "stop": stop[0][0], "stdout": bytes(outs[0].kept), "stderr": bytes(outs[1].kept),
            "stdout_total": outs[0].total, "stderr_total": outs[1].total}


# ---- the result -------------------------------------------------------------------------

@dataclass
class TracedRun:
    """A real run of a learner's Go program.

    ``timeline`` is a :class:`~gmpkit.timeline.Timeline` like a simulated
    run's (goroutines numbered as the simulator numbers them: main is G1, the
    others in the order they were created; ``timeline.meta["real_goids"]``
    maps back to the runtime's ids); ``schedtrace`` the parsed
    ``GODEBUG=schedtrace`` Timeline (or None); ``stats`` the counts;
    ``partial`` says the program did not finish (``partial_reason``:
    "timeout", "output", "killed", "exit" (os.Exit or a panic in another
    goroutine skipped the trace's stop)).
    """
    source: str
    name: str
    procs: int
    args: tuple
    stdout: str
    stderr: str
    returncode: int | None
    timeline: Timeline | None
    schedtrace: Timeline | None = None
    stats: dict = field(default_factory=dict)
    partial: bool = False
    partial_reason: str = ""
    output_cut: dict = field(default_factory=dict)      # stream -> bytes printed in all
    timeout: float = 30.0
    elapsed_s: float = 0.0
    recorded: bool = False
    provenance: dict = field(default_factory=dict)
    trace_text: str = ""           # go tool trace -d=parsed, stacks stripped
    schedtrace_text: str = ""
    report: dict = field(default_factory=dict)           # what the tracer wrote at the end
    notes: list = field(default_factory=list)
    cached_build: bool = False

    # ---- reading ---------------------------------------------------------
    @property
    def makespan_ns(self):
        return self.timeline.end_time if self.timeline is not None else 0

    @property
    def source_line(self):
        p = self.provenance or {}
        if self.recorded:
            return (f"recorded on {str(p.get('date', '?'))[:10]} with {p.get('go_version', '?')} "
                    f"on {p.get('cpu_model', '?')} -- not run on your machine")
        return f"run on this machine now with {p.get('go_version', '?')}"

    @property
    def status_line(self):
        bits = [f"{self.name}: GOMAXPROCS={self.procs}"]
        if self.partial:
            why = {"timeout": f"ran past its {self.timeout:g} s timeout and was stopped",
                   "output": "printed too much and was stopped",
                   "killed": "did not stop when asked and was killed",
                   "exit": "ended without stopping the trace (os.Exit, log.Fatal or a panic "
                           "outside main)"}.get(self.partial_reason, self.partial_reason)
            bits.append(f"PARTIAL trace: the program {why}")
        elif self.returncode not in (0, None):
            bits.append(f"exit status {self.returncode}")
        if self.timeline is not None:
            n = self.stats.get("goroutines", 0)
            bits.append(f"{n} goroutine{'' if n == 1 else 's'} "
                        f"({self.stats.get('runtime_goroutines', 0)} of the runtime's not counted)")
            bits.append(f"traced for {_fmt_ns(self.makespan_ns)}")
        return ", ".join(bits)

    def check(self):
        """The timeline's invariants (see :meth:`Timeline.check_invariants`)."""
        if self.timeline is None:
            raise ValueError("this run has no trace (it stopped before the tracer could write one)")
        return self.timeline.check_invariants()

    # ---- pictures --------------------------------------------------------
    def lanes(self, by="P", **kw):
        """Gantt chart of the real trace per P, per M or per G (:func:`gmpkit.plots.gantt`)."""
        from ..plots import gantt
        if self.timeline is None:
            raise ValueError("this run has no trace to draw")
        kw.setdefault("events", ("preempt", "retake", "syscall-enter", "block"))
        kw.setdefault("title", f"{self.name} (real Go, GOMAXPROCS={self.procs}): "
                               f"what each {'processor (P)' if by == 'P' else 'thread (M)' if by == 'M' else 'goroutine'} did"
                               + (" — PARTIAL" if self.partial else ""))
        return gantt(self.timeline, by=by, **kw)

    # ---- display ---------------------------------------------------------
    def _streams(self):
        out = []
        for label, text in (("stdout", self.stdout), ("stderr", self.stderr)):
            if not text and label not in self.output_cut:
                continue
            shown = text if len(text) <= SHOWN_OUTPUT else text[:SHOWN_OUTPUT]
            note = ""
            if len(text) > SHOWN_OUTPUT:
                note = f"... ({len(text) - SHOWN_OUTPUT:,} more characters kept in run.{label}, not shown)"
            if label in self.output_cut:
                note += (f"\n... OUTPUT CUT: the program printed {self.output_cut[label]:,} bytes "
                         f"on {label}; only the first {len(text.encode()):,} were kept")
            out.append((label, shown, note.strip()))
        return out

    def __repr__(self):
        lines = [self.status_line, self.source_line]
        for label, text, note in self._streams():
            lines.append(f"--- {label} ---")
            lines.append(text.rstrip("\n"))
            if note:
                lines.append(note)
        lines += self.notes
        return "\n".join(lines)

    def _repr_html_(self):
        red = "#b2182b"
        parts = [f"<div class='gmpkit-traced-run'><b style='color:{red if self.partial else '#222'}'>"
                 f"{html.escape(self.status_line)}</b><br>"
                 f"<span style='color:{red if self.recorded else '#555'}'>"
                 f"{html.escape(self.source_line)}</span>"]
        for label, text, note in self._streams():
            parts.append(f"<div><i>{label}</i><pre style='max-height:16em;overflow:auto;"
                         f"margin:2px 0'>{html.escape(text)}</pre>"
                         + (f"<b style='color:{red}'>{html.escape(note)}</b>" if note else "")
                         + "</div>")
        for n in self.notes:
            parts.append(f"<div style='color:{red}'>{html.escape(n)}</div>")
        if self.stats:
            keys = ["goroutines", "goroutines_created", "runtime_goroutines", "threads",
                    "syscalls", "syscalls_kept_p", "syscalls_lost_p", "retakes", "preemptions",
                    "moved_between_ps"]
            rows = "".join(f"<tr><td>{k}</td><td>{html.escape(str(self.stats.get(k)))}</td></tr>"
                           for k in keys if k in self.stats)
            blocked = ", ".join(f"{k}: {v}" for k, v in self.stats.get("blocked", {}).items())
            rows += f"<tr><td>blocked (by reason)</td><td>{html.escape(blocked or 'never')}</td></tr>"
            parts.append(f"<table>{rows}</table>")
        parts.append("</div>")
        return "".join(parts)

    # ---- recording -------------------------------------------------------
    def as_record(self):
        return {"source": self.source, "name": self.name, "procs": self.procs,
                "args": list(self.args), "stdout": self.stdout[:SHOWN_OUTPUT],
                "stderr": self.stderr[:SHOWN_OUTPUT], "returncode": self.returncode,
                "partial": self.partial, "partial_reason": self.partial_reason,
                "output_cut": self.output_cut, "timeout": self.timeout,
                "elapsed_s": self.elapsed_s, "provenance": self.provenance,
                "trace_text": self.trace_text, "schedtrace_text": self.schedtrace_text,
                "report": self.report}

    def save(self, path):
        """Write this run (source, output, stripped trace, schedtrace) as gzipped JSON."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(json.dumps(self.as_record(), sort_keys=True).encode(),
                                       mtime=0))
        return path


def _fmt_ns(ns):
    from ..plots import fmt_time
    return fmt_time(int(ns))


# ---- from the raw outputs to a TracedRun ------------------------------------------------

_SCHED = re.compile(r"SCHED \d+ms: .*|  [PMG]\d+: .*")
_NAMELESS_FRAME = re.compile(r"^\t+ *@ 0x[0-9a-f]+\n", re.M)
TRACER_PREFIXES = SYSTEM_PREFIXES + ("main.gmpkitWatch",)


def _split_stderr(stderr, want_sched):
    if not want_sched:
        return stderr, ""
    keep, sched = [], []
    for ln in stderr.splitlines(keepends=True):
        (sched if _SCHED.fullmatch(ln.rstrip("\n")) else keep).append(ln)
    return "".join(keep), "".join(sched)


def _stats(tl, report):
    """Counts read from the (filtered, renumbered) timeline and the tracer's report."""
    spawns = tl.events_of("spawn")
    exits = Counter(e.detail for e in tl.events_of("syscall-exit"))
    blocked = Counter(e.detail or "?" for e in tl.events_of("block"))
    # a G made runnable with P a, next running on P b != a: stolen or via the global queue
    made_on = {}
    moved = 0
    runs = sorted(((s.start, s.g, s.p) for s in tl.spans if s.lane == "G" and s.state == "running"))
    readies = sorted((e.time, e.g, e.p) for e in tl.events if e.kind in ("spawn", "ready", "preempt",
                                                                         "gosched"))
    i = 0
    for t, g, p in runs:
        while i < len(readies) and readies[i][0] <= t:
            made_on[readies[i][1]] = readies[i][2]
            i += 1
        src = made_on.pop(g, None)
        if src is not None and src >= 0 and p >= 0 and src != p:
            moved += 1
    gs = {s.g for s in tl.spans if s.g >= 0} | {e.g for e in spawns}
    return {
        "goroutines": len(gs),
        "goroutines_created": len(spawns),
        "runtime_goroutines": tl.meta.get("filtered", 0),
        "threads": report.get("threads"),
        "threads_in_trace": len(tl.meta.get("m_tids", {})),
        "syscalls": tl.count("syscall-enter"),
        "syscalls_kept_p": exits.get("kept P", 0),
        "syscalls_lost_p": exits.get("lost P", 0),
        "retakes": tl.count("retake"),
        "preemptions": sum(1 for e in tl.events_of("preempt") if e.detail == "preempted"),
        "gosched": tl.count("gosched"),
        "blocked": dict(sorted(blocked.items(), key=lambda kv: (-kv[1], kv[0]))),
        "moved_between_ps": moved,
        "traced_ns": tl.end_time,
    }


def _without(tl, drop):
    """A copy of ``tl`` without the spans and events of goroutines ``drop``."""
    new = Timeline(procs=tl.procs, source=tl.source, max_parallel=tl.max_parallel,
                   meta=dict(tl.meta))
    for s in tl.spans:
        if s.g not in drop:
            new.add_span(s.state, s.start, s.end, lane=s.lane, m=s.m, p=s.p, g=s.g)
    for e in tl.events:
        if e.g in drop:
            continue
        other = -1 if (e.kind in ("spawn", "ready") and e.other in drop) else e.other
        new.add_event(e.kind, e.time, g=e.g, m=e.m, p=e.p, other=other, detail=e.detail)
    for name in tl.counter_names:
        for t, v in zip(*tl.counter(name)):
            new.sample(name, int(t), v.item() if hasattr(v, "item") else v)
    new.g_names = {g: n for g, n in tl.g_names.items() if g not in drop}
    new.end_time = tl.end_time
    return new


def make_timeline(trace_text, meta=None):
    """Parse a learner program's trace: runtime and tracer goroutines filtered, goroutines
    renumbered as the simulator numbers them (main = 1), the tracer's name for main undone."""
    from .compare import renumber_goroutines
    tl = parse_exectrace(trace_text, meta=meta, system_prefixes=TRACER_PREFIXES)
    # The trace starts in the tracer's init, before any code of the program runs, so a
    # goroutine that existed already and is not main (the runtime's id 1) is the runtime's
    # (forcegc, bgsweep, the finalizer goroutine ...): filter it and count it apart.
    spawned = {e.g for e in tl.events_of("spawn")}
    before = sorted(g for g in tl.gs if g not in spawned and g != 1)
    if before:
        tl = _without(tl, set(before))
        tl.meta["filtered_goroutines"] = sorted(tl.meta.get("filtered_goroutines", []) + before)
        tl.meta["filtered"] = len(tl.meta["filtered_goroutines"])
        why = dict(tl.meta.get("filtered_why", {}))
        why.update({g: "existed before the program started" for g in before})
        tl.meta["filtered_why"] = why
    new, mapping = renumber_goroutines(tl)
    new.meta["real_goids"] = {v: k for k, v in mapping.items()}
    new.g_names = {g: n.replace(USER_MAIN, "main") for g, n in new.g_names.items()}
    new.g_names.setdefault(1, "main.main")
    new.source = "exectrace"
    return new


def _assemble(*, source, name, procs, args, timeout, stdout, stderr, returncode, trace_text,
              report, schedtrace_text, partial, partial_reason, output_cut, elapsed_s,
              prov, recorded, every, notes, cached=False):
    tl = None
    notes = list(notes)
    if trace_text:
        try:
            tl = make_timeline(trace_text, meta={"recorded": recorded, "partial": partial,
                                                 "program": name})
        except TraceParseError as e:
            if partial_reason == "killed":
                notes.append("the program was killed before the tracer finished any part of "
                             "its trace (a loop the runtime cannot preempt also keeps the tracer "
                             f"from flushing); no timeline ({e})")
            else:
                notes.append(f"the execution trace could not be read ({e}); no timeline")
    if tl is not None and partial:
        last = {}
        for s in tl.spans:
            if s.lane == "G":
                last[s.g] = s
        tl.partial_gs = {g for g, s in last.items() if s.end >= tl.end_time}
    st = None
    if schedtrace_text.strip():
        try:
            st = parse_schedtrace(schedtrace_text, strict=False,
                                  meta={"every_ms": every, "raw": schedtrace_text})
        except TraceParseError as e:
            notes.append(f"the schedtrace lines could not be read ({e})")
    stats = _stats(tl, report) if tl is not None else {}
    return TracedRun(source=source, name=name, procs=procs, args=tuple(args), stdout=stdout,
                     stderr=stderr, returncode=returncode, timeline=tl, schedtrace=st,
                     stats=stats, partial=partial, partial_reason=partial_reason,
                     output_cut=output_cut, timeout=timeout, elapsed_s=elapsed_s,
                     recorded=recorded, provenance=prov, trace_text=trace_text,
                     schedtrace_text=schedtrace_text, report=report, notes=notes,
                     cached_build=cached)


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
