"""Every text a learner reads exists in English and Korean, in one table of one shape; the core
keeps only the RFC's English; and no Korean template glues a particle to a value or a number."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from tcpedu import State
from tcpedu.core.notes import NOTE_TEXTS, Note
from tcpedu.words import WORDS, describe_state, in_language, note_text, state_gloss, word

CORE = Path(__file__).resolve().parent.parent / "tcpedu" / "core"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Particles whose form depends on the last sound of the word before them (받침): after a value
# or a number the writer cannot know it, so "SEG.ACK={ack}는" is wrong for every other value
# ("101는" should be "101은", "5002는" is right), with a closing bracket or quote in between or
# not. Particles of one form (의, 에, 에서, 도, 만, 까지, 부터) are right after anything.
GLUED = re.compile(r"[}\d][)\]'\"]?(은|는|이|가|을|를|과|와|으로|로|이나|나|이랑|랑)")


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(WORDS))
def test_each_text_has_korean_with_the_same_fields_as_its_english(key):
    english, korean = WORDS[key]
    words_in_it = re.sub(r"\{[^}]*\}|RFC|[A-Z]+", "", english)  # a template of values and protocol terms only
    kept = key in ("ladder.challenge_ack", "table.rule")  # RFC 5961's term and a formula, as Korean texts keep them
    assert HANGUL.search(korean) or kept or not re.search("[a-z]", words_in_it), f"{key}: no Korean"
    assert english or key.startswith("gloss.")  # the RFC's name is a state's English short name
    assert fields(english) == fields(korean)


@pytest.mark.parametrize("key", sorted(WORDS))
def test_no_korean_template_glues_a_particle_to_a_value_or_a_number(key):
    korean = WORDS[key][1]
    assert not GLUED.search(korean), f"{key}: {korean!r} — rephrase so no particle follows the value"


def test_the_particle_check_catches_the_reviews_examples():
    for wrong in ("SEG.ACK={ack}는", "(SEG.LEN={len})가", "RCV.NXT={rcv_nxt}가", "Figure 5와", "{n}을"):
        assert GLUED.search(wrong)
    for right in ("{n}바이트", "{seconds}초", "#{id}의 복제", "{side}에 도착", "2*MSL이"):
        assert not GLUED.search(right)


def test_every_engine_note_and_state_has_korean():
    assert {key.removeprefix("note.") for key in WORDS if key.startswith("note.")} == set(NOTE_TEXTS)
    assert {key.removeprefix("state.") for key in WORDS if key.startswith("state.")} == {s.value for s in State}
    assert {key.removeprefix("gloss.") for key in WORDS if key.startswith("gloss.")} == {s.value for s in State}


def test_the_core_keeps_the_rfcs_english_only():
    for path in CORE.glob("*.py"):
        assert not HANGUL.search(path.read_text(encoding="utf-8")), f"{path.name} holds Korean"


def test_a_note_reads_in_both_languages():
    note = Note("acked", ack=101, n=1, una=100)
    assert note_text(note, "en") == note.text == "SEG.ACK=101 acknowledges 1 octets (SND.UNA 100 -> 101)"
    assert note_text(note, "ko") == "SEG.ACK=101: 1바이트 확인응답 (SND.UNA 100 -> 101)"
    with pytest.raises(ValueError, match="en, ko"):
        note_text(note, "fr")


def test_states_read_in_both_languages():
    assert describe_state(State.TIME_WAIT) == State.TIME_WAIT.describe()
    assert "2*MSL" in describe_state(State.TIME_WAIT, "ko")
    assert state_gloss(State.ESTABLISHED) == "" and state_gloss(State.ESTABLISHED, "ko") == "연결 수립"


def test_word_fills_its_fields_and_refuses_an_unknown_language():
    assert word("clock.now", "ko", seconds="1.5") == "t = 1.5초"
    with pytest.raises(ValueError, match="en, ko"):
        word("clock.now", "de", seconds="1")


def test_a_pair_without_korean_reads_in_english():
    assert in_language(("a lost SYN", ""), "ko") == "a lost SYN"
    assert in_language(("a lost SYN", "SYN 유실"), "ko") == "SYN 유실"
