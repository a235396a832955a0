"""Scenario scripts: a small line format for what-ifs, exercises and self-checking runs.

::

    # comment: the first lines are the title and description; a line's comment narrates it
    #ko: 한국어: a '#ko:' line is the Korean of the English comment above it
    client isn 1000          # per side: isn N|auto, window N
    msl 120                  # both sides: msl S, rto S, retries N, syn-retries N, synack-retries N, mss N, seed N
    profile linux            # also: profile rfc (the default), profile rfc+time-wait-60s (one switch)
    server listen            # calls: listen, connect, send N|"text", close, abort, crash
    deliver                  # also: deliver all | deliver SIDE [K] | deliver K; drop, duplicate
    inject server RST,ACK seq=1001 ack=5001 len=0     # also wnd=N, data="text"
    wait 1.5                 # also: wait next (to the next timer)
    expect client ESTABLISHED snd.nxt=1001 server LISTEN inflight=0
    expect refused client send 10

A listening server with several clients (RFC 9293 3.10.7: a connection is "identified by the
pair of sockets"): naming ``client2`` (up to ``client16``), setting ``backlog N``, or naming one of
the server's connections makes the server a host, a listener (``server``) with a connection per
client (``server/client2``, or ``server/203.0.113.9:4000`` for an address no client has)::

    backlog 2                # the SYN queue: a SYN beyond it is dropped
    server listen            # the listener
    client2 connect          # client2 is 192.0.2.1:50001 (client is :50000)
    inject server SYN seq=7000 from=203.0.113.9:4000   # a spoofed SYN
    server/client2 send 100  # a call on one connection; 'server close' closes the listener
    expect server LISTEN server/client2 ESTABLISHED server syn-queue=1

``parse`` turns a whole file into commands before anything runs, so a malformed line is
reported (as ``FILE:LINE: what is wrong``) without half a run behind it.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import re
import warnings
from collections.abc import Mapping

from ..core.segment import MAX_WINDOW, Flags, Segment
from ..core.states import State
from ..core.transitions import USER_CALLS
from ..sim.host_side import CONNECTION_MARK, parse_address
from ..sim.settings import MAX_DIGITS, SETTINGS, SIDES, is_side, seconds_text, seconds_to_us, short

__all__ = [
    "EXPECT_VARIABLES",
    "Call",
    "Check",
    "Command",
    "Configure",
    "Expect",
    "ExpectRefused",
    "Inject",
    "NetworkAction",
    "ScenarioError",
    "Script",
    "Wait",
    "parse",
    "parties_of",
]

MAX_SEND = 10_000_000
MAX_WAIT_US = 10_000_000 * 1_000_000
MAX_CLOCK_US = 10**18  # about 31,700 years: further than any script's waits take the clock
NETWORK_VERBS = ("deliver", "drop", "duplicate")
_DIGITS = re.compile(r"[0-9]+")  # ASCII digits only: "²".isdigit() is True, int("²") fails

#: expect's per-side variables -> the snapshot key they compare with
EXPECT_VARIABLES = {
    "iss": "ISS",
    "irs": "IRS",
    "snd.una": "SND.UNA",
    "snd.nxt": "SND.NXT",
    "snd.wnd": "SND.WND",
    "rcv.nxt": "RCV.NXT",
    "rcv.wnd": "RCV.WND",
    "received": "received",
}
_HOST_EXPECTS = {"syn-queue": "half-open connections of the listening server (in SYN-RECEIVED)"}
_GLOBAL_EXPECTS = ("inflight", "time")
_SETTINGS_GLOBAL = [name for name, spec in SETTINGS.items() if not spec.per_side]
_SETTINGS_PER_SIDE = [name for name, spec in SETTINGS.items() if spec.per_side]
_VERBS = ("client", "server", *NETWORK_VERBS, "inject", "wait", "expect", *_SETTINGS_GLOBAL)


class ScenarioError(Exception):
    """A script that cannot be parsed or run; ``str()`` is ``FILE:LINE: message``."""

    def __init__(self, filename: str, line: int | None, message: str):
        self.filename = filename
        self.line = line
        self.message = message
        where = f"{filename}:{line}" if line is not None else filename
        super().__init__(f"{where}: {message}")


class _LineError(ValueError):
    """Raised while parsing one line; the parser adds the file and line number."""


@dataclasses.dataclass(frozen=True)
class Command:
    line: int
    text: str
    """The line as written, without its comment."""

    is_action = True
    """False for settings and checks, which make nothing happen in the simulation."""


@dataclasses.dataclass(frozen=True)
class Configure(Command):
    name: str
    value: str
    side: str | None

    is_action = False


@dataclasses.dataclass(frozen=True)
class Call(Command):
    side: str
    call: str
    data: bytes | int | None = None


@dataclasses.dataclass(frozen=True)
class NetworkAction(Command):
    verb: str
    """deliver, drop or duplicate."""
    every: bool = False
    """``deliver all``: until nothing is in flight (``drop all``/``duplicate all``: each one)."""
    sender: str | None = None
    nth: int = 1


@dataclasses.dataclass(frozen=True)
class Inject(Command):
    side: str
    segment: Segment
    sender: str | None = None
    """``from=``: a client's name or an ``address:port`` (to a listening server only)."""


