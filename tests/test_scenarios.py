"""The named scenarios (tcpedu/scenario/library/*.tcp).

Every scenario runs with all its ``expect`` lines met. The ones the project's issue requires
(every example figure of RFC 9293 sections 3.5 and 3.6, and the seed note's cases) exist, and a
few key facts of each are checked here independently of the scenario's own ``expect`` lines:
the segments are compared with the RFC's figures, the times with 2*MSL (MSL = 2 minutes) and
RFC 6298's doubling RTO.
"""

from __future__ import annotations

import re

import pytest

from tcpedu.cli import main
from tcpedu.scenario import load_scenario, run_script, scenario_names
from tcpedu.scenario.script import Expect, ExpectRefused

NAMES = scenario_names()
TWO_MSL = 240.0  # RFC 9293 glossary: MSL is 2 minutes

# Each required case -> (the shipped scenario, what its title must mention).
REQUIRED = {
    "RFC 9293 Figure 6: basic three-way handshake": ("three-way-handshake", "Figure 6"),
    "RFC 9293 Figure 7: simultaneous open": ("simultaneous-open", "Figure 7"),
    "RFC 9293 Figure 8: recovery from an old duplicate SYN": ("old-duplicate-syn", "Figure 8"),
    "RFC 9293 Figure 9: half-open connection discovery": ("half-open-discovery", "Figure 9"),
    "RFC 9293 Figure 10: active side causes half-open discovery": ("half-open-active-side", "Figure 10"),
    "RFC 9293 Figure 11: old duplicate SYN initiates a reset on two passive sockets": (
        "two-passive-sockets",
        "Figure 11",
    ),
    "RFC 9293 3.5.2: reset generation": ("reset-generation", "3.5.2"),
    "RFC 9293 Figure 12: normal close sequence": ("normal-close", "Figure 12"),
    "RFC 9293 Figure 13: simultaneous close sequence": ("simultaneous-close", "Figure 13"),
    "seed note: 3-way handshake": ("three-way-handshake", "seed note"),
    "seed note: 4-way handshake with half-close and data": ("four-way-handshake", "seed note"),
    "seed note: TIME-WAIT with a lost last ACK": ("time-wait-lost-ack", "seed note"),
}


def records(name: str):
    """Everything that happened in the run of scenario ``name``, which must have gone through."""
    run = run_script(load_scenario(name))
    assert run.ok, (run.error, run.failure)
    return [record for step in run.steps for record in step.records]


def sent(name: str) -> list[tuple]:
    """(time, from, flags, seq, ack or None, len, tag) of every segment an endpoint sent."""
    out = []
    for record in records(name):
        for packet in record.sent:
            if packet.copy_of is None:
                seg = packet.segment
                ack = seg.ack if seg.has_ack else None
                out.append((record.time, packet.sender, str(seg.flags), seg.seq, ack, seg.len, packet.tag))
    return out


def figure(name: str) -> list[tuple]:
    """(from, flags, seq, ack, len) of every segment sent, as the RFC's figures write them."""
    return [(sender, flags, seq, ack, length) for _, sender, flags, seq, ack, length, _ in sent(name)]


def path(name: str, side: str) -> list[str]:
    """The states ``side`` went through, in order (arcs that stay in a state left out)."""
    states = []
    for record in records(name):
        for who, arc in record.arcs:
            if who == side and arc.state is not arc.target:
                states = states or [arc.state.value]
                states.append(arc.target.value)
    return states


def entered(name: str, side: str, state: str) -> list[float]:
    """The times at which ``side`` entered ``state``."""
    return [
        record.time
        for record in records(name)
        for who, arc in record.arcs
        if who == side and arc.target.value == state and arc.state is not arc.target
    ]


# ----------------------------------------------------------------------------------------------
# Every scenario


def test_the_library_has_scenarios():
    assert len(NAMES) >= 12


