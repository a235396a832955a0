"""RFC behaviour of the engine (tcpedu/core/endpoint.py), one rule per test.

Most tests drive one ``Endpoint`` directly with crafted segments: our ISS is 1000 and the
peer's 5000, so once ESTABLISHED SND.NXT = 1001 and RCV.NXT = 5001. Timing tests use the
``Simulation`` and its virtual clock. Every expected number is worked out from the RFC rule
the test names.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from tcpedu import Simulation, parse, run_script
from tcpedu.core import (
    MAX_WINDOW,
    Condition,
    Endpoint,
    EndpointConfig,
    Event,
    Flags,
    IsnGenerator,
    Segment,
    State,
    arc_for,
    fill_bytes,
)

SYN, ACK, FIN, RST = Flags.SYN, Flags.ACK, Flags.FIN, Flags.RST
S = State
ISS = 1000
PEER_ISS = 5000
US = 1_000_000  # microseconds per second
MSL_US = 120 * US  # RFC 9293 glossary: MSL is 2 minutes


def make(**config) -> Endpoint:
    return Endpoint("us", config=EndpointConfig(isn=ISS, **config))


def sent(ep: Endpoint) -> list[Segment]:
    return [seg for seg, _ in ep.drain().segments]


def established(window: int = MAX_WINDOW, peer_window: int = MAX_WINDOW, **config) -> Endpoint:
    """ESTABLISHED by an active open: SND.NXT = 1001, RCV.NXT = 5001, at time 0."""
    ep = make(window=window, **config)
    ep.connect(0)
    ep.receive(Segment(PEER_ISS, ISS + 1, SYN | ACK, peer_window), 0)
    ep.drain()
    assert ep.state is S.ESTABLISHED
    return ep


def drive(state: State) -> tuple[Endpoint, int, int]:
    """An endpoint in a synchronized ``state`` (at time 0) with its SND.NXT and RCV.NXT."""
    ep = established()
    fin = 5001  # the peer's FIN, when it sends one
    if state in (S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSING, S.TIME_WAIT):
        ep.close(0)  # our FIN is 1001
        if state is S.CLOSING:
            ep.receive(Segment(fin, 1001, FIN | ACK), 0)
        elif state in (S.FIN_WAIT_2, S.TIME_WAIT):
            ep.receive(Segment(fin, 1002, ACK), 0)
            if state is S.TIME_WAIT:
                ep.receive(Segment(fin, 1002, FIN | ACK), 0)
    elif state in (S.CLOSE_WAIT, S.LAST_ACK):
        ep.receive(Segment(fin, 1001, FIN | ACK), 0)
        if state is S.LAST_ACK:
            ep.close(0)
    ep.drain()
    assert ep.state is state
    return ep, ep.tcb.snd_nxt, ep.tcb.rcv_nxt


SYNCHRONIZED = [S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSE_WAIT, S.CLOSING, S.LAST_ACK, S.TIME_WAIT]


def wait(sim: Simulation, seconds: Fraction | int) -> list:
    """Advance the simulation's clock by exactly ``seconds`` (whole microseconds)."""
    us = Fraction(seconds) * US
    assert us.denominator == 1
    return sim.wait(Decimal(int(us)) / US)


def is_rst(seg: Segment, seq: int) -> bool:
    """``seg`` is <SEQ=seq><CTL=RST> (its ACK field is meaningless without the ACK bit)."""
    return seg.flags == RST and seg.seq == seq and seg.data == b""


def is_ack(seg: Segment, seq: int, ack: int) -> bool:
    """``seg`` is <SEQ=seq><ACK=ack><CTL=ACK> carrying no data."""
    return seg.flags == ACK and (seg.seq, seg.ack, seg.data) == (seq, ack, b"")


# ------------------------------------------------------------------------------------------------
# 3.10.7.1 CLOSED


@pytest.mark.parametrize(
    ("seg", "expected_ack"),
    [
        (Segment(1000, 0, SYN), 1001),  # the SYN counts in SEG.LEN
        (Segment(1000, 0, SYN, data=b"0123456789"), 1011),
        (Segment(7, 0, FIN, data=b"abcde"), 13),  # 5 octets + FIN
        (Segment(42, 0, 0, data=b"xyz"), 45),
        (Segment(2**32 - 1, 0, SYN), 0),  # modulo 2**32
    ],
    ids=["SYN", "SYN+data", "FIN+data", "data", "SYN at 2**32-1"],
)
def test_closed_answers_a_segment_without_ack_with_rst_ack_seq_0_ack_seg_seq_plus_seg_len(seg, expected_ack):
    ep = make()
    ep.receive(seg, 0)
    out = sent(ep)
    assert len(out) == 1
    assert (out[0].flags, out[0].seq, out[0].ack, out[0].data) == (RST | ACK, 0, expected_ack, b"")
    assert ep.state is S.CLOSED and ep.tcb is None


@pytest.mark.parametrize(
    "seg",
    [Segment(5, 777, ACK), Segment(5, 777, SYN | ACK), Segment(5, 777, FIN | ACK, data=b"data")],
    ids=["ACK", "SYN,ACK", "FIN,ACK+data"],
)
def test_closed_answers_a_segment_with_ack_with_rst_seq_seg_ack(seg):
    ep = make()
    ep.receive(seg, 0)
    out = sent(ep)
    assert len(out) == 1 and is_rst(out[0], 777)
    assert ep.state is S.CLOSED and ep.received == b""


@pytest.mark.parametrize(
    "seg", [Segment(5, 0, RST), Segment(5, 9, RST | ACK), Segment(5, 9, RST | ACK, data=b"x")], ids=str
)
def test_closed_never_answers_a_rst(seg):
    ep = make()
    ep.receive(seg, 0)
    assert sent(ep) == []
    assert ep.state is S.CLOSED


def test_closed_after_a_connection_ends_answers_with_rst():
    ep, _, _ = drive(S.TIME_WAIT)
    ep.handle_timer(2 * MSL_US)
    assert ep.state is S.CLOSED
    ep.receive(Segment(5002, 1002, FIN | ACK), 2 * MSL_US)
    out = sent(ep)
    assert len(out) == 1 and is_rst(out[0], 1002)


# ------------------------------------------------------------------------------------------------
# 3.10.7.2 LISTEN


