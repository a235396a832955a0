"""The colours that mean the same in every picture: blue is the client, orange the server."""

from __future__ import annotations

__all__ = ["SIDE_COLOURS"]

SIDE_COLOURS = {"client": ("#1f5fbf", "#d3e4fb"), "server": ("#c4500a", "#fde0c5")}
"""(line, fill) colour of each side."""
