"""What a learner sees of a check: each group passed or failed with its points, and for each
failure the smallest failing example, what RFC 9293 (the engine) does and what the learner's
code did, the rule broken, the run as a scenario script, and pictures: the learner's ladder
diagram beside the engine's with the first difference marked, or (exercise 3) the learner's
own state diagram with its wrong and missing arcs.

``text_report`` is for the terminal (``tcpedu check``); ``Report`` shows itself in a
notebook and ``html_report`` writes a self-contained page (the pictures inline).
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import itertools
import unicodedata
from collections.abc import Sequence

from ..core.segment import Flags, Segment
from ..core.states import State
from ..render import DiagramError, Ladder, Mark, fit_width
from ..render.state_diagram import TableEntry, table_diagram
from ..sim.history import Record
from ..sim.network import Packet
from ..words import word
from .catalog.ex2_handshake import HandshakePictures, handshake_history
from .catalog.ex3_state_machine import TABLE_ARCS, TableAnswer
from .catalog.ex4_closing import ClosingFailure
from .catalog.ex5_endpoint import RunFailure
from .checker import ExerciseResult, Failure, GroupResult
from .exercise import text_in

__all__ = [
    "Picture",
    "Report",
    "failure_html",
    "failure_lines",
    "html_report",
    "pictures",
    "script_of",
    "seed_line",
    "text_report",
]

_MARK = {"passed": "✓", "failed": "✗", "error": "✗", "forbidden": "✗", "missing": "✗"}


@dataclasses.dataclass(frozen=True)
class Picture:
    caption: str
    svg: str


# --- scripts ------------------------------------------------------------------------------------------


def script_of(failure: Failure, lang: str = "en") -> str | None:
    """The failing run as a scenario script, or None for a failure that is not a run."""
    detail = failure.mismatch.detail
    seed = failure.seed
    if isinstance(detail, RunFailure):
        sides = " and ".join(detail.sides)
        sides_ko = ", ".join({"client": "클라이언트", "server": "서버"}[side] for side in detail.sides)
        options = " ".join(f"--{side} endpoint.py" for side in detail.sides)
        endpoints = ", ".join(f'"{side}": your_code("endpoint").Endpoint' for side in detail.sides)
        step = detail.step + 1
        notes = [
            (
                f"the checker's smallest failing run (seed {seed}); your endpoint played the {sides}",
                f"확인 프로그램이 찾은 가장 작은 실패 실행 (시드 {seed}); 내 엔드포인트의 역할: {sides_ko}",
            ),
            (
                f"step {step} is where it parts from RFC 9293: {text_in(failure.mismatch.rule, 'en')}",
                f"RFC 9293에서 벗어나는 곳: {step}단계. {text_in(failure.mismatch.rule, 'ko')}",
            ),
            (f"run it: tcpedu run THIS_FILE {options}", f"실행: tcpedu run 이_파일 {options}"),
            (
                f"or step through it in a notebook: explore(THIS_TEXT, endpoints={{{endpoints}}})",
                f"또는 노트북에서 한 단계씩: explore(이_텍스트, endpoints={{{endpoints}}})",
            ),
        ]
        what = failure.mismatch.what
        return detail.reference.script(detail.step, title=(text_in(what, "en"), text_in(what, "ko")), note=notes)
    if isinstance(detail, ClosingFailure):
        what = failure.mismatch.what
        notes = [
            (
                f"the checker's smallest failing run (seed {seed})",
                f"확인 프로그램이 찾은 가장 작은 실패 실행 (시드 {seed})",
            ),
            (f"then: {text_in(what, 'en')}", f"그다음: {text_in(what, 'ko')}"),
        ]
        return detail.execution.script(detail.case.step, title=("a closing run", "연결 해제 실행"), note=notes)
    if isinstance(detail, HandshakePictures):
        return (
            f"# the three-way handshake with ISNs {detail.client_isn} and {detail.server_isn}\n"
            f"#ko: ISN {detail.client_isn}, {detail.server_isn}인 3-way 핸드셰이크\n"
            f"client isn {detail.client_isn}\nserver isn {detail.server_isn}\n"
            "server listen\nclient connect\ndeliver\ndeliver\ndeliver\n"
        )
    return None


# --- pictures -----------------------------------------------------------------------------------------


def pictures(failure: Failure, lang: str = "en") -> list[Picture]:
    """A failure drawn: the learner's run as a ladder diagram with the first difference marked
    (the learner's segment in red, what RFC 9293 sends instead as a green dashed arrow, the
    state RFC 9293 is in), then the engine's run up to there."""
    detail = failure.mismatch.detail
    if isinstance(detail, HandshakePictures):
        history, packets = handshake_history(detail.client_isn, detail.server_isn)
        replaced = {packets[i].id: _segment(fields) for i, fields in enumerate(detail.answer[:3])}
        wrong = packets[detail.position]
        learner = _replace_segments(history, replaced)
        record = next(i for i, r in enumerate(history) if any(p.id == wrong.id for p in r.sent))
        return _drawn(history, learner, record, wrong.sender, [wrong.id], [wrong], None, lang)
    if isinstance(detail, ClosingFailure):
        return _closing_pictures(detail, lang)
    if isinstance(detail, RunFailure):
        return _run_pictures(detail, lang)
    return []


