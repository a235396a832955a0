"""The transition table (tcpedu/core/transitions.py) against RFC 9293, and against the engine.

* Figure 5's 20 arcs, written out by hand from the RFC's figure.
* Every arc of ``ARCS`` walked through the engine by a recipe (a short scenario script):
  the engine must report that arc, end in its target and send what its actions say.
* Every user call in every state is either an arc or a refusal with the RFC's error string
  (3.10.1 - 3.10.5), and a refused call changes nothing.
* The graph: every state reachable from CLOSED and able to get back to it.
"""

from __future__ import annotations

import dataclasses
import re
from collections import deque

import pytest

import tcpedu
from tcpedu import CallRefused, Flags, State, parse, run_script
from tcpedu.core import ARCS, REFUSALS, USER_CALLS, Action, Arc, Condition, Event, arc_for, refusal_for
from tcpedu.core.transitions import SWITCHED_ARCS
from tcpedu.scenario import Run
from tcpedu.sim.history import Record

S = State
E = Event

# ------------------------------------------------------------------------------------------------
# RFC 9293 Figure 5, arc by arc, in the figure's own words (its state abbreviations included).
# (from, event, to, label). The figure draws no action for note 1's RST arc; the table writes
# "x" for "no action" as the figure does elsewhere, and spells note 1 out as the condition.

FIGURE_5 = [
    ("CLOSED", "passive OPEN", "LISTEN", "passive OPEN / create TCB"),
    ("CLOSED", "active OPEN", "SYN-SENT", "active OPEN / create TCB, snd SYN"),
    ("LISTEN", "CLOSE", "CLOSED", "CLOSE / delete TCB"),
    ("LISTEN", "rcv SYN", "SYN-RCVD", "rcv SYN / snd SYN,ACK"),
    ("LISTEN", "SEND", "SYN-SENT", "SEND / snd SYN"),
    ("SYN-SENT", "CLOSE", "CLOSED", "CLOSE / delete TCB"),
    ("SYN-SENT", "rcv SYN", "SYN-RCVD", "rcv SYN / snd SYN,ACK"),
    ("SYN-SENT", "rcv SYN,ACK", "ESTAB", "rcv SYN,ACK / snd ACK"),
    ("SYN-RCVD", "rcv RST", "LISTEN", "rcv RST (reached by passive OPEN) / x"),
    ("SYN-RCVD", "rcv ACK of SYN", "ESTAB", "rcv ACK of SYN / x"),
    ("SYN-RCVD", "CLOSE", "FIN-WAIT-1", "CLOSE / snd FIN"),
    ("ESTAB", "CLOSE", "FIN-WAIT-1", "CLOSE / snd FIN"),
    ("ESTAB", "rcv FIN", "CLOSE-WAIT", "rcv FIN / snd ACK"),
    ("FIN-WAIT-1", "rcv ACK of FIN", "FINWAIT-2", "rcv ACK of FIN / x"),
    ("FIN-WAIT-1", "rcv FIN", "CLOSING", "rcv FIN / snd ACK"),
    ("CLOSE-WAIT", "CLOSE", "LAST-ACK", "CLOSE / snd FIN"),
    ("FINWAIT-2", "rcv FIN", "TIME-WAIT", "rcv FIN / snd ACK"),
    ("CLOSING", "rcv ACK of FIN", "TIME-WAIT", "rcv ACK of FIN / x"),
    ("LAST-ACK", "rcv ACK of FIN", "CLOSED", "rcv ACK of FIN / x"),
    ("TIME-WAIT", "Timeout=2MSL", "CLOSED", "Timeout=2MSL / delete TCB"),
]


def _figure_key(row: tuple[str, str, str, str]) -> tuple[State, Event, State]:
    source, event, target, _ = row
    return State.parse(source), Event(event), State.parse(target)


def test_figure_5_has_twenty_arcs_written_out():
    assert len(FIGURE_5) == 20
    assert len({_figure_key(row) for row in FIGURE_5}) == 20


def test_the_figure_5_arcs_of_the_table_are_exactly_the_figure():
    in_table = sorted((a.state.value, a.event.value, a.target.value) for a in ARCS if a.source == "Figure 5")
    expected = sorted((s.value, e.value, t.value) for s, e, t in map(_figure_key, FIGURE_5))
    assert in_table == expected


