"""Packet captures: a run written out as pcap (``tcpedu export``), and a real capture read and
replayed through the engine (``tcpedu replay``). The reading and replaying modules are imported
when first used (``tcpedu run`` and the rest of the package never need them)."""

from .export import CAPTURE_POINTS, CaptureError, Frame, frames, write_pcap

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

_LAZY = {
    "Captured": "read",
    "read_capture": "read",
    "PROFILE_NAMES": "replay",
    "Connection": "replay",
    "Replay": "replay",
    "Step": "replay",
    "replay_file": "replay",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tcpedu.capture' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{module}", __name__), name)
