"""The state diagram (tcpedu/render/state_diagram.py), checked in the SVG Graphviz drew.

* Every state is a node and every arc of the transition table an edge labelled in RFC style.
* The usual client path is solid and bold, the server's dashed and bold.
* A highlighted view marks exactly the states the engine is in and the arcs just taken,
  without moving anything (the layout is reused, not redone).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from tcpedu import ARCS, State, load_scenario, run_script
from tcpedu.core.transitions import SWITCHED_ARCS
from tcpedu.render import SIDE_COLOURS, DiagramError, StateDiagram, arc_id, state_id, tools
from tcpedu.render import state_diagram as state_diagram_module
from tcpedu.words import describe_state

SVG = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def groups(root: ET.Element, kind: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if kind in (g.get("class") or "").split()]


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def edges_by_arc(root: ET.Element) -> dict[str, ET.Element]:
    """arc-N -> the edge it is drawn on (an edge of arcs outside the figure carries several)."""
    found: dict[str, ET.Element] = {}
    for edge in groups(root, "edge"):
        for name in (edge.get("class") or "").split():
            if re.fullmatch(r"arc-\d+", name):
                assert name not in found, f"{name} drawn twice"
                found[name] = edge
    return found


def node(root: ET.Element, state: State) -> ET.Element:
    matches = [g for g in root.iter(f"{SVG}g") if g.get("id") == state_id(state)]
    assert len(matches) == 1, state
    return matches[0]


def box(group: ET.Element) -> ET.Element:
    shapes = list(group.iter(f"{SVG}path"))
    assert len(shapes) == 1
    return shapes[0]


@pytest.fixture(scope="module")
def full() -> ET.Element:
    return parse(StateDiagram("all").svg())


def test_every_state_is_a_node_named_by_the_rfc(full):
    for state in State:
        group = node(full, state)
        assert state.value in texts(group)


def test_closed_is_drawn_at_the_top_and_the_bottom_as_figure_5_does(full):
    top = node(full, State.CLOSED)
    ends = [g for g in full.iter(f"{SVG}g") if g.get("id") == state_id(State.CLOSED) + "-end"]
    assert len(ends) == 1 and "CLOSED" in texts(ends[0])
    top_y = min(float(v) for v in re.findall(r"[-\d.]+,([-\d.]+)", box(top).get("d")))
    end_y = min(float(v) for v in re.findall(r"[-\d.]+,([-\d.]+)", box(ends[0]).get("d")))
    assert end_y > top_y  # SVG y grows downwards


def test_every_arc_of_the_table_is_an_edge_labelled_event_slash_action(full):
    drawn = edges_by_arc(full)
    assert sorted(drawn) == sorted(arc_id(arc) for arc in ARCS)
    for arc in ARCS:
        edge = drawn[arc_id(arc)]
        assert arc.label in texts(edge), f"{arc} is labelled {texts(edge)}"
        assert " / " in arc.label


def test_every_edge_joins_its_arcs_states(full):
    # Graphviz titles an edge "tail->head"; CLOSED's second drawing is "CLOSED (end)".
    for arc in ARCS:
        edge = edges_by_arc(full)[arc_id(arc)]
        title = edge.find(f"{SVG}title").text
        tail, head = title.split("->")
        assert tail == arc.state.value
        assert head in (arc.target.value, "CLOSED (end)")
        if head == "CLOSED (end)":
            assert arc.target is State.CLOSED


@pytest.mark.parametrize(
    ("detail", "expected"),
    [
        ("figure", [arc for arc in ARCS if arc.source == "Figure 5"]),
        ("rfc", [arc for arc in ARCS if arc.source != "simulation"]),
        ("all", list(ARCS)),
        ("linux", [arc for arc in ARCS if arc.source != "simulation"] + list(SWITCHED_ARCS)),
    ],
)
def test_each_level_of_detail_draws_exactly_its_arcs(detail, expected):
    root = parse(StateDiagram(detail).svg())
    assert sorted(edges_by_arc(root)) == sorted(arc_id(arc) for arc in expected)


def test_figure_level_draws_the_twenty_arcs_of_figure_5():
    assert len(edges_by_arc(parse(StateDiagram("figure").svg()))) == 20


def _dashed(edge: ET.Element) -> bool:
    return any(path.get("stroke-dasharray") for path in edge.iter(f"{SVG}path"))


def _width(edge: ET.Element) -> float:
    return max(float(path.get("stroke-width") or 1) for path in edge.iter(f"{SVG}path"))


def test_the_usual_client_path_is_solid_and_bold_the_servers_dashed_and_bold(full):
    drawn = edges_by_arc(full)
    client = [arc for arc in ARCS if arc.usual_path == "client"]
    server = [arc for arc in ARCS if arc.usual_path == "server"]
    # The textbook paths: active open ... TIME-WAIT, passive open ... LAST-ACK.
    assert [(a.state, a.target) for a in client] == [
        (State.CLOSED, State.SYN_SENT),
        (State.SYN_SENT, State.ESTABLISHED),
        (State.ESTABLISHED, State.FIN_WAIT_1),
        (State.FIN_WAIT_1, State.FIN_WAIT_2),
        (State.FIN_WAIT_2, State.TIME_WAIT),
        (State.TIME_WAIT, State.CLOSED),
    ]
    assert [(a.state, a.target) for a in server] == [
        (State.CLOSED, State.LISTEN),
        (State.LISTEN, State.SYN_RECEIVED),
        (State.SYN_RECEIVED, State.ESTABLISHED),
        (State.ESTABLISHED, State.CLOSE_WAIT),
        (State.CLOSE_WAIT, State.LAST_ACK),
        (State.LAST_ACK, State.CLOSED),
    ]
    thin = max(_width(drawn[arc_id(a)]) for a in ARCS if a.usual_path is None)
    for arc in client:
        edge = drawn[arc_id(arc)]
        assert not _dashed(edge) and _width(edge) > thin
    for arc in server:
        edge = drawn[arc_id(arc)]
        assert _dashed(edge) and _width(edge) > thin


def test_states_carry_their_description_on_hover_in_english_and_korean():
    for lang in ("en", "ko"):
        root = parse(StateDiagram("figure", lang).svg())
        for state in State:
            titles = [a.get(XLINK_TITLE) for a in node(root, state).iter(f"{SVG}a")]
            assert f"{state.value}: {describe_state(state, lang)}" in titles


def test_korean_diagram_names_states_in_both_languages():
    root = parse(StateDiagram("figure", "ko").svg())
    group = node(root, State.ESTABLISHED)
    assert texts(group) == ["ESTABLISHED", "연결 수립"]
    assert "클라이언트의 일반 경로" in texts(root)


# ------------------------------------------------------------------------------------------------
# Highlighting


def current(root: ET.Element) -> dict[str, list[str]]:
    """side -> ids of the nodes marked as that side's current state."""
    marked: dict[str, list[str]] = {"client": [], "server": []}
    for group in groups(root, "node"):
        for side in marked:
            if f"current-{side}" in group.get("class").split():
                marked[side].append(group.get("id"))
    return marked


