"""A host (``tcpedu.core.host.Host``) standing as the server of a simulation.

``Simulation(host=True)`` (or a script that names a second client, sets ``backlog`` or injects a
segment ``from=`` another address) puts a listening host where the one-TCB server stands: the
listener stays in LISTEN when a handshake fails, a client reconnecting after the server's
TIME-WAIT reaches the listener again, and every client, simulated or spoofed, gets a connection
of its own, found by its address.

The simulation names the server's parts as sides: ``server`` is the listener, ``server/client2``
the connection with client2, ``server/203.0.113.9:4000`` one with an address no simulated
client has (a spoofed SYN's). A connection that does not exist is CLOSED (RFC 9293 3.3.2: CLOSED
is "no connection state at all").
"""

from __future__ import annotations

from ..core.endpoint import Endpoint, EndpointConfig
from ..core.errors import SimulationError
from ..core.host import LISTENER, Host, HostOutput
from ..core.isn import Address
from ..core.segment import Segment
from ..core.states import State

__all__ = ["CONNECTION_MARK", "ServerHost", "address_text", "parse_address"]

CONNECTION_MARK = "/"
"""Between the server and a peer in a connection's name: ``server/client2``."""


def address_text(address: Address) -> str:
    """``192.0.2.1:50000``."""
    return f"{address[0]}:{address[1]}"


def parse_address(text: str) -> Address:
    """``203.0.113.9:4000`` as an address; ValueError naming what is wrong."""
    host, colon, port = text.rpartition(":")
    parts = host.split(".")
    if (
        not colon
        or len(parts) != 4
        or not all(part.isascii() and part.isdigit() and len(part) <= 3 and int(part) <= 255 for part in parts)
    ):
        raise ValueError(f"an address is an IPv4 address and a port, like 203.0.113.9:4000, not {text!r}")
    if not (port.isascii() and port.isdigit() and len(port) <= 5 and 1 <= int(port) <= 65_535):
        raise ValueError(f"a port is a whole number from 1 to 65535, not {port!r} in {text!r}")
    return (".".join(str(int(part)) for part in parts), int(port))


class ServerHost:
    """The simulation's server as a host: a listener, and a connection per peer address."""

    def __init__(self, name: str, local: Address, config: EndpointConfig, peers: dict[Address, str], backlog: int):
        self.name = name
        self.host = Host(name, local, config, backlog)
        self.peers = peers
        """The simulated clients' addresses and names; any other address is outside the simulation."""
        self._addresses = {side: address for address, side in peers.items()}

    # What the simulation reads, as of an endpoint ------------------------------------------

    @property
    def config(self) -> EndpointConfig:
        return self.host.config

    @property
    def state(self) -> State:
        """The listener's state: the server as a whole."""
        return self.host.listener.state

    @property
    def received(self) -> bytearray:
        """Every octet the server's application read, from every client, in the order of the clients."""
        return self.host.received_from_all()

    def snapshot(self) -> dict[str, object]:
        return self.host.listener.snapshot()

    def timers(self) -> dict[str, int]:
        return self.host.timers()

    def handle_timer(self, now_us: int) -> None:
        self.host.handle_timer(now_us)

    # The host's parts ---------------------------------------------------------------------

    def backlog(self, value: int) -> None:
        self.host.backlog = value

    def peer_name(self, address: Address) -> str:
        """The side name of a simulated client, or the address as text."""
        return self.peers.get(address) or address_text(address)

    def address_of(self, peer: str) -> Address:
        """A peer's address, from its side name or its ``address:port`` text."""
        address = self._addresses.get(peer)
        if address is not None:
            return address
        try:
            return parse_address(peer)
        except ValueError:
            raise SimulationError(f"the server has no peer {peer!r}: name a client or an address:port") from None

    def connection_name(self, address: Address) -> str:
        return f"{self.name}{CONNECTION_MARK}{self.peer_name(address)}"

    def connections(self) -> list[tuple[str, Endpoint]]:
        """Each connection by its name, in the order they were made."""
        return [(self.connection_name(address), child) for address, child in self.host.children.items()]

    def connection(self, peer: str) -> Endpoint | None:
        return self.host.connection(self.address_of(peer))

    def state_of(self, peer: str) -> State:
        """The state of the connection with ``peer``; CLOSED where there is none."""
        child = self.connection(peer)
        return child.state if child is not None else State.CLOSED

    # Requests -----------------------------------------------------------------------------

    def call(self, call: str, now_us: int, data: bytes | int | None = None, peer: str | None = None) -> None:
        """A call on the listener (``peer`` None) or on the connection with ``peer``."""
        self.host.call(call, now_us, data, self.address_of(peer) if peer is not None else None)

    def receive(self, seg: Segment, now_us: int, sender: str) -> None:
        self.host.receive(seg, now_us, self.address_of(sender))

    def drain(self) -> tuple[list[tuple[Segment, str | None, str]], HostOutput]:
        """What the host did: each segment with the peer it is for, and the host's output, whose
        arcs and notes are named by side (``server``, ``server/client2``)."""
        out = self.host.drain()
        segments = [(segment, tag, self.peer_name(address)) for segment, tag, address in out.segments]
        out.arcs = [(self._part(label), arc) for label, arc in out.arcs]
        out.notes = [(self._part(label), note) for label, note in out.notes]
        return segments, out

    def _part(self, label: str) -> str:
        if label == LISTENER:
            return self.name
        return f"{self.name}{CONNECTION_MARK}{self.peer_name(parse_address(label))}"
