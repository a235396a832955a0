"""What a history record did to a segment, in words: shared by the widget and the questions."""

from __future__ import annotations

import html

from ..sim.history import Record
from ..words import word

__all__ = ["segment_fate"]


def segment_fate(record: Record, lang: str) -> str | None:
    """``#3 ACK seq=.. arrives at the server`` (HTML) for a delivery, loss, copy or injection;
    None for a record that moved no segment."""
    packet = record.packet
    if packet is None:
        return None
    what = f"<code>#{packet.id} {html.escape(packet.segment.describe())}</code>"
    if record.kind == "deliver":
        verb = word("happened.arrives", lang, side=word("side." + packet.receiver, lang))
    elif record.kind == "drop":
        verb = word("happened.lost", lang)
    elif record.kind == "duplicate":
        verb = word("happened.copied", lang)
    else:  # inject
        verb = word("happened.injected", lang, side=word("side." + record.side, lang))
    return f"{what} {verb}"
