"""The package's layers import one way: core <- sim <- (words, narrator) <- scenario <- render <-
grade <- widgets (with ``kit``, what exercises may use, on core alone, and ``forked``, work
shared with forked processes, on nothing of tcpedu's), and the engine and
``tcpedu run`` need nothing outside Python's standard library (but orjson for ``--json``)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tcpedu"
# layer -> the layers it may import from
ALLOWED = {
    "core": set(),
    "forked": set(),
    "kit": {"core"},
    "sim": {"core"},
    "words": {"core"},
    "narrator": {"core", "sim", "words"},
    "scenario": {"forked", "core", "sim", "words", "narrator"},
    "render": {"forked", "core", "sim", "scenario", "words", "narrator"},
    "capture": {"forked", "core", "sim", "scenario", "words", "narrator"},
    "grade": {"forked", "core", "kit", "sim", "scenario", "render", "words", "narrator"},
    "widgets": {"forked", "core", "kit", "sim", "scenario", "render", "capture", "grade", "words", "narrator"},
}


def tcpedu_imports(path: Path) -> set[str]:
    """The tcpedu layers a module imports (relative imports resolved from its package)."""
    package = path.parent.relative_to(PACKAGE.parent).parts  # ("tcpedu", "render")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = [*base, *(node.module.split(".") if node.module else [])]
            else:
                target = (node.module or "").split(".")
            if target[0] == "tcpedu" and len(target) > 1:
                found.add(target[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "tcpedu" and len(parts) > 1:
                    found.add(parts[1])
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_the_layers_below_it(layer):
    folder = PACKAGE / layer
    paths = folder.rglob("*.py") if folder.is_dir() else [PACKAGE / f"{layer}.py"]
    for path in paths:
        imported = tcpedu_imports(path) - {layer}
        assert imported <= ALLOWED[layer], f"{path.relative_to(PACKAGE)} imports {sorted(imported - ALLOWED[layer])}"


@pytest.mark.parametrize(
    ("arguments", "allowed"),
    [
        (["run", "three-way-handshake"], []),
        # The JSON of a long run is tens of megabytes: orjson (a declared dependency) writes it.
        (["run", "three-way-handshake", "--json"], ["orjson"]),
    ],
)
def test_the_engine_and_tcpedu_run_load_nothing_outside_the_standard_library(arguments, allowed):
    probe = (
        "import sys\n"
        "from tcpedu.cli import main\n"
        f"status = main({arguments!r})\n"
        "third_party = [m.split('.')[0] for m in sys.modules if m.split('.')[0] not in sys.stdlib_module_names]\n"
        # Left out: tcpedu, the script, and what the venv's editable install and setuptools put in.
        "known = {'tcpedu', '__main__', '_distutils_hack'}\n"
        "found = {m for m in third_party if m not in known and not m.startswith('__editable__')}\n"
        "print(sorted(found), status, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stderr.strip().splitlines()[-1] == f"{allowed} 0"


def test_tcpedu_run_of_a_script_file_loads_no_drawing_capture_or_grading_code(tmp_path):
    # Start-up is part of every command's time: what a run never uses is imported when first used.
    script = tmp_path / "hello.tcp"
    script.write_text("server listen\nclient connect\ndeliver all\n")
    probe = (
        "import sys\n"
        "from tcpedu.cli import main\n"
        f"status = main(['run', {str(script)!r}, '--json'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('tcpedu.')), status, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded, status = done.stderr.strip().splitlines()[-1].rsplit(" ", 1)
    assert status == "0"
    unneeded = ("tcpedu.render.", "tcpedu.capture.read", "tcpedu.capture.replay", "tcpedu.widgets", "tcpedu.grade.")
    needed_for_options = {"tcpedu.render.details", "tcpedu.grade.commands", "tcpedu.grade.intensity"}
    extra = [m for m in ast.literal_eval(loaded) if m.startswith(unneeded) and m not in needed_for_options]
    assert extra == []
