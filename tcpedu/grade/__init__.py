"""Checking and grading, headless: questions' answers, and the exercises learners implement,
checked against the reference engine in a sandbox. Nothing here imports ipywidgets; the
widgets show what this package decides.

``check("sequence-numbers")`` in an exercise's notebook checks the learner's code and shows
each group of checks passed or failed, with the smallest failing example drawn. The names
below are loaded when first used, so the command line pays for none of it unless it checks.
"""

from __future__ import annotations

import importlib

_HOMES = {
    "check": "api",
    "find_answer": "api",
    "solution_source": "api",
    "stub_source": "api",
    "validate": "api",
    "your_code": "api",
    "EXERCISES": "catalog",
    "CHECK": "checker",
    "ExerciseResult": "checker",
    "GroupResult": "checker",
    "Intensity": "checker",
    "check_answer": "checker",
    "grading": "checker",
    "Report": "feedback",
    "html_report": "feedback",
    "text_report": "feedback",
    "Outcome": "questions",
    "SegmentAnswer": "questions",
    "StateAnswer": "questions",
    "outcome_of": "questions",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'tcpedu.grade' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{home}", __name__), name)
