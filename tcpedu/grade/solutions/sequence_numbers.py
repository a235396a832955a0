"""Exercise 1, a reference solution: sequence numbers (RFC 9293 3.4 and Table 6)."""

SEQ_SPACE = 2**32
HALF = 2**31


def seq_add(a: int, n: int) -> int:
    return (a + n) % SEQ_SPACE


def seq_lt(a: int, b: int) -> bool:
    # b is ahead of a by 1 .. 2**31 - 1
    return 0 < (b - a) % SEQ_SPACE < HALF


def seq_le(a: int, b: int) -> bool:
    return a == b or seq_lt(a, b)


def seq_gt(a: int, b: int) -> bool:
    return seq_lt(b, a)


def seq_ge(a: int, b: int) -> bool:
    return a == b or seq_lt(b, a)


def _in_window(x: int, left: int, size: int) -> bool:
    """left =< x < left + size, modulo 2**32."""
    return (x - left) % SEQ_SPACE < size


def acceptable(seg_seq: int, seg_len: int, rcv_nxt: int, rcv_wnd: int) -> bool:
    if seg_len == 0:
        if rcv_wnd == 0:
            return seg_seq == rcv_nxt
        return _in_window(seg_seq, rcv_nxt, rcv_wnd)
    if rcv_wnd == 0:
        return False
    last = seq_add(seg_seq, seg_len - 1)
    return _in_window(seg_seq, rcv_nxt, rcv_wnd) or _in_window(last, rcv_nxt, rcv_wnd)
