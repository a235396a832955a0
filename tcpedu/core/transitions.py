"""The transition table: every state change of a TCP connection, as data.

This module is the single source that the engine (``endpoint.py``), the diagrams and the
grader read. The engine never assigns a state itself: it classifies what happened into an
``Event`` and takes the ``Arc`` this table gives for (state, event, condition), performing
the arc's actions. A user call with no arc is refused with the reason in ``REFUSALS``.

``ARCS`` holds:

* the 20 arcs of RFC 9293 Figure 5 (``source == "Figure 5"``), labelled as the figure does;
* the arcs its notes describe but do not draw (note 1's passive-open condition, note 2's
  FIN-WAIT-1 -> TIME-WAIT, note 3's "receipt of a RST from any state");
* the arcs stated only in the event-processing text of section 3.10 (ABORT, active OPEN in
  LISTEN, SYN in SYN-RECEIVED, the user timeout, SEND queued or sent, CLOSE queued behind
  data in SYN-RECEIVED, and the FIN that leaves CLOSE-WAIT, LAST-ACK and TIME-WAIT where
  they are, TIME-WAIT restarting its 2MSL timer);
* ``crash``, which is not TCP at all but the simulator's host losing its memory
  (``source == "simulation"``), for the half-open examples of section 3.5.1.

``SWITCHED_ARCS`` holds the arcs a profile's switch puts in place of the RFC's (``profile.py``):
Linux's answer to a duplicate SYN in SYN-RECEIVED, to a SYN,ACK there in a simultaneous open,
to data after close(), its FIN-WAIT-2 timeout, and a new connection from TIME-WAIT. Each names
its switch; ``arc_for`` takes them only when asked with that switch on.

Note 3 also says the side issuing a RST "can" go to TIME-WAIT; the ABORT text (3.10.5),
which the engine follows, says CLOSED.
"""

from __future__ import annotations

import dataclasses
import enum

from .states import State

__all__ = [
    "ARCS",
    "REFUSALS",
    "SWITCHED_ARCS",
    "TABLE",
    "USER_CALLS",
    "Action",
    "Arc",
    "Condition",
    "Event",
    "EventKind",
    "Refusal",
    "arc_for",
    "arcs_from",
    "refusal_for",
]


class EventKind(enum.Enum):
    USER_CALL = "user call"
    SEGMENT = "segment arrives"
    TIMEOUT = "timeout"
    HOST = "host"


class Event(enum.Enum):
    """What makes a connection change state; the value is the label RFC 9293 Figure 5 uses."""

    __hash__ = object.__hash__  # by identity, in C: see State

    PASSIVE_OPEN = "passive OPEN"
    ACTIVE_OPEN = "active OPEN"
    SEND = "SEND"
    CLOSE = "CLOSE"
    ABORT = "ABORT"
    RCV_SYN = "rcv SYN"
    RCV_SYN_ACK = "rcv SYN,ACK"
    RCV_ACK_OF_SYN = "rcv ACK of SYN"
    RCV_FIN = "rcv FIN"
    RCV_ACK_OF_FIN = "rcv ACK of FIN"
    RCV_FIN_AND_ACK_OF_FIN = "rcv FIN + ACK of FIN"
    RCV_RST = "rcv RST"
    TIMEOUT_2MSL = "Timeout=2MSL"
    USER_TIMEOUT = "user timeout"
    CRASH = "crash"
    # Events of a profile's switched arcs only (profile.py); RFC 9293's table never sees them.
    RCV_DATA = "rcv data"
    TIMEOUT_FIN_WAIT_2 = "Timeout=fin_timeout"

    @property
    def kind(self) -> EventKind:
        return _EVENT_KINDS[self]

    def __str__(self) -> str:
        return self.value


