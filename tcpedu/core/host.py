"""A host: a listening socket and its connections, each one ``Endpoint``, sans-IO.

``Endpoint`` is one connection (one TCB). A real stack keeps a listen socket in LISTEN and,
for every SYN it takes, a new connection of its own (RFC 9293 3.10.7.2: "Set RCV.NXT to
SEG.SEQ+1, IRS is set to SEG.SEQ [...] the connection state should be changed to
SYN-RECEIVED"; a real TCP does this on a copy of the listening TCB, which stays in LISTEN to
take the next SYN). Linux calls the listener a listen socket, and the half-open children
request socks: they sit in the listen socket's SYN queue until the third ACK makes them full
sockets. ``Host`` does the same: it demultiplexes every arriving segment by its 4-tuple
(3.10.7: "the connection is identified by the pair of sockets") to the child of that 4-tuple,
or, when there is none, to the listener.

Nothing here changes a connection's state: every state change is an arc of the transition
table taken by ``Endpoint._take``. A child is made from the listener's passive OPEN (MUST-11's
passive open: the child knows it was opened passively) and then takes the SYN, LISTEN ->
SYN-RECEIVED. A child that reaches CLOSED, or whose RST or SYN in SYN-RECEIVED takes it back
to LISTEN (3.10.7.4: "return to LISTEN" is the listener's state, which never left it), is
removed, so a later SYN of the same 4-tuple reaches the listener again: a second connection,
or a client reconnecting after the server's TIME-WAIT ended.

The SYN queue is limited by ``backlog``: a SYN that would make more than ``backlog``
children in SYN-RECEIVED is dropped, as Linux does without SYN cookies (``tcp_syncookies=0``;
the limit is ``listen()``'s backlog, capped by ``somaxconn`` and ``tcp_max_syn_backlog``).
With cookies (Linux's default, ``tcp_syncookies=1``) Linux would answer it with a SYN,ACK
whose ISN encodes the connection and keep nothing; that is not modelled.

Like ``Endpoint``, a host never reads a clock: time is an argument of every call.
"""

from __future__ import annotations

import dataclasses

from .endpoint import Endpoint, EndpointConfig
from .errors import CallRefused
from .isn import Address
from .notes import Note
from .segment import Segment
from .states import State
from .transitions import Arc

__all__ = ["DEFAULT_BACKLOG", "LISTENER", "Host", "HostOutput", "connection_label"]

DEFAULT_BACKLOG = 128
"""The SYN queue's length when none is set: Linux's ``tcp_max_syn_backlog`` on a small machine
(it is at least 128; ``listen()``'s backlog and ``somaxconn``, 4096 since Linux 5.4, cap it too)."""

LISTENER = "listener"
"""The label of the listening socket in a host's output."""

_UNSPECIFIED: Address = ("0.0.0.0", 0)  # 3.10.1: a passive OPEN's foreign socket may be unspecified
_GONE = (State.CLOSED, State.LISTEN)


def connection_label(remote: Address) -> str:
    """How a host names a connection in its output: the remote socket, ``192.0.2.1:50000``."""
    return f"{remote[0]}:{remote[1]}"


@dataclasses.dataclass
class HostOutput:
    """What a host did since the last ``drain()``: ``Endpoint``'s ``Output`` with each item
    naming its connection (``LISTENER`` or the remote socket) and each segment its destination."""

    segments: list[tuple[Segment, str | None, Address]]
    arcs: list[tuple[str, Arc]]
    notes: list[tuple[str, Note]]