def _drawn(
    reference: Sequence[Record],
    learner: Sequence[Record],
    record: int,
    side: str,
    wrong: Sequence[int],
    ghosts: Sequence[Packet],
    state: State | None,
    lang: str,
) -> list[Picture]:
    """The learner's run (``learner``) with the packets ``wrong`` marked, the reference's
    packets ``ghosts`` drawn beside them at ``learner[record]``, and the state RFC 9293 has
    there if the learner's differs; then the reference's run."""
    learner = list(learner)
    differs = word("check.differs", lang)
    marks = [Mark(differs, packet=packet_id) for packet_id in wrong]
    if ghosts and 0 <= record < len(learner):
        next_id = max((p.id for r in [*learner, *reference] for p in r.sent), default=0) + 1
        copies = [dataclasses.replace(p, id=next_id + n, copy_of=None, tag=None) for n, p in enumerate(ghosts)]
        learner[record] = dataclasses.replace(learner[record], sent=(*learner[record].sent, *copies))
        marks += [Mark("RFC 9293", packet=copy.id, ghost=True) for copy in copies]
    if state is not None and learner:
        position = min(record, len(learner) - 1)
        marks.append(Mark(f"RFC 9293: {state}", record=position, side=side))
    return [
        Picture(word("check.your_run", lang), Ladder(learner, lang, marks=marks).svg()),
        Picture(word("check.reference", lang), Ladder(reference, lang).svg()),
    ]


def _segment(fields: object) -> Segment | None:
    if not isinstance(fields, dict) or "flags" not in fields:
        return None
    try:
        flags = Flags.parse(str(fields["flags"]))
        return Segment(int(fields["seq"]), int(fields["ack"]), flags, data=b"x" * int(fields["len"]))
    except (ValueError, TypeError):
        return None


def _replace_segments(history: Sequence[Record], replaced: dict[int, Segment | None]) -> list[Record]:
    """``history`` with some packets' segments replaced (the learner's answer drawn into the
    engine's run); a packet whose replacement is None is left as it was."""

    def packet(p: Packet) -> Packet:
        segment = replaced.get(p.id)
        return dataclasses.replace(p, segment=segment) if segment is not None else p

    return [
        dataclasses.replace(
            record,
            packet=packet(record.packet) if record.packet is not None else None,
            sent=tuple(packet(p) for p in record.sent),
        )
        for record in history
    ]


def _first_difference(ours: Sequence[Packet], refs: Sequence[Packet]) -> int:
    for index, (mine, theirs) in enumerate(zip(ours, refs, strict=False)):
        if (mine.segment, mine.sent_at_us) != (theirs.segment, theirs.sent_at_us):
            return index
    return min(len(ours), len(refs))


