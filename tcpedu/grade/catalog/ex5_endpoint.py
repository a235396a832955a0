"""Exercise 5: a whole endpoint, graded by differential testing against the engine.

Hypothesis draws runs (user calls, deliveries, losses, duplicates, reordering, waits, crafted
segments); each is played twice, once with tcpedu's engine on both sides and once with the
learner's endpoint on one side or both, and the learner's side must do at every step what the
engine did in its place: send the same segments at the same times (every field, the data
too), end in the same state, deliver the same octets, refuse the same calls. The first step
where it does not is the failure; its run is shown as a script and as two ladder diagrams,
the learner's beside the engine's, the first difference marked.

The groups draw runs about one part of TCP each. Every run opens a connection first, so a
learner whose handshake is wrong fails them all, and the feedback says to start there.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types

from ... import kit
from ...core.seqnum import SEQ_SPACE, seq_add
from ...core.transitions import Action, Event
from ...sim.history import Record
from ...words import note_text
from ..exercise import Exercise, Group, Mismatch, shown
from ..plans import Execution, Plan, execute, record_from_wire, record_to_wire, transcript
from ..questions import arrival_section

__all__ = ["EXERCISE", "RunFailure"]

_SIDES = ("client", "server")
_OPEN = (("call", "server", "listen", None), ("call", "client", "connect", None))
_HANDSHAKE = (*_OPEN, ("deliver", 0), ("deliver", 0), ("deliver", 0))


@dataclasses.dataclass(frozen=True)
class RunFailure:
    """What the feedback draws: the engine's run and the learner's, and where they part."""

    reference: Execution
    learner: tuple[Record, ...] | None
    """The learner's run, as its sandbox sent it back (None if it could not)."""
    learner_ends: tuple[int, ...] | None
    """How many of the learner's records there were after each step."""
    step: int
    sides: tuple[str, ...]
    side: str | None
    """The side that did differently (None: the run stopped on an error)."""


def _st():
    from hypothesis import strategies as st

    return st


def _isn(low: int):
    """An ISN ``low`` + k: k small, or just below 2**32 (so the numbers wrap), or anything; the
    smallest is the course's ``low`` itself (100 for the client, 300 for the server)."""
    st = _st()
    offsets = st.one_of(
        st.integers(0, 5000), st.integers(SEQ_SPACE - low - 50, SEQ_SPACE - low - 1), st.integers(0, SEQ_SPACE - 1)
    )
    return offsets.map(lambda k: seq_add(low, k))


def _settings(msl=("1", "2"), retries=(6,), windows=(65535,), mss=(536,)):
    st = _st()
    return st.tuples(
        _isn(100),
        _isn(300),
        st.sampled_from(msl),
        st.sampled_from(retries),
        st.sampled_from(windows),
        st.sampled_from(windows),
        st.sampled_from(mss),
    ).map(
        lambda v: (
            ("isn", "client", v[0]),
            ("isn", "server", v[1]),
            ("msl", None, v[2]),
            ("retries", None, v[3]),
            ("window", "client", v[4]),
            ("window", "server", v[5]),
            ("mss", None, v[6]),
        )
    )


def _network(waits=("0.5", "1", "3")):
    st = _st()
    return st.one_of(
        st.tuples(st.just("deliver"), st.integers(0, 3)),
        st.tuples(st.just("deliver"), st.just(0)),
        st.tuples(st.just("drop"), st.integers(0, 3)),
        st.tuples(st.just("duplicate"), st.integers(0, 3)),
        st.tuples(st.just("wait"), st.sampled_from(waits)),
    )


def _calls(*calls):
    st = _st()
    return st.tuples(st.just("call"), st.sampled_from(_SIDES), st.sampled_from(calls), st.none())


def _sends(*sizes):
    st = _st()
    return st.tuples(st.just("call"), st.sampled_from(_SIDES), st.just("send"), st.sampled_from(sizes))


