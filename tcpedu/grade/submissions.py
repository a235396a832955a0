"""A class's submissions: one entry per student in a folder, read once and never written.

An entry is named by its student: a folder of that student's files, a single ``.py`` or
``.ipynb``, or a ``.zip`` of either. nbgrader's layout is read too: given a course folder with
``submitted/`` (or ``submitted/`` itself), each ``submitted/STUDENT/ASSIGNMENT/`` is a folder
entry. Whatever cannot be read becomes a submission with a ``problem``, so every entry gets a
row in the gradebook.

For each exercise, a submission's answer is the file named for it (``handshake.py``, or its
notebook, ``02_handshake.ipynb`` or ``.ko.ipynb``, at any depth), or any other ``.py`` or
notebook that defines the exercise's names; of several, the first one the learner changed from
the stub counts (a ``.py`` before a notebook).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import zipfile
from pathlib import Path, PurePosixPath

from .api import written
from .catalog import EXERCISES
from .exercise import Exercise
from .source import Answer, AnswerError, answer_from_cells, answer_from_file, defined_names

__all__ = [
    "MAX_SUBMISSION_BYTES",
    "Submission",
    "answers_of",
    "find_submissions",
    "read_entry",
    "write_files",
]

MAX_SUBMISSION_BYTES = 20 << 20
"""A submission larger than this (unpacked) is not graded (a zip bomb, a data set)."""
_KINDS = (".py", ".ipynb")
_SKIPPED = re.compile(r"(^|/)(\.|__pycache__/|__MACOSX/|\.ipynb_checkpoints/)")
_STUDENT = re.compile(r"[^A-Za-z0-9._@+-]+")


@dataclasses.dataclass(frozen=True)
class Submission:
    student: str
    """The student's id: the entry's name without ``.zip``, ``.py`` or ``.ipynb``."""
    entry: str
    """The entry's name in the submissions folder."""
    files: dict[str, bytes]
    """Relative path (with ``/``) -> content, for the ``.py`` and ``.ipynb`` files."""
    problem: str | None = None
    """Why it cannot be graded (unreadable, empty, too large), or None."""

    @property
    def digest(self) -> str:
        """A hash of the files: a submission that changed is graded again."""
        hasher = hashlib.sha256()
        for path in sorted(self.files):
            hasher.update(path.encode() + b"\0" + hashlib.sha256(self.files[path]).digest())
        hasher.update((self.problem or "").encode())
        return hasher.hexdigest()


