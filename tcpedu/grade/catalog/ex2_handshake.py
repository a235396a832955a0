"""Exercise 2: the three segments of a three-way handshake, and what acknowledges a segment.

The reference is the engine itself: a simulated client and server with the two ISNs, opening
a connection, give the three segments; ``ack_covering`` (SEG.SEQ + SEG.LEN, the SYN and the
FIN counting one each) gives the acknowledgement. The feedback draws the learner's handshake
beside the engine's, the first wrong segment marked.
"""

from __future__ import annotations

import dataclasses
import types

from ... import kit
from ...core.rules import ack_covering
from ...core.segment import Flags, Segment
from ...core.seqnum import SEQ_SPACE, seq_add
from ...sim.simulation import Simulation
from ..exercise import Exercise, Group, Mismatch, call_learner, shown

__all__ = ["EXERCISE", "handshake_history", "segment_fields"]

_TOP = SEQ_SPACE - 1
_NAMES = ("SYN", "SYN,ACK", "ACK")
_WHO = (("client", "server"), ("server", "client"), ("client", "server"))
_WHO_KO = ("클라이언트 → 서버", "서버 → 클라이언트", "클라이언트 → 서버")


def segment_fields(segment: object) -> object:
    """A learner's segment as the child sends it back: its fields, or what it is instead."""
    if isinstance(segment, Segment):
        return {"flags": str(segment.flags), "seq": segment.seq, "ack": segment.ack, "len": len(segment.data)}
    return {"repr": repr(segment)[:120], "type": type(segment).__name__}


def _in_words(fields: object) -> str:
    if isinstance(fields, dict) and "flags" in fields:
        ack = f" ack={fields['ack']}" if "ACK" in fields["flags"].split(",") else ""
        return f"{fields['flags']} seq={fields['seq']}{ack} len={fields['len']}"
    return shown(fields)


def handshake_history(client_isn: int, server_isn: int):
    """The engine's handshake: (history, the three packets in the order they were sent)."""
    sim = Simulation(client_isn=client_isn, server_isn=server_isn)
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.deliver_all()
    packets = [packet for record in sim.history for packet in record.sent]
    return sim.history, packets


def _isns():
    """Two ISNs, the server's 200 or more after the client's (so the smallest example is the
    course's 100 and 300), the client's now and then just below 2**32."""
    from hypothesis import strategies as st

    client = st.one_of(st.integers(100, _TOP), st.integers(SEQ_SPACE - 3, _TOP))
    return st.tuples(client, st.integers(0, SEQ_SPACE - 400)).map(lambda t: (t[0], seq_add(t[0], 200 + t[1])))


class _Segment(Group):
    """One of the three segments of the handshake."""

    position = 0
    needs = ("handshake",)

    def strategy(self):
        return _isns()

    def expect(self, example):
        _, packets = handshake_history(*example)
        return [segment_fields(packet.segment) for packet in packets]

    def answer(self, module: types.ModuleType, payload):
        value, error = call_learner(module, "handshake", *payload)
        if error:
            return error
        if not isinstance(value, (list, tuple)):
            return {"repr": repr(value)[:120], "type": type(value).__name__}
        return [segment_fields(segment) for segment in value]

    def judge(self, example, expected, answer):
        client_isn, server_isn = example
        call = f"handshake(client_isn={client_isn}, server_isn={server_isn})"
        three = ("three segments", "세그먼트 세 개")
        if isinstance(answer, dict):
            return Mismatch(call, three, shown(answer), self.rule(example), None)
        if len(answer) != 3:
            return Mismatch(call, three, (f"{len(answer)} of them", f"{len(answer)}개"), self.rule(example), None)
        mine, theirs = answer[self.position], expected[self.position]
        if _same(mine, theirs):
            return None
        return Mismatch(
            what=(
                f"{call}: the {_NAMES[self.position]} ({_WHO[self.position][0]} to {_WHO[self.position][1]})",
                f"{call}: {_NAMES[self.position]} ({_WHO_KO[self.position]})",
            ),
            expected=_in_words(theirs),
            got=_in_words(mine),
            rule=self.rule(example),
            detail=HandshakePictures(client_isn, server_isn, tuple(answer), self.position),
        )

    def rule(self, example) -> tuple[str, str]:  # pragma: no cover - each segment says its own
        raise NotImplementedError


def _same(mine: object, theirs: dict[str, object]) -> bool:
    """Flags, seq and (when the ACK flag is on) ack; no data on a handshake segment."""
    if not isinstance(mine, dict) or "flags" not in mine:
        return False
    if mine["flags"] != theirs["flags"] or mine["seq"] != theirs["seq"] or mine["len"] != theirs["len"]:
        return False
    return "ACK" not in theirs["flags"].split(",") or mine["ack"] == theirs["ack"]


class FirstSyn(_Segment):
    key = "syn"
    title = ("the client's SYN", "클라이언트의 SYN")
    points = 2
    rfc = "RFC 9293 3.5"
    position = 0

    def rule(self, example):
        return (
            f"RFC 9293 3.5 (Figure 6): the client opens with <SEQ=ISS><CTL=SYN>: SYN seq={example[0]}, no ACK",
            f"RFC 9293 3.5 (Figure 6): 클라이언트는 <SEQ=ISS><CTL=SYN>으로 시작합니다: SYN seq={example[0]}, ACK 없음",
        )