@pytest.mark.parametrize("row", FIGURE_5, ids=[f"{r[0]} --{r[1]}--> {r[2]}" for r in FIGURE_5])
def test_figure_5_arc_is_labelled_in_the_figures_words(row):
    state, event, target = _figure_key(row)
    matches = [a for a in ARCS if (a.state, a.event, a.target) == (state, event, target) and a.in_figure]
    assert len(matches) == 1, f"Figure 5 draws {row[0]} --{row[1]}--> {row[2]} once"
    assert matches[0].label == row[3]


def test_note_1_conditions_the_rst_arc_back_to_listen_on_a_passive_open():
    # Note 1: SYN-RECEIVED -> LISTEN on a RST only if SYN-RECEIVED was reached by a passive OPEN.
    arc = arc_for(S.SYN_RECEIVED, E.RCV_RST, Condition.PASSIVE_OPEN)
    assert arc is not None and arc.target is S.LISTEN and arc.in_figure
    active = arc_for(S.SYN_RECEIVED, E.RCV_RST, Condition.ACTIVE_OPEN)
    assert active is not None and active.target is S.CLOSED and not active.in_figure


def test_note_2_fin_wait_1_goes_to_time_wait_on_a_fin_that_acks_our_fin():
    arc = arc_for(S.FIN_WAIT_1, E.RCV_FIN_AND_ACK_OF_FIN)
    assert arc is not None and arc.target is S.TIME_WAIT and arc.source == "Figure 5 note 2"
    assert Action.SND_ACK in arc.actions


# ------------------------------------------------------------------------------------------------
# Table hygiene

SOURCE_KINDS = re.compile(r"Figure 5|Figure 5 note [123]|3(\.\d+)+|simulation")


def test_the_table_has_no_duplicate_keys():
    keys = [arc.key for arc in ARCS]
    duplicates = {key for key in keys if keys.count(key) > 1}
    assert not duplicates
    refusal_keys = [(r.state, r.event) for r in REFUSALS]
    assert len(refusal_keys) == len(set(refusal_keys))


@pytest.mark.parametrize("arc", ARCS, ids=str)
def test_every_arc_source_is_a_documented_kind(arc):
    assert SOURCE_KINDS.fullmatch(arc.source), arc.source


def test_section_sources_are_event_processing_sections():
    # Arcs from the text come from 3.10 (event processing); Figure 5 notes name notes 1-3.
    for arc in ARCS:
        if arc.source[0].isdigit():
            assert arc.source.startswith("3.10."), arc


def test_only_the_simulation_arcs_are_crashes():
    for arc in ARCS:
        assert (arc.source == "simulation") == (arc.event is E.CRASH), arc


# ------------------------------------------------------------------------------------------------
# The graph


def _reachable(start: State, arcs, forward: bool = True) -> set[State]:
    seen = {start}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for arc in arcs:
            if forward and arc.state is here and arc.target not in seen:
                seen.add(arc.target)
                queue.append(arc.target)
            elif not forward and arc.target is here and arc.state not in seen:
                seen.add(arc.state)
                queue.append(arc.state)
    return seen


TCP_ARCS = [arc for arc in ARCS if arc.source != "simulation"]


def test_every_state_is_reachable_from_closed():
    assert _reachable(S.CLOSED, ARCS) == set(State)
    assert _reachable(S.CLOSED, TCP_ARCS) == set(State), "without the simulator's crash"


def test_every_state_can_get_back_to_closed():
    assert _reachable(S.CLOSED, ARCS, forward=False) == set(State)
    assert _reachable(S.CLOSED, TCP_ARCS, forward=False) == set(State), "without the simulator's crash"


def test_figure_5_alone_connects_every_state_both_ways():
    figure = [arc for arc in ARCS if arc.in_figure]
    assert _reachable(S.CLOSED, figure) == set(State)
    assert _reachable(S.CLOSED, figure, forward=False) == set(State)


# ------------------------------------------------------------------------------------------------
# Getting one side into each state. ISNs are fixed (client 100, server 300) so the scripts
# can name sequence numbers; ``rcv_nxt`` is that side's RCV.NXT once there.

OPEN = """
client isn 100
server isn 300
server listen
client connect
"""
HANDSHAKE = OPEN + "deliver all\n"
CLIENT_CLOSED_FIRST = HANDSHAKE + "client close\n"
BOTH_CLOSE = CLIENT_CLOSED_FIRST + "server close\n"