def last(root: ET.Element) -> dict[str, list[str]]:
    """side -> ids of the arcs marked as just taken by that side: on an edge marked for the
    side, the arc itself, or (an edge drawing several arcs) those whose label line is bold in
    the side's colour."""
    taken: dict[str, list[str]] = {"client": [], "server": []}
    for group in groups(root, "edge"):
        classes = group.get("class").split()
        arcs = [name for name in classes if re.fullmatch(r"arc-\d+", name)]
        for side in taken:
            if f"last-{side}" not in classes:
                continue
            if len(arcs) == 1:
                taken[side] += arcs
                continue
            colour = SIDE_COLOURS[side][0]
            for name, text in zip(arcs, group.iter(f"{SVG}text"), strict=True):
                if text.get("font-weight") == "bold" and text.get("fill") == colour:
                    taken[side].append(name)
    return taken


def geometry(root: ET.Element) -> list[tuple[str, str]]:
    shapes = []
    for element in root.iter():
        for attribute in ("d", "points", "x", "y"):
            if element.get(attribute) is not None and element.get("id") != "caption":
                shapes.append((attribute, element.get(attribute)))
    return shapes


@pytest.mark.parametrize("name", ["three-way-handshake", "simultaneous-close", "four-way-handshake"])
def test_at_every_step_the_highlighted_states_are_the_engines_and_the_last_arcs_its_arcs(name):
    diagram = StateDiagram("all")
    run = run_script(load_scenario(name))
    assert run.ok
    for record in run.simulation.history:
        root = parse(diagram.view_of(record).svg)
        marked = current(root)
        for side in ("client", "server"):
            state = record.state_of(side)
            expected = [state_id(state)] + ([state_id(state) + "-end"] if state is State.CLOSED else [])
            assert sorted(marked[side]) == sorted(expected), (record.describe(), side)
        taken = last(root)
        for side in ("client", "server"):
            assert sorted(taken[side]) == sorted(arc_id(arc) for who, arc in record.arcs if who == side)


def test_a_highlighted_state_is_filled_and_outlined_in_its_sides_colour():
    diagram = StateDiagram("figure")
    root = parse(diagram.view({"client": State.SYN_SENT, "server": State.LISTEN}).svg)
    client_box, server_box = box(node(root, State.SYN_SENT)), box(node(root, State.LISTEN))
    plain = box(node(root, State.ESTABLISHED))
    assert client_box.get("fill") not in (plain.get("fill"), server_box.get("fill"))
    assert client_box.get("stroke") != server_box.get("stroke")
    assert float(client_box.get("stroke-width")) > float(plain.get("stroke-width") or 1)


