"""The checker itself (tcpedu/grade): where an answer comes from, what it may import, what
happens when learner code misbehaves, what the feedback draws, the command line, and
property-based tests that the checker finds exactly the mistakes planted in an answer.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tcpedu.cli import main
from tcpedu.grade.api import solution_source, stub_source
from tcpedu.grade.catalog import exercise
from tcpedu.grade.catalog.ex3_state_machine import TABLE_ARCS, TABLE_REFUSALS
from tcpedu.grade.checker import check_answer
from tcpedu.grade.exercise import text_in
from tcpedu.grade.feedback import html_report, pictures, table_picture, text_report
from tcpedu.grade.sandbox import Limits
from tcpedu.grade.source import Answer, answer_from_cells, answer_from_file

SVG = "{http://www.w3.org/2000/svg}"


def en(text) -> str:
    """A feedback text in English."""
    return text_in(text, "en")


def check(key: str, source: str, **options):
    return check_answer(exercise(key), Answer(source, "mine.py"), **options)


def statuses(result) -> dict[str, str]:
    return {group.group.key: group.status for group in result.groups}


# ------------------------------------------------------------------------------------------------
# Where an answer comes from


def test_from_cells_the_last_definition_wins_and_calls_and_broken_cells_are_left_out():
    cells = [
        "from tcpedu.kit import Flags, Segment, seq_add\nfrom tcpedu.grade import check",
        "def ack_for(segment):\n    return 0  # a first try",
        "def handshake(:",  # a cell that does not parse
        "check('handshake')\n%timeit handshake(1, 2)",
        "x = ack_for(Segment(1))\nMASK = 2**32 - 1",
        "def ack_for(segment):\n    return seq_add(segment.seq, segment.seg_len)",
        "!ls",
    ]
    answer = answer_from_cells(cells, "this notebook")
    assert "return 0" not in answer.source and "seq_add(segment.seq, segment.seg_len)" in answer.source
    assert "check" not in answer.source and "x =" not in answer.source  # calls are not run
    assert "MASK = 2**32 - 1" in answer.source  # a constant is
    assert "from tcpedu.grade import check" not in answer.source  # an import the answer does not use
    line = answer.source.splitlines().index("    return seq_add(segment.seq, segment.seg_len)") + 1
    assert answer.where(line) == "cell 6, line 2"


def test_a_notebook_file_is_read_by_its_cells(tmp_path):
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": ["# mine"], "metadata": {}},
            {"cell_type": "code", "source": ["def handshake(a, b):\n", "    return []\n"], "metadata": {}},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "02_handshake.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    answer = answer_from_file(path)
    assert answer.origin == "02_handshake.ipynb" and "def handshake(a, b):" in answer.source


def test_an_answer_that_cannot_be_read_is_one_line_naming_the_file(tmp_path):
    (tmp_path / "x.ipynb").write_text("{not json", encoding="utf-8")
    (tmp_path / "y.py").write_bytes(b"\xff\xfe")
    for name, message in (("x.ipynb", "not a Jupyter notebook"), ("y.py", "not a text file"), ("z.py", "no such file")):
        with pytest.raises(Exception, match=message) as caught:
            answer_from_file(tmp_path / name)
        assert name in str(caught.value)


# ------------------------------------------------------------------------------------------------
# What an answer may use of tcpedu


SEQNUM = solution_source(exercise("sequence-numbers"))


@pytest.mark.parametrize(
    ("change", "used"),
    [
        ("from tcpedu.core.seqnum import seq_lt\n", "tcpedu.core.seqnum.seq_lt"),
        ("import tcpedu\nseq_lt = tcpedu.core.seqnum.seq_lt\n", "tcpedu.core.seqnum.seq_lt"),
        ("import tcpedu.core.seqnum as s\nseq_lt = s.seq_lt\n", "tcpedu.core.seqnum.seq_lt"),
        ("m = __import__('tcpedu.core.seqnum')\n", "tcpedu.core.seqnum"),
        ("import sys\nm = sys.modules['tcpedu.core.seqnum']\n", "sys.modules[tcpedu.core.seqnum]"),
        ("from tcpedu.kit import seq_lt\n", "tcpedu.kit.seq_lt"),  # the very thing exercise 1 asks for
    ],
)
def test_an_answer_using_the_reference_implementation_scores_nothing_and_says_why(change, used):
    result = check("sequence-numbers", SEQNUM + "\n" + change)
    assert result.score == 0 and set(statuses(result).values()) == {"forbidden"}
    assert used in en(result.problem) and "tcpedu's own answer" in en(result.problem)


def test_a_reference_function_smuggled_past_the_text_is_caught_when_loaded():
    sneaky = SEQNUM + "\nseq_lt = eval('__imp' + 'ort__')('tcpedu.core.seqnum', fromlist=['x']).seq_lt\n"
    result = check("sequence-numbers", sneaky)
    assert result.score == 0 and "seq_lt is tcpedu's own" in en(result.problem)


def test_allowed_helpers_may_be_imported_under_any_name():
    handshake = solution_source(exercise("handshake")).replace(
        "from tcpedu.kit import Flags, Segment, seq_add",
        "from tcpedu import Flags, Segment\nfrom tcpedu.kit import seq_add",
    )
    assert check("handshake", handshake).score == exercise("handshake").points


# ------------------------------------------------------------------------------------------------
# Learner code that misbehaves loses the groups it spoils, and never the checker


def with_body(name: str, body: str) -> str:
    """The exercise 1 solution with ``name``'s body replaced."""
    lines = SEQNUM.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"def {name}("))
    end = next((i for i in range(start + 1, len(lines)) if lines[i] and not lines[i].startswith(" ")), len(lines))
    return "\n".join([*lines[: start + 1], *("    " + line for line in body.splitlines()), *lines[end:]]) + "\n"


