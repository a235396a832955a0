"""A real capture in the stepping widget, in JupyterLab: explore("....pcap") opens with nothing to
drive (no calls, no segments in flight, no clock buttons), and the step button takes in one packet
after another, the states the engine infers drawn under each side, the packets where the real stack
did otherwise marked on the ladder and explained; back takes a packet back. Screenshots land in
tests/browser/artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from explorer_page import click_and_wait, look
from lab_harness import (
    JupyterLabServer,
    assert_no_error_outputs,
    open_notebook,
    run_all_cells,
    screenshot,
    write_notebook,
)
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

CAPTURE = Path(__file__).resolve().parents[2] / "captures" / "half-close.pcap"
NOTEBOOK = "explorer/capture.ipynb"


def test_stepping_through_a_capture_with_clicks(jupyterlab: JupyterLabServer, browser_page: Page):
    from tcpedu.capture.replay import replay_file

    steps = replay_file(CAPTURE, profile="linux", keep_details=True).connections[0].steps
    page = browser_page
    write_notebook(
        jupyterlab.root_dir / NOTEBOOK,
        ["from tcpedu.widgets import explore", f"explore({str(CAPTURE)!r}, profile='linux')"],
    )
    panel = open_notebook(page, jupyterlab, NOTEBOOK)
    run_all_cells(page)
    explorer = panel.locator(".tcpedu-explorer")
    expect(explorer).to_have_count(1)
    assert_no_error_outputs(page)
    # A recording: nothing to call, deliver or wait for.
    expect(explorer.locator("[class*='tcpedu-call-']")).to_have_count(0)
    expect(explorer.locator(".tcpedu-clock-buttons")).to_be_hidden()
    expect(explorer.locator(".tcpedu-deliver-all")).to_be_hidden()
    expect(explorer.locator(".tcpedu-segment-row")).to_have_count(0)
    step = explorer.locator(".tcpedu-step")
    for number, expected in enumerate(steps, start=1):
        click_and_wait(page, explorer, step)
        for side in ("client", "server"):
            state = expected.states[side].value
            expect(explorer.locator(f".tcpedu-state[data-side='{side}']")).to_have_attribute("data-state", state)
        if expected.surprises:
            expect(explorer.locator(".tcpedu-ladder")).to_contain_text("≠ engine")
        if number == 9:  # the server's data after the client's FIN, acknowledged: a shutdown()
            screenshot(page, "capture-half-close-step-9")
            found = look(explorer)
            assert not found["truncated"], found["truncated"]
    expect(step).to_be_disabled()
    click_and_wait(page, explorer, explorer.locator(".tcpedu-back"))
    before_last = steps[-2].states
    for side in ("client", "server"):
        state = before_last[side].value
        expect(explorer.locator(f".tcpedu-state[data-side='{side}']")).to_have_attribute("data-state", state)


def test_in_korean_the_capture_is_explained_in_korean(jupyterlab: JupyterLabServer, browser_page: Page):
    # What the engine does not model is said first, and the real stack's delayed ACK at its packet,
    # both in the learner's language (the replay's own output stays English).
    from tcpedu.capture.replay import replay_file

    connection = replay_file(CAPTURE, profile="linux").connections[0]
    surprised = next(number for number, step in enumerate(connection.steps, start=1) if step.surprises)
    page = browser_page
    write_notebook(
        jupyterlab.root_dir / "explorer/capture-ko.ipynb",
        ["from tcpedu.widgets import explore", f"explore({str(CAPTURE)!r}, profile='linux', lang='ko')"],
    )
    panel = open_notebook(page, jupyterlab, "explorer/capture-ko.ipynb")
    run_all_cells(page)
    explorer = panel.locator(".tcpedu-explorer")
    expect(explorer).to_have_count(1)
    assert_no_error_outputs(page)
    happened = explorer.locator(".tx-happened-body")
    expect(happened).to_contain_text(connection.remarks[0].text("ko"))
    step = explorer.locator(".tcpedu-step")
    for _ in range(surprised):
        click_and_wait(page, explorer, step)
    expect(happened).to_contain_text("지연 확인응답")
    expect(happened).to_contain_text(connection.steps[surprised - 1].surprises[0].text("ko"))
    expect(happened).not_to_contain_text("delayed ACK (RFC 9293")
    screenshot(page, "capture-half-close-korean-delayed-ack")
    assert not look(explorer)["truncated"]
