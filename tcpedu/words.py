"""The words tcpedu's pictures and widgets show, in English and Korean.

Protocol terms (SYN, ACK, FIN, RST, state names, RFC-style arc labels) stay as the RFC writes
them in both languages, as Korean courses keep them; the words around them are translated.
"""

from __future__ import annotations

from .core.states import language_index

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
    "ladder.duplicate": ("copy of #{id}", "#{id} 복제본"),
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
    # the stepping widget
    "call.listen": ("listen", "listen (연결 대기)"),
    "call.connect": ("connect", "connect (연결 요청)"),
    "call.send": ("send", "send (전송)"),
    "call.close": ("close", "close (종료)"),
    "call.abort": ("abort", "abort (강제 종료)"),
    "call.crash": ("crash", "crash (호스트 다운)"),
    "call.octets": ("octets", "바이트"),
    "net.title": ("In flight", "전송 중인 세그먼트"),
    "net.empty": ("nothing in flight", "전송 중인 세그먼트 없음"),
    "net.deliver": ("deliver", "전달"),
    "net.drop": ("drop", "유실"),
    "net.duplicate": ("duplicate", "복제"),
    "net.deliver_all": ("deliver all", "모두 전달"),
    "clock.title": ("Clock", "시계"),
    "clock.now": ("t = {seconds} s", "t = {seconds}초"),
    "clock.next": ("next timer: {side}'s {timer} at {seconds} s", "다음 타이머: {side}의 {timer}, {seconds}초"),
    "clock.none": ("no timer running", "동작 중인 타이머 없음"),
    "clock.fire": ("to the next timer", "다음 타이머까지"),
    "clock.wait": ("wait", "대기"),
    "clock.seconds": ("seconds", "초"),
    "timer.retransmission": ("retransmission timer", "재전송 타이머"),
    "timer.time-wait": ("2*MSL timer", "2*MSL 타이머"),
    "control.back": ("back", "뒤로"),
    "control.reset": ("reset", "처음부터"),
    "control.step": ("next step of the scenario", "시나리오 다음 단계"),
    "control.next": ("next line: {line}", "다음 줄: {line}"),
    "control.over": ("the scenario is over", "시나리오 끝"),
    "control.free": ("free play: no scenario", "자유 실습: 시나리오 없음"),
    "control.play": ("play", "자동 재생"),
    "control.pause": ("pause", "일시 정지"),
    "panel.happened": ("What happened", "무슨 일이 있었나"),
    "panel.tcb": ("Both TCBs (◂ changed at the last step)", "두 TCB (◂ 마지막 단계에서 바뀐 값)"),
    "panel.ladder": ("Ladder diagram", "래더 다이어그램"),
    "panel.diagram": ("{side}'s state diagram", "{side} 상태 다이어그램"),
    "panel.diagrams": ("State diagram: where both sides are", "상태 다이어그램: 양쪽의 현재 상태"),
    "diagram.actual_size": ("actual size", "원래 크기로"),
    "diagram.fit_width": ("fit the width", "폭에 맞추기"),
    "option.relative": ("relative seq/ack", "상대 seq/ack"),
    "option.detail": ("arcs", "전이"),
    "option.detail.figure": ("Figure 5", "Figure 5"),
    "option.detail.rfc": ("all of RFC 9293", "RFC 9293 전체"),
    "option.detail.all": ("RFC 9293 + crash", "RFC 9293 + 호스트 다운"),
    "tcb.received": ("received", "받은 바이트 수"),
    "refused.why": ("not now", "지금은 불가"),
    "happened.nothing": (
        "Press a button: a call on either side, or what the network does.",
        "버튼을 눌러 보세요: 한쪽의 호출, 또는 네트워크가 할 일.",
    ),
    "happened.sent": ("sent", "보냄"),
    "happened.arrives": ("arrives at the {side}", "{side}에 도착"),
    "happened.lost": ("is lost", "유실됨"),
    "happened.copied": ("is duplicated", "복제됨"),
    "happened.injected": ("injected into the {side}", "{side}에 위조 주입"),
    "happened.timer": ("{side}'s {timer} fires", "{side}의 {timer} 만료"),
    "happened.back": ("took the last step back", "마지막 단계를 되돌림"),
    "happened.reset": ("started again", "처음부터 다시 시작"),
    # the questions (tcpedu.widgets.quiz)
    "quiz.check": ("Check", "확인"),
    "quiz.right": ("Right.", "정답입니다."),
    "quiz.wrong": ("Not yet.", "아직 아닙니다."),
    "quiz.hint": ("Hint", "힌트"),
    "quiz.answer": ("The engine's answer", "엔진의 답"),
    "quiz.next": ("Next", "다음에 일어날 일"),
    "quiz.flags": ("flags", "플래그"),
    "quiz.why": ("Why", "이유"),
    "quiz.field": ("{field} is not right", "{field} 값이 틀렸습니다"),
    "quiz.arcs": ("Figure 5 and the RFC's text give {state} these arcs", "Figure 5와 RFC 본문에서 {state}의 전이"),
    # the lessons' tables (tcpedu.course)
    "table.state": ("state", "상태"),
    "table.meaning": ("what it means (RFC 9293 3.3.2)", "의미 (RFC 9293 3.3.2)"),
    "table.when": ("connection made at", "연결 시각"),
    "table.port": ("client port", "클라이언트 포트"),
    "table.isn": ("ISN", "ISN"),
    "table.segment": ("segment", "세그먼트"),
    "table.occupies": ("sequence numbers it takes (SEG.LEN)", "차지하는 순서 번호 (SEG.LEN)"),
    "table.acked": ("acknowledged by", "이를 확인하는 ACK"),
    "table.rule": ("ack = seq + SEG.LEN", "ack = seq + SEG.LEN"),
    # the RFC's error strings for refused calls (RFC 9293 3.10)
    "reason.connection does not exist": ("connection does not exist", "연결이 존재하지 않음"),
    "reason.connection already exists": ("connection already exists", "연결이 이미 존재함"),
    "reason.connection closing": ("connection closing", "연결 종료 중"),
    "reason.no connection to lose": ("no connection to lose", "잃을 연결이 없음"),
}


def word(key: str, lang: str = "en", **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``{name}`` fields filled from ``values``."""
    text = WORDS[key][language_index(lang)]
    return text.format(**values) if values else text
