"""Drive JupyterLab in headless Debian chromium: the helpers every browser test uses.

The fixtures in ``conftest.py`` start one JupyterLab server and one browser per test
session (``LabServer`` and ``launch_browser`` below) and give each test a fresh page.
A test then does, for example::

    open_notebook(page, "notebooks/04_mn.ipynb")
    run_all(page)
    assert errors_on_page(page) == []
    set_slider(page, "syscall share", 40)
    wait_for_text_change(page, ".gmpkit-summary", old_text)

Rules kept here: nothing waits with a sleep for UI state (every wait polls a condition
with a timeout), and every process started is stopped by its own handle.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "build" / "screenshots"
CHROMIUM = os.environ.get("GMPKIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Default timeouts (ms for playwright, as playwright counts).
OPEN_TIMEOUT_MS = 60_000
RUN_TIMEOUT_MS = 240_000
UI_TIMEOUT_MS = 30_000

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

# User settings written into the server's temporary user-settings dir: no news or
# update pop-up (it would cover the notebook), and no autosave (the browser never
# writes the notebook back, even though it runs on a copy).
USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "checkForUpdates": False,
        "fetchNews": "false",
    },
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    # Every cell attached to the DOM, so off-screen widgets render and can be checked.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


# --------------------------------------------------------------------------- availability


def browser_unavailable_reason() -> str | None:
    """Why real-browser tests cannot run here, or None if they can."""
    if not Path(CHROMIUM).exists():
        return (
            f"{CHROMIUM} not found: install Debian's chromium: apt-get install chromium "
            "(or point GMPKIT_CHROMIUM at a chromium binary)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python playwright missing: pip install -e '.[course]' (or make test)"
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        return "jupyterlab missing: pip install -e '.[course]' (or make test)"
    return None


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """A JupyterLab server on 127.0.0.1 serving ``root``, isolated from the user's config.

    Jupyter config, data, runtime and settings dirs all live in a temporary directory,
    so the user's own Jupyter setup cannot change what the tests see. ``stop()`` shuts
    the kernels down, then the server's process group, then anything still alive.
    """

    def __init__(self, root: Path, startup_timeout: float = 90.0, user_settings=None,
                 extra_args=(), env=None):
        self.root = Path(root)
        self.extra_env = dict(env or {})   # e.g. {"GMPKIT_PROJECTOR": "1"}: the kernels see it
        self.user_settings = USER_SETTINGS if user_settings is None else user_settings
        self.extra_args = list(extra_args)
        self.startup_timeout = startup_timeout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.home = Path(tempfile.mkdtemp(prefix="gmpkit-lab-"))
        self.log_path = self.home / "server.log"
        self.proc: subprocess.Popen | None = None
        self._log = None

    def _write_settings(self) -> Path:
        settings = self.home / "user-settings"
        settings.mkdir(parents=True, exist_ok=True)
        for rel, values in self.user_settings.items():
            path = settings / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values, indent=2))
        return settings

    def start(self) -> "LabServer":
        settings = self._write_settings()
        workspaces = self.home / "workspaces"
        workspaces.mkdir()
        env = dict(os.environ)
        for name in ("config", "data", "runtime", "ipython"):
            (self.home / name).mkdir()
        env.update(
            JUPYTER_CONFIG_DIR=str(self.home / "config"),
            JUPYTER_DATA_DIR=str(self.home / "data"),
            JUPYTER_RUNTIME_DIR=str(self.home / "runtime"),
            IPYTHONDIR=str(self.home / "ipython"),
            JUPYTER_PLATFORM_DIRS="1",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        cmd = [
            sys.executable, "-m", "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--port-retries=0",
            "--allow-root",
            "--ServerApp.token=",
            "--ServerApp.password=",
            # kernels are shut down through the REST API between tests (DELETE needs this
            # with no token; the server listens on 127.0.0.1 only)
            "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.terminals_enabled=False",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={workspaces}",
            *self.extra_args,
        ]
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            cmd, cwd=self.root, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"JupyterLab exited with code {self.proc.returncode} while starting:\n"
                    + self.log_tail()
                )
            try:
                with urllib.request.urlopen(self.url + "/api/status", timeout=2) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(
                    f"JupyterLab did not answer /api/status within {self.startup_timeout:.0f} s:\n"
                    + self.log_tail()
                )
            time.sleep(0.1)  # polling interval for the HTTP check, not a UI wait

    def log_tail(self, n: int = 40) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no server log)"
        return "\n".join(lines[-n:])

    def api(self, method: str, path: str, timeout: float = 5.0):
        req = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(req, timeout=timeout) as r:
            body = r.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Shut down every kernel (the next test starts from a clean server)."""
        for k in self.api("GET", "/api/kernels") or []:
            self.api("DELETE", f"/api/kernels/{k['id']}", timeout=15)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            try:
                import psutil
                family = psutil.Process(proc.pid).children(recursive=True)
            except Exception:
                family = []
            if proc.poll() is None:
                try:  # kernels run in their own sessions: shut them down politely first
                    self.shutdown_kernels()
                except Exception:
                    pass
                _kill_group(proc, signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    _kill_group(proc, signal.SIGKILL)
                    proc.wait(timeout=10)
            for child in family:  # anything that outlived the server (orphaned kernels)
                try:
                    child.kill()
                except Exception:
                    pass
        if self._log is not None:
            self._log.close()
            self._log = None
        shutil.rmtree(self.home, ignore_errors=True)


def _kill_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)  # start_new_session=True: pgid == pid
    except ProcessLookupError:
        pass


