"""A throwaway JupyterLab server, and helpers that drive notebooks in it through a Playwright page.

The fixtures in ``conftest.py`` start the server and the browser; tests import the page helpers from here.
(The module is not named ``jupyterlab.py``: pytest puts this folder on ``sys.path``, and that name would
shadow the real ``jupyterlab`` package.)
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

ARTIFACTS_DIR = Path(__file__).parent / "artifacts"
COURSE_OVERRIDES = Path(__file__).resolve().parents[2] / "binder" / "overrides.json"

# Default-setting overrides for the test server (an ``overrides.json`` in its own app settings dir): the
# course's own (binder/overrides.json, as scripts/course and Binder install it: no "Jupyter news?" toast,
# no update check), and for tests only, every cell stays in the page (no notebook windowing).
SETTINGS_OVERRIDES: dict[str, dict[str, Any]] = {
    **json.loads(COURSE_OVERRIDES.read_text(encoding="utf-8")),
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}

THEMES_PLUGIN = "@jupyterlab/apputils-extension:themes"

PYTHON3_KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}

VISIBLE_NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
# JupyterLab 4.6 renders a cell's error (traceback) as a stderr output; older versions used the error type.
ERROR_OUTPUT = '[data-mime-type="application/vnd.jupyter.error"]'
STDERR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'

# Runs the server in place of this launcher (same PID) after asking Linux to SIGTERM it if pytest dies,
# so even a killed test run leaves no server behind. Elsewhere the launcher just becomes the server.
_SERVER_LAUNCHER = """\
import ctypes, os, signal, sys
if sys.platform.startswith("linux"):
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != int(sys.argv[1]):
        sys.exit("pytest exited before the JupyterLab server started")
os.execv(sys.executable, [sys.executable, "-m", "jupyterlab", *sys.argv[2:]])
"""


# --------------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------------


@dataclass
class JupyterLabServer:
    """A running JupyterLab server: where it answers, its token, and the root folder it serves."""

    url: str
    token: str
    root_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]

    def lab_url(self, path: str = "", *, reset: bool = False) -> str:
        """The address of a JupyterLab page (``path`` under ``/lab/``), with the token, optionally ``?reset``."""
        query = ("reset&" if reset else "") + f"token={self.token}"
        return f"{self.url}/lab/{path}?{query}"

    def api(self, method: str, path: str, timeout: float = 10.0, body: Any = None) -> Any:
        """Call the server's REST API (``path`` such as ``/api/sessions``, ``body`` sent as JSON); returns the
        decoded JSON or None."""
        headers = {"Authorization": f"token {self.token}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def set_theme(self, theme: str) -> None:
        """Choose JupyterLab's theme ("JupyterLab Light", "JupyterLab Dark") for the pages opened from now on."""
        self.api("PUT", f"/lab/api/settings/{THEMES_PLUGIN}", body={"raw": json.dumps({"theme": theme})})

    def delete_all_sessions(self) -> None:
        """Delete every session, which shuts its kernel down, so the next notebook opened gets a fresh kernel."""
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def add_notebook(self, source: Path, relative_path: str | None = None) -> str:
        """Copy a notebook into the server's root; returns its path relative to the root (for ``open_notebook``)."""
        relative_path = relative_path or source.name
        destination = self.root_dir / relative_path
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
        return relative_path

    def log_tail(self, lines: int = 60) -> str:
        """The last lines of the server's log."""
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server: ask it through the API, then SIGTERM, then SIGKILL its process group. Idempotent."""
        if self.process.poll() is not None:
            return
        stop_signals: list[signal.Signals | None] = [signal.SIGTERM, signal.SIGKILL]
        with contextlib.suppress(OSError):  # a server that does not answer gets the signals at once
            self.api("POST", "/api/shutdown", timeout=5)
            stop_signals.insert(0, None)  # None: give the shutdown it was asked for time to finish
        for stop_signal in stop_signals:
            if stop_signal is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, stop_signal)
            try:
                self.process.wait(timeout)
                return
            except subprocess.TimeoutExpired:
                continue


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepare_dirs(base_dir: Path) -> dict[str, Path]:
    """Create the server's throwaway folders under ``base_dir`` and write its settings overrides."""
    dirs = {
        name: base_dir / name
        for name in ("root", "config", "runtime", "data", "workspaces", "user-settings", "app-settings", "ipython")
    }
    for folder in dirs.values():
        folder.mkdir(parents=True, exist_ok=True)
    (dirs["app-settings"] / "overrides.json").write_text(json.dumps(SETTINGS_OVERRIDES, indent=2))
    return dirs


