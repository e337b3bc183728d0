"""The browser harness tests itself on a tiny notebook it writes: one IntSlider whose
callback, in the kernel, sets a Label to twice the value. Keep this test: it tells a
harness problem apart from a course-notebook problem."""

import time

import nbformat
import pytest

import lab

pytestmark = pytest.mark.browser

SMOKE_CELLS = [
    "import ipywidgets as widgets\n"
    "slider = widgets.IntSlider(value=1, min=0, max=100, description='n')\n"
    "label = widgets.Label(value='double: 2')\n"
    "label.add_class('smoke-double')\n"
    "def on_change(change):\n"
    "    label.value = f\"double: {change['new'] * 2}\"\n"
    "slider.observe(on_change, names='value')\n"
    "widgets.VBox([slider, label])",
    "print('kernel says', 6 * 7)",
    "boom = widgets.IntSlider(value=1, description='boom')\n"
    "def explode(change):\n"
    "    raise ValueError('callback exploded')\n"
    "boom.observe(explode, names='value')\n"
    "boom",
]


@pytest.fixture(scope="module")
def smoke_notebook(lab_root):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Harness smoke test")]
    nb.cells += [nbformat.v4.new_code_cell(src) for src in SMOKE_CELLS]
    folder = lab_root / "_harness"
    folder.mkdir(exist_ok=True)
    nbformat.write(nb, folder / "smoke.ipynb")
    return "_harness/smoke.ipynb"


def test_harness_smoke(lab_page, smoke_notebook):
    page = lab_page
    t0 = time.monotonic()
    lab.open_notebook(page, smoke_notebook)
    t_open = time.monotonic() - t0
    report = lab.run_all(page)
    assert report["cells"] == len(SMOKE_CELLS)
    widgets = lab.wait_for_widgets(page)
    assert widgets["views"] == 2 and widgets["rendered"] == 2, widgets
    assert lab.errors_on_page(page) == []
    assert "kernel says 42" in page.locator(".jp-OutputArea-output").nth(1).inner_text()

    before = lab.text_of(page, ".smoke-double")
    assert before == "double: 2"
    lab.set_slider(page, "n", 21)
    after = lab.wait_for_text_change(page, ".smoke-double", before)
    assert after == "double: 42"  # computed by the kernel's observe callback

    lab.set_slider(page, 0, 50)  # by index as well as by description
    assert lab.wait_for_text_change(page, ".smoke-double", after) == "double: 100"
    assert lab.errors_on_page(page) == []

    png = lab.screenshot(page, "harness_smoke")
    lab.assert_not_blank(png)

    # An exception in a widget callback goes to JupyterLab's log console, not to a cell:
    # errors_on_page must still report it.
    lab.set_slider(page, "boom", 7)
    assert any("callback exploded" in e for e in lab.wait_for_errors(page))
    print(f"open {t_open:.1f} s, run all {report['seconds']} s, "
          f"end to end {time.monotonic() - t0:.1f} s")


def test_errors_are_reported(lab_page, lab_root):
    """run_all must fail loudly, naming the error, when a cell raises."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("1 / 0"),
                nbformat.v4.new_code_cell("y = 2")]
    (lab_root / "_harness").mkdir(exist_ok=True)
    nbformat.write(nb, lab_root / "_harness" / "raises.ipynb")
    lab.open_notebook(lab_page, "_harness/raises.ipynb")
    with pytest.raises(AssertionError, match="ZeroDivisionError"):
        lab.run_all(lab_page)
    assert any("ZeroDivisionError" in e for e in lab.errors_on_page(lab_page))


def test_assert_not_blank_rejects_a_blank_png(tmp_path):
    import matplotlib.image as mpimg
    import numpy as np

    blank = tmp_path / "blank.png"
    mpimg.imsave(blank, np.ones((50, 80, 3)))
    with pytest.raises(AssertionError, match="looks blank"):
        lab.assert_not_blank(blank)


def test_run_all_times_out_with_a_clear_message(lab_page, lab_root):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("import time\ntime.sleep(30)"),
                nbformat.v4.new_code_cell("x = 1")]
    (lab_root / "_harness").mkdir(exist_ok=True)
    nbformat.write(nb, lab_root / "_harness" / "slow.ipynb")
    lab.open_notebook(lab_page, "_harness/slow.ipynb")
    with pytest.raises(AssertionError, match=r"did not finish within 2 s: code cells not yet run \[0, 1\]"):
        lab.run_all(lab_page, timeout_ms=2000)
    lab_page.evaluate("() => window.jupyterapp.commands.execute('kernelmenu:interrupt')")
