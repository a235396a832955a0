"""Reading a real capture: every TCP segment in a pcap or pcapng file, with what the engine's
``Segment`` has no room for kept beside it.

dpkt reads the file formats (pcap in either byte order, micro- or nanosecond; pcapng) and
decodes the headers: the link layers a capture on Linux or elsewhere has (Ethernet, with VLAN
tags; Linux cooked SLL and SLL2, what ``tcpdump -i any`` writes; raw IP; the BSD loopback
header, NULL and LOOP), IPv4 and IPv6, and TCP. A ``Captured`` record wraps the ``Segment``
the engine takes in: ECE, CWR and NS (AE), the TCP options (MSS, window scale, SACK-permitted,
SACK blocks, timestamps), the window as sent, and whether the capture cut the data short.

A packet that is not a TCP segment (ARP, UDP, ICMP, an IP fragment after the first, a frame of
another link type) is skipped and counted by reason. A file that is not a capture, or that ends
in the middle of a packet, raises ``CaptureError`` naming the file and the packet's number.
"""

from __future__ import annotations

import socket
import struct
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..core.segment import Segment
from .export import CaptureError

__all__ = ["EXTRA_FLAGS", "LINK_TYPES", "CaptureError", "Captured", "Skipped", "read_capture"]

Address = tuple[str, int]

#: flag bits beyond the six a Segment carries (RFC 3168's ECE and CWR, RFC 3540's NS, now AE)
EXTRA_FLAGS = {"ECE": 0x40, "CWR": 0x80, "NS": 0x100}

#: link type number -> name, as tcpdump's linktypes list spells them
LINK_TYPES = {
    0: "NULL (BSD loopback)",
    1: "Ethernet",
    12: "raw IP",
    14: "raw IP",
    101: "raw IP",
    108: "LOOP (OpenBSD loopback)",
    113: "Linux cooked (SLL)",
    228: "raw IPv4",
    229: "raw IPv6",
    276: "Linux cooked v2 (SLL2)",
}

_PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
_ETH_IP, _ETH_IP6 = b"\x08\x00", b"\x86\xdd"
_OPTION_NAMES = {2: "mss", 3: "wscale", 4: "sack_permitted", 5: "sack", 8: "timestamps"}


class Captured:
    """One TCP segment as captured: where and when, the ``Segment`` the engine takes in, and the
    header's other fields (a wrapper, since a core Segment carries six flags and no options)."""

    __slots__ = ("dst", "extra", "number", "options_raw", "segment", "src", "time_us", "truncated", "window")

    def __init__(
        self,
        number: int,
        time_us: int,
        src: Address,
        dst: Address,
        segment: Segment,
        window: int,
        extra: int = 0,
        options_raw: bytes = b"",
        truncated: int = 0,
    ):
        self.number = number
        """1-based number of the packet in the file (as Wireshark numbers it)."""
        self.time_us = time_us
        """Microseconds since the file's first packet."""
        self.src = src
        self.dst = dst
        self.segment = segment
        """The segment as the engine takes it in (its window is ``window``, at most 65535; the
        replay puts the scaled window there)."""
        self.window = window
        """The window field as sent (unscaled)."""
        self.extra = extra
        """ECE, CWR, NS bits (``EXTRA_FLAGS``)."""
        self.options_raw = options_raw
        self.truncated = truncated
        """Octets of data the capture did not keep (its snap length); they are zeros here."""

    @property
    def extra_flags(self) -> list[str]:
        """``["ECE", "CWR"]``: the flags set that a Segment has no bit for."""
        return [name for name, bit in EXTRA_FLAGS.items() if self.extra & bit]

    @property
    def options(self) -> dict[str, object]:
        """The TCP options by name: ``mss``, ``wscale``, ``sack_permitted``, ``sack`` (the blocks,
        as (left, right) pairs), ``timestamps`` ((TSval, TSecr)), and ``other`` (kinds not
        listed here)."""
        return parse_options(self.options_raw)

    def describe(self) -> str:
        """``SYN seq=100 len=0 win=65535 <mss 1460,sackOK,TS 1 0,wscale 7> ECE,CWR``."""
        segment = self.segment
        ack = f" ack={segment.ack}" if segment.has_ack else ""
        flags = ",".join([*segment.flags.names(), *self.extra_flags]) or "none"
        text = f"{flags} seq={segment.seq}{ack} len={len(segment.data)} win={self.window}"
        if self.options_raw:
            text += f" <{describe_options(self.options)}>"
        return text

    def to_dict(self) -> dict[str, object]:
        """The segment's fields as ``Segment.to_dict`` has them, the window as sent, the extra
        flags among the flags, and the options when there are any."""
        segment = self.segment
        bits = int(segment.flags) | self.extra
        names = _FLAG_NAMES.get(bits)
        if names is None:
            names = _FLAG_NAMES[bits] = [*segment.flags.names(), *self.extra_flags]
        data: dict[str, object] = {
            "flags": names,
            "seq": segment.seq,
            "ack": segment.ack,
            "len": len(segment.data),
            "wnd": self.window,
        }
        if self.options_raw:
            data["options"] = self.options
        if self.truncated:
            data["truncated"] = self.truncated
        return data


