"""run_to_dict builds each step in one pass for speed; it must say exactly what the records say.

The reference here is the plain definition of a step's JSON: each key filtered from the step's
records and their own ``Record.to_dict()`` (what ``tcpedu run --json`` printed before the one-pass
version), checked on every named scenario and on scripts with every kind of record.
"""

from __future__ import annotations

import itertools
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


class _CountedHelper:
    """tcpedu.forked.Helper, counted (and, with ``fail``, one whose work always raises)."""

    started = 0
    fail = False

    def __new__(cls, work):
        from tcpedu.forked import Helper

        cls.started += 1
        return Helper((lambda: 1 // 0) if cls.fail else work)


def _helped_json(monkeypatch, run, jobs: int, fail: bool = False) -> tuple[bytes, int]:
    from tcpedu.scenario import report

    counted = type("Counted", (_CountedHelper,), {"fail": fail})
    monkeypatch.setattr(report, "Helper", counted)
    monkeypatch.setattr(report, "HELPED_FROM", 1)  # share even a short run
    return b"".join(report.run_to_json(run, jobs=jobs)), counted.started


@pytest.mark.parametrize("jobs", [2, 3, 5])
@pytest.mark.parametrize("name", ["mixed", "three-way-handshake", "two-clients", "syn-flood"])
def test_a_runs_json_rendered_with_forked_helpers_is_the_same_bytes(monkeypatch, name, jobs):
    import orjson

    run = run_script(parse(MIXED, "mixed.tcp") if name == "mixed" else load_scenario(name))
    json_bytes, helpers = _helped_json(monkeypatch, run, jobs)
    assert helpers >= 1  # the work was shared
    assert json_bytes == orjson.dumps(run_to_dict(run), option=orjson.OPT_APPEND_NEWLINE)


def test_a_share_whose_helper_fails_is_rendered_by_the_process_itself(monkeypatch):
    import orjson

    run = run_script(parse(MIXED, "mixed.tcp"))
    json_bytes, helpers = _helped_json(monkeypatch, run, 3, fail=True)
    assert helpers == 2
    assert json_bytes == orjson.dumps(run_to_dict(run), option=orjson.OPT_APPEND_NEWLINE)


def test_the_steps_are_shared_out_whole_in_order_with_about_as_many_records_each():
    from tcpedu.scenario.report import step_shares

    steps = run_script(parse(MIXED, "mixed.tcp")).steps
    records = [len(step.records) for step in steps]
    for parts in range(1, len(steps) + 3):
        shares = step_shares(steps, parts)
        assert shares[0][0] == 0 and shares[-1][1] == len(steps)
        assert all(a[1] == b[0] for a, b in itertools.pairwise(shares))
        assert all(start < end for start, end in shares) and len(shares) <= parts
        biggest = max(records)
        for start, end in shares[:-1]:  # a share stops at the first step that fills it
            assert sum(records[start:end]) < sum(records) / parts + biggest
