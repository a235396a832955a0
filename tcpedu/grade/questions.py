"""Questions a learner answers, decided headlessly: the scene, the right answer, what is wrong
with an answer, and a hint aimed at that mistake. The widgets (``tcpedu.widgets.quiz``) only
show these.

A question is a situation written as a scenario script: everything but its last action line
sets the scene, and the last line is what happens next. The learner predicts its outcome: the
state one side is in afterwards, the segment one side sends, or the time the last line's timer
fires; or picks, among explanations written as ``expect`` lines, the one the engine bears out.
The right answer is what tcpedu's engine does, never a string typed into a notebook. A script's
first comment line (and its ``#ko:`` line) is the question's prompt.
"""

from __future__ import annotations

import dataclasses
import itertools
from decimal import Decimal, InvalidOperation

from ..core.rto import MAX_RTO_US
from ..core.segment import Flags, Segment
from ..core.seqnum import SEQ_SPACE, seq_add, seq_gt, seq_le
from ..core.states import State
from ..core.transitions import Arc, arcs_from
from ..narrator import narrate
from ..scenario import Player, Run, Script, parse, run_script
from ..sim.history import Record
from ..words import in_language, word

__all__ = [
    "FLAG_CHOICES",
    "ChoiceAnswer",
    "Option",
    "Outcome",
    "SegmentAnswer",
    "StateAnswer",
    "TimeAnswer",
    "arrival_section",
    "outcome_of",
    "parse_number",
]

# Where RFC 9293 says what a segment arriving in each state does (3.10.7).
_ARRIVAL_SECTIONS = {State.CLOSED: "3.10.7.1", State.LISTEN: "3.10.7.2", State.SYN_SENT: "3.10.7.3"}

_CLOSING = frozenset({State.FIN_WAIT_1, State.FIN_WAIT_2, State.CLOSE_WAIT, State.CLOSING, State.LAST_ACK})

# States in which a side has sent its FIN (it took a sequence number).
_FIN_SENT = frozenset({State.FIN_WAIT_1, State.FIN_WAIT_2, State.CLOSING, State.LAST_ACK, State.TIME_WAIT})

#: The flags a segment question offers (a plain FIN is there because learners pick it).
FLAG_CHOICES = ("SYN", "SYN,ACK", "ACK", "FIN", "FIN,ACK", "RST", "RST,ACK")


def arrival_section(state: State) -> str:
    """The section of RFC 9293 that says what a segment arriving in ``state`` does."""
    return _ARRIVAL_SECTIONS.get(state, "3.10.7.4")


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What the engine did at a question's last line."""

    before: tuple[Record, ...]
    """The history up to the last line (the scene)."""
    records: tuple[Record, ...]
    """What the last line made happen."""
    event: str
    """The last line, as written."""
    titles: tuple[str, str] = ("", "")
    """The script's title (English, Korean): the question's prompt."""

    def state_of(self, side: str) -> State:
        return self.records[-1].state_of(side)

    def state_before(self, side: str) -> State:
        return self.before[-1].state_of(side) if self.before else State.CLOSED

    def tcb_before(self, side: str) -> dict[str, object]:
        return self.before[-1].tcb_of(side) if self.before else {}

    def sent_by(self, side: str) -> list[Segment]:
        return [p.segment for record in self.records for p in record.sent if p.sender == side]

    def arcs_of(self, side: str) -> list[Arc]:
        """The arcs ``side`` took at the last line."""
        return [arc for record in self.records for who, arc in record.arcs if who == side]

    def reasons(self, lang: str = "en") -> list[str]:
        """The transitions and the notes (with their RFC sections) of the last line, as the
        narrator tells them."""
        return [line.text for line in narrate(self.records, lang, kinds=frozenset({"transition", "note"}))]

    def arrival(self) -> tuple[str, State] | None:
        """(receiver, its state before) of the first segment the last line hands to a side."""
        for record in self.records:
            if record.packet is not None and record.kind in ("deliver", "inject"):
                receiver = record.packet.receiver
                return receiver, self.state_before(receiver)
        return None

    def arrived(self) -> Segment | None:
        """The first segment the last line hands to a side, if any."""
        for record in self.records:
            if record.packet is not None and record.kind in ("deliver", "inject"):
                return record.packet.segment
        return None

    def prompt(self, lang: str) -> str:
        return in_language(self.titles, lang)