@dataclasses.dataclass(frozen=True)
class Wait(Command):
    duration_us: int | None
    """None for ``wait next``."""


@dataclasses.dataclass(frozen=True)
class Check:
    side: str | None
    name: str
    """"state", a key of EXPECT_VARIABLES, "inflight" or "time"."""
    expected: object

    def describe(self) -> str:
        if self.name == "state":
            return f"{self.side} {self.expected}"
        value = "none" if self.expected is None else self.expected
        if self.name == "time":
            value = seconds_text(self.expected)
        prefix = f"{self.side} " if self.side else ""
        return f"{prefix}{self.name}={value}"


@dataclasses.dataclass(frozen=True)
class Expect(Command):
    checks: tuple[Check, ...]

    is_action = False


@dataclasses.dataclass(frozen=True)
class ExpectRefused(Command):
    side: str
    call: str
    data: bytes | int | None = None

    is_action = False


@dataclasses.dataclass(frozen=True)
class Script:
    """A parsed script: where it came from, its commands in order, and its words: the title,
    the description and each action line's narration, in English and Korean (``#ko:`` lines)."""

    filename: str
    commands: tuple[Command, ...]
    title: str = ""
    """The first comment line of the file."""
    description: str = ""
    """The comment lines after the title, up to the first line that is not a comment."""
    title_ko: str = ""
    description_ko: str = ""
    narration: Mapping[int, tuple[str, str]] = dataclasses.field(default_factory=dict)
    """Action line number -> what it does, (English, Korean): the comment on the line, the
    comment lines and settings' comments just before it, and the comments of the ``expect``
    lines after it (which say what it did)."""
    clients: int = 1
    """How many clients the script names: client7 named means seven (``client`` ... ``client7``)."""
    host: bool = False
    """True where the server is a listening host: the script names a second client, sets
    ``backlog`` or names a connection of the server (``server/client``)."""

    @property
    def titles(self) -> tuple[str, str]:
        """The title as (English, Korean)."""
        return (self.title, self.title_ko)

    @property
    def descriptions(self) -> tuple[str, str]:
        return (self.description, self.description_ko)

    def narration_of(self, command: Command) -> tuple[str, str]:
        """What the script says ``command`` does, (English, Korean); empty strings if nothing."""
        return self.narration.get(command.line, ("", ""))


# ----------------------------------------------------------------------------------------------
# Tokens

_QUOTED_TEXT = r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'"""
_QUOTED = re.compile(_QUOTED_TEXT)  # one quoted text, nothing around it
_TOKEN = re.compile(rf"""(?:[^\s#"']|{_QUOTED_TEXT})+""")


def _tokens(line: str) -> tuple[list[str], str, str]:
    """The line's tokens, its text without the comment, and the comment (without its '#')."""
    if '"' in line or "'" in line:
        return _tokens_with_quotes(line)
    # Most lines: words between white space, up to a '#' (what the scan below finds, sooner).
    text, _, comment = line.partition("#")
    return text.split(), text.strip(), comment.strip()


