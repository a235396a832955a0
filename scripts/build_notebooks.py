"""Build notebooks from lesson sources: one Markdown file per lesson, both languages side by side.

A source is a MyST Markdown notebook as Jupytext reads it (``lessons/README.md`` describes the
format): text cells marked ``+++ {"lang": "en"}`` or ``+++ {"lang": "ko"}`` go to that
language's notebook only, unmarked cells to both; code cells are shared, with ``LANG`` written
as the notebook's language and ``SCENE("name")`` as the text of ``name.tcp`` beside the source.
So a lesson and its Korean twin run the same code, and a question's notebook, its test and its
grader run the same scene.

Usage:
  python scripts/build_notebooks.py                 the whole course: lessons/*/lesson.md into notebooks/,
                                                    lessons/exercises/*/lesson.md into exercises/,
                                                    notebooks/README.md and the course table in README.md
  python scripts/build_notebooks.py --check         the same, writing nothing: exit 1 naming what is stale
  python scripts/build_notebooks.py SOURCE OUTPUT   one source: OUTPUT (English) and OUTPUT's .ko.ipynb twin
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import json
import re
import sys
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
NOTEBOOKS = ROOT / "notebooks"
README = ROOT / "README.md"
LANGUAGES = ("en", "ko")
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

INDEX_MARK = "<!-- lessons -->"
"""Where a source's text cell (or the README) gets the list of lessons."""
README_START, README_END = "<!-- course table: start -->", "<!-- course table: end -->"

_SCENE = re.compile(r"""SCENE\(\s*["']([A-Za-z0-9_.-]+)["']\s*\)""")
_STUB = re.compile(r"""^STUB\(\s*["']([a-z_]+)["']((?:\s*,\s*["'][A-Za-z_]+["'])*)\s*\)$""")
STUBS = ROOT / "tcpedu" / "grade" / "stubs"
EXERCISE_SOURCES = LESSONS / "exercises"
EXERCISES = ROOT / "exercises"
_LANG = re.compile(r"\bLANG\b")
_CELL_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class SourceError(Exception):
    """A source the builder cannot turn into notebooks; ``str()`` names the file (and cell)."""


@dataclasses.dataclass(frozen=True)
class Cell:
    kind: str
    """"markdown" or "code"."""
    text: str
    lang: str | None
    """The language whose notebook gets the cell, or None for every notebook."""
    name: str | None
    """The cell's id in the notebooks (the same in both), or None for a numbered one."""
    tags: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Source:
    path: Path
    cells: tuple[Cell, ...]
    title: dict[str, str]
    """The title per language (the front matter's ``tcpedu.title``)."""
    summary: dict[str, str]
    bilingual: bool
    """True for one notebook holding both languages (the start notebook)."""

    @property
    def stem(self) -> str:
        """The notebooks' name: the lesson's folder (``01_three_way_handshake``)."""
        return self.path.parent.name if self.path.name == "lesson.md" else self.path.stem


