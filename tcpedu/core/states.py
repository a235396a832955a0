"""The eleven connection states of RFC 9293 (section 3.3.2), with their descriptions.

The English descriptions follow RFC 9293 section 3.3.2; the Korean ones start from the
course's seed note and are corrected where the note is imprecise (TIME-WAIT, for one,
has not "received ACKs for every FIN": it has ACKed the peer's FIN and waits to be sure
that ACK arrived).
"""

from __future__ import annotations

import enum

__all__ = ["LANGUAGES", "State", "language_index"]

LANGUAGES = ("en", "ko")


def language_index(lang: str) -> int:
    """Where ``lang`` ("en" or "ko") stands in ``LANGUAGES``; ValueError naming the choices."""
    try:
        return LANGUAGES.index(lang)
    except ValueError:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}") from None


class State(enum.Enum):
    """A TCP connection state; the value is the RFC's name (``State("SYN-SENT")``)."""

    CLOSED = "CLOSED"
    LISTEN = "LISTEN"
    SYN_SENT = "SYN-SENT"
    SYN_RECEIVED = "SYN-RECEIVED"
    ESTABLISHED = "ESTABLISHED"
    FIN_WAIT_1 = "FIN-WAIT-1"
    FIN_WAIT_2 = "FIN-WAIT-2"
    CLOSE_WAIT = "CLOSE-WAIT"
    CLOSING = "CLOSING"
    LAST_ACK = "LAST-ACK"
    TIME_WAIT = "TIME-WAIT"

    def __str__(self) -> str:
        return self.value

    @property
    def synchronized(self) -> bool:
        """True once both sides' sequence numbers are known (RFC 9293 section 3.5.2)."""
        return self not in _UNSYNCHRONIZED

    def describe(self, lang: str = "en") -> str:
        """One line saying what the state means, in English (``"en"``) or Korean (``"ko"``)."""
        return _DESCRIPTIONS[self][language_index(lang)]

    def gloss(self, lang: str = "en") -> str:
        """A short name for the state in ``lang`` beside the RFC's (empty in English, where the
        RFC's name is the name): ``"연결 수립"`` for ESTABLISHED in Korean."""
        return "" if language_index(lang) == 0 else _GLOSSES_KO[self]

    @classmethod
    def parse(cls, text: str) -> State:
        """The state named by ``text``: RFC names, any case, ``_`` or ``-``, or the figure's
        abbreviations (``SYN-RCVD``, ``ESTAB``, ``FINWAIT-1``)."""
        key = text.strip().upper().replace("_", "-")
        key = _ALIASES.get(key, key)
        try:
            return cls(key)
        except ValueError:
            names = ", ".join(state.value for state in cls)
            raise ValueError(f"unknown state {text!r}: the states are {names}") from None


_UNSYNCHRONIZED = frozenset({State.CLOSED, State.LISTEN, State.SYN_SENT, State.SYN_RECEIVED})

_ALIASES = {
    "SYN-RCVD": "SYN-RECEIVED",
    "SYN-RECV": "SYN-RECEIVED",
    "ESTAB": "ESTABLISHED",
    "FINWAIT-1": "FIN-WAIT-1",
    "FINWAIT-2": "FIN-WAIT-2",
    "FIN-WAIT1": "FIN-WAIT-1",
    "FIN-WAIT2": "FIN-WAIT-2",
    "TIMEWAIT": "TIME-WAIT",
    "CLOSEWAIT": "CLOSE-WAIT",
    "LASTACK": "LAST-ACK",
}

# Korean courses keep the RFC's names; the gloss says what the name means.
_GLOSSES_KO: dict[State, str] = {
    State.CLOSED: "연결 없음",
    State.LISTEN: "연결 요청 대기",
    State.SYN_SENT: "SYN 보냄",
    State.SYN_RECEIVED: "SYN 받음",
    State.ESTABLISHED: "연결 수립",
    State.FIN_WAIT_1: "FIN 보냄, ACK 대기",
    State.FIN_WAIT_2: "상대 FIN 대기",
    State.CLOSE_WAIT: "내 CLOSE 대기",
    State.CLOSING: "동시 종료 중",
    State.LAST_ACK: "마지막 ACK 대기",
    State.TIME_WAIT: "2*MSL 대기",
}

_DESCRIPTIONS: dict[State, tuple[str, str]] = {
    State.CLOSED: (
        "no connection at all (no TCB): before opening, or after the connection is gone",
        "연결이 없는 상태 (TCB 없음): 연결을 열기 전이거나 연결이 완전히 해제된 뒤",
    ),
    State.LISTEN: (
        "waiting for a connection request (a SYN) from the remote peer",
        "포트를 열고 상대의 연결 요청(SYN)을 기다리는 상태",
    ),
    State.SYN_SENT: (
        "sent a SYN; waiting for the peer's matching SYN (and the ACK of ours)",
        "SYN을 보내고 상대의 SYN(과 내 SYN에 대한 ACK)을 기다리는 상태",
    ),
    State.SYN_RECEIVED: (
        "received a SYN and sent a SYN,ACK; waiting for the ACK of our SYN",
        "SYN을 받고 SYN+ACK를 보낸 뒤, 내 SYN에 대한 ACK를 기다리는 상태",
    ),
    State.ESTABLISHED: (
        "the connection is open: both sides can send and receive data",
        "연결 수립이 완료된 상태: 양쪽이 서로 데이터를 주고받을 수 있음",
    ),
    State.FIN_WAIT_1: (
        "sent our FIN; waiting for its ACK or for the peer's FIN",
        "내 FIN을 보내고, 그 FIN에 대한 ACK 또는 상대의 FIN을 기다리는 상태",
    ),
    State.FIN_WAIT_2: (
        "our FIN is acknowledged; waiting for the peer's FIN (we can still receive data)",
        "내 FIN에 대한 ACK를 받았고 상대의 FIN을 기다리는 상태 (데이터 수신은 계속 가능)",
    ),
    State.CLOSE_WAIT: (
        "received and ACKed the peer's FIN; waiting for our application to CLOSE",
        "상대의 FIN을 받아 ACK를 보냈고, 내 애플리케이션이 CLOSE하기를 기다리는 상태",
    ),
    State.CLOSING: (
        "both sent FINs at about the same time; waiting for the ACK of our FIN",
        "양쪽이 거의 동시에 FIN을 보내, 내 FIN에 대한 ACK를 기다리는 상태",
    ),
    State.LAST_ACK: (
        "the peer closed first; we sent our FIN and wait for its (last) ACK",
        "상대가 먼저 닫았고, 내 FIN을 보낸 뒤 그에 대한 마지막 ACK를 기다리는 상태",
    ),
    State.TIME_WAIT: (
        "ACKed the peer's FIN; waiting 2*MSL so that ACK can be resent and old segments die out",
        "상대의 FIN에 ACK를 보낸 뒤, 그 ACK의 재전송과 늦은 옛 세그먼트의 소멸을 위해 2*MSL 동안 기다리는 상태",
    ),
}