def outcome_of(script: str | Script) -> Outcome:
    """Run ``script`` and split its history at its last action line."""
    parsed = parse(script, "<question>") if isinstance(script, str) else script
    actions = [c for c in parsed.commands if c.is_action]
    if not actions:
        raise ValueError("a question's script needs an action line (its last one is what happens next)")
    player = Player(parsed)
    last_step = None
    while (step := player.step()) is not None:
        last_step = step
    run = player.run
    if run.error is not None or run.failure is not None:
        raise ValueError(f"the question's script does not run: {run.error or run.failure.message}")
    if last_step is None or last_step.command is not actions[-1]:  # pragma: no cover - run.ok implies it
        raise ValueError("the question's script did not reach its last line")
    history = run.simulation.history
    start = len(history) - len(last_step.records)
    return Outcome(tuple(history[:start]), tuple(last_step.records), last_step.command.text, parsed.titles)


def parse_number(text: str) -> int | None:
    """A number as a learner types it (spaces, ``,`` and ``_`` forgiven), or None."""
    try:
        return int(str(text).strip().replace(",", "").replace("_", ""))
    except ValueError:
        return None


def _side(side: str, lang: str) -> str:
    return word(f"side.{side}", lang)


# ------------------------------------------------------------------------------------------------
# Which state?


class StateAnswer:
    """Which state is ``side`` in after the last line? The choices, the verdict, the hint."""

    def __init__(self, scene: Outcome, side: str):
        self.scene = scene
        self.side = side
        self.expected = scene.state_of(side)
        self.before = scene.state_before(side)
        candidates = {self.before, self.expected, State.ESTABLISHED, State.CLOSED}
        if self.before in _CLOSING:
            candidates.add(State.TIME_WAIT)  # the misconception to catch: TIME-WAIT on the wrong side
        candidates |= {arc.target for arc in arcs_from(self.before) if arc.source != "simulation"}
        self.choices: list[State] = [state for state in State if state in candidates]
        """The states offered: the one before, every target of its arcs, and common guesses."""

    def is_right(self, answer: State | None) -> bool:
        return answer is self.expected

    def hint(self, answer: State | None, lang: str = "en") -> str:
        """What is wrong with ``answer``, aimed at the mistake (not the answer itself)."""
        side, before, expected = _side(self.side, lang), self.before, self.expected
        if (
            answer is State.TIME_WAIT
            and before is not State.TIME_WAIT  # a side already there closed first: its TIME-WAIT is no mistake
            and expected in (State.CLOSED, State.LAST_ACK, State.CLOSE_WAIT)
        ):
            return word("hint.time_wait_side", lang)
        if answer is not before and expected is before and self._fin_ahead():
            return word("hint.fin_in_sequence", lang)
        if answer is State.CLOSED and expected is State.LISTEN:
            return word("hint.back_to_listen", lang)
        if answer is State.ESTABLISHED and expected is State.SYN_RECEIVED:
            return word("hint.syn_not_acked", lang, side=side)
        if answer is before:
            return word("hint.state_changes", lang, side=side, state=before.value)
        if answer is not None and expected is before:
            return word("hint.state_stays", lang, side=side, state=before.value)
        arc = next((a for a in arcs_from(before) if a.target is answer and a.source != "simulation"), None)
        if arc is not None:
            return word("hint.other_arc", lang, state=before.value, target=answer.value, label=arc.label)
        if answer is not None:
            return word("hint.no_arc", lang, state=before.value, target=answer.value)
        return word("hint.pick", lang)

    def _fin_ahead(self) -> bool:
        """Did a FIN reach this side ahead of its RCV.NXT (data before it still missing)?"""
        arrival, segment = self.scene.arrival(), self.scene.arrived()
        if arrival is None or segment is None or arrival[0] != self.side or not segment.has_fin:
            return False
        rcv_nxt = self.scene.tcb_before(self.side).get("RCV.NXT")
        return isinstance(rcv_nxt, int) and seq_gt(segment.seq, rcv_nxt)


