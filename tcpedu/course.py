"""Tables and demonstrations the lessons show, each computed by tcpedu, not typed in."""

from __future__ import annotations

import html
from collections.abc import Iterable

from .core.isn import IsnGenerator
from .core.seqnum import seq_add, seq_ge
from .core.states import State
from .sim.history import Record
from .sim.simulation import CLIENT_ADDRESS, SERVER_ADDRESS
from .words import describe_state, state_gloss, word

__all__ = ["HtmlTable", "acknowledgements", "isn_samples", "state_table"]


class HtmlTable:
    """A small table that shows itself in Jupyter (and as text anywhere else)."""

    def __init__(self, headings: list[str], rows: list[list[str]]):
        self.headings = headings
        self.rows = rows

    def _repr_html_(self) -> str:
        head = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in self.headings)
        body = "".join(
            "<tr>" + "".join(f"<td style='text-align:left'>{html.escape(c)}</td>" for c in row) + "</tr>"
            for row in self.rows
        )
        return f"<table><tr>{head}</tr>{body}</table>"

    def __repr__(self) -> str:
        widths = [max(len(str(x)) for x in column) for column in zip(self.headings, *self.rows, strict=False)]
        lines = [
            "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)) for row in [self.headings, *self.rows]
        ]
        return "\n".join(lines)


def state_table(states: Iterable[State | str] | None = None, lang: str = "en") -> HtmlTable:
    """The states (all 11 by default; RFC names or ``State``s) with what each means, in ``lang``."""
    chosen = list(State) if states is None else [s if isinstance(s, State) else State.parse(s) for s in states]
    rows = []
    for state in chosen:
        gloss = state_gloss(state, lang)
        rows.append([f"{state.value} ({gloss})" if gloss else state.value, describe_state(state, lang)])
    return HtmlTable([word("table.state", lang), word("table.meaning", lang)], rows)


def isn_samples(lang: str = "en", seed: int = 0) -> HtmlTable:
    """ISNs RFC 6528's generator gives a client: the same ports at different times (the clock
    part M grows 250,000 a second, so a later connection starts above an earlier one's numbers),
    and other ports at the same moment (the hash part F differs unpredictably)."""
    generator = IsnGenerator(seed)
    rows = []
    for seconds in (0, 1, 2, 60):
        isn = generator(CLIENT_ADDRESS, SERVER_ADDRESS, seconds * 1_000_000)
        rows.append([f"{seconds} s", str(CLIENT_ADDRESS[1]), str(isn)])
    for port in (50001, 50002):
        isn = generator((CLIENT_ADDRESS[0], port), SERVER_ADDRESS, 0)
        rows.append(["0 s", str(port), str(isn)])
    return HtmlTable([word("table.when", lang), word("table.port", lang), word("table.isn", lang)], rows)


def acknowledgements(history: Iterable[Record], lang: str = "en") -> HtmlTable:
    """Every segment that takes sequence numbers and the first ACK from the other side that
    covers it: the ACK number is the next sequence number expected, seq + SEG.LEN (a SYN or
    a FIN counts one)."""
    packets = [packet for record in history for packet in record.sent]
    rows = []
    for index, packet in enumerate(packets):
        segment = packet.segment
        if segment.seg_len == 0 or packet.copy_of is not None or packet.tag == "retransmission":
            continue
        end = seq_add(segment.seq, segment.seg_len)
        answer = next(
            (
                later
                for later in packets[index + 1 :]
                if later.sender != packet.sender and later.segment.has_ack and seq_ge(later.segment.ack, end)
            ),
            None,
        )
        acked = f"#{answer.id} ack={answer.segment.ack}" if answer is not None else "—"
        rows.append(
            [
                f"#{packet.id} {packet.sender}: {segment.describe()}",
                f"{segment.seg_len}",
                acked,
                f"{segment.seq} + {segment.seg_len} = {end}",
            ]
        )
    headings = [word(f"table.{key}", lang) for key in ("segment", "occupies", "acked", "rule")]
    return HtmlTable(headings, rows)
