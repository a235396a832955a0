"""How hard a check looks: how many examples of each group, drawn from which seed.

A learner's check (``CHECK``) and an instructor's grading (``grading()``) run the same
properties; grading tries more examples, from the course's own seed, so a learner cannot pass
by tuning to the examples their check shows, yet every failure reproduces from its seed.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the command line reads the defaults without loading the checker
    from .exercise import Group

__all__ = ["CHECK", "GRADE_FACTOR", "GRADE_SEED", "Intensity", "grading"]


@dataclasses.dataclass(frozen=True)
class Intensity:
    """How hard to look: ``factor`` times each group's examples, from ``seed``."""

    name: str
    factor: float
    seed: int

    def count(self, group: Group) -> int:
        return max(1, round(group.examples * self.factor))


CHECK = Intensity("check", 1.0, 20260)
"""A learner's check in the notebook or with ``tcpedu check``."""


GRADE_SEED = 9293
"""The course's seed for grading (a learner's check uses CHECK's)."""
GRADE_FACTOR = 2.0
"""How many times a learner's check's examples grading tries."""


def grading(seed: int = GRADE_SEED, factor: float = GRADE_FACTOR) -> Intensity:
    """An instructor's grading: more examples, the course's own seed."""
    return Intensity("grade", factor, seed)
