"""Where a learner's answer comes from: a ``.py`` file, a notebook, or the cells a kernel ran.

A ``.py`` file is the answer as it is. From a notebook (or the cells run in a kernel, in the
order they ran) the checker takes what an exercise needs and nothing that would do anything
when loaded: every import, every function and class, and every assignment whose value calls
nothing (``MASK = 2**32 - 1``). The last definition of a name wins, as when the cells are run
top to bottom; a cell that does not parse is left out, as the kernel would have left it; IPython's
``%magic`` and ``!shell`` lines are ignored. So deleting, reordering or duplicating cells, or a
broken cell elsewhere, does not break checking, and a cell that calls ``check()`` or opens a
widget is never run by the checker.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import json
from collections.abc import Sequence
from pathlib import Path

__all__ = ["Answer", "AnswerError", "answer_from_cells", "answer_from_file", "defined_names"]


class AnswerError(Exception):
    """A file that cannot be an answer (missing, unreadable, not a notebook)."""


@dataclasses.dataclass(frozen=True)
class Answer:
    """The learner's code for one exercise, as one module's source."""

    source: str
    origin: str
    """What it came from, as a learner would name it: ``sequence_numbers.py``, ``this
    notebook``, ``01_sequence_numbers.ipynb``."""
    lines: tuple[tuple[int, int] | None, ...] = ()
    """For code gathered from cells: line i of ``source`` (from 1) came from (cell, line);
    empty for a file taken whole."""
    directory: Path | None = None
    """The folder the answer lives in (its other modules can be imported from there)."""

    def where(self, line: int | None) -> str:
        """Line ``line`` of the source, as the learner finds it: ``line 12`` or ``cell 5, line 3``."""
        if line is None:
            return ""
        if not self.lines:
            return f"line {line}"
        if 1 <= line <= len(self.lines) and self.lines[line - 1] is not None:
            cell, cell_line = self.lines[line - 1]
            return f"cell {cell}, line {cell_line}"
        return f"line {line}"

    @functools.cached_property
    def tree(self) -> ast.Module | None:
        """The source parsed (once), or None if it does not parse."""
        try:
            return ast.parse(self.source)
        except (SyntaxError, ValueError):  # ValueError: a NUL byte
            return None


def defined_names(source: str) -> set[str]:
    """The top-level names a module's source defines (functions, classes, assignments)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {name for node in tree.body for name in _names_of(node)}


def answer_from_file(path: Path) -> Answer:
    """The answer in a ``.py`` file (taken whole) or an ``.ipynb`` notebook (its cells)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise AnswerError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise AnswerError(f"{path}: is a folder, not a .py file or a notebook") from None
    except OSError as error:
        raise AnswerError(f"{path}: cannot read it ({error.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AnswerError(f"{path}: not a text file (answers are UTF-8 .py files or notebooks)") from None
    if path.suffix == ".ipynb":
        return answer_from_cells(_notebook_cells(text, path), path.name, path.parent)
    return Answer(text, path.name, (), path.parent)


def _notebook_cells(text: str, path: Path) -> list[str]:
    try:
        notebook = json.loads(text)
        cells = notebook["cells"]
        sources = []
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            sources.append("".join(source) if isinstance(source, list) else str(source))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise AnswerError(f"{path}: not a Jupyter notebook (cannot read its cells)") from None
    return sources


def answer_from_cells(cells: Sequence[str], origin: str, directory: Path | None = None) -> Answer:
    """The answer in code cells run in this order (a notebook top to bottom, or a kernel's
    history): imports, definitions and plain assignments, the last definition of a name
    winning."""
    imports: dict[str, tuple[int, int, str]] = {}  # text -> (order, cell, line)
    definitions: dict[str, tuple[int, int, int, str]] = {}  # name -> (order, cell, line, text)
    order = 0
    for cell_number, cell in enumerate(cells, start=1):
        code = _without_magics(cell)
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        code_lines = code.splitlines()
        for node in tree.body:
            start = _first_line(node)
            segment = "\n".join(code_lines[start - 1 : node.end_lineno])
            order += 1
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imports.setdefault(segment, (order, cell_number, start, segment))
            elif _kept(node):
                for name in _names_of(node):
                    definitions[name] = (order, cell_number, start, segment)
    kept: list[tuple[int, int, int, str]] = []
    seen = set()
    for entry in sorted(definitions.values()):
        if entry[0] not in seen:  # one statement defining several names comes once
            seen.add(entry[0])
            kept.append(entry)
    # Only the imports the kept code uses: a notebook's `from tcpedu.grade import check` is not
    # part of the answer.
    used = _names_used("\n".join(entry[3] for entry in kept))
    chosen = [entry for entry in sorted(imports.values()) if _binds(entry[3]) & used] + kept
    source_lines: list[str] = []
    line_map: list[tuple[int, int] | None] = []
    for _, cell_number, start, segment in chosen:
        for offset, line in enumerate(segment.splitlines()):
            source_lines.append(line)
            line_map.append((cell_number, start + offset))
        source_lines.append("")
        line_map.append(None)
    return Answer("\n".join(source_lines) + "\n", origin, tuple(line_map), directory)


def _names_used(code: str) -> set[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError:  # pragma: no cover - made of statements that parsed
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def _binds(statement: str) -> set[str]:
    """The names an import statement binds."""
    node = ast.parse(statement).body[0]
    return {(alias.asname or alias.name).split(".")[0] for alias in node.names}


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", None)
    return min([node.lineno, *(d.lineno for d in decorators)]) if decorators else node.lineno


def _without_magics(cell: str) -> str:
    """IPython's ``%line magics``, ``%%cell magics`` and ``!shell`` lines, blanked (their line
    numbers kept). A cell starting with a cell magic is not Python at all."""
    lines = cell.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return ""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in lines)


def _names_of(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [name for target in node.targets for name in _target_names(target)]
    if isinstance(node, ast.AnnAssign):
        return _target_names(node.target)
    return []


def _target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _target_names(element)]
    return []


def _kept(node: ast.stmt) -> bool:
    """Definitions, and assignments to plain names whose value calls nothing."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        value = node.value
        if value is None or not _names_of(node):
            return False
        return not any(isinstance(part, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom)) for part in ast.walk(value))
    return False
