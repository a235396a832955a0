"""run_to_dict builds each step in one pass for speed; it must say exactly what the records say.

The reference here is the plain definition of a step's JSON: each key filtered from the step's
records and their own ``Record.to_dict()`` (what ``tcpedu run --json`` printed before the one-pass
version), checked on every named scenario and on scripts with every kind of record.
"""

from __future__ import annotations

import json

import pytest

from tcpedu.core.segment import Flags
from tcpedu.scenario import load_scenario, parse, run_script, run_to_dict, scenario_names

MIXED = """\
client isn 1000
server isn 5000
server listen
client connect
deliver all
client send 1000
drop
duplicate
deliver
wait next
deliver all
client send "hi"
duplicate
deliver client
deliver all
inject server RST,ACK seq=1001 ack=5001 len=0
client close
deliver all
server close
deliver all
wait 300
"""


def reference_step(step) -> dict[str, object]:
    records = step.records
    last = records[-1] if records else None
    return {
        "line": step.command.line,
        "command": step.command.text,
        "time": step.time_us / 1e6,
        "states": dict(last.to_dict()["states"]) if last else None,
        "segments": [p.to_dict() for r in records for p in r.sent if p.copy_of is None],
        "delivered": [r.packet.id for r in records if r.kind == "deliver" and r.packet],
        "dropped": [r.packet.id for r in records if r.kind == "drop" and r.packet],
        "duplicated": [p.to_dict() for r in records for p in r.sent if p.copy_of is not None],
        "injected": [r.packet.to_dict() for r in records if r.kind == "inject" and r.packet],
        "timers": [{"side": r.side, "timer": r.detail, "time": r.time} for r in records if r.kind == "timer"],
        "transitions": [t for r in records for t in r.to_dict()["transitions"]],
        "notes": [n for r in records for n in r.to_dict()["notes"]],
        "tcb": dict(last.to_dict()["tcb"]) if last else None,
        "in_flight": list(last.in_flight) if last else [],
    }


def check_steps(run) -> None:
    steps = run_to_dict(run)["steps"]
    expected = [reference_step(step) for step in run.steps]
    assert json.dumps(steps) == json.dumps(expected)  # key order too


@pytest.mark.parametrize("name", scenario_names())
def test_each_steps_json_is_what_its_records_say_for_every_named_scenario(name):
    check_steps(run_script(load_scenario(name)))


@pytest.mark.parametrize("profile", ["rfc", "linux"])
def test_each_steps_json_is_what_its_records_say_with_losses_copies_injections_and_timers(profile):
    run = run_script(parse(f"profile {profile}\n" + MIXED, "mixed.tcp"))
    assert run.ok, run.error or run.failure
    kinds = {record.kind for step in run.steps for record in step.records}
    assert {"deliver", "drop", "duplicate", "inject", "timer", "wait"} <= kinds
    check_steps(run)


def test_flag_names_are_in_the_rfc_figures_order_for_every_combination():
    order = ["SYN", "FIN", "RST", "PSH", "URG", "ACK"]
    for value in range(64):
        assert Flags(value).names() == [name for name in order if value & Flags[name]]


@pytest.mark.parametrize("name", ["three-way-handshake", "simultaneous-close", "two-clients", "syn-flood"])
def test_the_json_written_a_step_at_a_time_is_the_json_of_the_whole_run(name):
    import orjson

    from tcpedu.scenario import load_scenario, run_script, run_to_dict, run_to_json, simulation_for

    script = load_scenario(name)
    run = run_script(script, simulation_for(script))
    assert b"".join(run_to_json(run)) == orjson.dumps(run_to_dict(run), option=orjson.OPT_APPEND_NEWLINE)


def test_a_title_that_looks_like_the_steps_key_stays_a_title():
    import orjson

    from tcpedu.scenario import parse, run_script, run_to_dict, run_to_json

    run = run_script(parse('# a title with "steps":[] in it\nserver listen\nclient connect\ndeliver all\n'))
    assert '"steps":[]' in run_to_dict(run)["title"]
    assert b"".join(run_to_json(run)) == orjson.dumps(run_to_dict(run), option=orjson.OPT_APPEND_NEWLINE)
