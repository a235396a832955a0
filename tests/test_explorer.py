"""The stepping widget, driven from Python: clicks go in as the browser sends them
(``Explorer.click``), and what the browser is handed to draw (the picture, the ladder, the state
diagram) is checked against RFC 9293's handshake and against the model."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET

import pytest

from tcpedu import State
from tcpedu.widgets import Explorer, ExplorerModel, explore
from tcpedu.widgets.model import CALLS

SVG = "{http://www.w3.org/2000/svg}"
HANGUL = re.compile("[\uac00-\ud7a3]")


def shown_state(explorer: Explorer, side: str) -> str:
    return explorer.picture["sides"][side]["state"]


def highlighted(explorer: Explorer, side: str) -> list[str]:
    """Ids of the nodes the state diagram marks as the side's current state."""
    root = ET.fromstring(explorer.widget.diagram)
    return [g.get("id") for g in root.iter(f"{SVG}g") if f"current-{side}" in (g.get("class") or "").split()]


def arrows(explorer: Explorer, fate: str = "segment") -> int:
    root = ET.fromstring(explorer.widget.ladder)
    return sum(1 for g in root.iter(f"{SVG}g") if {"segment", fate} <= set((g.get("class") or "").split()))


def changed_cells(explorer: Explorer) -> set[tuple[str, str]]:
    return set(re.findall(r"class='tcpedu-changed' data-side='(\w+)' data-name='([\w.]+)'", explorer.picture["tcb"]))


def enabled(explorer: Explorer, side: str) -> set[str]:
    return {call["call"] for call in explorer.picture["sides"][side]["calls"] if call["enabled"]}


def in_flight(explorer: Explorer) -> list[int]:
    return [row["id"] for row in explorer.picture["in_flight"]]


def press(explorer: Explorer, side: str, call: str, **arguments) -> None:
    explorer.click("call", side=side, call=call, **arguments)


def deliver_first(explorer: Explorer) -> None:
    explorer.click("deliver", packet_id=in_flight(explorer)[0])


@pytest.fixture
def explorer() -> Explorer:
    return explore(client_isn=100, server_isn=300)


def test_a_whole_handshake_by_clicking_shows_every_state_rfc_9293_passes_through(explorer):
    seen = []

    def look():
        seen.append((shown_state(explorer, "client"), shown_state(explorer, "server")))
        for side in ("client", "server"):
            state = shown_state(explorer, side)
            # CLOSED is drawn twice (where connections start and end): both boxes are marked.
            assert highlighted(explorer, side)[0] == f"state-{state}"

    look()
    press(explorer, "server", "listen")
    look()
    press(explorer, "client", "connect")
    look()
    for _ in range(3):
        deliver_first(explorer)
        look()
    assert seen == [
        ("CLOSED", "CLOSED"),
        ("CLOSED", "LISTEN"),
        ("SYN-SENT", "LISTEN"),
        ("SYN-SENT", "SYN-RECEIVED"),
        ("ESTABLISHED", "SYN-RECEIVED"),
        ("ESTABLISHED", "ESTABLISHED"),
    ]
    assert arrows(explorer) == arrows(explorer, "delivered") == 3


def test_one_diagram_marks_both_sides_and_the_arcs_just_taken(explorer):
    press(explorer, "server", "listen")
    press(explorer, "client", "connect")
    deliver_first(explorer)  # the SYN: LISTEN -> SYN-RECEIVED
    root = ET.fromstring(explorer.widget.diagram)
    last = [g for g in root.iter(f"{SVG}g") if "last-server" in (g.get("class") or "").split()]
    assert len(last) == 1 and "rcv SYN / snd SYN,ACK" in "".join(last[0].itertext())
    assert highlighted(explorer, "client") == ["state-SYN-SENT"]
    assert highlighted(explorer, "server") == ["state-SYN-RECEIVED"]


