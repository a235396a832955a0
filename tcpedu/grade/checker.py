"""Checking one learner's answer to one exercise: the same properties for a learner's check and
an instructor's grading, the second with more examples and the course's seed.

For each group the checker draws its examples (hypothesis, from a fixed seed, so the same code
always gets the same result), asks a sandboxed child for the learner's answers to all of them
at once, and judges them here against the reference. When one is wrong, hypothesis searches
again from the same seed, now asking the child one example at a time, and shrinks the failure
to the smallest example that still fails: that is what the learner is shown.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import functools
import hashlib
import multiprocessing
import os
import pickle
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from .exercise import Exercise, Group, Mismatch, Text
from .imports import forbidden_uses
from .intensity import CHECK, Intensity, grading
from .sandbox import Isolation, Limits, Sandbox, SandboxError
from .source import Answer

__all__ = [
    "CHECK",
    "ExerciseResult",
    "Failure",
    "GroupResult",
    "Intensity",
    "check_answer",
    "code_fingerprint",
    "grading",
    "prepare",
]

DEFAULT_LIMITS = Limits()
DEFAULT_ISOLATION = Isolation()

SHRINK_EVALUATIONS = 100
"""How many examples shrinking a failure may ask the learner's code about; the smallest
failure found by then is shown (a count, not a time, so the result is the same everywhere)."""

SHRINK_SECONDS = 30.0
"""A last resort for code so slow that even SHRINK_EVALUATIONS take too long."""


@dataclasses.dataclass(frozen=True)
class Failure:
    """A failing example (the smallest found), and how to find it again."""

    example: object
    mismatch: Mismatch
    seed: int
    shrunk: bool
    """True when hypothesis shrank it from a larger failure."""


@dataclasses.dataclass(frozen=True)
class GroupResult:
    group: Group
    earned: int
    status: str
    """"passed", "failed" (a wrong answer), "error" (the code crashed, hung or exited),
    "forbidden" (it uses tcpedu's own answer) or "missing" (a name it needs is not defined)."""
    message: Text
    """One line saying why, when it did not pass (English and Korean)."""
    failures: tuple[Failure, ...] = ()
    tried: int = 0
    """Examples judged."""

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclasses.dataclass(frozen=True)
class ExerciseResult:
    exercise: Exercise
    origin: str
    """Where the answer came from."""
    groups: tuple[GroupResult, ...]
    intensity: Intensity
    problem: Text | None = None
    """Why nothing could be checked (a syntax error, an import of the reference...), or None."""
    output: str = ""
    """The start of what the learner's code printed while it was checked."""
    seconds: float = 0.0

    @property
    def score(self) -> int:
        return sum(result.earned for result in self.groups)

    @property
    def max_score(self) -> int:
        return self.exercise.points


def check_answer(
    exercise: Exercise,
    answer: Answer,
    intensity: Intensity = CHECK,
    limits: Limits = DEFAULT_LIMITS,
    isolation: Isolation = DEFAULT_ISOLATION,
) -> ExerciseResult:
    """Check ``answer`` against every group of ``exercise``.

    The learner's code runs in children forked by the fork server, which has never seen a
    reference answer, so the learner's code cannot read what it is judged against."""
    started = time.monotonic()

    def result(groups: list[GroupResult], problem: Text | None = None, output: str = "") -> ExerciseResult:
        return ExerciseResult(
            exercise, answer.origin, tuple(groups), intensity, problem, output, time.monotonic() - started
        )

    tree = answer.tree
    if tree is None:
        try:
            compile(answer.source, exercise.filename, "exec", dont_inherit=True)
        except SyntaxError as error:
            problem = f"SyntaxError: {error.msg} ({answer.origin}, {answer.where(error.lineno)})"
        except ValueError as error:  # a NUL byte in the source
            problem = (f"cannot compile: {error}", f"컴파일할 수 없음: {error}")
        else:  # pragma: no cover - ast.parse and compile agree
            problem = ("cannot parse the code", "코드를 해석할 수 없음")
        return result([_failed(group, "error", problem) for group in exercise.groups], problem)
    uses = forbidden_uses(tree, exercise.allowed)
    if uses:
        first = uses[0]
        where = f"{answer.origin}, {answer.where(first.line)}"
        problem = (
            f"it uses {first.name} ({where}), which is tcpedu's own answer: "
            f"exercise {exercise.number} allows only what tcpedu.kit offers it",
            f"코드에서 {first.name} 사용({where}): 이것은 tcpedu의 답 자체입니다. "
            f"연습 {exercise.number}에서는 tcpedu.kit이 허락한 것만 쓸 수 있습니다",
        )
        return result([_failed(group, "forbidden", problem) for group in exercise.groups], problem)
    defined = _defined(tree)

    def new_sandbox() -> Sandbox:
        return Sandbox(
            answer.source,
            exercise.filename,
            exercise.module,
            exercise.serve,
            limits,
            search_path=[answer.directory] if answer.directory is not None else [],
            inspect=exercise.inspect,
            isolation=isolation,
        )

    probe = new_sandbox()
    report = probe.start()
    if report.error is not None:
        output = probe.output()
        probe.close()
        where = f" ({answer.origin}, {answer.where(report.line)})" if report.line else ""
        problem = (f"loading the code failed: {report.error}{where}", f"코드를 불러오다 실패함: {report.error}{where}")
        return result([_failed(group, "error", problem) for group in exercise.groups], problem, output)
    if report.flags:
        probe.close()
        problem = (
            f"{report.flags[0]}: write it yourself (exercise {exercise.number})",
            f"{report.flags[0]}: 직접 작성하세요 (연습 {exercise.number})",
        )
        return result([_failed(group, "forbidden", problem) for group in exercise.groups], problem)
    groups = []
    outputs = []
    shrunk: list[tuple[Group, Failure]] = []  # failures shrunk so far, for groups of the same family
    sandbox: Sandbox | None = probe
    for group in exercise.groups:
        missing = [name for name in group.needs if name not in defined]
        if missing:
            names = ", ".join(missing)
            groups.append(_failed(group, "missing", (f"{names} is not defined", f"{names}: 정의되지 않음")))
            continue
        if sandbox is None:
            sandbox = new_sandbox()
            report = sandbox.start()
            if report.error is not None:  # pragma: no cover - it loaded a moment ago
                groups.append(_failed(group, "error", (f"loading the code failed: {report.error}", report.error)))
                sandbox.close()
                sandbox = None
                continue
        judged, first = _check_group(group, sandbox, answer, intensity)
        if not judged.passed or sandbox.pid is None or sandbox.output_full():
            # What failed may have left the child broken (dead, hung, forked, its output used
            # up): the next group gets a fresh one. Groups that pass share one.
            outputs.append(sandbox.output())
            sandbox.close()
            sandbox = None
        if first is not None:
            judged = _improved(judged, first, new_sandbox, answer, intensity, shrunk)
        groups.append(judged)
    if sandbox is not None:
        outputs.append(sandbox.output())
        sandbox.close()
    output = next((text for text in outputs if text), "")
    return result(groups, None, output)


def _defined(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for target in targets for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def _failed(group: Group, status: str, message: Text) -> GroupResult:
    return GroupResult(group, 0, status, message)


def _check_group(
    group: Group, sandbox: Sandbox, answer: Answer, intensity: Intensity
) -> tuple[GroupResult, int | None]:
    """Judge every example of ``group`` (phase 1): its result, and, for a failure still to be
    shrunk, the index of the first failing example (None when nothing is left to do)."""
    examples, expected = _examples(group, intensity)
    try:
        answers = sandbox.ask(group.key, [group.payload(example) for example in examples], on_error=_locator(answer))
        stopped = None
    except SandboxError as error:
        answers = error.answers
        stopped = error.reason
    mismatches = []
    for index, value in enumerate(answers):
        mismatch = group.judge(examples[index], expected[index], value)
        if mismatch is not None:
            mismatches.append((index, mismatch))
    if stopped is not None and not mismatches:
        index = len(answers)
        example = examples[index] if index < len(examples) else None
        failure = Failure(example, _stuck(group, example, stopped), intensity.seed, False)
        return GroupResult(group, 0, "error", stopped, (failure,), len(answers)), None
    if not mismatches:
        return GroupResult(group, group.points, "passed", "", (), len(answers)), None
    if group.exhaustive:
        failures = tuple(Failure(examples[i], m, intensity.seed, False) for i, m in mismatches)
        return GroupResult(group, 0, "failed", mismatches[0][1].what, failures, len(answers)), None
    smallest = min(mismatches, key=lambda pair: (group.size(examples[pair[0]]), pair[0]))
    failure = Failure(examples[smallest[0]], smallest[1], intensity.seed, False)
    result = GroupResult(group, 0, "failed", failure.mismatch.what, (failure,), len(answers))
    if _unwritten(answers):  # "not written yet" everywhere: nothing to shrink, but a run still wants its pictures
        return result, (-1 if group.detail_payload(failure.example) is not None else None)
    return result, mismatches[0][0]


def _improved(
    result: GroupResult,
    first: int,
    new_sandbox: Callable[[], Sandbox],
    answer: Answer,
    intensity: Intensity,
    shrunk: list[tuple[Group, Failure]],
) -> GroupResult:
    """The failure of ``result`` shrunk (unless ``first`` is -1: nothing to shrink) and with
    what its pictures need."""
    group = result.group
    (failure,) = result.failures
    if first >= 0:
        smaller = _known(group, new_sandbox, answer, intensity, shrunk)
        if smaller is None:
            smaller = _shrink(group, new_sandbox, answer, intensity, first)
            if smaller is not None:
                shrunk.append((group, smaller))
        if smaller is not None and group.size(smaller.example) <= group.size(failure.example):
            failure = smaller
    failure = _with_detail(group, new_sandbox, answer, failure)
    return dataclasses.replace(result, message=failure.mismatch.what, failures=(failure,))


def _known(
    group: Group,
    new_sandbox: Callable[[], Sandbox],
    answer: Answer,
    intensity: Intensity,
    shrunk: list[tuple[Group, Failure]],
) -> Failure | None:
    """A failure already shrunk for a group of the same family that fails this group too: one
    mistake (in the handshake, say) fails every group of runs, and is shrunk once."""
    if group.family is None:
        return None
    candidates = [failure for other, failure in shrunk if other.family == group.family]
    if not candidates:
        return None
    with new_sandbox() as sandbox:
        if sandbox.start().error is not None:
            return None
        for failure in candidates:
            try:
                (value,) = sandbox.ask(group.key, [group.payload(failure.example)], on_error=_locator(answer))
            except SandboxError:
                return None
            mismatch = group.judge(failure.example, group.expect(failure.example), value)
            if mismatch is not None:
                return Failure(failure.example, mismatch, intensity.seed, True)
    return None


def _with_detail(group: Group, new_sandbox: Callable[[], Sandbox], answer: Answer, failure: Failure) -> Failure:
    """The failure judged once more with what its pictures need, if the group asks for more
    (the learner's whole run); as it was if the child cannot say."""
    payload = group.detail_payload(failure.example)
    if payload is None:
        return failure
    with new_sandbox() as sandbox:
        if sandbox.start().error is not None:
            return failure
        try:
            (value,) = sandbox.ask(group.key, [payload], on_error=_locator(answer))
        except SandboxError:
            return failure
    mismatch = group.judge(failure.example, group.expect(failure.example), value)
    return dataclasses.replace(failure, mismatch=mismatch) if mismatch is not None else failure


def _unwritten(answers: list[object]) -> bool:
    """Whether every answer is or holds an error, and every error a NotImplementedError: a
    stub not written yet, which has nothing to shrink."""
    found = [list(_errors(value)) for value in answers if value != []]  # [] asked nothing (no case in a run)
    return bool(found) and all(found) and all(text.startswith("NotImplementedError") for f in found for text in f)


def _errors(value: object):
    """The error texts anywhere in an answer."""
    if isinstance(value, dict):
        if isinstance(value.get("error"), str):
            yield value["error"]
        for item in value.values():
            yield from _errors(item)
    elif isinstance(value, list):
        for item in value:
            yield from _errors(item)


def _stuck(group: Group, example: object, reason: Text) -> Mismatch:
    return Mismatch(
        what=(f"the code stopped on an example of {group.name('en')}", f"{group.name('ko')}의 예에서 코드가 멈춤"),
        expected=("an answer", "답"),
        got=reason,
        rule=(
            "the checker gives each group a time and memory limit; code that never answers loses that group",
            "확인 프로그램은 그룹마다 시간과 메모리 한도를 둡니다. 답하지 않는 코드는 그 그룹의 점수를 잃습니다",
        ),
        detail=None,
    )


def _locator(answer: Answer) -> Callable[[object], object]:
    return functools.partial(_located, answer=answer)


def _located(value: object, answer: Answer) -> object:
    """An answer with every error in it (``{"error": text, "line": n}``, at any depth) naming
    the learner's line as the learner finds it."""
    if isinstance(value, list):
        return [_located(item, answer) for item in value]
    if not isinstance(value, dict):
        return value
    value = {key: _located(item, answer) for key, item in value.items()}
    if isinstance(value.get("error"), str):
        where = answer.where(value.get("line") if type(value.get("line")) is int else None)
        if where:
            return {**value, "error": f"{value['error']} ({answer.origin}, {where})"}
    return value


_drawn_cache: list[Path] = []
"""Where drawn examples are kept between runs, once ``prepare`` is given a folder."""


def prepare(exercises: Iterable[Exercise], intensity: Intensity, cache: Path | None = None, workers: int = 1) -> None:
    """Draw every group's examples and the reference's answers now: grading a class does this
    once, before its workers start, so that each inherits them. With ``cache``, drawn examples
    are kept in that folder between runs (hypothesis takes milliseconds per example), under a
    name made of tcpedu's code, hypothesis's version, the group, the seed and the count, so
    they are exactly what drawing again would give; with ``workers`` too, the groups not kept
    yet are drawn by that many processes at once, into the folder, and read back from it."""
    if cache is not None:
        _drawn_cache[:] = [Path(cache)]
    groups = [group for exercise in exercises for group in exercise.groups]
    if _drawn_cache and workers > 1:
        undrawn = [
            group
            for group in groups
            if not group.exhaustive and not _kept_path(group, intensity.count(group), intensity.seed).exists()
        ]
        if len(undrawn) > 1:
            _drawing[:] = [(group, intensity) for group in undrawn]
            context = multiprocessing.get_context("fork")  # the children inherit the groups
            with context.Pool(min(workers, len(undrawn))) as pool:
                pool.map(_draw_one, range(len(undrawn)))
            _drawing.clear()
    for group in groups:
        _examples(group, intensity)


_drawing: list[tuple[Group, Intensity]] = []


def _draw_one(index: int) -> None:
    """In a drawing process: draw group ``index`` of ``_drawing`` into the cache folder."""
    group, intensity = _drawing[index]
    _draw(group, intensity.count(group), intensity.seed)


def _kept_path(group: Group, count: int, seed: int) -> Path:
    """Where the cache folder keeps ``count`` examples of ``group`` drawn from ``seed``."""
    import hypothesis

    name = f"{code_fingerprint()} {hypothesis.__version__} {group.key} {seed} {count}"
    return _drawn_cache[0] / f"{hashlib.sha256(name.encode()).hexdigest()[:24]}.pickle"


def code_fingerprint() -> str:
    """A hash of tcpedu's own code (its ``.py`` files): what was drawn or graded with other
    code is drawn or graded again."""
    if not _FINGERPRINT:
        package = Path(__file__).resolve().parents[1]
        hasher = hashlib.sha256()
        for path in sorted(package.rglob("*.py")):
            hasher.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
        _FINGERPRINT.append(hasher.hexdigest()[:16])
    return _FINGERPRINT[0]


_FINGERPRINT: list[str] = []


@functools.cache
def _examples(group: Group, intensity: Intensity) -> tuple[list[object], list[object]]:
    """The examples a group tries at ``intensity`` and the reference's answers: drawn once per
    process (the same for every learner), so grading a class pays for them once."""
    if group.exhaustive:
        examples = list(group.fixed_examples())
    else:
        examples = _draw(group, intensity.count(group), intensity.seed)
    return examples, [group.expect(example) for example in examples]


def _hypothesis_settings(count: int):
    from hypothesis import HealthCheck, Phase, Verbosity, settings

    return settings(
        max_examples=count,
        database=None,
        deadline=None,
        derandomize=False,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
    )


@contextlib.contextmanager
def _only_hypothesis_own_constants():
    """Hypothesis (6.131 on) also draws, now and then, literal constants it finds in the source of
    every *local* module loaded (not under site-packages): with tcpedu installed editable, which of
    tcpedu's modules happen to be imported, and in a notebook the learner's own, changed the
    examples drawn from one seed (so ``check()`` and ``tcpedu grade`` drew different examples, and
    it is cut off after 100 ms of parsing, so a slow machine drew differently too). While the
    checker draws, the pool of local constants is empty: a seed draws the same examples wherever
    it is drawn. (Internal to hypothesis; where it is not there, nothing needs doing.)"""
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants
    except ImportError:  # pragma: no cover - a hypothesis without local constants
        yield
        return
    found = getattr(providers, "_get_local_constants", None)
    cache = getattr(getattr(providers, "CONSTANTS_CACHE", None), "cache", None)
    if found is None or cache is None:  # pragma: no cover - the same
        yield
        return
    empty = Constants()
    cache.clear()  # pools computed with the local constants
    providers._get_local_constants = lambda *_: empty
    try:
        yield
    finally:
        providers._get_local_constants = found
        cache.clear()


def _draw(group: Group, count: int, seed: int) -> list[object]:
    """The first ``count`` examples hypothesis generates for ``group`` from ``seed``: the same
    ones it tries first when it searches for a failure from that seed."""
    kept = None
    if _drawn_cache:
        kept = _kept_path(group, count, seed)
        with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError):
            return pickle.loads(kept.read_bytes())
    drawn = _draw_now(group, count, seed)
    if kept is not None:
        with contextlib.suppress(OSError):
            temporary = kept.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_bytes(pickle.dumps(drawn))
            os.replace(temporary, kept)
    return drawn


def _draw_now(group: Group, count: int, seed: int) -> list[object]:
    from hypothesis import given
    from hypothesis import seed as hypothesis_seed

    drawn: list[object] = []

    @hypothesis_seed(seed)
    @_hypothesis_settings(count)
    @given(group.strategy())
    def collect(example):
        drawn.append(example)

    with _only_hypothesis_own_constants():
        collect()
    return drawn


class _Fails(Exception):
    pass


@dataclasses.dataclass(frozen=True)
class _Search:
    """A shrinking search as it went: each example it asked about and whether it failed, and
    which of them was the smallest failure. Code that fails exactly the same of these examples
    takes hypothesis down the very same path to the very same example, so a class's second
    student with a mistake the first had gets the same shrunk example from one batch of
    questions instead of a search."""

    asked: tuple[tuple[object, bool], ...]
    best: int | None
    """Where in ``asked`` the smallest failure is, or None if the search found none."""


_searches: dict[tuple[str, Intensity, int], list[_Search]] = {}
_SEARCHES_KEPT = 8
"""Searches kept per group, intensity and first failing example (the most recent)."""


def _shrink(
    group: Group, new_sandbox: Callable[[], Sandbox], answer: Answer, intensity: Intensity, first: int
) -> Failure | None:
    """The smallest failing example hypothesis finds from the seed, asking a child one example
    at a time. Hypothesis draws the same examples as before up to the first that failed
    (``first``): those are not asked again. At most SHRINK_EVALUATIONS are, so the example
    shown is the same on every run and every machine; None if it finds nothing. A search
    this process made before is replayed instead when this code fails the same examples."""
    from hypothesis import given
    from hypothesis import seed as hypothesis_seed

    key = (group.key, intensity, first)
    replayed = _replay(group, new_sandbox, answer, intensity, _searches.get(key, []))
    if replayed is not _NO_REPLAY:
        return replayed
    examples, _ = _examples(group, intensity)
    best: Failure | None = None
    best_index: int | None = None
    trace: list[tuple[object, bool]] = []
    repeatable = True  # no child died and no time ran out: another learner's code may replay it
    drawn = 0
    started = time.monotonic()
    children: list[Sandbox] = []

    def child() -> Sandbox | None:
        if children and children[-1].pid is not None:
            return children[-1]
        if len(children) >= 3:  # it keeps dying: stop asking
            return None
        sandbox = new_sandbox()
        children.append(sandbox)
        return sandbox if sandbox.start().error is None else None

    @hypothesis_seed(intensity.seed)
    @_hypothesis_settings(intensity.count(group))
    @given(group.strategy())
    def search(example):
        nonlocal best, best_index, drawn, repeatable
        drawn += 1
        if drawn <= first and example == examples[drawn - 1]:
            return  # it passed before
        if len(trace) >= SHRINK_EVALUATIONS:
            return
        if time.monotonic() - started > SHRINK_SECONDS:
            repeatable = False
            return
        sandbox = child()
        if sandbox is None:
            repeatable = False
            return
        try:
            (value,) = sandbox.ask(group.key, [group.payload(example)], on_error=_locator(answer))
        except SandboxError:
            repeatable = False
            return
        mismatch = group.judge(example, group.expect(example), value)
        trace.append((example, mismatch is not None))
        if mismatch is not None:
            if best is None or group.size(example) <= group.size(best.example):
                best, best_index = Failure(example, mismatch, intensity.seed, True), len(trace) - 1
            raise _Fails

    try:
        with _only_hypothesis_own_constants():
            search()
    except Exception:  # _Fails, or hypothesis giving up on a flaky learner: keep the best
        pass
    finally:
        for sandbox in children:
            sandbox.close()
    if repeatable:
        kept = _searches.setdefault(key, [])
        kept.insert(0, _Search(tuple(trace), best_index))
        del kept[_SEARCHES_KEPT:]
    return best


_NO_REPLAY = object()


def _replay(
    group: Group, new_sandbox: Callable[[], Sandbox], answer: Answer, intensity: Intensity, searches: list[_Search]
) -> object:
    """What a search kept in ``searches`` found (a Failure, or None for nothing), if this code
    fails exactly the examples it failed, asked in the same order in one fresh child as the
    search asked them; ``_NO_REPLAY`` if none matches."""
    for kept in searches:
        examples = [example for example, _ in kept.asked]
        with new_sandbox() as sandbox:
            if sandbox.start().error is not None:
                return _NO_REPLAY
            try:
                values = sandbox.ask(group.key, [group.payload(e) for e in examples], on_error=_locator(answer))
            except SandboxError:
                return _NO_REPLAY
        mismatches = [group.judge(e, group.expect(e), value) for e, value in zip(examples, values, strict=True)]
        if [m is not None for m in mismatches] != [failed for _, failed in kept.asked]:
            continue
        if kept.best is None:
            return None
        return Failure(examples[kept.best], mismatches[kept.best], intensity.seed, True)
    return _NO_REPLAY
