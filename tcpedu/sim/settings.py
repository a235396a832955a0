"""The simulation's settings: what each one means, its unit and its range, in one place.

Scenario scripts (``msl 120``, ``client isn 1000``) and the Python API
(``sim.configure("msl", 120)``) both go through ``SETTINGS``, so a value out of range gets
the same message wherever it comes from.
"""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal, InvalidOperation

from ..core.profile import PROFILES, Profile
from ..core.segment import MAX_WINDOW

__all__ = ["MAX_CLIENTS", "SETTINGS", "SIDES", "Setting", "Settings", "client_names", "is_side", "seconds_to_us"]

SIDES = ("client", "server")
"""The two sides of every simulation; a script may name more clients (``client2``...)."""

MAX_CLIENTS = 16
"""Most clients a simulation holds: ``client``, ``client2`` ... ``client16``."""
_CLIENT = re.compile(r"client(?:[2-9]|1[0-6])?")


def is_side(name: str) -> bool:
    """True for ``server``, ``client`` and ``client2`` ... ``client16``."""
    return name == "server" or _CLIENT.fullmatch(name) is not None


def client_names(count: int) -> tuple[str, ...]:
    """The names of ``count`` clients: ``client``, ``client2``, ``client3``..."""
    return tuple("client" if number == 1 else f"client{number}" for number in range(1, count + 1))


_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")  # ASCII digits only: "²".isdigit() is True


MAX_DIGITS = 100
"""More digits than any number a script can mean (a 64-bit seed has 19)."""


def seconds_text(us: int) -> str:
    """Microseconds as seconds, written exactly: 120 for 120_000_000, 0.001 for 1_000."""
    return f"{(Decimal(us) / 1_000_000).normalize():f}"


def short(value: object) -> str:
    """A value as an error message shows it: a hundred digits or characters are not written out."""
    text = str(value)
    return text if len(text) <= 40 else f"{text[:12]}... ({len(text)} characters)"


def seconds_to_us(value: object, what: str = "a duration") -> int:
    """Seconds (a number or decimal text such as ``"1.5"``) as integer microseconds."""
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number of seconds, not {value!r}")
    try:
        seconds = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValueError(f"{what} must be a number of seconds, not {value!r}") from None
    if not seconds.is_finite():
        raise ValueError(f"{what} must be a finite number of seconds, not {value!r}")
    try:
        return int((seconds * 1_000_000).to_integral_value())
    except ArithmeticError:  # decimal.Overflow for 1e1000000 and the like
        raise ValueError(f"{what} is far too large: {value}") from None


@dataclasses.dataclass(frozen=True)
class Setting:
    """One setting: its name, whether it is per side, its unit and range, and what it does."""

    name: str
    per_side: bool
    seconds: bool
    low: int
    high: int
    help: str
    auto: bool = False
    profile: bool = False
    """A profile's name (``rfc``, ``linux``, ``rfc+SWITCH...``), not a number."""

    def coerce(self, value: object) -> int | str | None:
        """The value in internal units (microseconds for durations); ValueError if invalid."""
        if self.profile:
            return Profile.parse(str(value)).name
        if self.auto and (value is None or (isinstance(value, str) and value.strip().lower() == "auto")):
            return None
        if self.seconds:
            number = seconds_to_us(value, self.name)
            shown = seconds_text
            unit = " s"
        else:
            number = _integer(value, self.name)
            shown = str
            unit = ""
        if not self.low <= number <= self.high:
            raise ValueError(
                f"{self.name} must be between {shown(self.low)} and {shown(self.high)}{unit}, not {short(value)}"
            )
        return number


