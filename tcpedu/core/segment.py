"""TCP segments as immutable values: the header fields the state machine reads, and the data.

A ``Segment`` is validated when it is made, so a segment with ``seq=2**32`` cannot exist.
``len`` is the number of data octets (what tcpdump and Wireshark call the length);
``seg_len`` is RFC 9293's SEG.LEN, the sequence space the segment occupies: the data plus
one for a SYN and one for a FIN (section 3.4).
"""

from __future__ import annotations

import enum

from .seqnum import SEQ_SPACE

__all__ = ["MAX_WINDOW", "Flags", "Segment"]

MAX_WINDOW = 0xFFFF  # the 16-bit window field; tcpedu does not model window scaling


class Flags(enum.IntFlag):
    """The control bits, with the header's bit values (RFC 9293 section 3.1)."""

    FIN = 0x01
    SYN = 0x02
    RST = 0x04
    PSH = 0x08
    ACK = 0x10
    URG = 0x20

    @classmethod
    def parse(cls, text: str) -> Flags:
        """Flags from ``"SYN,ACK"`` (any case, ``,`` ``+`` or ``|`` between names; ``none``)."""
        words = [w for w in text.replace("+", ",").replace("|", ",").split(",") if w.strip()]
        if len(words) == 1 and words[0].strip().lower() in ("none", "-"):
            return cls(0)
        if not words:
            raise ValueError("no flags given (write e.g. SYN,ACK, or none)")
        flags = cls(0)
        for word in words:
            name = word.strip().upper()
            if name not in cls.__members__:
                known = ", ".join(cls.__members__)
                raise ValueError(f"unknown flag {word.strip()!r}: the flags are {known}")
            flags |= cls[name]
        return flags

    def names(self) -> list[str]:
        """The flags set, in the order RFC 9293's figures write them (``["SYN", "ACK"]``)."""
        return list(_NAMES[int(self) & _ALL_FLAGS])

    def __str__(self) -> str:
        return ",".join(self.names()) or "none"


_DISPLAY_ORDER = (("SYN", 0x02), ("FIN", 0x01), ("RST", 0x04), ("PSH", 0x08), ("URG", 0x20), ("ACK", 0x10))
_ALL_FLAGS = 0x3F
_NAMES = tuple(tuple(name for name, bit in _DISPLAY_ORDER if value & bit) for value in range(_ALL_FLAGS + 1))
"""The names of every combination of flags, by value (``names()`` is on every segment's way out)."""


class Segment:
    """One TCP segment: ``seq``, ``ack``, ``flags``, ``wnd`` and ``data`` (immutable)."""

    __slots__ = ("ack", "data", "flags", "has_ack", "has_fin", "has_rst", "has_syn", "seg_len", "seq", "wnd")

    seq: int
    ack: int
    flags: Flags
    wnd: int
    data: bytes
    has_syn: bool
    has_ack: bool
    has_fin: bool
    has_rst: bool
    seg_len: int

    def __init__(self, seq: int, ack: int = 0, flags: Flags | int = 0, wnd: int = MAX_WINDOW, data: bytes = b""):
        if type(seq) is not int or not 0 <= seq < SEQ_SPACE:
            raise ValueError(f"seq must be an integer with 0 <= seq < 2**32, not {seq!r}")
        if type(ack) is not int or not 0 <= ack < SEQ_SPACE:
            raise ValueError(f"ack must be an integer with 0 <= ack < 2**32, not {ack!r}")
        if not isinstance(flags, int) or not 0 <= flags <= _ALL_FLAGS:
            raise ValueError(f"flags must be a combination of Flags, not {flags!r}")
        if type(wnd) is not int or not 0 <= wnd <= MAX_WINDOW:
            raise ValueError(f"wnd must be an integer with 0 <= wnd <= {MAX_WINDOW}, not {wnd!r}")
        if not isinstance(data, bytes):
            raise ValueError(f"data must be bytes, not {type(data).__name__}")
        bits = int(flags)
        _set_seq(self, seq)
        _set_ack(self, ack)
        _set_flags(self, flags if type(flags) is Flags else Flags(bits))
        _set_wnd(self, wnd)
        _set_data(self, data)
        _set_has_syn(self, bool(bits & 0x02))
        _set_has_ack(self, bool(bits & 0x10))
        _set_has_fin(self, bool(bits & 0x01))
        _set_has_rst(self, bool(bits & 0x04))
        _set_seg_len(self, len(data) + (bits & 0x02 and 1) + (bits & 0x01))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Segment is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Segment is immutable")

    @property
    def len(self) -> int:
        """Number of data octets carried (excludes SYN and FIN)."""
        return len(self.data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Segment):
            return NotImplemented
        return (self.seq, self.ack, int(self.flags), self.wnd, self.data) == (
            other.seq,
            other.ack,
            int(other.flags),
            other.wnd,
            other.data,
        )

    def __hash__(self) -> int:
        return hash((self.seq, self.ack, int(self.flags), self.wnd, self.data))

    def __repr__(self) -> str:
        data = f", data={self.data!r}" if len(self.data) <= 16 else f", data=<{len(self.data)} bytes>"
        return f"Segment(seq={self.seq}, ack={self.ack}, flags={self.flags}, wnd={self.wnd}{data})"

    def describe(self) -> str:
        """RFC-figure style summary, e.g. ``SYN,ACK seq=300 ack=101 len=0``."""
        ack = f" ack={self.ack}" if self.has_ack else ""
        return f"{self.flags} seq={self.seq}{ack} len={len(self.data)}"

    def to_dict(self) -> dict[str, object]:
        """The fields as JSON-ready values (``flags`` as a list of names)."""
        return {
            "flags": self.flags.names(),
            "seq": self.seq,
            "ack": self.ack,
            "len": len(self.data),
            "wnd": self.wnd,
        }


# Each slot set directly: ``__setattr__`` refuses (a Segment is immutable once made), and
# object.__setattr__ would look the slot up again for every field of every segment.
_set_ack = Segment.ack.__set__
_set_data = Segment.data.__set__
_set_flags = Segment.flags.__set__
_set_has_ack = Segment.has_ack.__set__
_set_has_fin = Segment.has_fin.__set__
_set_has_rst = Segment.has_rst.__set__
_set_has_syn = Segment.has_syn.__set__
_set_seg_len = Segment.seg_len.__set__
_set_seq = Segment.seq.__set__
_set_wnd = Segment.wnd.__set__
