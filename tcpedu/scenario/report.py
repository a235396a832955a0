"""A run shown to people (a readable trace) and to programs (one JSON object)."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from ..forked import Helper, can_fork
from ..narrator import narrate
from ..sim.history import arc_dict
from ..words import in_language
from .runner import Run, Step
from .script import Configure, Expect, ExpectRefused

__all__ = ["format_trace", "json_around_steps", "run_to_dict", "run_to_json", "step_pieces", "step_shares"]

_WIDTH = 34


def _step_lines(script, step: Step, verbose: bool, lang: str) -> list[str]:
    """The narrator's lines for a step; the call itself is left out (the command column shows it)."""
    lines = narrate(step.records, lang, script.narration_of(step.command), routine=verbose)
    return [f"» {line.text}" if line.kind == "story" else line.text for line in lines if line.kind != "call"]


def format_trace(run: Run, verbose: bool = False, lang: str = "en") -> str:
    """The run as text: each line of the script, what the script says it does, what it caused
    (told by the narrator, in ``lang``), and both states after it."""
    script = run.script
    out: list[str] = []
    title = in_language(script.titles, lang)
    heading = script.filename + (f": {title}" if title else "")
    out.append(heading)
    out.append("")
    sim = run.simulation
    sides = sim.sides  # the clients and the server (a host's listener); its connections are narrated
    out.append(
        f"{'line':>4}  {'time':>8}  {'command':<{_WIDTH}}  " + " ".join(f"{side:<13}" for side in sides).rstrip()
    )
    steps = {id(step.command): step for step in run.steps}
    checks = {id(check.command): check for check in run.checks}
    for command in run.executed:
        step = steps.get(id(command))
        if step is not None:
            last = step.records[-1] if step.records else None
            states = [last.state_of(side) if last else sim.state(side) for side in sides]
            columns = " ".join(f"{state!s:<13}" for state in states).rstrip()
            out.append(_command_line(command.line, step.time_us, command.text, columns))
            out.extend(f"{'':>16}{line}" for line in _step_lines(script, step, verbose, lang))
        elif isinstance(command, (Expect, ExpectRefused)):
            check = checks[id(command)]
            verdict = "ok" if check.ok else "FAILED"
            detail = "" if check.message == "ok" else f": {check.message}"
            out.append(_command_line(command.line, None, command.text, f"{verdict}{detail}"))
        elif isinstance(command, Configure):
            out.append(_command_line(command.line, None, command.text, "(setting)"))
    out.append("")
    out.append(_verdict(run))
    return "\n".join(out)


def _command_line(line: int, time_us: int | None, text: str, right: str) -> str:
    time = f"{time_us / 1e6:8g}" if time_us is not None else f"{'':8}"
    if len(text) <= _WIDTH:
        return f"{line:>4}  {time}  {text:<{_WIDTH}}  {right}"
    # A long line keeps all its words; what it led to goes on the next line.
    return f"{line:>4}  {time}  {text}\n{'':>16}{'':<{_WIDTH}}  {right}"


def _verdict(run: Run) -> str:
    passed = sum(1 for check in run.checks if check.ok)
    summary = f"{len(run.steps)} steps, {passed} of {len(run.checks)} expectations met"
    if run.error is not None:
        return f"stopped: {run.error} ({summary})"
    if run.failure is not None:
        return f"FAILED at line {run.failure.command.line}: {run.failure.message} ({summary})"
    return f"ok ({summary})"


def _step_dict(step: Step) -> dict[str, object]:
    # One pass over the records, each packet and note turned into JSON-ready data once: the
    # same lists, in the same order, as filtering the records (and their ``to_dict()``) per key.
    records = step.records
    last = records[-1] if records else None
    segments: list[object] = []
    delivered: list[object] = []
    dropped: list[object] = []
    duplicated: list[object] = []
    injected: list[object] = []
    timers: list[object] = []
    transitions: list[object] = []
    notes: list[object] = []
    for r in records:
        kind = r.kind
        packet = r.packet
        if packet is not None:
            if kind == "deliver":
                delivered.append(packet.id)
            elif kind == "drop":
                dropped.append(packet.id)
            elif kind == "inject":
                injected.append(packet.to_dict())
        elif kind == "timer":
            timers.append({"side": r.side, "timer": r.detail, "time": r.time})
        for p in r.sent:
            (segments if p.copy_of is None else duplicated).append(p.to_dict())
        if r.arcs:
            transitions += [arc_dict(side, arc) for side, arc in r.arcs]
        if r.notes:
            notes += [note.to_dict(side) for side, note in r.notes]
    return {
        "line": step.command.line,
        "command": step.command.text,
        "time": step.time_us / 1e6,
        "states": {side: state.value for side, state in zip(last.sides, last.states, strict=True)} if last else None,
        "segments": segments,
        "delivered": delivered,
        "dropped": dropped,
        "duplicated": duplicated,
        "injected": injected,
        "timers": timers,
        "transitions": transitions,
        "notes": notes,
        "tcb": dict(zip(last.sides, last.tcbs, strict=True)) if last else None,
        "in_flight": list(last.in_flight) if last else [],
    }