@dataclasses.dataclass(frozen=True)
class Reach:
    side: str
    setup: str
    rcv_nxt: int | None


REACH: dict[State, Reach] = {
    S.LISTEN: Reach("server", "server listen", None),
    S.SYN_SENT: Reach("client", "client isn 100\nclient connect", None),
    S.SYN_RECEIVED: Reach("server", OPEN + "deliver client", 101),  # after a passive OPEN
    S.ESTABLISHED: Reach("client", HANDSHAKE, 301),
    S.FIN_WAIT_1: Reach("client", CLIENT_CLOSED_FIRST, 301),
    S.FIN_WAIT_2: Reach("client", CLIENT_CLOSED_FIRST + "deliver all", 301),
    S.CLOSE_WAIT: Reach("server", CLIENT_CLOSED_FIRST + "deliver all", 102),
    S.CLOSING: Reach("server", BOTH_CLOSE + "deliver client", 102),
    S.LAST_ACK: Reach("server", CLIENT_CLOSED_FIRST + "deliver all\nserver close", 102),
    S.TIME_WAIT: Reach("client", CLIENT_CLOSED_FIRST + "deliver all\nserver close\ndeliver all", 302),
}


@dataclasses.dataclass(frozen=True)
class Recipe:
    """``setup`` brings ``side`` into the arc's state; ``trigger`` (one line) makes its event."""

    side: str
    setup: str
    trigger: str


def _from(state: State, trigger: str) -> Recipe:
    reach = REACH[state]
    return Recipe(reach.side, reach.setup, trigger.format(side=reach.side, rcv_nxt=reach.rcv_nxt))


SIMULTANEOUS_OPEN = "client isn 100\nserver isn 300\nclient connect\nserver connect\n"
NO_RETRIES = "retries 0\n"