def listening(**config) -> Endpoint:
    ep = Endpoint("us", config=EndpointConfig(isn=PEER_ISS, **config))
    ep.listen(0)
    ep.drain()
    return ep


@pytest.mark.parametrize("seg", [Segment(100, 0, RST), Segment(100, 5001, RST | ACK)], ids=["RST", "RST,ACK"])
def test_listen_ignores_a_rst(seg):
    ep = listening()
    ep.receive(seg, 0)
    assert sent(ep) == []
    assert ep.state is S.LISTEN


@pytest.mark.parametrize(
    "seg",
    [Segment(100, 4242, ACK), Segment(100, 4242, SYN | ACK), Segment(100, 4242, FIN | ACK, data=b"d")],
    ids=["ACK", "SYN,ACK", "FIN,ACK"],
)
def test_listen_answers_any_ack_with_rst_seq_seg_ack(seg):
    ep = listening()
    ep.receive(seg, 0)
    out = sent(ep)
    assert len(out) == 1 and is_rst(out[0], 4242)
    assert ep.state is S.LISTEN
    assert ep.tcb.iss is None, "no ISS is selected for a segment that is not a SYN"


@pytest.mark.parametrize(
    "seg", [Segment(100, 0, FIN), Segment(100, 0, 0, data=b"hello"), Segment(100, 0, 0)], ids=["FIN", "data", "none"]
)
def test_listen_drops_a_segment_without_syn(seg):
    ep = listening()
    ep.receive(seg, 0)
    assert sent(ep) == []
    assert ep.state is S.LISTEN and ep.received == b""


def test_listen_answers_a_syn_with_syn_ack_seq_iss_ack_seg_seq_plus_1():
    ep = listening()
    ep.receive(Segment(100, 0, SYN, 4000), 0)
    assert sent(ep) == [Segment(PEER_ISS, 101, SYN | ACK, MAX_WINDOW)]
    tcb = ep.tcb
    assert ep.state is S.SYN_RECEIVED
    assert (tcb.irs, tcb.rcv_nxt, tcb.iss, tcb.snd_una, tcb.snd_nxt) == (100, 101, PEER_ISS, PEER_ISS, PEER_ISS + 1)


# ------------------------------------------------------------------------------------------------
# 3.10.7.3 SYN-SENT (ISS = 1000, SND.NXT = 1001)


def syn_sent() -> Endpoint:
    ep = make()
    ep.connect(0)
    assert sent(ep) == [Segment(ISS, 0, SYN, MAX_WINDOW)]
    return ep


@pytest.mark.parametrize("ack", [ISS, ISS - 1, ISS + 2, ISS + 70000], ids=["ISS", "ISS-1", "SND.NXT+1", "far"])
def test_syn_sent_answers_an_unacceptable_ack_with_rst_seq_seg_ack(ack):
    # SEG.ACK =< ISS or SEG.ACK > SND.NXT: <SEQ=SEG.ACK><CTL=RST>, discard, stay in SYN-SENT.
    ep = syn_sent()
    ep.receive(Segment(PEER_ISS, ack, SYN | ACK), 0)
    out = sent(ep)
    assert len(out) == 1 and is_rst(out[0], ack)
    assert ep.state is S.SYN_SENT
    assert ep.tcb.irs is None, "the segment is discarded"
    assert ep.timers()["retransmission"] == 1 * US, "our SYN is still waiting for its answer"


def test_syn_sent_drops_a_rst_whose_ack_is_unacceptable():
    ep = syn_sent()
    ep.receive(Segment(0, ISS, RST | ACK), 0)
    assert sent(ep) == []
    assert ep.state is S.SYN_SENT


def test_syn_sent_drops_a_rst_without_ack():
    ep = syn_sent()
    ep.receive(Segment(0, 0, RST), 0)
    assert sent(ep) == []
    assert ep.state is S.SYN_SENT


def test_syn_sent_rst_with_an_acceptable_ack_refuses_the_connection():
    ep = syn_sent()
    ep.receive(Segment(0, ISS + 1, RST | ACK), 0)
    out = ep.drain()
    assert out.segments == []
    assert out.arcs == [arc_for(S.SYN_SENT, Event.RCV_RST)]
    assert ep.state is S.CLOSED and ep.tcb is None and ep.timers() == {}


def test_syn_sent_drops_a_segment_with_neither_syn_nor_rst():
    ep = syn_sent()
    ep.receive(Segment(PEER_ISS, ISS + 1, ACK), 0)
    assert sent(ep) == []
    assert ep.state is S.SYN_SENT and ep.tcb.snd_una == ISS


def test_syn_sent_syn_ack_establishes_and_is_acked_seq_snd_nxt_ack_rcv_nxt():
    ep = syn_sent()
    ep.receive(Segment(PEER_ISS, ISS + 1, SYN | ACK, 3000), 0)
    out = sent(ep)
    assert len(out) == 1 and is_ack(out[0], ISS + 1, PEER_ISS + 1)
    tcb = ep.tcb
    assert ep.state is S.ESTABLISHED
    assert (tcb.irs, tcb.rcv_nxt, tcb.snd_una, tcb.snd_wnd) == (PEER_ISS, PEER_ISS + 1, ISS + 1, 3000)
    assert ep.timers() == {}, "everything we sent is acknowledged"


def test_syn_sent_syn_without_ack_is_a_simultaneous_open_answered_with_syn_ack_seq_iss():
    ep = syn_sent()
    ep.receive(Segment(PEER_ISS, 0, SYN, 2000), 0)
    assert sent(ep) == [Segment(ISS, PEER_ISS + 1, SYN | ACK, MAX_WINDOW)]
    assert ep.state is S.SYN_RECEIVED
    assert (ep.tcb.snd_wnd, ep.tcb.snd_wl1) == (2000, PEER_ISS)


# ------------------------------------------------------------------------------------------------
# 3.10.7.4 first check: Table 6 (RCV.NXT = 5001)


def _ack_probe(window: int, offset: int) -> tuple[bool, list[Segment], Endpoint]:
    """A zero-length ACK of our 10 outstanding octets at RCV.NXT + offset: was it processed?"""
    ep = established(window=window)
    ep.send(10, 0)
    ep.drain()
    ep.receive(Segment(5001 + offset, 1011, ACK), 0)
    return ep.tcb.snd_una == 1011, sent(ep), ep


