"""Checking and grading, headless: questions' answers, and (to come) exercises learners
implement, checked against the reference engine. Nothing here imports ipywidgets; the
widgets show what this package decides."""

from .questions import Outcome, SegmentAnswer, StateAnswer, outcome_of

__all__ = ["Outcome", "SegmentAnswer", "StateAnswer", "outcome_of"]
