#!/usr/bin/env python3
"""Record the course's captures from the real Linux TCP stack of this machine.

Run as root from the repository's root, with dpkt installed (``pip install tcpedu[captures]``)
and ``ip`` (iproute2), ``ss``, ``tc``, ``tcpdump`` and ``ethtool`` on the PATH::

    sudo .venv/bin/python scripts/record_captures.py              # every story, into captures/
    sudo .venv/bin/python scripts/record_captures.py refused      # some stories
    sudo .venv/bin/python scripts/record_captures.py --out /tmp/again
    .venv/bin/python scripts/record_captures.py --compare captures /tmp/again

For each story (``STORIES`` below) it makes two fresh network namespaces, the client's and the
server's, joined by a veth pair: the client is 192.0.2.1 port 50000 and the server 198.51.100.1
port 80 (RFC 5737's documentation addresses, and the simulation's own, so a replay names the same
ends as a run). Both ends have permanent neighbour entries (no ARP) and no checksum offload (the
capture's checksums are the real ones). ``tcpdump -U --immediate-mode`` captures every TCP packet
on the client's veth (the capture point: a client's packet is captured as it leaves, before the
network can lose it; a server's as it arrives). One process drives both ends with ordinary Python
sockets, each made inside its namespace (setns), one step of the story at a time.

After each step it waits until the traffic has settled (no new packet for ``QUIET`` seconds) and
then records the kernel's state of each socket: the client's connection, the server's connection
and the server's listener, each looked up by its addresses in ``ss -tanoi`` inside its namespace;
a socket ss does not list is read with getsockopt(TCP_INFO) (``tcpi_state``) while the story
still holds it, and is CLOSED (gone) otherwise. The snapshot records how many packets the capture
held (``after_packet``), and the packet count is read again after the snapshot: if it moved, the
step is not settled and the story fails rather than pair a state with the wrong packet. The
snapshot's time is recorded too, in microseconds from the first packet's timestamp (the kernel's
realtime clock stamps both), and checked to fall between packet ``after_packet`` and the next.

It writes ``captures/NAME.pcap`` and ``captures/NAME.json``: the story's name and description,
the kernel version, the capture point, the TCP sysctls that matter as read in each namespace
(the defaults: every story is over in seconds and none waits out TIME-WAIT's 60 s; a story that
changes one says which and why, in ``sysctls_changed``), and the steps: the side, the call and
its result, and after each step the packet count (``after_packet``), the time (``time_us``), how
many of the client's segments sat in its queue below the capture point (``held``: the kernel has
sent them, the capture does not show them yet), and the kernel's states (``states``: for each of
``client``, ``server`` and ``listener``, ss's name, the RFC's name, and whether ss, TCP_INFO or
the socket's absence told it); ``lost`` lists the packets sent into the blackhole (captured
leaving, never received).
``--compare A B`` checks that two recordings agree in what matters (the calls and their results,
the packet counts, the states, and each packet's direction, flags, sequence and acknowledgment
numbers relative to the ISNs, and length), ignoring the ISNs, TCP timestamps and times.

Losses and delays are made without netem (this kernel has no sch_netem): a lost segment is sent
to a MAC address no host has (a permanent neighbour entry, ``BLACKHOLE_MAC``), so it leaves the
client, is captured, and is dropped by the server's veth; a delayed segment waits in a token
bucket (tbf) on the client's veth whose bucket was just emptied by a UDP datagram (not captured:
the capture takes TCP only) until ``release`` refills it.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import dataclasses
import errno
import io
import json
import os
import platform
import select
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import dpkt

ROOT = Path(__file__).resolve().parent.parent
CAPTURES = ROOT / "captures"

CLIENT = ("192.0.2.1", 50000)
SERVER = ("198.51.100.1", 80)
MACS = {"client": "02:00:00:00:00:01", "server": "02:00:00:00:00:02"}
BLACKHOLE_MAC = "02:00:00:00:00:99"
DEVICES = {"client": "c0", "server": "s0"}
CAPTURE_POINT = "the client's veth (in the client's namespace): tcpdump -U --immediate-mode -w FILE tcp"

QUIET = 0.3  # seconds without a new packet before a step counts as settled
SETTLE_LIMIT = 5.0  # a step that has not settled by then fails the story
SYSCTLS = ("tcp_fin_timeout", "tcp_syn_retries", "tcp_synack_retries", "tcp_syn_linear_timeouts", "tcp_tw_reuse")

# ss's state names, and Linux's tcpi_state numbers (include/net/tcp_states.h), as RFC 9293 names them.
SS_STATES = {
    "ESTAB": "ESTABLISHED",
    "SYN-SENT": "SYN-SENT",
    "SYN-RECV": "SYN-RECEIVED",
    "FIN-WAIT-1": "FIN-WAIT-1",
    "FIN-WAIT-2": "FIN-WAIT-2",
    "TIME-WAIT": "TIME-WAIT",
    "CLOSE-WAIT": "CLOSE-WAIT",
    "LAST-ACK": "LAST-ACK",
    "CLOSING": "CLOSING",
    "LISTEN": "LISTEN",
    "UNCONN": "CLOSED",
    "CLOSE": "CLOSED",
}
TCPI_STATES = {
    1: "ESTAB",
    2: "SYN-SENT",
    3: "SYN-RECV",
    4: "FIN-WAIT-1",
    5: "FIN-WAIT-2",
    6: "TIME-WAIT",
    7: "CLOSE",
    8: "CLOSE-WAIT",
    9: "LAST-ACK",
    10: "LISTEN",
    11: "CLOSING",
    12: "SYN-RECV",  # TCP_NEW_SYN_RECV, a request socket
}

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


class RecordError(Exception):
    """A story could not be recorded as told (a step did not settle, a call failed unexpectedly)."""


@dataclasses.dataclass(frozen=True)
class Story:
    """A story: its name (the capture's file name), what it shows, its steps (side, call, argument), and
    the sysctls it changes in a namespace ({side: {name: value}}, each with its reason in ``why``)."""

    name: str
    description: str
    steps: tuple[tuple, ...]
    sysctls: dict = dataclasses.field(default_factory=dict)
    why: str = ""


OPEN = (("server", "listen"), ("client", "connect"), ("server", "accept"))

STORIES = (
    Story(
        "open-data-close",
        "The three-way handshake, 100 octets from the client and 200 back, then the client closes first: "
        "the four-way close, the client left in TIME-WAIT.",
        (
            *OPEN,
            ("client", "send", 100),
            ("server", "recv"),
            ("server", "send", 200),
            ("client", "recv"),
            ("client", "close"),
            ("server", "recv"),
            ("server", "close"),
        ),
    ),
    Story(
        "half-close",
        "Half-close: the client sends a request and shuts down its sending side (shutdown SHUT_WR, a FIN); "
        "the server reads to the end, sends two answers in CLOSE-WAIT, then closes.",
        (
            *OPEN,
            ("client", "send", 100),
            ("client", "shutdown"),
            ("server", "recv"),
            ("server", "send", 300),
            ("client", "recv"),
            ("server", "send", 300),
            ("client", "recv"),
            ("server", "close"),
            ("client", "recv"),
            ("client", "close"),
        ),
    ),
    Story(
        "simultaneous-close",
        "Simultaneous close: both ends close before either FIN arrives (the client's FIN is held in a queue "
        "until the server's FIN has reached the client); both pass through CLOSING to TIME-WAIT.",
        (
            *OPEN,
            ("client", "hold"),
            ("client", "close"),
            ("server", "close"),
            ("client", "release"),
        ),
        sysctls={"server": {"tcp_rto_min_us": 1_000_000}},
        why="the server's FIN would be sent again after 200 ms while the client's ACK is held, a number of "
        "times that depends on how fast the recording runs; with a 1 s minimum RTO it is sent once",
    ),
    Story(
        "abort",
        "Abort: after the handshake and 100 octets, the client closes with SO_LINGER 0 (ABORT): a RST, "
        "and the server's next read fails with ECONNRESET.",
        (
            *OPEN,
            ("client", "send", 100),
            ("server", "recv"),
            ("client", "abort"),
            ("server", "recv"),
            ("server", "close"),
        ),
    ),
    Story(
        "refused",
        "Connection refused: the client connects to a port nobody listens on; the server's kernel answers "
        "the SYN with a RST,ACK and connect() fails with ECONNREFUSED.",
        (("client", "connect"), ("client", "close")),
    ),
    Story(
        "close-unread",
        "close() with unread data: the server sends 100 octets the client never reads; the client's close() "
        "sends a RST instead of a FIN (RFC 2525 2.17), and the server's next read fails with ECONNRESET.",
        (
            *OPEN,
            ("server", "send", 100),
            ("client", "close"),
            ("server", "recv"),
            ("server", "close"),
        ),
    ),
    Story(
        "lost-syn",
        "A lost SYN: the client's first SYN is sent to a MAC address no host has and never arrives; "
        "after the route is restored the SYN is sent again 1 s later and the handshake completes; "
        "then the client closes first.",
        (
            ("server", "listen"),
            ("client", "blackhole"),
            ("client", "connect"),
            ("client", "restore"),
            ("client", "wait_packets", 4),
            ("server", "accept"),
            ("client", "close"),
            ("server", "recv"),
            ("server", "close"),
        ),
    ),
    Story(
        "time-wait-reuse",
        "A new connection into TIME-WAIT: the server closes first and is left in TIME-WAIT; the client "
        "connects again from the same port at once, its SYN reaches the server's TIME-WAIT and Linux accepts "
        "it (its sequence number is above the old connection's); then the client closes first.",
        (
            *OPEN,
            ("server", "close"),
            ("client", "recv"),
            ("client", "close"),
            ("client", "connect"),
            ("server", "accept"),
            ("client", "close"),
            ("server", "recv"),
            ("server", "close"),
        ),
    ),
    Story(
        "fin-wait-2-timeout",
        "An orphaned FIN-WAIT-2 given up: the client closes, its FIN is acknowledged, and the server never "
        "closes; with tcp_fin_timeout at 1 s the client's kernel forgets the connection without a packet, so the "
        "server's FIN, sent later, is answered with a RST.",
        (
            *OPEN,
            ("client", "close"),
            ("client", "wait", 2),
            ("server", "close"),
        ),
        sysctls={"client": {"tcp_fin_timeout": 1}},
        why="an orphaned FIN-WAIT-2 lasts tcp_fin_timeout, 60 s by default; 1 s keeps the recording short",
    ),
    Story(
        "simultaneous-open",
        "Simultaneous open: no listener; both ends bind fixed ports and connect() to each other, and the "
        "client's SYN is held in a queue until the server's SYN has reached the client, so the SYNs cross; "
        "then the client closes first.",
        (
            ("client", "hold"),
            ("client", "connect"),
            ("server", "connect"),
            ("client", "release"),
            ("client", "close"),
            ("server", "recv"),
            ("server", "close"),
        ),
    ),
)


def run(*command: str, check: bool = True) -> str:
    done = subprocess.run(command, capture_output=True, text=True)
    if check and done.returncode:
        raise RecordError(f"{' '.join(command)}: {done.stderr.strip() or done.returncode}")
    return done.stdout


class Lab:
    """Two namespaces joined by a veth pair, a capture running, and the story's sockets."""

    def __init__(self, story: Story, pcap: Path):
        tag = f"{os.getpid()}"
        self.story = story
        self.pcap = pcap
        self.ns = {"client": f"tcpedu-rec-c{tag}", "server": f"tcpedu-rec-s{tag}"}
        self.address = {"client": CLIENT, "server": SERVER}
        self.peer = {"client": "server", "server": "client"}
        self.sockets: dict[str, socket.socket] = {}  # "client", "server" (the connections), "listener"
        self.held = False
        self.tcpdump: subprocess.Popen | None = None

    # -- setting up and tearing down

    def __enter__(self) -> Lab:
        try:
            self._build()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _build(self) -> None:
        client, server = self.ns["client"], self.ns["server"]
        for name in (client, server):
            run("ip", "netns", "add", name)
            run("ip", "-n", name, "link", "set", "lo", "up")
            # No IPv6: its neighbour discovery would come at random times and sit in a held queue.
            run("ip", "netns", "exec", name, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1")  # fmt: skip
        run(
            "ip",
            "-n",
            client,
            "link",
            "add",
            "c0",
            "address",
            MACS["client"],
            "type",
            "veth",
            "peer",
            "name",
            "s0",
            "address",
            MACS["server"],
            "netns",
            server,
        )
        for side in ("client", "server"):
            peer = self.peer[side]
            dev, ns = DEVICES[side], self.ns[side]
            run("ip", "-n", ns, "link", "set", dev, "up")
            run("ip", "-n", ns, "addr", "add", f"{self.address[side][0]}/24", "dev", dev)
            run("ip", "-n", ns, "route", "add", f"{self.address[peer][0]}/32", "dev", dev)
            self.neighbour(side, MACS[peer])
            for name, value in self.story.sysctls.get(side, {}).items():
                run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", f"net.ipv4.{name}={value}")
            run(
                "ip",
                "netns",
                "exec",
                ns,
                "ethtool",
                "-K",
                dev,
                "tx",
                "off",
                "rx",
                "off",
                "tso",
                "off",
                "gso",
                "off",
                "gro",
                "off",
            )
        ready = self.pcap.with_suffix(".tcpdump.log")
        self._log = ready.open("w")
        self.tcpdump = subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                client,
                "tcpdump",
                "-i",
                "c0",
                "-n",
                "-U",
                "--immediate-mode",
                "-s",
                "262144",
                "-w",
                str(self.pcap),
                "tcp",
            ],
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        deadline = time.monotonic() + 5
        while "listening on" not in ready.read_text():
            if time.monotonic() > deadline or self.tcpdump.poll() is not None:
                raise RecordError(f"tcpdump did not start: {ready.read_text().strip()}")
            time.sleep(0.02)

    def __exit__(self, *exc) -> None:
        for sock in self.sockets.values():
            sock.close()
        if self.tcpdump is not None:
            self.tcpdump.send_signal(2)
            self.tcpdump.wait(5)
            self._log.close()
            self.pcap.with_suffix(".tcpdump.log").unlink()
        for name in self.ns.values():
            run("ip", "netns", "del", name, check=False)

    def neighbour(self, side: str, mac: str) -> None:
        peer = self.peer[side]
        run(
            "ip",
            "-n",
            self.ns[side],
            "neigh",
            "replace",
            self.address[peer][0],
            "lladdr",
            mac,
            "dev",
            DEVICES[side],
            "nud",
            "permanent",
        )

    @contextlib.contextmanager
    def inside(self, side: str) -> Iterator[None]:
        """Run the block in ``side``'s network namespace (sockets made there stay there)."""
        home = os.open("/proc/self/ns/net", os.O_RDONLY)
        target = os.open(f"/run/netns/{self.ns[side]}", os.O_RDONLY)
        try:
            if _libc.setns(target, CLONE_NEWNET):
                raise OSError(ctypes.get_errno(), "setns")
            yield
        finally:
            if _libc.setns(home, CLONE_NEWNET):
                raise OSError(ctypes.get_errno(), "setns back")
            os.close(target)
            os.close(home)

    def socket(self, side: str) -> socket.socket:
        with self.inside(side):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(self.address[side])
        return sock

    # -- the capture

    def packets(self) -> list[tuple[float, bytes]]:
        data = self.pcap.read_bytes() if self.pcap.exists() else b""
        if len(data) < 24:
            return []
        return list(dpkt.pcap.Reader(io.BytesIO(data)))

    def settle(self, at_least: int = 0) -> int:
        """Wait until no packet has come for QUIET seconds (and at least ``at_least`` have); the count."""
        start = time.monotonic()
        count, since = len(self.packets()), time.monotonic()
        while True:
            time.sleep(0.02)
            now = time.monotonic()
            if now - start > SETTLE_LIMIT + (3 if at_least else 0):
                raise RecordError(f"{self.story.name}: the traffic did not settle ({count} packets)")
            new = len(self.packets())
            if new != count:
                count, since = new, now
            elif now - since >= QUIET and count >= at_least and (self.held or not self.backlog()):
                return count

    def backlog(self) -> int:
        """Packets waiting in the client's queue (tbf), 0 when there is none."""
        text = run("ip", "netns", "exec", self.ns["client"], "tc", "-s", "qdisc", "show", "dev", "c0")
        for line in text.splitlines():
            words = line.split()
            if words[:1] == ["backlog"]:
                return int(words[2].rstrip("p"))
        return 0

    # -- the kernel's states

    def ss(self, side: str) -> list[tuple[str, str, str]]:
        """(ss state, local address:port, peer address:port) for every TCP socket in ``side``'s namespace."""
        text = run("ss", "-N", self.ns[side], "-tanoiH")
        rows = []
        for line in text.splitlines():
            words = line.split()
            if line[:1].isspace() or len(words) < 5:
                continue  # the -i lines under each socket
            rows.append((words[0], words[3], words[4]))
        return rows

    def states(self) -> dict[str, dict]:
        states = {}
        for role, side in (("client", "client"), ("server", "server"), ("listener", "server")):
            mine, peer = self.address[side], self.address[self.peer[side]]
            local = f"{mine[0]}:{mine[1]}"
            rows = self.ss(side)
            if role == "listener":
                found = [state for state, here, _ in rows if here == local and state == "LISTEN"]
            else:
                found = [state for state, here, there in rows if here == local and there == f"{peer[0]}:{peer[1]}"]
            sock = self.sockets.get(role)
            if len(found) > 1:
                raise RecordError(f"{self.story.name}: ss lists {len(found)} {role} sockets: {found}")
            if found:
                states[role] = {"kernel": found[0], "state": SS_STATES[found[0]], "from": "ss"}
            elif sock is not None:
                info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
                name = TCPI_STATES[info[0]]
                states[role] = {"kernel": name, "state": SS_STATES[name], "from": "TCP_INFO"}
            else:
                states[role] = {"kernel": None, "state": "CLOSED", "from": "gone"}
        return states

    # -- the calls

    def call(self, side: str, call: str, argument=None) -> str:
        """Make one call of the story; what it returned, in words."""
        if call == "listen":
            sock = self.sockets["listener"] = self.socket("server")
            sock.listen(8)
            return "ok"
        if call == "connect":
            sock = self.sockets[side] = self.socket(side)
            sock.setblocking(False)
            peer = self.address[self.peer[side]]
            code = sock.connect_ex(peer)
            return "in progress" if code == errno.EINPROGRESS else errno.errorcode.get(code, str(code))
        if call == "accept":
            listener = self.sockets["listener"]
            ready, _, _ = select.select([listener], [], [], 3)
            if not ready:
                raise RecordError(f"{self.story.name}: nothing to accept")
            self.sockets["server"], _ = listener.accept()
            self.sockets["server"].setblocking(False)
            return "ok"
        if call == "send":
            return f"{self.sockets[side].send(bytes(argument))} octets"
        if call == "recv":
            return self.recv(self.sockets[side])
        if call == "shutdown":
            self.sockets[side].shutdown(socket.SHUT_WR)
            return "ok"
        if call == "close":
            self.sockets.pop(side).close()
            return "ok"
        if call == "abort":
            sock = self.sockets.pop(side)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            return "ok"
        if call == "blackhole":
            self.neighbour(side, BLACKHOLE_MAC)
            return "ok"
        if call == "restore":
            self.neighbour(side, MACS[self.peer[side]])
            return "ok"
        if call == "wait_packets":
            return "ok"
        if call == "wait":
            time.sleep(argument)
            return "ok"
        if call == "hold":
            self.hold(side)
            return "ok"
        if call == "release":
            self.release(side)
            return "ok"
        raise RecordError(f"unknown call {call!r}")

    def recv(self, sock: socket.socket) -> str:
        total = 0
        while True:
            try:
                data = sock.recv(65536)
            except BlockingIOError:
                return f"{total} octets"
            except OSError as error:
                return (
                    f"{total} octets, then {errno.errorcode.get(error.errno, error.errno)}"
                    if total
                    else (errno.errorcode.get(error.errno, str(error.errno)))
                )
            if not data:
                return f"{total} octets, then end of stream" if total else "end of stream"
            total += len(data)

    def hold(self, side: str) -> None:
        """Hold ``side``'s next segments in a token bucket whose tokens a UDP datagram has just spent."""
        if side != "client":
            raise RecordError("only the client's segments can be held")
        ns = self.ns[side]
        run(
            "ip",
            "netns",
            "exec",
            ns,
            "tc",
            "qdisc",
            "add",
            "dev",
            "c0",
            "root",
            "tbf",
            "rate",
            "8bit",
            "burst",
            "200",
            "limit",
            "10000",
        )
        self._spend_tokens(side, 150)
        self.held = True

    def release(self, side: str) -> None:
        ns = self.ns[side]
        run(
            "ip",
            "netns",
            "exec",
            ns,
            "tc",
            "qdisc",
            "change",
            "dev",
            "c0",
            "root",
            "tbf",
            "rate",
            "10gbit",
            "burst",
            "200000",
            "limit",
            "10000",
        )
        self._spend_tokens(side, 1)  # an enqueue runs the queue
        self.held = False
        deadline = time.monotonic() + 3
        while self.backlog():
            if time.monotonic() > deadline:
                raise RecordError(f"{self.story.name}: the held segments were not released")
            time.sleep(0.01)
        run("ip", "netns", "exec", ns, "tc", "qdisc", "del", "dev", "c0", "root")

    def _spend_tokens(self, side: str, size: int) -> None:
        with self.inside(side):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        with udp:
            udp.sendto(bytes(size), (self.address[self.peer[side]][0], 9))


def sysctls(lab: Lab) -> dict[str, dict[str, int]]:
    values = {}
    for side, ns in lab.ns.items():
        values[side] = {}
        for name in SYSCTLS + tuple(sorted(lab.story.sysctls.get(side, {}))):
            text = run("ip", "netns", "exec", ns, "cat", f"/proc/sys/net/ipv4/{name}")
            values[side][name] = int(text)
    return values


def record(story: Story, out: Path, say: Callable[[str], None] = print) -> dict:
    """Record ``story`` into ``out``/NAME.pcap and NAME.json; the JSON's content."""
    pcap = out / f"{story.name}.pcap"
    pcap.unlink(missing_ok=True)
    steps = []
    with Lab(story, pcap) as lab:
        settings = sysctls(lab)
        for index, (side, call, *rest) in enumerate(story.steps, 1):
            argument = rest[0] if rest else None
            result = lab.call(side, call, argument)
            count = lab.settle(argument if call == "wait_packets" else 0)
            if call == "connect" and result == "in progress":
                sock = lab.sockets[side]
                _, done, _ = select.select([], [sock], [], 0)
                code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if done:
                    result = "connected" if code == 0 else errno.errorcode.get(code, str(code))
            stamp = time.time()
            states = lab.states()
            after = time.time()
            if len(lab.packets()) != count:
                raise RecordError(f"{story.name}: a packet came during step {index}'s snapshot")
            step = {"step": index, "side": side, "call": call}
            if argument is not None:
                step["argument"] = argument
            step.update({"result": result, "after_packet": count, "held": lab.backlog() if lab.held else 0})
            step.update({"_time": (stamp, after), "states": states})
            steps.append(step)
            shown = ", ".join(f"{role} {value['state']}" for role, value in states.items())
            say(
                f"  {index:2}. {side} {call}{'' if argument is None else ' ' + str(argument)}: {result}; "
                f"after packet {count}: {shown}"
            )
    with pcap.open("rb") as file:
        packets = list(dpkt.pcap.Reader(file))
    if not packets:
        raise RecordError(f"{story.name}: no packet was captured")
    first = packets[0][0]
    for step in steps:
        stamp, after = step.pop("_time")
        count = step["after_packet"]
        if count and packets[count - 1][0] > stamp:
            raise RecordError(f"{story.name}: packet {count} is stamped after step {step['step']}'s snapshot")
        if count < len(packets) and packets[count][0] < after:
            raise RecordError(f"{story.name}: packet {count + 1} is stamped before step {step['step']}'s snapshot")
        step["time_us"] = round((stamp - first) * 1e6)
    lost, since = [], None
    for step in steps:  # what a side sent while its peer's address led to BLACKHOLE_MAC never arrived
        if step["call"] == "blackhole":
            since = step["after_packet"]
        elif step["call"] == "restore":
            for number in range(since + 1, step["after_packet"] + 1):
                source = socket.inet_ntoa(dpkt.ethernet.Ethernet(packets[number - 1][1]).data.src)
                if source == lab.address[step["side"]][0]:
                    lost.append(number)
    document = {
        "story": story.name,
        "description": story.description,
        "kernel": f"Linux {platform.release()}",
        "recorded_by": "scripts/record_captures.py",
        "capture_point": CAPTURE_POINT,
        "client": list(CLIENT),
        "server": list(SERVER),
        "sysctls": settings,
        "sysctls_changed": {"values": story.sysctls, "why": story.why} if story.sysctls else {},
        "packets": len(packets),
        "lost": lost,
        "steps": steps,
    }
    (out / f"{story.name}.json").write_text(json.dumps(document, indent=1) + "\n")
    return document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stories", nargs="*", help="story names (default: all)")
    parser.add_argument("--out", type=Path, default=CAPTURES, help="folder to write into (default: captures/)")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"), help="compare two recordings")
    parser.add_argument("--list", action="store_true", help="list the stories")
    args = parser.parse_args(argv)
    names = [story.name for story in STORIES]
    if args.list:
        print("\n".join(names))
        return 0
    if args.compare:
        return compare(*args.compare)
    unknown = set(args.stories) - set(names)
    if unknown:
        parser.error(f"unknown stories: {', '.join(sorted(unknown))} (the stories: {', '.join(names)})")
    if os.geteuid() != 0:
        parser.error("recording needs root (network namespaces, tcpdump)")
    args.out.mkdir(parents=True, exist_ok=True)
    for story in STORIES:
        if args.stories and story.name not in args.stories:
            continue
        print(f"{story.name}:")
        document = record(story, args.out)
        print(f"  {document['packets']} packets -> {args.out / story.name}.pcap, .json")
    return 0


def summary(folder: Path, name: str) -> dict:
    """What must be the same in two recordings of a story: calls, results, counts, states, packets."""
    document = json.loads((folder / f"{name}.json").read_text())
    steps = [{key: value for key, value in step.items() if key != "time_us"} for step in document["steps"]]
    packets = []
    isn: dict[str, int] = {}
    for _, buf in dpkt.pcap.Reader((folder / f"{name}.pcap").open("rb")):
        ip = dpkt.ethernet.Ethernet(buf).data
        tcp = ip.data
        sender = "client" if socket.inet_ntoa(ip.src) == CLIENT[0] else "server"
        receiver = "server" if sender == "client" else "client"
        if tcp.flags & dpkt.tcp.TH_SYN:  # a connection (again, on the same ports) starts from its ISNs
            if not tcp.flags & dpkt.tcp.TH_ACK:
                isn.clear()
            isn[sender] = tcp.seq
        isn.setdefault(sender, tcp.seq)
        if tcp.flags & dpkt.tcp.TH_ACK:
            isn.setdefault(receiver, (tcp.ack - 1) % 2**32)
        ack = (tcp.ack - isn[receiver]) % 2**32 if tcp.flags & dpkt.tcp.TH_ACK else None
        packets.append((sender, _flags(tcp.flags), (tcp.seq - isn[sender]) % 2**32, ack, len(tcp.data)))
    return {"steps": steps, "packets": packets}


def _flags(bits: int) -> str:
    names = [
        ("SYN", dpkt.tcp.TH_SYN),
        ("FIN", dpkt.tcp.TH_FIN),
        ("RST", dpkt.tcp.TH_RST),
        ("PSH", dpkt.tcp.TH_PUSH),
        ("ACK", dpkt.tcp.TH_ACK),
    ]
    return ",".join(name for name, bit in names if bits & bit)


def compare(first: Path, second: Path) -> int:
    """Print where two recordings differ in what matters; 0 when they agree in every story."""
    names = sorted(path.stem for path in first.glob("*.json"))
    if names != sorted(path.stem for path in second.glob("*.json")):
        print(f"the stories differ: {names} and {sorted(path.stem for path in second.glob('*.json'))}")
        return 1
    differ = 0
    for name in names:
        a, b = summary(first, name), summary(second, name)
        if a == b:
            print(f"{name}: the same ({len(a['packets'])} packets, {len(a['steps'])} steps)")
            continue
        differ += 1
        for what in ("steps", "packets"):
            for index, (x, y) in enumerate(zip(a[what], b[what], strict=False), 1):
                if x != y:
                    print(f"{name}: {what[:-1]} {index} differs:\n  {x}\n  {y}")
            if len(a[what]) != len(b[what]):
                print(f"{name}: {len(a[what])} {what} against {len(b[what])}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
