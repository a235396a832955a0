"""tcpedu export: a run as a pcap capture, checked as Wireshark reads it (tshark, Debian's
package, which scripts/test installs) and as dpkt reads it back.

What tshark must see is worked out from RFC 9293 and the capture point, not from a run: a
connection that opens, carries data and closes both ways is one complete conversation
(``tcp.completeness`` 31: SYN, SYN-ACK, ACK, data, FIN), every checksum is right, and a lost
segment is in the sender's capture but not the receiver's.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import dpkt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcpedu.capture import Frame, frames, write_pcap
from tcpedu.core.segment import MAX_WINDOW, Flags, Segment
from tcpedu.scenario import parse, run_script

TSHARK = shutil.which("tshark")
CLIENT, SERVER = ("192.0.2.1", 50000), ("198.51.100.1", 80)

CONVERSATION = """\
# Open, 100 octets each way, close both ways, TIME-WAIT
client isn 1000
server isn 5000
server listen
client connect
deliver all
client send 100
server send 100
deliver all
wait 1
client close
deliver all
server close
deliver all
wait next
expect client CLOSED server CLOSED
"""

# The same, with the client's first SYN lost and the server's first SYN,ACK duplicated.
LOSSY = """\
client isn 1000
server isn 5000
server listen
client connect
drop
wait next
deliver
duplicate
deliver all
expect client ESTABLISHED server ESTABLISHED
"""


def records_of(text: str) -> list:
    run = run_script(parse(text, "t.tcp"))
    assert run.ok, run.error or run.failure
    return [record for step in run.steps for record in step.records]


def tshark(path: Path, *fields: str) -> list[list[str]]:
    """Each packet's fields as tshark decodes them (two passes, checksums verified)."""
    assert TSHARK, "tshark is missing: scripts/test installs it (scripts/apt-packages-test.txt)"
    command = [TSHARK, "-2", "-r", str(path), "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE"]
    command += ["-o", "tcp.relative_sequence_numbers:FALSE", "-T", "fields", "-E", "separator=|"]
    for field in fields:
        command += ["-e", field]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return [line.split("|") for line in done.stdout.splitlines()]


def test_a_whole_connection_is_one_complete_conversation_with_good_checksums(tmp_path):
    path = tmp_path / "run.pcap"
    count = write_pcap(records_of(CONVERSATION), path)
    rows = tshark(path, "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport", "tcp.completeness", "tcp.stream")
    assert len(rows) == count
    ends = {(row[0], int(row[1]), row[2], int(row[3])) for row in rows}
    assert ends == {(*CLIENT, *SERVER), (*SERVER, *CLIENT)}
    assert {row[5] for row in rows} == {"0"}, "one TCP conversation"
    assert {row[4] for row in rows} == {"31"}, "SYN, SYN-ACK, ACK, data and FIN all seen (tcp.completeness)"
    checks = tshark(path, "ip.checksum.status", "tcp.checksum.status")
    assert all(row == ["1", "1"] for row in checks), "Wireshark's checksum status 1 is 'good'"


def test_tshark_reads_the_handshake_and_close_as_rfc_9293_numbers_them(tmp_path):
    path = tmp_path / "run.pcap"
    write_pcap(records_of(CONVERSATION), path)
    rows = tshark(path, "frame.time_relative", "tcp.srcport", "tcp.flags", "tcp.seq", "tcp.ack", "tcp.len")
    seen = [
        (float(t), int(port), int(flags, 16), int(seq), int(ack), int(length))
        for t, port, flags, seq, ack, length in rows
    ]
    syn, ack, fin = 0x02, 0x10, 0x01
    # 3.4: the SYN takes ISS, the SYN,ACK acknowledges ISS+1; data starts at ISS+1; a FIN takes one number.
    assert seen[0] == (0.0, 50000, syn, 1000, 0, 0)
    assert seen[1] == (0.0, 80, syn | ack, 5000, 1001, 0)
    assert seen[2] == (0.0, 50000, ack, 1001, 5001, 0)
    fins = [row for row in seen if row[2] & fin]
    assert [(row[1], row[3], row[4]) for row in fins] == [(50000, 1101, 5101), (80, 5101, 1102)]
    assert all(row[0] == 1.0 for row in fins), "timestamps are the simulated clock (the close came after wait 1)"
    assert seen[-1][1:] == (50000, ack, 1102, 5102, 0), "the last ACK, from the side that goes to TIME-WAIT"


