"""The stepping widget as a learner meets it in JupyterLab: at 1280x720 and 1920x1080, with the file
browser open and closed, in English and Korean, in the light and the dark theme, every button's label
is whole, the controls, the segments in flight, "what happened" and the ladder's newest step are all in
view at once (the page not scrolled), and no text is drawn in a colour too close to its background. A
30-step run keeps the newest step in view; a double-click is one click; ▶ leaves the last step
explained. Screenshots of every case land in tests/browser/artifacts/; click-to-redraw times in
artifacts/timings.txt.
"""

from __future__ import annotations

import json
import statistics

import pytest
from explorer_page import click_and_wait, look, redraws
from lab_harness import (
    ARTIFACTS_DIR,
    JupyterLabServer,
    assert_no_error_outputs,
    next_frames,
    open_notebook,
    run_all_cells,
    screenshot,
    show_file_browser,
    wait_for_theme,
    write_notebook,
)
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser

NOTEBOOK = "explorer/layout.ipynb"
CELLS = [
    "from tcpedu.widgets import explore",
    "explore(client_isn=100, server_isn=300)",
    'explore("syn-retransmission")',
    # Three lines: ▶ plays them all within a few seconds.
    'explore("server listen\\nclient connect\\ndeliver\\n")',
]
SIZES = [(1280, 720), (1920, 1080)]
THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}


def report(name: str, text: str) -> None:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    with (ARTIFACTS_DIR / "timings.txt").open("a", encoding="utf-8") as out:
        out.write(f"{name}: {text}\n")


@pytest.fixture
def explorers(jupyterlab: JupyterLabServer, browser_page: Page, request: pytest.FixtureRequest) -> list[Locator]:
    """The notebook above, run, in the theme the test asks for (light unless parametrized)."""
    theme = THEMES[getattr(request, "param", "light")]
    jupyterlab.set_theme(theme)
    try:
        write_notebook(jupyterlab.root_dir / NOTEBOOK, CELLS)
        panel = open_notebook(browser_page, jupyterlab, NOTEBOOK)
        wait_for_theme(browser_page, theme)
        run_all_cells(browser_page)
        found = panel.locator(".tcpedu-explorer")
        expect(found).to_have_count(3)
        yield [found.nth(index) for index in range(3)]
    finally:
        jupyterlab.set_theme(THEMES["light"])


def drive_into_a_busy_picture(page: Page, free: Locator, scenario: Locator) -> None:
    """Free play: a handshake's SYN delivered and its SYN,ACK duplicated (two segments in flight); the
    scenario: four steps in (a SYN lost, a retransmission in flight)."""
    click_and_wait(page, free, free.locator(".tcpedu-call-server-listen"))
    click_and_wait(page, free, free.locator(".tcpedu-call-client-connect"))
    click_and_wait(page, free, free.locator(".tcpedu-deliver").first)
    click_and_wait(page, free, free.locator(".tcpedu-duplicate").first)
    expect(free.locator(".tcpedu-segment-row")).to_have_count(2)
    for _ in range(4):
        click_and_wait(page, scenario, scenario.locator(".tcpedu-step"))
    expect(scenario.locator(".tcpedu-segment-row")).to_have_count(1)


def choose_language(page: Page, explorer: Locator, lang: str) -> None:
    explorer.locator(".tx-toggle", has_text="English" if lang == "en" else "한국어").click()
    page.wait_for_function("([root, lang]) => root.lang === lang", arg=[explorer.element_handle(), lang])


@pytest.mark.parametrize("explorers", ["light", "dark"], indirect=True)
def test_every_label_is_whole_and_what_matters_is_in_view_at_once(browser_page: Page, explorers, request):
    page = browser_page
    theme = request.node.callspec.params["explorers"]
    free, scenario, _ = explorers
    drive_into_a_busy_picture(page, free, scenario)
    problems = []
    measured = []
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        for browser_open in (True, False):
            show_file_browser(page, browser_open)
            for lang in ("en", "ko"):
                for which, explorer in (("free", free), ("scenario", scenario)):
                    choose_language(page, explorer, lang)
                    next_frames(page)
                    seen = look(explorer)
                    case = (
                        f"{theme} {width}x{height} file browser {'open' if browser_open else 'closed'} {lang} {which}"
                    )
                    sidebar = "browser" if browser_open else "nobrowser"
                    screenshot(page, f"explorer-{theme}-{width}x{height}-{sidebar}-{lang}-{which}")
                    measured += seen["labels"]
                    assert seen["buttons"] >= 14, (case, seen)  # the calls, the segments', the clock's, the head's
                    for label in seen["truncated"]:
                        problems.append(f"{case}: label cut: {label}")
                    for element in seen["outside"]:
                        problems.append(f"{case}: not in view: {element} (view {seen['seen']})")
                    for text in seen["poorContrast"]:
                        problems.append(f"{case}: poor contrast: {text}")
    narrowest = min(measured, key=lambda label: label["clientWidth"])
    report(
        f"button labels ({theme})",
        f"{len(measured)} buttons measured in 16 cases, {sum(not b['whole'] for b in measured)} cut; "
        f"narrowest {narrowest['clientWidth']} px wide, label {narrowest['textWidth']} px ({narrowest['button']})",
    )
    assert not problems, "\n".join(problems)
    assert_no_error_outputs(page)


