"""The colours that mean the same in every picture: blue is the client, orange the server."""

from __future__ import annotations

__all__ = ["SIDE_COLOURS", "side_colours"]

SIDE_COLOURS = {"client": ("#1f5fbf", "#d3e4fb"), "server": ("#c4500a", "#fde0c5")}
"""(line, fill) colour of each side."""

_MORE_CLIENTS = (("#00796b", "#cdeeea"), ("#7b1fa2", "#ead7f3"), ("#5d6d00", "#eef3c8"), ("#ad1457", "#f8d5e4"))
_OUTSIDE = ("#616161", "#eeeeee")


def side_colours(side: str) -> tuple[str, str]:
    """(line, fill) of any side: client2 and the rest take turns from a few more colours, a
    server's connection (``server/client2``) is the server's, an address outside the simulation grey."""
    known = SIDE_COLOURS.get(side)
    if known is not None:
        return known
    if side.startswith("server/"):
        return SIDE_COLOURS["server"]
    if side.startswith("client") and side[6:].isdigit():
        return _MORE_CLIENTS[(int(side[6:]) - 2) % len(_MORE_CLIENTS)]
    return _OUTSIDE