# ------------------------------------------------------------------------------------------------
# Which segment?


class SegmentAnswer:
    """Which segment (flags, seq, ack) does ``side`` send at the last line?"""

    def __init__(self, scene: Outcome, side: str):
        sent = scene.sent_by(side)
        if not sent:
            raise ValueError(f"the {side} sends nothing at the question's last line: ask something else")
        self.scene = scene
        self.side = side
        self.expected: Segment = sent[0]

    def wrong_fields(self, flags: str | None, seq: str, ack: str) -> list[str]:
        """The fields of an answer that differ from the engine's segment (``"flags"``,
        ``"seq"``, ``"ack"``); ack only counts when the segment carries one."""
        expected = self.expected
        wrong = []
        if flags != str(expected.flags):
            wrong.append("flags")
        if parse_number(seq) != expected.seq:
            wrong.append("seq")
        if expected.has_ack and parse_number(ack) != expected.ack:
            wrong.append("ack")
        return wrong

    def hints(self, flags: str | None, seq: str, ack: str, lang: str = "en") -> list[str]:
        """A hint for each wrong field, aimed at the mistake the answer shows."""
        wrong = self.wrong_fields(flags, seq, ack)
        hints = []
        if "flags" in wrong:
            hints.append(self._flags_hint(flags, lang))
        if "ack" in wrong:
            hints.append(self._ack_hint(parse_number(ack), lang))
        if "seq" in wrong:
            hints.append(self._seq_hint(parse_number(seq), lang))
        return hints

    def _flags_hint(self, answer: str | None, lang: str) -> str:
        expected = self.expected.flags
        try:
            given = Flags.parse(answer) if answer else Flags(0)
        except ValueError:
            given = Flags(0)
        side = _side(self.side, lang)
        if given == Flags.FIN and expected == Flags.FIN | Flags.ACK:
            return word("hint.fin_ack", lang)
        arrival, arrived = self.scene.arrival(), self.scene.arrived()
        if self._aborts():  # ABORT (3.10.5): one <SEQ=SND.NXT><CTL=RST>, no FIN, no waiting
            if expected & Flags.RST and not given & Flags.RST:
                return word("hint.abort_rst", lang)
            if given == Flags.RST | Flags.ACK and expected == Flags.RST:
                return word("hint.abort_no_ack", lang)
        if expected & Flags.RST and not given & Flags.RST:
            iss = self.scene.tcb_before(self.side).get("ISS")
            if arrival == (self.side, State.SYN_SENT) and arrived is not None and arrived.has_ack and iss is not None:
                return word("hint.acks_unsent", lang, side=side, ack=arrived.ack, iss=iss, next=seq_add(iss, 1))
            return word("hint.needs_rst", lang)
        if given & Flags.RST and not expected & Flags.RST:
            return word("hint.no_rst", lang)
        if given == Flags.RST | Flags.ACK and expected == Flags.RST:
            return word("hint.rst_without_ack", lang)
        if expected & Flags.SYN and not given & Flags.SYN:
            return word("hint.needs_syn" if expected & Flags.ACK else "hint.open_syn", lang, side=side)
        if given & Flags.SYN and not expected & Flags.SYN:
            rcv_nxt = self.scene.tcb_before(self.side).get("RCV.NXT")
            old = arrived is not None and arrived.has_syn and isinstance(rcv_nxt, int)
            if old and arrival is not None and seq_le(seq_add(arrived.seq, arrived.seg_len), rcv_nxt):
                linux = arrival[1] is State.SYN_RECEIVED
                return word("hint.old_syn_linux" if linux else "hint.old_syn", lang)
            if arrived is not None and arrived.has_syn and arrival is not None and arrival[1].synchronized:
                return word("hint.syn_synchronized", lang, side=side, state=arrival[1].value)
            return word("hint.syn_once", lang, side=side)
        if given & Flags.FIN and not expected & Flags.FIN and self.scene.state_before(self.side) in _FIN_SENT:
            return word("hint.fin_once", lang, side=side)
        if expected & Flags.ACK and not given & Flags.ACK:
            return word("hint.needs_ack", lang)
        if expected & Flags.FIN and not given & Flags.FIN:
            return word("hint.needs_fin", lang)
        return word("hint.flags", lang, section=self._section())

    def _aborts(self) -> bool:
        """Is the last line this side's ABORT call?"""
        return self.scene.event.split() == [self.side, "abort"]

    def _section(self) -> str:
        arrival = self.scene.arrival()
        return arrival_section(arrival[1]) if arrival else "3.10"

    def _ack_hint(self, answer: int | None, lang: str) -> str:
        arrived = self.scene.arrived()
        if answer is not None and arrived is not None:
            counted = seq_add(arrived.seq, len(arrived.data))
            # A segment that did not move RCV.NXT (dropped, answered with a challenge ACK, or held
            # out of order): its own numbers are not what the ACK names.
            untaken = arrived.seg_len and self.expected.ack == self.scene.tcb_before(self.side).get("RCV.NXT")
            if untaken and answer in (arrived.seq, counted, seq_add(arrived.seq, arrived.seg_len)):
                return word("hint.ack_not_taken", lang, side=_side(self.side, lang))
            if answer == arrived.seq and arrived.seg_len:
                key = "hint.ack_syn" if arrived.has_syn else "hint.ack_fin" if arrived.has_fin else "hint.ack_data"
                return word(key, lang, n=len(arrived.data))
            if answer == counted and arrived.seg_len != len(arrived.data):
                return word("hint.ack_counts_flag", lang, flag="SYN" if arrived.has_syn else "FIN")
            if answer >= SEQ_SPACE:
                return word("hint.wrap", lang)
        if answer is not None and answer == self.expected.seq:
            return word("hint.ack_is_theirs", lang)
        return word("hint.ack", lang)

    def _seq_hint(self, answer: int | None, lang: str) -> str:
        expected = self.expected
        arrived = self.scene.arrived()
        if expected.has_rst and arrived is not None:
            return word("hint.rst_seq_from_ack" if arrived.has_ack else "hint.rst_seq_zero", lang)
        if answer is not None and expected.has_ack and answer == expected.ack:
            return word("hint.seq_is_mine", lang)
        if expected.has_syn:
            return word("hint.syn_seq", lang)
        iss = self.scene.tcb_before(self.side).get("ISS")
        if answer is not None and answer == iss:
            return word("hint.seq_after_syn", lang)
        if (
            answer is not None
            and seq_add(answer, 1) == expected.seq
            and self.scene.state_before(self.side) in _FIN_SENT
        ):
            return word("hint.seq_after_fin", lang)
        before = self.scene.tcb_before(self.side)
        if answer is not None and answer == before.get("SND.UNA") != before.get("SND.NXT") == expected.seq:
            return word("hint.seq_not_una", lang)
        return word("hint.seq", lang)