@pytest.mark.parametrize(
    ("name", "body", "groups", "reason"),
    [
        ("acceptable", "while True:\n    pass", {"acceptability"}, "did not finish within 2 s"),
        ("seq_ge", "import os\nos._exit(3)", {"nearby-comparisons", "wrap-comparisons"}, "exited (status 3)"),
        ("acceptable", "import ctypes\nctypes.string_at(0)", {"acceptability"}, "segmentation fault"),
    ],
)
def test_code_that_hangs_exits_or_crashes_loses_the_groups_that_call_it_only(name, body, groups, reason):
    result = check("sequence-numbers", with_body(name, body), limits=Limits(seconds=2))
    spoiled = {key for key, status in statuses(result).items() if status != "passed"}
    assert spoiled == groups
    assert all(statuses(result)[group] == "error" for group in groups)
    assert all(reason in en(g.message) for g in result.groups if g.group.key in groups)


def test_learner_code_runs_in_a_process_that_never_held_an_expected_answer():
    """The checker keeps the reference's answers for every example it drew (here, exercise
    5's runs, checked first); the learner's code looks for them in its own memory and finds
    neither the checker nor hypothesis loaded, nor a filled cache, and not the checker as its
    parent process."""
    import os

    check("endpoint", solution_source(exercise("endpoint")))
    probe = with_body(
        "seq_add",
        "import gc, os, sys\n"
        "filled = sum(1 for o in gc.get_objects() if type(o).__module__.startswith('tcpedu.grade.catalog') "
        "and o.__dict__.get('_cache'))\n"
        "raise RuntimeError(f\"checker={'tcpedu.grade.checker' in sys.modules} "
        "hypothesis={'hypothesis' in sys.modules} filled={filled} parent={os.getppid()}\")",
    )
    result = check("sequence-numbers", probe)
    failure = next(g for g in result.groups if g.group.key == "addition").failures[0]
    assert "checker=False hypothesis=False filled=0 parent=" in en(failure.mismatch.got)
    assert f"parent={os.getpid()})" not in en(failure.mismatch.got)


