"""Assignments, their seeded problems, and the checks behind the check cells.

An assignment module (``hw1`` ... ``hw5``) registers question factories with
:func:`question`.  A factory gets the student's :class:`random.Random` and
returns a :class:`Problem`: the text shown to the student (the workload and
the model configuration, printed readably), the parameters (for solution
cells), and a check -- a :class:`gmpkit.checks.Question` whose answer the
model computes, or a :class:`WorkloadTask` that runs the student's workload.

In a notebook::

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
from . import workload as wl
from .variants import check_id, rng_for

__all__ = ["Problem", "WorkloadTask", "Homework", "assignment", "question", "REGISTRY",
           "AssignmentInfo", "HW_COSTS", "answer_name", "plain"]

# Fixed, round costs for every homework model, printed with the problems: the
# expected answers must not move when data/costs.json is re-measured.
HW_COSTS = {"goroutine_switch_ns": 200, "goroutine_create_ns": 200, "thread_create_ns": 20_000,
            "kernel_switch_ns": 5_000, "syscall_overhead_ns": 0,
            # sysmon wakes exactly every 20 µs (the problems say so), not 20 µs + this
            # machine's measured sleep overshoot
            "usleep_overhead_ns": 0}


@dataclass
class AssignmentInfo:
    number: int
    title: str
    questions: list = field(default_factory=list)   # [(qid, title, factory)]


REGISTRY: dict[int, AssignmentInfo] = {}


def question(number, qid, title):
    """Register ``factory(rng) -> Problem`` as question ``qid`` of assignment ``number``."""

    def deco(factory):
        info = REGISTRY[number]
        if any(q == qid for q, _, _ in info.questions):
            raise ValueError(f"assignment {number} already has a question {qid!r}")
        info.questions.append((qid, title, factory))
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
            msg = (f"{self.qid}: not answered yet -- replace ... with your workload (a list of "
                   f"operations, see the example above), then run the cell again.")
            if strict:
                raise Unanswered(msg)
            return Feedback(self.qid, False, None, given, msg)
        try:
            spec = wl.validate(given)
            ok, text = self._goal(spec)
        except wl.WorkloadSpecError as e:
            ok, text = False, f"That is not a workload the checker can run: {e}."
        except Exception as e:  # noqa: BLE001 - a deadlock, a limit: say so, don't crash
            ok, text = False, (f"Running your workload failed: {type(e).__name__}: "
                               f"{str(e).splitlines()[0] if str(e) else ''}")
        text = ("Correct: " if ok else "Not yet: ") + text
        if strict and not ok:
            raise WrongAnswer(f"{self.qid}: {text}")
        return Feedback(self.qid, ok, None, given, text)


class Homework:
    """One student's assignment: the seeded problems and their checks."""

    def __init__(self, number, student_id, quiet=False):
        from . import assignments  # noqa: F401 - registers the questions
        if number not in REGISTRY:
            raise ValueError(f"no homework assignment {number!r}; there are "
                             f"{', '.join(map(str, sorted(REGISTRY)))}")
        self.info = REGISTRY[number]
        self.number = number
        self.student_id = check_id(student_id)
        self._problems: dict[str, Problem] = {}
        if not quiet:
            print(f"Assignment {number}: {self.info.title}\n"
                  f"Student {self.student_id!r}: {len(self.info.questions)} questions, "
                  f"with numbers generated from your id.")

    @property
    def qids(self):
        return [q for q, _, _ in self.info.questions]

    def problem(self, qid) -> Problem:
        if qid not in self._problems:
            for q, title, factory in self.info.questions:
                if q == qid:
                    p = factory(rng_for(self.student_id, self.number, qid))
                    p.qid, p.title = qid, title
                    self._problems[qid] = p
                    break
            else:
                raise KeyError(f"assignment {self.number} has no question {qid!r}; "
                               f"its questions are {', '.join(self.qids)}")
        return self._problems[qid]

    def params(self, qid):
        """The problem's numbers (solution cells derive the answer from them)."""
        return dict(self.problem(qid).params)

    def show(self, qid):
        p = self.problem(qid)
        print(f"{qid}: {p.title}\n\n{p.text}")

    def check(self, qid, answer):
        """Print the feedback; raise Unanswered / WrongAnswer when not right."""
        fb = self.problem(qid).check.check(answer, strict=True)
        print(fb.text)

    def feedback(self, qid, answer) -> Feedback:
        """The feedback on ``answer``, never raising (the grader's call)."""
        try:
            return self.problem(qid).check.check(answer, strict=False)
        except Exception as e:  # noqa: BLE001
            return Feedback(qid, False, None, answer,
                            f"{qid}: the answer could not be checked: {type(e).__name__}: {e}")

    def try_workload(self, spec, model="gmp", **params):
        """Run a workload and print what the scheduler did (for experimenting).

        ``model`` is a model object or a name with the homework's costs:
        ``"green"``, ``"threads"`` (cpus=), ``"gm"`` (procs=), ``"gmp"`` (procs=).
        """
        if isinstance(model, str):
            from . import common
            make = {"green": common.green, "threads": common.threads, "gm": common.gm,
                    "gmp": common.gmp}[model]
            model = make(**params) if model in ("green",) else make(params.pop(
                "cpus" if model == "threads" else "procs", 2), **params)
        print(wl.describe(spec))
        r = wl.run(spec, model)
        print(summarise(r))
        return r

    def __repr__(self):
        return f"<Homework {self.number} for {self.student_id!r}>"


def summarise(run):
    """One paragraph of what a run did: makespan and the scheduler's counts."""
    st = run.stats
    keys = [("makespan_ns", "makespan"), ("threads_created", "threads created"),
            ("context_switches", "goroutine/thread switches"), ("steals", "steals"),
            ("overflows", "ring overflows"), ("retakes", "syscall retakes"),
            ("handoffs", "hand-offs"), ("preemptions", "preemptions"),
            ("exitsyscall_requeues", "exitsyscall requeues"), ("global_queue_peak",
                                                              "global queue peak")]
    parts = []
    for k, label in keys:
        if k in st:
            v = st[k]
            parts.append(f"{label} {fmt_ns(v) if k == 'makespan_ns' else v}")
    return f"{run.timeline.meta.get('model')}: " + ", ".join(parts)


def fmt_ns(ns):
    if ns >= 1_000_000:
        return f"{ns / 1e6:,.3f} ms"
    if ns >= 1_000:
        return f"{ns / 1e3:,.1f} µs"
    return f"{ns} ns"


def assignment(number, student_id):
    """The assignment ``number`` for ``student_id`` (raises StudentIdError if the id is bad)."""
    return Homework(number, student_id)


def make_question(qid, prompt, answer, explain, compare=exact, hint=None):
    return Question(qid, prompt, answer=answer, explain=explain, compare=compare, hint=hint)
