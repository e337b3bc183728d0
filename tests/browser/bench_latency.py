"""What the learner feels: slider release -> new picture visible, in a real browser.

A benchmark, not a test (pytest does not collect it; it prints figures beside their
targets and never fails on them)::

    .venv/bin/python tests/browser/bench_latency.py                # 02, 04, 05, 06, 07
    .venv/bin/python tests/browser/bench_latency.py --notebooks 06_gmp_queues --moves 12

It starts JupyterLab on a temporary copy of ``notebooks/`` and headless chromium (the
same harness as the browser tests, ``lab.py``), opens each notebook, runs all cells, and
then, for every experiment panel (CSS class ``gmpkit-panel``), moves its first slider
(the animation: its frame slider) one step at a time with the arrow keys, as a learner
does with a focused slider: each key press is one release.  The time is taken *in the
page*: from the key-down event to the first animation frame after the panel's new image
has been decoded (``img.decode()`` then ``requestAnimationFrame``), so it includes the
round trip to the kernel, the simulation, matplotlib, the PNG and the browser's decoding.

Moves go right until the slider's end, then left.  Before each move (outside the timed
interval) the kernel's caches of pictures and simulations are emptied, so every move --
also one back to a value shown before -- simulates and draws afresh; ``--keep-caches``
keeps them (then revisits are reported apart).  Panels that
measure the machine (CSS class ``gmpkit-real``) are reported apart, with no target, and
are only moved with ``--real`` (each move runs a measurement).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lab  # noqa: E402

TARGET_P50_MS, TARGET_P95_MS = 150, 300
DEFAULT_NOTEBOOKS = ("02_threads", "04_mn_model", "05_gm_scheduler", "06_gmp_queues",
                     "07_gmp_syscalls")

# Arm a one-shot timer on panel ``arg.i``: key-down -> the image's src changes -> decoded
# -> next frame.  The result lands in window.__gmpkitLat.
_ARM = """
(arg) => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)')
             || document.querySelector('.jp-NotebookPanel');
  const panel = nb.querySelectorAll('.gmpkit-panel')[arg.i];
  const img = panel.querySelector('img');
  const lat = window.__gmpkitLat = {t0: null, t1: null, src: img.getAttribute('src')};
  const onKey = (e) => {
    if (lat.t0 === null && (e.key === 'ArrowRight' || e.key === 'ArrowLeft')) {
      lat.t0 = performance.now();
    }
  };
  document.addEventListener('keydown', onKey, {capture: true});
  const obs = new MutationObserver(() => {
    if (img.getAttribute('src') === lat.src || lat.t0 === null) return;
    obs.disconnect();
    document.removeEventListener('keydown', onKey, {capture: true});
    img.decode().catch(() => null).then(() => requestAnimationFrame(() => {
      lat.t1 = performance.now();
    }));
  });
  obs.observe(img, {attributes: true, attributeFilter: ['src']});
  return true;
}
"""

_PANELS = """
() => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)')
             || document.querySelector('.jp-NotebookPanel');
  return Array.from(nb.querySelectorAll('.gmpkit-panel')).map((p, i) => {
    const id = Array.from(p.classList).find((c) => c.startsWith('gmpkit-id-'));
    const h = p.querySelector('h4');
    return {i, id: id ? id.slice('gmpkit-id-'.length) : null,
            title: h ? h.innerText.trim() : '', real: p.classList.contains('gmpkit-real'),
            sliders: p.querySelectorAll('.widget-slider').length,
            frame: !!p.querySelector('.gmpkit-gmp-frame')};
  });
}
"""


# Run in the kernel before every move: forget every panel's cached pictures and the
# widgets' cached simulations, so each move simulates and draws afresh (works on any
# version of gmpkit: it looks the panels up instead of asking them).
_FORGET = """
import functools as _f, gc as _gc, sys as _s
for _o in _gc.get_objects():
    if str(getattr(type(_o), '__module__', '')).startswith('gmpkit.widgets'):
        for _a in ('_cache', '_png', '_pictures'):
            _c = _o.__dict__.get(_a) if hasattr(_o, '__dict__') else None
            if hasattr(_c, 'clear'):
                _c.clear()
for _k, _m in list(_s.modules.items()):
    if _k.startswith('gmpkit.widgets'):
        for _v in list(vars(_m).values()):
            if isinstance(_v, _f._lru_cache_wrapper):
                _v.cache_clear()
