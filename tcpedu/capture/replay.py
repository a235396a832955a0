"""A real capture replayed through the engine (``tcpedu replay``): what RFC 9293 (or the Linux
profile) would have done at every packet, beside what the real stack did.

Each TCP connection in the file is followed by its 4-tuple; the side that sent the first SYN is
the client. A SYN without ACK from the client with another ISN, or from the server once it has
sent its own SYN, starts a new connection on the same 4-tuple. A connection whose opening is not
in the file is *seen mid-way*: both ends are taken to be ESTABLISHED at its first packet, with
the sequence numbers the packets show.

Both ends are ``tcpedu.core.Endpoint`` engines, each fed the segments the other end sent, at the
packet's timestamp. What the real application did is inferred from what its end sent:

* a SYN from CLOSED: ``connect``; an end that answered a SYN with a SYN,ACK was listening
  (``listen`` before the SYN arrives);
* octets beyond the highest it had sent: ``send`` (those octets); a FIN: ``close``, or
  ``shutdown`` (shutdown(SHUT_WR), RFC 9293's CLOSE) where data still reached that end afterwards
  and it answered with no RST: it went on reading (Linux's close() would have reset);
* a RST the engine in its place would not have sent in answer to a segment: ``abort``.

A packet is taken in by its receiver at once, unless a later packet of the receiver acknowledges
it and packets the receiver sent before that do not (they crossed in flight, as in a
simultaneous close, or the capture was taken at the sender): it is then taken in just before the
first packet acknowledging it, at its own time if the receiver's engine has not gone past it.
A direction's packets are taken in in order.

Timers fire (``handle_timer``) when the capture's clock passes them. Each segment an engine sends
is *expected* of the real end; when the real end sends a segment, it is matched against what
its engine expected (seq, ack, the SYN, FIN, RST and ACK bits, the length; not the window, which
the engine keeps fixed). Every difference is a *surprise* on the packet where it shows: the real
end sent what the engine would not (a retransmission before the engine's timer, a window update,
a RST), or did not send what the engine would (an ACK it delayed, a retransmission), or the
engine would refuse the call inferred, or sent the engine's segment 10 ms or more after the engine
would have (a delayed ACK). Each names the rule (the engine's note and its RFC
section) and, where Linux and RFC 9293 differ, the Linux profile's switch.

What the engine does not model is said once per connection, not dropped: options (MSS, window
scale, SACK, timestamps) are shown as captured; with window scaling the engine takes the scaled
window clamped to 65535; ECE and CWR are shown.
"""

from __future__ import annotations

import dataclasses
import gc
from collections import deque
from collections.abc import Iterable
from pathlib import Path

from ..core.endpoint import Endpoint, EndpointConfig
from ..core.errors import CallRefused
from ..core.isn import IsnGenerator
from ..core.notes import Note
from ..core.profile import PROFILES, Profile
from ..core.segment import MAX_WINDOW, Flags, Segment
from ..core.seqnum import seq_add, seq_gt, seq_sub
from ..core.states import State
from .read import EXTRA_FLAGS, Captured, CaptureError, Skipped, read_capture
from .surprise import Remark, Surprise

__all__ = ["PROFILE_NAMES", "CaptureError", "Connection", "Replay", "Step", "replay_captured", "replay_file"]

PROFILE_NAMES = tuple(PROFILES)

_CLOSED = State.CLOSED
_COMPARED = int(Flags.SYN | Flags.FIN | Flags.RST | Flags.ACK)
_SIDES = ("client", "server")
_OTHER = {"client": "server", "server": "client"}
# A real retransmission this close before the engine's timer is taken to be that timer firing.
TIMER_SLACK_US = 20_000
# A segment the engine sends at once, sent this much later by the real end, is said to be late.
LATE_US = 10_000
_STATES: dict[tuple[State, State], dict[str, State]] = {}
_STATE_NAMES: dict[int, dict[str, str]] = {}  # id of a dict of _STATES -> its states' names, for JSON
_NONE: list = []  # the calls or notes of a step that has none (shared; a step makes its own list to add)
# Every ISN comes from the capture; one generator (making one costs a keyed hash) serves all.
_ISN_GENERATOR = IsnGenerator()