_EVENT_KINDS = {
    Event.PASSIVE_OPEN: EventKind.USER_CALL,
    Event.ACTIVE_OPEN: EventKind.USER_CALL,
    Event.SEND: EventKind.USER_CALL,
    Event.CLOSE: EventKind.USER_CALL,
    Event.ABORT: EventKind.USER_CALL,
    Event.RCV_SYN: EventKind.SEGMENT,
    Event.RCV_SYN_ACK: EventKind.SEGMENT,
    Event.RCV_ACK_OF_SYN: EventKind.SEGMENT,
    Event.RCV_FIN: EventKind.SEGMENT,
    Event.RCV_ACK_OF_FIN: EventKind.SEGMENT,
    Event.RCV_FIN_AND_ACK_OF_FIN: EventKind.SEGMENT,
    Event.RCV_RST: EventKind.SEGMENT,
    Event.TIMEOUT_2MSL: EventKind.TIMEOUT,
    Event.USER_TIMEOUT: EventKind.TIMEOUT,
    Event.CRASH: EventKind.HOST,
    Event.RCV_DATA: EventKind.SEGMENT,
    Event.TIMEOUT_FIN_WAIT_2: EventKind.TIMEOUT,
}

#: The user calls of the API (and of scenario scripts), with the event each one is.
USER_CALLS: dict[str, Event] = {
    "listen": Event.PASSIVE_OPEN,
    "connect": Event.ACTIVE_OPEN,
    "send": Event.SEND,
    "close": Event.CLOSE,
    # POSIX shutdown(SHUT_WR): RFC 9293's CLOSE ("no more data to send", 3.10.4), which close()
    # is too, except in the Linux profile, where close() also ends receiving (Condition.ORPHANED).
    "shutdown": Event.CLOSE,
    "abort": Event.ABORT,
    "crash": Event.CRASH,
}


class Action(enum.Enum):
    """What the engine does when it takes an arc; the value is the figure's wording."""

    CREATE_TCB = "create TCB"
    DELETE_TCB = "delete TCB"
    SND_SYN = "snd SYN"
    SND_SYN_ACK = "snd SYN,ACK"
    SND_ACK = "snd ACK"
    SND_FIN = "snd FIN"
    SND_RST = "snd RST"
    SND_DATA = "snd data"
    QUEUE_DATA = "queue data"
    START_2MSL_TIMER = "start 2MSL timer"
    QUEUE_CLOSE = "queue CLOSE"
    RESET_TO_LISTEN = "flush queues, forget the peer"
    FORGET_TCB = "forget TCB"
    START_FIN_WAIT_2_TIMER = "start fin_timeout timer"
    REOPEN_TCB = "new TCB, ISS above the old SND.NXT"

    @property
    def in_label(self) -> bool:
        """Whether RFC-style labels show this action (the figure leaves these implicit)."""
        return self not in (Action.START_2MSL_TIMER, Action.RESET_TO_LISTEN, Action.REOPEN_TCB)

    def __str__(self) -> str:
        return self.value


class Condition(enum.Enum):
    """A fact about the connection that picks between arcs: how it was opened (RFC 9293
    MUST-11), or whether data waits to be sent (3.10.4)."""

    __hash__ = object.__hash__  # by identity, in C: see State

    PASSIVE_OPEN = "reached by passive OPEN"
    ACTIVE_OPEN = "reached by active OPEN"
    DATA_QUEUED = "data queued"
    DUPLICATE_SYN = "the SYN again"
    SEQ_ABOVE_RCV_NXT = "SEG.SEQ > RCV.NXT"
    ORPHANED = "after close()"
    """Linux: the application called close(), not shutdown(SHUT_WR): the socket is orphaned,
    no one reads from it any more (profile switches reset-data-after-close, fin-wait-2-timeout)."""

    def __str__(self) -> str:
        return self.value