def _tokens_with_quotes(line: str) -> tuple[list[str], str, str]:
    """``_tokens`` of a line with quotes: a '#' or a space inside a quoted text is the text's."""
    tokens: list[str] = []
    position = 0
    end = len(line)
    while position < end:
        char = line[position]
        if char.isspace():
            position += 1
            continue
        if char == "#":
            end = position
            break
        match = _TOKEN.match(line, position)
        if match is None or match.end() == position:
            raise _LineError(f"unterminated quote: {line[position:].strip()}")
        tokens.append(match.group())
        position = match.end()
    return tokens, line[:end].strip(), line[end + 1 :].strip()


def _text_literal(token: str, what: str) -> bytes:
    if not _QUOTED.fullmatch(token):
        raise _LineError(f'{what} must be a number or a quoted text like "hello", not {short(token)}')
    try:
        with warnings.catch_warnings():  # "\d" and the like: a warning on stderr (3.11: Deprecation)
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            value = ast.literal_eval(token)
    except (SyntaxError, ValueError):
        raise _LineError(f"cannot read the text {token}") from None
    if not isinstance(value, str):
        raise _LineError(f"{what}: {token} is not a text")
    try:
        data = value.encode("utf-8")
    except UnicodeEncodeError:
        raise _LineError(f"{what}: {token} holds a character that is not valid text (a lone surrogate)") from None
    if not data:
        raise _LineError(f"{what}: the text is empty")
    return data


def _number(token: str, what: str, low: int, high: int) -> int:
    text = token.replace("_", "")
    if not _DIGITS.fullmatch(text):
        raise _LineError(f"{what} must be a whole number, not {token!r}")
    if len(text.lstrip("0")) > MAX_DIGITS:  # Python reads no int of over 4,300 digits; no range ends near
        raise _LineError(f"{what} must be between {low} and {high}, not {short(token)}")
    value = int(text)
    if not low <= value <= high:
        raise _LineError(f"{what} must be between {low} and {high}, not {value}")
    return value