def _states(client: State, server: State) -> dict[str, State]:
    """``{"client": ..., "server": ...}``, one shared (read-only) dict per pair of states."""
    pair = (client, server)
    states = _STATES.get(pair)
    if states is None:
        states = _STATES[pair] = {"client": client, "server": server}
        _STATE_NAMES[id(states)] = {"client": client.value, "server": server.value}
    return states


class Step:
    """One packet of a connection: who sent it, the calls inferred, both ends' states after the
    receiving end took it in, and the surprises (empty when the engine agrees)."""

    __slots__ = ("calls", "notes", "number", "packet", "sender", "states", "surprises", "tcbs", "time_us")

    def __init__(self, packet: Captured, sender: str):
        self.packet = packet
        self.number = packet.number
        self.time_us = packet.time_us
        self.sender = sender
        self.calls: list[tuple[str, str]] = _NONE
        """User calls inferred at this packet: (side, call), e.g. ("server", "listen")."""
        self.states: dict[str, State] = _states(_CLOSED, _CLOSED)
        self.surprises: list[Surprise] = []
        self.notes: list[tuple[str, object]] = _NONE
        """The engines' notes (side, Note) while this packet was taken in (kept when asked)."""
        self.tcbs: tuple[dict[str, object], dict[str, object]] | None = None

    def add_call(self, side: str, call: str) -> None:
        if self.calls is _NONE:
            self.calls = []
        self.calls.append((side, call))

    @property
    def segment(self) -> Segment:
        """The packet's segment, as the engine took it in."""
        return self.packet.segment

    @property
    def receiver(self) -> str:
        return _OTHER[self.sender]

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "number": self.number,
            "time": self.time_us / 1e6,
            "from": self.sender,
            "segment": self.packet.to_dict(),
            "states": _STATE_NAMES[id(self.states)],
        }
        if self.calls:
            data["calls"] = [{"side": side, "call": call} for side, call in self.calls]
        if self.surprises:
            data["surprises"] = self.surprises
        return data


@dataclasses.dataclass
class Connection:
    """One TCP connection of the capture."""

    index: int
    client: tuple[str, int]
    server: tuple[str, int]
    steps: list[Step] = dataclasses.field(default_factory=list)
    midway: bool = False
    """True when the file does not show the connection's opening."""
    remarks: list[Remark] = dataclasses.field(default_factory=list)
    """What the engine does not model and this connection uses, said once."""

    @property
    def surprises(self) -> int:
        return sum(1 for step in self.steps if step.surprises)

    def title(self) -> str:
        client, server = self.client, self.server
        return f"connection {self.index}: {_address(client)} -> {_address(server)}"

    def to_dict(self) -> dict[str, object]:
        return {
            "index": self.index,
            "client": list(self.client),
            "server": list(self.server),
            "midway": self.midway,
            "remarks": self.remarks,
            "steps": [step.to_dict() for step in self.steps],
        }


@dataclasses.dataclass
class Replay:
    """A capture replayed: its connections, and how many packets were not TCP segments."""

    path: str
    profile: str
    connections: list[Connection]
    packets: int
    """Packets in the file."""
    skipped_by_reason: Skipped

    @property
    def skipped(self) -> int:
        """Packets that are not TCP segments (``skipped_by_reason`` says why)."""
        return sum(self.skipped_by_reason.values())

    def summary(self, surprised: int | None = None) -> str:
        """One line: packets, segments, connections, what was skipped, and how many packets
        ``surprised`` (by default, counted in ``connections``' steps)."""
        segments = self.packets - self.skipped
        if surprised is None:
            surprised = sum(connection.surprises for connection in self.connections)
        count = len(self.connections)
        return (
            f"{self.path}: {self.packets} packets, {segments} TCP segments in {count} connection"
            f"{'s' if count != 1 else ''}; {self.skipped_by_reason.describe()}; "
            f"{surprised} packet{'s' if surprised != 1 else ''} where the real stack did otherwise than "
            f"the engine ({self.profile} profile)"
        )

    def to_dict(self, with_connections: bool = True) -> dict[str, object]:
        data: dict[str, object] = {
            "file": self.path,
            "profile": self.profile,
            "packets": self.packets,
            "skipped": dict(sorted(self.skipped_by_reason.items())),
        }
        if with_connections:
            data["connections"] = [connection.to_dict() for connection in self.connections]
        return data


