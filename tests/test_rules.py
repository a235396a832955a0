"""RFC 9293's small rules (tcpedu/core/rules.py), each checked against the RFC's own words.

The expected values are written out from the RFC text: Table 6 for acceptability, 3.4 for
what an acknowledgement covers, 3.5.2 / 3.10.7.1 for the reset, 3.10.7.4 for the window.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tcpedu.core import Flags, Segment, ack_covering, reset_for, segment_acceptable, updates_window

SPACE = 2**32
SYN, ACK, FIN, RST = Flags.SYN, Flags.ACK, Flags.FIN, Flags.RST
numbers = st.integers(0, SPACE - 1)


def between(left: int, x: int, right: int) -> bool:
    """left =< x < right, modulo 2**32, as Table 6 writes it (right may be left + window)."""
    return (x - left) % SPACE < (right - left) % SPACE if right != left else False


@given(numbers, st.integers(0, 3000), numbers, st.integers(0, 65535))
def test_table_6_four_cases(seq, seg_len, rcv_nxt, rcv_wnd):
    end = (rcv_nxt + rcv_wnd) % SPACE
    if seg_len == 0 and rcv_wnd == 0:
        expected = seq == rcv_nxt
    elif seg_len == 0:
        expected = between(rcv_nxt, seq, end)
    elif rcv_wnd == 0:
        expected = False
    else:
        expected = between(rcv_nxt, seq, end) or between(rcv_nxt, (seq + seg_len - 1) % SPACE, end)
    assert segment_acceptable(seq, seg_len, rcv_nxt, rcv_wnd) is expected


@pytest.mark.parametrize(
    ("seq", "seg_len", "rcv_nxt", "rcv_wnd", "acceptable"),
    [
        (SPACE - 1, 0, SPACE - 1, 10, True),  # the window's left edge
        (8, 0, SPACE - 1, 10, True),  # across the wrap: RCV.NXT+RCV.WND-1 = 8
        (9, 0, SPACE - 1, 10, False),  # the right edge itself is outside
        (SPACE - 5, 5, SPACE - 1, 10, True),  # the last octet SEG.SEQ+SEG.LEN-1 = 2**32-1 is in
        (SPACE - 5, 4, SPACE - 1, 10, False),  # entirely old
        (5, 1, 5, 0, False),  # any text with a zero window
        (5, 0, 5, 0, True),  # a bare ACK at RCV.NXT with a zero window
    ],
)
def test_table_6_at_the_wrap(seq, seg_len, rcv_nxt, rcv_wnd, acceptable):
    assert segment_acceptable(seq, seg_len, rcv_nxt, rcv_wnd) is acceptable


def test_ack_covering_counts_the_syn_the_fin_and_every_octet():
    assert ack_covering(Segment(100, 0, SYN)) == 101
    assert ack_covering(Segment(100, 7, FIN | ACK)) == 101
    assert ack_covering(Segment(100, 7, ACK, data=b"hello")) == 105
    assert ack_covering(Segment(100, 0, SYN | FIN, data=b"ab")) == 104
    assert ack_covering(Segment(SPACE - 1, 7, FIN | ACK)) == 0  # modulo 2**32
    assert ack_covering(Segment(100, 7, ACK)) == 100  # a bare ACK occupies nothing


def test_the_reset_for_a_segment_with_an_ack_takes_its_sequence_number_from_the_ack():
    assert reset_for(Segment(100, 5000, ACK)) == Segment(5000, 0, RST, 0)  # <SEQ=SEG.ACK><CTL=RST>


def test_the_reset_for_a_segment_without_an_ack_acknowledges_it():
    # <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
    assert reset_for(Segment(100, 0, SYN)) == Segment(0, 101, RST | ACK, 0)
    assert reset_for(Segment(SPACE - 1, 0, SYN, data=b"x")) == Segment(0, 1, RST | ACK, 0)


def test_a_rst_is_never_answered():
    with pytest.raises(ValueError, match="never answered"):
        reset_for(Segment(1, 2, RST | ACK))


@pytest.mark.parametrize(
    ("wl1", "wl2", "seq", "ack", "updates"),
    [
        (None, None, 5, 6, True),  # no window yet
        (100, 50, 101, 10, True),  # SND.WL1 < SEG.SEQ: a newer segment, whatever its ACK
        (100, 50, 100, 50, True),  # same segment number, SND.WL2 =< SEG.ACK
        (100, 50, 100, 51, True),
        (100, 50, 100, 49, False),  # an older acknowledgement
        (100, 50, 99, 60, False),  # an older segment
        (SPACE - 1, 50, 0, 50, True),  # newer across the wrap
    ],
)
def test_the_window_is_updated_only_by_a_newer_segment(wl1, wl2, seq, ack, updates):
    assert updates_window(wl1, wl2, seq, ack) is updates