def test_only_the_calls_the_state_allows_are_enabled_and_the_others_say_why(explorer):
    assert enabled(explorer, "client") == {"listen", "connect"}  # CLOSED: RFC 9293 3.10
    send = next(call for call in explorer.picture["sides"]["client"]["calls"] if call["call"] == "send")
    assert send["why"] == '"connection does not exist" (RFC 9293 3.10.2)'
    refused = explorer.picture["sides"]["client"]["refused"]
    assert "<code>close, abort, send</code>" in refused and "connection does not exist" in refused
    assert "RFC 9293 3.10.2, 3.10.4, 3.10.5" in refused  # SEND, CLOSE, ABORT: each call's section
    press(explorer, "client", "connect")
    assert enabled(explorer, "client") == {"send", "close", "abort", "crash"}  # SYN-SENT
    assert "connection already exists" in explorer.picture["sides"]["client"]["refused"]


def test_every_call_has_a_button_label_and_send_comes_last_beside_its_size(explorer):
    calls = explorer.picture["sides"]["server"]["calls"]
    assert sorted(call["call"] for call in calls) == sorted(CALLS)
    assert calls[-1]["call"] == "send"
    assert all(call["name"] == call["call"] and call["gloss"] == "" for call in calls)


def test_segments_in_flight_are_listed_with_their_network_actions(explorer):
    press(explorer, "server", "listen")
    press(explorer, "client", "connect")
    assert explorer.picture["in_flight"] == [
        {"id": 1, "from": "client", "to": "server", "segment": "SYN seq=100 len=0", "note": ""}
    ]
    explorer.click("duplicate", packet_id=1)
    assert in_flight(explorer) == [1, 2]
    assert explorer.picture["in_flight"][1]["note"] == "copy of #1"
    explorer.click("drop", packet_id=1)
    assert in_flight(explorer) == [2]
    assert arrows(explorer, "lost") == 1 and arrows(explorer, "in-flight") == 1


def test_delivering_a_later_segment_first_is_out_of_order_delivery():
    explorer = explore(client_isn=100, server_isn=300, mss=10)
    press(explorer, "server", "listen")
    press(explorer, "client", "connect")
    explorer.click("deliver_all")
    press(explorer, "client", "send", data=20)
    first, second = in_flight(explorer)
    explorer.click("deliver", packet_id=second)
    assert explorer.model.tcb("server")["received"] == 0  # held: it is ahead of RCV.NXT
    explorer.click("deliver", packet_id=first)
    assert explorer.model.tcb("server")["received"] == 20


def test_the_tcb_table_marks_what_the_last_step_changed(explorer):
    press(explorer, "server", "listen")
    press(explorer, "client", "connect")
    assert {("client", "ISS"), ("client", "SND.NXT")} <= changed_cells(explorer)
    deliver_first(explorer)  # the SYN: the server learns IRS, sets RCV.NXT, picks its ISS
    assert {("server", "IRS"), ("server", "RCV.NXT"), ("server", "ISS")} <= changed_cells(explorer)
    assert not any(side == "client" for side, _ in changed_cells(explorer))
    assert "<td class='tcpedu-changed' data-side='server' data-name='RCV.NXT'>101 ◂</td>" in explorer.picture["tcb"]


def test_the_clock_fires_the_next_timer_and_a_wait_moves_time(explorer):
    assert not explorer.picture["clock"]["can_fire"]
    press(explorer, "client", "connect")
    explorer.click("drop", packet_id=1)
    assert "retransmission timer at 1 s" in explorer.picture["clock"]["next"]
    explorer.click("wait_next")
    assert explorer.model.simulation.time == 1
    assert explorer.picture["in_flight"][0]["note"] == "retransmission"
    explorer.click("wait", seconds="0.5")  # as the browser's number box sends it
    assert explorer.model.simulation.time == 1.5
    assert explorer.picture["clock"]["now"] == "t = 1.5 s"


def test_back_takes_one_step_back_and_reset_starts_again(explorer):
    press(explorer, "server", "listen")
    press(explorer, "client", "connect")
    deliver_first(explorer)
    explorer.click("back")
    assert (shown_state(explorer, "client"), shown_state(explorer, "server")) == ("SYN-SENT", "LISTEN")
    assert arrows(explorer) == 1
    assert "took the last step back" in explorer.picture["happened"]
    explorer.click("reset")
    assert (shown_state(explorer, "client"), shown_state(explorer, "server")) == ("CLOSED", "CLOSED")
    assert not explorer.picture["can_back"]
    assert arrows(explorer) == 0


