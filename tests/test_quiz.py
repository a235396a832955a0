"""In-notebook questions (tcpedu/widgets/quiz.py) and the lesson tables (tcpedu/course.py).

The right answers here are worked out from RFC 9293 by hand; the widgets must accept exactly
them, with a hint after a first wrong answer and the engine's answer after a second.
"""

from __future__ import annotations

import html
import itertools

import pytest

from tcpedu import State, course, load_scenario, run_script
from tcpedu.widgets.quiz import ask_choice, ask_segment, ask_state, ask_time, outcome_of
from tcpedu.words import describe_state

OPEN = "client isn 100\nserver isn 300\nserver listen\nclient connect\n"
CLOSE = OPEN + "deliver all\nclient close\ndeliver all\nserver close\n"  # the server's FIN in flight


def test_the_state_after_a_syn_reaches_a_listener_is_syn_received():
    question = ask_state(OPEN + "deliver", side="server")
    states = [value for _, value in question.choice.options if value is not None]
    assert State.SYN_RECEIVED in states and State.LISTEN in states
    assert "Which state is the server in after «deliver»?" in question.prompt.value
    question.choice.value = State.SYN_RECEIVED
    question.check.click()
    assert question.solved and "tcpedu-quiz-right" in question.feedback.value


def test_a_wrong_answer_gets_a_hint_first_then_the_engines_answer():
    question = ask_state(OPEN + "deliver", side="server")
    question.choice.value = State.ESTABLISHED
    question.check.click()
    first = question.feedback.value
    assert "tcpedu-quiz-wrong" in first and "Hint" in first
    assert "The engine&#x27;s answer" not in first and "The engine's answer" not in first
    upcoming = question.widget.children[2].value
    assert "#1 arrives at the server" in upcoming and "SYN seq=100 len=0" in upcoming
    assert "SYN,ACK" not in upcoming  # what follows is the answer: not shown before
    question.check.click()
    second = question.feedback.value
    assert "The engine's answer" in second and "<b>SYN-RECEIVED</b>" in second
    assert not question.solved


def test_the_prompt_is_the_scenes_title_in_the_learners_language():
    scene = "# When the SYN arrives?\n#ko: SYN이 도착하면?\n" + OPEN + "deliver"
    assert "When the SYN arrives?" in ask_state(scene, side="server").prompt.value
    assert "SYN이 도착하면?" in ask_state(scene, side="server", lang="ko").prompt.value


# Hints aimed at the mistake, for the misconceptions the review of lesson 1 lists.
@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        # ack = seq: the SYN takes a sequence number (RFC 9293 3.4)
        (("SYN,ACK", "300", "100"), "ack = seq + SEG.LEN, and the SYN counts one"),
        # only the ACK: the server must send its own SYN too (Figure 6 line 3)
        (("ACK", "300", "101"), "must also send its own SYN"),
        (("RST,ACK", "0", "101"), "A RST answers a segment that belongs to no connection"),
        # the SYN carries the ISN itself, not ISN + 1
        (("SYN,ACK", "301", "101"), "A SYN carries the sender's own ISN"),
        (("SYN,ACK", "101", "101"), "seq counts this side's own sequence numbers"),
    ],
)
def test_a_wrong_segment_gets_a_hint_about_its_mistake(answer, hint):
    question = ask_segment(OPEN + "deliver", side="server")
    question.flags.value, question.seq.value, question.ack.value = answer
    question.check.click()
    assert not question.solved
    assert hint in html.unescape(question.feedback.value)
    assert "→" not in question.feedback.value  # not a list of arcs


@pytest.mark.parametrize(
    ("flags", "seq", "ack", "right"),
    [
        ("SYN,ACK", "300", "101", True),  # <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, RCV.NXT = SEG.SEQ+1
        ("SYN,ACK", "300", "100", False),
        ("ACK", "300", "101", False),
        ("SYN,ACK", "301", "101", False),
        ("SYN,ACK", " 300 ", "1_01", True),  # spaces and underscores are forgiven
        ("SYN,ACK", "three hundred", "101", False),
    ],
)
def test_the_servers_answer_to_a_syn(flags, seq, ack, right):
    question = ask_segment(OPEN + "deliver", side="server")
    question.flags.value, question.seq.value, question.ack.value = flags, seq, ack
    question.check.click()
    assert question.solved is right


