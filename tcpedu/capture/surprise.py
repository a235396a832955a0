"""What the real stack did otherwise than the engine (a replay's *surprises*), and what a replay
says once of a connection (its *remarks*: what the engine does not model and the capture used),
in English and Korean.

A ``Surprise`` (and a ``Remark``) is its English text, a ``str``: what ``tcpedu replay`` prints and its JSON holds.
It also keeps what it is made of (which surprise, its values, the engine notes that explain the
segment the engine would have sent, and the Linux profile's switch that would explain the
difference), so the capture widget can say it in Korean: ``surprise.text("ko")``. The sentences
are ``words.py``'s ``surprise.*`` and ``remark.*``; the switches' Linux behaviour is ``switch.*``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core.notes import Note
from ..words import note_text, side_name, word

__all__ = ["Remark", "Surprise"]


class Surprise(str):
    """One surprise: ``Surprise("duplicate-ack", side="server", shown="ACK seq=1 ...")``.

    ``notes`` (the reasons for the segment the engine would have sent) fill the sentence's
    ``{because}``, after a colon; ``switch`` (a Linux profile switch the run lacks) adds "Linux differs" and what Linux
    does. Values named ``side`` are read as a side (``client``, ``server``), ``reason`` as a
    refused call's reason, ``what`` as one of ``surprise.what.*``, and ``due`` as when the
    retransmission timer is due (None: it is not running), said as ``{when}``."""

    KEY = "surprise"
    """The prefix of its sentences in ``words.py``."""

    code: str
    values: dict[str, object]
    notes: tuple[Note, ...]
    switch: str | None

    def __new__(cls, code: str, notes: Sequence[Note] = (), switch: str | None = None, **values: object) -> Surprise:
        surprise = super().__new__(cls, _compose(f"{cls.KEY}.{code}", values, tuple(notes), switch, "en"))
        surprise.code = code
        surprise.values = values
        surprise.notes = tuple(notes)
        surprise.switch = switch
        return surprise

    def text(self, lang: str = "en") -> str:
        """The surprise in ``lang`` (its English is the string itself)."""
        if lang == "en":
            return str(self)
        return _compose(f"{self.KEY}.{self.code}", self.values, self.notes, self.switch, lang)

    def __reduce__(self):  # pickled by what it is made of (str's own would pass only the text)
        return (_rebuild, (type(self), self.code, self.notes, self.switch, self.values))


class Remark(Surprise):
    """What a replay says once of a connection: ``Remark("sack")``; its sentences are ``remark.*``."""

    KEY = "remark"


def _rebuild(cls, code: str, notes: tuple[Note, ...], switch: str | None, values: dict[str, object]) -> Surprise:
    return cls(code, notes, switch, **values)


def _compose(key: str, values: dict[str, object], notes: tuple[Note, ...], switch: str | None, lang: str) -> str:
    filled = dict(values)
    if "side" in filled:
        filled["side"] = side_name(str(filled["side"]), lang)
    if "reason" in filled:  # a refused call's reason, as RFC 9293 3.10 words it
        filled["reason"] = word(f"reason.{filled['reason']}", lang)
    if "what" in filled:
        filled["what"] = word(f"surprise.what.{filled['what']}", lang)
    if "due" in filled:
        due = filled.pop("due")
        filled["when"] = word("surprise.when.idle", lang) if due is None else word("surprise.when.due", lang, due=due)
    # The engine's reasons for the segment it would have sent, where the sentence says "{because}".
    reasons = "; ".join(f"{note_text(note, lang)} [{note.reference}]" for note in notes)
    text = word(key, lang, **filled, because=f": {reasons}" if reasons else "")
    if switch is not None:
        text += word("surprise.linux_differs", lang, switch=switch, linux=word(f"switch.{switch}", lang))
    return text
