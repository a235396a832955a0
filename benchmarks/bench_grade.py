"""How long grading a class takes: ``tcpedu grade`` on a generated class of submissions.

The class (default 200 students, the same for every run of this script) mixes what a real
one holds: correct work (each student's own copy, with their name in it: no two files are
the same, so nothing is graded once for two students), work with one or two of the
mistakes learners make, partly done work (later exercises still the stubs as handed out),
code that misbehaves (an endless loop, sys.exit at import, a fork bomb, a memory bomb, a
100 MB print) and entries that cannot be graded (a syntax error, a broken zip).

Three runs, each timed: the first into an empty output folder (it draws grading's examples,
then grades everyone), a second over the same folder (nothing changed: everything is kept),
and ``--regrade`` (everyone again, the examples kept from the first run).

Usage: python benchmarks/bench_grade.py [--students N] [--workers N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

from tcpedu.grade.api import solution_source, stub_source
from tcpedu.grade.catalog import EXERCISES
from tcpedu.grade.classroom import grade_class
from tcpedu.grade.grading import Setup
from tcpedu.grade.intensity import grading
from tcpedu.grade.sandbox import Limits

MISTAKES = {
    "sequence-numbers": [
        ("return 0 < (b - a) % SEQ_SPACE < HALF", "return a < b"),
        ("return (a + n) % SEQ_SPACE", "return a + n"),
        ("return _in_window(seg_seq, rcv_nxt, rcv_wnd) or", "return _in_window(seg_seq, rcv_nxt, rcv_wnd) and"),
    ],
    "handshake": [
        ("Segment(server_isn, seq_add(client_isn, 1),", "Segment(server_isn, client_isn,"),
        ("(1 if segment.has_fin else 0)", "0"),
    ],
    "state-machine": [
        ("    (S.TIME_WAIT, E.RCV_FIN): S.TIME_WAIT,", "    (S.TIME_WAIT, E.RCV_FIN): S.CLOSED,"),
    ],
    "closing": [
        ("now_us + 2 * conn.msl_us  # the peer's FIN again", "now_us  # the peer's FIN again"),
    ],
    "endpoint": [
        ("        self.rto.back_off()", "        pass"),
        ("            self.time_wait()  # the peer's FIN again: ACK it, 2*MSL again", "            pass"),
    ],
}

MISBEHAVIOURS = {  # file, and code added at its end (a later definition wins)
    "loop": ("sequence_numbers.py", "def acceptable(*args):\n    while True:\n        pass\n"),
    "exit": ("handshake.py", "import sys\n\nsys.exit(3)\n"),
    "fork_bomb": ("sequence_numbers.py", "def seq_ge(a, b):\n    import os\n\n    while True:\n        os.fork()\n"),
    "memory_bomb": ("endpoint.py", "hog = bytearray(64 << 30)\n"),
    "flood": ("closing.py", "print('x' * 100_000_000)\n"),
}


def make_class(root: Path, students: int, seed: int = 2026) -> dict[str, int]:
    """Write the class into ``root``; how many students of each kind."""
    chance = random.Random(seed)
    kinds = {"correct": 0, "mistakes": 0, "partial": 0, "misbehaving": 0, "not gradable": 0}
    for number in range(students):
        name = f"s{number:03d}"
        roll = chance.random()
        files = {ex.filename: _own_copy(solution_source(ex), name) for ex in EXERCISES}
        if roll < 0.40:
            kind = "correct"
        elif roll < 0.75:
            kind = "mistakes"
            for ex in chance.sample(EXERCISES, chance.choice((1, 2))):
                old, new = chance.choice(MISTAKES[ex.key])
                assert old in files[ex.filename], (ex.key, old)
                files[ex.filename] = files[ex.filename].replace(old, new)
        elif roll < 0.90:
            kind = "partial"
            done = chance.randint(1, len(EXERCISES) - 1)
            for ex in EXERCISES[done:]:
                files[ex.filename] = stub_source(ex)
        elif roll < 0.95:
            kind = "misbehaving"
            filename, code = MISBEHAVIOURS[sorted(MISBEHAVIOURS)[kinds[kind] % len(MISBEHAVIOURS)]]  # each in turn
            files[filename] += "\n\n" + code
        else:
            kind = "not gradable"
        kinds[kind] += 1
        folder = root / name
        if kind == "not gradable" and chance.random() < 0.5:
            (root / f"{name}.zip").write_bytes(b"PK\x03\x04 not a whole zip")
            continue
        if kind == "not gradable":
            files["state_machine.py"] = "def next_state(state, event:\n"
        folder.mkdir()
        for filename, text in files.items():
            (folder / filename).write_text(text, encoding="utf-8")
    return kinds


def _own_copy(source: str, student: str) -> str:
    """The solution as one student hands it in: with their name on it."""
    return f"# {student}'s work\n{source}\nAUTHOR = {student!r}\n"


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--workers", type=int, default=None, help="default: one per core")
    parser.add_argument("--keep", metavar="DIR", help="write the class and the gradebook here and keep them")
    args = parser.parse_args()

    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="tcpedu-bench-grade-"))
    root, out = base / "class", base / "out"
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    root.mkdir(parents=True)
    kinds = make_class(root, args.students)
    setup = Setup(grading(), Limits())
    workers = args.workers or len(os.sched_getaffinity(0))
    print(f"a class of {args.students}: " + ", ".join(f"{count} {kind}" for kind, count in kinds.items()))
    print(f"grading with {workers} workers on {os.cpu_count()} cores, {setup.intensity.factor:g}x the check's examples")
    first, summary = timed(lambda: grade_class(root, out, setup, workers))
    print(f"first run (draws the examples):  {first:6.1f} s  {first / args.students:.3f} s per submission")
    again, _ = timed(lambda: grade_class(root, out, setup, workers))
    print(f"run again (nothing changed):     {again:6.1f} s")
    regrade, _ = timed(lambda: grade_class(root, out, setup, workers, regrade=True))
    print(f"--regrade (examples kept):       {regrade:6.1f} s  {regrade / args.students:.3f} s per submission")
    scores = summary.scores
    print(f"graded {len(scores)} of {summary.entries}; mean score {sum(scores) / max(1, len(scores)):.1f}")
    slowest = sorted(summary.graded, key=lambda record: -record["seconds"])[:3]
    print("slowest students: " + ", ".join(f"{r['student']} {r['seconds']:.1f} s" for r in slowest))
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
