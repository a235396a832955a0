"""The stepping widget on a real capture, driven from Python: explore("captures/X.pcap") steps
through the replay packet by packet, showing what ``tcpedu replay`` infers at each packet."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import pytest

from tcpedu.core.states import State
from tcpedu.widgets import explore

CAPTURES = Path(__file__).resolve().parent.parent / "captures"


def replayed(name: str, profile: str = "rfc"):
    from tcpedu.capture.replay import replay_file

    return replay_file(CAPTURES / name, profile=profile, keep_details=True)


@pytest.mark.parametrize("profile", ["rfc", "linux"])
def test_each_step_takes_in_one_packet_and_shows_the_replays_states_and_tcbs(profile):
    replay = replayed("half-close.pcap", profile)
    steps = replay.connections[0].steps
    explorer = explore(str(CAPTURES / "half-close.pcap"), profile=profile)
    picture = explorer.picture
    assert picture["recording"] is True
    assert {side: picture["sides"][side]["state"] for side in ("client", "server")} == {
        "client": "CLOSED",
        "server": "CLOSED",
    }
    for step in steps:
        assert picture["scenario"]["next"].startswith(f"{step.number}: {step.sender} → ")
        explorer.click("play")
        picture = explorer.picture
        assert {side: picture["sides"][side]["state"] for side in ("client", "server")} == {
            side: state.value for side, state in step.states.items()
        }
        assert explorer.model.tcb("client") == step.tcbs[0] and explorer.model.tcb("server") == step.tcbs[1]
        # A recording offers nothing to drive: no calls, nothing in flight.
        assert picture["sides"]["client"]["calls"] == [] and picture["in_flight"] == []
    assert picture["scenario"]["next"] is None
    over = explorer.model.request("play")
    assert over is not None and over.message == "the capture is over" and not over.records
    assert explorer.model.position == len(steps), "the last packet stays shown, still explained"


def test_a_packet_where_the_real_stack_did_otherwise_is_marked_and_explained():
    steps = replayed("lost-syn.pcap").connections[0].steps
    surprised = [index for index, step in enumerate(steps) if step.surprises]
    assert surprised, "lost-syn has packets the engine would not send"
    explorer = explore(str(CAPTURES / "lost-syn.pcap"))
    for index, step in enumerate(steps):
        explorer.click("play")
        picture = explorer.picture
        if step.surprises:
            assert picture["ok"] is False
            assert step.surprises[0].split(":")[0] in picture["happened"].replace("&#x27;", "'")
            assert "≠ engine" in explorer.widget.ladder
        else:
            assert picture["ok"] is True
        if index < surprised[0]:
            assert "≠ engine" not in explorer.widget.ladder, "a mark appears with its packet"


@pytest.mark.parametrize("capture", ["lost-syn.pcap", "abort.pcap"])
def test_in_korean_the_widget_explains_each_surprise_in_korean(capture):
    steps = replayed(capture).connections[0].steps
    explorer = explore(str(CAPTURES / capture), lang="ko")
    shown = 0
    for step in steps:
        explorer.click("play")
        happened = html.unescape(explorer.picture["happened"])
        if step.surprises:
            shown += 1
            korean = "; ".join(surprise.text("ko") for surprise in step.surprises)
            assert korean in happened and "엔진" in korean
            assert str(step.surprises[0]).split(":")[0] not in happened, "not the English"
            explorer.choose("lang", "en")  # the learner switches language: the same step, in English
            assert "; ".join(step.surprises) in html.unescape(explorer.picture["happened"])
            explorer.choose("lang", "ko")
    assert shown


def test_what_the_engine_does_not_model_is_said_first_in_the_learners_language():
    remarks = replayed("half-close.pcap").connections[0].remarks
    assert remarks, "a Linux capture has options the engine does not model"
    explorer = explore(str(CAPTURES / "half-close.pcap"), profile="linux", lang="ko")
    happened = html.unescape(explorer.picture["happened"])
    assert all(remark.text("ko") in happened for remark in remarks) and "모델링하지 않음" in happened
    assert remarks[0] not in happened, "not the English"
    explorer.choose("lang", "en")
    assert all(remark in html.unescape(explorer.picture["happened"]) for remark in remarks)


def test_back_and_reset_take_packets_back():
    steps = replayed("open-data-close.pcap").connections[0].steps
    explorer = explore(str(CAPTURES / "open-data-close.pcap"))
    for _ in range(3):
        explorer.click("play")
    ladder_after_two = None
    explorer.click("back")
    assert explorer.model.position == 2
    assert explorer.model.state("server") is steps[1].states["server"]
    ladder_after_two = explorer.widget.ladder
    explorer.click("play")
    explorer.click("back")
    assert explorer.widget.ladder == ladder_after_two
    explorer.click("reset")
    assert explorer.model.position == 0 and explorer.model.history == []
    assert explorer.model.state("client") is State.CLOSED
    explorer.click("back")
    assert explorer.model.last.ok is False and explorer.model.last.message == "nothing to take back"


def test_a_recording_cannot_be_driven():
    explorer = explore(str(CAPTURES / "refused.pcap"))
    with pytest.raises(ValueError, match="unknown request 'deliver'"):
        explorer.click("deliver")
    done = explorer.model.request("deliver")
    assert done is not None and not done.ok and "recording" in done.message


def test_a_capture_with_two_connections_opens_the_one_asked_for():
    first = explore(str(CAPTURES / "time-wait-reuse.pcap"))
    second = explore(str(CAPTURES / "time-wait-reuse.pcap"), connection=2)
    assert "connection 1" in first.picture["title"] and "connection 2" in second.picture["title"]
    with pytest.raises(ValueError, match=r"no connection 3: choose connection=1 to 2"):
        explore(str(CAPTURES / "time-wait-reuse.pcap"), connection=3)


def test_a_replay_or_a_connection_object_opens_too():
    replay = replayed("simultaneous-open.pcap")
    assert explore(replay).model.connection is replay.connections[0]
    assert explore(replay.connections[0]).model.connection is replay.connections[0]


def test_bad_input_is_one_clear_error(tmp_path):
    with pytest.raises(ValueError, match=r"nope\.pcap: cannot read it"):
        explore(str(tmp_path / "nope.pcap"))
    garbage = tmp_path / "garbage.pcap"
    garbage.write_bytes(b"not a capture at all")
    with pytest.raises(ValueError, match=r"garbage\.pcap: not a capture"):
        explore(str(garbage))
    cut = tmp_path / "cut.pcap"
    data = (CAPTURES / "half-close.pcap").read_bytes()
    cut.write_bytes(data[: len(data) - 10])
    with pytest.raises(ValueError, match=r"cut.pcap: packet 13: .*truncated"):
        explore(str(cut))
    with pytest.raises(ValueError, match="a capture takes connection= and profile=, not client_isn="):
        explore(str(CAPTURES / "half-close.pcap"), client_isn=5)
    shutil.copy(CAPTURES / "half-close.pcap", tmp_path / "h.pcap")
    with pytest.raises(ValueError, match=r"unknown profile 'bsd': the profiles are rfc, linux"):
        explore(str(tmp_path / "h.pcap"), profile="bsd")


def test_in_korean():
    explorer = explore(str(CAPTURES / "half-close.pcap"), lang="ko")
    assert explorer.picture["scenario"]["text"].startswith("다음 패킷: ")
    for _ in range(6):
        explorer.click("play")
    assert "추론한 애플리케이션 호출: client shutdown()" in explorer.picture["happened"]
