"""Run one submission's cells in a bubblewrap sandbox (or, if asked, without one).

Every submission runs :mod:`gmpkit.homework.runner` under ``bwrap`` with:

* ``--unshare-all``: its own user, PID, IPC, UTS, cgroup and **network**
  namespaces (only a loopback device that reaches nothing outside);
* ``--ro-bind / /``: a read-only view of the system, the venv and the
  project; users' homes (``/root``, ``/home``, the grader's ``~``), the
  submissions folder, the report folder and the grader's own temporary
  folder are hidden behind empty tmpfs mounts (no student can read the
  grader's keys, or read or change another's notebook or the grades), and only
  Python, the venv and the folder holding gmpkit are mounted back, read-only;
* a private writable home (``/tmp/home``, also the working directory) inside a
  private ``/tmp`` that is a tmpfs of ``Limits.disk_mb`` (never the host's disk);
  ``/dev/shm`` is a tmpfs of ``Limits.shm_mb``; every other tmpfs (``/run``,
  ``/dev``, the hidden homes and folders) is remounted read-only, so nothing a
  submission writes can fill the host's disk or RAM beyond those sizes;
* ``--new-session`` and ``--die-with-parent``, and a PID namespace: when the
  runner ends or is killed, bubblewrap's init dies and the kernel kills every
  process left in the namespace -- a ``start_new_session`` child included;
* as an ordinary user: uid ``nobody`` in its own user namespace with every
  capability dropped (``--unshare-user --uid 65534 --cap-drop ALL``);
* as root: NO user namespace (in one, uid 65534 maps to the host's root, which
  owns /etc/shadow and most secrets outside the homes and could read them all).
  bubblewrap keeps only CAP_SETUID/SETGID/SETPCAP, and ``setpriv`` drops to a
  host uid of the sandbox's own (:data:`UID_BASE` + n, no account has it) with
  no capabilities, no groups and ``no_new_privs`` before the runner starts;
* a seccomp filter (:func:`_seccomp_program`): no ``unshare``, no ``clone``
  with ``CLONE_NEWUSER``, no 32-bit or x32 system calls, so a submission cannot
  make itself a user namespace (and in it "root", mounting a tmpfs of any size);
* resource limits (``prlimit`` before bwrap starts): address space, CPU
  seconds, file size, number of processes, no core files.  ``RLIMIT_NPROC``
  counts per uid: as root each sandbox has a uid of its own, so one
  submission's fork bomb cannot starve another.  When the grader may create
  cgroups (root in a container with cgroup v1 ``pids``/``memory``) each
  submission also gets its own cgroup with ``pids.max`` and
  ``memory.limit_in_bytes`` (which also counts its tmpfs pages), and, with the
  ``cpu`` controller, a quota of ``Limits.cpus`` CPUs for all its processes
  together: 60 busy processes, each in a session of its own, made the
  notebooks graded beside them 6x slower (closer to their cell timeouts).

:func:`probe` says whether bubblewrap works here and, if not, why.

Where it was checked: the course's CI container (Debian, root in Docker, cgroup
v1, bubblewrap 0.8) runs ``bwrap --unshare-all --die-with-parent --ro-bind / /
true`` as root with no extra flags.  Two things found there shaped the flags:

* as root, ``--unshare-all`` alone leaves the sandbox with every capability
  (it could remount the read-only view), and ``--unshare-user --uid 65534``
  keeps host-root file access; hence the drop to a uid of its own (above);
* the venv's Python lives under ``/root`` (mode 0700), so dropping to another
  uid *before* bwrap cannot even start Python; inside, ``/root`` is an empty
  tmpfs and the folders down to the venv are made 0755, so it can.

As an ordinary user, bubblewrap needs unprivileged user namespaces
(``kernel.unprivileged_userns_clone=1``, ``user.max_user_namespaces`` > 0;
Ubuntu 24.04's AppArmor restriction needs a profile for ``bwrap``).  Where they
are off, :func:`probe` reports bubblewrap's own message and ``grade`` refuses
to run without ``--no-sandbox``.
"""

