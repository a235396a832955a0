"""How long the course's notebooks take to run headless, each in a fresh kernel, as the tests run
them (nbclient, top to bottom): one line per notebook, then the lessons' and the exercises' totals.

The exercise notebooks run as a learner first opens them, with the stubs untouched, so each
``check()`` grades the stub.

Usage: python benchmarks/bench_notebooks.py [NOTEBOOK ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def course_notebooks() -> list[Path]:
    lessons = sorted((ROOT / "notebooks").glob("*.ipynb"))
    exercises = sorted((ROOT / "exercises").glob("*.ipynb"))
    return lessons + exercises


def run(path: Path) -> float:
    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: the whole course)")
    args = parser.parse_args(argv)
    paths = [path.resolve() for path in args.notebooks] or course_notebooks()
    totals: dict[str, float] = {}
    for path in paths:
        seconds = run(path)
        part = "exercises" if "exercises" in path.parts else "lessons"
        totals[part] = totals.get(part, 0.0) + seconds
        print(f"{seconds:6.1f} s  {path.relative_to(ROOT)}", flush=True)
    for part, seconds in totals.items():
        count = sum(1 for path in paths if ("exercises" in path.parts) == (part == "exercises"))
        print(f"{seconds:6.1f} s  all {count} {part} notebooks")
    print(f"{sum(totals.values()):6.1f} s  everything ({len(paths)} notebooks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
