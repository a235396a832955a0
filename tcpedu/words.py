"""Every text a learner reads in two languages, in one place and one shape: ``(English, Korean)``.

The UI's words are written here in both languages. The engine's own texts (its notes, the
states' descriptions) are in the RFC's English in ``tcpedu.core``, under their keys; their Korean
versions are written here under the same keys, and the table pairs them up. Scenario scripts
carry their Korean on ``#ko:`` lines (``tcpedu.scenario.script``) in the same ``(en, ko)`` shape.

Protocol terms (SYN, ACK, FIN, RST, state names, RFC-style arc labels) stay as the RFC writes
them in both languages, as Korean textbooks keep them; the words around them are translated in a
Korean networking textbook's terms (세그먼트, 확인응답, 순서 번호, 재전송). A Korean template
never puts a particle whose form depends on the word before it (은/는, 이/가, 을/를, 과/와, 으로/로)
right after a ``{value}`` or a number: "SEG.ACK={ack}는" is wrong for every other value.
"""

from __future__ import annotations

from collections.abc import Sequence

from .core.notes import NOTE_TEXTS, Note
from .core.profile import SWITCHES
from .core.states import State

__all__ = [
    "LANGUAGES",
    "WORDS",
    "describe_state",
    "in_language",
    "language_index",
    "note_text",
    "side_name",
    "state_gloss",
    "word",
]

LANGUAGES = ("en", "ko")


def language_index(lang: str) -> int:
    """Where ``lang`` ("en" or "ko") stands in ``LANGUAGES``; ValueError naming the choices."""
    try:
        return LANGUAGES.index(lang)
    except ValueError:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}") from None