@dataclasses.dataclass(frozen=True)
class Arc:
    """One transition: in ``state``, ``event`` (under ``condition``) leads to ``target``."""

    state: State
    event: Event
    target: State
    actions: tuple[Action, ...] = ()
    condition: Condition | None = None
    source: str = "Figure 5"
    """Where RFC 9293 states it: "Figure 5", "Figure 5 note N", a section, or "simulation"."""
    usual_path: str | None = None
    """"client" or "server" for the arcs of the usual path through a connection that a client
    (active open, active close) or a server (passive open, passive close) takes, as textbooks
    mark them; None for the rest."""
    drawn_action: str | None = None
    """The action as Figure 5 prints it, where the figure leaves some of ``actions`` unsaid
    (it writes ``x`` for LAST-ACK's "delete TCB" and omits LISTEN's "queue data")."""
    switch: str | None = None
    """The profile switch (``profile.SWITCHES``) under which this arc replaces the RFC's, or None
    for RFC 9293's arcs."""

    @property
    def in_figure(self) -> bool:
        """True for the arcs drawn in RFC 9293 Figure 5."""
        return self.source == "Figure 5"

    @property
    def action_label(self) -> str:
        """The action part of the label: ``snd SYN,ACK``, or ``x`` for no action."""
        if self.drawn_action is not None:
            return self.drawn_action
        shown = [str(action) for action in self.actions if action.in_label]
        return ", ".join(shown) if shown else "x"

    @property
    def label(self) -> str:
        """RFC-style ``event / action`` label, e.g. ``rcv SYN / snd SYN,ACK``."""
        condition = f" ({self.condition})" if self.condition else ""
        return f"{self.event}{condition} / {self.action_label}"

    @property
    def key(self) -> tuple[State, Event, Condition | None]:
        return (self.state, self.event, self.condition)

    def __str__(self) -> str:
        return f"{self.state} --[{self.label}]--> {self.target}"


@dataclasses.dataclass(frozen=True)
class Refusal:
    """Why a user call is refused in a state: the RFC's error string and where it says so."""

    state: State
    event: Event
    reason: str
    source: str


S = State
E = Event
A = Action
_SYNCED_NO_RST = (S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSE_WAIT, S.CLOSING, S.LAST_ACK, S.TIME_WAIT)