@pytest.mark.parametrize("name", NAMES)
def test_scenario_runs_with_every_expectation_met(name):
    run = run_script(load_scenario(name))
    assert run.error is None, str(run.error)
    assert run.failure is None, run.failure and run.failure.message
    assert run.ok and run.steps
    assert len(run.checks) == sum(isinstance(c, (Expect, ExpectRefused)) for c in load_scenario(name).commands)
    assert all(check.ok for check in run.checks)


@pytest.mark.parametrize("name", NAMES)
def test_scenario_has_a_title_and_at_least_one_expect_line(name):
    script = load_scenario(name)
    assert script.title
    assert any(isinstance(command, Expect) for command in script.commands)


HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.mark.parametrize("name", NAMES)
def test_scenario_has_its_title_description_and_every_lines_narration_in_korean(name):
    script = load_scenario(name)
    assert HANGUL.search(script.title_ko) and HANGUL.search(script.description_ko)
    assert script.narration, "a named scenario narrates its steps"
    for line, (english, korean) in script.narration.items():
        assert english and HANGUL.search(korean), f"{name}:{line}: {english!r} has no Korean (#ko:) line"


def test_the_lost_third_ack_is_resent_by_the_servers_timer_and_re_acked():
    # RFC 9293 3.10.7.3: the SYN,ACK makes the client ESTABLISHED at once; the lost ACK leaves the
    # server in SYN-RECEIVED, whose timer resends <SEQ=300><ACK=101><CTL=SYN,ACK> after RTO = 1 s
    # (RFC 6298 2.1); in ESTABLISHED its SYN (seq 300 < RCV.NXT 301) is unacceptable and answered
    # with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> (3.10.7.4, first check), which completes the handshake.
    run = run_script(load_scenario("lost-third-ack"))
    sent = [
        (p.sender, str(p.segment.flags), p.segment.seq, p.segment.ack, r.time)
        for r in run.simulation.history
        for p in r.sent
    ]
    assert sent == [
        ("client", "SYN", 100, 0, 0.0),
        ("server", "SYN,ACK", 300, 101, 0.0),
        ("client", "ACK", 101, 301, 0.0),
        ("server", "SYN,ACK", 300, 101, 1.0),
        ("client", "ACK", 101, 301, 1.0),
    ]
    assert run.ok and str(run.simulation.state("server")) == "ESTABLISHED"