# --------------------------------------------------------------------------- the browser


def close_page(context, server) -> None:
    """Close a test's browser context, then shut its kernels down (the server stops any
    left over at the end, so a failure here is only printed)."""
    context.close()
    try:
        server.shutdown_kernels()
    except Exception as exc:
        print("could not shut the kernels down:", exc)


def launch_browser(playwright):
    """Debian's chromium, headless, with no network chatter (CHROMIUM_ARGS: no background
    networking, component updates, sync or QUIC: the machine reaches no host but the
    local JupyterLab)."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, timeout=60_000
    )


# --------------------------------------------------------------------------- page helpers

_NOTEBOOK_JS = """
() => {
  const app = window.jupyterapp;
  if (!app) return null;
  const w = app.shell.currentWidget;
  if (!w || !w.content || !w.sessionContext || !w.content.widgets) return null;
  return w;
}
"""


def _js(body: str) -> str:
    """A page function with ``nb`` bound to the current notebook panel (or null)."""
    return "(arg) => { const nb = (" + _NOTEBOOK_JS + ")();\n" + body + "\n}"


_KERNEL_IDLE = _js(
    """
  if (!nb || !nb.context.isReady || !nb.sessionContext.isReady) return false;
  const k = nb.sessionContext.session && nb.sessionContext.session.kernel;
  return !!k && k.status === 'idle' && k.connectionStatus === 'connected';
"""
)

# Indices of code cells with an ``assert`` line whose input or output is shown: a lecture's
# hidden check cells must open collapsed (a placeholder, not their source).
ASSERT_CELLS_SHOWN = _js(
    """
  const shown = [];
  nb.content.widgets.forEach((cell, i) => {
    if (cell.model.type !== 'code') return;
    const src = cell.model.sharedModel.getSource();
    if (!/^\\s*assert\\b/m.test(src)) return;
    if (!cell.inputHidden || !cell.outputHidden) shown.push(i);
  });
  return shown;
"""
)

_WATCH_KERNEL = _js(
    """
  if (!nb) return false;
  window.__gmpkitKernelErrors = window.__gmpkitKernelErrors || [];
  if (!nb.__gmpkitWatched) {
    nb.__gmpkitWatched = true;
    nb.sessionContext.iopubMessage.connect((_, msg) => {
      const t = msg.header.msg_type;
      if (t === 'error') {
        window.__gmpkitKernelErrors.push(msg.content.ename + ': ' + msg.content.evalue);
      }
    });
  }
  return true;
"""
)


def open_notebook(page, path: str, timeout_ms: int = OPEN_TIMEOUT_MS) -> None:
    """Open ``path`` (relative to the server root) and wait until its kernel is Idle."""
    page.goto(f"/lab/tree/{path}?reset", timeout=timeout_ms)
    page.wait_for_function(
        _js("return !!nb && nb.context.path === arg;"), arg=path, timeout=timeout_ms
    )
    page.wait_for_function(_KERNEL_IDLE, timeout=timeout_ms)
    assert page.evaluate(_WATCH_KERNEL), f"could not watch the kernel of {path}"
    # The status bar says the same thing a person would read.
    page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(timeout=timeout_ms)


_START_RUN_ALL = _js(
    """
  if (!nb) throw new Error('no notebook is the current widget');
  window.__gmpkitRunAll = 'running';
  const cmds = window.jupyterapp.commands;
  return cmds.execute('notebook:clear-all-cell-outputs')
    .then(() => {
      cmds.execute('notebook:run-all-cells').then(
        (ok) => { window.__gmpkitRunAll = ok === false ? 'stopped' : 'done'; },
        (e) => { window.__gmpkitRunAll = 'failed: ' + e; });
      return true;
    });
"""
)

_RUN_FINISHED = _js(
    """
  const state = window.__gmpkitRunAll;
  if (!nb || state === 'running') return false;
  const k = nb.sessionContext.session && nb.sessionContext.session.kernel;
  if (k && (k.status === 'dead' || k.status === 'autorestarting')) return 'kernel ' + k.status;
  if (!k || k.status !== 'idle') return false;
  for (const cell of nb.content.widgets) {
    if (cell.model.type !== 'code') continue;
    if (cell.model.sharedModel.getSource().trim() === '') continue;
    if (cell.model.executionCount === null && state === 'done') return false;
  }
  return state;
