"""How quick is the stepping widget? Prints the Python-side time of one click (the model's step
and the whole redraw: state banners, buttons, segments, both state diagrams, the TCB table,
the ladder), at each length of a run up to 30 steps, and how many characters of HTML the
redraw hands to the browser.

The run: a handshake, then the client sends 100 octets and the server's ACK comes back, again
and again, one click per step. Run: python benchmarks/bench_widget.py [--steps 30]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time

from tcpedu.widgets import explore


def clicks(explorer):
    """The buttons a learner presses, step after step."""
    yield explorer.call_buttons["server"]["listen"]
    yield explorer.call_buttons["client"]["connect"]
    while True:
        if explorer.model.in_flight:
            yield explorer._rows[0].deliver
        else:
            yield explorer.call_buttons["client"]["send"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"Python {platform.python_version()} ({platform.python_implementation()}) on {platform.machine()}")
    start = time.perf_counter()
    explore(client_isn=100, server_isn=300)
    print(f"first widget (Graphviz layout included): {1000 * (time.perf_counter() - start):.1f} ms")
    per_step: list[list[float]] = [[] for _ in range(args.steps)]
    sizes = []
    for _ in range(args.rounds):
        explorer = explore(client_isn=100, server_isn=300)
        buttons = clicks(explorer)
        for step in range(args.steps):
            button = next(buttons)
            began = time.perf_counter()
            button.click()
            per_step[step].append(time.perf_counter() - began)
        sizes.append(sum(len(w.value) for w in (explorer.ladder, explorer.tcb_table, *explorer.diagrams.values())))
    medians = [statistics.median(times) * 1000 for times in per_step]
    for step in (1, 10, 20, args.steps):
        print(f"click at step {step:2}: {medians[step - 1]:6.2f} ms (median of {args.rounds})")
    print(f"slowest step's median: {max(medians):.2f} ms; all {args.steps} steps: {sum(medians):.1f} ms")
    print(f"HTML of diagrams, table and ladder after {args.steps} steps: {statistics.median(sizes) / 1000:.0f} kB")
    explorer = explore(client_isn=100, server_isn=300)
    buttons = clicks(explorer)
    for _ in range(args.steps):
        next(buttons).click()
    began = time.perf_counter()
    explorer.back.click()
    took = 1000 * (time.perf_counter() - began)
    print(f"back after {args.steps} steps (the run rebuilt from its log): {took:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