WORDS: dict[str, tuple[str, str]] = {
    "side.client": ("client", "클라이언트"),
    "side.server": ("server", "서버"),
    "side.numbered_client": ("client {number}", "클라이언트 {number}"),
    "side.connection": ("server (its connection with {peer})", "서버({peer} 쪽 연결)"),
    # the state diagram's legend
    "legend.client_path": ("client's usual path", "클라이언트의 일반 경로"),
    "legend.server_path": ("server's usual path", "서버의 일반 경로"),
    "legend.other_arc": ("other arcs of Figure 5", "Figure 5의 다른 전이"),
    "legend.text_arc": ("arcs from the RFC's text", "RFC 본문의 전이"),
    "legend.linux_arc": ("Linux's arcs (profile linux)", "리눅스의 전이 (profile linux)"),
    "legend.client_state": ("client is here", "클라이언트 현재 상태"),
    "legend.server_state": ("server is here", "서버 현재 상태"),
    "diagram.not_drawn": ("not drawn at this detail", "이 수준에서는 그리지 않은 전이"),
    # the ladder diagram
    "ladder.lost": ("lost", "유실"),
    "ladder.in_flight": ("in flight", "전송 중"),
    "ladder.retransmission": ("retransmission", "재전송"),
    "ladder.duplicate": ("copy of #{id}", "#{id} 복제본"),
    "ladder.injected": ("injected", "주입"),
    "ladder.challenge_ack": ("challenge ACK", "challenge ACK"),
    "ladder.reset": ("reset", "리셋"),
    "ladder.rto": ("RTO expired", "RTO 만료"),
    "ladder.give_up": ("RTO expired: gave up", "RTO 만료: 연결 포기"),
    "ladder.time_wait_over": ("2*MSL over", "2*MSL 종료"),
    "ladder.time_wait": ("2*MSL = {seconds} s", "2*MSL = {seconds}초"),
    "ladder.time_wait_restart": ("FIN again: 2*MSL restarts", "FIN 재수신: 2*MSL 재시작"),
    "ladder.wait": ("wait {seconds} s", "{seconds}초 대기"),
    "ladder.time": ("time (s)", "시각 (초)"),
    "ladder.outside": ("other addresses", "다른 주소"),
    "ladder.syn_queue_full": ("SYN queue full: dropped", "SYN 큐 가득 참: 버림"),
    "ladder.on_connection": ("{call} on the connection with {peer}", "{peer} 쪽 연결에서 {call}"),
    "ladder.relative": ("relative numbers: seq and ack counted from each side's ISN", "상대 번호: 각 쪽 ISN 기준"),
    # the stepping widget
    "call.listen": ("listen", "listen (연결 대기)"),
    "call.connect": ("connect", "connect (연결 요청)"),
    "call.send": ("send", "send (전송)"),
    "call.close": ("close", "close (종료)"),
    "call.shutdown": ("shutdown", "shutdown (송신 종료)"),
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
    "capture.over": ("the capture is over", "캡처 끝"),
    "capture.step": ("next packet", "다음 패킷"),
    "capture.next": ("next packet: {line}", "다음 패킷: {line}"),
    "capture.calls": ("the applications' calls inferred: {calls}", "추론한 애플리케이션 호출: {calls}"),
    "capture.recording": (
        "a capture is a recording: step through it with play and back",
        "캡처는 기록입니다. 자동 재생과 뒤로 버튼으로 한 단계씩 살펴보세요",
    ),
    # What a real stack did otherwise than the engine (tcpedu.capture.surprise); the English is
    # what tcpedu replay prints.
    "surprise.refused": (
        "the real {side} sent {what}, but the engine's {side} would refuse {call} in {state}: {reason} "
        "(RFC 9293 {source})",
        "실제 {side} 쪽에서 보낸 것: {what}. 그러나 엔진의 {side} 쪽은 {state} 상태에서 {call} 호출을 거부함: "
        "{reason} (RFC 9293 {source})",
    ),
    "surprise.what.data": ("new data", "새 데이터"),
    "surprise.what.fin": ("a FIN", "FIN 세그먼트"),
    "surprise.what.rst": ("a RST", "RST 세그먼트"),
    "surprise.late-ack": (
        "sent {late} ms after the engine's {side} would have (at {at}): a delayed ACK (RFC 9293 3.8.6.3, "
        "RFC 1122 4.2.3.2: not modelled; the engine acknowledges at once)",
        "엔진의 {side} 쪽보다 {late} ms 늦게 보냄 (엔진이라면 {at}): 지연 확인응답 (RFC 9293 3.8.6.3, "
        "RFC 1122 4.2.3.2: 모델링하지 않음. 엔진은 곧바로 확인응답함)",
    ),
    "surprise.late": (
        "sent {late} ms after the engine's {side} would have (at {at}): the engine sends as soon as it may",
        "엔진의 {side} 쪽보다 {late} ms 늦게 보냄 (엔진이라면 {at}): 엔진은 보낼 수 있게 되면 곧바로 보냄",
    ),
    "surprise.ack-not-sent": (
        "the engine's {side} would have acknowledged at once ({segment} at {at}); the real {side} delayed its "
        "ACK or let this segment carry it (delayed ACK, RFC 9293 3.8.6.3: not modelled)",
        "엔진의 {side} 쪽이라면 곧바로 확인응답했을 것 ({segment}, {at}); 실제 {side} 쪽은 확인응답을 "
        "늦추었거나 이 세그먼트에 실어 보냄 (지연 확인응답, RFC 9293 3.8.6.3: 모델링하지 않음)",
    ),
    "surprise.data-reset": (
        "the engine's {side} would have acknowledged the data ({segment}): after CLOSE it still receives "
        "(RFC 9293 3.10.4); the real one reset the connection",
        "엔진의 {side} 쪽이라면 데이터에 확인응답했을 것 ({segment}): CLOSE 뒤에도 수신은 계속됨 "
        "(RFC 9293 3.10.4). 실제 {side} 쪽은 연결을 리셋함",
    ),
    "surprise.retransmission-not-sent": (
        "the engine's {side} retransmission timer fired at {at}: it would have resent {segment}{because} before this",
        "엔진의 {side} 쪽은 재전송 타이머가 만료되어 ({at}) 이보다 먼저 다시 보냈을 것: {segment}{because}",
    ),
    "surprise.not-sent": (
        "the engine's {side} would have sent {expected} first{because}",
        "엔진의 {side} 쪽이라면 먼저 보냈을 세그먼트: {expected}{because}",
    ),
    "surprise.other-segment": (
        "the real {side} sent {shown}; the engine's would send {expected}{because}",
        "실제 {side} 쪽이 보낸 세그먼트: {shown}. 엔진이라면 보낼 세그먼트: {expected}{because}",
    ),
    "surprise.early-retransmission": (
        "a retransmission ({shown}) at {time} s, when the engine's {side} would not resend: {when} "
        "(RFC 6298 5.4-5.6; fast retransmit, RFC 5681 3.2, is not modelled)",
        "엔진의 {side} 쪽이라면 재전송하지 않을 때({time} s)의 재전송 ({shown}): {when} "
        "(RFC 6298 5.4-5.6; RFC 5681 3.2 절의 빠른 재전송은 모델링하지 않음)",
    ),
    "surprise.when.due": ("its timer is due at {due} s", "타이머 만료 예정 시각 {due} s"),
    "surprise.when.idle": ("its timer is not running", "타이머가 동작하지 않음"),
    "surprise.rst-not-sent": (
        "the real {side} sent {shown}; the engine's {side} would send no RST here ({state})",
        "실제 {side} 쪽이 보낸 세그먼트: {shown}. 엔진의 {side} 쪽은 여기서 RST를 보내지 않음 ({state})",
    ),
    "surprise.window-update": (
        "a window update ({shown}): the engine's receive window never changes, so it sends none "
        "(RFC 9293 3.8.6.2.2: not modelled)",
        "윈도 갱신 ({shown}): 엔진의 수신 윈도는 바뀌지 않으므로 윈도 갱신을 보내지 않음 "
        "(RFC 9293 3.8.6.2.2: 모델링하지 않음)",
    ),
    "surprise.duplicate-ack": (
        "a duplicate ACK ({shown}): the engine's {side} had nothing new to acknowledge",
        "중복 확인응답 ({shown}): 엔진의 {side} 쪽에는 새로 확인응답할 것이 없었음",
    ),
    "surprise.unowed-ack": (
        "an ACK ({shown}) the engine's {side} would not send: it owed none",
        "엔진의 {side} 쪽이라면 보내지 않을 확인응답 ({shown}): 보내야 할 확인응답이 없었음",
    ),
    "surprise.nothing-sent": (
        "the real {side} sent {shown}; the engine's {side} would send nothing here ({state})",
        "실제 {side} 쪽이 보낸 세그먼트: {shown}. 엔진의 {side} 쪽은 여기서 아무것도 보내지 않음 ({state})",
    ),
    # What a replay says once of a connection (tcpedu.capture.surprise.Remark).
    "remark.midway": (
        "seen mid-way: the file does not show the opening; both ends are taken to be ESTABLISHED at packet "
        "{number}, with the sequence numbers its packets show",
        "중간부터 본 연결: 파일에 연결 열기가 없음. 두 쪽 모두 패킷 {number}에서 ESTABLISHED 상태로 보고, "
        "패킷에 보이는 순서 번호를 씀",
    ),
    "remark.window-scaling": (
        "window scaling (client {client}, server {server}; RFC 7323): windows are shown as sent (unscaled); the "
        "engine takes the scaled window clamped to 65535, its largest, so it never has more unacknowledged",
        "윈도 스케일링 (클라이언트 {client}, 서버 {server}; RFC 7323): 윈도는 보낸 그대로(스케일 전) 보여 줌. "
        "엔진은 스케일한 윈도를 최대값 65535 이하로 줄여 쓰므로 확인응답받지 못한 데이터가 이보다 많지 않음",
    ),
    "remark.window-scale-one-side": (
        "window scale offered by one side only: not in use (RFC 7323 2.2)",
        "윈도 스케일을 한쪽만 제안함: 쓰이지 않음 (RFC 7323 2.2)",
    ),
    "remark.window-clamped": (
        "windows above 65535: the engine's window is at most 65535",
        "65535보다 큰 윈도: 엔진의 윈도는 최대 65535",
    ),
    "remark.sack": (
        "SACK (RFC 2018): shown, not modelled: the engine retransmits from SND.UNA",
        "SACK (RFC 2018): 보여 주기만 하고 모델링하지 않음. 엔진은 SND.UNA부터 재전송함",
    ),
    "remark.timestamps": (
        "timestamps (RFC 7323): shown, not modelled (no PAWS, RTT from the capture's clock)",
        "타임스탬프 (RFC 7323): 보여 주기만 하고 모델링하지 않음 (PAWS 없음, RTT는 캡처의 시각으로 잼)",
    ),
    "remark.offload": (
        "the {side} sent segments of up to {largest} octets, above the MSS of {mss} its peer announced "
        "(segmentation offload: the capture saw them before they were cut)",
        "{side} 쪽이 보낸 세그먼트의 크기가 최대 {largest}바이트로, 상대가 알린 MSS 값 {mss}보다 큼 "
        "(세그멘테이션 오프로드: 캡처가 세그먼트를 나누기 전에 봄)",
    ),
    "remark.ecn": (
        "{names} (ECN, RFC 3168): shown, not modelled",
        "{names} (ECN, RFC 3168): 보여 주기만 하고 모델링하지 않음",
    ),
    "remark.truncated": (
        "the capture kept only the first octets of some segments (snap length): the rest are zeros",
        "캡처가 일부 세그먼트의 앞부분만 저장함 (스냅 길이): 나머지 옥텟은 값이 0임",
    ),
    "remark.unsent-at-end": (
        "the engine's {side} would still have sent {expected}{because}; the capture ends without it",
        "엔진의 {side} 쪽이라면 더 보냈을 세그먼트: {expected}{because}. 캡처는 이것 없이 끝남",
    ),
    "surprise.linux_differs": (
        " [Linux differs ({switch}): {linux}; try --profile linux]",
        " [리눅스는 다름 ({switch}): {linux}. --profile linux 옵션으로 해 보세요]",
    ),
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
    "option.detail.figure": ("Figure 5", "Figure 5의 전이"),
    "option.detail.rfc": ("all of RFC 9293", "RFC 9293 전체"),
    "option.detail.all": ("RFC 9293 + crash", "RFC 9293 + 호스트 다운"),
    "option.detail.linux": ("RFC 9293 + Linux's", "RFC 9293 + 리눅스"),
    "tcb.received": ("received", "받은 바이트 수"),
    "refused.why": ("not now", "지금은 불가"),
    "happened.nothing": (
        "Press a button: a call on either side, or what the network does.",
        "버튼을 눌러 보세요: 양쪽 애플리케이션의 호출이나 네트워크 동작을 고를 수 있습니다.",
    ),
    "happened.back": ("took the last step back", "마지막 단계를 되돌림"),
    "happened.reset": ("started again", "처음부터 다시 시작"),
    # the narrator (tcpedu.narrator): one step of a run, for the trace, the widget and the questions
    "narrate.story": ("{text}", "{text}"),
    "narrate.call": ("{side}: {call}", "{side}: {call}"),
    "narrate.arrives": ("#{id} arrives at the {side}: {segment}", "#{id} {segment}: {side}에 도착"),
    "narrate.lost": ("#{id} is lost: {segment}", "#{id} {segment}: 유실"),
    "narrate.copied": ("#{id} is duplicated as {copies}", "#{id} 복제 → {copies}"),
    "narrate.injected": ("crafted segment handed to the {side}: {segment}", "{side}에 주입한 세그먼트: {segment}"),
    "narrate.timer": ("the {side}'s {timer} fires at {seconds} s", "{side}의 {timer} 만료: t = {seconds}초"),
    "narrate.transition": ("{side}: {state} -> {target}  ({label})", "{side}: {state} -> {target}  ({label})"),
    "narrate.note": ("{side}: {note}", "{side}: {note}"),
    "narrate.sent": ("sent {packet}", "보냄: {packet}"),
    # the questions (tcpedu.widgets.quiz)
    "quiz.check": ("Check", "확인"),
    "quiz.right": ("Right.", "정답입니다."),
    "quiz.wrong": ("Not yet.", "정답이 아닙니다."),
    "quiz.hint": ("Hint", "힌트"),
    "quiz.answer": ("The engine's answer", "엔진의 답"),
    "quiz.next": ("Next", "다음에 일어날 일"),
    "quiz.flags": ("flags", "플래그"),
    "quiz.why": ("Why", "이유"),
    "quiz.field": ("{field} is not right", "{field} 값이 틀렸습니다"),
    "quiz.seconds": ("seconds", "초"),
    "quiz.ask_state": (
        "Which state is the {side} in after «{event}»?",
        "«{event}» 다음에 {side} 쪽은 어떤 상태일까요?",
    ),
    "quiz.ask_segment": (
        "Which segment does the {side} send at «{event}»?",
        "«{event}»에서 {side} 쪽은 어떤 세그먼트를 보낼까요?",
    ),
    "quiz.ask_time": (
        "At what time (in seconds) does the next timer fire?",
        "다음 타이머가 만료되는 시각은 몇 초일까요?",
    ),
    "quiz.ask_choice": ("Which explanation does the engine bear out?", "엔진의 결과와 맞는 설명은 어느 것일까요?"),
    "choice.holds": ("the engine agrees: every expectation is met", "엔진의 결과와 맞음: 모든 expect 충족"),
    "choice.fails": ("the engine disagrees at line {line}: {message}", "엔진의 결과와 다름 ({line}번째 줄): {message}"),
    "choice.run": ("run it", "실행해 보기"),
    # why an expect line failed (tcpedu.scenario.runner)
    "expect.mismatch": ("expected {expected}, but {actual}", "기대한 값은 {expected}, 실제로는 {actual}"),
    "expect.actual_state": ("the {side} is {state}", "{side} 상태: {state}"),
    "expect.actual_time": ("the clock says {seconds}", "시계: {seconds}초"),
    "expect.actual_inflight": ("{count} in flight", "전송 중인 세그먼트 {count}개"),
    # hints aimed at a mistake (tcpedu.grade.questions)
    "hint.pick": ("Pick an answer first.", "먼저 답을 고르세요."),
    "hint.time_wait_side": (
        "TIME-WAIT belongs to the side that closed first: it sent the last ACK and waits in case that ACK is lost. "
        "The other side is done when that ACK arrives.",
        "TIME-WAIT는 먼저 닫은 쪽의 상태입니다: 마지막 ACK를 보낸 쪽이 그 ACK가 유실될 경우에 대비해 기다립니다. "
        "다른 쪽은 그 ACK를 받으면 끝납니다.",
    ),
    "hint.fin_in_sequence": (
        "Segments are processed in sequence (RFC 9293 3.10.7.4): a FIN whose sequence number is beyond RCV.NXT is "
        "held until every octet before it has arrived, and only then does it move the state on.",
        "세그먼트는 순서 번호 차례대로 처리됩니다 (RFC 9293 3.10.7.4): 순서 번호가 RCV.NXT보다 큰 FIN은 그 앞의 "
        "바이트가 모두 도착할 때까지 보관되고, 그다음에야 상태를 바꿉니다.",
    ),
    "hint.back_to_listen": (
        "A connection that began with a passive OPEN goes back to LISTEN, not to CLOSED "
        "(RFC 9293 Figure 5, note 1; 3.10.7.4).",
        "수동 개방(listen)으로 시작한 연결은 CLOSED가 아니라 LISTEN으로 돌아갑니다 "
        "(RFC 9293 Figure 5의 note 1, 3.10.7.4).",
    ),
    "hint.syn_not_acked": (
        "The {side}'s own SYN has not been acknowledged yet: ESTABLISHED needs the ACK of its SYN.",
        "{side} 쪽의 SYN은 아직 확인응답되지 않았습니다: ESTABLISHED가 되려면 자기 SYN에 대한 ACK가 필요합니다.",
    ),
    "hint.state_changes": (
        "What happens here is not ignored in {state}: find the arc it takes.",
        "{state}에서 이 일은 무시되지 않습니다: 어떤 전이가 일어나는지 찾아보세요.",
    ),
    "hint.state_stays": (
        "Does {state} have an arc for what happens here? Look at what the {side} does with it.",
        "여기서 일어나는 일에 대해 {state}에 전이가 있을까요? {side} 쪽에서 그것을 어떻게 처리하는지 보세요.",
    ),
    "hint.other_arc": (
        "{state} → {target} takes «{label}»: is that what happens here?",
        "{state} → {target} 전이의 조건은 «{label}»: 여기서 일어나는 일이 그것인가요?",
    ),
    "hint.no_arc": (
        "No single arc leads from {state} to {target} (RFC 9293 Figure 5).",
        "{state}에서 한 번에 {target} 상태로 가는 전이는 없습니다 (RFC 9293 Figure 5).",
    ),
    "hint.fin_ack": (
        "Once a connection is synchronized every segment carries an ACK (RFC 9293 3.1: once a connection is "
        "established the acknowledgment field is always sent), so a FIN goes out as FIN,ACK.",
        "연결이 동기화된 뒤에는 모든 세그먼트에 ACK가 실립니다 (RFC 9293 3.1: 연결이 수립되면 확인응답 필드를 항상 "
        "보냄). 그래서 FIN은 FIN,ACK로 나갑니다.",
    ),
    "hint.needs_rst": (
        "No connection can take this segment: RFC 9293 3.5.2 says when to answer with a reset.",
        "이 세그먼트를 받아들일 연결이 없습니다: RST로 응답하는 경우는 RFC 9293 3.5.2에 있습니다.",
    ),
    "hint.no_rst": (
        "A RST answers a segment that belongs to no connection, or that acknowledges something never sent "
        "(RFC 9293 3.5.2); this one is neither.",
        "RST는 어느 연결에도 속하지 않거나 보낸 적 없는 것을 확인응답하는 세그먼트에 대한 응답입니다 "
        "(RFC 9293 3.5.2). 이 세그먼트는 둘 다 아닙니다.",
    ),
    "hint.needs_syn": (
        "The {side} must also send its own SYN (its ISN), in the same segment as the ACK.",
        "{side} 쪽도 자기 SYN(자기 ISN)을 보내야 합니다. ACK와 같은 세그먼트에 실어서.",
    ),
    "hint.open_syn": (
        "Opening a connection starts with a SYN that carries the sender's ISN.",
        "연결을 열 때는 보내는 쪽의 ISN을 담은 SYN부터 보냅니다.",
    ),
    "hint.syn_once": (
        "The {side} has sent its SYN already: a SYN goes out once (again only when a timer retransmits it).",
        "{side} 쪽은 이미 SYN을 보냈습니다: SYN은 한 번만 보냅니다 (타이머가 재전송할 때만 다시).",
    ),
    "hint.fin_once": (
        "The {side} has sent its FIN already: a FIN goes out once (again only when a timer retransmits it).",
        "{side} 쪽은 이미 FIN을 보냈습니다: FIN은 한 번만 보냅니다 (타이머가 재전송할 때만 다시).",
    ),
    "hint.needs_ack": (
        "The segment acknowledges what arrived: its ACK bit is set.",
        "도착한 것을 확인응답해야 합니다: ACK 비트가 켜집니다.",
    ),
    "hint.needs_fin": (
        "The application closed: the segment carries a FIN.",
        "애플리케이션이 닫았습니다: 세그먼트에 FIN이 실립니다.",
    ),
    "hint.flags": (
        "Look at what arrives and the arc it takes (RFC 9293 {section}).",
        "무엇이 도착하는지, 그리고 어떤 전이가 일어나는지 보세요 (RFC 9293 {section}).",
    ),
    "hint.ack_syn": (
        "ack = seq + SEG.LEN, and the SYN counts one: the ACK names the next number expected.",
        "ack = seq + SEG.LEN이고, SYN은 순서 번호 하나를 차지합니다: ACK 번호는 다음에 기대하는 번호입니다.",
    ),
    "hint.ack_fin": (
        "ack = seq + SEG.LEN, and a FIN counts one: the ACK names the next number expected.",
        "ack = seq + SEG.LEN이고, FIN은 순서 번호 하나를 차지합니다: ACK 번호는 다음에 기대하는 번호입니다.",
    ),
    "hint.ack_data": (
        "ack = seq + SEG.LEN: the ACK names the next number expected, after the {n} octets of data.",
        "ack = seq + SEG.LEN: ACK 번호는 데이터 {n}바이트 다음에 기대하는 번호입니다.",
    ),
    "hint.ack_counts_flag": (
        "SEG.LEN counts the data and one for a {flag}: the {flag} takes a sequence number too.",
        "SEG.LEN은 데이터 길이에 {flag} 몫으로 하나를 더한 값입니다: {flag}도 순서 번호 하나를 차지합니다.",
    ),
    "hint.wrap": (
        "Sequence numbers wrap: all their arithmetic is modulo 2^32, so after 4294967295 comes 0 (RFC 9293 3.4).",
        "순서 번호의 모든 계산은 modulo 2^32: 4294967295 다음은 다시 0입니다 (RFC 9293 3.4).",
    ),
    "hint.ack_is_theirs": (
        "ack counts the other side's sequence numbers, not this side's own.",
        "ack는 상대 쪽의 순서 번호를 셉니다. 자기 순서 번호가 아닙니다.",
    ),
    "hint.ack": (
        "ack is the next sequence number this side expects from the other (its RCV.NXT).",
        "ack는 이쪽이 상대에게서 다음에 기대하는 순서 번호(RCV.NXT)입니다.",
    ),
    "hint.acks_unsent": (
        "The segment's ACK field is {ack}, but the {side} has sent only its SYN, seq {iss}: the one acceptable "
        "acknowledgment is {next}. In SYN-SENT any other is answered with a reset (RFC 9293 3.10.7.3).",
        "이 세그먼트의 ACK 필드 값은 {ack}인데, {side} 쪽이 보낸 것은 seq가 {iss}인 SYN뿐이므로 받아들일 수 있는 "
        "확인응답 번호는 {next} 하나입니다. SYN-SENT에서는 그 밖의 확인응답에 RST로 답합니다 (RFC 9293 3.10.7.3).",
    ),
    "hint.old_syn": (
        "This SYN's sequence number was received already (it is below RCV.NXT): the first check of RFC 9293 "
        "3.10.7.4 answers it with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and drops it.",
        "이 SYN의 순서 번호는 이미 받은 번호입니다(RCV.NXT보다 앞섬): RFC 9293 3.10.7.4의 첫 번째 검사에 따라 "
        "<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>로 답하고 버립니다.",
    ),
    "hint.old_syn_linux": (
        "That is what Linux does; by RFC 9293's text, this SYN's sequence number was received already (it is below "
        "RCV.NXT), so the first check of 3.10.7.4 answers it with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and drops it.",
        "Linux라면 그렇게 합니다. RFC 9293의 본문대로라면 이 SYN의 순서 번호는 이미 받은 번호이므로(RCV.NXT보다 "
        "앞섬) 3.10.7.4의 첫 번째 검사에 따라 <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>로 답하고 버립니다.",
    ),
    "hint.syn_synchronized": (
        "The {side} still has its connection ({state}), so this SYN cannot open another: in a synchronized state a "
        "SYN gets a challenge ACK, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, whatever its sequence number "
        "(RFC 9293 3.10.7.4, fourth check; RFC 5961 4.2).",
        "{side} 쪽에는 아직 연결이 있으므로({state}) 이 SYN으로 새 연결을 열 수 없습니다: 동기화된 상태에서는 순서 "
        "번호와 상관없이 SYN에 challenge ACK, 곧 <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>로 답합니다 "
        "(RFC 9293 3.10.7.4의 네 번째 검사, RFC 5961 4.2).",
    ),
    "hint.rst_without_ack": (
        "A RST that takes its seq from the arriving segment's ACK field acknowledges nothing: its ACK bit is off "
        "(<SEQ=SEG.ACK><CTL=RST>, RFC 9293 3.5.2).",
        "도착한 세그먼트의 ACK 필드 값을 seq로 쓰는 RST는 아무것도 확인응답하지 않습니다: ACK 비트가 꺼져 있습니다 "
        "(<SEQ=SEG.ACK><CTL=RST>, RFC 9293 3.5.2).",
    ),
    "hint.abort_rst": (
        "ABORT is not CLOSE: no FIN, and no waiting for the peer. RFC 9293 3.10.5 sends one reset, "
        "<SEQ=SND.NXT><CTL=RST>, flushes what is queued and deletes the TCB.",
        "ABORT는 CLOSE가 아닙니다: FIN을 보내지 않고 상대를 기다리지도 않습니다. RFC 9293 3.10.5에 따라 RST 하나"
        "(<SEQ=SND.NXT><CTL=RST>)를 보내고, 큐에 있는 것을 버리고, TCB를 지웁니다.",
    ),
    "hint.abort_no_ack": (
        "That is what Linux sends; the reset of RFC 9293 3.10.5 carries no acknowledgment: <SEQ=SND.NXT><CTL=RST>.",
        "Linux라면 그렇게 보냅니다. RFC 9293 3.10.5의 RST에는 확인응답이 없습니다: <SEQ=SND.NXT><CTL=RST>.",
    ),
    "hint.ack_not_taken": (
        "The {side} did not take this segment in (it was answered and dropped, or held out of order), so its "
        "RCV.NXT did not move: the ACK names the number the {side} expected before the segment came.",
        "{side} 쪽은 이 세그먼트를 받아들이지 않았습니다(응답만 하고 버렸거나, 순서가 맞지 않아 보관함). 그래서 "
        "RCV.NXT는 그대로이고, ACK 번호는 이 세그먼트가 오기 전에 기대하던 번호입니다.",
    ),
    "hint.seq_not_una": (
        "That is SND.UNA, the oldest octet not yet acknowledged. A new segment takes SND.NXT, the number after "
        "everything sent so far, acknowledged or not.",
        "그것은 아직 확인응답되지 않은 가장 오래된 바이트의 번호인 SND.UNA입니다. 새 세그먼트의 seq는 확인응답 여부와 "
        "상관없이 지금까지 보낸 모든 것의 다음 번호인 SND.NXT입니다.",
    ),
    "hint.rst_seq_from_ack": (
        "A RST answering a segment that carries an ACK takes its seq from that ACK field (RFC 9293 3.5.2).",
        "ACK가 있는 세그먼트에 대한 RST는 그 ACK 필드의 값을 seq로 씁니다 (RFC 9293 3.5.2).",
    ),
    "hint.rst_seq_zero": (
        "A RST answering a segment without an ACK has seq 0, and acknowledges that segment (RFC 9293 3.10.7.1).",
        "ACK가 없는 세그먼트에 대한 RST의 seq는 0, ack는 그 세그먼트의 seq + SEG.LEN입니다 (RFC 9293 3.10.7.1).",
    ),
    "hint.seq_is_mine": (
        "seq counts this side's own sequence numbers; ack counts the other side's.",
        "seq는 이쪽의 순서 번호, ack는 상대 쪽의 순서 번호를 셉니다.",
    ),
    "hint.syn_seq": (
        "A SYN carries the sender's own ISN as its sequence number.",
        "SYN의 seq는 보내는 쪽 자신의 ISN입니다.",
    ),
    "hint.seq_after_syn": (
        "The SYN took the ISN: the next sequence number is the one after it.",
        "SYN이 ISN을 차지했으므로 다음 순서 번호는 그다음 번호입니다.",
    ),
    "hint.seq_after_fin": (
        "This side has sent its FIN, and a FIN takes a sequence number: its next one is the one after the FIN.",
        "이쪽은 이미 FIN을 보냈고, FIN도 순서 번호 하나를 차지합니다: 다음 순서 번호는 FIN 다음 번호입니다.",
    ),
    "hint.seq": (
        "seq is this side's next sequence number (SND.NXT): its ISN, plus one for its SYN, plus the octets it sent.",
        "seq는 이쪽의 다음 순서 번호(SND.NXT)입니다: ISN에, SYN이 차지한 하나와 보낸 바이트 수를 더한 값.",
    ),
    "hint.time_number": ("Give a number of seconds.", "초 단위의 숫자를 적으세요."),
    "hint.time_wait_linux": (
        "60 s is Linux's TIME-WAIT (TCP_TIMEWAIT_LEN); RFC 9293 says 2*MSL.",
        "60초는 Linux의 TIME-WAIT(TCP_TIMEWAIT_LEN)입니다. RFC 9293에 따르면 2*MSL입니다.",
    ),
    "hint.time_wait_msl": (
        "TIME-WAIT lasts 2*MSL, and MSL is 2 minutes (RFC 9293 3.4.2, 3.6.1).",
        "TIME-WAIT는 2*MSL 동안이고, MSL은 2분입니다 (RFC 9293 3.4.2, 3.6.1).",
    ),
    "hint.time_wait_restart": (
        "A FIN that arrives again in TIME-WAIT is ACKed and restarts the 2*MSL timer (RFC 9293 3.10.7.4).",
        "TIME-WAIT에서 FIN을 다시 받으면 ACK를 보내고 2*MSL 타이머를 다시 시작합니다 (RFC 9293 3.10.7.4).",
    ),
    "hint.time_wait": (
        "The {side}'s TIME-WAIT lasts 2*MSL from when it entered TIME-WAIT, or from the last FIN it received there.",
        "{side} 쪽의 TIME-WAIT는 들어간 때부터, 또는 거기서 마지막으로 FIN을 받은 때부터 2*MSL 동안입니다.",
    ),
    "hint.give_up_retries": (
        "That is when the attempt would end after {k} retransmissions; this scene allows {retries}: count "
        "{retries} doublings of the RTO (at most 120 s each), then one more expiry (RFC 6298 5.5 and 2.5, "
        "RFC 9293 3.8.3).",
        "그것은 재전송을 {k}번 할 때 포기하는 시각입니다. 이 장면에서는 재전송을 {retries}번 하므로, "
        "RTO가 {retries}번 두 배가 된 뒤(한 번에 최대 120초) 한 번 더 만료되는 때를 세어 보세요 "
        "(RFC 6298 5.5, 2.5, RFC 9293 3.8.3).",
    ),
    "hint.give_up": (
        "After the last retransmission the timer runs once more, with the RTO doubled again; when it expires the "
        "connection is given up (RFC 9293 3.8.3).",
        "마지막 재전송 뒤에도 타이머는 다시 두 배가 된 RTO로 한 번 더 돌고, 그것이 만료되면 연결을 포기합니다 "
        "(RFC 9293 3.8.3).",
    ),
    "hint.rto": (
        "The retransmission timer starts at RTO = 1 s and doubles after each expiry (RFC 6298 2.1, 5.5): it fires "
        "1, 2, 4, ... s after each (re)transmission.",
        "재전송 타이머는 RTO = 1초에서 시작해 만료될 때마다 두 배가 됩니다 (RFC 6298 2.1, 5.5): (재)전송 뒤 "
        "1, 2, 4, ...초 만에 만료됩니다.",
    ),
    "hint.syn_rto_reset": (
        "The {side}'s SYN timer expired during the handshake, so RFC 6298 (5.7) starts the data phase with RTO = 3 s: "
        "neither the initial 1 s nor the backed-off value.",
        "핸드셰이크 중에 {side} 쪽의 SYN 타이머가 만료되었으므로, RFC 6298(5.7)에 따라 데이터 단계는 RTO 3초로 "
        "시작합니다: 처음의 1초도, 두 배로 늘어난 값도 아닙니다.",
    ),
    "hint.timer_stopped": (
        "The {side}'s timer was due then, but it stopped when the {side} went to {state}: nothing of the {side}'s "
        "waits for an acknowledgment any more (RFC 6298 5.2). Whose segment still does?",
        "그때 {side} 쪽 타이머가 만료될 예정이었지만, {side} 쪽이 {state} 상태로 가면서 멈췄습니다: {side} 쪽에는 "
        "확인응답을 기다리는 세그먼트가 더 없습니다 (RFC 6298 5.2). 아직 기다리는 세그먼트는 누구의 것일까요?",
    ),
    "hint.timer_running": (
        "The {side}'s timer was already running when it sent its last segment, so that segment did not restart it "
        "(RFC 6298 5.1): it still counts from the earlier transmission.",
        "{side} 쪽이 마지막 세그먼트를 보낼 때 타이머는 이미 돌고 있었으므로, 그 세그먼트로 타이머가 다시 시작되지 "
        "않습니다 (RFC 6298 5.1): 여전히 앞선 전송 때부터 셉니다.",
    ),
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
    # checking exercises (tcpedu.grade.feedback)
    "check.exercise": ("Exercise {number}", "연습 {number}"),
    "check.score": ("{score} of {points} points", "{points}점 만점에 {score}점"),
    "check.passed": ("passed", "통과"),
    "check.failed": ("failed", "실패"),
    "check.error": ("the code stopped", "코드가 멈춤"),
    "check.forbidden": ("not allowed", "허용되지 않음"),
    "check.missing": ("not written", "작성되지 않음"),
    "check.reference": ("RFC 9293 (the engine)", "RFC 9293 (엔진)"),
    "check.same": ("the same failure as in {group}", "{group}에서와 같은 실패"),
    "check.yours": ("yours", "내 코드"),
    "check.your_run": (
        "your run: the first difference in red, what RFC 9293 does in green",
        "내 코드의 실행: 첫 차이는 빨간색, RFC 9293에 따른 동작은 초록색",
    ),
    "check.differs": ("differs from RFC 9293", "RFC 9293의 결과와 다름"),
    "check.raised": ("raised an exception", "예외 발생"),
    "check.script": ("the run as a scenario script", "시나리오 스크립트로 본 실행"),
    "check.more": ("and {count} more", "그 밖에 {count}개 더"),
    "check.seed": (
        "seed {seed}: the same code gets the same result on every run (tcpedu check FILE {options})",
        "시드 {seed}: 같은 코드는 언제나 같은 결과를 얻습니다 (tcpedu check 파일 {options})",
    ),
    "check.source": ("checked: {origin}", "확인한 코드: {origin}"),
    "check.output": ("what your code printed", "코드가 출력한 내용"),
    "check.diagram": (
        "your state diagram: wrong arcs red with ✗, the RFC's arcs you miss dashed red",
        "내 상태 다이어그램: 틀린 전이는 빨간색 ✗, 빠뜨린 RFC의 전이는 빨간 점선",
    ),
    # grading a class (tcpedu.grade.grading, tcpedu.grade.classroom)
    "grade.feedback_title": ("tcpedu: feedback for {student}", "tcpedu: {student} 학생의 피드백"),
    "grade.submitted": ("graded: {entry}", "채점한 제출물: {entry}"),
    "grade.not_graded": ("not graded: {reason}", "채점하지 못함: {reason}"),
    "grade.summary_title": ("tcpedu: the class's results", "tcpedu: 학급 채점 결과"),
    "grade.summary_count": ("graded {graded} of {entries} submissions", "제출물 {entries}개 가운데 {graded}개 채점"),
    "grade.summary_scores": (
        "scores out of {points}: mean {mean}, median {median}",
        "점수 ({points}점 만점): 평균 {mean}, 중앙값 {median}",
    ),
    "grade.distribution": ("score distribution", "점수 분포"),
    "grade.axis": ("score (students per range)", "점수 (구간별 학생 수)"),
    "grade.exercise": ("exercise", "연습"),
    "grade.mean": ("mean", "평균"),
    "grade.full": ("full marks", "만점 학생 수"),
    "grade.summary_failed": (
        "what failed, most common first, among the students who attempted it (what to teach again)",
        "가장 많이 틀린 것부터, 그 연습을 푼 학생 가운데 (다시 가르칠 내용)",
    ),
    "grade.representative": (
        "each with one representative failing run: the smallest any student's code failed on",
        "각 항목의 대표 실패 실행: 학생 코드가 실패한 실행 가운데 가장 작은 것",
    ),
    "grade.example_from": ("from {student}'s code", "{student} 학생의 코드에서"),
    "grade.students": ("{count} of {attempted} students", "학생 {attempted}명 가운데 {count}명"),
    # the RFC's error strings for refused calls (RFC 9293 3.10)
    "reason.connection does not exist": ("connection does not exist", "연결이 존재하지 않음"),
    "reason.connection already exists": ("connection already exists", "연결이 이미 존재함"),
    "reason.connection closing": ("connection closing", "연결 종료 중"),
    "reason.no connection to lose": ("no connection to lose", "끊어질 연결이 없음"),
}