def test_a_search_replayed_for_another_learner_shows_what_its_own_search_would():
    """Grading a class, a second learner with the first one's mistake gets the first one's
    shrunk example from one batch of questions: exactly the example a search of its own finds."""
    from tcpedu.grade import checker

    solution = solution_source(exercise("closing"))
    first = solution.replace("now_us + 2 * conn.msl_us  # the peer's FIN again", "now_us  # the peer's FIN again")
    second = "# someone else's work\n" + first + "\nNAME = 2\n"
    checker._searches.clear()
    check("closing", first)
    kept = {key: len(searches) for key, searches in checker._searches.items()}
    assert kept, "the first learner's failure was shrunk by a search"
    replayed = check("closing", second)
    assert {key: len(searches) for key, searches in checker._searches.items()} == kept, "no new search"
    checker._searches.clear()
    searched = check("closing", second)
    assert checker._searches, "a search of its own"
    shown = [[failure.example for failure in group.failures] for group in replayed.groups]
    assert shown == [[failure.example for failure in group.failures] for group in searched.groups]
    assert any(shown) and replayed.score == searched.score
    other = solution.replace("conn.time_wait_until = now_us + 2 * conn.msl_us\n", "conn.time_wait_until = now_us\n")
    assert other != solution
    kept = {key: len(searches) for key, searches in checker._searches.items()}
    check("closing", other)  # another mistake fails other examples: no replay, a search
    assert any(len(searches) > kept.get(key, 0) for key, searches in checker._searches.items())


def test_sys_exit_in_a_function_is_that_functions_wrong_answer():
    result = check("sequence-numbers", with_body("seq_lt", "import sys\nsys.exit(0)"))
    assert statuses(result) == {
        "addition": "passed",
        "nearby-comparisons": "failed",
        "wrap-comparisons": "failed",
        "acceptability": "passed",
    }
    failure = next(g for g in result.groups if g.group.key == "wrap-comparisons").failures[0]
    assert "SystemExit" in en(failure.mismatch.got)


def test_code_that_fails_to_load_gets_nothing_with_the_error_and_its_line():
    result = check("sequence-numbers", "x = 1\n1 / 0\n")
    assert result.score == 0 and "ZeroDivisionError" in en(result.problem) and "line 2" in en(result.problem)
    result = check("sequence-numbers", "def seq_add(a, n):\n    return (a + n\n")
    assert result.score == 0 and en(result.problem).startswith("SyntaxError") and "line 2" in en(result.problem)


def test_what_the_code_prints_is_kept_apart_from_its_answers():
    chatty = with_body("seq_ge", "print('comparing', a, b)\nreturn a == b or seq_lt(b, a)")
    result = check("sequence-numbers", chatty)
    assert result.score == result.max_score
    assert result.output.startswith("comparing ")


def test_printing_past_the_limit_fails_that_code_and_nothing_else():
    flood = with_body("seq_ge", "print('x' * 1_000_000)\nreturn a == b or seq_lt(b, a)")
    result = check("sequence-numbers", flood, limits=Limits(output_bytes=100_000))
    assert {key for key, status in statuses(result).items() if status != "passed"} == {
        "nearby-comparisons",
        "wrap-comparisons",
    }
    failure = next(g for g in result.groups if g.group.key == "wrap-comparisons").failures[0]
    assert "File too large" in en(failure.mismatch.got)
    assert len(result.output) <= 4000


# ------------------------------------------------------------------------------------------------
# Feedback: the pictures point at the first difference


def test_a_wrong_syn_ack_is_drawn_red_with_rfc_9293s_segment_in_green_beside_it():
    wrong = solution_source(exercise("endpoint")).replace(
        "        self.rcv_nxt = seq_add(seg.seq, 1)\n        self.update_window(seg.wnd, seg.seq, 0)",
        "        self.rcv_nxt = seg.seq\n        self.update_window(seg.wnd, seg.seq, 0)",
    )
    result = check("endpoint", wrong)
    failure = result.groups[0].failures[0]
    yours = ET.fromstring(pictures(failure)[0].svg)
    segments = [g for g in yours.iter(f"{SVG}g") if "segment" in (g.get("class") or "").split()]
    marked = [g for g in segments if "marked" in g.get("class").split()]
    assert len(marked) == 1
    client_isn = failure.example[0][0][0][2]  # the plan's client ISN setting
    assert marked[0].get("data-flags") == "SYN,ACK" and int(marked[0].get("data-ack")) == client_isn
    ghosts = [g for g in segments if "ghost" in g.get("class").split()]
    assert len(ghosts) == 1 and int(ghosts[0].get("data-ack")) == (client_isn + 1) % 2**32
    label = "".join(ghosts[0].itertext())
    assert label.startswith("RFC 9293: SYN,ACK") and "#" not in label.split(":")[0]


