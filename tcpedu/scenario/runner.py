"""Running a parsed script on a simulation, step by step, checking its expectations."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from ..core.errors import CallRefused, SimulationError
from ..sim.history import Record
from ..sim.settings import seconds_text
from ..sim.simulation import Simulation
from ..words import side_name, word
from .script import (
    EXPECT_VARIABLES,
    Call,
    Check,
    Command,
    Configure,
    Expect,
    ExpectRefused,
    Inject,
    NetworkAction,
    ScenarioError,
    Script,
    Wait,
    parties_of,
)

__all__ = ["CheckResult", "Player", "Run", "Step", "run_script", "simulation_for"]


@dataclasses.dataclass
class Step:
    """One action line and everything that happened because of it."""

    command: Command
    records: list[Record]
    time_us: int
    """The clock after the step."""


@dataclasses.dataclass
class CheckResult:
    command: Expect | ExpectRefused
    ok: bool
    message: str
    mismatches: tuple[tuple[Check, object], ...] = ()
    """Each failed check of an ``expect`` line with the value the run had instead."""

    def explain(self, lang: str = "en") -> str:
        """Why the line failed, in ``lang`` (``message`` is the English)."""
        if not self.mismatches:
            return self.message
        return "; ".join(
            word("expect.mismatch", lang, expected=check.describe(), actual=_shown(check, actual, lang))
            for check, actual in self.mismatches
        )


@dataclasses.dataclass
class Run:
    """A script run: the simulation it drove, its steps and checks, and how it ended."""

    script: Script
    simulation: Simulation
    steps: list[Step] = dataclasses.field(default_factory=list)
    checks: list[CheckResult] = dataclasses.field(default_factory=list)
    failure: CheckResult | None = None
    """The first expectation that did not hold (the run stopped there)."""
    error: ScenarioError | None = None
    """A line that could not be carried out (the run stopped there)."""
    executed: list[Command] = dataclasses.field(default_factory=list)
    """Every command carried out, in order (settings and checks included)."""

    @property
    def ok(self) -> bool:
        return self.failure is None and self.error is None


def simulation_for(script: Script, **options: object) -> Simulation:
    """A simulation with the parties ``script`` names: its clients, and a listening host for a
    server where it needs one. ``options`` go to ``Simulation`` (``endpoints=``, settings)."""
    return Simulation(clients=script.clients, host=script.host, **options)


def _fits(script: Script, simulation: Simulation) -> None:
    """ScenarioError naming the first line that needs what ``simulation`` does not have."""
    clients = len(simulation.sides) - 1
    if script.clients <= clients and (simulation.is_host or not script.host):
        return
    line = None
    for command in script.commands:
        named_clients, needs_host = parties_of([command])
        if named_clients > clients or (needs_host and not simulation.is_host):
            line = command.line
            break
    needs = f"{script.clients} clients" if script.clients > clients else "a listening server (a host)"
    raise ScenarioError(script.filename, line, f"this script needs {needs}: run it on simulation_for(script)")


def run_script(script: Script, simulation: Simulation | None = None, checks: bool = True) -> Run:
    """Run ``script`` to its end, its first failed expectation, or its first impossible line.
    ``checks=False`` passes over the ``expect`` lines (to run a story in another profile, say)."""
    player = Player(script, simulation, checks)
    while player.step() is not None:
        pass
    return player.run


class Player:
    """Carries a script out one action line at a time (the settings and ``expect`` lines
    before it included), for stepping through a scenario; ``run`` collects what happened."""

    def __init__(self, script: Script, simulation: Simulation | None = None, checks: bool = True):
        self.script = script
        self.checks = checks
        if simulation is None:
            simulation = simulation_for(script)
        _fits(script, simulation)
        self.run = Run(script, simulation)
        self.position = 0
        """Index in ``script.commands`` of the next command to carry out."""

    @property
    def simulation(self) -> Simulation:
        return self.run.simulation

    @property
    def done(self) -> bool:
        """True at the script's end, or once a line failed or could not be carried out."""
        return not self.run.ok or self.position >= len(self.script.commands)

    @property
    def next_command(self) -> Command | None:
        """The next action line (settings and checks are carried out on the way to it)."""
        if not self.run.ok:
            return None
        for command in self.script.commands[self.position :]:
            if command.is_action:
                return command
        return None

    def step(self) -> Step | None:
        """Carry out commands up to and including the next action line; its ``Step``, or None
        if the script ended (or stopped at a failure or error) before one."""
        while self.run.ok and self.position < len(self.script.commands):
            step = self._carry_out_next()
            if step is not None:
                return step
        return None

    def settle(self) -> None:
        """Carry out the settings and checks before the next action line (a scenario's ISNs,
        say), without the action."""
        commands = self.script.commands
        while self.run.ok and self.position < len(commands):
            if commands[self.position].is_action:
                return
            self._carry_out_next()

    def _carry_out_next(self) -> Step | None:
        """Carry out the next command; the ``Step`` if it was an action line."""
        run = self.run
        sim = run.simulation
        command = self.script.commands[self.position]
        self.position += 1
        before = len(sim.history)
        try:
            if isinstance(command, (Expect, ExpectRefused)):
                if not self.checks:
                    return None
                result = _check(sim, command)
                run.checks.append(result)
                run.executed.append(command)
                if not result.ok:
                    run.failure = result
                return None
            _perform(sim, command)
            run.executed.append(command)
            if isinstance(command, Configure):
                return None
            step = Step(command, sim.history[before:], sim.now_us)
            run.steps.append(step)
            return step
        except SimulationError as error:
            verb = command.text.split()[0]
            run.error = ScenarioError(self.script.filename, command.line, f"{verb}: {error}")
            if len(sim.history) > before:  # 'deliver all' stopped an endless exchange: what it did stays
                step = Step(command, sim.history[before:], sim.now_us)
                run.executed.append(command)
                run.steps.append(step)
                return step
        except (CallRefused, ValueError) as error:  # the message names the call or setting
            run.error = ScenarioError(self.script.filename, command.line, str(error))
        return None

    def mark(self) -> tuple[int, int, int, int]:
        """Where the player is, for ``rewind``."""
        run = self.run
        return (self.position, len(run.steps), len(run.checks), len(run.executed))

    def rewind(self, mark: tuple[int, int, int, int]) -> None:
        """Go back to ``mark`` (the simulation is rewound by its own ``undo``)."""
        self.position, steps, checks, executed = mark
        run = self.run
        del run.steps[steps:], run.checks[checks:], run.executed[executed:]
        run.failure = None
        run.error = None