def _integer(value: object, name: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip().replace("_", "")
        if _WHOLE_NUMBER.fullmatch(text):
            # Python refuses to read an int of more than 4,300 digits; any setting's range ends far below.
            return int(text) if len(text.lstrip("0")) <= MAX_DIGITS else 10**MAX_DIGITS
    raise ValueError(f"{name} must be a whole number, not {value!r}")


SETTINGS: dict[str, Setting] = {
    spec.name: spec
    for spec in (
        Setting(
            "isn",
            per_side=True,
            seconds=False,
            low=0,
            high=2**32 - 1,
            auto=True,
            help="that side's ISS for its opens from now on; 'auto' for RFC 6528's generator",
        ),
        Setting("window", per_side=True, seconds=False, low=0, high=MAX_WINDOW, help="that side's RCV.WND"),
        Setting("msl", per_side=False, seconds=True, low=1_000, high=86_400_000_000, help="maximum segment lifetime"),
        Setting(
            "rto", per_side=False, seconds=True, low=1_000, high=120_000_000, help="initial retransmission timeout"
        ),
        Setting(
            "retries",
            per_side=False,
            seconds=False,
            low=0,
            high=100,
            help="retransmissions of any segment before a connection is given up (sets syn-retries and "
            "synack-retries too)",
        ),
        Setting(
            "syn-retries",
            per_side=False,
            seconds=False,
            low=0,
            high=100,
            help="retransmissions of a SYN before connect() gives up (the profile's: RFC 7, Linux 6 + 4 linear)",
        ),
        Setting(
            "synack-retries",
            per_side=False,
            seconds=False,
            low=0,
            high=100,
            help="retransmissions of a SYN,ACK before the half-open connection is given up (RFC 7, Linux 5)",
        ),
        Setting(
            "profile",
            per_side=False,
            seconds=False,
            low=0,
            high=0,
            profile=True,
            help=f"whose behaviour where Linux and RFC 9293 differ: {', '.join(PROFILES)}, or rfc+SWITCH",
        ),
        Setting(
            "backlog",
            per_side=False,
            seconds=False,
            low=1,
            high=65_535,
            help="the listening server's SYN queue: most half-open connections at once (a SYN beyond it is "
            "dropped); a script that sets it makes the server a host with a listener and a connection per client",
        ),
        Setting("mss", per_side=False, seconds=False, low=1, high=MAX_WINDOW, help="largest data segment"),
        Setting("seed", per_side=False, seconds=False, low=0, high=2**63 - 1, help="key of the ISN generator"),
    )
}


@dataclasses.dataclass
class Settings:
    """A simulation's settings, in internal units. Defaults are RFC 9293's."""

    msl: int = 120_000_000
    rto: int = 1_000_000
    retries: int | None = None
    """None: the profile's (RFC 6, Linux's tcp_retries2 15)."""
    syn_retries: int | None = None
    synack_retries: int | None = None
    profile: str = "rfc"
    mss: int = 536
    seed: int = 0
    backlog: int = 128
    """A listening host's SYN queue (``tcpedu.core.host.DEFAULT_BACKLOG``); a one-TCB server has none."""
    isn: dict[str, int | None] = dataclasses.field(default_factory=lambda: {"client": None, "server": None})
    window: dict[str, int] = dataclasses.field(default_factory=lambda: {"client": MAX_WINDOW, "server": MAX_WINDOW})

    def set(self, name: str, value: object, side: str | None = None) -> None:
        """Validate and store one setting (``side`` for per-side ones)."""
        name = name.replace("_", "-")
        spec = SETTINGS.get(name)
        if spec is None:
            raise ValueError(f"unknown setting {name!r}: the settings are {', '.join(SETTINGS)}")
        if spec.per_side:
            if side is None or not is_side(side):
                raise ValueError(f"{name} is set per side: say client or server (e.g. 'client {name} ...')")
        elif side is not None:
            raise ValueError(f"{name} applies to both sides: write '{name} ...' without {side}")
        number = spec.coerce(value)
        if spec.per_side:
            getattr(self, name)[side] = number
        else:
            setattr(self, name.replace("-", "_"), number)
        if name == "retries":  # every kind of segment
            self.syn_retries = self.synack_retries = number

    def copy(self) -> Settings:
        return dataclasses.replace(self, isn=dict(self.isn), window=dict(self.window))
