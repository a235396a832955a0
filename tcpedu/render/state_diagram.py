"""RFC 9293's state diagram (Figure 5), drawn by Graphviz from the transition table itself.

Every state is a node and every arc of ``ARCS`` (at the chosen level of detail) an edge
labelled ``event / action`` as the RFC labels them. The usual client path is drawn bold and
solid, the usual server path bold and dashed (as textbooks do), the other arcs of the figure
thin, and the arcs the figure does not draw (from the RFC's text and the simulator's crash)
thin and grey. The diagram is laid out once per language and detail; a highlighted view
(current states, the transitions just taken) only restyles that layout (``template.py``).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..core.states import State
from ..core.transitions import ARCS, SWITCHED_ARCS, TABLE, Arc
from ..sim.history import Record
from ..sim.settings import SIDES
from ..words import describe_state, language_index, side_name, state_gloss, word
from . import tools
from .colours import SIDE_COLOURS
from .details import DETAILS
from .errors import DiagramError
from .template import SVG_NS, SvgTemplate, mark, picture_bundle

__all__ = [
    "DETAILS",
    "DiagramView",
    "StateDiagram",
    "TableEntry",
    "arc_id",
    "state_id",
    "table_diagram",
    "table_dot_source",
]

_FONT = "Helvetica,Arial,NanumGothic,sans-serif"
_BOTH_FILL = "url(#tcpedu-both-sides)"
_FOOTER_HEIGHT = 38.0
_LINUX_COLOUR = "#2e7d32"  # the Linux profile's switched arcs
_ARC_INDEX = {arc: index for index, arc in enumerate(TABLE)}


def state_id(state: State) -> str:
    """The SVG id of a state's node: ``state-SYN-SENT``."""
    return f"state-{state.value}"


def arc_id(arc: Arc) -> str:
    """The SVG id of an arc's edge: ``arc-N``, N its index in ``TABLE`` (``ARCS`` first)."""
    return f"arc-{_ARC_INDEX[arc]}"


def _arcs_for(detail: str) -> tuple[Arc, ...]:
    if detail == "figure":
        return tuple(arc for arc in ARCS if arc.in_figure)
    if detail == "rfc":
        return tuple(arc for arc in ARCS if arc.source != "simulation")
    if detail == "linux":
        return tuple(arc for arc in ARCS if arc.source != "simulation") + SWITCHED_ARCS
    return ARCS


def _kind(arcs: tuple[Arc, ...]) -> str:
    first = arcs[0]
    if first.switch is not None:
        return "switched"
    if first.usual_path:
        return f"path-{first.usual_path}"
    return "figure" if first.in_figure else "text"


# Edge styles by kind: the usual paths bold (client solid, server dashed), the rest thin.
_EDGE_STYLE = {
    "path-client": {"style": "bold", "penwidth": "2.2", "color": "#222222", "fontsize": "10"},
    "path-server": {"style": "bold,dashed", "penwidth": "2.2", "color": "#222222", "fontsize": "10"},
    "figure": {"penwidth": "1.1", "color": "#444444", "fontsize": "9.5"},
    "text": {"penwidth": "0.8", "color": "#a0a0a0", "fontcolor": "#6f6f6f", "fontsize": "8"},
    "switched": {
        "style": "dashed",
        "penwidth": "1.1",
        "color": _LINUX_COLOUR,
        "fontcolor": _LINUX_COLOUR,
        "fontsize": "8",
    },
}

# The rows of the RFC's figure, top to bottom; the client's states left, the server's right.
_RANKS = (
    (State.CLOSED,),
    (State.LISTEN,),
    (State.SYN_SENT, State.SYN_RECEIVED),
    (State.ESTABLISHED,),
    (State.FIN_WAIT_1, State.CLOSE_WAIT),
    (State.FIN_WAIT_2, State.CLOSING, State.LAST_ACK),
    (State.TIME_WAIT,),
)

