"""Pictures drawn from tcpedu's own data: the state diagram (from the transition table, laid
out by Graphviz) and the ladder diagram (from a run's history, pure Python).

Both are SVG first; ``save("x.png")`` turns them into PNG with librsvg's ``rsvg-convert``.
A program a picture needs but the machine lacks is a ``DiagramError`` saying how to install
it; nothing else in tcpedu needs either program.
"""

from .colours import SIDE_COLOURS
from .compare import ProfileComparison, compare_profiles
from .errors import DiagramError
from .ladder import Ladder, Mark, ladder_of
from .state_diagram import DETAILS, DiagramView, StateDiagram, arc_id, dot_source, state_id
from .template import fit_width

__all__ = [
    "DETAILS",
    "SIDE_COLOURS",
    "DiagramError",
    "DiagramView",
    "Ladder",
    "Mark",
    "ProfileComparison",
    "StateDiagram",
    "arc_id",
    "compare_profiles",
    "dot_source",
    "fit_width",
    "ladder_of",
    "state_id",
]