def test_deliver_all_is_one_step_back(explorer):
    press(explorer, "server", "listen")
    press(explorer, "client", "connect")
    explorer.click("deliver_all")
    assert shown_state(explorer, "server") == "ESTABLISHED"
    explorer.click("back")
    assert (shown_state(explorer, "client"), shown_state(explorer, "server")) == ("SYN-SENT", "LISTEN")


# ----------------------------------------------------------------------------------------------
# A click is handled once


def test_a_second_click_made_on_the_same_picture_is_not_carried_out(explorer):
    press(explorer, "server", "listen")
    press(explorer, "client", "connect")
    seen = explorer.picture["version"]
    explorer.click("deliver", seen=seen, packet_id=1)
    explorer.click("deliver", seen=seen, packet_id=1)  # a double-click: sent before the redraw came
    explorer.click("wait_next", seen=seen)  # a fast click elsewhere, on the same old picture
    assert explorer.model.steps == 3
    assert explorer.model.last.ok and explorer.model.last.request == "deliver #1"
    assert "arrives at the server" in explorer.picture["happened"]
    assert explorer.model.simulation.time == 0
    explorer.click("deliver", packet_id=2)  # a click on the new picture is carried out
    assert shown_state(explorer, "client") == "ESTABLISHED"


def test_the_model_carries_out_a_request_only_on_the_picture_it_was_made_on():
    model = ExplorerModel(client_isn=100)
    assert model.version == 0
    done = model.request("call", seen=0, side="client", call="connect")
    assert done.ok and model.version == 1
    assert model.request("call", seen=0, side="client", call="abort") is None  # stale: nothing done
    assert model.simulation.state("client") is State.SYN_SENT and model.version == 1
    assert model.request("call", side="client", call="abort").ok  # no version given: always carried out
    with pytest.raises(ValueError, match="unknown request 'fly'"):
        model.request("fly")


# ----------------------------------------------------------------------------------------------
# Scenarios


def test_a_named_scenario_plays_step_by_step_to_its_end():
    explorer = explore("time-wait-lost-ack")
    assert "time-wait-lost-ack" in explorer.picture["title"]
    assert explorer.picture["scenario"]["next"] is not None
    while explorer.picture["scenario"]["next"] is not None:
        explorer.click("play")
        assert explorer.model.last.ok, explorer.picture["happened"]
    assert (shown_state(explorer, "client"), shown_state(explorer, "server")) == ("CLOSED", "CLOSED")
    assert explorer.picture["scenario"]["text"] == "the scenario is over"
    # back rewinds the script too: the last line can be played again
    explorer.click("back")
    assert explorer.picture["scenario"]["next"] is not None
    explorer.click("play")
    assert explorer.model.last.ok


def test_playing_past_the_end_leaves_the_last_step_explained():
    explorer = explore("server listen\nclient connect\ndeliver\n")
    for _ in range(3):
        explorer.click("play")
    explained = explorer.picture["happened"]
    assert "<b>LISTEN</b> → <b>SYN-RECEIVED</b>" in explained
    version = explorer.picture["version"]
    explorer.click("play")  # ▶ ticking once more at the end
    done = explorer.model.play()
    assert not done.ok and done.message == "the scenario is over"
    assert explorer.picture["happened"] == explained and explorer.picture["version"] == version
    assert explorer.picture["ok"]


def test_free_play_has_no_scenario_controls(explorer):
    assert explorer.picture["scenario"] is None


def test_a_misspelled_scenario_name_suggests_the_right_one():
    with pytest.raises(ValueError, match="did you mean 'three-way-handshake'"):
        explore("three-way-handshak")


# ----------------------------------------------------------------------------------------------
# What happened, languages, options