# Figure 5 draws CLOSED twice: at the top, where connections start (and LISTEN and SYN-SENT
# return), and at the bottom, where the others end. So does this diagram.
_BOTTOM_CLOSED = "CLOSED (end)"
_TOP_CLOSED_SOURCES = frozenset({State.LISTEN, State.SYN_SENT})


@dataclasses.dataclass(frozen=True)
class _Edge:
    """One drawn edge: one arc, or the arcs outside the figure between the same two nodes."""

    tail: str
    head: str
    arcs: tuple[Arc, ...]

    @property
    def key(self) -> str:
        return "arcs-" + "-".join(str(_ARC_INDEX[arc]) for arc in self.arcs)


def _head_node(arc: Arc) -> str:
    return _head(arc.state, arc.target)


def _head(tail: State, target: State) -> str:
    """The node an arc from ``tail`` to ``target`` ends at (CLOSED at the top or the bottom)."""
    if target is State.CLOSED and tail not in _TOP_CLOSED_SOURCES and tail is not State.CLOSED:
        return _BOTTOM_CLOSED
    return target.value


def _edges(arcs: tuple[Arc, ...]) -> tuple[_Edge, ...]:
    edges: list[_Edge] = []
    merged: dict[tuple[str, str], list[Arc]] = {}
    for arc in arcs:
        tail, head = arc.state.value, _head_node(arc)
        if arc.in_figure:
            edges.append(_Edge(tail, head, (arc,)))
        else:  # the RFC's text arcs share an edge, and so do a profile's
            merged.setdefault((tail, head, arc.switch is None), []).append(arc)
    edges += [_Edge(tail, head, tuple(group)) for (tail, head, _), group in merged.items()]
    return tuple(edges)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _attributes(values: Mapping[str, str]) -> str:
    return ", ".join(f"{key}={_quote(value)}" for key, value in values.items())


def _tooltip(arc: Arc) -> str:
    if arc.switch is not None:
        where = f"{arc.source}, the profile switch {arc.switch}"
    elif arc.source == "simulation":
        where = "the simulator's host crash, not TCP"
    else:
        where = f"RFC 9293 {arc.source}"
    return f"{arc.state} -> {arc.target}: {arc.label} ({where})"


