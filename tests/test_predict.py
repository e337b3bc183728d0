"""Prediction widgets (gmpkit/predict.py, gmpkit/predictions.py), without a kernel:
a prediction locks on Check or when its panel runs, is compared with the model's answer,
and the notebook's tally counts and saves it."""

import json
import re
from pathlib import Path

import ipywidgets as W
import pytest

from gmpkit import predictions
from gmpkit.predict import BadPrediction, Locked, Prediction, Tally
from gmpkit.widgets import Panel

ROOT = Path(__file__).resolve().parent.parent


def doubling(kind="number", **kw):
    if kind == "number":
        return Prediction("double", "2 x n?", "number", answer=lambda d: 2 * d["n"],
                          explain=lambda d: "doubling", **kw)
    if kind == "choice":
        return Prediction("parity", "is 2n even?", "choice", options=["even", "odd"],
                          answer=lambda d: "even" if 2 * d["n"] % 2 == 0 else "odd",
                          explain=lambda d: "2n is divisible by 2")
    return Prediction("sort", "order a, b, c by size", "order", options=["a", "b", "c"],
                      answer=lambda d: sorted("abc", key=d["size"].get),
                      explain=lambda d: "smallest first")


def panel(n=3):
    return Panel("double", {"n": W.IntSlider(value=n, min=0, max=10)},
                 compute=lambda n: {"n": n, "size": {"a": 3, "b": 1, "c": 2}},
                 draw=lambda d, fig: f"n = {d['n']}")


def test_check_locks_and_the_panel_reveals():
    p = doubling()
    p.predict("6")
    assert not p.locked and p.given == 6
    assert "Locked in: 6" in p.check()
    assert p.locked_by == "check"
    with pytest.raises(Locked, match="made before the experiment runs"):
        p.predict(7)
    pan = panel(3)
    view = p.follow(pan)
    assert view.children[0].__class__.__name__ == "VBox"          # the panel itself
    assert p.outcome.right and p.outcome.expected == 6
    assert "You predicted 6; the model says 6. Right." in p.outcome.text
    assert "6" in view.children[1].value and "right" in view.children[1].value


def test_running_the_panel_locks_an_unchecked_prediction_and_only_the_first_run_counts():
    p = doubling()
    p.predict(5)
    pan = panel(3)
    p.follow(pan)
    assert p.locked_by == "panel" and not p.outcome.right
    assert "under by 1 (17%)" in p.outcome.text and "Not quite" in p.outcome.text
    pan.set(n=4)                                   # moving a slider later changes nothing
    p.follow(pan)
    assert p.outcome.expected == 6 and p.given == 5


def test_no_prediction_is_never_right():
    p = doubling()
    p.follow(panel(2))
    assert p.outcome.given is None and not p.outcome.right
    assert p.outcome.text.startswith("You made no prediction; the model says 4.")


def test_tolerance_counts_near_numbers():
    p = doubling(tolerance=0.2)
    p.predict(7)
    assert p.resolve({"n": 3}).right                  # 7 vs 6: within 20%
    q = doubling(tolerance=0.1)
    q.predict(7)
    assert not q.resolve({"n": 3}).right              # 7 vs 6: not within 10%


def test_choice_and_order_are_validated_and_compared():
    c = doubling("choice")
    with pytest.raises(BadPrediction, match="choose one of"):
        c.predict("maybe")
    c.predict("odd")
    assert not c.resolve({"n": 3}).right
    o = doubling("order")
    with pytest.raises(BadPrediction, match="each once"):
        o.predict("a, a, b")
    o.predict("b, a, c")
    out = o.resolve({"size": {"a": 3, "b": 1, "c": 2}})
    assert out.expected == ["b", "c", "a"] and not out.right
    assert "2 of 3 items are out of place" in out.text
    with pytest.raises(ValueError, match="kind must be one of"):
        Prediction("x", "?", "essay", answer=None, explain=None)


def test_a_model_answer_outside_the_options_is_an_error_not_a_silent_miss():
    p = Prediction("bad", "?", "choice", options=["a", "b"], answer=lambda d: "c",
                   explain=lambda d: "")
    with pytest.raises(ValueError, match="not one of the options"):
        p.resolve({})


