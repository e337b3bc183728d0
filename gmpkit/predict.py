"""Predictions that count: commit to an answer before an experiment runs.

Every experiment in the lecture notebooks starts with a :class:`Prediction`: a
number, a choice or an ordering.  The learner enters it and presses *Check*
(or simply runs the experiment's panel); from then on it is **locked**.  When
the panel has run, the prediction shows the model's answer beside the
learner's and explains the difference.  A notebook's :class:`Tally` counts
them ("you predicted 5 of 8") and saves the record as JSON.

The logic is plain Python, tested without a kernel; the ipywidgets views are
thin layers over it.

>>> t = Tally("demo")
>>> p = t.add(Prediction("double", "2 x n for the panel's n?", "number",
...                      answer=lambda d: 2 * d["n"],
...                      explain=lambda d: f"doubling {d['n']} adds it to itself"))
>>> p.predict(8)
>>> p.check()            # the Check button: locks the prediction
'Locked in: 8. Now run the experiment below to see what the model says.'
>>> p.predict(9)
Traceback (most recent call last):
  ...
gmpkit.predict.Locked: double is locked at 8: a prediction counts only if it is made before the experiment runs (Tally.reset('double') starts it again).
>>> print(p.resolve({"n": 4}).text)   # the panel ran: the model's answer
You predicted 8; the model says 8. Right. Why: Doubling 4 adds it to itself.
>>> t.summary()
'You predicted 1 of 1 experiments (1 locked, 0 still open).'

Panels are tied to a prediction with :meth:`Prediction.follow`, which locks
the prediction, resolves it against ``panel.data`` and returns the panel with
the result box under it.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any, Callable

from .i18n import tr

__all__ = ["Prediction", "Tally", "Outcome", "Locked", "BadPrediction", "KINDS"]

KINDS = ("number", "choice", "order")
RIGHT, WRONG = "#1b7837", "#b2182b"   # colour-blind-safe pair (PRGn ends)
_CJK = re.compile(r"[\u3400-\u9fff]")


class Locked(ValueError):
    """The prediction was already locked in."""


class BadPrediction(ValueError):
    """The learner's input is not a valid prediction of this kind."""


class Outcome:
    """The learner's prediction next to the model's answer.

    ``given`` (None when no prediction was made), ``expected``, ``right``
    (bool) and ``text`` (one paragraph: both answers, the difference, why).
    """

    __slots__ = ("qid", "given", "expected", "right", "text")

    def __init__(self, qid, given, expected, right, text):
        self.qid, self.given, self.expected, self.right, self.text = qid, given, expected, right, text

    def __repr__(self):
        return self.text


def _show(v):
    if isinstance(v, float):
        return f"{v:,.4g}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    if isinstance(v, (list, tuple)):
        return " → ".join(_option_text(x) for x in v)
    return _option_text(v)


