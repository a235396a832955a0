"""Running scripts (tcpedu/scenario/runner.py) and reporting runs (report.py): the JSON object
and the readable trace.

Every expected number is worked out by hand from RFC 9293 (a SYN and a FIN each take one
sequence number, 3.4; the ACK of a segment is SEG.SEQ+SEG.LEN; the replies of 3.10.7) and RFC
6298 (RTO starts at the setting and doubles at each expiry), never taken from a run.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcpedu.scenario import format_trace, parse, run_script, run_to_dict

FILE = "t.tcp"
SEQ_SPACE = 2**32
TWO_MSL = 240.0  # RFC 9293: MSL is 2 minutes, TIME-WAIT lasts 2*MSL

HANDSHAKE = """\
# The three-way handshake
client isn 1000
server isn 5000
server listen
client connect
deliver
deliver
deliver
expect client ESTABLISHED server ESTABLISHED
"""
OPEN = "client isn 1000\nserver isn 5000\nserver listen\nclient connect\ndeliver all\n"  # ESTABLISHED, 5 lines


def run(text: str):
    return run_script(parse(text, FILE))


def report(text: str) -> dict:
    """The run as the JSON object ``tcpedu run --json`` prints (through a real JSON round trip)."""
    return json.loads(json.dumps(run_to_dict(run(text))))


def segments(step: dict) -> list[tuple]:
    return [(s["from"], s["flags"], s["seq"], s["ack"], s["len"]) for s in step["segments"]]


def step_at(data: dict, line: int) -> dict:
    [step] = [step for step in data["steps"] if step["line"] == line]
    return step


def states(step: dict) -> tuple[str, str]:
    return step["states"]["client"], step["states"]["server"]


# ----------------------------------------------------------------------------------------------
# The three-way handshake in JSON


def test_handshake_json_has_one_step_per_action_line_with_line_command_time_and_states():
    data = report(HANDSHAKE)
    assert data["ok"] is True and data["error"] is None and data["failure"] is None
    steps = data["steps"]
    assert [step["line"] for step in steps] == [4, 5, 6, 7, 8]
    assert [step["command"] for step in steps] == ["server listen", "client connect", "deliver", "deliver", "deliver"]
    assert [step["time"] for step in steps] == [0, 0, 0, 0, 0]
    assert [states(step) for step in steps] == [
        ("CLOSED", "LISTEN"),
        ("SYN-SENT", "LISTEN"),
        ("SYN-SENT", "SYN-RECEIVED"),
        ("ESTABLISHED", "SYN-RECEIVED"),
        ("ESTABLISHED", "ESTABLISHED"),
    ]


def test_handshake_json_segments_follow_rfc_9293_figure_6():
    steps = report(HANDSHAKE)["steps"]
    assert segments(steps[0]) == []
    [(sender, flags, seq, _, length)] = segments(steps[1])  # a SYN's ack field means nothing
    assert (sender, flags, seq, length) == ("client", ["SYN"], 1000, 0)
    assert segments(steps[2]) == [("server", ["SYN", "ACK"], 5000, 1001, 0)]
    assert segments(steps[3]) == [("client", ["ACK"], 1001, 5001, 0)]
    assert segments(steps[4]) == []


def test_json_segments_carry_id_and_wnd_and_the_final_object_has_states_and_tcbs():
    data = report(HANDSHAKE)
    ids = [s["id"] for step in data["steps"] for s in step["segments"]]
    assert len(ids) == 3 and len(set(ids)) == 3
    assert all(s["wnd"] == 65535 for step in data["steps"] for s in step["segments"])
    assert data["final"]["states"] == {"client": "ESTABLISHED", "server": "ESTABLISHED"}
    assert data["final"]["tcb"]["client"]["SND.NXT"] == 1001
    assert data["final"]["tcb"]["server"]["RCV.NXT"] == 1001
    assert data["final"]["in_flight"] == []
    [check] = data["checks"]
    assert (check["line"], check["command"], check["ok"]) == (9, "expect client ESTABLISHED server ESTABLISHED", True)


def test_json_step_lists_what_it_delivered_and_the_transitions_it_caused():
    step = report(HANDSHAKE)["steps"][2]  # the SYN reaches the listening server
    first_syn = report(HANDSHAKE)["steps"][1]["segments"][0]["id"]
    assert step["delivered"] == [first_syn]
    assert [(t["side"], t["from"], t["to"]) for t in step["transitions"]] == [("server", "LISTEN", "SYN-RECEIVED")]
    assert step["tcb"]["server"]["IRS"] == 1000
    assert step["in_flight"] == [step["segments"][0]["id"]]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, SEQ_SPACE - 1), st.integers(0, SEQ_SPACE - 1))
def test_handshake_numbers_for_any_isns_are_iss_and_iss_plus_1_modulo_2_to_the_32(iss, server_iss):
    text = HANDSHAKE.replace("client isn 1000", f"client isn {iss}").replace(
        "server isn 5000", f"server isn {server_iss}"
    )
    steps = report(text)["steps"]
    assert segments(steps[1])[0][2] == iss
    assert segments(steps[2]) == [("server", ["SYN", "ACK"], server_iss, (iss + 1) % SEQ_SPACE, 0)]
    assert segments(steps[3]) == [("client", ["ACK"], (iss + 1) % SEQ_SPACE, (server_iss + 1) % SEQ_SPACE, 0)]


def test_data_after_the_handshake_starts_at_iss_plus_1_and_is_acked_at_seq_plus_len():
    data = report(OPEN + 'client send "hello"\ndeliver\n')
    assert segments(step_at(data, 6)) == [("client", ["ACK"], 1001, 5001, 5)]
    assert segments(step_at(data, 7)) == [("server", ["ACK"], 5001, 1006, 0)]


def test_settings_and_expect_lines_are_not_steps_but_expect_lines_are_checks():
    data = report(HANDSHAKE)
    lines = {step["line"] for step in data["steps"]}
    assert not lines & {2, 3, 9}
    assert [check["line"] for check in data["checks"]] == [9]


# ----------------------------------------------------------------------------------------------
# Network actions


BOTH_SEND = OPEN + "server send 1\nclient send 1\nserver send 2\n"  # lines 6-8: S(5001,1) C(1001,1) S(5002,2)


def test_deliver_server_2_delivers_the_second_oldest_segment_the_server_sent():
    data = report(BOTH_SEND + "deliver server 2\n")
    second_from_server = step_at(data, 8)["segments"][0]
    assert (second_from_server["seq"], second_from_server["len"]) == (5002, 2)
    step = step_at(data, 9)
    assert step["delivered"] == [second_from_server["id"]]
    # out of order at the client (RCV.NXT is still 5001): it answers with an ACK of 5001 (3.10.7.4)
    assert segments(step) == [("client", ["ACK"], 1002, 5001, 0)]


def test_deliver_k_counts_all_segments_in_flight_oldest_first():
    data = report(BOTH_SEND + "deliver 2\n")
    client_segment = step_at(data, 7)["segments"][0]
    assert step_at(data, 9)["delivered"] == [client_segment["id"]]
    assert step_at(data, 9)["tcb"]["server"]["received"] == 1


def test_deliver_all_delivers_replies_too_until_nothing_is_in_flight():
    data = report("server listen\nclient connect\ndeliver all\n")
    step = data["steps"][-1]
    assert len(step["delivered"]) == 3 and step["in_flight"] == []
    assert states(step) == ("ESTABLISHED", "ESTABLISHED")


def test_deliver_all_completes_a_long_transfer():
    # 300,000 octets in segments of at most 536 octets (the default MSS, RFC 9293 3.7.1) are over 560
    # segments and their ACKs: far past any small cap, and every octet arrives, in order.
    data = report(OPEN + "client send 300000\ndeliver all\nexpect server received=300000 rcv.nxt=301001\n")
    assert data["ok"], data["error"] or data["failure"]
    sent = segments(step_at(data, 6)) + segments(step_at(data, 7))  # a window's worth goes at the send
    data_segments = [length for _, _, _, _, length in sent if length]
    assert sum(data_segments) == 300_000 and max(data_segments) == 536  # no segment longer than the MSS
    assert len(step_at(data, 7)["delivered"]) > 1000


def test_an_ack_war_is_stopped_explained_and_its_deliveries_kept():
    # A spoofed 7-octet segment moves the server's RCV.NXT to 1008, past anything the client sent:
    # the server's ACK acknowledges data the client never sent (ack 1008 > SND.NXT 1001), so the client
    # answers with an ACK (RFC 5961 5.2); that ACK's seq 1001 is below the server's window, so the
    # server answers with an ACK (3.10.7.4, first check); and so on for ever.
    text = OPEN + 'inject server ACK seq=1001 ack=5001 data="spoofed"\ndeliver all\nexpect client ESTABLISHED\n'
    data = report(text)
    assert not data["ok"] and data["error"]["line"] == 7
    assert "keep answering each other" in data["error"]["message"]
    war = step_at(data, 7)
    assert segments(war)[:2] == [("client", ["ACK"], 1001, 5001, 0), ("server", ["ACK"], 5001, 1008, 0)]
    trace = format_trace(run(text))
    assert "7         0  deliver all" in trace and "stopped: t.tcp:7: deliver: the endpoints keep answering" in trace


def test_drop_loses_the_segment_and_changes_no_state():
    data = report("client isn 1000\nserver listen\nclient connect\ndrop\nexpect inflight=0 server LISTEN\n")
    syn = step_at(data, 3)["segments"][0]
    step = step_at(data, 4)
    assert step["dropped"] == [syn["id"]] and step["delivered"] == []
    assert step["segments"] == [] and step["in_flight"] == []
    assert states(step) == ("SYN-SENT", "LISTEN")
    assert data["ok"]


def test_drop_all_loses_every_segment_in_flight():
    data = report(BOTH_SEND + "drop all\nexpect inflight=0\n")
    sent = [s["id"] for line in (6, 7, 8) for s in step_at(data, line)["segments"]]
    assert sorted(step_at(data, 9)["dropped"]) == sorted(sent)
    assert data["ok"]


def test_drop_client_picks_the_oldest_from_the_client():
    data = report(BOTH_SEND + "drop client\n")
    assert step_at(data, 9)["dropped"] == [step_at(data, 7)["segments"][0]["id"]]


def test_duplicate_appends_a_copy_to_the_end_of_the_queue():
    data = report(BOTH_SEND + "duplicate client\n")
    in_flight = [step_at(data, line)["segments"][0]["id"] for line in (6, 7, 8)]
    step = step_at(data, 9)
    [copy] = step["duplicated"]
    assert copy["copy_of"] == in_flight[1]
    assert (copy["from"], copy["flags"], copy["seq"], copy["ack"], copy["len"]) == ("client", ["ACK"], 1001, 5001, 1)
    assert step["in_flight"] == [*in_flight, copy["id"]]
    assert step["segments"] == []


def test_a_duplicated_syn_reaching_syn_received_is_answered_with_an_ack():
    # 3.10.7.4 first check: SEG.SEQ=1000 < RCV.NXT=1001 is unacceptable: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
    data = report("client isn 1000\nserver isn 5000\nserver listen\nclient connect\nduplicate\ndeliver\ndeliver\n")
    assert segments(step_at(data, 6)) == [("server", ["SYN", "ACK"], 5000, 1001, 0)]
    assert segments(step_at(data, 7)) == [("server", ["ACK"], 5001, 1001, 0)]
    assert states(step_at(data, 7))[1] == "SYN-RECEIVED"


# ----------------------------------------------------------------------------------------------
# Timers


def retransmission_times(data: dict) -> list[float]:
    return [t["time"] for step in data["steps"] for t in step["timers"] if t["timer"] == "retransmission"]


def test_a_lost_syn_is_retransmitted_at_1_then_3_then_7_seconds_with_rto_1():
    data = report("client isn 1000\nrto 1\nclient connect\ndrop\nwait 10\n")
    assert retransmission_times(data) == [1.0, 3.0, 7.0]  # RTO 1, 2, 4 (RFC 6298 5.5)
    resent = step_at(data, 5)["segments"]
    assert [(s["flags"], s["seq"], s["tag"], s["sent_at"]) for s in resent] == [
        (["SYN"], 1000, "retransmission", 1.0),
        (["SYN"], 1000, "retransmission", 3.0),
        (["SYN"], 1000, "retransmission", 7.0),
    ]
    assert step_at(data, 5)["time"] == 10


def test_a_timer_fires_when_its_time_is_reached_not_before():
    data = report("rto 1\nclient connect\ndrop\nwait 0.999\nexpect inflight=0\nwait 0.001\nexpect inflight=1 time=1\n")
    assert data["ok"], data["failure"]
    assert step_at(data, 4)["timers"] == []
    assert [t["time"] for t in step_at(data, 6)["timers"]] == [1.0]


def test_wait_fires_the_timers_of_both_sides_in_time_order():
    data = report("client connect\nwait 0.5\nserver connect\ndrop all\nwait 8\n")
    fired = [(t["side"], t["time"]) for t in step_at(data, 5)["timers"]]
    assert fired == [("client", 1), ("server", 1.5), ("client", 3), ("server", 3.5), ("client", 7), ("server", 7.5)]
    assert [s["from"] for s in step_at(data, 5)["segments"]] == [side for side, _ in fired]


def test_wait_next_advances_to_the_next_timer_only():
    data = report("rto 2\nclient connect\ndrop\nwait next\nwait next\n")
    assert [step["time"] for step in data["steps"][2:]] == [2, 6]
    assert retransmission_times(data) == [2, 6]


@pytest.mark.parametrize(("retries", "gives_up_at"), [(0, 1), (1, 3), (2, 7), (3, 15)])
def test_a_connection_is_given_up_at_the_expiry_after_its_last_retransmission(retries, gives_up_at):
    data = report(f"retries {retries}\nclient connect\ndrop\nwait 100\n")
    assert len(retransmission_times(data)) == retries + 1  # retries resends, then the expiry that gives up
    closing = [t for t in step_at(data, 4)["transitions"] if t["to"] == "CLOSED"]
    assert [t["from"] for t in closing] == ["SYN-SENT"]
    assert data["final"]["states"]["client"] == "CLOSED"
    assert max(retransmission_times(data)) == gives_up_at


def test_msl_setting_makes_time_wait_last_twice_msl():
    text = OPEN + "msl 1\nclient close\ndeliver all\nserver close\ndeliver all\n"
    text += "expect client TIME-WAIT\nwait 1.999\nexpect client TIME-WAIT\nwait 0.001\nexpect client CLOSED time=2\n"
    data = report(text)
    assert data["ok"], data["failure"]


# ----------------------------------------------------------------------------------------------
# Settings


def test_isn_applies_to_the_next_open_from_that_line_on():
    data = report("client isn 1000\nclient connect\nclient abort\nclient isn 2000\nclient connect\n")
    assert step_at(data, 2)["segments"][0]["seq"] == 1000
    assert step_at(data, 5)["segments"][0]["seq"] == 2000


def test_window_setting_is_advertised_in_the_syn_ack_and_becomes_the_peers_snd_wnd():
    data = report("server window 1000\n" + OPEN + "expect client snd.wnd=1000 server rcv.wnd=1000\n")
    syn_ack = step_at(data, 6)["segments"][0]
    assert syn_ack["flags"] == ["SYN", "ACK"] and syn_ack["wnd"] == 1000
    assert data["ok"], data["failure"]


def test_mss_setting_cuts_data_into_segments_of_at_most_mss_octets():
    data = report("mss 100\n" + OPEN + "client send 250\n")
    assert [(s["seq"], s["len"]) for s in step_at(data, 7)["segments"]] == [(1001, 100), (1101, 100), (1201, 50)]


def test_auto_isn_is_reproducible_for_a_seed_and_differs_between_seeds():
    def first_syn(text: str) -> int:
        return report(text)["steps"][0]["segments"][0]["seq"]

    assert first_syn("seed 7\nclient connect\n") == first_syn("seed 7\nclient connect\n")
    assert first_syn("seed 7\nclient connect\n") != first_syn("seed 8\nclient connect\n")
    assert first_syn("client isn 1000\nclient isn auto\nclient connect\n") == first_syn("client connect\n")


def test_auto_isn_grows_with_a_4_microsecond_clock():
    # RFC 6528: ISN = M + F(4-tuple, key), M a timer ticking every 4 microseconds
    at_0 = report("seed 7\nclient connect\n")["steps"][0]["segments"][0]["seq"]
    at_1 = report("seed 7\nwait 1\nclient connect\n")["steps"][1]["segments"][0]["seq"]
    assert (at_1 - at_0) % SEQ_SPACE == 1_000_000 // 4


# ----------------------------------------------------------------------------------------------
# inject


def test_inject_hands_a_crafted_segment_to_one_side_as_if_from_the_other():
    data = report(OPEN + "inject server RST seq=1001\n")  # exactly RCV.NXT: the connection is reset (RFC 5961)
    step = step_at(data, 6)
    [crafted] = step["injected"]
    assert (crafted["from"], crafted["flags"], crafted["seq"]) == ("client", ["RST"], 1001)
    assert states(step) == ("ESTABLISHED", "CLOSED")
    assert step["segments"] == []


def test_inject_data_is_received_and_acknowledged():
    data = report(OPEN + 'inject server ACK seq=1001 ack=5001 data="hey!"\nexpect server received=4 rcv.nxt=1005\n')
    assert segments(step_at(data, 6)) == [("server", ["ACK"], 5001, 1005, 0)]
    assert data["ok"], data["failure"]


def test_inject_wnd_sets_the_window_the_receiver_sees():
    text = "client isn 1000\nclient connect\ninject client SYN,ACK seq=5000 ack=1001 wnd=100\n"
    data = report(text + "expect client ESTABLISHED snd.wnd=100 rcv.nxt=5001\n")
    assert data["ok"], data["failure"]
    assert segments(step_at(data, 3)) == [("client", ["ACK"], 1001, 5001, 0)]


def test_a_reset_and_a_challenge_ack_are_tagged():
    data = report("client isn 100\nclient connect\ndeliver\n")  # nobody listens: RST,ACK seq=0 ack=101 (3.10.7.1)
    [reset] = step_at(data, 3)["segments"]
    assert (reset["flags"], reset["seq"], reset["ack"], reset["tag"]) == (["RST", "ACK"], 0, 101, "reset")
    data = report(OPEN + "inject server RST seq=1500\n")  # in the window, not RCV.NXT (RFC 5961 3.2)
    [challenge] = step_at(data, 6)["segments"]
    assert (challenge["flags"], challenge["seq"], challenge["ack"]) == (["ACK"], 5001, 1001)
    assert challenge["tag"] == "challenge ACK"


# ----------------------------------------------------------------------------------------------
# expect


def test_expect_tcb_variables_of_an_established_connection():
    text = OPEN + "expect client iss=1000 irs=5000 snd.una=1001 snd.nxt=1001 rcv.nxt=5001 received=0\n"
    text += "expect server iss=5000 irs=1000 snd.una=5001 snd.nxt=5001 rcv.nxt=1001 snd.wnd=65535 rcv.wnd=65535\n"
    text += "expect inflight=0 time=0\n"
    data = report(text)
    assert data["ok"], data["failure"]
    assert [check["ok"] for check in data["checks"]] == [True, True, True]


def test_expect_none_matches_a_variable_with_no_value():
    assert report("expect client irs=none iss=none server rcv.nxt=none\n")["ok"]


def test_a_failed_expect_stops_the_run_there_with_ok_false_and_the_failing_line():
    text = "client isn 1000\nserver listen\nclient connect\nexpect client ESTABLISHED\ndeliver\n"
    result = run(text)
    assert not result.ok and result.error is None
    assert result.failure.command.line == 4
    data = run_to_dict(result)
    assert data["ok"] is False
    assert data["failure"]["line"] == 4
    assert "ESTABLISHED" in data["failure"]["message"] and "SYN-SENT" in data["failure"]["message"]
    assert [step["line"] for step in data["steps"]] == [2, 3]  # line 5 never ran
    assert data["checks"][-1]["ok"] is False


def test_a_failed_expect_of_a_variable_names_the_actual_value():
    data = report(OPEN + "expect client snd.nxt=1000\n")
    assert data["failure"]["line"] == 6
    assert "1001" in data["failure"]["message"]


def test_expect_refused_passes_when_the_call_is_refused_and_the_run_goes_on():
    text = "expect refused client send 10\nclient connect\nexpect client SYN-SENT\n"
    data = report(text)
    assert data["ok"], data["failure"]
    assert "connection does not exist" in data["checks"][0]["message"]


def test_expect_refused_fails_when_the_call_is_carried_out():
    data = report("expect refused client connect\n")
    assert data["ok"] is False and data["failure"]["line"] == 1
    assert data["final"]["states"]["client"] == "SYN-SENT"


# ----------------------------------------------------------------------------------------------
# Lines that cannot be carried out


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("server listen\ndeliver\n", 2, "deliver: nothing in flight"),
        ("client connect\ndeliver server\n", 2, "nothing in flight from the server"),
        ("client connect\ndeliver client 2\n", 2, "only 1 segment in flight"),
        ("client connect\ndrop 2\n", 2, "only 1 segment in flight"),
        ("client connect\ndeliver\ndeliver\ndeliver all\n", 4, "nothing in flight"),
        ("server listen\ndrop all\n", 2, "nothing in flight"),
        ("duplicate\n", 1, "nothing in flight"),
        ("wait next\n", 1, "no timer"),
    ],
)
def test_a_network_action_with_nothing_to_act_on_ends_the_run_naming_the_line(text, line, fragment):
    result = run(text)
    assert not result.ok and result.failure is None
    assert result.error.line == line
    assert str(result.error).startswith(f"{FILE}:{line}: ")
    assert fragment in result.error.message
    assert run_to_dict(result)["error"] == {"line": line, "message": result.error.message}


@pytest.mark.parametrize(
    ("text", "line", "state", "reason"),
    [
        ("client send 10\n", 1, "CLOSED", "connection does not exist"),  # 3.10.2
        ("client close\n", 1, "CLOSED", "connection does not exist"),  # 3.10.4
        ("server abort\n", 1, "CLOSED", "connection does not exist"),  # 3.10.5
        ("server listen\nserver listen\n", 2, "LISTEN", "connection already exists"),  # 3.10.1
        ("client connect\nclient connect\n", 2, "SYN-SENT", "connection already exists"),  # 3.10.1
        (OPEN + "client close\nclient send 1\n", 7, "FIN-WAIT-1", "connection closing"),  # 3.10.2
        (OPEN + "client close\nclient close\n", 7, "FIN-WAIT-1", "connection closing"),  # 3.10.4
    ],
)
def test_a_call_the_state_refuses_ends_the_run_naming_the_line_and_the_rfc_reason(text, line, state, reason):
    result = run(text)
    assert not result.ok and result.failure is None
    assert result.error.line == line
    assert reason in result.error.message and state in result.error.message
    assert "RFC 9293 3.10." in result.error.message
    assert all(step.command.line < line for step in result.steps)


# ----------------------------------------------------------------------------------------------
# The readable trace


def test_trace_shows_each_step_line_command_segments_and_both_states():
    trace = format_trace(run(HANDSHAKE))
    rows = trace.splitlines()
    [syn_row] = [row for row in rows if row.split()[:2] == ["5", "0"]]
    assert "client connect" in syn_row and "SYN-SENT" in syn_row and "LISTEN" in syn_row
    [reply_row] = [row for row in rows if row.split()[:3] == ["6", "0", "deliver"]]
    assert "SYN-SENT" in reply_row and "SYN-RECEIVED" in reply_row
    assert "SYN seq=1000 len=0" in trace
    assert "SYN,ACK seq=5000 ack=1001 len=0" in trace
    assert "ACK seq=1001 ack=5001 len=0" in trace
    assert rows[-1].startswith("ok")


def test_trace_of_a_failed_expect_says_failed_at_that_line():
    trace = format_trace(run("client connect\nexpect client ESTABLISHED\n"))
    assert "FAILED at line 2" in trace.splitlines()[-1]


def test_trace_of_a_run_that_stopped_names_file_and_line():
    trace = format_trace(run("server listen\ndeliver\n"))
    assert f"{FILE}:2: deliver: nothing in flight" in trace.splitlines()[-1]
