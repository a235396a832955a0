"""What a learner sees of the stepping widget in a JupyterLab page, measured in the page itself.

``look(explorer)`` scrolls the notebook so that the widget's top is at the top of the notebook's
visible area (the page stays where it is after that: nothing more is scrolled) and reports:

* every visible button whose label does not fit its box (``scrollWidth`` past ``clientWidth``,
  or its text's own extent past the button's edges), with both widths;
* the controls, segments in flight, "what happened" and the ladder's newest step that are not
  wholly inside what the learner sees (the viewport, the notebook's visible area, and, for the
  ladder, the part of its scrolling box not covered by the band at its foot);
* text whose colour has too little contrast with the background it is drawn on (WCAG 2's
  ratio: 4.5, or 3 for large text; disabled buttons are exempt, as WCAG exempts them).
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page

# Runs in the page with the explorer's root element.
LOOK_JS = (Path(__file__).parent / "look.js").read_text(encoding="utf-8")


def look(explorer: Locator) -> dict:
    """Scroll the explorer to the top of the notebook's visible area and measure it (see above)."""
    return explorer.evaluate(LOOK_JS)


def redraws(explorer: Locator) -> int:
    return int(explorer.get_attribute("data-redraws") or 0)


def click_and_wait(page: Page, explorer: Locator, target: Locator) -> float:
    """Click ``target`` in ``explorer`` and wait until Python's answer is drawn; returns the explorer's own
    measure of the click-to-redraw time in milliseconds (from the click to the frame after the redraw)."""
    before = redraws(explorer)
    target.click()
    page.wait_for_function(
        "([root, before]) => Number(root.dataset.redraws || 0) > before && !root.classList.contains('tx-busy')",
        arg=[explorer.element_handle(), before],
    )
    return float(explorer.get_attribute("data-redraw-ms"))
