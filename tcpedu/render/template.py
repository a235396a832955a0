"""A laid-out SVG that can be restyled in microseconds, without laying it out again.

Graphviz's layout costs tens of milliseconds; a diagram highlighted at every step of a run
needs only new colours. ``SvgTemplate`` keeps the SVG as text with named slots in place of
chosen attribute values and text contents; ``render`` fills the slots (each with its
original value unless told otherwise) and joins the pieces. The geometry never changes, so
the picture stays put from one step to the next.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

__all__ = ["SVG_NS", "XLINK_NS", "SvgTemplate", "fit_width", "inline_picture", "mark", "picture_bundle", "xml_text"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

_SLOT = re.compile(r"@\{([^{}@]+)\}")
# What xml.sax.saxutils.escape(text, {'"': "&quot;"}) replaces, without importing it (it brings
# urllib, http and email with it: a sixth of tcpedu's start-up).
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


class SvgTemplate:
    """SVG text whose slots (``"<element key>/<attribute>"`` or ``"<element key>/text"``) can
    be given new values at every render."""

    def __init__(self, root: ET.Element, slots: dict[str, str]):
        """``root`` carries ``@{slot}`` markers where ``slots`` (slot -> original value) says."""
        text = ET.tostring(root, encoding="unicode")
        pieces = _SLOT.split(text)
        self._pieces = pieces
        self._defaults = dict(slots)
        self._positions: dict[str, list[int]] = {}
        for index in range(1, len(pieces), 2):
            slot = pieces[index]
            self._positions.setdefault(slot, []).append(index)
            pieces[index] = xml_text(slots[slot])

    @property
    def slots(self) -> frozenset[str]:
        return frozenset(self._defaults)

    def default(self, slot: str) -> str:
        return self._defaults[slot]

    def render(self, values: Mapping[str, str] | None = None) -> str:
        """The SVG text with ``values`` in their slots and every other slot as it was."""
        if not values:
            return "".join(self._pieces)
        pieces = self._pieces.copy()
        positions = self._positions
        for slot, value in values.items():
            try:
                places = positions[slot]
            except KeyError:
                raise KeyError(f"the picture has no slot {slot!r}") from None
            text = xml_text(value)
            for index in places:
                pieces[index] = text
        return "".join(pieces)


def xml_text(value: object) -> str:
    """``value`` as text safe inside an SVG element or a double-quoted attribute."""
    return str(value).translate(_ESCAPES)


def mark(element: ET.Element, key: str, attribute: str, slots: dict[str, str], default: str | None = None) -> None:
    """Put slot ``key/attribute`` in ``element`` (``attribute == "text"`` marks its text)."""
    slot = f"{key}/{attribute}"
    if attribute == "text":
        original = element.text or ""
        element.text = f"@{{{slot}}}"
    else:
        original = element.get(attribute, "")
        element.set(attribute, f"@{{{slot}}}")
    slots[slot] = original if default is None else default


def fit_width(svg: str) -> str:
    """The SVG made to fill its box's width (its height follows from its viewBox), for
    pictures shown inline in a page."""
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 width="100%"', svg, count=1)


_UNIT_PX = {"": 1.0, "px": 1.0, "pt": 4 / 3, "in": 96.0}


def inline_picture(svg: str) -> str:
    """HTML showing ``svg`` inline at its own width, or narrower where the page is: JupyterLab
    shows ``image/svg+xml`` as an image it never scales down, so a picture wider than the
    notebook would be cut off at the right."""
    found = re.search(r'<svg[^>]*? width="([\d.]+)([a-z]*)"', svg)
    width = float(found.group(1)) * _UNIT_PX.get(found.group(2), 1.0) if found else 0
    limit = f"max-width:{width:.0f}px" if width else "max-width:100%"
    return f'<div class="tcpedu-picture" style="{limit}">{fit_width(svg)}</div>'


def picture_bundle(svg: str) -> dict[str, str]:
    """A notebook display of ``svg``: inline HTML that fits the page, and the SVG itself for
    front ends that show no HTML."""
    return {"text/html": inline_picture(svg), "image/svg+xml": svg}
