"""The retransmission timeout, computed as RFC 6298 says (with Karn's rule kept by the caller).

Times are integer microseconds. The initial RTO is a setting (1 s by default, RFC 6298 2.1);
each expiry doubles it (5.5) up to ``MAX_RTO_US``; a new RTT sample recomputes it (2.3).
"""

from __future__ import annotations

__all__ = ["MAX_RTO_US", "MIN_RTO_US", "RtoEstimator"]

MIN_RTO_US = 1_000_000  # RFC 6298 2.4: RTO SHOULD be rounded up to 1 second
MAX_RTO_US = 120_000_000  # RFC 6298 2.5 allows any maximum of at least 60 s; Linux uses 120 s
CLOCK_GRANULARITY_US = 1_000  # G in RFC 6298 2.2-2.3
SYN_DATA_PHASE_RTO_US = 3_000_000  # RFC 6298 5.7


class RtoEstimator:
    """SRTT, RTTVAR and RTO of one connection."""

    __slots__ = ("min_rto_us", "rto_us", "rttvar_us", "srtt_us")

    def __init__(self, initial_rto_us: int, floor_us: int | None = None):
        self.rto_us = initial_rto_us
        self.srtt_us: float | None = None
        self.rttvar_us: float | None = None
        # A learner who sets a smaller initial RTO wants to see it used; the 1 s floor of
        # RFC 6298 2.4 (or a profile's, Linux's 200 ms) applies otherwise.
        self.min_rto_us = min(initial_rto_us, MIN_RTO_US if floor_us is None else floor_us)

    def sample(self, rtt_us: int) -> None:
        """Fold in one round-trip time measurement (RFC 6298 2.2 and 2.3)."""
        if self.srtt_us is None or self.rttvar_us is None:
            self.srtt_us = float(rtt_us)
            self.rttvar_us = rtt_us / 2
        else:
            self.rttvar_us = 0.75 * self.rttvar_us + 0.25 * abs(self.srtt_us - rtt_us)
            self.srtt_us = 0.875 * self.srtt_us + 0.125 * rtt_us
        rto = self.srtt_us + max(CLOCK_GRANULARITY_US, 4 * self.rttvar_us)
        self.rto_us = min(MAX_RTO_US, max(self.min_rto_us, round(rto)))

    def back_off(self) -> None:
        """Double the RTO after an expiry (RFC 6298 5.5)."""
        self.rto_us = min(MAX_RTO_US, self.rto_us * 2)
