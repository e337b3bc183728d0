"""Questions, their seeded problems, and the checks behind the check cells.

An assignment module (``hw1`` ... ``hw5``) registers question factories with
:func:`question`.  This module imports no assignment module (they import it);
:mod:`.handout` puts them together into one student's :class:`Homework`.
A factory gets the student's :class:`random.Random` and returns a
:class:`Problem`: the text shown to the student (the workload and the model
configuration, printed readably), the parameters (for solution cells), and a
check -- a :class:`gmpkit.checks.Question` whose answer the
model computes, or a :class:`WorkloadTask` that runs the student's workload.

In a notebook (see :mod:`.handout`)::

    hw = assignment(4, STUDENT_ID)     # validates the id, prints a header
    hw.show("q1")                      # the problem
    hw.check("q1", answer_q1)          # feedback, or Unanswered / WrongAnswer

The grader calls :meth:`Homework.feedback` in its own process on the value a
submission ended with: the notebook's own check cells only teach.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable

from ..checks import Feedback, Question, Unanswered, WrongAnswer, exact
from ..i18n import N_, tr
from . import workload as wl
from .common import HW_COSTS, fmt_ns

__all__ = ["Problem", "WorkloadTask", "Recorded", "question", "REGISTRY", "MODES",
           "AssignmentInfo", "HW_COSTS", "answer_name", "plain", "summarise", "make_question"]

MODES = ("practice", "graded")


@dataclass
class AssignmentInfo:
    number: int
    title: str
    questions: list = field(default_factory=list)   # [(qid, title, factory)]
    points: dict = field(default_factory=dict)      # qid -> points (default 1)
    hints: dict = field(default_factory=dict)       # qid -> mechanism hint (graded mode)


REGISTRY: dict[int, AssignmentInfo] = {}


def question(number, qid, title, points=1, hint=None):
    """Register ``factory(rng) -> Problem`` as question ``qid`` of assignment ``number``.

    ``points`` is the question's weight in the gradebook; a question whose
    answer is a list (a finish order, several parts) earns partial credit,
    the share of its items in the right place.  ``hint`` is the mechanism a
    graded-mode check cell points at (default: the title).
    """

    def deco(factory):
        info = REGISTRY[number]
        if any(q == qid for q, _, _ in info.questions):
            raise ValueError(f"assignment {number} already has a question {qid!r}")
        info.questions.append((qid, title, factory))
        info.points[qid] = points
        if hint:
            info.hints[qid] = hint
        return factory

    return deco


def answer_name(qid, kind="predict"):
    """The variable a notebook stores its answer to ``qid`` in."""
    return f"{'workload' if kind == 'workload' else 'answer'}_{qid}"


def plain(value):
    """``value`` as JSON data (what the grader can carry out of a kernel), or raise TypeError."""
    if value is Ellipsis:
        return value
    return json.loads(json.dumps(value, allow_nan=False))


@dataclass
class Problem:
    """One student's version of a question."""
    qid: str
    title: str
    text: str                        # the problem as shown
    check: Any                       # a checks.Question or a WorkloadTask
    params: dict = field(default_factory=dict)
    kind: str = "predict"            # "predict" or "workload"
    unit: str = ""                   # what the answer is (shown in the stub's comment)


class WorkloadTask:
    """A "write a workload" task: the student's workload runs under the model
    and ``goal(spec) -> (ok, text)`` judges what the scheduler did.

    ``goal`` explains the outcome either way (what happened, what was wanted,
    which mechanism): feedback teaches.
    """

    def __init__(self, qid, prompt, goal: Callable, example=None):
        self.qid = qid
        self.prompt = prompt
        self._goal = goal
        self.example = example          # a workload that passes (tests use it)

    def check(self, given, strict=True):
        if given is Ellipsis:
            msg = tr("{qid}: not answered yet -- replace ... with your workload (a list of "
                     "operations, see the example above), then run the cell again.", qid=self.qid)
            if strict:
                raise Unanswered(msg)
            return Feedback(self.qid, False, None, given, msg)
        try:
            spec = wl.validate(given)
            ok, text = self._goal(spec)
        except wl.WorkloadSpecError as e:
            ok, text = False, tr("That is not a workload the checker can run: {error}.", error=e)
        except Exception as e:  # noqa: BLE001 - a deadlock, a limit: say so, don't crash
            ok, text = False, tr("Running your workload failed: {type}: {error}",
                                 type=type(e).__name__,
                                 error=str(e).splitlines()[0] if str(e) else "")
        text = tr("Correct: {text}", text=text) if ok else tr("Not yet: {text}", text=text)
        if strict and not ok:
            raise WrongAnswer(f"{self.qid}: {text}")
        return Feedback(self.qid, ok, None, given, text)


class Recorded:
    """A graded-mode check: it records the answer and holds no expected answer."""

    def __init__(self, qid, title, hint):
        self.qid, self.title, self.hint = qid, title, hint

    @property
    def expected(self):
        raise AttributeError(tr("{qid}: this is a graded notebook: the expected answer is "
                                "computed by the grader, not in your notebook", qid=self.qid))

    def check(self, given, strict=True):
        if given is Ellipsis:
            msg = tr("{qid}: not answered yet -- replace ... with your answer, then run the "
                     "cell again.", qid=self.qid)
            if strict:
                raise Unanswered(msg)
            return Feedback(self.qid, False, None, given, msg)
        try:
            shown = repr(plain(given))
        except (TypeError, ValueError):
            msg = tr("{qid}: {type} is not plain data: give a number, a string or a list, "
                     "which the grader can read.", qid=self.qid, type=type(given).__name__)
            if strict:
                raise WrongAnswer(msg)
            return Feedback(self.qid, False, None, given, msg)
        if len(shown) > 200:
            shown = shown[:197] + "..."
        return Feedback(self.qid, None, None, given,
                        tr("{qid}: recorded {shown}. It is graded after the deadline. Before you "
                           "go on, check your reasoning against the mechanism: {hint}",
                           qid=self.qid, shown=shown,
                           hint=tr(self.hint)))   # i18n: hints are N_() in hw*.py @question


def summarise(run):
    """One paragraph of what a run did: makespan and the scheduler's counts."""
    st = run.stats
    keys = [("makespan_ns", N_("makespan")), ("threads_created", N_("threads created")),
            ("context_switches", N_("goroutine/thread switches")), ("steals", N_("steals")),
            ("overflows", N_("ring overflows")), ("retakes", N_("syscall retakes")),
            ("handoffs", N_("hand-offs")), ("preemptions", N_("preemptions")),
            ("exitsyscall_requeues", "exitsyscall requeues"), ("global_queue_peak",
                                                              N_("global queue peak"))]
    parts = []
    for k, label in keys:
        if k in st:
            v = st[k]
            parts.append(f"{tr(label)} {fmt_ns(v) if k == 'makespan_ns' else v}")  # i18n: N_() above
    return f"{run.timeline.meta.get('model')}: " + tr(", ").join(parts)


def make_question(qid, prompt, answer, explain, compare=exact, hint=None):
    return Question(qid, prompt, answer=answer, explain=explain, compare=compare, hint=hint)
