"""Every panel fits a laptop screen in projector mode (``GMPKIT_PROJECTOR=1``, what
``make lab PROJECTOR=1`` sets): each lecture notebook is run in JupyterLab in a 1366x768
window on a server started in that mode (see ``screenfit.py``).  Normal mode is checked by
``test_notebooks_browser`` on the page it has already run.
"""

from __future__ import annotations

import pytest

import lab
from screenfit import VIEWPORT, assert_panels_fit, is_lecture

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted(p.name for p in (lab.REPO / "notebooks").glob("*.ipynb") if is_lecture(p.name))


@pytest.fixture(scope="module")
def projector_server(lab_root):
    server = lab.LabServer(lab_root, env={"GMPKIT_PROJECTOR": "1"})
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def laptop_page(browser, projector_server):
    context = browser.new_context(base_url=projector_server.url, viewport=VIEWPORT)
    context.set_default_timeout(lab.UI_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        lab.close_page(context, projector_server)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_panel_fits_a_laptop_screen_in_projector_mode(laptop_page, name):
    lab.open_notebook(laptop_page, f"notebooks/{name}")
    lab.run_all(laptop_page)
    widgets = lab.wait_for_widgets(laptop_page)
    assert not widgets["broken"], f"{name}: widgets failed to display: {widgets['broken']}"
    assert_panels_fit(laptop_page, name, "projector")
