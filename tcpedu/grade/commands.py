"""The command line's exercise commands: ``tcpedu check`` and ``tcpedu exercises``.

``tcpedu check FILE`` checks a learner's ``.py`` file or notebook as the notebook's
``check()`` does and prints the result; ``tcpedu exercises`` lists the exercises, writes the
learners' files (``release``) or the reference solutions (``solutions``) into a folder, and
validates the set (every solution full marks, every stub nothing).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["CommandError", "add_commands", "run_check", "run_exercises"]


class CommandError(Exception):
    """Something the user must fix; the message is printed as it is (exit status 2)."""


def add_commands(commands: argparse._SubParsersAction, languages: tuple[str, ...]) -> None:
    check = commands.add_parser(
        "check",
        help="check your code for an exercise against RFC 9293 (a .py file or a notebook)",
        description="Check a learner's code for one exercise: each group of checks passed or failed, "
        "and for each failure the smallest failing example, the rule it breaks and the run as a script.",
    )
    check.add_argument("file", help="your exercise file (e.g. sequence_numbers.py) or its notebook")
    check.add_argument("--exercise", metavar="NAME", help="which exercise (default: from the file's name)")
    check.add_argument("--lang", choices=languages, default="en", help="language of the report")
    check.add_argument("--seed", type=int, help="look with another seed (the default is the learners' own)")
    check.add_argument(
        "--examples", type=float, default=1.0, metavar="FACTOR", help="try FACTOR times as many examples (default 1)"
    )
    check.add_argument("--html", metavar="FILE", help="also write the report with its pictures as an HTML page")

    exercises = commands.add_parser(
        "exercises",
        help="list the exercises, write them or their solutions into a folder, validate them",
        description="The exercises learners implement. 'release DIR' writes the learners' files, "
        "'solutions DIR' the reference solutions (for instructors), 'validate' checks that every "
        "solution scores full marks and every untouched file nothing.",
    )
    actions = exercises.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    actions.add_parser("list", help="the exercises and their groups of checks")
    release = actions.add_parser("release", help="write the learners' exercise files into DIR")
    release.add_argument("folder", metavar="DIR")
    solutions = actions.add_parser("solutions", help="write the reference solutions into DIR (for instructors)")
    solutions.add_argument("folder", metavar="DIR")
    check_all = actions.add_parser("validate", help="every solution full marks, every untouched file nothing")
    check_all.add_argument("names", nargs="*", metavar="EXERCISE", help="only these exercises")
    check_all.add_argument("--grading", action="store_true", help="with grading's examples and seed")


def _notebooks(folder: Path) -> dict[Path, str]:
    """The exercises' notebooks and README, from the course's ``exercises/`` folder (they are
    the course's, built from ``lessons/exercises/``; a tcpedu installed without the course has
    none)."""
    from .catalog import EXERCISES

    course = Path(__file__).resolve().parents[2] / "exercises"
    if not course.is_dir() or course.resolve() == folder.resolve():
        return {}
    paths = [path for ex in EXERCISES for path in sorted(course.glob(f"{ex.notebook}*.ipynb"))]
    paths += [course / "README.md"] if (course / "README.md").is_file() else []
    return {folder / path.name: path.read_text(encoding="utf-8") for path in paths}


def _exercise_for(path: Path, name: str | None):
    from .catalog import EXERCISES, exercise

    if name is not None:
        try:
            return exercise(name)
        except KeyError as error:
            raise CommandError(str(error.args[0])) from None
    stem = path.name.removesuffix(".ipynb").removesuffix(".ko").removesuffix(".py")
    for candidate in EXERCISES:
        if stem in (candidate.module, candidate.notebook, candidate.key):
            return candidate
    names = ", ".join(candidate.key for candidate in EXERCISES)
    raise CommandError(f"{path}: which exercise is it? Say --exercise NAME (one of {names})")


def run_check(args: argparse.Namespace) -> int:
    from .checker import CHECK, Intensity, check_answer
    from .feedback import html_report, text_report
    from .source import AnswerError, answer_from_file

    path = Path(args.file)
    try:
        answer = answer_from_file(path)
    except AnswerError as error:
        raise CommandError(str(error)) from None
    ex = _exercise_for(path, args.exercise)
    if args.examples <= 0:
        raise CommandError(f"--examples must be a positive factor, not {args.examples:g}")
    intensity = Intensity("check", args.examples, CHECK.seed if args.seed is None else args.seed)
    result = check_answer(ex, answer, intensity)
    sys.stdout.write(text_report(result, args.lang))
    if args.html:
        page = Path(args.html)
        try:
            page.write_text(_page(html_report(result, args.lang), ex, args.lang), encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{args.html}: cannot write it ({error.strerror})") from None
    return 0 if result.score == result.max_score else 1


def _page(body: str, ex, lang: str) -> str:
    return (
        f"<!DOCTYPE html>\n<html lang='{lang}'><head><meta charset='utf-8'>"
        f"<title>tcpedu: {ex.name(lang)}</title></head><body>\n{body}\n</body></html>\n"
    )


def run_exercises(args: argparse.Namespace) -> int:
    from .api import solution_source, stub_source, validate
    from .catalog import EXERCISES
    from .checker import CHECK, grading
    from .feedback import text_report

    if args.action == "list":
        for ex in EXERCISES:
            print(f"{ex.number}. {ex.key:<18} {ex.filename:<22} {ex.points:>3} points  {ex.name()}")
            for group in ex.groups:
                print(f"     {group.points:>2}  {group.name()} ({group.rfc})")
        return 0
    if args.action in ("release", "solutions"):
        folder = Path(args.folder)
        files = {
            folder / ex.filename: (stub_source if args.action == "release" else solution_source)(ex) for ex in EXERCISES
        }
        if args.action == "release":
            files.update(_notebooks(folder))
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for target, text in files.items():
                target.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{args.folder}: cannot write there ({error.strerror})") from None
        for target in files:
            print(target)
        return 0
    intensity = grading() if args.grading else CHECK
    try:
        validations = validate(intensity, args.names or None)
    except KeyError as error:
        raise CommandError(str(error.args[0])) from None
    ok = True
    for validation in validations:
        ex = validation.exercise
        verdict = "ok" if validation.ok else "WRONG"
        ok = ok and validation.ok
        print(
            f"{ex.number}. {ex.key:<18} solution {validation.solution.score:>2}/{ex.points:<2} "
            f"stub {validation.stub.score:>2}/{ex.points:<2}  {verdict}"
        )
        if not validation.ok:
            for result in (validation.solution, validation.stub):
                sys.stdout.write(text_report(result, scripts=False))
    return 0 if ok else 1
