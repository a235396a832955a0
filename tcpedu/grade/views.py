"""How runs are compared: the parts of a segment and of a history record that RFC 9293 fixes,
as values two runs can be checked equal on. The property tests, the checker's transcripts and
the grader's replay checks use these, so "the same" means one thing everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..core.segment import Flags, Segment
from ..sim.history import Record

__all__ = ["record_view", "segment_shape", "shape"]


def segment_shape(segment: Segment) -> tuple[int, int | None, Flags, int]:
    """(seq, ack or None, flags, data length): what the RFC's <SEQ=..><ACK=..><CTL=..> fix
    (the acknowledgement number only counts when the ACK flag is on)."""
    return (segment.seq, segment.ack if segment.has_ack else None, segment.flags, len(segment.data))


def shape(segments: Iterable[Segment]) -> list[tuple[int, int | None, Flags, int]]:
    """``segment_shape`` of each segment, in order."""
    return [segment_shape(segment) for segment in segments]


def record_view(record: Record) -> tuple[object, ...]:
    """Everything a history record says, as one comparable value (packets by id, sender,
    segment, tag, origin and time; the arcs, notes, states and TCBs as they are)."""
    return (
        record.index,
        record.kind,
        record.side,
        record.detail,
        record.time_us,
        None if record.packet is None else (record.packet.id, record.packet.sender, record.packet.segment),
        tuple((p.id, p.sender, p.segment, p.tag, p.copy_of, p.injected, p.sent_at_us) for p in record.sent),
        record.arcs,
        record.notes,
        record.states,
        record.tcbs,
        record.in_flight,
    )
