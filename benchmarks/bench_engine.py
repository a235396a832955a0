"""How fast is the engine? Prints segment deliveries per second.

Two measurements, each the best of several rounds:

* engine: two ``Endpoint`` objects exchanging segments through a plain queue, as a program
  embedding the sans-IO core would (no history kept);
* simulation: the same connections through ``Simulation``, which also records every step
  (states, both TCBs, notes) so a learner can go back.

Each connection opens (3-way handshake), sends 100 octets each way, closes (4 segments) and
waits out TIME-WAIT: 11 deliveries. Run: python benchmarks/bench_engine.py [--connections N]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections import deque

from tcpedu.core import Endpoint, EndpointConfig
from tcpedu.sim import Simulation

MSL_US = 120_000_000


def engine_round(connections: int) -> tuple[int, float]:
    """Run ``connections`` complete connections endpoint-to-endpoint; (deliveries, seconds)."""
    client = Endpoint("client", config=EndpointConfig())
    server = Endpoint("server", ("198.51.100.1", 80), ("192.0.2.1", 50000), EndpointConfig())
    peer = {id(client): server, id(server): client}
    queue: deque = deque()
    deliveries = 0
    now = 0

    def collect(endpoint: Endpoint) -> None:
        for segment, _tag in endpoint.drain().segments:
            queue.append((peer[id(endpoint)], segment))

    def pump() -> None:
        nonlocal deliveries
        while queue:
            receiver, segment = queue.popleft()
            receiver.receive(segment, now)
            deliveries += 1
            collect(receiver)

    started = time.perf_counter()
    for _ in range(connections):
        server.listen(now)
        client.connect(now)
        collect(client)
        pump()
        client.send(100, now)
        collect(client)
        server.send(100, now)
        collect(server)
        pump()
        client.close(now)
        collect(client)
        pump()
        server.close(now)
        collect(server)
        pump()
        now += 2 * MSL_US
        client.handle_timer(now)
        collect(client)
        now += 1
    elapsed = time.perf_counter() - started
    assert client.state.value == "CLOSED" and server.state.value == "CLOSED"
    return deliveries, elapsed


def simulation_round(connections: int) -> tuple[int, float]:
    """The same through Simulation (with its full history); (deliveries, seconds)."""
    sim = Simulation()
    started = time.perf_counter()
    for _ in range(connections):
        sim.call("server", "listen")
        sim.call("client", "connect")
        sim.deliver_all()
        sim.call("client", "send", 100)
        sim.call("server", "send", 100)
        sim.deliver_all()
        sim.call("client", "close")
        sim.deliver_all()
        sim.call("server", "close")
        sim.deliver_all()
        sim.wait(240)
    elapsed = time.perf_counter() - started
    deliveries = sum(1 for record in sim.history if record.kind == "deliver")
    return deliveries, elapsed


def best(measure, connections: int, rounds: int) -> tuple[int, float]:
    results = [measure(connections) for _ in range(rounds)]
    return min(results, key=lambda result: result[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=5000, help="connections per round (default 5000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the best is reported (default 5)")
    args = parser.parse_args(argv)
    if args.connections < 1 or args.rounds < 1:
        parser.error("--connections and --rounds must be at least 1")
    print(f"Python {platform.python_version()} ({platform.python_implementation()}) on {platform.machine()}")
    for name, measure, connections in (
        ("engine", engine_round, args.connections),
        ("simulation", simulation_round, max(1, args.connections // 5)),
    ):
        deliveries, seconds = best(measure, connections, args.rounds)
        print(
            f"{name:<10}  {connections:>6} connections  {deliveries:>7} deliveries  "
            f"{seconds:7.3f} s  {deliveries / seconds:>9,.0f} deliveries/s  "
            f"{connections / seconds:>8,.0f} connections/s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