def replay_file(
    path: str | Path, profile: str = "rfc", keep_details: bool = False, part: tuple[int, int] = (0, 1)
) -> Replay:
    """Replay the capture at ``path`` through the engine in ``profile`` ("rfc" or "linux").

    Raises ``CaptureError`` (one line naming the file and the packet) for a file that is not a
    capture or is cut short, and ``ValueError`` for an unknown profile. ``keep_details`` keeps both
    TCBs and the engines' notes at every step (for the ladder diagram and ``--verbose``).
    ``part=(k, n)`` replays only connections k, k + n, k + 2n... (counted from 0; the others are
    listed with no steps): n processes replay a large capture together (``parallel.py``)."""
    _profile(profile)  # an unknown profile is said before the file is read
    skipped = Skipped()
    collecting = gc.isenabled()
    gc.disable()  # a million packets make millions of objects and no cycles: no collection is needed
    try:
        packets = list(read_capture(path, skipped))
        replay = replay_captured(packets, profile, keep_details, part)
    finally:
        if collecting:
            gc.enable()
    replay.path = str(path)
    replay.skipped_by_reason = skipped
    replay.packets = len(packets) + sum(skipped.values())
    return replay


def replay_captured(
    packets: Iterable[Captured], profile: str = "rfc", keep_details: bool = False, part: tuple[int, int] = (0, 1)
) -> Replay:
    """Replay captured segments (in file order) through the engine (``part``: see ``replay_file``)."""
    chosen = _profile(profile)
    profile = chosen.name
    packets = list(packets)
    connections, openings, owners, awaited = _split(packets)
    mine, parts = part
    trackers = [
        _Tracker(connection, opening, chosen, keep_details) if index % parts == mine else None
        for index, (connection, opening) in enumerate(zip(connections, openings, strict=True))
    ]
    for captured, (owner, sender), wait in zip(packets, owners, awaited, strict=True):
        tracker = trackers[owner]
        if tracker is not None:
            tracker.take(captured, sender, wait)
    for tracker in trackers:
        if tracker is not None:
            tracker.finish()
    return Replay("<packets>", profile, connections, len(packets), Skipped())


# ----------------------------------------------------------------------------------------------
# Profiles


def _profile(name: str) -> Profile:
    """The core's Profile for ``name``: ``rfc``, ``linux``, or one with switches added
    (``rfc+time-wait-60s``); ValueError naming the choices."""
    return Profile.parse(name)


def _linux_differs(profile: Profile, switch: str) -> str | None:
    """The Linux ``switch`` that would explain a surprise, when ``profile`` lacks it (the surprise
    then says "Linux differs"); None when the profile has it."""
    return None if switch in profile.switches else switch


# ----------------------------------------------------------------------------------------------
# Connections by 4-tuple


class _Opening:
    """What the first pass learns of a connection: its ISNs and the server's first answer."""

    __slots__ = ("client_isn", "client_key", "finished", "read_on", "reset_after_fin", "server_first", "server_isn")

    def __init__(self, client_key, client_isn: int | None):
        self.client_key = client_key
        self.client_isn = client_isn
        self.server_isn: int | None = None
        self.server_first: Captured | None = None
        self.finished: set[str] = set()
        """The sides that have sent a FIN."""
        self.read_on: set[str] = set()
        """The sides that data reached after their FIN."""
        self.reset_after_fin: set[str] = set()
        """The sides that sent a RST after their FIN."""

    def closed_with(self, side: str) -> str:
        """The call ``side``'s FIN is taken for: ``shutdown`` (shutdown(SHUT_WR), RFC 9293's
        CLOSE) where data still reached it afterwards and it answered with no RST, as an end that
        goes on reading does; else ``close`` (Linux's close() would answer such data with a RST)."""
        return "shutdown" if side in self.read_on and side not in self.reset_after_fin else "close"