from __future__ import annotations

import itertools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

__all__ = ["Limits", "SandboxUnavailable", "probe", "run_cells"]

HOME = "/tmp/home"             # the submission's home and working directory (private)
MAX_PROTOCOL = 4 * 1024 * 1024        # bytes read from one run's protocol pipe
MAX_LINE = 256 * 1024
GAP_GRACE = 1.0                       # seconds between a cell's "done" and the next "start"


class SandboxUnavailable(RuntimeError):
    """bubblewrap cannot run here; the message says why and what to do."""


@dataclass
class Limits:
    """Per-submission limits (all configurable from ``grade``)."""
    cell_timeout: float = 60          # wall seconds per cell
    total_timeout: float = 300        # wall seconds per notebook
    memory_mb: int = 4096             # address space (RLIMIT_AS)
    cpu_seconds: int | None = None    # RLIMIT_CPU (default: total_timeout + 10)
    max_processes: int = 64           # RLIMIT_NPROC for the sandbox's user
    max_file_mb: int = 64             # RLIMIT_FSIZE: the biggest file a submission may write
    disk_mb: int = 256                # the private /tmp (home included): a tmpfs of this size
    shm_mb: int = 64                  # /dev/shm: a tmpfs of this size
    cpus: float = 1                   # CPU share of the whole sandbox (cgroup cpu quota)


@dataclass
class RunResult:
    """What one run (one sandbox) reported."""
    export: dict | None = None                    # the last export received
    errors: list = field(default_factory=list)    # [(cell index, ename, evalue)]
    timed_out: int | None = None                  # cell index that hit the cell timeout
    died_in: int | None = None                    # cell index during which the runner died
    finished: bool = False
    total_timeout: bool = False
    note: str = ""


_PROBE = None


def _cgroup_dirs():
    """Writable cgroup v1 ``pids``/``memory``/``cpu`` roots (root in a container), or []."""
    out = []
    for ctl in ("pids", "memory", "cpu"):
        base = f"/sys/fs/cgroup/{ctl}"
        try:
            with open("/proc/self/cgroup") as f:
                rel = next((ln.split(":", 2)[2].strip() for ln in f
                            if ln.split(":")[1] == ctl), "/")
        except (OSError, IndexError):
            continue
        path = os.path.join(base, rel.lstrip("/"))
        if os.path.isdir(path) and os.access(path, os.W_OK):
            out.append((ctl, path))
    return out


class _Cgroup:
    """A per-submission cgroup (v1) capping processes and memory, when we may create one."""
    _ids = itertools.count(1)            # next() is atomic: safe across grading threads

    def __init__(self, limits):
        self.paths = []
        n = next(_Cgroup._ids)
        for ctl, base in _cgroup_dirs():
            path = os.path.join(base, f"gmpkit-grade-{os.getpid()}-{n}")
            try:
                os.mkdir(path)
                if ctl == "pids":
                    _write(path, "pids.max", limits.max_processes)
                elif ctl == "memory":
                    _write(path, "memory.limit_in_bytes", limits.memory_mb * 1024 * 1024)
                else:       # one sandbox's processes share one CPU's worth, however many
                    _write(path, "cpu.cfs_period_us", 100_000)
                    _write(path, "cpu.cfs_quota_us", int(100_000 * limits.cpus))
                self.paths.append(path)
            except OSError:
                continue

    def enter_cmd(self):
        """A shell prefix that moves itself into the cgroups, then execs the rest."""
        if not self.paths:
            return []
        moves = " && ".join(f"echo $$ > {p}/cgroup.procs" for p in self.paths)
        return ["/bin/sh", "-c", f'{moves} && exec "$@"', "sh"]

    def remove(self):
        """Kill anything still in the cgroups (belt and braces), then remove them."""
        for p in self.paths:
            try:
                with open(os.path.join(p, "cgroup.procs")) as f:
                    pids = [int(x) for x in f.read().split()]
            except OSError:
                pids = []
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        for p in self.paths:
            for _ in range(50):
                try:
                    os.rmdir(p)
                    break
                except OSError:
                    time.sleep(0.02)