def _plan(settings, prefix, moves, size=16, drain=8, suffix=None):
    """Settings, a prefix, up to ``size`` random moves, a suffix, then ``drain`` deliveries."""
    st = _st()
    ending = suffix if suffix is not None else st.just(())
    return st.tuples(settings, prefix, st.lists(moves, max_size=size), ending).map(
        lambda v: Plan(v[0], (*v[1], *v[2], *v[3], *[("deliver", 0)] * drain))
    )


_SEQ_OFFSETS = (0, 0, 1, 2, 5, 100, -1, -2, -100, 65534, 65535, 65536, 70000, 2**31)
_ACK_OFFSETS = (0, 0, 1, -1, 100, 70000)


_FORGED_FLAGS = ("RST", "RST", "RST,ACK", "SYN", "ACK", "FIN,ACK", "SYN,ACK")


def _injections(plan_settings, flags_from=_FORGED_FLAGS):
    """Crafted segments aimed at a side: their sequence numbers around where that side's
    window starts after the handshake (the peer's ISN + 1), in it, before it and beyond it;
    their acknowledgements around the side's own ISN + 1."""
    st = _st()
    isns = {side: value for name, side, value in plan_settings if name == "isn"}

    def aimed(side: str):
        peer = "server" if side == "client" else "client"
        seq = st.sampled_from(_SEQ_OFFSETS).map(lambda k: seq_add(isns[peer], (1 + k) % SEQ_SPACE))
        ack = st.sampled_from(_ACK_OFFSETS).map(lambda k: seq_add(isns[side], (1 + k) % SEQ_SPACE))
        flags = st.sampled_from(flags_from)
        return st.tuples(st.just("inject"), st.just(side), flags, seq, ack, st.just(65535), st.sampled_from([0, 0, 3]))

    return st.sampled_from(_SIDES).flatmap(aimed)


class _Runs(Group):
    family = "runs"
    needs = ("Endpoint",)
    examples = 30

    def plans(self):  # pragma: no cover - abstract
        raise NotImplementedError

    sides: tuple[tuple[str, ...], ...] = (("client",), ("server",), ("client", "server"))
    """Which sides the learner's endpoint plays, drawn evenly."""

    def strategy(self):
        st = _st()
        return st.tuples(self.plans(), st.sampled_from(self.sides)).map(lambda v: [v[0].to_wire(), list(v[1])])

    def size(self, example):
        plan = Plan.from_wire(example[0])
        return (len(plan.actions), len(example[1]), len(json.dumps(example)))

    @functools.cached_property
    def _cache(self) -> dict[str, tuple[Execution, list[dict[str, object]]]]:
        return {}

    def _reference(self, example) -> tuple[Execution, list[dict[str, object]]]:
        key = json.dumps(example)
        found = self._cache.get(key)
        if found is None:
            execution = execute(Plan.from_wire(example[0]))
            found = execution, transcript(execution, example[1])
            if len(self._cache) > 5000:
                self._cache.clear()
            self._cache[key] = found
        return found

    def expect(self, example):
        return self._reference(example)[1]

    def payload(self, example):
        return [example[0], example[1], False]

    def detail_payload(self, example):
        return [example[0], example[1], True]

    # in the child
    def answer(self, module: types.ModuleType, payload):
        plan_wire, sides, with_history = payload
        learner = getattr(module, "Endpoint", None)
        if not callable(learner):
            return {"error": "Endpoint is not defined (write class Endpoint(EndpointBase))", "line": None}
        execution = execute(Plan.from_wire(plan_wire), {side: learner for side in sides}, module.__file__ or "")
        answer: dict[str, object] = {"transcript": transcript(execution, sides)}
        if with_history:
            answer["history"] = [record_to_wire(record) for record in execution.history]
            ends, count = [], 0
            for step in execution.steps:
                count += len(step.records)
                ends.append(count)
            answer["ends"] = ends
        return answer

    def judge(self, example, expected, answer):
        reference, _ = self._reference(example)
        sides = tuple(example[1])
        if not isinstance(answer, dict) or "transcript" not in answer:
            what = (
                ("the endpoint could not be made", "엔드포인트를 만들 수 없음")
                if isinstance(answer, dict)
                else ("no answer", "답 없음")
            )
            got = shown(answer) if isinstance(answer, dict) else ("nothing", "없음")
            return Mismatch(what, ("a run", "실행"), got, _START, None)
        mine = answer["transcript"]
        history = _history(answer.get("history"))
        ends = answer.get("ends")
        ends = tuple(ends) if isinstance(ends, list) and all(type(e) is int for e in ends) else None
        for number, theirs in enumerate(expected):
            step = reference.steps[number]
            ours = mine[number] if isinstance(mine, list) and number < len(mine) else None
            if ours == theirs:
                continue
            line = step.line or "(nothing in flight)"
            what = (f"step {number + 1}: {line}", f"{number + 1}단계: {line}")
            detail = RunFailure(reference, history, ends, number, sides, None)
            if not isinstance(ours, dict):
                return Mismatch(what, ("the run to go on", "실행 계속"), ("it stopped", "멈춤"), _START, detail)
            if "error" in ours:
                return Mismatch(
                    what, _doing(theirs, sides), shown(ours["error"]), _rule(reference, number, None), detail
                )
            if ours.get("refused") != theirs.get("refused"):
                refused = (
                    ("the call is refused (CallRefused)", "호출 거절(CallRefused)"),
                    ("it was made", "호출이 실행됨"),
                )
                made = (("the call is made", "호출 실행"), ("it was refused", "호출이 거절됨"))
                expected_text, got = refused if theirs.get("refused") else made
                return Mismatch(what, expected_text, got, _rule(reference, number, None), detail)
            side = next(side for side in sides if ours.get(side) != theirs.get(side))
            detail = dataclasses.replace(detail, side=side)
            return Mismatch(
                what=(f"{what[0]} ({side})", f"{what[1]} ({_SIDE_KO[side]})"),
                expected=_side_doing(theirs[side]),
                got=_side_doing(ours.get(side)),
                rule=_rule(reference, number, side),
                detail=detail,
            )
        return None


