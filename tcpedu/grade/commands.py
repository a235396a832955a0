"""The command line's exercise commands: ``tcpedu check`` and ``tcpedu exercises``.

``tcpedu check FILE`` checks a learner's ``.py`` file or notebook as the notebook's
``check()`` does and prints the result; ``tcpedu exercises`` lists the exercises, writes the
learners' files (``release``) or the reference solutions (``solutions``) into a folder, and
validates the set (every solution full marks, every stub nothing); ``tcpedu grade`` grades a
class (``classroom.py``) or writes and runs Gradescope's autograder (``gradescope.py``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .intensity import GRADE_FACTOR, GRADE_SEED

__all__ = ["CommandError", "add_commands", "run_check", "run_exercises", "run_grade"]


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

    grade = commands.add_parser(
        "grade",
        help="grade a class's submissions into a gradebook, feedback pages and Gradescope results",
        description="Grade every student in SUBMISSIONS (a folder with one entry per student: a folder, a .py, "
        "a notebook or a .zip; or nbgrader's submitted/ layout) into OUT: grades.csv, results/STUDENT.json "
        "(Gradescope's format), feedback/STUDENT.html and summary.html. Run it again to grade only what is "
        "new or changed. Or write Gradescope's autograder zip (--gradescope-autograder).",
    )
    grade.add_argument("submissions", nargs="?", metavar="SUBMISSIONS", help="the folder of submissions")
    grade.add_argument("-o", "--output", metavar="OUT", help="where the gradebook goes (outside SUBMISSIONS)")
    grade.add_argument("--workers", type=int, metavar="N", help="grading processes (default: one per core)")
    grade.add_argument("--regrade", action="store_true", help="grade everyone again, even unchanged submissions")
    grade.add_argument("--seed", type=int, default=GRADE_SEED, help=f"the course's seed (default {GRADE_SEED})")
    grade.add_argument(
        "--examples",
        type=float,
        default=GRADE_FACTOR,
        metavar="FACTOR",
        help=f"FACTOR times the examples of a learner's check (default {GRADE_FACTOR:g})",
    )
    grade.add_argument(
        "--timeout", type=float, default=10.0, metavar="SECONDS", help="time for one group of checks (default 10)"
    )
    grade.add_argument("--lang", choices=languages, default="en", help="language of the feedback and summary")
    grade.add_argument(
        "--gradescope-autograder", metavar="ZIP", help="write Gradescope's autograder zip instead of grading"
    )
    grade.add_argument("--gradescope-run", metavar="ROOT", help=argparse.SUPPRESS)  # what run_autograder calls


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


def run_grade(args: argparse.Namespace) -> int:
    from .grading import Setup
    from .intensity import Intensity
    from .sandbox import Limits

    if args.examples <= 0:
        raise CommandError(f"--examples must be a positive factor, not {args.examples:g}")
    if args.timeout <= 0:
        raise CommandError(f"--timeout must be a positive number of seconds, not {args.timeout:g}")
    if args.workers is not None and args.workers < 1:
        raise CommandError(f"--workers must be 1 or more, not {args.workers}")
    setup = Setup(Intensity("grade", args.examples, args.seed), Limits(seconds=args.timeout), args.lang)
    if args.gradescope_autograder:
        return _write_autograder(Path(args.gradescope_autograder), setup)
    if args.gradescope_run:
        from .gradescope import run_autograder

        results = run_autograder(Path(args.gradescope_run), setup)
        print(f"{results['score']} points; results in {Path(args.gradescope_run) / 'results' / 'results.json'}")
        return 0
    if not args.submissions or not args.output:
        raise CommandError("say which submissions and where to write: tcpedu grade SUBMISSIONS -o OUT")
    return _grade_class(Path(args.submissions), Path(args.output), setup, args)


def _write_autograder(path: Path, setup) -> int:
    from .gradescope import autograder_zip

    if path.suffix.lower() != ".zip":
        raise CommandError(f"{path}: the autograder is a .zip file")
    if not path.parent.is_dir():
        raise CommandError(f"{path}: no folder {str(path.parent)!r} to write into")
    try:
        names = autograder_zip(path, setup)
    except FileNotFoundError as error:
        raise CommandError(str(error)) from None
    print(f"{path}: {len(names)} files (setup.sh, run_autograder, tcpedu); upload it as the autograder")
    return 0


def _grade_class(submissions: Path, out: Path, setup, args: argparse.Namespace) -> int:
    from .classroom import GradeError, grade_class
    from .summary import text_summary

    try:
        summary = grade_class(submissions, out, setup, args.workers, args.regrade, progress=sys.stderr)
    except GradeError as error:
        raise CommandError(str(error)) from None
    except KeyboardInterrupt:
        print(
            f"\ntcpedu: interrupted; what was graded is in {out} (grades.csv lists everyone). "
            "Run the same command again to grade the rest.",
            file=sys.stderr,
        )
        return 130
    sys.stdout.write(text_summary(summary, setup.lang))
    print(f"written: {out / 'grades.csv'}, {out / 'summary.html'}, {out / 'results'}/, {out / 'feedback'}/")
    return 0
