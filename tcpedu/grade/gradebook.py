"""The grader's output folder: written as each student finishes, never only at the end.

``OUT/grades.csv``: one row per entry of the submissions folder (graded, not gradable with the
reason, or not graded yet), rewritten whole and atomically after each student, so a crash or
Ctrl-C leaves a complete, honest gradebook. ``OUT/results/STUDENT.json``: Gradescope's
``results.json``. ``OUT/feedback/STUDENT.html``: the student's feedback page.
``OUT/.tcpedu/records/STUDENT.json``: what the summary and a later run need (the submission's
hash and the settings it was graded with, so a run after a crash grades only what is missing
or changed).
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

from .catalog import EXERCISES

__all__ = ["Gradebook"]


class Gradebook:
    def __init__(self, out: Path):
        self.out = Path(out)
        self.results = self.out / "results"
        self.feedback = self.out / "feedback"
        self.records = self.out / ".tcpedu" / "records"
        self.cache = self.out / ".tcpedu" / "examples"

    def create(self) -> None:
        for folder in (self.out, self.results, self.feedback, self.records, self.cache):
            folder.mkdir(parents=True, exist_ok=True)

    # --- one student ----------------------------------------------------------------------------

    def record(self, student: str) -> dict | None:
        """The record kept for ``student`` if it and their files are all there, else None."""
        path = self.records / f"{student}.json"
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("student") != student:
            return None
        if not (self.results / f"{student}.json").is_file() or not (self.feedback / f"{student}.html").is_file():
            return None
        return record

    def write_student(self, record: dict, feedback: str, results: dict) -> None:
        student = record["student"]
        _write(self.results / f"{student}.json", json.dumps(results, indent=1, ensure_ascii=False) + "\n")
        _write(self.feedback / f"{student}.html", feedback)
        _write(self.records / f"{student}.json", json.dumps(record, ensure_ascii=False) + "\n")  # last: it vouches

    # --- the class --------------------------------------------------------------------------------

    def write_csv(self, rows: list[dict]) -> None:
        """``grades.csv`` with ``rows`` (one per entry, in order), replaced atomically."""
        columns = ["student", "entry", *(ex.key for ex in EXERCISES), "total", "max", "status", "note"]
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in columns})
        _write(self.out / "grades.csv", buffer.getvalue())


def _write(path: Path, text: str) -> None:
    """``text`` into ``path`` whole or not at all (a temporary file renamed over it)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
