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


def _wait_until_changed(page, locator, old, what):
    """Wait (no sleep) until ``locator``'s text differs from ``old``; return the new text."""
    handle = locator.element_handle(timeout=lab.UI_TIMEOUT_MS)
    try:
        page.wait_for_function("([el, old]) => el.innerText.trim() !== old.trim()",
                               arg=[handle, old], timeout=lab.RUN_TIMEOUT_MS)
    except Exception as exc:
        raise AssertionError(f"{what} (still {old!r})") from exc
    return locator.inner_text()


def move_panel_slider(page, slider_description, value):
    """Move the slider described ``slider_description`` in its experiment panel and wait
    for that panel's summary (computed in the kernel) to change.

    Panels (gmpkit.widgets.Panel) carry the CSS classes ``gmpkit-panel`` and
    ``gmpkit-summary``. Returns ``(before, after)`` summary texts.
    """
    nb = page.locator(".jp-NotebookPanel:visible").first
    panel = nb.locator(".gmpkit-panel").filter(
        has=page.locator(".widget-slider .widget-label", has_text=slider_description)).first
    panel.scroll_into_view_if_needed(timeout=lab.UI_TIMEOUT_MS)
    summary = panel.locator(".gmpkit-summary").first
    before = summary.inner_text(timeout=lab.UI_TIMEOUT_MS)
    slider = panel.locator(".widget-slider").filter(
        has=page.locator(".widget-label", has_text=slider_description)).first
    readout = slider.locator(".widget-readout")
    current = readout.inner_text(timeout=lab.UI_TIMEOUT_MS).strip().replace(",", "")
    assert current != str(value), (f"{slider_description!r} already shows {value}: "
                                   "choose another value so the output must change")
    readout.click(timeout=lab.UI_TIMEOUT_MS)
    page.keyboard.press("Control+A")
    page.keyboard.type(str(value))
    page.keyboard.press("Enter")
    after = _wait_until_changed(page, summary, before,
                                f"moving {slider_description!r} to {value} did not change "
                                "the panel's summary")
    assert "Error" not in after, f"the panel reported an error: {after}"
    return before, after


@interaction("01_processes.ipynb")
def _(page):
    before, after = move_panel_slider(page, "N (operations)", 6)
    assert before != after


@interaction("02_threads.ipynb")
def _(page):
    # the model panel: deterministic, so the new summary must differ for a new thread count
    before, after = move_panel_slider(page, "CPU-bound threads", 3)
    assert before != after


@interaction("03_goroutines.ipynb")
def _(page):
    before, after = move_panel_slider(page, "recursion depth", 500)
    assert before != after


@interaction("04_mn_model.ipynb")
def _(page):
    before, after = move_panel_slider(page, "goroutines making a 1 ms syscall (%)", 100)
    assert before != after


@interaction("05_gm_scheduler.ipynb")
def _(page):
    before, after = move_panel_slider(page, "schedlock hold per operation (ns)", 1000)
    assert before != after


@interaction("06_gmp_queues.ipynb")
def _(page):
    # press Play on the G-M-P animation: the frame advances and the kernel redraws the
    # diagram and writes a new caption for the frame
    nb = page.locator(".jp-NotebookPanel:visible").first
    panel = nb.locator(".gmpkit-panel").filter(has=page.locator(".gmpkit-gmp-frame")).first
    panel.scroll_into_view_if_needed(timeout=lab.UI_TIMEOUT_MS)
    frame = panel.locator(".gmpkit-gmp-frame .widget-readout").first
    caption = panel.locator(".gmpkit-gmp-caption").first
    first = frame.inner_text(timeout=lab.UI_TIMEOUT_MS).strip()
    before = caption.inner_text(timeout=lab.UI_TIMEOUT_MS)
    buttons = panel.locator(".widget-play button")
    buttons.first.click(timeout=lab.UI_TIMEOUT_MS)          # play
    _wait_until_changed(page, frame, first, "Play did not advance the frame")
    # the caption is written by the kernel for the new frame
    after = _wait_until_changed(page, caption, before, "the kernel did not caption the new frame")
    buttons.nth(1).click(timeout=lab.UI_TIMEOUT_MS)         # pause
    assert after != before and "Error" not in after
    # and a plain panel control: the overflow burst size
    before, after = move_panel_slider(page, "goroutines spawned in a burst", 420)
    assert before != after