def _perform(sim: Simulation, command: Command) -> None:
    if isinstance(command, Configure):
        sim.configure(command.name, command.value, command.side)
    elif isinstance(command, Call):
        sim.call(command.side, command.call, command.data)
    elif isinstance(command, NetworkAction):
        _network(sim, command)
    elif isinstance(command, Inject):
        sim.inject(command.side, command.segment, command.sender)
    elif isinstance(command, Wait):
        if command.duration_us is None:
            sim.wait_next()
        else:
            sim.wait(Decimal(command.duration_us) / 1_000_000)
    else:  # pragma: no cover - parse() makes no other commands
        raise TypeError(f"unknown command {command!r}")


def _network(sim: Simulation, command: NetworkAction) -> None:
    verb = command.verb
    if command.every:
        if verb == "deliver":
            if not sim.network.in_flight:
                raise SimulationError("nothing in flight")
            sim.deliver_all()
            return
        packets = sim.in_flight
        if not packets:
            raise SimulationError("nothing in flight")
        for packet in packets:
            getattr(sim, verb)(packet.id)
        return
    packet = sim.select(command.sender, command.nth)
    getattr(sim, verb)(packet.id)


def _check(sim: Simulation, command: Expect | ExpectRefused) -> CheckResult:
    if isinstance(command, ExpectRefused):
        try:
            sim.call(command.side, command.call, command.data)
        except CallRefused as refused:
            return CheckResult(command, True, str(refused))
        return CheckResult(
            command,
            False,
            f"expected {command.side} {command.call} to be refused, but it was carried out "
            f"(now {sim.state(command.side)})",
        )
    mismatches = []
    for check in command.checks:
        actual = _actual(sim, check.side, check.name)
        if actual != check.expected:
            mismatches.append((check, actual))
    if mismatches:
        failed = CheckResult(command, False, "", tuple(mismatches))
        failed.message = failed.explain("en")
        return failed
    return CheckResult(command, True, "ok")


def _actual(sim: Simulation, side: str | None, name: str) -> object:
    if name == "state":
        return sim.state(side)
    if name == "inflight":
        return len(sim.network)
    if name == "time":
        return sim.now_us
    if name == "syn-queue":
        return len(sim.server.host.syn_queue())
    return sim.endpoint(side).snapshot()[EXPECT_VARIABLES[name]]


def _shown(check: Check, actual: object, lang: str = "en") -> str:
    if check.name == "state":
        side = side_name(check.side, lang)
        return word("expect.actual_state", lang, side=side, state=actual)
    if check.name == "time":
        return word("expect.actual_time", lang, seconds=seconds_text(actual))
    if check.name == "inflight":
        return word("expect.actual_inflight", lang, count=actual)
    value = "none" if actual is None else actual
    return f"{check.side} {check.name}={value}"
