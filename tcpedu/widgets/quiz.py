"""Questions a learner answers in the notebook, checked in place against the engine.

The questions are decided by ``tcpedu.grade.questions`` (the scene, the right answer, what is
wrong with an answer); this module only shows them: the scene as a ladder diagram, the
inputs, and the feedback. A wrong answer gets a hint first (what arrives, and where RFC 9293
says what to do), then the engine's answer and reasons.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import ipywidgets as widgets

from ..core.transitions import arcs_from
from ..grade.questions import FLAG_CHOICES, Outcome, SegmentAnswer, StateAnswer, arrival_section, outcome_of
from ..narrator import EVENTS, narrate
from ..render import Ladder, fit_width
from ..words import language_index, word

__all__ = ["Outcome", "Question", "ask_segment", "ask_state", "outcome_of"]


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


def _hint_for(scene: Outcome, lang: str) -> str:
    """Where RFC 9293 says what the receiver does, and the arcs its state has."""
    arrival = scene.arrival()
    if arrival is None:
        return html.escape(scene.event)
    receiver, state = arrival
    arcs = [arc for arc in arcs_from(state) if arc.source != "simulation"]
    listed = "; ".join(f"{arc.label} → {arc.target}" for arc in arcs) or "—"
    return (
        f"{word('side.' + receiver, lang)}: {state}, RFC 9293 {arrival_section(state)}. "
        f"{word('quiz.arcs', lang, state=state)}: <code>{html.escape(listed)}</code>"
    )


def _upcoming(scene: Outcome, lang: str) -> str:
    """The last line, and what it does to which segment."""
    parts = [f"<code>{html.escape(scene.event)}</code>"]
    parts += [line.html for line in narrate(scene.records, lang, kinds=EVENTS - {"call"})]
    return f"{word('quiz.next', lang)}: " + " — ".join(parts)


class StateQuestion(Question):
    def __init__(self, prompt: str, scene: Outcome, side: str, lang: str):
        self.side = side
        self.decided = StateAnswer(scene, side)
        self.expected = self.decided.expected
        options = [("—", None)] + [(state.value, state) for state in self.decided.choices]
        self.choice = widgets.Dropdown(options=options, value=None, layout=widgets.Layout(width="180px"))
        self.choice.add_class("tcpedu-quiz-state")
        super().__init__(prompt, [self.choice], lang, scene)

    def mistakes(self) -> list[str]:
        return [] if self.decided.is_right(self.choice.value) else [str(self.choice.value or "—")]

    def hint(self) -> str:
        return _hint_for(self.scene, self.lang)

    def answer(self) -> str:
        taken = [f"{arc} ({arc.source})" for arc in self.scene.arcs_of(self.side)]
        side = word("side." + self.side, self.lang)
        moved = f" — {html.escape('; '.join(taken))}" if taken else ""
        return f"{side}: <b>{self.expected}</b>{moved}"


class SegmentQuestion(Question):
    def __init__(self, prompt: str, scene: Outcome, side: str, lang: str):
        self.side = side
        self.decided = SegmentAnswer(scene, side)
        self.expected = self.decided.expected
        self.flags = widgets.Dropdown(
            options=[("—", None), *[(f, f) for f in FLAG_CHOICES]], value=None, description=word("quiz.flags", lang)
        )
        self.flags.add_class("tcpedu-quiz-flags")
        self.seq = widgets.Text(description="seq", placeholder="0 .. 4294967295", layout=widgets.Layout(width="200px"))
        self.seq.add_class("tcpedu-quiz-seq")
        self.ack = widgets.Text(description="ack", placeholder="0 .. 4294967295", layout=widgets.Layout(width="200px"))
        self.ack.add_class("tcpedu-quiz-ack")
        super().__init__(prompt, [self.flags, self.seq, self.ack], lang, scene)

    def mistakes(self) -> list[str]:
        wrong = self.decided.wrong_fields(self.flags.value, self.seq.value, self.ack.value)
        names = {"flags": word("quiz.flags", self.lang), "seq": "seq", "ack": "ack"}
        return [word("quiz.field", self.lang, field=names[field]) for field in wrong]

    def hint(self) -> str:
        return _hint_for(self.scene, self.lang)

    def answer(self) -> str:
        return f"{word('side.' + self.side, self.lang)}: <code>{html.escape(self.expected.describe())}</code>"


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
