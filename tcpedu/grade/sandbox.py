"""Learner code runs in a child process; what it answers is judged here, in the parent.

``Sandbox`` starts a child that loads the learner's code and answers questions about it (the
learner's answer to each example), one JSON line per answer, over a pipe. The child never
sees the expected answers and never decides anything: the checker compares in the parent.
So a learner's code that patches tcpedu, prints fake results or exits only spoils its own
answers.

The child is limited before the learner's code is loaded: CPU time, memory, open files,
processes, the size of what it writes (its prints go to a capped file, never to the
notebook), no network when the parent is root (a new network namespace), an unprivileged
user when the parent is root, and a fresh working directory. A request that takes longer
than its time limit, or a child that dies, ends that request with a ``SandboxError`` naming
what happened; the parent kills the child's whole process group.

Forked rather than started anew (a fork costs a few milliseconds, a fresh interpreter that
imports tcpedu a few hundred, and a class of two hundred asks for thousands of children), and
forked by the fork server (``forkserver.py``), a clean process started once, rather than by
the checker: a child of the checker would hold a copy of every expected answer it keeps.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import json
import os
import pickle
import resource
import select
import shutil
import signal
import struct
import sys
import tempfile
import time
import traceback
import types
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .forkserver import ForkServerError, fork_server

__all__ = ["Isolation", "Limits", "LoadReport", "Sandbox", "SandboxError", "describe_exception"]

_CLONE_NEWNET = 0x40000000
_CLONE_NEWNS = 0x00020000
_MS_REC = 0x4000
_MS_BIND = 0x1000
_MNT_DETACH = 2
_PR_SET_PDEATHSIG = 1
_MS_PRIVATE = 1 << 18
_UNPRIVILEGED_UID = 65534  # nobody
_SOLUTIONS = str(Path(__file__).resolve().parent / "solutions")
_READ_CHUNK = 1 << 16
_OUTPUT_KEPT = 4000


@dataclasses.dataclass(frozen=True)
class Limits:
    """What a child may use. ``seconds`` is the wall time of one request (a group's examples);
    the others are the child's resource limits."""

    seconds: float = 10.0
    cpu_seconds: int = 120
    memory_bytes: int = 1 << 30
    """How much more memory than its parent's the child may map."""
    open_files: int = 64
    processes: int = 16
    output_bytes: int = 1 << 20
    """What the learner's code may print (and write to files) before writes fail."""
    answer_bytes: int = 64 << 20
    """What the child may send back for one request before the parent stops listening."""


@dataclasses.dataclass(frozen=True)
class Isolation:
    """Where the child runs, when tcpedu runs as root (otherwise the child keeps the parent's
    user and sees what it sees; the README says so): as ``uid``, no network, and with the
    folders in ``hidden`` covered by an empty one (other learners' files, the grader's output,
    the reference solutions). ``dedicated`` says ``uid`` is this sandbox's alone, so stopping
    the child may kill every process of that user (whatever the learner's code started)."""

    uid: int = _UNPRIVILEGED_UID
    dedicated: bool = False
    hidden: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class LoadReport:
    """How loading the learner's code went."""

    error: str | None = None
    """``SyntaxError: ...`` or the exception its top level raised, or None if it loaded."""
    line: int | None = None
    """Where (a line of the loaded source), when known."""
    flags: tuple[str, ...] = ()
    """What the child noticed about the loaded code (for example a function that is tcpedu's
    own); it can only lower the learner's own grade."""


_UNREADABLE = ("it sent back something unreadable", "읽을 수 없는 답을 돌려보냄")
_TOO_MUCH = ("it sent back more than the checker reads", "확인 프로그램이 읽는 것보다 많이 돌려보냄")
_SIGNALS = {
    "SIGSEGV": ("a segmentation fault", "세그멘테이션 오류"),
    "SIGXCPU": ("it used up its CPU time", "CPU 시간을 다 씀"),
    "SIGKILL": ("it was killed (out of memory?)", "강제 종료됨 (메모리 부족?)"),
    "SIGXFSZ": ("it wrote too much", "너무 많이 씀"),
}


class SandboxError(Exception):
    """A request that did not finish: a time limit, a dead child, an answer too large or
    unreadable. ``reason`` says which, in English and Korean; ``answers`` holds what arrived
    before."""

    def __init__(self, reason: tuple[str, str], answers: list[object] | None = None):
        super().__init__(reason[0])
        self.reason = reason
        self.answers = answers or []


Server = Callable[[types.ModuleType, str, list[object]], Iterator[object]]
"""In the child: (learner's module, request kind, payloads) -> one answer per payload."""


class Sandbox:
    """One child process holding one learner's code."""

    def __init__(
        self,
        source: str,
        filename: str,
        module_name: str,
        serve: Server,
        limits: Limits = Limits(),
        search_path: Iterable[Path] = (),
        inspect: Callable[[types.ModuleType], list[str]] | None = None,
        isolation: Isolation = Isolation(),
    ):
        self.source = source
        self.filename = filename
        self.module_name = module_name
        self.serve = serve
        self.limits = limits
        self.search_path = [str(path) for path in search_path]
        self.inspect = inspect
        self.isolation = isolation
        self.pid: int | None = None
        self._to_child: int | None = None
        self._from_child: int | None = None
        self._buffer = b""
        self._error_in_line = False
        self._kept_output = ""
        self._workdir: str | None = None
        self.output_path: Path | None = None

    # --- the parent's side ------------------------------------------------------------------------

    def start(self) -> LoadReport:
        """Start the child (forked by the fork server, which holds nothing of the checker's)
        and load the learner's code in it."""
        self._workdir = tempfile.mkdtemp(prefix="tcpedu-sandbox-")
        self.output_path = Path(self._workdir) / "output.txt"
        request_read, request_write = os.pipe()
        answer_read, answer_write = os.pipe()
        try:
            self.pid = fork_server().fork([request_read, answer_write])
        except ForkServerError as error:
            for descriptor in (request_read, request_write, answer_read, answer_write):
                os.close(descriptor)
            self.close()
            return LoadReport(error=f"no process to run it in ({error})")
        finally:
            with contextlib.suppress(OSError):
                os.close(request_read)
                os.close(answer_write)
        self._to_child = request_write
        self._from_child = answer_read
        spec = pickle.dumps(self)
        self._write(struct.pack("!Q", len(spec)) + spec)
        try:
            reply = self._read_line(time.monotonic() + self.limits.seconds)
        except SandboxError as error:
            self.close()
            return LoadReport(error=error.reason[0])
        if reply.get("loaded"):
            return LoadReport(flags=tuple(str(flag) for flag in reply.get("flags", ())))
        return LoadReport(error=str(reply.get("error", "the code did not load")), line=_int_or_none(reply.get("line")))

    def __getstate__(self) -> dict[str, object]:
        """What the child needs to know (sent down its request pipe): never a descriptor or pid."""
        kept = ("source", "filename", "module_name", "serve", "limits", "search_path", "inspect", "isolation")
        return {name: self.__dict__[name] for name in kept} | {
            "_workdir": self._workdir,
            "output_path": self.output_path,
        }

    def ask(
        self,
        kind: str,
        payloads: list[object],
        seconds: float | None = None,
        on_error: Callable[[object], object] | None = None,
    ) -> list[object]:
        """The learner's answers to ``payloads`` (one each, in order), within ``seconds``.
        ``on_error`` rewrites the answers that hold an error (``{"error": ...}`` at any depth),
        and only those: looking through every answer would cost more than computing it."""
        if self.pid is None:
            raise SandboxError(("the code is not loaded", "코드가 로드되지 않음"))
        deadline = time.monotonic() + (self.limits.seconds if seconds is None else seconds)
        self._send({"kind": kind, "payloads": payloads})
        answers: list[object] = []
        while True:
            try:
                reply = self._read_line(deadline)
            except SandboxError as error:
                self.close()
                raise SandboxError(error.reason, answers) from None
            if "answer" in reply:
                value = reply["answer"]
                answers.append(on_error(value) if on_error is not None and self._error_in_line else value)
                if len(answers) > len(payloads):  # copies of the child answering too (it forked)
                    self.close()
                    raise SandboxError(("it answered more questions than it was asked", "질문보다 많은 답을 보냄"), [])
            elif reply.get("done"):
                if len(answers) != len(payloads):
                    self.close()
                    raise SandboxError(
                        (
                            f"it answered {len(answers)} of {len(payloads)} questions",
                            f"질문 {len(payloads)}개 가운데 {len(answers)}개에만 답함",
                        ),
                        answers,
                    )
                return answers
            else:
                self.close()
                raise SandboxError(("it answered something that is not an answer", "답이 아닌 것을 돌려보냄"), answers)

    def output(self, limit: int = _OUTPUT_KEPT) -> str:
        """The start of what the learner's code printed (kept when the child is closed)."""
        if self.output_path is None or not self.output_path.exists():
            return self._kept_output[:limit]
        with self.output_path.open("rb") as handle:
            return handle.read(limit).decode("utf-8", "replace")

    def output_full(self) -> bool:
        """Whether the learner's code has printed all it may (its next print fails)."""
        try:
            return self.output_path is not None and self.output_path.stat().st_size >= self.limits.output_bytes
        except OSError:
            return False

    def close(self) -> None:
        """Stop the child (and anything it started) and forget its working directory."""
        if self._to_child is not None:
            with contextlib.suppress(OSError):
                os.close(self._to_child)
            self._to_child = None
        if self._from_child is not None:
            with contextlib.suppress(OSError):
                os.close(self._from_child)
            self._from_child = None
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self.pid, signal.SIGKILL)
            if self.isolation.dedicated and os.geteuid() == 0:
                with contextlib.suppress(ForkServerError, OSError):
                    fork_server().kill_user(self.isolation.uid)
            fork_server().forget(self.pid)  # the fork server reaps it
            self.pid = None
        if self._workdir is not None:
            self._kept_output = self.output()
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, message: dict[str, object]) -> None:
        self._write((json.dumps(message) + "\n").encode())

    def _write(self, data: bytes) -> None:
        try:
            view = memoryview(data)
            while view:
                written = os.write(self._to_child, view)
                view = view[written:]
        except OSError:
            pass  # the child is gone: the read that follows says how

    def _read_line(self, deadline: float) -> dict[str, object]:
        received = len(self._buffer)
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seconds = f"{self.limits.seconds:g}"
                raise SandboxError(
                    (
                        f"it did not finish within {seconds} s (an endless loop?)",
                        f"{seconds}초 안에 끝나지 않음 (무한 루프?)",
                    )
                )
            ready, _, _ = select.select([self._from_child], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._from_child, _READ_CHUNK)
            if not chunk:
                raise SandboxError(self._death())
            self._buffer += chunk
            received += len(chunk)
            if received > self.limits.answer_bytes:
                raise SandboxError(
                    ("it sent back more than the checker reads", "확인 프로그램이 읽는 것보다 많이 돌려보냄")
                )
        line, self._buffer = self._buffer.split(b"\n", 1)
        self._error_in_line = b'"error"' in line
        try:
            message = json.loads(line)
        except ValueError:
            raise SandboxError(_UNREADABLE) from None
        if not isinstance(message, dict):
            raise SandboxError(_UNREADABLE)
        return message

    def _death(self) -> tuple[str, str]:
        """Why the child stopped talking, in words."""
        pid = self.pid
        if pid is None:
            return ("the process running it stopped", "실행하던 프로세스가 멈춤")
        status = fork_server().status(pid, 2.0)
        if status is None:  # alive, but it closed its answers: it is stopped here
            return ("it closed the pipe the checker reads its answers from", "답을 보내는 파이프를 닫음")
        fork_server().forget(pid)
        self.pid = None
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
            why = _SIGNALS.get(name, (name, name))
            return (f"the process running it died: {why[0]}", f"실행하던 프로세스가 죽음: {why[1]}")
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        return (
            f"the process running it exited (status {code}): sys.exit or os._exit in the code?",
            f"실행하던 프로세스가 끝남 (종료 상태 {code}): 코드에 sys.exit나 os._exit가 있나요?",
        )

    # --- the child's side -------------------------------------------------------------------------

    def _child(self, request_fd: int, answer_fd: int) -> None:  # pragma: no cover - runs in the child
        low, high = sorted((request_fd, answer_fd))
        os.closerange(3, low)  # every descriptor but the two pipes (close_range: one call)
        os.closerange(low + 1, high)
        os.closerange(high + 1, _max_fd())
        workdir = self._workdir
        output = os.open(str(self.output_path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(output, 1)
        os.dup2(output, 2)
        os.close(null)
        os.close(output)
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 - the child's own standard streams
        sys.stdout = open(1, "w", buffering=1, closefd=False, errors="replace")  # noqa: SIM115
        sys.stderr = open(2, "w", buffering=1, closefd=False, errors="replace")  # noqa: SIM115
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead
        for name in ("SIGINT", "SIGTERM", "SIGPIPE"):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
        os.chdir(workdir)
        self._confine(workdir)
        answers = os.fdopen(answer_fd, "w", buffering=1)
        requests = os.fdopen(request_fd, "r")

        def reply(message: dict[str, object]) -> None:
            answers.write(json.dumps(message, default=repr) + "\n")

        module = types.ModuleType(self.module_name)
        module.__file__ = self.filename
        sys.modules[self.module_name] = module
        for path in reversed(self.search_path):
            sys.path.insert(0, path)
        try:
            code = compile(self.source, self.filename, "exec", dont_inherit=True)
            exec(code, module.__dict__)  # the learner's code, in its sandbox
        except BaseException as error:  # whatever it raised is the learner's to see
            text, line = describe_exception(error, self.filename)
            reply({"loaded": False, "error": text, "line": line})
            return
        flags = self.inspect(module) if self.inspect is not None else []
        reply({"loaded": True, "flags": flags})
        for text in requests:
            request = json.loads(text)
            for answer in self.serve(module, request["kind"], request["payloads"]):
                reply({"answer": answer})
            reply({"done": True})

    def _confine(self, workdir: str) -> None:  # pragma: no cover - runs in the child
        limits, isolation = self.limits, self.isolation
        as_root = os.geteuid() == 0
        if as_root:
            libc = ctypes.CDLL(None, use_errno=True)
            # No network (a namespace whose only interface, loopback, is down), and mounts of our
            # own: the hidden folders become empty, unreadable ones for this child only.
            if libc.unshare(_CLONE_NEWNET | _CLONE_NEWNS) == 0:
                libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None)
                _expose_python(libc, isolation.uid, Path(workdir) / ".python")
                for folder in (*isolation.hidden, _SOLUTIONS):
                    if os.path.isdir(folder):
                        libc.mount(b"tmpfs", folder.encode(), b"tmpfs", 0, b"size=4k,mode=000")
            uid = isolation.uid
            os.chown(workdir, uid, uid)
            if self.output_path is not None:
                os.chown(self.output_path, uid, uid)
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        _limit(resource.RLIMIT_CPU, limits.cpu_seconds)
        _limit(resource.RLIMIT_AS, _address_space() + limits.memory_bytes)
        _limit(resource.RLIMIT_FSIZE, limits.output_bytes)
        _limit(resource.RLIMIT_NOFILE, limits.open_files)
        if as_root:  # RLIMIT_NPROC counts a user's processes; root's would count everything
            _limit(resource.RLIMIT_NPROC, limits.processes)


def _expose_python(libc, uid: int, stash: Path) -> None:  # pragma: no cover - runs in the child
    """Let ``uid`` reach Python and tcpedu (every folder on ``sys.path``) in this child's own
    mounts, when a folder above them is closed to it (a Python installed under ``/root``):
    the closed folder is covered by an empty one holding only those folders, bound in place,
    so every path stays the same and nothing else of it is seen."""
    needed = sorted({str(Path(path).resolve()) for path in (*sys.path, sys.prefix, sys.base_prefix) if path})
    needed = [path for path in needed if os.path.isdir(path)]
    closed: dict[str, list[str]] = {}
    for path in needed:
        blocker = _closed_ancestor(Path(path), uid)
        if blocker is not None:
            closed.setdefault(str(blocker), []).append(path)
    for blocker, paths in sorted(closed.items()):
        stash.mkdir(exist_ok=True)
        if libc.mount(blocker.encode(), str(stash).encode(), None, _MS_BIND | _MS_REC, None) != 0:
            continue
        libc.mount(b"tmpfs", blocker.encode(), b"tmpfs", 0, b"size=64k,mode=755")
        outermost = [p for p in paths if not any(p != q and p.startswith(q + os.sep) for q in paths)]
        for path in outermost:
            inside = Path(path).relative_to(blocker)
            (Path(blocker) / inside).mkdir(parents=True, exist_ok=True)
            source, target = str(stash / inside).encode(), str(Path(blocker) / inside).encode()
            libc.mount(source, target, None, _MS_BIND | _MS_REC, None)
        libc.umount2(str(stash).encode(), _MNT_DETACH)


def _closed_ancestor(path: Path, uid: int) -> Path | None:  # pragma: no cover - runs in the child
    """The outermost folder above ``path`` that ``uid`` may not pass through, or None."""
    for folder in reversed([path, *path.parents]):
        try:
            info = folder.stat()
        except OSError:
            return None
        if not (info.st_mode & 0o001 or (info.st_uid == uid and info.st_mode & 0o100)):
            return folder
    return None


def run_child(request_fd: int, answer_fd: int) -> None:  # pragma: no cover - runs in the child
    """A child's life, once the fork server has forked it: read the sandbox from the request
    pipe (the checker sends it there, with the learner's code), then load and answer. It dies
    with the fork server (which dies with the checker)."""
    os.setsid()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    (size,) = struct.unpack("!Q", _read_exactly(request_fd, 8))
    sandbox = pickle.loads(_read_exactly(request_fd, size))
    sandbox._child(request_fd, answer_fd)


def _read_exactly(fd: int, size: int) -> bytes:  # pragma: no cover - runs in the child
    chunks, wanted = [], size
    while wanted:
        chunk = os.read(fd, min(wanted, _READ_CHUNK))
        if not chunk:
            raise EOFError("the checker went away")
        chunks.append(chunk)
        wanted -= len(chunk)
    return b"".join(chunks)


def _address_space() -> int:
    """What this process has mapped already (a fork starts with its parent's), in bytes."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _limit(which: int, value: int) -> None:  # pragma: no cover - runs in the child
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(which, (value, value))


def _max_fd() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return min(soft, 65536) if soft != resource.RLIM_INFINITY else 65536


def _int_or_none(value: object) -> int | None:
    return value if type(value) is int else None


def describe_exception(error: BaseException, filename: str) -> tuple[str, int | None]:
    """``NotImplementedError: write seq_add`` and the line of ``filename`` it came from (the
    deepest frame in the learner's file), for one line of feedback."""
    if isinstance(error, SyntaxError) and error.filename == filename:
        return f"SyntaxError: {error.msg}", error.lineno
    name = type(error).__name__
    if isinstance(error, SystemExit):
        text = f"SystemExit: the code called sys.exit({error.code!r})"
    elif isinstance(error, RecursionError):
        text = "RecursionError: maximum recursion depth exceeded"
    else:
        message = str(error)
        text = f"{name}: {message}" if message else name
    if len(text) > 300:
        text = text[:297] + "..."
    line = None
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename == filename:
            line = lineno
    return text, line
