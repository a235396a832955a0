"""The stepping widget: a thin ipywidgets view of an ``ExplorerModel``.

It shows both sides (state, the calls they may make and why not the others), the segments
in flight with what the network may do to each, the clock, back / reset / the scenario's next
step (also played automatically), both state diagrams with the current states highlighted,
the ladder diagram so far, a table of both TCBs with the values the last step changed marked,
and what happened at the last step with the RFC's reasons. Every button calls the model; the
model tells the view, which redraws. Nothing here decides anything about TCP.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..narrator import narrate
from ..render import DiagramError, Ladder, StateDiagram, fit_width
from ..render.colours import SIDE_COLOURS
from ..sim.history import Record
from ..sim.settings import SIDES
from ..words import describe_state, in_language, language_index, state_gloss, word
from .model import CALLS, TCB_ROWS, ExplorerModel, StepDone

__all__ = ["Explorer", "explore"]

_PLAY_INTERVAL_MS = 1500
_LADDER_HEIGHT = "520px"


def explore(scenario: str | None = None, lang: str = "en", detail: str = "figure", **settings: object) -> Explorer:
    """A connection between a client and a server to drive by hand, or a named scenario
    (``explore("simultaneous-close")``) to step through; ``settings`` as for ``Simulation``
    (``client_isn=100, server_isn=300``). Shows itself as the last expression of a cell."""
    return Explorer(ExplorerModel(scenario, **settings), lang=lang, detail=detail)


class _Row:
    """One segment in flight: what it is, and deliver / drop / duplicate."""

    def __init__(self, view: Explorer):
        self.packet_id: int | None = None
        self.label = widgets.HTML()
        self.deliver = widgets.Button(button_style="success", layout=widgets.Layout(width="auto"))
        self.drop = widgets.Button(button_style="danger", layout=widgets.Layout(width="auto"))
        self.duplicate = widgets.Button(layout=widgets.Layout(width="auto"))
        self.deliver.add_class("tcpedu-deliver")
        self.drop.add_class("tcpedu-drop")
        self.duplicate.add_class("tcpedu-duplicate")
        self.deliver.on_click(lambda _: view.model.deliver(self.packet_id))
        self.drop.on_click(lambda _: view.model.drop(self.packet_id))
        self.duplicate.on_click(lambda _: view.model.duplicate(self.packet_id))
        self.box = widgets.HBox(
            [self.label, self.deliver, self.drop, self.duplicate], layout=widgets.Layout(align_items="center")
        )
        self.box.add_class("tcpedu-segment-row")


class Explorer:
    """The widget. ``Explorer(model)``; the model can be driven from Python too."""

    def __init__(self, model: ExplorerModel, lang: str = "en", detail: str = "figure", relative: bool = False):
        language_index(lang)  # ValueError naming the choices
        self.model = model
        self.lang = lang
        self.detail = detail
        self._diagram_error = ""
        self._diagram = self._new_diagram()
        self._ladder = Ladder(lang=lang, relative=relative)
        self._build(relative)
        model.observe(lambda _model: self.refresh())
        self.refresh()

    # ------------------------------------------------------------------------------------------
    # Building

    def _new_diagram(self) -> StateDiagram | None:
        diagram = StateDiagram(self.detail, self.lang)
        try:
            diagram.svg()  # lay it out now (once), or learn that Graphviz is missing
        except DiagramError as error:
            self._diagram_error = str(error)
            return None
        self._diagram_error = ""
        return diagram

    def _build(self, relative: bool) -> None:
        model = self.model
        self.title = widgets.HTML()
        self.language = widgets.ToggleButtons(options=[("English", "en"), ("한국어", "ko")], value=self.lang)
        self.language.style.button_width = "80px"
        self.language.observe(self._on_language, "value")
        self.relative = widgets.Checkbox(value=relative, indent=False, layout=widgets.Layout(width="auto"))
        self.relative.observe(self._on_relative, "value")
        self.detail_choice = widgets.Dropdown(
            options=[("Figure 5", "figure"), ("RFC 9293", "rfc"), ("+ crash", "all")],
            value=self.detail,
            layout=widgets.Layout(width="230px"),
            style={"description_width": "60px"},
        )
        self.detail_choice.observe(self._on_detail, "value")
        header = widgets.HBox(
            [self.title, self.language, self.relative, self.detail_choice],
            layout=widgets.Layout(align_items="center", justify_content="space-between", flex_flow="row wrap"),
        )

        self.state_banner: dict[str, widgets.HTML] = {}
        self.call_buttons: dict[str, dict[str, widgets.Button]] = {}
        self.send_size: dict[str, widgets.BoundedIntText] = {}
        self.refusals: dict[str, widgets.HTML] = {}
        panels = {}
        for side in SIDES:
            banner = widgets.HTML()
            banner.add_class(f"tcpedu-state-{side}")
            buttons = {}
            for call in CALLS:
                button = widgets.Button(layout=widgets.Layout(width="auto", min_width="70px", flex="0 0 auto"))
                button.add_class(f"tcpedu-call-{side}-{call}")
                button.on_click(lambda _b, side=side, call=call: self._on_call(side, call))
                buttons[call] = button
            size = widgets.BoundedIntText(value=100, min=1, max=1_000_000, layout=widgets.Layout(width="90px"))
            size.add_class(f"tcpedu-send-size-{side}")
            refusals = widgets.HTML()
            refusals.add_class(f"tcpedu-refusals-{side}")
            self.state_banner[side], self.call_buttons[side] = banner, buttons
            self.send_size[side], self.refusals[side] = size, refusals
            wrap = widgets.Layout(flex_flow="row wrap")  # long (Korean) labels wrap instead of being cut
            row1 = widgets.HBox([buttons["listen"], buttons["connect"], buttons["close"]], layout=wrap)
            row2 = widgets.HBox([buttons["send"], size, buttons["abort"], buttons["crash"]], layout=wrap)
            panel = widgets.VBox([banner, row1, row2, refusals], layout=widgets.Layout(width="33%", padding="4px"))
            panel.add_class(f"tcpedu-panel-{side}")
            panels[side] = panel

        self.network_title = widgets.HTML()
        self._rows: list[_Row] = []
        self._empty = widgets.HTML()
        self.rows_box = widgets.VBox()
        self.deliver_all = widgets.Button(layout=widgets.Layout(width="auto"))
        self.deliver_all.add_class("tcpedu-deliver-all")
        self.deliver_all.on_click(lambda _: self.model.deliver_all())
        self.clock = widgets.HTML()
        self.clock.add_class("tcpedu-clock")
        self.next_timer = widgets.Button(layout=widgets.Layout(width="auto"))
        self.next_timer.add_class("tcpedu-next-timer")
        self.next_timer.on_click(lambda _: self.model.wait_next())
        self.wait_seconds = widgets.BoundedFloatText(value=1.0, min=0, max=10_000, layout=widgets.Layout(width="80px"))
        self.wait_button = widgets.Button(layout=widgets.Layout(width="auto"))
        self.wait_button.add_class("tcpedu-wait")
        self.wait_button.on_click(lambda _: self.model.wait(self.wait_seconds.value))
        network = widgets.VBox(
            [
                self.network_title,
                self.rows_box,
                self.deliver_all,
                self.clock,
                widgets.HBox([self.next_timer, self.wait_seconds, self.wait_button]),
            ],
            layout=widgets.Layout(width="34%", padding="4px", border="1px solid #ddd"),
        )
        network.add_class("tcpedu-network")

        self.back = widgets.Button(icon="step-backward", layout=widgets.Layout(width="auto"))
        self.back.add_class("tcpedu-back")
        self.back.on_click(lambda _: self.model.back())
        self.reset = widgets.Button(icon="refresh", layout=widgets.Layout(width="auto"))
        self.reset.add_class("tcpedu-reset")
        self.reset.on_click(lambda _: self.model.reset())
        self.step = widgets.Button(icon="step-forward", button_style="info", layout=widgets.Layout(width="auto"))
        self.step.add_class("tcpedu-step")
        self.step.on_click(lambda _: self.model.play())
        self.player = widgets.Play(interval=_PLAY_INTERVAL_MS, min=0, max=10_000, step=1, show_repeat=False)
        self.player.add_class("tcpedu-play")
        self.player.observe(self._on_play_tick, "value")
        self.scenario_line = widgets.HTML()
        # The scenario's controls show only when a scenario is open.
        self.scenario_controls = widgets.HBox(
            [self.step, self.player, self.scenario_line], layout=widgets.Layout(align_items="center")
        )
        if model.script is None:
            self.scenario_controls.layout.display = "none"
        controls = widgets.HBox(
            [self.back, self.reset, self.scenario_controls],
            layout=widgets.Layout(align_items="center", flex_flow="row wrap"),
        )

        self.message = widgets.HTML()
        self.message.add_class("tcpedu-message")
        self.diagrams = {side: widgets.HTML(layout=widgets.Layout(width="50%")) for side in SIDES}
        for side, diagram in self.diagrams.items():
            diagram.add_class(f"tcpedu-diagram-{side}")
        self.ladder = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.ladder.add_class("tcpedu-ladder")
        self.tcb_table = widgets.HTML()
        self.tcb_table.add_class("tcpedu-tcb")
        ladder_box = widgets.Box(
            [self.ladder], layout=widgets.Layout(width="100%", max_height=_LADDER_HEIGHT, overflow="auto")
        )
        self.ladder_title = widgets.HTML()
        self.tcb_title = widgets.HTML()
        self.happened_title = widgets.HTML()

        self.widget = widgets.VBox(
            [
                header,
                widgets.HBox([panels["client"], network, panels["server"]]),
                controls,
                self.happened_title,
                self.message,
                widgets.HBox(list(self.diagrams.values())),
                self.tcb_title,
                self.tcb_table,
                self.ladder_title,
                ladder_box,
            ]
        )
        self.widget.add_class("tcpedu-explorer")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # ------------------------------------------------------------------------------------------
    # Events

    def _on_call(self, side: str, call: str) -> None:
        data = self.send_size[side].value if call == "send" else None
        self.model.call(side, call, data)

    def _on_language(self, change) -> None:
        self.lang = change["new"]
        self._diagram = self._new_diagram()
        self._ladder = Ladder(lang=self.lang, relative=self.relative.value)
        self.refresh()

    def _on_relative(self, change) -> None:
        self._ladder = Ladder(lang=self.lang, relative=change["new"])
        self.refresh()

    def _on_detail(self, change) -> None:
        self.detail = change["new"]
        self._diagram = self._new_diagram()
        self.refresh()

    def _on_play_tick(self, change) -> None:
        # The Play widget ticks in the browser; each tick is the scenario's next step.
        if change["new"] > change["old"]:
            done = self.model.play()
            if not done.ok:
                self.player.playing = False

    # ------------------------------------------------------------------------------------------
    # Drawing

    def refresh(self) -> None:
        """Redraw everything from the model."""
        model = self.model
        lang = self.lang
        last = model.history[-1] if model.history else None
        with self.widget.hold_sync():
            self._header()
            for side in SIDES:
                self._side(side)
            self._network()
            self._controls()
            self._set(self.happened_title, f"<b>{word('panel.happened', lang)}</b>")
            self._set(self.message, self._happened())
            for side in SIDES:
                self._set(self.diagrams[side], self._diagram_html(side, last))
            self._set(self.tcb_title, f"<b>{word('panel.tcb', lang)}</b>")
            self._set(self.tcb_table, self._tcb_html())
            self._set(self.ladder_title, f"<b>{word('panel.ladder', lang)}</b>")
            self._set(self.ladder, fit_width(self._ladder.sync(model.history).svg()))

    @staticmethod
    def _set(widget: widgets.Widget, value: object, name: str = "value") -> None:
        if getattr(widget, name) != value:
            setattr(widget, name, value)

    def _header(self) -> None:
        script = self.model.script
        if script is None:
            title = word("control.free", self.lang)
        else:
            title = f"{script.filename}: {in_language(script.titles, self.lang)}"
        self._set(self.title, f"<b style='font-size:1.1em'>{html.escape(title)}</b>")
        self.relative.description = word("option.relative", self.lang)
        self.detail_choice.description = word("option.detail", self.lang)

    def _side(self, side: str) -> None:
        lang = self.lang
        endpoint = self.model.simulation.endpoint(side)
        state = endpoint.state
        line, fill = SIDE_COLOURS[side]
        gloss = state_gloss(state, lang)
        self._set(
            self.state_banner[side],
            f"<div style='border:2px solid {line};background:{fill};border-radius:6px;padding:4px 8px'>"
            f"<span style='color:{line};font-weight:bold'>{word('side.' + side, lang)}</span> "
            f"<span class='tcpedu-state' data-side='{side}' data-state='{state.value}' "
            f"style='font-size:1.25em;font-weight:bold'>{state.value}</span>"
            f"{' (' + html.escape(gloss) + ')' if gloss else ''}"
            f"<br><small>{html.escape(describe_state(state, lang))}</small></div>",
        )
        reasons = []
        for call, button in self.call_buttons[side].items():
            refusal = self.model.refusal(side, call)
            button.description = word(f"call.{call}", lang)
            if refusal is None:
                self._set(button, False, "disabled")
                self._set(button, "", "tooltip")
            else:
                why = self._reason(refusal.reason)
                where = f"RFC 9293 {refusal.source}" if refusal.source[0].isdigit() else refusal.source
                self._set(button, True, "disabled")
                self._set(button, f"{why} ({where})", "tooltip")
                reasons.append(f"<li><code>{call}</code>: {html.escape(why)} <small>({where})</small></li>")
        self.send_size[side].description = ""
        text = ""
        if reasons:
            text = f"<small>{word('refused.why', lang)}:<ul style='margin:0'>{''.join(reasons)}</ul></small>"
        self._set(self.refusals[side], text)

    def _reason(self, reason: str) -> str:
        translated = word(f"reason.{reason}", self.lang)
        return f'"{reason}"' if translated == reason else f'"{reason}" ({translated})'

    def _network(self) -> None:
        lang = self.lang
        packets = self.model.in_flight
        self._set(self.network_title, f"<b>{word('net.title', lang)}</b>")
        while len(self._rows) < len(packets):
            self._rows.append(_Row(self))
        for row, packet in zip(self._rows, packets, strict=False):
            row.packet_id = packet.id
            colour = SIDE_COLOURS[packet.sender][0]
            arrow = "→" if packet.sender == "client" else "←"
            self._set(
                row.label,
                f"<span class='tcpedu-packet' data-id='{packet.id}' style='color:{colour};font-family:monospace'>"
                f"#{packet.id} {arrow} {html.escape(packet.segment.describe())}"
                f"{' (' + html.escape(packet.tag) + ')' if packet.tag else ''}</span>",
            )
            row.deliver.description = word("net.deliver", lang)
            row.drop.description = word("net.drop", lang)
            row.duplicate.description = word("net.duplicate", lang)
        children = tuple(row.box for row in self._rows[: len(packets)]) or (self._empty,)
        self._set(self._empty, f"<i>{word('net.empty', lang)}</i>")
        if self.rows_box.children != children:
            self.rows_box.children = children
        self.deliver_all.description = word("net.deliver_all", lang)
        self._set(self.deliver_all, not packets, "disabled")
        now = f"{self.model.simulation.time:.6g}"
        due = self.model.next_timer()
        if due is None:
            timer_text = word("clock.none", lang)
        else:
            seconds, side, timer = due
            timer_text = word(
                "clock.next",
                lang,
                side=word("side." + side, lang),
                timer=word("timer." + timer, lang),
                seconds=f"{seconds:.6g}",
            )
        self._set(
            self.clock,
            f"<b>{word('clock.title', lang)}</b>: {word('clock.now', lang, seconds=now)}"
            f"<br><small>{timer_text}</small>",
        )
        self.next_timer.description = word("clock.fire", lang)
        self._set(self.next_timer, due is None, "disabled")
        self.wait_button.description = word("clock.wait", lang)

    def _controls(self) -> None:
        lang = self.lang
        model = self.model
        self.back.description = word("control.back", lang)
        self._set(self.back, model.steps == 0, "disabled")
        self.reset.description = word("control.reset", lang)
        self.step.description = word("control.step", lang)
        upcoming = model.scenario_next
        self._set(self.step, upcoming is None, "disabled")
        self._set(self.player, upcoming is None, "disabled")
        if model.script is None:
            text = ""
        elif upcoming is None:
            text = word("control.over", lang)
        else:
            text = word("control.next", lang, line=f"<code>{html.escape(upcoming)}</code>")
        self._set(self.scenario_line, text)

    def _happened(self) -> str:
        lang = self.lang
        done = self.model.last
        lines = []
        if done.message:
            colour = "#b00020" if not done.ok else "#333"
            lines.append(
                f"<div style='color:{colour}'><b>{html.escape(done.request)}</b>: {html.escape(done.message)}</div>"
            )
        if done.request == "back":
            lines.append(f"<div>{word('happened.back', lang)}</div>")
        elif done.request == "reset":
            lines.append(f"<div>{word('happened.reset', lang)}</div>")
        lines.extend(self._describe(done))
        if not lines:
            lines.append(f"<div><i>{word('happened.nothing', lang)}</i></div>")
        return "<div style='font-size:0.92em;line-height:1.35'>" + "".join(lines) + "</div>"

    def _describe(self, done: StepDone) -> list[str]:
        """The narrator's lines for the step just taken (the script's own words first)."""
        lines = []
        for line in narrate(done.records, self.lang, done.story):
            colour = SIDE_COLOURS[line.side][0] if line.side else "#333"
            if line.kind == "story":
                lines.append(f"<div class='tcpedu-story' style='font-style:italic;margin-bottom:2px'>{line.html}</div>")
            elif line.kind == "transition":
                lines.append(f"<div style='color:{colour}'>▸ {line.html}</div>")
            elif line.kind == "note":
                lines.append(f"<div style='margin-left:1em'><small>{line.html}</small></div>")
            elif line.kind == "sent":
                lines.append(f"<div style='margin-left:1em;color:{colour}'><small>{line.html}</small></div>")
            else:
                lines.append(f"<div>{line.html}</div>")
        return lines

    def _diagram_html(self, side: str, last: Record | None) -> str:
        heading = f"<b>{word('panel.diagram', self.lang, side=word('side.' + side, self.lang))}</b>"
        if self._diagram is None:
            return f"{heading}<div style='color:#b00020'>{html.escape(self._diagram_error)}</div>"
        if last is None:
            view = self._diagram.view({side: self.model.simulation.state(side)})
        else:
            view = self._diagram.view_of(last, sides=(side,))
        return f"{heading}<div class='tcpedu-diagram' data-side='{side}'>{fit_width(view.svg)}</div>"

    def _tcb_html(self) -> str:
        model = self.model
        cells = {side: model.tcb(side) for side in SIDES}
        changed = {side: model.changed(side) for side in SIDES}
        head = "".join(
            f"<th style='color:{SIDE_COLOURS[side][0]};padding:2px 10px'>{word('side.' + side, self.lang)}</th>"
            for side in SIDES
        )
        rows = []
        for name in TCB_ROWS:
            tds = []
            for side in SIDES:
                value = cells[side].get(name)
                shown = "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
                if name in changed[side]:
                    tds.append(
                        f"<td class='tcpedu-changed' data-side='{side}' data-name='{name}' "
                        f"style='background:#fff3b0;font-weight:bold;padding:2px 10px'>{shown} ◂</td>"
                    )
                else:
                    tds.append(f"<td data-side='{side}' data-name='{name}' style='padding:2px 10px'>{shown}</td>")
            rows.append(f"<tr><th style='text-align:left;padding:2px 10px'>{name}</th>{''.join(tds)}</tr>")
        return (
            "<table style='border-collapse:collapse;font-family:monospace'>"
            f"<tr><th></th>{head}</tr>{''.join(rows)}</table>"
        )