def dot_source(detail: str = "rfc", lang: str = "en") -> str:
    """The DOT text of the diagram (stable: the same table always gives the same text)."""
    lines = _layout_lines(lang)
    for edge in _edges(_arcs_for(detail)):
        kind = _kind(edge.arcs)
        attributes = {
            "id": edge.key,
            "class": "arc " + " ".join(arc_id(arc) for arc in edge.arcs) + f" {kind}",
            "label": "\n".join(arc.label for arc in edge.arcs),
            "tooltip": "\n".join(_tooltip(arc) for arc in edge.arcs),
            **_EDGE_STYLE[kind],
        }
        if not edge.arcs[0].in_figure and _rank(edge.head) <= _rank(edge.tail):
            attributes["constraint"] = "false"
        lines.append(f"  {_quote(edge.tail)} -> {_quote(edge.head)} [{_attributes(attributes)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _layout_lines(lang: str) -> list[str]:
    """The start of a diagram's DOT text: the graph's style, every state a node (CLOSED twice),
    and the invisible edges that keep Figure 5's rows; the caller adds the arcs and the end."""
    graph = {
        "rankdir": "TB",
        "nodesep": "0.3",
        "ranksep": "0.45",
        "fontname": _FONT,
        "bgcolor": "white",
        "newrank": "true",
        "outputorder": "edgesfirst",
    }
    node = {
        "shape": "box",
        "style": "rounded,filled",
        "fillcolor": "white",
        "color": "#333333",
        "fontname": _FONT,
        "fontsize": "12",
        "margin": "0.14,0.06",
        "penwidth": "1.3",
    }
    lines = [
        "digraph tcp_states {",
        f"  graph [{_attributes(graph)}];",
        f"  node [{_attributes(node)}];",
        f"  edge [{_attributes({'fontname': _FONT, 'arrowsize': '0.7'})}];",
    ]
    for state in State:
        gloss = state_gloss(state, lang)
        attributes = {
            "id": state_id(state),
            "class": "state",
            "label": f"{state.value}\n{gloss}" if gloss else state.value,
            "tooltip": f"{state.value}: {describe_state(state, lang)}",
        }
        lines.append(f"  {_quote(state.value)} [{_attributes(attributes)}];")
        if state is State.CLOSED:
            attributes["id"] = state_id(state) + "-end"
            lines.append(f"  {_quote(_BOTTOM_CLOSED)} [{_attributes(attributes)}];")
    ranks = (*_RANKS, (_BOTTOM_CLOSED,))
    names = [[state if isinstance(state, str) else state.value for state in row] for row in ranks]
    for row in names:
        if len(row) > 1:
            lines.append("  { rank=same; " + " ".join(_quote(name) for name in row) + " }")
            for left, right in itertools.pairwise(row):  # keep the client's states left of the server's
                lines.append(f"  {_quote(left)} -> {_quote(right)} [style=invis];")
    # Invisible edges keep the figure's rows in order whatever arcs are drawn.
    for upper, lower in itertools.pairwise(names):
        lines.append(f"  {_quote(upper[0])} -> {_quote(lower[0])} [style=invis, weight=6];")
    return lines


@dataclasses.dataclass(frozen=True)
class TableEntry:
    """One row of a learner's transition table beside the reference's: in ``state``, on
    ``event`` (under ``condition``), the learner says ``theirs`` and RFC 9293 says ``rfc``
    (None: the call is refused)."""

    state: State
    event: str
    condition: str | None
    theirs: State | None
    rfc: State | None

    @property
    def label(self) -> str:
        return f"{self.event} ({self.condition})" if self.condition else self.event


_RIGHT = {"color": "#555555", "fontcolor": "#555555", "penwidth": "1.0", "fontsize": "8"}
_WRONG = {"color": "#c62828", "fontcolor": "#c62828", "penwidth": "2.2", "fontsize": "9"}
_MISSING = {"color": "#c62828", "fontcolor": "#c62828", "penwidth": "1.4", "fontsize": "9", "style": "dashed"}


def table_dot_source(entries: Iterable[TableEntry], lang: str = "en") -> str:
    """The DOT text of a learner's transition table: the arcs it gets right thin and grey,
    each wrong one in red to the state the learner gave (``✗``), and the arc RFC 9293 has
    instead (or has where the learner refuses) dashed red (``RFC``)."""
    lines = _layout_lines(lang)
    edges: dict[tuple[str, str, str], list[str]] = {}
    for entry in entries:
        if entry.theirs == entry.rfc:
            if entry.rfc is not None:
                edges.setdefault((entry.state.value, _head(entry.state, entry.rfc), "right"), []).append(entry.label)
            continue
        if entry.theirs is not None:
            edges.setdefault((entry.state.value, _head(entry.state, entry.theirs), "wrong"), []).append(
                f"✗ {entry.label}"
            )
        if entry.rfc is not None:
            edges.setdefault((entry.state.value, _head(entry.state, entry.rfc), "missing"), []).append(
                f"RFC: {entry.label}"
            )
        else:
            lines.append(f'  {_quote(entry.state.value)} [color="#c62828", penwidth="2.4"];')
    styles = {"right": _RIGHT, "wrong": _WRONG, "missing": _MISSING}
    for (tail, head, kind), labels in sorted(edges.items()):
        attributes = {"class": f"arc table-{kind}", "label": "\n".join(labels), **styles[kind]}
        if _rank(head) <= _rank(tail):
            attributes["constraint"] = "false"
        lines.append(f"  {_quote(tail)} -> {_quote(head)} [{_attributes(attributes)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def table_diagram(entries: Iterable[TableEntry], lang: str = "en") -> str:
    """A learner's transition table as an SVG state diagram (see ``table_dot_source``)."""
    return tools.dot_svg(table_dot_source(entries, lang))


def _rank(name: str) -> int:
    if name == _BOTTOM_CLOSED:
        return len(_RANKS)
    state = State(name)
    return next(index for index, row in enumerate(_RANKS) if state in row)


@functools.cache
def _template(detail: str, lang: str) -> SvgTemplate:
    svg = tools.dot_svg(dot_source(detail, lang))
    return _make_template(svg, detail, lang)


def _make_template(svg: str, detail: str, lang: str) -> SvgTemplate:
    """Mark the slots a highlight changes: each node's and edge's class, lines, fills, text."""
    root = ET.fromstring(svg)
    ns = {"svg": SVG_NS}
    slots: dict[str, str] = {}
    for group in root.iter(f"{{{SVG_NS}}}g"):
        key = group.get("id", "")
        if key.startswith("state-"):
            mark(group, key, "class", slots)
            for shape in group.iterfind(".//svg:path", ns):  # the rounded box
                mark(shape, key, "fill", slots)
                mark(shape, key, "stroke", slots)
                mark(shape, key, "stroke-width", slots, default=shape.get("stroke-width", "1.3"))
            for text in group.iterfind(".//svg:text", ns):
                mark(text, key, "font-weight", slots, default="normal")
        elif key.startswith("arcs-"):
            mark(group, key, "class", slots)
            for line in group.iterfind(".//svg:path", ns):
                mark(line, key, "stroke", slots)
                mark(line, key, "stroke-width", slots, default=line.get("stroke-width", "1"))
            for head in group.iterfind(".//svg:polygon", ns):
                mark(head, key, "fill", slots, default=head.get("fill", ""))
                mark(head, key, "stroke", slots, default=head.get("stroke", ""))
            # One label line per arc, in the edge's order.
            indexes = [int(part) for part in key.split("-")[1:]]
            for index, text in zip(indexes, group.iterfind(".//svg:text", ns), strict=False):
                label = f"arc-{index}-label"
                mark(text, label, "fill", slots, default=text.get("fill", "#000000"))
                mark(text, label, "font-weight", slots, default="normal")
    _add_footer(root, slots, detail, lang)
    _add_both_sides_fill(root)
    return SvgTemplate(root, slots)


def _text_width(text: str, size: float) -> float:
    """A rough width of ``text`` (wide for Hangul), enough to space the legend."""
    return sum(size if ord(char) > 0x1100 else size * 0.56 for char in text)


def _add_footer(root: ET.Element, slots: dict[str, str], detail: str, lang: str) -> None:
    """Under the diagram: a legend of the line styles and fills, and one line (a slot) naming
    the transitions just taken."""
    width = float(re.sub(r"[a-z]+$", "", root.get("width", "0")))
    height = float(re.sub(r"[a-z]+$", "", root.get("height", "0")))
    x0, y0, vb_width, vb_height = (float(part) for part in root.get("viewBox", "0 0 0 0").split())
    grown = vb_height + _FOOTER_HEIGHT
    root.set("viewBox", f"{x0:.2f} {y0:.2f} {vb_width:.2f} {grown:.2f}")
    root.set("height", f"{height + _FOOTER_HEIGHT * height / vb_height:.2f}pt")
    root.set("width", f"{width:.2f}pt")
    svg = f"{{{SVG_NS}}}"
    footer = ET.SubElement(root, f"{svg}g", {"id": "footer"})
    ET.SubElement(
        footer,
        f"{svg}rect",
        {"x": f"{x0:.2f}", "y": f"{vb_height:.2f}", "width": f"{vb_width:.2f}", "height": f"{_FOOTER_HEIGHT:.2f}"},
    ).set("fill", "white")

    items: list[tuple[str, dict[str, str], str]] = [
        ("line", {"stroke": "#222222", "stroke-width": "2.2"}, "legend.client_path"),
        ("line", {"stroke": "#222222", "stroke-width": "2.2", "stroke-dasharray": "5,2"}, "legend.server_path"),
        ("line", {"stroke": "#444444", "stroke-width": "1.1"}, "legend.other_arc"),
    ]
    if detail != "figure":
        items.append(("line", {"stroke": "#a0a0a0", "stroke-width": "0.8"}, "legend.text_arc"))
    if detail == "linux":
        dashed = {"stroke": _LINUX_COLOUR, "stroke-width": "1.1", "stroke-dasharray": "4,2"}
        items.append(("line", dashed, "legend.linux_arc"))
    for side in ("client", "server"):
        line, fill = SIDE_COLOURS[side]
        items.append(("box", {"fill": fill, "stroke": line, "stroke-width": "2"}, f"legend.{side}_state"))
    size = 9.0
    gap, sample = 14.0, 22.0
    texts = [word(key, lang) for _, _, key in items]
    total = sum(sample + 4 + _text_width(text, size) for text in texts) + gap * (len(items) - 1)
    x = x0 + max(4.0, (vb_width - total) / 2)
    y = vb_height + 12
    for (shape, style, _), text in zip(items, texts, strict=True):
        if shape == "line":
            element = ET.SubElement(
                footer,
                f"{svg}line",
                {"x1": f"{x:.1f}", "y1": f"{y - 3:.1f}", "x2": f"{x + sample:.1f}", "y2": f"{y - 3:.1f}"},
            )
        else:
            element = ET.SubElement(
                footer,
                f"{svg}rect",
                {"x": f"{x + 4:.1f}", "y": f"{y - 9:.1f}", "width": "14", "height": "10", "rx": "3"},
            )
        element.attrib.update(style)
        label = ET.SubElement(
            footer, f"{svg}text", {"x": f"{x + sample + 4:.1f}", "y": f"{y:.1f}", "font-family": _FONT}
        )
        label.set("font-size", f"{size:g}")
        label.set("fill", "#333333")
        label.text = text
        x += sample + 4 + _text_width(text, size) + gap
    caption = ET.SubElement(
        footer,
        f"{svg}text",
        {
            "id": "caption",
            "x": f"{x0 + vb_width / 2:.2f}",
            "y": f"{vb_height + 30:.2f}",
            "text-anchor": "middle",
            "font-family": _FONT,
            "font-size": "11",
        },
    )
    mark(caption, "caption", "fill", slots, default="#333333")
    mark(caption, "caption", "text", slots, default="")


def _add_both_sides_fill(root: ET.Element) -> None:
    """A fill for a state both sides are in: half the client's colour, half the server's."""
    defs = ET.Element(f"{{{SVG_NS}}}defs")
    gradient = ET.SubElement(defs, f"{{{SVG_NS}}}linearGradient", {"id": "tcpedu-both-sides"})
    client, server = SIDE_COLOURS["client"][1], SIDE_COLOURS["server"][1]
    for offset, colour in (("0", client), ("0.5", client), ("0.5", server), ("1", server)):
        ET.SubElement(gradient, f"{{{SVG_NS}}}stop", {"offset": offset, "stop-color": colour})
    root.insert(0, defs)


class StateDiagram:
    """The state diagram at one level of detail and in one language, laid out once."""

    def __init__(self, detail: str = "rfc", lang: str = "en"):
        if detail not in DETAILS:
            raise ValueError(f"unknown detail {detail!r}: choose one of {', '.join(DETAILS)}")
        language_index(lang)  # ValueError naming the choices
        self.detail = detail
        self.lang = lang
        self.arcs = _arcs_for(detail)
        self.edges = _edges(self.arcs)
        self._edge_of = {arc: edge for edge in self.edges for arc in edge.arcs}

    @staticmethod
    def _node_keys(state: State) -> tuple[str, ...]:
        key = state_id(state)
        return (key, f"{key}-end") if state is State.CLOSED else (key,)

    @property
    def template(self) -> SvgTemplate:
        """The laid-out diagram (Graphviz runs the first time a diagram is asked for)."""
        return _template(self.detail, self.lang)

    def view(
        self,
        states: Mapping[str, State | None] | None = None,
        last: Iterable[tuple[str, Arc]] = (),
        caption: str | None = None,
    ) -> DiagramView:
        """The diagram with each side's current state filled in its colour (``states`` maps
        "client"/"server" to a state) and the arcs each side just took (``last``, pairs of
        side and arc) drawn in that colour. ``caption`` replaces the line naming them."""
        template = self.template
        values: dict[str, str] = {}
        by_state: dict[State, list[str]] = {}
        for side, state in (states or {}).items():
            if state is not None:
                by_state.setdefault(state, []).append(side)
        for state, sides in by_state.items():
            line, fill = SIDE_COLOURS[sides[0]]
            for key in self._node_keys(state):
                values[f"{key}/fill"] = _BOTH_FILL if len(sides) > 1 else fill
                values[f"{key}/stroke"] = "#333333" if len(sides) > 1 else line
                values[f"{key}/stroke-width"] = "3"
                values[f"{key}/class"] = "node state " + " ".join(f"current-{side}" for side in sorted(sides))
                values[f"{key}/font-weight"] = "bold"
        described = []
        for side, arc in last:
            edge = self._edge_of.get(arc)
            text = f"{side_name(side, self.lang)}: {arc.state} → {arc.target} ({arc.label})"
            if edge is None:  # not drawn at this level of detail: the caption names it
                described.append(f"{text} [{word('diagram.not_drawn', self.lang)}]")
                continue
            described.append(text)
            line = SIDE_COLOURS[side][0]
            key = edge.key
            classes = values.get(f"{key}/class", template.default(f"{key}/class"))
            values[f"{key}/class"] = f"{classes} last-{side}"
            values[f"{key}/stroke"] = line
            values[f"{key}/stroke-width"] = "3.2"
            if f"{key}/fill" in template.slots:
                values[f"{key}/fill"] = line
            label = f"{arc_id(arc)}-label"
            if f"{label}/fill" in template.slots:
                values[f"{label}/fill"] = line
                values[f"{label}/font-weight"] = "bold"
        values["caption/text"] = caption if caption is not None else "   ".join(described)
        return DiagramView(template.render(values))

    def view_of(self, record: Record, sides: Iterable[str] = SIDES) -> DiagramView:
        """The diagram as a run's ``record`` left it: ``sides``' states after it and the arcs
        they took in it."""
        chosen = tuple(sides)
        states = {side: record.state_of(side) for side in chosen}
        # A listening server's connections (``server/client``) take the server's arcs.
        arcs = [(side.partition("/")[0], arc) for side, arc in record.arcs if side.partition("/")[0] in chosen]
        return self.view(states, arcs)

    def svg(self) -> str:
        """The plain diagram, nothing highlighted."""
        return self.template.render()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        # In a notebook a missing Graphviz is a message saying how to install it, not a traceback.
        try:
            return picture_bundle(self.svg())
        except DiagramError as error:
            return {"text/plain": str(error)}

    def save(self, path: str | Path) -> Path:
        """Write the plain diagram to ``path`` (``.svg`` or ``.png``)."""
        return tools.save_picture(self.svg(), path)


class DiagramView:
    """One rendering of a diagram: SVG text that displays itself in Jupyter and saves as
    SVG or PNG."""

    def __init__(self, svg: str):
        self.svg = svg

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return picture_bundle(self.svg)

    def save(self, path: str | Path) -> Path:
        """Write the picture to ``path`` (``.svg`` or ``.png``)."""
        return tools.save_picture(self.svg, path)

    def png(self, scale: float = 2.0) -> bytes:
        return tools.svg_to_png(self.svg, scale)
