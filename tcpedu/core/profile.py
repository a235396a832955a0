"""Profiles: how the engine behaves where real stacks and RFC 9293 differ, one named switch each.

The RFC profile (the default) is RFC 9293 with its companions (RFC 5961, RFC 6298). The Linux
profile turns on every switch, making the engine behave as Linux 6.x does (net/ipv4/tcp_*.c,
the defaults of its sysctls). A switch is either a number Linux uses in place of the RFC's, or a
different arc of the transition table (``transitions.SWITCHED_ARCS`` carries the switch's
name). ``Profile.parse("rfc+time-wait-60s")`` adds single switches to a profile, to study one
difference at a time.

Every switch says what RFC 9293 says, what Linux does, and where each says so, so the course
can show "RFC 9293 says / Linux does" from the same scenario.
"""

from __future__ import annotations

import dataclasses

__all__ = ["PROFILES", "SWITCHES", "Profile", "Switch"]


@dataclasses.dataclass(frozen=True)
class Switch:
    """One difference between RFC 9293 and Linux."""

    name: str
    rfc: str
    """What RFC 9293 (or a companion RFC) says, with its section."""
    linux: str
    """What Linux does instead, with the kernel function or sysctl."""


SWITCHES: dict[str, Switch] = {
    switch.name: switch
    for switch in (
        Switch(
            "time-wait-60s",
            "TIME-WAIT lasts 2*MSL, four minutes with MSL = 2 minutes (RFC 9293 3.3.2, 3.10.7.4)",
            "TIME-WAIT lasts TCP_TIMEWAIT_LEN, 60 seconds whatever the MSL (include/net/tcp.h)",
        ),
        Switch(
            "syn-linear-timeouts",
            "a SYN is retransmitted with the RTO doubled each time (RFC 6298 5.5), for at least 3 minutes "
            "(RFC 9293 MUST-23): 7 retransmissions, given up after 247 s with a 1 s initial RTO",
            "the first tcp_syn_linear_timeouts (4) retransmissions of a SYN keep the 1 s RTO, then it doubles; "
            "connect() gives up after tcp_syn_retries (6) more, 131 s in all (tcp_retransmit_timer)",
        ),
        Switch(
            "synack-retries-5",
            "a SYN,ACK is a SYN segment too: retransmitted for at least 3 minutes (RFC 9293 MUST-23)",
            "a SYN,ACK is retransmitted tcp_synack_retries (5) times, the request dropped after 63 s "
            "(reqsk_timer_handler)",
        ),
        Switch(
            "data-retries-15",
            "a data segment or FIN is given up after R2, at least 100 seconds (RFC 1122 4.2.3.5): "
            "6 retransmissions, 127 s with a 1 s RTO",
            "tcp_retries2 (15) retransmissions of a data segment or FIN before the connection is given up "
            "(the kernel turns the count into a time, about 15 minutes)",
        ),
        Switch(
            "rto-min-200ms",
            "the RTO is never below 1 second (RFC 6298 2.4)",
            "the RTO is never below TCP_RTO_MIN, 200 ms (include/net/tcp.h)",
        ),
        Switch(
            "resend-syn-ack",
            "a duplicate SYN in SYN-RECEIVED is outside the window: answered with an ACK (RFC 9293 3.10.7.4)",
            "a duplicate SYN in SYN-RECEIVED is answered by sending the SYN,ACK again (tcp_check_req)",
        ),
        Switch(
            "syn-ack-in-syn-received",
            "in a simultaneous open the peer's SYN,ACK is outside the window in SYN-RECEIVED: answered with "
            "an ACK; the peer's ACK then completes the open (RFC 9293 3.10.7.4)",
            "the peer's SYN,ACK completes the open: ESTABLISHED at once, and an ACK sent "
            "(tcp_validate_incoming, tcp_rcv_state_process)",
        ),
        Switch(
            "rst-ack-on-abort",
            "ABORT sends <SEQ=SND.NXT><CTL=RST> (RFC 9293 3.10.5)",
            "abort (close() with SO_LINGER 0) sends RST,ACK with ACK=RCV.NXT (tcp_send_active_reset)",
        ),
        Switch(
            "reset-data-after-close",
            "after CLOSE the user still receives: data in FIN-WAIT-1 and FIN-WAIT-2 is delivered "
            "(RFC 9293 3.10.4, 3.10.7.4)",
            "close() also ends receiving, as RFC 9293 3.6.1 allows (MAY-1): new data arriving in FIN-WAIT-1 or "
            "FIN-WAIT-2 is answered with a RST (SHLD-3) and the connection ends (tcp_rcv_state_process); "
            "shutdown(SHUT_WR) (the call shutdown) is the RFC's CLOSE",
        ),
        Switch(
            "fin-wait-2-timeout",
            "FIN-WAIT-2 waits for the peer's FIN for as long as it takes (RFC 9293 3.10.7.4)",
            "a connection closed with close() (not shutdown) leaves FIN-WAIT-2 silently after tcp_fin_timeout, "
            "60 s (tcp_set_state, tcp_fin_time)",
        ),
        Switch(
            "time-wait-reopen",
            "a SYN in TIME-WAIT gets a challenge ACK (RFC 5961 4.2)",
            "a SYN in TIME-WAIT whose SEQ is above RCV.NXT, on a listening port, opens a new connection with an "
            "ISS above the old SND.NXT (tcp_timewait_state_process; RFC 1122 4.2.2.13 allows it)",
        ),
    )
}