_SIDE_KO = {"client": "클라이언트", "server": "서버"}
_START = (
    "RFC 9293 3.3.1: an endpoint keeps a TCB and answers every call, segment and timer",
    "RFC 9293 3.3.1: 엔드포인트는 TCB를 유지하며 모든 호출, 세그먼트, 타이머에 응답합니다",
)


def _history(value: object) -> tuple[Record, ...] | None:
    if not isinstance(value, list):
        return None
    try:
        return tuple(record_from_wire(item) for item in value)
    except (TypeError, ValueError, KeyError, IndexError):
        return None


def _segment_words(sent: list[object]) -> tuple[str, str]:
    time_us, flags, seq, ack, wnd, length, _ = sent
    ack_text = f" ack={ack}" if "ACK" in str(flags).split(",") else ""
    segment = f"{flags} seq={seq}{ack_text} len={length} wnd={wnd}"
    return (f"{segment} at {time_us / 1e6:g} s", f"{segment}, {time_us / 1e6:g}초")


def _side_doing(entry: object) -> tuple[str, str]:
    if not isinstance(entry, dict):
        return (repr(entry), repr(entry))
    sent = entry.get("sent") or []
    en = "; ".join(_segment_words(s)[0] for s in sent) if sent else "nothing"
    ko = "; ".join(_segment_words(s)[1] for s in sent) if sent else "없음"
    state, received = entry.get("state"), entry.get("received")
    return (
        f"sends {en}; then {state}, {received} octets received",
        f"보낸 세그먼트: {ko}. 그 뒤 상태 {state}, 받은 데이터 {received}바이트",
    )


def _doing(entry: dict[str, object], sides: tuple[str, ...]) -> tuple[str, str]:
    doing = {side: _side_doing(entry.get(side)) for side in sides}
    return (
        " / ".join(f"{side}: {doing[side][0]}" for side in sides),
        " / ".join(f"{_SIDE_KO[side]}: {doing[side][1]}" for side in sides),
    )


