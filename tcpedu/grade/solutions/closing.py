"""Exercise 4, a reference solution: closing a connection."""

from tcpedu.kit import Connection, Flags, Segment, State, seq_add, seq_gt, seq_le, seq_lt

SEQ_SPACE = 2**32


def _in_window(x: int, left: int, size: int) -> bool:
    return (x - left) % SEQ_SPACE < size


def _acceptable(seq: int, length: int, rcv_nxt: int, rcv_wnd: int) -> bool:
    """RFC 9293 Table 6."""
    if length == 0:
        return seq == rcv_nxt if rcv_wnd == 0 else _in_window(seq, rcv_nxt, rcv_wnd)
    if rcv_wnd == 0:
        return False
    return _in_window(seq, rcv_nxt, rcv_wnd) or _in_window(seq_add(seq, length - 1), rcv_nxt, rcv_wnd)


def _ack(conn: Connection) -> Segment:
    return Segment(conn.snd_nxt, conn.rcv_nxt, Flags.ACK)


def _enter_time_wait(conn: Connection, now_us: int) -> None:
    conn.state = State.TIME_WAIT
    conn.time_wait_until = now_us + 2 * conn.msl_us


def close(conn: Connection, now_us: int) -> list[Segment]:
    fin = Segment(conn.snd_nxt, conn.rcv_nxt, Flags.FIN | Flags.ACK)
    conn.snd_nxt = seq_add(conn.snd_nxt, 1)
    conn.state = State.FIN_WAIT_1 if conn.state is State.ESTABLISHED else State.LAST_ACK
    return [fin]


def receive(conn: Connection, segment: Segment, now_us: int) -> list[Segment]:
    length = len(segment.data) + segment.has_syn + segment.has_fin
    if not _acceptable(segment.seq, length, conn.rcv_nxt, conn.rcv_wnd):
        if conn.state is State.TIME_WAIT and segment.has_fin:
            conn.time_wait_until = now_us + 2 * conn.msl_us  # the peer's FIN again
        return [_ack(conn)]
    if not segment.has_ack:
        return []
    # The ACK: advance SND.UNA over what it newly acknowledges (RFC 5961: not beyond SND.NXT).
    if seq_gt(segment.ack, conn.snd_nxt):
        return [_ack(conn)]
    if seq_lt(conn.snd_una, segment.ack):
        conn.snd_una = segment.ack
    fin_acked = conn.snd_una == conn.snd_nxt and conn.state in (
        State.FIN_WAIT_1,
        State.FIN_WAIT_2,
        State.CLOSING,
        State.LAST_ACK,
        State.TIME_WAIT,
    )
    if conn.state is State.CLOSING:
        if not fin_acked:
            return []
        _enter_time_wait(conn, now_us)
    elif conn.state is State.LAST_ACK and fin_acked:
        conn.state = State.CLOSED
        return []
    if not segment.has_fin:
        if conn.state is State.FIN_WAIT_1 and fin_acked:
            conn.state = State.FIN_WAIT_2
        return []
    # The FIN.
    if conn.state in (State.ESTABLISHED, State.FIN_WAIT_1, State.FIN_WAIT_2):
        conn.rcv_nxt = seq_add(conn.rcv_nxt, 1)
    if conn.state is State.ESTABLISHED:
        conn.state = State.CLOSE_WAIT
    elif conn.state is State.FIN_WAIT_1:
        if fin_acked:
            _enter_time_wait(conn, now_us)
        else:
            conn.state = State.CLOSING
    elif conn.state is State.FIN_WAIT_2:
        _enter_time_wait(conn, now_us)
    elif conn.state is State.TIME_WAIT:
        conn.time_wait_until = now_us + 2 * conn.msl_us
    return [_ack(conn)]


def time_wait_over(conn: Connection, now_us: int) -> list[Segment]:
    conn.state = State.CLOSED
    conn.time_wait_until = None
    return []


__all__ = ["close", "receive", "seq_le", "time_wait_over"]
