"""Exercise 4: closing a connection (RFC 9293 sections 3.6, 3.10.4, 3.10.7.4 and 3.10.8).

Each direction of a connection closes on its own: a side that has nothing more to send
sends a FIN (in practice a FIN,ACK), which takes one sequence number, and the other side
acknowledges it. The side that closes first passes FIN-WAIT-1 and FIN-WAIT-2 and waits in
TIME-WAIT for 2*MSL after acknowledging the peer's FIN; the other passes CLOSE-WAIT (it may
still send) and LAST-ACK. When both close at once, both pass CLOSING.

Write the three functions below. Each is handed one side's ``Connection`` (its state and
variables just before the event), changes it in place as RFC 9293 says, and returns the
segments that side sends (a list, empty if it sends nothing). The connection's data is all
sent and acknowledged, so SND.UNA = SND.NXT until a FIN is sent. ``check("closing")`` in the
exercise's notebook, or ``tcpedu check closing.py``, tells you which parts are right.

You may use tcpedu.kit's Connection, Segment, Flags, State, the seq_* comparisons, seq_add,
seq_sub and segment_acceptable (or your own from exercise 1):
    conn.state, conn.snd_una, conn.snd_nxt, conn.rcv_nxt, conn.rcv_wnd   (the TCB)
    conn.msl_us, conn.time_wait_until                                   (microseconds, or None)
    Segment(seq, ack, Flags.FIN | Flags.ACK)                            a FIN,ACK
"""

from tcpedu.kit import Connection, Flags, Segment, State, segment_acceptable, seq_add  # noqa: F401


def close(conn: Connection, now_us: int) -> list[Segment]:
    """The user calls CLOSE in ESTABLISHED or CLOSE-WAIT, at time ``now_us``: send a FIN
    (<SEQ=SND.NXT><ACK=RCV.NXT><CTL=FIN,ACK>, taking one sequence number) and move on
    (RFC 9293 3.10.4)."""
    raise NotImplementedError("write close")


def receive(conn: Connection, segment: Segment, now_us: int) -> list[Segment]:
    """``segment`` arrives at time ``now_us`` while ``conn`` is closing (in ESTABLISHED only
    a FIN is handed to you). In the order RFC 9293 3.10.7.4 checks it:

    1. the sequence number: a segment outside the receive window (Table 6; a FIN sent
       again, say) is answered with an ACK, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, and nothing
       else happens, except that in TIME-WAIT a FIN again restarts the 2*MSL timer;
    2. the ACK: one that acknowledges something new advances SND.UNA; when it acknowledges
       our FIN, FIN-WAIT-1 becomes FIN-WAIT-2, CLOSING becomes TIME-WAIT and LAST-ACK becomes
       CLOSED; in CLOSING, a segment that does not acknowledge our FIN is ignored;
    3. the FIN: it takes one sequence number (RCV.NXT moves over it) and is acknowledged;
       ESTABLISHED becomes CLOSE-WAIT, FIN-WAIT-1 becomes CLOSING (or TIME-WAIT if our FIN
       is acknowledged too), FIN-WAIT-2 becomes TIME-WAIT; a FIN in TIME-WAIT is acknowledged
       and restarts the timer.

    Entering TIME-WAIT starts the 2*MSL timer: time_wait_until = now_us + 2 * msl_us.
    """
    raise NotImplementedError("write receive")


def time_wait_over(conn: Connection, now_us: int) -> list[Segment]:
    """The 2*MSL timer fires in TIME-WAIT: the connection is gone (RFC 9293 3.10.8)."""
    raise NotImplementedError("write time_wait_over")
