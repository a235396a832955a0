"""In-notebook questions (tcpedu/widgets/quiz.py) and the lesson tables (tcpedu/course.py).

The right answers here are worked out from RFC 9293 by hand; the widgets must accept exactly
them, with a hint after a first wrong answer and the engine's answer after a second.
"""

from __future__ import annotations

import itertools

import pytest

from tcpedu import State, course, load_scenario, run_script
from tcpedu.widgets.quiz import ask_segment, ask_state, outcome_of
from tcpedu.words import describe_state

OPEN = "client isn 100\nserver isn 300\nserver listen\nclient connect\n"


def test_the_state_after_a_syn_reaches_a_listener_is_syn_received():
    question = ask_state(OPEN + "deliver", side="server", prompt="?")
    states = [value for _, value in question.choice.options if value is not None]
    assert State.SYN_RECEIVED in states and State.LISTEN in states
    question.choice.value = State.SYN_RECEIVED
    question.check.click()
    assert question.solved and "tcpedu-quiz-right" in question.feedback.value


def test_a_wrong_answer_gets_a_hint_first_then_the_engines_answer():
    question = ask_state(OPEN + "deliver", side="server", prompt="?")
    question.choice.value = State.ESTABLISHED
    question.check.click()
    first = question.feedback.value
    assert "tcpedu-quiz-wrong" in first and "Hint" in first
    # A SYN arriving in LISTEN: where the RFC says what to do, and the arcs out of LISTEN to choose from.
    assert "LISTEN, RFC 9293 3.10.7.2" in first
    assert "rcv SYN / snd SYN,ACK → SYN-RECEIVED" in first and "CLOSE / delete TCB → CLOSED" in first
    assert "The engine's answer" not in first
    upcoming = question.widget.children[2].value
    assert "#1 arrives at the server" in upcoming and "SYN seq=100 len=0" in upcoming
    question.check.click()
    second = question.feedback.value
    assert "The engine's answer" in second and "<b>SYN-RECEIVED</b>" in second
    assert not question.solved


@pytest.mark.parametrize(
    ("flags", "seq", "ack", "right"),
    [
        ("SYN,ACK", "300", "101", True),  # <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, RCV.NXT = SEG.SEQ+1
        ("SYN,ACK", "300", "100", False),  # forgot that the SYN takes a sequence number
        ("ACK", "300", "101", False),
        ("SYN,ACK", "301", "101", False),
        ("SYN,ACK", " 300 ", "1_01", True),  # spaces and underscores are forgiven
        ("SYN,ACK", "three hundred", "101", False),
    ],
)
def test_the_servers_answer_to_a_syn(flags, seq, ack, right):
    question = ask_segment(OPEN + "deliver", side="server", prompt="?")
    question.flags.value, question.seq.value, question.ack.value = flags, seq, ack
    question.check.click()
    assert question.solved is right


def test_a_wrong_segment_says_which_field_is_wrong():
    question = ask_segment(OPEN + "deliver", side="server", prompt="?")
    question.flags.value, question.seq.value, question.ack.value = "SYN,ACK", "300", "100"
    question.check.click()
    assert "ack is not right" in question.feedback.value and "seq is not right" not in question.feedback.value


def test_sequence_numbers_wrap_modulo_2_32_in_the_answer():
    script = "client isn 4294967295\nserver isn 300\nserver listen\nclient connect\ndeliver\n"
    question = ask_segment(script, side="server", prompt="?")
    question.flags.value, question.seq.value, question.ack.value = "SYN,ACK", "300", "0"
    question.check.click()
    assert question.solved
    question.ack.value = "4294967296"
    question.check.click()
    assert question.attempts == 2


def test_questions_in_korean():
    question = ask_state(OPEN + "deliver", side="server", prompt={"en": "Which?", "ko": "어느 상태?"}, lang="ko")
    assert "어느 상태?" in question.prompt.value
    assert question.check.description == "확인"
    question.choice.value = State.SYN_RECEIVED
    question.check.click()
    assert "정답입니다" in question.feedback.value


def test_the_scene_is_drawn_up_to_the_last_line():
    outcome = outcome_of(OPEN + "deliver\ndeliver")
    assert outcome.event == "deliver"
    assert [r.kind for r in outcome.records] == ["deliver"]
    assert outcome.state_of("client") is State.ESTABLISHED
    question = ask_state(OPEN + "deliver\ndeliver", side="client", prompt="?")
    assert question.widget.children[1].value.count('class="segment ') == 2  # SYN and SYN,ACK so far


def test_a_question_whose_script_does_not_run_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="nothing in flight"):
        ask_state("server listen\ndeliver", side="server", prompt="?")
    with pytest.raises(ValueError, match="needs an action line"):
        ask_state("client isn 5", side="client", prompt="?")
    with pytest.raises(ValueError, match="sends nothing"):
        ask_segment(OPEN, side="server", prompt="?")  # the server sends nothing when the client connects


# ------------------------------------------------------------------------------------------------
# course tables


def test_state_table_lists_the_states_asked_for_with_their_descriptions():
    table = course.state_table(["CLOSED", "SYN-RCVD"], lang="ko")
    assert [row[0] for row in table.rows] == ["CLOSED (연결 없음)", "SYN-RECEIVED (SYN 받음)"]
    assert table.rows[1][1] == describe_state(State.SYN_RECEIVED, "ko")
    assert "<table>" in table._repr_html_()
    assert len(course.state_table().rows) == 11


def test_acknowledgements_show_ack_is_seq_plus_seg_len():
    run = run_script(load_scenario("three-way-handshake"))  # ISNs 100 and 300, 5 octets of data
    rows = course.acknowledgements(run.simulation.history).rows
    assert [(row[1], row[2], row[3]) for row in rows] == [
        ("1", "#2 ack=101", "100 + 1 = 101"),
        ("1", "#3 ack=301", "300 + 1 = 301"),
        ("5", "#5 ack=106", "101 + 5 = 106"),
    ]


def test_isn_samples_grow_with_the_clock_and_differ_between_ports():
    rows = course.isn_samples().rows
    same_port = [int(row[2]) for row in rows if row[1] == "50000"]
    # RFC 6528: M ticks every 4 microseconds, 250,000 a second; F is fixed for a 4-tuple.
    assert [b - a for a, b in itertools.pairwise(same_port)] == [250_000, 250_000, 58 * 250_000]
    others = [int(row[2]) for row in rows if row[1] != "50000"]
    assert len(set(others + same_port[:1])) == 3
