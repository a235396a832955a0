"""How fast is ``tcpedu run`` as a whole process? Prints segments per second.

Writes scripts of the kinds a learner writes, each ``--steps`` action lines long (20,000 by
default), and times ``python -m tcpedu run FILE --json > /dev/null`` and ``python -m tcpedu run
FILE > /dev/null`` (a fresh process each time: start-up and imports included), the best of
``--rounds``:

* small: many small sends, each segment and its ACK delivered one by one (``deliver``);
* bulk: ``client send 2000`` then ``deliver all``, again and again;
* lossy: a send of two segments, the first dropped, ``wait next`` for its retransmission,
  ``deliver all``;
* 10mb: one ``client send 10000000`` and ``deliver all`` (a few action lines, 37,541 segments).

"segments" counts the segments the endpoints sent (the JSON's ``steps[].segments``).
Python compiles the package on every start when ``PYTHONDONTWRITEBYTECODE`` is set (no
``.pyc`` files); ``--pyc`` lets it keep them in a temporary folder, as an installed package has.
Run: python benchmarks/bench_run.py [--steps N] [--rounds N] [--pyc]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tcpedu.scenario import parse, run_script


def _opening() -> list[str]:
    return ["server listen", "client connect", "deliver all"]


def small(steps: int) -> list[str]:
    lines, count, units = _opening(), 3, 0
    while count < steps:
        lines += ["client send 100", "deliver", "deliver"]
        count += 3
        units += 1
        if units % 100 == 0:
            lines.append("expect client ESTABLISHED server ESTABLISHED")
    return lines


def bulk(steps: int) -> list[str]:
    lines, count = _opening(), 3
    while count < steps:
        lines += ["client send 2000", "deliver all"]
        count += 2
    return lines


def lossy(steps: int) -> list[str]:
    lines, count = _opening(), 3
    while count < steps:
        lines += ["client send 1000", "drop", "wait next", "deliver all"]
        count += 4
    return lines


def ten_megabytes(_steps: int) -> list[str]:
    return [*_opening(), "client send 10000000", "deliver all"]


SCRIPTS = {"small": small, "bulk": bulk, "lossy": lossy, "10mb": ten_megabytes}


def segments_of(path: Path) -> int:
    """Segments the endpoints sent in the run of ``path`` (in this process)."""
    run = run_script(parse(path.read_text(), str(path)))
    assert run.ok, run.error or run.failure
    return sum(1 for step in run.steps for record in step.records for p in record.sent if p.copy_of is None)


def timed(command: list[str], env: dict[str, str], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, env=env, check=False)
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20_000, help="action lines per script (default 20000)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each; the best is reported (default 3)")
    parser.add_argument("--pyc", action="store_true", help="let Python keep compiled bytecode (in a temporary folder)")
    parser.add_argument("--only", choices=SCRIPTS, action="append", help="only these scripts")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as folder:
        if args.pyc:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pyc")
            subprocess.run([sys.executable, "-m", "tcpedu", "--version"], env=env, stdout=subprocess.DEVNULL)
        compiled = "kept" if "PYTHONDONTWRITEBYTECODE" not in env else "compiled on every start"
        print(f"Python {platform.python_version()} on {platform.machine()}, bytecode {compiled}")
        start = timed([sys.executable, "-c", "pass"], env, args.rounds)
        version = timed([sys.executable, "-m", "tcpedu", "--version"], env, args.rounds)
        print(f"python -c pass {start:.3f} s; python -m tcpedu --version {version:.3f} s")
        print(f"{'script':<6} {'steps':>6} {'segments':>8}  {'--json':>7} {'seg/s':>8}  {'text':>7} {'seg/s':>8}")
        for name in args.only or SCRIPTS:
            lines = SCRIPTS[name](args.steps)
            path = Path(folder) / f"{name}.tcp"
            path.write_text("\n".join(lines) + "\n")
            steps = sum(1 for line in lines if not line.startswith("expect"))
            segments = segments_of(path)
            command = [sys.executable, "-m", "tcpedu", "run", str(path)]
            as_json = timed([*command, "--json"], env, args.rounds)
            as_text = timed(command, env, args.rounds)
            print(
                f"{name:<6} {steps:>6} {segments:>8}  {as_json:6.2f}s {segments / as_json:>8,.0f}  "
                f"{as_text:6.2f}s {segments / as_text:>8,.0f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