def _plain(v):
    """``v`` as plain JSON-able Python (numpy scalars, tuples...)."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    for conv in (int, float):
        try:
            x = conv(v)
            if x == v:
                return x
        except (TypeError, ValueError):
            pass
    return str(v)


class Prediction:
    """One experiment's prediction.

    Parameters
    ----------
    qid : str -- stable id, unique within a notebook
    prompt : str -- the short question shown above the input
    kind : "number", "choice" or "order"
    answer : callable(data) -> expected -- the model's answer, computed from
        the experiment panel's ``data`` at its first run
    explain : callable(data) -> str -- the mechanism behind the answer
    options : list of str -- the choices (``choice``) or the items to put in
        order (``order``)
    tolerance : float -- ``number`` only: relative tolerance that still counts
        as right (0 = exact)
    unit : str -- ``number`` only, shown after the values
    """

    def __init__(self, qid: str, prompt: str, kind: str, answer: Callable[[Any], Any],
                 explain: Callable[[Any], str], options=None, tolerance: float = 0.0,
                 unit: str = ""):
        if kind not in KINDS:
            raise ValueError(f"prediction {qid!r}: kind must be one of {', '.join(KINDS)}, "
                             f"not {kind!r}")
        if kind in ("choice", "order") and (not options or len(set(options)) != len(options)):
            raise ValueError(f"prediction {qid!r}: a {kind} needs a list of distinct options")
        if tolerance < 0:
            raise ValueError(f"prediction {qid!r}: tolerance must be >= 0")
        self.qid, self.prompt, self.kind = qid, prompt, kind
        self._answer, self._explain = answer, explain
        self.options = list(options or [])
        self.tolerance, self.unit = tolerance, unit
        self.given = None
        self.locked_by = None          # None, "check" or "panel"
        self.outcome: Outcome | None = None
        self._listeners: list[Callable[["Prediction"], None]] = []
        self._view = None

    # ---- the learner's side ------------------------------------------------------
    @property
    def shown_prompt(self) -> str:
        """The prompt in the learner's language."""
        return tr(self.prompt)   # i18n: prompts are N_() literals in predictions.CATALOG

    @property
    def locked(self) -> bool:
        return self.locked_by is not None

    def parse(self, raw):
        """Turn input (a widget's value or a Python value) into a prediction of this kind.

        Raises :class:`BadPrediction` with a message saying what is accepted.
        """
        if self.kind == "number":
            if isinstance(raw, bool):
                raise BadPrediction(tr("{qid}: enter a number, not {raw}", qid=self.qid, raw=raw))
            if isinstance(raw, str):
                text = raw.strip().replace(",", "").replace("_", "")
                try:
                    raw = float(text)
                except ValueError:
                    raise BadPrediction(tr("{qid}: {raw!r} is not a number; type digits, "
                                           "e.g. 129 or 2.5", qid=self.qid, raw=raw)) from None
            if not isinstance(raw, (int, float)) or not math.isfinite(raw):
                raise BadPrediction(tr("{qid}: enter a finite number, not {raw!r}",
                                       qid=self.qid, raw=raw))
            return int(raw) if float(raw).is_integer() else float(raw)
        if self.kind == "choice":
            raw = self._option(raw)
            if raw not in self.options:
                raise BadPrediction(tr("{qid}: choose one of {options}, not {raw!r}", qid=self.qid,
                                       options=self._shown_options(), raw=raw))
            return raw
        items = ([s.strip() for s in re.split("[,，、]", raw)] if isinstance(raw, str)
                 else list(raw))
        items = [self._option(x) for x in items]
        if sorted(items) != sorted(self.options):
            raise BadPrediction(tr("{qid}: put all of {options} in an order, each once; "
                                   "got {items}", qid=self.qid, options=self._shown_options(),
                                   items=[_option_text(x) for x in items]))
        return items

    def _option(self, raw):
        """An option as stored (English), from its English or its shown (translated) text."""
        if raw in self.options or not isinstance(raw, str):
            return raw
        for o in self.options:
            if _option_text(o) == raw.strip():
                return o
        return raw

    def _shown_options(self):
        return [_option_text(o) for o in self.options]

    def predict(self, raw) -> None:
        """Record (or change) the prediction; refused once locked."""
        if self.locked:
            raise Locked(tr("{qid} is locked at {given}: a prediction counts only if it is "
                            "made before the experiment runs (Tally.reset({qid_r}) starts it "
                            "again).", qid=self.qid, given=_show(self.given),
                            qid_r=repr(self.qid)))
        self.given = None if raw is None else self.parse(raw)

    def check(self) -> str:
        """The *Check* button: lock the prediction in; return the status line."""
        if not self.locked:
            self.locked_by = "check"
            self._notify()
        if self.outcome is not None:
            return self.outcome.text
        if self.given is None:
            return tr("Locked with no prediction. Run the experiment below to see what the "
                      "model says.")
        return tr("Locked in: {given}. Now run the experiment below to see what the model says.",
                  given=_show(self.given))

    def status_line(self) -> str:
        """What the prediction widget says: never the model's answer, which is shown
        under the experiment (so a saved notebook does not give it away up front)."""
        if not self.locked:
            return ""
        if self.outcome is None:
            return self.check()
        mine = tr("no prediction") if self.given is None else _show(self.given) + self._u()
        return tr("Locked in: {mine}. The experiment below shows the model's answer beside it, "
                  "and why.", mine=mine)

    # ---- the model's side --------------------------------------------------------
    def resolve(self, data) -> Outcome:
        """The experiment ran with ``data``: lock, compute the model's answer, compare.

        Only the first run counts: later runs (a learner moving sliders) return
        the first outcome.
        """
        if self.outcome is not None:
            return self.outcome
        if not self.locked:
            self.locked_by = "panel"
        expected = _plain(self._answer(data))
        if self.kind == "choice" and expected not in self.options:
            raise ValueError(f"prediction {self.qid!r}: the model's answer {expected!r} is not "
                             f"one of the options {self.options}")
        why = str(self._explain(data)).strip()
        if why and why[-1] not in ".!?。！？":
            why += "。" if _CJK.search(why) else "."
        why = why[:1].upper() + why[1:]
        given = self.given
        right = given is not None and self._matches(given, expected)
        if given is None:
            text = tr("You made no prediction; the model says {expected}.",
                      expected=_show(expected) + self._u())
        else:
            text = tr("You predicted {given}; the model says {expected}. {difference}",
                      given=_show(given) + self._u(), expected=_show(expected) + self._u(),
                      difference=self._difference(given, expected, right))
        self.outcome = Outcome(self.qid, given, expected, right,
                               tr("{text} Why: {why}", text=text, why=why))
        self._notify()
        return self.outcome

    def _u(self):
        return f" {self.unit}" if self.unit else ""

    def _matches(self, given, expected) -> bool:
        if self.kind == "number":
            return math.isclose(given, expected, rel_tol=self.tolerance, abs_tol=1e-9)
        return given == expected

    def _difference(self, given, expected, right) -> str:
        if self.kind == "number":
            if given == expected:
                return tr("Right.")
            diff = given - expected
            rel = abs(diff) / abs(expected) if expected else math.inf
            size = f"{_show(abs(diff))}{self._u()}" + (f" ({rel:.0%})" if math.isfinite(rel) else "")
            verdict = (tr("Right: within {tolerance:.0%}, which counts.", tolerance=self.tolerance)
                       if right else tr("Not quite."))
            return (tr("{verdict} You were over by {size}.", verdict=verdict, size=size) if diff > 0
                    else tr("{verdict} You were under by {size}.", verdict=verdict, size=size))
        if right:
            return tr("Right.")
        if self.kind == "choice":
            return tr("Not quite.")
        moved = [_option_text(x) for x, y in zip(given, expected) if x != y]
        return tr("Not quite: {moved} of {total} items are out of place ({items}).",
                  moved=len(moved), total=len(expected), items=tr(", ").join(moved))

    def follow(self, panel):
        """Tie this prediction to an experiment panel that has just run.

        Locks the prediction, resolves it against ``panel.data`` and returns a
        widget: the panel with the result box under it (shows the panel's error
        instead if it failed).
        """
        import ipywidgets as W
        if panel.error is None:
            self.resolve(panel.data)
        box = W.VBox([panel.widget, self.result_widget(panel)])
        box.add_class("gmpkit-predicted-panel")
        return box

    # ---- views -------------------------------------------------------------------
    def result_html(self) -> str:
        o = self.outcome
        if o is None:
            return ""
        colour = RIGHT if o.right else WRONG
        mark = tr("✓ right") if o.right else (tr("no prediction") if o.given is None
                                              else tr("✗ not quite"))
        cell = "padding:2px 10px;border:1px solid #bbb"
        given = "—" if o.given is None else _show(o.given) + self._u()
        return (f"<table style='border-collapse:collapse;margin:4px 0'><tr>"
                f"<th style='{cell}'>{tr('your prediction')}</th>"
                f"<th style='{cell}'>{tr('the model')}</th>"
                f"<th style='{cell}'></th></tr><tr><td style='{cell}'>{_esc(given)}</td>"
                f"<td style='{cell}'>{_esc(_show(o.expected) + self._u())}</td>"
                f"<td style='{cell};color:{colour}'><b>{mark}</b></td></tr></table>"
                f"<div style='max-width:52em'>{_esc(o.text)}</div>")

    def result_widget(self, panel=None):
        import ipywidgets as W
        if panel is not None and panel.error is not None:
            html = (f"<span style='color:{WRONG}'>"
                    + tr("The experiment failed, so the prediction stays open: {summary}",
                         summary=_esc(panel.summary)) + "</span>")
        else:
            html = self.result_html()
        out = W.HTML(html)
        out.add_class("gmpkit-prediction-result")
        return out

    def _input(self):
        import ipywidgets as W
        style = {"description_width": "initial"}
        if self.kind == "number":
            return W.Text(placeholder=tr("a number") + (f" ({self.unit})" if self.unit else ""),
                          layout=W.Layout(width="180px"))
        if self.kind == "choice":
            return W.RadioButtons(options=list(zip(self._shown_options(), self.options)),
                                  value=None, style=style,
                                  layout=W.Layout(width="auto"))
        return W.Text(placeholder=tr(", ").join(self._shown_options())
                      + tr("  (reorder, comma-separated)"),
                      layout=W.Layout(width="min(40em, 100%)"))

    @property
    def widget(self):
        """Prompt, input, *Check* button and a status line (ipywidgets)."""
        import ipywidgets as W
        if self._view is not None:
            return self._view
        field = self._input()
        button = W.Button(description=tr("Check"), button_style="primary",
                          tooltip=tr("lock your prediction in"))
        status = W.HTML()
        status.add_class("gmpkit-prediction-status")

        def refresh(_=None):
            field.disabled = button.disabled = self.locked
            if self.locked:
                status.value = f"<i>{_esc(self.status_line())}</i>"

        def changed(change):
            if self.locked:
                return
            try:
                self.predict(change["new"] if change["new"] not in ("", None) else None)
                status.value = ""
            except BadPrediction as e:
                status.value = f"<span style='color:{WRONG}'>{_esc(e)}</span>"

        def clicked(_):
            try:
                if not self.locked:
                    self.predict(field.value if field.value not in ("", None) else None)
            except BadPrediction as e:
                status.value = f"<span style='color:{WRONG}'>{_esc(e)}</span>"
                return
            self.check()

        field.observe(changed, names="value")
        button.on_click(clicked)
        self._listeners.append(refresh)
        if self.given is not None:
            field.value = self.given if self.kind == "choice" else (
                tr(", ").join(map(_option_text, self.given)) if self.kind == "order"
                else str(self.given))
        refresh()
        label = W.HTML(f"<b>{tr('Your prediction:')}</b> {_esc(self.shown_prompt)}")
        row = W.HBox([field, button], layout=W.Layout(align_items="center"))
        box = W.VBox([label, row, status])
        box.add_class("gmpkit-prediction")
        self._view = box
        return box

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)

    def _notify(self):
        for fn in list(self._listeners):
            fn(self)

    def to_dict(self) -> dict:
        o = self.outcome
        return {"qid": self.qid, "prompt": self.prompt, "kind": self.kind,
                "given": _plain(self.given), "locked_by": self.locked_by,
                "expected": None if o is None else o.expected,
                "right": None if o is None else o.right}

    def __repr__(self):
        state = "open" if not self.locked else ("resolved" if self.outcome else "locked")
        return f"<Prediction {self.qid} ({self.kind}, {state}): {self.prompt}>"


