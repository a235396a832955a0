"""What an exercise is: the names a learner writes, what it may import, and groups of checks.

Each group is a property worth some points: the learner's code must give the reference's
answer on every example of it. Examples come from a hypothesis strategy (or, for a table, the
whole table); the learner's answers are computed in a sandboxed child (``answer``, run
there) and judged in the checker's own process (``judge``), against what tcpedu's reference
implementation says (``expect``). A group passes or fails as a whole, so a learner sees
exactly which part of TCP is right.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Iterator

from ..words import in_language, language_index
from .sandbox import describe_exception

__all__ = ["Exercise", "Group", "Mismatch", "Text", "call_learner", "shown", "text_in"]

Text = str | tuple[str, str]
"""Feedback's words: one text for both languages (numbers, formulas, code), or (English, Korean)."""


def text_in(text: Text, lang: str = "en") -> str:
    """``text`` in ``lang``."""
    return text if isinstance(text, str) else in_language(text, lang)


@dataclasses.dataclass(frozen=True)
class Mismatch:
    """Where the learner's answer differs from the reference's, in words (and, for a run,
    the data its pictures are drawn from)."""

    what: Text
    """The example: ``seq_lt(4294967295, 0)``, or the step of a run."""
    expected: Text
    got: Text
    rule: Text
    """One sentence naming the RFC rule, with its section."""
    detail: object = None
    """What the feedback draws (a run's histories, the learner's table), or None."""


class Group:
    """One property of an exercise. Subclasses set the class attributes and write
    ``strategy`` (or ``fixed_examples``), ``expect``, ``answer`` and ``judge``."""

    key: str = ""
    title: tuple[str, str] = ("", "")
    """The group's name in English and Korean."""
    points: int = 1
    rfc: str = ""
    """The RFC sections the group checks."""
    examples: int = 100
    """Examples a learner's check tries (grading tries more)."""
    exhaustive: bool = False
    """The examples are all there is (a table): every one is tried, nothing is shrunk, and
    every mismatch is reported."""
    needs: tuple[str, ...] = ()
    """The learner's names this group calls."""
    family: str | None = None
    """Groups of one family take each other's examples (runs of the same kind, judged alike),
    so a failure shrunk for one can be tried on the next before shrinking again."""

    def name(self, lang: str = "en") -> str:
        return self.title[language_index(lang)]

    # --- in the checker's process ------------------------------------------------------------------

    def strategy(self):  # pragma: no cover - abstract
        """A hypothesis strategy of examples (JSON-able values)."""
        raise NotImplementedError

    def fixed_examples(self) -> list[object]:  # pragma: no cover - abstract
        """For an exhaustive group: every example."""
        raise NotImplementedError

    def payload(self, example: object) -> object:
        """What the child needs to answer ``example`` (by default, the example itself)."""
        return example

    def expect(self, example: object) -> object:  # pragma: no cover - abstract
        """The reference's answer."""
        raise NotImplementedError

    def judge(self, example: object, expected: object, answer: object) -> Mismatch | None:  # pragma: no cover
        """None if ``answer`` (as the child sent it) is right, else how it is wrong."""
        raise NotImplementedError

    def size(self, example: object) -> tuple:
        """Smaller examples first, when the checker has to pick one of several."""
        return (len(repr(example)),)

    def detail_payload(self, example: object) -> object | None:
        """What to ask the child once more about the failure the learner is shown, to draw it
        (a whole run, say); None if the first answer says enough."""
        return None

    # --- in the sandboxed child --------------------------------------------------------------------

    def answer(self, module: types.ModuleType, payload: object) -> object:  # pragma: no cover - abstract
        """The learner's answer to one payload, as JSON-able values."""
        raise NotImplementedError


@dataclasses.dataclass(frozen=True)
class Exercise:
    number: int
    key: str
    """``sequence-numbers``: how commands and notebooks name it."""
    module: str
    """The file the learner edits, without ``.py``: ``sequence_numbers``."""
    title: tuple[str, str]
    names: tuple[str, ...]
    """What the learner writes."""
    allowed: tuple[object, ...]
    """The parts of tcpedu the learner's code may use."""
    groups: tuple[Group, ...]
    notebook: str
    """The exercise's notebook, without ``.ipynb`` (its Korean twin adds ``.ko``)."""

    @property
    def filename(self) -> str:
        return f"{self.module}.py"

    @property
    def points(self) -> int:
        return sum(group.points for group in self.groups)

    def name(self, lang: str = "en") -> str:
        return self.title[language_index(lang)]

    def __reduce__(self):
        """Pickled by its key: a sandbox's child finds the exercise in its own catalog."""
        return (_exercise_by_key, (self.key,))

    def group(self, key: str) -> Group:
        for group in self.groups:
            if group.key == key:
                return group
        raise KeyError(key)

    # --- in the sandboxed child --------------------------------------------------------------------

    def serve(self, module: types.ModuleType, kind: str, payloads: list[object]) -> Iterator[object]:
        """Answer each payload of the group ``kind`` with the learner's code."""
        group = self.group(kind)
        for payload in payloads:
            try:
                yield group.answer(module, payload)
            except BaseException as error:  # what the learner's code did to our own code is its answer
                text, line = describe_exception(error, getattr(module, "__file__", ""))
                yield {"error": text, "line": line}

    def inspect(self, module: types.ModuleType) -> list[str]:
        """Names the learner was to write that are tcpedu's own objects (taken, not written)."""
        flags = []
        allowed = {id(value) for value in self.allowed}
        for name in self.names:
            value = getattr(module, name, None)
            if value is None or id(value) in allowed:
                continue
            home = getattr(value, "__module__", "") or ""
            bases = getattr(value, "__mro__", ())[1:]
            foreign = [b for b in bases if (b.__module__ or "").startswith("tcpedu.") and id(b) not in allowed]
            if home.startswith("tcpedu.") or foreign:
                flags.append(f"{name} is tcpedu's own ({home or foreign[0].__module__})")
        return flags


def _exercise_by_key(key: str) -> Exercise:
    from .catalog import exercise

    return exercise(key)


def call_learner(module: types.ModuleType, name: str, *args: object) -> tuple[object, dict[str, object] | None]:
    """Call the learner's ``name`` (in the child): (result, None), or (None, the error as
    ``{"error": text, "line": n}``) if it raised or is missing."""
    function = getattr(module, name, None)
    if function is None:
        return None, {"error": f"{name} is not defined", "line": None}
    if not callable(function):
        return None, {"error": f"{name} is not a function", "line": None}
    try:
        return function(*args), None
    except BaseException as error:  # anything the learner's code raises is its answer
        text, line = describe_exception(error, getattr(module, "__file__", ""))
        return None, {"error": text, "line": line}


def shown(answer: object) -> Text:
    """An answer from the child, in words: its error, or its value."""
    if isinstance(answer, dict) and "error" in answer:
        return (f"raised {answer['error']}", f"예외 발생: {answer['error']}")
    if isinstance(answer, dict) and "repr" in answer:
        return (f"{answer['repr']} (a {answer['type']})", f"{answer['repr']} ({answer['type']} 값)")
    return repr(answer)
