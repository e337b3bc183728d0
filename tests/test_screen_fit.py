"""Every registered panel fits a 1366x768 laptop screen (about 700 px of notebook), in
normal and in projector mode, checked without a kernel or a browser.

How tall a panel is on screen, as measured by the browser tests (tests/browser/screenfit.py):

* the figure's PNG (``figsize x dpi`` pixels) is shown at the full width of the output
  column, ``COLUMN_PX`` in a 1366-px JupyterLab window, up- or down-scaled (an
  805-px-wide PNG and a 1485-px-wide one are both shown 930 px wide), so its height on
  screen is ``COLUMN_PX * height_px / width_px``;
* above and below it: the title and the summary line (``BASE_PX``), one row per control
  (``CONTROL_PX``; ``TOGGLES_PX`` for toggle buttons) and the "what to notice" line;
  text longer than ``CHARS_PER_LINE`` wraps onto more lines of ``LINE_PX``.

These constants were read off the browser test's measurements (overhead = panel height
minus image height); for the 31 panels measured the estimate is 0 to 56 px above the
rendered height, never below. The browser test remains the judge; this one says at
once, without a browser, which panel is too tall and why.
"""

import math

import ipywidgets
import pytest

from gmpkit import widgets
from gmpkit.widgets import animation

MAX_PANEL_PX = 700
COLUMN_PX = 930          # output column of JupyterLab in a 1366x768 window
BASE_PX = 84             # panel title + one summary line + padding
CONTROL_PX = 32          # one ipywidgets control row
TOGGLES_PX = 52          # a row of ToggleButtons is taller
LINE_PX = 24             # one more line of wrapped text
CHARS_PER_LINE = 100
CAPTION_PX = 252         # the animation's caption column (240 px + 12 px margin)
ANIM_HEAD_PX = 30 + 2 * 36 + 8   # its title, its controls row wrapped onto two rows, padding

widgets._import_all()
NAMES = sorted(widgets.PANELS)


def text_width(text):
    """Width of ``text`` in Latin characters: a CJK character is about two wide."""
    return len(text) + sum(1 for ch in text if "\u3400" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")


def text_px(text, first_line):
    """Height of a block of text whose first line costs ``first_line`` px."""
    if not text:
        return 0
    lines = max(1, math.ceil(text_width(text) / CHARS_PER_LINE))
    return first_line + (lines - 1) * LINE_PX


def shown_height(fig_w_px, fig_h_px, width=COLUMN_PX):
    """Height on screen of a PNG stretched to ``width`` px."""
    return width * fig_h_px / fig_w_px


def panel_height(panel):
    """Estimated height on screen of ``panel`` (see the module docstring)."""
    w_px, h_px = panel.fig.get_size_inches() * panel.fig.dpi
    if getattr(panel, "animation", False):
        return ANIM_HEAD_PX + shown_height(w_px, h_px, COLUMN_PX - CAPTION_PX)
    controls = sum(TOGGLES_PX if isinstance(c, ipywidgets.ToggleButtons) else CONTROL_PX
                   for c in panel.controls.values())
    return (BASE_PX + controls + text_px(panel.notice, 32)
            + text_px(panel.summary, 0) + shown_height(w_px, h_px))


class Sized:
    """What decides a panel's height, kept after the panel is built (once per mode)."""

    def __init__(self, panel):
        self.fig, self.controls = panel.fig, panel.controls
        self.notice, self.summary = panel.notice, panel.summary
        self.animation = isinstance(panel, animation.AnimationPanel)
        self.px = tuple(panel.fig.get_size_inches() * panel.fig.dpi)


_BUILT = {}


def built(mode):
    """Every registered panel, built in ``mode`` ("normal", "projector", or "zh": normal
    in Chinese, as the Chinese edition shows it), once."""
    from gmpkit import i18n
    if mode not in _BUILT:
        widgets.projector(mode == "projector")
        before = i18n.language()
        i18n.set_language("zh" if mode == "zh" else "en")
        try:
            _BUILT[mode] = {n: Sized(widgets.PANELS[n]()) for n in NAMES}
        finally:
            widgets.projector(False)
            i18n.set_language(before)
    return _BUILT[mode]


@pytest.mark.parametrize("mode", ["normal", "projector", "zh"])
@pytest.mark.parametrize("name", NAMES)
def test_panel_fits_a_laptop_screen(mode, name):
    panel = built(mode)[name]
    w_px, h_px = panel.px
    height = panel_height(panel)
    assert height <= MAX_PANEL_PX, (
        f"{name} ({mode}): about {height:.0f} px tall on a 1366x768 screen, over "
        f"{MAX_PANEL_PX}: its {w_px:.0f}x{h_px:.0f} px figure is shown "
        f"{shown_height(w_px, h_px):.0f} px tall, plus {len(panel.controls)} controls, "
        f"summary and notice; make the figure wider or shorter"
    )


def test_projector_mode_uses_no_more_height():
    """Projector mode draws bigger text on a bigger figure of the same shape, so on
    screen (shown at the column's width) a panel is no taller than in normal mode."""
    normal, big = built("normal"), built("projector")
    taller = []
    for n in NAMES:
        a, b = shown_height(*normal[n].px), shown_height(*big[n].px)
        if b > a + 1:
            taller.append(f"{n}: {a:.0f} -> {b:.0f} px")
        assert big[n].px[0] > normal[n].px[0], (
            f"{n}: the projector figure is not larger in pixels than the normal one")
    assert not taller, f"panels taller on screen in projector mode: {taller}"


def test_animation_diagram_keeps_the_style_font():
    """The wide G-M-P diagram is sized so a G's id is written at the style's font size
    (not shrunk to fit the circles), in both modes."""
    from gmpkit import plots
    for on in (False, True):
        widgets.projector(on)
        try:
            panel = animation.animation_panel()
            with plots.style(projector=on):
                want = plots._fs("font.size")
            assert panel._diagram._fsize == pytest.approx(want), (on, panel._diagram._fsize)
        finally:
            widgets.projector(False)


def test_height_estimate_catches_a_tall_figure():
    """The estimate is not vacuous: a 9x8.5-inch figure (01's old address-space
    panel) with four controls is over the limit."""
    class Fake:
        pass
    p = Fake()
    from matplotlib.figure import Figure
    p.fig, p.notice, p.summary = Figure(figsize=(9, 8.5), dpi=90), "", ""
    p.controls = {k: ipywidgets.IntSlider() for k in "abcd"}
    assert panel_height(p) > MAX_PANEL_PX
