"""Exercise 1: sequence numbers, their arithmetic modulo 2**32, and Table 6's acceptability test.

A naive ``a < b`` gets the comparisons of nearby numbers right and nothing across 2**32, so
the groups separate the two: wraparound is where the points are.
"""

from __future__ import annotations

import types

from ...core.rules import segment_acceptable
from ...core.seqnum import SEQ_SPACE, seq_add, seq_ge, seq_gt, seq_le, seq_lt, seq_sub
from ..exercise import Exercise, Group, Mismatch, call_learner, shown

__all__ = ["EXERCISE"]

_HALF = SEQ_SPACE // 2
_TOP = SEQ_SPACE - 1
_COMPARE = {"seq_lt": seq_lt, "seq_le": seq_le, "seq_gt": seq_gt, "seq_ge": seq_ge}
_SIGN = {"seq_lt": "<", "seq_le": "=<", "seq_gt": ">", "seq_ge": ">="}


def _strategies():
    from hypothesis import strategies as st

    anywhere = st.integers(0, _TOP)
    below_wrap = st.integers(SEQ_SPACE - 3000, _TOP)
    above_wrap = st.integers(0, 3000)
    edges = st.sampled_from([0, 1, _HALF - 1, _HALF, _HALF + 1, _TOP - 1, _TOP])
    return st, anywhere, below_wrap, above_wrap, edges


def _value(value: object, kind: type) -> object:
    """What the child sends back for a result: the value if it has the right type."""
    if type(value) is kind:
        return value
    return {"repr": repr(value)[:120], "type": type(value).__name__}


def _distance(a: int, b: int) -> tuple[str, str]:
    ahead = seq_sub(b, a)
    if ahead == 0:
        return (f"{b} is {a}", f"두 수가 같음({a})")
    if ahead < _HALF:
        return (f"{b} is {ahead} ahead of {a}", f"{b}: {a}보다 {ahead}만큼 앞섬")
    return (f"{b} is {SEQ_SPACE - ahead} behind {a}", f"{b}: {a}보다 {SEQ_SPACE - ahead}만큼 뒤짐")


class Addition(Group):
    key = "addition"
    title = ("adding modulo 2**32", "모듈로 2**32 덧셈")
    points = 2
    rfc = "RFC 9293 3.4"
    needs = ("seq_add",)

    def strategy(self):
        st, anywhere, below_wrap, above_wrap, edges = _strategies()
        return st.tuples(st.one_of(below_wrap, edges, anywhere), st.one_of(above_wrap, st.integers(0, _TOP), edges))

    def expect(self, example):
        a, n = example
        return seq_add(a, n)

    def answer(self, module: types.ModuleType, payload):
        a, n = payload
        value, error = call_learner(module, "seq_add", a, n)
        return error or _value(value, int)

    def judge(self, example, expected, answer):
        if answer == expected:
            return None
        a, n = example
        return Mismatch(
            what=f"seq_add({a}, {n})",
            expected=str(expected),
            got=shown(answer),
            rule=(
                (
                    f"RFC 9293 3.4: all arithmetic on sequence numbers is modulo 2**32, so {a} + {n} "
                    f"= {a + n} wraps to {expected}",
                    f"RFC 9293 3.4: 순서 번호의 모든 연산은 모듈로 2**32입니다. {a} + {n} = {a + n}, "
                    f"2**32 이상이므로 한 바퀴 돌아 결과는 {expected}",
                )
                if a + n >= SEQ_SPACE
                else (
                    f"RFC 9293 3.4: {a} + {n} = {expected}, a number from 0 to 2**32 - 1",
                    f"RFC 9293 3.4: {a} + {n} = {expected}, 0부터 2**32 - 1 사이의 수",
                )
            ),
        )


class _Comparisons(Group):
    needs = tuple(_COMPARE)

    def expect(self, example):
        name, a, b = example
        return _COMPARE[name](a, b)

    def answer(self, module: types.ModuleType, payload):
        name, a, b = payload
        value, error = call_learner(module, name, a, b)
        return error or _value(value, bool)

    def judge(self, example, expected, answer):
        if answer == expected:
            return None
        name, a, b = example
        return Mismatch(
            what=f"{name}({a}, {b})",
            expected=str(expected),
            got=shown(answer),
            rule=(
                f"RFC 9293 3.4: sequence numbers are compared modulo 2**32 ({_distance(a, b)[0]}), "
                f"so {a} {_SIGN[name]} {b} is {expected}",
                f"RFC 9293 3.4: 순서 번호는 모듈로 2**32 연산으로 비교합니다({_distance(a, b)[1]}). "
                f"따라서 {a} {_SIGN[name]} {b}의 값은 {expected}",
            ),
        )


