"""The one error the pictures raise: a drawing that cannot be made on this machine."""

from __future__ import annotations

from ..core.errors import TcpeduError

__all__ = ["DiagramError"]


class DiagramError(TcpeduError):
    """A picture cannot be drawn here (Graphviz or rsvg-convert missing); the message says how
    to install what is missing. The rest of tcpedu keeps working."""
