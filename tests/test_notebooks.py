"""The course's notebooks: current with their source, twins in step, and every one running top
to bottom in a fresh kernel without an error."""

from __future__ import annotations

import importlib.util
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


def _builder():
    spec = importlib.util.spec_from_file_location("build_notebooks", ROOT / "scripts" / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_course_has_the_start_notebook_and_the_first_lesson_in_both_languages():
    assert {"00_start_here.ipynb", "01_three_way_handshake.ipynb", "01_three_way_handshake.ko.ipynb"} <= set(ALL)


def _written() -> dict[str, dict]:
    """What scripts/build_notebooks.py writes, by file name."""
    builder = _builder()
    return {file_name: json.loads(builder.notebook_text(cells, lang)) for file_name, cells, lang in builder.NOTEBOOKS}


@pytest.mark.parametrize("name", ALL)
def test_each_notebook_is_what_its_source_writes(name):
    written = _written()
    assert name in written, f"{name} has no source in scripts/build_notebooks.py"
    found = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    assert _builder().differences(written[name], found) == [], "run python scripts/build_notebooks.py"


def _as_jupyterlab_saves_it(notebook: dict) -> dict:
    """The notebook as JupyterLab writes it on Ctrl+S after a learner ran every cell."""
    saved = json.loads(json.dumps(notebook))
    for count, cell in enumerate((c for c in saved["cells"] if c["cell_type"] == "code"), start=1):
        cell["execution_count"] = count
        cell["outputs"] = [{"output_type": "execute_result", "execution_count": count, "metadata": {},
                            "data": {"text/plain": ["Explorer(...)"]}}]  # fmt: skip
        cell["metadata"]["scrolled"] = True
    saved["metadata"]["language_info"] = {
        "codemirror_mode": {"name": "ipython", "version": 3},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3",
        "version": "3.11.2",
    }
    saved["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2}}
    return saved


@pytest.mark.parametrize("name", ALL)
def test_a_lesson_a_learner_saved_with_outputs_still_matches_its_source(name):
    written = _written()[name]
    assert _builder().differences(written, _as_jupyterlab_saves_it(written)) == []


def test_a_changed_source_or_builder_metadata_does_not_match():
    written = _written()["01_three_way_handshake.ipynb"]
    edited = _as_jupyterlab_saves_it(written)
    edited["cells"][3]["source"] = ["explore()\n"]
    edited["metadata"]["tcpedu"] = {"lang": "ko"}
    edited["metadata"]["kernelspec"]["name"] = "python2"
    del edited["cells"][-1]
    problems = _builder().differences(written, edited)
    assert any(p.startswith("cell 3.source") for p in problems)
    assert "metadata.tcpedu.lang is 'ko', not 'en'" in problems
    assert any(p.startswith("metadata.kernelspec.name") for p in problems)
    assert f"{len(written['cells']) - 1} cells, not {len(written['cells'])}" in problems


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


def test_the_korean_twin_runs_the_same_code_in_korean():
    english, korean = _code("01_three_way_handshake.ipynb"), _code("01_three_way_handshake.ko.ipynb")
    assert [c.replace('LANG = "en"', 'LANG = "ko"') for c in english] == korean
    assert any('LANG = "ko"' in c for c in korean)
    assert len(HANGUL.findall(_text("01_three_way_handshake.ko.ipynb"))) > 1000
    assert not HANGUL.search(_text("01_three_way_handshake.ipynb"))


def test_the_first_lesson_asks_at_least_three_predict_questions():
    questions = [
        c
        for c in _code("01_three_way_handshake.ipynb")
        if re.match(r"\s*(\w+ = .*\n)*.*ask_(state|segment)\(", c, re.S)
    ]
    assert len(questions) >= 3


@pytest.mark.parametrize(
    "point",
    ["STEP 1", "STEP 2", "STEP 3", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "ack = seq + 1", "ISN", "RFC 6528"],
)
def test_the_first_lesson_teaches_the_seed_notes_points(point):
    assert point in _text("01_three_way_handshake.ipynb")
    assert point in _text("01_three_way_handshake.ko.ipynb")


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
