"""The connection engine: one TCP endpoint with at most one connection (one TCB), sans-IO.

Everything that changes a connection's state lives in this file, and every state change goes
through ``Endpoint._take``, which looks the arc up in the transition table
(``transitions.py``) and performs its actions. The engine knows nothing of sockets, threads or
wall-clock time: callers hand it user calls, segments and the current time (integer
microseconds) and collect what it sent with ``drain()``. Timers are deadlines the caller asks
for with ``next_timer()`` and fires with ``handle_timer()``.

Segment arrival follows RFC 9293 section 3.10.7 step by step; the comments name the step.
Where Linux does otherwise, the configuration's ``profile`` (``profile.py``) says which of
its switches are on; each switch is one ``if`` here, and the arcs it changes are in the table.
Simplifications, each documented where it applies: no URG, PSH, security/compartment or
options (so the send MSS is the RFC's default of 536 octets unless configured); the receiving
application reads data as soon as it arrives, so RCV.WND stays at its setting (a zero window
comes from a crafted segment or ``window 0``); no delayed ACKs, Nagle or congestion control.
"""

from __future__ import annotations

import dataclasses
from collections import deque

from .errors import CallRefused
from .isn import Address, IsnGenerator
from .notes import Note
from .profile import FIN_TIMEOUT_US, PROFILES, Profile
from .rto import SYN_DATA_PHASE_RTO_US, RtoEstimator
from .rules import reset_for, segment_acceptable, updates_window
from .segment import MAX_WINDOW, Flags, Segment
from .seqnum import seq_add, seq_gt, seq_le, seq_lt, seq_sub
from .states import State
from .tcb import TCB_FIELDS, Tcb
from .transitions import USER_CALLS, Action, Arc, Condition, Event, Refusal, arc_for, refusal_for

__all__ = ["Endpoint", "EndpointConfig", "Output", "fill_bytes"]

_SYN = Flags.SYN
_ACK = Flags.ACK
_ACK_BIT = int(Flags.ACK)
_FIN_ACK = Flags.FIN | Flags.ACK
_SYN_ACK = Flags.SYN | Flags.ACK
_RST = Flags.RST

_CLOSED = State.CLOSED
_LISTEN = State.LISTEN
_SYN_SENT = State.SYN_SENT
_SYN_RECEIVED = State.SYN_RECEIVED
_ESTABLISHED = State.ESTABLISHED
_FIN_WAIT_1 = State.FIN_WAIT_1
_FIN_WAIT_2 = State.FIN_WAIT_2
_CLOSE_WAIT = State.CLOSE_WAIT
_CLOSING = State.CLOSING
_LAST_ACK = State.LAST_ACK
_TIME_WAIT = State.TIME_WAIT

# States whose segment text is delivered to the user (3.10.7.4, seventh step).
_TEXT_STATES = frozenset({_ESTABLISHED, _FIN_WAIT_1, _FIN_WAIT_2})
# States in which queued data (and then the FIN) may go out. After a CLOSE the state moves on
# at once while data the peer's window held back, and the FIN behind it, are still queued;
# the peer's FIN can then move FIN-WAIT-1 on to CLOSING before they are all sent.
_SENDING_STATES = frozenset({_ESTABLISHED, _CLOSE_WAIT, _FIN_WAIT_1, _CLOSING, _LAST_ACK})
# States reached after the user's CLOSE with the peer's FIN received: a RST there has no user
# to tell (3.10.7.4, second check: "enter the CLOSED state, delete the TCB, and return").
_USER_CLOSED = frozenset({_CLOSING, _LAST_ACK, _TIME_WAIT})
# States after the user's CLOSE in which the peer may still send data.
_USER_CLOSING = frozenset({_FIN_WAIT_1, _FIN_WAIT_2})

_FILLER = b"abcdefghijklmnopqrstuvwxyz"
_PLAIN_ACK = "ACK"  # an ACK owed for no special reason; sent untagged