def test_a_plain_fin_is_offered_and_told_that_an_established_side_always_acks():
    # RFC 9293 3.1: once established the ACK field is always sent; Figure 12 shows <CTL=FIN,ACK>.
    question = ask_segment(OPEN + "deliver all\nclient close", side="client")
    assert "FIN" in [value for _, value in question.flags.options]
    question.flags.value, question.seq.value, question.ack.value = "FIN", "101", "301"
    question.check.click()
    assert "flags is not right" in question.feedback.value and "seq is not right" not in question.feedback.value
    assert "a FIN goes out as FIN,ACK" in question.feedback.value
    question.flags.value = "FIN,ACK"
    question.check.click()
    assert question.solved


def test_an_ack_that_forgets_the_fin_or_the_data_is_told_so():
    data = OPEN + "deliver all\nclient send 100\ndeliver"  # seq=101, 100 octets: ack = 201
    question = ask_segment(data, side="server")
    question.flags.value, question.seq.value, question.ack.value = "ACK", "301", "101"
    question.check.click()
    assert "after the 100 octets of data" in question.feedback.value
    fin = ask_segment(OPEN + "deliver all\nclient close\ndeliver", side="server")  # FIN seq=101: ack = 102
    fin.flags.value, fin.seq.value, fin.ack.value = "ACK", "301", "101"
    fin.check.click()
    assert "a FIN counts one" in fin.feedback.value


def test_sequence_numbers_wrap_modulo_2_32_in_the_answer_and_the_hint():
    script = "client isn 4294967295\nserver isn 300\nserver listen\nclient connect\ndeliver\n"
    question = ask_segment(script, side="server")
    question.flags.value, question.seq.value, question.ack.value = "SYN,ACK", "300", "4294967296"
    question.check.click()
    assert "after 4294967295 comes 0" in question.feedback.value
    question.ack.value = "0"
    question.check.click()
    assert question.solved and question.attempts == 2


def test_time_wait_on_the_wrong_side_is_told_whose_it_is():
    # RFC 9293 3.6.1: the side that closes first (actively) enters TIME-WAIT; the other, in LAST-ACK,
    # goes to CLOSED when the ACK of its FIN arrives.
    question = ask_state(CLOSE + "deliver\ndeliver", side="server")
    question.choice.value = State.TIME_WAIT
    question.check.click()
    assert "TIME-WAIT belongs to the side that closed first" in question.feedback.value
    question.choice.value = State.CLOSED
    question.check.click()
    assert question.solved


def test_a_side_already_in_time_wait_is_not_told_time_wait_is_the_other_sides():
    # RFC 9293 3.10.7.4 (TIME-WAIT, second check): a RST at RCV.NXT ends TIME-WAIT early (RFC 1337's
    # "assassination"); the learner who keeps TIME-WAIT is wrong about the RST, not about the side.
    question = ask_state(CLOSE + "deliver\ndeliver\ninject client RST seq=302", side="client")  # RCV.NXT: FIN 301
    question.choice.value = State.TIME_WAIT
    question.check.click()
    assert "belongs to the side that closed first" not in question.feedback.value
    assert "not ignored in TIME-WAIT" in question.feedback.value


def test_a_fin_that_overtakes_data_is_told_that_segments_are_processed_in_sequence():
    # RFC 9293 3.10.7.4: "Segments are processed in sequence"; a FIN beyond RCV.NXT waits (SHLD-31).
    scene = OPEN + "deliver all\nclient close\ndeliver all\nserver send 100\nserver close\ndeliver server 2\n"
    question = ask_state(scene, side="client")
    assert question.expected is State.FIN_WAIT_2
    question.choice.value = State.TIME_WAIT
    question.check.click()
    assert "processed in sequence" in question.feedback.value


