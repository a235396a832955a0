"""Packet captures: a run written out as pcap (``tcpedu export``)."""

from .export import CAPTURE_POINTS, CaptureError, Frame, frames, write_pcap

__all__ = ["CAPTURE_POINTS", "CaptureError", "Frame", "frames", "write_pcap"]
