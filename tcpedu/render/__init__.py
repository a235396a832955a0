"""Pictures drawn from tcpedu's own data: the state diagram (from the transition table, laid
out by Graphviz) and the ladder diagram (from a run's history, pure Python).

Both are SVG first; ``save("x.png")`` turns them into PNG with librsvg's ``rsvg-convert``.
A program a picture needs but the machine lacks is a ``DiagramError`` saying how to install
it; nothing else in tcpedu needs either program.

Each name is imported from its module when first used: a command that only needs the state
diagram's ``DETAILS`` (every command's option list offers them) loads no drawing code.
"""

from __future__ import annotations

import importlib

_MODULE_OF = {
    "DETAILS": "details",
    "SIDE_COLOURS": "colours",
    "DiagramError": "errors",
    "DiagramView": "state_diagram",
    "Ladder": "ladder",
    "Mark": "ladder",
    "ProfileComparison": "compare",
    "StateDiagram": "state_diagram",
    "arc_id": "state_diagram",
    "compare_profiles": "compare",
    "dot_source": "state_diagram",
    "fit_width": "template",
    "ladder_of": "ladder",
    "state_id": "state_diagram",
}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> object:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'tcpedu.render' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # found at once the next time
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_MODULE_OF])
