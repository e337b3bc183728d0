"""A real lecture deck from ``make slides`` opens in chromium with the network cut off and
moves slide by slide: reveal.js, require.js and jQuery come from the deck's own folder
(tools/vendor), and the panels show their last saved pictures without a widget renderer."""

from __future__ import annotations

from pathlib import Path

import pytest

import lab
from tools import build_slides

pytestmark = pytest.mark.browser

LECTURE = "04_mn_model"


@pytest.fixture(scope="module")
def deck(tmp_path_factory, browser_available):
    notebooks = tmp_path_factory.mktemp("one-lecture")
    src = lab.REPO / "notebooks" / f"{LECTURE}.ipynb"
    (notebooks / src.name).write_bytes(src.read_bytes())
    out = tmp_path_factory.mktemp("slides")
    [path] = build_slides.build_slides(notebooks, out, log=lambda *a: None)
    return path


def test_deck_navigates_offline(browser, deck: Path):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    blocked, failed, errors = [], [], []

    def only_local(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda req: failed.append(req.url))
    try:
        page.goto(deck.as_uri())
        page.wait_for_function("() => window.gmpkitReveal && window.gmpkitReveal.isReady()",
                               timeout=30_000)
        total = page.evaluate("() => window.gmpkitReveal.getTotalSlides()")
        assert total >= 5, f"the deck has only {total} slides"
        seen = []
        for _ in range(4):
            seen.append(page.evaluate(
                "() => [window.gmpkitReveal.getIndices().h, window.gmpkitReveal.getIndices().v,"
                " document.querySelector('section.present').innerText.slice(0, 80)]"))
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(400)  # the slide transition
        positions = [(h, v) for h, v, _ in seen]
        assert len(set(positions)) == len(positions), f"ArrowRight did not move on: {positions}"
        assert [h for h, _ in positions] == sorted(h for h, _ in positions)
        assert all(text.strip() for _, _, text in seen), "an empty slide was shown"
        # the last saved view of a panel is in the page as a static picture
        assert page.locator(".gmpkit-static-view img").count() >= 1
        assert blocked == [], f"the deck asked the network for {blocked}"
        assert failed == [], f"requests that failed: {failed}"
        assert errors == [], f"JavaScript errors: {errors}"
        print("screenshot:", lab.screenshot(page, f"slides-{LECTURE}"))
    finally:
        context.close()
