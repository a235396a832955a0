"""A deterministic simulation: a client, a server, the network between them, and a clock.

The server is one TCB by default; with ``host=True`` it is a host with a listener and a
connection per client (``sim/host_side.py``), and ``clients=N`` adds clients ``client2``...

Nothing happens unless asked: a user call, a network action on one segment in flight
(deliver, drop, duplicate), a crafted segment injected, or the clock advanced (timers fire in
time order). Every happening is recorded in ``history``; every request is logged in
``actions``, so ``undo()`` rebuilds the run without its last request and ``replay()`` rebuilds
it whole. Given the same settings and requests, a run is always the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Protocol

from ..core.endpoint import Endpoint, EndpointConfig, Output
from ..core.errors import SimulationError
from ..core.isn import Address, IsnGenerator
from ..core.profile import Profile
from ..core.segment import MAX_WINDOW, Segment
from ..core.states import State
from .history import Record, new_record
from .host_side import CONNECTION_MARK, ServerHost
from .network import Network, Packet, new_packet, other_side
from .settings import MAX_CLIENTS, SIDES, Settings, client_names, seconds_to_us

__all__ = [
    "CLIENT_ADDRESS",
    "DELIVER_ALL_LIMIT",
    "SERVER_ADDRESS",
    "EndpointFactory",
    "EndpointLike",
    "Simulation",
    "client_address",
]

# Documentation addresses (RFC 5737); the client's port is an ephemeral one.
CLIENT_ADDRESS: Address = ("192.0.2.1", 50000)
SERVER_ADDRESS: Address = ("198.51.100.1", 80)

DELIVER_ALL_LIMIT = 1_000_000
"""``deliver_all`` stops after this many deliveries, a safety net only: an endless exchange of
segments is recognised as such long before (see ``deliver_all``)."""


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


def client_address(number: int) -> Address:
    """The address of the ``number``-th client (from 1): one machine, an ephemeral port each."""
    return (CLIENT_ADDRESS[0], CLIENT_ADDRESS[1] + number - 1)


class Simulation:
    """Endpoints and the network between them, driven one request at a time."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        endpoints: Mapping[str, EndpointFactory] | None = None,
        clients: int = 1,
        host: bool = False,
        **options: object,
    ):
        """``options`` are settings by name: ``msl=1``, ``client_isn=100``, ``server_window=1000``.
        ``endpoints`` makes a side's endpoint from another factory than the reference engine's
        (``{"client": LearnersEndpoint}``), so any endpoint with its interface can stand there.
        ``clients`` is how many clients there are (``client``, ``client2``...); ``host`` makes the
        server a listening host (one connection per client; more than one client needs it)."""
        if not 1 <= clients <= MAX_CLIENTS:
            raise SimulationError(f"a simulation has 1 to {MAX_CLIENTS} clients, not {clients}")
        if clients > 1 and not host:
            raise SimulationError("several clients need a server that keeps listening: Simulation(host=True)")
        self.sides: tuple[str, ...] = SIDES if clients == 1 else (*client_names(clients), "server")
        """The clients, then the server."""
        self.is_host = host
        initial = settings.copy() if settings is not None else Settings()
        for key, value in options.items():
            side, _, name = key.partition("_") if key.split("_", 1)[0] in self.sides else (None, "", key)
            initial.set(name, value, side)
        factories = dict(endpoints or {})
        unknown = sorted(set(factories) - set(self.sides))
        if unknown:
            raise SimulationError(f"endpoints are for {', '.join(self.sides)}, not {', '.join(unknown)}")
        if host and "server" in factories:
            raise SimulationError("a listening host's connections are the reference engine's: no server endpoint")
        self._initial = initial
        self._factories: dict[str, EndpointFactory] = {side: factories.get(side, Endpoint) for side in self.sides}
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
        endpoints: dict[str, EndpointLike] = {}
        addresses: dict[Address, str] = {}
        for number, side in enumerate(self.sides[:-1], start=1):
            addresses[client_address(number)] = side
            endpoints[side] = factories[side](side, client_address(number), SERVER_ADDRESS, EndpointConfig())
        if self.is_host:
            backlog = self.settings.backlog
            endpoints["server"] = ServerHost("server", SERVER_ADDRESS, EndpointConfig(), addresses, backlog)
        else:
            endpoints["server"] = factories["server"]("server", SERVER_ADDRESS, CLIENT_ADDRESS, EndpointConfig())
        self.endpoints = endpoints
        """Each side's endpoint (the server's a ``ServerHost`` where it is a host)."""
        self.client = endpoints["client"]
        self.server = endpoints["server"]
        self._two_engines = self.sides is SIDES and all(type(endpoint) is Endpoint for endpoint in endpoints.values())
        """Whether this is a client and a server, both the reference engine (not a learner's
        endpoint, not a listening host): each changes only when the simulation calls it."""
        self._apply_settings()

    def _apply_settings(self) -> None:
        settings = self.settings
        generator = IsnGenerator(settings.seed)
        if isinstance(self.server, ServerHost):
            self.server.backlog(settings.backlog)
        for side in self.sides:
            config = self.endpoints[side].config
            config.isn = settings.isn.get(side)
            config.window = settings.window.get(side, MAX_WINDOW)
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
        """A side's endpoint; for a host's connection (``server/client2``), that connection."""
        endpoint = self.endpoints.get(side)
        if endpoint is not None:
            return endpoint
        server, peer = self._connection_name(side)
        child = server.connection(peer)
        if child is None:
            raise SimulationError(f"the server has no connection with {peer} (it is CLOSED)")
        return child

    def _connection_name(self, side: str) -> tuple[ServerHost, str]:
        """``server/PEER`` split, where the server is a host; SimulationError for any other name."""
        owner, mark, peer = side.partition(CONNECTION_MARK)
        if mark and owner == "server" and isinstance(self.server, ServerHost) and peer:
            self.server.address_of(peer)  # says which peer is unknown
            return self.server, peer
        if mark and owner == "server":
            raise SimulationError(f"{side}: the server is one connection here, not a host with one per client")
        raise SimulationError(f"unknown side {side!r}: say {' or '.join(self.sides)}")

    @property
    def time(self) -> float:
        """The clock, in seconds."""
        return self.now_us / 1e6

    def state(self, side: str) -> State:
        """A side's state; a host's connection that does not exist is CLOSED."""
        endpoint = self.endpoints.get(side)
        if endpoint is not None:
            return endpoint.state
        server, peer = self._connection_name(side)
        return server.state_of(peer)

    @property
    def states(self) -> dict[str, State]:
        """Each side's state (the server's listener's, where it is a host)."""
        return {side: endpoint.state for side, endpoint in self.endpoints.items()}

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
        for side, endpoint in self.endpoints.items():
            for name, deadline in endpoint.timers().items():
                due.append((deadline, side, name))
        return min(due) if due else None

    # ------------------------------------------------------------------------------------------
    # Requests

    def call(self, side: str, call: str, data: bytes | int | None = None) -> list[Record]:
        """A user call on one side: listen, connect, send (with data), close, abort, crash. On a
        host, ``server`` is the listener and ``server/client2`` its connection with client2."""
        endpoint = self.endpoints.get(side)
        if endpoint is not None:
            endpoint.call(call, self.now_us, data)  # raises CallRefused with nothing changed
        else:
            server, peer = self._connection_name(side)
            server.call(call, self.now_us, data, peer)
        detail = call if data is None else f"{call} {data if isinstance(data, int) else repr(data)}"
        return self._logged(("call", side, call, data), [self._record("call", side, detail)])

    def deliver(self, packet_id: int | None = None) -> list[Record]:
        """Deliver one packet (the oldest in flight by default) to its receiver."""
        packet = self._take(packet_id)
        name = packet.receiver
        receiver = self.endpoints[name]
        if isinstance(receiver, ServerHost):
            receiver.receive(packet.segment, self.now_us, packet.sender)
        else:
            receiver.receive(packet.segment, self.now_us)
        return self._logged(("deliver", packet.id), [self._record("deliver", name, "", packet)])

    def drop(self, packet_id: int | None = None) -> list[Record]:
        """Lose one packet (the oldest in flight by default)."""
        packet = self._take(packet_id)
        return self._logged(("drop", packet.id), [self._record("drop", None, "", packet)])

    def duplicate(self, packet_id: int | None = None) -> list[Record]:
        """Put a copy of one packet (the oldest by default) at the end of the queue."""
        packet = self.network.find(packet_id) if packet_id is not None else self._oldest()
        copy = dataclasses.replace(packet, id=self._new_packet_id(), sent_at_us=self.now_us, copy_of=packet.id)
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
            last = self.history[-1]
            situation = (last.states, last.tcbs)
            if kept is not None and situation == kept[0] and self._flying() == kept[1]:
                raise SimulationError(
                    f"the endpoints keep answering each other: after {count} deliveries both TCBs and the "
                    f"{len(self.network)} segment(s) in flight are as they were after {kept_at}, and it would "
                    "go on for ever"
                )
            if count == kept_at + period:
                kept, kept_at, period = (situation, self._flying()), count, 2 * period
        if self.network.in_flight:
            raise SimulationError(f"still {len(self.network)} segments in flight after {limit} deliveries")
        return records

    def _flying(self) -> tuple:
        return tuple((packet.sender, packet.segment) for packet in self.network.in_flight)

    def inject(self, side: str, segment: Segment, sender: str | None = None) -> list[Record]:
        """Hand ``segment`` to ``side`` as if its peer had sent it (the network never saw it).
        A host server takes it from any ``sender``: a client's name or an ``address:port``
        (a spoofed source); by default from the client."""
        endpoint = self.endpoints.get(side)
        if endpoint is None:
            raise SimulationError(f"unknown side {side!r}: say {' or '.join(self.sides)}")
        if not isinstance(segment, Segment):
            raise SimulationError(f"inject takes a Segment, not {type(segment).__name__}")
        action: tuple = ("inject", side, segment)
        if isinstance(endpoint, ServerHost):
            source = sender if sender is not None else "client"
            endpoint.address_of(source)  # says what is wrong with an address
            if sender is not None:
                action += (sender,)
            packet = Packet(self._new_packet_id(), source, segment, self.now_us, injected=True)
            endpoint.receive(segment, self.now_us, source)
        else:
            if sender is not None and sender != other_side(side):
                raise SimulationError(f"the {side} takes segments from the {other_side(side)} only, not {sender}")
            to = None if side in SIDES else side  # client2 and the rest hear from the server too
            packet = Packet(self._new_packet_id(), other_side(side), segment, self.now_us, injected=True, to=to)
            endpoint.receive(segment, self.now_us)
        return self._logged(action, [self._record("inject", side, "", packet)])

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
        if name == "backlog" and not self.is_host:
            raise ValueError("backlog is a listening host's: this server is one connection (Simulation(host=True))")
        if side is not None and side not in self.sides:
            raise ValueError(f"{side} is not in this simulation: its sides are {', '.join(self.sides)}")
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
        factories = dict(self._factories)
        if self.is_host:
            del factories["server"]
        twin = Simulation(self._initial, endpoints=factories, clients=len(self.sides) - 1, host=self.is_host)
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
            self.endpoints[side].handle_timer(deadline)
            records.append(self._record("timer", side, name))
        self.now_us = target_us
        records.append(self._record("wait", None, f"clock at {self.time:g} s"))
        return records

    def _oldest(self) -> Packet:
        return self.network.select()

    def _take(self, packet_id: int | None) -> Packet:
        if packet_id is None:
            return self.network.take_oldest()
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
        arcs: list = []
        notes: list = []
        now = self.now_us
        endpoints = self.endpoints
        network = self.network
        history = self.history
        unchanged = self._two_engines and history and kind != "configure"
        # Two engines: one changes (sends, takes arcs, notes) only when it is called, so only the
        # side this happening reached (none for a drop, a duplicate or the clock) is drained, and the
        # other keeps the snapshot it had (draining and snapshots are most of a record's cost).
        reached = (((side, endpoints[side]),) if side in endpoints else ()) if unchanged else endpoints.items()
        for name, endpoint in reached:
            if isinstance(endpoint, ServerHost):
                segments, out = endpoint.drain()
                for segment, tag, peer in segments:
                    new = Packet(self._new_packet_id(), name, segment, now, tag, to=None if peer == "client" else peer)
                    if peer in endpoints:
                        network.add(new)
                    sent.append(new)  # to an address outside the simulation: it leaves the picture
                arcs.extend(out.arcs)
                notes.extend(out.notes)
                continue
            out = endpoint.drain()
            if out.segments:
                packet_id = self._next_packet_id
                for segment, tag in out.segments:
                    new = new_packet(packet_id, name, segment, now, tag)
                    packet_id += 1
                    network.add(new)
                    sent.append(new)
                self._next_packet_id = packet_id
            if out.arcs:
                arcs.extend([(name, arc) for arc in out.arcs])
            for note in out.notes:
                notes.append((name, note))
        if self.sides is SIDES and not self.is_host:
            sides = SIDES
            client, server = self.client, self.server
            states: tuple = (client.state, server.state)
            if unchanged:
                kept = history[-1].tcbs
                tcbs: tuple = (
                    client.snapshot() if side == "client" else kept[0],
                    server.snapshot() if side == "server" else kept[1],
                )
            else:
                tcbs = (client.snapshot(), server.snapshot())
        else:
            parts = [(side, endpoint) for side, endpoint in endpoints.items()]
            if isinstance(self.server, ServerHost):
                parts += self.server.connections()
            sides = tuple(side for side, _ in parts)
            states = tuple(endpoint.state for _, endpoint in parts)
            tcbs = tuple(endpoint.snapshot() for _, endpoint in parts)
        record = new_record(
            len(history),
            kind,
            side,
            detail,
            now,
            packet,
            tuple(sent),
            tuple(arcs),
            tuple(notes),
            states,
            tcbs,
            tuple(network.ids),
            sides,
        )
        history.append(record)
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