@pytest.mark.parametrize(("offset", "acceptable"), [(0, True), (1, False), (-1, False)])
def test_table_6_zero_length_zero_window_acceptable_only_at_rcv_nxt(offset, acceptable):
    processed, out, _ = _ack_probe(0, offset)
    assert processed is acceptable
    if acceptable:
        assert out == []
    else:  # <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, then drop
        assert len(out) == 1 and is_ack(out[0], 1011, 5001)


@pytest.mark.parametrize(("offset", "acceptable"), [(0, True), (9, True), (10, False), (-1, False)])
def test_table_6_zero_length_open_window_rcv_nxt_le_seq_lt_rcv_nxt_plus_wnd(offset, acceptable):
    processed, out, _ = _ack_probe(10, offset)
    assert processed is acceptable
    if not acceptable:
        assert len(out) == 1 and is_ack(out[0], 1011, 5001)


def test_table_6_data_in_a_zero_window_is_not_acceptable():
    ep = established(window=0)
    ep.receive(Segment(5001, 1001, ACK, data=b"x"), 0)
    out = sent(ep)
    assert len(out) == 1 and is_ack(out[0], 1001, 5001)
    assert ep.received == b"" and ep.tcb.rcv_nxt == 5001


@pytest.mark.parametrize(
    ("offset", "length", "acceptable"),
    [
        (0, 5, True),  # starts at RCV.NXT
        (9, 1, True),  # starts at the last octet of the window
        (-2, 3, True),  # starts before the window, its last octet is RCV.NXT
        (-3, 3, False),  # entirely before RCV.NXT (a duplicate)
        (10, 1, False),  # starts just past the window
    ],
    ids=["at RCV.NXT", "last in window", "end in window", "old", "past window"],
)
def test_table_6_data_open_window_start_or_end_in_window(offset, length, acceptable):
    ep = established(window=10)
    data = bytes(range(65, 65 + length))
    ep.receive(Segment(5001 + offset, 1001, ACK, data=data), 0)
    out = sent(ep)
    if not acceptable:
        assert len(out) == 1 and is_ack(out[0], 1001, 5001)
    if offset > 0:  # fill the gap before it: an acceptable segment was held and now follows
        ep.receive(Segment(5001, 1001, ACK, data=b"g" * offset), 0)
    new = data[max(0, -offset) :]
    expected = b"g" * max(0, offset) + (new if acceptable else b"")
    assert bytes(ep.received) == expected
    assert ep.tcb.rcv_nxt == 5001 + len(expected)


# ------------------------------------------------------------------------------------------------
# 3.10.7.4 second check with RFC 5961 3.2 (RCV.WND = 100)


@pytest.mark.parametrize("offset", [-1, 100, 1000, -70000])
def test_rst_outside_the_receive_window_is_silently_dropped(offset):
    ep = established(window=100)
    ep.receive(Segment((5001 + offset) % 2**32, 0, RST), 0)
    assert sent(ep) == []
    assert ep.state is S.ESTABLISHED


@pytest.mark.parametrize("flags", [RST, RST | ACK], ids=["RST", "RST,ACK"])
@pytest.mark.parametrize("state", SYNCHRONIZED, ids=str)
def test_rst_exactly_at_rcv_nxt_resets_the_connection(state, flags):
    ep, snd_nxt, rcv_nxt = drive(state)
    ep.receive(Segment(rcv_nxt, snd_nxt, flags), 1)
    out = ep.drain()
    assert out.segments == [], "a RST is never answered"
    assert out.arcs == [arc_for(state, Event.RCV_RST)]
    assert ep.state is S.CLOSED and ep.tcb is None and ep.timers() == {}


@pytest.mark.parametrize("state", SYNCHRONIZED, ids=str)
def test_a_rst_tells_the_user_connection_reset_only_where_the_user_has_not_closed(state):
    # 3.10.7.4, second check: ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT: users "should also
    # receive an unsolicited general 'connection reset' signal"; CLOSING, LAST-ACK, TIME-WAIT:
    # "enter the CLOSED state, delete the TCB, and return", and nothing more.
    ep, snd_nxt, rcv_nxt = drive(state)
    ep.receive(Segment(rcv_nxt, snd_nxt, RST), 1)
    closed = state in (S.CLOSING, S.LAST_ACK, S.TIME_WAIT)
    assert [note.code for note in ep.drain().notes] == ["reset-after-close" if closed else "connection-reset"]


@pytest.mark.parametrize("offset", [1, 50, 99])
def test_rst_in_the_window_but_not_at_rcv_nxt_gets_a_challenge_ack(offset):
    ep = established(window=100)
    ep.receive(Segment(5001 + offset, 0, RST), 0)
    out = ep.drain()
    assert len(out.segments) == 1
    seg, tag = out.segments[0]
    assert is_ack(seg, 1001, 5001) and tag == "challenge ACK"
    assert ep.state is S.ESTABLISHED and out.arcs == []


def test_rst_at_rcv_nxt_resets_even_with_a_zero_receive_window():
    # MUST-66: RST processed even when the receive window is zero.
    ep = established(window=0)
    ep.receive(Segment(5001, 0, RST), 0)
    assert sent(ep) == []
    assert ep.state is S.CLOSED


def test_rst_in_syn_received_after_a_passive_open_returns_to_listen_silently():
    ep = listening()
    ep.receive(Segment(100, 0, SYN), 0)
    ep.drain()
    ep.receive(Segment(101, 0, RST), 0)
    out = ep.drain()
    assert out.segments == []
    assert ep.state is S.LISTEN and ep.timers() == {}, "the retransmission queue is flushed"
    ep.receive(Segment(900, 0, SYN), 0)  # and it listens again, for anyone
    assert sent(ep) == [Segment(PEER_ISS, 901, SYN | ACK, MAX_WINDOW)]


# ------------------------------------------------------------------------------------------------
# 3.10.7.4 fourth check: a SYN in a synchronized state (RFC 5961 4.2)


@pytest.mark.parametrize("where", ["in window", "outside window"])
@pytest.mark.parametrize("state", SYNCHRONIZED, ids=str)
def test_syn_in_a_synchronized_state_gets_a_challenge_ack_not_a_reset(state, where):
    ep, snd_nxt, rcv_nxt = drive(state)
    seq = rcv_nxt + 10 if where == "in window" else (rcv_nxt - 1000) % 2**32
    ep.receive(Segment(seq, 0, SYN), 1)
    out = ep.drain()
    assert len(out.segments) == 1 and is_ack(out.segments[0][0], snd_nxt, rcv_nxt)
    assert out.arcs == [] and ep.state is state


