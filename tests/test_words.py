"""Every word the pictures and widgets show, and every engine note, exists in both languages."""

from __future__ import annotations

import string

import pytest

from tcpedu.core.notes import NOTE_TEXTS, NOTE_TEXTS_KO, Note
from tcpedu.words import WORDS, word


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(WORDS))
def test_each_word_has_english_and_korean_with_the_same_fields(key):
    english, korean = WORDS[key]
    assert english and korean
    assert fields(english) == fields(korean)


@pytest.mark.parametrize("code", sorted(NOTE_TEXTS))
def test_each_engine_note_has_a_korean_text_with_the_same_fields(code):
    assert code in NOTE_TEXTS_KO
    assert fields(NOTE_TEXTS[code][0]) == fields(NOTE_TEXTS_KO[code])


def test_no_korean_note_without_an_english_one():
    assert set(NOTE_TEXTS_KO) == set(NOTE_TEXTS)


def test_a_note_reads_in_both_languages():
    note = Note("acked", ack=101, n=1, una=100)
    assert note.text_in("en") == "SEG.ACK=101 acknowledges 1 octets (SND.UNA 100 -> 101)"
    assert note.text_in("ko") == "SEG.ACK=101가 1바이트를 확인함 (SND.UNA 100 -> 101)"
    with pytest.raises(ValueError, match="en, ko"):
        note.text_in("fr")


def test_word_fills_its_fields_and_refuses_an_unknown_language():
    assert word("clock.now", "ko", seconds="1.5") == "t = 1.5초"
    with pytest.raises(ValueError, match="en, ko"):
        word("clock.now", "de", seconds="1")
