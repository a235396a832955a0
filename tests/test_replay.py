"""tcpedu replay: real captures read and run through the engine.

The captures here are built with dpkt from a conversation written out by hand (every link type
and format a replay reads), exported from tcpedu's own scenarios (the round trip: the engine must
agree with itself at every packet, and the states it infers must be the simulation's), and
recorded from the Linux stack on loopback during the test. The states expected of the
hand-written conversation are RFC 9293's (Figure 6, 3.3.2), written out, not computed.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import dpkt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcpedu.capture import frames, write_pcap
from tcpedu.capture.replay import replay_file
from tcpedu.core.states import State
from tcpedu.scenario import parse, run_script, scenario_names, scenario_source

C, S = ("10.0.0.1", 40000), ("10.0.0.2", 80)
C6, S6 = ("2001:db8::1", 40000), ("2001:db8::2", 80)
SYN, ACK, FIN, RST, PSH, ECE, CWR = 0x02, 0x10, 0x01, 0x04, 0x08, 0x40, 0x80

# (sender, flags, seq, ack, data): open, 5 octets each way, the client closes first.
CONVERSATION = [
    ("client", SYN, 1000, 0, b""),
    ("server", SYN | ACK, 5000, 1001, b""),
    ("client", ACK, 1001, 5001, b""),
    ("client", ACK | PSH, 1001, 5001, b"hello"),
    ("server", ACK, 5001, 1006, b""),
    ("server", ACK | PSH, 5001, 1006, b"world"),
    ("client", ACK, 1006, 5006, b""),
    ("client", FIN | ACK, 1006, 5006, b""),
    ("server", ACK, 5006, 1007, b""),
    ("server", FIN | ACK, 5006, 1007, b""),
    ("client", ACK, 1007, 5007, b""),
]
E, SR, SS, FW1, FW2, CW, LA, TW, CL = (
    State.ESTABLISHED,
    State.SYN_RECEIVED,
    State.SYN_SENT,
    State.FIN_WAIT_1,
    State.FIN_WAIT_2,
    State.CLOSE_WAIT,
    State.LAST_ACK,
    State.TIME_WAIT,
    State.CLOSED,
)
# (client, server) after each packet is taken in: RFC 9293 Figure 6 and the close of 3.6.
RFC_STATES = [(SS, SR), (E, SR), (E, E), (E, E), (E, E), (E, E), (E, E), (FW1, CW), (FW2, CW), (TW, LA), (TW, CL)]


def tcp_bytes(flags, seq, ack, data=b"", sport=C[1], dport=S[1], win=65535, opts=b"") -> dpkt.tcp.TCP:
    tcp = dpkt.tcp.TCP(sport=sport, dport=dport, seq=seq, ack=ack, win=win, opts=opts, data=data)
    tcp.flags = flags
    tcp.off = 5 + len(opts) // 4
    return tcp


def ip_packet(sender: str, tcp: dpkt.tcp.TCP, v6: bool = False):
    src, dst = (C, S) if sender == "client" else (S, C)
    if v6:
        src, dst = (C6, S6) if sender == "client" else (S6, C6)
        ip = dpkt.ip6.IP6(
            src=socket.inet_pton(socket.AF_INET6, src[0]), dst=socket.inet_pton(socket.AF_INET6, dst[0]), nxt=6, hlim=64
        )
        ip.data = tcp
        ip.plen = len(tcp)
        return ip
    ip = dpkt.ip.IP(src=socket.inet_aton(src[0]), dst=socket.inet_aton(dst[0]), p=6, data=tcp)
    ip.len = len(ip)
    return ip


def conversation_packets(items=CONVERSATION, v6=False):
    for sender, flags, seq, ack, data, *rest in items:
        sport, dport = (C[1], S[1]) if sender == "client" else (S[1], C[1])
        yield ip_packet(sender, tcp_bytes(flags, seq, ack, data, sport, dport, *rest), v6)


def framed(ip, link: str) -> bytes:
    v6 = isinstance(ip, dpkt.ip6.IP6)
    ethertype = 0x86DD if v6 else 0x0800
    if link == "ethernet":
        return bytes(dpkt.ethernet.Ethernet(src=b"\x02" * 6, dst=b"\x04" * 6, type=ethertype, data=ip))
    if link == "vlan":  # an 802.1Q tag before the IP type
        return b"\x04" * 6 + b"\x02" * 6 + struct.pack(">HHH", 0x8100, 7, ethertype) + bytes(ip)
    if link == "sll":
        return bytes(dpkt.sll.SLL(type=4, hrd=1, hlen=6, hdr=b"\x02" * 6 + b"\0\0", ethtype=ethertype, data=ip))
    if link == "sll2":
        return bytes(dpkt.sll2.SLL2(ethtype=ethertype, intindex=1, hrd=1, type=4, hlen=6, hdr=b"\x02" * 8, data=ip))
    if link in ("raw", "raw12", "raw-ipv4"):
        return bytes(ip)
    if link == "null":  # BSD loopback: the address family in the host's byte order
        return struct.pack("=I", 30 if v6 else 2) + bytes(ip)
    raise AssertionError(link)


LINKTYPES = {"ethernet": 1, "vlan": 1, "sll": 113, "sll2": 276, "raw": 101, "raw12": 12, "null": 0, "raw-ipv4": 228}


def write_capture(path: Path, frames_: list[bytes], linktype: int, pcapng: bool = False, step_us: int = 1000) -> Path:
    with open(path, "wb") as stream:
        writer = (dpkt.pcapng.Writer if pcapng else dpkt.pcap.Writer)(stream, snaplen=65535, linktype=linktype)
        for index, frame in enumerate(frames_):
            writer.writepkt(frame, ts=1_700_000_000 + index * step_us / 1e6)
    return path


def states_of(replay) -> list[tuple[State, State]]:
    return [(step.states["client"], step.states["server"]) for c in replay.connections for step in c.steps]


@pytest.mark.parametrize("pcapng", [False, True], ids=["pcap", "pcapng"])
@pytest.mark.parametrize("link", sorted(LINKTYPES))
def test_every_link_type_replays_the_conversation_with_rfc_9293s_states(tmp_path, link, pcapng):
    frames_ = [framed(ip, link) for ip in conversation_packets()]
    path = write_capture(tmp_path / f"c.{'pcapng' if pcapng else 'pcap'}", frames_, LINKTYPES[link], pcapng)
    replay = replay_file(path)
    assert len(replay.connections) == 1 and replay.skipped == 0
    connection = replay.connections[0]
    assert (connection.client, connection.server, connection.midway) == (C, S, False)
    assert states_of(replay) == RFC_STATES
    assert [step.surprises for step in connection.steps] == [[]] * len(CONVERSATION), "the engine agrees"
    assert [step.number for step in connection.steps] == list(range(1, 12))
    assert [step.time_us for step in connection.steps] == [1000 * i for i in range(11)]
    assert [step.sender for step in connection.steps] == [item[0] for item in CONVERSATION]
    calls = [call for step in connection.steps for call in step.calls]
    assert calls == [
        ("client", "connect"),
        ("server", "listen"),
        ("client", "send"),
        ("server", "send"),
        ("client", "close"),
        ("server", "close"),
    ]


@pytest.mark.parametrize("link", ["ethernet", "sll2", "raw", "null"])
def test_ipv6_is_followed_like_ipv4(tmp_path, link):
    frames_ = [framed(ip, link) for ip in conversation_packets(v6=True)]
    replay = replay_file(write_capture(tmp_path / "v6.pcap", frames_, LINKTYPES[link]))
    assert (replay.connections[0].client, replay.connections[0].server) == (C6, S6)
    assert states_of(replay) == RFC_STATES


def test_packets_that_are_not_tcp_are_skipped_and_counted(tmp_path):
    arp = bytes(dpkt.ethernet.Ethernet(src=b"\x02" * 6, dst=b"\xff" * 6, type=0x0806, data=b"\0" * 28))
    udp = dpkt.ip.IP(src=b"\x0a\0\0\x01", dst=b"\x0a\0\0\x02", p=17, data=dpkt.udp.UDP(sport=1, dport=2))
    udp.len = len(udp)
    fragment = ip_packet("client", tcp_bytes(ACK, 1001, 5001, b"x" * 40))
    fragment.mf = 1  # the first fragment of a segment: not a whole one
    frames_ = [framed(ip, "ethernet") for ip in conversation_packets()]
    frames_[1:1] = [arp, framed(udp, "ethernet"), framed(fragment, "ethernet")]
    replay = replay_file(write_capture(tmp_path / "mixed.pcap", frames_, 1))
    assert replay.skipped == 3 and dict(replay.skipped_by_reason) == {"not IP": 1, "not TCP": 1, "IP fragment": 1}
    assert replay.packets == 14
    assert [step.number for step in replay.connections[0].steps] == [1, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
    assert states_of(replay) == RFC_STATES
    done = run_cli("replay", str(tmp_path / "mixed.pcap"))
    assert "3 packets skipped (1 IP fragment, 1 not IP, 1 not TCP)" in done.stdout


# ----------------------------------------------------------------------------------------------
# The round trip: a tcpedu run exported, then replayed


def _run(name: str):
    return run_script(parse(scenario_source(name), name))


def _run_records(name: str) -> list:
    return [record for step in _run(name).steps for record in step.records]


def _clean(name: str) -> bool:
    """A two-sided run whose capture shows everything its ends did: nothing lost, copied, forged, no
    crash (a listening server's runs are checked by connection below)."""
    if parse(scenario_source(name), name).host:
        return False
    records = _run_records(name)
    return not any(r.kind in ("drop", "duplicate", "inject") or r.detail.startswith("crash") for r in records)


def test_a_run_with_two_clients_replays_as_two_connections_each_with_its_states(tmp_path):
    run = _run("two-clients")
    path = tmp_path / "two.pcap"
    write_pcap([record for step in run.steps for record in step.records], path)
    replay = replay_file(path)
    assert len(replay.connections) == 2
    ports = sorted({connection.client[1] for connection in replay.connections})
    assert ports == [50000, 50001]  # one machine, a port each: two 4-tuples
    by_port = {connection.client[1]: connection for connection in replay.connections}
    for port, side in ((50000, "client"), (50001, "client2")):
        steps = by_port[port].steps
        assert all(step.surprises == [] for step in steps), [step.surprises for step in steps]
        sim = run.simulation
        # The last packet of each connection leaves both ends where the simulation left them.
        assert steps[-1].states["client"] is sim.state(side)
        assert steps[-1].states["server"] is sim.state(f"server/{side}")


@functools.cache
def clean() -> list[str]:
    return [name for name in scenario_names() if _clean(name)]


def test_the_round_trip_covers_the_handshakes_and_closes():
    for name in ("three-way-handshake", "four-way-handshake", "simultaneous-open", "simultaneous-close"):
        assert name in clean()


ABORT = "client isn 100\nserver isn 300\nserver listen\nclient connect\ndeliver all\nclient abort\ndeliver all\n"


@pytest.mark.parametrize(("ran_in", "replayed_in"), [("rfc", "linux"), ("linux", "rfc")])
def test_a_profile_difference_is_marked_with_its_switch_and_the_same_profile_agrees(tmp_path, ran_in, replayed_in):
    # RFC 9293 3.10.5: ABORT sends <SEQ=SND.NXT><CTL=RST>; Linux sends RST,ACK (tcp_send_active_reset).
    run = run_script(parse(f"profile {ran_in}\n" + ABORT, "abort.tcp"))
    assert run.ok, run.error
    path = tmp_path / "abort.pcap"
    write_pcap([record for step in run.steps for record in step.records], path)
    assert all(not step.surprises for c in replay_file(path, ran_in).connections for step in c.steps)
    last = replay_file(path, replayed_in).connections[0].steps[-1]
    assert last.segment.has_rst and last.surprises
    if replayed_in == "rfc":
        assert "Linux differs (rst-ack-on-abort)" in last.surprises[0]
    done = run_cli("replay", str(path), "--profile", replayed_in, "--json")
    assert json.loads(done.stdout)["profile"] == replayed_in


@settings(max_examples=40, deadline=None)
@given(name=st.deferred(lambda: st.sampled_from(clean())))
def test_an_exported_run_replays_with_the_engine_agreeing_and_the_simulations_states(tmp_path_factory, name):
    run = _run(name)
    records = [record for step in run.steps for record in step.records]
    profile = run.simulation.settings.profile  # replayed in the profile it ran in
    path = tmp_path_factory.mktemp("rt") / "run.pcap"
    write_pcap(records, path)
    # The packets the capture holds, by id, and the states after each was delivered.
    sent = [packet for record in records for packet in record.sent if packet.copy_of is None]
    delivered = {record.packet.id: record.states for record in records if record.kind == "deliver"}
    replay = replay_file(path, profile=profile)
    steps = sorted((step for c in replay.connections for step in c.steps), key=lambda step: step.number)
    assert len(steps) == len(sent) == len(list(frames(records)))
    for step, packet in zip(steps, sent, strict=True):
        assert step.surprises == [], f"{name}: packet {step.number}: {step.surprises}"
        assert step.sender == packet.sender and step.segment == packet.segment
        if packet.id in delivered:
            client, server = delivered[packet.id]
            assert (step.states["client"], step.states["server"]) == (client, server), f"{name}: #{step.number}"


def test_a_lost_segment_in_the_capture_is_taken_in_and_said_where_the_real_end_did_otherwise(tmp_path):
    path = tmp_path / "lost.pcap"
    write_pcap(_run_records("lost-third-ack"), path)
    replay = replay_file(path)
    surprises = [text for step in replay.connections[0].steps for text in step.surprises]
    assert surprises and "retransmission" in surprises[0] and "RFC 6298" in surprises[0]


# ----------------------------------------------------------------------------------------------
# Options, ECN, what the engine does not model


def test_options_and_ece_cwr_are_read_shown_and_what_is_not_modelled_is_said_once(tmp_path):
    syn_opts = b"\x02\x04\x05\xb4" + b"\x04\x02" + b"\x08\x0a\0\0\0\x01\0\0\0\0" + b"\x01" + b"\x03\x03\x07"
    ts = b"\x01\x01\x08\x0a\0\0\0\x02\0\0\0\x01"
    items = [
        ("client", SYN | ECE | CWR, 1000, 0, b"", 64240, syn_opts),
        ("server", SYN | ACK | ECE, 5000, 1001, b"", 65160, syn_opts),
        ("client", ACK, 1001, 5001, b"", 502, ts),  # 502 << 7 = 64256
        ("client", ACK | PSH, 1001, 5001, b"hello", 502, ts),
        ("server", ACK, 5001, 1006, b"", 2000, ts),  # 2000 << 7 = 256000: clamped to 65535
    ]
    path = write_capture(tmp_path / "opts.pcap", [framed(ip, "ethernet") for ip in conversation_packets(items)], 1)
    replay = replay_file(path)
    connection = replay.connections[0]
    first = connection.steps[0].packet
    assert first.options == {"mss": 1460, "sack_permitted": True, "timestamps": (1, 0), "wscale": 7}
    assert first.extra_flags == ["ECE", "CWR"]
    assert first.describe() == "SYN,ECE,CWR seq=1000 len=0 win=64240 <mss 1460,sackOK,TS val 1 ecr 0,wscale 7>"
    assert connection.steps[2].packet.segment.wnd == 64256, "the engine takes the scaled window"
    assert connection.steps[4].packet.segment.wnd == 65535 and connection.steps[4].packet.window == 2000
    remarks = " | ".join(connection.remarks)
    for said in ("window scaling (client 7, server 7", "clamped to 65535", "SACK", "timestamps", "ECE,CWR"):
        assert remarks.count(said) == 1, said
    assert states_of(replay)[-1] == (E, E)
    assert all(not step.surprises for step in connection.steps)
    done = run_cli("replay", str(path), "--json")
    data = json.loads(done.stdout)
    segment = data["connections"][0]["steps"][0]["segment"]
    assert segment["flags"] == ["SYN", "ECE", "CWR"] and segment["options"]["mss"] == 1460
    assert "\n" not in done.stdout.strip(), "compact JSON: one line"


def test_a_connection_seen_mid_way_is_said_so_and_followed_from_established(tmp_path):
    items = CONVERSATION[3:]
    path = write_capture(tmp_path / "mid.pcap", [framed(ip, "ethernet") for ip in conversation_packets(items)], 1)
    connection = replay_file(path).connections[0]
    assert connection.midway and "seen mid-way" in connection.remarks[0]
    assert (connection.client, connection.server) == (C, S), "the higher port is the client's"
    assert states_of(replay_file(path)) == RFC_STATES[3:]
    assert all(not step.surprises for step in connection.steps)


def test_a_window_update_the_engine_would_not_send_is_marked_with_its_rule(tmp_path):
    items = [*CONVERSATION[:3], ("server", ACK, 5001, 1001, b"", 1000)]
    path = write_capture(tmp_path / "wu.pcap", [framed(ip, "ethernet") for ip in conversation_packets(items)], 1)
    step = replay_file(path).connections[0].steps[-1]
    assert step.surprises and "window update" in step.surprises[0]
    done = run_cli("replay", str(path))
    assert done.returncode == 0 and "!     4" in done.stdout and "window update" in done.stdout


# ----------------------------------------------------------------------------------------------
# Bad files: one line, the file and the packet, exit 2


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tcpedu", *args], capture_output=True, text=True, cwd=cwd)


def _one_line_error(done: subprocess.CompletedProcess, *fragments: str) -> None:
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    for fragment in fragments:
        assert fragment in done.stderr


@pytest.mark.parametrize("pcapng", [False, True], ids=["pcap", "pcapng"])
@pytest.mark.parametrize("cut", [3, 20])
def test_a_truncated_capture_is_one_line_naming_the_file_and_the_packet(tmp_path, pcapng, cut):
    frames_ = [framed(ip, "ethernet") for ip in conversation_packets()]
    whole = write_capture(tmp_path / "whole.pcap", frames_, 1, pcapng).read_bytes()
    upto_three = write_capture(tmp_path / "three.pcap", frames_[:3], 1, pcapng).stat().st_size
    (tmp_path / "cut.pcap").write_bytes(whole[: upto_three + cut])
    _one_line_error(run_cli("replay", "cut.pcap", cwd=tmp_path), "cut.pcap: packet 4:")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "not a capture"),
        (b"garbage, not a capture at all, and long enough", "not a capture"),
        (b"\x0a\x0d\x0d\x0a" + b"\xff" * 40, "not a capture (pcapng"),
    ],
)
def test_garbage_is_one_line(tmp_path, content, fragment):
    (tmp_path / "bad.pcap").write_bytes(content)
    _one_line_error(run_cli("replay", "bad.pcap", cwd=tmp_path), "bad.pcap", fragment)


