"""Packet captures: a run written out as pcap (``tcpedu export``), and a real capture read and
replayed through the engine (``tcpedu replay``)."""

from .export import CAPTURE_POINTS, CaptureError, Frame, frames, write_pcap
from .read import Captured, read_capture
from .replay import PROFILE_NAMES, Connection, Replay, Step, replay_file

__all__ = [
    "CAPTURE_POINTS",
    "PROFILE_NAMES",
    "CaptureError",
    "Captured",
    "Connection",
    "Frame",
    "Replay",
    "Step",
    "frames",
    "read_capture",
    "replay_file",
    "write_pcap",
]