def _final_states(sim) -> list[tuple[str, object]]:
    parts = [(side, sim.endpoints[side]) for side in sim.sides]
    if sim.is_host:
        parts += sim.server.connections()
    return [(side, endpoint.state) for side, endpoint in parts]


def _final_tcbs(sim) -> list[tuple[str, object]]:
    parts = [(side, sim.endpoints[side]) for side in sim.sides]
    if sim.is_host:
        parts += sim.server.connections()
    return [(side, endpoint.snapshot()) for side, endpoint in parts]


def run_to_dict(run: Run) -> dict[str, object]:
    """The run as JSON-ready data (see the README for the shape)."""
    return _run_dict(run, [_step_dict(step) for step in run.steps])


def run_to_json(run: Run, jobs: int = 1) -> Iterator[bytes]:
    """``run_to_dict(run)`` as compact JSON (UTF-8, with a newline), the same bytes as
    ``orjson.dumps`` of it, in pieces to write one after the other: a long run never holds all
    its steps' data at once (hundreds of megabytes for 20,000 steps).

    With ``jobs`` 2 or more, a run of ``HELPED_FROM`` records or more is cut into shares of its
    steps (``step_shares``): this process renders the first while forked helpers
    (``tcpedu.forked``) render the others; the same bytes, sooner. A share whose helper failed
    is rendered here after all."""
    steps = run.steps
    helped = jobs > 1 and can_fork() and sum(len(step.records) for step in steps) >= HELPED_FROM
    shares = step_shares(steps, jobs) if helped else [(0, len(steps))]
    helpers = [Helper(functools.partial(_share_json, steps, share)) for share in shares[1:]]
    try:
        before, after = json_around_steps(run)
        yield before
        yield from step_pieces(steps, *shares[0])
        for helper, share in zip(helpers, shares[1:], strict=True):
            rendered = helper.result()
            yield rendered if rendered is not None else _share_json(steps, share)
        yield after
    finally:
        for helper in helpers:
            helper.stop()


HELPED_FROM = 20_000
"""Records a run must have before ``run_to_json`` shares its rendering: a shorter run is
written sooner than a helper is forked."""


def _share_json(steps: list[Step], share: tuple[int, int]) -> bytes:
    return b"".join(step_pieces(steps, *share))


def json_around_steps(run: Run) -> tuple[bytes, bytes]:
    """The JSON of ``run_to_dict(run)`` before its steps' items (up to ``"steps":[``) and after
    them (from ``]``)."""
    import orjson

    whole = orjson.dumps(_run_dict(run, []), option=orjson.OPT_APPEND_NEWLINE)
    # An unescaped quote never follows a letter inside a JSON string: this is the key.
    before, _, after = whole.partition(b'"steps":[]')
    return before + b'"steps":[', b"]" + after


def step_pieces(steps: list[Step], start: int, end: int) -> Iterator[bytes]:
    """Steps ``start`` to ``end``, one by one, as items of the JSON array of all the steps
    (each after a comma but the very first)."""
    import orjson

    for index in range(start, end):
        yield (b"," if index else b"") + orjson.dumps(_step_dict(steps[index]))


def step_shares(steps: list[Step], parts: int) -> list[tuple[int, int]]:
    """``steps`` cut into at most ``parts`` runs of consecutive steps, ``(start, end)``, with
    about as many records each (a step's JSON grows with its records): fewer where one step
    holds more than a share."""
    total = sum(len(step.records) for step in steps)
    bounds, start, count = [], 0, 0
    for index, step in enumerate(steps):
        count += len(step.records)
        if len(bounds) < parts - 1 and count * parts >= total * (len(bounds) + 1):
            bounds.append((start, index + 1))
            start = index + 1
    bounds.append((start, len(steps)))
    return [bound for bound in bounds if bound[0] < bound[1]] or [(0, len(steps))]


def _run_dict(run: Run, steps: list[object]) -> dict[str, object]:
    sim = run.simulation
    return {
        "scenario": run.script.filename,
        "title": run.script.title,
        "ok": run.ok,
        "steps": steps,
        "checks": [
            {"line": c.command.line, "command": c.command.text, "ok": c.ok, "message": c.message} for c in run.checks
        ],
        "failure": (
            {"line": run.failure.command.line, "message": run.failure.message} if run.failure is not None else None
        ),
        "error": {"line": run.error.line, "message": run.error.message} if run.error is not None else None,
        "final": {
            "time": sim.time,
            "states": {side: state.value for side, state in _final_states(sim)},
            "tcb": {side: tcb for side, tcb in _final_tcbs(sim)},
            "in_flight": [p.to_dict() for p in sim.in_flight],
        },
    }