def test_syn_in_syn_received_after_an_active_open_gets_a_challenge_ack():
    # 3.10.7.4 fourth: not a passive OPEN, so "handle per the directions for synchronized states".
    ep = syn_sent()
    ep.receive(Segment(PEER_ISS, 0, SYN), 0)  # simultaneous open
    ep.drain()
    ep.receive(Segment(PEER_ISS + 5, 0, SYN), 0)
    out = ep.drain()
    assert [seg for seg, _ in out.segments] == [Segment(ISS + 1, PEER_ISS + 1, ACK, MAX_WINDOW)]
    assert ep.state is S.SYN_RECEIVED and out.arcs == []


# ------------------------------------------------------------------------------------------------
# 3.10.7.4 fifth check: the ACK field


def test_segment_without_ack_bit_is_dropped():
    ep = established()
    ep.receive(Segment(5001, 0, 0, data=b"abc"), 0)
    assert sent(ep) == []
    assert ep.received == b"" and ep.tcb.rcv_nxt == 5001


def test_ack_of_unsent_data_is_answered_with_an_ack_and_the_segment_dropped():
    ep = established()
    ep.send(10, 0)
    ep.drain()  # SND.NXT = 1011
    ep.receive(Segment(5001, 1012, ACK, data=b"hello"), 0)
    out = sent(ep)
    assert len(out) == 1 and is_ack(out[0], 1011, 5001)
    assert ep.received == b"", "the segment is dropped, text and all"
    assert (ep.tcb.snd_una, ep.tcb.rcv_nxt) == (1001, 5001)


def test_ack_below_snd_una_minus_max_snd_wnd_is_dropped_with_an_ack():
    # RFC 5961 5.2: acceptable only if SND.UNA - MAX.SND.WND =< SEG.ACK =< SND.NXT.
    ep = established(peer_window=1000)  # MAX.SND.WND = 1000, SND.UNA = 1001
    ep.receive(Segment(5001, 0, ACK, data=b"old"), 0)  # 1001 - 1000 - 1
    out = sent(ep)
    assert len(out) == 1 and is_ack(out[0], 1001, 5001)
    assert ep.received == b""
    ep.receive(Segment(5001, 1, ACK, data=b"new"), 0)  # exactly SND.UNA - MAX.SND.WND
    assert ep.received == b"new"


def test_syn_received_answers_an_unacceptable_ack_with_rst_seq_seg_ack():
    ep = listening()
    ep.receive(Segment(100, 0, SYN), 0)
    ep.drain()
    ep.receive(Segment(101, PEER_ISS + 7, ACK), 0)  # not SND.UNA < SEG.ACK =< SND.NXT
    out = sent(ep)
    assert len(out) == 1 and is_rst(out[0], PEER_ISS + 7)
    assert ep.state is S.SYN_RECEIVED


def test_send_window_is_not_updated_by_an_older_segment():
    # 3.10.7.4 ESTABLISHED: update only if SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK).
    ep = established(peer_window=1000)
    ep.receive(Segment(5001, 1001, ACK, 2000, b"abc"), 0)
    assert (ep.tcb.snd_wnd, ep.tcb.snd_wl1) == (2000, 5001)
    ep.receive(Segment(5004, 1001, ACK, 3000), 0)
    assert (ep.tcb.snd_wnd, ep.tcb.snd_wl1) == (3000, 5004)
    ep.receive(Segment(5001, 1001, ACK, 100, b"abcdef"), 0)  # a late, longer copy: SEG.SEQ < SND.WL1
    assert ep.received == b"abcdef"
    assert (ep.tcb.snd_wnd, ep.tcb.snd_wl1) == (3000, 5004)


# ------------------------------------------------------------------------------------------------
# TIME-WAIT (3.10.7.4 fifth and eighth steps, 3.10.8)


def to_time_wait(sim: Simulation) -> None:
    for side, call in (("server", "listen"), ("client", "connect")):
        sim.call(side, call)
    sim.deliver_all()
    sim.call("client", "close")
    sim.deliver_all()
    sim.call("server", "close")
    sim.deliver_all()
    assert sim.states == {"client": S.TIME_WAIT, "server": S.CLOSED}


@pytest.mark.parametrize(("msl", "msl_us"), [(None, MSL_US), (1, US), (30, 30 * US)], ids=["default", "1s", "30s"])
def test_time_wait_lasts_exactly_2_msl(msl, msl_us):
    sim = Simulation() if msl is None else Simulation(msl=msl)
    sim.wait(5)
    to_time_wait(sim)
    entered = sim.now_us
    assert sim.client.timers() == {"time-wait": entered + 2 * msl_us}
    wait(sim, Fraction(2 * msl_us - 1, US))
    assert sim.state("client") is S.TIME_WAIT
    records = wait(sim, Fraction(1, US))
    assert sim.state("client") is S.CLOSED
    assert records[0].time_us == entered + 2 * msl_us
    assert [arc for _, arc in records[0].arcs] == [arc_for(S.TIME_WAIT, Event.TIMEOUT_2MSL)]


def test_time_wait_acks_a_retransmitted_fin_and_restarts_2_msl():
    ep, snd_nxt, rcv_nxt = drive(S.TIME_WAIT)  # entered at 0: until 240 s
    assert ep.timers() == {"time-wait": 2 * MSL_US}
    ep.receive(Segment(5001, 1002, FIN | ACK), 100 * US)  # the peer's FIN again
    out = sent(ep)
    assert len(out) == 1 and is_ack(out[0], snd_nxt, rcv_nxt)
    assert ep.timers() == {"time-wait": 100 * US + 2 * MSL_US}
    ep.handle_timer(2 * MSL_US)
    assert ep.state is S.TIME_WAIT
    ep.handle_timer(100 * US + 2 * MSL_US)
    assert ep.state is S.CLOSED