def test_a_missing_file_or_an_unknown_link_type_is_one_line(tmp_path):
    _one_line_error(run_cli("replay", "none.pcap", cwd=tmp_path), "none.pcap")
    write_capture(tmp_path / "ppp.pcap", [b"\0" * 40], 9)
    _one_line_error(run_cli("replay", "ppp.pcap", cwd=tmp_path), "ppp.pcap: link type 9")
    _one_line_error(run_cli("replay", "ppp.pcap", "--profile", "bsd", cwd=tmp_path), "--profile: unknown profile 'bsd'")


def test_draw_of_a_capture_is_its_ladder_with_the_packets_and_states(tmp_path):
    path = write_capture(tmp_path / "c.pcap", [framed(ip, "ethernet") for ip in conversation_packets()], 1)
    done = run_cli("draw", str(path))
    assert done.returncode == 0, done.stderr
    svg = done.stdout
    assert svg.startswith("<svg") and svg.count('class="segment delivered') == 11
    assert 'data-state="TIME-WAIT"' in svg and 'data-state="LAST-ACK"' in svg
    _one_line_error(run_cli("draw", str(path), "--connection", "2"), "--connection 2")


# ----------------------------------------------------------------------------------------------
# The real Linux stack, on loopback


@contextlib.contextmanager
def tcpdump(path: Path, port: int, interface: str = "lo"):
    if shutil.which("tcpdump") is None:
        pytest.fail("tcpdump is missing: apt-get install tcpdump")
    # --immediate-mode: without it this kernel's capture ring handed tcpdump nothing in a short
    # run; -Z root: the file is written into the test's own (root's) folder.
    command = ["tcpdump", "-i", interface, "--immediate-mode", "-U", "-n", "-Z", "root", "-w", str(path)]
    command.append(f"tcp port {port}")
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        line = b""
        while b"listening on" not in line and time.monotonic() < deadline:
            line = process.stderr.readline()
        yield
        time.sleep(0.3)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.skipif(os.geteuid() != 0, reason="capturing on loopback needs root")
