"""Every course notebook in a real browser: open in JupyterLab with a lecture's hidden check
cells collapsed, run all cells, no errors, every widget rendered, a screenshot that is not
blank, then one control moved with the kernel's output changing (the interaction
registered in interactions.py); last, in a 1366x768 window, every panel of a lecture fits
the screen (normal mode; projector mode is test_screen_fit_browser's)."""

import time

import pytest

import lab
from interactions import INTERACTIONS
from screenfit import assert_panels_fit, is_lecture

pytestmark = pytest.mark.browser

NOTEBOOK_DIR = lab.REPO / "notebooks"
NOTEBOOKS = sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb"))  # homework/ excluded


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_in_browser(lab_page, name):
    page = lab_page
    t0 = time.monotonic()
    report, widgets = lab.open_and_run(page, f"notebooks/{name}", name, lecture=is_lecture(name))
    png = lab.screenshot(page, name.removesuffix(".ipynb"))
    lab.assert_not_blank(png)

    interact = INTERACTIONS.get(name)
    if interact is None:
        pytest.fail(
            f"no interaction defined for {name}: register one with @interaction({name!r}) "
            "in tests/browser/interactions.py (move one control, assert the kernel's output changed)"
        )
    interact(page)
    assert lab.errors_on_page(page) == [], f"{name}: errors after the interaction"
    lab.assert_not_blank(lab.screenshot(page, name.removesuffix(".ipynb") + "-after"))
    print(f"{name}: {report['cells']} code cells, {widgets['views']} widget views, "
          f"run all {report['seconds']} s, end to end {time.monotonic() - t0:.1f} s")
    if is_lecture(name):
        assert_panels_fit(page, name, "normal")


def test_interactions_name_real_notebooks():
    stale = sorted(set(INTERACTIONS) - set(NOTEBOOKS))
    assert not stale, f"interactions registered for notebooks that do not exist: {stale}"