def _server_command(port: int, token: str, dirs: dict[str, Path]) -> list[str]:
    """The command line that starts JupyterLab from this Python environment."""
    command = [sys.executable, "-c", _SERVER_LAUNCHER, str(os.getpid())]
    command += [
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",  # a taken port must fail the start, not move the server elsewhere
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={dirs['root']}",
        f"--LabApp.workspaces_dir={dirs['workspaces']}",
        f"--LabApp.user_settings_dir={dirs['user-settings']}",
        f"--LabApp.app_settings_dir={dirs['app-settings']}",
        "--ServerApp.terminals_enabled=False",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command


def _server_environment(dirs: dict[str, Path]) -> dict[str, str]:
    """The environment for the server: Jupyter's and IPython's own folders all point at throwaway ones."""
    environment = dict(os.environ)
    environment.update(
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTERLAB_SETTINGS_DIR=str(dirs["user-settings"]),
        JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]),
        IPYTHONDIR=str(dirs["ipython"]),
        PYDEVD_DISABLE_FILE_VALIDATION="1",  # silences the kernel's debugger warning about frozen modules
    )
    environment.pop("JUPYTER_TOKEN", None)
    return environment


def _wait_until_ready(server: JupyterLabServer, timeout: float) -> None:
    """Poll ``/api/status`` until the server answers; raise with the server's log if it dies or takes too long."""
    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"JupyterLab exited with code {server.process.returncode} before answering /api/status.\n"
                f"Server log ({server.log_path}):\n{server.log_tail()}"
            )
        try:
            server.api("GET", f"/api/status?token={server.token}", timeout=2)
            return
        except (OSError, ValueError):  # not listening yet, or not yet answering JSON
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(
                f"JupyterLab did not answer {server.url}/api/status within {timeout:.0f} s.\n"
                f"Server log ({server.log_path}):\n{server.log_tail()}"
            )
        time.sleep(0.1)


def _check_settings_overrides(server: JupyterLabServer) -> None:
    """Fail early if the server did not take the settings overrides (every later selector would be unreliable)."""
    settings = server.api("GET", "/lab/api/settings/@jupyterlab/notebook-extension:tracker")
    windowing_default = settings["schema"]["properties"]["windowingMode"]["default"]
    if windowing_default != "none":
        raise RuntimeError(
            f"The test server ignored its settings overrides (windowingMode default is {windowing_default!r}).\n"
            f"Server log ({server.log_path}):\n{server.log_tail()}"
        )


def start_jupyterlab(base_dir: Path, timeout: float = 60.0, attempts: int = 3) -> JupyterLabServer:
    """Start JupyterLab on 127.0.0.1 with a free port, a random token and throwaway folders under ``base_dir``.

    Returns once ``/api/status`` answers. The server is also stopped at interpreter exit (and, on Linux,
    when this process dies), so a crashed or interrupted test run leaves no server behind.
    """
    dirs = _prepare_dirs(base_dir)
    log_path = base_dir / "server.log"
    for attempt in range(1, attempts + 1):
        port, token = _free_port(), secrets.token_hex(24)
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                _server_command(port, token, dirs),
                cwd=dirs["root"],
                env=_server_environment(dirs),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so stop() can signal all of it
            )
        server = JupyterLabServer(f"http://127.0.0.1:{port}", token, dirs["root"], log_path, process)
        atexit.register(server.stop)
        try:
            _wait_until_ready(server, timeout)
        except RuntimeError:
            port_was_taken = "already in use" in server.log_tail()
            if port_was_taken and attempt < attempts:  # another program took the port between probe and bind
                continue
            raise
        try:
            _check_settings_overrides(server)
        except Exception:
            server.stop()
            raise
        return server
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------------------------------
# Notebooks
# --------------------------------------------------------------------------------------------------


def code_cell(source: str) -> dict[str, Any]:
    """A code cell (nbformat 4.5) that has not run."""
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}