_FLAG_NAMES: dict[int, list[str]] = {}  # flag bits -> their names, shared (read-only) lists


class Skipped(Counter):
    """Packets that are not TCP segments, counted by reason."""

    def describe(self) -> str:
        total = sum(self.values())
        reasons = ", ".join(f"{count} {reason}" for reason, count in sorted(self.items()))
        return f"{total} packet{'s' if total != 1 else ''} skipped ({reasons})" if total else "no packet skipped"


def parse_options(raw: bytes) -> dict[str, object]:
    """TCP options by name (RFC 9293 3.2, RFC 7323, RFC 2018); a malformed list is cut off where
    it goes wrong and said so (``malformed``)."""
    options: dict[str, object] = {}
    other: list[int] = []
    at = 0
    while at < len(raw):
        kind = raw[at]
        if kind == 0:  # end of option list
            break
        if kind == 1:  # no-operation
            at += 1
            continue
        if at + 1 >= len(raw) or raw[at + 1] < 2 or at + raw[at + 1] > len(raw):
            options["malformed"] = True
            break
        length = raw[at + 1]
        value = raw[at + 2 : at + length]
        if kind == 2 and length == 4:
            options["mss"] = int.from_bytes(value, "big")
        elif kind == 3 and length == 3:
            options["wscale"] = value[0]
        elif kind == 4 and length == 2:
            options["sack_permitted"] = True
        elif kind == 5 and (length - 2) % 8 == 0:
            options["sack"] = [struct.unpack_from(">II", value, i) for i in range(0, len(value), 8)]
        elif kind == 8 and length == 10:
            options["timestamps"] = struct.unpack(">II", value)
        else:
            other.append(kind)
        at += length
    if other:
        options["other"] = other
    return options


def describe_options(options: dict[str, object]) -> str:
    """As tcpdump writes them: ``mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7`` (without nops)."""
    parts = []
    for name, value in options.items():
        if name == "mss":
            parts.append(f"mss {value}")
        elif name == "sack_permitted":
            parts.append("sackOK")
        elif name == "timestamps":
            parts.append(f"TS val {value[0]} ecr {value[1]}")  # type: ignore[index]
        elif name == "wscale":
            parts.append(f"wscale {value}")
        elif name == "sack":
            parts.append("sack " + " ".join(f"{left}:{right}" for left, right in value))  # type: ignore[union-attr]
        elif name == "other":
            parts.append("kinds " + " ".join(str(kind) for kind in value))  # type: ignore[union-attr]
        else:
            parts.append(name)
    return ",".join(parts)