def _write(path, name, value):
    with open(os.path.join(path, name), "w") as f:
        f.write(str(value))


def probe(refresh=False):
    """``None`` if the sandbox works here, else the reason it does not (a sentence)."""
    global _PROBE
    if _PROBE is not None and not refresh:
        return _PROBE or None
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        _PROBE = ("bubblewrap (bwrap) is not installed: install it (Debian/Ubuntu: "
                  "apt-get install bubblewrap)")
        return _PROBE
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        _PROBE = ("setpriv (util-linux) is not installed: as root the sandbox needs it to drop "
                  "to an unprivileged uid (Debian/Ubuntu: apt-get install util-linux)")
        return _PROBE
    if os.geteuid() == 0:
        # as root the sandbox runs as an unprivileged uid: it must be able to enter every
        # folder on the way to Python, the venv and gmpkit (a 0700 checkout shuts it out)
        closed = _closed_folders()
        if closed:
            _PROBE = (f"the sandbox's unprivileged user cannot enter {closed[0]} (mode "
                      f"{os.stat(closed[0]).st_mode & 0o777:04o}), on the way to Python, the "
                      f"venv or gmpkit: make it searchable (chmod o+x {closed[0]})")
            return _PROBE
    with tempfile.TemporaryDirectory(prefix="gmpkit-probe-") as home:
        cmd = _prlimit(Limits()) + _bwrap_cmd(bwrap, Limits(), hide=()) + [
            sys.executable, "-I", "-c", "import socket; print('ok')"]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=30,
                               start_new_session=True)
        except (OSError, subprocess.TimeoutExpired) as e:
            _PROBE = f"bubblewrap could not start: {e}"
            return _PROBE
    if p.returncode != 0 or p.stdout.strip() != "ok":
        err = (p.stderr.strip().splitlines() or ["no message"])[-1][:300]
        _PROBE = (f"bubblewrap is installed but cannot set up the sandbox here ({err}); "
                  f"bubblewrap needs user namespaces: on a host, sysctl "
                  f"kernel.unprivileged_userns_clone=1 and user.max_user_namespaces>0; in "
                  f"Docker, a seccomp profile that allows unshare (or --privileged)")
        return _PROBE
    _PROBE = ""
    return None


def hideable(path):
    """Whether ``path`` can be hidden from submissions without hiding Python or gmpkit."""
    path = os.path.realpath(path)
    return not any(_under(n, path) for n in _needed())


def _needed():
    """Paths a submission must read: Python, the venv, and the folder holding gmpkit."""
    pkg_parent = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
    return sorted({os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), pkg_parent})


def _closed_folders():
    """Folders on the way to what the runner needs that others may not enter (no o+x);
    the users' homes are left out: the sandbox rebuilds those with mode 0755."""
    homes = _homes()
    out = []
    for n in _needed():
        parts = n.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            d = "/" + "/".join(parts[:i])
            if any(_under(d, h) for h in homes) or d in out or not os.path.isdir(d):
                continue
            if not os.stat(d).st_mode & 0o001:
                out.append(d)
    return out


def _homes():
    return sorted({p for p in ("/root", "/home", os.path.realpath(os.path.expanduser("~")))
                   if p and p != "/" and os.path.isdir(p)})


def _under(path, folder):
    return path == folder or path.startswith(folder.rstrip("/") + "/")


UID_BASE = 3_000_000_000      # root grader: each sandbox runs as a host uid of its own from here
_uids = itertools.count()


