"""Notes: what an endpoint decided and why, in words a learner can read, with the RFC section.

The engine records a ``Note`` (a code and its numbers) at each decision worth explaining:
a segment dropped, a challenge ACK, a reset, a retransmission. The text is only formatted
when somebody reads it, so taking notes costs the engine next to nothing.
"""

from __future__ import annotations

__all__ = ["NOTE_TEXTS", "NOTE_TEXTS_KO", "Note"]

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
    "connection-refused": ("connection refused (RST in SYN-SENT or SYN-RECEIVED)", "RFC 9293 3.10.7.4"),
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
}


#: code -> the template in Korean (the same {fields}; protocol terms kept as the RFC writes them)
NOTE_TEXTS_KO: dict[str, str] = {
    "reset-no-connection": "연결이 없음: RST로 응답",
    "rst-to-closed": "존재하지 않는 연결에 대한 RST: 버림",
    "rst-in-listen": "LISTEN에서의 RST는 유효할 수 없음: 무시",
    "ack-in-listen": "LISTEN에서의 ACK는 보낸 적 없는 것을 확인함: RST로 응답",
    "listen-no-syn": "SYN이 아님: 버림",
    "syn-data-queued": "SYN에 실린 {n}바이트(또는 FIN)는 ESTABLISHED가 될 때까지 보류",
    "bad-ack-syn-sent": "SEG.ACK={ack}는 내 SYN을 확인하지 않음 (ISS={iss}, SND.NXT={nxt}): RST로 응답",
    "bad-ack-rst-syn-sent": "ACK가 내 SYN을 확인하지 않는 RST: 버림",
    "rst-without-ack-syn-sent": "SYN-SENT에서 ACK 없는 RST: 버림",
    "syn-sent-no-syn": "SYN-SENT에서 SYN도 RST도 아님: 버림",
    "simultaneous-open": "내 SYN이 응답받지 못한 상태에서 ACK 없는 SYN 도착: 동시 연결(simultaneous open)",
    "unacceptable": (
        "SEG.SEQ={seq} (SEG.LEN={len})가 수신 윈도우 {rcv_nxt}..{rcv_end} "
        "(RCV.NXT..RCV.NXT+RCV.WND-1) 밖에 있음: ACK로 응답하고 버림"
    ),
    "unacceptable-rst": "수신 윈도우 밖의 RST: 조용히 버림",
    "retransmitted-fin-time-wait": "상대의 FIN이 다시 옴 (내 ACK가 유실?): ACK를 보내고 2MSL 타이머 재시작",
    "challenge-ack-rst": "SEG.SEQ={seq}인 RST가 윈도우 안이지만 RCV.NXT={rcv_nxt}가 아님: challenge ACK 보냄",
    "connection-reset": "상대가 연결을 리셋함 (RST): 사용자에게 알림",
    "connection-refused": "연결 거부됨 (SYN-SENT 또는 SYN-RECEIVED에서 RST)",
    "back-to-listen": "LISTEN으로 돌아감; 사용자에게는 알리지 않음",
    "challenge-ack-syn": "동기화된 상태에서 SYN 도착: challenge ACK 보냄",
    "no-ack-bit": "ACK 비트가 꺼져 있음: 버림",
    "bad-ack-syn-received": (
        "SYN-RECEIVED에서 SEG.ACK={ack}는 받아들일 수 없음 (SND.UNA={una}, SND.NXT={nxt}): RST로 응답"
    ),
    "ack-out-of-range": "SEG.ACK={ack}가 SND.UNA-MAX.SND.WND..SND.NXT ({low}..{nxt}) 밖에 있음: 버리고 ACK 보냄",
    "acked": "SEG.ACK={ack}가 {n}바이트를 확인함 (SND.UNA {una} -> {ack})",
    "duplicate-ack": "SEG.ACK={ack}는 새로 확인하는 것이 없음 (중복 ACK): 무시",
    "closing-not-acked": "내 FIN이 아직 확인되지 않음: 세그먼트의 나머지는 무시",
    "out-of-order": "SEG.SEQ={seq}가 RCV.NXT={rcv_nxt}보다 앞섬: 빈틈이 채워질 때까지 보관, ACK 보냄",
    "data-received": "{n}바이트를 애플리케이션에 전달",
    "data-trimmed": "수신 윈도우를 넘는 {n}바이트를 잘라 냄",
    "text-ignored": "상대의 FIN 뒤의 데이터: 무시",
    "fin-received": "상대가 자기 방향을 닫음: 사용자에게 'connection closing'을 알림",
    "data-queued": "{n}바이트를 ESTABLISHED가 될 때까지 대기열에 보관",
    "close-queued": "대기 중인 데이터를 ESTABLISHED에서 보낼 때까지 CLOSE를 보류",
    "window-full": "{n}바이트가 상대의 윈도우(SND.WND={wnd})가 열리기를 기다림",
    "crash": "호스트가 다운됨: 연결을 잊었고 아무것도 보내지 않음",
    "retransmit": "재전송 타임아웃: seq={seq} 재전송 ({max}번 중 {n}번째; 이제 RTO {rto:g}초)",
    "give-up": "{max}번 재전송 후에도 ACK 없음: user timeout으로 연결 중단",
    "rtt-sample": "RTT 표본 {rtt:g}초: SRTT={srtt:g}초, RTTVAR={rttvar:g}초, RTO={rto:g}초",
    "syn-rto-reset": "SYN이 재전송되었음: 데이터 단계의 RTO를 3초로 설정",
    "time-wait-over": "TIME-WAIT에서 2*MSL이 지남: TCB 삭제",
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
        return template.format(**self.args)

    def text_in(self, lang: str = "en") -> str:
        """The note in English (``"en"``) or Korean (``"ko"``)."""
        if lang == "en":
            return self.text
        if lang == "ko":
            return NOTE_TEXTS_KO[self.code].format(**self.args)
        raise ValueError(f"unknown language {lang!r}: choose one of en, ko")

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

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "text": self.text, "reference": self.reference}