def test_a_side_that_sent_its_fin_is_told_the_fin_took_a_number_and_goes_once():
    # RFC 9293 3.4: a FIN occupies one sequence number; Figure 13: B answers A's FIN with an ACK from after its
    # own FIN (here the server's FIN is 301, so ACK seq=302 ack=102).
    question = ask_segment(OPEN + "deliver all\nclient close\nserver close\ndeliver client\n", side="server")
    question.flags.value, question.seq.value, question.ack.value = "FIN,ACK", "301", "102"
    question.check.click()
    assert (
        "a FIN goes out once" in question.feedback.value and "a FIN takes a sequence number" in question.feedback.value
    )


def test_a_passive_connection_reset_goes_back_to_listen_not_closed():
    # RFC 9293 3.10.7.4 (SYN-RECEIVED, RST): "if this connection was initiated with a passive OPEN
    # ... return this connection to LISTEN state".
    scene = "client isn 100\nserver isn 300\nserver listen\ninject server SYN seq=90\ninject server RST seq=91"
    question = ask_state(scene, side="server")
    question.choice.value = State.CLOSED
    question.check.click()
    assert "goes back to LISTEN" in question.feedback.value


# ------------------------------------------------------------------------------------------------
# At what time?


def test_time_the_third_syn_leaves_1_then_3_seconds():
    # RFC 6298 2.1: RTO starts at 1 s; 5.5: it doubles at each expiry. Lost at 0 and 1: next at 1 + 2 = 3 s.
    scene = "client isn 100\nclient connect\ndrop\nwait next\ndrop\nwait next\n"
    question = ask_time(scene)
    question.seconds.value = "2"
    question.check.click()
    assert "doubles after each expiry" in question.feedback.value
    question.seconds.value = "3 s"
    question.check.click()
    assert question.solved


def test_time_connect_gives_up_after_six_retries_at_127_seconds():
    # Linux's tcp_syn_retries = 6: SYNs at 0, 1, 3, 7, 15, 31, 63 s; the last timer expires at 127 s.
    scene = "retries 6\nclient isn 100\nclient connect\n" + "drop\nwait next\n" * 7
    question = ask_time(scene)
    assert question.decided.expected == 127
    question.seconds.value = "63"
    question.check.click()
    assert "the timer runs once more" in question.feedback.value


def test_time_a_give_up_counted_with_the_wrong_number_of_retries_is_told_so():
    # Lesson 10's server: retries 5, SYN,ACKs at 0, 1, 3, 7, 15, 31 s, given up at 63 s. 127 s is
    # where 6 retransmissions end (Linux's SYN, not its SYN,ACK), 31 s the last retransmission.
    scene = "retries 5\nclient isn 100\nclient connect\n" + "drop\nwait next\n" * 6
    question = ask_time(scene)
    assert question.decided.expected == 63
    question.seconds.value = "127"
    question.check.click()
    assert "after 6 retransmissions; this scene allows 5" in question.feedback.value
    question = ask_time(scene, lang="ko")
    question.seconds.value = "31"
    question.check.click()
    assert "한 번 더 돌고" in question.feedback.value  # the last retransmission: the timer runs once more


def test_time_a_give_up_counted_past_the_rto_cap_is_recognised():
    # The RFC profile's default, 7 retransmissions (MUST-23): SYNs at 0, 1, 3, ..., 127 s; the next
    # RTO, 128 s, is capped at 120 s (RFC 6298 2.5): given up at 247 s. 127 s ends 6 retransmissions;
    # 255 s is where 7 would end without the cap: no count of retransmissions ends there.
    scene = "client isn 100\nclient connect\n" + "drop\nwait next\n" * 8
    question = ask_time(scene)
    assert question.decided.expected == 247
    question.seconds.value = "255"
    question.check.click()
    assert "retransmissions; this scene allows" not in question.feedback.value
    question = ask_time(scene)
    question.seconds.value = "367"  # 8 retransmissions: 247 + 120
    question.check.click()
    assert "after 8 retransmissions; this scene allows 7" in question.feedback.value