def _sandbox_uid():
    """A host uid no account uses, different for every sandbox this process starts."""
    return UID_BASE + (os.getpid() % 10_000) * 10_000 + next(_uids) % 10_000


def _intermediate(top, path):
    """The folders strictly between ``top`` and ``path`` (bwrap would create them 0700)."""
    rel = os.path.relpath(path, top).split(os.sep)
    return [os.path.join(top, *rel[:i]) for i in range(1, len(rel))]


def _bwrap_cmd(bwrap, limits, hide=()):
    """bubblewrap's command line (and, as root, the drop to a uid of the sandbox's own)."""
    root = os.geteuid() == 0
    if root:
        # No user namespace: inside one, uid 65534 would be the host's root, and could read
        # every root-owned file the view shows (/etc/shadow, keys outside the homes).
        # setpriv, below, drops to a host uid nobody else has before the runner starts.
        cmd = [bwrap, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
               "--unshare-cgroup-try", "--cap-drop", "ALL", "--cap-add", "CAP_SETUID",
               "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]
    else:
        cmd = [bwrap, "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534",
               "--cap-drop", "ALL"]
    mb = 1024 * 1024
    cmd += ["--die-with-parent", "--new-session",
            "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev",
            "--perms", "1777", "--size", str(limits.shm_mb * mb), "--tmpfs", "/dev/shm",
            "--perms", "1777", "--size", str(limits.disk_mb * mb), "--tmpfs", "/tmp",
            "--perms", "0777", "--dir", HOME, "--tmpfs", "/run"]
    readonly = ["/run", "/dev"]
    homes = _homes()
    for h in homes:                      # users' homes: keys, tokens, other projects
        cmd += ["--tmpfs", h]
        readonly.append(h)
    # ... except what the runner needs, read-only: also when the venv or the project lives
    # under one of the private mounts (a clone in /tmp, as a CI runner may make)
    covered = homes + ["/tmp", "/run", "/dev/shm"]
    for n in _needed():
        top = max((h for h in covered if _under(n, h)), key=len, default=None)
        if top is not None:
            for d in _intermediate(top, n):
                cmd += ["--perms", "0755", "--dir", d]
            cmd += ["--ro-bind", n, n]
    for path in hide:
        if path and os.path.isdir(path):
            cmd += ["--tmpfs", os.path.realpath(path)]
            readonly.append(os.path.realpath(path))
    for path in readonly:                # empty, and nothing may be written there
        cmd += ["--remount-ro", path]
    cmd += ["--chdir", HOME, "--hostname", "sandbox"]
    if root:
        uid = str(_sandbox_uid())
        cmd += [shutil.which("setpriv") or "setpriv", f"--reuid={uid}", f"--regid={uid}",
                "--clear-groups", "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all",
                "--"]
    return cmd


# seccomp: no new user namespace inside the sandbox.  In one, a submission is "root" again:
# it could mount a tmpfs of no fixed size (around Limits.disk_mb / shm_mb) and reach far more
# of the kernel.  bubblewrap's --disable-userns needs --unshare-user, which the root grader
# does not use (see above), so the filter is a few BPF instructions passed with --seccomp.
_ARCHES = {"x86_64": (0xC000003E, 272, 56, 435),       # AUDIT_ARCH, unshare, clone, clone3
           "aarch64": (0xC00000B7, 97, 220, 435)}
CLONE_NEWUSER = 0x10000000


def _seccomp_program():
    """The BPF program (bytes), or None on an architecture the table does not know."""
    import platform
    import struct
    arch = _ARCHES.get(platform.machine())
    if arch is None:
        return None
    audit, unshare, clone, clone3 = arch
    allow, eperm, enosys = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06   # BPF_LD|W|ABS, BPF_JMP|.., RET
    prog = [(ld, 0, 0, 4),                   # 0: the ABI
            (jeq, 0, 8, audit),              # 1: another one (i386 via int 0x80) -> 10 EPERM
            (ld, 0, 0, 0),                   # 2: the syscall number
            (jge, 6, 0, 0x40000000),         # 3: x32 numbers -> 10 EPERM
            (jeq, 5, 0, unshare),            # 4: unshare -> 10 EPERM (no new namespace at all)
            (jeq, 5, 0, clone3),             # 5: clone3 -> 11 ENOSYS (libc falls back to clone)
            (jeq, 0, 2, clone),              # 6: clone -> 7, anything else -> 9 allow
            (ld, 0, 0, 16),                  # 7: clone's flags (low 32 bits)
            (jset, 1, 0, CLONE_NEWUSER),     # 8: CLONE_NEWUSER -> 10 EPERM, else 9 allow
            (ret, 0, 0, allow),              # 9
            (ret, 0, 0, eperm),              # 10
            (ret, 0, 0, enosys)]             # 11
    return b"".join(struct.pack("=HBBI", *ins) for ins in prog)


def _env(home):
    venv_bin = os.path.dirname(sys.executable)
    dead = "http://127.0.0.1:9"
    env = {"PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin", "HOME": home, "TMPDIR": "/tmp",
           "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONNOUSERSITE": "1",
           "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
           "MPLCONFIGDIR": f"{home}/.mpl", "IPYTHONDIR": f"{home}/.ipython",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "GMPKIT_GRADING": "1",
           "no_proxy": "", "NO_PROXY": ""}
    for k in ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy"):
        env[k] = env[k.upper()] = dead
    return env


def _prlimit(limits):
    """``prlimit`` options (util-linux) for the sandbox: set before bwrap starts, inherited."""
    cpu = limits.cpu_seconds or int(limits.total_timeout) + 10
    mb = 1024 * 1024
    return [shutil.which("prlimit") or "prlimit", f"--as={limits.memory_mb * mb}",
            f"--cpu={cpu}", f"--fsize={limits.max_file_mb * mb}", "--core=0",
            f"--nproc={limits.max_processes}", "--"]




def _kill(proc):
    """Kill the sandbox's whole process group (bwrap; its PID namespace goes with it)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass
    proc.wait()


def run_cells(cells, names, skip, limits, deadline, sandbox=True, hide=()):
    """Run ``cells`` (sources) once, skipping the indexes in ``skip``; return a RunResult.

    ``deadline`` is a ``time.monotonic()`` value for the whole notebook.
    Without ``sandbox`` the runner is only a separate process in a temp dir
    (``grade --no-sandbox``): NO isolation from the grader's files or network.
    """
    res = RunResult()
    job = json.dumps({"cells": cells, "names": names, "skip": sorted(skip)}).encode()
    cg = _Cgroup(limits) if sandbox else None
    with tempfile.TemporaryDirectory(prefix="gmpkit-sub-") as home:
        rfd, wfd = os.pipe()
        runner = [sys.executable, "-I", "-m", "gmpkit.homework.runner", str(wfd)]
        fds = [wfd]
        if sandbox:
            bw = _bwrap_cmd(shutil.which("bwrap"), limits, hide)
            prog = _seccomp_program()
            if prog is not None:
                sfd, sw = os.pipe()
                os.write(sw, prog)             # < 200 bytes: fits the pipe's buffer
                os.close(sw)
                fds.append(sfd)
                bw[1:1] = ["--seccomp", str(sfd)]
            cmd = cg.enter_cmd() + _prlimit(limits) + bw + runner
            env = _env(HOME)
        else:                            # --no-sandbox: limits, but no isolation
            cmd, env = _prlimit(limits) + runner, _env(home)
        try:
            proc = subprocess.Popen(
                cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, env=env, cwd=home, pass_fds=tuple(fds),
                start_new_session=True)
        except OSError as e:
            if cg:
                cg.remove()
            os.close(rfd)
            for fd in fds:
                os.close(fd)
            res.note = f"could not start the sandbox: {e}"
            return res
        for fd in fds:
            os.close(fd)
        try:
            try:
                proc.stdin.write(job)
                proc.stdin.close()
            except BrokenPipeError:
                pass
            _read_protocol(proc, rfd, res, limits, deadline, len(cells), skip)
        finally:
            os.close(rfd)
            _kill(proc)
            if cg:
                cg.remove()
    return res


def _read_protocol(proc, rfd, res, limits, deadline, n_cells, skip=()):
    """Follow the runner's protocol until it ends, dies or runs out of time.

    The student's code runs in the runner's process and can write to the same
    pipe, so nothing read here is trusted beyond its shape: cells start in
    increasing order, only cells that exist and are not skipped, and only the
    cell running may be reported done (a forged line cannot name a cell the
    grader does not know, nor restart a cell's clock more than once a cell).  The
    cell timeout runs from a cell's start until the NEXT cell starts, so a cell
    that forges its own "done" and runs on still times out.
    """
    buf, total, current, started = b"", 0, None, time.monotonic()
    last = -1
    while True:
        now = time.monotonic()
        if now >= deadline:
            res.total_timeout = True
            if current is not None:
                res.timed_out = current
            return
        wait = deadline - now
        if current is not None:
            wait = min(wait, started + limits.cell_timeout - now)
            if wait <= 0:
                res.timed_out = current
                return
        elif last >= 0 and not res.finished:
            # Between cells the runner only exports and starts the next one: a long gap
            # means the cell that said "done" (a line it may have forged) still runs.
            # (GAP_GRACE: an honest cell ending just inside its limit still exports in time.)
            wait = min(wait, started + limits.cell_timeout + GAP_GRACE - now)
            if wait <= 0:
                res.timed_out = last
                return
        ready, _, _ = select.select([rfd], [], [], max(0.01, wait))
        if not ready:
            continue
        chunk = os.read(rfd, 65536)
        if not chunk:                              # the runner exited (or died)
            if not res.finished:
                res.died_in = current
                rc = proc.wait()
                res.note = _death(rc)
            return
        total += len(chunk)
        if total > MAX_PROTOCOL:
            res.note = "the notebook produced too much grader output; stopped"
            res.died_in = current
            return
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            msg = _parse(line)
            if msg is None:
                continue
            if "start" in msg and _index(msg["start"]) and last < msg["start"] < n_cells \
                    and msg["start"] not in skip:
                current, started = msg["start"], time.monotonic()
                last = current
            elif "done" in msg and _index(msg["done"]) and msg["done"] == current:
                current = None                     # ``started`` still times the cell
                if isinstance(msg.get("export"), dict):
                    res.export = msg["export"]
                err = msg.get("error")
                if isinstance(err, list) and len(err) == 2:
                    res.errors.append((msg["done"], str(err[0])[:80], str(err[1])[:200]))
            elif msg.get("end") is True:
                res.finished = True
        if len(buf) > MAX_LINE:
            buf = b""


def _index(x):
    return isinstance(x, int) and not isinstance(x, bool)


def _parse(line):
    if len(line) > MAX_LINE:
        return None
    try:
        msg = json.loads(line)
    except (ValueError, RecursionError):         # RecursionError: JSON nested too deep
        return None
    return msg if isinstance(msg, dict) else None


def _death(rc):
    if rc is None:
        return "the kernel stopped"
    if rc > 128:                 # bwrap reports a child killed by a signal as 128 + signal
        rc = -(rc - 128)
    if rc < 0:
        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = str(-rc)
        why = {"SIGKILL": " (out of memory or CPU time?)", "SIGSEGV": " (a crash)",
               "SIGXCPU": " (the CPU time limit)", "SIGXFSZ": " (the file size limit)"}
        return f"the kernel was killed by {name}{why.get(name, '')}"
    return f"the kernel exited with status {rc}"
