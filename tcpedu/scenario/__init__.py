"""Scenario scripts: the line format, running it, reporting a run, and the named library."""

from .library import closest_scenario, load_scenario, scenario_names, scenario_source
from .report import format_trace, run_to_dict, run_to_json
from .runner import CheckResult, Player, Run, Step, run_script, simulation_for
from .script import ScenarioError, Script, parse

__all__ = [
    "CheckResult",
    "Player",
    "Run",
    "ScenarioError",
    "Script",
    "Step",
    "closest_scenario",
    "format_trace",
    "load_scenario",
    "parse",
    "run_script",
    "run_to_dict",
    "run_to_json",
    "scenario_names",
    "scenario_source",
    "simulation_for",
]
