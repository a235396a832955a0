"""The notebook builder (scripts/build_notebooks.py): one Markdown source, two notebooks.

The course's tracked files must be what the builder writes, compared on what the builder
writes (cells' kind, id, source, metadata; the notebook's metadata), so a learner's saved
outputs do not count; any source must build into a pair of notebooks beside a chosen path.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _builder():
    spec = importlib.util.spec_from_file_location("build_notebooks", ROOT / "scripts" / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


builder = _builder()

SOURCE = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
tcpedu:
  title:
    en: A lesson
    ko: 강의
  summary:
    en: what it teaches
    ko: 무엇을 가르치는지
---

+++ {"lang": "en", "name": "intro"}

# A lesson

+++ {"lang": "ko", "name": "intro"}

# 강의

+++

Both languages: `SYN,ACK`.

```{code-cell} ipython3
from tcpedu.widgets.quiz import ask_state

ask_state(SCENE("opening"), side="server", lang=LANG)
```
"""

SCENE = "client isn 100\nserver isn 300\nserver listen\nclient connect\ndeliver\n"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    folder = tmp_path / "07_a_lesson"
    folder.mkdir()
    (folder / "lesson.md").write_text(SOURCE, encoding="utf-8")
    (folder / "opening.tcp").write_text(SCENE, encoding="utf-8")
    return folder / "lesson.md"


def _cells(path: Path) -> list[tuple[str, str, str]]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [(c["cell_type"], c["id"], "".join(c["source"])) for c in cells]


def test_a_source_builds_an_english_and_a_korean_notebook_beside_the_chosen_path(source, tmp_path):
    out = tmp_path / "elsewhere" / "exercise.ipynb"
    written = builder.build(source, out)
    assert written == [out, tmp_path / "elsewhere" / "exercise.ko.ipynb"]
    english, korean = _cells(written[0]), _cells(written[1])
    assert english[0] == ("markdown", "intro", "# A lesson")
    assert korean[0] == ("markdown", "intro", "# 강의")
    assert english[1][2] == korean[1][2] == "Both languages: `SYN,ACK`."
    # The code cell: LANG written as the language, SCENE("opening") as the scene file's text.
    kind, _, code = english[2]
    assert kind == "code"
    assert 'lang="en"' in code and 'lang="ko"' in korean[2][2]
    assert f'ask_state("""\n{SCENE}""", side="server"' in code
    meta = json.loads(written[1].read_text(encoding="utf-8"))["metadata"]
    assert meta["tcpedu"] == {"lang": "ko"} and meta["kernelspec"]["name"] == "python3"


def test_the_command_line_builds_one_source(source, tmp_path):
    out = tmp_path / "x.ipynb"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_notebooks.py"), str(source), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.exists() and (tmp_path / "x.ko.ipynb").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.replace('SCENE("opening")', 'SCENE("missing")'), "no file"),
        (lambda s: s.replace("from tcpedu.widgets.quiz import ask_state\n\n", ""), "uses ask_state without importing"),
        (lambda s: s.replace('side="server"', "side=SIDE"), "uses SIDE"),
        (lambda s: s.replace('"lang": "ko", "name": "intro"', '"lang": "de"'), "lang must be one of en, ko"),
        (lambda s: s.replace("    ko: 강의\n", ""), "tcpedu.title in en and ko"),
        (lambda s: s.replace('"name": "intro"', '"name": "Intro!"'), "a cell's name is lower-case"),
        (lambda s: s + '\n+++ {"lang": "en", "name": "intro"}\n\nagain\n', "'intro' is used twice"),
    ],
)
def test_a_source_with_a_mistake_is_refused_naming_it(source, change, message):
    source.write_text(change(SOURCE), encoding="utf-8")
    with pytest.raises(builder.SourceError, match=message):
        builder.read_source(source)


def test_an_output_must_be_named_as_the_english_notebook(source, tmp_path):
    with pytest.raises(builder.SourceError, match=r"X\.ko\.ipynb"):
        builder.build(source, tmp_path / "x.ko.ipynb")


# ------------------------------------------------------------------------------------------------
# The course as tracked


def test_every_course_file_is_what_the_builder_writes():
    assert builder.stale(builder.course_files()) == [], "run python scripts/build_notebooks.py"


def _as_jupyterlab_saves_it(notebook: dict) -> dict:
    """The notebook as JupyterLab writes it on Ctrl+S after a learner ran every cell."""
    saved = json.loads(json.dumps(notebook))
    for count, cell in enumerate((c for c in saved["cells"] if c["cell_type"] == "code"), start=1):
        cell["execution_count"] = count
        cell["outputs"] = [{"output_type": "execute_result", "execution_count": count, "metadata": {},
                            "data": {"text/plain": ["Explorer(...)"]}}]  # fmt: skip
        cell["metadata"]["scrolled"] = True
    saved["metadata"]["language_info"] = {"name": "python", "version": "3.11.2", "pygments_lexer": "ipython3"}
    saved["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return saved


def test_a_notebook_a_learner_saved_with_outputs_still_matches_its_source():
    lesson = builder.course()[1]
    written = builder.notebook(lesson, "en")
    assert builder.differences(written, _as_jupyterlab_saves_it(written)) == []


def test_a_changed_source_or_metadata_does_not_match():
    lesson = builder.course()[1]
    written = builder.notebook(lesson, "en")
    edited = _as_jupyterlab_saves_it(written)
    edited["cells"][2]["source"] = ["explore()\n"]
    edited["metadata"]["tcpedu"] = {"lang": "ko"}
    edited["metadata"]["kernelspec"]["name"] = "python2"
    del edited["cells"][-1]
    problems = builder.differences(written, edited)
    assert any(p.startswith("cell 2.source") for p in problems)
    assert "metadata.tcpedu.lang is 'ko', not 'en'" in problems
    assert any(p.startswith("metadata.kernelspec.name") for p in problems)
    assert f"{len(written['cells']) - 1} cells, not {len(written['cells'])}" in problems


def test_the_lesson_list_is_the_folders_of_lessons_in_order():
    lessons = builder.course()
    stems = [lesson.stem for lesson in lessons]
    assert stems[0] == "00_start_here" and stems == sorted(stems)
    numbers = [int(stem[:2]) for stem in stems]
    assert numbers[0] == 0 and len(set(numbers)) == len(numbers)  # a lesson's number is its own (lessons may be
    # written out of order: a branch can hold lessons 6-8 before 3-5 exist)
    index = builder.lesson_index(lessons)
    for lesson in lessons[1:]:
        assert f"[English]({lesson.stem}.ipynb)" in index and f"[한국어]({lesson.stem}.ko.ipynb)" in index
        assert lesson.title["ko"] in index


def test_the_readme_table_and_notebooks_readme_name_every_lesson():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listing = (ROOT / "notebooks" / "README.md").read_text(encoding="utf-8")
    for lesson in builder.course():
        assert f"`notebooks/{lesson.stem}.ipynb`" in readme
        assert f"`{lesson.stem}.ipynb`" in listing
