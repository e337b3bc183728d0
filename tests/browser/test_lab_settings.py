"""`make lab` starts JupyterLab with the course's defaults (tools/lab/overrides.json): a real
JupyterLab server, with no user settings of its own, must serve them."""

from __future__ import annotations

import re
import shlex
import subprocess

import pytest

import lab

NOTIFICATION = "@jupyterlab/apputils-extension:notification"


def make_lab_args() -> list[str]:
    """The LAB_ARGS that `make lab` passes to JupyterLab (read from make, not copied)."""
    out = subprocess.run(["make", "-s", "-C", str(lab.REPO), "--eval=show-lab-args:\n\t@echo $(LAB_ARGS)",
                          "show-lab-args"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return shlex.split(out.stdout)


def test_make_lab_uses_the_course_settings_dir():
    args = make_lab_args()
    assert f"--LabApp.app_settings_dir={lab.REPO / 'tools' / 'lab'}" in args


def test_no_news_or_update_popup_by_default(tmp_path):
    args = make_lab_args()
    server = lab.LabServer(tmp_path, user_settings={}, extra_args=args)
    try:
        server.start()
        settings = server.api("GET", f"/lab/api/settings/{NOTIFICATION}")
        defaults = {k: v.get("default") for k, v in settings["schema"]["properties"].items()}
        assert defaults["fetchNews"] == "false", server.log_tail(30)
        assert defaults["checkForUpdates"] is False
        assert settings["raw"] in ("", "{}") or not re.search(r"fetchNews", settings["raw"])
    finally:
        server.stop()
