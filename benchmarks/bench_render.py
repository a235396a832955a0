"""How fast are the pictures? Prints milliseconds per drawing.

* state diagram, layout: Graphviz laying the diagram out (done once per detail and language);
* state diagram, highlighted view: restyling that layout for one step (done at every step);
* ladder, one more step: adding a record to a growing ladder and drawing it (done at every
  step), for runs of 10, 30 and 60 steps;
* ladder, whole run: drawing a finished run from its history at once.

Each figure is the median of several rounds. Run: python benchmarks/bench_render.py
"""

from __future__ import annotations

import platform
import statistics
import sys
import time

from tcpedu import Simulation, State
from tcpedu.render import Ladder, StateDiagram
from tcpedu.render import state_diagram as state_diagram_module


def median_ms(action, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def long_run(steps: int) -> list:
    """A run of about ``steps`` history records: a handshake, then data segments and ACKs."""
    sim = Simulation(client_isn=100, server_isn=300, mss=100)
    sim.call("server", "listen")
    sim.call("client", "connect")
    sim.deliver_all()
    while len(sim.history) < steps:
        sim.call("client", "send", 100)
        sim.deliver_all()
    return sim.history[:steps]


def main() -> int:
    print(f"Python {platform.python_version()} ({platform.python_implementation()}) on {platform.machine()}")
    for detail in ("figure", "rfc", "all"):

        def layout(detail=detail):
            state_diagram_module._template.cache_clear()
            StateDiagram(detail).svg()

        print(f"state diagram ({detail:>6}) layout by Graphviz    {median_ms(layout, 5):8.2f} ms")
    for detail in ("figure", "all"):
        diagram = StateDiagram(detail)
        diagram.svg()
        arcs = [arc for arc in diagram.arcs if arc.state is State.SYN_SENT]

        def view(diagram=diagram, arcs=arcs):
            diagram.view({"client": State.ESTABLISHED, "server": State.SYN_RECEIVED}, [("client", arcs[0])])

        print(f"state diagram ({detail:>6}) highlighted view     {median_ms(view, 200):8.3f} ms")
    for steps in (10, 30, 60):
        history = long_run(steps)

        def grow(history=history):
            ladder = Ladder(history[:-1])
            ladder.svg()
            start = time.perf_counter()
            ladder.add(history[-1])
            ladder.svg()
            return time.perf_counter() - start

        per_step = statistics.median(grow() for _ in range(20)) * 1000
        whole = median_ms(lambda history=history: Ladder(history).svg(), 20)
        print(f"ladder, {steps:2} records: one more step {per_step:7.2f} ms   whole run {whole:7.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
