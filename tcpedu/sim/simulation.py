"""A deterministic simulation: a client, a server, the network between them, and a clock.

Nothing happens unless asked: a user call, a network action on one segment in flight
(deliver, drop, duplicate), a crafted segment injected, or the clock advanced (timers fire in
time order). Every happening is recorded in ``history``; every request is logged in
``actions``, so ``undo()`` rebuilds the run without its last request and ``replay()`` rebuilds
it whole. Given the same settings and requests, a run is always the same.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Protocol

from ..core.endpoint import Endpoint, EndpointConfig, Output
from ..core.errors import SimulationError
from ..core.isn import Address, IsnGenerator
from ..core.profile import Profile
from ..core.segment import Segment
from ..core.states import State
from .history import Record
from .network import Network, Packet, other_side
from .settings import SIDES, Settings, seconds_to_us

__all__ = ["CLIENT_ADDRESS", "DELIVER_ALL_LIMIT", "SERVER_ADDRESS", "EndpointFactory", "EndpointLike", "Simulation"]

# Documentation addresses (RFC 5737); the client's port is an ephemeral one.
CLIENT_ADDRESS: Address = ("192.0.2.1", 50000)
SERVER_ADDRESS: Address = ("198.51.100.1", 80)

DELIVER_ALL_LIMIT = 1_000_000
"""``deliver_all`` stops after this many deliveries, a safety net only: an endless exchange of
segments is recognised as such long before (see ``deliver_all``)."""

_PACKET_ID = operator.attrgetter("id")


class EndpointLike(Protocol):
    """What the simulation asks of an endpoint: ``tcpedu.core.Endpoint``'s interface, which
    a learner's endpoint (exercise 5) implements too."""

    name: str
    state: State
    config: EndpointConfig
    received: bytearray

    def call(self, call: str, now_us: int, data: bytes | int | None = None) -> None: ...
    def receive(self, seg: Segment, now_us: int) -> None: ...
    def handle_timer(self, now_us: int) -> None: ...
    def timers(self) -> dict[str, int]: ...
    def drain(self) -> Output: ...
    def snapshot(self) -> dict[str, object]: ...


EndpointFactory = Callable[[str, Address, Address, EndpointConfig], EndpointLike]
"""Makes one side's endpoint: ``factory(name, local, remote, config)``; ``Endpoint`` is one."""