RECIPES: dict[tuple[State, Event, Condition | None], Recipe] = {
    # --- Figure 5 --------------------------------------------------------------------------------
    (S.CLOSED, E.PASSIVE_OPEN, None): Recipe("server", "", "server listen"),
    (S.CLOSED, E.ACTIVE_OPEN, None): Recipe("client", "client isn 100", "client connect"),
    (S.LISTEN, E.CLOSE, None): _from(S.LISTEN, "server close"),
    (S.LISTEN, E.RCV_SYN, None): Recipe("server", OPEN, "deliver client"),
    (S.LISTEN, E.SEND, None): _from(S.LISTEN, "server send 10"),
    (S.SYN_SENT, E.CLOSE, None): _from(S.SYN_SENT, "client close"),
    (S.SYN_SENT, E.RCV_SYN, None): Recipe("client", SIMULTANEOUS_OPEN, "deliver server"),
    (S.SYN_SENT, E.RCV_SYN_ACK, None): Recipe("client", OPEN + "deliver client", "deliver server"),
    (S.SYN_RECEIVED, E.RCV_RST, Condition.PASSIVE_OPEN): _from(S.SYN_RECEIVED, "inject server RST seq={rcv_nxt}"),
    (S.SYN_RECEIVED, E.RCV_ACK_OF_SYN, None): Recipe(
        "server", OPEN + "deliver client\ndeliver server", "deliver client"
    ),
    (S.SYN_RECEIVED, E.CLOSE, None): _from(S.SYN_RECEIVED, "server close"),
    (S.ESTABLISHED, E.CLOSE, None): _from(S.ESTABLISHED, "client close"),
    (S.ESTABLISHED, E.RCV_FIN, None): Recipe("server", CLIENT_CLOSED_FIRST, "deliver client"),
    (S.FIN_WAIT_1, E.RCV_ACK_OF_FIN, None): Recipe("client", CLIENT_CLOSED_FIRST + "deliver client", "deliver server"),
    (S.FIN_WAIT_1, E.RCV_FIN, None): Recipe("server", BOTH_CLOSE, "deliver client"),  # simultaneous close
    (S.CLOSE_WAIT, E.CLOSE, None): _from(S.CLOSE_WAIT, "server close"),
    (S.FIN_WAIT_2, E.RCV_FIN, None): Recipe("client", REACH[S.LAST_ACK].setup, "deliver server"),
    # Simultaneous close: both sides CLOSING; the trigger delivers the client's ACK of the
    # server's FIN (the server's ACK of the client's FIN is still in flight).
    (S.CLOSING, E.RCV_ACK_OF_FIN, None): Recipe(
        "server", BOTH_CLOSE + "deliver client\ndeliver server", "deliver client"
    ),
    (S.LAST_ACK, E.RCV_ACK_OF_FIN, None): Recipe(
        "server", REACH[S.LAST_ACK].setup + "\ndeliver server", "deliver client"
    ),
    (S.TIME_WAIT, E.TIMEOUT_2MSL, None): _from(S.TIME_WAIT, "wait 240"),  # 2*MSL, MSL = 2 minutes
    # --- Figure 5 notes ------------------------------------------------------------------------
    # Note 2: the client's FIN is ACKed only by the server's FIN (its plain ACK is lost).
    (S.FIN_WAIT_1, E.RCV_FIN_AND_ACK_OF_FIN, None): Recipe(
        "client", CLIENT_CLOSED_FIRST + "deliver client\nserver close\ndrop server", "deliver server"
    ),
    # Note 3: a valid RST. In SYN-SENT, the RST,ACK a CLOSED server answers a SYN with.
    (S.SYN_SENT, E.RCV_RST, None): Recipe("client", "client isn 100\nclient connect\ndeliver client", "deliver server"),
    (S.SYN_RECEIVED, E.RCV_RST, Condition.ACTIVE_OPEN): Recipe(
        "client", SIMULTANEOUS_OPEN + "deliver server", "inject client RST seq=301"
    ),
    **{
        (state, E.RCV_RST, None): _from(state, "inject {side} RST seq={rcv_nxt}")
        for state in (S.ESTABLISHED, S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSE_WAIT, S.CLOSING, S.LAST_ACK, S.TIME_WAIT)
    },
    # --- Section 3.10 text -----------------------------------------------------------------------
    (S.LISTEN, E.ACTIVE_OPEN, None): _from(S.LISTEN, "server connect"),
    (S.SYN_SENT, E.SEND, None): _from(S.SYN_SENT, "client send 10"),
    (S.SYN_RECEIVED, E.SEND, None): _from(S.SYN_RECEIVED, "server send 10"),
    (S.ESTABLISHED, E.SEND, None): _from(S.ESTABLISHED, "client send 10"),
    (S.CLOSE_WAIT, E.SEND, None): _from(S.CLOSE_WAIT, "server send 10"),
    **{(state, E.ABORT, None): _from(state, "{side} abort") for state in REACH},
    (S.SYN_RECEIVED, E.RCV_SYN, Condition.PASSIVE_OPEN): _from(S.SYN_RECEIVED, "inject server SYN seq={rcv_nxt}"),
    # 3.10.4: a CLOSE in SYN-RECEIVED with data queued waits for ESTABLISHED.
    (S.SYN_RECEIVED, E.CLOSE, Condition.DATA_QUEUED): Recipe(
        "server", REACH[S.SYN_RECEIVED].setup + "\nserver send 10", "server close"
    ),
    # 3.10.7.4, eighth step: a FIN at RCV.NXT in CLOSE-WAIT or LAST-ACK (the peer's FIN was
    # already received, so only a crafted one can be new) is acknowledged; the state remains.
    (S.CLOSE_WAIT, E.RCV_FIN, None): _from(S.CLOSE_WAIT, "inject {side} FIN,ACK seq={rcv_nxt} ack=301"),
    (S.LAST_ACK, E.RCV_FIN, None): _from(S.LAST_ACK, "inject {side} FIN,ACK seq={rcv_nxt} ack=301"),
    # TIME-WAIT: the server's FIN (seq 301) again, as when the client's last ACK is lost.
    (S.TIME_WAIT, E.RCV_FIN, None): _from(S.TIME_WAIT, "inject {side} FIN,ACK seq=301 ack=102"),
    # The user timeout: retries 0, so the first expiry of the retransmission timer gives up.
    (S.SYN_SENT, E.USER_TIMEOUT, None): Recipe("client", NO_RETRIES + "client connect\ndrop", "wait next"),
    (S.SYN_RECEIVED, E.USER_TIMEOUT, None): Recipe(
        "server", NO_RETRIES + "server listen\ninject server SYN seq=100\ndrop", "wait next"
    ),
    (S.ESTABLISHED, E.USER_TIMEOUT, None): Recipe(
        "client", NO_RETRIES + HANDSHAKE + "client send 10\ndrop", "wait next"
    ),
    (S.FIN_WAIT_1, E.USER_TIMEOUT, None): Recipe("client", NO_RETRIES + CLIENT_CLOSED_FIRST + "drop", "wait next"),
    (S.CLOSE_WAIT, E.USER_TIMEOUT, None): Recipe(
        "server", NO_RETRIES + REACH[S.CLOSE_WAIT].setup + "\nserver send 10\ndrop", "wait next"
    ),
    # Server CLOSING with its FIN lost; the client's FIN is ACKed, so only the server times.
    (S.CLOSING, E.USER_TIMEOUT, None): Recipe(
        "server", NO_RETRIES + REACH[S.CLOSING].setup + "\ndrop server\ndeliver server", "wait next"
    ),
    (S.LAST_ACK, E.USER_TIMEOUT, None): Recipe("server", NO_RETRIES + REACH[S.LAST_ACK].setup + "\ndrop", "wait next"),
    # --- The simulator's crash ---------------------------------------------------------------------
    **{(state, E.CRASH, None): _from(state, "{side} crash") for state in REACH},
}