def _rule(reference: Execution, number: int, side: str | None) -> tuple[str, str]:
    """The engine's own reason at step ``number``, for the side that differed: the arc it took
    (with the section and what the arc sends, written as the RFC writes segments), or the
    first note it made (with its reference); where it did nothing, the timers that kept it
    where it is."""
    step = reference.steps[number]
    for record in step.records:
        for who, arc in record.arcs:
            if side is None or who == side:
                sends = [_SENDS[action] for action in arc.actions if action in _SENDS]
                head = f"RFC 9293 {section_of(arc)}: {arc}"
                return (
                    head + (f"; it sends {'; '.join(s[0] for s in sends)}" if sends else ""),
                    head + (f"; 보내는 세그먼트: {'; '.join(s[1] for s in sends)}" if sends else ""),
                )
        for who, note in record.notes:
            if side is None or who == side:
                return (f"{note.reference}: {note_text(note, 'en')}", f"{note.reference}: {note_text(note, 'ko')}")
    if step.refused:
        return (step.refused, step.refused)
    if side is not None and step.records:
        return _waiting(reference, number, side)
    return (
        "RFC 9293 3.10: the engine sends nothing here and stays where it is",
        "RFC 9293 3.10: 엔진은 여기서 아무것도 보내지 않고 상태도 그대로입니다",
    )


def _waiting(reference: Execution, number: int, side: str) -> tuple[str, str]:
    """Why the engine's ``side`` is still where it is after step ``number``: its timers, and
    what last restarted the 2*MSL one."""
    last = reference.steps[number].records[-1]
    state, tcb = last.state_of(side), last.tcb_of(side)
    side_ko = _SIDE_KO[side]
    english = f"RFC 9293 3.10.8: the engine's {side} stays in {state}"
    korean = f"RFC 9293 3.10.8: 엔진의 {side_ko} 상태는 {state} 그대로입니다"
    until = tcb.get("time_wait_until")
    if isinstance(until, float):
        english += f": its 2*MSL timer runs until {until:g} s"
        korean += f". 2*MSL 타이머 만료 시각: {until:g}초"
        restarts = [
            record.time
            for step in reference.steps[: number + 1]
            for record in step.records
            for who, note in record.notes
            if who == side and note.code == "retransmitted-fin-time-wait"
        ]
        if restarts:
            english += f", restarted at {restarts[-1]:g} s when the peer's FIN came again (3.10.7.4)"
            korean += f" (상대의 FIN이 다시 온 {restarts[-1]:g}초에 재시작, 3.10.7.4)"
    elif isinstance(tcb.get("retransmit_at"), float):
        english += f": its retransmission timer fires at {tcb['retransmit_at']:g} s (RFC 6298)"
        korean += f". 재전송 타이머 만료 시각: {tcb['retransmit_at']:g}초 (RFC 6298)"
    return (english, korean)


# What an arc's sending actions put on the wire, as RFC 9293 writes it.
_SENDS = {
    Action.SND_SYN: ("<SEQ=ISS><CTL=SYN>", "<SEQ=ISS><CTL=SYN>"),
    Action.SND_SYN_ACK: (
        "<SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, where RCV.NXT = SEG.SEQ+1 (the SYN takes one)",
        "<SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, RCV.NXT = SEG.SEQ+1 (SYN이 번호 하나를 차지)",
    ),
    Action.SND_ACK: ("<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>", "<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"),
    Action.SND_FIN: (
        "<SEQ=SND.NXT><ACK=RCV.NXT><CTL=FIN,ACK> after any queued data (the FIN takes one)",
        "대기 중인 데이터 뒤에 <SEQ=SND.NXT><ACK=RCV.NXT><CTL=FIN,ACK> (FIN이 번호 하나를 차지)",
    ),
    Action.SND_RST: ("<SEQ=SND.NXT><CTL=RST>", "<SEQ=SND.NXT><CTL=RST>"),
    Action.SND_DATA: (
        "the data from SND.NXT, at most MSS octets a segment, as far as SND.WND allows",
        "SND.NXT부터의 데이터, 세그먼트마다 MSS 바이트 이하, SND.WND가 허락하는 만큼",
    ),
}

