"""What the stepping widget shows and does, without any widget: a model a view observes.

An ``ExplorerModel`` holds a simulation (and, when a named scenario is open, a ``Player``
stepping through its script). Every request the learner makes (a user call, a network
action, the clock, back, reset, the script's next step) is one *step*; the model keeps the
steps so ``back`` undoes exactly one, however many simulation requests it took, and after
each step it tells its observers. It knows nothing of ipywidgets: tests drive it directly,
and ``explorer.py`` draws it.

A view passes the learner's clicks to ``request`` with the ``version`` of the picture the
learner clicked on: a click made on a picture that is no longer current (the second click of
a double-click, sent before the first one's redraw arrived) is not carried out, so a click is
handled once however fast it is repeated.
"""

from __future__ import annotations

import dataclasses
import traceback
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..core.endpoint import Endpoint
from ..core.errors import CallRefused, SimulationError
from ..core.states import State
from ..core.transitions import Refusal
from ..scenario import (
    Player,
    ScenarioError,
    Script,
    closest_scenario,
    load_scenario,
    parse,
    scenario_names,
    simulation_for,
)
from ..sim.history import Record
from ..sim.host_side import ServerHost
from ..sim.network import Packet
from ..sim.settings import SIDES
from ..sim.simulation import Simulation

__all__ = ["CALLS", "TCB_ROWS", "ExplorerModel", "StepDone"]

CALLS = ("listen", "connect", "send", "close", "abort", "crash")
"""The user calls the widget offers each side, in the order of its buttons."""

TCB_ROWS = ("ISS", "IRS", "SND.UNA", "SND.NXT", "SND.WND", "RCV.NXT", "RCV.WND", "RTO", "received")
"""The TCB variables the widget's table shows (RFC 9293 3.3.1), and the octets received."""


@dataclasses.dataclass(frozen=True)
class StepDone:
    """One learner's step: what was asked, the history records it made, and any message."""

    request: str
    records: tuple[Record, ...]
    message: str | tuple[str, str] = ""
    """Why nothing happened (a refused call, an impossible action), or a failed check; for a
    recording, where the real stack did otherwise than the engine, or what the replay says of the
    connection, (English, Korean)."""
    ok: bool = True
    story: tuple[str, str] = ("", "")
    """What the scenario's script says this step does, (English, Korean)."""


@dataclasses.dataclass(frozen=True)
class _Undo:
    actions: int
    """How many simulation requests the step made."""
    player: tuple[int, int, int, int] | None