def read_capture(path: str | Path, skipped: Skipped | None = None) -> Iterator[Captured]:
    """The TCP segments of the capture at ``path``, in file order; packets of other kinds are
    counted in ``skipped``. Raises ``CaptureError`` (one line) for a file that is not a capture
    or is cut short."""
    dpkt = _dpkt()
    skipped = skipped if skipped is not None else Skipped()
    name = str(path)
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below, after the generator is done
    except OSError as error:
        raise CaptureError(f"{name}: cannot read it ({error.strerror or error})") from None
    with stream:
        magic = stream.read(4)
        stream.seek(0)
        if len(magic) < 4:
            raise CaptureError(f"{name}: not a capture (too short for a pcap or pcapng header)")
        packets = _pcapng_packets(dpkt, stream, name) if magic == _PCAPNG_MAGIC else _pcap_packets(dpkt, stream, name)
        linktype = next(packets)
        decode = _decoder(dpkt, linktype)
        if decode is None:
            raise CaptureError(f"{name}: link type {linktype} is not one tcpedu reads ({_link_names()})")
        first_us = None
        plain = _plain_ipv4_reader(dpkt, linktype)
        for number, time_us, frame in packets:
            if first_us is None:
                first_us = time_us
            if plain is not None:
                captured = plain(frame, number, time_us - first_us)
                if captured is not None:
                    yield captured
                    continue
            try:
                captured = _segment(dpkt, decode(frame), number, time_us - first_us, skipped)
            except (dpkt.UnpackError, struct.error, IndexError, ValueError):
                skipped["malformed"] += 1
                continue
            if captured is not None:
                yield captured


