"""Recorded real data (``data/traces``, ``data/measurements``) and its provenance.

Each recorded trace ``NAME.txt`` has a sidecar ``NAME.json`` saying where it
came from (Go version, OS, CPU, command, date).  The data folder is the
repository's ``data/``; ``$GMPKIT_DATA`` overrides it.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import sys
from pathlib import Path

__all__ = ["data_dir", "read_trace", "write_trace", "provenance", "cpu_model"]


def data_dir() -> Path:
    """The folder holding ``traces/`` and ``measurements/``."""
    if os.environ.get("GMPKIT_DATA"):
        return Path(os.environ["GMPKIT_DATA"])
    return Path(__file__).resolve().parents[2] / "data"


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
    """``(text, provenance)`` of recorded trace ``data/traces/NAME.txt``."""
    path = data_dir() / "traces" / f"{name}.txt"
    if not path.is_file():
        have = sorted(p.stem for p in (data_dir() / "traces").glob("*.txt"))
        raise FileNotFoundError(f"no recorded trace {path}; recorded ones: {', '.join(have) or 'none'}")
    meta_path = path.with_suffix(".json")
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    return path.read_text(encoding="utf-8"), meta


def write_trace(name, text, meta):
    """Save a trace and its provenance as ``data/traces/NAME.txt`` + ``NAME.json``."""
    d = data_dir() / "traces"
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{name}.txt").write_text(text, encoding="utf-8")
    (d / f"{name}.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    return d / f"{name}.txt"
