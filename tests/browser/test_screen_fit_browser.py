"""Every panel fits a laptop screen: each lecture notebook is run in JupyterLab in a
1366x768 browser window, and the rendered height of every ``.gmpkit-panel`` (the
G-M-P animation included) must be at most ``MAX_PANEL_PX``, in normal and in projector
mode (``GMPKIT_PROJECTOR=1``, what ``make lab PROJECTOR=1`` sets).

Notebooks are found by glob and panels by CSS class, so renumbering notebooks or adding
panels needs no change here.  A prediction widget shown before a panel is a separate
output and is not counted.  The heights measured are printed (``pytest -s``) and written
to build/screenshots/screen-fit-<mode>.json.
"""

from __future__ import annotations

import json
import re

import pytest

import lab

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1366, "height": 768}
MAX_PANEL_PX = 700          # a 1366x768 laptop shows about this much of a notebook
NOTEBOOKS = sorted(p.name for p in (lab.REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MODES = {"normal": {}, "projector": {"GMPKIT_PROJECTOR": "1"}}

# Heights of every panel once its pictures have loaded (an <img> not yet decoded is 0 px
# tall, which would pass any limit).
_PANEL_HEIGHTS = """
() => {
  const out = [];
  document.querySelectorAll('.jp-NotebookPanel .gmpkit-panel').forEach((el) => {
    const id = [...el.classList].find((c) => c.startsWith('gmpkit-id-')) || 'gmpkit-panel';
    const imgs = [...el.querySelectorAll('img')];
    const r = el.getBoundingClientRect();
    out.push({id: id.replace('gmpkit-id-', ''), height: Math.round(r.height),
              width: Math.round(r.width),
              loaded: imgs.every((i) => i.complete && i.naturalHeight > 0),
              images: imgs.map((i) => [Math.round(i.getBoundingClientRect().width),
                                       Math.round(i.getBoundingClientRect().height)])});
  });
  return out;
}
"""


@pytest.fixture(scope="module", params=list(MODES))
def mode_server(request, lab_root):
    server = lab.LabServer(lab_root, env=MODES[request.param])
    try:
        server.start()
        yield request.param, server
    finally:
        server.stop()


@pytest.fixture
def laptop_page(browser, mode_server):
    mode, server = mode_server
    context = browser.new_context(base_url=server.url, viewport=VIEWPORT)
    context.set_default_timeout(lab.UI_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield mode, page
    finally:
        lab.close_page(context, server)


def _expected_panels(name):
    """How many panels the notebook shows: top-level ``name = module.something_panel(...)``
    lines (not ``x = module.something_panel(n=8).data`` inside a block, which shows none)."""
    nb = json.loads((lab.REPO / "notebooks" / name).read_text())
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    return code, len(re.findall(r"^\w+\s*=\s*\w+\.\w+_panel\(.*\)\s*$", code, re.M))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_panel_fits_a_laptop_screen(laptop_page, name):
    mode, page = laptop_page
    code, expected = _expected_panels(name)
    lab.open_notebook(page, f"notebooks/{name}")
    lab.run_all(page)
    widgets = lab.wait_for_widgets(page)
    assert not widgets["broken"], f"{name}: widgets failed to display: {widgets['broken']}"
    page.wait_for_function(
        "(n) => { const r = (" + _PANEL_HEIGHTS + ")(); "
        "return r.length >= n && r.every((p) => p.loaded); }",
        arg=expected, timeout=lab.UI_TIMEOUT_MS,
    )
    panels = page.evaluate(_PANEL_HEIGHTS)
    lab.screenshot(page, f"screen-fit-{mode}-{name.removesuffix('.ipynb')}")
    _record(mode, name, panels)
    for p in panels:
        print(f"{mode:9} {name:28} {p['id']:22} {p['height']:5} px tall, images {p['images']}")

    assert len(panels) >= expected, (
        f"{name}: the code makes {expected} panels, the page shows {len(panels)} .gmpkit-panel"
    )
    if "animation_panel(" in code:
        assert any(p["id"].endswith("animation") for p in panels), (
            f"{name} makes the G-M-P animation but no .gmpkit-id-*-animation panel is shown"
        )
    too_tall = [f"{p['id']}: {p['height']} px" for p in panels if p["height"] > MAX_PANEL_PX]
    assert not too_tall, (
        f"{name} ({mode} mode, 1366x768 window): panels taller than {MAX_PANEL_PX} px: "
        f"{too_tall}; shrink the figure (figsize/dpi) or put controls side by side"
    )


def _record(mode, name, panels):
    path = lab.SCREENSHOTS / f"screen-fit-{mode}.json"
    lab.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = [{k: p[k] for k in ("id", "height", "width", "images")} for p in panels]
    path.write_text(json.dumps(data, indent=1))