# ------------------------------------------------------------------------------------------------
# At what time?


class TimeAnswer:
    """At what time does the last line's timer fire? The last line must be ``wait next``; the
    answer is the time the engine fires it, in seconds."""

    def __init__(self, scene: Outcome):
        timers = [record for record in scene.records if record.kind == "timer"]
        if scene.event.split() != ["wait", "next"] or not timers:
            raise ValueError("a time question's last line is 'wait next' (when does the next timer fire?)")
        self.scene = scene
        self.record = timers[0]
        self.expected = Decimal(self.record.time_us) / 1_000_000
        self.side = self.record.side
        self.timer = self.record.detail

    @property
    def seconds(self) -> str:
        return f"{self.expected.normalize():f}"

    @staticmethod
    def parse(text: str) -> Decimal | None:
        """Seconds as a learner types them (``127``, ``127.0``, ``127 s``, ``127초``), or None."""
        cleaned = str(text).strip().lower().removesuffix("초").removesuffix("s").strip().replace(",", "")
        try:
            return Decimal(cleaned)
        except InvalidOperation:
            return None

    def is_right(self, text: str) -> bool:
        return self.parse(text) == self.expected

    def hint(self, text: str, lang: str = "en") -> str:
        answer = self.parse(text)
        if answer is None:
            return word("hint.time_number", lang)
        side = _side(self.side, lang)
        if self.timer == "time-wait":
            entered = self._entered_time_wait()
            restarted = any(
                note.code == "retransmitted-fin-time-wait" for r in self.scene.before for _, note in r.notes
            )
            if entered is not None and answer - entered == 60:
                return word("hint.time_wait_linux", lang)
            if entered is not None and answer - entered == 120:
                return word("hint.time_wait_msl", lang)
            if restarted and entered is not None and answer - entered == 240:
                return word("hint.time_wait_restart", lang)
            return word("hint.time_wait", lang, side=side)
        given_up = [note for r in self.scene.records for _, note in r.notes if note.code == "give-up"]
        if given_up:
            other = self._give_up_with_other_retries(answer, given_up[0].args.get("max"))
            if other is not None:
                return word("hint.give_up_retries", lang, k=other, retries=given_up[0].args["max"])
            return word("hint.give_up", lang)
        if self._last_note(("syn-rto-reset", "rtt-sample")) == "syn-rto-reset":
            return word("hint.syn_rto_reset", lang, side=side)
        stopped = self._stopped_at(answer)
        if stopped is not None:
            who, state = stopped
            return word("hint.timer_stopped", lang, side=_side(who, lang), state=state.value)
        if self._restarted_at(answer):
            return word("hint.timer_running", lang, side=side)
        return word("hint.rto", lang)

    def _give_up_with_other_retries(self, answer: Decimal, retries: object) -> int | None:
        """The number of retransmissions k (not the scene's) after which the attempt would end at
        ``answer``: with a first RTO of R from a first send at S, the RTO doubles at each expiry
        up to its cap (RFC 6298 5.5, 2.5), so the attempt ends at S + R + 2R + ... (k + 1 terms,
        each at most the cap), or None."""
        if not isinstance(retries, int) or retries < 1:
            return None
        fired = [Decimal(r.time_us) / 1_000_000 for r in self.scene.before if r.kind == "timer" and r.side == self.side]
        if len(fired) < 2:
            return None
        rto = (fired[1] - fired[0]) / 2  # the second interval is twice the first
        end = fired[0] - rto  # the first send
        cap = Decimal(MAX_RTO_US) / 1_000_000
        for k in range(16):
            end += min(rto * 2**k, cap)
            # k = N - 1 ends where the last retransmission leaves: the give-up hint speaks to that.
            if k not in (retries, retries - 1) and end == answer:
                return k
        return None

    def _last_note(self, codes: tuple[str, ...]) -> str | None:
        """The last of ``codes`` that the timer's side noted in the scene (an RTT sample after
        RFC 6298 5.7's reset computes the RTO afresh), or None."""
        noted = [note.code for r in self.scene.before for who, note in r.notes if who == self.side]
        return next((code for code in reversed(noted) if code in codes), None)

    def _stopped_at(self, answer: Decimal) -> tuple[str, State] | None:
        """(side, its state now) if a retransmission timer was due at ``answer`` and stopped
        before it fired (RFC 6298 5.2: no unacknowledged segment, as in LISTEN), else None."""
        if not self.scene.before:
            return None
        last = self.scene.before[-1]
        fired = {(r.side, r.time_us) for r in self.scene.before if r.kind == "timer"}
        for who in ("client", "server"):
            due = {r.tcb_of(who).get("retransmit_at") for r in self.scene.before} - {None}
            due = {t for t in due if (who, round(t * 1_000_000)) not in fired}
            if last.tcb_of(who).get("retransmit_at") is None and any(Decimal(str(t)) == answer for t in due):
                return who, last.state_of(who)
        return None

    def _restarted_at(self, answer: Decimal) -> bool:
        """Whether ``answer`` is one RTO after the timer's side last sent sequence space while its
        timer was already running, which RFC 6298 (5.1) does not restart."""
        records = self.scene.before
        for previous, record in reversed(list(itertools.pairwise(records))):
            if any(p.sender == self.side and p.segment.seg_len for p in record.sent):
                was, now = previous.tcb_of(self.side), record.tcb_of(self.side)
                running = was.get("retransmit_at") is not None and was.get("retransmit_at") == now.get("retransmit_at")
                sent_at = Decimal(record.time_us) / 1_000_000
                return running and now.get("RTO") is not None and answer == sent_at + Decimal(str(now["RTO"]))
        return False

    def _entered_time_wait(self) -> Decimal | None:
        for record in self.scene.before:
            for who, arc in record.arcs:
                if who == self.side and arc.target is State.TIME_WAIT:
                    return Decimal(record.time_us) / 1_000_000
        return None