@pytest.mark.parametrize("family", [socket.AF_INET, socket.AF_INET6], ids=["ipv4", "ipv6"])
def test_a_real_linux_connection_on_loopback_replays_open_data_and_close(tmp_path, family):
    # (tcpdump -i any, Linux cooked v2, dropped packets in the kernel here: SLL2 is tested above.)
    host = "127.0.0.1" if family == socket.AF_INET else "::1"
    port = _free_port()
    path = tmp_path / "lo.pcap"
    with tcpdump(path, port), socket.socket(family) as listener:
        listener.bind((host, port))
        listener.listen()
        client = socket.create_connection((host, port))
        server, _ = listener.accept()
        client.sendall(b"hello")
        assert server.recv(5) == b"hello"
        server.sendall(b"world")
        assert client.recv(5) == b"world"
        time.sleep(0.05)
        client.shutdown(socket.SHUT_WR)
        assert server.recv(5) == b""
        server.close()
        assert client.recv(5) == b""
        client.close()
    replay = replay_file(path)
    assert len(replay.connections) == 1
    connection = replay.connections[0]
    assert connection.client[0] == host and connection.server == (host, port)
    states = states_of(replay)
    assert states[:3] == [(SS, SR), (E, SR), (E, E)]
    assert states[-1] == (TW, CL)
    remarks = " | ".join(connection.remarks)
    assert "window scaling" in remarks and "timestamps" in remarks, "Linux offers both on loopback"
    calls = {call for step in connection.steps for call in step.calls}
    assert calls == {
        ("client", "connect"),
        ("server", "listen"),
        ("client", "send"),
        ("server", "send"),
        ("client", "close"),
        ("server", "close"),
    }


