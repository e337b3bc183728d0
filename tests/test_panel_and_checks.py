"""The Panel base (controls -> compute -> figure) and predict-then-check questions."""

import ipywidgets as W
import pytest

from gmpkit.checks import Question, Unanswered, WrongAnswer, within
from gmpkit.widgets import Panel, benchmark_panels


def make_panel(calls):
    def compute(n, label):
        calls.append(n)
        if n == 13:
            raise ValueError("unlucky")
        return {"n": n, "sq": n * n, "label": label}

    def draw(d, fig):
        ax = fig.subplots()
        ax.bar([0], [d["sq"]])
        ax.set_title(f"{d['label']} {d['n']}")
        return f"{d['n']} squared is {d['sq']}"

    return Panel("squares", {"n": W.IntSlider(value=3, min=1, max=20),
                             "label": W.Text(value="n =")}, compute, draw)


def test_moving_a_control_recomputes_and_redraws():
    calls = []
    p = make_panel(calls)
    png0 = p.image.value
    assert p.summary == "3 squared is 9" and calls == [3]
    p.controls["n"].value = 5           # as a learner drags the slider
    assert calls == [3, 5]
    assert p.summary == "5 squared is 25"
    assert "5 squared is 25" in p.summary_label.value
    assert p.fig.axes[0].get_title() == "n = 5"
    assert p.image.value != png0 and p.image.value[:4] == b"\x89PNG"


def test_set_redraws_once_for_several_controls():
    calls = []
    p = make_panel(calls).set(n=7, label="x")
    assert calls == [3, 7]
    assert p.fig.axes[0].get_title() == "x 7"
    with pytest.raises(KeyError, match="has no control 'm'"):
        p.set(m=1)


def test_an_error_in_compute_is_shown_not_raised():
    p = make_panel([]).set(n=13)
    assert isinstance(p.error, ValueError)
    assert "unlucky" in p.summary and "#b2182b" in p.summary_label.value
    p.set(n=2)
    assert p.error is None and p.summary == "2 squared is 4"


def test_question_feedback_explains_and_hints():
    q = Question("q", "How many?", answer=lambda: 129,
                 explain=lambda e: f"half the ring plus the new G: {e}.",
                 hint=lambda g, e: "you forgot the new G" if g == 128 else "")
    assert q.check(129).ok
    with pytest.raises(WrongAnswer, match="you said 128, the model says 129.*forgot the new G"):
        q.check(128)
    fb = q.check(100, strict=False)
    assert not fb.ok and "half the ring" in fb.text and "Hint" not in fb.text
    with pytest.raises(Unanswered, match="replace ..."):
        q.check(...)


def test_tolerant_comparison_and_widget():
    q = Question("t", "Makespan in ms?", answer=lambda: 10.0, explain=lambda e: "four rounds.",
                 compare=within(rel=0.1))
    assert q.check(10.9).ok and not q.check(11.5, strict=False).ok
    assert "within 10%" in q.check(12, strict=False).text
    w = q.widget()
    box, button = w.children[1].children
    box.value = "10.2"
    button.click()
    assert "Correct" in w.children[2].value


def test_expected_is_computed_once():
    n = []
    q = Question("c", "?", answer=lambda: n.append(1) or 5, explain=lambda e: "")
    q.check(5); q.check(4, strict=False)
    assert n == [1]


def test_benchmark_panels_reports_every_registered_panel(monkeypatch):
    from gmpkit import widgets
    monkeypatch.setattr(widgets, "PANELS", {"sq": lambda: make_panel([])})
    monkeypatch.setattr(widgets, "_import_all", lambda: None)
    res = benchmark_panels(repeats=12)
    assert set(res) == {"sq"}
    t = res["sq"]
    # twelve moves even when the slider has fewer distinct values; every move is timed
    # whole and split into the three phases, which never add up to more than the whole
    assert len(t["total"]) == 12 and all(len(t[k]) == 12 for k in ("simulate", "draw", "encode"))
    for i, whole in enumerate(t["total"]):
        parts = [t[k][i] for k in ("simulate", "draw", "encode")]
        assert all(x >= 0 for x in parts) and parts[1] > 0 and sum(parts) <= whole


def test_self_check_section_helpers(capsys):
    from gmpkit.checks import answer_boxes, reveal, self_check
    qs = [Question("a", "Two plus two?", answer=lambda: 4, explain=lambda e: "addition."),
          Question("b", "Ring slots?", answer=lambda: 256, explain=lambda e: "p.runq.")]
    self_check(qs, {"a": 4, "b": ...})
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Two plus two?" and out[1].startswith("  -> Correct: 4.")
    assert out[2] == "Ring slots?" and "not answered yet" in out[3]
    reveal(qs)
    assert capsys.readouterr().out.splitlines()[1].startswith("b -> Correct: 256.")
    calls = []
    lazy = Question("c", "Computed?", answer=lambda: calls.append(1) or 7, explain=lambda e: "lazy.")
    boxes = answer_boxes(qs + [lazy])
    assert len(boxes.children) == 4                 # 3 questions + the "Show all answers" row
    button, shown = boxes.children[-1].children
    assert calls == [] and shown.value == "", "answers are computed only when asked"
    button.click()
    assert calls == [1] and "Correct: 7." in shown.value and "Correct: 256." in shown.value
    from gmpkit.predict import Tally
    assert len(answer_boxes(qs, Tally("demo")).children) == 4