"""
)

_CELL_REPORT = _js(
    """
  const out = {cells: 0, unexecuted: [], errors: []};
  if (!nb) return out;
  nb.content.widgets.forEach((cell, i) => {
    if (cell.model.type !== 'code') return;
    if (cell.model.sharedModel.getSource().trim() === '') return;
    out.cells += 1;
    if (cell.model.executionCount === null) out.unexecuted.push(i);
    const outputs = cell.model.outputs;
    for (let j = 0; j < outputs.length; j++) {
      const o = outputs.get(j).toJSON();
      if (o.output_type === 'error') out.errors.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
    }
  });
  return out;
"""
)


def run_all(page, timeout_ms: int = RUN_TIMEOUT_MS) -> dict:
    """Clear outputs, run every cell, wait until the kernel is idle and every code cell ran.

    Returns ``{"cells": n, "unexecuted": [...], "errors": [...], "seconds": t}``; raises
    AssertionError if a cell raised (run-all stops there) or a code cell did not run.
    """
    t0 = time.monotonic()
    page.evaluate(_START_RUN_ALL)
    try:
        state = page.wait_for_function(_RUN_FINISHED, timeout=timeout_ms).json_value()
    except Exception as exc:
        if "Timeout" not in type(exc).__name__:
            raise
        report = page.evaluate(_CELL_REPORT)
        raise AssertionError(
            f"run all cells did not finish within {timeout_ms / 1000:.0f} s: code cells not yet "
            f"run {report['unexecuted']}, errors so far {report['errors']}"
        ) from exc
    report = page.evaluate(_CELL_REPORT)
    report["seconds"] = round(time.monotonic() - t0, 2)
    assert state == "done" and not report["errors"] and not report["unexecuted"], (
        f"run all cells ended as {state!r}: errors {report['errors']}, "
        f"code cells that did not run: {report['unexecuted']}"
    )
    return report


_WIDGET_REPORT = _js(
    """
  // Compare the widget views the kernel sent (cell models) with what the DOM shows.
  const out = {views: 0, rendered: 0, pending: [], broken: []};
  if (!nb) return out;
  nb.content.widgets.forEach((cell, i) => {
    if (cell.model.type !== 'code') return;
    const outputs = cell.model.outputs;
    let want = 0;
    for (let j = 0; j < outputs.length; j++) {
      const o = outputs.get(j).toJSON();
      if (o.data && o.data['application/vnd.jupyter.widget-view+json']) want += 1;
    }
    if (!want) return;
    out.views += want;
    const text = cell.node.innerText || '';
    const bad = text.match(/(Error displaying widget.*|.*model not found.*)/i);
    if (bad) { out.broken.push(`cell ${i}: ${bad[0].slice(0, 200)}`); return; }
    let got = 0;
    cell.node.querySelectorAll('.jp-OutputArea-output').forEach((n) => {
      if (n.querySelector(':scope > .jupyter-widgets')) got += 1;
    });
    out.rendered += Math.min(got, want);
    if (got < want) out.pending.push(i);
  });
  return out;
"""
)


def widget_report(page) -> dict:
    """How many widget views the notebook shows, and which are rendered/pending/broken."""
    return page.evaluate(_WIDGET_REPORT)


def wait_for_widgets(page, timeout_ms: int = UI_TIMEOUT_MS) -> dict:
    """Wait until every widget view is rendered (or one is broken); return the report."""
    page.wait_for_function(
        "(arg) => { const r = (" + _WIDGET_REPORT + ")(arg);"
        " return r.broken.length > 0 || r.pending.length === 0; }",
        timeout=timeout_ms,
    )
    return widget_report(page)


_ERROR_TEXT = _js(
    """
  const root = nb ? nb.node : document;
  const found = [];
  const texts = ['Error displaying widget', 'model not found'];
  root.querySelectorAll('.jp-OutputArea-output').forEach((o) => {
    const t = o.innerText || '';
    for (const s of texts) if (t.includes(s)) found.push(t.trim().slice(0, 300));
  });
  return found;
