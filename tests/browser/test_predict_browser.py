"""Predictions and hidden test scaffolding in a real JupyterLab.

* A prediction typed into its widget locks when Check is pressed; running the panel then
  shows the learner's prediction beside the model's answer.
* The lecture notebooks open with every assert cell collapsed (source and output):
  JupyterLab itself reads the cell metadata that tools/nbbuild.py writes.
"""

import nbformat
import pytest

import lab

pytestmark = pytest.mark.browser

HIDDEN = {"source_hidden": True, "outputs_hidden": True}


@pytest.fixture(scope="module")
def predict_notebook(lab_root):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    ask = nbformat.v4.new_code_cell(
        "from gmpkit import predictions\n"
        "from gmpkit.widgets import mn\n"
        "tally = predictions.tally('04_mn_model')\n"
        "tally.ask('04-block')")
    panel = nbformat.v4.new_code_cell("panel = mn.blocking_panel()\ntally.follow('04-block', panel)")
    hidden = nbformat.v4.new_code_cell("assert panel.data['kind'] == 'syscall'\nprint('checked')")
    hidden.metadata["jupyter"] = dict(HIDDEN)
    hidden.metadata["tags"] = ["remove-cell"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Predict"), ask, panel, hidden]
    folder = lab_root / "_predict"
    folder.mkdir(exist_ok=True)
    nbformat.write(nb, folder / "predict.ipynb")
    return "_predict/predict.ipynb"


_RUN_CELL = lab._js(
    """
  nb.content.activeCellIndex = arg;
  return window.jupyterapp.commands.execute('notebook:run-cell').then(() => true);
"""
)

def run_cell(page, index):
    page.evaluate(_RUN_CELL, index)
    page.wait_for_function(lab._KERNEL_IDLE, timeout=lab.RUN_TIMEOUT_MS)


def test_check_locks_and_the_panel_shows_both_answers(lab_page, predict_notebook):
    page = lab_page
    lab.open_notebook(page, predict_notebook)
    run_cell(page, 1)
    nb = page.locator(".jp-NotebookPanel:visible").first
    widget = nb.locator(".gmpkit-prediction").first
    widget.wait_for(timeout=lab.UI_TIMEOUT_MS)
    field = widget.locator("input").first
    field.fill("3")
    field.press("Enter")
    widget.locator("button", has_text="Check").click(timeout=lab.UI_TIMEOUT_MS)
    status = widget.locator(".gmpkit-prediction-status")
    page.wait_for_function(
        "(el) => el.innerText.includes('Locked in: 3')", arg=status.element_handle(),
        timeout=lab.UI_TIMEOUT_MS)
    assert field.is_disabled(), "a locked prediction cannot be edited"
    run_cell(page, 2)
    result = nb.locator(".gmpkit-prediction-result").first
    result.wait_for(timeout=lab.UI_TIMEOUT_MS)
    text = result.inner_text(timeout=lab.UI_TIMEOUT_MS)
    assert "You predicted 3 ms; the model says 0 ms." in text, text
    assert lab.errors_on_page(page) == []
    # the hidden assert cell: JupyterLab shows a collapsed placeholder, not its source
    assert page.evaluate(lab.ASSERT_CELLS_SHOWN) == []
    lab.assert_not_blank(lab.screenshot(page, "predict-locked"))