class Tally:
    """A notebook's predictions and its running score.

    ``expected_total`` is how many experiments the notebook has (so the
    score reads "2 of 8" before every experiment has run).
    """

    def __init__(self, notebook: str, expected_total: int | None = None):
        self.notebook = notebook
        self.expected_total = expected_total
        self.predictions: dict[str, Prediction] = {}
        self._label = None

    def add(self, pred: Prediction) -> Prediction:
        """Register ``pred``; if its qid is already here, the existing (maybe locked)
        prediction is returned instead, so re-running a cell cannot unlock it."""
        if pred.qid in self.predictions:
            return self.predictions[pred.qid]
        self.predictions[pred.qid] = pred
        pred._listeners.append(lambda _: self._refresh())
        self._refresh()
        return pred

    def reset(self, qid=None):
        """Forget one prediction (or all): the next ``add`` starts it fresh."""
        for k in [qid] if qid else list(self.predictions):
            if k not in self.predictions:
                raise KeyError(tr("no prediction {qid!r} in {notebook}; there are {qids}",
                                  qid=k, notebook=self.notebook,
                                  qids=", ".join(self.predictions) or tr("none")))
            del self.predictions[k]
        self._refresh()

    @property
    def total(self) -> int:
        return max(self.expected_total or 0, len(self.predictions))

    def counts(self):
        """``(right, resolved, locked, total)``."""
        ps = self.predictions.values()
        return (sum(1 for p in ps if p.outcome is not None and p.outcome.right),
                sum(1 for p in ps if p.outcome is not None),
                sum(1 for p in ps if p.locked), self.total)

    def summary(self) -> str:
        right, resolved, locked, total = self.counts()
        return tr("You predicted {right} of {total} experiments ({locked} locked, "
                  "{open} still open).", right=right, total=total, locked=locked,
                  open=total - resolved)

    def to_dict(self) -> dict:
        right, resolved, locked, total = self.counts()
        return {"notebook": self.notebook, "right": right, "resolved": resolved,
                "locked": locked, "total": total,
                "predictions": [p.to_dict() for p in self.predictions.values()]}

    def save(self, path=None) -> Path:
        """Write the record as JSON (default ``predictions-<notebook>.json``); return the path."""
        path = Path(path or f"predictions-{self.notebook}.json")
        path.write_text(json.dumps(self.to_dict(), indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        return path

    def _refresh(self):
        if self._label is not None:
            self._label.value = f"<b>{_esc(self.summary())}</b>"

    @property
    def widget(self):
        """The running score and a *Save* button (writes the JSON next to the notebook)."""
        import ipywidgets as W
        if self._label is None:
            self._label = W.HTML()
            self._label.add_class("gmpkit-tally")
        self._refresh()
        button = W.Button(description=tr("Save as JSON"),
                          tooltip=tr("write predictions-<notebook>.json"))
        saved = W.HTML()

        def clicked(_):
            try:
                saved.value = tr("saved to {path}", path=f"<code>{_esc(self.save())}</code>")
            except OSError as e:
                saved.value = (f"<span style='color:{WRONG}'>"
                               + tr("could not save: {error}", error=_esc(e)) + "</span>")

        button.on_click(clicked)
        return W.VBox([self._label, W.HBox([button, saved])])

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)

    def __repr__(self):
        return f"<Tally {self.notebook}: {self.summary()}>"


def _option_text(option):
    """A choice or order item as the learner reads it (options are N_() literals)."""
    return tr(option) if isinstance(option, str) else str(option)   # i18n: N_() options in predictions.CATALOG


def _esc(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
