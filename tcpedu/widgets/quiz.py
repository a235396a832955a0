"""Questions a learner answers in the notebook, checked in place against the engine.

A question is a situation written as a scenario script: everything but its last action line
sets the scene (drawn as a ladder diagram), and the last line is what happens next. The
learner predicts its outcome, the state one side is in afterwards (``ask_state``) or the
segment one side sends (``ask_segment``); the right answer is what tcpedu's engine does,
never a string typed into the notebook. A wrong answer gets a hint first (what arrives, and
where RFC 9293 says what to do), then the engine's answer and reasons.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Mapping

import ipywidgets as widgets

from ..core.segment import Segment
from ..core.states import State, language_index
from ..core.transitions import arcs_from
from ..render import Ladder, fit_width
from ..scenario import Player, Script, parse
from ..sim.history import Record
from ..words import word
from .happenings import segment_fate

__all__ = ["Outcome", "Question", "ask_segment", "ask_state", "outcome_of"]


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What the engine did at a question's last line."""

    before: tuple[Record, ...]
    """The history up to the last line (the scene)."""
    records: tuple[Record, ...]
    """What the last line made happen."""
    event: str
    """The last line, as written."""

    def state_of(self, side: str) -> State:
        return self.records[-1].state_of(side)

    def sent_by(self, side: str) -> list[Segment]:
        return [p.segment for record in self.records for p in record.sent if p.sender == side]

    def reasons(self, lang: str = "en") -> list[str]:
        """The arcs taken and the notes (with their RFC sections) of the last line."""
        lines = []
        for record in self.records:
            lines += [f"{word('side.' + who, lang)}: {arc}" for who, arc in record.arcs]
            lines += [
                f"{word('side.' + who, lang)}: {note.text_in(lang)} [{note.reference}]" for who, note in record.notes
            ]
        return lines


def outcome_of(script: str | Script) -> Outcome:
    """Run ``script`` and split its history at its last action line."""
    parsed = parse(script, "<question>") if isinstance(script, str) else script
    actions = [c for c in parsed.commands if c.is_action]
    if not actions:
        raise ValueError("a question's script needs an action line (its last one is what happens next)")
    player = Player(parsed)
    last_step = None
    while (step := player.step()) is not None:
        last_step = step
    run = player.run
    if run.error is not None or run.failure is not None:
        raise ValueError(f"the question's script does not run: {run.error or run.failure.message}")
    if last_step is None or last_step.command is not actions[-1]:  # pragma: no cover - run.ok implies it
        raise ValueError("the question's script did not reach its last line")
    history = run.simulation.history
    start = len(history) - len(last_step.records)
    return Outcome(tuple(history[:start]), tuple(last_step.records), last_step.command.text)


