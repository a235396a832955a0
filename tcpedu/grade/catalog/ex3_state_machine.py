"""Exercise 3: the state machine. For every (state, event) pair RFC 9293 speaks of, the next
state, or None where it refuses the call. Graded against the transition table exhaustively:
every arc (Figure 5's, its notes', the event-processing text's) and every refusal, the
simulator's crash left out. The feedback draws the learner's own state diagram, its wrong
and missing arcs marked.
"""

from __future__ import annotations

import dataclasses
import types

from ... import kit
from ...core.states import State
from ...core.transitions import ARCS, REFUSALS, Arc, Condition, Event, Refusal
from ..exercise import Exercise, Group, Mismatch, call_learner, shown

__all__ = ["EXERCISE", "TABLE_ARCS", "TABLE_REFUSALS", "TableAnswer"]

TABLE_ARCS = tuple(arc for arc in ARCS if arc.source != "simulation")
TABLE_REFUSALS = tuple(refusal for refusal in REFUSALS if refusal.source != "simulation")
_SYNCHRONIZING = frozenset({State.CLOSED, State.LISTEN, State.SYN_SENT, State.SYN_RECEIVED})
_FAILURES = frozenset({Event.RCV_RST, Event.ABORT, Event.USER_TIMEOUT})


@dataclasses.dataclass(frozen=True)
class TableAnswer:
    """A wrong row, for the learner's diagram: (state, event, condition) and both answers."""

    state: str
    event: str
    condition: str | None
    theirs: str | None
    rfc: str | None


def _key(state: State, event: Event, condition: Condition | None) -> tuple[str, str, str | None]:
    return (state.value, event.value, condition.value if condition else None)


class _Rows(Group):
    exhaustive = True
    needs = ("next_state",)

    def rows(self) -> list[Arc | Refusal]:  # pragma: no cover - abstract
        raise NotImplementedError

    def fixed_examples(self):
        return [_key(row.state, row.event, getattr(row, "condition", None)) for row in self.rows()]

    def expect(self, example):
        state, event, condition = example
        for arc in TABLE_ARCS:
            if _key(arc.state, arc.event, arc.condition) == (state, event, condition):
                return arc.target.value
        return None  # a refusal

    def answer(self, module: types.ModuleType, payload):
        state, event, condition = payload
        value, error = call_learner(
            module, "next_state", State(state), Event(event), Condition(condition) if condition else None
        )
        if error:
            return error
        if value is None:
            return None
        if isinstance(value, State):
            return value.value
        return {"repr": repr(value)[:120], "type": type(value).__name__}

    def judge(self, example, expected, answer):
        if answer == expected:
            return None
        state, event, condition = example
        arc = next((a for a in TABLE_ARCS if _key(a.state, a.event, a.condition) == example), None)
        if arc is not None:
            rule = f"RFC 9293 {arc.source}: {arc}"
        else:
            refusal = next(r for r in TABLE_REFUSALS if (r.state.value, r.event.value) == (state, event))
            rule = (
                f'RFC 9293 {refusal.source}: {event} in {state} is refused: "error: {refusal.reason}"',
                f'RFC 9293 {refusal.source}: {state}에서 {event} 호출은 거절됩니다: "error: {refusal.reason}"',
            )
        theirs = answer if answer is None or isinstance(answer, str) else None
        when = f" ({condition})" if condition else ""
        return Mismatch(
            what=f"next_state({state}, {event}{when})",
            expected=str(expected) if expected is not None else ("None (refused)", "None (거절)"),
            got=shown(answer) if not isinstance(answer, str) else answer,
            rule=rule,
            detail=TableAnswer(state, event, condition, theirs, expected),
        )


class Opening(_Rows):
    key = "opening"
    title = ("Figure 5: opening", "Figure 5: 연결 수립")
    points = 3
    rfc = "RFC 9293 3.3.2, Figure 5"

    def rows(self):
        return [arc for arc in TABLE_ARCS if arc.in_figure and arc.state in _SYNCHRONIZING]


class Closing(_Rows):
    key = "closing"
    title = ("Figure 5: closing", "Figure 5: 연결 해제")
    points = 3
    rfc = "RFC 9293 3.3.2, 3.6, Figure 5 and its note 2"

    def rows(self):
        return [
            arc
            for arc in TABLE_ARCS
            if (arc.in_figure and arc.state not in _SYNCHRONIZING) or arc.source == "Figure 5 note 2"
        ]


class Failures(_Rows):
    key = "resets"
    title = ("resets, aborts and timeouts", "리셋, 강제 종료, 타임아웃")
    points = 2
    rfc = "RFC 9293 3.5.2-3.5.3, 3.10.5, 3.10.7.4, 3.10.8, Figure 5 notes 1 and 3"

    def rows(self):
        return [
            arc
            for arc in TABLE_ARCS
            if not arc.in_figure
            and arc.source != "Figure 5 note 2"
            and (arc.event in _FAILURES or (arc.event is Event.RCV_SYN and arc.state is State.SYN_RECEIVED))
        ]


class Text(_Rows):
    key = "text"
    title = ("the RFC's text: calls and repeated FINs", "RFC 본문: 사용자 호출과 다시 온 FIN")
    points = 1
    rfc = "RFC 9293 3.10.1-3.10.4, 3.10.7.4"

    def rows(self):
        counted = {id(arc) for group in (Opening(), Closing(), Failures()) for arc in group.rows()}
        return [arc for arc in TABLE_ARCS if id(arc) not in counted]


class Refused(_Rows):
    key = "refusals"
    title = ("calls the RFC refuses", "RFC가 거절하는 호출")
    points = 1
    rfc = "RFC 9293 3.10.1-3.10.5"

    def rows(self):
        return list(TABLE_REFUSALS)


EXERCISE = Exercise(
    number=3,
    key="state-machine",
    module="state_machine",
    title=("The state machine", "상태 기계"),
    names=("next_state",),
    allowed=(kit.State, kit.Event, kit.Condition),
    groups=(Opening(), Closing(), Failures(), Text(), Refused()),
    notebook="03_state_machine",
)
