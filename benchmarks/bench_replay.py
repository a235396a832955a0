"""How fast is ``tcpedu replay``? Writes a capture of a million packets and times the whole
process of ``tcpedu replay --json`` on it (start-up, reading, both engines at every packet, the
JSON), printing packets per second. The goal: a million packets in under 30 s. The replay uses
its default ``--jobs`` (two processes for a file this large on a machine with two cores);
``--jobs N`` passes another.

The capture (pcap, Ethernet, IPv4, correct checksums, written with dpkt) holds many
connections one after the other, each from its own client port: a three-way handshake, 100
octets each way with their ACKs, and a close both ways, 11 packets 100 µs apart.

Run: python benchmarks/bench_replay.py [--packets N] [--keep FILE.pcap | --input FILE.pcap]
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dpkt

CLIENT, SERVER = socket.inet_aton("192.0.2.1"), socket.inet_aton("198.51.100.1")
SYN, ACK, FIN, PSH = 0x02, 0x10, 0x01, 0x08
MACS = (bytes.fromhex("020000000001"), bytes.fromhex("020000000002"))
# The Ethernet header of each direction (destination, source, IPv4), as dpkt writes it.
ETHERNET = {
    True: bytes(dpkt.ethernet.Ethernet(dst=MACS[1], src=MACS[0], type=0x0800)),
    False: bytes(dpkt.ethernet.Ethernet(dst=MACS[0], src=MACS[1], type=0x0800)),
}


def connection(client_port: int, isn_c: int, isn_s: int) -> list[tuple[bool, int, int, int, bytes]]:
    """(from the client?, flags, seq, ack, data) of one whole connection."""
    data = b"x" * 100
    c, s = isn_c, isn_s
    return [
        (True, SYN, c, 0, b""),
        (False, SYN | ACK, s, c + 1, b""),
        (True, ACK, c + 1, s + 1, b""),
        (True, ACK | PSH, c + 1, s + 1, data),
        (False, ACK, s + 1, c + 101, b""),
        (False, ACK | PSH, s + 1, c + 101, data),
        (True, ACK, c + 101, s + 101, b""),
        (True, FIN | ACK, c + 101, s + 101, b""),
        (False, ACK, s + 101, c + 102, b""),
        (False, FIN | ACK, s + 101, c + 102, b""),
        (True, ACK, c + 102, s + 102, b""),
    ]


def write_capture(path: Path, packets: int) -> int:
    """Write whole connections until ``packets`` packets; return how many were written."""
    written = 0
    now_us = 0
    with open(path, "wb") as stream:
        writer = dpkt.pcap.Writer(stream, snaplen=65535, linktype=dpkt.pcap.DLT_EN10MB)
        index = 0
        while written < packets:
            port = 1024 + index % 64000
            server_port = 80 + index // 64000
            for from_client, flags, seq, ack, data in connection(port, 1000 + index, 5000 + index):
                sport, dport = (port, server_port) if from_client else (server_port, port)
                tcp = dpkt.tcp.TCP(sport=sport, dport=dport, seq=seq, ack=ack, win=65535, data=data)
                tcp.flags = flags
                src, dst = (CLIENT, SERVER) if from_client else (SERVER, CLIENT)
                ip = dpkt.ip.IP(src=src, dst=dst, p=6, ttl=64, data=tcp)
                ip.len = len(ip)
                writer.writepkt(ETHERNET[from_client] + bytes(ip), ts=now_us / 1e6)  # dpkt fills both checksums
                now_us += 100
                written += 1
                if written == packets:
                    break
            index += 1
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=1_000_000)
    parser.add_argument("--keep", metavar="FILE", help="write the capture here and keep it")
    parser.add_argument("--input", metavar="FILE", help="time a capture written before (with --keep)")
    parser.add_argument("--jobs", type=int, help="tcpedu replay's --jobs (default: its own choice)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.input:
            path = Path(args.input)
            count = sum(1 for _ in dpkt.pcap.Reader(open(path, "rb")))  # noqa: SIM115
        else:
            path = Path(args.keep) if args.keep else Path(folder) / "million.pcap"
            started = time.perf_counter()
            count = write_capture(path, args.packets)
            megabytes = path.stat().st_size / 1e6
            print(f"wrote {count} packets ({megabytes:.1f} MB) in {time.perf_counter() - started:.1f} s")
        environment = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
        command = [sys.executable, "-m", "tcpedu", "replay", "--json", str(path)]
        if args.jobs is not None:
            command += ["--jobs", str(args.jobs)]
        started = time.perf_counter()
        cpu = os.times()
        done = subprocess.run(command, capture_output=True, env=environment)
        seconds = time.perf_counter() - started
        used = os.times()
        cpu_seconds = used.children_user - cpu.children_user + used.children_system - cpu.children_system
        if done.returncode != 0:
            print(done.stderr.decode(), file=sys.stderr)
            return 1
        output = len(done.stdout)
    jobs = args.jobs if args.jobs is not None else f"default ({os.cpu_count()} cores)"
    print(f"python {platform.python_version()} on {platform.machine()}; --jobs {jobs}")
    print(
        f"tcpedu replay --json: {count} packets in {seconds:.1f} s whole-process, {count / seconds:,.0f} packets/s "
        f"({output / 1e6:.0f} MB of JSON); goal: 1,000,000 in under 30 s"
    )
    load = os.getloadavg()[0]
    print(f"CPU time {cpu_seconds:.1f} s ({count / cpu_seconds:,.0f} packets per CPU second); load average {load:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
