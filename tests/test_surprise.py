"""A replay's surprises: their English is what tcpedu replay prints; each also reads in Korean."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

from tcpedu.capture.surprise import Remark, Surprise
from tcpedu.core.notes import Note
from tcpedu.core.profile import SWITCHES
from tcpedu.core.states import State
from tcpedu.words import WORDS

REPLAY = Path(__file__).resolve().parent.parent / "tcpedu" / "capture" / "replay.py"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
PARTS = ("surprise.what.", "surprise.when.", "surprise.linux_differs")
CODES = sorted(
    key.removeprefix("surprise.") for key in WORDS if key.startswith("surprise.") and not key.startswith(PARTS)
)
REMARKS = sorted(key.removeprefix("remark.") for key in WORDS if key.startswith("remark."))
SAMPLE = {
    "side": "server",
    "what": "fin",
    "call": "CLOSE",
    "state": State.TIME_WAIT,
    "reason": "connection closing",
    "source": "3.10.4",
    "late": "40.1",
    "at": "0.200000 s",
    "segment": "ACK seq=1 ack=2 len=0",
    "expected": "ACK seq=1 ack=2 len=0 (retransmission)",
    "shown": "ACK seq=1 ack=2 len=0 win=502",
    "time": "3.000000",
    "due": "4.000000",
    "number": 7,
    "client": 7,
    "server": 10,
    "largest": 2896,
    "mss": 1448,
    "names": "ECE,CWR",
}


def test_the_replay_makes_only_surprises_and_remarks_that_have_words():
    source = REPLAY.read_text(encoding="utf-8")
    made = set(re.findall(r'Surprise\(\s*"([a-z-]+)"', source)) | {"late", "late-ack"}  # _late picks one of two
    assert made and made <= set(CODES)
    remarked = set(re.findall(r'Remark\(\s*"([a-z-]+)"', source))
    assert remarked == set(REMARKS)


@pytest.mark.parametrize("code", REMARKS)
def test_each_remark_reads_in_english_and_in_korean(code):
    remark = Remark(code, (Note("retransmit", seq=1, n=1, max=7, rto=2.0),), **SAMPLE)
    korean = remark.text("ko")
    assert remark.text("en") == str(remark) and "{" not in remark and "{" not in korean
    assert HANGUL.search(korean) and korean != str(remark)


@pytest.mark.parametrize("code", CODES)
def test_each_surprise_reads_in_english_and_in_korean(code):
    surprise = Surprise(code, (Note("retransmit", seq=1, n=1, max=7, rto=2.0),), "rto-min-200ms", **SAMPLE)
    assert surprise.text("en") == str(surprise) and "{" not in surprise
    korean = surprise.text("ko")
    assert HANGUL.search(korean) and "{" not in korean and korean != str(surprise)
    assert "[Linux differs (rto-min-200ms): " in surprise and "[리눅스는 다름 (rto-min-200ms): " in korean
    if "{because}" in WORDS[f"surprise.{code}"][0]:  # the engine's reasons, each with its RFC section
        reference = "[RFC 9293 3.10.8, RFC 6298 5.4-5.6]"
        assert reference in surprise and reference in korean


def test_a_refused_calls_reason_and_what_was_sent_read_in_korean():
    surprise = Surprise(
        "refused",
        side="client",
        what="data",
        call="SEND",
        state=State.CLOSED,
        reason="connection does not exist",
        source="3.10.2",
    )
    assert str(surprise) == (
        "the real client sent new data, but the engine's client would refuse SEND in CLOSED: "
        "connection does not exist (RFC 9293 3.10.2)"
    )
    assert "새 데이터" in surprise.text("ko") and "연결이 존재하지 않음" in surprise.text("ko")


def test_a_surprise_survives_pickling_with_both_languages():
    surprise = Surprise("duplicate-ack", side="client", shown="ACK seq=1 ack=1 len=0")
    copy = pickle.loads(pickle.dumps(surprise))
    assert copy == surprise and copy.code == "duplicate-ack" and copy.text("ko") == surprise.text("ko")
    remark = pickle.loads(pickle.dumps(Remark("sack")))
    assert type(remark) is Remark and remark.text("ko") == Remark("sack").text("ko")


def test_every_linux_switch_says_in_korean_what_linux_does():
    assert {key.removeprefix("switch.") for key in WORDS if key.startswith("switch.")} == set(SWITCHES)
    for name, switch in SWITCHES.items():
        assert WORDS[f"switch.{name}"][0] == switch.linux


def test_an_early_retransmission_says_whether_the_engines_timer_was_running():
    values = {**SAMPLE, "due": None}
    idle = Surprise("early-retransmission", **values)
    assert "its timer is not running (RFC 6298" in idle and "타이머가 동작하지 않음" in idle.text("ko")
    due = Surprise("early-retransmission", **SAMPLE)
    assert "its timer is due at 4.000000 s (RFC 6298" in due and "타이머 만료 예정 시각 4.000000 s" in due.text("ko")
