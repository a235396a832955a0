"""Grading on Gradescope, past one machine: the autograder zip, and what it runs.

``autograder_zip`` writes the zip an instructor uploads to a Gradescope programming
assignment: ``setup.sh`` (run once when Gradescope builds the image: Python, Graphviz, tcpedu
and its pinned dependencies), ``run_autograder`` (run for each submission) and tcpedu's own
source. ``run_autograder`` grades ``/autograder/submission`` with the settings the zip was made
with and writes ``/autograder/results/results.json``, one test per group of checks (see
``grading.py``), as ``tcpedu grade`` does for each student of a class.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import json
import os
import stat
import zipfile
from pathlib import Path

from .grading import Setup, grade_submission
from .submissions import Submission, read_entry

__all__ = ["GRADESCOPE_UID", "autograder_zip", "run_autograder"]

GRADESCOPE_UID = 1_000_000_000
"""The user learner code runs as in Gradescope's container (root there)."""

_PINNED = ("hypothesis", "sortedcontainers", "attrs", "graphviz")
"""What grading imports beyond the standard library, pinned to the versions here."""

_SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu).
set -euo pipefail
cd /autograder/source
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv graphviz
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --no-cache-dir -r requirements.txt
/autograder/venv/bin/pip install --no-cache-dir --no-deps ./tcpedu
# Learner code runs as another user: it may import tcpedu, never read the reference solutions.
solutions="$(/autograder/venv/bin/python -c 'import tcpedu.grade.solutions as s; print(list(s.__path__)[0])')"
chmod 700 "$solutions"
chmod -R go-rwx /autograder/source
"""

_RUN = """#!/usr/bin/env bash
# Gradescope runs this for each submission: grade /autograder/submission into
# /autograder/results/results.json. Made by: tcpedu grade --gradescope-autograder {options}
set -euo pipefail
ROOT="${{TCPEDU_AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{TCPEDU_PYTHON:-$ROOT/venv/bin/python}}"
exec "$PYTHON" -m tcpedu grade --gradescope-run "$ROOT" {options}
"""


def options_of(setup: Setup) -> str:
    """The command-line options that grade as ``setup`` does."""
    intensity, limits = setup.intensity, setup.limits
    return f"--seed {intensity.seed} --examples {intensity.factor:g} --timeout {limits.seconds:g} --lang {setup.lang}"


def autograder_zip(path: Path, setup: Setup) -> list[str]:
    """Write Gradescope's autograder zip to ``path``; the names in it."""
    package = Path(__file__).resolve().parents[1]
    project = package.parent
    files: dict[str, bytes] = {
        "setup.sh": _SETUP.encode(),
        "run_autograder": _RUN.format(options=options_of(setup)).encode(),
        "requirements.txt": _requirements().encode(),
        "tcpedu/pyproject.toml": _project_file(project / "pyproject.toml"),
        "tcpedu/README.md": _project_file(project / "README.md", b"# tcpedu\n"),
    }
    for source in sorted(package.rglob("*")):
        relative = source.relative_to(package)
        if source.is_file() and "__pycache__" not in relative.parts and source.suffix not in (".pyc", ".pyo"):
            files[f"tcpedu/tcpedu/{relative.as_posix()}"] = source.read_bytes()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            executable = name in ("setup.sh", "run_autograder")
            info.external_attr = ((stat.S_IFREG | (0o755 if executable else 0o644)) << 16) & 0xFFFF0000
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return list(files)


def _project_file(path: Path, fallback: bytes | None = None) -> bytes:
    if path.is_file():
        return path.read_bytes()
    if fallback is not None:
        return fallback
    raise FileNotFoundError(f"{path}: tcpedu's project file is needed to build the autograder (run from a checkout)")


def _requirements() -> str:
    lines = ["# What tcpedu's grading needs, pinned to the versions that made this zip."]
    for name in _PINNED:
        try:
            lines.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    return "\n".join(lines) + "\n"


def run_autograder(root: Path, setup: Setup) -> dict[str, object]:
    """Grade ``root/submission`` into ``root/results/results.json`` (Gradescope's layout); the
    results. A submission that cannot be read still gets a results file saying why."""
    root = Path(root)
    folder = root / "submission"
    entry = read_entry(folder) if folder.is_dir() else None
    if entry is None:
        entry = Submission("submission", "submission", {}, f"{folder}: no submission folder")
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    hidden = tuple(str(path) for path in (root / "source", results) if path.is_dir())
    uid = GRADESCOPE_UID if os.geteuid() == 0 else None
    graded = grade_submission(entry, dataclasses.replace(setup, hidden=hidden), uid)
    (results / "results.json").write_text(json.dumps(graded.results, indent=1, ensure_ascii=False) + "\n")
    return graded.results
