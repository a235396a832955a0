"""A large capture replayed by several processes at once (``tcpedu replay --jobs N``).

Connections are independent: process k of n reads the whole file (each reads at the same time)
and replays connections k, k + n, k + 2n... (``replay_file``'s ``part``), then hands each of
its connections back already rendered (the JSON or the text of ``tcpedu replay``), with how
many of its packets the real stack sent otherwise than the engine. The first process keeps the
``Replay`` (every connection listed, its own part replayed) and puts the parts back in order.
The helpers are forked (``tcpedu.forked``): they start from the same code, and end with the work.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path

from ..forked import Helper, can_fork
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
    if jobs <= 1 or not can_fork():
        replay = replay_file(path, profile, keep_details)
        surprised = sum(connection.surprises for connection in replay.connections)
        return replay, [render(connection) for connection in replay.connections], surprised
    helpers = [Helper(_part_work(path, render, profile, keep_details, (part, jobs))) for part in range(1, jobs)]
    try:
        replay = replay_file(path, profile, keep_details, (0, jobs))
        rendered: list[bytes | None] = [None] * len(replay.connections)
        surprised = 0
        for connection in replay.connections[::jobs]:
            rendered[connection.index - 1] = render(connection)
            surprised += connection.surprises
        for helper in helpers:
            data = helper.result()
            if not data:
                raise CaptureError(f"{path}: a process replaying part of it stopped")
            for index, text, count in pickle.loads(data):
                rendered[index - 1] = text
                surprised += count
    finally:
        for helper in helpers:
            helper.stop()
    missing = [index + 1 for index, text in enumerate(rendered) if text is None]
    if missing:  # pragma: no cover - every part hands back every connection it replayed
        raise CaptureError(f"{path}: connection {missing[0]} was not replayed")
    return replay, rendered, surprised  # type: ignore[return-value]


def _part_work(path, render, profile: str, keep_details: bool, part: tuple[int, int]) -> Callable[[], bytes]:
    """The work of the process that replays ``part``: its connections, rendered, pickled.
    (A bad file is said by the first process, which reads it too.)"""

    def work() -> bytes:
        replay = replay_file(path, profile, keep_details, part)
        mine = [(c.index, render(c), c.surprises) for c in replay.connections[part[0] :: part[1]]]
        return pickle.dumps(mine, protocol=pickle.HIGHEST_PROTOCOL)

    return work
