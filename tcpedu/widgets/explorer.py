"""The stepping widget: a thin view of an ``ExplorerModel``, drawn in the browser by
``explorer.js`` (an anywidget).

The ladder diagram is the widget's centre, and its control surface: the segments in flight
sit at its foot, each with deliver / drop / duplicate beside it, with the clock. Under each
side's lifeline are that side's state and calls (with the RFC's reason for the calls it may
not make), between them what happened at the last step; below, RFC 9293's state diagram
with both sides' states and last transitions marked, and both TCBs with the values the last
step changed. Nothing here decides anything about TCP: this module turns the model into a
*picture* (texts in the learner's language, SVG, what may be pressed), the browser draws it,
and every click comes back as a request to the model, with the version of the picture it was
made on (``ExplorerModel.request``).
"""

from __future__ import annotations

import html
from pathlib import Path

import anywidget
import traitlets

from ..narrator import narrate
from ..render import DETAILS, DiagramError, Ladder, StateDiagram
from ..sim.history import Record
from ..sim.network import Packet
from ..sim.settings import SIDES
from ..words import describe_state, in_language, language_index, side_name, state_gloss, word
from .capture_model import CaptureModel, is_capture
from .model import CALLS, TCB_ROWS, ExplorerModel, StepDone

__all__ = ["Explorer", "explore"]

# The calls in the order of their buttons: send (with its size box) last, where it has room.
_CALL_ORDER = (*(call for call in CALLS if call != "send"), "send")
_TAG_WORDS = {
    "retransmission": "ladder.retransmission",
    "challenge ACK": "ladder.challenge_ack",
    "reset": "ladder.reset",
}

_HERE = Path(__file__).parent

# The words the browser shows around the picture's texts.
_LABELS = {
    "back": "control.back",
    "reset": "control.reset",
    "step": "control.step",
    "play": "control.play",
    "pause": "control.pause",
    "in_flight": "net.title",
    "empty": "net.empty",
    "deliver": "net.deliver",
    "drop": "net.drop",
    "duplicate": "net.duplicate",
    "deliver_all": "net.deliver_all",
    "fire": "clock.fire",
    "wait": "clock.wait",
    "seconds": "clock.seconds",
    "octets": "call.octets",
    "happened": "panel.happened",
    "ladder": "panel.ladder",
    "diagram": "panel.diagrams",
    "tcb": "panel.tcb",
    "relative": "option.relative",
    "detail": "option.detail",
    "actual_size": "diagram.actual_size",
    "fit_width": "diagram.fit_width",
}


def explore(scenario: object = None, lang: str = "en", detail: str = "figure", **settings: object) -> Explorer:
    """A connection between a client and a server to drive by hand, or a named scenario
    (``explore("simultaneous-close")``) to step through; ``settings`` as for ``Simulation``
    (``client_isn=100, server_isn=300``). Shows itself as the last expression of a cell.

    A real capture (``explore("captures/half-close.pcap")``, a ``Replay`` or a ``Connection``) is
    stepped through packet by packet, both ends replayed through the engine; ``connection=N``
    picks one of a capture's connections (from 1), ``profile="linux"`` the engine's profile."""
    if is_capture(scenario):
        options = dict(settings)
        connection, profile = options.pop("connection", 1), options.pop("profile", "rfc")
        if options:
            raise ValueError(f"a capture takes connection= and profile=, not {', '.join(sorted(options))}=")
        model = CaptureModel.open(scenario, connection=int(connection), profile=str(profile))  # type: ignore[arg-type]
        return Explorer(model, lang=lang, detail=detail)
    return Explorer(ExplorerModel(scenario, **settings), lang=lang, detail=detail)


class ExplorerWidget(anywidget.AnyWidget):
    """What the browser receives: the picture, the ladder and the state diagram."""

    _esm = _HERE / "explorer.js"
    _css = _HERE / "explorer.css"
    picture = traitlets.Dict().tag(sync=True)
    ladder = traitlets.Unicode("").tag(sync=True)
    diagram = traitlets.Unicode("").tag(sync=True)


