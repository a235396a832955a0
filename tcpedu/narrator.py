"""The narrator: one description of a step of a run, in English or Korean.

A step (a script's action line, or a learner's click) made history records; the narrator says
what they were, in order: the script's own words for the line (its comment, or its ``#ko:``
line), the user call, the segment that arrived, was lost, copied or injected, the timer that
fired, then what followed: each side's transitions, the engine's notes with their RFC sections,
and the segments sent. The text trace (``tcpedu run``), the widget's "what happened" and the
questions' feedback all read these lines; each shows them in its own way (plain text or HTML).
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Iterable, Sequence

from .sim.history import Record
from .sim.network import Packet
from .words import WORDS, in_language, language_index, note_text, side_name, word

__all__ = ["CONSEQUENCES", "EVENTS", "ROUTINE_NOTES", "Line", "narrate", "packet_text"]

EVENTS = frozenset({"story", "call", "arrival", "loss", "copy", "injection", "timer"})
"""The kinds of line that say what happened."""
CONSEQUENCES = frozenset({"transition", "note", "sent"})
"""The kinds of line that say what the endpoints did about it."""

#: Notes that explain every ordinary ACK; left out unless asked for.
ROUTINE_NOTES = frozenset({"acked", "rtt-sample", "data-received"})

_TAGS = {"retransmission": "ladder.retransmission", "challenge ACK": "ladder.challenge_ack", "reset": "ladder.reset"}
_STRONG = frozenset({"state", "target"})
_CODE = frozenset({"segment", "packet", "call"})


@dataclasses.dataclass(frozen=True)
class Line:
    """One line of narration: its kind (``EVENTS`` or ``CONSEQUENCES``), whose it is, and its
    words (a key of ``tcpedu.words`` and its values, formatted when read)."""

    kind: str
    side: str | None
    key: str
    values: tuple[tuple[str, str], ...]
    lang: str
    reference: str = ""
    """The RFC section a note cites."""

    @property
    def text(self) -> str:
        """The line as plain text (a note's RFC section after it, in brackets)."""
        text = word(self.key, self.lang, **dict(self.values))
        return f"{text}  [{self.reference}]" if self.reference else text

    @property
    def html(self) -> str:
        """The line as HTML: values escaped, segments in ``<code>``, states in bold, arrows drawn."""
        values = {}
        for name, value in self.values:
            shown = html.escape(value)
            if name in _CODE:
                shown = f"<code>{shown}</code>"
            elif name in _STRONG:
                shown = f"<b>{shown}</b>"
            values[name] = shown
        text = html.escape(word(self.key, self.lang)).format(**values) if values else word(self.key, self.lang)
        text = text.replace(" -&gt; ", " → ")  # the plain text's arrows, drawn
        if self.reference:
            text += f" <i>[{html.escape(self.reference)}]</i>"
        return text


def packet_text(packet: Packet, lang: str = "en") -> str:
    """``#2 server -> client SYN,ACK seq=300 ack=101 len=0 (retransmission)``, in ``lang``."""
    extra = []
    if packet.tag:
        extra.append(word(_TAGS[packet.tag], lang) if packet.tag in _TAGS else packet.tag)
    if packet.copy_of is not None:
        extra.append(word("ladder.duplicate", lang, id=packet.copy_of))
    if packet.injected:
        extra.append(word("ladder.injected", lang))
    suffix = f" ({', '.join(extra)})" if extra else ""
    sender, receiver = (side_name(side, lang) for side in (packet.sender, packet.receiver))
    return f"#{packet.id} {sender} -> {receiver} {packet.segment.describe()}{suffix}"


def narrate(
    records: Iterable[Record],
    lang: str = "en",
    story: Sequence[str] = ("", ""),
    routine: bool = True,
    kinds: frozenset[str] = EVENTS | CONSEQUENCES,
) -> list[Line]:
    """The lines that tell ``records`` (one step) in ``lang``: ``story`` first (the script's
    (English, Korean) words for the step, if any), then each record's happening and what
    followed. ``routine=False`` leaves out the notes of ordinary ACKs; ``kinds`` keeps only
    those kinds of line (``EVENTS`` tells what happened without giving away what followed)."""
    language_index(lang)  # ValueError naming the choices
    lines = []
    told = in_language(story, lang)
    if told:
        lines.append(Line("story", None, "narrate.story", (("text", told),), lang))
    for record in records:
        lines += _record_lines(record, lang, routine)
    return [line for line in lines if line.kind in kinds]


def _side(side: str | None, lang: str) -> str:
    return side_name(side, lang) if side else ""


def _record_lines(record: Record, lang: str, routine: bool) -> list[Line]:
    lines = []
    packet = record.packet
    side = _side(record.side, lang)

    def line(kind: str, who: str | None, key: str, reference: str = "", **values: object) -> None:
        lines.append(Line(kind, who, key, tuple((k, str(v)) for k, v in values.items()), lang, reference))

    if record.kind == "call":
        line("call", record.side, "narrate.call", side=side, call=record.detail)
    elif record.kind == "deliver" and packet is not None:
        line("arrival", packet.receiver, "narrate.arrives", id=packet.id, side=side, segment=packet.segment.describe())
    elif record.kind == "drop" and packet is not None:
        line("loss", packet.sender, "narrate.lost", id=packet.id, segment=packet.segment.describe())
    elif record.kind == "duplicate" and packet is not None:
        copies = ", ".join(f"#{p.id}" for p in record.sent if p.copy_of is not None)
        line("copy", packet.sender, "narrate.copied", id=packet.id, copies=copies)
    elif record.kind == "inject" and packet is not None:
        line("injection", record.side, "narrate.injected", side=side, segment=packet.segment.describe())
    elif record.kind == "timer":
        key = f"timer.{record.detail}"
        timer = word(key, lang) if key in WORDS else f"{record.detail} timer"
        line("timer", record.side, "narrate.timer", side=side, timer=timer, seconds=f"{record.time:g}")
    for who, arc in record.arcs:
        line(
            "transition",
            who,
            "narrate.transition",
            side=_side(who, lang),
            state=arc.state.value,
            target=arc.target.value,
            label=arc.label,
        )
    for who, note in record.notes:
        if routine or note.code not in ROUTINE_NOTES:
            line("note", who, "narrate.note", note.reference, side=_side(who, lang), note=note_text(note, lang))
    for sent in record.sent:
        if sent.copy_of is None:
            line("sent", sent.sender, "narrate.sent", packet=packet_text(sent, lang))
    return lines
