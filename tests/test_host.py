"""The host layer (tcpedu/core/host.py): a listener and its connections, by 4-tuple.

Facts stated by hand from RFC 9293 and Linux, not read back from the code: a listen socket
stays in LISTEN whatever happens to the connections it made (3.10.7.2 acts on a copy of the
listening TCB); a connection given up after its SYN,ACK retransmissions (3.8.3, 3.10.8) goes,
the listener stays; a SYN beyond the backlog is dropped (Linux without SYN cookies); a RST in
SYN-RECEIVED "returns to LISTEN" (3.10.7.4), which for a host means the connection is removed.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcpedu.core.endpoint import Endpoint, EndpointConfig
from tcpedu.core.errors import CallRefused
from tcpedu.core.host import LISTENER, Host, connection_label
from tcpedu.core.segment import Flags, Segment
from tcpedu.core.states import State
from tcpedu.core.transitions import ARCS

SERVER = ("198.51.100.1", 80)
ALICE = ("192.0.2.1", 50000)
BOB = ("192.0.2.1", 50001)  # the same machine, another ephemeral port: another 4-tuple
S = 1_000_000


def client(local=ALICE, isn=100) -> Endpoint:
    return Endpoint("client", local, SERVER, EndpointConfig(isn=isn))


def listening(backlog: int = 128, retries: int = 6, isn: int = 300) -> Host:
    config = EndpointConfig(isn=isn, max_retransmissions=retries, max_syn_ack_retransmissions=retries)
    host = Host("server", SERVER, config, backlog=backlog)
    host.call("listen", 0)
    host.drain()
    return host


def exchange(host: Host, clients: list[Endpoint], now: int = 0) -> list:
    """Deliver every segment both ways until nothing is in flight; return the host's output items."""
    seen = []
    pending = True
    while pending:
        pending = False
        for endpoint in clients:
            for segment, _tag in endpoint.drain().segments:
                host.receive(segment, now, endpoint.local)
                pending = True
        out = host.drain()
        seen.append(out)
        by_address = {endpoint.local: endpoint for endpoint in clients}
        for segment, _tag, remote in out.segments:
            if remote in by_address:
                by_address[remote].receive(segment, now)
                pending = True
    return seen


def syn_from(remote_isn: int) -> Segment:
    return Segment(remote_isn, 0, Flags.SYN, 65535)


def test_a_listener_makes_a_connection_for_a_syn_and_stays_in_listen():
    host = listening()
    alice = client()
    alice.connect(0)
    exchange(host, [alice])
    assert alice.state is State.ESTABLISHED
    assert host.connection(ALICE).state is State.ESTABLISHED
    assert host.listener.state is State.LISTEN


def test_the_listener_survives_a_handshake_whose_syn_ack_retries_run_out():
    # RFC 6298 back-off from 1 s with 5 retransmissions (lesson 10's Linux-like count): SYN,ACKs
    # at 0, 1, 3, 7, 15 and 31 s, given up at 63 s; the connection goes, the listener stays.
    host = listening(retries=5)
    host.receive(syn_from(100), 0, ALICE)
    times = [0]
    host.drain()
    while host.next_timer() is not None:
        now = host.next_timer()
        host.handle_timer(now)
        out = host.drain()
        if out.segments:
            times.append(now)
    assert times == [0, 1 * S, 3 * S, 7 * S, 15 * S, 31 * S]
    assert now == 63 * S
    assert [note.code for _, note in out.notes] == ["give-up", "connection-removed"]
    assert [(arc.state, arc.target) for _, arc in out.arcs] == [(State.SYN_RECEIVED, State.CLOSED)]
    assert host.children == {}
    assert host.listener.state is State.LISTEN


def test_a_new_client_connects_after_a_failed_handshake():
    host = listening(retries=0)
    host.receive(syn_from(7), 0, ALICE)
    host.handle_timer(1 * S)  # no retransmission allowed: given up
    assert host.children == {}
    alice = client()
    alice.connect(2 * S)
    exchange(host, [alice], 2 * S)
    assert (alice.state, host.connection(ALICE).state) == (State.ESTABLISHED, State.ESTABLISHED)


