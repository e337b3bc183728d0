"""Package data: one accessor (gmpkit.resources), no silent fallback, nothing read from outside."""

import json
import re
import shutil
from pathlib import Path

import pytest

from gmpkit import costs, resources
from gmpkit.resources import MissingDataError

PKG = Path(__file__).resolve().parents[1] / "gmpkit"
REPO = PKG.parent


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of gmpkit/data that the accessor reads instead (costs' cache cleared)."""
    d = tmp_path / "data"
    shutil.copytree(resources.data_dir(), d)
    monkeypatch.setattr(resources, "data_dir", lambda: d)
    costs._load.cache_clear()
    yield d
    costs._load.cache_clear()


def test_data_lives_in_the_package():
    assert resources.data_dir() == PKG / "data"
    assert resources.read_json("costs.json")["goroutine_switch_ns"]["value_ns"] == \
        costs.default_costs()["goroutine_switch_ns"]
    assert "this_machine.json" in resources.names("measurements", ".json")


def test_a_missing_file_is_an_error_naming_it():
    with pytest.raises(MissingDataError, match=r"gmpkit/data/traces/nope\.txt is missing.*schedtrace_demo\.txt"):
        resources.read_text("traces/nope.txt")
    with pytest.raises(MissingDataError, match=r"gmpkit/data/nowhere/ is missing"):
        resources.names("nowhere")
    with pytest.raises(ValueError, match="inside gmpkit/data"):
        resources.read_text("../pyproject.toml")


def test_missing_costs_file_is_an_error_not_a_fallback(data_copy):
    (data_copy / "costs.json").unlink()
    with pytest.raises(MissingDataError, match=r"gmpkit/data/costs\.json is missing"):
        costs.default_costs()


def test_costs_lacking_an_entry_name_it(data_copy):
    table = json.loads((data_copy / "costs.json").read_text())
    del table["thread_create_ns"]
    (data_copy / "costs.json").write_text(json.dumps(table))
    with pytest.raises(MissingDataError, match=r"costs\.json lacks thread_create_ns"):
        costs.default_costs()


def test_a_broken_costs_file_names_itself(data_copy):
    (data_copy / "costs.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"gmpkit/data/costs\.json is not valid JSON"):
        costs.default_costs()


def test_a_trace_without_provenance_is_an_error(data_copy):
    from gmpkit.real.recorded import read_trace
    (data_copy / "traces" / "schedtrace_demo.json").unlink()
    with pytest.raises(MissingDataError, match=r"traces/schedtrace_demo\.json is missing"):
        read_trace("schedtrace_demo")


def test_recorded_compare_needs_its_trace(data_copy):
    from gmpkit.real.compare import compare
    (data_copy / "compare" / "ping_pong_p2.exectrace.txt.gz").unlink()
    with pytest.raises(MissingDataError, match=r"ping_pong_p2\.exectrace\.txt\.gz is missing"):
        compare("ping_pong", procs=2, real="recorded")


def test_writers_go_through_the_accessor(data_copy):
    from gmpkit.real.recorded import read_trace, write_trace
    write_trace("tiny_demo", "SCHED 0ms: gomaxprocs=1\n", {"go_version": "go0"})
    assert (data_copy / "traces" / "tiny_demo.txt").is_file()
    assert read_trace("tiny_demo") == ("SCHED 0ms: gomaxprocs=1\n", {"go_version": "go0"})


def test_every_costs_entry_has_provenance():
    table = resources.read_json("costs.json")
    for name in costs.REQUIRED:
        entry = table[name]
        assert entry["source"] and entry["measured_on"], name
        assert costs.provenance(name)


def test_no_module_reads_files_next_to_the_package():
    """Data is found through gmpkit.resources, never relative to a module's own file."""
    allowed = {"resources.py", "real/toolchain.py",   # toolchain: the Go programs, package data too
               "homework/build.py",      # writes the masters' released.json beside itself
               "homework/sandbox.py"}    # mounts the folder holding gmpkit into the sandbox
    offenders = []
    for p in PKG.rglob("*.py"):
        rel = str(p.relative_to(PKG))
        if rel in allowed:
            continue
        text = p.read_text(encoding="utf-8")
        if re.search(r"__file__|parents\[\d\]|[\"']data[\"']\s*/|/\s*[\"']data[\"']", text):
            offenders.append(rel)
    assert not offenders, f"read data through gmpkit.resources instead: {offenders}"


def test_data_readme_points_into_the_package():
    text = (REPO / "data" / "README.md").read_text()
    assert "gmpkit/data/" in text
    for name in ("costs.json", "measurements/", "traces/", "compare/"):
        assert name in text
    leftovers = [p.name for p in (REPO / "data").iterdir() if p.name != "README.md"]
    assert not leftovers, f"data/ holds {leftovers}: recorded data belongs in gmpkit/data (see data/README.md)"
