"""Facts of RFC 9293 written out by hand for the tests (never read from tcpedu's own tables)."""

from __future__ import annotations

RFC_STATES = (  # RFC 9293 3.3.2, in the RFC's spelling
    "CLOSED",
    "LISTEN",
    "SYN-SENT",
    "SYN-RECEIVED",
    "ESTABLISHED",
    "FIN-WAIT-1",
    "FIN-WAIT-2",
    "CLOSE-WAIT",
    "CLOSING",
    "LAST-ACK",
    "TIME-WAIT",
)