def fill_bytes(count: int) -> bytes:
    """``count`` octets of recognisable filler (``abcdefg...``) for ``send N``."""
    return (_FILLER * (count // len(_FILLER) + 1))[:count]


@dataclasses.dataclass
class EndpointConfig:
    """Settings an endpoint reads when it needs them (a simulation may change them mid-run)."""

    isn: int | None = None
    """Fixed ISS for every open from now on, or None for the RFC 6528 generator."""
    window: int = MAX_WINDOW
    """RCV.WND advertised to the peer."""
    mss: int = 536
    """Largest data segment sent (RFC 9293 MUST-15's default without an MSS option)."""
    msl_us: int = 120_000_000
    """Maximum segment lifetime; TIME-WAIT lasts 2*MSL (RFC 9293: MSL = 2 minutes)."""
    rto_us: int = 1_000_000
    """Initial retransmission timeout (RFC 6298 2.1)."""
    max_retransmissions: int = 6
    """Retransmissions of a data segment or FIN before the connection is given up (user timeout)."""
    max_syn_retransmissions: int | None = None
    """Retransmissions of a SYN (SYN-SENT), or None for the profile's: 7 (RFC 9293 MUST-23, at
    least 3 minutes), Linux's tcp_syn_retries 6 (its linear timeouts come on top)."""
    max_syn_ack_retransmissions: int | None = None
    """Retransmissions of a SYN,ACK after a passive OPEN, or None for the profile's: 7 (MUST-23),
    Linux's tcp_synack_retries 5."""
    profile: Profile = PROFILES["rfc"]
    """Where the engine follows Linux instead of RFC 9293 (``profile.SWITCHES``)."""
    isn_generator: IsnGenerator = dataclasses.field(default_factory=IsnGenerator)


@dataclasses.dataclass
class Output:
    """What an endpoint did since the last ``drain()``."""

    segments: list[tuple[Segment, str | None]]
    """Segments sent, in order, each with a tag: "retransmission", "challenge ACK", "reset",
    or None."""
    arcs: list[Arc]
    """Transitions taken, in order."""
    notes: list[Note]
    """Decisions worth explaining, in order."""


class _Sent:
    """A segment on the retransmission queue: what occupies [seq, seq + seg_len)."""

    __slots__ = ("data", "end", "fin", "seq", "syn")

    def __init__(self, seq: int, data: bytes, syn: bool, fin: bool):
        self.seq = seq
        self.data = data
        self.syn = syn
        self.fin = fin
        self.end = seq_add(seq, len(data) + syn + fin)


class Endpoint:
    """A TCP endpoint (one host, one connection). State and TCB survive between calls."""

    def __init__(
        self,
        name: str = "endpoint",
        local: Address = ("192.0.2.1", 50000),
        remote: Address = ("198.51.100.1", 80),
        config: EndpointConfig | None = None,
    ):
        self.name = name
        self.local = local
        self.remote = remote
        self.config = config if config is not None else EndpointConfig()
        self.state: State = _CLOSED
        self.tcb: Tcb | None = None
        self.received = bytearray()
        """Every octet delivered to the application, over all incarnations."""
        self.peer_closed = False
        """True once the peer's FIN has been received on the current connection."""
        self._outbox: list[tuple[Segment, str | None]] = []
        self._arcs: list[Arc] = []
        self._notes: list[Note] = []
        self._now = 0
        self._reset_connection_state()

    # ------------------------------------------------------------------------------------------
    # Reading the endpoint

    def drain(self) -> Output:
        """Everything sent, taken and noted since the last drain, and forget it."""
        out = Output(self._outbox, self._arcs, self._notes)
        self._outbox = []
        self._arcs = []
        self._notes = []
        return out

    def next_timer(self) -> int | None:
        """When the next timer is due (microseconds), or None if none is running."""
        rtx, tw = self._rtx_deadline, self._tw_deadline
        if self._fw2_deadline is not None or self._persist_deadline is not None:
            return min(self.timers().values())
        if rtx is None:
            return tw
        if tw is None:
            return rtx
        return min(rtx, tw)

    def timers(self) -> dict[str, int]:
        """The running timers, ``"retransmission"``, ``"time-wait"``, ``"persist"`` (a zero
        window to probe) and (Linux profile) ``"fin-wait-2"``, and when they are due."""
        running = {}
        if self._rtx_deadline is not None:
            running["retransmission"] = self._rtx_deadline
        if self._tw_deadline is not None:
            running["time-wait"] = self._tw_deadline
        if self._fw2_deadline is not None:
            running["fin-wait-2"] = self._fw2_deadline
        if self._persist_deadline is not None:
            running["persist"] = self._persist_deadline
        return running

    def refusal(self, call: str) -> Refusal | None:
        """The ``Refusal`` that a user call would get now, or None if it is allowed."""
        return refusal_for(self.state, _event_for_call(call))

    def snapshot(self) -> dict[str, object]:
        """The TCB variables by their RFC names plus the timers, for tables and history."""
        tcb = self.tcb
        if tcb is None:
            values: dict[str, object] = dict.fromkeys(_SNAPSHOT_NAMES)
        else:
            values = tcb.snapshot()
        values["RTO"] = self._rto.rto_us / 1e6 if tcb is not None else None
        values["unsent"] = len(self._unsent)
        values["unacked"] = len(self._rtx)
        values["received"] = len(self.received)
        values["retransmit_at"] = self._rtx_deadline / 1e6 if self._rtx_deadline is not None else None
        values["time_wait_until"] = self._tw_deadline / 1e6 if self._tw_deadline is not None else None
        return values

    @property
    def passive(self) -> bool:
        """Whether this connection was opened passively (RFC 9293 MUST-11)."""
        return self._passive

    # ------------------------------------------------------------------------------------------
    # User calls (RFC 9293 3.10.1 - 3.10.5)

    def call(self, call: str, now_us: int, data: bytes | int | None = None) -> None:
        """Make a user call: ``listen``, ``connect``, ``send``, ``close``, ``shutdown``, ``abort``
        or ``crash``. ``shutdown`` (POSIX shutdown(SHUT_WR)) is RFC 9293's CLOSE, as ``close`` is,
        except in the Linux profile, where ``close`` also ends receiving.

        ``send`` takes ``data``: bytes, or a count of filler octets. A call the state does not
        allow raises ``CallRefused`` and changes nothing.
        """
        event = _event_for_call(call)
        payload = b""
        if event is Event.SEND:
            payload = _payload(data)
        elif data is not None:
            raise ValueError(f"{call} takes no data")
        refusal = refusal_for(self.state, event)
        if refusal is not None:
            raise CallRefused(call, self.state, refusal.reason, refusal.source)
        self._now = now_us
        if event is Event.SEND:
            self._unsent += payload
            if self.state in (_SYN_SENT, _SYN_RECEIVED, _LISTEN):
                self._notes.append(Note("data-queued", n=len(payload)))
        if event is Event.CRASH:
            self._notes.append(Note("crash"))
        if event is Event.CLOSE:
            self._orphaned = call == "close"
        # 3.10.4: in SYN-RECEIVED a CLOSE with data pending waits for ESTABLISHED (its own arc).
        self._take(event, Condition.DATA_QUEUED if event is Event.CLOSE and self._unsent else None)
        if event is Event.PASSIVE_OPEN:
            self._passive = True
        elif self.state is _SYN_SENT:
            self._passive = False
        self._flush()

    def listen(self, now_us: int = 0) -> None:
        self.call("listen", now_us)

    def connect(self, now_us: int = 0) -> None:
        self.call("connect", now_us)

    def send(self, data: bytes | int, now_us: int = 0) -> None:
        self.call("send", now_us, data)

    def close(self, now_us: int = 0) -> None:
        self.call("close", now_us)

    def abort(self, now_us: int = 0) -> None:
        self.call("abort", now_us)

    def crash(self, now_us: int = 0) -> None:
        self.call("crash", now_us)

    # ------------------------------------------------------------------------------------------
    # Timers (RFC 9293 3.10.8)

    def handle_timer(self, now_us: int) -> None:
        """Fire the earliest timer due at ``now_us`` (at most one; call again for more)."""
        self._now = now_us
        tw, rtx, fw2 = self._tw_deadline, self._rtx_deadline, self._fw2_deadline
        if tw is not None and tw <= now_us and (rtx is None or tw <= rtx):
            self._tw_deadline = None
            linux = "time-wait-60s" in self.config.profile
            self._notes.append(Note("time-wait-over-60s" if linux else "time-wait-over"))
            self._take(Event.TIMEOUT_2MSL)
        elif rtx is not None and rtx <= now_us:
            self._retransmission_timeout()
        elif fw2 is not None and fw2 <= now_us:
            self._fw2_deadline = None
            self._notes.append(Note("fin-wait-2-timeout", s=FIN_TIMEOUT_US / 1e6))
            self._take(Event.TIMEOUT_FIN_WAIT_2)
        elif self._persist_deadline is not None and self._persist_deadline <= now_us:
            self._probe_zero_window()
        self._flush()

    def _probe_zero_window(self) -> None:
        # 3.8.6.1 (MUST-36): with a zero window, send one octet of new data beyond it after an RTO
        # (SHLD-29). It waits on the retransmission queue like any data, so the retransmission timer
        # repeats the probe, the interval doubled each time (SHLD-30), until the window opens.
        self._persist_deadline = None
        tcb = self.tcb
        if self.state not in _SENDING_STATES or not self._unsent or tcb.snd_wnd != 0:  # pragma: no cover
            return
        probe = bytes(self._unsent[:1])
        del self._unsent[:1]
        self._notes.append(Note("zero-window-probe", seq=tcb.snd_nxt))
        self._send_new(_ACK, probe)
        self._rto.back_off()  # the next probe an interval twice as long after this one
        self._rtx_deadline = self._now + self._rto.rto_us

    def retransmission_limit(self) -> int:
        """How many retransmissions of the oldest unacknowledged segment the state allows."""
        config = self.config
        profile = config.profile
        if self.state is _SYN_SENT:
            syn = config.max_syn_retransmissions
            return (profile.syn_retries if syn is None else syn) + profile.linear_syn_timeouts
        if self.state is _SYN_RECEIVED:
            if self._passive:
                synack = config.max_syn_ack_retransmissions
                return profile.synack_retries if synack is None else synack
            syn = config.max_syn_retransmissions
            return profile.syn_retries if syn is None else syn
        return config.max_retransmissions

    def _retransmission_timeout(self) -> None:
        if not self._rtx:  # pragma: no cover - the timer stops when the queue empties
            self._rtx_deadline = None
            return
        limit = self.retransmission_limit()
        if self._retransmissions >= limit:
            self._notes.append(Note("give-up", max=limit))
            self._take(Event.USER_TIMEOUT)
            return
        entry = self._rtx[0]
        self._retransmissions += 1
        if self.state is _SYN_SENT and self._retransmissions <= self.config.profile.linear_syn_timeouts:
            pass  # Linux: the first tcp_syn_linear_timeouts retransmissions of a SYN keep the RTO
        else:
            self._rto.back_off()
        self._rtt_timed_end = None  # Karn: never time a retransmitted segment
        if entry.syn:
            self._syn_retransmitted = True
        self._emit_entry(entry, "retransmission")
        self._rtx_deadline = self._now + self._rto.rto_us
        self._notes.append(
            Note("retransmit", seq=entry.seq, n=self._retransmissions, max=limit, rto=self._rto.rto_us / 1e6)
        )

    # ------------------------------------------------------------------------------------------
    # Segment arrival (RFC 9293 3.10.7)

    def receive(self, seg: Segment, now_us: int) -> None:
        """Process one arriving segment."""
        self._now = now_us
        state = self.state
        if state is _CLOSED:
            self._arrive_closed(seg)
        elif state is _LISTEN:
            self._arrive_listen(seg)
        elif state is _SYN_SENT:
            self._arrive_syn_sent(seg)
        else:
            self._arrive_other(seg)
        self._flush()

    def _arrive_closed(self, seg: Segment) -> None:
        # 3.10.7.1: no TCB. Answer anything but a RST with a RST the sender will accept.
        if seg.has_rst:
            self._notes.append(Note("rst-to-closed"))
            return
        self._notes.append(Note("reset-no-connection"))
        self._send_reset_for(seg)

    def _arrive_listen(self, seg: Segment) -> None:
        # 3.10.7.2
        if seg.has_rst:  # first: a RST cannot be for us
            self._notes.append(Note("rst-in-listen"))
            return
        if seg.has_ack:  # second: any ACK is bad
            self._notes.append(Note("ack-in-listen"))
            self._send_control(seg.ack, 0, _RST, "reset")
            return
        if not seg.has_syn:  # fourth: anything else is dropped
            self._notes.append(Note("listen-no-syn"))
            return
        # third: a SYN. The arc selects the ISS and sends <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
        tcb = self.tcb
        tcb.irs = seg.seq
        tcb.rcv_nxt = seq_add(seg.seq, 1)
        self._update_window(seg.wnd, seg.seq, 0)
        self._hold_text_on_syn(seg)
        self._take(Event.RCV_SYN, Condition.PASSIVE_OPEN)

    def _arrive_syn_sent(self, seg: Segment) -> None:
        # 3.10.7.3
        tcb = self.tcb
        ack_acceptable = False
        if seg.has_ack:  # first: check the ACK
            if seq_le(seg.ack, tcb.iss) or seq_gt(seg.ack, tcb.snd_nxt):
                if seg.has_rst:
                    self._notes.append(Note("bad-ack-rst-syn-sent"))
                    return
                self._notes.append(Note("bad-ack-syn-sent", ack=seg.ack, iss=tcb.iss, nxt=tcb.snd_nxt))
                self._send_control(seg.ack, 0, _RST, "reset")
                return
            ack_acceptable = seq_lt(tcb.snd_una, seg.ack)
        if seg.has_rst:  # second: a RST counts only if it acknowledges our SYN (3.5.3)
            if ack_acceptable:
                self._notes.append(Note("connection-refused"))
                self._take(Event.RCV_RST)
            else:
                self._notes.append(Note("rst-without-ack-syn-sent"))
            return
        if not seg.has_syn:  # fifth
            self._notes.append(Note("syn-sent-no-syn"))
            return
        # fourth: the SYN
        tcb.irs = seg.seq
        tcb.rcv_nxt = seq_add(seg.seq, 1)
        if ack_acceptable:
            self._acknowledge(seg.ack)
        self._hold_text_on_syn(seg)
        # RFC 1122 4.2.2.20 (c): take the window from the SYN in both cases.
        self._update_window(seg.wnd, seg.seq, seg.ack if seg.has_ack else tcb.iss)
        if seq_gt(tcb.snd_una, tcb.iss):
            self._take(Event.RCV_SYN_ACK)
            self._entered_established()
            self._deliver_held_text()
        else:
            self._notes.append(Note("simultaneous-open"))
            self._take(Event.RCV_SYN)

    def _arrive_other(self, seg: Segment) -> None:
        # 3.10.7.4: SYN-RECEIVED and the synchronized states.
        tcb = self.tcb
        state = self.state
        seq = seg.seq
        rcv_nxt = tcb.rcv_nxt
        rcv_wnd = tcb.rcv_wnd

        if seg.has_syn and not seg.has_rst and self.config.profile.switches and self._linux_syn(seg):
            return

        # First, check the sequence number (Table 6).
        seg_len = seg.seg_len
        if not segment_acceptable(seq, seg_len, rcv_nxt, rcv_wnd):
            if seg.has_rst:
                self._notes.append(Note("unacceptable-rst"))
                return
            if state is _TIME_WAIT and seg.has_fin and seq_add(seq, seg_len) == rcv_nxt:
                # The peer's FIN again: our last ACK was lost. Its sequence number is already
                # consumed, so the first check catches it; the TIME-WAIT rule of the fifth and
                # eighth steps (ACK it, restart 2MSL) is applied here.
                self._notes.append(Note("retransmitted-fin-time-wait"))
                self._take(Event.RCV_FIN)
                return
            self._notes.append(
                Note("unacceptable", seq=seq, len=seg_len, rcv_nxt=rcv_nxt, rcv_end=seq_add(rcv_nxt, rcv_wnd - 1))
            )
            self._ack_reason = _PLAIN_ACK
            return

        # Second, check the RST bit (with RFC 5961 3.2's exact-match rule).
        if seg.has_rst:
            if seq != rcv_nxt:
                self._notes.append(Note("challenge-ack-rst", seq=seq, rcv_nxt=rcv_nxt))
                self._ack_reason = "challenge ACK"
                return
            if state is _SYN_RECEIVED:
                if self._passive:
                    self._notes.append(Note("back-to-listen"))
                    self._take(Event.RCV_RST, Condition.PASSIVE_OPEN)
                else:
                    self._notes.append(Note("connection-refused"))
                    self._take(Event.RCV_RST, Condition.ACTIVE_OPEN)
            else:
                # ESTABLISHED .. CLOSE-WAIT: the user is told "connection reset"; CLOSING,
                # LAST-ACK, TIME-WAIT: the user has closed already, so only CLOSED and the
                # TCB deleted (3.10.7.4, second check).
                self._notes.append(Note("reset-after-close" if state in _USER_CLOSED else "connection-reset"))
                self._take(Event.RCV_RST)
            return

        # (Third, security: not modelled.) Fourth, check the SYN bit (RFC 5961 4.2).
        if seg.has_syn:
            if state is _SYN_RECEIVED and self._passive:
                self._notes.append(Note("back-to-listen"))
                self._take(Event.RCV_SYN, Condition.PASSIVE_OPEN)
                return
            self._notes.append(Note("challenge-ack-syn"))
            self._ack_reason = "challenge ACK"
            return

        # Fifth, check the ACK field.
        if not seg.has_ack:
            self._notes.append(Note("no-ack-bit"))
            return
        ack = seg.ack
        if state is _SYN_RECEIVED:
            if seq_lt(tcb.snd_una, ack) and seq_le(ack, tcb.snd_nxt):
                self._update_window(seg.wnd, seq, ack, force=True)
                self._take(Event.RCV_ACK_OF_SYN)
                self._entered_established()
                state = self.state  # ESTABLISHED, or FIN-WAIT-1 if a CLOSE was queued
            else:
                self._notes.append(Note("bad-ack-syn-received", ack=ack, una=tcb.snd_una, nxt=tcb.snd_nxt))
                self._send_control(ack, 0, _RST, "reset")
                return
        una = tcb.snd_una
        nxt = tcb.snd_nxt
        low = seq_sub(una, tcb.max_snd_wnd)
        if not (seq_le(low, ack) and seq_le(ack, nxt)):  # RFC 5961 5.2
            self._notes.append(Note("ack-out-of-range", ack=ack, low=low, nxt=nxt))
            self._ack_reason = _PLAIN_ACK
            return
        if seq_lt(una, ack):
            self._acknowledge(ack)
        elif ack != una and seg_len == 0:
            self._notes.append(Note("duplicate-ack", ack=ack))
        elif tcb.snd_wnd == 0 and self._rtx:
            # MUST-37: a peer that answers our window probes is alive; the probes never give up.
            self._retransmissions = 0
        if seq_le(una, ack):
            self._update_window(seg.wnd, seq, ack)
        our_fin_acked = self._fin_sent and tcb.snd_una == tcb.snd_nxt
        if state is _CLOSING:
            if not our_fin_acked:
                self._notes.append(Note("closing-not-acked"))
                return
            self._take(Event.RCV_ACK_OF_FIN)
            state = _TIME_WAIT
        elif state is _LAST_ACK and our_fin_acked:
            self._take(Event.RCV_ACK_OF_FIN)
            return
        # FIN-WAIT-1 -> FIN-WAIT-2 waits until the FIN check below: a FIN in this same segment
        # takes note 2's FIN-WAIT-1 -> TIME-WAIT arc instead.
        fin_wait_1_acked = state is _FIN_WAIT_1 and our_fin_acked

        # (Sixth, URG: not modelled.) Seventh, the segment text; eighth, the FIN.
        if (
            seg.data
            and state in _USER_CLOSING
            and self._orphaned
            and "reset-data-after-close" in self.config.profile
            and seq_gt(seq_add(seq, len(seg.data)), tcb.rcv_nxt)
        ):
            # Linux: close() ended receiving too; new data gets a RST (RFC 9293 3.6.1, MAY-1 and SHLD-3).
            self._notes.append(Note("data-after-close", n=len(seg.data)))
            self._answering = seg
            self._take(Event.RCV_DATA)
            return
        if state in _TEXT_STATES:
            if seg.data or seg.has_fin or self._held:
                self._accept_text(seq, seg.data, seg.has_fin, fin_wait_1_acked)
        else:
            if seg.data:
                self._notes.append(Note("text-ignored"))
            if seg.has_fin:  # the peer's FIN was already processed: acknowledge it, remain
                if state is _TIME_WAIT:
                    self._notes.append(Note("retransmitted-fin-time-wait"))
                self._take(Event.RCV_FIN)
        if fin_wait_1_acked and self.state is _FIN_WAIT_1:
            self._take(Event.RCV_ACK_OF_FIN)

    def _linux_syn(self, seg: Segment) -> bool:
        """The profile's answers to a SYN in SYN-RECEIVED or TIME-WAIT; True if one was taken."""
        tcb = self.tcb
        state = self.state
        switches = self.config.profile.switches
        if (
            state is _SYN_RECEIVED
            and "resend-syn-ack" in switches
            and self._passive
            and not seg.has_ack
            and seg.seq == tcb.irs
        ):
            self._notes.append(Note("duplicate-syn"))
            self._syn_ack_tag = "retransmission"
            self._take(Event.RCV_SYN, Condition.DUPLICATE_SYN)
            return True
        if (
            state is _SYN_RECEIVED
            and "syn-ack-in-syn-received" in switches
            and not self._passive
            and seg.has_ack
            and seg.seq == tcb.irs
            and seg.ack == tcb.snd_nxt
        ):
            self._notes.append(Note("syn-ack-in-syn-received"))
            self._acknowledge(seg.ack)
            self._update_window(seg.wnd, seg.seq, seg.ack, force=True)
            self._take(Event.RCV_SYN_ACK, Condition.ACTIVE_OPEN)
            self._entered_established()
            self._deliver_held_text()
            return True
        if (
            state is _TIME_WAIT
            and "time-wait-reopen" in switches
            and self._passive
            and not seg.has_ack
            and seq_gt(seg.seq, tcb.rcv_nxt)
        ):
            self._notes.append(Note("time-wait-reopen", seq=seg.seq, rcv_nxt=tcb.rcv_nxt))
            self._answering = seg
            self._take(Event.RCV_SYN, Condition.SEQ_ABOVE_RCV_NXT)
            return True
        return False

    # --- receiving text and FINs ------------------------------------------------------------

    def _hold_text_on_syn(self, seg: Segment) -> None:
        # Data or a FIN on a SYN wait until the connection is ESTABLISHED (3.10.7.2-3).
        if seg.data or seg.has_fin:
            self._held[seq_add(seg.seq, 1)] = (seg.data, seg.has_fin)
            self._notes.append(Note("syn-data-queued", n=len(seg.data)))

    def _deliver_held_text(self) -> None:
        if self._held and self.state in _TEXT_STATES:
            self._accept_text(self.tcb.rcv_nxt, b"", False, False)

    def _accept_text(self, seq: int, data: bytes, fin: bool, fin_wait_1_acked: bool) -> None:
        """Seventh and eighth steps: deliver in-order data, hold what is ahead, take the FIN.

        Text held earlier (ahead of RCV.NXT, or carried on a SYN) is delivered as soon as it
        continues the stream, even when the arriving segment carries no text of its own.
        """
        tcb = self.tcb
        fin_reached = False
        if data or fin:
            rcv_nxt = tcb.rcv_nxt
            if seq_gt(seq, rcv_nxt):
                self._held[seq] = (data, fin)
                self._notes.append(Note("out-of-order", seq=seq, rcv_nxt=rcv_nxt))
                self._ack_reason = _PLAIN_ACK
            else:
                fin_reached = self._take_text(seq, data, fin)
        # Drain the reassembly queue while it continues the stream.
        while self._held and not fin_reached:
            ready = next((held_seq for held_seq in self._held if seq_le(held_seq, tcb.rcv_nxt)), None)
            if ready is None:
                break
            held_data, held_fin = self._held.pop(ready)
            fin_reached = self._take_text(ready, held_data, held_fin)
        if fin_reached:
            self._held.clear()
            self._receive_fin(fin_wait_1_acked)

    def _take_text(self, seq: int, data: bytes, fin: bool) -> bool:
        """Accept the new part of [seq, seq+len(data)) (+FIN); True if the FIN is now reached."""
        tcb = self.tcb
        old = seq_sub(tcb.rcv_nxt, seq)
        if old > len(data):  # entirely old (a FIN here was consumed already)
            return False
        new = data[old:]
        if len(new) > tcb.rcv_wnd:
            self._notes.append(Note("data-trimmed", n=len(new) - tcb.rcv_wnd))
            new = new[: tcb.rcv_wnd]
            fin = False
        if new:
            self.received += new
            tcb.rcv_nxt = seq_add(tcb.rcv_nxt, len(new))
            self._notes.append(Note("data-received", n=len(new)))
            self._ack_reason = _PLAIN_ACK
        return fin

    def _receive_fin(self, fin_wait_1_acked: bool) -> None:
        # Eighth step: advance RCV.NXT over the FIN, tell the user, acknowledge it.
        tcb = self.tcb
        tcb.rcv_nxt = seq_add(tcb.rcv_nxt, 1)
        self.peer_closed = True
        self._notes.append(Note("fin-received"))
        state = self.state
        if state is _FIN_WAIT_1 and fin_wait_1_acked:
            self._take(Event.RCV_FIN_AND_ACK_OF_FIN)
        else:
            self._take(Event.RCV_FIN)

    # --- acknowledgments and the send window ------------------------------------------------

    def _acknowledge(self, ack: int) -> None:
        """SND.UNA < SEG.ACK =< SND.NXT: advance SND.UNA, trim the retransmission queue."""
        tcb = self.tcb
        before = tcb.snd_una
        tcb.snd_una = ack
        rtx = self._rtx
        while rtx and seq_le(rtx[0].end, ack):
            rtx.popleft()
        self._notes.append(Note("acked", ack=ack, n=seq_sub(ack, before), una=before))
        timed = self._rtt_timed_end
        if timed is not None and seq_le(timed, ack):
            self._rtt_timed_end = None
            rto = self._rto
            rto.sample(self._now - self._rtt_started)
            self._notes.append(
                Note(
                    "rtt-sample",
                    rtt=(self._now - self._rtt_started) / 1e6,
                    srtt=rto.srtt_us / 1e6,
                    rttvar=rto.rttvar_us / 1e6,
                    rto=rto.rto_us / 1e6,
                )
            )
        self._retransmissions = 0
        # RFC 6298 5.2-5.3: stop the timer when all is acknowledged, else restart it.
        self._rtx_deadline = None if ack == tcb.snd_nxt else self._now + self._rto.rto_us

    def _update_window(self, wnd: int, seq: int, ack: int, force: bool = False) -> None:
        tcb = self.tcb
        if force or updates_window(tcb.snd_wl1, tcb.snd_wl2, seq, ack):
            tcb.snd_wnd = wnd
            tcb.snd_wl1 = seq
            tcb.snd_wl2 = ack
            if wnd > tcb.max_snd_wnd:
                tcb.max_snd_wnd = wnd

    def _entered_established(self) -> None:
        # RFC 6298 5.7: the implementation's RTO (the initial one) is below 3 s and the SYN's
        # timer expired, so the data phase starts with 3 s, whatever the back-off reached.
        if self._syn_retransmitted and self.config.rto_us < SYN_DATA_PHASE_RTO_US:
            self._rto.rto_us = SYN_DATA_PHASE_RTO_US
            self._notes.append(Note("syn-rto-reset"))
        if self._close_queued:
            self._close_queued = False
            self._take(Event.CLOSE)

    # ------------------------------------------------------------------------------------------
    # Taking arcs

    def _take(self, event: Event, condition: Condition | None = None) -> None:
        if condition is None and self._orphaned:
            condition = Condition.ORPHANED  # picks the Linux profile's arcs after close(), if any
        arc = arc_for(self.state, event, condition, self.config.profile.switches)
        if arc is None:  # pragma: no cover - the engine only asks for arcs the table has
            raise AssertionError(f"the transition table has no arc for {event} in {self.state}")
        self.state = arc.target
        self._arcs.append(arc)
        for action in arc.actions:
            _PERFORM[action](self)

    def _do_create_tcb(self) -> None:
        self._reset_connection_state()
        self.tcb = Tcb(self.config.window)

    def _do_delete_tcb(self) -> None:
        self._reset_connection_state()

    def _do_reset_to_listen(self) -> None:
        # 3.10.7.4: back to LISTEN; the retransmission queue is flushed and the peer forgotten.
        self._reset_connection_state()
        self.tcb = Tcb(self.config.window)
        self._passive = True

    def _do_snd_syn(self) -> None:
        self._select_iss()
        self._send_new(_SYN, b"", syn=True)

    def _do_snd_syn_ack(self) -> None:
        tcb = self.tcb
        if tcb.iss is None:  # from LISTEN: select the ISS now
            self._select_iss()
            self._send_new(_SYN_ACK, b"", syn=True)
        else:  # simultaneous open, or Linux's answer to the SYN again: our SYN with an ACK
            self._rtt_timed_end = None
            tag, self._syn_ack_tag = self._syn_ack_tag, None
            self._emit(Segment(tcb.iss, tcb.rcv_nxt, _SYN_ACK, tcb.rcv_wnd), tag)

    def _do_snd_ack(self) -> None:
        self._ack_reason = self._ack_reason or _PLAIN_ACK

    def _do_snd_fin(self) -> None:
        self._fin_queued = True
        self._transmit()

    def _do_snd_rst(self) -> None:
        answering, self._answering = self._answering, None
        if answering is not None:  # Linux's reset for data after close(): as for no connection
            self._send_reset_for(answering)
        elif "rst-ack-on-abort" in self.config.profile:
            tcb = self.tcb
            self._send_control(tcb.snd_nxt, tcb.rcv_nxt, _RST | _ACK, "reset")
        else:
            self._send_control(self.tcb.snd_nxt, 0, _RST, "reset")

    def _do_snd_data(self) -> None:
        self._transmit()

    def _do_queue_data(self) -> None:
        pass  # the call already queued the data; it goes out in ESTABLISHED

    def _do_start_2msl_timer(self) -> None:
        # 3.10.7.4: start the time-wait timer, turn off the other timers.
        config = self.config
        self._tw_deadline = self._now + config.profile.time_wait_us(config.msl_us)
        self._rtx_deadline = None
        self._fw2_deadline = None
        self._persist_deadline = None

    def _do_start_fin_wait_2_timer(self) -> None:
        self._fw2_deadline = self._now + FIN_TIMEOUT_US

    def _do_reopen_tcb(self) -> None:
        # Linux (tcp_timewait_state_process): the new ISS is the old SND.NXT + 65535 + 2, so no
        # segment of the old connection can be taken for the new one's.
        seg, self._answering = self._answering, None
        iss = seq_add(self.tcb.snd_nxt, MAX_WINDOW + 2)
        self._reset_connection_state()
        self.tcb = tcb = Tcb(self.config.window)
        self._passive = True
        self._reopen_iss = iss
        tcb.irs = seg.seq
        tcb.rcv_nxt = seq_add(seg.seq, 1)
        self._update_window(seg.wnd, seg.seq, 0)

    def _do_forget_tcb(self) -> None:
        self._reset_connection_state()

    def _do_queue_close(self) -> None:
        self._close_queued = True
        self._notes.append(Note("close-queued"))

    # ------------------------------------------------------------------------------------------
    # Sending

    def _select_iss(self) -> None:
        tcb = self.tcb
        config = self.config
        if self._reopen_iss is not None:
            iss, self._reopen_iss = self._reopen_iss, None
        elif config.isn is not None:
            iss = config.isn
        else:
            iss = config.isn_generator(self.local, self.remote, self._now)
        tcb.iss = iss
        tcb.snd_una = iss
        tcb.snd_nxt = iss

    def _transmit(self) -> None:
        """Send queued data the peer's window allows, then the FIN once all data is out."""
        if self.state not in _SENDING_STATES or self._fin_sent:
            return
        tcb = self.tcb
        unsent = self._unsent
        if unsent:
            mss = self.config.mss
            while unsent:
                room = tcb.snd_wnd - seq_sub(tcb.snd_nxt, tcb.snd_una)
                if room <= 0:
                    if not any(note.code == "window-full" for note in self._notes):  # said once per event
                        self._notes.append(Note("window-full", n=len(unsent), wnd=tcb.snd_wnd))
                    if tcb.snd_wnd == 0 and not self._rtx and self._persist_deadline is None:
                        # Nothing in flight will bring an ACK: probe the window after an RTO (3.8.6.1).
                        self._persist_deadline = self._now + self._rto.rto_us
                    return
                self._persist_deadline = None
                size = min(mss, room, len(unsent))
                data = bytes(unsent[:size])
                del unsent[:size]
                self._send_new(_ACK, data)
        if self._fin_queued:
            self._fin_sent = True
            self._send_new(_FIN_ACK, b"", fin=True)

    def _send_new(self, flags: Flags, data: bytes, syn: bool = False, fin: bool = False) -> None:
        """Send new sequence space and put it on the retransmission queue."""
        tcb = self.tcb
        entry = _Sent(tcb.snd_nxt, data, syn, fin)
        self._rtx.append(entry)
        ack = tcb.rcv_nxt if int(flags) & _ACK_BIT else 0  # as int: IntFlag's & is ten times slower
        self._emit(Segment(entry.seq, ack, flags, tcb.rcv_wnd, data), None)
        tcb.snd_nxt = entry.end
        if self._rtx_deadline is None:
            self._rtx_deadline = self._now + self._rto.rto_us
        if self._rtt_timed_end is None:
            self._rtt_timed_end = entry.end
            self._rtt_started = self._now

    def _emit_entry(self, entry: _Sent, tag: str | None) -> None:
        """Send a retransmission-queue entry again, with the current ACK and window."""
        tcb = self.tcb
        flags = Flags(0)
        if entry.syn:
            flags |= _SYN
        if entry.fin:
            flags |= Flags.FIN
        if self.state is not _SYN_SENT:
            flags |= _ACK
        ack = tcb.rcv_nxt if flags & _ACK else 0
        self._emit(Segment(entry.seq, ack, flags, tcb.rcv_wnd, entry.data), tag)

    def _emit(self, seg: Segment, tag: str | None) -> None:
        if seg.has_ack:
            self._ack_reason = None  # this segment carries the acknowledgment
        self._outbox.append((seg, tag))

    def _send_control(self, seq: int, ack: int, flags: Flags, tag: str) -> None:
        """A RST, outside the sequence space (its window is 0, as stacks send it)."""
        self._emit(Segment(seq, ack, flags, 0), tag)

    def _send_reset_for(self, seg: Segment) -> None:
        """The RST that answers ``seg`` where no connection exists (3.5.2 rule 1, 3.10.7.1)."""
        self._outbox.append((reset_for(seg), "reset"))

    def _flush(self) -> None:
        """After an event: send what became sendable, and one ACK if one is still owed."""
        if self._unsent or (self._fin_queued and not self._fin_sent):
            self._transmit()
        reason = self._ack_reason
        if reason is not None:
            self._ack_reason = None
            tcb = self.tcb
            if tcb is not None and tcb.rcv_nxt is not None:
                tag = None if reason is _PLAIN_ACK else reason
                self._outbox.append((Segment(tcb.snd_nxt, tcb.rcv_nxt, _ACK, tcb.rcv_wnd), tag))

    def _reset_connection_state(self) -> None:
        """Forget everything about the current connection (the TCB and its queues and timers)."""
        self.tcb = None
        self.peer_closed = False
        self._passive = False
        self._orphaned = False  # close() called, not shutdown() (the Linux profile's Condition.ORPHANED)
        self._unsent = bytearray()
        self._rtx: deque[_Sent] = deque()
        self._held: dict[int, tuple[bytes, bool]] = {}
        self._fin_queued = False
        self._fin_sent = False
        self._close_queued = False
        self._ack_reason: str | None = None
        self._rtx_deadline: int | None = None
        self._tw_deadline: int | None = None
        self._fw2_deadline: int | None = None
        self._persist_deadline: int | None = None
        self._retransmissions = 0
        self._rto = RtoEstimator(self.config.rto_us, self.config.profile.min_rto_us)
        self._answering: Segment | None = None
        self._syn_ack_tag: str | None = None
        self._reopen_iss: int | None = None
        self._rtt_timed_end: int | None = None
        self._rtt_started = 0
        self._syn_retransmitted = False

    def __repr__(self) -> str:
        return f"<Endpoint {self.name} {self.state}>"


_PERFORM = {
    Action.CREATE_TCB: Endpoint._do_create_tcb,
    Action.DELETE_TCB: Endpoint._do_delete_tcb,
    Action.RESET_TO_LISTEN: Endpoint._do_reset_to_listen,
    Action.SND_SYN: Endpoint._do_snd_syn,
    Action.SND_SYN_ACK: Endpoint._do_snd_syn_ack,
    Action.SND_ACK: Endpoint._do_snd_ack,
    Action.SND_FIN: Endpoint._do_snd_fin,
    Action.SND_RST: Endpoint._do_snd_rst,
    Action.SND_DATA: Endpoint._do_snd_data,
    Action.QUEUE_DATA: Endpoint._do_queue_data,
    Action.START_2MSL_TIMER: Endpoint._do_start_2msl_timer,
    Action.FORGET_TCB: Endpoint._do_forget_tcb,
    Action.QUEUE_CLOSE: Endpoint._do_queue_close,
    Action.START_FIN_WAIT_2_TIMER: Endpoint._do_start_fin_wait_2_timer,
    Action.REOPEN_TCB: Endpoint._do_reopen_tcb,
}
assert set(_PERFORM) == set(Action), "every action of the table needs an implementation"

_SNAPSHOT_NAMES = tuple(TCB_FIELDS.values())


def _event_for_call(call: str) -> Event:
    try:
        return USER_CALLS[call]
    except KeyError:
        raise ValueError(f"unknown call {call!r}: the calls are {', '.join(USER_CALLS)}") from None


def _payload(data: bytes | int | None) -> bytes:
    if isinstance(data, (bytes, bytearray)):
        if not data:
            raise ValueError("send needs at least one octet")
        return bytes(data)
    if type(data) is int:
        if data < 1:
            raise ValueError(f"send needs a positive number of octets, not {data}")
        return fill_bytes(data)
    raise ValueError(f"send takes bytes or a number of octets, not {type(data).__name__}")
