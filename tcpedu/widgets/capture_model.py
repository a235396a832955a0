"""A real capture in the stepping widget: ``CaptureModel`` steps through one connection of a
replayed capture (``tcpedu replay``) packet by packet, forward and back, and offers the
``Explorer`` what ``ExplorerModel`` offers it: the history so far (the ladder), both ends' states
as the engine infers them, their TCBs, and what the packet just taken in did, with the packets
where the real stack did otherwise than the engine marked and explained.

A capture is a recording: no one can deliver, drop or call anything in it. Its steps are
``play`` (the next packet), ``back`` and ``reset``; the view shows no network or call buttons.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.states import State
from ..core.transitions import Refusal
from ..render import Mark
from ..sim.history import Record
from ..sim.network import Packet, other_side
from ..sim.settings import SIDES
from ..words import LANGUAGES, word
from .model import TCB_ROWS, StepDone

if TYPE_CHECKING:
    from ..capture.replay import Connection, Replay

__all__ = ["CAPTURE_SUFFIXES", "CaptureModel", "is_capture"]

# The capture modules (and dpkt) are imported when a capture is opened, not with the widgets.
_REPLAY_MODULE = "tcpedu.capture.replay"

CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap")

MARK = "≠ engine"
"""The ladder's mark on a packet where the real stack did otherwise than the engine."""


def is_capture(scenario: object) -> bool:
    """Whether ``explore(scenario)`` opens a capture: a path ending in .pcap, .pcapng or .cap, a
    replayed capture, or one of its connections."""
    replay = sys.modules.get(_REPLAY_MODULE)  # not imported yet: nothing can be a Replay
    if replay is not None and isinstance(scenario, (replay.Replay, replay.Connection)):
        return True
    return isinstance(scenario, (str, Path)) and Path(scenario).suffix.lower() in CAPTURE_SUFFIXES


