"""Grading a whole class in one command: ``tcpedu grade SUBMISSIONS -o OUT``.

Every entry of the submissions folder is graded by a pool of worker processes (one per core),
each student's exercises checked as the learner's ``check()`` checks them, with grading's
examples and seed. The grade is decided in the workers; the learner's code runs in sandboxed
children of a fork server, as a user of the worker's own when tcpedu runs as root (so what one
student's code leaves running is killed before the next student, and no student's code can
read another's copy), without network, and with the submissions and the output folder hidden.

As each student finishes, their files are written and ``grades.csv`` is rewritten whole (see
``gradebook.py``); a run after a crash or Ctrl-C grades only the students without a kept
result or whose submission changed; ``regrade`` redoes everyone.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import os
import shutil
import signal
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TextIO

from .catalog import EXERCISES
from .checker import prepare
from .gradebook import Gradebook
from .grading import Graded, Setup, grade_submission
from .submissions import Submission, find_submissions
from .summary import ClassSummary, html_summary, summarize

__all__ = ["GradeError", "Progress", "grade_class"]

_ROOT_UID_BASE = 1_000_000_000
"""Learner code of worker n runs as uid base + 64 * (grader's pid mod 10**6) + n: a user no
one else has, different for two graders running at once."""
_MAX_WORKERS = 64
_ATTEMPTS = 2
"""A student whose worker died is graded again once, then reported as not gradable."""


class GradeError(Exception):
    """Something the instructor must fix (a folder that is not there, an output folder inside
    the submissions); the message says what and where."""


def grade_class(
    submissions: Path,
    out: Path,
    setup: Setup,
    workers: int | None = None,
    regrade: bool = False,
    progress: TextIO | None = None,
) -> ClassSummary:
    """Grade every entry of ``submissions`` into ``out``; the class summary."""
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    _check_folders(submissions, out)
    try:
        entries = find_submissions(submissions)
    except FileNotFoundError as error:
        raise GradeError(str(error)) from None
    book = Gradebook(out)
    try:
        book.create()
    except OSError as error:
        raise GradeError(f"{out}: cannot write there ({error.strerror})") from None
    setup = dataclasses.replace(setup, hidden=(str(submissions), str(out)))
    kept = {} if regrade else {entry.student: _kept(book, entry, setup) for entry in entries}
    rows = {entry.student: _row(entry, kept.get(entry.student)) for entry in entries}
    book.write_csv(list(rows.values()))
    todo = [entry for entry in entries if kept.get(entry.student) is None]
    meter = Progress(len(entries), len(entries) - len(todo), progress)
    if todo:
        count = _worker_count(workers, len(todo))
        prepare(EXERCISES, setup.intensity, book.cache, count)  # drawn once; every worker inherits them

        def finished(entry: Submission, graded: Graded) -> None:
            book.write_student(graded.record, graded.feedback, graded.results)
            rows[entry.student] = _row(entry, graded.record)
            book.write_csv(list(rows.values()))
            meter.step(not_gradable=bool(graded.record.get("problem")))

        try:
            with _scratch_space():
                _run_pool(todo, setup, count, finished)
        except KeyboardInterrupt:
            # A student whose files were written just before Ctrl-C may not be in the CSV yet.
            for entry in todo:
                rows[entry.student] = _row(entry, _kept(book, entry, setup))
            book.write_csv(list(rows.values()))
            raise
    meter.close()
    records = [record for entry in entries if (record := book.record(entry.student)) is not None]
    not_graded = [(entry.entry, entry.problem) for entry in entries if entry.problem]
    summary = summarize(records, not_graded, len(entries))
    with contextlib.suppress(OSError):
        (out / "summary.html").write_text(html_summary(summary, setup.lang), encoding="utf-8")
    return summary


@contextlib.contextmanager
def _scratch_space():
    """One temporary folder for the run, holding every student's copy and every sandbox's
    working folder (the workers inherit it), removed at the end however the run ends: a worker
    stopped by Ctrl-C cannot clean up after itself."""
    scratch = tempfile.mkdtemp(prefix="tcpedu-grading-")
    os.chmod(scratch, 0o711)  # each learner user reaches its own folder, and lists none
    previous, tempfile.tempdir = tempfile.tempdir, scratch
    try:
        yield
    finally:
        tempfile.tempdir = previous
        shutil.rmtree(scratch, ignore_errors=True)


def _check_folders(submissions: Path, out: Path) -> None:
    if not submissions.is_dir():
        raise GradeError(f"{submissions}: no such folder of submissions")
    if out == submissions or submissions in out.parents:
        raise GradeError(f"{out}: the output folder must be outside {submissions} (submissions are never written)")
    if out in submissions.parents:
        raise GradeError(f"{submissions}: the submissions must be outside the output folder {out}")


def _kept(book: Gradebook, entry: Submission, setup: Setup) -> dict | None:
    """The kept record for ``entry`` if it was graded from these very files, the same way."""
    record = book.record(entry.student)
    if record is None or record.get("digest") != entry.digest or record.get("setup") != setup.describe():
        return None
    return record


def _row(entry: Submission, record: dict | None) -> dict[str, object]:
    row: dict[str, object] = {"student": entry.student, "entry": entry.entry}
    if record is None:
        return row | {"status": "not graded yet"}
    if record.get("problem"):
        return (
            row
            | {ex.key: 0 for ex in EXERCISES}
            | {
                "total": 0,
                "max": record["max_score"],
                "status": "not graded",
                "note": record["problem"],
            }
        )
    notes = [
        f"{exercise['key']}: {exercise['problem'][0]}" for exercise in record["exercises"] if exercise.get("problem")
    ]
    return (
        row
        | {exercise["key"]: exercise["score"] for exercise in record["exercises"]}
        | {"total": record["score"], "max": record["max_score"], "status": "graded", "note": "; ".join(notes)}
    )


# --- the pool ------------------------------------------------------------------------------------------


def _worker_count(asked: int | None, students: int) -> int:
    if asked is not None:
        return max(1, min(asked, _MAX_WORKERS))
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, students, _MAX_WORKERS))


_worker_uid: int | None = None


def _start_worker(slots, base_uid: int | None) -> None:  # pragma: no cover - runs in a worker
    global _worker_uid
    slot = slots.get()
    _worker_uid = None if base_uid is None else base_uid + slot
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's: it stops the workers


def _grade_in_worker(entry: Submission, setup: Setup) -> Graded:  # pragma: no cover - runs in a worker
    return grade_submission(entry, setup, _worker_uid)


def _run_pool(todo: list[Submission], setup: Setup, workers: int, finished) -> None:
    """Grade ``todo`` on ``workers`` processes, calling ``finished`` as each student is done; a
    worker that dies takes only its students' attempts with it (they are tried once more)."""
    context = multiprocessing.get_context("fork")
    base_uid = _ROOT_UID_BASE + 64 * (os.getpid() % 1_000_000) if os.geteuid() == 0 else None
    attempts = dict.fromkeys((entry.student for entry in todo), 0)
    remaining = list(todo)
    while remaining:
        slots = context.Queue()
        for slot in range(workers):
            slots.put(slot)
        pool = ProcessPoolExecutor(workers, context, initializer=_start_worker, initargs=(slots, base_uid))
        try:
            futures: dict[Future, Submission] = {}
            for entry in remaining:
                attempts[entry.student] += 1
                futures[pool.submit(_grade_in_worker, entry, setup)] = entry
            remaining = []
            waiting = set(futures)
            while waiting:
                done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
                for future in done:
                    entry = futures[future]
                    try:
                        graded = future.result()
                    except BrokenProcessPool:
                        if attempts[entry.student] < _ATTEMPTS:
                            remaining.append(entry)
                            continue
                        graded = grade_submission(_failed(entry, "the grading process died on it"), setup)
                    except Exception as error:  # a fault of the grader's, not the student's: say so
                        why = f"the grader failed on it ({type(error).__name__}: {error})"
                        graded = grade_submission(_failed(entry, why), setup)
                    finished(entry, graded)
        finally:
            _stop(pool)
            if base_uid is not None:
                _kill_users(range(base_uid, base_uid + workers))


def _failed(entry: Submission, why: str) -> Submission:
    return dataclasses.replace(entry, problem=why)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Shut the pool down now: on Ctrl-C its workers are killed, not waited for."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.kill()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(5)


def _kill_users(uids) -> None:
    """Kill whatever learner code of these users is still running."""
    from .forkserver import ForkServerError, fork_server

    for uid in uids:
        with contextlib.suppress(ForkServerError, OSError):
            fork_server().kill_user(uid)


# --- progress -----------------------------------------------------------------------------------------


class Progress:
    """A progress bar on a terminal (students graded, how many could not be, time left);
    nothing when ``stream`` is not a terminal."""

    def __init__(self, total: int, done: int, stream: TextIO | None):
        self.total = total
        self.done = done
        self.first = done
        self.not_gradable = 0
        self.started = time.monotonic()
        self.stream = stream if stream is not None and stream.isatty() else None
        self._draw()

    def step(self, not_gradable: bool = False) -> None:
        self.done += 1
        self.not_gradable += not_gradable
        self._draw()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self) -> None:
        if self.stream is None:
            return
        width = 30
        filled = round(width * self.done / self.total) if self.total else width
        graded_now = self.done - self.first
        elapsed = time.monotonic() - self.started
        if graded_now:
            left = elapsed / graded_now * (self.total - self.done)
            eta = f"{int(left // 60)}:{int(left % 60):02d} left"
        else:
            eta = "starting"
        problems = f" · {self.not_gradable} not gradable" if self.not_gradable else ""
        bar = "#" * filled + "." * (width - filled)
        self.stream.write(f"\r[{bar}] {self.done}/{self.total} graded{problems} · {eta} ")
        self.stream.flush()
