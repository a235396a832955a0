"""The core: states, segments, sequence arithmetic, the transition table and the engine.

Imports nothing outside the standard library and nothing from the rest of tcpedu.
"""

from .endpoint import Endpoint, EndpointConfig, Output, fill_bytes
from .errors import CallRefused, SimulationError, TcpeduError
from .isn import Address, IsnGenerator
from .notes import NOTE_TEXTS, Note
from .rules import ack_covering, reset_for, segment_acceptable, updates_window
from .segment import MAX_WINDOW, Flags, Segment
from .seqnum import SEQ_SPACE, in_window, seq_add, seq_ge, seq_gt, seq_le, seq_lt, seq_sub
from .states import State
from .tcb import TCB_FIELDS, Tcb
from .transitions import (
    ARCS,
    REFUSALS,
    USER_CALLS,
    Action,
    Arc,
    Condition,
    Event,
    EventKind,
    Refusal,
    arc_for,
    arcs_from,
    refusal_for,
)

__all__ = [
    "ARCS",
    "MAX_WINDOW",
    "NOTE_TEXTS",
    "REFUSALS",
    "SEQ_SPACE",
    "TCB_FIELDS",
    "USER_CALLS",
    "Action",
    "Address",
    "Arc",
    "CallRefused",
    "Condition",
    "Endpoint",
    "EndpointConfig",
    "Event",
    "EventKind",
    "Flags",
    "IsnGenerator",
    "Note",
    "Output",
    "Refusal",
    "Segment",
    "SimulationError",
    "State",
    "Tcb",
    "TcpeduError",
    "ack_covering",
    "arc_for",
    "arcs_from",
    "fill_bytes",
    "in_window",
    "refusal_for",
    "reset_for",
    "segment_acceptable",
    "seq_add",
    "seq_ge",
    "seq_gt",
    "seq_le",
    "seq_lt",
    "seq_sub",
    "updates_window",
]