def test_every_arc_has_a_recipe():
    missing = [str(arc) for arc in ARCS if arc.key not in RECIPES]
    assert not missing, "arcs the engine walk does not cover"


def test_every_recipe_is_for_an_arc():
    keys = {arc.key for arc in ARCS}
    assert not [key for key in RECIPES if key not in keys]


def _arc_id(arc: Arc) -> str:
    condition = f" ({arc.condition})" if arc.condition else ""
    return f"{arc.state} --{arc.event}{condition}--> {arc.target}"


def _run(text: str) -> Run:
    run = run_script(parse(text))
    assert run.ok, (run.failure and run.failure.message) or str(run.error)
    return run


def _state_before(run: Run, first: Record, side: str) -> State:
    return run.simulation.history[first.index - 1].state_of(side) if first.index else S.CLOSED


def _tcb_before(run: Run, first: Record, side: str) -> dict[str, object] | None:
    return run.simulation.history[first.index - 1].tcb_of(side) if first.index else None


_CONTROLS = Flags.SYN | Flags.FIN | Flags.RST
# The control bits each sending action puts on the wire.
_ACTION_CONTROLS = {
    Action.SND_SYN: Flags.SYN,
    Action.SND_SYN_ACK: Flags.SYN,
    Action.SND_FIN: Flags.FIN,
    Action.SND_RST: Flags.RST,
}
_SENDING_ACTIONS = {*_ACTION_CONTROLS, Action.SND_ACK, Action.SND_DATA}


@pytest.mark.parametrize("arc", ARCS, ids=_arc_id)
def test_the_engine_takes_every_arc_of_the_table(arc: Arc):
    recipe = RECIPES.get(arc.key)
    assert recipe is not None, f"no recipe for {arc}"
    side = recipe.side
    run = _run(f"{recipe.setup}\n{recipe.trigger}\n")
    step = run.steps[-1]
    assert step.command.text == recipe.trigger
    first, last = step.records[0], step.records[-1]

    assert _state_before(run, first, side) is arc.state, "the recipe's setup reaches the arc's state"
    taken = [taken for record in step.records for who, taken in record.arcs if who == side]
    assert taken == [arc]
    assert last.state_of(side) is arc.target

    sent = [p.segment for record in step.records for p in record.sent if p.sender == side]
    after = last.tcb_of(side)
    before = _tcb_before(run, first, side)
    actions = set(arc.actions)

    # Control bits: exactly the ones the arc's actions send, and never any other.
    controls = Flags(0)
    for seg in sent:
        controls |= seg.flags & _CONTROLS
    expected_controls = Flags(0)
    for action in actions:
        expected_controls |= _ACTION_CONTROLS.get(action, Flags(0))
    assert controls == expected_controls, [seg.describe() for seg in sent]
    if not actions & _SENDING_ACTIONS:
        assert sent == [], "an arc without a snd action sends nothing"

    if Action.SND_SYN in actions:  # <SEQ=ISS><CTL=SYN>
        syns = [seg for seg in sent if seg.flags == Flags.SYN]
        assert len(syns) == 1 and syns[0].seq == after["ISS"]
    if Action.SND_SYN_ACK in actions:  # <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>
        syn_acks = [seg for seg in sent if seg.flags == Flags.SYN | Flags.ACK]
        assert len(syn_acks) == 1
        assert (syn_acks[0].seq, syn_acks[0].ack) == (after["ISS"], after["RCV.NXT"])
    if Action.SND_FIN in actions:  # the FIN takes the last sequence number sent
        fins = [seg for seg in sent if seg.flags == Flags.FIN | Flags.ACK]
        assert len(fins) == 1
        assert fins[0].seq + 1 == after["SND.NXT"] and fins[0].ack == after["RCV.NXT"]
    if Action.SND_ACK in actions:  # <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
        acks = [seg for seg in sent if seg.has_ack]
        assert acks, "snd ACK sends an ACK-bearing segment"
        assert acks[-1].ack == after["RCV.NXT"] and acks[-1].seq == after["SND.NXT"]
    if Action.SND_RST in actions:  # ABORT: <SEQ=SND.NXT><CTL=RST>
        assert [seg.flags for seg in sent] == [Flags.RST]
        assert sent[0].seq == before["SND.NXT"]
    if Action.SND_DATA in actions:
        assert [len(seg.data) for seg in sent] == [10]
        assert sent[0].flags == Flags.ACK and sent[0].seq == before["SND.NXT"]
    if Action.QUEUE_DATA in actions:
        assert not any(seg.data for seg in sent), "queued data waits for ESTABLISHED"
        assert last.tcb_of(side)["unsent"] == 10

    if arc.target is S.CLOSED:
        assert all(value is None for key, value in after.items() if key[0].isupper()), "no TCB in CLOSED"
    if Action.START_2MSL_TIMER in actions:
        assert after["time_wait_until"] == pytest.approx(last.time + 240)
        assert after["retransmit_at"] is None, "the time-wait timer turns off the other timers"