def test_a_30_step_run_keeps_the_newest_step_in_view_and_redraws_quickly(browser_page: Page, explorers):
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 720})
    show_file_browser(page, True)
    free = explorers[0]
    took = [
        click_and_wait(page, free, free.locator(".tcpedu-call-server-listen")),
        click_and_wait(page, free, free.locator(".tcpedu-call-client-connect")),
    ]

    def run_to(steps: int) -> None:
        while len(took) < steps:
            if free.locator(".tcpedu-deliver").count():
                took.append(click_and_wait(page, free, free.locator(".tcpedu-deliver").first))
            else:
                took.append(click_and_wait(page, free, free.locator(".tcpedu-call-client-send")))
        assert redraws(free) == steps

    def newest_step_in_view(name: str) -> None:
        seen = look(free)
        screenshot(page, name)
        assert seen["newest"] is not None and seen["newest"]["what"].startswith("segment #")
        assert not seen["outside"], seen["outside"]
        assert not seen["truncated"], seen["truncated"]
        # The ladder's own box followed the run: it is scrolled to its foot.
        assert free.locator(".tx-ladder-scroll").evaluate("s => s.scrollHeight - s.scrollTop - s.clientHeight < 2")

    run_to(30)
    newest_step_in_view("explorer-30-steps")
    report(
        "explorer click-to-redraw (30 steps, in the page)",
        f"median {statistics.median(took):.0f} ms, slowest {max(took):.0f} ms, "
        f"steps 1-5 {statistics.median(took[:5]):.0f} ms, steps 26-30 {statistics.median(took[25:30]):.0f} ms; "
        + json.dumps([round(t) for t in took]),
    )
    # A long run stays usable: the same at 100 steps.
    run_to(100)
    newest_step_in_view("explorer-100-steps")
    report(
        "explorer click-to-redraw (steps 31-100)",
        f"median {statistics.median(took[30:]):.0f} ms, slowest {max(took[30:]):.0f} ms, "
        f"steps 96-100 {statistics.median(took[95:]):.0f} ms",
    )


def test_a_double_click_on_deliver_delivers_one_segment(browser_page: Page, explorers):
    page = browser_page
    free = explorers[0]
    click_and_wait(page, free, free.locator(".tcpedu-call-server-listen"))
    click_and_wait(page, free, free.locator(".tcpedu-call-client-connect"))
    before = redraws(free)
    free.locator(".tcpedu-deliver").first.dblclick()
    page.wait_for_function(
        "([root, before]) => Number(root.dataset.redraws || 0) > before && !root.classList.contains('tx-busy')",
        arg=[free.element_handle(), before],
    )
    expect(free.locator(".tcpedu-ladder g.segment.delivered")).to_have_count(1)
    # What happened explains that delivery: the second click was not carried out (not even refused).
    expect(free.locator(".tcpedu-message")).to_contain_text("arrives at the server")
    expect(free.locator(".tcpedu-message.tx-failed")).to_have_count(0)
    expect(free.locator(".tcpedu-state[data-side='server']")).to_have_attribute("data-state", "SYN-RECEIVED")
    expect(free.locator(".tcpedu-state[data-side='client']")).to_have_attribute("data-state", "SYN-SENT")
    expect(free.locator(".tcpedu-segment-row")).to_have_count(1)  # the SYN,ACK
    assert redraws(free) == before + 1


def test_play_runs_the_script_to_its_end_and_leaves_the_last_step_explained(browser_page: Page, explorers):
    page = browser_page
    short = explorers[2]
    short.scroll_into_view_if_needed()
    short.locator(".tcpedu-play").click()
    expect(short.locator(".tcpedu-step")).to_be_disabled(timeout=20_000)  # the script is over
    expect(short.locator(".tcpedu-state[data-side='server']")).to_have_attribute("data-state", "SYN-RECEIVED")
    # Playing stops by itself; what happened still explains the last line, the delivery of the SYN.
    expect(short.locator(".tcpedu-play")).to_contain_text("▶")
    message = short.locator(".tcpedu-message")
    expect(message).to_contain_text("arrives at the server")
    expect(message).to_contain_text("LISTEN → SYN-RECEIVED")
    expect(message).not_to_contain_text("over")
    expect(short.locator(".tx-next-line")).to_contain_text("the scenario is over")
    next_frames(page, 60)  # a second more of frames: nothing more is asked of the kernel
    expect(message).to_contain_text("LISTEN → SYN-RECEIVED")
    screenshot(page, "explorer-played-to-the-end")
