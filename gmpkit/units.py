"""Quantities written for people: byte counts in binary units.

>>> fmt_bytes(8 << 20)
'8 MiB'
>>> fmt_bytes(2048 + 639)
'2.62 KiB'
>>> fmt_bytes(512), fmt_bytes(1000), fmt_bytes(1023 * 1024)
('512 B', '1000 B', '1023 KiB')
>>> fmt_bytes(-3 << 30)
'-3 GiB'
"""

from __future__ import annotations

__all__ = ["fmt_bytes"]

_BYTE_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")


def fmt_bytes(n) -> str:
    """``n`` bytes with a binary unit and three significant digits (whole bytes below 1 KiB)."""
    v = float(n)
    for unit in _BYTE_UNITS:
        if abs(v) < 1024 or unit == _BYTE_UNITS[-1]:
            break
        v /= 1024
    if unit == "B":
        return f"{v:.0f} B"
    text = f"{v:.3g}"
    if "e" in text:              # 1000..1023.x: .3g would print 1e+03
        text = f"{v:.0f}"
    return f"{text} {unit}"