# ------------------------------------------------------------------------------------------------
# User calls: an arc or a refusal, never both, never neither; refusals as RFC 9293 words them.

_ALREADY_EXISTS = "connection already exists"
_DOES_NOT_EXIST = "connection does not exist"
_CLOSING = "connection closing"
_CLOSING_STATES = (S.FIN_WAIT_1, S.FIN_WAIT_2, S.CLOSING, S.LAST_ACK, S.TIME_WAIT)


def _rfc_refusal(call: str, state: State) -> tuple[str, str] | None:
    """(error string, section) RFC 9293 3.10.1 - 3.10.5 give ``call`` in ``state``, or None."""
    if call in ("listen", "connect"):  # 3.10.1 OPEN; an active OPEN in LISTEN is allowed
        allowed = (S.CLOSED,) if call == "listen" else (S.CLOSED, S.LISTEN)
        return None if state in allowed else (_ALREADY_EXISTS, "3.10.1")
    if call == "send":  # 3.10.2
        if state is S.CLOSED:
            return _DOES_NOT_EXIST, "3.10.2"
        return (_CLOSING, "3.10.2") if state in _CLOSING_STATES else None
    if call in ("close", "shutdown"):  # 3.10.4 (FIN-WAIT-1/2: "strictly speaking, this is an error")
        if state is S.CLOSED:
            return _DOES_NOT_EXIST, "3.10.4"
        return (_CLOSING, "3.10.4") if state in _CLOSING_STATES else None
    if call == "abort":  # 3.10.5: allowed wherever a TCB exists
        return (_DOES_NOT_EXIST, "3.10.5") if state is S.CLOSED else None
    assert call == "crash"
    return ("no connection to lose", "simulation") if state is S.CLOSED else None


CALL_CASES = [(state, call) for state in State for call in USER_CALLS]


@pytest.mark.parametrize(("state", "call"), CALL_CASES, ids=[f"{c} in {s}" for s, c in CALL_CASES])
def test_a_user_call_is_an_arc_or_a_refusal_never_both_nor_neither(state, call):
    event = USER_CALLS[call]
    arcs = [arc for arc in ARCS if arc.state is state and arc.event is event]
    refusal = refusal_for(state, event)
    assert bool(arcs) != bool(refusal)
    expected = _rfc_refusal(call, state)
    if expected is None:
        # One arc, or (CLOSE in SYN-RECEIVED, 3.10.4) one per condition.
        assert refusal is None and len({arc.condition for arc in arcs}) == len(arcs) >= 1
    else:
        assert refusal is not None and (refusal.reason, refusal.source) == expected


