"""The ``tcpedu`` command: a thin layer over the library.

Exit status: 0 when all went well, 1 when a scenario's ``expect`` failed, 2 for anything the
user must fix (a bad line, a missing file, a refused call, a file that cannot be written, a
mistyped option). Errors are one line on stderr, naming the file and line or what was wrong;
never a traceback. ``main`` turns every error into that line, whichever subcommand raised it.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NoReturn

from . import __version__
from .capture.export import CAPTURE_POINTS
from .core.states import State
from .core.transitions import ARCS, REFUSALS, SWITCHED_ARCS
from .forked import jobs_worth_forking
from .grade.commands import CommandError, run_check, run_exercises, run_grade
from .grade.commands import add_commands as add_exercise_commands
from .render.details import DETAILS
from .scenario import (
    ScenarioError,
    closest_scenario,
    format_trace,
    parse,
    run_script,
    run_to_json,
    scenario_names,
    scenario_source,
    simulation_for,
)
from .scenario.script import Script
from .sim.simulation import Simulation
from .words import LANGUAGES, describe_state

__all__ = ["main"]

EXIT_OK = 0
EXIT_EXPECT_FAILED = 1
EXIT_USAGE = 2

SCENARIO_HELP = "a script file, '-' for standard input, or a name from 'tcpedu list'"


class _UserError(Exception):
    """Something the user must fix; the message is printed as it is."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistyped command line is one line (no usage block), handled by ``main``."""

    def error(self, message: str):
        command = self.prog.partition(" ")[2]  # "draw" for "tcpedu draw"; "" for tcpedu itself
        where = f"{command}: " if command else ""
        raise _UserError(f"{where}{message} (see '{self.prog} --help')")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tcpedu",
        description="Play with TCP's connection state machine (RFC 9293): run scenario scripts.",
    )
    parser.add_argument("--version", action="version", version=f"tcpedu {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    run = commands.add_parser("run", help="run a scenario file or a named scenario and show what happened")
    run.add_argument("scenario", help=SCENARIO_HELP)
    run.add_argument("--json", action="store_true", help="print one JSON object instead of the trace")
    run.add_argument("--verbose", "-v", action="store_true", help="also explain every ordinary ACK")
    run.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the trace's words")

    commands.add_parser("list", help="list the named scenarios")

    show = commands.add_parser("show", help="print a named scenario's script (to copy and change)")
    show.add_argument("name")

    draw = commands.add_parser(
        "draw",
        help="draw a run's ladder diagram or the state diagram as SVG or PNG",
        description="Run a scenario and draw it: the ladder diagram of the run, or RFC 9293's state "
        "diagram with both sides' states and last transitions highlighted.",
    )
    draw.add_argument("scenario", help=SCENARIO_HELP)
    draw.add_argument(
        "--diagram", choices=("ladder", "state"), default="ladder", help="which picture (default: ladder)"
    )
    draw.add_argument(
        "-o", "--output", metavar="FILE", help="write FILE.svg or FILE.png (default: the SVG on standard output)"
    )
    draw.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the words around the protocol")
    draw.add_argument("--relative", action="store_true", help="ladder: seq and ack counted from each side's ISN")
    draw.add_argument(
        "--detail", choices=DETAILS, default="figure", help="state diagram: which arcs to draw (default: figure)"
    )
    draw.add_argument(
        "--side", choices=("client", "server", "both"), default="both", help="state diagram: whose state to highlight"
    )
    draw.add_argument("--upto", type=int, metavar="LINE", help="draw the run as it was after line LINE of the script")
    draw.add_argument(
        "--connection", type=int, default=1, metavar="N", help="capture: which connection to draw (default: 1)"
    )

    export = commands.add_parser(
        "export",
        help="run a scenario and write its packets as a capture (pcap) for Wireshark or tshark",
        description="Run a scenario and write every segment as an Ethernet/IPv4/TCP packet with correct "
        "checksums, the simulation's addresses and ports, and the simulated clock as timestamps.",
    )
    export.add_argument("scenario", help=SCENARIO_HELP)
    export.add_argument("-o", "--output", metavar="FILE", required=True, help="the capture to write (FILE.pcap)")
    export.add_argument(
        "--at",
        choices=CAPTURE_POINTS,
        default="sender",
        help="where the capture is taken: beside each sender (every segment once, when sent, lost ones "
        "included; the default), or tcpdump on the client or the server (what reached it, as it arrived)",
    )

    replay = commands.add_parser(
        "replay",
        help="replay a real capture (pcap, pcapng) through the engine: both ends' states at every packet",
        description="Read a capture, follow each TCP connection in it, and run both ends through the engine: "
        "each packet with both ends' states as the engine infers them, and a mark (!) wherever the real "
        "stack did what the engine would not, with the rule.",
    )
    replay.add_argument("capture", help="a pcap or pcapng file (Ethernet, Linux cooked, raw IP or loopback)")
    replay.add_argument(
        "--profile",
        metavar="PROFILE",
        default="rfc",
        help="the engine's profile: rfc (RFC 9293, the default), linux (Linux 6.x), or rfc+SWITCH",
    )
    replay.add_argument("--json", action="store_true", help="print one JSON object instead of the text")
    replay.add_argument("--verbose", "-v", action="store_true", help="also print the engines' notes at every packet")
    replay.add_argument(
        "--jobs",
        "-j",
        type=_positive,
        default=None,
        metavar="N",
        help="processes replaying its connections at once (default: 2 for a capture over 16 MB, if there are 2 cores)",
    )

    table = commands.add_parser("table", help="print the transition table (RFC 9293 Figure 5 and more)")
    table.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the state descriptions")
    for command in (run, draw, export):
        command.add_argument(
            "--profile",
            metavar="PROFILE",
            help="run as RFC 9293 says (rfc, the default) or as Linux does (linux), or rfc+SWITCH; "
            "a 'profile' line in the script still counts from where it stands",
        )
        for side in ("client", "server"):
            command.add_argument(
                f"--{side}",
                metavar="FILE",
                help=f"play the {side} with your endpoint (exercise 5): FILE's class Endpoint, or FILE:CLASS",
            )
    add_exercise_commands(commands, LANGUAGES)
    return parser


def _load(argument: str) -> Script:
    if argument == "-":
        stream = getattr(sys.stdin, "buffer", None)  # bytes where there are bytes (not a StringIO)
        text = _decoded(stream.read(), "standard input") if stream is not None else sys.stdin.read()
        return parse(text, "<stdin>")
    path = Path(argument)
    try:
        exists = path.exists()
    except OSError as error:  # a name too long for the file system, say
        raise _UserError(f"{argument[:80]}: cannot look for it ({error.strerror})") from None
    if exists:
        try:
            data = path.read_bytes()
        except IsADirectoryError:
            raise _UserError(f"{argument}: is a directory, not a scenario file") from None
        except OSError as error:
            raise _UserError(f"{argument}: cannot read it ({error.strerror})") from None
        return parse(_decoded(data, argument), argument)
    try:
        return parse(scenario_source(argument), argument)
    except KeyError:
        raise _UserError(f"no file or named scenario {argument!r}{_did_you_mean(argument)}") from None


def _did_you_mean(name: str) -> str:
    """``" (did you mean 'three-way-handshake'?)"`` for a close misspelling of a named scenario,
    else where to find the names."""
    close = closest_scenario(name)
    if close is not None:
        return f" (did you mean {close!r}? 'tcpedu list' shows them all)"
    return " (run 'tcpedu list' to see the named ones)"


def _decoded(data: bytes, where: str) -> str:
    """Script bytes as text: UTF-8, with the byte-order mark some editors write dropped."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _UserError(f"{where}: not a text file (scenario files are UTF-8 text)") from None


def _simulation(args: argparse.Namespace, script: Script) -> Simulation:
    """A simulation with the parties ``script`` names, and the learner's endpoints where
    ``--client``/``--server`` name them."""
    endpoints = {}
    for side in ("client", "server"):
        spec = getattr(args, side)
        if spec is not None:
            from .grade.api import endpoint_class

            try:
                endpoints[side] = endpoint_class(spec)
            except ValueError as error:
                raise _UserError(f"--{side} {error}") from None
    if script.host and "server" in endpoints:
        raise _UserError(
            f"--server: {script.filename} needs a listening server with a connection per client, "
            "which is the reference engine's"
        )
    options = {} if args.profile is None else {"profile": args.profile}
    try:
        return simulation_for(script, endpoints=endpoints, **options)
    except ValueError as error:
        raise _UserError(f"--profile: {error}") from None


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cyclic garbage collector paused: a run's history is hundreds of thousands of small
    objects that live until the process ends, and each collection would walk all of them again
    (half the time of a long run). Nothing is lost: objects without cycles are freed as ever."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _json_bytes(data: object) -> bytes:
    """``data`` as one line of compact JSON, UTF-8, with its newline. orjson writes a run of tens
    of megabytes about eight times faster than the standard library, the same text."""
    import orjson

    return orjson.dumps(data, option=orjson.OPT_APPEND_NEWLINE)


def _write_bytes(pieces: Iterable[bytes]) -> None:
    """UTF-8 text, in ``pieces`` (each written as it comes), on standard output."""
    binary = getattr(sys.stdout, "buffer", None)
    sys.stdout.flush()
    for piece in pieces:
        if binary is None:  # a text-only stream (redirected in a program)
            sys.stdout.write(piece.decode())
        else:
            binary.write(piece)
    if binary is not None:
        binary.flush()


def _run(args: argparse.Namespace) -> int:
    with _without_cycle_collection():
        script = _load(args.scenario)
        run = run_script(script, _simulation(args, script))
        _leave_to_exit(args, run)
        if args.json:
            _write_bytes(run_to_json(run, jobs=jobs_worth_forking()))
        else:
            print(format_trace(run, verbose=args.verbose, lang=args.lang))
    if run.error is not None:
        print(f"tcpedu: {run.error}", file=sys.stderr)
        return EXIT_USAGE
    if run.failure is not None:
        line = run.failure.command.line
        print(f"tcpedu: {script.filename}:{line}: {run.failure.message}", file=sys.stderr)
        return EXIT_EXPECT_FAILED
    return EXIT_OK


def _draw(args: argparse.Namespace) -> int:
    from .render import DiagramError, Ladder, StateDiagram
    from .render.tools import save_picture

    if _is_capture(args.scenario):
        return _draw_capture(args)
    script = _load(args.scenario)
    run = run_script(script, _simulation(args, script))
    if run.error is not None:
        raise _UserError(f"{run.error} (nothing drawn)")
    steps = run.steps
    if args.upto is not None:
        lines = [step.command.line for step in steps]
        if args.upto < 1 or not lines or args.upto < lines[0]:
            first = lines[0] if lines else None
            raise _UserError(f"--upto {args.upto}: the first action of {script.filename} is on line {first}")
        steps = [step for step in steps if step.command.line <= args.upto]
    records = [record for step in steps for record in step.records]
    try:
        if args.diagram == "ladder":
            svg = Ladder(records, lang=args.lang, relative=args.relative, title=script.title).svg()
        else:
            diagram = StateDiagram(args.detail, args.lang)
            sides = ("client", "server") if args.side == "both" else (args.side,)
            if records:
                svg = diagram.view_of(records[-1], sides).svg
            else:
                svg = diagram.view({side: State.CLOSED for side in sides}).svg
        if args.output is None:
            sys.stdout.write(svg)
        else:
            with _writing(args.output) as output:
                save_picture(svg, output)
    except DiagramError as error:
        raise _UserError(str(error)) from None
    if run.failure is not None:
        line = run.failure.command.line
        print(f"tcpedu: {script.filename}:{line}: {run.failure.message} (drawn up to there)", file=sys.stderr)
        return EXIT_EXPECT_FAILED
    return EXIT_OK


def _draw_capture(args: argparse.Namespace) -> int:
    from .capture import CaptureError
    from .capture.replay import replay_file
    from .capture.show import records_of_connection
    from .render import DiagramError, Ladder, Mark
    from .render.tools import save_picture

    if args.diagram != "ladder" or args.upto is not None:
        raise _UserError("draw: a capture is drawn as a ladder diagram (no --diagram state, no --upto)")
    try:
        replay = replay_file(args.scenario, profile=args.profile or "rfc", keep_details=True)
    except CaptureError as error:
        raise _UserError(str(error)) from None
    except ValueError as error:
        raise _UserError(f"--profile: {error}") from None
    if not replay.connections:
        raise _UserError(f"{args.scenario}: no TCP connection in the capture (nothing drawn)")
    number = args.connection
    if not 1 <= number <= len(replay.connections):
        raise _UserError(f"--connection {number}: {args.scenario} has connections 1 to {len(replay.connections)}")
    connection = replay.connections[number - 1]
    # Packets where the real stack did otherwise than the engine are marked in red.
    marks = [Mark("≠ engine", packet=step.number) for step in connection.steps if step.surprises]
    records = records_of_connection(connection)
    svg = Ladder(records, lang=args.lang, relative=args.relative, title=connection.title(), marks=marks).svg()
    try:
        if args.output is None:
            sys.stdout.write(svg)
        else:
            with _writing(args.output) as output:
                save_picture(svg, output)
    except DiagramError as error:
        raise _UserError(str(error)) from None
    return EXIT_OK


@contextlib.contextmanager
def _writing(name: str) -> Iterator[Path]:
    """The path to write ``name`` to; a missing folder or a failed write is one line naming it."""
    output = Path(name)
    if not output.parent.is_dir():
        raise _UserError(f"{name}: no folder {str(output.parent)!r} to write into")
    try:
        yield output
    except OSError as error:  # a folder of that name, no permission, a path under /proc...
        raise _UserError(f"{name}: cannot write it ({error.strerror or error})") from None


def _export(args: argparse.Namespace) -> int:
    from .capture import CaptureError, write_pcap

    script = _load(args.scenario)
    run = run_script(script, _simulation(args, script))
    if run.error is not None:
        raise _UserError(f"{run.error} (nothing written)")
    records = [record for step in run.steps for record in step.records]
    try:
        with _writing(args.output) as output:
            count = write_pcap(records, output, at=args.at)
    except CaptureError as error:
        raise _UserError(str(error)) from None
    print(f"{args.output}: {count} packets, captured at the {args.at}", file=sys.stderr)
    if run.failure is not None:
        line = run.failure.command.line
        print(f"tcpedu: {script.filename}:{line}: {run.failure.message} (written up to there)", file=sys.stderr)
        return EXIT_EXPECT_FAILED
    return EXIT_OK


def _replay(args: argparse.Namespace) -> int:
    from .capture import CaptureError
    from .capture.parallel import replay_rendered
    from .capture.show import format_connection

    if args.json:
        import orjson

        def render(connection) -> bytes:
            return orjson.dumps(connection.to_dict())
    else:

        def render(connection) -> bytes:
            return format_connection(connection, verbose=args.verbose).encode()

    jobs = args.jobs if args.jobs is not None else _jobs_for(args.capture)
    collecting = gc.isenabled()
    gc.disable()  # millions of objects and no cycles: collecting would only walk them again and again
    try:
        try:
            replay, rendered, surprised = replay_rendered(args.capture, render, args.profile, args.verbose, jobs)
            _leave_to_exit(args, replay, rendered)
        except CaptureError as error:
            raise _UserError(str(error)) from None
        except ValueError as error:
            raise _UserError(f"--profile: {error}") from None
        if args.json:
            head = _json_bytes({**replay.to_dict(with_connections=False), "connections": []})
            _write_bytes([head[: -len(b"[]}\n")], b"[", b",".join(rendered), b"]}\n"])
        else:
            _write_bytes([*rendered, replay.summary(surprised).encode(), b"\n"])
    finally:
        if collecting:
            gc.enable()
    return EXIT_OK


def _jobs_for(capture: str) -> int:
    """Two processes for a capture over 16 MB (about 180,000 packets) on a machine with two
    cores or more; one otherwise (starting a second costs more than it saves)."""
    try:
        large = Path(capture).stat().st_size > 16_000_000
    except OSError:
        return 1  # replay_file says what is wrong with the path
    return jobs_worth_forking() if large else 1


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _is_capture(argument: str) -> bool:
    """Whether ``tcpedu draw ARGUMENT`` draws a capture: a .pcap/.pcapng/.cap file."""
    return Path(argument).suffix.lower() in (".pcap", ".pcapng", ".cap")


def _list() -> int:
    names = scenario_names()
    width = max(len(name) for name in names)
    for name in names:
        script = parse(scenario_source(name), name)
        print(f"{name:<{width}}  {script.title}")
    return EXIT_OK


def _show(name: str) -> int:
    try:
        print(scenario_source(name), end="")
    except KeyError:
        raise _UserError(f"no named scenario {name!r}{_did_you_mean(name)}") from None
    return EXIT_OK


def _table(lang: str) -> int:
    print("States")
    for state in State:
        print(f"  {state.value:<13} {describe_state(state, lang)}")
    print()
    print("Transitions (from, event / action, to, where RFC 9293 says so)")
    for arc in ARCS:
        print(f"  {arc.state.value:<13} {arc.label:<58} -> {arc.target.value:<13} {arc.source}")
    print()
    print("Switched arcs: a profile's switch puts each in place of the RFC's (tcpedu run with 'profile linux')")
    for arc in SWITCHED_ARCS:
        print(f"  {arc.state.value:<13} {arc.label:<58} -> {arc.target.value:<13} {arc.source} [{arc.switch}]")
    print()
    print("Refused user calls")
    for refusal in REFUSALS:
        print(f"  {refusal.state.value:<13} {refusal.event.value:<13} error: {refusal.reason} ({refusal.source})")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    try:
        args = _build_parser().parse_args(argv)
    except SystemExit as exit_:  # argparse has printed the help or the version
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    except _UserError as error:
        print(f"tcpedu: {error}", file=sys.stderr)
        return EXIT_USAGE
    if argv is None and args.command in _QUICK_EXIT:
        gc.disable()  # the process ends with the command: nothing is left to collect
        args.left_to_exit = []
        _exit_at_once(_command(args))
    return _command(args)


# Commands whose whole work is done when they return: run as the program, they end the process at
# once, without freeing a long run's or a large capture's millions of objects one by one (a
# fifth of the time); stdout and stderr are flushed first, and no atexit handler is needed.
_QUICK_EXIT = frozenset({"run", "replay"})


def _leave_to_exit(args: argparse.Namespace, *results: object) -> None:
    """Keep a command's ``results`` alive until the process ends at once (see ``_QUICK_EXIT``):
    otherwise they are freed, object by object, as the command returns. In a caller's process
    (``main(argv)``) they are freed as ever."""
    getattr(args, "left_to_exit", []).extend(results)


def _exit_at_once(status: int) -> NoReturn:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader gone away (... | head), a closed stream
            stream.flush()
    os._exit(status)


def _command(args: argparse.Namespace) -> int:
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "list":
            return _list()
        if args.command == "show":
            return _show(args.name)
        if args.command == "draw":
            return _draw(args)
        if args.command == "export":
            return _export(args)
        if args.command == "replay":
            return _replay(args)
        if args.command == "check":
            return run_check(args)
        if args.command == "exercises":
            return run_exercises(args)
        if args.command == "grade":
            return run_grade(args)
        return _table(args.lang)
    except (ScenarioError, _UserError, CommandError) as error:
        print(f"tcpedu: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. piped into head
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except OSError as error:  # a file the system would not read or write, in any subcommand
        where = f"{error.filename}: " if error.filename is not None else ""
        print(f"tcpedu: {where}{error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # a bug in tcpedu: still one line, never a traceback
        print(f"tcpedu: internal error ({type(error).__name__}: {error}); please report it", file=sys.stderr)
        return EXIT_USAGE