# ------------------------------------------------------------------------------------------------
# The engine's texts: English in tcpedu.core, Korean here, under the same keys.

#: A state's Korean (short name beside the RFC's, description); the RFC's name is its English name.
_STATES_KO: dict[State, tuple[str, str]] = {
    State.CLOSED: ("연결 없음", "연결이 없는 상태(TCB 없음): 연결을 열기 전이거나 연결이 완전히 사라진 뒤"),
    State.LISTEN: ("연결 요청 대기", "상대의 연결 요청(SYN)을 기다리는 상태"),
    State.SYN_SENT: ("SYN 보냄", "SYN을 보내고, 상대의 SYN(과 내 SYN에 대한 확인응답)을 기다리는 상태"),
    State.SYN_RECEIVED: ("SYN 받음", "SYN을 받고 SYN,ACK를 보낸 뒤, 내 SYN에 대한 확인응답을 기다리는 상태"),
    State.ESTABLISHED: ("연결 수립", "연결이 수립된 상태: 양쪽이 데이터를 주고받을 수 있음"),
    State.FIN_WAIT_1: ("FIN 보냄, ACK 대기", "내 FIN을 보내고, 그 FIN에 대한 ACK 또는 상대의 FIN을 기다리는 상태"),
    State.FIN_WAIT_2: (
        "상대 FIN 대기",
        "내 FIN이 확인응답되었고, 상대의 FIN을 기다리는 상태(데이터 수신은 계속 가능)",
    ),
    State.CLOSE_WAIT: (
        "애플리케이션의 CLOSE 대기",
        "상대의 FIN을 받아 ACK를 보냈고, 내 애플리케이션이 CLOSE하기를 기다리는 상태",
    ),
    State.CLOSING: ("동시 닫기", "양쪽이 거의 동시에 FIN을 보내, 내 FIN에 대한 ACK를 기다리는 상태"),
    State.LAST_ACK: ("마지막 ACK 대기", "상대가 먼저 닫았고, 내 FIN을 보낸 뒤 그에 대한 마지막 ACK를 기다리는 상태"),
    State.TIME_WAIT: (
        "2*MSL 대기",
        "상대의 FIN에 ACK를 보낸 상태: 그 ACK가 유실되어 상대가 FIN을 다시 보내면 다시 ACK할 수 있도록, "
        "그리고 이전 연결의 지연된 세그먼트가 사라지도록 2*MSL 동안 기다림",
    ),
}

