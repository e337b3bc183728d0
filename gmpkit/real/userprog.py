"""A learner's Go program as a process: built with gmpkit's tracer file, run with a stop pipe.

:func:`build_user_program` builds the learner's source beside
:data:`TRACER_SOURCE` (cached by content); :func:`_run_traced` runs the
binary, keeps its output up to a limit and stops it when asked.
:mod:`gmpkit.real.tracego` (``trace_go``) drives both;
:mod:`gmpkit.real.tracedrun` turns what they produce into a
:class:`~gmpkit.real.tracedrun.TracedRun`.

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
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from .gosource import GoSourceError, map_compiler_output, rename_main
from .toolchain import GoProgramError, _run_process, cache_dir, find_go, kill_group

__all__ = ["TRACER_SOURCE", "GoCompileError", "build_user_program", "USER_MAIN"]

USER_MAIN = "gmpkitUserMain"
TRACER_FILE = "0gmpkit_trace.go"
STOP_GRACE_S = 3.0
EXIT_STOPPED = 124

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
            kill_group(proc)
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
