"""Runs the checker draws: a plan of settings and actions, carried out on a simulation whose
endpoints may be the learner's, and written back as a scenario script anyone can run.

A plan's network actions name a segment by its place among those in flight, counted modulo
how many there are, so any plan runs whatever the endpoints sent; an action with nothing to
act on is skipped, and a call the state refuses is recorded as refused. Once run, each action
has become a scenario line (``deliver 2``, ``expect refused client send 10``), so the script
of a run reproduces it exactly with ``tcpedu run`` or in the widget.

What a side did at each step (the segments it sent and when, its state, the octets it
delivered, whether a call was refused) is its *transcript*; two endpoints behave alike on a
plan when their transcripts are equal step by step.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from decimal import Decimal

from ..core.errors import CallRefused, SimulationError
from ..core.notes import Note
from ..core.segment import Flags, Segment
from ..core.states import State
from ..core.transitions import ARCS
from ..sim.history import Record
from ..sim.network import Packet
from ..sim.settings import SETTINGS, Settings
from ..sim.simulation import EndpointFactory, Simulation
from .sandbox import describe_exception
from .views import segment_shape

__all__ = ["Execution", "Plan", "Step", "execute", "record_from_wire", "record_to_wire", "transcript"]

Action = tuple
"""("call", side, call, data | None), ("deliver" | "drop" | "duplicate", k),
("inject", side, flags, seq, ack, wnd, length), ("wait", seconds as text)."""


@dataclasses.dataclass(frozen=True)
class Plan:
    """Settings (name, side or None, value) and actions, as hypothesis draws them."""

    settings: tuple[tuple[str, str | None, object], ...]
    actions: tuple[Action, ...]

    def to_wire(self) -> list[object]:
        return [[list(setting) for setting in self.settings], [list(action) for action in self.actions]]

    @classmethod
    def from_wire(cls, value: Sequence[object]) -> Plan:
        settings, actions = value
        return cls(tuple(tuple(s) for s in settings), tuple(tuple(a) for a in actions))


@dataclasses.dataclass
class Step:
    """One action carried out: the line it became and what happened."""

    action: Action
    line: str | None
    """The scenario line, or None if it was skipped (nothing in flight)."""
    records: list[Record]
    refused: str | None = None
    """Why a call was refused, if it was."""
    error: dict[str, object] | None = None
    """What a learner's endpoint raised, ``{"error": text, "line": n}`` (the run stopped there)."""


@dataclasses.dataclass
class Execution:
    plan: Plan
    simulation: Simulation
    steps: list[Step]

    @property
    def history(self) -> list[Record]:
        return self.simulation.history

    def script(
        self, upto: int | None = None, title: tuple[str, str] | None = None, note: Sequence[tuple[str, str]] = ()
    ) -> str:
        """The run as a scenario script (up to step ``upto``, included), its title and notes in
        English with their Korean on ``#ko:`` lines."""
        lines = []
        for english, korean in (title or ("a run the checker drew", "확인 프로그램이 만든 실행"), *note):
            lines += [f"# {english}", f"#ko: {korean}"]
        defaults = Settings()
        for name, side, value in self.plan.settings:
            default = getattr(defaults, name)
            if side is not None:
                default = default[side]
            if SETTINGS[name].coerce(value) != default:  # only what differs from RFC 9293's defaults
                lines.append(f"{side} {name} {value}" if side else f"{name} {value}")
        steps = self.steps if upto is None else self.steps[: upto + 1]
        lines += [step.line for step in steps if step.line is not None]
        return "\n".join(lines) + "\n"


def execute(plan: Plan, endpoints: Mapping[str, EndpointFactory] | None = None, filename: str = "") -> Execution:
    """Carry ``plan`` out; a learner's endpoint that raises stops the run at that step (its
    error names the line of ``filename``, the learner's file, it came from)."""
    options = {}
    for name, side, value in plan.settings:
        if name not in SETTINGS:  # pragma: no cover - plans are drawn from SETTINGS
            raise ValueError(f"unknown setting {name}")
        options[f"{side}_{name}" if side else name] = value
    sim = Simulation(endpoints=endpoints, **options)
    execution = Execution(plan, sim, [])
    for action in plan.actions:
        before = len(sim.history)
        step = Step(action, None, [])
        try:
            step.line = _carry_out(sim, action)
        except CallRefused as refused:
            _, side, call, data = action
            step.line = f"expect refused {side} {call}{_data_text(data)}"
            step.refused = str(refused)
        except SimulationError:
            step.line = None
        except Exception as error:  # the learner's endpoint raised: its answer at this step
            text, line = describe_exception(error, filename)
            step.error = {"error": text, "line": line}
        step.records = sim.history[before:]
        execution.steps.append(step)
        if step.error is not None:
            break
    return execution


def _data_text(data: object) -> str:
    return "" if data is None else f" {data}"