class CaptureModel:
    """One connection of a replayed capture, stepped packet by packet."""

    REQUESTS = ("play", "back", "reset")
    """What a view may ask for: the next packet, the one before, the start."""
    recording = True
    """A recording: the view offers no calls, no network and no clock to drive."""
    script = None
    stepping = True

    def __init__(self, connection: Connection, source: str = ""):
        from ..capture.show import records_by_packet

        self.connection = connection
        self.source = source
        """The file the capture came from (for the title)."""
        self._packets = records_by_packet(connection)
        self.marks = tuple(Mark(MARK, packet=step.number) for step in connection.steps if step.surprises)
        self.position = 0
        """How many packets have been taken in."""
        self.history: list[Record] = []
        self._observers: list[Callable[[CaptureModel], None]] = []
        self.version = 0
        self.last = self._start()

    @classmethod
    def open(cls, capture: str | Path | Replay | Connection, connection: int = 1, profile: str = "rfc") -> CaptureModel:
        """The model of connection number ``connection`` (from 1) of ``capture``: a capture file
        (replayed in ``profile``, "rfc" or "linux"), a ``Replay``, or a ``Connection``.
        ValueError, in one line, for a file that cannot be read or a connection it does not have."""
        from ..capture import CaptureError
        from ..capture.replay import Connection, Replay, replay_file

        if isinstance(capture, Connection):
            return cls(capture)
        if isinstance(capture, Replay):
            replay = capture
        else:
            try:
                replay = replay_file(capture, profile=profile, keep_details=True)
            except CaptureError as error:
                raise ValueError(str(error)) from None
        if not replay.connections:
            raise ValueError(f"{replay.path}: no TCP connection in the capture")
        count = len(replay.connections)
        if not 1 <= connection <= count:
            choices = "connection=1" if count == 1 else f"connection=1 to {count}"
            raise ValueError(f"{replay.path} has no connection {connection}: choose {choices}")
        return cls(replay.connections[connection - 1], replay.path)

    # ------------------------------------------------------------------------------------------
    # Observing and reading (what ExplorerModel offers the view)

    def observe(self, callback: Callable[[CaptureModel], None]) -> None:
        self._observers.append(callback)

    def _changed(self) -> None:
        self.version += 1
        for callback in self._observers:
            callback(self)

    def title(self) -> str:
        title = self.connection.title()
        return f"{self.source}: {title}" if self.source else title

    @property
    def in_flight(self) -> list[Packet]:
        return []  # a packet is drawn sent and taken in within its own step

    @property
    def steps(self) -> int:
        """How many steps can be taken back."""
        return self.position

    @property
    def time(self) -> float:
        """The capture's clock at the packet last taken in (seconds from its first packet)."""
        return self.connection.steps[self.position - 1].time_us / 1e6 if self.position else 0.0

    def side_of(self, name: str) -> str:
        return name

    def state(self, side: str) -> State:
        return self.connection.steps[self.position - 1].states[side] if self.position else State.CLOSED

    def refusal(self, side: str, call: str) -> Refusal | None:
        return None

    def tcb(self, side: str) -> dict[str, object]:
        return self._tcb_at(self.position, side)

    def changed(self, side: str) -> set[str]:
        """The TCB rows of ``side`` the last packet changed."""
        before, now = self._tcb_at(self.position - 1, side), self.tcb(side)
        return {name for name in TCB_ROWS if before.get(name) != now.get(name)} if self.position else set()

    def _tcb_at(self, position: int, side: str) -> dict[str, object]:
        if position <= 0:
            return {}
        tcbs = self.connection.steps[position - 1].tcbs
        return tcbs[SIDES.index(side)] if tcbs is not None else {}

    def next_timer(self) -> tuple[float, str, str] | None:
        return None

    @property
    def scenario_next(self) -> str | None:
        """The next packet, as the view's "next" line shows it; None after the last."""
        if self.position >= len(self.connection.steps):
            return None
        step = self.connection.steps[self.position]
        return f"{step.number}: {step.sender} → {other_side(step.sender)} {step.packet.describe()}"

    # ------------------------------------------------------------------------------------------
    # Steps

    def request(self, action: str, seen: int | None = None, **arguments: object) -> StepDone | None:
        """Take the step ``action`` (``REQUESTS``) for a view; a click on a picture that is no
        longer shown (``seen`` is not ``version``) does nothing."""
        if seen is not None and seen != self.version:
            return None
        if action not in self.REQUESTS:
            return self._say(action, word("capture.recording", "en"))
        return getattr(self, action)()

    def play(self) -> StepDone:
        """Take in the next packet."""
        if self.position >= len(self.connection.steps):
            return StepDone("play", (), word("capture.over", "en"), ok=False)
        step = self.connection.steps[self.position]
        records = self._packets[self.position]
        self.position += 1
        self.history.extend(records)
        calls = ", ".join(f"{side} {call}()" for side, call in step.calls)
        story = (
            (word("capture.calls", "en", calls=calls), word("capture.calls", "ko", calls=calls)) if calls else ("", "")
        )
        # Where the real stack did otherwise than the engine, each naming its rule.
        request = f"{MARK} #{step.number}" if step.surprises else f"#{step.number}"
        self.last = StepDone(request, tuple(records), _in_each_language(step.surprises), not step.surprises, story)
        self._changed()
        return self.last

    def back(self) -> StepDone:
        """Take the last packet back."""
        if not self.position:
            return self._say("back", "nothing to take back")
        self.position -= 1
        del self.history[len(self.history) - len(self._packets[self.position]) :]
        self.last = StepDone("back", tuple(self.history[-1:]))
        self._changed()
        return self.last

    def reset(self) -> StepDone:
        """Back to before the first packet."""
        self.position = 0
        self.history = []
        self.last = StepDone("reset", (), self._start().message)
        self._changed()
        return self.last

    def _start(self) -> StepDone:
        """Before the first packet: what the engine does not model and this connection uses."""
        return StepDone("start", (), _in_each_language(self.connection.remarks))

    def _say(self, request: str, message: str) -> StepDone:
        self.last = StepDone(request, (), message, ok=False)
        self._changed()
        return self.last


def _in_each_language(said: list) -> tuple[str, ...] | str:
    """A replay's surprises or remarks as a message in each language (``StepDone.message``), or
    none."""
    return tuple("; ".join(one.text(lang) for one in said) for lang in LANGUAGES) if said else ""
