"""A listening host as the simulation's server (tcpedu/sim/host_side.py): what the one-TCB server
gets wrong, right (lesson 10's listener that vanishes; a reconnect after the server's TIME-WAIT),
and several clients, each with its own connection, found by its address (RFC 9293 3.10.7: "the
connection is identified by the pair of sockets")."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties import check_changes_are_arcs

from tcpedu.core.errors import CallRefused, SimulationError
from tcpedu.core.segment import Flags, Segment
from tcpedu.core.states import State
from tcpedu.sim.simulation import Simulation


def simulation(clients: int = 1, **options) -> Simulation:
    sim = Simulation(host=True, clients=clients, client_isn=100, server_isn=300, **options)
    sim.configure("backlog", 4)
    return sim


def test_the_server_keeps_listening_when_its_syn_ack_retries_run_out():
    sim = simulation(retries=5)
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.deliver()  # the SYN arrives; the SYN,ACK and every retransmission are lost
    sim.call("client", "abort")
    while sim.in_flight:
        sim.drop()
    while sim.next_timer() is not None:
        sim.wait_next()
        while sim.in_flight:
            sim.drop()
    assert sim.time == 63  # SYN,ACKs at 0, 1, 3, 7, 15, 31 s; given up at 63 s (RFC 6298, 3.10.8)
    assert sim.state("server") is State.LISTEN  # the one-TCB server is CLOSED here
    assert sim.state("server/client") is State.CLOSED  # the half-open connection is gone
    notes = [(side, note.code) for side, note in sim.history[-2].notes]
    assert notes == [("server/client", "give-up"), ("server/client", "connection-removed")]


def test_a_client_reconnects_after_the_servers_time_wait():
    sim = simulation(msl=1)
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.deliver_all()
    sim.call("server/client", "close")  # the server closes first and waits in TIME-WAIT
    sim.deliver_all()
    sim.call("client", "close")
    sim.deliver_all()
    assert (sim.state("client"), sim.state("server/client")) == (State.CLOSED, State.TIME_WAIT)
    sim.wait(2)
    assert sim.state("server/client") is State.CLOSED
    assert sim.state("server") is State.LISTEN
    sim.configure("isn", 5000, "client")
    sim.call("client", "connect")
    sim.deliver_all()
    assert (sim.state("client"), sim.state("server/client")) == (State.ESTABLISHED, State.ESTABLISHED)


def test_two_clients_on_one_machine_get_two_connections_by_port():
    sim = simulation(clients=2)
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.call("client2", "connect")
    sim.deliver_all()
    assert sim.states == {"client": State.ESTABLISHED, "client2": State.ESTABLISHED, "server": State.LISTEN}
    assert sim.state("server/client") is State.ESTABLISHED
    assert sim.state("server/client2") is State.ESTABLISHED
    sim.call("client2", "send", b"two")
    sim.call("client", "send", b"one")
    sim.deliver_all()
    assert sim.endpoint("server/client").received == b"one"
    assert sim.endpoint("server/client2").received == b"two"
    # Each client's segments went to the server and the server's answers to the client that asked.
    for record in sim.history:
        for packet in record.sent:
            assert "server" in (packet.sender, packet.receiver)
            assert packet.sender != packet.receiver


def test_closing_the_listener_leaves_its_connections_alone():
    # Linux: close() on a listen socket stops new connections; accepted sockets live on.
    sim = simulation()
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.deliver_all()
    sim.call("server", "close")
    assert sim.state("server") is State.CLOSED
    assert sim.state("server/client") is State.ESTABLISHED


def test_a_spoofed_syn_makes_a_half_open_connection_whose_syn_ack_leaves_the_simulation():
    sim = simulation()
    sim.call("server", "listen")
    (record,) = sim.inject("server", Segment(7000, 0, Flags.SYN, 1000), "203.0.113.9:4000")
    assert sim.state("server/203.0.113.9:4000") is State.SYN_RECEIVED
    (syn_ack,) = record.sent
    assert syn_ack.receiver == "203.0.113.9:4000" and syn_ack.segment.ack == 7001
    assert sim.in_flight == []  # no simulated host has that address: nobody receives it


def test_the_syn_queue_full_drops_a_real_clients_syn_until_a_half_open_connection_is_given_up():
    sim = simulation(synack_retries=1)  # SYN,ACK at 0 s and 1 s, given up at 3 s
    sim.configure("backlog", 2)
    sim.call("server", "listen")
    for port in (4000, 4001):
        sim.inject("server", Segment(7000, 0, Flags.SYN, 1000), f"203.0.113.9:{port}")
    sim.call("client", "connect")
    records = sim.deliver()
    assert [note.code for _side, note in records[0].notes] == ["syn-queue-full"]
    assert sim.state("server/client") is State.CLOSED and sim.in_flight == []
    sim.wait(3)  # both half-open connections given up: the queue is empty again
    assert sim.server.host.syn_queue() == []
    # In flight: the client's SYN retransmissions of 1 s and 3 s (RFC 6298 back-off from 1 s).
    assert [packet.sent_at_us for packet in sim.in_flight] == [1_000_000, 3_000_000]
    sim.drop()
    sim.deliver_all()  # the 3 s one finds room
    assert sim.state("client") is State.ESTABLISHED and sim.state("server/client") is State.ESTABLISHED


def test_a_call_on_a_connection_the_server_does_not_have_is_refused_as_in_closed():
    sim = simulation()
    sim.call("server", "listen")
    with pytest.raises(CallRefused):
        sim.call("server/client", "send", 10)  # 3.10.2: "error: connection does not exist"


@pytest.mark.parametrize(
    "make",
    [
        lambda: Simulation(clients=2),  # several clients need a listening host
        lambda: Simulation(clients=0, host=True),
        lambda: Simulation(clients=17, host=True),
    ],
)
def test_impossible_simulations_are_refused_with_a_reason(make):
    with pytest.raises(SimulationError):
        make()


def test_a_one_connection_server_has_no_backlog_and_no_connections_by_name():
    sim = Simulation()
    with pytest.raises(ValueError, match="backlog"):
        sim.configure("backlog", 4)
    with pytest.raises(SimulationError, match="one connection"):
        sim.state("server/client")


def test_a_run_with_a_host_replays_and_undoes():
    sim = simulation(clients=2)
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.inject("server", Segment(7000, 0, Flags.SYN, 1000), "203.0.113.9:4000")
    sim.deliver_all()
    twin = sim.replay()
    assert [record.states for record in twin.history] == [record.states for record in sim.history]
    assert [record.sides for record in twin.history] == [record.sides for record in sim.history]
    sim.undo(4)
    assert sim.states == {"client": State.SYN_SENT, "client2": State.CLOSED, "server": State.LISTEN}
    assert sim.state("server/client") is State.CLOSED


# ----------------------------------------------------------------------------------------------
# Any sequence of requests: the listener stays, the SYN queue holds, every change is an arc

OUTSIDE = [f"203.0.113.{n}:{4000 + n}" for n in range(1, 6)]


@st.composite
def requests(draw):
    kind = draw(st.sampled_from(["connect", "send", "close", "abort", "syn", "deliver", "drop", "wait"]))
    who = draw(st.sampled_from(["client", "client2", "client3"]))
    return kind, who, draw(st.integers(0, 7)), draw(st.sampled_from(OUTSIDE))


@settings(max_examples=150, deadline=None)
@given(backlog=st.integers(1, 3), steps=st.lists(requests(), max_size=40))
def test_a_listening_host_keeps_listening_and_its_queue_whatever_the_clients_and_the_network_do(backlog, steps):
    sim = Simulation(host=True, clients=3, synack_retries=2)
    sim.configure("backlog", backlog)
    sim.call("server", "listen")
    for kind, who, number, outside in steps:
        try:
            if kind in ("connect", "close", "abort"):
                sim.call(who, kind)
            elif kind == "send":
                sim.call(who, "send", number + 1)
            elif kind == "syn":
                sim.inject("server", Segment(number * 1000, 0, Flags.SYN, 1000), outside)
            elif kind in ("deliver", "drop") and sim.in_flight:
                getattr(sim, kind)(sim.in_flight[number % len(sim.in_flight)].id)
            elif kind == "wait":
                sim.wait(number)
        except CallRefused:
            continue
        record = sim.history[-1]
        assert sim.state("server") is State.LISTEN
        assert len(sim.server.host.syn_queue()) <= backlog
        for packet in record.sent:  # the server answers the peer of the connection that sent
            assert (packet.sender == "server") != (packet.receiver == "server")
    for index in range(1, len(sim.history)):
        before, record = sim.history[index - 1], sim.history[index]
        for side in dict.fromkeys([*before.sides, *record.sides]):
            was = before.state_of(side)
            if "/" in side and side not in before.sides:
                was = State.LISTEN  # a new connection starts as a copy of the listener (3.10.7.2)
            check_changes_are_arcs(record, side, was, before.tcb_of(side) or None)
