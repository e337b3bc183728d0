"""gmpkit.facts: the retake and preemption delays the prose prints are the model's.

The helpers measure the model from its timeline; these tests check the
relations proc.go implies (one to two sysmon ticks; the 10 ms limits plus a
backed-off tick; a tight loop without async preemption runs to its end), and
that no lesson or the README types such a delay in by hand.
"""

import re
from pathlib import Path

import pytest

from gmpkit import facts
from gmpkit.models import gmp as gmp_model

ROOT = Path(__file__).resolve().parent.parent


def test_the_tick_is_the_gap_between_sysmon_rounds_in_the_model():
    tick = facts.sysmon_tick_ns()
    # at its shortest sleep sysmon's round is at least the requested usleep(20)
    assert tick >= gmp_model.SYSMON_MIN_US * 1000
    assert tick < 50 * gmp_model.SYSMON_MIN_US * 1000


@pytest.mark.parametrize("procs", [1, 2])
def test_with_work_queued_the_p_goes_after_one_to_two_ticks(procs):
    r = facts.retake_delay(procs, True)
    assert len(r.retaken) == len(r.samples), "a syscall with queued work always loses its P"
    assert r.tick_ns < r.min_ns <= r.max_ns <= 2 * r.tick_ns + r.tick_ns // 4, r
    # the phase of the syscall within sysmon's cycle matters: the spread is most of a tick
    assert r.max_ns - r.min_ns > r.tick_ns // 2, r


def test_with_nothing_queued_and_an_idle_p_the_p_stays_for_the_10ms_limit():
    r = facts.retake_delay(2, False)
    assert r.retaken and r.min_ns >= facts.syscall_retake_ns(), r
    # ... plus a backed-off sysmon tick, never more than sysmon's longest sleep
    assert r.max_ns <= facts.syscall_retake_ns() + gmp_model.SYSMON_MAX_US * 1000 + r.tick_ns, r


def test_on_one_p_nothing_queued_still_loses_its_p_since_nobody_is_idle():
    one, two = facts.retake_delay(1, False), facts.retake_delay(2, False)
    assert one.max_ns <= 2 * one.tick_ns + one.tick_ns // 4 < two.min_ns


def test_a_short_syscall_keeps_its_p():
    r = facts.retake_delay(2, True, syscall_us=facts.sysmon_tick_ns() / 2000)
    assert r.retaken == [], r


def test_preemption_after_the_time_slice_plus_sysmons_backed_off_look():
    d = facts.preempt_delay()
    assert facts.force_preempt_ns() <= d <= facts.force_preempt_ns() + gmp_model.SYSMON_MAX_US * 1000
    # a loop that makes calls is stopped as soon as one that is signalled
    assert facts.preempt_delay(tight=False) == d
    # a tight loop without async preemption runs to its end (40 ms)
    assert facts.preempt_delay(async_preempt=False) == 40_000_000


def test_sentences_carry_the_computed_numbers():
    r = facts.retake_delay(2, True)
    s = facts.retake_sentences()
    assert facts.fmt(r.max_ns) in s[0] and facts.fmt(r.tick_ns) in s[0]
    assert facts.fmt(facts.preempt_delay()) in facts.preempt_sentence()
    assert facts.fmt(facts.sysmon_tick_ns()) in facts.retake_rule()


def test_span_formats_a_range_once_per_unit():
    r = facts.RetakeDelay(1, True, 1, (21_300, 38_800), 20_000)
    assert r.span() == "21.3–38.8 µs"
    assert facts.RetakeDelay(1, True, 1, (None,), 20_000).span() == "never"


@pytest.mark.parametrize("procs", [0, -1, 1.5, "2", True])
def test_bad_procs_is_refused_with_the_fix(procs):
    with pytest.raises(ValueError, match="procs must be an int from 1 to 64"):
        facts.retake_delay(procs)


# ---- no typed-in delays ------------------------------------------------------------------------

# English and Chinese (both editions' prose: 抢占 preempt, 收回/夺回/拿回 retake)
_DELAY_WORDS = re.compile(r"sysmon|retak|retook|preempt|抢占|收回|夺回|拿回", re.I)
# a unit not followed by a Latin letter (\b would miss "20 µs后": CJK is a word character)
_DURATION = re.compile(r"\d[\d.,]*\s*(?:[–~～-]\s*\d[\d.,]*\s*)?(?:ns|µs|us|ms|纳秒|微秒|毫秒)"
                       r"(?![A-Za-z])")


def _prose():
    from tools.nbbuild import parse
    # the lessons 02..06 (and 06's halves after its split into 06_gmp_queues and 07_gmp_syscalls);
    # model_vs_reality compares with real runs and is checked by its own tests
    lessons = [p for p in sorted((ROOT / "notebooks" / "src").glob("0[2-7]_*.py"))
               if "model_vs_reality" not in p.stem]
    assert len(lessons) >= 5, lessons
    for src in lessons:
        for cell in parse(src.read_text()):
            if cell.cell_type == "markdown":
                yield src.stem, cell.source
    for readme in ("README.md", "README.zh.md"):
        yield readme, (ROOT / readme).read_text(encoding="utf-8")


def _sentences(text):
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|(?<=[。！？；])|\n\s*(?:[*|#-]|\d+\.)\s*|\n\n",
                                        text) if s.strip()]


def test_no_lesson_types_a_retake_or_preemption_delay():
    """Those delays depend on the machine (sysmon's delivered tick): the
    notebooks print them from gmpkit.facts instead."""
    bad = [(where, s) for where, text in _prose() for s in _sentences(text)
           if _DELAY_WORDS.search(s) and _DURATION.search(s)]
    assert not bad, "\n".join(f"{w}: {s}" for w, s in bad)


def test_the_typed_delay_check_can_fail():
    assert _DURATION.search("sysmon retakes the P after 20–40 µs")
    zh = [s for s in _sentences("P 很快被收回。sysmon 在 20 µs后收回 P。其他。")
          if _DELAY_WORDS.search(s) and _DURATION.search(s)]
    assert zh == ["sysmon 在 20 µs后收回 P。"]
    assert [s for s in _sentences("A. sysmon wakes every 20 µs. B.")
            if _DELAY_WORDS.search(s) and _DURATION.search(s)]
