"""Predict-then-check questions whose answers the model computes.

A :class:`Question` knows how to compute its expected answer (usually by
running a simulation) and how to explain it, so feedback teaches: what was
expected, why, and which mechanism produced it -- never just "wrong".

Used two ways:

* in the lecture notebooks, ``q.check(answer, strict=False)`` prints feedback
  (and ``q.widget()`` gives a box-and-button version for self-learners);
* in homework, ``q.check(answer)`` raises :class:`WrongAnswer` or
  :class:`Unanswered` so nbval and the grader see a failing cell.

>>> q = Question("double", "What is 2 x 21?", answer=lambda: 42,
...              explain=lambda exp: f"2 x 21 = {exp}: doubling adds the number to itself.")
>>> print(q.check(42, strict=False))
Correct: 42. 2 x 21 = 42: doubling adds the number to itself.
>>> print(q.check(40, strict=False))
Not quite: you said 40, the model says 42. 2 x 21 = 42: doubling adds the number to itself.
>>> q.check(...)
Traceback (most recent call last):
  ...
gmpkit.checks.Unanswered: double: not answered yet -- replace ... with your prediction, then run the cell again.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from .i18n import pick, tr

__all__ = ["Question", "Feedback", "WrongAnswer", "Unanswered", "exact", "within",
           "self_check", "answer_boxes", "reveal"]


class Unanswered(AssertionError):
    """The answer is still the ``...`` placeholder."""


class WrongAnswer(AssertionError):
    """The answer differs from the model's; the message explains why."""


def exact(given, expected):
    """Equal after normalising ints/floats, strings (case, spaces) and sequences."""
    if isinstance(expected, str) and isinstance(given, str):
        return given.strip().lower() == expected.strip().lower()
    if isinstance(expected, (list, tuple)) and isinstance(given, (list, tuple)):
        return len(given) == len(expected) and all(exact(a, b) for a, b in zip(given, expected))
    if isinstance(expected, bool) or isinstance(given, bool):
        return given is expected
    if isinstance(expected, (int, float)) and isinstance(given, (int, float)):
        return math.isclose(given, expected, rel_tol=0, abs_tol=1e-9)
    return given == expected


def within(rel=0.1, abs_=0.0):
    """A comparison that accepts a number within ``rel`` (relative) or ``abs_``."""

    def cmp(given, expected):
        if isinstance(given, bool) or not isinstance(given, (int, float)):
            return False
        return math.isclose(given, expected, rel_tol=rel, abs_tol=abs_)

    cmp.describe = f"within {rel:.0%}" if rel else f"within {abs_}"   # English, as before
    cmp.tolerance = (rel, abs_)
    return cmp


def _describe(compare):
    """A comparison's tolerance in the learner's language ("" for an exact one)."""
    if getattr(compare, "tolerance_text", None):
        return tr(compare.tolerance_text)   # i18n: an N_() literal where the comparison is made
    tol = getattr(compare, "tolerance", None)
    if tol is not None:
        rel, abs_ = tol
        return tr("within {rel:.0%}", rel=rel) if rel else tr("within {abs}", abs=abs_)
    return getattr(compare, "describe", "")


class Feedback:
    """The outcome of a check: ``ok``, ``expected``, ``given`` and the text."""

    __slots__ = ("qid", "ok", "expected", "given", "text")

    def __init__(self, qid, ok, expected, given, text):
        self.qid, self.ok, self.expected, self.given, self.text = qid, ok, expected, given, text

    def __str__(self):
        return self.text

    def __repr__(self):
        return self.text

    def __bool__(self):
        return self.ok