ARCS: tuple[Arc, ...] = (
    # --- RFC 9293 Figure 5, arc by arc ------------------------------------------------------
    Arc(S.CLOSED, E.PASSIVE_OPEN, S.LISTEN, (A.CREATE_TCB,), usual_path="server"),
    Arc(S.CLOSED, E.ACTIVE_OPEN, S.SYN_SENT, (A.CREATE_TCB, A.SND_SYN), usual_path="client"),
    Arc(S.LISTEN, E.CLOSE, S.CLOSED, (A.DELETE_TCB,)),
    Arc(S.LISTEN, E.RCV_SYN, S.SYN_RECEIVED, (A.SND_SYN_ACK,), usual_path="server"),
    Arc(S.LISTEN, E.SEND, S.SYN_SENT, (A.SND_SYN, A.QUEUE_DATA), drawn_action="snd SYN"),
    Arc(S.SYN_SENT, E.CLOSE, S.CLOSED, (A.DELETE_TCB,)),
    Arc(S.SYN_SENT, E.RCV_SYN, S.SYN_RECEIVED, (A.SND_SYN_ACK,)),
    Arc(S.SYN_SENT, E.RCV_SYN_ACK, S.ESTABLISHED, (A.SND_ACK,), usual_path="client"),
    Arc(S.SYN_RECEIVED, E.RCV_RST, S.LISTEN, (A.RESET_TO_LISTEN,), Condition.PASSIVE_OPEN),
    Arc(S.SYN_RECEIVED, E.RCV_ACK_OF_SYN, S.ESTABLISHED, (), usual_path="server"),
    Arc(S.SYN_RECEIVED, E.CLOSE, S.FIN_WAIT_1, (A.SND_FIN,)),
    Arc(S.ESTABLISHED, E.CLOSE, S.FIN_WAIT_1, (A.SND_FIN,), usual_path="client"),
    Arc(S.ESTABLISHED, E.RCV_FIN, S.CLOSE_WAIT, (A.SND_ACK,), usual_path="server"),
    Arc(S.FIN_WAIT_1, E.RCV_ACK_OF_FIN, S.FIN_WAIT_2, (), usual_path="client"),
    Arc(S.FIN_WAIT_1, E.RCV_FIN, S.CLOSING, (A.SND_ACK,)),
    Arc(S.CLOSE_WAIT, E.CLOSE, S.LAST_ACK, (A.SND_FIN,), usual_path="server"),
    Arc(S.FIN_WAIT_2, E.RCV_FIN, S.TIME_WAIT, (A.SND_ACK, A.START_2MSL_TIMER), usual_path="client"),
    Arc(S.CLOSING, E.RCV_ACK_OF_FIN, S.TIME_WAIT, (A.START_2MSL_TIMER,)),
    Arc(S.LAST_ACK, E.RCV_ACK_OF_FIN, S.CLOSED, (A.DELETE_TCB,), drawn_action="x", usual_path="server"),
    Arc(S.TIME_WAIT, E.TIMEOUT_2MSL, S.CLOSED, (A.DELETE_TCB,), usual_path="client"),
    # --- Figure 5's notes --------------------------------------------------------------------
    # Note 2: a FIN that also acknowledges our FIN skips FIN-WAIT-2 (3.10.7.4, eighth step).
    Arc(
        S.FIN_WAIT_1,
        E.RCV_FIN_AND_ACK_OF_FIN,
        S.TIME_WAIT,
        (A.SND_ACK, A.START_2MSL_TIMER),
        source="Figure 5 note 2",
    ),
    # Notes 1 and 3: a valid RST ends the connection (3.10.7.3, 3.10.7.4 second step).
    Arc(S.SYN_SENT, E.RCV_RST, S.CLOSED, (A.DELETE_TCB,), source="Figure 5 note 3"),
    Arc(S.SYN_RECEIVED, E.RCV_RST, S.CLOSED, (A.DELETE_TCB,), Condition.ACTIVE_OPEN, source="Figure 5 note 3"),
    *(Arc(state, E.RCV_RST, S.CLOSED, (A.DELETE_TCB,), source="Figure 5 note 3") for state in _SYNCED_NO_RST),
    # --- Section 3.10 text --------------------------------------------------------------------
    Arc(S.LISTEN, E.ACTIVE_OPEN, S.SYN_SENT, (A.SND_SYN,), source="3.10.1"),
    Arc(S.SYN_SENT, E.SEND, S.SYN_SENT, (A.QUEUE_DATA,), source="3.10.2"),
    Arc(S.SYN_RECEIVED, E.SEND, S.SYN_RECEIVED, (A.QUEUE_DATA,), source="3.10.2"),
    Arc(S.ESTABLISHED, E.SEND, S.ESTABLISHED, (A.SND_DATA,), source="3.10.2"),
    Arc(S.CLOSE_WAIT, E.SEND, S.CLOSE_WAIT, (A.SND_DATA,), source="3.10.2"),
    Arc(S.LISTEN, E.ABORT, S.CLOSED, (A.DELETE_TCB,), source="3.10.5"),
    Arc(S.SYN_SENT, E.ABORT, S.CLOSED, (A.DELETE_TCB,), source="3.10.5"),
    *(
        Arc(state, E.ABORT, S.CLOSED, (A.SND_RST, A.DELETE_TCB), source="3.10.5")
        for state in (S.SYN_RECEIVED, S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSE_WAIT)
    ),
    *(
        Arc(state, E.ABORT, S.CLOSED, (A.DELETE_TCB,), source="3.10.5")
        for state in (S.CLOSING, S.LAST_ACK, S.TIME_WAIT)
    ),
    # 3.10.4: "If no SENDs have been issued and there is no pending data to send, then form a
    # FIN segment and send it [...]; otherwise, queue for processing after entering ESTABLISHED".
    Arc(S.SYN_RECEIVED, E.CLOSE, S.SYN_RECEIVED, (A.QUEUE_CLOSE,), Condition.DATA_QUEUED, source="3.10.4"),
    # 3.10.7.4, eighth step: a FIN in CLOSE-WAIT or LAST-ACK is acknowledged and the state
    # remains; in TIME-WAIT the 2MSL timeout restarts too (the peer's FIN again: our ACK of it
    # was lost). In CLOSING the fifth step ignores any segment that does not ACK our FIN, and one
    # that does moves to TIME-WAIT first, so CLOSING never reaches the eighth step with a FIN.
    Arc(S.CLOSE_WAIT, E.RCV_FIN, S.CLOSE_WAIT, (A.SND_ACK,), source="3.10.7.4"),
    Arc(S.LAST_ACK, E.RCV_FIN, S.LAST_ACK, (A.SND_ACK,), source="3.10.7.4"),
    Arc(
        S.TIME_WAIT,
        E.RCV_FIN,
        S.TIME_WAIT,
        (A.SND_ACK, A.START_2MSL_TIMER),
        source="3.10.7.4",
        drawn_action="snd ACK, restart 2MSL timer",
    ),
    # A SYN in SYN-RECEIVED after a passive OPEN returns to LISTEN (3.10.7.4, fourth step).
    Arc(S.SYN_RECEIVED, E.RCV_SYN, S.LISTEN, (A.RESET_TO_LISTEN,), Condition.PASSIVE_OPEN, source="3.10.7.4"),
    # Retransmissions exhausted: the user timeout (3.8.3, 3.10.8) in every state with a timer.
    *(
        Arc(state, E.USER_TIMEOUT, S.CLOSED, (A.DELETE_TCB,), source="3.10.8")
        for state in (
            S.SYN_SENT,
            S.SYN_RECEIVED,
            S.ESTABLISHED,
            S.FIN_WAIT_1,
            S.CLOSE_WAIT,
            S.CLOSING,
            S.LAST_ACK,
        )
    ),
    # --- The simulator's host crash: state lost, nothing sent -------------------------------------
    *(Arc(state, E.CRASH, S.CLOSED, (A.FORGET_TCB,), source="simulation") for state in State if state is not S.CLOSED),
)