class Simulation:
    """Two endpoints and the network between them, driven one request at a time."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        endpoints: Mapping[str, EndpointFactory] | None = None,
        **options: object,
    ):
        """``options`` are settings by name: ``msl=1``, ``client_isn=100``, ``server_window=1000``.
        ``endpoints`` makes a side's endpoint from another factory than the reference engine's
        (``{"client": LearnersEndpoint}``), so any endpoint with its interface can stand there."""
        initial = settings.copy() if settings is not None else Settings()
        for key, value in options.items():
            side, _, name = key.partition("_") if key.split("_", 1)[0] in SIDES else (None, "", key)
            initial.set(name, value, side)
        factories = dict(endpoints or {})
        unknown = sorted(set(factories) - set(SIDES))
        if unknown:
            raise SimulationError(f"endpoints are for the client and the server, not {', '.join(unknown)}")
        self._initial = initial
        self._factories: dict[str, EndpointFactory] = {side: factories.get(side, Endpoint) for side in SIDES}
        self._reset()

    # ------------------------------------------------------------------------------------------
    # State

    def _reset(self) -> None:
        self.settings = self._initial.copy()
        self.now_us = 0
        self.network = Network()
        self.history: list[Record] = []
        self.actions: list[tuple] = []
        """Every request made, as (method name, arguments...), for undo and replay."""
        self._next_packet_id = 1
        factories = self._factories
        self.client = factories["client"]("client", CLIENT_ADDRESS, SERVER_ADDRESS, EndpointConfig())
        self.server = factories["server"]("server", SERVER_ADDRESS, CLIENT_ADDRESS, EndpointConfig())
        self._apply_settings()

    def _apply_settings(self) -> None:
        settings = self.settings
        generator = IsnGenerator(settings.seed)
        for side in SIDES:
            config = self.endpoint(side).config
            config.isn = settings.isn[side]
            config.window = settings.window[side]
            config.mss = settings.mss
            config.msl_us = settings.msl
            config.rto_us = settings.rto
            config.profile = profile = Profile.parse(settings.profile)
            config.max_retransmissions = settings.retries if settings.retries is not None else profile.data_retries
            config.max_syn_retransmissions = settings.syn_retries
            config.max_syn_ack_retransmissions = settings.synack_retries
            if config.isn_generator.seed != settings.seed:
                config.isn_generator = generator

    def endpoint(self, side: str) -> EndpointLike:
        if side == "client":
            return self.client
        if side == "server":
            return self.server
        raise SimulationError(f"unknown side {side!r}: say client or server")

    @property
    def time(self) -> float:
        """The clock, in seconds."""
        return self.now_us / 1e6

    def state(self, side: str) -> State:
        return self.endpoint(side).state

    @property
    def states(self) -> dict[str, State]:
        return {"client": self.client.state, "server": self.server.state}

    @property
    def in_flight(self) -> list[Packet]:
        """Packets in flight, oldest first."""
        return list(self.network.in_flight)

    def select(self, sender: str | None = None, nth: int = 1) -> Packet:
        """The ``nth`` oldest packet in flight, from ``sender`` only if given."""
        if sender is not None:
            self.endpoint(sender)
        return self.network.select(sender, nth)

    def next_timer(self) -> tuple[int, str, str] | None:
        """(due time in microseconds, side, timer name) of the next timer, or None."""
        due = []
        for side in SIDES:
            for name, deadline in self.endpoint(side).timers().items():
                due.append((deadline, side, name))
        return min(due) if due else None

    # ------------------------------------------------------------------------------------------
    # Requests

    def call(self, side: str, call: str, data: bytes | int | None = None) -> list[Record]:
        """A user call on one side: listen, connect, send (with data), close, abort, crash."""
        endpoint = self.endpoint(side)
        endpoint.call(call, self.now_us, data)  # raises CallRefused with nothing changed
        detail = call if data is None else f"{call} {data if isinstance(data, int) else repr(data)}"
        return self._logged(("call", side, call, data), [self._record("call", side, detail)])

    def deliver(self, packet_id: int | None = None) -> list[Record]:
        """Deliver one packet (the oldest in flight by default) to its receiver."""
        packet = self._take(packet_id)
        self.endpoint(packet.receiver).receive(packet.segment, self.now_us)
        return self._logged(("deliver", packet.id), [self._record("deliver", packet.receiver, "", packet)])

    def drop(self, packet_id: int | None = None) -> list[Record]:
        """Lose one packet (the oldest in flight by default)."""
        packet = self._take(packet_id)
        return self._logged(("drop", packet.id), [self._record("drop", None, "", packet)])

    def duplicate(self, packet_id: int | None = None) -> list[Record]:
        """Put a copy of one packet (the oldest by default) at the end of the queue."""
        packet = self.network.find(packet_id) if packet_id is not None else self._oldest()
        copy = Packet(self._new_packet_id(), packet.sender, packet.segment, self.now_us, packet.tag, packet.id)
        self.network.add(copy)
        record = self._record("duplicate", None, "", packet, extra_sent=(copy,))
        return self._logged(("duplicate", packet.id), [record])

    def deliver_all(self, limit: int = DELIVER_ALL_LIMIT) -> list[Record]:
        """Deliver the oldest packet until none is in flight, replies included.

        Each delivery is its own request (``undo`` takes back one). A transfer of any length
        completes. When the two sides answer each other for ever (an ACK war after a spoofed
        segment: both TCBs and the segments in flight come back as they were, and no time passes,
        so nothing can change), raises SimulationError saying so; ``limit`` deliveries is only a
        safety net. Either way the deliveries made stay.
        """
        records: list[Record] = []
        # Brent's cycle detection: the situation after delivery 1, 2, 4, 8... is kept, and each later
        # one compared with it (the segments in flight only when both TCBs match). The run is
        # deterministic while the clock stands still, so a situation that comes back comes back for ever.
        kept, kept_at, period = None, 0, 1
        for count in range(1, limit + 1):
            if not self.network.in_flight:
                return records
            records += self.deliver()
            tcbs = self._tcbs()
            if kept is not None and tcbs == kept[0] and self._flying() == kept[1]:
                raise SimulationError(
                    f"the endpoints keep answering each other: after {count} deliveries both TCBs and the "
                    f"{len(self.network)} segment(s) in flight are as they were after {kept_at}, and it would "
                    "go on for ever"
                )
            if count == kept_at + period:
                kept, kept_at, period = (tcbs, self._flying()), count, 2 * period
        if self.network.in_flight:
            raise SimulationError(f"still {len(self.network)} segments in flight after {limit} deliveries")
        return records

    def _tcbs(self) -> tuple:
        last = self.history[-1]
        return (last.states, *(tuple(tcb.values()) for tcb in last.tcbs))

    def _flying(self) -> tuple:
        return tuple((packet.sender, packet.segment) for packet in self.network.in_flight)

    def inject(self, side: str, segment: Segment) -> list[Record]:
        """Hand ``segment`` to ``side`` as if its peer had sent it (the network never saw it)."""
        endpoint = self.endpoint(side)
        if not isinstance(segment, Segment):
            raise SimulationError(f"inject takes a Segment, not {type(segment).__name__}")
        packet = Packet(self._new_packet_id(), other_side(side), segment, self.now_us, injected=True)
        endpoint.receive(segment, self.now_us)
        return self._logged(("inject", side, segment), [self._record("inject", side, "", packet)])

    def wait(self, seconds: float | int | str) -> list[Record]:
        """Advance the clock by ``seconds``; timers that fall due fire in time order."""
        try:
            duration = seconds_to_us(seconds, "wait")
        except ValueError as error:
            raise SimulationError(str(error)) from None
        if duration < 0:
            raise SimulationError(f"wait must not be negative: {seconds}")
        return self._logged(("wait", duration), self._advance(self.now_us + duration))

    def wait_next(self) -> list[Record]:
        """Advance the clock to the next timer and fire it."""
        due = self.next_timer()
        if due is None:
            raise SimulationError("no timer is running")
        return self._logged(("wait", due[0] - self.now_us), self._advance(due[0]))

    def configure(self, name: str, value: object, side: str | None = None) -> list[Record]:
        """Change a setting from now on (see ``SETTINGS``); ValueError if it is invalid."""
        self.settings.set(name, value, side)
        self._apply_settings()
        who = f"{side} " if side else ""
        return self._logged(("configure", name, value, side), [self._record("configure", side, f"{who}{name} {value}")])

    # ------------------------------------------------------------------------------------------
    # Going back

    def undo(self, requests: int = 1) -> None:
        """Rebuild the run without its last ``requests`` requests."""
        if requests < 1 or requests > len(self.actions):
            raise SimulationError(f"cannot undo {requests} of {len(self.actions)} requests")
        self._rebuild(self.actions[:-requests])

    def rebuild(self) -> None:
        """Rebuild the run from its log: the state after the last request that went through
        (for a request that a learner's endpoint broke off halfway by raising)."""
        self._rebuild(list(self.actions))

    def replay(self) -> Simulation:
        """A new simulation that made the same requests from the same settings."""
        twin = Simulation(self._initial, endpoints=self._factories)
        twin._rebuild(self.actions)
        return twin

    def _rebuild(self, actions: list[tuple]) -> None:
        self._reset()
        for action in actions:
            name, *args = action
            apply: Callable[..., object] = _REPLAY[name]
            apply(self, *args)

    # ------------------------------------------------------------------------------------------
    # Internals

    def _advance(self, target_us: int) -> list[Record]:
        records = []
        while True:
            due = self.next_timer()
            if due is None or due[0] > target_us:
                break
            deadline, side, name = due
            self.now_us = deadline
            self.endpoint(side).handle_timer(deadline)
            records.append(self._record("timer", side, name))
        self.now_us = target_us
        records.append(self._record("wait", None, f"clock at {self.time:g} s"))
        return records

    def _oldest(self) -> Packet:
        return self.network.select()

    def _take(self, packet_id: int | None) -> Packet:
        if packet_id is None:
            self._oldest()  # says "nothing in flight" when nothing is
            return self.network.in_flight.pop(0)
        return self.network.take(packet_id)

    def _new_packet_id(self) -> int:
        packet_id = self._next_packet_id
        self._next_packet_id += 1
        return packet_id

    def _logged(self, action: tuple, records: list[Record]) -> list[Record]:
        self.actions.append(action)
        return records

    def _record(
        self,
        kind: str,
        side: str | None,
        detail: str,
        packet: Packet | None = None,
        extra_sent: tuple[Packet, ...] = (),
    ) -> Record:
        sent: list[Packet] = list(extra_sent)
        arcs = []
        notes = []
        now = self.now_us
        for name, endpoint in (("client", self.client), ("server", self.server)):
            out = endpoint.drain()
            for segment, tag in out.segments:
                new = Packet(self._new_packet_id(), name, segment, now, tag)
                self.network.add(new)
                sent.append(new)
            if out.arcs:
                arcs.extend((name, arc) for arc in out.arcs)
            if out.notes:
                notes.extend((name, note) for note in out.notes)
        record = Record(
            index=len(self.history),
            kind=kind,
            side=side,
            detail=detail,
            time_us=now,
            packet=packet,
            sent=tuple(sent),
            arcs=tuple(arcs),
            notes=tuple(notes),
            states=(self.client.state, self.server.state),
            tcbs=(self.client.snapshot(), self.server.snapshot()),
            in_flight=tuple(map(_PACKET_ID, self.network.in_flight)),
        )
        self.history.append(record)
        return record


def _replay_wait(sim: Simulation, duration_us: int) -> None:
    sim._logged(("wait", duration_us), sim._advance(sim.now_us + duration_us))


_REPLAY: dict[str, Callable[..., object]] = {
    "call": Simulation.call,
    "deliver": Simulation.deliver,
    "drop": Simulation.drop,
    "duplicate": Simulation.duplicate,
    "inject": Simulation.inject,
    "wait": _replay_wait,
    "configure": Simulation.configure,
}