#: the numbers the switches stand for (microseconds for times)
TIME_WAIT_60S_US = 60_000_000
SYN_LINEAR_TIMEOUTS = 4
LINUX_SYN_RETRIES = 6
LINUX_SYNACK_RETRIES = 5
LINUX_DATA_RETRIES = 15
LINUX_RTO_MIN_US = 200_000
FIN_TIMEOUT_US = 60_000_000
RFC_SYN_RETRIES = 7  # the first count that lasts 3 minutes (MUST-23) from a 1 s RTO: gives up at 247 s
RFC_DATA_RETRIES = 6  # 127 s from a 1 s RTO: at least R2's 100 s (RFC 1122 4.2.3.5)


@dataclasses.dataclass(frozen=True)
class Profile:
    """A name and the switches it turns on."""

    name: str
    switches: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        unknown = sorted(self.switches - set(SWITCHES))
        if unknown:
            raise ValueError(f"unknown switch {unknown[0]!r}: the switches are {', '.join(SWITCHES)}")

    def __contains__(self, switch: str) -> bool:
        return switch in self.switches

    @property
    def syn_retries(self) -> int:
        """Retransmissions of a SYN before connect() gives up; Linux's linear ones come on top."""
        return LINUX_SYN_RETRIES if "syn-linear-timeouts" in self.switches else RFC_SYN_RETRIES

    @property
    def synack_retries(self) -> int:
        return LINUX_SYNACK_RETRIES if "synack-retries-5" in self.switches else RFC_SYN_RETRIES

    @property
    def data_retries(self) -> int:
        return LINUX_DATA_RETRIES if "data-retries-15" in self.switches else RFC_DATA_RETRIES

    @property
    def linear_syn_timeouts(self) -> int:
        """How many SYN retransmissions keep the initial RTO before it starts doubling."""
        return SYN_LINEAR_TIMEOUTS if "syn-linear-timeouts" in self.switches else 0

    @property
    def min_rto_us(self) -> int | None:
        """The RTO's floor in place of RFC 6298's 1 s, or None for the RFC's."""
        return LINUX_RTO_MIN_US if "rto-min-200ms" in self.switches else None

    def time_wait_us(self, msl_us: int) -> int:
        """How long TIME-WAIT lasts."""
        return TIME_WAIT_60S_US if "time-wait-60s" in self.switches else 2 * msl_us

    @classmethod
    def parse(cls, text: str) -> Profile:
        """``rfc``, ``linux``, or a profile with switches added: ``rfc+time-wait-60s``."""
        name, *added = (part.strip() for part in str(text).strip().lower().split("+"))
        base = PROFILES.get(name)
        if base is None:
            raise ValueError(f"unknown profile {name!r}: the profiles are {', '.join(PROFILES)}")
        if not added:
            return base
        if "" in added:
            raise ValueError(f"a switch name is missing in {text!r} (write e.g. rfc+time-wait-60s)")
        return cls("+".join((name, *added)), base.switches | frozenset(added))

    def __str__(self) -> str:
        return self.name


PROFILES: dict[str, Profile] = {
    "rfc": Profile("rfc"),
    "linux": Profile("linux", frozenset(SWITCHES)),
}