def test_a_syn_beyond_the_backlog_is_dropped_and_nothing_is_sent():
    # Four spoofed SYNs fill a backlog of 4; the fifth, and a real client's, get no answer.
    host = listening(backlog=4)
    for port in range(4):
        host.receive(syn_from(1000 + port), 0, ("203.0.113.9", 1024 + port))
    assert len(host.drain().segments) == 4
    assert len(host.syn_queue()) == 4
    host.receive(syn_from(5000), 0, ("203.0.113.9", 2000))
    alice = client()
    alice.connect(0)
    exchange(host, [alice])
    out = host.drain()
    assert out.segments == []
    assert alice.state is State.SYN_SENT  # its SYN was dropped: it will retransmit
    assert len(host.syn_queue()) == 4
    assert host.listener.state is State.LISTEN


def test_the_queue_full_note_names_the_backlog_and_linux_without_cookies():
    host = listening(backlog=1)
    host.receive(syn_from(1), 0, ("203.0.113.9", 1))
    host.receive(syn_from(2), 0, ("203.0.113.9", 2))
    label, note = host.drain().notes[-1]
    assert (label, note.code, note.args) == (LISTENER, "syn-queue-full", {"n": 1, "backlog": 1})
    assert "tcp_syncookies=0" in note.text


def test_a_place_in_the_syn_queue_frees_when_a_half_open_connection_is_given_up():
    host = listening(backlog=1, retries=0)
    host.receive(syn_from(1), 0, ("203.0.113.9", 1))
    host.handle_timer(1 * S)  # given up at once (no retransmissions)
    alice = client()
    alice.connect(2 * S)
    exchange(host, [alice], 2 * S)
    assert alice.state is State.ESTABLISHED


def test_an_established_connection_leaves_the_syn_queue():
    host = listening(backlog=1)
    alice, bob = client(ALICE, 100), client(BOB, 700)
    alice.connect(0)
    exchange(host, [alice])
    bob.connect(0)
    exchange(host, [bob])
    assert [host.state_of(ALICE), host.state_of(BOB)] == [State.ESTABLISHED, State.ESTABLISHED]


def test_two_clients_get_two_connections_told_apart_by_the_4_tuple():
    host = listening()
    alice, bob = client(ALICE, 100), client(BOB, 700)
    alice.connect(0)
    bob.connect(0)
    exchange(host, [alice, bob])
    assert set(host.children) == {ALICE, BOB}
    assert host.connection(ALICE).tcb.irs == 100
    assert host.connection(BOB).tcb.irs == 700
    alice.send(b"from alice", 0)
    bob.send(b"bob", 0)
    exchange(host, [alice, bob])
    assert bytes(host.connection(ALICE).received) == b"from alice"
    assert bytes(host.connection(BOB).received) == b"bob"
    alice.close(0)
    exchange(host, [alice, bob])
    assert host.state_of(ALICE) is State.CLOSE_WAIT
    assert host.state_of(BOB) is State.ESTABLISHED


def test_each_output_item_names_its_connection():
    host = listening()
    alice = client()
    alice.connect(0)
    outputs = exchange(host, [alice])
    labels = {label for out in outputs for label, _ in out.arcs}
    assert labels == {connection_label(ALICE)} == {"192.0.2.1:50000"}


def test_a_rst_in_syn_received_removes_the_connection_and_the_listener_takes_the_next_syn():
    # 3.10.7.4: "If this connection was initiated with a passive OPEN [...] return this connection to
    # the LISTEN state". The listener was there all along; the connection is removed.
    host = listening()
    host.receive(syn_from(100), 0, ALICE)
    host.drain()
    host.receive(Segment(101, 0, Flags.RST, 0), 0, ALICE)
    out = host.drain()
    assert [(arc.state, arc.target) for _, arc in out.arcs] == [(State.SYN_RECEIVED, State.LISTEN)]
    assert [note.code for _, note in out.notes] == ["back-to-listen", "connection-removed"]
    assert host.children == {}
    host.receive(syn_from(900), 1 * S, ALICE)
    assert host.connection(ALICE).state is State.SYN_RECEIVED
    assert host.connection(ALICE).tcb.irs == 900


