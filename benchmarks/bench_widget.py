"""How quick is the stepping widget? Prints the Python-side time of one click (the model's step
and the whole new picture: both sides, the segments in flight, the state diagram, the TCB table,
the ladder), at each length of a run up to 100 steps, and how many characters the picture hands
to the browser. (The browser tests measure the click-to-redraw time in the page.)

The run: a handshake, then the client sends 100 octets and the server's ACK comes back, again
and again, one click per step. Run: python benchmarks/bench_widget.py [--steps 100]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time

from tcpedu.widgets import explore


def clicks(explorer):
    """The clicks a learner makes, step after step, as the browser sends them."""
    yield {"request": "call", "side": "server", "call": "listen"}
    yield {"request": "call", "side": "client", "call": "connect"}
    while True:
        if explorer.model.in_flight:
            yield {"request": "deliver", "packet_id": explorer.model.in_flight[0].id}
        else:
            yield {"request": "call", "side": "client", "call": "send", "data": 100}


def click(explorer, what: dict) -> None:
    arguments = dict(what)
    explorer.click(arguments.pop("request"), **arguments)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
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
            what = next(buttons)
            began = time.perf_counter()
            click(explorer, what)
            per_step[step].append(time.perf_counter() - began)
        widget = explorer.widget
        sizes.append(len(widget.ladder) + len(widget.diagram) + len(json.dumps(widget.picture)))
    medians = [statistics.median(times) * 1000 for times in per_step]
    for step in sorted({1, 10, 30, args.steps} & set(range(1, args.steps + 1))):
        print(f"click at step {step:2}: {medians[step - 1]:6.2f} ms (median of {args.rounds})")
    print(f"slowest step's median: {max(medians):.2f} ms; all {args.steps} steps: {sum(medians):.1f} ms")
    print(f"picture, ladder and diagram after {args.steps} steps: {statistics.median(sizes) / 1000:.0f} kB")
    explorer = explore(client_isn=100, server_isn=300)
    buttons = clicks(explorer)
    for _ in range(args.steps):
        click(explorer, next(buttons))
    began = time.perf_counter()
    explorer.click("back")
    took = 1000 * (time.perf_counter() - began)
    print(f"back after {args.steps} steps (the run rebuilt from its log): {took:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