# Where section 3.10 says what each user call and timeout does.
_CALL_SECTIONS = {
    Event.PASSIVE_OPEN: "3.10.1",
    Event.ACTIVE_OPEN: "3.10.1",
    Event.SEND: "3.10.2",
    Event.CLOSE: "3.10.4",
    Event.ABORT: "3.10.5",
    Event.TIMEOUT_2MSL: "3.10.8",
    Event.USER_TIMEOUT: "3.10.8",
}


def section_of(arc) -> str:
    """The section of RFC 9293 whose event processing takes ``arc`` (Figure 5's arcs too)."""
    if arc.source[0].isdigit():
        return arc.source
    if arc.event in _CALL_SECTIONS:
        return _CALL_SECTIONS[arc.event]
    return arrival_section(arc.state)


class Opening(_Runs):
    key = "opening"
    title = ("opening (the handshake, lost and simultaneous)", "연결 수립 (핸드셰이크, 유실, 동시 열기)")
    points = 4
    rfc = "RFC 9293 3.5, 3.10.1, 3.10.7.1-3.10.7.4"

    def plans(self):
        st = _st()
        prefix = st.sampled_from([_OPEN, (("call", "client", "connect", None), ("call", "server", "connect", None))])
        return _plan(_settings(), prefix, st.one_of(_network(), _calls("listen", "connect")), size=10)


class Data(_Runs):
    key = "data"
    title = ("data: segments, windows, reordering", "데이터: 세그먼트, 윈도우, 순서 뒤바뀜")
    points = 3
    rfc = "RFC 9293 3.8.6, 3.10.2, 3.10.7.4 (seventh step)"

    def plans(self):
        st = _st()
        settings = _settings(windows=(65535, 300, 1000), mss=(536, 100))
        return _plan(settings, st.just(_HANDSHAKE), st.one_of(_network(), _sends(1, 50, 120, 700)), size=16, drain=12)


class Closing(_Runs):
    key = "closing"
    title = ("closing: the four-way handshake", "연결 해제: 4-way 핸드셰이크")
    points = 3
    rfc = "RFC 9293 3.6, 3.10.4, 3.10.7.4"

    def plans(self):
        st = _st()
        return _plan(_settings(), st.just(_HANDSHAKE), st.one_of(_network(), _calls("close")), size=14)


class HalfClose(_Runs):
    key = "half-close"
    title = ("half-close: data in CLOSE-WAIT", "half-close: CLOSE-WAIT에서의 데이터")
    points = 2
    rfc = "RFC 9293 3.6, 3.10.2, 3.10.7.4"

    def plans(self):
        st = _st()
        prefix = (*_HANDSHAKE, ("call", "client", "close", None), ("deliver", 0), ("deliver", 0))
        moves = st.one_of(_network(), _sends(10, 300), _calls("close"))
        return _plan(_settings(), st.just(prefix), moves, size=12)


class TimeWait(_Runs):
    sides = (("client",), ("client", "server"), ("server",))  # the client is the one in TIME-WAIT
    key = "time-wait"
    title = ("TIME-WAIT: 2*MSL, the last ACK lost", "TIME-WAIT: 2*MSL, 마지막 ACK 유실")
    points = 3
    rfc = "RFC 9293 3.6.1, 3.10.7.4, 3.10.8"

    def plans(self):
        st = _st()
        close = (
            *_HANDSHAKE,
            ("call", "client", "close", None),
            ("deliver", 0),
            ("deliver", 0),
            ("call", "server", "close", None),
            ("deliver", 0),
        )
        # The client is in TIME-WAIT (2*MSL = 4 s); its last ACK arrives, or is lost and the
        # server's FIN comes again at 1 s, restarting TIME-WAIT.
        lost = (*close, ("drop", 0))
        prefix = st.sampled_from([(*lost, ("wait", "1"), ("deliver", 0)), close, lost])
        waits = ("0.5", "1", "2", "3", "3.5", "4", "4.5")
        moves = st.one_of(_network(waits=waits), _calls("connect", "close"))
        # Then time passes across the end of 2*MSL (4 s after TIME-WAIT began, or after the FIN again).
        ending = st.sampled_from(["3.5", "4.5", "2", "0.5"]).map(lambda seconds: (("wait", seconds),))
        return _plan(_settings(msl=("2",)), prefix, moves, size=6, suffix=ending)


