"""The checks a learner and an instructor run: ``check`` (one exercise, in a notebook or on the
command line), the exercises' material (stubs, reference solutions), and ``validate`` (every
solution full marks, every stub nothing).
"""

from __future__ import annotations

import ast
import dataclasses
import functools
from importlib import resources
from pathlib import Path

from .catalog import EXERCISES, exercise
from .checker import CHECK, ExerciseResult, Intensity, check_answer
from .exercise import Exercise
from .feedback import Report
from .sandbox import Limits
from .source import Answer, answer_from_cells, answer_from_file

__all__ = [
    "check",
    "endpoint_class",
    "find_answer",
    "solution_source",
    "stub_source",
    "validate",
    "your_code",
]


def stub_source(ex: Exercise) -> str:
    """The file a learner starts from."""
    return resources.files("tcpedu.grade.stubs").joinpath(ex.filename).read_text(encoding="utf-8")


def solution_source(ex: Exercise) -> str:
    """The reference solution (an instructor's; never in the learners' folders)."""
    return resources.files("tcpedu.grade.solutions").joinpath(ex.filename).read_text(encoding="utf-8")


def _definitions(tree: ast.Module | None, names: tuple[str, ...]) -> dict[str, str]:
    """The last definition of each of ``names`` in ``tree``, as a comparable dump (a source
    that does not parse, None here, counts as one changed definition: someone was writing it)."""
    if tree is None:
        return {"": "it does not parse"}
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in names:
            found[node.name] = ast.dump(node)
    return found


@functools.cache
def _stub_definitions(ex: Exercise) -> dict[str, str]:
    return _definitions(ast.parse(stub_source(ex)), ex.names)


def written(answer: Answer, ex: Exercise) -> bool:
    """Whether ``answer`` defines one of the exercise's names otherwise than the stub does."""
    return _differs(_definitions(answer.tree, ex.names), ex)


def untouched(answer: Answer, ex: Exercise) -> bool:
    """Whether ``answer`` is the stub as handed out: it defines the exercise's names, each as
    the stub does (code that defines none of them, or does not parse, was written by someone)."""
    mine = _definitions(answer.tree, ex.names)
    return not _differs(mine, ex) and bool(set(mine) - {""})


def _differs(mine: dict[str, str], ex: Exercise) -> bool:
    stub = _stub_definitions(ex)
    return any(name in mine and mine[name] != stub.get(name) for name in ex.names)


def find_answer(ex: Exercise, path: str | Path | None = None, directory: Path | None = None) -> Answer:
    """The learner's code for ``ex``: the file at ``path``; or, in a notebook, the definitions
    run in it (the last run wins) unless they are the untouched stub and the exercise's
    ``.py`` file beside the notebook is not."""
    if path is not None:
        return answer_from_file(Path(path))
    folder = Path.cwd() if directory is None else directory
    candidates = []
    cells = _kernel_cells()
    if cells:
        candidates.append(answer_from_cells(cells, "this notebook", folder))
    file = folder / ex.filename
    if file.is_file():
        candidates.append(answer_from_file(file))
    if not candidates:
        raise FileNotFoundError(f"no {ex.filename} here ({folder}) and no notebook cells to check")
    for candidate in candidates:
        if written(candidate, ex):
            return candidate
    defines = [c for c in candidates if set(_definitions(c.tree, ex.names)) - {""}]
    return (defines or candidates)[0]


def _kernel_cells() -> list[str]:
    """The cells run in this IPython kernel, in the order they ran (none outside one)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return []
    shell = get_ipython()
    if shell is None:
        return []
    return [cell for cell in shell.history_manager.input_hist_raw if cell]


def check(
    name: str | int,
    path: str | Path | None = None,
    lang: str = "en",
    intensity: Intensity = CHECK,
    limits: Limits | None = None,
) -> Report:
    """Check your code for exercise ``name`` and show which parts of it follow RFC 9293.

    In the exercise's notebook: ``check("sequence-numbers")``. Outside: give ``path``, a
    ``.py`` file or a notebook. The same code always gets the same result."""
    ex = exercise(name)
    answer = find_answer(ex, path)
    result = check_answer(ex, answer, intensity, limits or Limits())
    return Report(result, lang)


@dataclasses.dataclass(frozen=True)
class Validation:
    exercise: Exercise
    solution: ExerciseResult
    stub: ExerciseResult

    @property
    def ok(self) -> bool:
        return self.solution.score == self.solution.max_score and self.stub.score == 0


def validate(intensity: Intensity = CHECK, names: list[str] | None = None) -> list[Validation]:
    """Every reference solution must score full marks and every stub nothing (nbgrader's
    ``validate`` and ``--invert``), checked as learners' code is."""
    chosen = [exercise(name) for name in names] if names else list(EXERCISES)
    return [
        Validation(
            ex,
            check_answer(ex, Answer(solution_source(ex), f"solution {ex.filename}"), intensity),
            check_answer(ex, Answer(stub_source(ex), f"stub {ex.filename}"), intensity),
        )
        for ex in chosen
    ]


def endpoint_class(spec: str) -> type:
    """The endpoint class in a learner's file, ``endpoint.py`` (its ``Endpoint``) or
    ``endpoint.py:MyEndpoint``, loaded here (it is the learner's own code, run for the
    learner, as ``tcpedu run --client endpoint.py`` does). ``ValueError`` saying what is
    wrong, never a traceback of the learner's code."""
    import importlib.util
    import sys

    path_text, _, name = spec.partition(":")
    path = Path(path_text)
    name = name or "Endpoint"
    if not path.is_file():
        raise ValueError(f"{path_text}: no such file")
    module_name = f"tcpedu_learner_{path.stem}"
    loader = importlib.util.spec_from_file_location(module_name, path)
    if loader is None or loader.loader is None:
        raise ValueError(f"{path_text}: not a Python file")
    module = importlib.util.module_from_spec(loader)
    sys.path.insert(0, str(path.parent.resolve()))
    try:
        loader.loader.exec_module(module)
    except Exception as error:
        from .sandbox import describe_exception

        text, line = describe_exception(error, str(path))
        where = f", line {line}" if line else ""
        raise ValueError(f"{path_text}{where}: {text}") from None
    finally:
        sys.path.pop(0)
    found = getattr(module, name, None)
    if not isinstance(found, type):
        raise ValueError(f"{path_text}: no class {name} in it")
    return found


def your_code(name: str | int, path: str | Path | None = None):
    """Your code for exercise ``name``, as ``check`` finds it, loaded here to try out:
    ``your_code("endpoint").Endpoint`` is your endpoint, for ``Simulation`` or the widget. (It
    runs in this process, so it is for your own code only; checking never does this.)"""
    return _loaded(exercise(name), path)[0]


def _loaded(ex: Exercise, path: str | Path | None = None):
    import types

    answer = find_answer(ex, path)
    module = types.ModuleType(ex.module)
    module.__file__ = answer.origin
    exec(compile(answer.source, answer.origin, "exec"), module.__dict__)  # your own code, for you
    return module, answer