@pytest.mark.skipif(os.geteuid() != 0, reason="capturing on loopback needs root")
def test_a_real_syn_to_a_closed_port_is_refused_as_rfc_9293_says(tmp_path):
    # 3.10.7.1: no listener, so the SYN gets <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; the
    # client's SYN-SENT takes it (3.10.7.3): connection refused, CLOSED.
    port = _free_port()
    path = tmp_path / "refused.pcap"
    with tcpdump(path, port), pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port))
    steps = replay_file(path).connections[0].steps
    assert [step.sender for step in steps] == ["client", "server"]
    assert steps[1].segment.flags == 0x14 and steps[1].segment.ack == steps[0].segment.seq + 1
    assert [(step.states["client"], step.states["server"]) for step in steps] == [(SS, CL), (CL, CL)]
    assert [step.surprises for step in steps] == [[], []], "the engine agrees with the kernel"
    assert [call for step in steps for call in step.calls] == [("client", "connect")], "no listen"


@pytest.mark.skipif(os.geteuid() != 0, reason="capturing on loopback needs root")
def test_linux_resetting_data_that_arrives_after_close_is_marked_as_the_engine_would_acknowledge_it(tmp_path):
    # After close() Linux answers new data with a RST (tcp_rcv_state_process); RFC 9293's CLOSE
    # still receives (3.10.4), so the engine's end would have acknowledged the data.
    port = _free_port()
    path = tmp_path / "late.pcap"
    with tcpdump(path, port), socket.socket() as listener:
        listener.bind(("127.0.0.1", port))
        listener.listen()
        client = socket.create_connection(("127.0.0.1", port))
        server, _ = listener.accept()
        client.close()
        assert server.recv(5) == b""
        server.sendall(b"late")
        time.sleep(0.1)
        server.close()
    connection = replay_file(path).connections[0]
    last = connection.steps[-1]
    assert last.sender == "client" and last.segment.has_rst and ("client", "abort") in last.calls
    assert any("after CLOSE it still receives (RFC 9293 3.10.4)" in text for text in last.surprises)
    assert (last.states["client"], last.states["server"]) == (CL, CL)