class Resets(_Runs):
    key = "resets"
    title = ("resets: refused, aborted, half-open, forged", "리셋: 거부, 강제 종료, 반열림, 위조")
    points = 3
    rfc = "RFC 9293 3.5.2-3.5.3, 3.10.5, 3.10.7; RFC 5961"

    def plans(self):
        st = _st()

        def build(settings):
            # Mostly from an open connection, where a forged RST must pass RFC 5961's checks; at
            # least one move (a run that only opens has no reset to check), forged RSTs among them
            # as often as anything else.
            prefix = st.sampled_from(
                [_HANDSHAKE, _HANDSHAKE, (("call", "client", "connect", None), ("deliver", 0)), _OPEN]
            )
            moves = st.one_of(
                _network(),
                _calls("abort", "crash", "connect", "listen"),
                _injections(settings),
                _injections(settings, ("RST", "RST,ACK")),
            )
            return st.tuples(st.just(settings), prefix, st.lists(moves, min_size=1, max_size=10)).map(
                lambda v: Plan(v[0], (*v[1], *v[2], *[("deliver", 0)] * 6))
            )

        return _settings().flatmap(build)


class Retransmission(_Runs):
    key = "retransmission"
    title = ("retransmission: RTO, back-off, giving up", "재전송: RTO, back-off, 포기")
    points = 2
    rfc = "RFC 9293 3.8.1, 3.10.8; RFC 6298"

    def plans(self):
        st = _st()
        # What is lost, again and again: the SYN, the SYN,ACK, data, or a FIN.
        lost = st.sampled_from(
            [
                _OPEN,
                (*_OPEN, ("deliver", 0)),
                (*_HANDSHAKE, ("call", "client", "send", 20)),
                (*_HANDSHAKE, ("call", "client", "close", None)),
                (*_HANDSHAKE, ("call", "client", "close", None), ("deliver", 0), ("call", "server", "close", None)),
            ]
        )
        # Each loss, then time for the timer to fire: 1 s, then 2 more (back-off), then 4...
        retries = st.lists(st.tuples(st.sampled_from(["1", "2", "3", "4"])), min_size=1, max_size=4).map(
            lambda waits: tuple(move for (wait,) in waits for move in (("drop", 0), ("wait", wait)))
        )
        prefix = st.tuples(lost, retries).map(lambda v: (*v[0], *v[1]))
        moves = st.one_of(_network(waits=("1", "2", "3", "7")), _sends(20), _calls("close"))
        return _plan(_settings(retries=(2, 3)), prefix, moves, size=8)


EXERCISE = Exercise(
    number=5,
    key="endpoint",
    module="endpoint",
    title=("A whole endpoint", "엔드포인트 전체"),
    names=("Endpoint",),
    allowed=(
        kit.EndpointBase,
        kit.EndpointConfig,
        kit.Output,
        kit.CallRefused,
        kit.Segment,
        kit.Flags,
        kit.State,
        kit.Event,
        kit.Condition,
        kit.RtoEstimator,
        kit.MAX_WINDOW,
        kit.SEQ_SPACE,
        kit.in_window,
        kit.seq_add,
        kit.seq_sub,
        kit.seq_lt,
        kit.seq_le,
        kit.seq_gt,
        kit.seq_ge,
        kit.segment_acceptable,
        kit.ack_covering,
        kit.reset_for,
        kit.updates_window,
    ),
    groups=(Opening(), Data(), Closing(), HalfClose(), TimeWait(), Resets(), Retransmission()),
    notebook="05_endpoint",
)
