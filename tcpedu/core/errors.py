"""The errors tcpedu raises. Every other exception escaping tcpedu is a bug.

* ``CallRefused``: a user call the connection's state does not allow (the local user's
  mistake, like h11's ``LocalProtocolError``). Nothing changed.
* ``SimulationError``: a network action that cannot be done (nothing in flight, no such
  segment, a wait that is not a duration).

A segment the RFC says to drop or answer with a RST is not an error: it is behaviour, and
shows up as notes and segments in the run's history.
"""

from __future__ import annotations

from .states import State

__all__ = ["CallRefused", "SimulationError", "TcpeduError"]


class TcpeduError(Exception):
    """Base class of tcpedu's errors."""


class CallRefused(TcpeduError):
    """A user call refused in the current state; the connection is unchanged."""

    def __init__(self, call: str, state: State, reason: str, source: str):
        self.call = call
        self.state = state
        self.reason = reason
        self.source = source
        where = f"RFC 9293 {source}" if source[0].isdigit() else source
        super().__init__(f"{call} refused in {state}: {reason} ({where})")


class SimulationError(TcpeduError):
    """A network or clock action the simulation cannot carry out; nothing changed."""