def test_a_refused_call_made_from_python_is_explained_and_changes_nothing():
    model = ExplorerModel(client_isn=100)
    explorer = Explorer(model)
    done = model.call("client", "close")
    assert not done.ok and "connection does not exist" in done.message
    assert "connection does not exist" in explorer.picture["happened"]
    assert not explorer.picture["ok"]
    assert model.steps == 0 and model.history == []


def test_what_happened_names_the_arc_the_segments_and_the_rfc(explorer):
    press(explorer, "server", "listen")
    press(explorer, "client", "connect")
    deliver_first(explorer)
    text = explorer.picture["happened"]
    assert "<b>LISTEN</b> → <b>SYN-RECEIVED</b>" in text and "rcv SYN / snd SYN,ACK" in text
    assert "SYN,ACK seq=300 ack=101" in text


def test_korean_labels_and_texts(explorer):
    press(explorer, "server", "listen")
    press(explorer, "client", "connect")
    explorer.click("duplicate", packet_id=1)
    explorer.choose("lang", "ko")
    picture = explorer.picture
    connect = next(call for call in picture["sides"]["client"]["calls"] if call["call"] == "connect")
    assert (connect["name"], connect["gloss"]) == ("connect", "연결 요청")
    assert picture["sides"]["client"]["name"] == "클라이언트"
    assert "연결이 이미 존재함" in picture["sides"]["client"]["refused"]
    assert "#1 복제 → #2" in picture["happened"]  # the narrator's words for a copy
    assert picture["in_flight"][1]["note"] == "#1 복제본"
    assert "연결 요청 대기" in explorer.widget.diagram  # the diagram's Korean gloss of LISTEN
    # Every word around the protocol is Korean: none stays English.
    assert all(HANGUL.search(text) for text in picture["words"].values()), picture["words"]
    assert HANGUL.search(picture["clock"]["now"]) and HANGUL.search(picture["clock"]["next"])
    assert "받은 바이트 수" in picture["tcb"]
    explorer.choose("lang", "en")
    assert explorer.picture["sides"]["client"]["name"] == "client"


def test_relative_numbers_in_the_ladder(explorer):
    press(explorer, "server", "listen")
    press(explorer, "client", "connect")
    explorer.choose("relative", True)
    assert "#1 SYN seq=0 len=0" in explorer.widget.ladder
    explorer.choose("relative", False)
    assert "#1 SYN seq=100 len=0" in explorer.widget.ladder


def test_the_detail_choice_redraws_the_diagram_with_more_arcs(explorer):
    before = explorer.widget.diagram.count('class="edge')
    explorer.choose("detail", "all")
    assert explorer.picture["detail"] == "all"
    assert explorer.widget.diagram.count('class="edge') > before
    explorer.choose("detail", "most")  # not a choice: nothing changes
    assert explorer.picture["detail"] == "all"


def test_without_graphviz_the_widget_says_how_to_install_it_and_still_works(monkeypatch, tmp_path):
    from tcpedu.render import state_diagram

    monkeypatch.setenv("PATH", str(tmp_path))
    state_diagram._template.cache_clear()
    try:
        explorer = explore(client_isn=100, server_isn=300)
        assert "apt-get install graphviz" in explorer.picture["states"]
        assert explorer.widget.diagram == ""
        press(explorer, "client", "connect")
        assert shown_state(explorer, "client") == "SYN-SENT" and arrows(explorer) == 1
    finally:
        state_diagram._template.cache_clear()


def test_the_widget_displays_as_a_jupyter_widget(explorer):
    bundle = explorer._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id


def test_the_view_ships_its_script_and_style():
    explorer = explore()
    assert "export default" in explorer.widget._esm and ".tcpedu-explorer" in explorer.widget._css


def test_a_model_reports_every_step_to_its_observers():
    model = ExplorerModel(client_isn=100)
    seen = []
    model.observe(lambda m: seen.append(m.last.request))
    model.call("client", "connect")
    model.drop()
    model.wait_next()
    model.back()
    assert seen == ["client connect", "drop", "wait next", "back"]
    assert model.simulation.state("client") is State.SYN_SENT and model.simulation.time == 0