class Question:
    """One question with its answer widgets, a Check button and the feedback."""

    def __init__(self, prompt: str, inputs: list[widgets.Widget], lang: str, scene: Outcome):
        self.lang = lang
        self.scene = scene
        self.prompt = widgets.HTML(f"<b>{prompt}</b>")
        self.inputs = inputs
        self.check = widgets.Button(description=word("quiz.check", lang), button_style="primary")
        self.check.add_class("tcpedu-quiz-check")
        self.feedback = widgets.HTML()
        self.feedback.add_class("tcpedu-quiz-feedback")
        self.attempts = 0
        self.solved = False
        self.check.on_click(lambda _: self._check())
        ladder = Ladder(scene.before, lang=lang).svg() if scene.before else ""
        picture = widgets.HTML(f"<div style='max-height:360px;overflow:auto'>{fit_width(ladder)}</div>")
        upcoming = widgets.HTML(_upcoming(scene, lang))
        self.widget = widgets.VBox(
            [self.prompt, picture, upcoming, widgets.HBox([*inputs, self.check]), self.feedback],
            layout=widgets.Layout(border="1px solid #ccd", padding="6px", margin="6px 0"),
        )
        self.widget.add_class("tcpedu-quiz")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # Subclasses say what is wrong (an empty list: right), the hint, and the answer.
    def mistakes(self) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def hint(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def answer(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def _check(self) -> None:
        lang = self.lang
        mistakes = self.mistakes()
        self.attempts += 1
        reasons = "".join(f"<li>{html.escape(line)}</li>" for line in self.scene.reasons(lang))
        why = f"<details><summary>{word('quiz.why', lang)}</summary><ul>{reasons}</ul></details>"
        if not mistakes:
            self.solved = True
            self.feedback.value = (
                f"<div class='tcpedu-quiz-right' style='color:#1b7f2a'><b>{word('quiz.right', lang)}</b> "
                f"{self.answer()}{why}</div>"
            )
            return
        listed = "; ".join(html.escape(m) for m in mistakes)
        if self.attempts == 1:
            self.feedback.value = (
                f"<div class='tcpedu-quiz-wrong' style='color:#b00020'><b>{word('quiz.wrong', lang)}</b> {listed}."
                f"<br>{word('quiz.hint', lang)}: {self.hint()}</div>"
            )
        else:
            self.feedback.value = (
                f"<div class='tcpedu-quiz-wrong' style='color:#b00020'><b>{word('quiz.wrong', lang)}</b> "
                f"{listed}.</div>"
                f"<div>{word('quiz.answer', lang)}: {self.answer()}{why}</div>"
            )


# Where RFC 9293 says what a segment arriving in each state does (3.10.7).
_ARRIVAL_SECTIONS = {State.CLOSED: "3.10.7.1", State.LISTEN: "3.10.7.2", State.SYN_SENT: "3.10.7.3"}


def _hint_for(scene: Outcome, lang: str) -> str:
    """Where RFC 9293 says what the receiver does, and the arcs its state has."""
    for record in scene.records:
        if record.packet is not None and record.kind in ("deliver", "inject"):
            receiver = record.packet.receiver
            state = scene.before[-1].state_of(receiver) if scene.before else State.CLOSED
            section = _ARRIVAL_SECTIONS.get(state, "3.10.7.4")
            arcs = [arc for arc in arcs_from(state) if arc.source != "simulation"]
            listed = "; ".join(f"{arc.label} → {arc.target}" for arc in arcs) or "—"
            return (
                f"{word('side.' + receiver, lang)}: {state}, RFC 9293 {section}. "
                f"{word('quiz.arcs', lang, state=state)}: <code>{html.escape(listed)}</code>"
            )
    return html.escape(scene.event)


def _upcoming(scene: Outcome, lang: str) -> str:
    """The last line, and what it does to which segment."""
    parts = [f"<code>{html.escape(scene.event)}</code>"]
    parts += [fate for record in scene.records if (fate := segment_fate(record, lang)) is not None]
    return f"{word('quiz.next', lang)}: " + " — ".join(parts)


class StateQuestion(Question):
    def __init__(self, prompt: str, scene: Outcome, side: str, lang: str):
        self.side = side
        self.expected = scene.state_of(side)
        before = scene.before[-1].state_of(side) if scene.before else State.CLOSED
        candidates = {before, self.expected, State.ESTABLISHED, State.CLOSED}
        candidates |= {arc.target for arc in arcs_from(before) if arc.source != "simulation"}
        options = [("—", None)] + [(state.value, state) for state in State if state in candidates]
        self.choice = widgets.Dropdown(options=options, value=None, layout=widgets.Layout(width="180px"))
        self.choice.add_class("tcpedu-quiz-state")
        super().__init__(prompt, [self.choice], lang, scene)

    def mistakes(self) -> list[str]:
        return [] if self.choice.value is self.expected else [str(self.choice.value or "—")]

    def hint(self) -> str:
        return _hint_for(self.scene, self.lang)

    def answer(self) -> str:
        taken = [
            f"{arc} ({arc.source})" for record in self.scene.records for who, arc in record.arcs if who == self.side
        ]
        side = word("side." + self.side, self.lang)
        moved = f" — {html.escape('; '.join(taken))}" if taken else ""
        return f"{side}: <b>{self.expected}</b>{moved}"


_FLAG_CHOICES = ("SYN", "SYN,ACK", "ACK", "FIN,ACK", "RST", "RST,ACK")


class SegmentQuestion(Question):
    def __init__(self, prompt: str, scene: Outcome, side: str, lang: str):
        self.side = side
        sent = scene.sent_by(side)
        if not sent:
            raise ValueError(f"the {side} sends nothing at the question's last line: ask something else")
        self.expected = sent[0]
        self.flags = widgets.Dropdown(
            options=[("—", None), *[(f, f) for f in _FLAG_CHOICES]], value=None, description=word("quiz.flags", lang)
        )
        self.flags.add_class("tcpedu-quiz-flags")
        self.seq = widgets.Text(description="seq", placeholder="0 .. 4294967295", layout=widgets.Layout(width="200px"))
        self.seq.add_class("tcpedu-quiz-seq")
        self.ack = widgets.Text(description="ack", placeholder="0 .. 4294967295", layout=widgets.Layout(width="200px"))
        self.ack.add_class("tcpedu-quiz-ack")
        super().__init__(prompt, [self.flags, self.seq, self.ack], lang, scene)

    def mistakes(self) -> list[str]:
        expected = self.expected
        wrong = []
        if self.flags.value != str(expected.flags):
            wrong.append(word("quiz.field", self.lang, field=word("quiz.flags", self.lang)))
        if _number(self.seq.value) != expected.seq:
            wrong.append(word("quiz.field", self.lang, field="seq"))
        if expected.has_ack and _number(self.ack.value) != expected.ack:
            wrong.append(word("quiz.field", self.lang, field="ack"))
        return wrong

    def hint(self) -> str:
        return _hint_for(self.scene, self.lang)

    def answer(self) -> str:
        return f"{word('side.' + self.side, self.lang)}: <code>{html.escape(self.expected.describe())}</code>"


def _number(text: str) -> int | None:
    try:
        return int(text.strip().replace(",", "").replace("_", ""))
    except ValueError:
        return None


def ask_state(script: str, side: str, prompt: str | Mapping[str, str], lang: str = "en") -> StateQuestion:
    """Which state is ``side`` in after the script's last line? (The engine knows.) ``prompt``
    is the question, or a question per language (``{"en": ..., "ko": ...}``)."""
    return StateQuestion(_in(prompt, lang), outcome_of(script), side, lang)


def ask_segment(script: str, side: str, prompt: str | Mapping[str, str], lang: str = "en") -> SegmentQuestion:
    """Which segment (flags, seq, ack) does ``side`` send at the script's last line?"""
    return SegmentQuestion(_in(prompt, lang), outcome_of(script), side, lang)


def _in(prompt: str | Mapping[str, str], lang: str) -> str:
    language_index(lang)  # ValueError naming the choices
    return prompt if isinstance(prompt, str) else prompt[lang]