def markdown_cell(source: str) -> dict[str, Any]:
    """A Markdown cell (nbformat 4.5)."""
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def write_notebook(path: Path, cells: Iterable[str | dict[str, Any]]) -> Path:
    """Write a notebook with the python3 kernelspec (so no "Select Kernel" dialog); strings become code cells.

    Written as plain JSON: importing ``nbformat`` would add about 4 s to every run (its jsonschema
    dependency builds a URI grammar at import).
    """
    notebook_cells = [code_cell(cell) if isinstance(cell, str) else dict(cell) for cell in cells]
    for index, cell in enumerate(notebook_cells):
        cell.setdefault("id", f"cell-{index}")
    notebook = {
        "cells": notebook_cells,
        "metadata": {"kernelspec": dict(PYTHON3_KERNELSPEC), "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook, indent=1) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------------


def notebook_panel(page: Page) -> Locator:
    """The notebook panel on show (the server may have restored others, hidden, behind it)."""
    return page.locator(VISIBLE_NOTEBOOK)


def open_notebook(page: Page, server: JupyterLabServer, relative_path: str, timeout: float = 60_000) -> Locator:
    """Open a notebook (path relative to the server's root) in a reset workspace; returns its visible panel."""
    page.goto(server.lab_url(f"tree/{quote(relative_path)}", reset=True), timeout=timeout)
    panel = notebook_panel(page)
    panel.locator(".jp-Cell").first.wait_for(state="visible", timeout=timeout)
    tab_label = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel")
    tab_label.filter(has_text=Path(relative_path).name).wait_for(timeout=timeout)
    return panel


_KERNEL_STATE_JS = """() => {
    const dialog = document.querySelector('.jp-Dialog');
    if (dialog) {
        return 'dialog:' + (dialog.querySelector('.jp-Dialog-header')?.textContent ?? '').trim();
    }
    for (const item of document.querySelectorAll('.jp-StatusBar-TextItem')) {
        const text = item.textContent.trim();
        if (text.endsWith('| Idle') && !text.startsWith('No Kernel')) return 'idle';
    }
    return false;
}"""


def _status_bar_texts(page: Page) -> list[str]:
    return [text.strip() for text in page.locator(".jp-StatusBar-TextItem").all_text_contents()]


def wait_for_kernel_idle(page: Page, timeout: float = 60_000) -> None:
    """Wait until the status bar shows a started kernel that is idle, accepting a "Select Kernel" dialog.

    The toolbar's indicator says idle before the kernel has started (and "Run All" sent then is lost),
    so this waits for the status bar's ``<kernel> | Idle`` instead.
    """
    deadline = time.monotonic() + timeout / 1000
    while True:
        remaining_ms = max(1.0, (deadline - time.monotonic()) * 1000)
        try:
            state = page.wait_for_function(_KERNEL_STATE_JS, timeout=remaining_ms).json_value()
        except PlaywrightError as error:
            raise AssertionError(
                f"The kernel was not idle within {timeout / 1000:.0f} s; status bar: {_status_bar_texts(page)}"
            ) from error
        if state == "idle":
            return
        if "Kernel" not in state:
            raise AssertionError(f"An unexpected dialog is open: {state.removeprefix('dialog:')!r}")
        page.locator(".jp-Dialog .jp-mod-accept").click()
        page.locator(".jp-Dialog").wait_for(state="detached")


def click_menu_item(page: Page, menu: str, item: str) -> None:
    """Choose ``item`` from the menu bar's ``menu`` (labels matched exactly)."""
    page.locator(".lm-MenuBar-itemLabel").filter(has_text=re.compile(f"^{re.escape(menu)}$")).click()
    page.locator(".lm-Menu-itemLabel").filter(has_text=re.compile(f"^{re.escape(item)}$")).click()


_RUN_STATE_JS = r"""(selectors) => {
    const panel = document.querySelector(selectors.panel);
    if (!panel) return null;
    const prompts = [...panel.querySelectorAll('.jp-CodeCell')]
        .filter((cell) => (cell.querySelector('.jp-InputArea-editor')?.textContent ?? '').trim() !== '')
        .map((cell) => (cell.querySelector('.jp-InputPrompt')?.textContent ?? '').trim());
    const tracebacks = [...panel.querySelectorAll(selectors.stderr)]
        .filter((output) => output.textContent.includes('Traceback'));
    return {
        prompts,
        running: prompts.some((prompt) => prompt.includes('*')),
        allNumbered: prompts.every((prompt) => /^\[\d+\]:?$/.test(prompt)),
        anyNumbered: prompts.some((prompt) => /\d/.test(prompt)),
        hasError: panel.querySelector(selectors.error) !== null || tracebacks.length > 0,
    };
}"""
# Code cells are counted only when they hold code: JupyterLab gives an empty cell no execution count.
_RUN_STATE_ARG = {"panel": VISIBLE_NOTEBOOK, "error": ERROR_OUTPUT, "stderr": STDERR_OUTPUT}
_OUTPUTS_CLEARED_JS = (
    f"(selectors) => {{ const state = ({_RUN_STATE_JS})(selectors); return state && !state.anyNumbered; }}"
)
_RUN_FINISHED_JS = (
    f"(selectors) => {{ const state = ({_RUN_STATE_JS})(selectors);"
    " return state && !state.running && (state.allNumbered || state.hasError); }"
)


def run_all_cells(page: Page, timeout: float = 120_000) -> None:
    """Run every cell of the visible notebook through the Run menu, and wait until all have run.

    Waits for an idle kernel first, and clears earlier outputs (and execution counts) first, so a notebook
    saved with outputs cannot look finished before it ran. Raises, showing the error, if an error stopped
    the run (JupyterLab then skips the cells after it).
    """
    wait_for_kernel_idle(page)
    click_menu_item(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(_OUTPUTS_CLEARED_JS, arg=_RUN_STATE_ARG)
    click_menu_item(page, "Run", "Run All Cells")
    try:
        page.wait_for_function(_RUN_FINISHED_JS, arg=_RUN_STATE_ARG, timeout=timeout)
    except PlaywrightError as error:
        state = page.evaluate(_RUN_STATE_JS, _RUN_STATE_ARG)
        raise AssertionError(f"Not every cell ran within {timeout / 1000:.0f} s; run state: {state}") from error
    state = page.evaluate(_RUN_STATE_JS, _RUN_STATE_ARG)
    if not state["allNumbered"]:
        errors = "\n\n".join(error_outputs(page))
        raise AssertionError(f"An error stopped the run; prompts: {state['prompts']}\n\n{errors}")


def error_outputs(page: Page) -> list[str]:
    """Texts of the visible notebook's error outputs, and of its stderr outputs that hold a traceback."""
    panel = notebook_panel(page)
    errors = panel.locator(ERROR_OUTPUT).all_inner_texts()
    errors += [text for text in panel.locator(STDERR_OUTPUT).all_inner_texts() if "Traceback" in text]
    return errors


def assert_no_error_outputs(page: Page) -> None:
    """Fail, showing them, if any cell of the visible notebook shows an error or a traceback."""
    errors = error_outputs(page)
    assert not errors, "The notebook shows error outputs:\n\n" + "\n\n".join(errors)


def wait_for_theme(page: Page, theme: str) -> None:
    """Wait until JupyterLab shows ``theme`` (the body's ``data-jp-theme-name``)."""
    page.wait_for_function("(theme) => document.body.dataset.jpThemeName === theme", arg=theme)


def show_file_browser(page: Page, shown: bool) -> None:
    """Open or close the left sidebar's file browser, as a learner clicks its icon, and wait for the layout."""
    stack = page.locator("#jp-left-stack")
    if stack.is_visible() != shown:
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id='filebrowser']").click()
    if shown:
        expect(page.locator(".jp-FileBrowser")).to_be_visible()
    else:
        expect(stack).to_be_hidden()
    next_frames(page)


def next_frames(page: Page, frames: int = 2) -> None:
    """Wait until the browser has drawn ``frames`` more frames (a new layout has been painted)."""
    page.evaluate(
        "(n) => new Promise((done) => { const tick = (k) => k ? requestAnimationFrame(() => tick(k - 1)) : done(); "
        "tick(n); })",
        frames,
    )


def screenshot(page: Page, name: str) -> Path:
    """Save a PNG of the page as ``tests/browser/artifacts/<name>.png``; returns its path."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    path = ARTIFACTS_DIR / (re.sub(r"[^\w.-]+", "_", name).removesuffix(".png") + ".png")
    page.screenshot(path=path)
    return path
