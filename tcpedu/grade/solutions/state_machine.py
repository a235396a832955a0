"""Exercise 3, a reference solution: the state machine, as a table written out by hand."""

from tcpedu.kit import Condition, Event, State

S, E, C = State, Event, Condition

# (state, event) -> next state, for the arcs whose answer needs no condition.
ARCS = {
    # Figure 5
    (S.CLOSED, E.PASSIVE_OPEN): S.LISTEN,
    (S.CLOSED, E.ACTIVE_OPEN): S.SYN_SENT,
    (S.LISTEN, E.CLOSE): S.CLOSED,
    (S.LISTEN, E.RCV_SYN): S.SYN_RECEIVED,
    (S.LISTEN, E.SEND): S.SYN_SENT,
    (S.SYN_SENT, E.CLOSE): S.CLOSED,
    (S.SYN_SENT, E.RCV_SYN): S.SYN_RECEIVED,
    (S.SYN_SENT, E.RCV_SYN_ACK): S.ESTABLISHED,
    (S.SYN_RECEIVED, E.RCV_ACK_OF_SYN): S.ESTABLISHED,
    (S.SYN_RECEIVED, E.CLOSE): S.FIN_WAIT_1,
    (S.ESTABLISHED, E.CLOSE): S.FIN_WAIT_1,
    (S.ESTABLISHED, E.RCV_FIN): S.CLOSE_WAIT,
    (S.FIN_WAIT_1, E.RCV_ACK_OF_FIN): S.FIN_WAIT_2,
    (S.FIN_WAIT_1, E.RCV_FIN): S.CLOSING,
    (S.CLOSE_WAIT, E.CLOSE): S.LAST_ACK,
    (S.FIN_WAIT_2, E.RCV_FIN): S.TIME_WAIT,
    (S.CLOSING, E.RCV_ACK_OF_FIN): S.TIME_WAIT,
    (S.LAST_ACK, E.RCV_ACK_OF_FIN): S.CLOSED,
    (S.TIME_WAIT, E.TIMEOUT_2MSL): S.CLOSED,
    # Figure 5 note 2: a FIN that also acknowledges our FIN
    (S.FIN_WAIT_1, E.RCV_FIN_AND_ACK_OF_FIN): S.TIME_WAIT,
    # section 3.10: OPEN in LISTEN, SEND, the FIN that arrives again
    (S.LISTEN, E.ACTIVE_OPEN): S.SYN_SENT,
    (S.SYN_SENT, E.SEND): S.SYN_SENT,
    (S.SYN_RECEIVED, E.SEND): S.SYN_RECEIVED,
    (S.ESTABLISHED, E.SEND): S.ESTABLISHED,
    (S.CLOSE_WAIT, E.SEND): S.CLOSE_WAIT,
    (S.CLOSE_WAIT, E.RCV_FIN): S.CLOSE_WAIT,
    (S.LAST_ACK, E.RCV_FIN): S.LAST_ACK,
    (S.TIME_WAIT, E.RCV_FIN): S.TIME_WAIT,
}

SYNCHRONIZED = (S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSE_WAIT, S.CLOSING, S.LAST_ACK, S.TIME_WAIT)
CLOSING_STATES = (S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSING, S.LAST_ACK, S.TIME_WAIT)
TIMED = (S.SYN_SENT, S.SYN_RECEIVED, S.ESTABLISHED, S.FIN_WAIT_1, S.CLOSE_WAIT, S.CLOSING, S.LAST_ACK)


def next_state(state: State, event: Event, condition: Condition | None = None) -> State | None:
    if state is S.SYN_RECEIVED and event in (E.RCV_RST, E.RCV_SYN) and condition is C.PASSIVE_OPEN:
        return S.LISTEN  # note 1: back to LISTEN
    if state is S.SYN_RECEIVED and event is E.CLOSE and condition is C.DATA_QUEUED:
        return S.SYN_RECEIVED  # 3.10.4: the CLOSE waits for ESTABLISHED
    if (state, event) in ARCS:
        return ARCS[state, event]
    if event is E.RCV_RST and (state in SYNCHRONIZED or state in (S.SYN_SENT, S.SYN_RECEIVED)):
        return S.CLOSED  # note 3
    if event is E.ABORT:
        return None if state is S.CLOSED else S.CLOSED  # 3.10.5
    if event is E.USER_TIMEOUT and state in TIMED:
        return S.CLOSED  # 3.10.8
    # Refused calls (3.10.1-3.10.4): OPEN where a connection exists, SEND and CLOSE where
    # none exists or it is closing.
    if event in (E.PASSIVE_OPEN, E.ACTIVE_OPEN, E.SEND, E.CLOSE):
        return None
    return state