def test_a_lost_segment_is_in_the_senders_capture_only_and_a_copy_reaches_the_receiver_twice(tmp_path):
    records = records_of(LOSSY)
    sender = [(f.sender, f.segment.flags, f.time_us) for f in frames(records, "sender")]
    at_server = [(f.sender, f.segment.flags) for f in frames(records, "server")]
    at_client = [(f.sender, f.segment.flags) for f in frames(records, "client")]
    syn, syn_ack = Flags.SYN, Flags.SYN | Flags.ACK
    # Sent: the SYN at 0 (lost), again at 1 s (RTO 1 s, RFC 6298), the SYN,ACK once (no host sent the copy).
    assert sender[:3] == [("client", syn, 0), ("client", syn, 1_000_000), ("server", syn_ack, 1_000_000)]
    assert at_server.count(("client", syn)) == 1, "the lost SYN never reached the server"
    assert at_client.count(("server", syn_ack)) == 2, "the duplicated SYN,ACK reached the client twice"
    assert at_client.count(("client", syn)) == 2, "the client's tcpdump saw both SYNs leave"
    for at in ("sender", "client", "server"):
        path = tmp_path / f"{at}.pcap"
        assert write_pcap(records, path, at=at) == len(list(frames(records, at)))
        assert len(tshark(path, "frame.number")) == len(list(frames(records, at)))


def test_an_injected_segment_is_captured_from_the_address_it_claims():
    text = "client isn 1000\nserver isn 5000\nserver listen\nclient connect\ndeliver all\ninject server RST seq=1001\n"
    captured = list(frames(records_of(text), "sender"))
    assert captured[-1].sender == "client" and captured[-1].segment.flags == Flags.RST
    assert captured[-1] in list(frames(records_of(text), "server"))


segments = st.builds(
    Segment,
    seq=st.integers(0, 2**32 - 1),
    ack=st.integers(0, 2**32 - 1),
    flags=st.sampled_from(
        [Flags.SYN, Flags.SYN | Flags.ACK, Flags.ACK, Flags.FIN | Flags.ACK, Flags.RST, Flags.RST | Flags.ACK]
    ),
    wnd=st.integers(0, MAX_WINDOW),
    data=st.binary(max_size=1460),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 10**12), st.sampled_from(["client", "server"]), segments), min_size=1, max_size=5)
)
def test_every_field_reads_back_as_written_and_both_checksums_verify(tmp_path_factory, written):
    from tcpedu.capture.export import _write

    path = tmp_path_factory.mktemp("pcap") / "random.pcap"
    with open(path, "wb") as stream:
        _write(dpkt, [Frame(*item) for item in written], stream)
    with open(path, "rb") as stream:
        packets = list(dpkt.pcap.Reader(stream))
    assert len(packets) == len(written)
    for (timestamp, raw), (time_us, sender, segment) in zip(packets, written, strict=True):
        ip = dpkt.ethernet.Ethernet(raw).data
        tcp = ip.data
        assert round(timestamp * 1_000_000) == time_us
        assert (tcp.sport, tcp.dport) == ((CLIENT[1], SERVER[1]) if sender == "client" else (SERVER[1], CLIENT[1]))
        assert (tcp.seq, tcp.flags, tcp.win, bytes(tcp.data)) == (
            segment.seq,
            int(segment.flags),
            segment.wnd,
            segment.data,
        )
        assert tcp.ack == (segment.ack if segment.has_ack else 0)
        # Recomputing a checksum over the packet as read, with the checksum field in it, gives 0.
        assert dpkt.in_cksum(bytes(ip)[: ip.hl * 4]) == 0
        pseudo = ip.src + ip.dst + bytes([0, dpkt.ip.IP_PROTO_TCP]) + len(bytes(tcp)).to_bytes(2, "big")
        assert dpkt.in_cksum(pseudo + bytes(tcp)) == 0


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tcpedu", *args], capture_output=True, text=True, cwd=cwd)


def test_export_on_the_command_line_writes_the_capture_and_says_where_it_was_taken(tmp_path):
    done = run_cli("export", "lost-syn-ack", "-o", "lost.pcap", "--at", "client", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().endswith("packets, captured at the client")
    assert tshark(tmp_path / "lost.pcap", "frame.number")


@pytest.mark.parametrize(
    ("output", "fragment"),
    [
        ("nowhere/run.pcap", "no folder 'nowhere' to write into"),
        (".", "cannot write it"),
        ("/proc/run.pcap", "cannot write it"),
    ],
)
def test_export_to_a_place_it_cannot_write_is_one_line_and_exit_2(tmp_path, output, fragment):
    done = run_cli("export", "three-way-handshake", "-o", output, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and fragment in done.stderr and "Traceback" not in done.stderr


def test_export_of_a_script_that_stops_writes_nothing_and_names_the_line(tmp_path):
    (tmp_path / "bad.tcp").write_text("server listen\nclient connect\ndeliver all\ndeliver\n")
    done = run_cli("export", "bad.tcp", "-o", "run.pcap", cwd=tmp_path)
    assert done.returncode == 2 and "bad.tcp:4: deliver: nothing in flight (nothing written)" in done.stderr
    assert not (tmp_path / "run.pcap").exists()