# --- Arcs a profile's switch puts in place of the RFC's (profile.py) ----------------------------
SWITCHED_ARCS: tuple[Arc, ...] = (
    # tcp_check_req: the SYN again (our SYN,ACK was lost?) is answered with the SYN,ACK again.
    Arc(
        S.SYN_RECEIVED,
        E.RCV_SYN,
        S.SYN_RECEIVED,
        (A.SND_SYN_ACK,),
        Condition.DUPLICATE_SYN,
        source="Linux tcp_check_req",
        switch="resend-syn-ack",
    ),
    # tcp_validate_incoming lets a simultaneous open's SYN,ACK through; its ACK completes the open.
    Arc(
        S.SYN_RECEIVED,
        E.RCV_SYN_ACK,
        S.ESTABLISHED,
        (A.SND_ACK,),
        Condition.ACTIVE_OPEN,
        source="Linux tcp_rcv_state_process",
        switch="syn-ack-in-syn-received",
    ),
    # After close(), data the peer still sends is answered with a RST (RFC 9293 3.6.1, SHLD-3).
    *(
        Arc(
            state,
            E.RCV_DATA,
            S.CLOSED,
            (A.SND_RST, A.DELETE_TCB),
            Condition.ORPHANED,
            source="Linux tcp_rcv_state_process",
            switch="reset-data-after-close",
        )
        for state in (S.FIN_WAIT_1, S.FIN_WAIT_2)
    ),
    # An orphaned FIN-WAIT-2 waits tcp_fin_timeout for the peer's FIN, then goes silently.
    Arc(
        S.FIN_WAIT_1,
        E.RCV_ACK_OF_FIN,
        S.FIN_WAIT_2,
        (A.START_FIN_WAIT_2_TIMER,),
        Condition.ORPHANED,
        source="Linux tcp_rcv_state_process",
        switch="fin-wait-2-timeout",
    ),
    Arc(
        S.FIN_WAIT_2,
        E.TIMEOUT_FIN_WAIT_2,
        S.CLOSED,
        (A.DELETE_TCB,),
        Condition.ORPHANED,
        source="Linux tcp_fin_time",
        switch="fin-wait-2-timeout",
    ),
    # tcp_timewait_state_process: a new SYN above the old connection's sequence space reopens it.
    Arc(
        S.TIME_WAIT,
        E.RCV_SYN,
        S.SYN_RECEIVED,
        (A.REOPEN_TCB, A.SND_SYN_ACK),
        Condition.SEQ_ABOVE_RCV_NXT,
        source="Linux tcp_timewait_state_process",
        switch="time-wait-reopen",
    ),
)