@contextlib.contextmanager
def silent_peer():
    """A network namespace whose one link leads to a host that never answers: a veth pair whose
    other end (in a second namespace) has no address, reached through a fixed neighbour entry."""
    suffix = f"{os.getpid()}"
    here, there = f"tcpedu-replay-a{suffix}", f"tcpedu-replay-b{suffix}"

    def ip(*args: str) -> None:
        subprocess.run(["ip", *args], check=True, capture_output=True)

    ip("netns", "add", here)
    ip("netns", "add", there)
    try:
        ip("-n", here, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1", "netns", there)
        ip("-n", here, "addr", "add", "10.9.0.1/24", "dev", "veth0")
        ip("-n", here, "link", "set", "veth0", "up")
        ip("-n", there, "link", "set", "veth1", "up")
        ip("-n", here, "neigh", "add", "10.9.0.2", "lladdr", "02:00:00:00:00:09", "dev", "veth0")
        yield here
    finally:
        subprocess.run(["ip", "netns", "del", here], capture_output=True)
        subprocess.run(["ip", "netns", "del", there], capture_output=True)


CONNECT_UNANSWERED = (
    "import socket\n"
    "s = socket.socket()\n"
    "s.settimeout(2.5)\n"
    "try:\n"
    "    s.connect(('10.9.0.2', 9))\n"
    "except OSError:\n"
    "    pass\n"
)


@pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")
def test_linux_syn_retransmissions_agree_with_the_linux_profile_and_not_the_rfcs(tmp_path):
    # Linux resends an unanswered SYN after 1 s, and again 1 s later (tcp_syn_linear_timeouts);
    # RFC 6298 5.5 doubles the RTO, so its second retransmission would come at 3 s.
    path = tmp_path / "syn.pcap"
    with silent_peer() as namespace:
        command = ["ip", "netns", "exec", namespace, "tcpdump", "-i", "veth0", "--immediate-mode", "-U", "-n"]
        capture = subprocess.Popen([*command, "-Z", "root", "-w", str(path), "tcp"], stderr=subprocess.PIPE)
        try:
            line = b""
            while b"listening on" not in line:
                line = capture.stderr.readline()
            subprocess.run(["ip", "netns", "exec", namespace, sys.executable, "-c", CONNECT_UNANSWERED], check=True)
            time.sleep(0.3)
        finally:
            capture.send_signal(signal.SIGINT)
            capture.wait(timeout=10)
    linux = replay_file(path, profile="linux").connections[0]
    syns = [step for step in linux.steps if step.segment.has_syn]
    assert len(syns) == len(linux.steps) >= 3
    assert [round(step.time_us / 1e6) for step in syns[:3]] == [0, 1, 2]
    assert all(not step.surprises for step in syns[:3]), [step.surprises for step in syns[:3]]
    assert all(step.states["client"] is SS and step.states["server"] is CL for step in syns)
    rfc = replay_file(path, profile="rfc").connections[0]
    second = rfc.steps[2]
    assert second.surprises and "Linux differs (syn-linear-timeouts)" in second.surprises[0]
    assert "its timer is due at 3.0" in second.surprises[0]
    assert any("RST,ACK" in remark for remark in rfc.remarks), "no one answered: the engine's server would reset"


# The client's FIN, then the server's data: a client that acknowledges it went on reading
# (shutdown(SHUT_WR)); one that answers with a RST had closed (Linux's close() ends receiving).
_HALF_OPEN = CONVERSATION[:8]  # ... the client's FIN at 1006
_DATA_AFTER_FIN = [("server", ACK, 5006, 1007, b""), ("server", ACK | PSH, 5006, 1007, b"late!")]
HALF_CLOSE = [
    *_HALF_OPEN,
    *_DATA_AFTER_FIN,
    ("client", ACK, 1007, 5011, b""),
    ("server", FIN | ACK, 5011, 1007, b""),
    ("client", ACK, 1007, 5012, b""),
]
CLOSED_THEN_RESET = [*_HALF_OPEN, *_DATA_AFTER_FIN, ("client", RST, 1007, 0, b"")]


@pytest.mark.parametrize(
    ("items", "call"), [(HALF_CLOSE, "shutdown"), (CLOSED_THEN_RESET, "close"), (CONVERSATION, "close")]
)
@pytest.mark.parametrize("profile", ["rfc", "linux"])
def test_a_fin_is_a_shutdown_where_its_end_goes_on_reading_else_a_close(tmp_path, items, call, profile):
    frames_ = [framed(ip, "ethernet") for ip in conversation_packets(items)]
    replay = replay_file(write_capture(tmp_path / "c.pcap", frames_, LINKTYPES["ethernet"]), profile=profile)
    steps = replay.connections[0].steps
    fin = next(step for step in steps if step.sender == "client" and step.segment.has_fin)
    assert ("client", call) in fin.calls
    if items is HALF_CLOSE:  # the engine, told it was a shutdown, reads on in either profile
        assert [step.surprises for step in steps] == [[]] * len(steps)
        assert steps[-1].states == {"client": TW, "server": CL}
    if items is CLOSED_THEN_RESET and profile == "linux":  # the RST is what Linux's close() sends
        assert steps[-1].surprises == [] and steps[-1].states["client"] is CL


def _fields(captured):
    if captured is None:
        return None
    segment = captured.segment
    return (
        captured.number,
        captured.time_us,
        captured.src,
        captured.dst,
        (segment.seq, segment.ack, int(segment.flags), segment.wnd, segment.data),
        captured.window,
        captured.extra,
        captured.options_raw,
        captured.truncated,
    )


@settings(max_examples=400, deadline=None)
@given(
    flags=st.integers(0, 0x1FF),
    data=st.binary(max_size=40),
    options=st.sampled_from([b"", b"\x02\x04\x05\xb4", b"\x01\x01\x04\x02" + b"\x08\x0a" + bytes(8) + b"\x01\x01"]),
    link=st.sampled_from(["ethernet", "raw"]),
    edits=st.lists(st.tuples(st.integers(0, 80), st.integers(0, 255)), max_size=3),
    cut=st.integers(0, 120),
    length_change=st.integers(-40, 40),
    padding=st.binary(max_size=20),
)
def test_the_fast_ipv4_path_reads_what_dpkt_reads(flags, data, options, link, edits, cut, length_change, padding):
    # Plain IPv4 TCP frames of Ethernet and raw-IP captures skip dpkt's objects (read.py); any
    # frame, however damaged (bytes changed, cut short), reads the same as through dpkt, or goes
    # to dpkt.
    from tcpedu.capture.read import Skipped, _decoder, _plain_ipv4_reader, _segment

    tcp = tcp_bytes(flags, 1000, 2000, data, opts=options)
    tcp.off = 5 + len(options) // 4
    ip = ip_packet("client", tcp)
    ip.len = max(0, ip.len + length_change)  # an IP length that says less, or more, than the frame holds
    frame = bytearray(framed(ip, link) + padding)  # Ethernet pads short frames to 60 octets
    for position, value in edits:
        if position < len(frame):
            frame[position] = value
    frame = bytes(frame[: len(frame) - cut]) if cut < len(frame) else bytes(frame)
    linktype = LINKTYPES[link]
    fast = _plain_ipv4_reader(dpkt, linktype)(frame, 7, 42)
    try:
        slow = _segment(dpkt, _decoder(dpkt, linktype)(frame), 7, 42, Skipped())
    except (dpkt.UnpackError, struct.error, IndexError, ValueError):
        slow = None
    if not edits and not cut and not length_change:
        assert fast is not None, "a plain segment takes the fast path"
    if fast is not None:
        assert _fields(fast) == _fields(slow)


def test_several_processes_replay_a_capture_as_one_does(tmp_path):
    # Interleaved connections (each a whole conversation on its own port, some with surprises:
    # a packet dropped from every third), replayed by 1, 2 and 3 processes: the same bytes out.
    frames_ = []
    for round_ in range(len(CONVERSATION)):
        for port in range(40000, 40017):
            if port % 3 == 0 and round_ == 4:
                continue  # the server's ACK of the client's data is missing here
            sender, flags, seq, ack, data = CONVERSATION[round_]
            sport, dport = (port, S[1]) if sender == "client" else (S[1], port)
            frames_.append(framed(ip_packet(sender, tcp_bytes(flags, seq, ack, data, sport, dport)), "ethernet"))
    path = write_capture(tmp_path / "many.pcap", frames_, LINKTYPES["ethernet"])
    for options in (["--json"], ["-v"]):
        outputs = {jobs: run_cli("replay", str(path), "--jobs", str(jobs), *options) for jobs in (1, 2, 3)}
        assert all(done.returncode == 0 and done.stderr == "" for done in outputs.values())
        assert outputs[1].stdout == outputs[2].stdout == outputs[3].stdout
    connections = json.loads(run_cli("replay", str(path), "--json", "-j", "2").stdout)["connections"]
    assert len(connections) == 17
    surprised = sum(1 for connection in connections for step in connection["steps"] if step.get("surprises"))
    assert surprised and f"{surprised} packets where the real stack did otherwise" in outputs[2].stdout


def test_several_processes_say_a_bad_capture_once(tmp_path):
    data = (Path(__file__).resolve().parent.parent / "captures" / "half-close.pcap").read_bytes()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(data[:-10])
    _one_line_error(run_cli("replay", str(cut), "--jobs", "2"), f"{cut}: packet 13:", "(truncated)")
    done = run_cli("replay", str(cut), "--jobs", "0")
    assert done.returncode == 2 and "--jobs" in done.stderr and "must be 1 or more" in done.stderr