def _split(packets: list[Captured]) -> tuple[list[Connection], list[_Opening], list[tuple[int, str]], bytearray]:
    """Connections in order of their first packet, what is known of their openings, each
    packet's (connection, sender), and whether each is awaited (``_awaited``)."""
    current: dict[tuple, int] = {}  # the 4-tuple (as a sorted pair of ends) -> connection
    connections: list[Connection] = []
    openings: list[_Opening] = []
    owners: list[tuple[int, str]] = []
    for captured in packets:
        src, dst = captured.src, captured.dst
        key = (src, dst) if src <= dst else (dst, src)
        segment = captured.segment
        opening_syn = segment.has_syn and not segment.has_ack
        index = current.get(key)
        if index is not None and opening_syn:
            opening = openings[index]
            if src == opening.client_key:
                if segment.seq != opening.client_isn:
                    index = None  # the client opens anew (a new ISN)
            elif opening.server_isn is not None and segment.seq != opening.server_isn:
                index = None  # the old server opens a connection of its own
        if index is None:
            index = len(connections)
            current[key] = index
            if opening_syn:
                client, server, midway = src, dst, False
            elif segment.has_syn:  # a SYN,ACK: its receiver sent the SYN the file does not show
                client, server, midway = dst, src, True
            else:
                client, server = (src, dst) if (src[1], src) >= (dst[1], dst) else (dst, src)
                midway = True
            connections.append(Connection(index + 1, client, server, midway=midway))
            openings.append(_Opening(client, segment.seq if opening_syn else None))
        opening = openings[index]
        sender = "client" if src == opening.client_key else "server"
        if sender == "server":
            if opening.server_first is None:
                opening.server_first = captured
            if segment.has_syn and opening.server_isn is None:
                opening.server_isn = segment.seq
        if segment.has_fin or segment.has_rst or (segment.data and opening.finished):
            _note_closing(opening, sender, segment)
        owners.append((index, sender))
    return connections, openings, owners, _awaited(packets, owners)


def _note_closing(opening: _Opening, sender: str, segment: Segment) -> None:
    """What ``segment`` tells of how its connection's ends closed (``_Opening.closed_with``)."""
    if segment.data and _OTHER[sender] in opening.finished:
        opening.read_on.add(_OTHER[sender])
    if segment.has_rst and sender in opening.finished:
        opening.reset_after_fin.add(sender)
    if segment.has_fin:
        opening.finished.add(sender)


def _awaited(packets: list[Captured], owners: list[tuple[int, str]]) -> bytearray:
    """For each packet, whether a later packet of its receiver acknowledges all of it: it is then
    taken in just before the first such packet (or after packets ahead of it in its direction),
    since the receiver had not seen it when it sent the packets in between (they crossed)."""
    awaited = bytearray(len(packets))
    later_ack: dict[tuple[int, str], int] = {}  # (connection, side) -> the highest ACK it sends later
    for position in range(len(packets) - 1, -1, -1):
        segment = packets[position].segment
        owner, sender = owners[position]
        if segment.seg_len:
            ack = later_ack.get((owner, _OTHER[sender]))
            if ack is not None and not seq_gt(seq_add(segment.seq, segment.seg_len), ack):
                awaited[position] = 1
        if segment.has_ack:
            mine = (owner, sender)
            highest = later_ack.get(mine)
            if highest is None or seq_gt(segment.ack, highest):
                later_ack[mine] = segment.ack
    return awaited


# ----------------------------------------------------------------------------------------------
# Following one connection


class _Expected:
    """A segment an engine sent, which its real end has not been seen to send (yet)."""

    __slots__ = ("key", "notes", "segment", "tag", "time_us")

    def __init__(self, segment: Segment, tag: str | None, notes: list, time_us: int):
        self.segment = segment
        self.key = _key(segment)
        self.tag = tag
        self.notes = notes
        self.time_us = time_us

    def describe(self) -> str:
        text = self.segment.describe()
        if self.tag:
            text += f" ({self.tag})"
        return text

    def reasons(self) -> tuple[Note, ...]:
        """The engine's notes that say why it sent this segment."""
        return tuple(note for note in self.notes if note.code not in _QUIET_NOTES)


# Notes that explain nothing about why a segment was sent.
_QUIET_NOTES = frozenset({"acked", "rtt-sample", "duplicate-ack", "data-received"})


def _key(segment: Segment) -> tuple[int, int, int, int]:
    """What a real segment must share with the engine's to be the same one."""
    return (segment.seq, segment.ack if segment.has_ack else 0, int(segment.flags) & _COMPARED, len(segment.data))


