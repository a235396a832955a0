"""The exercises (tcpedu/grade): every reference solution scores full marks and every
untouched stub nothing (nbgrader's validate and --invert), and planted bugs, each a mistake
learners make, lose exactly the groups the RFC rule they break belongs to.

The expected scores and groups are written here from what each bug breaks, not read off the
checker: a SYN,ACK that acknowledges the ISN instead of ISN+1 breaks the server's SYN,ACK and
nothing else of exercise 2, and every run of exercise 5, which all open a connection first.
"""

from __future__ import annotations

import dataclasses

import pytest

from tcpedu.grade.api import solution_source, stub_source
from tcpedu.grade.catalog import EXERCISES, exercise
from tcpedu.grade.checker import check_answer
from tcpedu.grade.exercise import text_in
from tcpedu.grade.source import Answer

ALL = {ex.key: {group.key for group in ex.groups} for ex in EXERCISES}


def en(text) -> str:
    """A feedback text in English."""
    return text_in(text, "en")


def check(key: str, source: str, origin: str = "test.py"):
    return check_answer(exercise(key), Answer(source, origin))


def failed(result) -> set[str]:
    return {group.group.key for group in result.groups if not group.passed}


@pytest.mark.parametrize("key", [ex.key for ex in EXERCISES])
def test_the_reference_solution_scores_full_marks(key):
    result = check(key, solution_source(exercise(key)))
    assert result.problem is None
    assert failed(result) == set()
    assert result.score == result.max_score == sum(group.points for group in exercise(key).groups)


@pytest.mark.parametrize("key", [ex.key for ex in EXERCISES])
def test_the_untouched_stub_scores_nothing_and_says_it_is_not_written(key):
    result = check(key, stub_source(exercise(key)), exercise(key).filename)
    assert result.score == 0 and failed(result) == ALL[key]
    for group in result.groups:
        assert "NotImplementedError" in en(group.failures[0].mismatch.got), group.group.key
        assert f"{exercise(key).filename}, line" in en(group.failures[0].mismatch.got)


@dataclasses.dataclass(frozen=True)
class Bug:
    exercise: str
    what: str
    """The mistake, as a learner makes it."""
    old: str
    """Text of the reference solution..."""
    new: str
    """...and what the learner wrote instead."""
    score: int
    groups: set[str]
    """The groups it must fail; every other passes."""


