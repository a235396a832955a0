"""The eleven connection states of RFC 9293 (section 3.3.2), with their descriptions.

The descriptions are RFC 9293 section 3.3.2's, in its English; their Korean versions live with
every other translated text in ``tcpedu.words`` (the core knows no language but the RFC's).
"""

from __future__ import annotations

import enum

__all__ = ["State"]


class State(enum.Enum):
    """A TCP connection state; the value is the RFC's name (``State("SYN-SENT")``)."""

    # Members are singletons compared by identity: hash them by identity too, in C (Enum's own
    # __hash__ is a Python function, and the engine looks states up in dicts at every segment).
    __hash__ = object.__hash__

    CLOSED = "CLOSED"
    LISTEN = "LISTEN"
    SYN_SENT = "SYN-SENT"
    SYN_RECEIVED = "SYN-RECEIVED"
    ESTABLISHED = "ESTABLISHED"
    FIN_WAIT_1 = "FIN-WAIT-1"
    FIN_WAIT_2 = "FIN-WAIT-2"
    CLOSE_WAIT = "CLOSE-WAIT"
    CLOSING = "CLOSING"
    LAST_ACK = "LAST-ACK"
    TIME_WAIT = "TIME-WAIT"

    def __str__(self) -> str:
        return self.value

    @property
    def synchronized(self) -> bool:
        """True once both sides' sequence numbers are known (RFC 9293 section 3.5.2)."""
        return self not in _UNSYNCHRONIZED

    def describe(self) -> str:
        """One line saying what the state means (RFC 9293 3.3.2)."""
        return _DESCRIPTIONS[self]

    @classmethod
    def parse(cls, text: str) -> State:
        """The state named by ``text``: RFC names, any case, ``_`` or ``-``, or the figure's
        abbreviations (``SYN-RCVD``, ``ESTAB``, ``FINWAIT-1``)."""
        key = text.strip().upper().replace("_", "-")
        key = _ALIASES.get(key, key)
        try:
            return cls(key)
        except ValueError:
            names = ", ".join(state.value for state in cls)
            raise ValueError(f"unknown state {text!r}: the states are {names}") from None


_UNSYNCHRONIZED = frozenset({State.CLOSED, State.LISTEN, State.SYN_SENT, State.SYN_RECEIVED})

_ALIASES = {
    "SYN-RCVD": "SYN-RECEIVED",
    "SYN-RECV": "SYN-RECEIVED",
    "ESTAB": "ESTABLISHED",
    "FINWAIT-1": "FIN-WAIT-1",
    "FINWAIT-2": "FIN-WAIT-2",
    "FIN-WAIT1": "FIN-WAIT-1",
    "FIN-WAIT2": "FIN-WAIT-2",
    "TIMEWAIT": "TIME-WAIT",
    "CLOSEWAIT": "CLOSE-WAIT",
    "LASTACK": "LAST-ACK",
}

_DESCRIPTIONS: dict[State, str] = {
    State.CLOSED: "no connection at all (no TCB): before opening, or after the connection is gone",
    State.LISTEN: "waiting for a connection request (a SYN) from the remote peer",
    State.SYN_SENT: "sent a SYN; waiting for the peer's matching SYN (and the ACK of ours)",
    State.SYN_RECEIVED: "received a SYN and sent a SYN,ACK; waiting for the ACK of our SYN",
    State.ESTABLISHED: "the connection is open: both sides can send and receive data",
    State.FIN_WAIT_1: "sent our FIN; waiting for its ACK or for the peer's FIN",
    State.FIN_WAIT_2: "our FIN is acknowledged; waiting for the peer's FIN (we can still receive data)",
    State.CLOSE_WAIT: "received and ACKed the peer's FIN; waiting for our application to CLOSE",
    State.CLOSING: "both sent FINs at about the same time; waiting for the ACK of our FIN",
    State.LAST_ACK: "the peer closed first; we sent our FIN and wait for its (last) ACK",
    State.TIME_WAIT: "ACKed the peer's FIN; waiting 2*MSL so that ACK can be resent and old segments die out",
}
