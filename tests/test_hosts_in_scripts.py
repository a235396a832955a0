"""Scripts with a listening server and several clients (tcpedu/scenario: ``client2``, ``backlog``,
``server/PEER``, ``inject ... from=``, ``syn-queue``), checked against RFC 9293 and Linux facts
written out here, and every bad line as one ``FILE:LINE`` error.

Facts: a connection is "identified by the pair of sockets" (RFC 9293 3.10.7), so two clients on
one machine with two ports get two connections; a listen socket stays in LISTEN when a handshake
fails (3.10.7.2 acts on a copy of the listener; Linux's request socks); with the SYN queue full a
SYN is dropped (Linux without SYN cookies); a SYN,ACK to a spoofed address goes to a host outside
the simulation, where nobody here receives it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tcpedu.core.states import State
from tcpedu.render import Ladder
from tcpedu.scenario import ScenarioError, parse, run_script, run_to_dict
from tcpedu.scenario.script import Inject

FILE = "hosts.tcp"

TWO_CLIENTS = """\
# Two clients, one server
client isn 100
client2 isn 200
server isn 300
server listen
client connect
client2 connect
deliver all
expect client ESTABLISHED client2 ESTABLISHED server LISTEN
expect server/client ESTABLISHED server/client2 ESTABLISHED
client2 send "two"
client send "one"
deliver all
expect server/client received=3 server/client2 received=3
server/client2 close
deliver all
expect client2 CLOSE-WAIT server/client2 FIN-WAIT-2 server/client ESTABLISHED
"""

FLOOD = """\
# A SYN flood fills the SYN queue; a real client gets in once a half-open connection is given up
backlog 2
synack-retries 1
client isn 100
server isn 300
server listen
inject server SYN seq=7000 from=203.0.113.9:4000
inject server SYN seq=8000 from=198.18.0.7:5555
expect server syn-queue=2 server/203.0.113.9:4000 SYN-RECEIVED
client connect
deliver
expect server syn-queue=2 server/client CLOSED inflight=0
wait 3
expect server LISTEN server syn-queue=0 server/203.0.113.9:4000 CLOSED
drop
deliver all
expect client ESTABLISHED server/client ESTABLISHED server syn-queue=0
"""


def run_of(text: str):
    run = run_script(parse(text, FILE))
    assert run.error is None, run.error
    assert run.failure is None, run.failure.message
    return run


def test_two_clients_each_get_their_own_connection_and_their_own_data():
    run = run_of(TWO_CLIENTS)
    sim = run.simulation
    assert sim.sides == ("client", "client2", "server")
    assert sim.endpoint("server/client").received == b"one"
    assert sim.endpoint("server/client2").received == b"two"
    # Both clients are one machine (192.0.2.1) with two ephemeral ports: two 4-tuples.
    assert sim.client.local[0] == sim.endpoints["client2"].local[0]
    assert sim.client.local[1] != sim.endpoints["client2"].local[1]


def test_a_syn_flood_fills_the_backlog_and_the_listener_survives_it():
    run = run_of(FLOOD)
    away = [packet for step in run.steps for record in step.records for packet in record.sent if packet.to]
    # The SYN,ACKs (and their one retransmission each) went to the forged addresses, never in flight.
    assert {packet.receiver for packet in away} >= {"203.0.113.9:4000", "198.18.0.7:5555"}
    dropped = [note.code for step in run.steps for record in step.records for _side, note in record.notes].count(
        "syn-queue-full"
    )
    assert dropped == 1


def test_the_json_report_names_every_side_and_connection():
    report = run_to_dict(run_of(TWO_CLIENTS))
    assert set(report["final"]["states"]) == {"client", "client2", "server", "server/client", "server/client2"}
    assert report["final"]["states"]["server/client2"] == State.FIN_WAIT_2.value
    sent = [segment for step in report["steps"] for segment in step["segments"]]
    assert {segment["from"] for segment in sent} == {"client", "client2", "server"}
    assert any(segment.get("to") == "client2" for segment in sent)


def test_the_ladder_has_a_lifeline_per_client_and_one_for_outside_addresses():
    svg = Ladder(run_of(FLOOD).simulation.history).svg()
    assert 'data-side="outside"' in svg and 'data-side="client"' in svg
    svg = Ladder(run_of(TWO_CLIENTS).simulation.history).svg()
    assert 'class="lifeline" data-side="client2"' in svg
    assert 'data-state="SYN-RECEIVED"' in svg  # the server's connections' states, on its lifeline


def test_the_command_line_runs_and_draws_a_script_with_two_clients(tmp_path):
    script = tmp_path / "two.tcp"
    script.write_text(TWO_CLIENTS, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "tcpedu", "run", str(script), "--json"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True
    done = subprocess.run(
        [sys.executable, "-m", "tcpedu", "run", str(script)], capture_output=True, text=True, check=False
    )
    assert "client2" in done.stdout.splitlines()[2]  # the header names every side


def test_existing_two_sided_scripts_keep_a_one_tcb_server():
    script = parse("server listen\nclient connect\ndeliver all\n", FILE)
    assert (script.clients, script.host) == (1, False)


@pytest.mark.parametrize(
    ("line", "clients", "host"),
    [
        ("client3 connect", 3, True),
        ("backlog 4", 1, True),
        ("server/client close", 1, True),
        ("inject server SYN seq=1 from=203.0.113.9:4000", 1, True),
        ("expect server syn-queue=0", 1, True),
        ("deliver client2", 2, True),
        ("client2 isn 5", 2, True),
    ],
)
def test_what_makes_the_server_a_listening_host(line, clients, host):
    script = parse(line + "\n", FILE)
    assert (script.clients, script.host) == (clients, host)


def test_inject_from_reads_a_client_or_an_address():
    command = parse("inject server SYN seq=1 from=client2\n", FILE).commands[0]
    assert isinstance(command, Inject) and command.sender == "client2"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("client17 connect", "unknown command"),
        ("server/client17 close", "no client 'client17'"),
        ("server/300.1.1.1:80 close", "IPv4 address"),
        ("server/203.0.113.9:0 close", "port"),
        ("server/client isn 5", "settings are the server's"),
        ("inject client SYN seq=1 from=203.0.113.9:4000", "the client hears from the server only"),
        ("inject server SYN seq=1 from=nowhere", "name a client or an address"),
        ("expect client syn-queue=1", "the listening server's"),
        ("backlog 0", "between 1 and 65535"),
    ],
)
def test_a_bad_host_line_is_one_error_naming_the_line(text, message):
    with pytest.raises(ScenarioError) as info:
        parse("# title\n\n" + text + "\n", FILE)
    assert str(info.value).startswith(f"{FILE}:3: ")
    assert message in str(info.value)


def test_a_call_on_a_connection_that_does_not_exist_stops_the_run_at_its_line():
    run = run_script(parse("backlog 2\nserver listen\nserver/client send 10\n", FILE))
    assert run.error is not None and run.error.line == 3
    assert "connection does not exist" in str(run.error)
