"""The captures the course ships (captures/), recorded from Linux by scripts/record_captures.py.

Each story of the script has its pcap and its JSON, and nothing else is shipped; every JSON says
what the script promises (the calls, and after each the packet count and the kernel's state of
each socket, named as RFC 9293 names it); every pcap reads with dpkt as one TCP conversation
between the client and the server, with the snapshots' times falling between the packets they
follow.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import sys
from pathlib import Path

import dpkt
import pytest

from tcpedu.core.states import State

ROOT = Path(__file__).resolve().parent.parent
CAPTURES = ROOT / "captures"
ROLES = ("client", "server", "listener")


def _recorder():
    spec = importlib.util.spec_from_file_location("record_captures", ROOT / "scripts" / "record_captures.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


recorder = _recorder()
STORIES = {story.name: story for story in recorder.STORIES}


def document(name: str) -> dict:
    return json.loads((CAPTURES / f"{name}.json").read_text())


def packets(name: str) -> list[tuple[float, bytes]]:
    with (CAPTURES / f"{name}.pcap").open("rb") as file:
        return list(dpkt.pcap.Reader(file))


def test_the_shipped_captures_are_the_scripts_stories():
    assert sorted(path.stem for path in CAPTURES.glob("*.pcap")) == sorted(STORIES)
    assert sorted(path.stem for path in CAPTURES.glob("*.json")) == sorted(STORIES)
    assert sorted(path.name for path in CAPTURES.iterdir()) == sorted(
        f"{name}{suffix}" for name in STORIES for suffix in (".pcap", ".json")
    )


def test_the_stories_named_in_the_issue_are_recorded():
    # Issue 9's list: the normal open and close, half-close, simultaneous close, abort, refused,
    # close() with unread data, a lost SYN, simultaneous open.
    assert set(STORIES) >= {
        "open-data-close",
        "half-close",
        "simultaneous-close",
        "abort",
        "refused",
        "close-unread",
        "lost-syn",
        "simultaneous-open",
    }


@pytest.mark.parametrize("name", sorted(STORIES))
def test_the_json_is_well_formed_and_tells_the_scripts_story(name):
    doc = document(name)
    story = STORIES[name]
    assert doc["story"] == name
    assert doc["description"] == story.description
    assert doc["kernel"].startswith("Linux ")
    assert doc["recorded_by"] == "scripts/record_captures.py"
    assert doc["client"] == list(recorder.CLIENT) and doc["server"] == list(recorder.SERVER)
    for side in ("client", "server"):
        assert set(recorder.SYSCTLS) <= set(doc["sysctls"][side])
        assert all(isinstance(value, int) for value in doc["sysctls"][side].values())
    if story.sysctls:
        assert doc["sysctls_changed"] == {"values": story.sysctls, "why": story.why}
        for side, values in story.sysctls.items():
            for key, value in values.items():
                assert doc["sysctls"][side][key] == value
    else:
        assert doc["sysctls_changed"] == {}
    assert 0 < doc["packets"] == len(packets(name))
    assert all(1 <= number <= doc["packets"] for number in doc["lost"])

    steps = doc["steps"]
    calls = [(step["side"], step["call"], *([step["argument"]] if "argument" in step else [])) for step in steps]
    assert calls == [tuple(step) for step in story.steps]
    assert [step["step"] for step in steps] == list(range(1, len(steps) + 1))
    counts = [step["after_packet"] for step in steps]
    assert counts == sorted(counts) and counts[-1] == doc["packets"], "a story ends with every packet seen"
    for step in steps:
        assert isinstance(step["result"], str) and step["result"]
        assert isinstance(step["held"], int) and step["held"] >= 0
        assert set(step["states"]) == set(ROLES)
        for role, state in step["states"].items():
            assert state["from"] in {"ss", "TCP_INFO", "gone"}, (name, step["step"], role)
            assert State(state["state"]) in State
            if state["from"] == "gone":
                assert state["kernel"] is None and state["state"] == "CLOSED"
            else:
                assert recorder.SS_STATES[state["kernel"]] == state["state"]
    assert steps[-1]["held"] == 0, "a story ends with nothing held"


@pytest.mark.parametrize("name", sorted(STORIES))
def test_the_pcap_reads_with_dpkt_as_one_conversation_and_the_snapshots_fall_between_its_packets(name):
    doc = document(name)
    read = packets(name)
    ends = {(recorder.CLIENT[0], recorder.CLIENT[1]), (recorder.SERVER[0], recorder.SERVER[1])}
    for _, frame in read:
        ip = dpkt.ethernet.Ethernet(frame).data
        assert isinstance(ip, dpkt.ip.IP) and isinstance(ip.data, dpkt.tcp.TCP)
        source = (socket.inet_ntoa(ip.src), ip.data.sport)
        destination = (socket.inet_ntoa(ip.dst), ip.data.dport)
        assert {source, destination} == ends
    first = read[0][0]
    times = [round((stamp - first) * 1e6) for stamp, _ in read]
    assert times == sorted(times)
    for step in doc["steps"]:
        count = step["after_packet"]
        if count:
            assert times[count - 1] <= step["time_us"], (name, step["step"])
        if count < len(times):
            assert step["time_us"] < times[count], (name, step["step"])


def test_the_script_maps_every_state_ss_and_tcp_info_name_to_an_rfc_state():
    assert {State(name) for name in recorder.SS_STATES.values()} == set(State)
    assert set(recorder.TCPI_STATES.values()) <= set(recorder.SS_STATES)
