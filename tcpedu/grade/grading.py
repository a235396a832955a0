"""Grading one student: every exercise in their submission checked as the learner's ``check()``
checks it (the same properties, grading's examples and seed), and what the gradebook keeps.

This runs in a grading worker, the grader's own process: the learner's code runs in sandboxed
children (``sandbox.py``), each exercise's answers are judged here, and the grade is decided
here. The worker returns a ``Graded``: the record the gradebook and the class summary are made
from (JSON, kept for resuming), the student's feedback page and their Gradescope results.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import os
import shutil
import tempfile
import time
from pathlib import Path

from ..words import word
from .api import untouched
from .catalog import EXERCISES
from .checker import ExerciseResult, GroupResult, Intensity, check_answer, code_fingerprint
from .exercise import Exercise, Text, text_in
from .feedback import failure_lines, html_report, pictures, script_of, seed_line
from .sandbox import Isolation, Limits
from .source import Answer
from .submissions import Submission, answers_of, write_files

__all__ = ["Graded", "Setup", "grade_submission"]


@dataclasses.dataclass(frozen=True)
class Setup:
    """How a class is graded: the same for every student."""

    intensity: Intensity
    limits: Limits
    lang: str = "en"
    hidden: tuple[str, ...] = ()
    """Folders learner code must not see (the submissions, the grader's output)."""

    def describe(self) -> dict[str, object]:
        return {
            "seed": self.intensity.seed,
            "examples": self.intensity.factor,
            "seconds": self.limits.seconds,
            "memory_bytes": self.limits.memory_bytes,
            "lang": self.lang,
            "grader": code_fingerprint(),
        }


@dataclasses.dataclass(frozen=True)
class Graded:
    record: dict[str, object]
    """What the gradebook and the summary need (JSON): scores per exercise and group, and the
    failures, each with its script and pictures."""
    feedback: str
    """The student's feedback page (HTML, self-contained)."""
    results: dict[str, object]
    """Gradescope's ``results.json`` for this student."""


def grade_submission(submission: Submission, setup: Setup, uid: int | None = None) -> Graded:
    """Grade ``submission``; learner code runs as ``uid`` (when tcpedu runs as root) in a
    temporary copy of the submission, never in the submissions folder."""
    started = time.monotonic()
    if submission.problem is not None:
        results = [_not_submitted(ex, submission.problem) for ex in EXERCISES]
        return _graded(submission, setup, results, time.monotonic() - started)
    isolation = Isolation(uid=uid, dedicated=True, hidden=setup.hidden) if uid is not None else Isolation()
    folder = Path(tempfile.mkdtemp(prefix="tcpedu-grade-"))
    try:
        write_files(submission, folder)
        if uid is not None and os.geteuid() == 0:
            _give(folder, uid)
        answers = answers_of(submission, folder)
        results = []
        for ex in EXERCISES:
            found = answers[ex.key]
            if isinstance(found, Answer):
                result = check_answer(ex, found, setup.intensity, setup.limits, isolation)
                if result.problem is None and not result.score and untouched(found, ex):
                    result = dataclasses.replace(result, problem=_UNTOUCHED)
                results.append(result)
            else:
                results.append(_not_submitted(ex, found))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return _graded(submission, setup, results, time.monotonic() - started)


_UNTOUCHED = (
    "not attempted: the exercise's file as it was handed out",
    "풀지 않음: 나누어 준 그대로의 파일",
)


def _give(folder: Path, uid: int) -> None:
    """The copy belongs to the learner's user alone (0700): no other student's code reads it."""
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, uid, uid, follow_symlinks=False)
    folder.chmod(0o700)


def _not_submitted(ex: Exercise, why: Text) -> ExerciseResult:
    message: Text = why if isinstance(why, tuple) else (why, why)
    groups = tuple(GroupResult(group, 0, "missing", message) for group in ex.groups)
    return ExerciseResult(ex, "", groups, Intensity("grade", 0, 0), message)


# --- what is kept -------------------------------------------------------------------------------------


def _graded(submission: Submission, setup: Setup, results: list[ExerciseResult], seconds: float) -> Graded:
    record = {
        "student": submission.student,
        "entry": submission.entry,
        "digest": submission.digest,
        "setup": setup.describe(),
        "problem": submission.problem,
        "score": sum(result.score for result in results),
        "max_score": sum(result.max_score for result in results),
        "seconds": round(seconds, 3),
        "exercises": [_exercise_record(result) for result in results],
        "failures": [
            kept for result in results for group in result.groups for kept in _failure_records(result, group, setup)
        ],
    }
    return Graded(record, _feedback_page(submission, setup, results, record), _results(results, setup, seconds))


