"""Grading a class (tcpedu grade): reading the submissions folder, a class of correct, partly
wrong and malicious submissions graded with the exact expected scores, resuming, the
gradebook's files, and Gradescope's autograder run as Gradescope runs it.

The expected scores are written from what each submission breaks: a function that never
returns loses the groups of checks that call it, code that exits at import loses its whole
exercise, and code that attacks the grader gets what its honest code earns, nothing more.
Where tcpedu runs as root the learner's code also has no network and cannot see the
submissions, the output folder or the reference solutions; as another user it can (the README
says so), and the expectations say which.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from tcpedu.cli import main
from tcpedu.grade.api import solution_source, stub_source
from tcpedu.grade.catalog import EXERCISES, exercise
from tcpedu.grade.submissions import answers_of, find_submissions, write_files

ROOT = os.geteuid() == 0
SOLUTIONS_DIR = Path(__file__).resolve().parents[1] / "tcpedu" / "grade" / "solutions"
POINTS = {ex.key: ex.points for ex in EXERCISES}
FULL = sum(POINTS.values())


def solutions() -> dict[str, str]:
    return {ex.filename: solution_source(ex) for ex in EXERCISES}


def with_body(source: str, name: str, body: str) -> str:
    """``source`` with function ``name``'s body replaced by ``body``."""
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"def {name}("))
    end = next((i for i in range(start + 1, len(lines)) if lines[i] and not lines[i][0].isspace()), len(lines))
    return "\n".join([*lines[: start + 1], *("    " + line for line in body.splitlines()), *lines[end:]]) + "\n"


