"""Questions a learner answers, decided headlessly: the scene, the right answer, what is wrong
with an answer, and the hint. The widgets (``tcpedu.widgets.quiz``) only show these.

A question is a situation written as a scenario script: everything but its last action line
sets the scene, and the last line is what happens next. The learner predicts its outcome, the
state one side is in afterwards or the segment one side sends; the right answer is what
tcpedu's engine does, never a string typed into a notebook.
"""

from __future__ import annotations

import dataclasses

from ..core.segment import Segment
from ..core.states import State
from ..core.transitions import Arc, arcs_from
from ..narrator import narrate
from ..scenario import Player, Script, parse
from ..sim.history import Record

__all__ = [
    "FLAG_CHOICES",
    "Outcome",
    "SegmentAnswer",
    "StateAnswer",
    "arrival_section",
    "outcome_of",
    "parse_number",
]

# Where RFC 9293 says what a segment arriving in each state does (3.10.7).
_ARRIVAL_SECTIONS = {State.CLOSED: "3.10.7.1", State.LISTEN: "3.10.7.2", State.SYN_SENT: "3.10.7.3"}

#: The flags a segment question offers.
FLAG_CHOICES = ("SYN", "SYN,ACK", "ACK", "FIN,ACK", "RST", "RST,ACK")


def arrival_section(state: State) -> str:
    """The section of RFC 9293 that says what a segment arriving in ``state`` does."""
    return _ARRIVAL_SECTIONS.get(state, "3.10.7.4")


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What the engine did at a question's last line."""

    before: tuple[Record, ...]
    """The history up to the last line (the scene)."""
    records: tuple[Record, ...]
    """What the last line made happen."""
    event: str
    """The last line, as written."""

    def state_of(self, side: str) -> State:
        return self.records[-1].state_of(side)

    def state_before(self, side: str) -> State:
        return self.before[-1].state_of(side) if self.before else State.CLOSED

    def sent_by(self, side: str) -> list[Segment]:
        return [p.segment for record in self.records for p in record.sent if p.sender == side]

    def arcs_of(self, side: str) -> list[Arc]:
        """The arcs ``side`` took at the last line."""
        return [arc for record in self.records for who, arc in record.arcs if who == side]

    def reasons(self, lang: str = "en") -> list[str]:
        """The transitions and the notes (with their RFC sections) of the last line, as the
        narrator tells them."""
        return [line.text for line in narrate(self.records, lang, kinds=frozenset({"transition", "note"}))]

    def arrival(self) -> tuple[str, State] | None:
        """(receiver, its state before) of the first segment the last line hands to a side."""
        for record in self.records:
            if record.packet is not None and record.kind in ("deliver", "inject"):
                receiver = record.packet.receiver
                return receiver, self.state_before(receiver)
        return None


def outcome_of(script: str | Script) -> Outcome:
    """Run ``script`` and split its history at its last action line."""
    parsed = parse(script, "<question>") if isinstance(script, str) else script
    actions = [c for c in parsed.commands if c.is_action]
    if not actions:
        raise ValueError("a question's script needs an action line (its last one is what happens next)")
    player = Player(parsed)
    last_step = None
    while (step := player.step()) is not None:
        last_step = step
    run = player.run
    if run.error is not None or run.failure is not None:
        raise ValueError(f"the question's script does not run: {run.error or run.failure.message}")
    if last_step is None or last_step.command is not actions[-1]:  # pragma: no cover - run.ok implies it
        raise ValueError("the question's script did not reach its last line")
    history = run.simulation.history
    start = len(history) - len(last_step.records)
    return Outcome(tuple(history[:start]), tuple(last_step.records), last_step.command.text)


def parse_number(text: str) -> int | None:
    """A number as a learner types it (spaces, ``,`` and ``_`` forgiven), or None."""
    try:
        return int(text.strip().replace(",", "").replace("_", ""))
    except ValueError:
        return None


class StateAnswer:
    """Which state is ``side`` in after the last line? The choices and the verdict."""

    def __init__(self, scene: Outcome, side: str):
        self.scene = scene
        self.side = side
        self.expected = scene.state_of(side)
        before = scene.state_before(side)
        candidates = {before, self.expected, State.ESTABLISHED, State.CLOSED}
        candidates |= {arc.target for arc in arcs_from(before) if arc.source != "simulation"}
        self.choices: list[State] = [state for state in State if state in candidates]
        """The states offered: the one before, every target of its arcs, and two common guesses."""

    def is_right(self, answer: State | None) -> bool:
        return answer is self.expected


class SegmentAnswer:
    """Which segment (flags, seq, ack) does ``side`` send at the last line?"""

    def __init__(self, scene: Outcome, side: str):
        sent = scene.sent_by(side)
        if not sent:
            raise ValueError(f"the {side} sends nothing at the question's last line: ask something else")
        self.scene = scene
        self.side = side
        self.expected: Segment = sent[0]

    def wrong_fields(self, flags: str | None, seq: str, ack: str) -> list[str]:
        """The fields of an answer that differ from the engine's segment (``"flags"``,
        ``"seq"``, ``"ack"``); ack only counts when the segment carries one."""
        expected = self.expected
        wrong = []
        if flags != str(expected.flags):
            wrong.append("flags")
        if parse_number(seq) != expected.seq:
            wrong.append("seq")
        if expected.has_ack and parse_number(ack) != expected.ack:
            wrong.append("ack")
        return wrong
