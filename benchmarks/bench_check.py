"""How long a learner's check() takes, per exercise, and how fast the differential tester runs.

For each exercise, at the learner's example count (``tcpedu.grade.CHECK``): the reference
solution (full marks), the untouched stub (nothing written) and a planted bug (a failure to
shrink and draw), each checked twice in this process: the first time also draws the
examples and the engine's answers (once per process), the second is what every later check
costs. Then the runs per second of exercise 5's differential testing: the engine alone on a
drawn run, the same run with the learner's endpoint (the reference solution) on both sides,
and whole checks of exercise 5 divided by the runs they play.

Usage: python benchmarks/bench_check.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time

from tcpedu.grade.api import solution_source, stub_source
from tcpedu.grade.catalog import EXERCISES, exercise
from tcpedu.grade.checker import CHECK, _examples, check_answer
from tcpedu.grade.plans import Plan, execute
from tcpedu.grade.source import Answer

BUGS = {
    "sequence-numbers": ("return 0 < (b - a) % SEQ_SPACE < HALF", "return a < b"),
    "handshake": ("Segment(server_isn, seq_add(client_isn, 1),", "Segment(server_isn, client_isn,"),
    "state-machine": ("    (S.TIME_WAIT, E.RCV_FIN): S.TIME_WAIT,", "    (S.TIME_WAIT, E.RCV_FIN): S.CLOSED,"),
    "closing": ("now_us + 2 * conn.msl_us  # the peer's FIN again", "now_us  # the peer's FIN again"),
    "endpoint": ("        self.rto.back_off()", "        pass"),
}


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="warm checks to take the median of (default 3)")
    args = parser.parse_args()

    print("check() at the learner's example count, seconds (first in the process / median of the next)")
    print(f"{'exercise':<18} {'answer':<10} {'first':>7} {'then':>7}  score")
    for ex in EXERCISES:
        old, new = BUGS[ex.key]
        answers = {
            "solution": solution_source(ex),
            "stub": stub_source(ex),
            "bug": solution_source(ex).replace(old, new),
        }
        for name, source in answers.items():
            answer = Answer(source, ex.filename)
            result = None

            def run(ex=ex, answer=answer):
                nonlocal result
                result = check_answer(ex, answer)

            first = timed(run)
            then = statistics.median(timed(run) for _ in range(args.repeat))
            print(f"{ex.key:<18} {name:<10} {first:7.2f} {then:7.2f}  {result.score}/{result.max_score}")

    endpoint = exercise("endpoint")
    plans = [
        (Plan.from_wire(example[0]), example[1]) for group in endpoint.groups for example in _examples(group, CHECK)[0]
    ]
    namespace: dict = {}
    exec(compile(solution_source(endpoint), "endpoint.py", "exec"), namespace)
    learner = namespace["Endpoint"]
    reference = timed(lambda: [execute(plan) for plan, _ in plans])
    both = timed(lambda: [execute(plan, {side: learner for side in sides}) for plan, sides in plans])
    steps = sum(len(plan.actions) for plan, _ in plans)
    print()
    print(f"exercise 5's runs at the learner's count: {len(plans)} runs, {steps} actions")
    for label, seconds in (("the engine alone", reference), ("with the learner's endpoint", both)):
        print(f"  {label + ':':<32} {len(plans) / seconds:8.0f} runs/s ({steps / seconds:8.0f} actions/s)")
    answer = Answer(solution_source(endpoint), endpoint.filename)
    whole = statistics.median(timed(lambda: check_answer(endpoint, answer)) for _ in range(args.repeat))
    print(f"  whole checks (sandbox included): {len(plans) / whole:8.0f} runs/s ({whole:.2f} s a check)")


if __name__ == "__main__":
    main()