def test_time_wait_restarted_by_a_repeated_fin_ends_2_msl_after_it():
    # RFC 9293 3.10.7.4: a FIN in TIME-WAIT is ACKed and the 2 MSL timeout restarted (MSL = 2 min).
    scene = CLOSE + "deliver\ndrop\nwait 1\ndeliver\ndeliver\nwait next\n"
    question = ask_time(scene, lang="ko")
    assert question.decided.expected == 241
    question.seconds.value = "240"
    question.check.click()
    assert "2*MSL 타이머를 다시 시작" in question.feedback.value
    question.seconds.value = "241초"
    question.check.click()
    assert question.solved


@pytest.mark.parametrize(("answer", "hint"), [("60", "Linux"), ("120", "MSL is 2 minutes"), ("x", "number")])
def test_time_wait_misconceptions_get_their_hint(answer, hint):
    question = ask_time(CLOSE + "deliver\ndeliver\nwait next\n")  # TIME-WAIT from t=0: over at 240 s
    question.seconds.value = answer
    question.check.click()
    assert hint in question.feedback.value


def test_a_time_question_ends_with_wait_next():
    with pytest.raises(ValueError, match="wait next"):
        ask_time(OPEN + "deliver")


# ------------------------------------------------------------------------------------------------
# Which explanation?

LOST_ACK = OPEN + 'deliver\ndeliver\ndrop\nclient send "hi"\ndeliver\n'
OPTIONS = [
    "# The server drops the data: it still waits for the ACK\n#ko: 서버는 데이터를 버린다\n"
    "expect server SYN-RECEIVED received=0\n",
    "# The data's ACK completes the handshake\n#ko: 데이터의 ACK가 핸드셰이크를 끝낸다\n"
    "expect server ESTABLISHED received=2\n",
    "# The server resets the connection\n#ko: 서버가 연결을 리셋한다\nexpect server LISTEN\n",
]


def test_a_choice_is_decided_by_running_each_option():
    # RFC 9293 3.10.7.4, SYN-RECEIVED: "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED" —
    # any acceptable ACK, the data segment's too.
    question = ask_choice(LOST_ACK, OPTIONS)
    assert question.decided.expected == 1
    assert [label for label, _ in question.choice.options][1] == "The data's ACK completes the handshake"
    question.choice.value = 0
    question.check.click()
    assert "the engine disagrees at line" in question.feedback.value and "ESTABLISHED" in question.feedback.value
    assert not question.run_buttons
    question.choice.value = 1
    question.check.click()
    assert question.solved and len(question.run_buttons) == 3
    question.run_buttons[0].click()
    assert "the engine disagrees" in question.shown.value and "<svg" in question.shown.value
    question.run_buttons[1].click()
    assert "the engine agrees" in question.shown.value


def test_a_choice_in_korean_and_one_with_no_single_true_option_is_refused():
    question = ask_choice(LOST_ACK, OPTIONS, lang="ko")
    assert question.choice.options[0][0] == "서버는 데이터를 버린다"
    with pytest.raises(ValueError, match="exactly one option"):
        ask_choice(LOST_ACK, [OPTIONS[0], OPTIONS[2]])
    with pytest.raises(ValueError, match="comment line"):
        ask_choice(LOST_ACK, ["expect server ESTABLISHED\n"])


def test_a_wrong_option_is_told_its_own_words_for_what_is_wrong_with_it():
    wrong = "# The server resets the connection\n#ko: 서버가 연결을 리셋한다\n# No: its ACK is acceptable.\n"
    wrong += "#ko: 아니다: ACK가 받아들일 만하다.\nexpect server LISTEN\n"
    question = ask_choice(LOST_ACK, [OPTIONS[0], OPTIONS[1], wrong], lang="ko")
    question.choice.value = 2
    question.check.click()
    assert "아니다: ACK가 받아들일 만하다." in question.feedback.value
    assert "엔진의 결과와 다름" in question.decided.hint(0, "ko")  # no words of its own: where the engine disagrees


def test_where_the_engine_disagrees_is_said_in_the_learners_language():
    question = ask_choice(LOST_ACK, OPTIONS, lang="ko")
    question.choice.value = 1
    question.check.click()
    question.run_buttons[0].click()
    shown = question.shown.value
    assert "엔진의 결과와 다름" in shown and "실제로는" in shown
    assert "expected" not in shown and " but " not in shown and " is " not in shown


