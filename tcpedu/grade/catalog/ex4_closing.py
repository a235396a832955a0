"""Exercise 4: closing. What each side sends and becomes from the first CLOSE to CLOSED: the
four-way handshake and half-close of the seed note, the simultaneous close (CLOSING), and
TIME-WAIT with its 2*MSL timer, restarted by a retransmitted FIN.

The reference is the engine: hypothesis draws closing runs (which side closes first, losses,
duplicates, reordering, waits around 2*MSL), the engine plays them, and at every closing
event of either side (a CLOSE call, a segment arriving, the 2*MSL timer) the learner's
function is handed the side's variables just before and must leave them as the engine did
and send what it sent. A failure shows the run as a script and as a ladder diagram, the
learner's answer at the failing event beside the engine's.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types

from ... import kit
from ...core.segment import Flags, Segment
from ...core.seqnum import SEQ_SPACE
from ...core.states import State
from ...sim.history import Record
from ..exercise import Exercise, Group, Mismatch, Text, call_learner, shown, text_in
from ..plans import Execution, Plan, execute
from .ex2_handshake import segment_fields

__all__ = ["EXERCISE", "ClosingCase"]

S = State
_ACTIVE = "active"
_PASSIVE = "passive"
_SIMULTANEOUS = "simultaneous"
_TIME_WAIT = "time-wait"
_CLOSING_STATES = frozenset({S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSE_WAIT, S.CLOSING, S.LAST_ACK, S.TIME_WAIT})
_FIELDS = ("snd_una", "snd_nxt", "rcv_nxt", "time_wait_until")


@dataclasses.dataclass(frozen=True)
class ClosingCase:
    """One closing event of one side, with the engine's variables before and after."""

    step: int
    record: int
    """The index in the run's history of the record the event happened in."""
    time_us: int
    side: str
    event: str
    """"close", "receive" or "time-wait over"."""
    segment: object
    """For "receive": the arriving segment's fields."""
    before: dict[str, object]
    after: dict[str, object]
    sent: list[object]
    category: str


def _connection(record: Record | None, side: str, msl_us: int) -> dict[str, object]:
    """A side's ``kit.Connection`` fields from a history record (its state afterwards)."""
    if record is None:  # pragma: no cover - a closing event always follows the handshake
        raise ValueError("no record")
    tcb = record.tcb_of(side)
    deadline = tcb.get("time_wait_until")
    return {
        "state": record.state_of(side).value,
        "snd_una": tcb.get("SND.UNA"),
        "snd_nxt": tcb.get("SND.NXT"),
        "rcv_nxt": tcb.get("RCV.NXT"),
        "rcv_wnd": tcb.get("RCV.WND"),
        "msl_us": msl_us,
        "time_wait_until": round(deadline * 1e6) if isinstance(deadline, float) else None,
    }


def cases_of(execution: Execution) -> list[ClosingCase]:
    """The closing events of both sides in a run, once the first CLOSE has been made."""
    msl_us = next(round(float(value) * 1e6) for name, _, value in execution.plan.settings if name == "msl")
    history = execution.history
    cases = []
    closing = False
    for number, step in enumerate(execution.steps):
        for record in step.records:
            before = history[record.index - 1] if record.index else None
            for side in ("client", "server"):
                was = before.state_of(side) if before is not None else S.CLOSED
                now = record.state_of(side)
                event = _event(record, side, was)
                if event == "close":
                    closing = True
                if event is None or not closing:
                    continue
                if event == "receive" and was is S.ESTABLISHED and not record.packet.segment.has_fin:
                    continue
                sent = [segment_fields(p.segment) for p in record.sent if p.sender == side]
                cases.append(
                    ClosingCase(
                        number,
                        record.index,
                        record.time_us,
                        side,
                        event,
                        segment_fields(record.packet.segment) if event == "receive" else None,
                        _connection(before, side, msl_us),
                        _connection(record, side, msl_us),
                        sent,
                        _category(was, now, event),
                    )
                )
    return cases


