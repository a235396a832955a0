"""The words tcpedu's pictures and widgets show, in English and Korean.

Protocol terms (SYN, ACK, FIN, RST, state names, RFC-style arc labels) stay as the RFC writes
them in both languages, as Korean courses keep them; the words around them are translated.
"""

from __future__ import annotations

from .core.states import LANGUAGES

__all__ = ["WORDS", "word"]

WORDS: dict[str, tuple[str, str]] = {
    "side.client": ("client", "클라이언트"),
    "side.server": ("server", "서버"),
    # the state diagram's legend
    "legend.client_path": ("client's usual path", "클라이언트의 일반 경로"),
    "legend.server_path": ("server's usual path", "서버의 일반 경로"),
    "legend.other_arc": ("other arcs of Figure 5", "Figure 5의 다른 전이"),
    "legend.text_arc": ("arcs from the RFC's text", "RFC 본문의 전이"),
    "legend.client_state": ("client is here", "클라이언트 현재 상태"),
    "legend.server_state": ("server is here", "서버 현재 상태"),
    "diagram.not_drawn": ("not drawn at this detail", "이 수준에서는 그리지 않은 전이"),
    # the ladder diagram
    "ladder.lost": ("lost", "유실"),
    "ladder.in_flight": ("in flight", "전송 중"),
    "ladder.retransmission": ("retransmission", "재전송"),
    "ladder.duplicate": ("copy of #{id}", "#{id}의 복제"),
    "ladder.injected": ("injected", "위조 주입"),
    "ladder.challenge_ack": ("challenge ACK", "challenge ACK"),
    "ladder.reset": ("reset", "리셋"),
    "ladder.rto": ("RTO expired", "RTO 만료"),
    "ladder.give_up": ("RTO expired: gave up", "RTO 만료: 연결 포기"),
    "ladder.time_wait_over": ("2*MSL over", "2*MSL 종료"),
    "ladder.time_wait": ("2*MSL = {seconds} s", "2*MSL = {seconds}초"),
    "ladder.time_wait_restart": ("FIN again: 2*MSL restarts", "FIN 재수신: 2*MSL 재시작"),
    "ladder.wait": ("wait {seconds} s", "{seconds}초 대기"),
    "ladder.time": ("time (s)", "시각 (초)"),
    "ladder.relative": ("relative numbers: seq and ack counted from each side's ISN", "상대 번호: 각 쪽 ISN 기준"),
}


def word(key: str, lang: str = "en", **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``{name}`` fields filled from ``values``."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    text = WORDS[key][LANGUAGES.index(lang)]
    return text.format(**values) if values else text
