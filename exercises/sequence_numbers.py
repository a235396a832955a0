"""Exercise 1: sequence numbers (RFC 9293 section 3.4 and Table 6).

Every octet a TCP sends has a 32-bit sequence number, and the numbers wrap: after
4294967295 (2**32 - 1) comes 0. So "a comes before b" cannot be plain ``a < b``: it means
b is ahead of a by less than half the number space, 2**31. Write the functions below; each
says what it must do. ``check("sequence-numbers")`` in the exercise's notebook, or
``tcpedu check sequence_numbers.py``, tells you which parts are right.

Use only Python's integers: this exercise is the arithmetic itself.
"""

SEQ_SPACE = 2**32  # the sequence numbers are 0 .. SEQ_SPACE - 1


def seq_add(a: int, n: int) -> int:
    """a + n modulo 2**32: the sequence number n octets after a.

    seq_add(4294967295, 1) == 0
    """
    raise NotImplementedError("write seq_add")


def seq_lt(a: int, b: int) -> bool:
    """a < b modulo 2**32: b is ahead of a by less than 2**31.

    seq_lt(4294967295, 0) is True (0 comes one after 4294967295). Two numbers exactly 2**31
    apart are not compared (RFC 1982 leaves them undefined); the checker never asks.
    """
    raise NotImplementedError("write seq_lt")


def seq_le(a: int, b: int) -> bool:
    """a =< b modulo 2**32."""
    raise NotImplementedError("write seq_le")


def seq_gt(a: int, b: int) -> bool:
    """a > b modulo 2**32."""
    raise NotImplementedError("write seq_gt")


def seq_ge(a: int, b: int) -> bool:
    """a >= b modulo 2**32."""
    raise NotImplementedError("write seq_ge")


def acceptable(seg_seq: int, seg_len: int, rcv_nxt: int, rcv_wnd: int) -> bool:
    """May a receiver process this segment? RFC 9293 3.10.7.4, the first check (Table 6).

    seg_seq is the segment's first sequence number (SEG.SEQ) and seg_len how many it
    occupies (SEG.LEN: its data, plus one for a SYN and one for a FIN); rcv_nxt is the
    next number the receiver expects (RCV.NXT) and rcv_wnd how far beyond it may go
    (RCV.WND). All comparisons are modulo 2**32.

        SEG.LEN  RCV.WND  acceptable when
        0        0        SEG.SEQ = RCV.NXT
        0        >0       RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
        >0       0        never
        >0       >0       RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
                          or RCV.NXT =< SEG.SEQ+SEG.LEN-1 < RCV.NXT+RCV.WND
    """
    raise NotImplementedError("write acceptable")
