"""Per-notebook "move one control, see the kernel's answer change" checks.

The browser test (test_notebooks_browser.py) opens every ``notebooks/*.ipynb``, runs all
cells, checks that no error appeared and every widget rendered, and then calls the
interaction registered here for that notebook. A notebook with no interaction FAILS
("no interaction defined for ..."), so nobody forgets one.

An interaction gets the playwright page with the notebook open and all cells run. It
moves one control the way a person would and asserts that output computed by the
kernel changed. Use the helpers in ``lab.py``; never sleep, wait for a condition:

    @interaction("04_mn.ipynb")
    def _(page):
        # give the summary widget a CSS class in the notebook/panel (w.add_class('...'))
        # so it can be found here without depending on layout
        before = lab.text_of(page, ".gmpkit-mn-summary")
        lab.set_slider(page, "syscall %", 60)           # description text, or an index
        after = lab.wait_for_text_change(page, ".gmpkit-mn-summary", before)
        assert "N:1" in after

An interaction may return nothing; it fails by raising (assert, or a playwright timeout).
"""

from __future__ import annotations

from typing import Callable

import lab  # noqa: F401  (the helpers interactions use)

INTERACTIONS: dict[str, Callable] = {}


def interaction(notebook_name: str):
    """Register ``fn(page)`` as the interaction check for ``notebooks/<notebook_name>``."""

    def register(fn):
        assert notebook_name not in INTERACTIONS, f"two interactions for {notebook_name}"
        INTERACTIONS[notebook_name] = fn
        return fn

    return register


# --- notebook engineers: add one @interaction per notebook below this line ---
