"""A run written out as a packet capture (pcap) that Wireshark and tshark read.

Each segment becomes an Ethernet frame holding an IPv4 packet and a TCP segment, with the
simulation's addresses and ports (``CLIENT_ADDRESS``, ``SERVER_ADDRESS``), correct checksums, and
the simulated clock as its timestamp (seconds since the run started, so Wireshark's "seconds
since the beginning of capture" are the run's times; the absolute date reads 1970-01-01).

Where the capture is taken (``at``):

* ``"sender"`` (the default): a tap beside each sender. Every segment appears once, when it was
  sent, lost ones included (a lost segment was sent, and never received); a copy the network
  made (``duplicate``) does not, as no host sent it; a crafted segment (``inject``) appears when
  it was handed over, from the address it claims.
* ``"client"`` or ``"server"``: ``tcpdump`` on that host. Its own segments when it sent them;
  its peer's when they arrived, so a lost one is missing, a duplicated one is there twice, and a
  reordered one comes in the order it arrived.

The engine models no TCP options (MSS, window scale, SACK, timestamps): the headers carry none.

The library used is dpkt (``pip install tcpedu[captures]``): small, pure Python, and it reads
every link type a replay needs (Ethernet, Linux cooked SLL and SLL2, raw IP, loopback; pcap and
pcapng).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from ..core.isn import Address
from ..core.segment import Segment
from ..sim.history import Record
from ..sim.host_side import parse_address
from ..sim.network import Packet
from ..sim.simulation import CLIENT_ADDRESS, SERVER_ADDRESS, client_address

__all__ = ["CAPTURE_POINTS", "CaptureError", "Frame", "frames", "write_pcap"]

CAPTURE_POINTS = ("sender", "client", "server")
ADDRESSES = {"client": CLIENT_ADDRESS, "server": SERVER_ADDRESS}
# Locally administered MAC addresses, one per side (02:... is never a vendor's); client2 and the
# rest get 02:00:00:00:01:NN, and an address outside the simulation the router's.
MACS = {"client": bytes.fromhex("020000000001"), "server": bytes.fromhex("020000000002")}
_ROUTER_MAC = bytes.fromhex("0200000000fe")
TTL = 64


class CaptureError(Exception):
    """A capture cannot be written (no packet library, say); the message says what to do."""


@dataclasses.dataclass(frozen=True)
class Frame:
    """One packet as the capture shows it: when, from which side, and the segment."""

    time_us: int
    sender: str
    segment: Segment
    receiver: str = ""
    """Who it is for: a side, or an ``address:port`` outside the simulation."""


def frames(records: Iterable[Record], at: str = "sender") -> Iterator[Frame]:
    """The packets a capture taken ``at`` sees in a run's records, in the order it sees them."""
    if at not in CAPTURE_POINTS:
        raise ValueError(f"a capture is taken at one of {', '.join(CAPTURE_POINTS)}, not {at!r}")
    for record in records:
        if at == "sender":
            yield from (_frame(packet, record.time_us) for packet in _sent(record) if packet.copy_of is None)
            continue
        arrived = record.packet if record.kind in ("deliver", "inject") else None
        if arrived is not None and arrived.receiver == at:
            yield _frame(arrived, record.time_us)
        yield from (_frame(packet, record.time_us) for packet in record.sent if packet.sender == at)


def _sent(record: Record) -> Iterator[Packet]:
    """What left a host at this record: the injected segment (as if its claimed sender sent it),
    then the segments the endpoints sent."""
    if record.kind == "inject" and record.packet is not None:
        yield record.packet
    yield from record.sent


def _frame(packet: Packet, time_us: int) -> Frame:
    return Frame(time_us, packet.sender, packet.segment, packet.receiver)


def write_pcap(records: Iterable[Record], output: BinaryIO | str | Path, at: str = "sender") -> int:
    """Write the run's packets, as seen ``at``, to ``output`` (a path or a binary file);
    return how many were written."""
    dpkt = _dpkt()
    chosen = list(frames(records, at))
    if isinstance(output, (str, Path)):
        with open(output, "wb") as stream:
            return _write(dpkt, chosen, stream)
    return _write(dpkt, chosen, output)


def _write(dpkt, chosen: list[Frame], stream: BinaryIO) -> int:
    writer = dpkt.pcap.Writer(stream, snaplen=65535, linktype=dpkt.pcap.DLT_EN10MB)
    ip_ids: dict[str, int] = {}
    for frame in chosen:
        ip_ids[frame.sender] = (ip_ids.get(frame.sender, 0) + 1) & 0xFFFF
        packet = ethernet_frame(dpkt, frame, ip_ids[frame.sender])
        seconds, micros = divmod(frame.time_us, 1_000_000)
        writer.writepkt_time(packet, seconds + micros / 1_000_000)
    stream.flush()
    return len(chosen)


def ethernet_frame(dpkt, frame: Frame, ip_id: int) -> bytes:
    """The frame's bytes: Ethernet II, IPv4 (DF set, TTL 64), TCP with no options."""
    segment = frame.segment
    receiver = frame.receiver or ("client" if frame.sender == "server" else "server")
    source, destination = address_of(frame.sender), address_of(receiver)
    tcp = dpkt.tcp.TCP(
        sport=source[1],
        dport=destination[1],
        seq=segment.seq,
        ack=segment.ack if segment.has_ack else 0,
        flags=int(segment.flags),
        win=segment.wnd,
        data=segment.data,
    )
    import socket  # here: tcpedu run, which reads CAPTURE_POINTS from this module, never needs it

    ip = dpkt.ip.IP(
        src=socket.inet_aton(source[0]),
        dst=socket.inet_aton(destination[0]),
        p=dpkt.ip.IP_PROTO_TCP,
        ttl=TTL,
        id=ip_id,
        df=1,
        data=tcp,
    )
    ip.len = len(ip)  # dpkt fills in both checksums when the packet is packed
    ethernet = dpkt.ethernet.Ethernet(
        src=_mac(frame.sender), dst=_mac(receiver), type=dpkt.ethernet.ETH_TYPE_IP, data=ip
    )
    return bytes(ethernet)


def address_of(side: str) -> Address:
    """A side's address in the simulation (``client2`` is the second client's), or the address a
    name outside the simulation is (``203.0.113.9:4000``)."""
    known = ADDRESSES.get(side)
    if known is not None:
        return known
    if side.startswith("client") and side[6:].isdigit():
        return client_address(int(side[6:]))
    return parse_address(side)


def _mac(side: str) -> bytes:
    known = MACS.get(side)
    if known is not None:
        return known
    if side.startswith("client") and side[6:].isdigit():
        return bytes.fromhex("0200000001") + bytes([int(side[6:])])
    return _ROUTER_MAC


def _dpkt():
    try:
        import dpkt
    except ImportError:
        raise CaptureError("writing a capture needs dpkt: pip install 'tcpedu[captures]'") from None
    return dpkt
