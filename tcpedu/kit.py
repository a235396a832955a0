"""What the exercises' code may use: tcpedu's values and helpers, never its answers.

A learner's solution imports from here (``from tcpedu.kit import Segment, Flags, State``).
Each exercise says which of these names it allows: exercise 1 asks for the sequence-number
helpers, so it may not import them; later exercises may. The checker refuses a solution that
imports any other part of tcpedu for the very thing it is asked to write.

Two helpers exist only for the exercises: ``Connection``, the few variables exercise 4's
closing functions read and change, and ``EndpointBase``, the plumbing of exercise 5's whole
endpoint (the output queue, the timers, the TCB table the widget shows), so that a learner
writes only the protocol: the user calls, segment arrival and the timers.
"""

from __future__ import annotations

import dataclasses

from .core.endpoint import EndpointConfig, Output, fill_bytes
from .core.errors import CallRefused
from .core.isn import Address
from .core.rto import RtoEstimator
from .core.rules import ack_covering, reset_for, segment_acceptable, updates_window
from .core.segment import MAX_WINDOW, Flags, Segment
from .core.seqnum import SEQ_SPACE, in_window, seq_add, seq_ge, seq_gt, seq_le, seq_lt, seq_sub
from .core.states import State
from .core.tcb import TCB_FIELDS
from .core.transitions import Condition, Event

__all__ = [
    "MAX_WINDOW",
    "SEQ_SPACE",
    "CallRefused",
    "Condition",
    "Connection",
    "EndpointBase",
    "EndpointConfig",
    "Event",
    "Flags",
    "Output",
    "RtoEstimator",
    "Segment",
    "State",
    "ack_covering",
    "in_window",
    "reset_for",
    "segment_acceptable",
    "seq_add",
    "seq_ge",
    "seq_gt",
    "seq_le",
    "seq_lt",
    "seq_sub",
    "updates_window",
]


@dataclasses.dataclass
class Connection:
    """One side of a connection whose data is all sent and acknowledged, as exercise 4's
    closing functions see it. They change it in place and return the segments they send.

    Times are integer microseconds, as everywhere in tcpedu."""

    state: State
    snd_una: int
    """SND.UNA: the oldest sequence number not yet acknowledged by the peer."""
    snd_nxt: int
    """SND.NXT: the next sequence number to send (a FIN takes one)."""
    rcv_nxt: int
    """RCV.NXT: the next sequence number expected from the peer (its FIN takes one)."""
    rcv_wnd: int = MAX_WINDOW
    """RCV.WND: how much this side will accept beyond RCV.NXT."""
    msl_us: int = 120_000_000
    """The maximum segment lifetime (RFC 9293: 2 minutes); TIME-WAIT lasts 2*MSL."""
    time_wait_until: int | None = None
    """When the 2*MSL timer fires, or None when it is not running."""