def find_submissions(root: Path) -> list[Submission]:
    """Every entry of ``root`` (or of nbgrader's ``root/submitted``), by student, in order."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no such folder of submissions")
    if (root / "submitted").is_dir():
        root = root / "submitted"
    found: dict[str, Submission] = {}
    for path in sorted(root.iterdir(), key=lambda p: p.name):
        if path.name.startswith("."):
            continue
        submission = read_entry(path)
        if submission is None:
            continue
        student, number = submission.student, 2
        while student in found:  # alice/ and alice.zip: both graded, neither lost
            student = f"{submission.student}-{number}"
            number += 1
        found[student] = dataclasses.replace(submission, student=student)
    return list(found.values())


def _student(name: str) -> str:
    for suffix in (".zip", ".ipynb", ".py"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    return _STUDENT.sub("_", name).strip("._") or "student"


def read_entry(path: Path) -> Submission | None:
    """One entry (a folder, a ``.py``, a notebook or a ``.zip``) as a submission; None for
    anything else."""
    student = _student(path.name)
    try:
        if path.is_dir():
            return _checked(student, path.name, _folder_files(path))
        suffix = path.suffix.lower()
        if suffix in _KINDS:
            return _checked(student, path.name, {path.name: path.read_bytes()})
        if suffix == ".zip":
            return _checked(student, path.name, _zip_files(path))
    except OSError as error:
        return Submission(student, path.name, {}, f"cannot read it ({error.strerror})")
    except zipfile.BadZipFile:
        return Submission(student, path.name, {}, "not a zip file it can open")
    except _TooLarge:
        return Submission(student, path.name, {}, f"larger than {MAX_SUBMISSION_BYTES >> 20} MB unpacked")
    return None  # anything else in the folder is not a submission


class _TooLarge(Exception):
    pass


def _checked(student: str, entry: str, files: dict[str, bytes]) -> Submission:
    if not files:
        return Submission(student, entry, {}, "no .py file or notebook in it")
    return Submission(student, entry, files)


def _folder_files(folder: Path) -> dict[str, bytes]:
    files, total = {}, 0
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if not path.is_file() or path.is_symlink() or path.suffix.lower() not in _KINDS or _SKIPPED.search(relative):
            continue
        total += path.stat().st_size
        if total > MAX_SUBMISSION_BYTES:
            raise _TooLarge
        files[relative] = path.read_bytes()
    return files


def _zip_files(path: Path) -> dict[str, bytes]:
    files, total = {}, 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            name = PurePosixPath(info.filename)
            if info.is_dir() or name.suffix.lower() not in _KINDS or _SKIPPED.search(info.filename):
                continue
            if name.is_absolute() or ".." in name.parts:  # no way out of the submission
                continue
            total += info.file_size
            if total > MAX_SUBMISSION_BYTES:
                raise _TooLarge
            with archive.open(info) as member:
                data = member.read(MAX_SUBMISSION_BYTES + 1)
            if len(data) > MAX_SUBMISSION_BYTES:
                raise _TooLarge
            files[name.as_posix()] = data
    return files


# --- which file answers which exercise ----------------------------------------------------------------


def answers_of(submission: Submission, folder: Path) -> dict[str, Answer | str]:
    """Each exercise's answer in ``submission`` (its files written out under ``folder``), or
    why there is none."""
    answers: dict[str, Answer | str] = {}
    named = {name for ex in EXERCISES for name in _names_for(ex)}
    for ex in EXERCISES:
        candidates = []
        for relative, data in sorted(submission.files.items(), key=lambda item: _order(item[0], ex)):
            name = PurePosixPath(relative).name
            if name in _names_for(ex) or (name not in named and _defines(data, relative, ex)):
                candidates.append(relative)
        if not candidates:
            answers[ex.key] = f"no file for exercise {ex.number} ({ex.filename} or {ex.notebook}.ipynb)"
            continue
        loaded = []
        for relative in candidates:
            try:
                loaded.append(_answer(folder / relative, relative))
            except AnswerError as error:
                loaded.append(str(error))
        readable = [a for a in loaded if isinstance(a, Answer)]
        changed = [a for a in readable if written(a, ex)]
        answers[ex.key] = changed[0] if changed else readable[0] if readable else loaded[0]
    return answers


def _names_for(ex: Exercise) -> tuple[str, ...]:
    return (ex.filename, f"{ex.notebook}.ipynb", f"{ex.notebook}.ko.ipynb")


def _order(relative: str, ex: Exercise) -> tuple[int, str]:
    """The exercise's own .py first, then its notebooks, then anything else."""
    name = PurePosixPath(relative).name
    rank = 0 if name == ex.filename else 1 if name in _names_for(ex) else 2
    return (rank, relative)


def _defines(data: bytes, relative: str, ex: Exercise) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    if relative.lower().endswith(".ipynb"):
        try:
            text = answer_from_cells(_cells(text), relative).source
        except (ValueError, KeyError, TypeError, AttributeError):
            return False
    return bool(defined_names(text) & set(ex.names))


def _cells(text: str) -> list[str]:
    import json

    notebook = json.loads(text)
    return [
        "".join(cell.get("source", "")) if isinstance(cell.get("source"), list) else str(cell.get("source", ""))
        for cell in notebook["cells"]
        if cell.get("cell_type") == "code"
    ]


def _answer(path: Path, relative: str) -> Answer:
    answer = answer_from_file(path)
    return dataclasses.replace(answer, origin=relative)


def write_files(submission: Submission, folder: Path) -> None:
    """The submission's files under ``folder`` (a copy: the submissions folder is never
    touched, and the learner's code sees only its own files)."""
    for relative, data in submission.files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
