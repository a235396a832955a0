"""The Transmission Control Block: the variables RFC 9293 section 3.3.1 names.

A TCB exists from OPEN until the connection is CLOSED. Variables stay ``None`` until they
are known (in LISTEN there is no ISS or IRS yet).
"""

from __future__ import annotations

__all__ = ["TCB_FIELDS", "Tcb"]

#: attribute -> the RFC's name for it, in the order tables show them
TCB_FIELDS: dict[str, str] = {
    "iss": "ISS",
    "irs": "IRS",
    "snd_una": "SND.UNA",
    "snd_nxt": "SND.NXT",
    "snd_wnd": "SND.WND",
    "snd_wl1": "SND.WL1",
    "snd_wl2": "SND.WL2",
    "rcv_nxt": "RCV.NXT",
    "rcv_wnd": "RCV.WND",
}


class Tcb:
    """Send and receive sequence variables of one connection."""

    __slots__ = (*TCB_FIELDS, "max_snd_wnd")

    def __init__(self, rcv_wnd: int):
        self.iss: int | None = None
        self.irs: int | None = None
        self.snd_una: int | None = None
        self.snd_nxt: int | None = None
        self.snd_wnd: int = 0
        self.snd_wl1: int | None = None
        self.snd_wl2: int | None = None
        self.rcv_nxt: int | None = None
        self.rcv_wnd: int = rcv_wnd
        self.max_snd_wnd: int = 0  # RFC 5961 5.2: the largest window the peer has offered

    def snapshot(self) -> dict[str, int | None]:
        """The variables by their RFC names (``{"SND.UNA": 101, ...}``)."""
        return {
            "ISS": self.iss,
            "IRS": self.irs,
            "SND.UNA": self.snd_una,
            "SND.NXT": self.snd_nxt,
            "SND.WND": self.snd_wnd,
            "SND.WL1": self.snd_wl1,
            "SND.WL2": self.snd_wl2,
            "RCV.NXT": self.rcv_nxt,
            "RCV.WND": self.rcv_wnd,
        }
