"""tcpedu: learn how TCP opens and closes connections by playing with an RFC 9293 engine.

The layers, each importing only the ones before it:

* ``tcpedu.core``: states, segments, sequence arithmetic, the transition table, the engine;
* ``tcpedu.sim``: two endpoints, the network between them, a virtual clock, the history;
* ``tcpedu.scenario``: the scenario script format, its runner, and the named scenarios.
"""

from .core import (
    ARCS,
    REFUSALS,
    Arc,
    CallRefused,
    Endpoint,
    Event,
    Flags,
    Segment,
    SimulationError,
    State,
    TcpeduError,
)
from .scenario import ScenarioError, load_scenario, parse, run_script, scenario_names
from .sim import Settings, Simulation

__version__ = "0.1.0"

__all__ = [
    "ARCS",
    "REFUSALS",
    "Arc",
    "CallRefused",
    "Endpoint",
    "Event",
    "Flags",
    "ScenarioError",
    "Segment",
    "Settings",
    "Simulation",
    "SimulationError",
    "State",
    "TcpeduError",
    "__version__",
    "load_scenario",
    "parse",
    "run_script",
    "scenario_names",
]