# ------------------------------------------------------------------------------------------------
# Which explanation holds?


@dataclasses.dataclass(frozen=True)
class Option:
    """One explanation: its words (English, Korean) and the run that checks it."""

    titles: tuple[str, str]
    script: str
    """The scene with the option's lines after it."""
    run: Run
    why: tuple[str, str] = ("", "")
    """(English, Korean) of the option's description (comment lines under its title): what is
    wrong with it, told to a learner who picks it; empty for the right one."""

    @property
    def holds(self) -> bool:
        return self.run.ok

    def verdict(self, lang: str = "en") -> str:
        """What the engine says when the option is run."""
        if self.run.ok:
            return word("choice.holds", lang)
        if self.run.failure is not None:
            line, message = self.run.failure.command.line, self.run.failure.explain(lang)
        else:
            line, message = self.run.error.line, self.run.error.message
        return word("choice.fails", lang, line=line, message=message)


class ChoiceAnswer:
    """Which explanation holds? Each option is a piece of script (its first comment line and
    ``#ko:`` line say it in words; its ``expect`` lines state it) run after the scene; the one
    whose run meets every expectation is right, and exactly one must."""

    def __init__(self, scene: str, options: list[str]):
        self.scene = scene
        self.options: list[Option] = []
        for text in options:
            words = parse(text, "<option>")
            if not words.title:
                raise ValueError(f"an option starts with a comment line saying it in words: {text!r}")
            script = scene.rstrip("\n") + "\n" + text
            run = run_script(parse(script, "<option>"))
            if run.error is not None:
                raise ValueError(f"the option {words.title!r} does not run: {run.error}")
            self.options.append(Option(words.titles, script, run, words.descriptions))
        holding = [option for option in self.options if option.holds]
        if len(holding) != 1:
            names = [o.titles[0] for o in holding] or ["none"]
            raise ValueError(f"exactly one option must hold when run, not: {', '.join(names)}")
        self.expected = self.options.index(holding[0])
        self.titles = parse(scene, "<scene>").titles

    def is_right(self, index: int | None) -> bool:
        return index == self.expected

    def hint(self, index: int | None, lang: str = "en") -> str:
        """What is wrong with the option picked: its own words for that (its description), or
        else where the engine disagrees with it."""
        if index is None:
            return word("hint.pick", lang)
        option = self.options[index]
        return in_language(option.why, lang) if any(option.why) else option.verdict(lang)