def _closing_pictures(detail: ClosingFailure, lang: str) -> list[Picture]:
    history = detail.execution.history
    case = detail.case
    upto = history[: case.record + 1]
    event = upto[-1]
    refs = [p for p in event.sent if p.sender == case.side]
    position = 0 if case.side == "client" else 1
    answer = detail.answer
    if not isinstance(answer, list) or len(answer) != 2:  # it raised: drawn up to the event, nothing sent
        learner_event = dataclasses.replace(event, sent=tuple(p for p in event.sent if p.sender != case.side))
        return _drawn(upto, [*upto[:-1], learner_event], len(upto) - 1, case.side, [], refs, None, lang)
    conn, segments = answer
    next_id = max((p.id for r in history for p in r.sent), default=0) + 1
    ours = []
    for fields in segments if isinstance(segments, list) else []:
        segment = _segment(fields)
        if segment is not None:
            ours.append(Packet(next_id, case.side, segment, event.time_us))
            next_id += 1
    states = list(event.states)
    with contextlib.suppress(ValueError):  # a state the learner made up is drawn as the engine's
        states[position] = State(str(conn.get("state")))
    others = tuple(p for p in event.sent if p.sender != case.side)
    learner_event = dataclasses.replace(event, sent=(*others, *ours), states=tuple(states))
    first = _first_difference(ours, refs)
    wrong = [ours[first].id] if first < len(ours) else []
    ghosts = refs[first : first + 1]
    state = event.states[position] if states[position] is not event.states[position] else None
    return _drawn(upto, [*upto[:-1], learner_event], len(upto) - 1, case.side, wrong, ghosts, state, lang)


def _run_pictures(detail: RunFailure, lang: str) -> list[Picture]:
    reference = detail.reference
    ends = list(itertools.accumulate(len(step.records) for step in reference.steps))
    upto = reference.history[: ends[detail.step]]
    first_of_step = ends[detail.step - 1] if detail.step else 0
    side = detail.side or detail.sides[0]
    if detail.learner is None or detail.learner_ends is None or detail.step >= len(detail.learner_ends):
        return [Picture(word("check.reference", lang), Ladder(upto, lang).svg())]
    learner = detail.learner[: detail.learner_ends[detail.step]]
    learner_first = detail.learner_ends[detail.step - 1] if detail.step else 0
    ours = [p for r in learner[learner_first:] for p in r.sent if p.sender == side]
    refs = [p for r in upto[first_of_step:] for p in r.sent if p.sender == side]
    first = _first_difference(ours, refs)
    wrong = [ours[first].id] if first < len(ours) else []
    ghosts = refs[first : first + 1]
    if wrong:
        record = next(i for i, r in enumerate(learner) if any(p.id == wrong[0] for p in r.sent))
    else:
        record = len(learner) - 1
    ours_state = learner[-1].state_of(side) if learner else None
    theirs_state = upto[-1].state_of(side) if upto else None
    state = theirs_state if ours_state is not theirs_state else None
    return _drawn(upto, learner, record, side, wrong, ghosts, state, lang)


def table_picture(result: ExerciseResult, lang: str = "en") -> Picture | None:
    """Exercise 3: the learner's state diagram, from every row of the table."""
    rows = []
    wrong = {}
    for group_result in result.groups:
        for failure in group_result.failures:
            detail = failure.mismatch.detail
            if isinstance(detail, TableAnswer):
                wrong[(detail.state, detail.event, detail.condition)] = detail
    if not wrong:
        return None
    for arc in TABLE_ARCS:
        key = (arc.state.value, arc.event.value, arc.condition.value if arc.condition else None)
        answer = wrong.get(key)
        theirs = _state(answer.theirs) if answer is not None else arc.target
        rows.append(TableEntry(arc.state, arc.event.value, key[2], theirs, arc.target))
    for answer in wrong.values():
        if answer.rfc is None:
            rows.append(TableEntry(State(answer.state), answer.event, answer.condition, _state(answer.theirs), None))
    try:
        svg = table_diagram(rows, lang)
    except DiagramError as error:
        return Picture(str(error), "")
    return Picture(word("check.diagram", lang), svg)


def _state(value: object) -> State | None:
    try:
        return State(str(value)) if value is not None else None
    except ValueError:
        return None


# --- reports -----------------------------------------------------------------------------------------


def _status(result: GroupResult, lang: str) -> str:
    return word(f"check.{result.status}", lang)


