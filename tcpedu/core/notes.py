"""Notes: what an endpoint decided and why, in words a learner can read, with the RFC section.

The engine records a ``Note`` (a code and its numbers) at each decision worth explaining:
a segment dropped, a challenge ACK, a reset, a retransmission. The text is only formatted
when somebody reads it, so taking notes costs the engine next to nothing. The templates are in
the RFC's English; ``tcpedu.words`` holds their Korean versions under the same codes.
"""

from __future__ import annotations

__all__ = ["NOTE_TEXTS", "Note"]

#: code -> (template, where RFC 9293 or a companion RFC says so)
NOTE_TEXTS: dict[str, tuple[str, str]] = {
    # CLOSED (3.10.7.1) and reset generation (3.5.2)
    "reset-no-connection": ("no connection here: answered with a RST", "RFC 9293 3.10.7.1"),
    "rst-to-closed": ("a RST for a connection that does not exist: discarded", "RFC 9293 3.10.7.1"),
    # LISTEN (3.10.7.2)
    "rst-in-listen": ("a RST in LISTEN cannot be valid: ignored", "RFC 9293 3.10.7.2"),
    "ack-in-listen": ("an ACK in LISTEN acknowledges nothing we sent: answered with a RST", "RFC 9293 3.10.7.2"),
    "listen-no-syn": ("no SYN: dropped", "RFC 9293 3.10.7.2"),
    "syn-data-queued": (
        "{n} octets (or FIN) on the SYN held until the connection is ESTABLISHED",
        "RFC 9293 3.10.7.2",
    ),
    # SYN-SENT (3.10.7.3)
    "bad-ack-syn-sent": (
        "SEG.ACK={ack} does not acknowledge our SYN (ISS={iss}, SND.NXT={nxt}): answered with a RST",
        "RFC 9293 3.10.7.3",
    ),
    "bad-ack-rst-syn-sent": ("a RST whose ACK does not acknowledge our SYN: dropped", "RFC 9293 3.10.7.3"),
    "rst-without-ack-syn-sent": ("a RST without an ACK in SYN-SENT: dropped", "RFC 9293 3.10.7.3"),
    "syn-sent-no-syn": ("neither SYN nor RST in SYN-SENT: dropped", "RFC 9293 3.10.7.3"),
    "simultaneous-open": ("a SYN without an ACK while ours is unanswered: simultaneous open", "RFC 9293 3.5"),
    # synchronized states and SYN-RECEIVED (3.10.7.4)
    "unacceptable": (
        "SEG.SEQ={seq} (SEG.LEN={len}) is outside the receive window {rcv_nxt}..{rcv_end} "
        "(RCV.NXT..RCV.NXT+RCV.WND-1): answered with an ACK and dropped",
        "RFC 9293 3.10.7.4 (first check)",
    ),
    "unacceptable-rst": ("a RST outside the receive window: silently dropped", "RFC 5961 3.2"),
    "retransmitted-fin-time-wait": (
        "the peer's FIN again (our ACK was lost?): ACKed, and the 2MSL timer restarted",
        "RFC 9293 3.10.7.4 (TIME-WAIT)",
    ),
    "challenge-ack-rst": (
        "RST with SEG.SEQ={seq} is in the window but not RCV.NXT={rcv_nxt}: challenge ACK sent",
        "RFC 5961 3.2",
    ),
    "connection-reset": ("connection reset by the peer (RST): the user is told", "RFC 9293 3.10.7.4"),
    "reset-after-close": (
        "a RST after the user's CLOSE: CLOSED, TCB deleted, no 'connection reset' signal to the user",
        "RFC 9293 3.10.7.4",
    ),
    "connection-refused": (
        "connection refused (RST in SYN-SENT or SYN-RECEIVED)",
        "RFC 9293 3.10.7.3 (SYN-SENT), 3.10.7.4 (SYN-RECEIVED)",
    ),
    "back-to-listen": ("back to LISTEN; the user is not told", "RFC 9293 3.10.7.4"),
    "challenge-ack-syn": ("a SYN in a synchronized state: challenge ACK sent", "RFC 5961 4.2"),
    "no-ack-bit": ("the ACK bit is off: dropped", "RFC 9293 3.10.7.4 (fifth check)"),
    "bad-ack-syn-received": (
        "SEG.ACK={ack} is not acceptable in SYN-RECEIVED (SND.UNA={una}, SND.NXT={nxt}): answered with a RST",
        "RFC 9293 3.10.7.4",
    ),
    "ack-out-of-range": (
        "SEG.ACK={ack} is outside SND.UNA-MAX.SND.WND..SND.NXT ({low}..{nxt}): dropped, ACK sent",
        "RFC 5961 5.2",
    ),
    "acked": ("SEG.ACK={ack} acknowledges {n} octets (SND.UNA {una} -> {ack})", "RFC 9293 3.10.7.4"),
    "duplicate-ack": ("SEG.ACK={ack} acknowledges nothing new (duplicate ACK): ignored", "RFC 9293 3.10.7.4"),
    "closing-not-acked": (
        "our FIN is not acknowledged yet: the rest of the segment is ignored",
        "RFC 9293 3.10.7.4 (CLOSING)",
    ),
    "out-of-order": (
        "SEG.SEQ={seq} is ahead of RCV.NXT={rcv_nxt}: held until the gap is filled, ACK sent",
        "RFC 9293 3.10.7.4 (SHLD-31, MAY-13)",
    ),
    "data-received": ("{n} octets delivered to the application", "RFC 9293 3.10.7.4 (seventh step)"),
    "data-trimmed": ("{n} octets beyond the receive window trimmed", "RFC 9293 3.10.7.4"),
    "text-ignored": ("data after the peer's FIN: ignored", "RFC 9293 3.10.7.4 (seventh step)"),
    "fin-received": ("the peer has closed its direction: the user is told 'connection closing'", "RFC 9293 3.10.7.4"),
    # user calls
    "data-queued": ("{n} octets queued until the connection is ESTABLISHED", "RFC 9293 3.10.2"),
    "close-queued": ("CLOSE queued until queued data is sent in ESTABLISHED", "RFC 9293 3.10.4"),
    "window-full": (
        "{n} octets wait for the peer's window (SND.WND={wnd}) to open",
        "RFC 9293 3.8.6",
    ),
    "crash": ("the host crashed: it forgot the connection and sent nothing", "RFC 9293 3.5.1"),
    "zero-window-probe": (
        "the peer's window is 0: one octet (seq={seq}) sent to probe it",
        "RFC 9293 3.8.6.1 (MUST-36)",
    ),
    # timers (3.8.1, 3.10.8, RFC 6298)
    "retransmit": (
        "retransmission timeout: resent seq={seq} (retransmission {n} of {max}; RTO now {rto:g} s)",
        "RFC 9293 3.10.8, RFC 6298 5.4-5.6",
    ),
    "give-up": (
        "no ACK after {max} retransmissions: connection aborted due to user timeout",
        "RFC 9293 3.8.3, 3.10.8",
    ),
    "rtt-sample": ("RTT sample {rtt:g} s: SRTT={srtt:g} s, RTTVAR={rttvar:g} s, RTO={rto:g} s", "RFC 6298 2.2-2.3"),
    "syn-rto-reset": ("the SYN was retransmitted: RTO set to 3 s for the data phase", "RFC 6298 5.7"),
    "time-wait-over": ("2*MSL elapsed in TIME-WAIT: TCB deleted", "RFC 9293 3.10.8"),
    # the Linux profile's switches (profile.py)
    "time-wait-over-60s": ("Linux's 60 s of TIME-WAIT elapsed (TCP_TIMEWAIT_LEN): TCB deleted", "Linux tcp_time_wait"),
    "duplicate-syn": ("the peer's SYN again (our SYN,ACK lost?): Linux sends the SYN,ACK again", "Linux tcp_check_req"),
    "syn-ack-in-syn-received": (
        "the peer's SYN,ACK acknowledges our SYN: Linux completes the simultaneous open at once",
        "Linux tcp_rcv_state_process",
    ),
    "data-after-close": (
        "{n} octets after close(): Linux answers with a RST and ends the connection",
        "Linux tcp_rcv_state_process, RFC 9293 3.6.1 (MAY-1, SHLD-3)",
    ),
    "fin-wait-2-timeout": (
        "no FIN from the peer {s:g} s after close(): Linux drops the connection silently (tcp_fin_timeout)",
        "Linux tcp_fin_time",
    ),
    "time-wait-reopen": (
        "a new SYN with SEG.SEQ={seq} above RCV.NXT={rcv_nxt} in TIME-WAIT: Linux opens a new connection",
        "Linux tcp_timewait_state_process, RFC 1122 4.2.2.13",
    ),
    # a host's listener and its connections (core/host.py)
    "syn-new-connection": (
        "a SYN from {remote}, which has no connection here: a new connection takes it, the listener stays in LISTEN",
        "RFC 9293 3.10.7.2 (Linux: a request sock in the listen socket's SYN queue)",
    ),
    "syn-queue-full": (
        "the SYN queue is full ({n} connections in SYN-RECEIVED, backlog {backlog}): the SYN is dropped, "
        "as Linux does without SYN cookies (tcp_syncookies=0)",
        "Linux tcp_conn_request, RFC 4987 3.1",
    ),
    "connection-removed": (
        "the connection with {remote} is gone; its 4-tuple's next SYN goes to the listener ({state})",
        "RFC 9293 3.10.7.4 (return to LISTEN: the listener's state)",
    ),
}


class Note:
    """One decision of an endpoint: ``code`` (a key of NOTE_TEXTS) and its ``args``."""

    __slots__ = ("args", "code")

    def __init__(self, code: str, **args: object):
        self.code = code
        self.args = args

    @property
    def text(self) -> str:
        template, _ = NOTE_TEXTS[self.code]
        return template.format_map(self.args)

    @property
    def reference(self) -> str:
        return NOTE_TEXTS[self.code][1]

    def __str__(self) -> str:
        return f"{self.text} [{self.reference}]"

    def __repr__(self) -> str:
        return f"Note({self.code!r}, {self.args!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Note) and (self.code, self.args) == (other.code, other.args)

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted(self.args.items()))))

    def to_dict(self, side: str | None = None) -> dict[str, object]:
        """The note as JSON-ready data; with ``side``, first naming whose it is."""
        code = self.code
        template, reference = NOTE_TEXTS[code]
        text = template.format_map(self.args)
        if side is None:
            return {"code": code, "text": text, "reference": reference}
        return {"side": side, "code": code, "text": text, "reference": reference}
