"""The stepping widget, driven from Python: its buttons are pressed with ``Button.click()`` and
what it shows (state banners, enabled calls and reasons, segments in flight, diagrams, the
TCB table, the ladder) is checked against RFC 9293's handshake and against the model."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from tcpedu import State
from tcpedu.widgets import Explorer, ExplorerModel, explore
from tcpedu.widgets.model import CALLS

SVG = "{http://www.w3.org/2000/svg}"


def shown_state(explorer: Explorer, side: str) -> str:
    return re.search(r"data-state='([A-Z0-9-]+)'", explorer.state_banner[side].value).group(1)


def highlighted(explorer: Explorer, side: str) -> list[str]:
    """Ids of the nodes the side's state diagram marks as the side's current state."""
    svg = re.search(r"<svg.*</svg>", explorer.diagrams[side].value, re.S).group(0)
    root = ET.fromstring(svg)
    return [g.get("id") for g in root.iter(f"{SVG}g") if f"current-{side}" in (g.get("class") or "").split()]


def arrows(explorer: Explorer) -> int:
    root = ET.fromstring(explorer.ladder.value)
    return sum(1 for g in root.iter(f"{SVG}g") if "segment" in (g.get("class") or "").split())


def changed_cells(explorer: Explorer) -> set[tuple[str, str]]:
    return set(re.findall(r"class='tcpedu-changed' data-side='(\w+)' data-name='([\w.]+)'", explorer.tcb_table.value))


def deliver_first(explorer: Explorer) -> None:
    explorer._rows[0].deliver.click()


@pytest.fixture
def explorer() -> Explorer:
    return explore(client_isn=100, server_isn=300)


def test_a_whole_handshake_by_clicking_shows_every_state_rfc_9293_passes_through(explorer):
    seen = []

    def look():
        seen.append((shown_state(explorer, "client"), shown_state(explorer, "server")))
        for side in ("client", "server"):
            assert highlighted(explorer, side)[0] == f"state-{shown_state(explorer, side)}"

    look()
    explorer.call_buttons["server"]["listen"].click()
    look()
    explorer.call_buttons["client"]["connect"].click()
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
    assert arrows(explorer) == 3


def test_only_the_calls_the_state_allows_are_enabled_and_the_others_say_why(explorer):
    buttons = explorer.call_buttons["client"]
    enabled = {call for call in CALLS if not buttons[call].disabled}
    assert enabled == {"listen", "connect"}  # CLOSED: RFC 9293 3.10
    assert buttons["send"].tooltip == '"connection does not exist" (RFC 9293 3.10.2)'
    assert "connection does not exist" in explorer.refusals["client"].value
    explorer.call_buttons["client"]["connect"].click()
    enabled = {call for call in CALLS if not buttons[call].disabled}
    assert enabled == {"send", "close", "abort", "crash"}  # SYN-SENT
    assert "connection already exists" in buttons["listen"].tooltip


def test_segments_in_flight_are_listed_with_their_network_actions(explorer):
    explorer.call_buttons["server"]["listen"].click()
    explorer.call_buttons["client"]["connect"].click()
    rows = explorer.rows_box.children
    assert len(rows) == 1
    assert "#1 → SYN seq=100 len=0" in explorer._rows[0].label.value
    explorer._rows[0].duplicate.click()
    assert len(explorer.rows_box.children) == 2
    explorer._rows[0].drop.click()
    assert len(explorer.rows_box.children) == 1
    assert explorer._rows[0].packet_id == explorer.model.in_flight[0].id
    assert explorer.model.in_flight[0].copy_of == 1


def test_delivering_a_later_segment_first_is_out_of_order_delivery():
    explorer = explore(client_isn=100, server_isn=300, mss=10)
    explorer.call_buttons["server"]["listen"].click()
    explorer.call_buttons["client"]["connect"].click()
    explorer.deliver_all.click()
    explorer.send_size["client"].value = 20
    explorer.call_buttons["client"]["send"].click()
    first, second = (p.id for p in explorer.model.in_flight)
    row = next(r for r in explorer._rows if r.packet_id == second)
    row.deliver.click()
    assert explorer.model.tcb("server")["received"] == 0  # held: it is ahead of RCV.NXT
    row = next(r for r in explorer._rows if r.packet_id == first)
    row.deliver.click()
    assert explorer.model.tcb("server")["received"] == 20


def test_the_tcb_table_marks_what_the_last_step_changed(explorer):
    explorer.call_buttons["server"]["listen"].click()
    explorer.call_buttons["client"]["connect"].click()
    assert ("client", "ISS") in changed_cells(explorer) and ("client", "SND.NXT") in changed_cells(explorer)
    deliver_first(explorer)  # the SYN: the server learns IRS, sets RCV.NXT, picks its ISS
    assert {("server", "IRS"), ("server", "RCV.NXT"), ("server", "ISS")} <= changed_cells(explorer)
    assert not any(side == "client" for side, _ in changed_cells(explorer))
    assert "data-name='RCV.NXT' style='background:#fff3b0;font-weight:bold;padding:2px 10px'>101" in (
        explorer.tcb_table.value
    )


def test_the_clock_fires_the_next_timer_and_a_wait_moves_time(explorer):
    assert explorer.next_timer.disabled
    explorer.call_buttons["client"]["connect"].click()
    explorer._rows[0].drop.click()
    assert "retransmission timer at 1 s" in explorer.clock.value
    explorer.next_timer.click()
    assert explorer.model.simulation.time == 1
    assert "(retransmission)" in explorer._rows[0].label.value
    explorer.wait_seconds.value = 0.5
    explorer.wait_button.click()
    assert explorer.model.simulation.time == 1.5


def test_back_takes_one_step_back_and_reset_starts_again(explorer):
    explorer.call_buttons["server"]["listen"].click()
    explorer.call_buttons["client"]["connect"].click()
    deliver_first(explorer)
    explorer.back.click()
    assert (shown_state(explorer, "client"), shown_state(explorer, "server")) == ("SYN-SENT", "LISTEN")
    assert arrows(explorer) == 1
    explorer.reset.click()
    assert (shown_state(explorer, "client"), shown_state(explorer, "server")) == ("CLOSED", "CLOSED")
    assert explorer.back.disabled
    assert arrows(explorer) == 0


def test_deliver_all_is_one_step_back(explorer):
    explorer.call_buttons["server"]["listen"].click()
    explorer.call_buttons["client"]["connect"].click()
    explorer.deliver_all.click()
    assert shown_state(explorer, "server") == "ESTABLISHED"
    explorer.back.click()
    assert (shown_state(explorer, "client"), shown_state(explorer, "server")) == ("SYN-SENT", "LISTEN")


def test_a_named_scenario_plays_step_by_step_to_its_end():
    explorer = explore("time-wait-lost-ack")
    assert "time-wait-lost-ack" in explorer.title.value
    assert explorer.scenario_controls.layout.display != "none"
    while not explorer.step.disabled:
        explorer.step.click()
        assert explorer.model.last.ok, explorer.message.value
    assert (shown_state(explorer, "client"), shown_state(explorer, "server")) == ("CLOSED", "CLOSED")
    assert "the scenario is over" in explorer.scenario_line.value
    # back rewinds the script too: the last line can be played again
    explorer.back.click()
    assert not explorer.step.disabled
    explorer.step.click()
    assert explorer.model.last.ok


def test_the_play_widget_ticks_the_scenario_forward():
    explorer = explore("three-way-handshake")
    explorer.player.value = 1  # what the browser's Play widget does at each tick
    explorer.player.value = 2
    assert explorer.model.steps == 2
    assert shown_state(explorer, "client") == "SYN-SENT"


def test_free_play_hides_the_scenario_controls(explorer):
    assert explorer.scenario_controls.layout.display == "none"


def test_a_refused_call_made_from_python_is_explained_and_changes_nothing():
    model = ExplorerModel(client_isn=100)
    explorer = Explorer(model)
    done = model.call("client", "close")
    assert not done.ok and "connection does not exist" in done.message
    assert "connection does not exist" in explorer.message.value
    assert model.steps == 0 and model.history == []


def test_what_happened_names_the_arc_the_segments_and_the_rfc(explorer):
    explorer.call_buttons["server"]["listen"].click()
    explorer.call_buttons["client"]["connect"].click()
    deliver_first(explorer)
    text = explorer.message.value
    assert "<b>LISTEN</b> → <b>SYN-RECEIVED</b>" in text and "rcv SYN / snd SYN,ACK" in text
    assert "SYN,ACK seq=300 ack=101" in text


def test_korean_labels(explorer):
    explorer.language.value = "ko"
    assert explorer.call_buttons["client"]["connect"].description == "connect (연결 요청)"
    assert "클라이언트" in explorer.state_banner["client"].value
    assert "연결이 존재하지 않음" in explorer.refusals["client"].value
    assert "연결 없음" in explorer.diagrams["client"].value  # the diagram's Korean gloss
    explorer.language.value = "en"
    assert explorer.call_buttons["client"]["connect"].description == "connect"


def test_relative_numbers_in_the_ladder(explorer):
    explorer.call_buttons["server"]["listen"].click()
    explorer.call_buttons["client"]["connect"].click()
    explorer.relative.value = True
    assert "#1 SYN seq=0 len=0" in explorer.ladder.value
    explorer.relative.value = False
    assert "#1 SYN seq=100 len=0" in explorer.ladder.value


def test_the_detail_choice_redraws_the_diagrams_with_more_arcs(explorer):
    before = explorer.diagrams["client"].value.count('class="edge')
    explorer.detail_choice.value = "all"
    assert explorer.diagrams["client"].value.count('class="edge') > before


def test_without_graphviz_the_widget_says_how_to_install_it_and_still_works(monkeypatch, tmp_path):
    from tcpedu.render import state_diagram

    monkeypatch.setenv("PATH", str(tmp_path))
    state_diagram._template.cache_clear()
    try:
        explorer = explore(client_isn=100, server_isn=300)
        assert "apt-get install graphviz" in explorer.diagrams["client"].value
        explorer.call_buttons["client"]["connect"].click()
        assert shown_state(explorer, "client") == "SYN-SENT" and arrows(explorer) == 1
    finally:
        state_diagram._template.cache_clear()


def test_the_widget_displays_as_an_ipywidgets_view(explorer):
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id


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
