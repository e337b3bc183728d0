"""The lab's tools (gmpkit.real.tracetool, gmpkit.widgets.tools): the schedtrace field table
against the installed runtime, go tool trace's web UI started and stopped for real, clear
errors for bad input, and the recorded fallback when there is no Go."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from gmpkit.real import toolchain, tracetool
from gmpkit.real.toolchain import GoProgramError, GoUnavailable
from gmpkit.widgets import tools


def _go_or_skip():
    try:
        return toolchain.find_go()
    except GoUnavailable as e:
        pytest.skip(f"needs Go: {e}")


@pytest.fixture(scope="module")
def demo_trace():
    _go_or_skip()
    return tracetool.record_trace("tracedemo", gomaxprocs=2)


# ---- the schedtrace fields ----------------------------------------------------------------

def test_every_field_the_runtime_prints_is_explained():
    _go_or_skip()
    printed = tracetool.schedtrace_fields_in_source()
    for section, names in printed.items():
        assert names, f"no {section} fields found in schedtrace: the reader is broken"
        assert set(names) == set(tracetool.SCHEDTRACE_FIELDS[section]), section


def test_a_new_field_in_the_source_is_noticed(monkeypatch):
    """The source reader really reads: a field the table lacks shows up in its result."""
    body = ('func schedtrace(detailed bool) {\n'
            '\tprint("SCHED ", (now-starttime)/1e6, "ms: gomaxprocs=", gomaxprocs, " newfield=", 1)\n'
            '\tprint(" schedticks=[ ")\n'
            '\t\tprint("  P", i, ": status=", pp.status, " extra=", 0)\n'
            '\t\tprint("  M", mp.id, ": p=", id1)\n'
            '\t\tprint("  G", gp.goid, ": status=", gp.atomicstatus.Load())\n}\n')
    monkeypatch.setattr(toolchain, "runtime_source", lambda name, **kw: body)
    got = tracetool.schedtrace_fields_in_source()
    assert got == {"summary": ["gomaxprocs", "newfield", "schedticks"], "P": ["status", "extra"],
                   "M": ["p"], "G": ["status"]}


# ---- go tool trace's web UI -----------------------------------------------------------------

def test_viewer_serves_the_trace_and_stops(demo_trace):
    viewer = tracetool.TraceViewer(demo_trace).start()
    try:
        assert viewer.running and viewer.url.startswith("http://127.0.0.1:")
        assert "main.main.func3" in viewer.fetch("goroutines")
        assert 'href="/trace?view=proc"' in viewer.fetch("index")
        html = viewer._repr_html_()
        for name in tracetool.VIEWER_PAGES:
            assert f'data-page="{name}"' in html
        url, pid = viewer.url, viewer._proc.pid
    finally:
        viewer.stop()
    assert not viewer.running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises((urllib.error.URLError, OSError)):
        urllib.request.urlopen(url + "/", timeout=3)


def test_viewer_dies_with_the_kernel_that_started_it(demo_trace):
    """A kernel killed outright (no atexit) must not leave the web server behind."""
    code = ("import sys, time\n"
            f"sys.path.insert(0, {str(tracetool.__file__.rsplit('/gmpkit/', 1)[0])!r})\n"
            "from gmpkit.real import tracetool\n"
            f"v = tracetool.TraceViewer({str(demo_trace)!r}).start()\n"
            "print(v._proc.pid, flush=True)\ntime.sleep(120)\n")
    kernel = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        pid = int(kernel.stdout.readline())
    finally:
        kernel.send_signal(signal.SIGKILL)
        kernel.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    pytest.fail("go tool trace outlived the process that started it")


def test_viewer_bad_input_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="record_trace"):
        tracetool.TraceViewer(tmp_path / "nope.trace").start()
    _go_or_skip()
    junk = tmp_path / "junk.trace"
    junk.write_bytes(b"this is not a trace\n" * 10)
    with pytest.raises(tracetool.TraceViewerError, match="runtime/trace output"):
        tracetool.TraceViewer(junk, timeout=60).start()
    viewer = tracetool.TraceViewer(junk)
    with pytest.raises(KeyError, match="goroutines"):
        viewer.page("flamegraph")
    with pytest.raises(tracetool.TraceViewerError, match="start"):
        viewer.page("proc")


def test_record_trace_of_a_program_that_writes_none():
    _go_or_skip()
    with pytest.raises(GoProgramError):
        tracetool.record_trace("spawn")   # takes no -o flag: Go's flag package refuses it


# ---- the lab's panels -----------------------------------------------------------------------

def test_trace_facts_agree_with_the_events():
    tl, path = tools.trace_run(real=False)
    assert path is None and tl.meta["recorded"]
    facts = tools.trace_facts(tl)
    assert sum(facts["preemptions"].values()) == tl.count("preempt")
    assert sum(facts["start_functions"].values()) == len(tl.g_names)
    assert [c["g"] for c in facts["syscalls"]] == [e.g for e in tl.events_of("syscall-enter")]
    for call in facts["syscalls"]:
        exit_ = next(e for e in tl.events_of("syscall-exit") if e.g == call["g"])
        assert call["lost_p"] == (exit_.p < 0)


def test_panels_fall_back_to_the_recordings_without_go(monkeypatch):
    def no_go(*a, **k):
        raise GoUnavailable("no Go in this test")

    monkeypatch.setattr(tools, "run_schedtrace", no_go)
    monkeypatch.setattr(tracetool, "record_trace", no_go)
    tools.clear_cache()
    try:
        sched = tools.schedtrace_panel()
        trace = tools.trace_panel()
    finally:
        tools.clear_cache()
    assert sched.error is None and trace.error is None
    assert sched.data.meta["recorded"] and "(recorded)" in sched.summary
    assert trace.data[1] is None and "recorded trace" in trace.summary
    banner = [t.get_text() for t in sched.fig.texts]
    assert any("not on your machine" in t for t in banner)


def test_recorded_pictures_are_the_recorded_run():
    html = tracetool.recorded_viewer_pictures().data
    assert "No Go toolchain here" in html
    assert html.count("data:image/png;base64,") == 2
    assert "View trace by proc" in html and "Goroutine analysis" in html