def test_widget_typing_and_check_button_lock_the_input():
    p = doubling()
    view = p.widget
    field, button = view.children[1].children
    field.value = "abc"
    assert "not a number" in view.children[2].value and p.given is None
    field.value = "8"
    button.click()
    assert p.locked and field.disabled and button.disabled
    p.resolve({"n": 4})
    status = view.children[2].value
    assert "Locked in: 8" in status and "below" in status
    assert "the model says" not in status, "the answer belongs under the experiment, not here"


def test_tally_counts_saves_and_keeps_locks(tmp_path):
    t = Tally("demo", expected_total=3)
    a, b = t.add(doubling()), t.add(doubling("choice"))
    assert t.summary() == "You predicted 0 of 3 experiments (0 locked, 3 still open)."
    a.predict(6)
    a.resolve({"n": 3})
    b.predict("odd")
    b.check()
    assert t.counts() == (1, 1, 2, 3)
    assert t.add(doubling()) is a, "asking again must not unlock a locked prediction"
    path = t.save(tmp_path / "p.json")
    rec = json.loads(path.read_text())
    assert rec["right"] == 1 and rec["total"] == 3
    assert rec["predictions"][0] == {"qid": "double", "prompt": "2 x n?", "kind": "number",
                                     "given": 6, "locked_by": "panel",
                                     "expected": 6, "right": True}
    assert rec["predictions"][1]["expected"] is None and rec["predictions"][1]["given"] == "odd"
    label = t.widget.children[0]
    assert "1 of 3" in label.value
    t.reset("double")
    assert "double" not in t.predictions
    with pytest.raises(KeyError, match="no prediction 'nope'"):
        t.reset("nope")


LECTURES = sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py"))


def _editions():
    from editions import sources_editions
    return sources_editions(LECTURES)


@pytest.mark.parametrize("src,lang", _editions(),
                         ids=[f"{lang}/{s.stem}".removeprefix("en/") for s, lang in _editions()])
def test_every_experiment_has_its_prediction(src, lang):
    """Each "Predict first" prompt (**先预测**： in the Chinese edition) is followed by a
    prediction widget, each panel resolves one, and the notebook asks every prediction of
    its catalog once.  Checked in each edition."""
    from editions import MARKERS, edition_of
    nb = edition_of(src, lang)
    text = "\n".join(c.source for c in nb.cells)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    marker = MARKERS[lang]["predict"]
    asked = re.findall(r'tally\.ask\("([^"]+)"\)', code)
    prompts = text.count(marker)
    assert len(asked) == prompts, f"{prompts} {marker!r} prompts, {len(asked)} widgets"
    assert sorted(asked) == sorted(predictions.CATALOG[src.stem]), "catalog and notebook differ"
    assert len(re.findall(r"\.follow\(", code)) == len(asked), "a prediction no panel resolves"
    assert f'predictions.tally("{src.stem}")' in code


@pytest.mark.parametrize("notebook,factory", [
    ("04_mn_model", "gmpkit.widgets.mn"), ("05_gm_scheduler", "gmpkit.widgets.gm")])
def test_model_predictions_resolve_against_the_default_panels(notebook, factory):
    """The answers come from the panels' data; changing the data changes them."""
    import importlib
    mod = importlib.import_module(factory)
    t = predictions.tally(notebook)
    panels = {"04-finish": "three_models_panel", "04-switch": "switch_cost_panel",
              "04-block": "blocking_panel", "05-scaling": "lock_scaling_panel",
              "05-remote": "handoff_panel", "05-mcache": "mcache_panel",
              "05-churn": "churn_panel"}
    for qid in t.catalog:
        p = t.ask(qid)
        out = p.resolve(getattr(mod, panels[qid])().data)
        if p.kind != "number":
            assert out.expected in p.options or sorted(out.expected) == sorted(p.options)
    mc = t.predictions.get("05-mcache")
    if mc is not None:
        d = mod.mcache_panel().data
        assert mc.outcome.expected == d["here"]["gm_ms"] * d["mcache_bytes"] / 2**20


def test_nearest_is_on_a_log_scale():
    assert predictions.nearest(31, ["10", "100"]) == "10"
    assert predictions.nearest(32, ["10", "100"]) == "100"