def _event(record: Record, side: str, was: State) -> str | None:
    if (
        record.kind == "call"
        and record.side == side
        and record.detail == "close"
        and was in (S.ESTABLISHED, S.CLOSE_WAIT)
    ):
        return "close"
    if record.kind == "timer" and record.side == side and record.detail == "time-wait":
        return "time-wait over"
    if (
        record.kind in ("deliver", "inject")
        and record.packet is not None
        and record.packet.receiver == side
        and not record.packet.segment.has_rst  # a RST (from a peer already CLOSED) is exercise 5's
        and (was in _CLOSING_STATES or was is S.ESTABLISHED)
    ):
        return "receive"
    return None


def _category(was: State, now: State, event: str) -> str:
    if was is S.TIME_WAIT or event == "time-wait over":
        return _TIME_WAIT
    if was is S.CLOSING or (was is S.FIN_WAIT_1 and now is S.CLOSING):
        return _SIMULTANEOUS
    if was in (S.CLOSE_WAIT, S.LAST_ACK) or (was is S.ESTABLISHED and event == "receive"):
        return _PASSIVE
    return _ACTIVE


def _plans(first_moves):
    """Closing runs: a handshake (with data now and then), ``first_moves``, then a random tail
    of losses, duplicates, deliveries and waits around 2*MSL."""
    from hypothesis import strategies as st

    def isn(low: int):  # low + k, k small, just below the wrap, or any: the smallest is the course's own
        offsets = st.one_of(
            st.integers(0, 3000), st.integers(SEQ_SPACE - low - 3, SEQ_SPACE - low - 1), st.integers(0, SEQ_SPACE - 1)
        )
        return offsets.map(lambda k: (low + k) % SEQ_SPACE)

    msl = st.sampled_from(["1", "2", "5"])
    data = st.one_of(
        st.just(()),
        st.tuples(st.just(("call", "client", "send", 5))),
        st.tuples(st.just(("call", "server", "send", 7))),
    )

    def tail(msl_text: str):
        twice = 2 * int(msl_text)
        waits = st.sampled_from(["0.5", "1", str(twice - 0.5), str(twice), "1.5"])
        move = st.one_of(
            st.tuples(st.just("deliver"), st.integers(0, 3)),
            st.tuples(st.just("deliver"), st.just(0)),
            st.tuples(st.just("drop"), st.integers(0, 3)),
            st.tuples(st.just("duplicate"), st.integers(0, 3)),
            st.tuples(st.just("wait"), waits),
            st.tuples(st.just("call"), st.sampled_from(["client", "server"]), st.just("close"), st.none()),
        )
        return st.lists(move, max_size=14)

    def build(values):
        client_isn, server_isn, msl_text, data_moves, first, rest = values
        settings = (
            ("isn", "client", client_isn),
            ("isn", "server", server_isn),
            ("msl", None, msl_text),
            ("retries", None, 4),
        )
        opening = (
            ("call", "server", "listen", None),
            ("call", "client", "connect", None),
            *[("deliver", 0)] * 3,
            *data_moves,
            *[("deliver", 0)] * (2 * len(data_moves)),
        )
        return Plan(settings, (*opening, *first, *rest, *[("deliver", 0)] * 6))

    return st.tuples(isn(100), isn(300), msl, data, first_moves, st.just(None)).flatmap(
        lambda values: tail(values[2]).map(lambda rest: build((*values[:5], tuple(rest))))
    )


def _moves(*moves):
    from hypothesis import strategies as st

    return st.just(tuple(moves))