class Question:
    """A question with a model-computed answer and an explanation.

    Parameters
    ----------
    qid : str -- a stable id (graders and tests refer to it)
    prompt : str, or {"en": str, "zh": str} -- what is asked (Markdown allowed); a pair
        is shown in the learner's language (:func:`gmpkit.set_language`)
    answer : callable() -> expected -- computes the expected answer
    explain : callable(expected) -> str or {"en": str, "zh": str} -- why that is the
        answer (the mechanism)
    compare : callable(given, expected) -> bool -- default :func:`exact`
    hint : callable(given, expected) -> str, optional -- extra feedback for a
        specific wrong answer (e.g. "you counted runnext in the ring")
    """

    def __init__(self, qid, prompt, answer: Callable[[], Any], explain: Callable[[Any], str],
                 compare=exact, hint=None):
        self.qid = qid
        self.prompt = prompt
        self._answer = answer
        self._explain = explain
        self.compare = compare
        self._hint = hint
        self._cache = None

    @property
    def expected(self):
        """The model's answer (computed once)."""
        if self._cache is None:
            self._cache = (self._answer(),)
        return self._cache[0]

    @property
    def shown_prompt(self):
        """The prompt in the learner's language."""
        return pick(self.prompt)

    def explanation(self):
        return pick(self._explain(self.expected))

    def check(self, given, strict=True):
        """Compare ``given`` with the model; return :class:`Feedback`.

        ``strict=True`` raises Unanswered / WrongAnswer (homework); with
        ``strict=False`` the feedback is returned either way (lecture notebooks).
        """
        if given is Ellipsis:
            msg = tr("{qid}: not answered yet -- replace ... with your prediction, then run "
                     "the cell again.", qid=self.qid)
            if strict:
                raise Unanswered(msg)
            return Feedback(self.qid, False, None, given, msg)
        exp = self.expected
        ok = bool(self.compare(given, exp))
        why = self.explanation()
        if ok:
            text = tr("Correct: {expected}. {why}", expected=_show(exp), why=why)
        else:
            tol = _describe(self.compare)
            if tol:
                text = tr("Not quite: you said {given}, the model says {expected} ({tolerance} "
                          "counts). {why}", given=_show(given), expected=_show(exp),
                          tolerance=tol, why=why)
            else:
                text = tr("Not quite: you said {given}, the model says {expected}. {why}",
                          given=_show(given), expected=_show(exp), why=why)
            if self._hint:
                extra = pick(self._hint(given, exp))
                if extra:
                    text += tr(" Hint: {hint}", hint=extra)
        fb = Feedback(self.qid, ok, exp, given, text)
        if strict and not ok:
            raise WrongAnswer(f"{self.qid}: {text}")
        return fb

    def widget(self, placeholder=None):
        """A text box and a Check button that shows the feedback (for self-learners)."""
        import ipywidgets as W
        box = W.Text(placeholder=tr("your prediction") if placeholder is None else placeholder)
        button = W.Button(description=tr("Check"))
        out = W.HTML()

        def on_click(_):
            raw = box.value.strip()
            try:
                given = _parse(raw)
            except ValueError:
                given = raw
            fb = self.check(given, strict=False)
            colour = "#1b7837" if fb.ok else "#b2182b"
            out.value = f"<span style='color:{colour}'>{fb.text}</span>"

        button.on_click(on_click)
        return W.VBox([W.HTML(f"<b>{self.shown_prompt}</b>"), W.HBox([box, button]), out])

    def __repr__(self):
        return f"<Question {self.qid}: {self.prompt}>"


def _parse(raw):
    for conv in (int, float):
        try:
            return conv(raw)
        except ValueError:
            pass
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise ValueError(raw)


def _show(v):
    if isinstance(v, float):
        return f"{v:.4g}"
    return repr(v) if isinstance(v, str) else str(v)


# ---- a notebook's self-check section ------------------------------------------------
def self_check(questions, answers):
    """Print each question and the feedback on ``answers[qid]`` (``...`` = not answered)."""
    for q in questions:
        print(q.shown_prompt)
        print("  ->", q.check(answers[q.qid], strict=False))


def answer_boxes(questions, tally=None):
    """The same questions as text boxes with Check buttons, then a *Show all answers*
    button (the model computes the answers only when it is pressed), then, if given,
    the notebook's prediction tally (:mod:`gmpkit.predict`) with its Save button."""
    import ipywidgets as W
    out = W.HTML()
    button = W.Button(description=tr("Show all answers"),
                      tooltip=tr("compute every answer with the model and explain it"))

    def clicked(_):
        out.value = "<br>".join(f"<b>{_esc(q.shown_prompt)}</b><br>"
                                f"{_esc(q.check(q.expected, strict=False))}" for q in questions)

    button.on_click(clicked)
    parts = [q.widget() for q in questions] + [W.VBox([button, out])]
    if tally is not None:
        parts.append(W.VBox([W.HTML(f"<b>{tr('Your predictions in this notebook')}</b>"),
                             tally.widget]))
    return W.VBox(parts)


def _esc(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def reveal(questions):
    """Print every question's answer with its explanation."""
    for q in questions:
        print(q.qid, "->", q.check(q.expected, strict=False))