PLANTED = [
    Bug(
        "sequence-numbers",
        "comparisons with plain <",
        "return 0 < (b - a) % SEQ_SPACE < HALF",
        "return a < b",
        7,
        {"wrap-comparisons"},
    ),
    Bug(
        "sequence-numbers",
        "addition without modulo",
        "return (a + n) % SEQ_SPACE",
        "return a + n",
        8,
        {"addition"},
    ),
    Bug(
        "sequence-numbers",
        "the window's right edge accepted",
        "    return (x - left) % SEQ_SPACE < size",
        "    return (x - left) % SEQ_SPACE <= size",
        6,
        {"acceptability"},
    ),
    Bug(
        "sequence-numbers",
        "a zero window accepting any bare segment",
        "            return seg_seq == rcv_nxt",
        "            return True",
        6,
        {"acceptability"},
    ),
    Bug(
        "handshake",
        "SYN,ACK acknowledging the ISN, not ISN+1",
        "Segment(server_isn, seq_add(client_isn, 1), Flags.SYN | Flags.ACK)",
        "Segment(server_isn, client_isn, Flags.SYN | Flags.ACK)",
        7,
        {"syn-ack"},
    ),
    Bug(
        "handshake",
        "a FIN not counted in the sequence space",
        " + (1 if segment.has_fin else 0)",
        "",
        7,
        {"ack-covering"},
    ),
    Bug(
        "handshake",
        "the third ACK sent from the ISN",
        "ack = Segment(seq_add(client_isn, 1), seq_add(server_isn, 1), Flags.ACK)",
        "ack = Segment(client_isn, seq_add(server_isn, 1), Flags.ACK)",
        8,
        {"third-ack"},
    ),
    Bug(
        "handshake",
        "ack = seq + SEG.LEN without modulo 2**32",
        "return seq_add(segment.seq, length)",
        "return segment.seq + length",
        7,
        {"ack-covering"},
    ),
    Bug(
        "state-machine",
        "a FIN again in TIME-WAIT closing it",
        "    (S.TIME_WAIT, E.RCV_FIN): S.TIME_WAIT,",
        "    (S.TIME_WAIT, E.RCV_FIN): S.CLOSED,",
        9,
        {"text"},
    ),
    Bug(
        "state-machine",
        "a passive open's RST and SYN in SYN-RECEIVED closing it",
        "        return S.LISTEN  # note 1: back to LISTEN",
        "        return S.CLOSED",
        5,
        {"opening", "resets"},
    ),
    Bug(
        "state-machine",
        "simultaneous close skipping CLOSING",
        "    (S.FIN_WAIT_1, E.RCV_FIN): S.CLOSING,",
        "    (S.FIN_WAIT_1, E.RCV_FIN): S.TIME_WAIT,",
        7,
        {"closing"},
    ),
    Bug(
        "closing",
        "TIME-WAIT not restarted by a retransmitted FIN",
        "            conn.time_wait_until = now_us + 2 * conn.msl_us  # the peer's FIN again",
        "            pass",
        7,
        {"time-wait"},
    ),
    Bug(
        "closing",
        "a FIN not counted in the sequence space",
        (
            "    if conn.state in (State.ESTABLISHED, State.FIN_WAIT_1, State.FIN_WAIT_2):\n"
            "        conn.rcv_nxt = seq_add(conn.rcv_nxt, 1)"
        ),
        "    pass",
        3,
        {"active-close", "passive-close", "simultaneous-close"},
    ),
    Bug(
        "closing",
        "TIME-WAIT lasting one MSL",
        "    conn.time_wait_until = now_us + 2 * conn.msl_us\n\n\ndef close",
        "    conn.time_wait_until = now_us + conn.msl_us\n\n\ndef close",
        5,
        {"active-close", "simultaneous-close"},
    ),
    Bug(
        "endpoint",
        "SYN,ACK acknowledging the ISN, not ISN+1",
        "        self.rcv_nxt = seq_add(seg.seq, 1)\n        self.update_window(seg.wnd, seg.seq, 0)",
        "        self.rcv_nxt = seg.seq\n        self.update_window(seg.wnd, seg.seq, 0)",
        0,
        ALL["endpoint"],
    ),
    Bug(
        "endpoint",
        "TIME-WAIT not restarted by a retransmitted FIN",
        (
            "            if state is S.TIME_WAIT and seg.has_fin and seq_add(seq, seg.seg_len) == self.rcv_nxt:\n"
            "                self.time_wait()"
        ),
        "            if False:\n                pass",
        17,
        {"time-wait"},
    ),
    Bug(
        "endpoint",
        "a RST anywhere in the window accepted (no challenge ACK)",
        '            if seq != self.rcv_nxt:\n                self.ack_owed = "challenge ACK"\n                return',
        "            pass",
        17,
        {"resets"},
    ),
    Bug(
        "endpoint",
        "a RST accepted out of window",
        (
            "        if not segment_acceptable(seq, seg.seg_len, self.rcv_nxt, self.rcv_wnd):\n"
            "            if seg.has_rst:\n"
            "                return"
        ),
        (
            "        if not segment_acceptable(seq, seg.seg_len, self.rcv_nxt, self.rcv_wnd):\n"
            "            if seg.has_rst:\n"
            "                self.forget()\n"
            "                return"
        ),
        17,
        {"resets"},
    ),
    Bug(
        "endpoint",
        "the RTO never doubled",
        "        self.rto.back_off()",
        "        pass",
        5,
        # every group whose runs lose a segment twice (resets' runs are mostly forged segments)
        ALL["endpoint"] - {"half-close", "resets"},
    ),
    Bug(
        "endpoint",
        "a FIN not counted in the sequence space",
        "            self.rcv_nxt = seq_add(self.rcv_nxt, 1)\n            self.ack_owed = self.ack_owed or True",
        "            self.ack_owed = self.ack_owed or True",
        10,
        {"closing", "half-close", "time-wait", "retransmission"},
    ),
]


@pytest.mark.parametrize("bug", PLANTED, ids=[f"{bug.exercise}: {bug.what}" for bug in PLANTED])
def test_a_planted_bug_loses_exactly_the_groups_it_breaks(bug):
    source = solution_source(exercise(bug.exercise))
    assert bug.old in source, "the planted bug's text is not in the solution any more"
    result = check(bug.exercise, source.replace(bug.old, bug.new))
    assert failed(result) == bug.groups
    assert result.score == bug.score
    for group in result.groups:
        if not group.passed:
            assert group.status == "failed" and group.failures, group.group.key
            mismatch = group.failures[0].mismatch
            assert en(mismatch.expected) != en(mismatch.got)
            assert en(mismatch.rule).startswith("RFC"), en(mismatch.rule)


def test_the_wrong_syn_ack_is_shown_as_the_rfc_and_the_learner_wrote_it():
    source = solution_source(exercise("handshake"))
    result = check(
        "handshake", source.replace("Segment(server_isn, seq_add(client_isn, 1),", "Segment(server_isn, client_isn,")
    )
    (failure,) = next(group for group in result.groups if group.group.key == "syn-ack").failures
    # The smallest example is the course's own: ISNs 100 and 300.
    assert failure.example == (100, 300)
    assert en(failure.mismatch.expected) == "SYN,ACK seq=300 ack=101 len=0"
    assert en(failure.mismatch.got) == "SYN,ACK seq=300 ack=100 len=0"
    assert "RCV.NXT = SEG.SEQ + 1" in en(failure.mismatch.rule)


def test_the_same_code_gets_the_same_result_every_time():
    source = solution_source(exercise("endpoint")).replace("        self.rto.back_off()", "        pass")
    first, second = check("endpoint", source), check("endpoint", source)

    def shown(result):
        return [
            (g.group.key, g.status, [(f.example, en(f.mismatch.what), en(f.mismatch.got)) for f in g.failures])
            for g in result.groups
        ]

    assert shown(first) == shown(second)