def test_a_wrong_table_is_drawn_as_the_learners_own_state_diagram():
    wrong = solution_source(exercise("state-machine")).replace(
        "    (S.TIME_WAIT, E.RCV_FIN): S.TIME_WAIT,", "    (S.TIME_WAIT, E.RCV_FIN): S.CLOSED,"
    )
    result = check("state-machine", wrong)
    picture = table_picture(result)
    root = ET.fromstring(picture.svg)
    edges = {}
    for group in root.iter(f"{SVG}g"):
        classes = (group.get("class") or "").split()
        if "edge" in classes:
            title = next(group.iter(f"{SVG}title")).text
            edges.setdefault(title, set()).update(classes)
    assert "table-wrong" in edges["TIME-WAIT->CLOSED (end)"]  # drawn to the state the learner gave
    assert "table-missing" in edges["TIME-WAIT->TIME-WAIT"]  # and the RFC's arc dashed
    assert edges["CLOSED->LISTEN"] >= {"table-right"}


def test_the_reports_name_every_group_with_its_points_in_both_languages():
    result = check("handshake", stub_source(exercise("handshake")))
    text, html = text_report(result), html_report(result, "ko")
    for group in exercise("handshake").groups:
        assert group.name("en") in text and group.name("ko") in html
    assert "0 of 10 points" in text and "10점 만점에 0점" in html


# ------------------------------------------------------------------------------------------------
# The command line


