"""Questions a learner answers in the notebook, checked in place against the engine.

The questions are decided by ``tcpedu.grade.questions`` (the scene, the right answer, what is
wrong with an answer and the hint aimed at it); this module only shows them: the scene as a
ladder diagram, the inputs, and the feedback. A wrong answer gets a hint about that mistake
first, then the engine's answer and its reasons; a choice's options can each be run afterwards.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..grade.questions import (
    FLAG_CHOICES,
    ChoiceAnswer,
    Outcome,
    SegmentAnswer,
    StateAnswer,
    TimeAnswer,
    outcome_of,
)
from ..narrator import EVENTS, narrate
from ..render import Ladder, fit_width
from ..words import in_language, language_index, word

__all__ = ["Outcome", "Question", "ask_choice", "ask_segment", "ask_state", "ask_time", "outcome_of"]


class Question:
    """One question with its answer widgets, a Check button and the feedback."""

    def __init__(self, prompt: str, inputs: list[widgets.Widget], lang: str, scene: Outcome):
        self.lang = lang
        self.scene = scene
        self.prompt = widgets.HTML(f"<b>{html.escape(prompt)}</b>")
        self.inputs = inputs
        self.check = widgets.Button(description=word("quiz.check", lang), button_style="primary")
        self.check.add_class("tcpedu-quiz-check")
        self.feedback = widgets.HTML()
        self.feedback.add_class("tcpedu-quiz-feedback")
        self.attempts = 0
        self.solved = False
        self.check.on_click(lambda _: self._check())
        picture = Ladder(scene.before, lang=lang).svg() if scene.before else ""
        shown = widgets.HTML(f"<div style='max-height:360px;overflow:auto'>{fit_width(picture)}</div>")
        upcoming = widgets.HTML(_upcoming(scene, lang))
        self.extra = widgets.VBox()
        self.widget = widgets.VBox(
            [self.prompt, shown, upcoming, widgets.HBox([*inputs, self.check]), self.feedback, self.extra],
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

    def reasons(self) -> list[str]:
        return self.scene.reasons(self.lang)

    def revealed(self) -> None:
        """Called once the answer is shown (right, or after a second wrong answer)."""

    def _check(self) -> None:
        lang = self.lang
        mistakes = self.mistakes()
        self.attempts += 1
        reasons = "".join(f"<li>{html.escape(line)}</li>" for line in self.reasons())
        why = f"<details><summary>{word('quiz.why', lang)}</summary><ul>{reasons}</ul></details>" if reasons else ""
        if not mistakes:
            self.solved = True
            self.feedback.value = (
                f"<div class='tcpedu-quiz-right' style='color:#1b7f2a'><b>{word('quiz.right', lang)}</b> "
                f"{self.answer()}{why}</div>"
            )
            self.revealed()
            return
        listed = "; ".join(html.escape(m) for m in mistakes)
        if self.attempts == 1:
            self.feedback.value = (
                f"<div class='tcpedu-quiz-wrong' style='color:#b00020'><b>{word('quiz.wrong', lang)}</b> {listed}."
                f"<br><span class='tcpedu-quiz-hint'>{word('quiz.hint', lang)}: {self.hint()}</span></div>"
            )
        else:
            self.feedback.value = (
                f"<div class='tcpedu-quiz-wrong' style='color:#b00020'><b>{word('quiz.wrong', lang)}</b> "
                f"{listed}.</div>"
                f"<div>{word('quiz.answer', lang)}: {self.answer()}{why}</div>"
            )
            self.revealed()


def _upcoming(scene: Outcome, lang: str) -> str:
    """The last line, and what it does to which segment (not what follows)."""
    parts = [f"<code>{html.escape(scene.event)}</code>"]
    parts += [line.html for line in narrate(scene.records, lang, kinds=EVENTS - {"call"})]
    return f"{word('quiz.next', lang)}: " + " — ".join(parts)


class StateQuestion(Question):
    def __init__(self, prompt: str | None, scene: Outcome, side: str, lang: str):
        self.side = side
        self.decided = StateAnswer(scene, side)
        self.expected = self.decided.expected
        options = [("—", None)] + [(state.value, state) for state in self.decided.choices]
        self.choice = widgets.Dropdown(options=options, value=None, layout=widgets.Layout(width="180px"))
        self.choice.add_class("tcpedu-quiz-state")
        side_word = word("side." + side, lang)
        asked = prompt or scene.prompt(lang) or word("quiz.ask_state", lang, side=side_word, event=scene.event)
        super().__init__(asked, [self.choice], lang, scene)

    def mistakes(self) -> list[str]:
        return [] if self.decided.is_right(self.choice.value) else [str(self.choice.value or "—")]

    def hint(self) -> str:
        return html.escape(self.decided.hint(self.choice.value, self.lang))

    def answer(self) -> str:
        taken = [f"{arc.state} -> {arc.target} ({arc.label})" for arc in self.scene.arcs_of(self.side)]
        side = word("side." + self.side, self.lang)
        moved = f" — {html.escape('; '.join(taken))}" if taken else ""
        return f"{side}: <b>{self.expected}</b>{moved}"


class SegmentQuestion(Question):
    def __init__(self, prompt: str | None, scene: Outcome, side: str, lang: str):
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
        side_word = word("side." + side, lang)
        asked = prompt or scene.prompt(lang) or word("quiz.ask_segment", lang, side=side_word, event=scene.event)
        super().__init__(asked, [self.flags, self.seq, self.ack], lang, scene)

    def mistakes(self) -> list[str]:
        wrong = self.decided.wrong_fields(self.flags.value, self.seq.value, self.ack.value)
        names = {"flags": word("quiz.flags", self.lang), "seq": "seq", "ack": "ack"}
        return [word("quiz.field", self.lang, field=names[field]) for field in wrong]

    def hint(self) -> str:
        hints = self.decided.hints(self.flags.value, self.seq.value, self.ack.value, self.lang)
        return " ".join(html.escape(h) for h in hints)

    def answer(self) -> str:
        return f"{word('side.' + self.side, self.lang)}: <code>{html.escape(self.expected.describe())}</code>"


class TimeQuestion(Question):
    def __init__(self, prompt: str | None, scene: Outcome, lang: str):
        self.decided = TimeAnswer(scene)
        self.seconds = widgets.Text(description=word("quiz.seconds", lang), layout=widgets.Layout(width="200px"))
        self.seconds.add_class("tcpedu-quiz-time")
        asked = prompt or scene.prompt(lang) or word("quiz.ask_time", lang)
        super().__init__(asked, [self.seconds], lang, scene)

    def mistakes(self) -> list[str]:
        return [] if self.decided.is_right(self.seconds.value) else [self.seconds.value.strip() or "—"]

    def hint(self) -> str:
        return html.escape(self.decided.hint(self.seconds.value, self.lang))

    def answer(self) -> str:
        return f"t = <b>{self.decided.seconds}</b> s"


class ChoiceQuestion(Question):
    """Which explanation holds? After the answer is shown, each option can be run."""

    def __init__(self, prompt: str | None, decided: ChoiceAnswer, lang: str):
        self.decided = decided
        labels = [in_language(option.titles, lang) for option in decided.options]
        self.choice = widgets.RadioButtons(
            options=[(label, index) for index, label in enumerate(labels)],
            value=None,
            layout=widgets.Layout(width="auto"),
        )
        self.choice.add_class("tcpedu-quiz-choice")
        asked = prompt or in_language(decided.titles, lang) or word("quiz.ask_choice", lang)
        super().__init__(asked, [self.choice], lang, outcome_of(decided.scene))
        self.run_buttons: list[widgets.Button] = []
        self.shown = widgets.HTML()
        self.shown.add_class("tcpedu-quiz-run")

    def mistakes(self) -> list[str]:
        index = self.choice.value
        if self.decided.is_right(index):
            return []
        return [in_language(self.decided.options[index].titles, self.lang) if index is not None else "—"]

    def hint(self) -> str:
        return html.escape(self.decided.hint(self.choice.value, self.lang))

    def answer(self) -> str:
        option = self.decided.options[self.decided.expected]
        return f"<b>{html.escape(in_language(option.titles, self.lang))}</b>"

    def revealed(self) -> None:
        if self.run_buttons:
            return
        for index, option in enumerate(self.decided.options):
            button = widgets.Button(
                description=f"{word('choice.run', self.lang)}: {index + 1}", layout=widgets.Layout(width="auto")
            )
            button.add_class("tcpedu-quiz-run-option")
            button.on_click(lambda _b, option=option: self._show(option))
            self.run_buttons.append(button)
        self.extra.children = (widgets.HBox(self.run_buttons), self.shown)

    def _show(self, option) -> None:
        ladder = Ladder(option.run.simulation.history, lang=self.lang).svg()
        verdict = html.escape(option.verdict(self.lang))
        colour = "#1b7f2a" if option.holds else "#b00020"
        self.shown.value = (
            f"<div><b>{html.escape(in_language(option.titles, self.lang))}</b> — "
            f"<span style='color:{colour}'>{verdict}</span></div>"
            f"<div style='max-height:360px;overflow:auto'>{fit_width(ladder)}</div>"
        )


def ask_state(script: str, side: str, prompt: str | None = None, lang: str = "en") -> StateQuestion:
    """Which state is ``side`` in after the script's last line? (The engine knows.) The prompt
    is the script's title in ``lang`` (its first comment line, or its ``#ko:`` line), unless given."""
    language_index(lang)  # ValueError naming the choices
    return StateQuestion(prompt, outcome_of(script), side, lang)


def ask_segment(script: str, side: str, prompt: str | None = None, lang: str = "en") -> SegmentQuestion:
    """Which segment (flags, seq, ack) does ``side`` send at the script's last line?"""
    language_index(lang)
    return SegmentQuestion(prompt, outcome_of(script), side, lang)


def ask_time(script: str, prompt: str | None = None, lang: str = "en") -> TimeQuestion:
    """At what time (seconds) does the timer of the script's last line, ``wait next``, fire?"""
    language_index(lang)
    return TimeQuestion(prompt, outcome_of(script), lang)


def ask_choice(scene: str, options: list[str], prompt: str | None = None, lang: str = "en") -> ChoiceQuestion:
    """Which explanation holds? Each option is script run after ``scene``: a comment line (and its
    ``#ko:`` line) saying it in words, then ``expect`` lines (and any actions) stating it. The
    engine decides: exactly one option must meet all its expectations."""
    language_index(lang)
    return ChoiceQuestion(prompt, ChoiceAnswer(scene, options), lang)