class SynAck(_Segment):
    key = "syn-ack"
    title = ("the server's SYN,ACK", "서버의 SYN,ACK")
    points = 3
    rfc = "RFC 9293 3.5, 3.10.7.2"
    position = 1

    def rule(self, example):
        client_isn, server_isn = example
        return (
            f"RFC 9293 3.10.7.2: a listener answers a SYN with <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, where "
            f"RCV.NXT = SEG.SEQ + 1 because the SYN takes one sequence number: SYN,ACK seq={server_isn} "
            f"ack={seq_add(client_isn, 1)}",
            f"RFC 9293 3.10.7.2: LISTEN 상태는 SYN에 <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>로 응답합니다. "
            f"SYN이 순서 번호 하나를 차지하므로 RCV.NXT = SEG.SEQ + 1: SYN,ACK seq={server_isn} "
            f"ack={seq_add(client_isn, 1)}",
        )


class ThirdAck(_Segment):
    key = "third-ack"
    title = ("the client's ACK", "클라이언트의 ACK")
    points = 2
    rfc = "RFC 9293 3.10.7.3"
    position = 2

    def rule(self, example):
        client_isn, server_isn = example
        return (
            f"RFC 9293 3.10.7.3: the client acknowledges the SYN,ACK with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>: "
            f"its SYN took ISS, so SND.NXT = {seq_add(client_isn, 1)}; the server's SYN took {server_isn}, "
            f"so RCV.NXT = {seq_add(server_isn, 1)}",
            f"RFC 9293 3.10.7.3: 클라이언트는 SYN,ACK를 <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>로 확인응답합니다. "
            f"자신의 SYN이 ISS를 차지했으므로 SND.NXT = {seq_add(client_isn, 1)}, 서버의 SYN이 "
            f"차지한 순서 번호는 {server_isn}, 따라서 RCV.NXT = {seq_add(server_isn, 1)}",
        )


class AckFor(Group):
    key = "ack-covering"
    title = ("ack = seq + SEG.LEN (SYN and FIN count one)", "ack = seq + SEG.LEN (SYN과 FIN은 1)")
    points = 3
    rfc = "RFC 9293 3.4"
    needs = ("ack_for",)

    def strategy(self):
        from hypothesis import strategies as st

        flags = st.sampled_from(["SYN", "SYN,ACK", "ACK", "FIN,ACK", "SYN,FIN", "FIN"])
        length = st.one_of(st.just(0), st.integers(1, 1460))
        return st.tuples(_isns().map(lambda isns: isns[0]), flags, length)

    def payload(self, example):
        return example

    def expect(self, example):
        seq, flags, length = example
        return ack_covering(Segment(seq, 0, Flags.parse(flags), data=b"x" * length))

    def answer(self, module: types.ModuleType, payload):
        seq, flags, length = payload
        segment = Segment(seq, 0, Flags.parse(flags), data=b"x" * length)
        value, error = call_learner(module, "ack_for", segment)
        if error:
            return error
        return value if type(value) is int else {"repr": repr(value)[:120], "type": type(value).__name__}

    def judge(self, example, expected, answer):
        if answer == expected:
            return None
        seq, flags, length = example
        counted = [f"{length} octets of data"] + [f"1 for the {flag}" for flag in ("SYN", "FIN") if flag in flags]
        counted_ko = [f"데이터 {length}바이트"] + [f"{flag} 1" for flag in ("SYN", "FIN") if flag in flags]
        return Mismatch(
            what=f"ack_for({flags} seq={seq} len={length})",
            expected=str(expected),
            got=shown(answer),
            rule=(
                f"RFC 9293 3.4: the acknowledgement is SEG.SEQ + SEG.LEN, where SEG.LEN counts "
                f"{' and '.join(counted)}; modulo 2**32 that is {expected}",
                f"RFC 9293 3.4: 확인응답 번호는 SEG.SEQ + SEG.LEN이고 SEG.LEN은 {', '.join(counted_ko)}의 합입니다. "
                f"모듈로 2**32 연산으로 계산한 값: {expected}",
            ),
        )


@dataclasses.dataclass(frozen=True)
class HandshakePictures:
    """What the feedback draws: the engine's handshake and the learner's, ``position`` wrong."""

    client_isn: int
    server_isn: int
    answer: tuple[object, ...]
    position: int


EXERCISE = Exercise(
    number=2,
    key="handshake",
    module="handshake",
    title=("The three-way handshake", "3-way 핸드셰이크"),
    names=("handshake", "ack_for"),
    allowed=(kit.Segment, kit.Flags, kit.seq_add, kit.seq_sub, kit.SEQ_SPACE, kit.MAX_WINDOW),
    groups=(FirstSyn(), SynAck(), ThirdAck(), AckFor()),
    notebook="02_handshake",
)
