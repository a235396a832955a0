"""A replayed capture shown: as text (``tcpedu replay``), and as the ladder diagram's records
(``tcpedu draw CAPTURE.pcap``), the same ``Record`` objects a simulation's history holds, so
``tcpedu.render.Ladder`` draws a capture as it draws a run (the capture layer sits below
render and does not draw)."""

from __future__ import annotations

from ..core.states import State
from ..sim.history import Record
from ..sim.network import Packet
from .replay import Connection, Replay, Step

__all__ = ["format_connection", "format_replay", "records_by_packet", "records_of_connection"]

_ARROWS = {"client": "client > server", "server": "server > client"}
_NO_TCB: dict[str, object] = {}


def format_replay(replay: Replay, verbose: bool = False) -> str:
    """Each connection (``format_connection``), then the summary."""
    return "".join(format_connection(connection, verbose) for connection in replay.connections) + replay.summary()


def format_connection(connection: Connection, verbose: bool = False) -> str:
    """A connection: its title and remarks, then one line per packet (number, time, direction,
    the segment with its options, the calls inferred, both ends' states), each surprise under it
    marked ``!``; a blank line after it."""
    lines = [connection.title()]
    lines.extend(f"  note: {remark}" for remark in connection.remarks)
    for step in connection.steps:
        lines.append(_step_line(step))
        if verbose:
            lines.extend(f"        {side}: {note}" for side, note in step.notes)
        lines.extend(f"      ! {surprise}" for surprise in step.surprises)
    return "\n".join(lines) + "\n\n"


def _step_line(step: Step) -> str:
    calls = " ".join(f"{side} {call}()" for side, call in step.calls)
    calls = f"  [{calls}]" if calls else ""
    states = step.states
    mark = "!" if step.surprises else " "
    return (
        f"{mark}{step.number:>6} {step.time_us / 1e6:>12.6f}  {_ARROWS[step.sender]}  {step.packet.describe()}{calls}"
        f"  -> {states['client']} / {states['server']}"
    )


def records_of_connection(connection: Connection) -> list[Record]:
    """The connection as a run's history: for each packet, a row where it is sent (with the call
    inferred, if any) and a row where it is taken in, with both ends' states after."""
    return [record for records in records_by_packet(connection) for record in records]


def records_by_packet(connection: Connection) -> list[list[Record]]:
    """``records_of_connection``'s records, those of each packet (each step) in a list of their
    own: what the widget shows when it steps through a capture packet by packet."""
    groups: list[list[Record]] = []
    count = 0
    states = (State.CLOSED, State.CLOSED)
    tcbs = (_NO_TCB, _NO_TCB)

    def add(kind: str, side: str | None, detail: str, time_us: int, packet=None, sent=()) -> None:
        nonlocal count
        groups[-1].append(Record(count, kind, side, detail, time_us, packet, sent, (), (), states, tcbs, ()))
        count += 1

    for step in connection.steps:
        groups.append([])
        packet = Packet(step.number, step.sender, step.segment, step.time_us)
        calls = [call for side, call in step.calls if side == step.sender]
        for side, call in step.calls:
            if side != step.sender:
                add("call", side, call, step.time_us)
        if calls:
            add("call", step.sender, " ".join(calls), step.time_us, sent=(packet,))
        else:
            add("wait", None, "", step.time_us, sent=(packet,))
        states = (step.states["client"], step.states["server"])
        if step.tcbs is not None:
            tcbs = step.tcbs
        add("deliver", step.receiver, "", step.time_us, packet=packet)
    return groups