def _carry_out(sim: Simulation, action: Action) -> str | None:
    kind = action[0]
    if kind == "call":
        _, side, call, data = action
        sim.call(side, call, data)
        return f"{side} {call}{_data_text(data)}"
    if kind in ("deliver", "drop", "duplicate"):
        in_flight = sim.network.in_flight
        if not in_flight:
            return None
        index = action[1] % len(in_flight)
        getattr(sim, kind)(in_flight[index].id)
        return f"{kind} {index + 1}"
    if kind == "inject":
        _, side, flags, seq, ack, wnd, length = action
        segment = Segment(seq, ack, Flags.parse(flags), wnd, b"x" * length)
        sim.inject(side, segment)
        ack_text = f" ack={ack}" if segment.has_ack else ""
        return f"inject {side} {segment.flags} seq={seq}{ack_text} len={length} wnd={wnd}"
    if kind == "wait":
        sim.wait(Decimal(action[1]))
        return f"wait {action[1]}"
    raise ValueError(f"unknown action {action!r}")  # pragma: no cover - plans are drawn, not typed


# --- transcripts ------------------------------------------------------------------------------------


def transcript(execution: Execution, sides: Sequence[str]) -> list[dict[str, object]]:
    """What ``sides`` did at each step: the segments each sent (when, and every field; the
    data by its digest), its state and the octets it delivered afterwards, whether a call was
    refused, and a learner's error."""
    steps = []
    for step in execution.steps:
        entry: dict[str, object] = {}
        for side in sides:
            sent = [
                [record.time_us, *_fields(p.segment)]
                for record in step.records
                for p in record.sent
                if p.sender == side and not p.injected and p.copy_of is None
            ]
            after = step.records[-1] if step.records else None
            entry[side] = {
                "sent": sent,
                "state": after.state_of(side).value if after is not None else None,
                "received": after.tcb_of(side).get("received") if after is not None else None,
            }
        if step.refused is not None:
            entry["refused"] = True
        if step.error is not None:
            entry["error"] = step.error
        steps.append(entry)
    return steps


def _fields(segment: Segment) -> list[object]:
    """The segment's shape (flags, seq, ack when the ACK flag is on, length), its window and its
    data's digest, JSON-ready."""
    seq, ack, flags, length = segment_shape(segment)
    return [str(flags), seq, ack, segment.wnd, length, _digest(segment.data)]


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=8).hexdigest() if data else ""


# --- records over the wire (a learner's run, sent back from its sandbox to be drawn) ------------------

_ARC_INDEX = {arc: index for index, arc in enumerate(ARCS)}


def _packet_to_wire(packet: Packet) -> list[object]:
    seg = packet.segment
    return [
        packet.id,
        packet.sender,
        [seg.seq, seg.ack, int(seg.flags), seg.wnd, seg.data.decode("latin-1")],
        packet.sent_at_us,
        packet.tag,
        packet.copy_of,
        packet.injected,
    ]


def _packet_from_wire(value: Sequence[object]) -> Packet:
    packet_id, sender, (seq, ack, flags, wnd, data), sent_at, tag, copy_of, injected = value
    segment = Segment(int(seq), int(ack), Flags(int(flags)), int(wnd), str(data).encode("latin-1"))
    return Packet(int(packet_id), str(sender), segment, int(sent_at), tag, copy_of, bool(injected))


def record_to_wire(record: Record) -> list[object]:
    return [
        record.index,
        record.kind,
        record.side,
        record.detail,
        record.time_us,
        _packet_to_wire(record.packet) if record.packet is not None else None,
        [_packet_to_wire(packet) for packet in record.sent],
        [[side, _ARC_INDEX.get(arc)] for side, arc in record.arcs if arc in _ARC_INDEX],
        [[side, note.code, note.args] for side, note in record.notes],
        [state.value for state in record.states],
        [dict(tcb) for tcb in record.tcbs],
        list(record.in_flight),
    ]


def record_from_wire(value: Sequence[object]) -> Record:
    """A record sent back by a child: it may be anything, so every field is checked (a
    ``ValueError`` or ``TypeError`` for what cannot be a record)."""
    index, kind, side, detail, time_us, packet, sent, arcs, notes, states, tcbs, in_flight = value
    return Record(
        index=int(index),
        kind=str(kind),
        side=None if side is None else str(side),
        detail=str(detail),
        time_us=int(time_us),
        packet=_packet_from_wire(packet) if packet is not None else None,
        sent=tuple(_packet_from_wire(p) for p in sent),
        arcs=tuple((str(who), ARCS[int(arc)]) for who, arc in arcs),
        notes=tuple((str(who), Note(str(code), **dict(args))) for who, code, args in notes),
        states=tuple(State(str(state)) for state in states),
        tcbs=tuple(dict(tcb) for tcb in tcbs),
        in_flight=tuple(int(i) for i in in_flight),
    )