def _exercise_record(result: ExerciseResult) -> dict[str, object]:
    ex = result.exercise
    return {
        "key": ex.key,
        "number": ex.number,
        "score": result.score,
        "max_score": result.max_score,
        "origin": result.origin,
        "attempted": bool(result.origin) and result.problem != _UNTOUCHED,
        "problem": _pair(result.problem) if result.problem else None,
        "groups": [
            {
                "key": group.group.key,
                "points": group.group.points,
                "earned": group.earned,
                "status": group.status,
                "message": _pair(group.message) if group.message else None,
            }
            for group in result.groups
        ],
    }


def _pair(text: Text) -> list[str]:
    return [text_in(text, "en"), text_in(text, "ko")]


def _failure_records(result: ExerciseResult, group: GroupResult, setup: Setup) -> list[dict[str, object]]:
    """The failure a summary may show for this group (its smallest example, drawn), if it
    failed on an example: a wrong answer or code that stopped, not a missing file."""
    if group.passed or not group.failures or group.status not in ("failed", "error"):
        return []
    failure = group.failures[0]
    try:
        size = list(group.group.size(failure.example)) if failure.example is not None else [0]
    except Exception:  # an example the group cannot measure: last among the representatives
        size = [1 << 30]
    drawn = []
    with contextlib.suppress(Exception):  # a picture that cannot be drawn leaves the text
        drawn = [[picture.caption, picture.svg] for picture in pictures(failure, setup.lang)[:1]]
    return [
        {
            "exercise": result.exercise.key,
            "group": group.group.key,
            "status": group.status,
            "size": size,
            "text": "\n".join(failure_lines(dataclasses.replace(group, failures=(failure,)), setup.lang, False)),
            "script": script_of(failure, setup.lang),
            "pictures": drawn,
        }
    ]


def _feedback_page(submission: Submission, setup: Setup, results: list[ExerciseResult], record: dict) -> str:
    lang = setup.lang
    title = word("grade.feedback_title", lang, student=submission.student)
    total = word("check.score", lang, score=record["score"], points=record["max_score"])
    parts = [
        f"<!DOCTYPE html>\n<html lang='{lang}'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p><b>{html.escape(total)}</b> · {html.escape(word('grade.submitted', lang, entry=submission.entry))}</p>",
    ]
    if submission.problem:
        parts.append(f"<p><b>{html.escape(word('grade.not_graded', lang, reason=submission.problem))}</b></p>")
    parts.append("<ul>")
    for result in results:
        name = f"{word('check.exercise', lang, number=result.exercise.number)}: {result.exercise.name(lang)}"
        parts.append(f"<li>{html.escape(name)}: {result.score}/{result.max_score}</li>")
    parts.append("</ul>")
    for result in results:
        if result.origin:
            parts.append(html_report(result, lang))
        else:
            number = word("check.exercise", lang, number=result.exercise.number)
            problem = text_in(result.problem or "", lang)
            parts.append(
                f"<div class='tcpedu-check'><h3>{html.escape(number)}: {html.escape(result.exercise.name(lang))} — "
                f"0/{result.max_score}</h3><p>{html.escape(problem)}</p></div>"
            )
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _summary_line(result: ExerciseResult, lang: str) -> str:
    """``Exercise 1: 7/10``, and why when it could not be checked (``not attempted: ...``)."""
    line = f"{word('check.exercise', lang, number=result.exercise.number)}: {result.score}/{result.max_score}"
    return f"{line} ({text_in(result.problem, lang)})" if result.problem is not None else line


def _results(results: list[ExerciseResult], setup: Setup, seconds: float) -> dict[str, object]:
    """Gradescope's ``results.json``: one test per group, each with its points and, when it
    failed, the smallest failing example in text with its script."""
    lang = setup.lang
    tests = []
    for result in results:
        ex = result.exercise
        for number, group in enumerate(result.groups, 1):
            output = ""
            if not group.passed:
                lines = [text_in(group.message, lang)] if group.message else []
                lines += failure_lines(group, lang)
                output = "\n".join(lines)
            tests.append(
                {
                    "name": f"{word('check.exercise', lang, number=ex.number)}: {group.group.name(lang)}",
                    "number": f"{ex.number}.{number}",
                    "score": group.earned,
                    "max_score": group.group.points,
                    "status": "passed" if group.passed else "failed",
                    "output": output,
                    "output_format": "text",
                    "visibility": "visible",
                }
            )
    seeds = {seed_line(result, lang) for result in results if result.origin}
    return {
        "score": sum(result.score for result in results),
        "execution_time": round(seconds, 3),
        "output": "\n".join([_summary_line(result, lang) for result in results] + sorted(seeds)),
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