def read_source(path: Path) -> Source:
    """Read and check a source: every cell's language is known, every scene exists, no code
    cell uses a name an earlier cell defined."""
    path = Path(path)
    try:
        notebook = jupytext.read(path, fmt="md:myst")
    except Exception as error:  # jupytext raises many kinds; the file is what matters
        raise SourceError(f"{path}: not a MyST notebook: {error}") from error
    meta = notebook.metadata.get("tcpedu", {})
    bilingual = bool(meta.get("bilingual", False))
    title = _per_language(path, meta, "title")
    summary = _per_language(path, meta, "summary") if not bilingual else {}
    cells = []
    for number, cell in enumerate(notebook.cells, start=1):
        where = f"{path}: cell {number}"
        lang = cell.metadata.get("lang")
        if lang is not None and lang not in LANGUAGES:
            raise SourceError(f"{where}: lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
        if lang is not None and cell.cell_type == "code":
            raise SourceError(f"{where}: code cells are shared by both languages (write LANG where they differ)")
        name = cell.metadata.get("name")
        if name is not None and not _CELL_ID.match(str(name)):
            raise SourceError(f"{where}: a cell's name is lower-case letters, digits and '-', not {name!r}")
        text = cell.source.strip("\n")
        if cell.cell_type == "code":
            text = _with_scenes(path, number, text)
            text = _with_stub(where, text)
            _check_self_contained(where, text)
        cells.append(Cell(cell.cell_type, text, lang, name, tuple(cell.metadata.get("tags", ()))))
    source = Source(path, tuple(cells), title, summary, bilingual)
    for lang in (None,) if bilingual else LANGUAGES:
        names = [c.name for c in _cells_for(source, lang) if c.name]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise SourceError(f"{path}: the cell name {twice[0]!r} is used twice in the {lang or 'same'} notebook")
    return source


def _per_language(path: Path, meta: dict, key: str) -> dict[str, str]:
    value = meta.get(key)
    if not isinstance(value, dict) or set(value) != set(LANGUAGES) or not all(value.values()):
        raise SourceError(f"{path}: the front matter needs tcpedu.{key} in {' and '.join(LANGUAGES)}")
    return {lang: str(value[lang]).strip() for lang in LANGUAGES}


def scene_path(source: Path, name: str) -> Path:
    """Where ``SCENE("name")`` of ``source`` is read from: ``name.tcp`` beside the source."""
    return Path(source).parent / f"{name}.tcp"


def _with_scenes(path: Path, number: int, text: str) -> str:
    def scene(match: re.Match) -> str:
        file = scene_path(path, match.group(1))
        if not file.is_file():
            raise SourceError(f"{path}: cell {number}: SCENE({match.group(1)!r}): no file {file}")
        body = file.read_text(encoding="utf-8")
        if '"""' in body or "\\" in body:
            raise SourceError(f'{file}: a scene holds no """ and no backslash (it is written as a """ string)')
        return '"""\n' + body.rstrip("\n") + '\n"""'

    return _SCENE.sub(scene, text)


def _with_stub(where: str, text: str) -> str:
    """A code cell that is exactly ``STUB("module", "name", ...)`` becomes those definitions of
    the exercise stub ``tcpedu/grade/stubs/module.py``, with the imports and constants they use,
    so a learner writes them in the notebook and the stub file stays their one source."""
    match = _STUB.match(text.strip())
    if match is None:
        return text
    module, names = match.group(1), re.findall(r"[A-Za-z_]+", match.group(2))
    path = STUBS / f"{module}.py"
    if not path.is_file():
        raise SourceError(f"{where}: STUB({module!r}): no stub {path}")
    code = path.read_text(encoding="utf-8")
    lines = code.splitlines()
    tree = ast.parse(code)
    chosen = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name in names]
    missing = sorted(set(names) - {n.name for n in chosen})
    if missing:
        raise SourceError(f"{where}: STUB({module!r}) has no {', '.join(missing)}")
    used = {n.id for node in chosen for n in ast.walk(node) if isinstance(n, ast.Name)}
    head = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            kept = [a for a in node.names if (a.asname or a.name) in used]
            if kept:
                head.append(f"from {node.module} import " + ", ".join(sorted(a.name for a in kept)))
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in used for t in node.targets):
            head.append("\n".join(lines[node.lineno - 1 : node.end_lineno]))
    body = ["\n".join(lines[_first_line(node) - 1 : node.end_lineno]) for node in chosen]
    return "\n\n\n".join(["\n".join(head), *body] if head else body)  # as ruff formats a module


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def _check_self_contained(where: str, code: str) -> None:
    """A code cell runs on its own: every name it reads, it imports or sets itself (so a
    learner can run any cell first, and no cell depends on one above it)."""
    try:
        tree = ast.parse(_LANG.sub('"en"', code))
    except SyntaxError as error:
        raise SourceError(f"{where}: {error.msg} (line {error.lineno} of the cell)") from None
    defined = set(dir(builtins))
    used = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                used.append(node.id)
            else:
                defined.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
    missing = sorted({name for name in used if name not in defined})
    if missing:
        raise SourceError(f"{where}: uses {', '.join(missing)} without importing or setting it in the cell")


def _cells_for(source: Source, lang: str | None) -> list[Cell]:
    return [cell for cell in source.cells if lang is None or cell.lang in (None, lang)]


# ------------------------------------------------------------------------------------------------
# Notebooks