#: The Korean of each engine note (tcpedu.core.notes.NOTE_TEXTS), with the same {fields}.
_NOTES_KO: dict[str, str] = {
    "reset-no-connection": "연결이 없음: RST로 응답",
    "rst-to-closed": "존재하지 않는 연결에 대한 RST: 버림",
    "rst-in-listen": "LISTEN에서 받은 RST는 유효할 수 없음: 무시",
    "ack-in-listen": "LISTEN에서 받은 ACK는 보낸 적 없는 것을 확인응답함: RST로 응답",
    "listen-no-syn": "SYN이 없음: 버림",
    "syn-data-queued": "SYN에 실린 데이터 {n}바이트(또는 FIN)는 ESTABLISHED가 될 때까지 보류",
    "bad-ack-syn-sent": "내 SYN을 확인응답하지 않는 ACK (SEG.ACK={ack}, ISS={iss}, SND.NXT={nxt}): RST로 응답",
    "bad-ack-rst-syn-sent": "ACK 번호가 내 SYN을 확인응답하지 않는 RST: 버림",
    "rst-without-ack-syn-sent": "SYN-SENT에서 받은 ACK 없는 RST: 버림",
    "syn-sent-no-syn": "SYN-SENT에서 SYN도 RST도 아닌 세그먼트: 버림",
    "simultaneous-open": "내 SYN이 확인응답되기 전에 ACK 없는 SYN 도착: 동시 열기(simultaneous open)",
    "unacceptable": (
        "수신 윈도우 밖의 세그먼트 (SEG.SEQ={seq}, SEG.LEN={len}, 윈도우 {rcv_nxt}..{rcv_end} "
        "= RCV.NXT..RCV.NXT+RCV.WND-1): ACK로 응답하고 버림"
    ),
    "unacceptable-rst": "수신 윈도우 밖의 RST: 조용히 버림",
    "retransmitted-fin-time-wait": (
        "상대의 FIN이 다시 옴(내 ACK가 유실되었을 수 있음): ACK를 보내고 2*MSL 타이머 재시작"
    ),
    "challenge-ack-rst": (
        "윈도우 안이지만 RCV.NXT와 같지 않은 RST (SEG.SEQ={seq}, RCV.NXT={rcv_nxt}): challenge ACK 보냄"
    ),
    "connection-reset": "상대가 연결을 리셋함(RST): 애플리케이션에 알림",
    "reset-after-close": (
        "이미 CLOSE한 뒤 받은 RST: CLOSED로 가고 TCB 삭제, 애플리케이션에 'connection reset'을 알리지 않음"
    ),
    "connection-refused": "연결 거부됨 (SYN-SENT 또는 SYN-RECEIVED에서 RST 수신)",
    "back-to-listen": "LISTEN으로 돌아감: 애플리케이션에는 알리지 않음",
    "challenge-ack-syn": "동기화된 상태에서 SYN 도착: challenge ACK 보냄",
    "no-ack-bit": "ACK 비트가 꺼져 있음: 버림",
    "bad-ack-syn-received": (
        "SYN-RECEIVED에서 받아들일 수 없는 ACK (SEG.ACK={ack}, SND.UNA={una}, SND.NXT={nxt}): RST로 응답"
    ),
    "ack-out-of-range": (
        "허용 범위 밖의 ACK (SEG.ACK={ack}, SND.UNA-MAX.SND.WND..SND.NXT = {low}..{nxt}): 버리고 ACK 보냄"
    ),
    "acked": "SEG.ACK={ack}: {n}바이트 확인응답 (SND.UNA {una} -> {ack})",
    "duplicate-ack": "새로 확인응답하는 것이 없는 중복 ACK (SEG.ACK={ack}): 무시",
    "closing-not-acked": "내 FIN이 아직 확인응답되지 않음: 세그먼트의 나머지는 무시",
    "out-of-order": (
        "중간이 빠진 세그먼트 (SEG.SEQ={seq}, 기대한 번호 RCV.NXT={rcv_nxt}): 빈틈이 채워질 때까지 보관하고 ACK 보냄"
    ),
    "data-received": "애플리케이션에 {n}바이트 전달",
    "data-trimmed": "수신 윈도우를 넘는 {n}바이트를 잘라 냄",
    "text-ignored": "상대의 FIN 뒤에 온 데이터: 무시",
    "fin-received": "상대가 자기 쪽 송신을 끝냄(FIN): 애플리케이션에 'connection closing'을 알림",
    "data-queued": "ESTABLISHED가 될 때까지 {n}바이트를 대기열에 보관",
    "close-queued": "대기 중인 데이터를 ESTABLISHED에서 모두 보낼 때까지 CLOSE를 보류",
    "window-full": "상대의 윈도우가 열리기를 기다리는 데이터 {n}바이트 (SND.WND={wnd})",
    "crash": "호스트가 다운됨: 연결을 잊었고 아무것도 보내지 않음",
    "zero-window-probe": "상대의 윈도우가 0: 윈도우를 확인하려고 1바이트를 보냄 (seq={seq})",
    "retransmit": "재전송 타임아웃: seq={seq} 재전송 ({max}번 중 {n}번째, 이제 RTO {rto:g}초)",
    "give-up": "{max}번 재전송해도 ACK가 없음: user timeout으로 연결 중단",
    "rtt-sample": "RTT 표본 {rtt:g}초: SRTT={srtt:g}초, RTTVAR={rttvar:g}초, RTO={rto:g}초",
    "syn-rto-reset": "SYN을 재전송했으므로 데이터 단계의 RTO를 3초로 설정",
    "time-wait-over": "TIME-WAIT에서 2*MSL이 지남: TCB 삭제",
    "time-wait-over-60s": "리눅스의 TIME-WAIT 60초(TCP_TIMEWAIT_LEN)가 지남: TCB 삭제",
    "duplicate-syn": "상대의 SYN이 다시 옴 (내 SYN,ACK가 손실됐나?): 리눅스는 SYN,ACK를 다시 보냄",
    "syn-ack-in-syn-received": "상대의 SYN,ACK가 내 SYN을 확인응답함: 리눅스는 동시 열기를 바로 끝냄",
    "data-after-close": "close() 뒤에 온 데이터 {n}바이트: 리눅스는 RST로 응답하고 연결을 끝냄",
    "fin-wait-2-timeout": "close() 뒤 {s:g}초 동안 상대의 FIN이 없음: 리눅스는 연결을 조용히 지움 (tcp_fin_timeout)",
    "time-wait-reopen": (
        "TIME-WAIT에서 순서 번호가 이전 연결의 RCV.NXT보다 큰 새 SYN 도착 (SEG.SEQ={seq}, RCV.NXT={rcv_nxt}): "
        "리눅스는 새 연결을 엶"
    ),
    "syn-new-connection": "연결이 없는 {remote}에서 SYN 도착: 새 연결이 SYN을 받고, 리스너는 LISTEN에 그대로 있음",
    "syn-queue-full": (
        "SYN 큐가 가득 참 (SYN-RECEIVED 연결 {n}개, backlog {backlog}): "
        "SYN 쿠키를 끈 Linux(tcp_syncookies=0)처럼 SYN을 버림"
    ),
    "connection-removed": "{remote} 연결 삭제: 같은 4-tuple의 다음 SYN은 리스너가 받음 (리스너 상태: {state})",
}