def test_time_wait_restart_through_the_network_when_the_last_ack_is_lost():
    sim = Simulation(client_isn=1000, server_isn=5000)
    for side, call in (("server", "listen"), ("client", "connect")):
        sim.call(side, call)
    sim.deliver_all()
    sim.call("client", "close")
    sim.deliver_all()
    sim.call("server", "close")
    sim.deliver()  # client: TIME-WAIT at t=0, its ACK in flight
    sim.drop()
    sim.wait(1)  # the server's RTO: FIN again at t=1
    fin = sim.in_flight[0].segment
    assert fin.flags == FIN | ACK and fin.seq == 5001
    sim.deliver()
    assert sim.client.timers() == {"time-wait": 1 * US + 2 * MSL_US}
    sim.deliver()
    assert sim.state("server") is S.CLOSED


# ------------------------------------------------------------------------------------------------
# Retransmission (3.10.8, RFC 6298 5.4-5.6) and the user timeout (3.8.3)


def _lost_syn(sim: Simulation) -> str:
    sim.call("client", "connect")
    return "client"


def _lost_syn_ack(sim: Simulation) -> str:
    sim.call("server", "listen")
    sim.inject("server", Segment(100, 0, SYN))
    return "server"


def _handshake(sim: Simulation) -> None:
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.deliver_all()


def _lost_fin(sim: Simulation) -> str:
    _handshake(sim)
    sim.call("client", "close")
    return "client"


def _lost_data(sim: Simulation) -> str:
    _handshake(sim)
    sim.call("client", "send", 10)
    return "client"


@pytest.mark.parametrize("retries", [1, 4])
@pytest.mark.parametrize(
    ("lose", "flags"),
    [(_lost_syn, SYN), (_lost_syn_ack, SYN | ACK), (_lost_fin, FIN | ACK), (_lost_data, ACK)],
    ids=["SYN", "SYN,ACK", "FIN", "data"],
)
def test_retransmission_backs_off_1_2_4_seconds_and_gives_up_after_retries(lose, flags, retries):
    sim = Simulation(client_isn=100, server_isn=300, retries=retries)
    side = lose(sim)
    original = sim.in_flight[-1]
    assert original.sender == side and original.segment.flags == flags
    start = sim.now_us
    sim.drop(original.id)
    rto = 1 * US  # RFC 6298 2.1 (and 2.4: a sample below 1 s rounds up to 1 s)
    due = start
    for attempt in range(1, retries + 1):
        due += rto
        records = sim.wait_next()
        assert sim.now_us == due, f"retransmission {attempt}"
        again = [p for record in records for p in record.sent]
        assert [p.segment for p in again] == [original.segment] and again[0].tag == "retransmission"
        sim.drop(again[0].id)
        rto *= 2  # RFC 6298 5.5
    records = sim.wait_next()  # the timer expires once more: give up
    assert sim.now_us == due + rto
    assert [p for record in records for p in record.sent] == [], "giving up sends nothing"
    arcs = [arc for record in records for who, arc in record.arcs if who == side]
    assert len(arcs) == 1 and arcs[0].event is Event.USER_TIMEOUT
    assert sim.state(side) is S.CLOSED and sim.endpoint(side).tcb is None


def test_default_data_retries_give_up_after_127_seconds_at_least_r2s_100():
    # 6 retransmissions of a data segment: 1 + 2 + 4 + 8 + 16 + 32, then 64 s more (RFC 1122 4.2.3.5:
    # R2 at least 100 s). The RTO starts at 1 s: the handshake's RTT sample of 0 is raised to the floor.
    script = parse("server listen\nclient connect\ndeliver all\nclient send 10\n" + "drop\nwait next\n" * 7)
    run = run_script(script)
    assert run.ok and run.simulation.state("client") is S.CLOSED
    assert run.simulation.now_us == 127 * US


