"""A host as the simulation's server side (tcpedu/sim/host_side.py): what the one-TCB server
gets wrong, right (lesson 10's listener that vanishes; a reconnect after the server's TIME-WAIT)."""

from __future__ import annotations

from tcpedu.core.states import State
from tcpedu.sim.host_side import host_side
from tcpedu.sim.simulation import Simulation


def simulation(**options) -> Simulation:
    return Simulation(endpoints={"server": host_side(backlog=4)}, client_isn=100, server_isn=300, **options)


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
    notes = [note.code for side, note in sim.history[-2].notes if side == "server"]
    assert notes == ["give-up", "connection-removed"]


def test_a_client_reconnects_after_the_servers_time_wait():
    sim = simulation(msl=1)
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.deliver_all()
    sim.call("server", "close")  # the server closes first and waits in TIME-WAIT
    sim.deliver_all()
    sim.call("client", "close")
    sim.deliver_all()
    assert (sim.state("client"), sim.state("server")) == (State.CLOSED, State.TIME_WAIT)
    sim.wait(2)
    assert sim.state("server") is State.LISTEN
    sim.configure("isn", 5000, "client")
    sim.call("client", "connect")
    sim.deliver_all()
    assert (sim.state("client"), sim.state("server")) == (State.ESTABLISHED, State.ESTABLISHED)


def test_a_run_with_a_host_replays_and_undoes():
    sim = simulation()
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.deliver_all()
    twin = sim.replay()
    assert [record.states for record in twin.history] == [record.states for record in sim.history]
    sim.undo(3)
    assert sim.states == {"client": State.SYN_SENT, "server": State.LISTEN}