def _unknown(word: str, choices: list[str] | tuple[str, ...], what: str) -> _LineError:
    close = difflib.get_close_matches(word.lower(), list(choices), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return _LineError(f"unknown {what} {word!r}{hint}; expected one of: {', '.join(choices)}")


# ----------------------------------------------------------------------------------------------
# Lines


def _parse_line(number: int, tokens: list[str], text: str) -> Command:
    verb = tokens[0].lower()
    args = tokens[1:]
    if is_side(verb) or _is_connection(verb):
        return _parse_side_line(number, text, verb, args)
    if verb in NETWORK_VERBS:
        return _parse_network(number, text, verb, args)
    if verb == "inject":
        return _parse_inject(number, text, args)
    if verb == "wait":
        return _parse_wait(number, text, args)
    if verb == "expect":
        return _parse_expect(number, text, args)
    if verb in SETTINGS:
        if SETTINGS[verb].per_side:
            raise _LineError(f"{verb} is set per side: write 'client {verb} ...' or 'server {verb} ...'")
        return _parse_setting(number, text, verb, args, None)
    raise _unknown(tokens[0], _VERBS, "command")


def _is_connection(name: str) -> bool:
    """``server/client2`` or ``server/203.0.113.9:4000``: a listening server's connection."""
    owner, mark, peer = name.partition(CONNECTION_MARK)
    if not mark or owner != "server":
        return False
    if peer.startswith("client"):
        if not is_side(peer):
            raise _LineError(f"no client {peer!r} in {name}: the clients are client, client2 ... client16")
        return True
    try:
        parse_address(peer)
    except ValueError as error:
        raise _LineError(f"{name}: {error}") from None
    return True


def _parse_side_line(number: int, text: str, side: str, args: list[str]) -> Command:
    if not args:
        raise _LineError(f"what should the {side} do? e.g. '{side} connect'")
    word = args[0].lower()
    rest = args[1:]
    if word in SETTINGS:
        if CONNECTION_MARK in side:
            raise _LineError(f"settings are the server's, not one connection's: write 'server {word} ...'")
        if not SETTINGS[word].per_side:
            raise _LineError(f"{word} applies to both sides: write '{word} ...' without '{side}'")
        return _parse_setting(number, text, word, rest, side)
    call, data = _parse_call(side, args)
    return Call(number, text, side, call, data)


def _parse_call(side: str, args: list[str]) -> tuple[str, bytes | int | None]:
    word = args[0].lower()
    rest = args[1:]
    if word not in USER_CALLS:
        raise _unknown(args[0], [*USER_CALLS, *_SETTINGS_PER_SIDE], f"word after {side}:")
    if word == "send":
        if len(rest) != 1:
            raise _LineError('send takes one argument: a number of octets or a quoted text ("hello")')
        token = rest[0]
        if token[0] in "\"'":
            return word, _text_literal(token, "send")
        return word, _number(token, "send", 1, MAX_SEND)
    if rest:
        raise _LineError(f"{word} takes no argument, but got {' '.join(rest)!r}")
    return word, None


def _parse_setting(number: int, text: str, name: str, args: list[str], side: str | None) -> Configure:
    spec = SETTINGS[name]
    if len(args) != 1:
        raise _LineError(f"{name} takes one value: {spec.help}")
    try:
        spec.coerce(args[0])
    except ValueError as error:
        raise _LineError(str(error)) from None
    return Configure(number, text, name, args[0], side)


def _parse_network(number: int, text: str, verb: str, args: list[str]) -> NetworkAction:
    if not args:
        return NetworkAction(number, text, verb)
    first = args[0].lower()
    if first == "all":
        if len(args) > 1:
            raise _LineError(f"'{verb} all' takes nothing after it")
        return NetworkAction(number, text, verb, every=True)
    if is_side(first):
        if len(args) > 2:
            raise _LineError(f"too many words: '{verb} {first} K' picks the K-th oldest from the {first}")
        nth = _number(args[1], f"{verb}'s count", 1, 1_000_000) if len(args) == 2 else 1
        return NetworkAction(number, text, verb, sender=first, nth=nth)
    if first.isdigit():
        if len(args) > 1:
            raise _LineError(f"too many words: '{verb} K' picks the K-th oldest segment in flight")
        return NetworkAction(number, text, verb, nth=_number(first, f"{verb}'s count", 1, 1_000_000))
    raise _unknown(args[0], ("all", *SIDES), f"word after {verb}:")


_INJECT_FIELDS = ("seq", "ack", "len", "wnd", "data", "from")


def _parse_inject(number: int, text: str, args: list[str]) -> Inject:
    if len(args) < 2 or not is_side(args[0].lower()):
        raise _LineError("write 'inject SIDE FLAGS seq=N [ack=N] [len=N] [wnd=N]', e.g. 'inject server RST seq=1001'")
    side = args[0].lower()
    try:
        flags = Flags.parse(args[1])
    except ValueError as error:
        raise _LineError(str(error)) from None
    fields: dict[str, str] = {}
    for token in args[2:]:
        key, equals, value = token.partition("=")
        key = key.lower()
        if not equals or not value:
            raise _LineError(f"expected field=value after the flags, not {token!r}")
        if key not in _INJECT_FIELDS:
            raise _unknown(key, _INJECT_FIELDS, "field")
        if key in fields:
            raise _LineError(f"{key} is given twice")
        fields[key] = value
    if "seq" not in fields:
        raise _LineError("inject needs seq=N")
    sender = fields.get("from")
    if sender is not None:
        if side != "server":
            raise _LineError(f"from= names a source for the server; the {side} hears from the server only")
        if not is_side(sender) or sender == "server":
            try:
                parse_address(sender)
            except ValueError as error:
                raise _LineError(f"from={sender}: name a client or an address: {error}") from None
    seq = _number(fields["seq"], "seq", 0, 2**32 - 1)
    ack = _number(fields["ack"], "ack", 0, 2**32 - 1) if "ack" in fields else 0
    if flags & Flags.ACK and "ack" not in fields:
        raise _LineError("the ACK flag is set: give the acknowledgment number with ack=N")
    wnd = _number(fields["wnd"], "wnd", 0, MAX_WINDOW) if "wnd" in fields else MAX_WINDOW
    if "data" in fields and "len" in fields:
        raise _LineError('give either len=N or data="text", not both')
    if "data" in fields:
        data = _text_literal(fields["data"], "data")
    else:
        length = _number(fields["len"], "len", 0, MAX_WINDOW) if "len" in fields else 0
        data = b"x" * length
    return Inject(number, text, side, Segment(seq, ack, flags, wnd, data), sender)


def _parse_wait(number: int, text: str, args: list[str]) -> Wait:
    if len(args) != 1:
        raise _LineError("wait takes one value: seconds (e.g. 'wait 1.5') or 'next'")
    if args[0].lower() == "next":
        return Wait(number, text, None)
    try:
        duration = seconds_to_us(args[0], "wait")
    except ValueError as error:
        raise _LineError(str(error)) from None
    if not 0 <= duration <= MAX_WAIT_US:
        raise _LineError(f"wait must be between 0 and {MAX_WAIT_US // 1_000_000} seconds, not {short(args[0])}")
    return Wait(number, text, duration)


def _parse_expect(number: int, text: str, args: list[str]) -> Command:
    if args and args[0].lower() == "refused":
        if len(args) < 3 or not (is_side(args[1].lower()) or _is_connection(args[1].lower())):
            raise _LineError("write 'expect refused SIDE CALL', e.g. 'expect refused client send 10'")
        side = args[1].lower()
        if args[2].lower() not in USER_CALLS:
            raise _unknown(args[2], list(USER_CALLS), f"call after 'expect refused {side}':")
        call, data = _parse_call(side, args[2:])
        return ExpectRefused(number, text, side, call, data)
    checks: list[Check] = []
    side: str | None = None
    side_checked = True
    for token in args:
        word = token.lower()
        if is_side(word) or _is_connection(word):
            if not side_checked:
                raise _LineError(f"nothing to check for the {side}: write a state or variable after it")
            side = word
            side_checked = False
            continue
        side_checked = True
        key, equals, value = word.partition("=")
        if equals:
            key = "inflight" if key == "in-flight" else key
            if key in _GLOBAL_EXPECTS:
                if key == "time":
                    try:
                        at = seconds_to_us(value, "time")
                    except ValueError as error:
                        raise _LineError(str(error)) from None
                    if not 0 <= at <= MAX_CLOCK_US:
                        raise _LineError(
                            f"time must be between 0 (the clock starts at 0) and {seconds_text(MAX_CLOCK_US)} seconds,"
                            f" not {short(value)}"
                        )
                    checks.append(Check(None, "time", at))
                else:
                    checks.append(Check(None, key, _number(value, key, 0, 1_000_000)))
                continue
            if key in _HOST_EXPECTS:
                if side != "server":
                    raise _LineError(f"{key} is the listening server's: write 'expect server {key}={value}'")
                checks.append(Check(side, key, _number(value, key, 0, 1_000_000)))
                continue
            if key not in EXPECT_VARIABLES:
                raise _unknown(key, [*EXPECT_VARIABLES, *_HOST_EXPECTS, *_GLOBAL_EXPECTS], "variable")
            if side is None:
                raise _LineError(f"whose {key}? write 'expect client {key}={value}'")
            expected = None if value == "none" else _number(value, key, 0, 2**32 - 1)
            checks.append(Check(side, key, expected))
            continue
        if side is None:
            raise _LineError(f"whose state is {token}? write 'expect client {token.upper()}'")
        try:
            state = State.parse(token)
        except ValueError as error:
            raise _LineError(str(error)) from None
        checks.append(Check(side, "state", state))
    if not checks:
        raise _LineError("expect what? e.g. 'expect client ESTABLISHED server ESTABLISHED'")
    if not side_checked:
        raise _LineError(f"nothing to check for the {side}: write a state or variable after it")
    return Expect(number, text, tuple(checks))


# ----------------------------------------------------------------------------------------------
# Files


def parse(text: str, filename: str = "<script>") -> Script:
    """Parse a whole script; raise ScenarioError naming the first bad line."""
    commands: list[Command] = []
    header: dict[str, list[str]] = {"en": [], "ko": []}
    words = _Narration()
    in_header = True
    # Lines end at "\n" only (and a "\r" before it), as editors and grep -n count them;
    # str.splitlines would also split at form feeds and other separators.
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for number, raw in enumerate((line.removesuffix("\r") for line in lines), start=1):
        stripped = raw.strip()
        if in_header:
            if stripped.startswith("#"):
                lang, comment = _language_of(stripped[1:].strip())
                header[lang].append(comment)
                continue
            if not stripped and not header["en"] and not header["ko"]:
                continue  # blank lines before the title (a script written as a """ string)
            in_header = False
        try:
            tokens, without_comment, comment = _tokens(raw)
            if tokens:
                command = _parse_line(number, tokens, without_comment)
                commands.append(command)
                words.command(command, *_language_of(comment))
            elif stripped.startswith("#"):
                words.comment(*_language_of(comment))
        except _LineError as error:
            raise ScenarioError(filename, number, str(error)) from None
    title = header["en"][0] if header["en"] else ""
    title_ko = header["ko"][0] if header["ko"] else ""
    description = " ".join(line for line in header["en"][1:] if line)
    description_ko = " ".join(line for line in header["ko"][1:] if line)
    clients, host = parties_of(commands)
    return Script(filename, tuple(commands), title, description, title_ko, description_ko, words.done(), clients, host)


def parties_of(commands: list[Command]) -> tuple[int, bool]:
    """How many clients the commands name, and whether the server must be a listening host."""
    named: set[str] = set()
    host = False
    for command in commands:
        if isinstance(command, Configure):
            host = host or command.name == "backlog"
            if command.side:
                named.add(command.side)
        elif isinstance(command, (Call, Inject, ExpectRefused)):
            named.add(command.side)
            if isinstance(command, Inject) and command.sender:
                named.add(command.sender)
        elif isinstance(command, NetworkAction) and command.sender:
            named.add(command.sender)
        elif isinstance(command, Expect):
            named.update(check.side for check in command.checks if check.side)
            host = host or any(check.name in _HOST_EXPECTS for check in command.checks)
    clients = 1
    for name in named:
        if CONNECTION_MARK in name:
            host = True
            name = name.partition(CONNECTION_MARK)[2]
        if name.startswith("client") and is_side(name):
            clients = max(clients, int(name[6:] or 1))
        elif name != "server":
            host = True  # a spoofed source address
    return clients, host or clients > 1


def _language_of(comment: str) -> tuple[str, str]:
    """("ko", text) for a '#ko:' comment, ("en", text) for any other."""
    if comment[:3].lower() == "ko:":
        return "ko", comment[3:].strip()
    return "en", comment


class _Narration:
    """Collects comments into each action line's narration while a script is parsed: comment
    lines and settings' comments lead into the next action line; an ``expect`` line's comment
    says what the action before it did; a ``#ko:`` line goes with the English just above it."""

    def __init__(self) -> None:
        self.texts: dict[int, tuple[list[str], list[str]]] = {}
        self.lead: tuple[list[str], list[str]] = ([], [])
        self.action: int | None = None
        self.last: tuple[list[str], list[str]] = self.lead

    def comment(self, lang: str, text: str) -> None:
        if lang == "en":
            self.last = self.lead
        if text:
            self.last[lang == "ko"].append(text)

    def command(self, command: Command, lang: str, text: str) -> None:
        if command.is_action:
            self.texts[command.line] = self.lead
            self.lead = ([], [])
            self.action = command.line
            self.last = self.texts[command.line]
        elif isinstance(command, (Expect, ExpectRefused)) and self.action is not None:
            self.last = self.texts[self.action]
        else:
            self.last = self.lead
        if text:
            self.last[lang == "ko"].append(text)

    def done(self) -> dict[int, tuple[str, str]]:
        return {line: (" ".join(en), " ".join(ko)) for line, (en, ko) in self.texts.items() if en or ko}