def test_an_ack_of_new_data_restarts_the_timer_and_all_acked_stops_it():
    # RFC 6298 5.2 and 5.3.
    ep = established(peer_window=MAX_WINDOW)
    ep.send(1000, 0)  # 536 + 464
    ep.drain()
    assert ep.timers() == {"retransmission": 1 * US}
    ep.receive(Segment(5001, 1537, ACK), US // 2)
    assert ep.timers() == {"retransmission": US // 2 + 1 * US}
    ep.receive(Segment(5001, 2001, ACK), US // 2 + 1)
    assert ep.timers() == {}


# ------------------------------------------------------------------------------------------------
# RFC 6298: the RTO from RTT samples, and Karn's rule

ALPHA, BETA, K = Fraction(1, 8), Fraction(1, 4), 4


def rfc6298_rto(samples_s: list[Fraction]) -> Fraction:
    """RFC 6298 2.2-2.4: RTO in seconds after ``samples_s`` (K*RTTVAR > G in these tests)."""
    srtt = rttvar = None
    for r in samples_s:
        if srtt is None:
            srtt, rttvar = r, r / 2  # 2.2
        else:
            rttvar = (1 - BETA) * rttvar + BETA * abs(srtt - r)  # 2.3, RTTVAR first
            srtt = (1 - ALPHA) * srtt + ALPHA * r
    return max(Fraction(1), srtt + K * rttvar)  # 2.4: rounded up to 1 second


def handshake_with_rtt(rtt: Fraction) -> Simulation:
    """The client's SYN,ACK arrives ``rtt`` seconds after its SYN left: its first sample."""
    sim = Simulation(client_isn=100, server_isn=300)
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.deliver()
    wait(sim, rtt)
    sim.deliver()  # SYN,ACK: the client's RTT sample
    sim.deliver()  # ACK: the server's (its SYN,ACK left at 0)
    return sim


def round_trip(sim: Simulation, rtt: Fraction, octets: int = 10) -> None:
    sim.call("client", "send", octets)
    wait(sim, rtt)
    sim.deliver()
    sim.deliver()


def rto_s(sim: Simulation, side: str = "client") -> Fraction:
    """The side's RTO in seconds (the engine keeps whole microseconds)."""
    return Fraction(round(sim.endpoint(side).snapshot()["RTO"] * US), US)


def same_time(a: Fraction, b: Fraction) -> bool:
    """Equal to the microsecond the engine counts in."""
    return abs(a - b) <= Fraction(1, US)


@pytest.mark.parametrize("rtt", [Fraction(1, 2), Fraction(4, 10), Fraction(9, 10)], ids=str)
def test_first_rtt_sample_gives_rto_srtt_plus_4_rttvar(rtt):
    sim = handshake_with_rtt(rtt)
    assert rto_s(sim) == rfc6298_rto([rtt]) == 3 * rtt
    sim.call("client", "send", 10)  # the timer runs for the new RTO
    assert sim.client.timers()["retransmission"] == sim.now_us + 3 * rtt * US


def test_later_rtt_samples_update_rttvar_then_srtt():
    samples = [Fraction(1, 2), Fraction(1, 5), Fraction(9, 10)]
    sim = handshake_with_rtt(samples[0])
    for count, rtt in enumerate(samples[1:], start=2):
        round_trip(sim, rtt)
        assert same_time(rto_s(sim), rfc6298_rto(samples[:count]))


def test_rto_is_rounded_up_to_1_second():
    sim = handshake_with_rtt(Fraction(1, 10))  # 0.1 + 4 * 0.05 = 0.3 s
    assert rto_s(sim) == 1


def test_karn_no_rtt_sample_from_a_retransmitted_segment():
    sim = handshake_with_rtt(Fraction(4, 10))  # RTO = 1.2 s
    sim.call("client", "send", 10)
    sim.drop()
    sim.wait_next()  # retransmitted at +1.2 s, RTO backed off to 2.4 s
    assert rto_s(sim) == Fraction(12, 5)
    wait(sim, Fraction(1, 10))
    sim.deliver()
    sim.deliver()  # its ACK: ambiguous, so no sample, and the backed-off RTO stays
    assert sim.client.tcb.snd_una == 111
    assert rto_s(sim) == Fraction(12, 5)
    round_trip(sim, Fraction(1, 5))  # the next sample folds into the handshake's alone
    assert same_time(rto_s(sim), rfc6298_rto([Fraction(4, 10), Fraction(1, 5)]))


def _syn_lost(times: int) -> Simulation:
    sim = Simulation(client_isn=100, server_isn=300)
    sim.call("server", "listen")
    sim.call("client", "connect")
    for _ in range(times):
        sim.drop()
        sim.wait_next()
    sim.deliver_all()
    assert sim.states == {"client": S.ESTABLISHED, "server": S.ESTABLISHED}
    return sim


def test_rto_is_3_seconds_when_data_begins_after_a_retransmitted_syn():
    # RFC 6298 5.7 (initial RTO 1 s < 3 s).
    sim = _syn_lost(1)
    assert rto_s(sim) == 3
    sim.call("client", "send", 10)
    assert sim.client.timers()["retransmission"] == sim.now_us + 3 * US


def test_rto_is_3_seconds_when_data_begins_after_a_retransmitted_syn_ack():
    sim = Simulation(client_isn=100, server_isn=300)
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.deliver()  # SYN
    sim.drop()  # SYN,ACK
    sim.wait(1)  # both timers: the client's SYN and the server's SYN,ACK go again
    sim.drop(sim.select("client").id)
    sim.deliver_all()
    assert sim.state("server") is S.ESTABLISHED
    assert rto_s(sim, "server") == 3


def test_rto_is_reinitialised_to_3_seconds_after_two_syn_retransmissions():
    # RFC 6298 5.7: the implementation's RTO (1 s) is below 3 s and the timer expired
    # awaiting the ACK of the SYN, so the RTO MUST be 3 s when data transmission begins
    # (section 7: "the default RTO is reverted to 3 seconds"), not the backed-off 4 s.
    sim = _syn_lost(2)
    assert rto_s(sim) == 3


def test_without_a_lost_syn_the_rto_comes_from_the_sample():
    sim = handshake_with_rtt(Fraction(1, 2))
    assert rto_s(sim) == Fraction(3, 2)


# ------------------------------------------------------------------------------------------------
# ISN (RFC 6528, RFC 9293 3.4.1): ISN = M + F(4-tuple, key), M ticking every 4 microseconds

A = ("192.0.2.1", 50000)
B = ("198.51.100.1", 80)


def test_isn_is_deterministic_for_a_seed():
    assert IsnGenerator(7)(A, B, 123_456) == IsnGenerator(7)(A, B, 123_456)


def test_isn_differs_for_different_seeds():
    values = {IsnGenerator(seed)(A, B, 0) for seed in range(20)}
    assert len(values) == 20


@pytest.mark.parametrize(
    "other",
    [
        (("192.0.2.2", 50000), B),
        (("192.0.2.1", 50001), B),
        (A, ("198.51.100.2", 80)),
        (A, ("198.51.100.1", 81)),
        (B, A),
    ],
    ids=["local ip", "local port", "remote ip", "remote port", "swapped"],
)
def test_isn_differs_for_different_four_tuples(other):
    gen = IsnGenerator(3)
    assert gen(*other, 1000) != gen(A, B, 1000)


@pytest.mark.parametrize("ticks", [1, 250, 250_000, 2**31])
def test_isn_increases_with_the_clock_one_per_4_microseconds(ticks):
    gen = IsnGenerator(11)
    t = 40_000
    assert (gen(A, B, t + 4 * ticks) - gen(A, B, t)) % 2**32 == ticks % 2**32
    assert gen(A, B, t + 3) == gen(A, B, t), "M ticks every 4 microseconds"


def test_isn_is_32_bits_and_its_clock_wraps():
    gen = IsnGenerator(5)
    for t in (0, 10**15, 4 * 2**32 + 8):
        assert 0 <= gen(A, B, t) < 2**32
    assert gen(A, B, 8 + 4 * 2**32) == gen(A, B, 8)


def test_endpoint_takes_its_iss_from_the_generator_at_the_current_time():
    gen = IsnGenerator(9)
    ep = Endpoint("c", A, B, EndpointConfig(isn_generator=gen))
    ep.connect(2_000_000)
    assert sent(ep)[0].seq == gen(A, B, 2_000_000)
    server = Endpoint("s", B, A, EndpointConfig(isn_generator=gen))
    server.listen(0)
    server.receive(Segment(7, 0, SYN), 3_000_000)
    assert sent(server)[0].seq == gen(B, A, 3_000_000)


def test_a_later_incarnation_of_the_connection_gets_a_larger_iss():
    ep = Endpoint("c", A, B, EndpointConfig())
    ep.connect(0)
    first = sent(ep)[0].seq
    ep.abort(1)
    ep.connect(1_000_000)
    second = sent(ep)[0].seq
    assert (second - first) % 2**32 == 1_000_000 // 4


def test_simulation_seed_picks_the_isn_key():
    def iss(seed: int) -> int:
        sim = Simulation(seed=seed)
        sim.call("client", "connect")
        return sim.in_flight[0].segment.seq

    assert iss(1) == iss(1) == IsnGenerator(1)(A, B, 0)
    assert iss(1) != iss(2)


# ------------------------------------------------------------------------------------------------
# Sending: segmentation by MSS and the peer's window


def test_data_is_segmented_by_the_default_mss_of_536():
    ep = established()
    ep.send(1200, 0)
    out = sent(ep)
    assert [len(seg.data) for seg in out] == [536, 536, 128]
    assert [seg.seq for seg in out] == [1001, 1537, 2073]
    assert all(seg.flags == ACK and seg.ack == 5001 for seg in out)
    assert b"".join(seg.data for seg in out) == fill_bytes(1200)


def test_data_is_segmented_by_a_configured_mss():
    ep = established(mss=100)
    ep.send(250, 0)
    assert [len(seg.data) for seg in sent(ep)] == [100, 100, 50]


def test_data_is_limited_by_the_peers_window():
    ep = established(peer_window=1000)  # SND.WND = 1000
    ep.send(1200, 0)
    out = sent(ep)
    assert [(seg.seq, len(seg.data)) for seg in out] == [(1001, 536), (1537, 464)]
    # The first 536 acknowledged, the window still 1000: 1000 - 464 outstanding = 536 of room.
    ep.receive(Segment(5001, 1537, ACK, 1000), 0)
    assert [(seg.seq, len(seg.data)) for seg in sent(ep)] == [(2001, 200)]


def test_a_smaller_window_from_the_peer_holds_data_back():
    ep = established(peer_window=1000)
    ep.receive(Segment(5001, 1001, ACK, 300), 0)  # the window shrinks to 300
    ep.send(1000, 0)
    assert [len(seg.data) for seg in sent(ep)] == [300]
    ep.receive(Segment(5001, 1301, ACK, 300), 0)
    assert [len(seg.data) for seg in sent(ep)] == [300]


def test_data_queued_in_syn_sent_goes_out_after_the_handshake():
    ep = syn_sent()
    ep.send(10, 0)
    assert sent(ep) == [], "3.10.2: queued for transmission after entering ESTABLISHED"
    ep.receive(Segment(PEER_ISS, ISS + 1, SYN | ACK), 0)
    out = sent(ep)
    data = [seg for seg in out if seg.data]
    assert len(data) == 1 and data[0].seq == ISS + 1 and data[0].ack == PEER_ISS + 1


def test_fin_follows_the_data_the_window_held_back():
    # 3.10.4 ESTABLISHED: the FIN is formed once all preceding SENDs are segmentized.
    ep = established(peer_window=500)
    ep.send(800, 0)
    ep.close(0)
    out = sent(ep)
    assert ep.state is S.FIN_WAIT_1
    assert [seg.flags for seg in out] == [ACK], "the FIN waits behind 300 unsent octets"
    ep.receive(Segment(5001, 1501, ACK, 500), 0)
    out = sent(ep)
    assert [(seg.flags, seg.seq, len(seg.data)) for seg in out] == [(ACK, 1501, 300), (FIN | ACK, 1801, 0)]


def test_abort_sends_rst_seq_snd_nxt_and_flushes_the_queues():
    ep = established(peer_window=500)
    ep.send(800, 0)  # 500 sent, 300 queued
    ep.drain()
    ep.abort(0)
    out = sent(ep)
    assert len(out) == 1 and is_rst(out[0], 1501)
    assert ep.state is S.CLOSED and ep.timers() == {}


# ------------------------------------------------------------------------------------------------
# Receiving: reassembly and duplicates (3.10.7.4 first and seventh steps)


def test_out_of_order_data_is_held_and_delivered_once_the_gap_fills():
    sim = Simulation(mss=100, client_isn=0, server_isn=0)
    _handshake(sim)
    sim.call("client", "send", 300)  # seq 1, 101, 201
    sim.deliver(sim.select("client", 3).id)
    sim.deliver(sim.select("client", 2).id)
    assert sim.server.received == b"" and sim.server.tcb.rcv_nxt == 1
    sim.deliver(sim.select("client", 1).id)
    assert bytes(sim.server.received) == fill_bytes(300)
    assert sim.server.tcb.rcv_nxt == 301
    acks = [p.segment.ack for p in sim.in_flight if p.sender == "server"]
    assert acks[-1] == 301


def test_duplicate_data_is_not_delivered_twice():
    ep = established()
    ep.receive(Segment(5001, 1001, ACK, data=b"hello"), 0)
    assert sent(ep) == [Segment(1001, 5006, ACK, MAX_WINDOW)]
    ep.receive(Segment(5001, 1001, ACK, data=b"hello"), 0)  # the duplicate
    out = sent(ep)
    assert len(out) == 1 and is_ack(out[0], 1001, 5006)
    assert ep.received == b"hello"


def test_a_segment_straddling_rcv_nxt_delivers_only_the_new_part():
    ep = established()
    ep.receive(Segment(5001, 1001, ACK, data=b"hello"), 0)
    ep.receive(Segment(5001, 1001, ACK, data=b"hello world"), 0)
    assert ep.received == b"hello world" and ep.tcb.rcv_nxt == 5012


def test_duplicate_data_through_the_network_is_not_delivered_twice():
    sim = Simulation(client_isn=0, server_isn=0)
    _handshake(sim)
    sim.call("client", "send", b"again")
    sim.duplicate()
    sim.deliver_all()
    assert sim.server.received == b"again"


def test_a_fin_out_of_order_waits_for_the_data_before_it():
    ep = established()
    ep.receive(Segment(5004, 1001, FIN | ACK, data=b"de"), 0)
    assert ep.state is S.ESTABLISHED and not ep.peer_closed
    ep.receive(Segment(5001, 1001, ACK, data=b"abc"), 0)
    assert ep.received == b"abcde"
    assert ep.state is S.CLOSE_WAIT and ep.tcb.rcv_nxt == 5007


# ------------------------------------------------------------------------------------------------
# Text on a SYN: held until ESTABLISHED (3.10.7.2 third, 3.10.7.3 fourth)


def test_data_on_a_syn_in_listen_is_held_until_established():
    ep = listening()
    ep.receive(Segment(100, 0, SYN, data=b"hello"), 0)
    # The SYN,ACK acknowledges the SYN only (RCV.NXT = SEG.SEQ+1); the text waits.
    assert sent(ep) == [Segment(PEER_ISS, 101, SYN | ACK, MAX_WINDOW)]
    assert ep.received == b""
    # The peer's ACK of our SYN comes from its SND.NXT: past its SYN and its 5 octets.
    ep.receive(Segment(106, PEER_ISS + 1, ACK), 0)
    assert ep.state is S.ESTABLISHED
    assert ep.received == b"hello"
    assert ep.tcb.rcv_nxt == 106
    assert sent(ep)[-1].ack == 106


def test_a_fin_on_a_syn_in_listen_is_processed_once_established():
    ep = listening()
    ep.receive(Segment(100, 0, SYN | FIN), 0)
    assert sent(ep)[0].ack == 101
    ep.receive(Segment(102, PEER_ISS + 1, ACK), 0)  # after the peer's SYN and FIN
    assert ep.state is S.CLOSE_WAIT and ep.peer_closed
    assert ep.tcb.rcv_nxt == 102


def test_data_on_a_syn_ack_is_delivered_on_entering_established():
    ep = syn_sent()
    ep.receive(Segment(PEER_ISS, ISS + 1, SYN | ACK, data=b"hi"), 0)
    assert ep.state is S.ESTABLISHED and ep.received == b"hi"
    out = sent(ep)
    assert len(out) == 1 and is_ack(out[0], ISS + 1, PEER_ISS + 3)


def test_data_on_a_syn_in_a_simultaneous_open_is_held_until_established():
    ep = syn_sent()
    ep.receive(Segment(PEER_ISS, 0, SYN, data=b"hey"), 0)
    assert ep.state is S.SYN_RECEIVED and ep.received == b""
    assert sent(ep)[0].ack == PEER_ISS + 1
    ep.receive(Segment(PEER_ISS + 4, ISS + 1, ACK), 0)
    assert ep.state is S.ESTABLISHED and ep.received == b"hey"


def test_data_on_a_syn_is_delivered_when_the_ack_carries_more_data():
    ep = listening()
    ep.receive(Segment(100, 0, SYN, data=b"hello"), 0)
    ep.drain()
    ep.receive(Segment(106, PEER_ISS + 1, ACK, data=b" world"), 0)
    assert ep.received == b"hello world"


# ------------------------------------------------------------------------------------------------
# CLOSE in SYN-RECEIVED (3.10.4)


def syn_received_with(data: int | None) -> Endpoint:
    ep = listening()
    ep.receive(Segment(100, 0, SYN), 0)
    if data:
        ep.send(data, 0)
    ep.drain()
    return ep


def test_close_in_syn_received_with_queued_data_waits_for_established():
    ep = syn_received_with(10)
    ep.close(0)
    out = ep.drain()
    # "otherwise, queue for processing after entering ESTABLISHED state": an arc of its own.
    assert out.segments == [] and out.arcs == [arc_for(S.SYN_RECEIVED, Event.CLOSE, Condition.DATA_QUEUED)]
    assert ep.state is S.SYN_RECEIVED
    ep.receive(Segment(101, PEER_ISS + 1, ACK), 0)
    out = ep.drain()
    assert out.arcs == [arc_for(S.SYN_RECEIVED, Event.RCV_ACK_OF_SYN), arc_for(S.ESTABLISHED, Event.CLOSE)]
    segs = [seg for seg, _ in out.segments]
    assert [(seg.flags, seg.seq, len(seg.data)) for seg in segs] == [
        (ACK, PEER_ISS + 1, 10),
        (FIN | ACK, PEER_ISS + 11, 0),
    ]
    assert ep.state is S.FIN_WAIT_1


def test_close_in_syn_received_without_data_sends_the_fin_at_once():
    ep = syn_received_with(None)
    ep.close(0)
    assert sent(ep) == [Segment(PEER_ISS + 1, 101, FIN | ACK, MAX_WINDOW)]
    assert ep.state is S.FIN_WAIT_1


def test_close_in_close_wait_sends_fin_after_queued_data():
    ep, snd_nxt, _ = drive(S.CLOSE_WAIT)
    ep.send(20, 0)
    ep.close(0)
    out = sent(ep)
    assert [(seg.flags, seg.seq, len(seg.data)) for seg in out] == [(ACK, snd_nxt, 20), (FIN | ACK, snd_nxt + 20, 0)]
    assert ep.state is S.LAST_ACK


# ------------------------------------------------------------------------------------------------
# Closing details (3.10.7.4 fifth and eighth steps)


def test_fin_wait_1_fin_that_also_acks_our_fin_goes_straight_to_time_wait():
    ep, _, _ = drive(S.FIN_WAIT_1)
    ep.receive(Segment(5001, 1002, FIN | ACK), 0)
    out = ep.drain()
    assert out.arcs == [arc_for(S.FIN_WAIT_1, Event.RCV_FIN_AND_ACK_OF_FIN)]
    assert ep.state is S.TIME_WAIT and ep.timers() == {"time-wait": 2 * MSL_US}
    assert [seg for seg, _ in out.segments] == [Segment(1002, 5002, ACK, MAX_WINDOW)]


def test_closing_ignores_an_ack_that_does_not_ack_our_fin():
    ep, _, _ = drive(S.CLOSING)
    ep.receive(Segment(5002, 1001, ACK), 0)
    assert ep.state is S.CLOSING
    ep.receive(Segment(5002, 1002, ACK), 0)
    assert ep.state is S.TIME_WAIT


def test_last_ack_closes_only_on_the_ack_of_our_fin():
    ep, _, _ = drive(S.LAST_ACK)
    ep.receive(Segment(5002, 1001, ACK), 0)
    assert ep.state is S.LAST_ACK
    ep.receive(Segment(5002, 1002, ACK), 0)
    assert ep.state is S.CLOSED and ep.tcb is None


def test_text_after_the_peers_fin_is_ignored():
    ep, _, rcv_nxt = drive(S.CLOSE_WAIT)
    ep.receive(Segment(rcv_nxt, 1001, ACK, data=b"late"), 0)
    assert ep.received == b"" and ep.tcb.rcv_nxt == rcv_nxt