"""
)


def errors_on_page(page) -> list[str]:
    """Every error a person would notice: error outputs, kernel errors (also those raised
    in widget callbacks, which JupyterLab sends to the log console, not to a cell), and
    widgets that failed to display."""
    errors = list(page.evaluate(_CELL_REPORT)["errors"])
    errors += page.evaluate("() => window.__gmpkitKernelErrors || []")
    errors += page.evaluate(_ERROR_TEXT)
    seen, unique = set(), []
    for e in errors:
        if e not in seen:
            seen.add(e)
            unique.append(e)
    return unique


def open_and_run(page, path: str, name: str, lecture: bool = True) -> tuple[dict, dict]:
    """Open ``path``, check that a lecture's hidden check cells open collapsed, run every
    cell, and check that every widget rendered and no error shows; returns
    ``(run_all's report, wait_for_widgets' report)``."""
    open_notebook(page, path)
    if lecture:
        assert page.evaluate(ASSERT_CELLS_SHOWN) == [], f"{name} shows assert cells"
    report = run_all(page)
    widgets = wait_for_widgets(page)
    assert not widgets["broken"], f"{name}: widgets failed to display: {widgets['broken']}"
    assert not widgets["pending"], f"{name}: widgets never rendered in cells {widgets['pending']}"
    assert errors_on_page(page) == [], name
    return report, widgets


def _slider(page, description_or_index):
    nb = page.locator(".jp-NotebookPanel:visible").first
    sliders = nb.locator(".widget-slider")
    if isinstance(description_or_index, int):
        return sliders.nth(description_or_index)
    match = sliders.filter(
        has=page.locator(".widget-label", has_text=str(description_or_index))
    )
    count = match.count()
    assert count >= 1, (
        f"no slider described {description_or_index!r}; sliders on the page: "
        f"{[t.strip() for t in nb.locator('.widget-slider .widget-label').all_inner_texts()]}"
    )
    return match.first


def set_slider(page, description_or_index, value, timeout_ms: int = UI_TIMEOUT_MS) -> None:
    """Set a slider by typing into its readout and pressing Enter, as a person can.

    ``description_or_index``: the slider's description text, or its index among the
    notebook's sliders (0 = first).
    """
    slider = _slider(page, description_or_index)
    readout = slider.locator(".widget-readout")
    readout.scroll_into_view_if_needed(timeout=timeout_ms)
    readout.click(timeout=timeout_ms)
    page.keyboard.press("Control+A")
    page.keyboard.type(str(value))
    page.keyboard.press("Enter")
    expected = str(value)
    page.wait_for_function(
        "([el, v]) => el.innerText.trim() === v || el.innerText.trim().replace(/,/g, '') === v",
        arg=[readout.element_handle(timeout=timeout_ms), expected],
        timeout=timeout_ms,
    )


def text_of(page, selector: str, timeout_ms: int = UI_TIMEOUT_MS) -> str:
    loc = page.locator(selector).first
    loc.wait_for(timeout=timeout_ms)
    return loc.inner_text()


def wait_for_text_change(page, selector: str, old_text: str,
                         timeout_ms: int = UI_TIMEOUT_MS) -> str:
    """Wait until the first element matching ``selector`` no longer shows ``old_text``;
    return the new text. Fails with both texts if it does not change in time."""
    try:
        page.wait_for_function(
            "([sel, old]) => { const el = document.querySelector(sel);"
            " return !!el && el.innerText !== old; }",
            arg=[selector, old_text], timeout=timeout_ms,
        )
    except Exception as exc:
        now = page.evaluate(
            "(sel) => { const el = document.querySelector(sel); return el && el.innerText; }",
            selector,
        )
        raise AssertionError(
            f"{selector!r} still shows {now!r} after {timeout_ms} ms (was {old_text!r})"
        ) from exc
    return page.locator(selector).first.inner_text()


def screenshot(page, name: str, full_page: bool = False) -> Path:
    """Save a PNG of the page in build/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, timeout=UI_TIMEOUT_MS)
    return path


def assert_not_blank(png_path, min_std: float = 0.02, min_colors: int = 16) -> None:
    """Fail if the PNG is (nearly) one colour: a blank or failed render."""
    import matplotlib.image as mpimg
    import numpy as np

    img = mpimg.imread(str(png_path))  # floats in [0, 1], H x W x (3|4)
    assert img.ndim == 3 and img.shape[0] > 10 and img.shape[1] > 10, (
        f"{png_path}: not an image of useful size ({img.shape})"
    )
    rgb = img[..., :3]
    std = float(rgb.std())
    q = (rgb.reshape(-1, 3) * 255).astype(np.uint32)
    colors = len(np.unique((q[:, 0] << 16) | (q[:, 1] << 8) | q[:, 2]))
    assert std >= min_std and colors >= min_colors, (
        f"{png_path} looks blank: pixel std {std:.4f} (need >= {min_std}), "
        f"{colors} distinct colours (need >= {min_colors})"
    )


def wait_for_errors(page, timeout_ms: int = UI_TIMEOUT_MS) -> list[str]:
    """Wait until the kernel has reported at least one error; return errors_on_page."""
    page.wait_for_function(
        "() => (window.__gmpkitKernelErrors || []).length > 0", timeout=timeout_ms
    )
    return errors_on_page(page)