#: every arc: RFC 9293's (``ARCS``) and the switched ones
TABLE: tuple[Arc, ...] = ARCS + SWITCHED_ARCS

_CONNECTION_CLOSING = "connection closing"
_DOES_NOT_EXIST = "connection does not exist"
_ALREADY_EXISTS = "connection already exists"

REFUSALS: tuple[Refusal, ...] = (
    *(Refusal(state, E.PASSIVE_OPEN, _ALREADY_EXISTS, "3.10.1") for state in State if state is not S.CLOSED),
    *(Refusal(state, E.ACTIVE_OPEN, _ALREADY_EXISTS, "3.10.1") for state in State if state not in (S.CLOSED, S.LISTEN)),
    Refusal(S.CLOSED, E.SEND, _DOES_NOT_EXIST, "3.10.2"),
    *(
        Refusal(state, E.SEND, _CONNECTION_CLOSING, "3.10.2")
        for state in (S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSING, S.LAST_ACK, S.TIME_WAIT)
    ),
    Refusal(S.CLOSED, E.CLOSE, _DOES_NOT_EXIST, "3.10.4"),
    *(
        Refusal(state, E.CLOSE, _CONNECTION_CLOSING, "3.10.4")
        for state in (S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSING, S.LAST_ACK, S.TIME_WAIT)
    ),
    Refusal(S.CLOSED, E.ABORT, _DOES_NOT_EXIST, "3.10.5"),
    Refusal(S.CLOSED, E.CRASH, "no connection to lose", "simulation"),
)

del S, E, A

_ARC_INDEX: dict[tuple[State, Event, Condition | None], Arc] = {}
for _arc in ARCS:
    if _arc.key in _ARC_INDEX:  # pragma: no cover - a malformed table fails at import
        raise RuntimeError(f"two arcs for {_arc.key}")
    _ARC_INDEX[_arc.key] = _arc

_REFUSAL_INDEX: dict[tuple[State, Event], Refusal] = {(r.state, r.event): r for r in REFUSALS}

_SWITCHED_INDEX: dict[tuple[State, Event, Condition | None, str], Arc] = {}
for _arc in SWITCHED_ARCS:
    if _arc.switch is None or (*_arc.key, _arc.switch) in _SWITCHED_INDEX:  # pragma: no cover
        raise RuntimeError(f"a switched arc needs a switch, one per key: {_arc}")
    _SWITCHED_INDEX[(*_arc.key, _arc.switch)] = _arc
_SWITCHED_KEYS = frozenset(arc.key for arc in SWITCHED_ARCS)


def arc_for(
    state: State, event: Event, condition: Condition | None = None, switches: frozenset[str] = frozenset()
) -> Arc | None:
    """The arc for ``event`` in ``state`` under ``condition``, or None if the table has none.

    An arc without a condition applies under any condition. With ``switches`` (a profile's), a
    switched arc for the same (state, event, condition) replaces the RFC's.
    """
    if switches and (state, event, condition) in _SWITCHED_KEYS:
        for switch in switches:
            arc = _SWITCHED_INDEX.get((state, event, condition, switch))
            if arc is not None:
                return arc
    arc = _ARC_INDEX.get((state, event, condition))
    if arc is None and condition is not None:
        arc = _ARC_INDEX.get((state, event, None))
    return arc


def refusal_for(state: State, event: Event) -> Refusal | None:
    """Why ``event`` (a user call) is refused in ``state``, or None if it is allowed."""
    return _REFUSAL_INDEX.get((state, event))


def arcs_from(state: State) -> list[Arc]:
    """Every arc leaving ``state``, in table order."""
    return [arc for arc in ARCS if arc.state is state]
