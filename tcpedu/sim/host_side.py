"""A host (``tcpedu.core.host.Host``) standing as one side of a two-sided simulation.

``Simulation(endpoints={"server": host_side(backlog=4)})`` puts a listening host where the
one-TCB server stands: the listener stays in LISTEN when a handshake fails, and a client
reconnecting after the server's TIME-WAIT reaches the listener again. The side shows the
connection with its one peer (the simulation's other side) when there is one, and the
listener otherwise. The other connections a host could hold (several clients, spoofed SYNs)
need a simulation with more than two sides; that is not here yet.
"""

from __future__ import annotations

from collections.abc import Callable

from ..core.endpoint import EndpointConfig, Output
from ..core.host import DEFAULT_BACKLOG, Host
from ..core.isn import Address
from ..core.segment import Segment
from ..core.states import State
from ..core.transitions import Refusal

__all__ = ["HostSide", "host_side"]


class HostSide:
    """``EndpointLike`` over a ``Host`` whose peer is the simulation's other side."""

    def __init__(self, name: str, local: Address, remote: Address, config: EndpointConfig, backlog: int):
        self.name = name
        self.peer = remote
        self.host = Host(name, local, config, backlog)

    @property
    def config(self) -> EndpointConfig:
        return self.host.config

    @property
    def state(self) -> State:
        return self.host.state_of(self.peer)

    @property
    def received(self) -> bytearray:
        return self.host.received_from(self.peer)

    def _current(self):
        return self.host.connection(self.peer) or self.host.listener

    def call(self, call: str, now_us: int, data: bytes | int | None = None) -> None:
        """``listen`` is the listener's; ``connect`` opens a connection with the peer; the rest
        go to the connection with the peer, or to the listener when there is none."""
        on_peer = call == "connect" or (call != "listen" and self.host.connection(self.peer) is not None)
        self.host.call(call, now_us, data, self.peer if on_peer and call != "crash" else None)

    def receive(self, seg: Segment, now_us: int) -> None:
        self.host.receive(seg, now_us, self.peer)

    def handle_timer(self, now_us: int) -> None:
        self.host.handle_timer(now_us)

    def timers(self) -> dict[str, int]:
        return self.host.timers()

    def next_timer(self) -> int | None:
        return self.host.next_timer()

    def refusal(self, call: str) -> Refusal | None:
        return self._current().refusal(call)

    def snapshot(self) -> dict[str, object]:
        return self._current().snapshot()

    def drain(self) -> Output:
        out = self.host.drain()
        return Output(
            [(segment, tag) for segment, tag, _remote in out.segments],
            [arc for _label, arc in out.arcs],
            [note for _label, note in out.notes],
        )


def host_side(backlog: int = DEFAULT_BACKLOG) -> Callable[[str, Address, Address, EndpointConfig], HostSide]:
    """An endpoint factory for ``Simulation(endpoints=...)`` that makes a listening host."""

    def factory(name: str, local: Address, remote: Address, config: EndpointConfig) -> HostSide:
        return HostSide(name, local, remote, config, backlog)

    return factory
