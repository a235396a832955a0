"""The simulator: two endpoints, the network between them, a virtual clock, and the history."""

from .history import RECORD_KINDS, Record
from .network import Network, Packet, other_side
from .settings import SETTINGS, SIDES, Setting, Settings, seconds_to_us
from .simulation import (
    CLIENT_ADDRESS,
    DELIVER_ALL_LIMIT,
    SERVER_ADDRESS,
    EndpointFactory,
    EndpointLike,
    Simulation,
)

__all__ = [
    "CLIENT_ADDRESS",
    "DELIVER_ALL_LIMIT",
    "RECORD_KINDS",
    "SERVER_ADDRESS",
    "SETTINGS",
    "SIDES",
    "EndpointFactory",
    "EndpointLike",
    "Network",
    "Packet",
    "Record",
    "Setting",
    "Settings",
    "Simulation",
    "other_side",
    "seconds_to_us",
]
