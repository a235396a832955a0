"""One story in two profiles side by side (tcpedu/render/compare.py)."""

from __future__ import annotations

from tcpedu.render import compare_profiles


def test_lost_syn_ack_parts_where_the_repeated_syn_is_answered():
    # Segments 1-4: SYN, SYN,ACK (lost), the client's SYN again, the server's SYN,ACK again (both
    # timers at 1 s). The repeated SYN reaches SYN-RECEIVED: RFC 9293 3.10.7.4 answers it with
    # <SEQ=SND.NXT=301><ACK=RCV.NXT=101><CTL=ACK>; Linux (tcp_check_req) with the SYN,ACK again.
    comparison = compare_profiles("lost-syn-ack")
    assert all(run.ok and run.error is None for run in comparison.runs)
    assert comparison.first_difference == (
        4,
        "server: ACK seq=301 ack=101 len=0 / server: SYN,ACK seq=300 ack=101 len=0",
    )
    page = comparison.html()
    assert page.count("<svg") == 2 and "RFC 9293 (profile rfc)" in page and "Linux 6.x (profile linux)" in page
    assert "They part at segment 5" in page


def test_a_story_both_profiles_tell_alike_says_so_in_either_language():
    comparison = compare_profiles("three-way-handshake", lang="ko")
    assert comparison.first_difference is None
    assert "두 프로필이 같은 세그먼트를 보냅니다." in comparison.html() and "리눅스 6.x" in comparison.html()


def test_the_scripts_own_profile_line_gives_way_and_its_expects_are_passed_over():
    # lost-syn-ack-linux says "profile linux" and expects Linux's outcome; in the RFC profile those
    # expectations fail, so the comparison does not check them.
    comparison = compare_profiles("lost-syn-ack-linux")
    rfc, linux = comparison.runs
    assert rfc.simulation.settings.profile == "rfc" and linux.simulation.settings.profile == "linux"
    assert rfc.checks == [] and rfc.error is None
    assert comparison.first_difference is not None


def test_linux_drops_an_orphaned_fin_wait_2_and_the_rfc_keeps_it():
    # After the handshake the client closes; Linux drops the orphaned FIN-WAIT-2 after 60 s, so
    # the peer's data 100 s later meets no connection: a RST (3.10.7.1). The RFC's FIN-WAIT-2 waits.
    script = "server listen\nclient connect\ndeliver all\nclient close\ndeliver all\nwait 100\nserver send 5\ndeliver\n"
    comparison = compare_profiles(script)
    rfc, linux = (run.simulation for run in comparison.runs)
    assert rfc.state("client").value == "FIN-WAIT-2" and bytes(rfc.client.received) == b"abcde"
    assert linux.state("client").value == "CLOSED"
    assert [p.segment.flags.names() for p in linux.in_flight] == [["RST"]]


def test_a_line_one_profile_cannot_carry_out_is_named_in_the_caption():
    script = "server listen\nclient connect\ndeliver all\nclient close\ndeliver all\nwait 61\nclient abort\n"
    comparison = compare_profiles(script)
    rfc, linux = comparison.runs
    assert rfc.error is None and linux.error is not None
    assert "[linux: &lt;script&gt;:7: abort refused in CLOSED: connection does not exist" in comparison.html()
