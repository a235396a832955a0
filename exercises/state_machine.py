"""Exercise 3: the state machine (RFC 9293 section 3.3.2, Figure 5 and section 3.10).

A TCP connection is always in one of eleven states, and what happens to it moves it along
arcs: "in ESTABLISHED, on CLOSE, send a FIN and go to FIN-WAIT-1". Figure 5 draws twenty of
these arcs; its notes and the event-processing text of section 3.10 add the rest (resets,
ABORT, the user timeout, SEND, a FIN that arrives again...). Some user calls are refused in
some states ("error: connection closing"). Write ``next_state`` for all of them;
``check("state-machine")`` in the exercise's notebook, or ``tcpedu check state_machine.py``,
draws your state diagram with its wrong and missing arcs marked.

You may use tcpedu.kit's State, Event and Condition (enumerations of the RFC's names):
    State.SYN_SENT, State.ESTABLISHED, ...            the eleven states
    Event.PASSIVE_OPEN, Event.RCV_SYN, Event.CLOSE    what happens ("passive OPEN", "rcv SYN", ...)
    Condition.PASSIVE_OPEN, Condition.ACTIVE_OPEN     how the connection was opened
    Condition.DATA_QUEUED                             data waits to be sent
"""

from tcpedu.kit import Condition, Event, State


def next_state(state: State, event: Event, condition: Condition | None = None) -> State | None:
    """The state a connection in ``state`` moves to when ``event`` happens, or None when the
    RFC refuses ``event`` (a user call) in that state with an error.

    ``condition`` is given only where the RFC's answer depends on it: a RST or a SYN in
    SYN-RECEIVED (Condition.PASSIVE_OPEN or Condition.ACTIVE_OPEN: how the connection was
    opened, Figure 5 note 1) and a CLOSE in SYN-RECEIVED while data waits to be sent
    (Condition.DATA_QUEUED, section 3.10.4). An event that leaves the state as it is (SEND in
    ESTABLISHED, say) returns that same state.
    """
    raise NotImplementedError("write next_state")