class Explorer:
    """The widget. ``Explorer(model)``; the model can be driven from Python too, and
    ``click`` does what a click in the browser does."""

    def __init__(
        self, model: ExplorerModel | CaptureModel, lang: str = "en", detail: str = "figure", relative: bool = False
    ):
        language_index(lang)  # ValueError naming the choices
        if detail not in DETAILS:
            raise ValueError(f"unknown detail {detail!r}: choose one of {', '.join(DETAILS)}")
        self.model = model
        self.lang = lang
        self.detail = detail
        self.relative = relative
        self._diagram_error = ""
        self._diagram = self._new_diagram()
        self._ladder = Ladder(lang=lang, relative=relative, marks=model.marks)
        self.widget = ExplorerWidget()
        self.widget.add_class("tcpedu-explorer-widget")
        self.widget.on_msg(self._on_message)
        model.observe(lambda _model: self.refresh())
        self.refresh()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # ------------------------------------------------------------------------------------------
    # What the browser sends

    def click(self, request: str, seen: int | None = None, **arguments: object) -> None:
        """Press a button as the browser does: ``click("deliver", packet_id=3)``,
        ``click("call", side="server", call="listen")``, ``click("play")``. ``seen`` is the
        picture's version the click was made on (default: the one on show)."""
        requests = self.model.REQUESTS
        if request not in requests:  # the browser only sends these; a typo here is loud
            raise ValueError(f"unknown request {request!r}: choose one of {', '.join(requests)}")
        version = self.widget.picture["version"] if seen is None else seen
        self.widget._handle_custom_msg({"request": request, "seen": version, "arguments": arguments}, [])

    def choose(self, option: str, value: object) -> None:
        """Change a view option as the browser does: ``lang``, ``relative`` or ``detail``."""
        self.widget._handle_custom_msg({"option": option, "value": value}, [])

    def _on_message(self, _widget, content: dict, _buffers) -> None:
        try:
            if "option" in content:
                self._set_option(content["option"], content["value"])
            elif "request" in content:
                arguments = dict(content.get("arguments") or {})
                self.model.request(content["request"], content.get("seen"), **arguments)
        finally:
            # The browser takes no other click until this comes (with the picture's version), even
            # after an error (which ipywidgets shows in the log).
            self.widget.send({"done": content.get("token"), "version": self.model.version})

    def _set_option(self, option: str, value: object) -> None:
        if option == "lang":
            language_index(str(value))
            self.lang = str(value)
            self._diagram = self._new_diagram()
        elif option == "relative":
            self.relative = bool(value)
        elif option == "detail":
            if value not in DETAILS:
                raise ValueError(f"unknown detail {value!r}: choose one of {', '.join(DETAILS)}")
            self.detail = str(value)
            self._diagram = self._new_diagram()
        else:
            raise ValueError(f"unknown option {option!r}: lang, relative or detail")
        self._ladder = Ladder(lang=self.lang, relative=self.relative, marks=self.model.marks)
        self.refresh()

    # ------------------------------------------------------------------------------------------
    # The picture

    def _new_diagram(self) -> StateDiagram | None:
        diagram = StateDiagram(self.detail, self.lang)
        try:
            diagram.svg()  # lay it out now (once), or learn that Graphviz is missing
        except DiagramError as error:
            self._diagram_error = str(error)
            return None
        self._diagram_error = ""
        return diagram

    def refresh(self) -> None:
        """Hand the browser the picture of the model as it is now."""
        model = self.model
        last = model.history[-1] if model.history else None
        picture = {
            "version": model.version,
            "recording": model.recording,
            "lang": self.lang,
            "relative": self.relative,
            "detail": self.detail,
            "details": [[choice, word(f"option.detail.{choice}", self.lang)] for choice in DETAILS],
            "words": {name: word(key, self.lang) for name, key in self._labels().items()},
            "title": self._title(),
            "sides": {side: self._side(side) for side in SIDES},
            "in_flight": self._in_flight(),
            "clock": self._clock(),
            "can_back": model.steps > 0,
            "scenario": self._scenario(),
            "happened": self._happened(),
            "ok": model.last.ok,
            "states": self._states_html(),
            "tcb": self._tcb_html(),
            "steps": model.steps,
        }
        ladder = self._ladder.sync(model.history).svg()
        diagram = self._diagram_svg(last)
        with self.widget.hold_sync():
            if self.widget.ladder != ladder:
                self.widget.ladder = ladder
            if self.widget.diagram != diagram:
                self.widget.diagram = diagram
            self.widget.picture = picture

    def _labels(self) -> dict[str, str]:
        """The words around the picture (the step button takes in a capture's next packet)."""
        return {**_LABELS, "step": "capture.step"} if self.model.recording else _LABELS

    @property
    def picture(self) -> dict:
        """What the browser draws now (texts, states, what may be pressed)."""
        return self.widget.picture

    def _title(self) -> str:
        title = self.model.title()
        if title is not None:
            return title
        script = self.model.script
        if script is None:
            return word("control.free", self.lang)
        title = in_language(script.titles, self.lang) if script.titles else ""
        return f"{script.filename}: {title}" if title else script.filename

    def _side(self, side: str) -> dict:
        lang = self.lang
        state = self.model.state(side)
        calls = []
        refused: dict[str, tuple[list[str], list[str]]] = {}
        for call in () if self.model.recording else _CALL_ORDER:  # a recording's calls are made
            label = word(f"call.{call}", lang)
            name, _, gloss = label.partition(" (")  # "listen (연결 대기)": the call, and its gloss below
            refusal = self.model.refusal(side, call)
            why = ""
            if refusal is not None:
                why = f"{self._reason_in_full(refusal.reason)} ({_where(refusal.source)})"
                calls_for, sources = refused.setdefault(refusal.reason, ([], []))
                calls_for.append(call)
                if refusal.source not in sources:
                    sources.append(refusal.source)
            calls.append({"call": call, "name": name, "gloss": gloss.removesuffix(")"), "why": why})
            calls[-1]["enabled"] = refusal is None
        reasons = [
            f"<li><code>{', '.join(calls_for)}</code>: {html.escape(self._reason(reason))} "
            f"<small>({html.escape(_where(', '.join(sorted(sources))))})</small></li>"
            for reason, (calls_for, sources) in refused.items()
        ]
        return {
            "name": word("side." + side, lang),
            "state": state.value,
            "gloss": state_gloss(state, lang),
            "describe": describe_state(state, lang),
            "calls": calls,
            "refused": f"{word('refused.why', lang)}:<ul>{''.join(reasons)}</ul>" if reasons else "",
        }

    def _reason(self, reason: str) -> str:
        """The RFC's error string, quoted; in Korean, its translation (the RFC's words are in
        the button's tooltip)."""
        translated = word(f"reason.{reason}", self.lang)
        return f'"{reason}"' if self.lang == "en" else translated

    def _reason_in_full(self, reason: str) -> str:
        translated = word(f"reason.{reason}", self.lang)
        return f'"{reason}"' if self.lang == "en" else f'"{reason}" ({translated})'

    def _in_flight(self) -> list[dict]:
        return [
            {
                "id": packet.id,
                "from": packet.sender,
                "to": packet.receiver,
                "segment": packet.segment.describe(),
                "note": ", ".join(self._packet_notes(packet)),
            }
            for packet in self.model.in_flight
        ]

    def _packet_notes(self, packet: Packet) -> list[str]:
        """Why a segment was sent, where it matters, in the learner's language."""
        notes = []
        if packet.tag in _TAG_WORDS:
            notes.append(word(_TAG_WORDS[packet.tag], self.lang))
        elif packet.tag:
            notes.append(packet.tag)
        if packet.copy_of is not None:
            notes.append(word("ladder.duplicate", self.lang, id=packet.copy_of))
        if packet.injected:
            notes.append(word("ladder.injected", self.lang))
        return notes

    def _packet_text(self, packet: Packet) -> str:
        """``#3 server → client SYN,ACK seq=300 ack=101 len=0 (copy of #2)``, in the learner's language."""
        notes = self._packet_notes(packet)
        return (
            f"#{packet.id} {side_name(packet.sender, self.lang)} → {side_name(packet.receiver, self.lang)} "
            f"{packet.segment.describe()}" + (f" ({', '.join(notes)})" if notes else "")
        )

    def _clock(self) -> dict:
        lang = self.lang
        due = self.model.next_timer()
        if due is None:
            upcoming = word("clock.none", lang)
        else:
            seconds, side, timer = due
            upcoming = word(
                "clock.next",
                lang,
                side=word("side." + side, lang),
                timer=word("timer." + timer, lang),
                seconds=f"{seconds:.6g}",
            )
        return {
            "now": word("clock.now", lang, seconds=f"{self.model.time:.6g}"),
            "next": upcoming,
            "can_fire": due is not None,
        }

    def _scenario(self) -> dict | None:
        if not self.model.stepping:
            return None
        upcoming = self.model.scenario_next
        over, following = ("capture.over", "capture.next") if self.model.recording else ("control.over", "control.next")
        if upcoming is None:
            return {"next": None, "text": word(over, self.lang)}
        return {"next": upcoming, "text": word(following, self.lang, line=f"<code>{html.escape(upcoming)}</code>")}

    def _happened(self) -> str:
        lang = self.lang
        done = self.model.last
        lines = []
        if done.message:
            kind = "tx-error" if not done.ok else ""
            message = done.message if isinstance(done.message, str) else in_language(done.message, lang)
            lines.append(f"<div class='{kind}'><b>{html.escape(done.request)}</b>: {html.escape(message)}</div>")
        if done.request == "back":
            lines.append(f"<div>{word('happened.back', lang)}</div>")
        elif done.request == "reset":
            lines.append(f"<div>{word('happened.reset', lang)}</div>")
        lines.extend(self._describe(done))
        if not lines:
            lines.append(f"<div><i>{word('happened.nothing', lang)}</i></div>")
        return "".join(lines)

    def _describe(self, done: StepDone) -> list[str]:
        """The narrator's lines for the step just taken (the script's own words first)."""
        lines = []
        for line in narrate(done.records, self.lang, done.story):
            side = f" tx-{line.side}" if line.side else ""
            if line.kind == "story":
                lines.append(f"<div class='tcpedu-story'><i>{line.html}</i></div>")
            elif line.kind == "transition":
                lines.append(f"<div class='tx-arc{side}'>▸ {line.html}</div>")
            elif line.kind == "note":
                lines.append(f"<div class='tx-note'><small>{line.html}</small></div>")
            elif line.kind == "sent":
                lines.append(f"<div class='tx-note{side}'><small>{line.html}</small></div>")
            else:
                lines.append(f"<div class='{side.strip()}'>{line.html}</div>")
        return lines

    def _diagram_svg(self, last: Record | None) -> str:
        if self._diagram is None:
            return ""
        states = {side: self.model.state(side) for side in SIDES}
        if last is None:
            return self._diagram.view(states).svg
        # A listening server's listener and its connection are both the server's.
        arcs = [(self.model.side_of(who), arc) for who, arc in last.arcs if self.model.side_of(who) in SIDES]
        return self._diagram.view(states, arcs).svg

    def _states_html(self) -> str:
        """Each side's state and what it means (RFC 9293 3.3.2), under the state diagram; or
        why the diagram cannot be drawn here."""
        rows = []
        if self._diagram is None:
            rows.append(f"<div class='tx-error'>{html.escape(self._diagram_error)}</div>")
        for side in SIDES:
            state = self.model.state(side)
            rows.append(
                f"<div class='tx-{side}'><b>{side_name(side, self.lang)}</b>: <b>{state.value}</b> — "
                f"<span class='tx-plain'>{html.escape(describe_state(state, self.lang))}</span></div>"
            )
        return "".join(rows)

    def _tcb_html(self) -> str:
        model = self.model
        cells = {side: model.tcb(side) for side in SIDES}
        changed = {side: model.changed(side) for side in SIDES}
        head = "".join(f"<th class='tx-{side}'>{side_name(side, self.lang)}</th>" for side in SIDES)
        rows = []
        for name in TCB_ROWS:
            tds = []
            for side in SIDES:
                value = cells[side].get(name)
                shown = "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
                if name in changed[side]:
                    tds.append(f"<td class='tcpedu-changed' data-side='{side}' data-name='{name}'>{shown} ◂</td>")
                else:
                    tds.append(f"<td data-side='{side}' data-name='{name}'>{shown}</td>")
            label = word("tcb.received", self.lang) if name == "received" else name
            rows.append(f"<tr><th>{html.escape(label)}</th>{''.join(tds)}</tr>")
        return f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table>"


def _where(source: str) -> str:
    """``RFC 9293 3.10.2`` for a section number; other sources as they are."""
    return f"RFC 9293 {source}" if source[:1].isdigit() else source
