"""Fixtures for real-browser tests: one JupyterLab server and one headless chromium per
session, a fresh page per test. Everything started here is stopped here, also on failure.

The server's root is a temporary copy of ``notebooks/`` (recorded data comes from the
installed package, gmpkit/data), so running a notebook in the browser can never change a
committed file.
"""

from __future__ import annotations

import re
import shutil

import pytest

import lab

COPY_IGNORE = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")


@pytest.fixture(scope="session")
def browser_available():
    reason = lab.browser_unavailable_reason()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def lab_root(tmp_path_factory, browser_available):
    root = tmp_path_factory.mktemp("lab-root")
    notebooks = lab.REPO / "notebooks"
    if notebooks.is_dir():
        shutil.copytree(notebooks, root / "notebooks", ignore=COPY_IGNORE)
    else:
        (root / "notebooks").mkdir()
    return root


@pytest.fixture(scope="session")
def lab_server(lab_root):
    server = lab.LabServer(lab_root)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser(browser_available):
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        b = lab.launch_browser(pw)
        try:
            yield b
        finally:
            b.close()
    finally:
        pw.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@pytest.fixture
def lab_page(request, browser, lab_server):
    """A fresh browser page pointed at the JupyterLab server (``page.goto('/lab')``).

    ``page.gmpkit_page_errors`` collects uncaught JavaScript errors. On failure a
    screenshot is saved as build/screenshots/FAILED-<test>.png.
    """
    context = browser.new_context(base_url=lab_server.url, viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(lab.UI_TIMEOUT_MS)
    page = context.new_page()
    page.gmpkit_page_errors = []
    page.on("pageerror", lambda exc: page.gmpkit_page_errors.append(str(exc)))
    try:
        yield page
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and rep.failed:
            name = "FAILED-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
            try:
                print("screenshot:", lab.screenshot(page, name))
            except Exception as exc:  # the page may be gone
                print("no failure screenshot:", exc)
            print("JavaScript errors on the page:", page.gmpkit_page_errors)
            print("JupyterLab log tail:\n" + lab_server.log_tail())
    finally:
        lab.close_page(context, lab_server)