class ExplorerModel:
    """A client, a server and the network between them, stepped by a learner."""

    recording = False
    """Whether this is a recording with nothing to drive (``CaptureModel``): here the learner calls,
    delivers, drops and waits."""
    marks: tuple = ()
    """Marks the ladder draws (a capture's packets where the engine would have done otherwise)."""

    def __init__(self, scenario: str | Script | None = None, **settings: object):
        """``scenario``: a named scenario, a script's text, or a parsed ``Script`` to step
        through (or None to play freely); ``settings`` as for ``Simulation`` (``client_isn=100``)."""
        if isinstance(scenario, str):
            scenario = _named_or_text(scenario)
        if scenario is not None and scenario.clients > 1:
            raise ValueError(
                f"{scenario.filename}: the explorer steps one client and its server, and this scenario has "
                f"{scenario.clients} clients: draw it with Ladder(run_script(script).simulation.history), or run "
                "'tcpedu draw' on it"
            )
        self.script: Script | None = scenario
        self._settings = settings
        self._observers: list[Callable[[ExplorerModel], None]] = []
        self.version = 0
        """Grows by one at every change the observers are told of (what a view's picture shows)."""
        self._start()

    def _start(self) -> None:
        script = self.script
        self.simulation = (
            simulation_for(script, **self._settings) if script is not None else Simulation(**self._settings)
        )
        self.player = Player(self.script, self.simulation) if self.script is not None else None
        if self.player is not None:
            self.player.settle()  # the scenario's ISNs and settings before its first action
        self._undo: list[_Undo] = []
        self.last = StepDone("start", ())
        self._before: tuple[dict[str, object], dict[str, object]] = self._snapshots()

    # ------------------------------------------------------------------------------------------
    # Observing

    def observe(self, callback: Callable[[ExplorerModel], None]) -> None:
        """Call ``callback(model)`` after every step."""
        self._observers.append(callback)

    def _changed(self) -> None:
        self.version += 1
        for callback in self._observers:
            callback(self)

    # ------------------------------------------------------------------------------------------
    # Reading

    @property
    def history(self) -> list[Record]:
        return self.simulation.history

    @property
    def in_flight(self) -> list[Packet]:
        return self.simulation.in_flight

    @property
    def steps(self) -> int:
        """How many steps can be taken back."""
        return len(self._undo)

    @property
    def time(self) -> float:
        """The simulation's clock, in seconds."""
        return self.simulation.time

    @property
    def stepping(self) -> bool:
        """Whether there is a script to step through."""
        return self.script is not None

    def title(self) -> str | None:
        """What the view's title says, beyond a scenario's own (None: the view decides)."""
        return None

    def shown(self, side: str, call: str | None = None) -> str:
        """What the learner sees as ``side``: itself, except a listening server with a connection to
        the client, which is shown as that connection (``server/client``); ``listen`` is always the
        listener's."""
        sim = self.simulation
        if side == "server" and sim.is_host and call != "listen" and sim.server.connection("client") is not None:
            return "server/client"
        return side

    def side_of(self, name: str) -> str:
        """The side a record's name belongs to: ``server/client`` and the listener are the server."""
        return name.partition("/")[0]

    def endpoint(self, side: str) -> Endpoint:
        """The TCB the learner sees as ``side`` (a listening server's listener or connection)."""
        shown = self.shown(side)
        sim = self.simulation
        if shown == "server" and sim.is_host:
            return sim.server.host.listener
        return sim.endpoint(shown)

    def state(self, side: str) -> State:
        return self.simulation.state(self.shown(side))

    def refusal(self, side: str, call: str) -> Refusal | None:
        """Why ``side`` cannot make ``call`` now (None if it can)."""
        if call == "listen" and side == "server" and self.simulation.is_host:
            return self.simulation.server.host.listener.refusal(call)
        return self.endpoint(side).refusal(call)

    def tcb(self, side: str) -> dict[str, object]:
        return self.endpoint(side).snapshot()

    def changed(self, side: str) -> set[str]:
        """The TCB rows of ``side`` that the last step changed."""
        before = self._before[SIDES.index(side)]
        now = self.tcb(side)
        return {name for name in TCB_ROWS if before.get(name) != now.get(name)}

    def next_timer(self) -> tuple[float, str, str] | None:
        """(seconds, side, timer name) of the next timer, or None."""
        due = self.simulation.next_timer()
        return None if due is None else (due[0] / 1e6, due[1], due[2])

    @property
    def scenario_next(self) -> str | None:
        """The script's next action line, or None (no script, or it is over)."""
        if self.player is None:
            return None
        command = self.player.next_command
        return None if command is None else command.text

    # ------------------------------------------------------------------------------------------
    # Steps

    REQUESTS = ("call", "deliver", "drop", "duplicate", "deliver_all", "wait", "wait_next", "play", "back", "reset")
    """What a view may ask for with ``request``: the steps below, by name."""

    def request(self, action: str, seen: int | None = None, **arguments: object) -> StepDone | None:
        """Take the step ``action`` (one of ``REQUESTS``, with its ``arguments``) for a view.
        ``seen`` is the ``version`` of the picture the learner acted on: if the model has
        changed since, the click was made on a picture that is gone (a double-click's second
        click) and nothing is done (None)."""
        if action not in self.REQUESTS:
            raise ValueError(f"unknown request {action!r}: choose one of {', '.join(self.REQUESTS)}")
        if seen is not None and seen != self.version:
            return None
        return getattr(self, action)(**arguments)

    def call(self, side: str, call: str, data: bytes | int | None = None) -> StepDone:
        """A user call on ``side``; a refused call changes nothing and says why."""
        if call == "send" and data is None:
            data = 100
        label = f"{side} {call}" + (f" {data}" if call == "send" else "")
        return self._step(label, lambda: self.simulation.call(self.shown(side, call), call, data))

    def deliver(self, packet_id: int | None = None) -> StepDone:
        return self._network("deliver", packet_id)

    def drop(self, packet_id: int | None = None) -> StepDone:
        return self._network("drop", packet_id)

    def duplicate(self, packet_id: int | None = None) -> StepDone:
        return self._network("duplicate", packet_id)

    def deliver_all(self) -> StepDone:
        return self._step("deliver all", self.simulation.deliver_all)

    def _network(self, verb: str, packet_id: int | None) -> StepDone:
        label = verb if packet_id is None else f"{verb} #{packet_id}"
        return self._step(label, lambda: getattr(self.simulation, verb)(packet_id))

    def wait(self, seconds: float | int | str) -> StepDone:
        """Advance the clock by ``seconds``; timers due fire in time order."""
        try:
            amount = Decimal(str(seconds))
        except InvalidOperation:
            return self._refused(f"wait {seconds}", f"wait needs a number of seconds, not {seconds!r}")
        return self._step(f"wait {amount:f}", lambda: self.simulation.wait(amount))

    def wait_next(self) -> StepDone:
        """Advance the clock to the next timer and fire it."""
        return self._step("wait next", self.simulation.wait_next)

    def play(self) -> StepDone:
        """Carry out the scenario's next action line. At the end of the scenario nothing
        happens: the answer says so, and ``last`` stays the last step, still explained."""
        player = self.player
        if player is None:
            return self._refused("play", "no scenario is open")
        if player.done:
            return StepDone("play", (), _OVER, ok=False)
        mark = player.mark()
        before = len(self.simulation.actions)
        history_before = len(self.simulation.history)
        snapshots = self._snapshots()
        step = player.step()
        run = player.run
        message, ok = "", True
        if run.failure is not None:
            message, ok = f"line {run.failure.command.line}: {run.failure.message}", False
        elif run.error is not None:
            message, ok = str(run.error), False
        made = len(self.simulation.actions) - before
        if step is None and made == 0:
            player.rewind(mark)
            if not ok:
                # A check or a line that could not be carried out: say so, keep the run.
                self.last = StepDone("play", (), message, ok=False)
                self._changed()
                return self.last
            return StepDone("play", (), _OVER, ok=False)  # only checks were left: as above
        self._before = snapshots
        self._undo.append(_Undo(made, mark))
        request = step.command.text if step is not None else "play"
        story = player.script.narration_of(step.command) if step is not None else ("", "")
        self.last = StepDone(request, tuple(self.simulation.history[history_before:]), message, ok, story)
        self._changed()
        return self.last

    def back(self) -> StepDone:
        """Take the last step back."""
        if not self._undo:
            return self._refused("back", "nothing to take back")
        undo = self._undo.pop()
        if undo.actions:
            self.simulation.undo(undo.actions)
        if undo.player is not None and self.player is not None:
            self.player.rewind(undo.player)
        previous = self.history[-1:] if self.history else []
        self._before = self._snapshots()
        self.last = StepDone("back", tuple(previous))
        self._changed()
        return self.last

    def reset(self) -> StepDone:
        """Start again from the beginning (the scenario's too)."""
        observers = self._observers
        self._start()
        self._observers = observers
        self.last = StepDone("reset", ())
        self._changed()
        return self.last

    # ------------------------------------------------------------------------------------------

    def _player_mark(self) -> tuple[int, int, int, int] | None:
        return self.player.mark() if self.player is not None else None

    def _snapshots(self) -> tuple[dict[str, object], dict[str, object]]:
        return (self.tcb("client"), self.tcb("server"))

    def _step(self, request: str, action: Callable[[], object]) -> StepDone:
        sim = self.simulation
        actions_before = len(sim.actions)
        history_before = len(sim.history)
        snapshots = self._snapshots()
        try:
            action()
        except (CallRefused, SimulationError, ScenarioError, ValueError) as error:
            made = len(sim.actions) - actions_before
            if made:  # e.g. deliver all stopped after many deliveries: keep what was done
                self._undo.append(_Undo(made, self._player_mark()))
                self._before = snapshots
            return self._refused(request, str(error), tuple(sim.history[history_before:]))
        except Exception as error:
            if not self._learners_endpoint():
                raise
            # A learner's endpoint (exercise 5) raised: say where, and go back to before the step.
            message = _where_it_raised(error)
            made = len(sim.actions) - actions_before
            sim.rebuild()
            if made:
                self._undo.append(_Undo(made, self._player_mark()))
            return self._refused(request, message, tuple(sim.history[history_before:]))
        self._before = snapshots
        self._undo.append(_Undo(len(sim.actions) - actions_before, self._player_mark()))
        self.last = StepDone(request, tuple(sim.history[history_before:]))
        self._changed()
        return self.last

    def _learners_endpoint(self) -> bool:
        """Whether a side is played by an endpoint that is not tcpedu's engine."""
        return any(type(self.simulation.endpoints[side]) not in (Endpoint, ServerHost) for side in SIDES)

    def _refused(self, request: str, message: str, records: tuple[Record, ...] = ()) -> StepDone:
        self.last = StepDone(request, records, message, ok=False)
        self._changed()
        return self.last


_OVER = "the scenario is over"
_PACKAGE = str(Path(__file__).resolve().parent.parent)


def _where_it_raised(error: Exception) -> str:
    """``NotImplementedError: write connect (endpoint.py, line 24)``: the error and the last line
    of the learner's code (outside tcpedu) it came from."""
    where = ""
    for frame, line in traceback.walk_tb(error.__traceback__):
        filename = frame.f_code.co_filename
        if not str(Path(filename).resolve()).startswith(_PACKAGE):
            where = f" ({Path(filename).name}, line {line})"
    name = type(error).__name__
    return f"{name}: {error}{where}" if str(error) else f"{name}{where}"


def _named_or_text(scenario: str) -> Script:
    """A named scenario, or a script's text (it has more than one line)."""
    if "\n" in scenario:
        return parse(scenario, "<script>")
    try:
        return load_scenario(scenario)
    except KeyError:
        close = closest_scenario(scenario)
        hint = f"did you mean {close!r}?" if close else f"the names are {', '.join(scenario_names())}"
        raise ValueError(f"no named scenario {scenario!r}: {hint}") from None
