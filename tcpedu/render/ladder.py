"""The ladder (sequence) diagram of a run: the picture every textbook draws by hand.

Two lifelines, the client's and the server's (one per client where there are several, and
one for addresses outside the simulation where a spoofed segment comes from or goes to; a
listening server's connections write their states on the server's), with time running downwards: one row per
happening of the run's history (a call, a delivery, a loss, a duplicate, an injected segment,
a timer, the clock moving on). Each segment is an arrow from its sender's row to its
receiver's row, labelled with its id, flags, seq, ack and length; what textbooks leave out is
drawn too: a lost segment stops midway at a red cross, a duplicate starts where its original
did, segments delivered out of order cross, retransmissions and timer expiries are marked,
TIME-WAIT's 2*MSL is a bracket, and segments still in flight end in the open. Each side's
state is written on its lifeline where it changes.

The diagram is built from ``Record`` objects (``tcpedu.sim.history``) and grows one record at
a time: ``add`` lays out only the new row and redraws only the arrows whose fate it decides,
so stepping a long run stays cheap. Pure Python; no Graphviz needed.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..core.seqnum import seq_sub
from ..core.states import State
from ..sim.history import Record
from ..sim.network import Packet
from ..sim.settings import SIDES, is_side
from ..words import language_index, side_name, word
from . import tools
from .colours import SIDE_COLOURS, side_colours
from .template import picture_bundle, xml_text

__all__ = ["Ladder", "Mark", "ladder_of"]

_FONT = "Helvetica,Arial,NanumGothic,sans-serif"
_WIDTH = 1000
_CLIENT_X = 250.0
_SERVER_X = _WIDTH - 250.0
_TOP = 92.0  # the first row's y
_ROW = 36.0
_BOTTOM_MARGIN = 40.0
_LOST = "#c62828"
_GHOST = "#2e7d32"  # what the reference sent where a learner's code did otherwise
_INJECTED = "#6a1b9a"
# Labels sit about this far along their arrow (nearer the sender, so the labels of crossing
# arrows part), or at the first of the others that no label is in the way of.
_LABEL_FRACTIONS = (0.42, 0.3, 0.54, 0.2, 0.64, 0.76)
_LOST_AT = 0.7  # a lost segment's arrow stops this far along its way
_IN_FLIGHT_AT = 0.6
_LIFELINE_X = {"client": _CLIENT_X, "server": _SERVER_X}
_LANE_SPACING = 320.0  # between lifelines, where there are more than two
OUTSIDE = "outside"
"""The lane of addresses outside the simulation (a spoofed SYN's source, where its SYN,ACK goes)."""


def _lanes_for(records: Sequence[Record]) -> dict[str, float]:
    """Each lifeline's x: the clients, the server, and the outside lane where a packet needs it."""
    if not records:
        return dict(_LIFELINE_X)
    sides = tuple(side for side in records[0].sides if "/" not in side)
    outside = any(
        _is_outside(name, sides)
        for record in records
        for packet in ((record.packet,) if record.packet is not None else ()) + record.sent
        for name in (packet.sender, packet.receiver)
    )
    lanes = [*sides, OUTSIDE] if outside else list(sides)
    if tuple(lanes) == SIDES:
        return dict(_LIFELINE_X)
    return {lane: _CLIENT_X + index * _LANE_SPACING for index, lane in enumerate(lanes)}


def _is_outside(name: str, sides: Sequence[str]) -> bool:
    return name not in sides and "/" not in name and not is_side(name)


class _Arrow:
    """What the diagram knows of one packet: where it starts and, once known, its fate."""

    __slots__ = ("end_row", "fate", "label", "packet", "start_row", "start_side", "turned_away")

    def __init__(self, packet: Packet, start_row: float, label: str):
        self.packet = packet
        self.start_row = start_row
        self.start_side: str | None = packet.sender  # None: from the middle (injected)
        self.label = label
        self.fate = "in-flight"  # "delivered", "lost", "in-flight", "away" (to an address outside)
        self.end_row: float | None = None
        self.turned_away = False
        """Delivered to a listener whose SYN queue was full, which dropped it."""


@dataclasses.dataclass(frozen=True)
class Mark:
    """A place a ladder diagram points at, in red, with a few words: a segment (by its packet
    id), or a side at a record (by the record's position among the diagram's records). A
    ``ghost`` segment is one that was not sent but should have been: drawn dashed in green,
    labelled with ``text``, going nowhere."""

    text: str
    packet: int | None = None
    record: int | None = None
    side: str | None = None
    ghost: bool = False


class Ladder:
    """A ladder diagram that grows record by record; ``svg()`` draws it as it is now.
    ``marks`` point at segments or at a side's lifeline (where a learner's run parts from
    the reference's, say)."""

    def __init__(
        self,
        records: Iterable[Record] = (),
        lang: str = "en",
        relative: bool = False,
        title: str = "",
        marks: Sequence[Mark] = (),
    ):
        language_index(lang)  # ValueError naming the choices
        self.lang = lang
        self.relative = relative
        self.title = title
        self.marks = tuple(marks)
        self._packet_marks = {m.packet: m.text for m in self.marks if m.packet is not None and not m.ghost}
        self._ghosts = {m.packet: m.text for m in self.marks if m.packet is not None and m.ghost}
        records = list(records)
        self.records: list[Record] = []
        self._lanes = _lanes_for(records)
        """Each lifeline's x, by side (and ``OUTSIDE``)."""
        self._width = max(self._lanes.values()) + 250
        self._rows = 0
        self._static: list[str] = []  # rows once drawn never change
        self._arrows: dict[int, _Arrow] = {}
        self._states: dict[str, State] = {}
        self._time_us: int | None = None
        self._previous: Record | None = None
        self._time_wait: dict[str, _TimeWaitSpan] = {}  # the sides in TIME-WAIT now
        self._time_wait_spans: list[str] = []
        for record in records:
            self.add(record)

    # ------------------------------------------------------------------------------------------
    # Growing

    def sync(self, history: Sequence[Record]) -> Ladder:
        """Bring the diagram up to ``history``: add the records it lacks, or start again if
        ``history`` is not a continuation of what is drawn (after an undo)."""
        drawn = self.records
        if len(history) < len(drawn) or any(a is not b for a, b in zip(drawn, history, strict=False)):
            self.__init__((), self.lang, self.relative, self.title, self.marks)
        for record in history[len(self.records) :]:
            self.add(record)
        return self

    def add(self, record: Record) -> None:
        """Draw one more record of the history."""
        if _lanes_for([*self.records[:1], record]).keys() - self._lanes.keys():  # a lane more: lay out again
            self.__init__([*self.records, record], self.lang, self.relative, self.title, self.marks)
            return
        previous_tcbs = self._previous
        self.records.append(record)
        self._previous = record
        if record.kind == "configure":
            return
        if record.kind == "wait" and record.time_us == self._time_us and not record.sent:
            return
        row = self._rows
        self._rows += 1
        y = self._y(row)
        parts = self._static
        if record.time_us != self._time_us:
            parts.append(self._time_label(record, y))
            self._time_us = record.time_us
        kind = record.kind
        if kind == "call":
            parts.append(self._side_note(record.side, y, _call_text(record.detail), "call"))
        elif kind == "timer":
            if record.detail != "retransmission":
                text = word("ladder.time_wait_over", self.lang)
            elif any(who.partition("/")[0] == record.side and note.code == "give-up" for who, note in record.notes):
                text = word("ladder.give_up", self.lang)
            else:
                text = word("ladder.rto", self.lang)
            parts.append(self._side_note(record.side, y, text, "timer"))
            parts.append(self._timer_mark(record.side, y))
        packet = record.packet
        if kind in ("deliver", "drop") and packet is not None:
            arrow = self._arrows.get(packet.id)
            if arrow is not None:
                arrow.fate = "delivered" if kind == "deliver" else "lost"
                arrow.end_row = row
                arrow.turned_away = any(note.code == "syn-queue-full" for _who, note in record.notes)
        elif kind == "inject" and packet is not None:
            arrow = _Arrow(packet, row - 0.5, self._segment_label(packet, record, previous_tcbs))
            arrow.start_side = None
            arrow.fate = "delivered"
            arrow.end_row = row
            self._arrows[packet.id] = arrow
        # Segments sent together leave one row apart, so their arrows and labels never share a
        # starting point; a duplicate leaves from where its original did.
        next_row = row
        for sent in record.sent:
            if sent.copy_of is not None and sent.copy_of in self._arrows:
                start_row: float = self._arrows[sent.copy_of].start_row
            else:
                start_row = next_row
                next_row += 1
            arrow = _Arrow(sent, start_row, self._segment_label(sent, record, previous_tcbs))
            if self._lane_of(sent.receiver) == OUTSIDE:  # it leaves the simulation: nobody here receives it
                arrow.fate = "away"
                arrow.end_row = start_row + 0.35  # nearly level, clear of the state boxes beside the server
            self._arrows[sent.id] = arrow
        self._rows = max(self._rows, next_row)
        self._state_changes(record, row)
        position = len(self.records) - 1
        for mark in self.marks:
            if mark.record == position and mark.side is not None:
                self._static.append(self._side_mark(mark.side, y, mark.text))

    # ------------------------------------------------------------------------------------------
    # Drawing

    def _lane_of(self, side: str) -> str:
        """The lifeline a side is drawn on: its own, the server's for its connections, or the outside."""
        if side in self._lanes:
            return side
        owner, mark, _peer = side.partition("/")
        if mark and owner in self._lanes:
            return owner
        return OUTSIDE if OUTSIDE in self._lanes else side

    def _x(self, side: str) -> float:
        return self._lanes[self._lane_of(side)]

    @staticmethod
    def _outward(side: str) -> int:
        """Which way a side's notes go from its lifeline: the server's right, everyone else's left."""
        return 1 if side.partition("/")[0] == "server" else -1

    @property
    def height(self) -> float:
        return _TOP + max(self._rows, 1) * _ROW + _BOTTOM_MARGIN

    def svg(self) -> str:
        """The diagram as SVG text."""
        height = self.height
        width = self._width
        bottom = height - _BOTTOM_MARGIN + 8
        open_spans = [self._time_wait_bracket(span) for span in self._time_wait.values()]
        more = [side_colours(lane)[0] for lane in self._lanes if lane not in SIDE_COLOURS]
        head = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{_FONT}" class="ladder">',
            _DEFS + (_GHOST_DEFS if self._ghosts else "") + ("<defs>" + _arrow_heads(more) + "</defs>" if more else ""),
            f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="white"/>',
        ]
        if self.title:
            head.append(
                f'<text x="{width / 2:.0f}" y="20" text-anchor="middle" font-size="14" '
                f'font-weight="bold" fill="#222">{xml_text(self.title)}</text>'
            )
        if self.relative:
            head.append(
                f'<text x="{width / 2:.0f}" y="{height - 12:.0f}" text-anchor="middle" font-size="10" '
                f'fill="#555">{xml_text(word("ladder.relative", self.lang))}</text>'
            )
        head.append(f'<text x="10" y="58" font-size="10" fill="#666">{xml_text(word("ladder.time", self.lang))}</text>')
        for side, x in self._lanes.items():
            line, fill = side_colours(side)
            name = word("ladder.outside", self.lang) if side == OUTSIDE else side_name(side, self.lang)
            dash = ' stroke-dasharray="4,4"' if side == OUTSIDE else ""
            box = max(90, 8 * len(name) + 16)
            head.append(
                f'<g class="lifeline" data-side="{side}">'
                f'<rect x="{x - box / 2:.0f}" y="30" width="{box}" height="24" rx="5" fill="{fill}" stroke="{line}"/>'
                f'<text x="{x:.0f}" y="47" text-anchor="middle" font-size="13" font-weight="bold" fill="{line}">'
                f"{xml_text(name)}</text>"
                f'<line x1="{x:.0f}" y1="54" x2="{x:.0f}" y2="{bottom:.0f}" stroke="#888" stroke-width="1.5"{dash}/>'
                "</g>"
            )
        head.extend(self._state_box(side, _TOP - 22, State.CLOSED) for side in self._lanes if side != OUTSIDE)
        # Arrows are drawn afresh, oldest first, so each label can keep out of the way of the
        # labels before it whatever order the segments' fates were learnt in.
        placed: list[_LabelBox] = []
        arrows = [self._draw_arrow(self._arrows[packet_id], placed) for packet_id in sorted(self._arrows)]
        return "\n".join([*head, *self._time_wait_spans, *open_spans, *self._static, *arrows, "</svg>"]) + "\n"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return picture_bundle(self.svg())

    def save(self, path: str | Path) -> Path:
        """Write the diagram to ``path`` (``.svg`` or ``.png``)."""
        return tools.save_picture(self.svg(), path)

    @staticmethod
    def _place_label(
        placed: list[_LabelBox], text: str, x1: float, y1: float, x2: float, y2: float, angle: float, reach: float
    ) -> tuple[float, float, float]:
        """Where on its arrow a label goes: (x, y, baseline offset). Near 42% of the way and just
        above the arrow, unless a label ``placed`` before is there; then further along, or below."""
        best: tuple[int, float, float, float, _LabelBox] | None = None
        for offset in (-4.0, 13.0):
            for fraction in _LABEL_FRACTIONS:
                if fraction > reach - 0.12:
                    continue
                x, y = x1 + (x2 - x1) * fraction, y1 + (y2 - y1) * fraction
                candidate = _LabelBox(x, y + offset, angle, text)
                hits = sum(candidate.overlaps(other) for other in placed)
                if best is None or hits < best[0]:
                    best = (hits, x, y, offset, candidate)
                if hits == 0:
                    break
            if best is not None and best[0] == 0:
                break
        assert best is not None
        placed.append(best[4])
        return best[1], best[2], best[3]

    @staticmethod
    def _y(row: float) -> float:
        return _TOP + row * _ROW

    def _time_label(self, record: Record, y: float) -> str:
        seconds = f"{record.time_us / 1e6:.6g}"
        text = f"{seconds} s" if self.lang == "en" else f"{seconds}초"
        return (
            f'<g class="time" data-time="{seconds}"><line x1="8" y1="{y:.1f}" x2="52" y2="{y:.1f}" '
            f'stroke="#ddd" stroke-dasharray="2,2"/><text x="10" y="{y - 3:.1f}" font-size="10" '
            f'fill="#666">{xml_text(text)}</text></g>'
        )

    def _side_note(self, side: str | None, y: float, text: str, kind: str) -> str:
        if side is None:
            return ""
        x = self._x(side)
        # The note goes outside the lifelines, beyond the state boxes.
        if self._outward(side) < 0:
            tx, anchor = x - 112, "end"
        else:
            tx, anchor = x + 112, "start"
        _owner, mark, peer = side.partition("/")
        if mark:  # a call on one of a listening server's connections
            text = word("ladder.on_connection", self.lang, call=text, peer=side_name(peer, self.lang))
        colour = side_colours(side)[0] if kind == "call" else "#8a5a00"
        style = ' font-style="italic"' if kind == "call" else ""
        return (
            f'<g class="{kind}" data-side="{side}"><circle cx="{x:.0f}" cy="{y:.1f}" r="3" fill="{colour}"/>'
            f'<text x="{tx:.0f}" y="{y + 4:.1f}" text-anchor="{anchor}" font-size="11"{style} '
            f'fill="{colour}">{xml_text(text)}</text></g>'
        )

    def _side_mark(self, side: str, y: float, text: str) -> str:
        """A red ring on ``side``'s lifeline at ``y``, and ``text`` beside it, inwards."""
        x = self._x(side)
        tx, anchor = (x + 16, "start") if self._outward(side) < 0 else (x - 16, "end")
        return (
            f'<g class="mark side-mark" data-side="{side}"><circle cx="{x:.0f}" cy="{y:.1f}" r="11" fill="none" '
            f'stroke="{_LOST}" stroke-width="2.5"/><text x="{tx:.0f}" y="{y + 20:.1f}" text-anchor="{anchor}" '
            f'font-size="11" font-weight="bold" fill="{_LOST}" stroke="white" stroke-width="3" '
            f'paint-order="stroke">{xml_text(text)}</text></g>'
        )

    def _timer_mark(self, side: str | None, y: float) -> str:
        if side is None:  # pragma: no cover - timers always belong to a side
            return ""
        x = self._x(side)
        return (
            f'<g class="timer-mark"><circle cx="{x:.0f}" cy="{y:.1f}" r="7" fill="white" stroke="#8a5a00" '
            f'stroke-width="1.5"/><line x1="{x:.0f}" y1="{y:.1f}" x2="{x:.0f}" y2="{y - 5:.1f}" '
            f'stroke="#8a5a00" stroke-width="1.5"/><line x1="{x:.0f}" y1="{y:.1f}" x2="{x + 4:.0f}" '
            f'y2="{y:.1f}" stroke="#8a5a00" stroke-width="1.5"/></g>'
        )

    def _state_box(self, side: str, y: float, state: State) -> str:
        x = self._x(side)
        line, fill = side_colours(side)
        text = state.value
        _owner, mark, peer = side.partition("/")
        if mark:  # a listening server's connection: whose it is, then its state
            text = f"{side_name(peer, self.lang)}: {text}"
        width = 8 + 6.6 * len(text)
        cx = x + self._outward(side) * max(58, width / 2 + 12)
        return (
            f'<g class="state" data-side="{side}" data-state="{state.value}">'
            f'<rect x="{cx - width / 2:.1f}" y="{y - 10:.1f}" width="{width:.1f}" height="18" rx="4" '
            f'fill="{fill}" stroke="{line}"/><text x="{cx:.1f}" y="{y + 3:.1f}" text-anchor="middle" '
            f'font-size="10.5" font-weight="bold" fill="{line}">{xml_text(text)}</text></g>'
        )

    def _state_changes(self, record: Record, row: int) -> None:
        y = self._y(row)
        states = dict(zip(record.sides, record.states, strict=True))
        on_lane: dict[str, int] = {}  # a listening server's connections that changed at once stack up
        for side in dict.fromkeys([*self._states, *states]):
            before, after = self._states.get(side, State.CLOSED), states.get(side, State.CLOSED)
            span = self._time_wait.get(side)
            if span is not None and before is after and _restarted_time_wait(record, side):
                span.restart(row, record)
            if before is after:
                continue
            lane = self._lane_of(side)
            stacked = on_lane.get(lane, 0)
            on_lane[lane] = stacked + 1
            self._static.append(self._state_box(side, y + 14 + 20 * stacked, after))
            if span is not None:
                span.end_row = row
                self._time_wait_spans.append(self._time_wait_bracket(self._time_wait.pop(side)))
            if after is State.TIME_WAIT:
                self._time_wait[side] = _TimeWaitSpan(side, row + 0.4, record)
        self._states = states

    def _time_wait_bracket(self, span: _TimeWaitSpan) -> str:
        """TIME-WAIT as a bracket beside the lifeline from entry to exit, labelled with its
        2*MSL, with a tick where a retransmitted FIN restarted the timer."""
        side = span.side
        outward = self._outward(side)
        x = self._x(side) + 9 * outward
        closed = span.end_row is not None
        y1, y2 = self._y(span.start_row), self._y(span.end_row if closed else self._rows - 0.5)
        seconds = f"{span.length_us / 1e6:.6g}" if span.length_us is not None else "?"
        text = word("ladder.time_wait", self.lang, seconds=seconds)
        tick = 5 * outward
        tx = x + 10 * outward
        anchor = "end" if outward < 0 else "start"
        end_tick = f" L{x + tick:.1f},{y2:.1f}" if closed else ""
        dash = "" if closed else ' stroke-dasharray="4,3"'
        restarts = "".join(
            f'<g class="time-wait-restart"><line x1="{x - 6:.1f}" y1="{self._y(row):.1f}" x2="{x + 6:.1f}" '
            f'y2="{self._y(row):.1f}" stroke="#8a5a00" stroke-width="2"/><text x="{tx:.1f}" '
            f'y="{self._y(row) + 4:.1f}" text-anchor="{anchor}" font-size="10" fill="#8a5a00">'
            f"{xml_text(word('ladder.time_wait_restart', self.lang))}</text></g>"
            for row in span.restart_rows
        )
        label_y = (self._y(span.restart_rows[-1] if span.restart_rows else span.start_row) + y2) / 2 + 4
        return (
            f'<g class="time-wait" data-side="{side}" data-closed="{str(closed).lower()}">'
            f'<path d="M{x + tick:.1f},{y1:.1f} L{x:.1f},{y1:.1f} L{x:.1f},{y2:.1f}{end_tick}" fill="none" '
            f'stroke="#8a5a00" stroke-width="1.5"{dash}/>{restarts}'
            f'<text x="{tx:.1f}" y="{label_y:.1f}" text-anchor="{anchor}" font-size="10.5" '
            f'fill="#8a5a00">{xml_text(text)}</text></g>'
        )

    # --- segments ------------------------------------------------------------------------------

    def _segment_label(self, packet: Packet, record: Record, previous_tcbs) -> str:
        segment = packet.segment
        seq, ack = segment.seq, segment.ack
        if self.relative:
            sender_tcb = _tcb_with_iss(record, previous_tcbs, packet.sender, packet.receiver)
            if packet.injected:
                receiver_tcb = _tcb_with_iss(record, previous_tcbs, packet.receiver, packet.sender)
                seq = _relative(seq, receiver_tcb.get("IRS") if receiver_tcb else None)
                ack = _relative(ack, receiver_tcb.get("ISS") if receiver_tcb else None)
            elif sender_tcb is not None:
                seq = _relative(seq, sender_tcb.get("ISS"))
                ack = _relative(ack, sender_tcb.get("IRS"))
        text = f"#{packet.id} {segment.flags} seq={seq}"
        if segment.has_ack:
            text += f" ack={ack}"
        text += f" len={len(segment.data)}"
        notes = []
        if packet.tag == "retransmission":
            notes.append(word("ladder.retransmission", self.lang))
        elif packet.tag == "challenge ACK":
            notes.append(word("ladder.challenge_ack", self.lang))
        if packet.copy_of is not None:
            notes.append(word("ladder.duplicate", self.lang, id=packet.copy_of))
        if packet.injected:
            notes.append(word("ladder.injected", self.lang))
        if notes:
            text += f" ({', '.join(notes)})"
        return text

    def _draw_arrow(self, arrow: _Arrow, placed: list[_LabelBox]) -> str:
        packet = arrow.packet
        receiver = packet.receiver
        x2 = self._x(receiver)
        if arrow.start_side is not None:
            x1 = self._x(arrow.start_side)
        elif self._lane_of(packet.sender) == OUTSIDE:  # crafted with an outside source: from there
            x1 = self._x(packet.sender)
        else:  # crafted: from between the two
            x1 = (self._x(packet.sender) + x2) / 2
        y1 = self._y(arrow.start_row)
        fate = arrow.fate
        # Where the arrow would arrive: its delivery row, or (lost, in flight) where it was
        # heading when it was lost, or the diagram's end.
        full_y = self._y(arrow.end_row if arrow.end_row is not None else self._rows)
        reach = {"delivered": 1.0, "away": 1.0, "lost": _LOST_AT, "in-flight": _IN_FLIGHT_AT}[fate]
        if packet.id in self._ghosts:  # as far as a delivered one would go, or halfway
            reach = 1.0 if fate == "delivered" else _IN_FLIGHT_AT
        end_x, end_y = x1 + (x2 - x1) * reach, y1 + (full_y - y1) * reach
        ghost = self._ghosts.get(packet.id)
        colour = _GHOST if ghost is not None else _INJECTED if packet.injected else side_colours(packet.sender)[0]
        dash = ""
        if ghost is not None:
            dash = ' stroke-dasharray="3,3"'
            fate = "ghost"
        elif packet.copy_of is not None or fate in ("in-flight", "away"):
            dash = ' stroke-dasharray="6,4"'
        elif packet.tag == "retransmission":
            dash = ' stroke-dasharray="10,3"'
        marker = (
            f' marker-end="url(#ladder-arrow-{_marker_name(colour)})"' if fate in ("delivered", "ghost", "away") else ""
        )
        marked = self._packet_marks.get(packet.id)
        parts = [
            f'<g class="segment {fate}{" marked" if marked is not None else ""}" id="segment-{packet.id}" '
            f'data-id="{packet.id}" data-from="{packet.sender}" '
            f'data-to="{receiver}" data-flags="{",".join(packet.segment.flags.names())}" '
            f'data-seq="{packet.segment.seq}" data-ack="{packet.segment.ack}" data-len="{len(packet.segment.data)}">',
        ]
        if marked is not None:  # a red halo under the arrow
            parts.append(
                f'<line class="mark" x1="{x1:.1f}" y1="{y1:.1f}" x2="{end_x:.1f}" y2="{end_y:.1f}" stroke="{_LOST}" '
                f'stroke-opacity="0.35" stroke-width="9" stroke-linecap="round"/>'
            )
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{end_x:.1f}" y2="{end_y:.1f}" stroke="{colour}" '
            f'stroke-width="1.6"{dash}{marker}/>'
        )
        if fate == "lost":
            parts.append(
                f'<g class="loss-mark"><path d="M{end_x - 6:.1f},{end_y - 6:.1f} L{end_x + 6:.1f},{end_y + 6:.1f} '
                f'M{end_x - 6:.1f},{end_y + 6:.1f} L{end_x + 6:.1f},{end_y - 6:.1f}" stroke="{_LOST}" '
                f'stroke-width="2.6"/><text x="{end_x:.1f}" y="{end_y + 18:.1f}" text-anchor="middle" '
                f'font-size="10.5" font-weight="bold" fill="{_LOST}">'
                f"{xml_text(word('ladder.lost', self.lang))}</text></g>"
            )
        elif arrow.turned_away:
            parts.append(
                f'<text class="turned-away-mark" x="{end_x:.1f}" y="{end_y + 14:.1f}" text-anchor="middle" '
                f'font-size="10" font-weight="bold" fill="{_LOST}">{xml_text(word("ladder.syn_queue_full", self.lang))}'
                "</text>"
            )
        elif fate == "in-flight" and ghost is None:
            in_flight = word("ladder.in_flight", self.lang)
            parts.append(
                f'<text class="in-flight-mark" x="{end_x:.1f}" y="{end_y + 14:.1f}" text-anchor="middle" '
                f'font-size="10" font-style="italic" fill="{colour}">{xml_text(in_flight)}'
                "</text>"
            )
            # Later labels keep out of its way (a duplicate in flight ends at the same place).
            placed.append(_LabelBox(end_x, end_y + 14, 0.0, in_flight))
        # The label rides along the arrow, a little above it; where another label is in the way
        # it slides along its arrow.
        angle = math.degrees(math.atan2(full_y - y1, x2 - x1))
        if angle > 90 or angle < -90:  # keep the text upright on right-to-left arrows
            angle -= 180 if angle > 0 else -180
        if ghost is not None:  # not a packet that exists: no number
            label = f"{ghost}: {arrow.label.split(' ', 1)[1]}"
        elif marked is not None:
            label = f"{arrow.label} ✗ {marked}"
        else:
            label = arrow.label
        lx, ly, offset = self._place_label(placed, label, x1, y1, x2, full_y, angle, reach)
        emphasis = ' font-weight="bold"' if marked is not None or ghost is not None else ""
        parts.append(
            f'<text class="segment-label" x="{lx:.1f}" y="{ly + offset:.1f}" text-anchor="middle" font-size="10.5" '
            f'fill="{_LOST if marked is not None else colour}"{emphasis} stroke="white" stroke-width="3" '
            f'paint-order="stroke" transform="rotate({angle:.2f} {lx:.1f} {ly:.1f})">{xml_text(label)}</text>'
        )
        parts.append("</g>")
        return "".join(parts)


