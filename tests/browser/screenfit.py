"""Does every panel fit a laptop screen?  The check shared by two browser tests.

A lecture notebook, run in JupyterLab, is looked at in a 1366x768 window: the rendered
height of every ``.gmpkit-panel`` (the G-M-P animation included) must be at most
``MAX_PANEL_PX``.  ``test_notebooks_browser`` checks it in normal mode on the page it has
already run (no second run of the notebook); ``test_screen_fit_browser`` in projector mode
(``GMPKIT_PROJECTOR=1``, what ``make lab PROJECTOR=1`` sets), on its own server.

Panels are found by CSS class, so renumbering notebooks or adding panels needs no change
here.  A prediction widget shown before a panel is a separate output and is not counted.
The heights measured are printed (``pytest -s``) and written to
build/screenshots/screen-fit-<mode>.json.
"""

from __future__ import annotations

import json
import re

import lab

VIEWPORT = {"width": 1366, "height": 768}
MAX_PANEL_PX = 700          # a 1366x768 laptop shows about this much of a notebook

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


def is_lecture(name):
    """Lectures (``NN_name.ipynb``) are the notebooks whose panels must fit."""
    return re.fullmatch(r"\d\d_.*\.ipynb", name) is not None


def expected_panels(name):
    """How many panels the notebook shows: top-level ``name = module.something_panel(...)``
    lines (not ``x = module.something_panel(n=8).data`` inside a block, which shows none)."""
    nb = json.loads((lab.REPO / "notebooks" / name).read_text())
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    return code, len(re.findall(r"^\w+\s*=\s*\w+\.\w+_panel\(.*\)\s*$", code, re.M))


def assert_panels_fit(page, name, mode):
    """On ``page``, where notebook ``name`` has run, in a 1366x768 window: every panel is
    shown with its pictures loaded, and none is taller than ``MAX_PANEL_PX``."""
    page.set_viewport_size(VIEWPORT)
    code, expected = expected_panels(name)
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
