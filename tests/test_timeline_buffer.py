"""The Timeline buffers the simulator's records and moves them into its columns in
chunks (issue 12): every reader must still see every record, in recording order,
and ``end_time`` must keep its meaning (the latest instant recorded since it was
last set)."""

import numpy as np
import pytest

from gmpkit import timeline as tlmod
from gmpkit.timeline import Timeline


def _fill(tl, n):
    """n rounds of: a hot-path M span, a generic P-lane span, a hot-path event and a
    generic event, with times growing."""
    for i in range(n):
        t = 100 * i
        tl._add_m_span("running", t, t + 50, 0, 1, i)
        tl.add_span("idle", t + 50, t + 90, lane="P", p=1)
        tl._add_event("spawn", t + 10, i, -1, -1, 0, "")
        tl.add_event("steal", t + 20, m=0, p=1, other=2, detail=f"n={i}")


def _expected_spans(n):
    out = []
    for i in range(n):
        t = 100 * i
        out.append(("running", t, t + 50, "M", 0, 1, i))
        out.append(("idle", t + 50, t + 90, "P", -1, 1, -1))
    return out


@pytest.mark.parametrize("n", [1, 3, 5000])    # within one chunk, and across several
def test_every_record_is_read_back_in_order(n, monkeypatch):
    monkeypatch.setattr(tlmod, "_FLUSH_SPANS", 1000)
    monkeypatch.setattr(tlmod, "_FLUSH_EVENTS", 1000)
    tl = Timeline(procs=2)
    _fill(tl, n)
    assert [tuple(s) for s in tl.spans] == _expected_spans(n)
    assert [tuple(e) for e in tl.events] == [
        ev for i in range(n) for ev in (("spawn", 100 * i + 10, i, -1, -1, 0, ""),
                                        ("steal", 100 * i + 20, -1, 0, 1, 2, f"n={i}"))]
    assert len(tl) == 4 * n and tl.count("steal") == n
    a = tl.span_arrays()
    assert a["end"].tolist() == [s[2] for s in _expected_spans(n)]
    assert tl.end_time == 100 * (n - 1) + 90


def test_a_reader_in_the_middle_of_a_run_sees_everything_so_far():
    tl = Timeline(procs=2)
    tl._add_m_span("running", 0, 10, 0, 0, 1)
    tl._add_event("ready", 5, 2, -1, -1, 1, "")
    assert len(tl._sp_state) == 1 and len(tl._ev_kind) == 1 and tl.end_time == 10
    tl._add_m_span("switch", 10, 30, 0, 0, 2)
    assert tl.end_time == 30 and tl.gs == [1, 2]
    assert [s.state for s in tl.spans] == ["running", "switch"]


def test_end_time_counts_only_what_was_recorded_after_it_was_set():
    tl = Timeline(procs=1)
    tl._add_m_span("running", 0, 500, 0, 0, 1)
    tl.end_time = 200                     # set below a span recorded before: it stays 200
    assert tl.end_time == 200
    tl._add_event("ready", 150, 1, -1, -1, -1, "")
    assert tl.end_time == 200             # an earlier event does not lower it
    tl._add_m_span("running", 200, 260, 0, 0, 1)
    assert tl.end_time == 260 and type(tl.end_time) is int


def test_numbers_that_are_not_whole_are_refused_when_recorded():
    tl = Timeline(procs=1)
    with pytest.raises(TypeError):
        tl.add_span("running", 0.5, 10, m=0, p=0, g=1)
    with pytest.raises(TypeError):
        tl.add_event("spawn", 1.5, g=1)
    tl.add_span("running", np.int64(3), np.int64(9), m=0, p=0, g=1)   # numpy ints are fine
    assert tl.spans[0].end == 9 and tl.end_time == 9 and type(tl.end_time) is int
