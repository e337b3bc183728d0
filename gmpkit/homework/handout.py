"""One student's assignment: what a homework notebook's setup cell creates.

``assignment(n, STUDENT_ID)`` validates the id, prints a header and returns a
:class:`Homework` whose ``show``/``check`` calls are the notebook's problem and
check cells.  Importing this module imports every assignment module
(:mod:`.assignments`), which register their questions in :mod:`.core`.
"""

from __future__ import annotations

from . import assignments  # noqa: F401 - registers every question
from . import common
from . import workload as wl
from .core import MODES, REGISTRY, Problem, Recorded, summarise
from .variants import check_id, rng_for
from ..checks import Feedback
from ..i18n import tr

__all__ = ["Homework", "assignment"]


class Homework:
    """One student's assignment: the seeded problems and their checks.

    ``mode="practice"`` (self-study, the default): a check computes the
    model's answer and explains it.  ``mode="graded"``: the notebook holds
    no expected answers; a check records the answer and names the mechanism
    to think about; the grader computes the answers in its own process.
    """

    def __init__(self, number, student_id, quiet=False, mode="practice"):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.mode = mode
        if number not in REGISTRY:
            raise ValueError(f"no homework assignment {number!r}; there are "
                             f"{', '.join(map(str, sorted(REGISTRY)))}")
        self.info = REGISTRY[number]
        self.number = number
        self.student_id = check_id(student_id)
        self._problems: dict[str, Problem] = {}
        if not quiet:
            print(tr("Assignment {number}: {title}\nStudent {sid!r}: {n} questions, with "
                     "numbers generated from your id.", number=number,
                     title=tr(self.info.title),   # i18n: AssignmentInfo titles are N_() in hw*.py
                     sid=self.student_id, n=len(self.info.questions)))

    @property
    def qids(self):
        return [q for q, _, _ in self.info.questions]

    def problem(self, qid) -> Problem:
        if qid not in self._problems:
            for q, title, factory in self.info.questions:
                if q == qid:
                    p = factory(rng_for(self.student_id, self.number, qid))
                    p.qid, p.title = qid, title
                    if self.mode == "graded":     # no way to the expected answer from here
                        p.check = Recorded(qid, title, self.info.hints.get(qid, title))
                    self._problems[qid] = p
                    break
            else:
                raise KeyError(f"assignment {self.number} has no question {qid!r}; "
                               f"its questions are {', '.join(self.qids)}")
        return self._problems[qid]

    def points(self, qid):
        return self.info.points.get(qid, 1)

    def params(self, qid):
        """The problem's numbers (solution cells derive the answer from them)."""
        return dict(self.problem(qid).params)

    def show(self, qid):
        p = self.problem(qid)
        print(f"{qid}: {tr(p.title)}\n\n{p.text}")   # i18n: titles are N_() in hw*.py @question

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
                            tr("{qid}: the answer could not be checked: {type}: {error}",
                               qid=qid, type=type(e).__name__, error=e))

    def try_workload(self, spec, model="gmp", **params):
        """Run a workload and print what the scheduler did (for experimenting).

        ``model`` is a model object or a name with the homework's costs:
        ``"green"``, ``"threads"`` (cpus=), ``"gm"`` (procs=), ``"gmp"`` (procs=).
        """
        if isinstance(model, str):
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



def assignment(number, student_id, mode="practice"):
    """The assignment ``number`` for ``student_id`` (raises StudentIdError if the id is bad).

    ``mode="graded"`` is what graded student notebooks call (see :class:`Homework`).
    """
    return Homework(number, student_id, mode=mode)
