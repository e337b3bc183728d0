"""Record pictures of ``go tool trace``'s web UI for learners without Go.

    python -m tools.record_trace_ui

Records ``tracedemo``'s execution trace, opens the UI's "View trace by proc" and "Goroutine
analysis" pages in headless Debian chromium (``/usr/bin/chromium``, through Playwright, a test
dependency) and saves them as ``data/traces/trace_ui_<page>.png``, with the same trace parsed
(``go tool trace -d=parsed``, stacks stripped) as ``data/traces/trace_ui_demo.txt`` and its
provenance as ``trace_ui_demo.json``. Notebook 09 shows them when there is no Go toolchain:
the questions are then answered from the very run the pictures show.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGES = ("proc", "goroutines")


def main() -> int:
    from PIL import Image
    from playwright.sync_api import sync_playwright

    from gmpkit.real import tracetool
    from gmpkit.real.exectrace import parse_exectrace, strip_stacks
    from gmpkit.real.recorded import data_dir, provenance, write_trace
    from gmpkit.real.toolchain import find_go

    sys.path.insert(0, str(REPO / "tests" / "browser"))
    import lab  # the browser tests' launcher: Debian chromium, no network chatter

    out_dir = data_dir() / "traces"
    path = tracetool.record_trace("tracedemo", gomaxprocs=2)
    tc = find_go()
    text = strip_stacks(tc.parsed_trace(path))
    parse_exectrace(text).check_invariants()
    with tracetool.TraceViewer(path) as viewer, sync_playwright() as pw:
        browser = lab.launch_browser(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 640})
        for name in PAGES:
            page.goto(viewer.page(name))
            clip = None
            if name == "proc":
                page.wait_for_selector("tr-ui-timeline-track-view", timeout=60_000)
                page.wait_for_timeout(1500)  # the viewer draws its tracks after load
                hide = page.locator("button", has_text="Hide")
                if hide.count():
                    hide.first.click()   # the viewer's note about its polyfill
                    page.wait_for_timeout(300)
                clip = {"x": 0, "y": 0, "width": 1280, "height": 360}
            png = page.screenshot(clip=clip)
            img = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64)
            target = out_dir / f"trace_ui_{name}.png"
            img.save(target, optimize=True)
            print("wrote", target, target.stat().st_size, "bytes")
        browser.close()
    meta = provenance(f"tracedemo -o {path.name} && go tool trace {path.name} (pages "
                      f"{', '.join(PAGES)} in chromium; -d=parsed for the text)", tc)
    meta.update(program="tracedemo", gomaxprocs=2, pictures=[f"trace_ui_{p}.png" for p in PAGES],
                note="Stack= blocks removed (gmpkit.real.exectrace.strip_stacks)")
    print("wrote", write_trace("trace_ui_demo", text, meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