class NearbyComparisons(_Comparisons):
    key = "nearby-comparisons"
    title = ("comparing numbers far from 2**32", "2**32에서 먼 수의 비교")
    points = 1
    rfc = "RFC 9293 3.4"

    def strategy(self):
        st, *_ = _strategies()
        quarter = _HALF // 2
        return st.integers(quarter, 3 * quarter).flatmap(
            lambda a: st.tuples(
                st.sampled_from(sorted(_COMPARE)), st.just(a), st.integers(a - quarter + 1, a + quarter - 1)
            )
        )


class WrapComparisons(_Comparisons):
    key = "wrap-comparisons"
    title = ("comparing across 2**32", "2**32 경계를 넘나드는 비교")
    points = 3
    rfc = "RFC 9293 3.4"

    def strategy(self):
        st, anywhere, below_wrap, above_wrap, edges = _strategies()
        pairs = st.one_of(
            st.tuples(below_wrap, above_wrap),
            st.tuples(above_wrap, below_wrap),
            st.tuples(anywhere, anywhere),
            st.tuples(edges, edges),
        ).filter(lambda pair: seq_sub(pair[1], pair[0]) != _HALF)  # exactly half apart: undefined
        return st.tuples(st.sampled_from(sorted(_COMPARE)), pairs).map(lambda t: (t[0], *t[1]))


class Acceptability(Group):
    key = "acceptability"
    title = ("Table 6: is a segment acceptable?", "Table 6: 받아들일 수 있는 세그먼트인가?")
    points = 4
    rfc = "RFC 9293 3.10.7.4 (Table 6)"
    needs = ("acceptable",)

    def strategy(self):
        st, anywhere, below_wrap, _, edges = _strategies()
        rcv_nxt = st.one_of(below_wrap, edges, anywhere)
        rcv_wnd = st.one_of(st.just(0), st.integers(1, 5), st.integers(1, 65535))
        seg_len = st.one_of(st.just(0), st.integers(1, 5), st.integers(1, 70000))

        def around(values):
            nxt, wnd, length = values
            offsets = st.one_of(
                st.integers(-8, 8), st.integers(wnd - 8, wnd + 8), st.integers(-length - 8, -length + 8)
            )
            return offsets.map(lambda offset: (seq_add(nxt, offset % SEQ_SPACE), length, nxt, wnd))

        return st.tuples(rcv_nxt, rcv_wnd, seg_len).flatmap(around)

    def expect(self, example):
        return segment_acceptable(*example)

    def answer(self, module: types.ModuleType, payload):
        value, error = call_learner(module, "acceptable", *payload)
        return error or _value(value, bool)

    def judge(self, example, expected, answer):
        if answer == expected:
            return None
        seq, seg_len, rcv_nxt, rcv_wnd = example
        end = seq_add(rcv_nxt, rcv_wnd)
        if seg_len == 0 and rcv_wnd == 0:
            test = (
                f"SEG.LEN = 0 and RCV.WND = 0: acceptable only if SEG.SEQ = RCV.NXT ({seq} vs {rcv_nxt})",
                f"SEG.LEN = 0이고 RCV.WND = 0: SEG.SEQ = RCV.NXT일 때만 수신 가능 ({seq}, {rcv_nxt})",
            )
        elif seg_len == 0:
            test = (
                f"SEG.LEN = 0: acceptable if RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND ({rcv_nxt} =< {seq} < {end})",
                f"SEG.LEN = 0: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND이면 수신 가능 ({rcv_nxt} =< {seq} < {end})",
            )
        elif rcv_wnd == 0:
            test = ("SEG.LEN > 0 and RCV.WND = 0: never acceptable", "SEG.LEN > 0이고 RCV.WND = 0: 언제나 수신 불가")
        else:
            last = seq_add(seq, seg_len - 1)
            window = f"{rcv_nxt}..{seq_add(end, -1 % SEQ_SPACE)}"
            test = (
                f"SEG.LEN > 0: acceptable if the first ({seq}) or the last ({last}) sequence number "
                f"lies in RCV.NXT..RCV.NXT+RCV.WND-1 ({window}), modulo 2**32",
                f"SEG.LEN > 0: 첫 순서 번호({seq})나 마지막 순서 번호({last})가 모듈로 2**32 연산으로 "
                f"RCV.NXT..RCV.NXT+RCV.WND-1({window}) 안에 있으면 수신 가능",
            )
        return Mismatch(
            what=f"acceptable(seg_seq={seq}, seg_len={seg_len}, rcv_nxt={rcv_nxt}, rcv_wnd={rcv_wnd})",
            expected=str(expected),
            got=shown(answer),
            rule=(f"RFC 9293 3.10.7.4, Table 6: {test[0]}", f"RFC 9293 3.10.7.4, Table 6: {test[1]}"),
        )


EXERCISE = Exercise(
    number=1,
    key="sequence-numbers",
    module="sequence_numbers",
    title=("Sequence numbers", "순서 번호"),
    names=("seq_add", "seq_lt", "seq_le", "seq_gt", "seq_ge", "acceptable"),
    allowed=(),
    groups=(Addition(), NearbyComparisons(), WrapComparisons(), Acceptability()),
    notebook="01_sequence_numbers",
)
