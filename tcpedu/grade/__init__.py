"""Checking and grading, headless: questions' answers, and the exercises learners implement,
checked against the reference engine in a sandbox. Nothing here imports ipywidgets; the
widgets show what this package decides.

``check("sequence-numbers")`` in an exercise's notebook checks the learner's code and shows
each group of checks passed or failed, with the smallest failing example drawn.
"""

from .api import check, find_answer, solution_source, stub_source, validate
from .catalog import EXERCISES, exercise
from .checker import CHECK, ExerciseResult, GroupResult, Intensity, check_answer, grading
from .feedback import Report, html_report, text_report
from .questions import Outcome, SegmentAnswer, StateAnswer, outcome_of

__all__ = [
    "CHECK",
    "EXERCISES",
    "ExerciseResult",
    "GroupResult",
    "Intensity",
    "Outcome",
    "Report",
    "SegmentAnswer",
    "StateAnswer",
    "check",
    "check_answer",
    "exercise",
    "find_answer",
    "grading",
    "html_report",
    "outcome_of",
    "solution_source",
    "stub_source",
    "text_report",
    "validate",
]
