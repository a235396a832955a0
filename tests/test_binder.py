"""Checks that the binder/ folder alone builds a working course environment, as Binder (repo2docker) would.

There is no container engine here, so the rebuild is done by hand in a fresh virtual environment:
``pip install -r binder/requirements.txt``, then ``./binder/postBuild`` from the repository root,
then every notebook in ``notebooks/`` runs top to bottom in that environment's own kernel.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

REPO_ROOT = Path(__file__).resolve().parents[1]
BINDER_DIR = REPO_ROOT / "binder"
APT_PACKAGES = {"graphviz", "librsvg2-bin", "fonts-nanum"}
REQUIRED_PINS = {"jupyterlab", "ipywidgets", "graphviz", "ipykernel"}
CELL_TIMEOUT_S = 180

# Runs with the rebuilt venv's python: executes each notebook in a fresh python3 kernel and prints a JSON report.
# A check cell appended to the in-memory copy records which Python the kernel really was.
NOTEBOOK_RUNNER = r"""
import json, re, sys, time
from pathlib import Path

import nbclient
import nbformat

notebook_dir, timeout = Path(sys.argv[1]), int(sys.argv[2])
report = []
for path in sorted(notebook_dir.glob("*.ipynb")):
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.prefix)"))
    client = nbclient.NotebookClient(
        nb, timeout=timeout, startup_timeout=120, kernel_name="python3",
        resources={"metadata": {"path": str(notebook_dir)}},
    )
    entry = {"notebook": path.name, "error": None, "kernel_prefix": None}
    start = time.monotonic()
    try:
        client.execute()
        outputs = nb.cells[-1].get("outputs", [])
        entry["kernel_prefix"] = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout").strip()
    except Exception as exc:
        entry["error"] = re.sub(r"\x1b\[[0-9;]*m", "", f"{type(exc).__name__}: {exc}")  # drop ANSI colours
    entry["seconds"] = round(time.monotonic() - start, 2)
    report.append(entry)
print(json.dumps(report))
"""


def run_checked(cmd: list[str], *, what: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 900):
    """Run a command; on failure, fail the test with the command's output."""
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        pytest.fail(
            f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}\n"
            f"--- stdout ---\n{proc.stdout[-8000:]}\n--- stderr ---\n{proc.stderr[-8000:]}",
            pytrace=False,
        )
    return proc


def copy_repository(dest: Path) -> Path:
    """Copy the files git would ship (tracked and untracked-but-not-ignored) into dest, so builds never touch the
    working tree; uncommitted work is included."""
    proc = run_checked(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        what="listing the repository's files",
        cwd=REPO_ROOT,
    )
    for name in filter(None, proc.stdout.split("\0")):
        source = REPO_ROOT / name
        if source.is_file():  # skips files deleted in the working tree
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def venv_environ(venv: Path, scratch: Path) -> dict[str, str]:
    """Environment for commands in the rebuilt venv: its bin first on PATH, as repo2docker's image has it, and
    Jupyter/IPython dirs in scratch so no user-level kernelspec or config on this machine can take part."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "JUPYTER_PATH"}}
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(venv),
        NB_PYTHON_PREFIX=str(venv),  # repo2docker sets this for postBuild
        JUPYTER_CONFIG_DIR=str(scratch / "jupyter-config"),
        JUPYTER_DATA_DIR=str(scratch / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(scratch / "jupyter-runtime"),
        IPYTHONDIR=str(scratch / "ipython"),
    )
    return env


def rebuild_binder_env(tmp_path: Path, repo_dir: Path) -> Path:
    """Build a venv in tmp_path from repo_dir/binder alone (requirements.txt, then postBuild run from repo_dir,
    the repository root) and return the venv's path. repo_dir should be a throwaway copy: postBuild builds there."""
    venv = tmp_path / "venv"
    run_checked([sys.executable, "-m", "venv", str(venv)], what="creating the venv", cwd=tmp_path, timeout=120)
    env = venv_environ(venv, tmp_path)
    requirements = repo_dir / "binder" / "requirements.txt"
    run_checked(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-r", str(requirements)],
        what="pip install -r binder/requirements.txt",
        cwd=repo_dir,
        env=env,
    )
    run_checked(["./binder/postBuild"], what="binder/postBuild", cwd=repo_dir, env=env, timeout=600)
    return venv


