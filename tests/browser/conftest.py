"""Fixtures for real-browser tests of notebooks in JupyterLab (marked ``browser``).

``jupyterlab`` (session): a throwaway JupyterLab server; tests put notebooks in ``jupyterlab.root_dir``.
``browser_page`` (per test): a Playwright page in a fresh headless Debian Chromium; the server's sessions
are deleted first, so each test's notebook starts a fresh kernel. On failure a screenshot is saved to
``tests/browser/artifacts/``, and the browser's console errors are printed.
The page helpers (``open_notebook``, ``run_all_cells``, ...) are in ``lab_harness.py``.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from lab_harness import ARTIFACTS_DIR, JupyterLabServer, screenshot, start_jupyterlab
from playwright.sync_api import ConsoleMessage, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1400, "height": 1000}
DEFAULT_TIMEOUT_MS = 30_000

_PHASE_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``browser`` marker (the project runs pytest with ``--strict-markers``)."""
    config.addinivalue_line("markers", "browser: drives a notebook in JupyterLab in a real (headless) Chromium")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the test item, so fixtures can tell in teardown whether the test failed."""
    report = yield
    item.stash.setdefault(_PHASE_REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's Chromium; fails (never skips) the test when it is missing."""
    path = shutil.which("chromium")
    if path is None:
        pytest.fail(
            "Browser tests need Chromium on PATH: install Debian's chromium: apt-get install chromium "
            "(not `playwright install`: these tests drive the system's Chromium)",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterLabServer]:
    """A JupyterLab server for the whole session, stopped at its end whatever happened (its log is kept)."""
    server = start_jupyterlab(tmp_path_factory.mktemp("jupyterlab"))
    try:
        yield server
    finally:
        server.stop()
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        shutil.copyfile(server.log_path, ARTIFACTS_DIR / "jupyterlab-server.log")


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    """Playwright's sync API, started once per session."""
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture
def browser_page(
    request: pytest.FixtureRequest,
    chromium_executable: str,
    jupyterlab: JupyterLabServer,
    playwright_driver: Playwright,
    tmp_path: Path,
) -> Iterator[Page]:
    """A page in a fresh headless Chromium profile, after deleting the server's sessions (fresh kernels)."""
    jupyterlab.delete_all_sessions()
    context = playwright_driver.chromium.launch_persistent_context(
        user_data_dir=tmp_path / "chromium-profile",
        executable_path=chromium_executable,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport=VIEWPORT,
    )
    console_errors: list[str] = []
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(DEFAULT_TIMEOUT_MS)
        page.on("console", lambda message: _keep_if_error(message, console_errors))
        page.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
        yield page
        if _test_failed(request.node):
            with contextlib.suppress(PlaywrightError):  # a crashed page cannot be photographed
                print("Saved", screenshot(page, f"FAILED-{request.node.name}"))
            print("Browser console errors:", *console_errors or ["(none)"], sep="\n  ")
    finally:
        context.close()
        jupyterlab.delete_all_sessions()


def _test_failed(item: pytest.Item) -> bool:
    """Whether the test's setup or call phase failed."""
    reports = item.stash.get(_PHASE_REPORTS, {})
    return any(report.failed for report in reports.values())


def _keep_if_error(message: ConsoleMessage, errors: list[str]) -> None:
    """Collect a browser console message if it is an error."""
    if message.type == "error":
        errors.append(message.text)
