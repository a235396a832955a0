"""How much of the transition table a state diagram draws (``StateDiagram(detail)``, ``tcpedu
draw --detail``): a module of its own, so the command line offers the choice without loading
the drawing code."""

from __future__ import annotations

__all__ = ["DETAILS"]

DETAILS = ("figure", "rfc", "all", "linux")
"""How many arcs to draw: Figure 5's own 20, every arc of RFC 9293 (the figure's notes and
the event-processing text too), all of them with the simulator's crash as well, or RFC 9293's
with the Linux profile's switched arcs beside them."""
