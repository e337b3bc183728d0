"""One byte formatter for the whole package (gmpkit.units.fmt_bytes)."""

import re
from pathlib import Path

import pytest

from gmpkit.units import fmt_bytes

PKG = Path(__file__).resolve().parents[1] / "gmpkit"


@pytest.mark.parametrize("n, text", [
    (0, "0 B"), (1, "1 B"), (512, "512 B"), (1000, "1000 B"), (1023, "1023 B"),
    (1024, "1 KiB"), (2687, "2.62 KiB"), (1000 * 1024, "1000 KiB"), (1023.9 * 1024, "1024 KiB"),
    (8 << 20, "8 MiB"), (132 << 10, "132 KiB"), (int(2.5 * (1 << 30)), "2.5 GiB"),
    (1 << 47, "128 TiB"), (-(3 << 30), "-3 GiB"), (1 << 70, "1024 EiB"),
])
def test_fmt_bytes(n, text):
    assert fmt_bytes(n) == text


def test_no_exponent_ever():
    for k in range(0, 64):
        for n in (2 ** k, 2 ** k * 1000 // 1024, 2 ** k - 1):
            assert "e" not in fmt_bytes(n).split()[0], n


def test_written_once():
    defs = [f"{p.relative_to(PKG)}:{i}" for p in PKG.rglob("*.py")
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if re.match(r"\s*def _?fmt_bytes\b", line)]
    assert len(defs) == 1 and defs[0].startswith("units.py:"), defs
