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
    st = _st()
    return st.one_of(
        st.integers(low, low + 5000), st.integers(SEQ_SPACE - 50, SEQ_SPACE - 1), st.integers(0, SEQ_SPACE - 1)
    )


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


def _plan(settings, prefix, moves, size=16, drain=8):
    """Settings, a fixed prefix, then up to ``size`` random moves and ``drain`` deliveries."""
    st = _st()
    return st.tuples(settings, prefix, st.lists(moves, max_size=size)).map(
        lambda v: Plan(v[0], (*v[1], *v[2], *[("deliver", 0)] * drain))
    )


def _injections(plan_settings):
    """Crafted segments near the numbers that matter: the ISNs and just past them."""
    st = _st()
    client_isn, server_isn = plan_settings[0][2], plan_settings[1][2]
    near = st.sampled_from([0, 1, 2, 5, 100, 70000]).map
    numbers = st.one_of(
        near(lambda k: seq_add(client_isn, k)), near(lambda k: seq_add(server_isn, k)), st.integers(0, SEQ_SPACE - 1)
    )
    flags = st.sampled_from(["RST", "RST,ACK", "SYN", "ACK", "FIN,ACK", "SYN,ACK"])
    return st.tuples(
        st.just("inject"), st.sampled_from(_SIDES), flags, numbers, numbers, st.just(65535), st.sampled_from([0, 0, 3])
    )


class _Runs(Group):
    needs = ("Endpoint",)
    examples = 30

    def plans(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def strategy(self):
        st = _st()
        sides = st.sampled_from([("client",), ("server",), ("client", "server")])
        return st.tuples(self.plans(), sides).map(lambda v: [v[0].to_wire(), list(v[1])])

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
            what = "the endpoint could not be made" if isinstance(answer, dict) else "no answer"
            error = answer.get("error") if isinstance(answer, dict) else None
            return Mismatch(what, "a run", f"raised {error}" if error else "nothing", _START, None)
        mine = answer["transcript"]
        history = _history(answer.get("history"))
        ends = answer.get("ends")
        ends = tuple(ends) if isinstance(ends, list) and all(type(e) is int for e in ends) else None
        for number, theirs in enumerate(expected):
            step = reference.steps[number]
            ours = mine[number] if isinstance(mine, list) and number < len(mine) else None
            if ours == theirs:
                continue
            line = step.line or "(skipped: nothing in flight)"
            detail = RunFailure(reference, history, ends, number, sides, None)
            if not isinstance(ours, dict):
                return Mismatch(f"step {number + 1}: {line}", "the run to go on", "it stopped", _START, detail)
            if "error" in ours:
                return Mismatch(
                    f"step {number + 1}: {line}",
                    _doing(theirs, sides),
                    shown(ours["error"]),
                    _rule(step, None),
                    detail,
                )
            if ours.get("refused") != theirs.get("refused"):
                expected_text = "the call is refused (CallRefused)" if theirs.get("refused") else "the call is made"
                got = "it was refused" if ours.get("refused") else "it was made"
                return Mismatch(f"step {number + 1}: {line}", expected_text, got, _rule(step, None), detail)
            side = next(side for side in sides if ours.get(side) != theirs.get(side))
            detail = dataclasses.replace(detail, side=side)
            return Mismatch(
                what=f"step {number + 1}: {line} ({side})",
                expected=_side_doing(theirs[side]),
                got=_side_doing(ours.get(side)),
                rule=_rule(step, side),
                detail=detail,
            )
        return None


_START = "RFC 9293 3.3.1: an endpoint keeps a TCB and answers every call, segment and timer"


def _history(value: object) -> tuple[Record, ...] | None:
    if not isinstance(value, list):
        return None
    try:
        return tuple(record_from_wire(item) for item in value)
    except (TypeError, ValueError, KeyError, IndexError):
        return None


def _segment_words(sent: list[object]) -> str:
    time_us, flags, seq, ack, wnd, length, _ = sent
    ack_text = f" ack={ack}" if "ACK" in str(flags).split(",") else ""
    return f"{flags} seq={seq}{ack_text} len={length} wnd={wnd} at {time_us / 1e6:g} s"


def _side_doing(entry: object) -> str:
    if not isinstance(entry, dict):
        return repr(entry)
    sent = entry.get("sent") or []
    segments = "; ".join(_segment_words(s) for s in sent) if sent else "nothing"
    return f"sends {segments}; then {entry.get('state')}, {entry.get('received')} octets received"


def _doing(entry: dict[str, object], sides: tuple[str, ...]) -> str:
    return " / ".join(f"{side}: {_side_doing(entry.get(side))}" for side in sides)


def _rule(step, side: str | None) -> str:
    """The engine's own reason at that step, for the side that differed: the arc it took
    (with the section and what the arc sends, written as the RFC writes segments), or the
    first note it made (with its reference)."""
    for record in step.records:
        for who, arc in record.arcs:
            if side is None or who == side:
                sends = [_SENDS[action] for action in arc.actions if action in _SENDS]
                return f"RFC 9293 {section_of(arc)}: {arc}" + (f"; it sends {'; '.join(sends)}" if sends else "")
        for who, note in record.notes:
            if side is None or who == side:
                return f"{note.reference}: {note.text}"
    if step.refused:
        return step.refused
    return "RFC 9293 3.10: the engine sends nothing here and stays where it is"


# What an arc's sending actions put on the wire, as RFC 9293 writes it.
_SENDS = {
    Action.SND_SYN: "<SEQ=ISS><CTL=SYN>",
    Action.SND_SYN_ACK: "<SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, where RCV.NXT = SEG.SEQ+1 (the SYN takes one)",
    Action.SND_ACK: "<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>",
    Action.SND_FIN: "<SEQ=SND.NXT><ACK=RCV.NXT><CTL=FIN,ACK> after any queued data (the FIN takes one)",
    Action.SND_RST: "<SEQ=SND.NXT><CTL=RST>",
    Action.SND_DATA: "the data from SND.NXT, at most MSS octets a segment, as far as SND.WND allows",
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
        prefix = st.sampled_from([(*close, ("drop", 0)), close])
        moves = st.one_of(_network(waits=("1", "2", "3.5", "4", "4.5")), _calls("connect", "close"))
        return _plan(_settings(msl=("2",)), prefix, moves, size=10)


class Resets(_Runs):
    key = "resets"
    title = ("resets: refused, aborted, half-open, forged", "리셋: 거부, 강제 종료, 반열림, 위조")
    points = 3
    rfc = "RFC 9293 3.5.2-3.5.3, 3.10.5, 3.10.7; RFC 5961"

    def plans(self):
        st = _st()

        def build(settings):
            prefix = st.sampled_from([_HANDSHAKE, (("call", "client", "connect", None), ("deliver", 0)), _OPEN])
            moves = st.one_of(_network(), _calls("abort", "crash", "connect", "listen"), _injections(settings))
            return st.tuples(st.just(settings), prefix, st.lists(moves, max_size=10)).map(
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
        prefix = st.sampled_from([_OPEN, _HANDSHAKE])
        moves = st.one_of(
            st.tuples(st.just("drop"), st.integers(0, 2)),
            _network(waits=("1", "2", "3", "7")),
            _sends(20),
            _calls("close"),
        )
        return _plan(_settings(retries=(2, 3)), prefix, moves, size=14)


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