def notebook(source: Source, lang: str | None, lessons: list[Source] | None = None) -> dict:
    """The notebook (JSON-ready) of ``source`` in ``lang`` (None: the bilingual one).
    ``lessons`` fills a text cell's ``<!-- lessons -->`` mark with the course's list."""
    built = []
    for index, cell in enumerate(_cells_for(source, lang)):
        text = cell.text
        if cell.kind == "code":
            text = _LANG.sub(f'"{lang or "en"}"', text)
        elif INDEX_MARK in text:
            text = text.replace(INDEX_MARK, lesson_index(lessons if lessons is not None else course()))
        data: dict = {
            "cell_type": cell.kind,
            "id": cell.name or f"cell-{index:02d}",
            "metadata": {"tags": list(cell.tags)} if cell.tags else {},
            "source": text.splitlines(keepends=True),  # as nbformat (and ruff) write it
        }
        if cell.kind == "code":
            data.update(execution_count=None, outputs=[])
        built.append(data)
    metadata: dict = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    if lang is not None:
        metadata["tcpedu"] = {"lang": lang}
    return {"cells": built, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def notebook_json(data: dict) -> str:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def outputs_for(source: Source, output: Path) -> dict[Path, str | None]:
    """The notebooks ``source`` makes for ``output`` (``X.ipynb``): ``X.ipynb`` in English and
    ``X.ko.ipynb`` in Korean, or ``X.ipynb`` alone holding both languages."""
    output = Path(output)
    if output.suffix != ".ipynb" or output.name.endswith(".ko.ipynb"):
        raise SourceError(f"{output}: name the English notebook, X.ipynb (its twin is X.ko.ipynb)")
    if source.bilingual:
        return {output: None}
    return {output: "en", output.with_name(output.name.removesuffix(".ipynb") + ".ko.ipynb"): "ko"}


def build(source_path: Path, output: Path, lessons: list[Source] | None = None) -> list[Path]:
    """Write the notebooks of one source beside ``output``; the paths written."""
    source = read_source(source_path)
    written = []
    for path, lang in outputs_for(source, output).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(notebook_json(notebook(source, lang, lessons)), encoding="utf-8")
        written.append(path)
    return written


def differences(written: dict, found: dict) -> list[str]:
    """How ``found`` (a notebook's JSON) differs from ``written`` (what the builder writes) in what
    the builder writes: the cells' kind, id, source and metadata, and the notebook's metadata.
    Outputs, execution counts and what JupyterLab adds on save (``language_info``'s details,
    widget state, a cell's ``scrolled``) are the learner's, and do not count."""
    problems = _missing(written["metadata"], found.get("metadata", {}), "metadata")
    if found.get("nbformat") != written["nbformat"]:
        problems.append(f"nbformat is {found.get('nbformat')!r}, not {written['nbformat']}")
    cells = found.get("cells", [])
    if len(cells) != len(written["cells"]):
        problems.append(f"{len(cells)} cells, not {len(written['cells'])}")
    for index, (mine, theirs) in enumerate(zip(written["cells"], cells, strict=False)):
        source = theirs.get("source", "")
        seen = {
            "cell_type": theirs.get("cell_type"),
            "id": theirs.get("id"),
            "source": "".join(source) if isinstance(source, list) else source,
        }
        wanted = {"cell_type": mine["cell_type"], "id": mine["id"], "source": "".join(mine["source"])}
        problems += _missing(wanted, seen, f"cell {index}")
        problems += _missing(mine["metadata"], theirs.get("metadata", {}), f"cell {index} metadata")
    return problems


def _missing(written: object, found: object, where: str) -> list[str]:
    """Where ``found`` lacks or changes what ``written`` has (keys only ``found`` has are left alone)."""
    if isinstance(written, dict) and isinstance(found, dict):
        problems = []
        for key, value in written.items():
            if key in found:
                problems += _missing(value, found[key], f"{where}.{key}")
            else:
                problems.append(f"{where}.{key} is missing")
        return problems
    return [] if written == found else [f"{where} is {found!r}, not {written!r}"]


# ------------------------------------------------------------------------------------------------
# The course: the list of lessons is the folders of lessons/, in order


def course() -> list[Source]:
    """Every source in ``lessons/`` (``NN_name/lesson.md``), in order: the start notebook first."""
    return [read_source(path) for path in sorted(LESSONS.glob("[0-9][0-9]_*/lesson.md"))]


def lesson_index(lessons: list[Source]) -> str:
    """The start notebook's list of lessons, with links to both languages."""
    lines = []
    for lesson in lessons:
        if lesson.bilingual:
            continue
        number = int(lesson.stem[:2])
        lines.append(
            f"{number}. {lesson.title['en']} / {lesson.title['ko']}: "
            f"[English]({lesson.stem}.ipynb) · [한국어]({lesson.stem}.ko.ipynb)"
        )
    return "\n".join(lines)


def course_table(lessons: list[Source], folder: str = "notebooks/") -> str:
    """The README's table of the course (a row per notebook)."""
    rows = ["| notebook | what |", "| --- | --- |"]
    for lesson in lessons:
        if lesson.bilingual:
            rows.append(f"| `{folder}{lesson.stem}.ipynb` | {lesson.title['en']} (in English and Korean) |")
        else:
            number = int(lesson.stem[:2])
            rows.append(
                f"| `{folder}{lesson.stem}.ipynb`, `.ko.ipynb` | lesson {number}, {lesson.title['en']}: "
                f"{lesson.summary['en']} |"
            )
    return "\n".join(rows)


def notebooks_readme(lessons: list[Source]) -> str:
    return (
        "# notebooks/\n\n"
        "The course, written by `scripts/build_notebooks.py` from `../lessons/` (edit the lessons there,\n"
        "then run it; do not edit these notebooks by hand). Start with `00_start_here.ipynb`; every\n"
        "lesson comes in English and in Korean (`.ko.ipynb`). `scripts/course` starts JupyterLab here.\n\n"
        + course_table(lessons, folder="")
        + "\n"
    )


def readme_with_table(readme: str, lessons: list[Source]) -> str:
    """README.md with the course table between its two marks replaced."""
    start, end = readme.find(README_START), readme.find(README_END)
    if start < 0 or end < start:
        raise SourceError(f"{README}: the course table's marks {README_START} ... {README_END} are missing")
    return readme[: start + len(README_START)] + "\n" + course_table(lessons) + "\n" + readme[end:]


def exercises() -> list[Source]:
    """Every exercise's source (``lessons/exercises/NN_name/lesson.md``), in order."""
    return [read_source(path) for path in sorted(EXERCISE_SOURCES.glob("[0-9][0-9]_*/lesson.md"))]


def course_files(lessons: list[Source] | None = None) -> dict[Path, str]:
    """Every file the course build writes, with its text: the lessons' notebooks in notebooks/,
    the exercises' in exercises/ (beside the files learners edit), and the tables of lessons."""
    lessons = course() if lessons is None else lessons
    files = {}
    for lesson in lessons:
        for path, lang in outputs_for(lesson, NOTEBOOKS / f"{lesson.stem}.ipynb").items():
            files[path] = notebook_json(notebook(lesson, lang, lessons))
    for exercise in exercises():
        for path, lang in outputs_for(exercise, EXERCISES / f"{exercise.stem}.ipynb").items():
            files[path] = notebook_json(notebook(exercise, lang, lessons))
    files[NOTEBOOKS / "README.md"] = notebooks_readme(lessons)
    files[README] = readme_with_table(README.read_text(encoding="utf-8"), lessons)
    return files


def stale(files: dict[Path, str]) -> list[str]:
    """The course files that differ from what the builder writes (notebooks by ``differences``)."""
    problems = []
    for path, text in files.items():
        if not path.exists():
            problems.append(f"{path.relative_to(ROOT)}: missing")
        elif path.suffix == ".ipynb":
            found = json.loads(path.read_text(encoding="utf-8"))
            problems += [f"{path.relative_to(ROOT)}: {p}" for p in differences(json.loads(text), found)]
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{path.relative_to(ROOT)}: differs")
    built = {path for path in files if path.suffix == ".ipynb"}
    problems += [
        f"{path.relative_to(ROOT)}: no source in lessons/ writes it"
        for folder in (NOTEBOOKS, EXERCISES)
        for path in sorted(folder.glob("*.ipynb"))
        if path not in built
    ]
    return problems


def main(argv: list[str]) -> int:
    try:
        if argv == ["--check"]:
            problems = stale(course_files())
            for problem in problems:
                print(problem, file=sys.stderr)
            return 1 if problems else 0
        if len(argv) == 2:
            for path in build(Path(argv[0]), Path(argv[1])):
                print(path)
            return 0
        if argv:
            print(__doc__, file=sys.stderr)
            return 2
        for path, text in course_files().items():
            path.write_text(text, encoding="utf-8")
            print(path.relative_to(ROOT))
        return 0
    except SourceError as error:
        print(f"build_notebooks: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