class _Closing(Group):
    family = "closing runs"
    category = ""
    needs = ("close", "receive", "time_wait_over")
    examples = 40

    def first_moves(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def strategy(self):
        return _plans(self.first_moves()).map(lambda plan: plan.to_wire())

    def size(self, example):
        plan = Plan.from_wire(example)
        return (len(plan.actions), len(repr(example)))

    def _cases(self, example) -> tuple[Execution, list[ClosingCase]]:
        key = json.dumps(example)
        found = self._cache.get(key)
        if found is None:
            execution = execute(Plan.from_wire(example))
            found = execution, [case for case in cases_of(execution) if case.category == self.category]
            self._cache[key] = found
        return found

    @functools.cached_property
    def _cache(self) -> dict[str, tuple[Execution, list[ClosingCase]]]:
        return {}

    def payload(self, example):
        _, cases = self._cases(example)
        return [[case.event, case.before, case.segment, case.time_us] for case in cases]

    def expect(self, example):
        _, cases = self._cases(example)
        return [[case.after, case.sent] for case in cases]

    def answer(self, module: types.ModuleType, payload):
        answers = []
        for event, before, segment, now in payload:
            conn = kit.Connection(
                State(before["state"]),
                before["snd_una"],
                before["snd_nxt"],
                before["rcv_nxt"],
                before["rcv_wnd"],
                before["msl_us"],
                before["time_wait_until"],
            )
            if event == "close":
                value, error = call_learner(module, "close", conn, now)
            elif event == "receive":
                flags = Flags.parse(segment["flags"])
                arriving = Segment(segment["seq"], segment["ack"], flags, data=b"x" * segment["len"])
                value, error = call_learner(module, "receive", conn, arriving, now)
            else:
                value, error = call_learner(module, "time_wait_over", conn, now)
            if error:
                answers.append(error)
                break
            sent = [segment_fields(s) for s in value] if isinstance(value, (list, tuple)) else shown(value)
            state = conn.state.value if isinstance(conn.state, State) else repr(conn.state)
            answers.append([{"state": state, **{field: getattr(conn, field, None) for field in _FIELDS}}, sent])
        return answers

    def judge(self, example, expected, answer):
        execution, cases = self._cases(example)
        if isinstance(answer, dict):  # the whole answer is an error
            answer = [answer]
        for position, case in enumerate(cases):
            mine = answer[position] if position < len(answer) else {"error": "no answer"}
            theirs_after, theirs_sent = case.after, case.sent
            wrong = _wrong(mine, theirs_after, theirs_sent)
            if wrong is None:
                continue
            return Mismatch(
                what=_event_words(case),
                expected=_outcome_words(theirs_after, theirs_sent),
                got=wrong,
                rule=_rule(case),
                detail=ClosingFailure(execution, case, mine),
            )
        return None


def _wrong(mine: object, after: dict[str, object], sent: list[object]) -> Text | None:
    """None if the learner's (variables, segments) match the engine's, else what they were."""
    if isinstance(mine, dict):
        return shown(mine)
    conn, segments = mine
    if not isinstance(segments, list):
        return (f"returned {segments}, not a list of segments", f"세그먼트 목록이 아닌 {segments} 반환")
    if conn["state"] != after["state"]:
        return _outcome_words(conn, segments)
    if after["state"] != S.CLOSED.value and any(conn.get(field) != after.get(field) for field in _FIELDS):
        return _outcome_words(conn, segments)
    if len(segments) != len(sent) or any(not _same(m, t) for m, t in zip(segments, sent, strict=False)):
        return _outcome_words(conn, segments)
    return None


def _same(mine: object, theirs: dict[str, object]) -> bool:
    if not isinstance(mine, dict) or "flags" not in mine:
        return False
    if (mine["flags"], mine["seq"], mine["len"]) != (theirs["flags"], theirs["seq"], theirs["len"]):
        return False
    return "ACK" not in theirs["flags"].split(",") or mine["ack"] == theirs["ack"]


def _segment_words(fields: object) -> str:
    if isinstance(fields, dict) and "flags" in fields:
        ack = f" ack={fields['ack']}" if "ACK" in str(fields["flags"]).split(",") else ""
        return f"{fields['flags']} seq={fields['seq']}{ack}"
    return text_in(shown(fields))


def _outcome_words(conn: dict[str, object], sent: list[object]) -> tuple[str, str]:
    segments = ", ".join(_segment_words(s) for s in sent)
    sends = (f"sends {segments}" if sent else "sends nothing", f"{segments} 보냄" if sent else "보내는 것 없음")
    state = conn.get("state")
    if state == S.CLOSED.value:
        return (f"{sends[0]}; CLOSED", f"{sends[1]}; CLOSED")
    tw = conn.get("time_wait_until")
    variables = f"SND.UNA={conn.get('snd_una')} SND.NXT={conn.get('snd_nxt')} RCV.NXT={conn.get('rcv_nxt')}"
    timer = (
        (f", 2*MSL timer until {tw / 1e6:g} s", f", 2*MSL 타이머 만료 {tw / 1e6:g}초")
        if isinstance(tw, int)
        else ("", "")
    )
    return (f"{sends[0]}; {state} with {variables}{timer[0]}", f"{sends[1]}; {state}, {variables}{timer[1]}")


_SIDE_KO = {"client": "클라이언트", "server": "서버"}


def _event_words(case: ClosingCase) -> tuple[str, str]:
    state, side = case.before["state"], case.side
    if case.event == "close":
        return (f"the {side} calls close in {state}", f"{state} 상태의 {_SIDE_KO[side]}가 close 호출")
    if case.event == "time-wait over":
        return (f"the {side}'s 2*MSL timer fires in {state}", f"{state} 상태인 {_SIDE_KO[side]}의 2*MSL 타이머 만료")
    segment = _segment_words(case.segment)
    return (f"{segment} reaches the {side} in {state}", f"{segment}: {state} 상태의 {_SIDE_KO[side]}에 도착")


def _rule(case: ClosingCase) -> tuple[str, str]:
    state = S(case.before["state"])
    if case.event == "close":
        target = "FIN-WAIT-1" if state is S.ESTABLISHED else "LAST-ACK"
        return (
            f"RFC 9293 3.10.4: CLOSE in {state} sends a FIN <SEQ=SND.NXT><ACK=RCV.NXT><CTL=FIN,ACK> (the FIN "
            f"takes one sequence number) and moves to {target}",
            f"RFC 9293 3.10.4: {state}에서 CLOSE를 하면 FIN <SEQ=SND.NXT><ACK=RCV.NXT><CTL=FIN,ACK>를 보내고"
            f"(FIN은 순서 번호 하나를 차지합니다) {target} 상태로 갑니다",
        )
    if case.event == "time-wait over":
        return (
            "RFC 9293 3.10.8: when the time-wait timeout (2*MSL) expires, delete the TCB and enter CLOSED",
            "RFC 9293 3.10.8: time-wait 타임아웃(2*MSL)이 만료되면 TCB를 지우고 CLOSED 상태가 됩니다",
        )
    after = S(case.after["state"])
    seg = case.segment
    if not _acceptable_in_words(case):
        fin_again = state is S.TIME_WAIT and "FIN" in str(seg["flags"])
        return (
            "RFC 9293 3.10.7.4, first check (Table 6): a segment outside the receive window (an old duplicate) "
            "is answered with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"
            + ("; in TIME-WAIT the peer's FIN again also restarts the 2*MSL timer" if fin_again else "")
            + ", and nothing else changes",
            "RFC 9293 3.10.7.4, 첫 번째 검사(Table 6): 수신 윈도우 밖의 세그먼트(오래된 중복 세그먼트)에는 "
            "<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>로 응답"
            + ("하고, TIME-WAIT에서 다시 온 상대의 FIN은 2*MSL 타이머도 재시작하며" if fin_again else "하며")
            + " 그 밖에는 아무것도 바뀌지 않습니다",
        )
    if state is S.TIME_WAIT:
        return (
            "RFC 9293 3.10.7.4 (TIME-WAIT): a FIN again is acknowledged, and the 2*MSL timer restarts",
            "RFC 9293 3.10.7.4 (TIME-WAIT): 다시 온 FIN에는 확인응답을 보내고 2*MSL 타이머를 재시작합니다",
        )
    if "FIN" in str(seg["flags"]) and after is not state:
        starts = after is S.TIME_WAIT
        return (
            f"RFC 9293 3.10.7.4, eighth step: a FIN advances RCV.NXT over it and is acknowledged; {state} "
            f"becomes {after}" + (" and the 2*MSL timer starts" if starts else ""),
            f"RFC 9293 3.10.7.4, 여덟 번째 단계: FIN은 RCV.NXT를 하나 늘리고 확인응답을 받습니다. {state}에서 "
            f"{after} 상태로 바뀌" + ("고 2*MSL 타이머가 시작됩니다" if starts else "게 됩니다"),
        )
    if after is not state:
        return (
            f"RFC 9293 3.10.7.4, fifth step: the ACK of our FIN moves {state} to {after}",
            f"RFC 9293 3.10.7.4, 다섯 번째 단계: 내 FIN에 대한 ACK가 오면 {state}에서 {after} 상태로 바뀝니다",
        )
    sends = ("an ACK", "ACK") if case.sent else ("nothing", "아무것도")
    return (
        f"RFC 9293 3.10.7.4: in {state} this segment changes nothing and sends {sends[0]}",
        f"RFC 9293 3.10.7.4: {state}에서 이 세그먼트는 아무것도 바꾸지 않고, "
        + ("ACK를 보냅니다" if case.sent else "보내는 것도 없습니다"),
    )


def _acceptable_in_words(case: ClosingCase) -> bool:
    from ...core.rules import segment_acceptable

    seg = case.segment
    length = seg["len"] + ("SYN" in seg["flags"]) + ("FIN" in seg["flags"])
    return segment_acceptable(seg["seq"], length, case.before["rcv_nxt"], case.before["rcv_wnd"])


@dataclasses.dataclass(frozen=True)
class ClosingFailure:
    """What the feedback draws: the engine's run up to the failing event, and the learner's
    answer there."""

    execution: Execution
    case: ClosingCase
    answer: object


class ActiveClose(_Closing):
    key = "active-close"
    title = ("active close: FIN-WAIT-1, FIN-WAIT-2", "능동 종료: FIN-WAIT-1, FIN-WAIT-2")
    points = 3
    rfc = "RFC 9293 3.6, 3.10.4, 3.10.7.4"
    category = _ACTIVE

    def first_moves(self):
        return _moves(("call", "client", "close", None))


class PassiveClose(_Closing):
    key = "passive-close"
    title = ("passive close: CLOSE-WAIT, LAST-ACK", "수동 종료: CLOSE-WAIT, LAST-ACK")
    points = 2
    rfc = "RFC 9293 3.6, 3.10.4, 3.10.7.4"
    category = _PASSIVE

    def first_moves(self):
        return _moves(
            ("call", "client", "close", None), ("deliver", 0), ("deliver", 0), ("call", "server", "close", None)
        )


class SimultaneousClose(_Closing):
    key = "simultaneous-close"
    title = ("simultaneous close: CLOSING", "동시 종료: CLOSING")
    points = 2
    rfc = "RFC 9293 3.6 (Figure 13), 3.10.7.4"
    category = _SIMULTANEOUS

    def first_moves(self):
        return _moves(("call", "client", "close", None), ("call", "server", "close", None))


class TimeWait(_Closing):
    key = "time-wait"
    title = ("TIME-WAIT and its 2*MSL timer", "TIME-WAIT와 2*MSL 타이머")
    points = 3
    rfc = "RFC 9293 3.6.1, 3.10.7.4, 3.10.8"
    category = _TIME_WAIT

    def first_moves(self):
        from hypothesis import strategies as st

        # The usual four segments, the last ACK lost or not; then the tail (waits, the FIN again).
        return st.sampled_from(
            [
                (
                    ("call", "client", "close", None),
                    ("deliver", 0),
                    ("deliver", 0),
                    ("call", "server", "close", None),
                    ("deliver", 0),
                    ("drop", 0),
                ),
                (
                    ("call", "client", "close", None),
                    ("deliver", 0),
                    ("deliver", 0),
                    ("call", "server", "close", None),
                    ("deliver", 0),
                ),
            ]
        )


EXERCISE = Exercise(
    number=4,
    key="closing",
    module="closing",
    title=("Closing: the four-way handshake and TIME-WAIT", "연결 해제: 4-way 핸드셰이크와 TIME-WAIT"),
    names=("close", "receive", "time_wait_over"),
    allowed=(
        kit.Connection,
        kit.Segment,
        kit.Flags,
        kit.State,
        kit.seq_add,
        kit.seq_sub,
        kit.seq_lt,
        kit.seq_le,
        kit.seq_gt,
        kit.seq_ge,
        kit.segment_acceptable,
        kit.SEQ_SPACE,
    ),
    groups=(ActiveClose(), PassiveClose(), SimultaneousClose(), TimeWait()),
    notebook="04_closing",
)
