"""Sequence-number arithmetic modulo 2**32 (RFC 9293 section 3.4) and segment field ranges.

RFC 9293 3.4: "the sequence number space ranges from 0 to 2**32 - 1 ... all arithmetic
dealing with sequence numbers must be performed modulo 2**32", and comparisons are the
serial-number comparisons of RFC 1982: ``a < b`` when ``b`` is ahead of ``a`` by less than
half the space. The properties below are stated from that definition, never from the code.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcpedu.core import (
    MAX_WINDOW,
    SEQ_SPACE,
    Flags,
    Segment,
    in_window,
    seq_add,
    seq_ge,
    seq_gt,
    seq_le,
    seq_lt,
    seq_sub,
)

HALF = 2**31

seqs = st.one_of(
    st.integers(0, SEQ_SPACE - 1),
    st.integers(SEQ_SPACE - 70_000, SEQ_SPACE - 1),  # just below the wrap
    st.integers(0, 70_000),  # just above it
    st.sampled_from([0, 1, HALF - 1, HALF, HALF + 1, SEQ_SPACE - 1]),
)
# Any amount that can be added to a sequence number, including whole turns of the space.
amounts = st.integers(-(2 * SEQ_SPACE), 2 * SEQ_SPACE)
# A forward distance short of half the space: the only distances RFC 1982 orders.
ahead = st.integers(1, HALF - 1)

SEQ = settings(max_examples=200, deadline=None)


@SEQ
@given(seqs, amounts)
def test_seq_add_stays_in_the_32_bit_sequence_space(a, n):
    assert 0 <= seq_add(a, n) < SEQ_SPACE
    assert seq_add(a, n) == (a + n) % SEQ_SPACE


@SEQ
@given(seqs, amounts)
def test_seq_sub_undoes_seq_add_modulo_2_32(a, n):
    assert seq_sub(seq_add(a, n), a) == n % SEQ_SPACE
    assert seq_add(seq_sub(a, n % SEQ_SPACE), n) == a


@SEQ
@given(seqs, seqs)
def test_seq_add_of_the_difference_gets_back_to_the_first_number(a, b):
    distance = seq_sub(a, b)
    assert 0 <= distance < SEQ_SPACE
    assert seq_add(b, distance) == a


@SEQ
@given(seqs)
def test_seq_lt_is_irreflexive(a):
    assert not seq_lt(a, a)
    assert not seq_gt(a, a)
    assert seq_le(a, a)
    assert seq_ge(a, a)


@SEQ
@given(seqs, seqs)
def test_seq_lt_is_asymmetric(a, b):
    assert not (seq_lt(a, b) and seq_lt(b, a))
    assert not (seq_gt(a, b) and seq_gt(b, a))


@SEQ
@given(seqs, ahead)
def test_a_number_is_less_than_any_number_ahead_of_it_by_less_than_half_the_space(a, k):
    # RFC 9293 3.4: holds across the wrap from 2**32 - 1 to 0.
    b = seq_add(a, k)
    assert seq_lt(a, b)
    assert seq_le(a, b)
    assert seq_gt(b, a)
    assert seq_ge(b, a)
    assert not seq_lt(b, a)
    assert not seq_le(b, a)


@SEQ
@given(st.integers(SEQ_SPACE - 1000, SEQ_SPACE - 1), st.integers(0, 1000))
def test_numbers_just_past_the_wrap_are_greater_than_numbers_just_before_it(a, b):
    # b = a + k for some 0 < k =< 2000 that carries past 2**32 - 1: numerically smaller, but ahead.
    assert b < a
    assert seq_lt(a, b)
    assert seq_gt(b, a)
    assert seq_sub(b, a) == b + SEQ_SPACE - a


@SEQ
@given(seqs, seqs)
def test_comparisons_agree_with_each_other(a, b):
    assert seq_gt(a, b) == seq_lt(b, a)
    assert seq_ge(a, b) == seq_le(b, a)
    assert seq_le(a, b) == (a == b or seq_lt(a, b))
    assert seq_ge(a, b) == (a == b or seq_gt(a, b))


@SEQ
@given(seqs, seqs)
def test_any_two_numbers_not_exactly_half_the_space_apart_are_ordered_one_way(a, b):
    if seq_sub(a, b) == HALF:
        return  # RFC 1982 leaves this pair undefined; test_half_space_apart covers it
    assert [a == b, seq_lt(a, b), seq_gt(a, b)].count(True) == 1


@SEQ
@given(seqs)
def test_numbers_exactly_half_the_space_apart_are_not_ordered(a):
    b = seq_add(a, HALF)
    assert not seq_lt(a, b) and not seq_lt(b, a)
    assert not seq_gt(a, b) and not seq_gt(b, a)


@SEQ
@given(seqs, seqs, amounts)
def test_comparisons_are_unchanged_by_moving_both_numbers(a, b, n):
    a2, b2 = seq_add(a, n), seq_add(b, n)
    assert seq_lt(a, b) == seq_lt(a2, b2)
    assert seq_le(a, b) == seq_le(a2, b2)


@SEQ
@given(seqs, st.integers(0, SEQ_SPACE - 1), st.integers(0, MAX_WINDOW))
def test_in_window_holds_exactly_left_to_left_plus_size_minus_one(left, k, size):
    # RCV.NXT =< SEG.SEQ < RCV.NXT + RCV.WND (RFC 9293 3.4, Table 6), modulo 2**32.
    assert in_window(seq_add(left, k), left, size) == (k < size)


@SEQ
@given(seqs, seqs)
def test_an_empty_window_holds_nothing(x, left):
    assert not in_window(x, left, 0)


@SEQ
@given(seqs, st.integers(1, MAX_WINDOW))
def test_a_window_holds_its_left_edge_and_not_its_right_edge(left, size):
    assert in_window(left, left, size)
    assert in_window(seq_add(left, size - 1), left, size)
    assert not in_window(seq_add(left, size), left, size)
    assert not in_window(seq_add(left, -1), left, size)


@SEQ
@given(seqs, st.integers(1, MAX_WINDOW), seqs)
def test_in_window_agrees_with_the_rfc_comparisons(left, size, x):
    right = seq_add(left, size)
    assert in_window(x, left, size) == (seq_le(left, x) and seq_lt(x, right))


# --- Segment fields (RFC 9293 3.1: 32-bit sequence and acknowledgment numbers, 16-bit window)


@pytest.mark.parametrize(
    "fields",
    [
        {"seq": SEQ_SPACE},
        {"seq": -1},
        {"seq": SEQ_SPACE + 12345},
        {"ack": -1},
        {"ack": SEQ_SPACE},
        {"wnd": MAX_WINDOW + 1},
        {"wnd": -1},
        {"seq": True},
        {"seq": 1.0},
        {"flags": 0x40},
        {"data": "text"},
    ],
    ids=repr,
)
def test_segment_rejects_fields_out_of_range(fields):
    values = {"seq": 0, "ack": 0, "flags": Flags.ACK, "wnd": 0, "data": b""} | fields
    with pytest.raises(ValueError):
        Segment(**values)


@SEQ
@given(
    st.one_of(st.integers(SEQ_SPACE, 2**40), st.integers(-(2**40), -1)),
    st.sampled_from(["seq", "ack"]),
)
def test_segment_rejects_any_number_outside_the_32_bit_space(value, field):
    with pytest.raises(ValueError):
        Segment(**{"seq": 0, field: value})


@SEQ
@given(st.one_of(st.integers(MAX_WINDOW + 1, 2**32), st.integers(-(2**32), -1)))
def test_segment_rejects_a_window_that_does_not_fit_16_bits(wnd):
    with pytest.raises(ValueError):
        Segment(0, 0, Flags.ACK, wnd)


@SEQ
@given(
    seqs,
    seqs,
    st.sets(st.sampled_from([Flags.SYN, Flags.ACK, Flags.FIN, Flags.RST, Flags.PSH, Flags.URG])),
    st.integers(0, MAX_WINDOW),
    st.binary(max_size=20),
)
def test_segment_length_counts_syn_and_fin_as_one_each(seq, ack, flags, wnd, data):
    # RFC 9293 3.4: SEG.LEN counts the data octets plus one for SYN and one for FIN.
    bits = Flags(0)
    for flag in flags:
        bits |= flag
    seg = Segment(seq, ack, bits, wnd, data)
    assert (seg.seq, seg.ack, seg.wnd, seg.data) == (seq, ack, wnd, data)
    assert seg.seg_len == len(data) + (Flags.SYN in flags) + (Flags.FIN in flags)
    assert seg.has_syn == (Flags.SYN in flags)
    assert seg.has_ack == (Flags.ACK in flags)
    assert seg.has_fin == (Flags.FIN in flags)
    assert seg.has_rst == (Flags.RST in flags)


def test_segment_accepts_the_extreme_field_values():
    seg = Segment(SEQ_SPACE - 1, SEQ_SPACE - 1, Flags.ACK, MAX_WINDOW)
    assert (seg.seq, seg.ack, seg.wnd) == (SEQ_SPACE - 1, SEQ_SPACE - 1, MAX_WINDOW)
    assert Segment(0, 0, 0, 0).seg_len == 0
