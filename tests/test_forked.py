"""tcpedu.forked.Helper: work done by a forked process, its bytes handed back whole."""

from __future__ import annotations

import os
import time

import pytest

from tcpedu.forked import Helper, can_fork

pytestmark = pytest.mark.skipif(not can_fork(), reason="fork is POSIX only")


def test_a_helper_hands_back_what_its_work_returned_however_large():
    data = bytes(range(256)) * 40_000  # 10 MB: far more than a pipe holds
    helper = Helper(lambda: data)
    try:
        assert bytes(helper.result()) == data
    finally:
        helper.stop()


def test_a_helper_sees_this_process_as_it_was_when_forked():
    numbers = list(range(1000))
    helper = Helper(lambda: repr(sum(numbers)).encode())
    numbers.append(10**6)  # after the fork: the helper does not see it
    try:
        assert bytes(helper.result()) == b"499500"
    finally:
        helper.stop()


def test_nothing_returned_is_an_empty_result_not_a_failure():
    helper = Helper(lambda: b"")
    try:
        assert helper.result() == b""
    finally:
        helper.stop()


@pytest.mark.parametrize(
    "work",
    [lambda: 1 // 0, lambda: os._exit(0), lambda: os.kill(os.getpid(), 9)],
    ids=["raised", "ended-without-a-word", "killed"],
)
def test_a_helper_that_fails_gives_none(work):
    helper = Helper(work)
    try:
        assert helper.result() is None
    finally:
        helper.stop()


def test_stopping_a_helper_ends_it_at_once_and_leaves_no_process():
    helper = Helper(lambda: time.sleep(60) or b"late")
    pid = helper._pid
    started = time.monotonic()
    helper.stop()
    assert time.monotonic() - started < 10
    with pytest.raises(ChildProcessError):  # reaped: no zombie left behind
        os.waitpid(pid, os.WNOHANG)


def test_a_result_taken_stays_readable_after_stop():
    helper = Helper(lambda: b"kept")
    result = helper.result()
    helper.stop()
    assert bytes(result) == b"kept"
