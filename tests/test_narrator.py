"""One narrator (tcpedu/narrator.py) tells a step of a run, in English and Korean, for the text
trace, the widget's "what happened" and the questions' feedback; a script's comments (and their
``#ko:`` lines) are the step's own words."""

from __future__ import annotations

import html

import pytest

from tcpedu.grade.questions import outcome_of
from tcpedu.narrator import EVENTS, narrate, packet_text
from tcpedu.scenario import format_trace, load_scenario, parse, run_script
from tcpedu.widgets import explore

SCRIPT = """\
# A handshake
#ko: 핸드셰이크
# told in two languages
#ko: 두 언어로
client isn 100
server isn 300
# the server opens first
#ko: 서버가 먼저 엶
server listen
client connect                # STEP 1
                              #ko: 1단계
deliver                       # the SYN arrives
                              #ko: SYN 도착
expect server SYN-RECEIVED    # the server is half way
                              #ko: 서버는 절반
deliver
"""


def test_ko_lines_give_the_title_the_description_and_each_lines_narration():
    script = parse(SCRIPT, "x.tcp")
    assert script.titles == ("A handshake", "핸드셰이크")
    assert script.descriptions == ("told in two languages", "두 언어로")
    lines = {command.line: command for command in script.commands}
    # A comment line leads into the next action; an expect line's comment tells what the action before it did.
    assert script.narration_of(lines[9]) == ("the server opens first", "서버가 먼저 엶")
    assert script.narration_of(lines[10]) == ("STEP 1", "1단계")
    assert script.narration_of(lines[12]) == ("the SYN arrives the server is half way", "SYN 도착 서버는 절반")
    assert script.narration_of(lines[16]) == ("", "")


def test_a_step_is_told_in_order_story_event_transitions_notes_segments():
    run = run_script(parse(SCRIPT))
    step = run.steps[2]  # the SYN reaches the server
    lines = narrate(step.records, "en", run.script.narration_of(step.command))
    assert [line.kind for line in lines] == ["story", "arrival", "transition", "sent"]
    assert [line.text for line in lines] == [
        "the SYN arrives the server is half way",
        "#1 arrives at the server: SYN seq=100 len=0",
        "server: LISTEN -> SYN-RECEIVED  (rcv SYN / snd SYN,ACK)",
        "sent #2 server -> client SYN,ACK seq=300 ack=101 len=0",
    ]
    korean = narrate(step.records, "ko", run.script.narration_of(step.command))
    assert [line.text for line in korean] == [
        "SYN 도착 서버는 절반",
        "#1 SYN seq=100 len=0: 서버에 도착",
        "서버: LISTEN -> SYN-RECEIVED  (rcv SYN / snd SYN,ACK)",
        "보냄: #2 서버 -> 클라이언트 SYN,ACK seq=300 ack=101 len=0",
    ]
    assert "<b>LISTEN</b> → <b>SYN-RECEIVED</b>" in lines[2].html
    assert "<code>SYN seq=100 len=0</code>" in lines[1].html


def test_losses_timers_notes_and_retransmissions_in_both_languages():
    run = run_script(load_scenario("lost-third-ack"))
    timer_step = next(step for step in run.steps if step.command.text == "wait next")
    english = [line.text for line in narrate(timer_step.records, "en")]
    assert english[0] == "the server's retransmission timer fires at 1 s"
    assert english[-1] == "sent #4 server -> client SYN,ACK seq=300 ack=101 len=0 (retransmission)"
    assert any("[RFC 9293 3.10.8, RFC 6298 5.4-5.6]" in text for text in english)
    korean = [line.text for line in narrate(timer_step.records, "ko")]
    assert korean[0] == "서버의 재전송 타이머 만료: t = 1초"
    assert korean[-1].endswith("(재전송)")
    lost = next(step for step in run.steps if step.command.text == "drop")
    assert [line.text for line in narrate(lost.records, "en")] == ["#3 is lost: ACK seq=101 ack=301 len=0"]


def test_packet_text_in_english_is_the_packets_own_description():
    run = run_script(load_scenario("old-duplicate-syn"))
    for packet in (p for record in run.simulation.history for p in record.sent):
        assert packet_text(packet, "en") == packet.describe()


def test_events_alone_tell_what_happens_without_what_followed():
    scene = outcome_of("client isn 100\nserver isn 300\nserver listen\nclient connect\ndeliver")
    assert {line.kind for line in narrate(scene.records, kinds=EVENTS)} == {"arrival"}


def test_the_trace_the_widget_and_the_questions_tell_the_same_lines():
    script = load_scenario("three-way-handshake")
    run = run_script(script)
    trace = format_trace(run, lang="ko")
    explorer = explore("three-way-handshake", lang="ko")
    for step in run.steps:
        lines = narrate(step.records, "ko", script.narration_of(step.command), routine=False)
        for line in lines:
            if line.kind != "call":
                assert line.text in trace
        explorer.click("play")
        shown = explorer.picture["happened"]
        assert all(line.html in shown for line in narrate(step.records, "ko", script.narration_of(step.command)))
    scene = outcome_of("client isn 100\nserver isn 300\nserver listen\nclient connect\ndeliver")
    told = [line.text for line in narrate(scene.records, "ko") if line.kind in ("transition", "note")]
    assert scene.reasons("ko") == told


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_widget_shows_the_scenarios_words_for_the_step_just_taken(lang):
    explorer = explore("lost-third-ack", lang=lang)
    for _ in range(5):  # listen, connect, deliver, deliver, drop
        explorer.click("play")
    words = load_scenario("lost-third-ack").narration_of(explorer.model.player.run.steps[-1].command)
    assert explorer.model.last.request == "drop"
    assert html.escape(words[0 if lang == "en" else 1]) in explorer.picture["happened"]
    assert "tcpedu-story" in explorer.picture["happened"]
    title = load_scenario("lost-third-ack").titles[0 if lang == "en" else 1]
    assert title in explorer.picture["title"]
