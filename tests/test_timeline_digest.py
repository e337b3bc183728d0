"""The schedules of a fixed set of scenarios x models are exactly those of the code before
the engine speed-ups (issue 12): same spans, events, counters, stats and workload results.

The expected digests in tests/data/timeline_digests.json were computed by running
``python -m tests.timeline_digest --write`` on the original code (commit b640b22); see
tests/timeline_digest.py.  A change to any recorded span, event or counter changes a digest.
"""

import json

import pytest

from tests import timeline_digest as td

EXPECTED = json.loads(td.DIGESTS.read_text())


@pytest.fixture(scope="module")
def now_digests():
    return td.compute_all()


def test_same_cases_as_recorded(now_digests):
    assert sorted(now_digests) == sorted(EXPECTED)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_timeline_unchanged(now_digests, key):
    assert now_digests[key] == EXPECTED[key], (
        f"{key}: the timeline differs from the one the original engine recorded")
