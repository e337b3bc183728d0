"""Recorded real traces (``gmpkit/data/traces``) and the provenance of every recording.

Each recorded trace ``NAME.txt`` has a sidecar ``NAME.json`` saying where it
came from (Go version, OS, CPU, command, date).  Files are read and written
through :mod:`gmpkit.resources`, so they ship inside the package.

>>> text, meta = read_trace("schedtrace_demo")
>>> text.startswith("SCHED"), "go_version" in meta
(True, True)
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import sys

from .. import resources
from ..resources import data_dir

__all__ = ["data_dir", "read_trace", "write_trace", "provenance", "cpu_model"]


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo on Linux), or platform's guess."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _loadavg():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def provenance(command="", go=None) -> dict:
    """Where a measurement or trace comes from: machine, OS, Go version, date, command."""
    if go is None:
        try:
            from .toolchain import find_go
            go = find_go()
        except Exception:  # noqa: BLE001 - provenance must never fail the measurement
            go = None
    return {
        "go_version": getattr(go, "version", None),
        "os": platform.platform(),
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "loadavg": _loadavg(),
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": command,
    }


def read_trace(name):
    """``(text, provenance)`` of recorded trace ``gmpkit/data/traces/NAME.txt``.

    The provenance sidecar ``NAME.json`` is required too: a trace without it is an error.
    """
    have = [n[:-4] for n in resources.names("traces", ".txt")]
    if name not in have:
        raise resources.MissingDataError(
            f"no recorded trace gmpkit/data/traces/{name}.txt; recorded ones: {', '.join(have) or 'none'}")
    return resources.read_text(f"traces/{name}.txt"), resources.read_json(f"traces/{name}.json")


def write_trace(name, text, meta):
    """Save a trace and its provenance as ``gmpkit/data/traces/NAME.txt`` + ``NAME.json``."""
    resources.write_json(f"traces/{name}.json", meta, sort_keys=True)
    return resources.write_text(f"traces/{name}.txt", text)