class _Tracker:
    """Both ends of one connection, driven by its packets."""

    def __init__(self, connection: Connection, opening: _Opening, profile: Profile, keep_details: bool):
        self.connection = connection
        self.opening = opening
        self.profile = profile
        self.keep_details = keep_details
        self.ends = {
            "client": Endpoint("client", connection.client, connection.server, self._config()),
            "server": Endpoint("server", connection.server, connection.client, self._config()),
        }
        self.expected: dict[str, list[_Expected]] = {"client": [], "server": []}
        self.queues: dict[str, deque] = {"client": deque(), "server": deque()}
        """Packets heading for each side, not yet taken in: (step, segment, awaited)."""
        self.sent_max: dict[str, int | None] = {"client": None, "server": None}
        self.fin_sent = {"client": False, "server": False}
        self.last_ack: dict[str, tuple[int, int] | None] = {"client": None, "server": None}
        self.now = 0
        """The latest packet's time (the capture's clock, never going back)."""
        self.clock = 0
        """The latest time either engine has been given (a packet taken in late is taken in then)."""
        self.state_before = _CLOSED
        self.started = False
        self.wscale: dict[str, int] = {}
        self.scaling = False
        self.options_seen: set[str] = set()
        self.extra_seen = 0
        self.truncated = False
        self.clamped = False
        self.largest = {"client": 0, "server": 0}
        self.mss: dict[str, int] = {}

    def _config(self) -> EndpointConfig:
        # The engine sends each segment as the real end did (no MSS of its own to cut them) and
        # offers the largest window it can; what it compares is seq, ack, the flags and length.
        profile = self.profile
        return EndpointConfig(
            window=MAX_WINDOW,
            mss=MAX_WINDOW,
            max_retransmissions=profile.data_retries,
            profile=profile,
            isn_generator=_ISN_GENERATOR,
        )

    # --- one packet ---------------------------------------------------------------------------

    def take(self, captured: Captured, sender: str, awaited: bool = False) -> None:
        """The real ``sender`` sent ``captured``: first the packets it had received by then are
        taken in, then its calls are inferred and the segment compared with what its engine
        expected; the packet is queued for the receiver, who takes it in at once unless it is
        ``awaited`` (the receiver's later packets show when it arrived)."""
        step = Step(captured, sender)
        self.connection.steps.append(step)
        now = captured.time_us if captured.time_us > self.now else self.now
        self.now = now
        if captured.options_raw or captured.extra or captured.truncated:
            self._note_extras(captured, sender)
        segment = captured.segment
        if len(segment.data) > self.largest[sender]:
            self.largest[sender] = len(segment.data)
        if self.scaling:
            segment = self._for_engine(captured, sender)
        if not self.started:
            self.started = True
            if self.connection.midway:
                self._assume_open(segment, sender, now)
        old = bool(segment.seg_len) and self._is_old(sender, segment)
        self._take_in(sender, segment if segment.has_ack else None)
        self._fire_timers(now, sender, old)
        self.state_before = self.ends[sender].state
        self._infer_calls(step, segment, sender, now)
        step.surprises.extend(self._match(sender, captured, segment, old))
        queue = self.queues[_OTHER[sender]]
        queue.append((step, segment, awaited))
        self._take_in(_OTHER[sender], None)

    def _take_in(self, side: str, acking: Segment | None) -> None:
        """``side`` takes in the packets queued for it, in order: those not awaited, and those
        ``acking`` (a segment it is sending) acknowledges; each at its own time, or the time
        ``side``'s engine has reached if that is later."""
        queue = self.queues[side]
        while queue:
            step, segment, awaited = queue[0]
            if awaited and (acking is None or seq_gt(seq_add(segment.seq, segment.seg_len), acking.ack)):
                return
            queue.popleft()
            when = max(step.time_us, self.clock)
            self._fire_timers(when, side, False)
            self._deliver(step, segment, side, when)

    def _deliver(self, step: Step, segment: Segment, receiver: str, now: int) -> None:
        end = self.ends[receiver]
        if receiver == "server" and end.state is _CLOSED and self._listening_for(step.packet):
            end.config.isn = self.opening.server_isn
            end.call("listen", now)
            step.add_call("server", "listen")
            self._collect(receiver, now, step)
        end.receive(segment, now)
        self.clock = max(self.clock, now)
        self._collect(receiver, now, step)
        ends = self.ends
        step.states = _states(ends["client"].state, ends["server"].state)
        if self.keep_details:
            step.tcbs = (ends["client"].snapshot(), ends["server"].snapshot())

    def finish(self) -> None:
        """Take in what is still queued; say once what the engine does not model and this
        connection used."""
        for side in _SIDES:
            queue = self.queues[side]
            while queue:
                step, segment, _ = queue.popleft()
                self._deliver(step, segment, side, max(step.time_us, self.clock))
        remarks = self.connection.remarks
        if self.connection.midway:
            first = self.connection.steps[0]
            remarks.append(Remark("midway", number=first.number))
        if self.scaling:
            remarks.append(Remark("window-scaling", client=self.wscale["client"], server=self.wscale["server"]))
        elif self.wscale:
            remarks.append(Remark("window-scale-one-side"))
        if self.clamped and not self.scaling:
            remarks.append(Remark("window-clamped"))
        if "sack_permitted" in self.options_seen or "sack" in self.options_seen:
            remarks.append(Remark("sack"))
        if "timestamps" in self.options_seen:
            remarks.append(Remark("timestamps"))
        for side in _SIDES:
            peer_mss = self.mss.get(_OTHER[side])
            if peer_mss is not None and self.largest[side] > peer_mss:
                remarks.append(Remark("offload", side=side, largest=self.largest[side], mss=peer_mss))
        if self.extra_seen:
            names = ",".join(name for name, bit in EXTRA_FLAGS.items() if self.extra_seen & bit)
            remarks.append(Remark("ecn", names=names))
        if self.truncated:
            remarks.append(Remark("truncated"))
        for side in _SIDES:
            left = self.expected[side]
            if left:
                remarks.append(Remark("unsent-at-end", left[0].reasons(), side=side, expected=left[0].describe()))

    # --- what the engine takes in ---------------------------------------------------------------

    def _note_extras(self, captured: Captured, sender: str) -> None:
        if captured.extra:
            self.extra_seen |= captured.extra
        if captured.truncated:
            self.truncated = True
        if captured.options_raw:
            options = captured.options
            self.options_seen.update(options)
            if captured.segment.has_syn:
                if "wscale" in options:
                    self.wscale[sender] = min(int(options["wscale"]), 14)  # type: ignore[call-overload]
                    self.scaling = len(self.wscale) == 2
                if "mss" in options:
                    self.mss[sender] = int(options["mss"])  # type: ignore[call-overload]

    def _for_engine(self, captured: Captured, sender: str) -> Segment:
        """The segment the receiving engine takes in: the window scaled (RFC 7323 2.3, never on a
        SYN) and clamped to 65535."""
        segment = captured.segment
        if segment.has_syn:
            return segment
        window = captured.window << self.wscale[sender]
        if window > MAX_WINDOW:
            self.clamped = True
            window = MAX_WINDOW
        if window == segment.wnd:
            return segment
        segment = Segment(segment.seq, segment.ack, segment.flags, window, segment.data)
        captured.segment = segment
        return segment

    def _assume_open(self, segment: Segment, sender: str, now: int) -> None:
        """A connection seen mid-way: a handshake no one sees, with the ISNs the packets imply,
        leaves both ends ESTABLISHED."""
        receiver = _OTHER[sender]
        nxt = {sender: segment.seq, receiver: segment.ack if segment.has_ack else None}
        if segment.has_syn:  # a SYN,ACK: only its SYN is missing
            client = self.ends["client"]
            client.config.isn = seq_sub(segment.ack, 1)
            client.call("connect", now)
            client.drain()
            self.sent_max["client"] = segment.ack
            server = self.ends["server"]
            server.config.isn = segment.seq
            server.call("listen", now)
            server.receive(Segment(seq_sub(segment.ack, 1), 0, Flags.SYN), now)
            server.drain()
            return
        if nxt[receiver] is None:
            nxt[receiver] = 0
        client, server = self.ends["client"], self.ends["server"]
        client.config.isn = seq_sub(nxt["client"], 1)
        server.config.isn = seq_sub(nxt["server"], 1)
        client.call("connect", now)
        server.call("listen", now)
        syn = client.drain().segments[0][0]
        server.receive(syn, now)
        syn_ack = server.drain().segments[0][0]
        client.receive(syn_ack, now)
        ack = client.drain().segments[0][0]
        server.receive(ack, now)
        server.drain()
        self.sent_max = {"client": nxt["client"], "server": nxt["server"]}

    def _listening_for(self, captured: Captured) -> bool:
        """The server answered this connection's first SYN with a SYN,ACK: it was listening."""
        segment = captured.segment
        if not segment.has_syn or segment.has_ack:
            return False
        first = self.opening.server_first
        return first is not None and first.segment.has_syn and first.segment.has_ack

    # --- timers ---------------------------------------------------------------------------------

    def _fire_timers(self, now: int, sender: str, old: bool) -> None:
        """Fire every timer due by ``now``; a real retransmission a little before the sender's
        retransmission timer is due counts as that timer firing."""
        ends = self.ends
        client, server = ends["client"], ends["server"]
        limit = now
        if old:
            due = ends[sender].timers().get("retransmission")
            if due is not None and now < due <= now + TIMER_SLACK_US:
                limit = due
        while True:
            client_due, server_due = client.next_timer(), server.next_timer()
            if client_due is None and server_due is None:
                return
            if server_due is None or (client_due is not None and client_due <= server_due):
                side, due = "client", client_due
            else:
                side, due = "server", server_due
            if due > limit:  # type: ignore[operator]
                return
            ends[side].handle_timer(due)  # type: ignore[arg-type]
            self.clock = max(self.clock, due)  # type: ignore[type-var]
            self._collect(side, due, None)  # type: ignore[arg-type]

    def _is_old(self, side: str, segment: Segment) -> bool:
        """Whether the real end sent all of ``segment``'s sequence space before."""
        sent = self.sent_max[side]
        return sent is not None and not seq_gt(seq_add(segment.seq, segment.seg_len), sent)

    # --- the real end's calls -------------------------------------------------------------------

    def _infer_calls(self, step: Step, segment: Segment, sender: str, now: int) -> None:
        end = self.ends[sender]
        if segment.has_syn and not segment.has_ack and end.state is _CLOSED:
            end.config.isn = segment.seq
            self._call(step, sender, "connect", now, "a SYN")
        data = segment.data
        if data:
            start = seq_add(segment.seq, 1) if segment.has_syn else segment.seq
            sent = self.sent_max[sender]
            skip = 0 if sent is None else seq_sub(sent, start)
            if skip >= 2**31:  # sent lies before start: a gap (octets the file does not show)
                skip = 0
            if skip < len(data):
                self._call(step, sender, "send", now, "data", data[skip:] if skip else data)
        if segment.has_fin and not self.fin_sent[sender]:
            self.fin_sent[sender] = True
            self._call(step, sender, self.opening.closed_with(sender), now, "fin")
        answered = any(expected.segment.has_rst for expected in self.expected[sender])
        if segment.has_rst and not answered and end.state is not _CLOSED:
            self._call(step, sender, "abort", now, "rst")
        end_seq = seq_add(segment.seq, segment.seg_len)
        sent = self.sent_max[sender]
        if sent is None or seq_gt(end_seq, sent):
            self.sent_max[sender] = end_seq

    def _call(self, step: Step, side: str, call: str, now: int, what: str, data: bytes | None = None) -> None:
        end = self.ends[side]
        self.clock = max(self.clock, now)
        try:
            end.call(call, now, data)
        except CallRefused as refused:
            step.surprises.append(
                Surprise(
                    "refused",
                    side=side,
                    what=what,
                    call=call.upper(),
                    state=refused.state,
                    reason=refused.reason,
                    source=refused.source,
                )
            )
            return
        step.add_call(side, call)
        self._collect(side, now, step)

    def _collect(self, side: str, now: int, step: Step | None) -> None:
        out = self.ends[side].drain()
        if out.segments:
            notes = out.notes
            expected = self.expected[side]
            for segment, tag in out.segments:
                expected.append(_Expected(segment, tag, notes, now))
        if step is not None and out.notes and self.keep_details:
            if step.notes is _NONE:
                step.notes = []
            step.notes.extend((side, note) for note in out.notes)

    # --- comparing ------------------------------------------------------------------------------

    def _match(self, sender: str, captured: Captured, segment: Segment, old: bool) -> list[str]:
        """Match the real segment with what the sender's engine expected; the surprises."""
        expected = self.expected[sender]
        key = _key(segment)
        for index, candidate in enumerate(expected):
            if candidate.key == key:
                surprises = [self._not_sent(sender, missing, segment) for missing in expected[:index]]
                del expected[: index + 1]
                self._remember_ack(sender, captured)
                late = captured.time_us - candidate.time_us
                if late > LATE_US and candidate.tag != "retransmission":
                    surprises.append(self._late(sender, candidate, late))
                return surprises
        surprise = self._unexpected(sender, captured, segment, expected, old)
        expected.clear()
        self._remember_ack(sender, captured)
        return [surprise]

    @staticmethod
    def _late(side: str, candidate: _Expected, late: int) -> Surprise:
        """The real end sent the engine's segment, ``late`` microseconds after the engine would."""
        segment = candidate.segment
        code = "late-ack" if segment.flags == Flags.ACK and not segment.data else "late"
        return Surprise(code, side=side, late=f"{late / 1000:.1f}", at=f"{candidate.time_us / 1e6:.6f} s")

    def _remember_ack(self, sender: str, captured: Captured) -> None:
        segment = captured.segment
        if segment.has_ack:
            self.last_ack[sender] = (segment.ack, captured.window)

    def _not_sent(self, side: str, missing: _Expected, instead: Segment) -> Surprise:
        """The engine's ``missing`` segment, which the real end did not send before ``instead``."""
        seg = missing.segment
        at = f"{missing.time_us / 1e6:.6f} s"
        if seg.flags == Flags.ACK and not seg.data and instead.has_ack and not seq_gt(seg.ack, instead.ack):
            return Surprise("ack-not-sent", side=side, segment=seg.describe(), at=at)
        if instead.has_rst and seg.has_ack and self.state_before in (State.FIN_WAIT_1, State.FIN_WAIT_2):
            switch = _linux_differs(self.profile, "reset-data-after-close")
            return Surprise("data-reset", switch=switch, side=side, segment=seg.describe())
        if missing.tag == "retransmission":
            return Surprise("retransmission-not-sent", missing.reasons(), side=side, at=at, segment=seg.describe())
        return Surprise("not-sent", missing.reasons(), side=side, expected=missing.describe())

    def _unexpected(
        self, side: str, captured: Captured, segment: Segment, expected: list[_Expected], old: bool
    ) -> Surprise:
        """Why the engine would not send ``segment``."""
        shown = captured.describe()
        if expected:
            first = expected[0]
            switch = None
            if first.segment.has_rst and segment.has_rst and segment.has_ack and not first.segment.has_ack:
                switch = _linux_differs(self.profile, "rst-ack-on-abort")
            elif segment.has_syn and segment.has_ack and not first.segment.has_syn:
                switch = _linux_differs(self.profile, "resend-syn-ack")
            return Surprise("other-segment", first.reasons(), switch, side=side, shown=shown, expected=first.describe())
        end = self.ends[side]
        if old:
            due = end.timers().get("retransmission")
            return Surprise(
                "early-retransmission",
                switch=_linux_differs(self.profile, "syn-linear-timeouts" if segment.has_syn else "rto-min-200ms"),
                side=side,
                shown=shown,
                time=f"{captured.time_us / 1e6:.6f}",
                due=None if due is None else f"{due / 1e6:.6f}",
            )
        if segment.has_rst:
            return Surprise("rst-not-sent", side=side, shown=shown, state=end.state)
        if segment.flags == Flags.ACK and not segment.data:
            last = self.last_ack[side]
            if last is not None and last[0] == segment.ack:
                if last[1] != captured.window:
                    return Surprise("window-update", shown=shown)
                return Surprise("duplicate-ack", side=side, shown=shown)
            return Surprise("unowed-ack", side=side, shown=shown)
        return Surprise("nothing-sent", side=side, shown=shown, state=end.state)


def _address(address: tuple[str, int]) -> str:
    host, port = address
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