def execute_notebooks(venv: Path, notebook_dir: Path, scratch: Path, timeout: int = CELL_TIMEOUT_S) -> list[dict]:
    """Execute every notebook in notebook_dir (cwd = notebook_dir) with the venv's nbclient and python3 kernel.

    Returns one report entry per notebook: name, error (None if it ran clean), the kernel's sys.prefix, seconds.
    """
    runner = scratch / "run_notebooks.py"
    runner.write_text(NOTEBOOK_RUNNER, encoding="utf-8")
    proc = run_checked(
        [str(venv / "bin" / "python"), str(runner), str(notebook_dir), str(timeout)],
        what="the notebook runner",
        cwd=notebook_dir,
        env=venv_environ(venv, scratch),
        timeout=3600,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def notebook_failures(report: list[dict], venv: Path) -> list[str]:
    """Describe each notebook that raised or ran in a kernel other than the venv's python."""
    problems = []
    for entry in report:
        if entry["error"]:
            problems.append(f"{entry['notebook']}: {entry['error']}")
        elif Path(entry["kernel_prefix"] or "/nonexistent").resolve() != venv.resolve():
            problems.append(f"{entry['notebook']}: kernel ran in {entry['kernel_prefix']!r}, not in {venv}")
    return problems


def pinned_requirements(path: Path) -> dict[str, str]:
    """Map each requirement name in a requirements file to its version; fail on any line that is not name==version."""
    pins = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][A-Za-z0-9.+!-]*)", line)
        assert match, f"{path.name} line {number} is not an exact name==version pin: {raw!r}"
        pins[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return pins


@pytest.fixture(scope="module")
def binder_build(tmp_path_factory) -> tuple[Path, Path, Path]:
    """(repo copy, venv, scratch dir) rebuilt once for this module."""
    scratch = tmp_path_factory.mktemp("binder-env")
    repo = copy_repository(scratch / "repo")
    return repo, rebuild_binder_env(scratch, repo), scratch


def test_binder_files_are_well_formed():
    """requirements.txt pins exactly, apt.txt lists the system packages, postBuild is a strict executable script."""
    pins = pinned_requirements(BINDER_DIR / "requirements.txt")
    assert pins.keys() >= REQUIRED_PINS, f"requirements.txt lacks pins for {sorted(REQUIRED_PINS - pins.keys())}"

    apt = {line.strip() for line in (BINDER_DIR / "apt.txt").read_text(encoding="utf-8").splitlines() if line.strip()}
    assert apt == APT_PACKAGES, f"apt.txt lists {sorted(apt)}, expected {sorted(APT_PACKAGES)}"

    post_build = BINDER_DIR / "postBuild"
    lines = post_build.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#!/bin/bash", f"postBuild starts with {lines[0]!r}"
    assert "set -euo pipefail" in lines, "postBuild has no 'set -euo pipefail' line, so a failing step would not fail"
    assert post_build.stat().st_mode & stat.S_IXUSR, "postBuild is not executable (chmod +x binder/postBuild)"
    assert not (BINDER_DIR / "start").exists(), "binder/start runs at every launch; the course needs none"

    runtime = (BINDER_DIR / "runtime.txt").read_text(encoding="utf-8").strip()
    assert re.fullmatch(r"python-3\.(1[1-9])", runtime), f"runtime.txt says {runtime!r}; the pins need python >= 3.11"


def test_pins_satisfy_the_course_extras():
    """Each package tcpedu and its course extras (and the extras they include) need is pinned within their ranges."""
    from packaging.requirements import Requirement

    pins = pinned_requirements(BINDER_DIR / "requirements.txt")
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    checked = []
    # postBuild installs tcpedu with --no-deps: its own dependencies are pinned here too.
    for spec in project["dependencies"] + extras["course"] + extras["diagrams"] + extras["captures"]:
        req = Requirement(spec)
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        if name == "tcpedu":
            continue
        assert name in pins, f"requirements.txt does not pin {name}, which pyproject's course extras need"
        assert req.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside pyproject's {spec!r}"
        checked.append(name)
    assert checked, "found no course/diagrams requirements in pyproject.toml"


def test_rebuilt_env_has_the_course_tools(binder_build):
    """tcpedu (installed, not from the source tree), jupyter lab, ipywidgets and graphviz work in the rebuilt venv."""
    _repo, venv, scratch = binder_build
    python = str(venv / "bin" / "python")
    env = venv_environ(venv, scratch)
    probe = (
        "import sys, tcpedu, ipywidgets, graphviz; "
        "print(sys.prefix); print(tcpedu.__file__); print(ipywidgets.__version__); print(graphviz.__version__)"
    )
    # -I and a cwd outside the repository copy: tcpedu must come from site-packages, as postBuild installed it.
    out = run_checked([python, "-I", "-c", probe], what="importing the course packages", cwd=scratch, env=env)
    prefix, tcpedu_file, *_ = out.stdout.splitlines()
    assert Path(prefix).resolve() == venv.resolve(), f"probe ran in {prefix}, not in {venv}"
    assert Path(tcpedu_file).resolve().is_relative_to(venv.resolve()), f"tcpedu imported from {tcpedu_file}"

    version = run_checked(
        [str(venv / "bin" / "jupyter"), "lab", "--version"], what="jupyter lab --version", cwd=scratch, env=env
    )
    assert re.fullmatch(r"4\.\d+\.\d+\S*", version.stdout.strip()), f"jupyter lab --version said {version.stdout!r}"

    # The command line as a learner uses it in Binder's terminal, its JSON included (orjson).
    command = [str(venv / "bin" / "tcpedu"), "run", "three-way-handshake", "--json"]
    run = run_checked(command, what="tcpedu run --json", cwd=scratch, env=env)
    assert json.loads(run.stdout)["ok"] is True

    overrides = venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert overrides.is_file(), "postBuild wrote no JupyterLab overrides.json"
    installed = json.loads(overrides.read_text(encoding="utf-8"))
    course = json.loads((BINDER_DIR / "overrides.json").read_text(encoding="utf-8"))
    assert installed["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false", "checkForUpdates": False}
    for plugin, settings in course.items():  # the course's own settings file, as scripts/course uses it
        assert installed[plugin] == settings


def test_notebooks_run_in_rebuilt_env(request):
    """Every notebooks/*.ipynb runs top to bottom in a fresh kernel of the rebuilt venv."""
    if not sorted((REPO_ROOT / "notebooks").glob("*.ipynb")):
        pytest.fail(f"no notebooks to run: {REPO_ROOT / 'notebooks'} has no *.ipynb", pytrace=False)
    repo, venv, scratch = request.getfixturevalue("binder_build")  # the slow rebuild, only once there is work
    notebook_dir = repo / "notebooks"
    report = execute_notebooks(venv, notebook_dir, scratch)
    problems = notebook_failures(report, venv)
    assert not problems, "notebooks failed in the Binder environment:\n" + "\n\n".join(problems)


def test_exercise_notebooks_run_in_rebuilt_env(request):
    """Every exercises/*.ipynb (English and Korean) runs top to bottom in the rebuilt venv,
    its check() cells included: checking needs what Binder installs (hypothesis among it)."""
    if not sorted((REPO_ROOT / "exercises").glob("*.ipynb")):
        pytest.fail(f"no exercise notebooks: {REPO_ROOT / 'exercises'} has no *.ipynb", pytrace=False)
    repo, venv, scratch = request.getfixturevalue("binder_build")
    report = execute_notebooks(venv, repo / "exercises", scratch)
    problems = notebook_failures(report, venv)
    assert not problems, "exercise notebooks failed in the Binder environment:\n" + "\n\n".join(problems)


def test_repo2docker_dry_run_uses_binder_files(tmp_path):
    """repo2docker --no-build (no container engine needed) writes a Dockerfile from binder/ with our files in it."""
    repo = copy_repository(tmp_path / "repo")
    proc = run_checked(
        # Binder builds as uid 1000 (jovyan); as root here, repo2docker would otherwise copy the repo as 0:0.
        [sys.executable, "-m", "repo2docker", "--no-build", "--user-id", "1000", "--user-name", "jovyan", str(repo)],
        what="repo2docker --no-build",
        cwd=tmp_path,
        timeout=120,
    )
    dockerfile, log = proc.stdout, proc.stderr

    apt_line = re.search(r"apt-get install --yes --no-install-recommends (.+?) &&", dockerfile)
    assert apt_line, f"no apt-get install step for apt.txt in the Dockerfile:\n{dockerfile}"
    assert set(apt_line[1].split()) == APT_PACKAGES, f"Dockerfile installs {apt_line[1]!r} from apt"
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in dockerfile, "requirements.txt is not installed"
    assert "RUN ./binder/postBuild" in dockerfile, "postBuild is not run"
    assert "R2D_ENTRYPOINT" not in dockerfile, "the image has a start script"

    python_version = (BINDER_DIR / "runtime.txt").read_text(encoding="utf-8").strip().removeprefix("python-")
    assert f"Building conda environment for python={python_version}" in log, f"runtime.txt was not used:\n{log}"
    assert "Python version unspecified" not in log, log