def test_tcpedu_check_exits_0_for_full_marks_1_otherwise_2_for_a_bad_request(tmp_path, capsys):
    solution = tmp_path / "handshake.py"
    solution.write_text(solution_source(exercise("handshake")), encoding="utf-8")
    assert main(["check", str(solution)]) == 0
    assert "10 of 10 points" in capsys.readouterr().out
    stub = tmp_path / "mine.py"
    stub.write_text(stub_source(exercise("handshake")), encoding="utf-8")
    page = tmp_path / "report.html"
    assert main(["check", str(stub), "--exercise", "handshake", "--html", str(page)]) == 1
    assert "0 of 10 points" in capsys.readouterr().out and "<svg" not in page.read_text()  # nothing drawn: not written
    assert main(["check", str(stub)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"tcpedu: {stub}: which exercise is it? Say --exercise NAME "
        "(one of sequence-numbers, handshake, state-machine, closing, endpoint)"
    )
    assert main(["check", str(tmp_path / "none.py")]) == 2
    assert capsys.readouterr().err.strip() == f"tcpedu: {tmp_path / 'none.py'}: no such file"


def test_tcpedu_exercises_release_and_solutions_write_the_files(tmp_path, capsys):
    assert main(["exercises", "release", str(tmp_path / "out")]) == 0
    for ex in [exercise(k) for k in ("sequence-numbers", "endpoint")]:
        assert (tmp_path / "out" / ex.filename).read_text() == stub_source(ex)
        assert (tmp_path / "out" / f"{ex.notebook}.ko.ipynb").exists()
    assert main(["exercises", "solutions", str(tmp_path / "key")]) == 0
    assert (tmp_path / "key" / "closing.py").read_text() == solution_source(exercise("closing"))
    capsys.readouterr()
    assert main(["exercises", "validate", "handshake"]) == 0
    assert "solution 10/10 stub  0/10  ok" in capsys.readouterr().out


def test_tcpedu_run_plays_a_side_with_a_learners_endpoint_as_the_engine_does(tmp_path, capsys):
    mine = tmp_path / "endpoint.py"
    mine.write_text(solution_source(exercise("endpoint")), encoding="utf-8")
    for scenario in ("three-way-handshake", "time-wait-lost-ack", "half-open-discovery", "simultaneous-close"):
        assert main(["run", scenario, "--json"]) == 0
        reference = json.loads(capsys.readouterr().out)
        assert main(["run", scenario, "--json", "--client", str(mine), "--server", str(mine)]) == 0
        learners = json.loads(capsys.readouterr().out)
        for theirs, ours in zip(reference["steps"], learners["steps"], strict=True):
            assert ours["states"] == theirs["states"]
            assert [_fields(s) for s in ours["segments"]] == [_fields(s) for s in theirs["segments"]]
    broken = tmp_path / "broken.py"
    broken.write_text("class Endpoint:\n    def __init__(self:\n", encoding="utf-8")
    assert main(["run", "three-way-handshake", "--client", str(broken)]) == 2
    assert capsys.readouterr().err.strip().startswith(f"tcpedu: --client {broken}, line 2: SyntaxError")


def _fields(segment: dict) -> tuple:
    return (segment["from"], tuple(segment["flags"]), segment["seq"], segment["ack"], segment["len"], segment["wnd"])


def test_tcpedu_run_and_the_exercises_need_no_third_party_package_to_start():
    probe = (
        "import sys\nfrom tcpedu.cli import main\nmain(['exercises', 'list'])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names)), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "hypothesis" not in done.stderr and "graphviz" not in done.stderr


# ------------------------------------------------------------------------------------------------
# Property-based: the checker finds exactly what is planted


ROWS = [(arc.state, arc.event, arc.condition, arc.target) for arc in TABLE_ARCS] + [
    (refusal.state, refusal.event, None, None) for refusal in TABLE_REFUSALS
]
GROUP_OF = {}
for _group in exercise("state-machine").groups:
    for _state, _event, _condition in _group.fixed_examples():
        GROUP_OF[(_state, _event, _condition)] = _group.key
STATES = sorted({row[0] for row in ROWS}, key=lambda s: s.value)


def table_source(changes: dict[int, object]) -> str:
    """A learner's next_state as a lookup table: the RFC's, with rows ``changes`` changed."""
    entries = []
    for index, (state, event, condition, target) in enumerate(ROWS):
        target = changes.get(index, target)
        when = f"Condition({condition.value!r})" if condition else None
        key = f"(State({state.value!r}), Event({event.value!r}), {when})"
        entries.append(f"    {key}: {f'State({target.value!r})' if target else None},")
    return (
        "from tcpedu.kit import Condition, Event, State\n\nTABLE = {\n"
        + "\n".join(entries)
        + "\n}\n\n\ndef next_state(state, event, condition=None):\n    return TABLE[(state, event, condition)]\n"
    )


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.dictionaries(
        st.integers(0, len(ROWS) - 1), st.one_of(st.none(), st.sampled_from(STATES)), min_size=0, max_size=6
    )
)
def test_the_state_machine_check_reports_exactly_the_rows_that_are_wrong(changes):
    changes = {i: target for i, target in changes.items() if target != ROWS[i][3]}
    result = check("state-machine", table_source(changes))
    reported = {f.example for g in result.groups for f in g.failures}
    planted = {(ROWS[i][0].value, ROWS[i][1].value, ROWS[i][2].value if ROWS[i][2] else None) for i in changes}
    assert reported == planted
    wrong_groups = {GROUP_OF[key] for key in planted}
    assert {g.group.key for g in result.groups if not g.passed} == wrong_groups
    assert result.score == sum(g.group.points for g in result.groups if g.group.key not in wrong_groups)


def reference_lt(a: int, b: int) -> bool:
    """RFC 1982 / RFC 9293 3.4, written out here: b is ahead of a by 1 .. 2**31 - 1."""
    return 0 < (b - a) % 2**32 < 2**31


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.integers(2, 64), st.integers(0, 63))
def test_every_failure_the_checker_shows_is_a_real_one(modulus, remainder):
    # seq_lt wrong wherever (a ^ b) % modulus == remainder: the failures shown must be there.
    planted = SEQNUM.replace(
        "return 0 < (b - a) % SEQ_SPACE < HALF",
        f"return (0 < (b - a) % SEQ_SPACE < HALF) != ((a ^ b) % {modulus} == {remainder})",
    )
    result = check("sequence-numbers", planted)
    for group in result.groups:
        for failure in group.failures:
            name, a, b = failure.example
            if name == "seq_lt":
                assert (a ^ b) % modulus == remainder and en(failure.mismatch.expected) == str(reference_lt(a, b))
    assert statuses(result)["addition"] == "passed" and statuses(result)["acceptability"] == "passed"