class EndpointBase:
    """The plumbing of an endpoint: everything but the protocol (exercise 5).

    A subclass writes ``listen``, ``connect``, ``send``, ``close``, ``abort`` (the user calls),
    ``receive`` (a segment arrives) and ``handle_timer`` (a timer is due), keeping its state
    in ``self.state`` and its TCB variables as attributes named as in ``TCB_FIELDS``
    (``self.snd_una``, ``self.rcv_nxt``...). It sends with ``self.send_segment(segment)``,
    runs timers with ``self.start_timer(name, deadline)`` and ``self.stop_timer(name)``, and
    hands data to its application with ``self.deliver(data)``. The simulation, the widget and
    the checker use the rest: ``call``, ``drain``, ``timers``, ``next_timer``, ``snapshot``.
    """

    def __init__(
        self,
        name: str = "endpoint",
        local: Address = ("192.0.2.1", 50000),
        remote: Address = ("198.51.100.1", 80),
        config: EndpointConfig | None = None,
    ):
        self.name = name
        self.local = local
        self.remote = remote
        self.config = config if config is not None else EndpointConfig()
        self.state = State.CLOSED
        self.received = bytearray()
        """Every octet delivered to the application (``deliver``), over all connections."""
        self._outbox: list[tuple[Segment, str | None]] = []
        self._timers: dict[str, int] = {}
        self.forget()

    # --- for the subclass ----------------------------------------------------------------------

    def forget(self) -> None:
        """Forget the connection (TCB deleted): the state is CLOSED, every TCB variable None,
        every timer stopped. A subclass that keeps more per connection extends this."""
        self.state = State.CLOSED
        for field in TCB_FIELDS:
            setattr(self, field, None)
        self._timers.clear()

    def send_segment(self, segment: Segment, tag: str | None = None) -> None:
        """Put ``segment`` on the wire (``tag``: "retransmission", "challenge ACK" or "reset",
        shown in the ladder diagram)."""
        if not isinstance(segment, Segment):
            raise TypeError(f"send_segment takes a Segment, not {type(segment).__name__}")
        self._outbox.append((segment, tag))

    def deliver(self, data: bytes) -> None:
        """Hand ``data`` to the application (in order, once)."""
        self.received += data

    def start_timer(self, name: str, deadline_us: int) -> None:
        """Run the timer ``name`` ("retransmission" or "time-wait") until ``deadline_us``
        (restarting it if it runs)."""
        self._timers[name] = deadline_us

    def stop_timer(self, name: str) -> None:
        self._timers.pop(name, None)

    def choose_iss(self, now_us: int) -> int:
        """The initial send sequence number for a new connection: the configured one, or RFC
        6528's clock plus keyed hash."""
        config = self.config
        return config.isn if config.isn is not None else config.isn_generator(self.local, self.remote, now_us)

    # --- for the simulation --------------------------------------------------------------------

    def call(self, call: str, now_us: int, data: bytes | int | None = None) -> None:
        """A user call by name (as the simulation and scenario scripts make them)."""
        if call == "crash":  # the simulator's host losing its memory: nothing is sent
            if self.state is State.CLOSED:
                raise CallRefused(call, self.state, "no connection to lose", "simulation")
            self.forget()
            return
        if call == "send":
            if type(data) is int and data > 0:
                data = fill_bytes(data)
            if not isinstance(data, bytes) or not data:
                raise ValueError(f"send takes bytes or a positive number of octets, not {data!r}")
            self.send(data, now_us)
            return
        if data is not None:
            raise ValueError(f"{call} takes no data")
        method = {"listen": self.listen, "connect": self.connect, "close": self.close, "abort": self.abort}.get(call)
        if method is None:
            raise ValueError(f"unknown call {call!r}")
        method(now_us)

    def drain(self) -> Output:
        """The segments sent since the last drain (no transitions or notes: the table of
        arcs and the explanations are the reference engine's)."""
        sent, self._outbox = self._outbox, []
        return Output(sent, [], [])

    def timers(self) -> dict[str, int]:
        return dict(self._timers)

    def next_timer(self) -> int | None:
        return min(self._timers.values(), default=None)

    def refusal(self, call: str) -> None:
        """Nothing is refused in advance: a refused call raises ``CallRefused`` when made."""
        return None

    def snapshot(self) -> dict[str, object]:
        values: dict[str, object] = {name: getattr(self, field, None) for field, name in TCB_FIELDS.items()}
        values["RTO"] = None
        values["unsent"] = None
        values["unacked"] = None
        values["received"] = len(self.received)
        values["retransmit_at"] = self._timers["retransmission"] / 1e6 if "retransmission" in self._timers else None
        values["time_wait_until"] = self._timers["time-wait"] / 1e6 if "time-wait" in self._timers else None
        return values

    # --- what the subclass writes --------------------------------------------------------------

    def listen(self, now_us: int) -> None:
        raise NotImplementedError("listen (RFC 9293 3.10.1)")

    def connect(self, now_us: int) -> None:
        raise NotImplementedError("connect (RFC 9293 3.10.1)")

    def send(self, data: bytes, now_us: int) -> None:
        raise NotImplementedError("send (RFC 9293 3.10.2)")

    def close(self, now_us: int) -> None:
        raise NotImplementedError("close (RFC 9293 3.10.4)")

    def abort(self, now_us: int) -> None:
        raise NotImplementedError("abort (RFC 9293 3.10.5)")

    def receive(self, segment: Segment, now_us: int) -> None:
        raise NotImplementedError("receive (RFC 9293 3.10.7)")

    def handle_timer(self, now_us: int) -> None:
        raise NotImplementedError("handle_timer (RFC 9293 3.10.8)")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} {self.state}>"