def test_user_calls_are_the_seven_calls():
    assert set(USER_CALLS) == {"listen", "connect", "send", "close", "shutdown", "abort", "crash"}
    assert USER_CALLS["shutdown"] is USER_CALLS["close"]  # RFC 9293's CLOSE, both
    assert {event.kind for event in USER_CALLS.values()} <= {
        tcpedu.core.EventKind.USER_CALL,
        tcpedu.core.EventKind.HOST,
    }


def test_refusals_are_only_for_user_calls():
    for refusal in REFUSALS:
        assert refusal.event in USER_CALLS.values()


def _sim_in(state: State):
    if state is S.CLOSED:
        return tcpedu.Simulation(), "client"
    reach = REACH[state]
    run = _run(reach.setup)
    assert run.simulation.state(reach.side) is state
    return run.simulation, reach.side


def _everything(sim) -> tuple:
    return (
        sim.states,
        sim.client.snapshot(),
        sim.server.snapshot(),
        sim.client.timers(),
        sim.server.timers(),
        [p.id for p in sim.in_flight],
        len(sim.history),
        len(sim.actions),
        bytes(sim.client.received),
        bytes(sim.server.received),
        sim.now_us,
    )


@pytest.mark.parametrize(("state", "call"), CALL_CASES, ids=[f"{c} in {s}" for s, c in CALL_CASES])
def test_a_call_is_refused_with_the_rfc_reason_and_changes_nothing_or_takes_its_arc(state, call):
    sim, side = _sim_in(state)
    data = 10 if call == "send" else None
    expected = _rfc_refusal(call, state)
    before = _everything(sim)
    if expected is None:
        records = sim.call(side, call, data)
        event = USER_CALLS[call]
        taken = [arc for who, arc in records[-1].arcs if who == side]
        assert [(a.state, a.event) for a in taken] == [(state, event)]
        assert sim.state(side) is taken[0].target
        return
    with pytest.raises(CallRefused) as refused:
        sim.call(side, call, data)
    error = refused.value
    reason, section = expected
    assert (error.call, error.state, error.reason, error.source) == (call, state, reason, section)
    message = str(error)
    assert call in message and str(state) in message and reason in message
    if section[0].isdigit():
        assert f"RFC 9293 {section}" in message
    assert _everything(sim) == before
    out = sim.endpoint(side).drain()
    assert (out.segments, out.arcs, out.notes) == ([], [], [])


def test_refusal_is_reported_before_the_call_is_made():
    sim, side = _sim_in(S.TIME_WAIT)
    refusal = sim.endpoint(side).refusal("send")
    assert refusal is not None and refusal.reason == _CLOSING
    assert sim.endpoint(side).refusal("abort") is None


def test_a_refused_send_in_a_closing_state_sends_no_data_later():
    # 3.10.2: "connection closing" and do not service the request.
    sim, side = _sim_in(S.FIN_WAIT_2)
    with pytest.raises(CallRefused):
        sim.call(side, "send", b"late")
    sim.call("server", "send", 5)
    sim.deliver_all()
    assert sim.endpoint(side).snapshot()["unsent"] == 0
    assert not [p for record in sim.history for p in record.sent if p.sender == side and p.segment.data]


# ------------------------------------------------------------------------------------------------
# The switched arcs (profile.py): each walked through the engine in the Linux profile, where the
# RFC profile takes its own arc (or none) from the same scene.


SWITCHED_RECIPES: dict[tuple[State, Event, Condition | None, str], Recipe] = {
    (S.SYN_RECEIVED, E.RCV_SYN, Condition.DUPLICATE_SYN, "resend-syn-ack"): Recipe(
        "server", OPEN + "deliver client\ndrop server\nwait next\ndrop server", "deliver client"
    ),
    (S.SYN_RECEIVED, E.RCV_SYN_ACK, Condition.ACTIVE_OPEN, "syn-ack-in-syn-received"): Recipe(
        "client", SIMULTANEOUS_OPEN + "deliver server\ndeliver client", "deliver server"
    ),
    (S.FIN_WAIT_1, E.RCV_DATA, Condition.ORPHANED, "reset-data-after-close"): Recipe(
        "client", HANDSHAKE + "server send 10\nclient close", "deliver server"
    ),
    (S.FIN_WAIT_2, E.RCV_DATA, Condition.ORPHANED, "reset-data-after-close"): Recipe(
        "client", CLIENT_CLOSED_FIRST + "deliver all\nserver send 10", "deliver server"
    ),
    (S.FIN_WAIT_1, E.RCV_ACK_OF_FIN, Condition.ORPHANED, "fin-wait-2-timeout"): Recipe(
        "client", CLIENT_CLOSED_FIRST + "deliver client", "deliver server"
    ),
    (S.FIN_WAIT_2, E.TIMEOUT_FIN_WAIT_2, Condition.ORPHANED, "fin-wait-2-timeout"): Recipe(
        "client", CLIENT_CLOSED_FIRST + "deliver all", "wait 60"
    ),
    (S.TIME_WAIT, E.RCV_SYN, Condition.SEQ_ABOVE_RCV_NXT, "time-wait-reopen"): Recipe(
        "server", HANDSHAKE + "server close\ndeliver all\nclient close\ndeliver all", "inject server SYN seq=5000"
    ),
}