def test_solutions_files_are_source_only(tmp_path):
    """The reference solutions are text in the package (an instructor writes them out); they
    are never imported by the checker."""
    for ex in [exercise(k) for k in ("sequence-numbers", "endpoint")]:
        assert Path(__file__).resolve().parent.parent.joinpath("tcpedu/grade/solutions", ex.filename).is_file()


KOREAN_PARTICLE_AFTER_A_NUMBER = __import__("re").compile(r"[0-9](은|는|이|가|을|를|과|와|으로|로)(?![가-힣])")


@pytest.mark.parametrize(
    ("key", "old", "new"),
    [
        ("sequence-numbers", "return 0 < (b - a) % SEQ_SPACE < HALF", "return a < b"),
        ("handshake", "Segment(server_isn, seq_add(client_isn, 1),", "Segment(server_isn, client_isn,"),
        (
            "closing",
            "            conn.time_wait_until = now_us + 2 * conn.msl_us  # the peer's FIN again",
            "            pass",
        ),
        ("endpoint", "        self.rto.back_off()", "        pass"),
    ],
)
def test_the_korean_report_tells_a_failure_in_korean(key, old, new):
    result = check(key, solution_source(exercise(key)).replace(old, new))
    report = text_report(result, "ko")
    # The failure's lines (the script beneath them is a script: its comments come in both languages).
    failing = "\n".join(
        line for line in report.splitlines() if line.startswith("    ") and not line.startswith("      ")
    )
    for english in ("raised", "sends", "step ", " is refused", "the client", "the server", "is answered"):
        assert english not in failing, english
    assert "RFC 9293 (엔진)" in report and "내 코드" in report
    assert not KOREAN_PARTICLE_AFTER_A_NUMBER.search(report), KOREAN_PARTICLE_AFTER_A_NUMBER.search(report)


def test_examples_drawn_by_several_processes_are_the_ones_one_process_draws(tmp_path):
    # Grading draws its examples in parallel before its workers start (tcpedu grade); what lands in
    # the cache must be exactly what drawing them one by one gives, or grades would depend on it.
    probe = (
        "import sys\nfrom pathlib import Path\n"
        "from tcpedu.grade.catalog import EXERCISES\nfrom tcpedu.grade.checker import prepare\n"
        "from tcpedu.grade.intensity import CHECK\n"
        "prepare(EXERCISES, CHECK, Path(sys.argv[1]), int(sys.argv[2]))\n"
    )
    kept = {}
    for workers in (2, 1):
        folder = tmp_path / f"drawn-by-{workers}"
        folder.mkdir()
        subprocess.run([sys.executable, "-c", probe, str(folder), str(workers)], check=True)
        kept[workers] = {path.name: path.read_bytes() for path in folder.iterdir()}
    assert kept[2] and kept[2] == kept[1]


_DRAW_PROBE = """
import hashlib, sys
sys.path.insert(0, sys.argv[1])
if sys.argv[2] == "more":
    import learner_module  # a local module full of constants, as a learner's notebook has
    import tcpedu.capture.replay, tcpedu.widgets.explorer  # and more of tcpedu than the checker needs
from tcpedu.grade import checker
from tcpedu.grade.catalog import EXERCISES
for exercise in EXERCISES:
    for group in exercise.groups:
        try:
            drawn = checker._draw_now(group, 40, 9293)
        except NotImplementedError:  # a group that asks its questions without drawing
            continue
        print(group.key, hashlib.sha1(repr(drawn).encode()).hexdigest())
"""


def test_a_seed_draws_the_same_examples_whatever_else_is_imported(tmp_path):
    # Hypothesis draws constants it finds in local modules' source now and then; the checker must
    # not, or check() in a notebook and tcpedu grade would ask different questions from one seed.
    constants = "\n".join(f"VALUE_{n} = {n * 7919 % 2**32}\nTEXT_{n} = 'SYN,ACK {n}'" for n in range(300))
    (tmp_path / "learner_module.py").write_text(constants + "\n")
    runs = [
        subprocess.run(
            [sys.executable, "-c", _DRAW_PROBE, str(tmp_path), imports],
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp_path,
        ).stdout
        for imports in ("less", "more")
    ]
    assert runs[0].count("\n") >= 10, runs[0]
    assert runs[0] == runs[1]