@interaction("07_gmp_syscalls.ipynb")
def _(page):
    # the syscall panel: a longer syscall is retaken (or not) at another time
    before, after = move_panel_slider(page, "syscall duration (µs)", 5000)
    assert before != after


@interaction("08_model_vs_reality.ipynb")
def _(page):
    # the compare panel: two Ps instead of one re-runs the simulator (and Go, or the
    # recorded run) and rewrites the summary
    before, after = move_panel_slider(page, "GOMAXPROCS (procs)", 2)
    assert before != after


@interaction("09_real_tools.ipynb")
def _(page):
    # schedtrace: two CPU-bound goroutines instead of six runs the real program again (or
    # reads the recording) and rewrites the summary
    before, after = move_panel_slider(page, "CPU-bound goroutines", 2)
    assert before != after
    # go tool trace: the notebook links the viewer's pages; open "View trace by proc" from
    # JupyterLab as a learner would, and the goroutine analysis after it
    nb = page.locator(".jp-NotebookPanel:visible").first
    links = nb.locator("a.gmpkit-trace-ui")
    if links.count() == 0:  # no Go: the recorded pictures stand in, with the red note
        pictures = nb.locator(".gmpkit-trace-viewer-recorded img")
        assert pictures.count() >= 2, "neither the viewer's links nor its recorded pictures"
        return
    proc = nb.locator('a.gmpkit-trace-ui[data-page="proc"]').first
    with page.context.expect_page(timeout=lab.UI_TIMEOUT_MS) as opened:
        proc.click()
    viewer = opened.value
    try:
        viewer.wait_for_selector("tr-ui-timeline-track-view", timeout=lab.RUN_TIMEOUT_MS)
        viewer.wait_for_function("() => document.body.innerText.includes('Proc 1')",
                                 timeout=lab.UI_TIMEOUT_MS)
        lab.assert_not_blank(lab.screenshot(viewer, "09_real_tools-trace-viewer"))
        href = nb.locator('a.gmpkit-trace-ui[data-page="goroutines"]').first.get_attribute("href")
        viewer.goto(href)
        assert "main.main.func3" in viewer.inner_text("body")
    finally:
        viewer.close()

@interaction("10_your_program.ipynb")
def _(page):
    # the G-M-P diagram replaying the worker pool's REAL execution trace: Play advances the
    # frame, the kernel draws the diagram for it and captions what the trace recorded
    nb = page.locator(".jp-NotebookPanel:visible").first
    panel = nb.locator(".gmpkit-panel").filter(has=page.locator(".gmpkit-gmp-frame")).first
    panel.scroll_into_view_if_needed(timeout=lab.UI_TIMEOUT_MS)
    note = panel.inner_text(timeout=lab.UI_TIMEOUT_MS)
    assert "What the trace cannot show" in note and "runnext" in note
    frame = panel.locator(".gmpkit-gmp-frame .widget-readout").first
    caption = panel.locator(".gmpkit-gmp-caption").first
    summary = panel.locator(".gmpkit-summary").first
    first = frame.inner_text(timeout=lab.UI_TIMEOUT_MS).strip()
    before = caption.inner_text(timeout=lab.UI_TIMEOUT_MS)
    before_summary = summary.inner_text(timeout=lab.UI_TIMEOUT_MS)
    assert "start of the trace" in before
    buttons = panel.locator(".widget-play button")
    buttons.first.click(timeout=lab.UI_TIMEOUT_MS)          # play
    _wait_until_changed(page, frame, first, "Play did not advance the real trace's frame")
    after = _wait_until_changed(page, caption, before, "the kernel did not caption the new frame")
    after_summary = _wait_until_changed(page, summary, before_summary,
                                        "the kernel did not redraw the frame")
    buttons.nth(1).click(timeout=lab.UI_TIMEOUT_MS)         # pause
    assert after != before and "Error" not in after
    assert after_summary.startswith("frame ") and "frame 0/" not in after_summary
    # the replay resolved the prediction asked above it (nobody typed one in this run)
    predicted = nb.locator(".gmpkit-predicted-panel").filter(
        has=page.locator(".gmpkit-gmp-frame")).first
    result = predicted.locator(".gmpkit-prediction-result").first.inner_text(
        timeout=lab.UI_TIMEOUT_MS)
    assert "You made no prediction" in result and "GOMAXPROCS=2" in result, result