# What Linux does where a profile switch differs from RFC 9293 (core.profile.SWITCHES[...].linux).
_SWITCHES_KO = {
    "time-wait-60s": "TIME-WAIT 상태는 MSL과 관계없이 TCP_TIMEWAIT_LEN, 곧 60초 동안 유지됨 (include/net/tcp.h)",
    "syn-linear-timeouts": (
        "SYN의 처음 tcp_syn_linear_timeouts(4)번 재전송은 RTO 1초를 그대로 쓰고 그 뒤로 두 배씩 늘림. "
        "connect()는 tcp_syn_retries(6)번 더 재전송한 뒤, 모두 131초 만에 포기함 (tcp_retransmit_timer)"
    ),
    "synack-retries-5": (
        "SYN,ACK 세그먼트는 tcp_synack_retries(5)번 재전송되고, 63초 뒤 연결 요청이 버려짐 (reqsk_timer_handler)"
    ),
    "data-retries-15": (
        "데이터 세그먼트나 FIN 세그먼트는 tcp_retries2(15)번 재전송한 뒤 연결을 포기함 "
        "(커널은 이 횟수를 시간으로 바꾸며, 약 15분)"
    ),
    "rto-min-200ms": "RTO 값은 TCP_RTO_MIN, 곧 200 ms 아래로 내려가지 않음 (include/net/tcp.h)",
    "resend-syn-ack": "SYN-RECEIVED 상태에서 받은 중복 SYN에는 SYN,ACK 세그먼트를 다시 보내 응답함 (tcp_check_req)",
    "syn-ack-in-syn-received": (
        "상대의 SYN,ACK 세그먼트로 연결 열기가 끝남: 곧바로 ESTABLISHED 상태가 되고 ACK 세그먼트를 보냄 "
        "(tcp_validate_incoming, tcp_rcv_state_process)"
    ),
    "rst-ack-on-abort": (
        "abort(SO_LINGER 값 0, close())는 ACK=RCV.NXT인 RST,ACK 세그먼트를 보냄 (tcp_send_active_reset)"
    ),
    "reset-data-after-close": (
        "close()는 수신도 끝냄 (RFC 9293 3.6.1 절이 허용, MAY-1): FIN-WAIT-1 상태나 FIN-WAIT-2 상태에 새 데이터가 "
        "도착하면 RST 세그먼트로 응답하고(SHLD-3) 연결이 끝남 (tcp_rcv_state_process). shutdown(SHUT_WR), "
        "곧 호출 shutdown이 RFC의 CLOSE임"
    ),
    "fin-wait-2-timeout": (
        "shutdown이 아닌 close()로 닫은 연결은 tcp_fin_timeout, 곧 60초 뒤 FIN-WAIT-2 상태를 조용히 떠남 "
        "(tcp_set_state, tcp_fin_time)"
    ),
    "time-wait-reopen": (
        "TIME-WAIT 상태에서 SEQ 값이 RCV.NXT보다 큰 SYN이 리스닝 포트로 오면, 이전 SND.NXT보다 큰 ISS로 새 연결을 "
        "엶 (tcp_timewait_state_process; RFC 1122 4.2.2.13 절이 허용)"
    ),
}

