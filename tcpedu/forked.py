"""Work done by a forked copy of this process while this one goes on (POSIX ``fork``).

A helper starts from this process's memory as it is (nothing is copied or pickled on the way
in), computes bytes, leaves them in a file that lives in memory (``memfd``, or a temporary file
where there is none), says so through a pipe and ends. ``result()`` maps the file: tens of
megabytes come back without a copy, and without waiting for the helper to finish ending
(through a pipe, 64 KB at a time, 20 MB took about 60 ms more here). Long commands whose output falls
into independent parts use it on a machine with more than one core: ``tcpedu replay --jobs``
(its connections) and ``tcpedu run --json`` (the steps of a long run).
"""

from __future__ import annotations

import mmap
import os
import signal
import tempfile
from collections.abc import Callable

__all__ = ["Helper", "can_fork", "jobs_worth_forking"]

_DONE = b"."


def can_fork() -> bool:
    """Whether this system has ``fork`` (POSIX; not Windows)."""
    return hasattr(os, "fork")


def jobs_worth_forking() -> int:
    """How many processes a long command shares its work among by default: two on a machine
    with two cores or more, one otherwise (``tcpedu replay --jobs`` takes more when asked)."""
    return min(2, os.cpu_count() or 1)


class Helper:
    """A forked process computing ``work()``; ``result()`` waits for its bytes."""

    def __init__(self, work: Callable[[], bytes]) -> None:
        self._file = _memory_file()
        reading, writing = os.pipe()
        pid = os.fork()
        if pid == 0:  # the helper: never returns
            status = 1
            try:
                os.close(reading)
                data = memoryview(work())
                while data:
                    data = data[os.write(self._file.fileno(), data) :]
                os.write(writing, _DONE)
                status = 0
            except BaseException:  # the caller learns it from the pipe, and says what failed
                pass
            finally:
                os._exit(status)  # no clean-up: the memory and the open files are this process's
        os.close(writing)
        self._pid: int | None = pid
        self._done = reading

    def result(self) -> bytes | mmap.mmap | None:
        """What ``work()`` returned (bytes, or the file that holds them mapped into memory),
        once the helper has done it; None if it failed (raised, or was killed)."""
        done = os.read(self._done, 1) == _DONE  # nothing (the pipe closed) if it ended without
        os.close(self._done)
        self._done = -1
        if not done:
            self.stop()
            return None
        size = os.fstat(self._file.fileno()).st_size
        return mmap.mmap(self._file.fileno(), size, prot=mmap.PROT_READ) if size else b""

    def stop(self) -> None:
        """End the helper if it is still running (its work is no longer wanted), and free what
        it left (a result already taken stays readable)."""
        if self._pid is not None:
            try:
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self._pid = None
        if self._done >= 0:
            os.close(self._done)
            self._done = -1
        self._file.close()


def _memory_file():
    if hasattr(os, "memfd_create"):  # Linux
        return os.fdopen(os.memfd_create("tcpedu-helper"), "w+b")
    return tempfile.TemporaryFile()