def write_student(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def gradebook(out: Path) -> dict[str, dict[str, str]]:
    with (out / "grades.csv").open(encoding="utf-8") as stream:
        return {row["student"]: row for row in csv.DictReader(stream)}


# ------------------------------------------------------------------------------------------------
# The submissions folder


def test_every_kind_of_entry_is_read_and_nothing_is_left_out(tmp_path):
    root = tmp_path / "class"
    write_student(root / "alice", {"handshake.py": "x = 1\n", "notes.txt": "not code"})
    (root / "bob.py").write_text("def handshake(a, b):\n    return []\n")
    (root / "carol.ipynb").write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    with zipfile.ZipFile(root / "dave.zip", "w") as archive:
        archive.writestr("dave/handshake.py", "y = 2\n")
        archive.writestr("../../escape.py", "z = 3\n")  # a name pointing out of the submission
        archive.writestr("__MACOSX/._handshake.py", "junk")
    (root / "alice.zip").write_bytes(b"not a zip at all")
    (root / "erin").mkdir()
    (root / "README.txt").write_text("not a submission")
    (root / ".hidden").mkdir()
    entries = {entry.student: entry for entry in find_submissions(root)}
    assert set(entries) == {"alice", "alice-2", "bob", "carol", "dave", "erin"}
    assert entries["alice"].files == {"handshake.py": b"x = 1\n"} and entries["alice"].problem is None
    assert entries["alice-2"].entry == "alice.zip" and "not a zip" in entries["alice-2"].problem
    assert set(entries["bob"].files) == {"bob.py"}
    assert entries["dave"].files == {"dave/handshake.py": b"y = 2\n"}
    assert "no .py file or notebook" in entries["erin"].problem
    assert set(entries["carol"].files) == {"carol.ipynb"}


def test_nbgraders_submitted_folder_is_read_student_by_student(tmp_path):
    course = tmp_path / "course"
    write_student(course / "submitted" / "s001" / "tcp", {"02_handshake.ipynb": "{}"})
    write_student(course / "submitted" / "s002" / "tcp", {"handshake.py": "pass\n"})
    (course / "source").mkdir()
    assert [entry.student for entry in find_submissions(course)] == ["s001", "s002"]
    assert set(find_submissions(course)[0].files) == {"tcp/02_handshake.ipynb"}


def test_a_submission_too_large_is_reported_not_read(tmp_path, monkeypatch):
    import tcpedu.grade.submissions as submissions

    monkeypatch.setattr(submissions, "MAX_SUBMISSION_BYTES", 1000)
    write_student(tmp_path / "big", {"endpoint.py": "#" * 2000})
    (entry,) = find_submissions(tmp_path)
    assert entry.problem.startswith("larger than") and not entry.files


def test_an_exercise_is_answered_by_its_file_or_any_file_defining_its_names_the_written_one_first(tmp_path):
    stub, solution = stub_source(exercise("sequence-numbers")), solution_source(exercise("sequence-numbers"))
    write_student(tmp_path / "s", {"sequence_numbers.py": stub, "work.py": solution})
    write_student(tmp_path / "t", {"sequence_numbers.py": solution, "work.py": solution.replace("HALF", "HALF_")})
    write_student(tmp_path / "u", {"02_handshake.ipynb": notebook(solution_source(exercise("handshake")))})
    answers = {}
    for entry in find_submissions(tmp_path):
        write_files(entry, tmp_path / "copies" / entry.student)
        answers[entry.student] = answers_of(entry, tmp_path / "copies" / entry.student)
    assert answers["s"]["sequence-numbers"].origin == "work.py"  # the untouched file is passed over
    assert answers["t"]["sequence-numbers"].origin == "sequence_numbers.py"  # its own file first
    assert answers["u"]["handshake"].origin == "02_handshake.ipynb"
    assert "no file for exercise 5" in answers["u"]["endpoint"]


def notebook(code: str) -> str:
    cell = {"cell_type": "code", "metadata": {}, "source": code, "outputs": [], "execution_count": None}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


# ------------------------------------------------------------------------------------------------
# A class with misbehaving code


def malicious_class(root: Path, out: Path, port: int) -> dict[str, int]:
    """Write the class into ``root``; the score each student must get."""
    good = solutions()
    seq, hand = good["sequence_numbers.py"], good["handshake.py"]
    wrong_hand = hand.replace("Segment(server_isn, seq_add(client_isn, 1),", "Segment(server_isn, client_isn,")
    assert wrong_hand != hand
    targets = [out / "results" / "good.json", out / "grades.csv", out / "pwned", root / "good" / "handshake.py"]
    targets.append(root / "pwned")
    seq_points = {"addition": 2, "nearby": 1, "wrap": 3, "acceptability": 4}
    comparisons = seq_points["nearby"] + seq_points["wrap"]
    students: dict[str, tuple[dict[str, str], int]] = {
        "good": (good, FULL),
        "stub": ({ex.filename: stub_source(ex) for ex in EXERCISES}, 0),
        "wrong_handshake": (good | {"handshake.py": wrong_hand}, FULL - 3),  # the server's SYN,ACK: 3 points
        "loop": (good | {"sequence_numbers.py": with_body(seq, "acceptable", "while True:\n    pass")}, FULL - 4),
        "sys_exit": (good | {"handshake.py": "import sys\nsys.exit(3)\n" + hand}, FULL - POINTS["handshake"]),
        "os_exit": (good | {"sequence_numbers.py": with_body(seq, "seq_ge", "import os\nos._exit(3)")}, FULL - 4),
        "segfault": (
            good | {"sequence_numbers.py": with_body(seq, "acceptable", "import ctypes\nreturn ctypes.string_at(0)")},
            FULL - seq_points["acceptability"],
        ),
        "memory_bomb": (
            good | {"handshake.py": with_body(hand, "ack_for", "hog = bytearray(64 << 30)\nreturn len(hog)")},
            FULL - 3,  # ack = seq + SEG.LEN: 3 points
        ),
        "fork_bomb": (
            good | {"sequence_numbers.py": with_body(seq, "seq_ge", "import os\nwhile True:\n    os.fork()")},
            FULL - comparisons,
        ),
        "flood": (
            good | {"sequence_numbers.py": with_body(seq, "acceptable", "print('x' * 100_000_000)\nreturn True")},
            FULL - seq_points["acceptability"],
        ),
        "import_error": (good | {"endpoint.py": "raise ImportError('no')\n"}, FULL - POINTS["endpoint"]),
        "syntax_error": (good | {"state_machine.py": "def next_state(:\n"}, FULL - POINTS["state-machine"]),
        # Attacks on the grader: each gets what its honest code earns.
        "patcher": (
            good
            | {
                "handshake.py": "import json\nfrom tcpedu.kit import Segment\n"
                "Segment.__eq__ = lambda self, other: True\n"
                'json.dumps = lambda *a, **k: \'{"answer": "right"}\'\n' + wrong_hand
            },
            FULL - POINTS["handshake"],  # its patched json answers nothing readable: the exercise is lost
        ),
        "printer": (
            {ex.filename: stub_source(ex) for ex in EXERCISES}
            | {
                "sequence_numbers.py": "import json\nprint(json.dumps({'score': 60, 'tests': []}))\n"
                "open('results.json', 'w').write('{\"score\": 60}')\n" + stub_source(exercise("sequence-numbers"))
            },
            0,
        ),
        "writer": (
            good
            | {
                "sequence_numbers.py": f"for target in {[str(path) for path in targets]!r}:\n"
                "    try:\n"
                "        open(target, 'w').write('{\"score\": 0}')\n"
                "    except OSError:\n"
                "        pass\n" + seq
            },
            FULL,
        ),
        "solution_reader": (
            good | {"handshake.py": f"exec(open({str(SOLUTIONS_DIR / 'handshake.py')!r}).read())\n"},
            FULL - POINTS["handshake"] if ROOT else FULL,
        ),
        "peer_reader": (
            good | {"handshake.py": f"exec(open({str(root / 'good' / 'handshake.py')!r}).read())\n"},
            FULL - POINTS["handshake"] if ROOT else FULL,
        ),
        "network": (
            good
            | {
                "sequence_numbers.py": "import socket\ntry:\n"
                f"    socket.create_connection(('127.0.0.1', {port}), timeout=1).sendall(b'leak')\n"
                "except OSError:\n    pass\n" + seq
            },
            FULL,
        ),
    }
    for student, (files, _) in students.items():
        write_student(root / student, files)
    return {student: score for student, (_, score) in students.items()}


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    base = tmp_path_factory.mktemp("grading")
    root, out = base / "class", base / "out"
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    expected = malicious_class(root, out, listener.getsockname()[1])
    before = {path: path.read_bytes() for path in root.rglob("*") if path.is_file()}
    status = main(["grade", str(root), "-o", str(out), "--timeout", "3", "--workers", "2"])
    try:
        connection, _ = listener.accept()
        leaked = connection.recv(100)
    except BlockingIOError:
        leaked = None
    listener.close()
    return SimpleNamespace(root=root, out=out, expected=expected, before=before, status=status, leaked=leaked)


def test_the_class_gets_exactly_the_expected_scores(graded_class):
    assert graded_class.status == 0
    book = gradebook(graded_class.out)
    assert {student: int(row["total"]) for student, row in book.items()} == graded_class.expected
    assert all(row["status"] == "graded" and row["max"] == str(FULL) for row in book.values())
    # The stubs as handed out are "not attempted", in the feedback and in Gradescope's results;
    # a student who wrote every exercise has none.
    stub = json.loads((graded_class.out / "results" / "stub.json").read_text())
    assert stub["output"].count("not attempted") == len(POINTS)
    assert "not attempted" in (graded_class.out / "feedback" / "stub.html").read_text()
    good = json.loads((graded_class.out / "results" / "good.json").read_text())
    assert "not attempted" not in good["output"]


def test_misbehaving_code_loses_only_its_own_groups_and_says_why(graded_class):
    def failed(student: str) -> dict[str, str]:
        results = json.loads((graded_class.out / "results" / f"{student}.json").read_text())
        return {test["number"]: test["output"] for test in results["tests"] if test["status"] == "failed"}

    assert set(failed("loop")) == {"1.4"} and "did not finish within 3 s" in failed("loop")["1.4"]
    assert set(failed("os_exit")) == {"1.2", "1.3"} and "exited (status 3)" in failed("os_exit")["1.2"]
    assert set(failed("segfault")) == {"1.4"} and "segmentation fault" in failed("segfault")["1.4"]
    assert set(failed("memory_bomb")) == {"2.4"} and "MemoryError" in failed("memory_bomb")["2.4"]
    assert set(failed("fork_bomb")) == {"1.2", "1.3"}
    assert set(failed("flood")) == {"1.4"} and "File too large" in failed("flood")["1.4"]
    assert {number[0] for number in failed("import_error")} == {"5"}
    assert "ImportError: no" in failed("import_error")["5.1"]
    assert "SyntaxError" in failed("syntax_error")["3.1"]
    assert "SystemExit" in failed("sys_exit")["2.1"]
    assert "did not finish within 3 s" in (graded_class.out / "feedback" / "loop.html").read_text()
    page = (graded_class.out / "feedback" / "wrong_handshake.html").read_text()
    assert "server&#x27;s SYN,ACK" in page and "<svg" in page and "differs from RFC 9293" in page


def test_attacks_on_the_grader_change_nothing_but_their_own_files(graded_class):
    after = {path: path.read_bytes() for path in graded_class.root.rglob("*") if path.is_file()}
    assert after == graded_class.before, "the submissions folder was changed"
    good = json.loads((graded_class.out / "results" / "good.json").read_text())
    assert good["score"] == FULL and all(test["status"] == "passed" for test in good["tests"])
    assert not (graded_class.out / "pwned").exists()
    if ROOT:
        assert graded_class.leaked is None, "learner code reached the network"


def test_results_are_gradescope_results_json(graded_class):
    for student, score in graded_class.expected.items():
        results = json.loads((graded_class.out / "results" / f"{student}.json").read_text())
        assert_gradescope_results(results)
        assert results["score"] == score


def assert_gradescope_results(results: dict) -> None:
    """Gradescope's results.json specification: the fields, their types and allowed values."""
    assert isinstance(results["score"], (int, float)) and isinstance(results["execution_time"], (int, float))
    assert results["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
    assert isinstance(results["output"], str) and results["output_format"] in ("text", "html", "simple_format", "md")
    assert results["tests"], "no tests"
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "output_format", "visibility"}
        assert test["status"] in ("passed", "failed") and 0 <= test["score"] <= test["max_score"]
        assert (test["status"] == "passed") == (test["score"] == test["max_score"])
    assert results["score"] == sum(test["score"] for test in results["tests"])
    assert sum(test["max_score"] for test in results["tests"]) == FULL


def test_a_second_run_grades_only_what_changed_and_regrade_redoes_all(graded_class, tmp_path):
    copy, book = tmp_path / "class", tmp_path / "out"
    for student in ("good", "stub", "wrong_handshake"):
        files = {path.name: path.read_text() for path in (graded_class.root / student).iterdir()}
        write_student(copy / student, files)
    assert main(["grade", str(copy), "-o", str(book)]) == 0
    stamps = {path.name: path.stat().st_mtime_ns for path in (book / "results").iterdir()}
    (copy / "stub" / "handshake.py").write_text(solution_source(exercise("handshake")))
    assert main(["grade", str(copy), "-o", str(book)]) == 0
    changed = {path.name for path in (book / "results").iterdir() if path.stat().st_mtime_ns != stamps[path.name]}
    assert changed == {"stub.json"}
    assert gradebook(book)["stub"]["total"] == str(POINTS["handshake"])
    assert main(["grade", str(copy), "-o", str(book), "--regrade"]) == 0
    assert all(path.stat().st_mtime_ns != stamps[path.name] for path in (book / "results").iterdir())


def learner_processes(settle: float = 5.0) -> list[int]:
    """Processes of the users tcpedu grade runs learner code as (uid 10**9 and up) that are still
    alive after ``settle`` seconds (a killed process takes a moment to go; a zombie runs nothing)."""
    deadline = time.monotonic() + settle
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    alive = (entry / "stat").read_text().rpartition(")")[2].split()[0] != "Z"
                    if entry.stat().st_uid >= 1_000_000_000 and alive:
                        found.append(int(entry.name))
                except OSError:
                    continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_ctrl_c_keeps_what_was_graded_and_the_next_run_grades_the_rest(tmp_path):
    root, out = tmp_path / "class", tmp_path / "out"
    for number in range(6):
        write_student(root / f"s{number}", solutions() | {"NOTE.py": f"STUDENT = {number}\n"})
    command = [sys.executable, "-m", "tcpedu", "grade", str(root), "-o", str(out), "--workers", "1"]
    scratch = set(Path(tempfile.gettempdir()).glob("tcpedu-*"))
    running = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    records = out / ".tcpedu" / "records"  # written last for a student: it vouches for the rest
    while not records.is_dir() or not list(records.glob("*.json")):
        assert running.poll() is None and time.monotonic() < deadline, "no student was graded"
        time.sleep(0.05)
    running.send_signal(signal.SIGINT)
    _, err = running.communicate(timeout=60)
    assert running.returncode == 130 and "Run the same command again" in err
    book = gradebook(out)
    assert set(book) == {f"s{number}" for number in range(6)}, "every entry has a row"
    done = {student for student, row in book.items() if row["status"] == "graded"}
    assert done and len(done) < 6 and {row["status"] for row in book.values()} == {"graded", "not graded yet"}
    assert all(book[student]["total"] == str(FULL) for student in done)
    if ROOT:
        assert not learner_processes(), "learner code still running after Ctrl-C"
    left = set(Path(tempfile.gettempdir()).glob("tcpedu-*")) - scratch
    assert not left, f"temporary folders left behind: {sorted(map(str, left))}"
    stamps = {path.name: path.stat().st_mtime_ns for path in (out / "results").iterdir()}
    assert main(["grade", str(root), "-o", str(out)]) == 0
    book = gradebook(out)
    assert all(row["status"] == "graded" and row["total"] == str(FULL) for row in book.values())
    assert all((out / "results" / name).stat().st_mtime_ns == stamp for name, stamp in stamps.items())


def test_the_progress_bar_shows_on_a_terminal_only():
    from tcpedu.grade.classroom import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    shown, hidden = Terminal(), io.StringIO()
    for stream in (shown, hidden):
        progress = Progress(4, 1, stream)
        progress.step()
        progress.step(not_gradable=True)
        progress.close()
    assert hidden.getvalue() == ""
    last = shown.getvalue().split("\r")[-1]
    assert "3/4 graded" in last and "1 not gradable" in last and "left" in last and "[" in last


def test_every_entry_has_a_row_even_when_it_cannot_be_graded(tmp_path):
    root, out = tmp_path / "class", tmp_path / "out"
    write_student(root / "ok", {"handshake.py": solution_source(exercise("handshake"))})
    (root / "broken.zip").write_bytes(b"PK not really")
    write_student(root / "empty", {"notes.txt": "I will do it tomorrow"})
    assert main(["grade", str(root), "-o", str(out)]) == 0
    book = gradebook(out)
    assert book["ok"]["total"] == str(POINTS["handshake"]) and book["ok"]["status"] == "graded"
    assert book["broken"]["status"] == "not graded" and "zip" in book["broken"]["note"]
    assert book["empty"]["status"] == "not graded" and "no .py file" in book["empty"]["note"]
    summary = (out / "summary.html").read_text()
    assert "<svg" in summary and "broken.zip" in summary


def test_bad_requests_are_one_line_naming_what_is_wrong(tmp_path, capsys):
    root = tmp_path / "class"
    root.mkdir()
    assert main(["grade", str(tmp_path / "nowhere"), "-o", str(tmp_path / "out")]) == 2
    assert "no such folder of submissions" in capsys.readouterr().err
    assert main(["grade", str(root), "-o", str(root / "out")]) == 2
    assert "must be outside" in capsys.readouterr().err
    assert main(["grade", str(root)]) == 2
    assert "tcpedu grade SUBMISSIONS -o OUT" in capsys.readouterr().err
    assert main(["grade", str(root), "-o", str(tmp_path / "o"), "--examples", "0"]) == 2
    assert "--examples" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------------
# Gradescope


def test_the_autograder_zip_runs_as_gradescope_runs_it(tmp_path):
    made = tmp_path / "autograder.zip"
    assert main(["grade", "--gradescope-autograder", str(made), "--examples", "1"]) == 0
    autograder = tmp_path / "autograder"
    with zipfile.ZipFile(made) as archive:
        names = set(archive.namelist())
        archive.extractall(autograder / "source")
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert {"setup.sh", "run_autograder", "requirements.txt", "tcpedu/pyproject.toml"} <= names
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert "hypothesis==" in (autograder / "source" / "requirements.txt").read_text()
    subprocess.run(["bash", "-n", str(autograder / "source" / "setup.sh")], check=True)
    run = autograder / "run_autograder"  # Gradescope copies it here
    run.write_bytes((autograder / "source" / "run_autograder").read_bytes())
    run.chmod(0o755)
    submission = autograder / "submission"
    write_student(submission, solutions() | {"handshake.py": stub_source(exercise("handshake"))})
    (autograder / "results").mkdir()
    # A Python that sees the zip's own tcpedu and this one's site-packages, not this checkout's
    # tcpedu (-S: no .pth files, so no editable install), as setup.sh's venv would.
    python = tmp_path / "python"
    python.write_text(f'#!/bin/sh\nexec {sys.executable} -S "$@"\n')
    python.chmod(0o755)
    site_packages = [path for path in sys.path if path.endswith("site-packages")]
    env = os.environ | {
        "TCPEDU_AUTOGRADER_ROOT": str(autograder),
        "TCPEDU_PYTHON": str(python),
        "PYTHONPATH": os.pathsep.join([str(autograder / "source" / "tcpedu"), *site_packages]),
    }
    done = subprocess.run([str(run)], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    results = json.loads((autograder / "results" / "results.json").read_text())
    assert_gradescope_results(results)
    assert results["score"] == FULL - POINTS["handshake"]
    handshake = [test for test in results["tests"] if test["number"].startswith("2.")]
    assert handshake and all(
        test["status"] == "failed" and "NotImplementedError" in test["output"] for test in handshake
    )
    probe = subprocess.run(
        [python, "-c", "import tcpedu; print(tcpedu.__file__)"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert probe.stdout.startswith(str(autograder / "source" / "tcpedu"))
