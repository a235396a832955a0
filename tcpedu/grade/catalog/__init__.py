"""The exercises, in the order a learner does them."""

from __future__ import annotations

from ..exercise import Exercise
from .ex1_sequence_numbers import EXERCISE as SEQUENCE_NUMBERS
from .ex2_handshake import EXERCISE as HANDSHAKE
from .ex3_state_machine import EXERCISE as STATE_MACHINE
from .ex4_closing import EXERCISE as CLOSING
from .ex5_endpoint import EXERCISE as ENDPOINT

__all__ = ["EXERCISES", "exercise"]

EXERCISES: tuple[Exercise, ...] = (SEQUENCE_NUMBERS, HANDSHAKE, STATE_MACHINE, CLOSING, ENDPOINT)


def exercise(name: str) -> Exercise:
    """The exercise named ``name`` (its key, its number, or the file a learner edits)."""
    text = str(name).strip().lower().removesuffix(".py").replace("_", "-")
    for candidate in EXERCISES:
        if text in (candidate.key, str(candidate.number), candidate.module.replace("_", "-")):
            return candidate
    names = ", ".join(candidate.key for candidate in EXERCISES)
    raise KeyError(f"no exercise {name!r}: the exercises are {names}")
