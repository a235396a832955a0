"""The ladder diagram (tcpedu/render/ladder.py), checked in the SVG it draws.

One arrow per segment of the run, from its sender's lifeline down to its receiver's, labelled
with the segment's id, flags, seq, ack and length; lost segments stop midway at a cross, a
duplicate starts where its original did, reordered segments cross, retransmissions and
timers are marked, TIME-WAIT is a bracket, and each side's states appear in order.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from tcpedu import Simulation, State, load_scenario, run_script, scenario_names
from tcpedu.render import Ladder
from tcpedu.render.gallery import STATE_DIAGRAMS, gallery_index, ladder_svg

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def segments(root: ET.Element) -> dict[int, ET.Element]:
    found = {}
    for group in root.iter(f"{SVG}g"):
        if "segment" in (group.get("class") or "").split():
            packet_id = int(group.get("data-id"))
            assert packet_id not in found
            found[packet_id] = group
    return found


def line_of(group: ET.Element) -> tuple[float, float, float, float]:
    line = group.find(f"{SVG}line")
    return tuple(float(line.get(name)) for name in ("x1", "y1", "x2", "y2"))


def label_of(group: ET.Element) -> str:
    return next(t.text for t in group.iter(f"{SVG}text") if t.get("class") == "segment-label")


def lifeline_x(root: ET.Element, side: str) -> float:
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "lifeline" and group.get("data-side") == side:
            return float(group.find(f"{SVG}line").get("x1"))
    raise AssertionError(f"no lifeline for {side}")


def run_of(name: str):
    run = run_script(load_scenario(name))
    assert run.ok
    return run


def packets_of(history):
    """Every packet of a run: sent by an endpoint, copied by the network, or injected."""
    packets = {}
    for record in history:
        for packet in record.sent:
            packets[packet.id] = packet
        if record.kind == "inject":
            packets[record.packet.id] = record.packet
    return packets


def expected_label(packet) -> str:
    segment = packet.segment
    ack = f" ack={segment.ack}" if segment.has_ack else ""
    return f"#{packet.id} {','.join(segment.flags.names())} seq={segment.seq}{ack} len={len(segment.data)}"


@pytest.mark.parametrize("name", scenario_names())
def test_every_segment_of_every_named_scenario_is_one_arrow_with_its_label(name):
    run = run_of(name)
    root = parse(Ladder(run.simulation.history).svg())
    drawn = segments(root)
    packets = packets_of(run.simulation.history)
    assert sorted(drawn) == sorted(packets)
    for packet_id, packet in packets.items():
        group = drawn[packet_id]
        assert label_of(group).startswith(expected_label(packet)), label_of(group)
        assert group.get("data-from") == packet.sender


def fates(history) -> dict[int, str]:
    packets = packets_of(history)
    fate = dict.fromkeys(packets, "in-flight")
    for packet_id, packet in packets.items():  # to an address no simulated host has: it leaves
        if not packet.injected and packet.receiver not in history[0].sides:
            fate[packet_id] = "away"
    for record in history:
        if record.kind in ("deliver", "inject"):
            fate[record.packet.id] = "delivered"
        elif record.kind == "drop":
            fate[record.packet.id] = "lost"
    return fate


@pytest.mark.parametrize("name", scenario_names())
def test_arrows_show_each_segments_fate(name):
    run = run_of(name)
    root = parse(Ladder(run.simulation.history).svg())
    sides = run.simulation.sides
    for packet_id, fate in fates(run.simulation.history).items():
        group = segments(root)[packet_id]
        assert fate in group.get("class").split()
        _, y1, x2, y2 = line_of(group)
        to, sender = group.get("data-to"), group.get("data-from")
        receiver_x = lifeline_x(root, to if to in sides else "outside")
        sender_x = lifeline_x(root, sender if sender in sides else "outside")
        assert y2 > y1, "time runs downwards"
        if fate in ("delivered", "away"):
            assert x2 == pytest.approx(receiver_x)
        else:  # stopped short of the receiver
            assert min(sender_x, receiver_x) < x2 < max(sender_x, receiver_x)
        marks = [g for g in group.iter(f"{SVG}g") if g.get("class") == "loss-mark"]
        assert bool(marks) == (fate == "lost")


def test_a_dropped_segment_is_drawn_lost_with_a_cross():
    sim = Simulation(client_isn=100, server_isn=300)
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.drop()
    root = parse(Ladder(sim.history).svg())
    group = segments(root)[1]
    assert "lost" in group.get("class").split()
    mark = next(g for g in group.iter(f"{SVG}g") if g.get("class") == "loss-mark")
    assert "lost" in [t.text for t in mark.iter(f"{SVG}text")]
    assert line_of(group)[2] < lifeline_x(root, "server")


def test_a_segment_still_in_flight_ends_in_the_open():
    sim = Simulation(client_isn=100)
    sim.call("server", "listen")
    sim.call("client", "connect")
    group = segments(parse(Ladder(sim.history).svg()))[1]
    assert "in-flight" in group.get("class").split()
    assert "in flight" in [t.text for t in group.iter(f"{SVG}text")]


def test_a_duplicate_starts_where_its_original_did_and_says_whose_copy_it_is():
    sim = Simulation(client_isn=100, server_isn=300)
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.duplicate()
    sim.deliver_all()
    drawn = segments(parse(Ladder(sim.history).svg()))
    copy = next(p for p in packets_of(sim.history).values() if p.copy_of == 1)
    assert line_of(drawn[copy.id])[:2] == line_of(drawn[1])[:2]
    assert "copy of #1" in label_of(drawn[copy.id])


def _crosses(a, b) -> bool:
    (ax1, ay1, ax2, ay2), (bx1, by1, bx2, by2) = a, b

    def side(x1, y1, x2, y2, x, y):
        return (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)

    return (
        side(ax1, ay1, ax2, ay2, bx1, by1) * side(ax1, ay1, ax2, ay2, bx2, by2) < 0
        and side(bx1, by1, bx2, by2, ax1, ay1) * side(bx1, by1, bx2, by2, ax2, ay2) < 0
    )


def test_segments_delivered_out_of_order_cross():
    sim = Simulation(client_isn=100, server_isn=300, mss=10)
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.deliver_all()
    sim.call("client", "send", 20)  # two segments of 10
    first, second = (p.id for p in sim.in_flight)
    sim.deliver(second)
    sim.deliver(first)
    drawn = segments(parse(Ladder(sim.history).svg()))
    assert _crosses(line_of(drawn[first]), line_of(drawn[second]))


def test_segments_delivered_in_order_do_not_cross():
    sim = Simulation(client_isn=100, server_isn=300, mss=10)
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.deliver_all()
    sim.call("client", "send", 20)
    first, second = (p.id for p in sim.in_flight)
    sim.deliver(first)
    sim.deliver(second)
    drawn = segments(parse(Ladder(sim.history).svg()))
    assert not _crosses(line_of(drawn[first]), line_of(drawn[second]))


def test_retransmissions_and_timer_expiries_are_marked():
    run = run_of("syn-retransmission")
    root = parse(Ladder(run.simulation.history).svg())
    retransmitted = [p for p in packets_of(run.simulation.history).values() if p.tag == "retransmission"]
    assert len(retransmitted) == 3
    for packet in retransmitted:
        assert "(retransmission)" in label_of(segments(root)[packet.id])
    timers = [g for g in root.iter(f"{SVG}g") if g.get("class") == "timer"]
    expiries = [r for r in run.simulation.history if r.kind == "timer"]
    assert len(timers) == len(expiries) == 3
    assert all("RTO expired" in [t.text for t in g.iter(f"{SVG}text")] for g in timers)
    times = [g.get("data-time") for g in root.iter(f"{SVG}g") if g.get("class") == "time"]
    assert [t for t in times if t in ("1", "3", "7")] == ["1", "3", "7"]


def test_time_wait_is_a_bracket_of_two_msl_restarted_by_the_retransmitted_fin():
    root = parse(Ladder(run_of("time-wait-lost-ack").simulation.history).svg())
    brackets = [g for g in root.iter(f"{SVG}g") if g.get("class") == "time-wait"]
    assert len(brackets) == 1 and brackets[0].get("data-side") == "client"
    assert brackets[0].get("data-closed") == "true"
    words = [t.text for t in brackets[0].iter(f"{SVG}text")]
    assert "2*MSL = 240 s" in words  # MSL = 2 minutes (RFC 9293)
    assert any("2*MSL restarts" in w for w in words)


def test_time_wait_not_over_yet_is_an_open_bracket():
    sim = Simulation(client_isn=100, server_isn=300)
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.deliver_all()
    sim.call("client", "close")
    sim.deliver_all()
    sim.call("server", "close")
    sim.deliver_all()
    assert sim.state("client") is State.TIME_WAIT
    brackets = [g for g in parse(Ladder(sim.history).svg()).iter(f"{SVG}g") if g.get("class") == "time-wait"]
    assert [b.get("data-closed") for b in brackets] == ["false"]


@pytest.mark.parametrize("name", scenario_names())
def test_each_sides_states_are_written_where_they_change(name):
    run = run_of(name)
    root = parse(Ladder(run.simulation.history).svg())
    for side in ("client", "server"):
        drawn = [
            g.get("data-state")
            for g in root.iter(f"{SVG}g")
            if g.get("class") == "state" and g.get("data-side") == side
        ]
        expected = [State.CLOSED.value]
        for record in run.simulation.history:
            state = record.state_of(side).value
            if state != expected[-1]:
                expected.append(state)
        assert drawn == expected


def test_relative_numbers_count_from_each_sides_isn():
    run = run_of("three-way-handshake")  # ISNs 100 and 300
    drawn = segments(parse(Ladder(run.simulation.history, relative=True).svg()))
    labels = [label_of(drawn[i]) for i in (1, 2, 3)]
    assert labels == ["#1 SYN seq=0 len=0", "#2 SYN,ACK seq=0 ack=1 len=0", "#3 ACK seq=1 ack=1 len=0"]
    # The data attributes keep the absolute numbers.
    assert (drawn[2].get("data-seq"), drawn[2].get("data-ack")) == ("300", "101")


def test_relative_numbers_survive_an_abort_and_wrap_modulo_2_32():
    sim = Simulation(client_isn=2**32 - 1, server_isn=5)
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.deliver_all()
    sim.call("client", "abort")  # the RST leaves after the TCB is gone
    drawn = segments(parse(Ladder(sim.history, relative=True).svg()))
    rst = next(p for p in packets_of(sim.history).values() if p.segment.has_rst)
    assert label_of(drawn[rst.id]).startswith(f"#{rst.id} RST seq=1 ")
    assert label_of(drawn[3]).startswith("#3 ACK seq=1 ack=1")  # 2**32 - 1 + 1 wraps to 0


def test_injected_segments_are_drawn_and_marked():
    root = parse(Ladder(run_of("challenge-ack").simulation.history).svg())
    injected = [g for g in segments(root).values() if "(injected)" in label_of(g)]
    assert len(injected) == 4
    assert all("delivered" in g.get("class").split() for g in injected)


def test_calls_are_written_on_the_callers_side():
    root = parse(Ladder(run_of("four-way-handshake").simulation.history).svg())
    calls = [(g.get("data-side"), g.find(f"{SVG}text").text) for g in root.iter(f"{SVG}g") if g.get("class") == "call"]
    assert ("client", "connect()") in calls and ("server", "listen()") in calls
    assert ("client", "close()") in calls and ("server", "close()") in calls


def test_korean_words_around_the_protocol():
    root = parse(Ladder(run_of("time-wait-lost-ack").simulation.history, lang="ko").svg())
    words = [t.text for t in root.iter(f"{SVG}text")]
    assert "클라이언트" in words and "서버" in words and "유실" in words
    assert any(w and w.startswith("#1 SYN seq=") for w in words)  # protocol terms stay as the RFC writes them


def test_growing_step_by_step_draws_the_same_as_drawing_at_once():
    history = run_of("out-of-order").simulation.history
    grown = Ladder()
    for record in history:
        grown.add(record)
        grown.svg()  # drawn at every step, as the widget does
    assert grown.svg() == Ladder(history).svg()


def test_sync_follows_an_undo():
    sim = Simulation(client_isn=100, server_isn=300)
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.deliver()
    ladder = Ladder().sync(sim.history)
    assert len(segments(parse(ladder.svg()))) == 2
    sim.undo()
    ladder.sync(sim.history)
    assert ladder.svg() == Ladder(sim.history).svg()
    assert len(segments(parse(ladder.svg()))) == 1


def test_a_long_run_grows_downwards_and_keeps_every_arrow():
    sim = Simulation(client_isn=100, server_isn=300, mss=100)
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.deliver_all()
    for _ in range(20):
        sim.call("client", "send", 100)
        sim.deliver_all()
    root = parse(Ladder(sim.history).svg())
    assert len(segments(root)) == len(packets_of(sim.history)) == 43
    assert float(root.get("height")) > 1500


def test_ladder_png(tmp_path):
    data = Ladder(run_of("three-way-handshake").simulation.history).save(tmp_path / "l.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------------------------------------
# docs/: the gallery is what the code draws today

DOCS = __import__("pathlib").Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize("name", scenario_names())
def test_the_docs_ladder_of_each_scenario_is_current(name):
    committed = (DOCS / "ladders" / f"{name}.svg").read_text(encoding="utf-8")
    assert committed == ladder_svg(name), "run scripts/render-docs"


def test_the_docs_index_is_current():
    assert (DOCS / "README.md").read_text(encoding="utf-8") == gallery_index(), "run scripts/render-docs"


@pytest.mark.parametrize("file_name", sorted(STATE_DIAGRAMS))
def test_the_docs_state_diagrams_draw_the_tables_arcs(file_name):
    from tcpedu.render import StateDiagram

    detail, lang = STATE_DIAGRAMS[file_name]
    committed = parse((DOCS / file_name).read_text(encoding="utf-8"))
    fresh = parse(StateDiagram(detail, lang).svg())

    def ids(root):
        return sorted(
            name
            for g in root.iter(f"{SVG}g")
            for name in [g.get("id") or "", *(g.get("class") or "").split()]
            if re.fullmatch(r"(state-[A-Z0-9-]+|arc-\d+)", name)
        )

    assert ids(committed) == ids(fresh), "run scripts/render-docs"


def test_in_a_notebook_the_ladder_shrinks_to_fit_the_page_and_never_grows():
    ladder = Ladder(run_script(load_scenario("three-way-handshake")).simulation.history)
    bundle = ladder._repr_mimebundle_()
    assert bundle["image/svg+xml"] == ladder.svg()
    assert bundle["text/html"].startswith('<div class="tcpedu-picture" style="max-width:1000px"><svg')
    assert ' width="100%"' in bundle["text/html"]