def text_report(result: ExerciseResult, lang: str = "en", scripts: bool = True) -> str:
    """The check in plain text: one line per group, then each failure in full."""
    exercise = result.exercise
    lines = [
        f"{word('check.exercise', lang, number=exercise.number)}: {exercise.name(lang)} ({result.origin})",
        word("check.score", lang, score=result.score, points=result.max_score),
    ]
    if result.problem:
        lines.append(f"  {text_in(result.problem, lang)}")
    for group_result in result.groups:
        group = group_result.group
        earned = f"{group_result.earned}/{group.points}"
        lines.append(
            f"  {_MARK[group_result.status]} {group.name(lang):<52} {earned:>5}  {_status(group_result, lang)}"
        )
    seen: dict[tuple[str, str, str], str] = {}
    for group_result in result.groups:
        if group_result.passed or (result.problem and not group_result.failures):
            continue
        lines.append("")
        lines.append(f"{_MARK[group_result.status]} {group_result.group.name(lang)} ({group_result.group.rfc})")
        if not group_result.failures:
            lines.append(f"  {text_in(group_result.message, lang)}")
        same = _seen_before(group_result, seen, lang)
        if same:
            lines.append(f"  {same}")
            continue
        lines += failure_lines(group_result, lang, scripts)
    lines.append("")
    lines.append(seed_line(result, lang))
    if result.output:
        lines.append(f"{word('check.output', lang)}:")
        lines += [f"  {line}" for line in result.output.splitlines()[:10]]
    return "\n".join(lines) + "\n"


def failure_lines(group_result: GroupResult, lang: str = "en", scripts: bool = True) -> list[str]:
    """A failed group's failures in plain text (the first five): the example, what RFC 9293
    does, what the code did, the rule, and the run as a script."""
    lines = []
    for failure in group_result.failures[:5]:
        mismatch = failure.mismatch
        lines.append(f"  {text_in(mismatch.what, lang)}")
        lines.append(f"    {word('check.reference', lang)}: {text_in(mismatch.expected, lang)}")
        lines.append(f"    {word('check.yours', lang)}: {text_in(mismatch.got, lang)}")
        lines.append(f"    {text_in(mismatch.rule, lang)}")
        script = script_of(failure, lang) if scripts else None
        if script:
            lines.append(f"    {word('check.script', lang)}:")
            lines += [f"      {line}" for line in script.rstrip().splitlines()]
    if len(group_result.failures) > 5:
        lines.append(f"  ... {word('check.more', lang, count=len(group_result.failures) - 5)}")
    return lines


def seed_line(result: ExerciseResult, lang: str) -> str:
    """The seed the examples came from, and the command that draws them again."""
    intensity = result.intensity
    options = f"--seed {intensity.seed}" + (f" --examples {intensity.factor:g}" if intensity.factor != 1 else "")
    return word("check.seed", lang, seed=intensity.seed, options=options)


def _padded(text: str, width: int) -> str:
    """``text`` padded to ``width`` columns of a terminal, where Hangul takes two."""
    columns = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(0, width - columns)


_STYLE = """
<style>
.tcpedu-check { font-family: sans-serif; font-size: 14px; }
.tcpedu-check table.groups { border-collapse: collapse; margin: 6px 0; }
.tcpedu-check table.groups td { padding: 2px 10px 2px 0; }
.tcpedu-check .passed { color: #1b7f2a; } .tcpedu-check .failed { color: #b00020; }
.tcpedu-check .failure { border-left: 3px solid #b00020; padding: 4px 10px; margin: 10px 0; }
.tcpedu-check .rule { color: #444; font-style: italic; }
.tcpedu-check pre { background: #f6f6f6; color: #222; padding: 6px; overflow-x: auto; font-size: 12px; }
.tcpedu-check .pictures { display: flex; flex-wrap: wrap; gap: 8px; }
.tcpedu-check .picture { flex: 1 1 600px; max-width: 1000px; background: white; }
.tcpedu-check .picture .caption { font-weight: bold; color: #222; }
</style>
"""


def _seen_before(group_result: GroupResult, seen: dict[tuple[str, str, str], str], lang: str) -> str:
    """ "the same failure as in «opening»" when an earlier group showed this one (every run
    opens a connection first, so one mistake there fails every group); else remember it."""
    if not group_result.failures:
        return ""
    mismatch = group_result.failures[0].mismatch
    key = (text_in(mismatch.what), text_in(mismatch.expected), text_in(mismatch.got))
    if key in seen:
        return word("check.same", lang, group=seen[key])
    seen[key] = f"«{group_result.group.name(lang)}»"
    return ""