WORDS.update({f"note.{code}": (NOTE_TEXTS[code][0], korean) for code, korean in _NOTES_KO.items()})
WORDS.update({f"switch.{name}": (SWITCHES[name].linux, korean) for name, korean in _SWITCHES_KO.items()})
WORDS.update({f"state.{state.value}": (state.describe(), ko) for state, (_, ko) in _STATES_KO.items()})
WORDS.update({f"gloss.{state.value}": ("", gloss) for state, (gloss, _) in _STATES_KO.items()})


def word(key: str, lang: str = "en", **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``{name}`` fields filled from ``values``."""
    text = WORDS[key][language_index(lang)]
    return text.format(**values) if values else text


def side_name(side: str, lang: str = "en") -> str:
    """A side as a learner reads it: ``client2`` is "client 2", ``server/client2`` the server's
    connection with client 2; an address outside the simulation stays as it is."""
    if side in ("client", "server"):
        return word(f"side.{side}", lang)
    _owner, mark, peer = side.partition("/")
    if mark:
        return word("side.connection", lang, peer=side_name(peer, lang))
    if side.startswith("client") and side[6:].isdigit():
        return word("side.numbered_client", lang, number=side[6:])
    return side


def note_text(note: Note, lang: str = "en") -> str:
    """An engine note in ``lang`` (its RFC reference is ``note.reference``)."""
    return word(f"note.{note.code}", lang, **note.args)


def describe_state(state: State, lang: str = "en") -> str:
    """What ``state`` means (RFC 9293 3.3.2), in ``lang``."""
    return word(f"state.{state.value}", lang)


def state_gloss(state: State, lang: str = "en") -> str:
    """A short name for ``state`` beside the RFC's, in ``lang`` (empty in English, where the
    RFC's name is the name): ``"연결 수립"`` for ESTABLISHED in Korean."""
    return word(f"gloss.{state.value}", lang)


def in_language(text: Sequence[str], lang: str = "en") -> str:
    """One language of an ``(English, Korean)`` pair; English where the Korean is missing."""
    chosen = text[language_index(lang)]
    return chosen or text[0]