def _pcap_packets(dpkt, stream: BinaryIO, name: str) -> Iterator:
    """The link type, then (number, absolute microseconds, frame) for each packet of a pcap file.

    dpkt's header classes say where each field is (``FileHdr``, ``PktHdr`` and their
    little-endian twins, chosen by the magic number); a record that ends early is an error
    naming the packet, which dpkt's own reader would pass on silently."""
    pcap = dpkt.pcap
    head = stream.read(pcap.FileHdr.__hdr_len__)
    try:
        header = pcap.FileHdr(head)  # big-endian; the magic number read so tells the byte order
    except dpkt.NeedData:
        raise CaptureError(f"{name}: not a capture (too short for a pcap header)") from None
    magic = header.magic
    if magic not in pcap.MAGIC_TO_PKT_HDR:
        raise CaptureError(f"{name}: not a capture (neither pcap nor pcapng: no magic number)")
    if magic in (pcap.PMUDPCT_MAGIC, pcap.PMUDPCT_MAGIC_NANO, pcap.PACPDOM_MAGIC):
        header = pcap.LEFileHdr(head)
    nano = magic in (pcap.TCPDUMP_MAGIC_NANO, pcap.PMUDPCT_MAGIC_NANO)
    record = pcap.MAGIC_TO_PKT_HDR[magic]
    layout = struct.Struct(record.__hdr_fmt__)
    size = layout.size
    yield header.linktype
    read = stream.read
    unpack = layout.unpack_from
    number = 0
    while True:
        head = read(size)
        if not head:
            return
        number += 1
        if len(head) < size:
            raise CaptureError(f"{name}: packet {number}: the file ends inside its record header (truncated)")
        seconds, fraction, caplen = unpack(head)[:3]
        if caplen > 262_144 * 4:
            raise CaptureError(f"{name}: packet {number}: a record of {caplen} octets cannot be right (corrupt file)")
        frame = read(caplen)
        if len(frame) < caplen:
            raise CaptureError(
                f"{name}: packet {number}: the file ends after {len(frame)} of its {caplen} octets (truncated)"
            )
        yield number, seconds * 1_000_000 + (fraction // 1000 if nano else fraction), frame


def _pcapng_packets(dpkt, stream: BinaryIO, name: str) -> Iterator:
    """The link type, then (number, absolute microseconds, frame) for each packet of a pcapng
    file, read by dpkt's pcapng reader (the first interface's link type is the file's)."""
    stream = _Watched(stream)
    try:
        reader = dpkt.pcapng.Reader(stream)
    except (ValueError, dpkt.UnpackError, struct.error) as error:
        raise CaptureError(f"{name}: not a capture (pcapng: {error})") from None
    yield reader.datalink()
    number = 0
    packets = iter(reader)
    while True:
        try:
            timestamp, frame = next(packets)
        except StopIteration:
            if stream.cut:  # dpkt's reader stops quietly at a block that ends early
                raise CaptureError(f"{name}: packet {number + 1}: the file ends inside its block (truncated)") from None
            return
        except (dpkt.UnpackError, ValueError, struct.error) as error:
            detail = "truncated" if isinstance(error, dpkt.NeedData) else f"corrupt block: {error}"
            raise CaptureError(f"{name}: packet {number + 1}: {detail}") from None
        number += 1
        yield number, round(timestamp * 1_000_000), frame


class _Watched:
    """A file whose last read is known to have come back shorter than asked (but not empty)."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream
        self.cut = False
        self.name = getattr(stream, "name", "<capture>")

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.cut = 0 < len(data) < size
        return data


def _link_names() -> str:
    return ", ".join(sorted(set(LINK_TYPES.values())))


def _decoder(dpkt, linktype: int):
    """A function from a frame of ``linktype`` to its IP packet (dpkt's), or None if the link
    type is not one tcpedu reads."""
    ip, ip6 = dpkt.ip.IP, dpkt.ip6.IP6

    def ethernet(frame: bytes):
        kind = frame[12:14]
        if kind == _ETH_IP:  # the common case, without dpkt's general Ethernet decoding
            return ip(frame[14:])
        if kind == _ETH_IP6:
            return ip6(frame[14:])
        return dpkt.ethernet.Ethernet(frame).data  # VLAN tags, MPLS...: dpkt walks them

    def raw(frame: bytes):
        version = frame[0] >> 4
        return ip(frame) if version == 4 else ip6(frame) if version == 6 else None

    decoders = {
        1: ethernet,
        0: lambda frame: dpkt.loopback.Loopback(frame).data,
        108: lambda frame: dpkt.loopback.Loopback(frame).data,
        113: lambda frame: dpkt.sll.SLL(frame).data,
        276: lambda frame: dpkt.sll2.SLL2(frame).data,
        12: raw,
        14: raw,
        101: raw,
        228: ip,
        229: ip6,
    }
    return decoders.get(linktype)


# Where an IPv4 packet starts in a frame of the link types most captures have, when the frame
# says it is IPv4 (Ethernet's type field; a raw IP packet's version).
_IPV4_START = {1: 14, 12: 0, 14: 0, 101: 0, 228: 0}


def _plain_ipv4_reader(dpkt, linktype: int):
    """For Ethernet and raw IP captures: a function from a frame to its ``Captured`` when the
    frame is a plain IPv4 TCP segment (not a fragment, headers whole), else None, and the frame
    goes to dpkt's general decoding, which says what else it is. The headers are unpacked with
    dpkt's own layouts (``__hdr_fmt__``) without making dpkt objects, four times faster: a
    million-packet capture spends most of its reading here."""
    start = _IPV4_START.get(linktype)
    if start is None:
        return None
    ip_header = struct.Struct(dpkt.ip.IP.__hdr_fmt__).unpack_from
    tcp_header = struct.Struct(dpkt.tcp.TCP.__hdr_fmt__).unpack_from
    ethernet = linktype == 1

    def plain(frame: bytes, number: int, time_us: int) -> Captured | None:
        size = len(frame)
        if size < start + 40 or (ethernet and frame[12:14] != _ETH_IP):
            return None
        v_hl, _tos, length, _id, flags_offset, _ttl, protocol, _sum, src, dst = ip_header(frame, start)
        header = (v_hl & 0xF) << 2
        if v_hl >> 4 != 4 or protocol != 6 or flags_offset & 0x3FFF or header < 20:
            return None
        tcp_start = start + header
        end = min(start + length, size) if length else size  # dpkt: the IP length cuts the frame
        if end - tcp_start < 20:
            return None
        sport, dport, seq, ack, off_flags, window, _sum, _urgent = tcp_header(frame, tcp_start)
        data_start = tcp_start + ((off_flags >> 12) << 2)
        if data_start < tcp_start + 20 or data_start > end:
            return None
        stated = length - header if length else None
        return _captured(
            number,
            time_us,
            (_inet4(src), sport),
            (_inet4(dst), dport),
            seq,
            ack,
            off_flags,
            window,
            frame[tcp_start + 20 : data_start],
            frame[data_start:end],
            stated,
        )

    return plain


def _segment(dpkt, packet, number: int, time_us: int, skipped: Skipped) -> Captured | None:
    if isinstance(packet, dpkt.ip.IP):
        if packet.p != 6:
            skipped["not TCP"] += 1
            return None
        # dpkt's raw header fields, not its bit-field properties (a million packets add up)
        if packet._flags_offset & 0x3FFF:  # more fragments, or not the first: not a whole segment
            skipped["IP fragment"] += 1
            return None
        src, dst = _inet4(packet.src), _inet4(packet.dst)
        stated = packet.len - ((packet._v_hl & 0xF) << 2) if packet.len else None
    elif isinstance(packet, dpkt.ip6.IP6):
        if packet.p != 6:
            skipped["not TCP"] += 1
            return None
        src, dst = _inet6(packet.src), _inet6(packet.dst)
        stated = None
    else:
        skipped["not IP"] += 1
        return None
    tcp = packet.data
    if not isinstance(tcp, dpkt.tcp.TCP):
        skipped["TCP header cut short" if isinstance(tcp, bytes) and len(tcp) < 20 else "malformed"] += 1
        return None
    data = tcp.data
    if not isinstance(data, bytes):
        data = bytes(data)
    return _captured(
        number,
        time_us,
        (src, tcp.sport),
        (dst, tcp.dport),
        tcp.seq,
        tcp.ack,
        tcp._off_flags,
        tcp.win,
        tcp.opts,
        data,
        stated,
    )


def _captured(
    number: int,
    time_us: int,
    src: Address,
    dst: Address,
    seq: int,
    ack: int,
    off_flags: int,
    window: int,
    options: bytes,
    data: bytes,
    stated: int | None,
) -> Captured:
    """The ``Captured`` of a decoded TCP header; ``stated`` is the TCP length the IP header gives
    (None where it gives none), which says whether the capture cut the data short."""
    missing = 0
    if stated is not None:
        missing = stated - ((off_flags >> 12) << 2) - len(data)
        if missing > 0:  # the snap length cut the data: keep its length, the octets as zeros
            data += bytes(missing)
        else:
            missing = 0
    flags = off_flags & 0x1FF
    segment = Segment(seq, ack, flags & 0x3F, window, data)
    return Captured(number, time_us, src, dst, segment, window, flags & 0x1C0, options, missing)


_ADDRESSES: dict[bytes, str] = {}  # a capture has few addresses and many packets


def _inet4(raw: bytes) -> str:
    text = _ADDRESSES.get(raw)
    if text is None:
        text = _ADDRESSES[raw] = socket.inet_ntop(socket.AF_INET, raw)
    return text


def _inet6(raw: bytes) -> str:
    text = _ADDRESSES.get(raw)
    if text is None:
        text = _ADDRESSES[raw] = socket.inet_ntop(socket.AF_INET6, raw)
    return text


def _dpkt():
    try:
        import dpkt
    except ImportError:
        raise CaptureError("reading a capture needs dpkt: pip install 'tcpedu[captures]'") from None
    return dpkt