def test_a_100_step_run_stays_quick_and_whole(explorer):
    press(explorer, "server", "listen")
    press(explorer, "client", "connect")
    slowest = 0.0
    for _ in range(98):
        began = time.perf_counter()
        if in_flight(explorer):
            deliver_first(explorer)
        else:
            press(explorer, "client", "send", data=100)
        slowest = max(slowest, time.perf_counter() - began)
    assert explorer.model.steps == explorer.picture["steps"] == 100
    assert arrows(explorer) == arrows(explorer, "delivered") + len(in_flight(explorer)) > 60
    assert explorer.model.tcb("server")["received"] >= 3000
    assert slowest < 0.5, f"a click took {slowest * 1000:.0f} ms on the Python side at 100 steps"


def test_every_message_from_the_browser_is_answered_with_the_pictures_version(explorer, monkeypatch):
    # The browser takes no other click until the answer comes: it must come, even after an error.
    sent = []
    monkeypatch.setattr(explorer.widget, "send", sent.append)
    handle = explorer.widget._handle_custom_msg
    handle({"request": "call", "seen": 0, "token": "a-1", "arguments": {"side": "server", "call": "listen"}}, [])
    handle({"request": "call", "seen": 0, "token": "a-2", "arguments": {"side": "client", "call": "connect"}}, [])
    handle({"request": "fly", "seen": 1, "token": "a-3", "arguments": {}}, [])  # ipywidgets logs the error
    handle({"option": "lang", "value": "ko", "token": None}, [])
    assert sent == [
        {"done": "a-1", "version": 1},
        {"done": "a-2", "version": 1},  # made on picture 0, which was gone: not carried out
        {"done": "a-3", "version": 1},
        {"done": None, "version": 1},
    ]
    assert shown_state(explorer, "client") == "CLOSED" and explorer.picture["lang"] == "ko"


def test_a_learners_endpoint_plays_a_side_and_its_errors_are_shown_not_raised(tmp_path):
    from tcpedu.grade.api import solution_source, stub_source
    from tcpedu.grade.catalog import exercise

    def endpoint_from(source: str):
        namespace: dict = {}
        exec(compile(source, "endpoint.py", "exec"), namespace)
        return namespace["Endpoint"]

    ex = exercise("endpoint")
    learner = explore("three-way-handshake", endpoints={"client": endpoint_from(solution_source(ex))})
    for _ in range(8):
        learner.click("play")
    assert learner.model.simulation.states == {"client": State.ESTABLISHED, "server": State.ESTABLISHED}
    stub = explore(endpoints={"client": endpoint_from(stub_source(ex))})
    press(stub, "server", "listen")
    press(stub, "client", "connect")
    assert not stub.model.last.ok
    assert stub.model.last.message.startswith("NotImplementedError: write connect (endpoint.py, line ")
    assert stub.model.simulation.states == {"client": State.CLOSED, "server": State.LISTEN}  # as before the step
    assert "write connect" in stub.picture["happened"]


def test_a_scenario_with_two_clients_is_refused_with_where_to_see_it():
    with pytest.raises(ValueError, match=r"2 clients.*tcpedu draw"):
        explore("server listen\nclient2 connect\n")


def test_a_listening_server_is_shown_as_its_connection_with_the_client_and_as_its_listener_otherwise():
    # time-wait-reconnect: the server's connection goes to TIME-WAIT and is removed by the client's RST
    # (RFC 1337's hazard); the listener stays in LISTEN and takes the retransmitted SYN.
    model = ExplorerModel("time-wait-reconnect")
    seen = []
    while model.scenario_next is not None:
        model.play()
        seen.append((model.state("client"), model.state("server")))
    assert (State.CLOSED, State.TIME_WAIT) in seen  # the connection, in TIME-WAIT
    assert (State.SYN_SENT, State.LISTEN) in seen  # no connection: the listener
    assert seen[-1] == (State.ESTABLISHED, State.ESTABLISHED)
    assert model.refusal("server", "listen") is not None  # the listener is listening already
    explorer = Explorer(model)
    assert "ESTABLISHED" in explorer.picture["states"]