class Host:
    """A host with one listening socket and any number of connections, by 4-tuple.

    ``call``, ``receive`` and ``handle_timer`` take the time; ``drain`` collects what was sent,
    taken and noted. Connections are ``Endpoint`` objects (``children``, by remote socket) that
    share the host's ``config``.
    """

    def __init__(
        self,
        name: str = "server",
        local: Address = ("198.51.100.1", 80),
        config: EndpointConfig | None = None,
        backlog: int = DEFAULT_BACKLOG,
    ):
        self.name = name
        self.local = local
        self.config = config if config is not None else EndpointConfig()
        self.backlog = backlog
        """Most children in SYN-RECEIVED at once (the SYN queue); a SYN beyond it is dropped."""
        self.listener = Endpoint(name, local, _UNSPECIFIED, self.config)
        self.children: dict[Address, Endpoint] = {}
        """The connections, by remote socket (the local socket is the host's)."""
        self._received: dict[Address, bytearray] = {}
        self._segments: list[tuple[Segment, str | None, Address]] = []
        self._arcs: list[tuple[str, Arc]] = []
        self._notes: list[tuple[str, Note]] = []

    # ------------------------------------------------------------------------------------------
    # Reading the host

    def connection(self, remote: Address) -> Endpoint | None:
        """The connection with ``remote`` (the 4-tuple ``local``, ``remote``), or None."""
        return self.children.get(remote)

    def state_of(self, remote: Address | None) -> State:
        """The state of the connection with ``remote``, or the listener's where there is none."""
        child = self.children.get(remote) if remote is not None else None
        return child.state if child is not None else self.listener.state

    def syn_queue(self) -> list[Address]:
        """The remote sockets of the children in SYN-RECEIVED (Linux's request socks)."""
        return [remote for remote, child in self.children.items() if child.state is State.SYN_RECEIVED]

    def received_from(self, remote: Address) -> bytearray:
        """Every octet the application read from ``remote``, over all its connections."""
        done = self._received.get(remote, bytearray())
        child = self.children.get(remote)
        return done + child.received if child is not None else bytearray(done)

    def received_from_all(self) -> bytearray:
        """Every octet the application read, from every remote, one remote after the other."""
        data = bytearray()
        for remote in dict.fromkeys([*self._received, *self.children]):
            data += self.received_from(remote)
        return data

    def timers(self) -> dict[str, int]:
        """Each kind of timer running on any connection, and when the earliest is due."""
        running: dict[str, int] = {}
        for child in self.children.values():
            for name, deadline in child.timers().items():
                if name not in running or deadline < running[name]:
                    running[name] = deadline
        return running

    def next_timer(self) -> int | None:
        """When the next timer of any connection is due (microseconds), or None."""
        due = [deadline for child in self.children.values() for deadline in child.timers().values()]
        return min(due) if due else None

    def drain(self) -> HostOutput:
        """Everything sent, taken and noted since the last drain, and forget it."""
        out = HostOutput(self._segments, self._arcs, self._notes)
        self._segments, self._arcs, self._notes = [], [], []
        return out

    # ------------------------------------------------------------------------------------------
    # User calls

    def call(self, call: str, now_us: int, data: bytes | int | None = None, remote: Address | None = None) -> None:
        """A user call on the listener (``remote`` None: ``listen``, ``close``, ``abort``,
        ``crash`` of the whole host) or on the connection with ``remote`` (``connect`` opens one).

        A listening socket makes no connection of its own (Linux: ``connect()`` on it fails with
        EISCONN-like errors, ``send()`` with ENOTCONN): ``connect`` and ``send`` need ``remote``.
        """
        if call == "crash":  # the host loses every connection at once
            self._crash(now_us)
            return
        if remote is None:
            if call in ("connect", "send"):
                raise CallRefused(call, self.listener.state, "a listening socket has no peer: name one", "host")
            self._run(LISTENER, self.listener, None, lambda: self.listener.call(call, now_us, data))
            return
        child = self.children.get(remote)
        if child is None:
            if call != "connect":
                # No connection with this remote: the call is refused as in CLOSED (3.10.2-3.10.5).
                Endpoint(self.name, self.local, remote, self.config).call(call, now_us, data)
            child = self._new_child(remote)
        self._run(connection_label(remote), child, remote, lambda: child.call(call, now_us, data))

    # ------------------------------------------------------------------------------------------
    # Segment arrival (RFC 9293 3.10.7)

    def receive(self, seg: Segment, now_us: int, remote: Address) -> None:
        """Process one segment from ``remote`` to this host."""
        child = self.children.get(remote)
        if child is not None:
            self._run(connection_label(remote), child, remote, lambda: child.receive(seg, now_us))
            return
        listener = self.listener
        if listener.state is State.LISTEN and seg.has_syn and not seg.has_rst and not seg.has_ack:
            queued = len(self.syn_queue())
            if queued >= self.backlog:
                self._notes.append((LISTENER, Note("syn-queue-full", n=queued, backlog=self.backlog)))
                return
            child = self._new_child(remote)
            # The child starts as the listener is (3.10.7.2 on a copy of the listening TCB):
            # the passive OPEN that made it is the listener's, not an event of its own.
            child.call("listen", now_us)
            child.drain()
            self._notes.append((connection_label(remote), Note("syn-new-connection", remote=connection_label(remote))))
            self._run(connection_label(remote), child, remote, lambda: child.receive(seg, now_us))
            return
        # 3.10.7.1 (no listener: CLOSED) or 3.10.7.2 (a RST, an ACK, no SYN) on the listener;
        # whatever it answers goes back to the sender.
        self._run(LISTENER, listener, remote, lambda: listener.receive(seg, now_us))

    # ------------------------------------------------------------------------------------------
    # Timers (RFC 9293 3.10.8)

    def handle_timer(self, now_us: int) -> None:
        """Fire the earliest timer due at ``now_us`` (at most one; call again for more)."""
        due = [
            (deadline, index, remote)
            for index, (remote, child) in enumerate(self.children.items())
            for deadline in child.timers().values()
            if deadline <= now_us
        ]
        if not due:
            return
        _, _, remote = min(due)
        child = self.children[remote]
        self._run(connection_label(remote), child, remote, lambda: child.handle_timer(now_us))

    # ------------------------------------------------------------------------------------------
    # Internals

    def _new_child(self, remote: Address) -> Endpoint:
        child = Endpoint(self.name, self.local, remote, self.config)
        self.children[remote] = child
        return child

    def _run(self, label: str, endpoint: Endpoint, remote: Address | None, action) -> None:
        """Do ``action`` on one connection, collect what it did, remove it if it is gone."""
        try:
            action()
        finally:
            out = endpoint.drain()
            for segment, tag in out.segments:
                self._segments.append((segment, tag, remote if remote is not None else _UNSPECIFIED))
            self._arcs.extend((label, arc) for arc in out.arcs)
            self._notes.extend((label, note) for note in out.notes)
            if endpoint is not self.listener and endpoint.state in _GONE:
                self._remove(label, remote)

    def _remove(self, label: str, remote: Address) -> None:
        child = self.children.pop(remote)
        self._received.setdefault(remote, bytearray()).extend(child.received)
        self._notes.append((label, Note("connection-removed", remote=label, state=self.listener.state.value)))

    def _crash(self, now_us: int) -> None:
        crashed = bool(self.children)  # with nothing to lose, the listener's CLOSED refuses the call
        for remote in list(self.children):
            child = self.children[remote]
            self._run(connection_label(remote), child, remote, lambda child=child: child.call("crash", now_us))
        if self.listener.state is not State.CLOSED or not crashed:
            self._run(LISTENER, self.listener, None, lambda: self.listener.call("crash", now_us))

    def __repr__(self) -> str:
        children = ", ".join(f"{connection_label(r)} {c.state}" for r, c in self.children.items())
        return f"<Host {self.name} listener {self.listener.state}; {children or 'no connections'}>"