def test_questions_in_korean():
    question = ask_state(OPEN + "deliver", side="server", lang="ko")
    assert "서버 쪽은 어떤 상태일까요?" in question.prompt.value
    assert question.check.description == "확인"
    question.choice.value = State.SYN_RECEIVED
    question.check.click()
    assert "정답입니다" in question.feedback.value


def test_the_scene_is_drawn_up_to_the_last_line():
    outcome = outcome_of(OPEN + "deliver\ndeliver")
    assert outcome.event == "deliver"
    assert [r.kind for r in outcome.records] == ["deliver"]
    assert outcome.state_of("client") is State.ESTABLISHED
    question = ask_state(OPEN + "deliver\ndeliver", side="client")
    assert question.widget.children[1].value.count('class="segment ') == 2  # SYN and SYN,ACK so far


def test_a_question_whose_script_does_not_run_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="nothing in flight"):
        ask_state("server listen\ndeliver", side="server")
    with pytest.raises(ValueError, match="needs an action line"):
        ask_state("client isn 5", side="client")
    with pytest.raises(ValueError, match="sends nothing"):
        ask_segment(OPEN, side="server")  # the server sends nothing when the client connects


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


# ------------------------------------------------------------------------------------------------
# Timer hints aimed at the mistake (lessons 3-5)


def test_the_data_after_a_retransmitted_syn_waits_3_seconds_and_a_wrong_guess_is_told_why():
    # RFC 6298 5.7: the SYN's timer expired, so the data phase starts with RTO = 3 s. The SYN was
    # lost once: the handshake ends at t = 1, the data leaves at t = 1 and is resent at 1 + 3 = 4.
    scene = OPEN + "drop\nwait next\ndeliver all\nclient send 100\ndrop\nwait next\n"
    question = ask_time(scene)
    assert question.decided.expected == 4
    for wrong in ("2", "3"):  # RTO back to 1 s; the backed-off RTO of 2 s kept
        question.seconds.value = wrong
        question.check.click()
        assert "5.7" in question.feedback.value and "3 s" in question.feedback.value
        question.attempts = 0


def test_a_timer_stopped_by_a_return_to_listen_is_named_in_the_hint():
    # The old SYN (t = 0.4) starts the server's SYN,ACK timer (due 1.4); the client's SYN, in the
    # window, sends the server back to LISTEN (RFC 9293 3.10.7.4, fourth check), which stops it. The
    # client's own SYN timer, started at 0, fires at 1.
    scene = OPEN + "wait 0.4\ninject server SYN seq=90\ndeliver server\ndeliver client\ndeliver client\nwait next\n"
    question = ask_time(scene, lang="ko")
    assert question.decided.expected == 1
    question.seconds.value = "1.4"
    question.check.click()
    assert "LISTEN 상태로 가면서 멈췄습니다" in question.feedback.value


def test_a_segment_sent_while_the_timer_runs_does_not_restart_it():
    # RFC 6298 5.1: A's SYN,ACK at 0.5 (its SYN again, seq 100) finds the timer of its SYN of t = 0
    # running: the timer fires at 1, not at 0.5 + 1.
    scene = "client isn 100\nserver isn 300\nclient connect\ndrop\nwait 0.5\nserver connect\ndeliver\ndrop\nwait next\n"
    question = ask_time(scene)
    assert question.decided.expected == 1
    question.seconds.value = "1.5"
    question.check.click()
    assert "did not restart it" in question.feedback.value


def test_a_rst_with_an_ack_where_the_rst_takes_its_seq_from_the_ack_gets_its_own_hint():
    # RFC 9293 3.10.7.3 (Figure 8 line 5): a SYN,ACK acknowledging 91 in SYN-SENT (ISS 100) gets
    # <SEQ=SEG.ACK><CTL=RST>, with no ACK bit.
    question = ask_segment(OPEN + "inject server SYN seq=90\ndeliver server\n", side="client")
    question.flags.value, question.seq.value = "RST,ACK", "91"
    question.check.click()
    assert "acknowledges nothing" in question.feedback.value