def test_an_ack_for_no_connection_is_reset_by_the_listener_to_its_sender():
    # 3.10.7.2: in LISTEN "any acknowledgment is bad": <SEQ=SEG.ACK><CTL=RST>.
    host = listening()
    host.receive(Segment(5000, 4242, Flags.ACK, 65535), 0, BOB)
    ((segment, tag, remote),) = host.drain().segments
    assert (segment.seq, segment.flags, tag, remote) == (4242, Flags.RST, "reset", BOB)
    assert host.listener.state is State.LISTEN and host.children == {}


def test_a_host_that_is_not_listening_refuses_a_syn():
    # 3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
    host = Host("server", SERVER)
    host.receive(syn_from(100), 0, ALICE)
    ((segment, _tag, remote),) = host.drain().segments
    assert (segment.seq, segment.ack, segment.flags, remote) == (0, 101, Flags.RST | Flags.ACK, ALICE)


def test_a_client_reconnects_on_the_same_port_after_the_servers_time_wait():
    host = listening()
    host.config.msl_us = 1 * S
    alice = client()
    alice.connect(0)
    exchange(host, [alice])
    host.call("close", 0, remote=ALICE)  # the server closes first: its connection waits in TIME-WAIT
    exchange(host, [alice])
    alice.close(0)
    exchange(host, [alice])
    assert (host.state_of(ALICE), alice.state) == (State.TIME_WAIT, State.CLOSED)
    host.handle_timer(2 * S)
    assert host.children == {} and host.listener.state is State.LISTEN
    alice.config.isn = 5000
    alice.connect(3 * S)
    exchange(host, [alice], 3 * S)
    assert alice.state is State.ESTABLISHED
    assert host.connection(ALICE).tcb.irs == 5000


def test_a_syn_during_time_wait_reaches_that_connection_not_the_listener():
    host = listening()
    alice = client()
    alice.connect(0)
    exchange(host, [alice])
    host.call("close", 0, remote=ALICE)
    exchange(host, [alice])
    alice.close(0)
    exchange(host, [alice])
    host.receive(syn_from(9000), 1 * S, ALICE)
    out = host.drain()
    assert [note.code for _, note in out.notes] == ["challenge-ack-syn"]  # RFC 5961 4.2, in the connection
    assert host.state_of(ALICE) is State.TIME_WAIT


def test_a_listening_socket_has_no_peer_to_connect_or_send_to():
    host = listening()
    for call, data in (("connect", None), ("send", 10)):
        with pytest.raises(CallRefused, match="a listening socket has no peer"):
            host.call(call, 0, data)
    assert host.listener.state is State.LISTEN


def test_a_call_on_a_connection_that_does_not_exist_is_refused_as_in_closed():
    host = listening()
    with pytest.raises(CallRefused, match="connection does not exist"):
        host.call("close", 0, remote=ALICE)
    assert host.children == {}


def test_the_server_can_open_a_connection_of_its_own_beside_the_listener():
    host = listening()
    host.call("connect", 0, remote=BOB)
    assert host.state_of(BOB) is State.SYN_SENT
    assert host.listener.state is State.LISTEN


def test_a_crash_loses_every_connection_and_the_listener():
    host = listening()
    alice = client()
    alice.connect(0)
    exchange(host, [alice])
    host.call("crash", 0)
    assert host.children == {} and host.listener.state is State.CLOSED
    assert host.drain().segments == []


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["syn", "rst", "ack", "timer"]), st.integers(0, 7), st.integers(0, 2**32 - 1)),
        max_size=40,
    ),
    st.integers(1, 5),
)
def test_whatever_arrives_the_listener_stays_and_the_syn_queue_stays_within_the_backlog(events, backlog):
    host = listening(backlog=backlog, retries=2)
    now = 0
    for kind, port, number in events:
        remote = ("203.0.113.9", 1000 + port)
        if kind == "syn":
            host.receive(syn_from(number), now, remote)
        elif kind == "rst":
            host.receive(Segment(number, 0, Flags.RST, 0), now, remote)
        elif kind == "ack":
            host.receive(Segment(number, number ^ 0x5555, Flags.ACK, 1000), now, remote)
        elif host.next_timer() is not None:
            now = host.next_timer()
            host.handle_timer(now)
        out = host.drain()
        assert all(arc in ARCS for _, arc in out.arcs)  # every state change is an arc of the table
        assert host.listener.state is State.LISTEN
        assert len(host.syn_queue()) <= backlog
        assert all(child.state not in (State.CLOSED, State.LISTEN) for child in host.children.values())
