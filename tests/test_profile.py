"""The profiles (tcpedu/core/profile.py): RFC 9293's defaults, and Linux 6.x switch by switch.

Each test states what RFC 9293 says and what Linux does, with numbers worked out by hand from
the kernel's defaults (tcp_syn_retries 6, tcp_syn_linear_timeouts 4, tcp_synack_retries 5,
TCP_TIMEWAIT_LEN 60 s, tcp_fin_timeout 60 s, TCP_RTO_MIN 200 ms) and from the RFCs. The Linux
SYN schedule was also measured on Linux 6.18 in a network namespace: SYNs at 0, 1, 2, 3, 4, 5, 7,
11, 19, 35, 69 s and ETIMEDOUT at 134.9 s (its timers fire a little late; the schedule is 67, 131).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tcpedu import Simulation, parse, run_script
from tcpedu.core import Endpoint, EndpointConfig, Flags, Segment, State
from tcpedu.core.profile import PROFILES, SWITCHES, Profile
from tcpedu.core.transitions import ARCS, SWITCHED_ARCS, arc_for
from tcpedu.scenario.script import ScenarioError

SYN, ACK, FIN, RST = Flags.SYN, Flags.ACK, Flags.FIN, Flags.RST
S = State
US = 1_000_000
LINUX = PROFILES["linux"]
ISS, PEER_ISS = 1000, 5000


def sent_times(settings: str) -> tuple[list[float], float]:
    """Every SYN lost: the times the client sent one, and when it gave up (its ``connect`` failed)."""
    sim = run_script(parse(settings + "client connect\n")).simulation
    times = [0.0]
    while sim.state("client") is S.SYN_SENT:
        for packet in sim.in_flight:
            sim.drop(packet.id)
        records = sim.wait_next()
        times += [r.time for r in records for p in r.sent if p.sender == "client" and p.segment.has_syn]
    assert sim.state("client") is S.CLOSED
    return times, sim.time


def test_rfc_default_retransmits_a_syn_for_more_than_3_minutes_must_23():
    # 7 retransmissions 1, 2, 4, ..., 64 s apart; the 8th RTO (128 s) is capped at 120 s (RFC 6298 2.5).
    times, gave_up = sent_times("")
    assert times == [0, 1, 3, 7, 15, 31, 63, 127]
    assert gave_up == 127 + 120 and gave_up >= 180


def test_linux_syn_schedule_is_linear_four_times_then_doubles_and_gives_up_at_131_s():
    times, gave_up = sent_times("profile linux\n")
    assert times == [0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67]
    assert gave_up == 131


def test_retries_sets_every_kind_of_segment_as_before():
    # Scripts written before the profiles say "retries 6" and mean the SYN too: 127 s.
    times, gave_up = sent_times("retries 6\n")
    assert times == [0, 1, 3, 7, 15, 31, 63] and gave_up == 127


def test_syn_retries_counts_the_syn_alone_and_linux_adds_its_linear_timeouts():
    times, gave_up = sent_times("syn-retries 2\n")
    assert times == [0, 1, 3] and gave_up == 7
    times, gave_up = sent_times("profile linux\nsyn-retries 1\n")
    assert times == [0, 1, 2, 3, 4, 5] and gave_up == 7  # tcp_syn_retries 1 + 4 linear


def synack_times(profile: str) -> tuple[list[float], float]:
    sim = Simulation(profile=profile)
    sim.call("server", "listen")
    sim.inject("server", Segment(PEER_ISS, 0, SYN))
    times = [0.0]
    while sim.state("server") is S.SYN_RECEIVED:
        for packet in sim.in_flight:
            sim.drop(packet.id)
        records = sim.wait_next()
        times += [r.time for r in records for p in r.sent if p.sender == "server" and p.segment.has_syn]
    return times, sim.time


def test_rfc_retransmits_a_syn_ack_as_long_as_a_syn():
    times, gave_up = synack_times("rfc")
    assert times == [0, 1, 3, 7, 15, 31, 63, 127] and gave_up == 247


def test_linux_drops_a_half_open_connection_after_5_syn_ack_retransmissions_63_s():
    times, gave_up = synack_times("linux")
    assert times == [0, 1, 3, 7, 15, 31] and gave_up == 63


def test_data_retries_rfc_6_and_linux_15():
    for profile, expected in (("rfc", 6), ("linux", 15)):
        sim = Simulation(profile=profile)
        assert sim.client.config.max_retransmissions == expected


def closed_by_client(profile: str, msl: str = "120") -> Simulation:
    run = run_script(
        parse(f"profile {profile}\nmsl {msl}\nserver listen\nclient connect\ndeliver all\nclient close\ndeliver all\n")
    )
    sim = run.simulation
    assert sim.state("client") is S.FIN_WAIT_2
    return sim


def test_time_wait_lasts_2_msl_by_the_rfc_and_60_s_on_linux():
    for profile, msl, lasts in (("rfc", "120", 240), ("rfc", "1", 2), ("linux", "120", 60), ("linux", "1", 60)):
        sim = closed_by_client(profile, msl)
        sim.call("server", "close")
        sim.deliver_all()
        assert sim.state("client") is S.TIME_WAIT
        assert sim.client.timers() == {"time-wait": lasts * US}, (profile, msl)


def test_linux_drops_an_orphaned_fin_wait_2_after_60_s_and_the_rfc_waits():
    rfc = closed_by_client("rfc")
    assert rfc.client.timers() == {}
    linux = closed_by_client("linux")
    assert linux.client.timers() == {"fin-wait-2": 60 * US}
    records = linux.wait(61)
    assert linux.state("client") is S.CLOSED
    assert [p for r in records for p in r.sent] == [], "dropped silently"
    taken = [arc for r in records for _, arc in r.arcs]
    assert [arc.switch for arc in taken] == ["fin-wait-2-timeout"]


def test_the_peers_fin_in_fin_wait_2_stops_linuxs_fin_timeout():
    sim = closed_by_client("linux")
    sim.call("server", "close")
    sim.deliver_all()
    assert sim.state("client") is S.TIME_WAIT and sim.client.timers() == {"time-wait": 60 * US}


def endpoint(profile: str, **config) -> Endpoint:
    return Endpoint("us", config=EndpointConfig(isn=ISS, profile=Profile.parse(profile), **config))


def established(profile: str) -> Endpoint:
    ep = endpoint(profile)
    ep.connect(0)
    ep.receive(Segment(PEER_ISS, ISS + 1, SYN | ACK), 0)
    ep.drain()
    return ep


def test_abort_sends_rst_by_the_rfc_and_rst_ack_on_linux():
    for profile, expected in (
        ("rfc", Segment(ISS + 1, 0, RST, 0)),  # 3.10.5: <SEQ=SND.NXT><CTL=RST>
        ("linux", Segment(ISS + 1, PEER_ISS + 1, RST | ACK, 0)),  # tcp_send_active_reset
    ):
        ep = established(profile)
        ep.abort(1)
        assert [seg for seg, _ in ep.drain().segments] == [expected]


@pytest.mark.parametrize("fin_acked", [False, True], ids=["FIN-WAIT-1", "FIN-WAIT-2"])
def test_data_after_close_is_delivered_by_the_rfc_and_reset_by_linux(fin_acked):
    data = Segment(PEER_ISS + 1, ISS + 2 if fin_acked else ISS + 1, ACK, data=b"late")
    for profile in ("rfc", "linux"):
        ep = established(profile)
        ep.close(1)
        ep.drain()
        if fin_acked:
            ep.receive(Segment(PEER_ISS + 1, ISS + 2, ACK), 1)
            ep.drain()
        assert ep.state is (S.FIN_WAIT_2 if fin_acked else S.FIN_WAIT_1)
        ep.receive(data, 2)
        out = [seg for seg, _ in ep.drain().segments]
        if profile == "rfc":
            assert bytes(ep.received) == b"late" and out[-1].ack == PEER_ISS + 5
        else:  # the RST answers the segment (RFC 9293 3.10.7.1's rule): SEQ=SEG.ACK
            assert out == [Segment(data.ack, 0, RST, 0)] and ep.state is S.CLOSED and ep.received == b""


def syn_received(profile: str) -> Endpoint:
    ep = endpoint(profile)
    ep.listen(0)
    ep.receive(Segment(PEER_ISS, 0, SYN), 0)
    ep.drain()
    return ep


def test_a_duplicate_syn_in_syn_received_gets_an_ack_by_the_rfc_and_the_syn_ack_on_linux():
    rfc = syn_received("rfc")
    rfc.receive(Segment(PEER_ISS, 0, SYN), 1)
    assert [seg for seg, _ in rfc.drain().segments] == [Segment(ISS + 1, PEER_ISS + 1, ACK)]
    linux = syn_received("linux")
    linux.receive(Segment(PEER_ISS, 0, SYN), 1)
    assert linux.drain().segments == [(Segment(ISS, PEER_ISS + 1, SYN | ACK), "retransmission")]
    assert rfc.state is linux.state is S.SYN_RECEIVED


def test_a_simultaneous_open_completes_on_the_peers_syn_ack_on_linux_and_on_its_ack_by_the_rfc():
    for profile, after_syn_ack in (("rfc", S.SYN_RECEIVED), ("linux", S.ESTABLISHED)):
        ep = endpoint(profile)
        ep.connect(0)
        ep.receive(Segment(PEER_ISS, 0, SYN), 0)
        assert ep.state is S.SYN_RECEIVED
        ep.drain()
        ep.receive(Segment(PEER_ISS, ISS + 1, SYN | ACK), 1)
        assert ep.state is after_syn_ack, profile
        # Both answer with an ACK: the RFC's because the segment is old, Linux's as its arc says.
        assert [seg for seg, _ in ep.drain().segments] == [Segment(ISS + 1, PEER_ISS + 1, ACK)]
        ep.receive(Segment(PEER_ISS + 1, ISS + 1, ACK), 2)
        assert ep.state is S.ESTABLISHED


def server_in_time_wait(profile: str) -> Simulation:
    sim = Simulation(profile=profile, client_isn=100, server_isn=300)
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.deliver_all()
    sim.call("server", "close")
    sim.deliver_all()
    sim.call("client", "close")
    sim.deliver_all()
    assert sim.state("server") is S.TIME_WAIT and sim.state("client") is S.CLOSED
    return sim


def test_a_new_syn_above_rcv_nxt_reopens_time_wait_on_linux_and_gets_a_challenge_ack_by_the_rfc():
    # The server's old connection: SND.NXT = 302 (its FIN), RCV.NXT = 102 (the client's FIN).
    rfc = server_in_time_wait("rfc")
    rfc.inject("server", Segment(5000, 0, SYN))
    assert [p.segment for p in rfc.in_flight] == [Segment(302, 102, ACK)]  # RFC 5961 4.2
    assert rfc.state("server") is S.TIME_WAIT
    linux = server_in_time_wait("linux")
    linux.inject("server", Segment(5000, 0, SYN))
    assert linux.state("server") is S.SYN_RECEIVED
    # ISS = the old SND.NXT + 65535 + 2 (tcp_timewait_state_process)
    assert [p.segment for p in linux.in_flight] == [Segment(302 + 65537, 5001, SYN | ACK)]
    # and a RST there returns to LISTEN: the connection came from the listening port
    linux.inject("server", Segment(5001, 0, RST))
    assert linux.state("server") is S.LISTEN


def test_a_syn_at_or_below_rcv_nxt_does_not_reopen_time_wait_on_linux():
    sim = server_in_time_wait("linux")
    sim.inject("server", Segment(50, 0, SYN))
    assert sim.state("server") is S.TIME_WAIT


def test_linux_rto_floor_is_200_ms_and_the_rfcs_1_s():
    # An RTT sample of 0 (delivered at once): RTO = SRTT + max(G, 4*RTTVAR) = 1 ms, raised to the floor.
    for profile, floor in (("rfc", 1.0), ("linux", 0.2)):
        sim = Simulation(profile=profile)
        sim.call("server", "listen")
        sim.call("client", "connect")
        sim.deliver_all()
        assert sim.client.snapshot()["RTO"] == floor, profile


def test_profile_parse_adds_switches_and_names_what_is_wrong():
    assert Profile.parse("rfc") is PROFILES["rfc"] and Profile.parse(" Linux ") is LINUX
    one = Profile.parse("rfc+time-wait-60s")
    assert one.switches == {"time-wait-60s"} and str(one) == "rfc+time-wait-60s"
    with pytest.raises(ValueError, match="unknown profile 'bsd'"):
        Profile.parse("bsd")
    with pytest.raises(ValueError, match="unknown switch 'time-wait-30s'"):
        Profile.parse("rfc+time-wait-30s")


def test_a_bad_profile_line_is_reported_with_its_file_and_line():
    with pytest.raises(ScenarioError) as caught:
        parse("server listen\nprofile freebsd\n", "story.tcp")
    assert str(caught.value).startswith("story.tcp:2: unknown profile 'freebsd'")


def test_every_switch_is_documented_and_every_switched_arc_names_a_switch():
    assert set(LINUX.switches) == set(SWITCHES)
    for switch in SWITCHES.values():
        assert "RFC" in switch.rfc and switch.linux
    assert {arc.switch for arc in SWITCHED_ARCS} <= set(SWITCHES)
    assert all(arc.switch is None for arc in ARCS)


@given(st.sampled_from(ARCS), st.sets(st.sampled_from(sorted(SWITCHES))))
def test_without_its_switch_no_switched_arc_is_ever_taken(arc, switches):
    found = arc_for(arc.state, arc.event, arc.condition, frozenset(switches))
    assert found is not None
    if found.switch is not None:
        assert found.switch in switches
    assert arc_for(arc.state, arc.event, arc.condition) is arc


# ------------------------------------------------------------------------------------------------
# Zero-window probing (RFC 9293 3.8.6.1, MUST-36, MUST-37, SHLD-29, SHLD-30): both profiles.


def zero_window(profile: str = "rfc") -> Endpoint:
    """ESTABLISHED, 10 octets sent and acknowledged by a segment that closes the window."""
    ep = established(profile)
    ep.send(10, 0)
    ep.receive(Segment(PEER_ISS + 1, ISS + 11, ACK, 0), 0)
    ep.send(5, 0)
    ep.drain()
    return ep


def test_a_zero_window_with_data_waiting_starts_a_probe_timer_of_one_rto():
    ep = zero_window()
    # The ACK of the 10 octets was an RTT sample of 0: RTO = max(1 s floor, 0 + max(G, 0)) = 1 s.
    assert ep.timers() == {"persist": 1 * US}


def test_the_probe_is_one_octet_of_new_data_beyond_the_window_and_is_repeated_with_back_off():
    ep = zero_window()
    times, probes = [], []
    now = 0
    for _ in range(4):
        now = ep.next_timer()
        ep.handle_timer(now)
        times.append(now / US)
        probes += [seg for seg, _ in ep.drain().segments]
        # The receiver's window is still 0: the octet is outside it, so it answers with an ACK (Table 6).
        ep.receive(Segment(PEER_ISS + 1, ISS + 11, ACK, 0), now)
        assert ep.drain().segments == []
    assert times == [1, 3, 7, 15]  # first after an RTO, then doubling (SHLD-29, SHLD-30)
    assert probes == [Segment(ISS + 11, PEER_ISS + 1, ACK, data=b"a")] * 4
    assert ep.state is S.ESTABLISHED


def test_a_peer_that_answers_the_probes_is_never_given_up_must_37():
    ep = zero_window()
    for _ in range(20):  # far more than the 6 retransmissions that give up an unanswered segment
        now = ep.next_timer()
        ep.handle_timer(now)
        ep.drain()
        ep.receive(Segment(PEER_ISS + 1, ISS + 11, ACK, 0), now)
    assert ep.state is S.ESTABLISHED


def test_unanswered_probes_give_up_like_any_retransmission():
    ep = zero_window()
    for _ in range(8):
        ep.handle_timer(ep.next_timer())
    assert ep.state is S.CLOSED


def test_when_the_window_opens_the_probe_is_acknowledged_and_the_rest_goes_out():
    ep = zero_window()
    ep.handle_timer(ep.next_timer())
    ep.drain()
    ep.receive(Segment(PEER_ISS + 1, ISS + 12, ACK, 1000), 2 * US)  # took the probe; window open
    assert [(seg.seq, seg.data) for seg, _ in ep.drain().segments] == [(ISS + 12, b"bcde")]
    # The probe, sent at 1 s and acknowledged at 2 s, is an RTT sample of 1 s after two of 0 s:
    # RTTVAR = 0.25 s, SRTT = 0.125 s, RTO = 0.125 + 4 * 0.25 = 1.125 s (RFC 6298 2.3).
    assert ep.timers() == {"retransmission": 2 * US + 1_125_000}


def test_a_simulation_with_a_zero_window_receiver_keeps_probing():
    sim = Simulation(server_window=0, client_isn=100, server_isn=300)
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.deliver_all()
    sim.call("client", "send", 3)
    assert sim.in_flight == [] and "persist" in sim.client.timers()
    for _ in range(3):
        sim.wait_next()
        sim.deliver_all()
    assert sim.state("client") is S.ESTABLISHED and sim.server.received == b""


def test_the_readme_table_of_switches_names_every_switch_once():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## RFC 9293 and Linux: profiles") :]
    section = section[: section.index("\n## ")]
    rows = [line.split("|")[1].strip().strip("`") for line in section.splitlines() if line.startswith("| `")]
    assert rows == list(SWITCHES)
