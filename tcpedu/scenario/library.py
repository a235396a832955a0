"""The named scenarios shipped with tcpedu (``tcpedu run three-way-handshake``)."""

from __future__ import annotations

import difflib

from .script import Script, parse

__all__ = ["SUFFIX", "closest_scenario", "load_scenario", "scenario_names", "scenario_source"]

SUFFIX = ".tcp"


def _folder():
    from importlib import resources  # here: a run of a script file never needs it (10 ms to load)

    return resources.files(__package__).joinpath("library")


def scenario_names() -> list[str]:
    """The names of the shipped scenarios, sorted."""
    return sorted(entry.name[: -len(SUFFIX)] for entry in _folder().iterdir() if entry.name.endswith(SUFFIX))


def scenario_source(name: str) -> str:
    """The text of the shipped scenario ``name``; KeyError if there is none."""
    entry = _folder().joinpath(name + SUFFIX)
    if "/" in name or not entry.is_file():
        raise KeyError(name)
    return entry.read_text(encoding="utf-8")


def closest_scenario(name: str) -> str | None:
    """The shipped scenario whose name ``name`` most likely misspells (None if none is close)."""
    matches = difflib.get_close_matches(name, scenario_names(), n=1, cutoff=0.6)
    return matches[0] if matches else None


def load_scenario(name: str) -> Script:
    """The shipped scenario ``name``, parsed."""
    return parse(scenario_source(name), name)
