"""The course's notebooks: current with their source, twins in step, and every one running top
to bottom in a fresh kernel without an error."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
ALL = sorted(path.name for path in NOTEBOOKS.glob("*.ipynb"))
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def test_the_course_has_the_start_notebook_and_the_first_lesson_in_both_languages():
    assert {"00_start_here.ipynb", "01_three_way_handshake.ipynb", "01_three_way_handshake.ko.ipynb"} <= set(ALL)


def _tracked(name: str) -> str:
    """The notebook as git tracks it (its staged version), or the file where there is no git."""
    path = f"notebooks/{name}"
    try:
        done = subprocess.run(["git", "show", f":{path}"], cwd=ROOT, capture_output=True, text=True, check=False)
    except FileNotFoundError:  # no git on this machine
        return (ROOT / path).read_text(encoding="utf-8")
    if done.returncode != 0:  # not a git checkout (an unpacked sdist, say)
        return (ROOT / path).read_text(encoding="utf-8")
    return done.stdout


@pytest.mark.parametrize("name", ALL)
def test_each_tracked_notebook_is_valid_with_a_kernelspec_and_no_saved_outputs(name):
    # A learner's saved outputs may sit in the working copy; what git tracks must carry none.
    notebook = nbformat.reads(_tracked(name), as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata.kernelspec.name == "python3"
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")


def _code(name: str) -> list[str]:
    cells = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def _text(name: str) -> str:
    cells = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


TWINS = sorted(name.removesuffix(".ko.ipynb") for name in ALL if name.endswith(".ko.ipynb"))


@pytest.mark.parametrize("stem", TWINS)
def test_the_korean_twin_runs_the_same_code_in_korean(stem):
    english, korean = _code(f"{stem}.ipynb"), _code(f"{stem}.ko.ipynb")
    assert [re.sub(r'"en"(?!\s*:)', '"ko"', c) for c in english] == korean
    assert any('lang="ko"' in c for c in korean)
    assert len(HANGUL.findall(_text(f"{stem}.ko.ipynb"))) > 1000
    # The English lesson holds Korean only where it quotes the seed note (a quote or a table of it).
    quoting = [line for line in _text(f"{stem}.ipynb").splitlines() if HANGUL.search(line)]
    assert all(line.startswith((">", "|")) for line in quoting), quoting


@pytest.mark.parametrize(
    "point",
    ["STEP 1", "STEP 2", "STEP 3", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "ack = seq + 1", "ISN"],
)
def test_the_first_lesson_teaches_the_seed_notes_points(point):
    assert point in _text("01_three_way_handshake.ipynb")
    assert point in _text("01_three_way_handshake.ko.ipynb")


@pytest.mark.parametrize("point", ["modulo 2**32", "MUST-8", "SHLD-1", "MUST-9", "RFC 6528", "TIME-WAIT", "4-"])
def test_the_second_lesson_teaches_where_isns_come_from(point):
    assert point in _text("02_sequence_numbers.ipynb")
    assert point in _text("02_sequence_numbers.ko.ipynb")


def test_the_start_notebook_links_to_lessons_that_exist():
    links = re.findall(r"\]\(([^)]+\.ipynb)\)", _text("00_start_here.ipynb"))
    assert links and all((NOTEBOOKS / link).exists() for link in links)


@pytest.mark.parametrize("name", ALL)
def test_each_notebook_runs_top_to_bottom_in_a_fresh_kernel(name):
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on any error
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output.get("name") != "stderr", f"{name}: a cell wrote to stderr: {output.get('text')}"
    widget_outputs = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in output.get("data", {})
    ]
    assert widget_outputs, f"{name} shows no widget"
