"""The browser harness at work: a widget notebook is run and clicked in a real JupyterLab page.

A Button's click must reach the kernel and come back as a changed Label in the page: the whole path
(server, kernel, widget manager, rendering) that the course's notebooks rely on.
"""

from __future__ import annotations

import pytest
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

DEMO_NOTEBOOK = "harness demo/widget_click.ipynb"  # a folder and a space: the URL must be quoted right

DEMO_CELLS = [
    "import ipywidgets as widgets",
    """\
clicks = 0
button = widgets.Button(description="Click me")
button.add_class("demo-button")
label = widgets.Label(value="Not clicked yet")
label.add_class("demo-label")


def count_click(_button):
    global clicks
    clicks += 1
    label.value = f"Clicked {clicks} time" + ("" if clicks == 1 else "s")


button.on_click(count_click)
widgets.HBox([button, label])""",
    "",  # an empty cell never gets an execution count; run_all_cells must not wait for it
]


def test_button_click_updates_label_in_page(jupyterlab: JupyterLabServer, browser_page: Page) -> None:
    """Clicking the rendered Button changes the rendered Label, once per click."""
    write_notebook(jupyterlab.root_dir / DEMO_NOTEBOOK, DEMO_CELLS)
    notebook = open_notebook(browser_page, jupyterlab, DEMO_NOTEBOOK)

    run_all_cells(browser_page)

    button = notebook.locator(".demo-button")
    label = notebook.locator(".demo-label")
    expect(label).to_have_text("Not clicked yet")
    button.click()
    expect(label).to_have_text("Clicked 1 time")
    button.click()
    expect(label).to_have_text("Clicked 2 times")

    screenshot(browser_page, "harness-widget-click")
    assert_no_error_outputs(browser_page)