@pytest.mark.parametrize("name", NAMES)
def test_scenario_exits_0_through_the_command_line(name, capsys):
    assert main(["run", name]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(("case", "name_and_mark"), REQUIRED.items(), ids=list(REQUIRED))
def test_required_case_is_shipped(case, name_and_mark):
    name, mark = name_and_mark
    assert name in NAMES, f"no scenario for {case}"
    assert mark in load_scenario(name).title


# ----------------------------------------------------------------------------------------------
# RFC 9293 section 3.5


def test_three_way_handshake_sends_the_segments_of_figure_6():
    assert figure("three-way-handshake")[:4] == [
        ("client", "SYN", 100, None, 0),  # line 2
        ("server", "SYN,ACK", 300, 101, 0),  # line 3
        ("client", "ACK", 101, 301, 0),  # line 4
        ("client", "ACK", 101, 301, 5),  # line 5: data, and the ACK took no sequence number
    ]
    assert path("three-way-handshake", "client") == ["CLOSED", "SYN-SENT", "ESTABLISHED"]
    assert path("three-way-handshake", "server") == ["CLOSED", "LISTEN", "SYN-RECEIVED", "ESTABLISHED"]


def test_simultaneous_open_takes_both_sides_through_syn_sent_and_syn_received_to_established():
    for side in ("client", "server"):
        assert path("simultaneous-open", side) == ["CLOSED", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED"]
    segments = figure("simultaneous-open")
    assert ("client", "SYN,ACK", 100, 301, 0) in segments  # Figure 7 line 5
    assert ("server", "SYN,ACK", 300, 101, 0) in segments  # Figure 7 line 6
    assert not any("RST" in flags for _, flags, *_ in segments)


def test_old_duplicate_syn_is_reset_and_the_server_goes_back_to_listen_as_in_figure_8():
    segments = figure("old-duplicate-syn")
    assert segments.index(("server", "SYN,ACK", 300, 91, 0)) < segments.index(("client", "RST", 91, None, 0))
    assert ("server", "SYN,ACK", 400, 101, 0) in segments  # line 7
    assert ("client", "ACK", 101, 401, 0) in segments  # line 8
    assert path("old-duplicate-syn", "server") == [
        "CLOSED",
        "LISTEN",
        "SYN-RECEIVED",
        "LISTEN",
        "SYN-RECEIVED",
        "ESTABLISHED",
    ]
    assert path("old-duplicate-syn", "client")[-1] == "ESTABLISHED"


def test_half_open_discovery_follows_figure_9():
    segments = figure("half-open-discovery")
    after_crash = segments[segments.index(("client", "SYN", 400, None, 0)) :]
    assert after_crash[:3] == [
        ("client", "SYN", 400, None, 0),  # line 3
        ("server", "ACK", 300, 100, 0),  # line 4: B is still ESTABLISHED
        ("client", "RST", 100, None, 0),  # line 5: A resets B
    ]
    # B aborts (line 5), listens again and the retransmitted SYN (line 7) opens a new connection
    assert path("half-open-discovery", "server")[-5:] == [
        "ESTABLISHED",
        "CLOSED",
        "LISTEN",
        "SYN-RECEIVED",
        "ESTABLISHED",
    ]
    assert segments[-3:] == [
        ("client", "SYN", 400, None, 0),
        ("server", "SYN,ACK", 299, 401, 0),  # the script fixes B's ISS at 299 for every open
        ("client", "ACK", 401, 300, 0),
    ]


def test_half_open_active_side_follows_figure_10():
    segments = figure("half-open-active-side")
    assert segments[-2:] == [("server", "ACK", 300, 100, 10), ("client", "RST", 100, None, 0)]
    assert path("half-open-active-side", "server")[-2:] == ["ESTABLISHED", "CLOSED"]


def test_two_passive_sockets_follow_figure_11():
    assert figure("two-passive-sockets") == [("server", "SYN,ACK", 5000, 1001, 0), ("client", "RST", 1001, None, 0)]
    assert path("two-passive-sockets", "server") == ["CLOSED", "LISTEN", "SYN-RECEIVED", "LISTEN"]
    assert path("two-passive-sockets", "client") == ["CLOSED", "LISTEN"]


def test_reset_generation_sends_exactly_the_resets_of_section_3_5_2():
    segments = figure("reset-generation")
    resets = [segment for segment in segments if "RST" in segment[1]]
    assert resets == [
        ("server", "RST,ACK", 0, 101, 0),  # rule 1: no ACK bit: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
        ("server", "RST", 777, None, 0),  # rule 2: <SEQ=SEG.ACK><CTL=RST>
    ]
    # rule 3: synchronized: an empty ACK <SEQ=SND.NXT><ACK=RCV.NXT> for each unacceptable segment
    assert segments[-2:] == [("server", "ACK", 301, 101, 0), ("server", "ACK", 301, 101, 0)]


def test_challenge_ack_answers_an_in_window_rst_and_only_the_exact_one_resets():
    segments = sent("challenge-ack")
    challenges = [(flags, seq, ack) for _, sender, flags, seq, ack, _, tag in segments if tag == "challenge ACK"]
    assert challenges[0] == ("ACK", 5001, 1001)
    assert path("challenge-ack", "server")[-2:] == ["ESTABLISHED", "CLOSED"]


# ----------------------------------------------------------------------------------------------
# RFC 9293 section 3.6 and the seed note


def test_normal_close_follows_figure_12_and_waits_2_msl():
    assert figure("normal-close")[3:] == [
        ("client", "FIN,ACK", 100, 300, 0),  # line 2
        ("server", "ACK", 300, 101, 0),  # line 3
        ("server", "FIN,ACK", 300, 101, 0),  # line 4
        ("client", "ACK", 101, 301, 0),  # line 5
    ]
    assert path("normal-close", "client")[-4:] == ["FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSED"]
    assert path("normal-close", "server")[-3:] == ["CLOSE-WAIT", "LAST-ACK", "CLOSED"]
    [time_wait] = entered("normal-close", "client", "TIME-WAIT")
    assert entered("normal-close", "client", "CLOSED") == [time_wait + TWO_MSL]


def test_simultaneous_close_passes_through_closing_on_both_sides_then_time_wait():
    for side in ("client", "server"):
        assert path("simultaneous-close", side)[-5:] == ["ESTABLISHED", "FIN-WAIT-1", "CLOSING", "TIME-WAIT", "CLOSED"]
        [time_wait] = entered("simultaneous-close", side, "TIME-WAIT")
        assert entered("simultaneous-close", side, "CLOSED") == [time_wait + TWO_MSL]
    segments = figure("simultaneous-close")
    assert ("client", "ACK", 101, 301, 0) in segments and ("server", "ACK", 301, 101, 0) in segments


def test_four_way_handshake_the_server_sends_data_after_the_clients_fin_received_in_fin_wait_2():
    segments = figure("four-way-handshake")
    client_fin = segments.index(("client", "FIN,ACK", 1101, 5001, 0))  # 1000 + SYN + 100 octets
    server_data = [i for i, (sender, _, _, _, length) in enumerate(segments) if sender == "server" and length]
    assert server_data and min(server_data) > client_fin
    assert sum(segments[i][4] for i in server_data) == 1000
    assert ("server", "FIN,ACK", 6001, 1102, 0) in segments  # 5000 + SYN + 1000 octets
    assert ("client", "ACK", 1102, 6002, 0) in segments
    deliveries = [r for r in records("four-way-handshake") if r.kind == "deliver" and r.packet.segment.len]
    to_client = [r for r in deliveries if r.side == "client"]
    assert len(to_client) == len(server_data)
    assert all(r.state_of("client").value == "FIN-WAIT-2" for r in to_client)
    assert to_client[-1].tcb_of("client")["received"] == 1000
    [time_wait] = entered("four-way-handshake", "client", "TIME-WAIT")
    assert entered("four-way-handshake", "client", "CLOSED") == [time_wait + TWO_MSL]


def test_time_wait_lost_ack_restarts_2_msl_when_the_retransmitted_fin_arrives():
    history = records("time-wait-lost-ack")
    [lost] = [r.packet for r in history if r.kind == "drop"]
    assert (lost.sender, str(lost.segment.flags), lost.segment.ack) == ("client", "ACK", 5002)  # the last ACK
    fins = [
        (t, tag)
        for t, sender, flags, seq, *_, tag in sent("time-wait-lost-ack")
        if sender == "server" and "FIN" in flags
    ]
    assert fins == [(0.0, None), (1.0, "retransmission")]  # RTO 1 s
    [arrival] = [
        r.time for r in history if r.kind == "deliver" and r.side == "client" and r.packet.tag == "retransmission"
    ]
    [time_wait] = entered("time-wait-lost-ack", "client", "TIME-WAIT")
    assert time_wait == 0.0
    assert entered("time-wait-lost-ack", "client", "CLOSED") == [arrival + TWO_MSL]
    again = [s for s in sent("time-wait-lost-ack") if s[0] == arrival and s[1] == "client"]
    assert [(flags, ack) for _, _, flags, _, ack, _, _ in again] == [("ACK", 5002)]


def test_why_time_wait_without_it_the_retransmitted_fin_gets_a_reset():
    segments = figure("why-time-wait")
    assert segments[-1] == ("client", "RST", 1002, None, 0)  # <SEQ=SEG.ACK><CTL=RST> (3.10.7.1)
    last_ack_arcs = [arc for r in records("why-time-wait") for who, arc in r.arcs if arc.state.value == "LAST-ACK"]
    assert [(arc.event.value, arc.target.value) for arc in last_ack_arcs] == [("rcv RST", "CLOSED")]


def test_syn_retransmission_resends_at_1_3_and_7_seconds():
    syns = [(t, tag) for t, sender, flags, *_, tag in sent("syn-retransmission") if flags == "SYN"]
    assert syns == [(0.0, None), (1.0, "retransmission"), (3.0, "retransmission"), (7.0, "retransmission")]


def test_connect_timeout_gives_up_at_15_seconds_after_3_retries():
    # RTO 1, 2, 4, 8: resends at 1, 3, 7 and the fourth expiry (15 s) gives up
    assert entered("connect-timeout", "client", "CLOSED") == [15.0]


def test_time_wait_blocks_reuse_the_new_incarnation_has_a_larger_isn_by_rfc_6528():
    syns = [(t, seq) for t, sender, flags, seq, *_ in sent("time-wait-blocks-reuse") if flags == "SYN"]
    [(t0, first), (t1, second)] = syns
    assert t1 - t0 >= TWO_MSL
    assert (second - first) % 2**32 == round((t1 - t0) * 1_000_000) // 4  # M ticks every 4 us


def test_sequence_wraparound_acknowledges_the_last_sequence_number_with_0():
    segments = figure("sequence-wraparound")
    assert segments[0] == ("client", "SYN", 2**32 - 1, None, 0)
    assert segments[1] == ("server", "SYN,ACK", 4294967000, 0, 0)


# ----------------------------------------------------------------------------------------------
# Lessons 6-8's scenarios


def test_three_segment_close_takes_figure_5_note_2_from_fin_wait_1_to_time_wait():
    # Note 2: "The figure omits a transition from FIN-WAIT-1 to TIME-WAIT if a FIN is received and
    # the local FIN is also acknowledged"; 3.10.7.4, eighth step, FIN-WAIT-1: "If our FIN has been
    # ACKed (perhaps in this segment), then enter TIME-WAIT".
    assert path("three-segment-close", "client")[-3:] == ["FIN-WAIT-1", "TIME-WAIT", "CLOSED"]
    delivered = [
        (p.sender, str(p.segment.flags), p.segment.seq, p.segment.ack)
        for r in records("three-segment-close")
        if r.kind == "deliver"
        for p in [r.packet]
    ][-3:]
    assert delivered == [
        ("client", "FIN,ACK", 1001, 5001),
        ("server", "FIN,ACK", 5001, 1002),  # acknowledges the client's FIN (1001 + 1)
        ("client", "ACK", 1002, 5002),
    ]
    [time_wait] = entered("three-segment-close", "client", "TIME-WAIT")
    assert entered("three-segment-close", "client", "CLOSED") == [time_wait + TWO_MSL]


def test_time_wait_assassination_follows_rfc_1337s_example():
    # RFC 1337 section 2: 5.1 <SEQ=255><ACK=33> old duplicate; 5.2 TIME-WAIT --> <SEQ=101><ACK=301>
    # <CTL=ACK>; 5.3 CLOSED (prematurely) <-- <SEQ=301><CTL=RST>. RFC 9293 3.10.7.4: in TIME-WAIT
    # "If the RST bit is set, then enter the CLOSED state, delete the TCB, and return."
    assert figure("time-wait-assassination")[-2:] == [("client", "ACK", 101, 301, 0), ("server", "RST", 301, None, 0)]
    [time_wait] = entered("time-wait-assassination", "client", "TIME-WAIT")
    [closed] = entered("time-wait-assassination", "client", "CLOSED")
    assert closed - time_wait < TWO_MSL
    arcs = [arc for r in records("time-wait-assassination") for who, arc in r.arcs if who == "client"]
    assert (arcs[-1].state.value, arcs[-1].event.value, arcs[-1].target.value) == ("TIME-WAIT", "rcv RST", "CLOSED")