def test_every_switched_arc_has_a_recipe_and_every_recipe_an_arc():
    assert sorted(map(str, SWITCHED_RECIPES)) == sorted(str((*arc.key, arc.switch)) for arc in SWITCHED_ARCS)


@pytest.mark.parametrize(
    "arc", [arc for arc in SWITCHED_ARCS if arc.condition is Condition.ORPHANED], ids=lambda arc: _arc_id(arc)
)
def test_after_shutdown_instead_of_close_the_linux_profile_keeps_the_rfc_arcs(arc: Arc):
    # Linux's close() ends receiving (the socket is orphaned); shutdown(SHUT_WR) is RFC 9293's
    # CLOSE: data still arrives and FIN-WAIT-2 waits for the peer's FIN for as long as it takes.
    recipe = SWITCHED_RECIPES[(*arc.key, arc.switch)]
    setup = recipe.setup.replace("client close", "client shutdown")
    assert setup != recipe.setup
    run = _run(f"profile linux\n{setup}\n{recipe.trigger}\n")
    step = run.steps[-1]
    assert _state_before(run, step.records[0], recipe.side) is arc.state
    taken = [taken for record in step.records for who, taken in record.arcs if who == recipe.side]
    assert all(a.switch is None for a in taken)
    sent = [p.segment for record in step.records for p in record.sent if p.sender == recipe.side]
    assert not any(segment.has_rst for segment in sent)
    assert step.records[-1].state_of(recipe.side) is not S.CLOSED


@pytest.mark.parametrize("arc", SWITCHED_ARCS, ids=lambda arc: f"{arc.switch}: {_arc_id(arc)}")
def test_the_linux_profile_takes_every_switched_arc_and_the_rfc_profile_does_not(arc: Arc):
    recipe = SWITCHED_RECIPES[(*arc.key, arc.switch)]
    side = recipe.side
    for profile in ("linux", "rfc"):
        run = _run(f"profile {profile}\n{recipe.setup}\n{recipe.trigger}\n")
        step = run.steps[-1]
        first, last = step.records[0], step.records[-1]
        assert _state_before(run, first, side) is arc.state, profile
        taken = [taken for record in step.records for who, taken in record.arcs if who == side]
        if profile == "rfc":
            assert arc not in taken and all(a.switch is None for a in taken)
            continue
        assert taken == [arc]
        assert last.state_of(side) is arc.target
        sent = [p.segment for record in step.records for p in record.sent if p.sender == side]
        after = last.tcb_of(side)
        if Action.SND_RST in arc.actions:  # answering the data: <SEQ=SEG.ACK><CTL=RST>
            assert [seg.flags for seg in sent] == [Flags.RST]
        if Action.SND_SYN_ACK in arc.actions:
            syn_acks = [seg for seg in sent if seg.flags == Flags.SYN | Flags.ACK]
            assert len(syn_acks) == 1 and (syn_acks[0].seq, syn_acks[0].ack) == (after["ISS"], after["RCV.NXT"])
        if Action.SND_ACK in arc.actions:
            assert sent and sent[-1].flags == Flags.ACK and sent[-1].ack == after["RCV.NXT"]
        if Action.START_FIN_WAIT_2_TIMER in arc.actions:
            assert last.tcb_of(side)["retransmit_at"] is None
        if arc.target is S.CLOSED:
            assert all(value is None for key, value in after.items() if key[0].isupper()), "no TCB in CLOSED"