"""

_EXECUTE = """
async (code) => {
  const nb = window.jupyterapp.shell.currentWidget;
  const fut = nb.sessionContext.session.kernel.requestExecute({code, silent: true,
                                                                store_history: false});
  const reply = await fut.done;
  const c = reply.content;
  return c.status === 'ok' ? 'ok' : `${c.ename}: ${c.evalue}`;
}
"""

# The value of a Python expression in the kernel (its repr), or null.
_EVALUATE = """
async (expr) => {
  const nb = window.jupyterapp.shell.currentWidget;
  const fut = nb.sessionContext.session.kernel.requestExecute({
    code: '', silent: false, store_history: false, user_expressions: {v: expr}});
  const reply = await fut.done;
  const v = reply.content.user_expressions && reply.content.user_expressions.v;
  return v && v.status === 'ok' ? v.data['text/plain'] : null;
}
"""

# The kernel's own time for the last redraw of panel ``{pid!r}``: ``(wall ms, CPU ms)``
# (``Panel.timings`` summed, and its ``cpu``).  The rest of a move's latency is the widget
# messages and the browser; wall minus CPU is time the kernel waited for a core.
_KERNEL_MS = (
    "(lambda t: (round(1000 * sum(t.values())), round(1000 * getattr(t, 'cpu', -0.001))))"
    "(max((o for o in __import__('gc').get_objects() "
    "if isinstance(o, __import__('gmpkit.widgets', fromlist=['Panel']).Panel) "
    "and getattr(o, 'panel_id', None) == {pid!r} "
    "and getattr(o, 'timings', None) is not None), key=lambda o: o.timings._t).timings)"
)

# Title prefixes of the panels that measure the machine, for a gmpkit whose panels do not
# carry the gmpkit-real class (the code before issue 12).
_REAL_TITLES = ("01 ", "02 · New threads", "02 · Hand-off", "03 ", "07 ")


def _handle(page, info):
    nb = page.locator(".jp-NotebookPanel:visible").first
    panel = nb.locator(".gmpkit-panel").nth(info["i"])
    sel = ".gmpkit-gmp-frame .noUi-handle" if info["frame"] else ".widget-slider .noUi-handle"
    return panel, panel.locator(sel).first


def _panel_id(info):
    """The registered name (``06:stealing``) of a panel whose CSS id is ``06-stealing``."""
    cid = info.get("id")
    return None if not cid else cid[:2] + ":" + cid[3:]


def _readout(handle):
    v = handle.get_attribute("aria-valuenow")
    lo, hi = handle.get_attribute("aria-valuemin"), handle.get_attribute("aria-valuemax")
    return float(v), float(lo), float(hi)


def time_panel(page, info, moves, forget=True, timeout_ms=120_000):
    """``moves`` one-step moves of the panel's slider; returns [(ms, revisit, kernel ms
    or None), ...].

    With ``forget`` the kernel's caches are emptied before each move (outside the
    timed interval), so a revisit costs what a first visit does."""
    pid = _panel_id(info)
    panel, handle = _handle(page, info)
    panel.scroll_into_view_if_needed(timeout=lab.UI_TIMEOUT_MS)
    handle.focus(timeout=lab.UI_TIMEOUT_MS)
    value, lo, hi = _readout(handle)
    seen = {value}
    key = "ArrowRight" if value < hi else "ArrowLeft"
    out = []
    for _ in range(moves):
        value, lo, hi = _readout(handle)
        if key == "ArrowRight" and value >= hi:
            key = "ArrowLeft"
        elif key == "ArrowLeft" and value <= lo:
            key = "ArrowRight"
        if forget:
            status = page.evaluate(_EXECUTE, _FORGET)
            assert status == "ok", f"could not empty the caches in the kernel: {status}"
        page.evaluate(_ARM, {"i": info["i"]})
        handle.press(key)
        page.wait_for_function("() => window.__gmpkitLat.t1 !== null", timeout=timeout_ms)
        lat = page.evaluate("() => window.__gmpkitLat")
        new_value = _readout(handle)[0]
        page.wait_for_function(lab._KERNEL_IDLE, timeout=timeout_ms)   # settle before the next
        kernel = None
        if pid:
            got = page.evaluate(_EVALUATE, _KERNEL_MS.format(pid=pid))
            if got and got.startswith("("):
                kernel = tuple(float(x) for x in got.strip("()").split(","))
        out.append((lat["t1"] - lat["t0"], new_value in seen, kernel))
        seen.add(new_value)
    return out


def _p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--notebooks", default=",".join(DEFAULT_NOTEBOOKS),
                    help="comma-separated notebook names (without .ipynb)")
    ap.add_argument("--moves", type=int, default=10, help="slider moves per panel (>= 10)")
    ap.add_argument("--real", action="store_true", help="also move panels that measure the machine")
    ap.add_argument("--keep-caches", action="store_true",
                    help="do not empty the kernel's caches before each move (revisits may be "
                         "answered from a panel's picture cache)")
    ap.add_argument("--repo", default=str(lab.REPO), help="where notebooks/ is (default: this repo)")
    args = ap.parse_args(argv)
    reason = lab.browser_unavailable_reason()
    if reason:
        print("browser latency benchmark skipped:", reason)
        return 0
    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="gmpkit-latency-"))
    shutil.copytree(Path(args.repo) / "notebooks", root / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    if (Path(args.repo) / "data").is_dir():
        (root / "data").symlink_to(Path(args.repo) / "data")
    server = lab.LabServer(root)
    rows = []
    try:
        server.start()
        with sync_playwright() as pw:
            browser = lab.launch_browser(pw)
            try:
                for name in args.notebooks.split(","):
                    ctx = browser.new_context(base_url=server.url,
                                              viewport={"width": 1400, "height": 1000})
                    ctx.set_default_timeout(lab.UI_TIMEOUT_MS)
                    page = ctx.new_page()
                    try:
                        t0 = time.monotonic()
                        lab.open_notebook(page, f"notebooks/{name}.ipynb")
                        lab.run_all(page)
                        lab.wait_for_widgets(page)
                        print(f"{name}: ran all cells in {time.monotonic() - t0:.0f} s", flush=True)
                        for info in page.evaluate(_PANELS):
                            label = info["id"] or info["title"][:22]
                            info["real"] = info["real"] or (
                                not info["id"] and info["title"].startswith(_REAL_TITLES))
                            if not info["sliders"]:
                                continue
                            if info["real"] and not args.real:
                                rows.append((label, True, None))
                                continue
                            res = time_panel(page, info, args.moves, forget=not args.keep_caches)
                            rows.append((label, info["real"], res))
                            print(f"  {label:<22} {' '.join(f'{r[0]:.0f}' for r in res)} ms",
                                  flush=True)
                        # the collector held off during redraws (gmpkit.widgets.defer_gc)
                        # must be back on once the kernel is idle
                        page.wait_for_function(lab._KERNEL_IDLE, timeout=60_000)
                        page.wait_for_timeout(300)
                        gc_on = page.evaluate(_EXECUTE, "import gc; assert gc.isenabled()")
                        print(f"  garbage collector on after the moves: {gc_on == 'ok'}")
                    finally:
                        lab.close_page(ctx, server)
            finally:
                browser.close()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    report(rows, args.moves, args.keep_caches)
    return 0


def report(rows, moves, keep=False):
    print(f"\nbrowser latency: slider release -> new picture visible, {moves} one-step moves "
          f"per panel (targets p50 <= {TARGET_P50_MS} ms, p95 <= {TARGET_P95_MS} ms; "
          + ("figures of first visits, revisits apart)" if keep else "every move from cold caches)"))
    print(f"  {'panel':<22}{'n':>4}{'p50':>8}{'p95':>8}{'max':>8}   {'revisits p50':>12}"
          f"{'kernel p50 wall/CPU':>21}")
    for real in (False, True):
        if real:
            print("  panels that measure this machine (no target)")
        for label, is_real, res in rows:
            if is_real != real:
                continue
            if res is None:
                print(f"  {label:<22}  not moved (each move runs a measurement; use --real)")
                continue
            fresh = [ms for ms, rev, _k in res if not (rev and keep)]
            rev = [ms for ms, r, _k in res if r and keep]
            kern = [k[0] for ms, r, k in res if k is not None and not (r and keep)]
            kcpu = [k[1] for ms, r, k in res if k is not None and k[1] >= 0 and not (r and keep)]
            if not fresh:
                continue
            p50, p95 = statistics.median(fresh), _p95(fresh)
            verdict = "" if real else ("ok" if p50 <= TARGET_P50_MS and p95 <= TARGET_P95_MS
                                       else "MISS")
            revs = f"{statistics.median(rev):>8.0f} ({len(rev)})" if rev else ""
            kms = (f"{statistics.median(kern):>6.0f}" if kern else "") + (
                f" /{statistics.median(kcpu):>4.0f}" if kcpu else "")
            print(f"  {label:<22}{len(fresh):>4}{p50:>8.0f}{p95:>8.0f}{max(fresh):>8.0f}   "
                  f"{revs:>12}{kms:>21}  {verdict}")


if __name__ == "__main__":
    sys.exit(main())