class _TimeWaitSpan:
    """One side's stay in TIME-WAIT: where it began, its restarts, how long 2*MSL is."""

    __slots__ = ("end_row", "length_us", "restart_rows", "side", "start_row")

    def __init__(self, side: str, start_row: float, record: Record):
        self.side = side
        self.start_row = start_row
        self.end_row: float | None = None
        self.restart_rows: list[int] = []
        self.length_us = _time_wait_left_us(record, side)

    def restart(self, row: int, record: Record) -> None:
        self.restart_rows.append(row)
        self.length_us = _time_wait_left_us(record, side=self.side)


def _time_wait_left_us(record: Record, side: str) -> int | None:
    deadline = record.tcb_of(side).get("time_wait_until")
    return round(deadline * 1e6) - record.time_us if isinstance(deadline, float) else None


def _restarted_time_wait(record: Record, side: str) -> bool:
    return any(who == side and note.code == "retransmitted-fin-time-wait" for who, note in record.notes)


class _LabelBox:
    """Where a label's text runs: points along its middle line and the box around them."""

    __slots__ = ("bottom", "left", "points", "right", "top")

    def __init__(self, x: float, y: float, angle: float, text: str):
        half = 5.9 * len(text) / 2
        dx, dy = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        steps = max(2, int(half // 12))
        self.points = [(x + dx * half * k / steps, y - 3.5 + dy * half * k / steps) for k in range(-steps, steps + 1)]
        xs = [px for px, _ in self.points]
        ys = [py for _, py in self.points]
        self.left, self.right, self.top, self.bottom = min(xs), max(xs), min(ys), max(ys)

    def overlaps(self, other: _LabelBox) -> bool:
        if (
            self.right + 11 < other.left
            or other.right + 11 < self.left
            or self.bottom + 11 < other.top
            or other.bottom + 11 < self.top
        ):
            return False
        return any(abs(px - ox) < 11 and abs(py - oy) < 11 for px, py in self.points for ox, oy in other.points)


def _marker_name(colour: str) -> str:
    return colour.lstrip("#")


def _arrow_heads(colours: Iterable[str]) -> str:
    return "".join(
        f'<marker id="ladder-arrow-{_marker_name(colour)}" viewBox="0 0 10 10" refX="9.5" refY="5" '
        f'markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{colour}"/></marker>'
        for colour in colours
    )


_DEFS = "<defs>" + _arrow_heads((SIDE_COLOURS["client"][0], SIDE_COLOURS["server"][0], _INJECTED)) + "</defs>"
_GHOST_DEFS = "<defs>" + _arrow_heads((_GHOST,)) + "</defs>"


def _call_text(detail: str) -> str:
    """``send(5)``, ``send("hi")``, ``connect()`` from a call record's detail."""
    call, _, argument = detail.partition(" ")
    if argument.startswith(("b'", 'b"')):
        argument = '"' + argument[2:-1] + '"'
    return f"{call}({argument})"


def _relative(value: int, origin: object) -> int:
    return seq_sub(value, origin) if isinstance(origin, int) else value


def _tcb_with_iss(record: Record, previous: Record | None, side: str, peer: str) -> dict[str, object] | None:
    """``side``'s TCB for a segment with ``peer`` (a listening server's: its connection with the
    peer), as it was when the segment was sent: after an ABORT or a crash it is gone, so the one before."""
    connection = f"{side}/{peer}"
    for when in (record, previous):
        if when is not None:
            tcb = when.tcb_of(connection if connection in when.sides else side)
            if tcb.get("ISS") is not None:
                return tcb
    return None


def ladder_of(records: Iterable[Record], lang: str = "en", relative: bool = False, title: str = "") -> Ladder:
    """The ladder diagram of ``records`` (a simulation's ``history``, or a run's)."""
    return Ladder(records, lang=lang, relative=relative, title=title)