def html_report(result: ExerciseResult, lang: str = "en") -> str:
    """The check as a self-contained HTML fragment: the groups, and each failure with its
    script and its pictures inline."""
    exercise = result.exercise
    parts = [
        _STYLE,
        "<div class='tcpedu-check'>",
        f"<h3>{html.escape(word('check.exercise', lang, number=exercise.number))}: "
        f"{html.escape(exercise.name(lang))} — "
        f"{html.escape(word('check.score', lang, score=result.score, points=result.max_score))}</h3>",
        f"<div>{html.escape(word('check.source', lang, origin=result.origin))}</div>",
    ]
    if result.problem:
        parts.append(f"<p class='failed'><b>{html.escape(text_in(result.problem, lang))}</b></p>")
    parts.append("<table class='groups'>")
    for group_result in result.groups:
        kind = "passed" if group_result.passed else "failed"
        parts.append(
            f"<tr class='{kind}' data-group='{group_result.group.key}'><td>{_MARK[group_result.status]}</td>"
            f"<td>{html.escape(group_result.group.name(lang))}</td>"
            f"<td>{group_result.earned}/{group_result.group.points}</td>"
            f"<td>{html.escape(_status(group_result, lang))}</td></tr>"
        )
    parts.append("</table>")
    table = table_picture(result, lang)
    if table is not None:
        parts.append(_pictures_html([table]))
    seen: dict[tuple[str, str, str], str] = {}
    for group_result in result.groups:
        if group_result.passed or (result.problem and not group_result.failures):
            continue
        parts.append(f"<div class='failure' data-group='{group_result.group.key}'>")
        name, rfc = html.escape(group_result.group.name(lang)), html.escape(group_result.group.rfc)
        parts.append(f"<b>{name}</b> <small>({rfc})</small>")
        if not group_result.failures:
            parts.append(f"<p>{html.escape(text_in(group_result.message, lang))}</p>")
        same = _seen_before(group_result, seen, lang)
        if same:
            parts.append(f"<p class='same'>{html.escape(same)}</p></div>")
            continue
        for failure in group_result.failures[:5]:
            parts.append(failure_html(failure, lang, draw=not isinstance(failure.mismatch.detail, TableAnswer)))
        if len(group_result.failures) > 5:
            parts.append(f"<p>... {html.escape(word('check.more', lang, count=len(group_result.failures) - 5))}</p>")
        parts.append("</div>")
    parts.append(f"<p><small>{html.escape(seed_line(result, lang))}</small></p>")
    if result.output:
        parts.append(
            f"<details><summary>{html.escape(word('check.output', lang))}</summary>"
            f"<pre>{html.escape(result.output)}</pre></details>"
        )
    parts.append("</div>")
    return "\n".join(parts)


def failure_html(failure: Failure, lang: str, draw: bool = True) -> str:
    """One failure as HTML: the example, both answers, the rule, the script and the pictures."""
    mismatch = failure.mismatch
    parts = [
        f"<p><code>{html.escape(text_in(mismatch.what, lang))}</code><br>",
        f"{html.escape(word('check.reference', lang))}: "
        f"<code>{html.escape(text_in(mismatch.expected, lang))}</code><br>",
        f"{html.escape(word('check.yours', lang))}: <code>{html.escape(text_in(mismatch.got, lang))}</code><br>",
        f"<span class='rule'>{html.escape(text_in(mismatch.rule, lang))}</span></p>",
    ]
    script = script_of(failure, lang)
    if script:
        parts.append(
            f"<details><summary>{html.escape(word('check.script', lang))}</summary>"
            f"<pre class='script'>{html.escape(script)}</pre></details>"
        )
    if draw:
        drawn = pictures(failure, lang)
        if drawn:
            parts.append(_pictures_html(drawn[:1]))
        if len(drawn) > 1:
            parts.append(
                f"<details><summary>{html.escape(drawn[1].caption)}</summary>{_pictures_html(drawn[1:])}</details>"
            )
    return "\n".join(parts)


def _pictures_html(drawn: list[Picture]) -> str:
    cells = "".join(
        f"<div class='picture'><div class='caption'>{html.escape(picture.caption)}</div>{fit_width(picture.svg)}</div>"
        for picture in drawn
    )
    return f"<div class='pictures'>{cells}</div>"


class Report:
    """A check's result as a notebook shows it (HTML) and a terminal prints it (text)."""

    def __init__(self, result: ExerciseResult, lang: str = "en"):
        self.result = result
        self.lang = lang

    @property
    def score(self) -> int:
        return self.result.score

    @property
    def max_score(self) -> int:
        return self.result.max_score

    def _repr_html_(self) -> str:
        return html_report(self.result, self.lang)

    def __str__(self) -> str:
        return text_report(self.result, self.lang)

    def __repr__(self) -> str:
        return f"<check of exercise {self.result.exercise.number}: {self.score}/{self.max_score}>"