def test_an_answer_to_an_old_syn_that_resends_the_syn_ack_is_told_it_is_linuxs_not_the_rfcs():
    # The SYN,ACK is lost; the repeated SYN (seq 100 < RCV.NXT 101) reaches SYN-RECEIVED: RFC 9293
    # 3.10.7.4 answers <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>; Linux's tcp_check_req resends the SYN,ACK.
    question = ask_segment(OPEN + "deliver\ndrop\nwait next\ndeliver\n", side="server")
    question.flags.value, question.seq.value, question.ack.value = "SYN,ACK", "300", "101"
    question.check.click()
    assert "That is what Linux does" in html.unescape(question.feedback.value)


def test_a_syn_ack_acknowledging_a_syn_never_sent_is_explained_with_the_iss():
    # Figure 8: ack = 91 reaches SYN-SENT with ISS 100; only 101 is acceptable (RFC 9293 3.10.7.3).
    question = ask_segment(OPEN + "inject server SYN seq=90\ndeliver server\n", side="client", lang="ko")
    question.flags.value, question.seq.value, question.ack.value = "ACK", "101", "301"
    question.check.click()
    assert "받아들일 수 있는 확인응답 번호는 101 하나입니다" in question.feedback.value


# Lesson 9: an abort's reset, and the ACK of a segment that was not taken in.
ABORT = OPEN + "deliver all\nclient send 100\ndrop\nclient abort\n"  # SND.UNA 101, SND.NXT 201


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        # RFC 9293 3.10.5: ABORT sends <SEQ=SND.NXT><CTL=RST>, not the FIN that CLOSE sends
        (("FIN,ACK", "201", "301"), "ABORT is not CLOSE"),
        # Linux's tcp_send_active_reset sets ACK too; the RFC's reset has none
        (("RST,ACK", "201", "301"), "That is what Linux sends"),
        # the lost 100 octets (101-200) were sent: SND.NXT counts them, acknowledged or not
        (("RST", "101", ""), "That is SND.UNA"),
    ],
)
def test_an_abort_gets_hints_about_the_abort_not_about_a_segment_arriving(answer, hint):
    question = ask_segment(ABORT, side="client")
    assert (str(question.decided.expected.flags), question.decided.expected.seq) == ("RST", 201)
    question.flags.value, question.seq.value, question.ack.value = answer
    question.check.click()
    assert hint in html.unescape(question.feedback.value)
    assert "No connection can take this segment" not in question.feedback.value


def test_the_ack_of_a_syn_answered_with_a_challenge_ack_is_not_told_about_wrap_around():
    # RFC 9293 Figure 9 line 4: a SYN seq=400 in ESTABLISHED gets <SEQ=300><ACK=100><CTL=ACK> (RCV.NXT is
    # unchanged). ack = 401 is acknowledging the SYN, not a wrap-around mistake.
    script = "client isn 99\nserver isn 299\nserver listen\nclient connect\ndeliver all\n"
    question = ask_segment(script + "client crash\nclient isn 400\nclient connect\ndeliver\n", side="server")
    question.flags.value, question.seq.value, question.ack.value = "ACK", "300", "401"
    question.check.click()
    feedback = html.unescape(question.feedback.value)
    assert "did not take this segment in" in feedback and "wrap" not in feedback


def test_a_syn_ack_answering_a_syn_in_a_synchronized_state_is_told_about_the_challenge_ack():
    # RFC 9293 3.10.7.4, fourth check (RFC 5961 4.2): a SYN in ESTABLISHED gets a challenge ACK, never a SYN,ACK.
    script = "client isn 99\nserver isn 299\nserver listen\nclient connect\ndeliver all\n"
    question = ask_segment(script + "client crash\nclient isn 400\nclient connect\ndeliver\n", side="server")
    question.flags.value, question.seq.value, question.ack.value = "SYN,ACK", "300", "100"
    question.check.click()
    assert "cannot open another" in html.unescape(question.feedback.value)
