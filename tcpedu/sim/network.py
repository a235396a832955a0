"""The network between the two endpoints: segments in flight, oldest first.

The network does nothing by itself. Whoever drives the simulation picks a segment and
delivers it, drops it, or duplicates it; picking any but the oldest delivers out of order.
"""

from __future__ import annotations

import dataclasses

from ..core.errors import SimulationError
from ..core.segment import Segment

__all__ = ["Network", "Packet", "new_packet", "other_side"]


def other_side(side: str) -> str:
    """The peer of a side in a two-sided run: the client's is the server, the server's the client."""
    return "client" if side == "server" else "server"


@dataclasses.dataclass(frozen=True, slots=True)
class Packet:
    """A segment that entered the network: who sent it, when, and why."""

    id: int
    sender: str
    segment: Segment
    sent_at_us: int
    tag: str | None = None
    """Why it was sent, where it matters: "retransmission", "challenge ACK", "reset", or None."""
    copy_of: int | None = None
    """For a duplicate, the id of the packet it copies."""
    injected: bool = False
    """True for a crafted segment handed to an endpoint as if from its peer."""
    to: str | None = None
    """Who it is for, where the sender alone does not say (a server with several clients): a
    side, or the ``address:port`` of a host outside the simulation (a spoofed SYN's source)."""

    @property
    def receiver(self) -> str:
        return self.to if self.to is not None else other_side(self.sender)

    def describe(self) -> str:
        arrow = f"{self.sender} -> {self.receiver}"
        extra = []
        if self.tag:
            extra.append(self.tag)
        if self.copy_of is not None:
            extra.append(f"copy of #{self.copy_of}")
        if self.injected:
            extra.append("injected")
        suffix = f" ({', '.join(extra)})" if extra else ""
        return f"#{self.id} {arrow} {self.segment.describe()}{suffix}"

    def to_dict(self) -> dict[str, object]:
        segment = self.segment
        data: dict[str, object] = {
            "id": self.id,
            "from": self.sender,
            "flags": segment.flags.names(),
            "seq": segment.seq,
            "ack": segment.ack,
            "len": len(segment.data),
            "wnd": segment.wnd,
        }  # the segment's to_dict(), written out: a long run's JSON has one for every segment
        if self.to is not None:
            data["to"] = self.to
        data["sent_at"] = self.sent_at_us / 1e6
        if self.tag:
            data["tag"] = self.tag
        if self.copy_of is not None:
            data["copy_of"] = self.copy_of
        if self.injected:
            data["injected"] = True
        return data


_new = object.__new__
# Each field's slot, set directly (a frozen dataclass's __init__ goes through object.__setattr__).
_set_id, _set_sender, _set_segment, _set_sent_at_us, _set_tag, _set_copy_of, _set_injected, _set_to = (
    Packet.__dict__[field.name].__set__ for field in dataclasses.fields(Packet)
)


def new_packet(packet_id: int, sender: str, segment: Segment, sent_at_us: int, tag: str | None = None) -> Packet:
    """``Packet(packet_id, sender, segment, sent_at_us, tag)``, made in a third of the time (the
    simulator makes one for every segment an endpoint sends)."""
    packet = _new(Packet)
    _set_id(packet, packet_id)
    _set_sender(packet, sender)
    _set_segment(packet, segment)
    _set_sent_at_us(packet, sent_at_us)
    _set_tag(packet, tag)
    _set_copy_of(packet, None)
    _set_injected(packet, False)
    _set_to(packet, None)
    return packet


class Network:
    """Packets in flight, oldest first. Change it only through its methods: it keeps their ids
    in a list of their own (every record of a run copies them)."""

    def __init__(self) -> None:
        self.in_flight: list[Packet] = []
        self.ids: list[int] = []
        """The ids of the packets in flight, in the same order."""

    def __len__(self) -> int:
        return len(self.in_flight)

    def add(self, packet: Packet) -> None:
        self.in_flight.append(packet)
        self.ids.append(packet.id)

    def take(self, packet_id: int) -> Packet:
        """Remove and return the packet with ``packet_id``."""
        try:
            index = self.ids.index(packet_id)
        except ValueError:
            raise SimulationError(f"segment #{packet_id} is not in flight") from None
        del self.ids[index]
        return self.in_flight.pop(index)

    def take_oldest(self) -> Packet:
        """Remove and return the oldest packet in flight."""
        if not self.in_flight:
            raise SimulationError("nothing in flight")
        del self.ids[0]
        return self.in_flight.pop(0)

    def find(self, packet_id: int) -> Packet:
        for packet in self.in_flight:
            if packet.id == packet_id:
                return packet
        raise SimulationError(f"segment #{packet_id} is not in flight")

    def select(self, sender: str | None = None, nth: int = 1) -> Packet:
        """The ``nth`` oldest packet in flight (from ``sender`` only, if given)."""
        if nth < 1:
            raise SimulationError(f"segments are counted from 1, not {nth}")
        if sender is None and nth <= len(self.in_flight):  # the common case, without a copy
            return self.in_flight[nth - 1]
        candidates = [p for p in self.in_flight if sender is None or p.sender == sender]
        origin = f" from the {sender}" if sender else ""
        if not candidates:
            raise SimulationError(f"nothing in flight{origin}")
        if nth > len(candidates):
            count = len(candidates)
            raise SimulationError(f"only {count} segment{'s' if count != 1 else ''} in flight{origin}, no #{nth}")
        return candidates[nth - 1]
