"""The exercises' notebooks and files in exercises/ (what learners open): the release of
tcpedu's stubs, every notebook running top to bottom in a fresh kernel and checking the
learner's code in place: the untouched stub gets nothing, a solution written into the
notebook's cells full marks, and one written into the .py file beside it too.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tcpedu.grade.api import solution_source, stub_source
from tcpedu.grade.catalog import EXERCISES

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "exercises"


@pytest.mark.parametrize("ex", EXERCISES, ids=[ex.key for ex in EXERCISES])
def test_the_exercises_folder_holds_the_stub_and_both_notebooks(ex):
    assert (FOLDER / ex.filename).read_text(encoding="utf-8") == stub_source(ex), (
        "run tcpedu exercises release exercises"
    )
    for name in (f"{ex.notebook}.ipynb", f"{ex.notebook}.ko.ipynb"):
        notebook = nbformat.read(FOLDER / name, as_version=4)
        nbformat.validate(notebook)
        assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")


def test_no_solution_is_in_the_learners_folder():
    texts = [path.read_text(encoding="utf-8") for path in FOLDER.iterdir() if path.is_file()]
    for ex in EXERCISES:
        body = solution_source(ex).split('"""', 2)[-1]  # past the docstring
        assert all(body not in text for text in texts), ex.key


def _run(notebook, folder: Path) -> str:
    """Execute ``notebook`` in a fresh kernel in ``folder``; the text of its check's report."""
    NotebookClient(
        notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output.get("name") != "stderr", output.get("text")
    reports = [
        output["data"]["text/html"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "tcpedu-check" in output.get("data", {}).get("text/html", "")
    ]
    assert len(reports) == 1, "the notebook shows its check once"
    return re.sub(r"<[^>]+>", " ", reports[0])


@pytest.mark.parametrize("ex", EXERCISES, ids=[ex.key for ex in EXERCISES])
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_notebook_runs_and_checks_the_untouched_stub_as_nothing_yet(ex, lang, tmp_path):
    suffix = ".ko" if lang == "ko" else ""
    notebook = nbformat.read(FOLDER / f"{ex.notebook}{suffix}.ipynb", as_version=4)
    shutil.copy(FOLDER / ex.filename, tmp_path / ex.filename)
    report = _run(notebook, tmp_path)
    expected = f"0 of {ex.points} points" if lang == "en" else f"{ex.points}점 만점에 0점"
    assert expected in report
    assert "NotImplementedError" in report


def _stub_cells(notebook, ex) -> list[int]:
    """The code cells that hold the stub's definitions."""
    names = ex.names
    return [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and any(re.search(rf"^(def|class) {name}\b", cell.source, re.M) for name in names)
    ]


@pytest.mark.parametrize("ex", EXERCISES, ids=[ex.key for ex in EXERCISES])
def test_a_solution_written_in_the_notebooks_cells_gets_full_marks(ex, tmp_path):
    notebook = nbformat.read(FOLDER / f"{ex.notebook}.ipynb", as_version=4)
    cells = _stub_cells(notebook, ex)
    assert cells, "the notebook has cells to write the answer in"
    # The whole solution in the first of them; the others keep their stubs but come first, so
    # the solution's definitions are the ones that run last (the last definition wins).
    solution = nbformat.v4.new_code_cell(solution_source(ex))
    notebook.cells.insert(cells[-1] + 1, solution)
    shutil.copy(FOLDER / ex.filename, tmp_path / ex.filename)
    report = _run(notebook, tmp_path)
    assert f"{ex.points} of {ex.points} points" in report, report[:500]
    assert "this notebook" in report


def test_the_file_beside_the_notebook_is_checked_when_its_cells_are_untouched(tmp_path):
    ex = EXERCISES[0]
    notebook = nbformat.read(FOLDER / f"{ex.notebook}.ipynb", as_version=4)
    (tmp_path / ex.filename).write_text(solution_source(ex), encoding="utf-8")
    report = _run(notebook, tmp_path)
    assert f"{ex.points} of {ex.points} points" in report
    assert ex.filename in report


def test_the_english_and_korean_notebooks_run_the_same_code():
    for ex in EXERCISES:
        english, korean = (
            [
                c["source"]
                for c in json.loads((FOLDER / name).read_text(encoding="utf-8"))["cells"]
                if c["cell_type"] == "code"
            ]
            for name in (f"{ex.notebook}.ipynb", f"{ex.notebook}.ko.ipynb")
        )
        assert [re.sub(r'"en"', '"ko"', "".join(c)) for c in english] == ["".join(c) for c in korean]