def test_both_sides_in_one_state_share_its_node():
    root = parse(StateDiagram("figure").view({"client": State.FIN_WAIT_1, "server": State.FIN_WAIT_1}).svg)
    classes = node(root, State.FIN_WAIT_1).get("class").split()
    assert "current-client" in classes and "current-server" in classes
    assert box(node(root, State.FIN_WAIT_1)).get("fill").startswith("url(#")


def test_highlighting_moves_nothing():
    diagram = StateDiagram("rfc")
    plain = geometry(parse(diagram.svg()))
    run = run_script(load_scenario("simultaneous-open"))
    for record in run.simulation.history:
        assert geometry(parse(diagram.view_of(record).svg)) == plain


def test_the_caption_names_the_transition_and_says_when_it_is_not_drawn():
    diagram = StateDiagram("figure")
    abort = next(arc for arc in ARCS if arc.state is State.ESTABLISHED and arc.event.value == "ABORT")
    root = parse(diagram.view({"client": State.CLOSED}, [("client", abort)]).svg)
    caption = next(t for t in root.iter(f"{SVG}text") if t.get("id") == "caption").text
    assert "ESTABLISHED → CLOSED" in caption and abort.label in caption and "not drawn" in caption
    assert last(root) == {"client": [], "server": []}


def test_one_sides_view_highlights_only_that_side():
    run = run_script(load_scenario("three-way-handshake"))
    record = run.simulation.history[-1]
    root = parse(StateDiagram().view_of(record, sides=("server",)).svg)
    assert current(root)["client"] == []
    assert current(root)["server"] == [state_id(record.state_of("server"))]


def test_unknown_detail_or_language_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="figure, rfc, all"):
        StateDiagram("most")
    with pytest.raises(ValueError, match="en, ko"):
        StateDiagram("figure", "fr")


def test_the_dot_text_is_stable():
    assert state_diagram_module.dot_source("all", "en") == state_diagram_module.dot_source("all", "en")


# ------------------------------------------------------------------------------------------------
# Files, and a machine without the programs


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_a_view_saves_as_svg_and_png(tmp_path):
    view = StateDiagram("figure").view({"client": State.ESTABLISHED})
    svg_path = view.save(tmp_path / "d.svg")
    assert parse(svg_path.read_text()).tag == f"{SVG}svg"
    width, height = png_size(view.save(tmp_path / "d.png").read_bytes())
    assert width > 500 and height > 500


def test_an_unknown_suffix_is_a_clear_error(tmp_path):
    with pytest.raises(DiagramError, match=r"\.svg or \.png"):
        StateDiagram().view().save(tmp_path / "d.jpg")
    assert not (tmp_path / "d.jpg").exists()


@pytest.fixture
def no_programs(monkeypatch, tmp_path):
    """A PATH without dot and rsvg-convert, and no layout cached from before."""
    monkeypatch.setenv("PATH", str(tmp_path))
    state_diagram_module._template.cache_clear()
    yield
    state_diagram_module._template.cache_clear()


def test_without_dot_the_state_diagram_says_how_to_install_graphviz(no_programs):
    with pytest.raises(DiagramError, match="apt-get install graphviz"):
        StateDiagram("figure").svg()


def test_without_rsvg_convert_png_says_how_to_install_it(no_programs):
    with pytest.raises(DiagramError, match="librsvg2-bin"):
        tools.svg_to_png("<svg xmlns='http://www.w3.org/2000/svg'/>")


def test_a_diagram_error_is_a_tcpedu_error():
    import tcpedu

    assert issubclass(DiagramError, tcpedu.TcpeduError)


def test_in_a_notebook_the_diagram_shrinks_to_fit_the_page_and_never_grows():
    # JupyterLab never scales an image/svg+xml down, so a diagram wider than the notebook was cut off.
    diagram = StateDiagram("figure")
    bundle = diagram._repr_mimebundle_()
    assert bundle["image/svg+xml"] == diagram.svg()
    points = float(re.search(r'<svg[^>]*? width="([\d.]+)pt"', diagram.svg()).group(1))
    html = bundle["text/html"]
    assert html.startswith(f'<div class="tcpedu-picture" style="max-width:{points * 4 / 3:.0f}px"><svg')
    assert re.search(r'<svg[^>]*? width="100%"', html) and not re.search(r"<svg[^>]*? height=", html)
    view = diagram.view({"client": State.LISTEN})._repr_mimebundle_()
    assert 'class="node state current-client"' in view["text/html"]
