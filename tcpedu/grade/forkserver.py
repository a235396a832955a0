"""A clean process that forks the sandboxes' children, so learner code never shares memory with
the checker.

The checker's process holds what learner code must never read: the examples' expected
answers, drawn once and kept for a whole class. A child forked from it would start with a copy
of all of that (and emptying it in the child costs more than the fork). So children are forked
from here instead: a fresh interpreter, started once per checking process, that imports
tcpedu's exercises and nothing else, and forks one child per request. The child's pipes come
with the request (``SCM_RIGHTS``); what the child is to run comes down its own request pipe
from the checker, never through this process.

This process also reaps the children and tells the checker how each ended (an exit status or
a signal), which is what a learner's feedback says about code that died.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time

__all__ = ["ForkServer", "ForkServerError", "fork_server"]

_MESSAGE_BYTES = 256
_PRELOADED = ("tcpedu.grade.catalog", "tcpedu.grade.sandbox", "tcpedu.kit")


class ForkServerError(Exception):
    """The fork server is gone or did not answer."""


class ForkServer:
    """The checker's handle on its fork server (started on first use)."""

    def __init__(self) -> None:
        self.owner = os.getpid()
        self._process: subprocess.Popen | None = None
        self._socket: socket.socket | None = None
        self._ended: dict[int, int] = {}

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        theirs, ours = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        code = (
            "import sys, json; sys.path[:0] = json.loads(sys.argv[1]); "
            "from tcpedu.grade.forkserver import serve; serve(int(sys.argv[2]))"
        )
        paths = [path for path in sys.path if path and os.path.isdir(path)]
        self._process = subprocess.Popen(
            [sys.executable, "-c", code, json.dumps(paths), str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            close_fds=True,
        )
        theirs.close()
        self._socket = ours
        self._ended.clear()
        self._receive(lambda message: message.get("ready"), 60.0)

    def fork(self, descriptors: list[int]) -> int:
        """A new child holding ``descriptors`` (its request and answer pipes); its pid. The
        child reads what to run from the first of them."""
        if not self.running:
            self.start()
        try:
            socket.send_fds(self._socket, [b"fork"], descriptors)
        except OSError:
            self.close()
            self.start()
            socket.send_fds(self._socket, [b"fork"], descriptors)
        message = self._receive(lambda message: "forked" in message, 10.0)
        return int(message["forked"])

    def kill_user(self, uid: int) -> None:
        """Kill every process of ``uid`` (what a learner's code started and left running): the
        fork server forks a helper that becomes ``uid`` and signals them all, cheaper than
        forking the checker."""
        if not self.running:
            self.start()
        self._socket.send(f"kill {int(uid)}".encode())
        self._receive(lambda message: message.get("killed") == uid, 10.0)

    def status(self, pid: int, seconds: float) -> int | None:
        """How ``pid`` ended (an ``os.waitpid`` status), waiting up to ``seconds``; None if it
        has not ended by then."""
        if pid in self._ended:
            return self._ended.pop(pid)
        try:
            self._receive(lambda message: message.get("ended") == pid, seconds)
        except ForkServerError:
            return None
        return self._ended.pop(pid, None)

    def forget(self, pid: int) -> None:
        """Stop keeping the end of ``pid`` (a child closed without asking how it ended)."""
        self._ended.pop(pid, None)

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        if self._process is not None:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()
            self._process.wait()
            self._process = None

    def _receive(self, wanted, seconds: float) -> dict:
        deadline = time.monotonic() + seconds
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ForkServerError("the fork server did not answer")
            ready, _, _ = select.select([self._socket], [], [], remaining)
            if not ready:
                continue
            data = self._socket.recv(_MESSAGE_BYTES)
            if not data:
                self.close()
                raise ForkServerError("the fork server stopped")
            message = json.loads(data)
            if "ended" in message:
                self._ended[int(message["ended"])] = int(message["status"])
                if len(self._ended) > 10_000:  # children nobody asked about
                    self._ended.pop(next(iter(self._ended)))
            if wanted(message):
                return message


_server: ForkServer | None = None


def fork_server() -> ForkServer:
    """This process's fork server (a process forked from one that had a server starts its own)."""
    global _server
    if _server is None or _server.owner != os.getpid():
        _server = ForkServer()
    return _server


# --- the server's side ----------------------------------------------------------------------------


def serve(fd: int) -> None:  # pragma: no cover - runs in the fork server, measured by its children
    """Fork a child for each request on ``fd`` until the checker goes away."""
    import importlib

    for name in _PRELOADED:
        importlib.import_module(name)
    from .sandbox import run_child

    _die_with_parent()
    channel = socket.socket(fileno=fd)
    wakeup_read, wakeup_write = os.pipe()
    os.set_blocking(wakeup_write, False)
    signal.set_wakeup_fd(wakeup_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the checker's to handle

    def say(message: dict) -> None:
        channel.send(json.dumps(message).encode())

    say({"ready": True})
    while True:
        try:
            ready, _, _ = select.select([channel, wakeup_read], [], [])
        except InterruptedError:
            ready = []
        if wakeup_read in ready:
            os.read(wakeup_read, 4096)
        if channel in ready:
            try:
                data, descriptors, _, _ = socket.recv_fds(channel, 16, 4)
            except OSError:
                return
            if not data:
                return  # the checker is gone
            if data.startswith(b"kill "):
                uid = int(data.split()[1])
                _kill_every_process_of(uid)
                say({"killed": uid})
                continue
            pid = os.fork()
            if pid == 0:
                status = 1
                try:
                    signal.set_wakeup_fd(-1)
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    channel.close()
                    os.close(wakeup_read)
                    os.close(wakeup_write)
                    run_child(*descriptors)
                    status = 0
                finally:
                    os._exit(status)
            for descriptor in descriptors:
                os.close(descriptor)
            say({"forked": pid})
        while True:  # reap every child that ended, and say how
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            say({"ended": pid, "status": status})


def _kill_every_process_of(uid: int) -> None:  # pragma: no cover - runs in the fork server
    helper = os.fork()
    if helper == 0:
        try:
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)  # every process this user may signal: all of its own
        finally:
            os._exit(0)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(helper, 0)


def _die_with_parent() -> None:  # pragma: no cover - runs in the fork server
    """Linux: end with the checker, even if it is killed."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
