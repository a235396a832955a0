"""A large capture replayed by several processes at once (``tcpedu replay --jobs N``).

Connections are independent: process k of n reads the whole file (each reads at the same time)
and replays connections k, k + n, k + 2n... (``replay_file``'s ``part``), then hands each of
its connections back already rendered (the JSON or the text of ``tcpedu replay``), with how
many of its packets the real stack sent otherwise than the engine. The first process keeps the
``Replay`` (every connection listed, its own part replayed) and puts the parts back in order.
The processes are forked (POSIX): the helpers start from the same code, and end with the work.
"""

from __future__ import annotations

import os
import pickle
import signal
from collections.abc import Callable
from pathlib import Path

from .export import CaptureError
from .replay import Connection, Replay, replay_file

__all__ = ["replay_rendered"]


def replay_rendered(
    path: str | Path,
    render: Callable[[Connection], bytes],
    profile: str = "rfc",
    keep_details: bool = False,
    jobs: int = 1,
) -> tuple[Replay, list[bytes], int]:
    """Replay ``path`` in ``jobs`` processes: the Replay (this process's part replayed), every
    connection rendered by ``render``, in order, and the number of packets with surprises in all.
    Errors as ``replay_file``'s (a bad file is said once, by this process)."""
    if jobs <= 1 or not hasattr(os, "fork"):
        replay = replay_file(path, profile, keep_details)
        surprised = sum(connection.surprises for connection in replay.connections)
        return replay, [render(connection) for connection in replay.connections], surprised
    helpers = [_start(path, render, profile, keep_details, (part, jobs)) for part in range(1, jobs)]
    try:
        replay = replay_file(path, profile, keep_details, (0, jobs))
        rendered: list[bytes | None] = [None] * len(replay.connections)
        surprised = 0
        for connection in replay.connections[::jobs]:
            rendered[connection.index - 1] = render(connection)
            surprised += connection.surprises
        for pid, stream in helpers:
            data = stream.read()
            stream.close()
            _, status = os.waitpid(pid, 0)
            if status != 0 or not data:
                raise CaptureError(f"{path}: a process replaying part of it stopped (status {status})")
            for index, text, count in pickle.loads(data):
                rendered[index - 1] = text
                surprised += count
    except BaseException:
        for pid, stream in helpers:
            stream.close()
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        raise
    missing = [index + 1 for index, text in enumerate(rendered) if text is None]
    if missing:  # pragma: no cover - every part hands back every connection it replayed
        raise CaptureError(f"{path}: connection {missing[0]} was not replayed")
    return replay, rendered, surprised  # type: ignore[return-value]


def _start(path, render, profile: str, keep_details: bool, part: tuple[int, int]):
    """Fork a process that replays ``part`` and writes its connections, rendered, to a pipe:
    (its pid, the pipe's reading end)."""
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the helper: never returns
        status = 1
        try:
            os.close(reading)
            replay = replay_file(path, profile, keep_details, part)
            mine = [(c.index, render(c), c.surprises) for c in replay.connections[part[0] :: part[1]]]
            with os.fdopen(writing, "wb") as out:
                pickle.dump(mine, out, protocol=pickle.HIGHEST_PROTOCOL)
            status = 0
        except BaseException:  # the first process says what is wrong with the file
            pass
        finally:
            os._exit(status)
    os.close(writing)
    return pid, os.fdopen(reading, "rb")
