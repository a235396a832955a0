"""``scripts/course`` opens the course in a JupyterLab whose own settings (binder/overrides.json, the
file Binder's postBuild installs too) turn off the "Jupyter news?" pop-up and the update check.

The server is started exactly as a learner starts it, and asked which defaults it serves.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTIFICATION = "@jupyterlab/apputils-extension:notification"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_course_overrides_name_the_news_and_update_settings():
    overrides = json.loads((ROOT / "binder" / "overrides.json").read_text(encoding="utf-8"))
    assert overrides[NOTIFICATION] == {"fetchNews": "false", "checkForUpdates": False}


def test_scripts_course_serves_jupyterlab_without_the_news_pop_up(tmp_path):
    port, token = _free_port(), secrets.token_hex(16)
    environment = dict(
        os.environ,
        TCPEDU_VENV=sys.prefix,  # this environment: already has what the course needs
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "user-settings"),  # no learner's own choice in the way
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
    )
    environment.pop("JUPYTER_TOKEN", None)
    command = [
        str(ROOT / "scripts" / "course"),
        "--no-browser",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
    ]
    log = tmp_path / "course.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            command, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/lab/api/settings/{NOTIFICATION}", headers={"Authorization": f"token {token}"}
    )
    try:
        deadline = time.monotonic() + 240  # the first run installs tcpedu[course] into the environment
        while True:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    settings = json.load(response)
                break
            except OSError:
                assert server.poll() is None, f"scripts/course stopped:\n{log.read_text(errors='replace')[-3000:]}"
                assert time.monotonic() < deadline, f"no answer:\n{log.read_text(errors='replace')[-3000:]}"
                time.sleep(0.25)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(5)
    defaults = {name: spec.get("default") for name, spec in settings["schema"]["properties"].items()}
    # JupyterLab's own defaults are "none" (ask the learner: the pop-up) and True.
    assert defaults["fetchNews"] == "false"
    assert defaults["checkForUpdates"] is False
