"""The ``tcpedu`` command (tcpedu/cli.py): run, list, show and table (``draw`` is tested elsewhere).

Exit status (README): 0 when the run went through, 1 when an ``expect`` failed, 2 for anything
to fix; errors are one line ``tcpedu: FILE:LINE: ...`` on standard error, never a traceback.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rfc9293 import RFC_STATES

import tcpedu.scenario
from tcpedu.cli import main
from tcpedu.core import ARCS

LIBRARY = Path(tcpedu.scenario.__file__).parent / "library"
NAMES = sorted(path.stem for path in LIBRARY.glob("*.tcp"))
HANDSHAKE = "client isn 1000\nserver isn 5000\nserver listen\nclient connect\ndeliver all\n"
HANGUL = re.compile("[\uac00-\ud7a3]")


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def script(tmp_path: Path, text: str, name: str = "mine.tcp") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def assert_one_error_line(err: str, prefix: str) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"tcpedu: {prefix}"), err
    return lines[0]


# ----------------------------------------------------------------------------------------------
# run: exit statuses and messages


def test_run_a_good_file_exits_0_and_prints_the_trace(tmp_path, capsys):
    path = script(tmp_path, HANDSHAKE + "expect client ESTABLISHED server ESTABLISHED\n")
    status, out, err = cli(capsys, "run", path)
    assert (status, err) == (0, "")
    assert "SYN,ACK seq=5000 ack=1001 len=0" in out
    assert "ESTABLISHED" in out


def test_run_json_prints_one_json_object_with_the_steps(tmp_path, capsys):
    path = script(tmp_path, HANDSHAKE)
    status, out, err = cli(capsys, "run", path, "--json")
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert [step["line"] for step in data["steps"]] == [3, 4, 5]
    assert data["steps"][-1]["states"] == {"client": "ESTABLISHED", "server": "ESTABLISHED"}
    flags = [s["flags"] for s in data["steps"][-1]["segments"]]
    assert flags == [["SYN", "ACK"], ["ACK"]]
    assert data["ok"] is True


def test_a_failed_expect_exits_1_with_one_line_naming_file_and_line(tmp_path, capsys):
    path = script(tmp_path, "client connect\nexpect client ESTABLISHED\n")
    status, _, err = cli(capsys, "run", path)
    assert status == 1
    line = assert_one_error_line(err, f"{path}:2: ")
    assert "ESTABLISHED" in line and "SYN-SENT" in line


def test_a_failed_expect_in_json_mode_exits_1_and_reports_the_failure(tmp_path, capsys):
    path = script(tmp_path, "client connect\nexpect client ESTABLISHED\n")
    status, out, err = cli(capsys, "run", path, "--json")
    assert status == 1
    assert json.loads(out)["failure"]["line"] == 2
    assert_one_error_line(err, f"{path}:2: ")


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("server listen\nclient conect\n", 2, "unknown word after client: 'conect'"),
        ("client isn 4294967296\n", 1, "isn must be between 0 and 4294967295"),
        ("msl 0\n", 1, "msl must be between"),
        ("client\n", 1, "what should the client do"),
        ("server listen now\n", 1, "takes no argument"),
        ("inject server SYN,BOGUS seq=1\n", 1, "unknown flag"),
        ("expect client OPEN\n", 1, "unknown state"),
        ("deliver nobody\n", 1, "'nobody'"),
    ],
)
def test_a_malformed_line_exits_2_with_one_line_and_runs_nothing(tmp_path, capsys, text, line, fragment):
    path = script(tmp_path, text)
    status, out, err = cli(capsys, "run", path)
    assert status == 2
    assert fragment in assert_one_error_line(err, f"{path}:{line}: ")
    assert out == ""


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_an_error_on_the_last_line_means_nothing_ran(tmp_path, capsys, json_flag):
    path = script(tmp_path, HANDSHAKE + "expect client ESTABLISHED\nwait forever\n")
    status, out, err = cli(capsys, "run", path, *json_flag)
    assert status == 2
    assert out == ""  # no trace, no JSON: the file was checked before the first line ran
    assert_one_error_line(err, f"{path}:7: ")


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("server listen\ndeliver\n", 2, "deliver: nothing in flight"),
        ("client send 10\n", 1, "connection does not exist"),
        ("server listen\nserver listen\n", 2, "connection already exists"),
        ("wait next\n", 1, "no timer"),
    ],
)
def test_a_line_that_cannot_be_carried_out_exits_2_with_one_line(tmp_path, capsys, text, line, fragment):
    path = script(tmp_path, text)
    status, _, err = cli(capsys, "run", path)
    assert status == 2
    assert fragment in assert_one_error_line(err, f"{path}:{line}: ")


def test_a_line_that_cannot_be_carried_out_is_in_the_json_error(tmp_path, capsys):
    path = script(tmp_path, "server listen\ndeliver\n")
    status, out, _ = cli(capsys, "run", path, "--json")
    assert status == 2
    assert json.loads(out)["error"] == {"line": 2, "message": "deliver: nothing in flight"}


def test_the_readme_example_message_for_deliver_with_nothing_in_flight(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    script(tmp_path, "\n" * 11 + "deliver\n")
    status, _, err = cli(capsys, "run", "mine.tcp")
    assert status == 2
    assert err == "tcpedu: mine.tcp:12: deliver: nothing in flight\n"


# ----------------------------------------------------------------------------------------------
# run: files that are not scenario files


def test_a_missing_file_exits_2_with_a_clear_message(tmp_path, capsys):
    missing = str(tmp_path / "nope.tcp")
    status, _, err = cli(capsys, "run", missing)
    assert status == 2
    line = assert_one_error_line(err, "")
    assert missing in line and "no file or named scenario" in line


def test_an_unknown_name_exits_2_with_a_clear_message(capsys):
    status, _, err = cli(capsys, "run", "no-such-thing")
    assert status == 2
    line = assert_one_error_line(err, "")
    assert "'no-such-thing'" in line and "tcpedu list" in line and "did you mean" not in line


@pytest.mark.parametrize(
    ("command", "typed", "meant"),
    [
        ("run", "three-way-handshak", "three-way-handshake"),
        ("run", "simultaneous-clsoe", "simultaneous-close"),
        ("draw", "time-wait-lost-acks", "time-wait-lost-ack"),
        ("show", "normal-clos", "normal-close"),
        ("show", "Four-Way-Handshake", "four-way-handshake"),
    ],
)
def test_a_close_misspelling_of_a_scenario_name_suggests_the_right_one(capsys, command, typed, meant):
    status, out, err = cli(capsys, command, typed)
    assert (status, out) == (2, "")
    line = assert_one_error_line(err, "")
    assert f"'{typed}'" in line and f"did you mean '{meant}'?" in line


def test_a_directory_exits_2_with_a_clear_message(tmp_path, capsys):
    status, _, err = cli(capsys, "run", str(tmp_path))
    assert status == 2
    assert "is a directory" in assert_one_error_line(err, f"{tmp_path}: ")


def test_a_file_that_is_not_utf8_exits_2_with_a_clear_message(tmp_path, capsys):
    path = tmp_path / "latin1.tcp"
    path.write_bytes("# café\nserver listen\n".encode("latin-1"))
    status, _, err = cli(capsys, "run", str(path))
    assert status == 2
    assert "not a text file" in assert_one_error_line(err, f"{path}: ")


def test_a_file_name_too_long_for_the_system_exits_2_without_a_traceback(tmp_path, capsys):
    # os.stat raises OSError (ENAMETOOLONG) from Path.exists(), outside _load's try.
    status, _, err = cli(capsys, "run", str(tmp_path / ("a" * 300 + ".tcp")))
    assert status == 2
    assert_one_error_line(err, "")


def test_a_utf8_file_that_starts_with_a_byte_order_mark_runs(tmp_path, capsys):
    # Editors such as older Windows Notepad save UTF-8 with a BOM; it is not part of the first line.
    path = tmp_path / "bom.tcp"
    path.write_bytes(b"\xef\xbb\xbf# My scenario\nserver listen\nexpect server LISTEN\n")
    status, _, err = cli(capsys, "run", str(path))
    assert (status, err) == (0, "")


# ----------------------------------------------------------------------------------------------
# run -: standard input


def test_dash_reads_the_script_from_standard_input(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(HANDSHAKE + "expect client ESTABLISHED server ESTABLISHED\n"))
    status, out, err = cli(capsys, "run", "-", "--json")
    assert (status, err) == (0, "")
    assert json.loads(out)["steps"][-1]["states"] == {"client": "ESTABLISHED", "server": "ESTABLISHED"}


def test_errors_in_standard_input_name_stdin_and_the_line(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("server listen\nclient connect\nexpect client CLOSED\n"))
    status, _, err = cli(capsys, "run", "-")
    assert status == 1
    assert_one_error_line(err, "<stdin>:3: ")


def test_standard_input_that_is_not_utf8_exits_2_without_a_traceback(capsys, monkeypatch):
    # In a UTF-8 locale such as en_US.UTF-8, sys.stdin decodes strictly: read() raises UnicodeDecodeError.
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xff\xfe server listen\n"), encoding="utf-8"))
    status, _, err = cli(capsys, "run", "-")
    assert status == 2
    assert_one_error_line(err, "")


# ----------------------------------------------------------------------------------------------
# Usage errors


def test_an_unknown_subcommand_is_a_usage_error_with_status_2(capsys):
    assert main(["fly"]) == 2  # main(argv) returns the status; it does not exit
    line = assert_one_error_line(capsys.readouterr().err, "")
    assert "invalid choice: 'fly'" in line and "tcpedu --help" in line


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        ([], "required: COMMAND"),
        (["draw"], "draw: the following arguments are required: scenario"),
        (["draw", "three-way-handshake", "--diagram", "flow"], "draw: argument --diagram: invalid choice: 'flow'"),
        (["draw", "three-way-handshake", "--upto", "three"], "draw: argument --upto: invalid int value: 'three'"),
        (["run", "three-way-handshake", "--jsno"], "unrecognized arguments: --jsno"),
        (["table", "--lang", "fr"], "table: argument --lang: invalid choice: 'fr'"),
    ],
)
def test_a_mistyped_command_line_is_one_line_naming_the_mistake_with_status_2(capsys, argv, fragment):
    status, out, err = cli(capsys, *argv)
    assert (status, out) == (2, "")
    assert fragment in assert_one_error_line(err, "")


def test_version_prints_the_projects_version(capsys):
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    status, out, err = cli(capsys, "--version")
    assert (status, out, err) == (0, f"tcpedu {project['project']['version']}\n", "")


# ----------------------------------------------------------------------------------------------
# Any error, in any subcommand (those added later too): one line, status 2, no traceback


def test_a_file_the_system_refuses_in_any_subcommand_is_one_line_naming_it(capsys, monkeypatch):
    def refused() -> int:
        raise PermissionError(13, "Permission denied", "/somewhere/scenarios")

    monkeypatch.setattr("tcpedu.cli._list", refused)
    status, _, err = cli(capsys, "list")
    assert status == 2
    assert assert_one_error_line(err, "") == "tcpedu: /somewhere/scenarios: Permission denied"


def test_an_unexpected_error_in_any_subcommand_is_still_one_line(capsys, monkeypatch):
    def broken() -> int:
        raise RuntimeError("the table is upside down")

    monkeypatch.setattr("tcpedu.cli._list", broken)
    status, _, err = cli(capsys, "list")
    assert status == 2
    line = assert_one_error_line(err, "internal error")
    assert "RuntimeError: the table is upside down" in line


# ----------------------------------------------------------------------------------------------
# list and show


def first_comment(name: str) -> str:
    return (LIBRARY / f"{name}.tcp").read_text(encoding="utf-8").splitlines()[0].lstrip("#").strip()


def test_list_prints_every_named_scenario_with_its_title(capsys):
    status, out, err = cli(capsys, "list")
    assert (status, err) == (0, "")
    rows = out.splitlines()
    assert len(rows) == len(NAMES) >= 10
    for name, row in zip(NAMES, rows, strict=True):
        assert row.split()[0] == name
        assert row.rstrip().endswith(first_comment(name))


@pytest.mark.parametrize("name", NAMES)
def test_show_prints_the_scenario_file(capsys, name):
    status, out, err = cli(capsys, "show", name)
    assert (status, err) == (0, "")
    assert out == (LIBRARY / f"{name}.tcp").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_show_output_written_to_a_file_runs_like_the_named_scenario(tmp_path, capsys, name):
    _, shown, _ = cli(capsys, "show", name)
    path = script(tmp_path, shown, f"copy-of-{name}.tcp")
    by_name_status, by_name, _ = cli(capsys, "run", name, "--json")
    by_file_status, by_file, _ = cli(capsys, "run", path, "--json")
    assert by_name_status == by_file_status == 0
    by_name_data, by_file_data = json.loads(by_name), json.loads(by_file)
    assert (by_name_data.pop("scenario"), by_file_data.pop("scenario")) == (name, path)
    assert by_file_data == by_name_data


def test_show_of_an_unknown_name_exits_2_with_one_line(capsys):
    status, out, err = cli(capsys, "show", "no-such-scenario")
    assert status == 2 and out == ""
    assert "'no-such-scenario'" in assert_one_error_line(err, "")


# ----------------------------------------------------------------------------------------------
# table

FIGURE_5_SAMPLES = [  # (from, event / action, to) as RFC 9293 Figure 5 draws them
    ("CLOSED", "passive OPEN / create TCB", "LISTEN"),
    ("CLOSED", "active OPEN / create TCB, snd SYN", "SYN-SENT"),
    ("LISTEN", "rcv SYN / snd SYN,ACK", "SYN-RECEIVED"),
    ("SYN-SENT", "rcv SYN,ACK / snd ACK", "ESTABLISHED"),
    ("ESTABLISHED", "CLOSE / snd FIN", "FIN-WAIT-1"),
    ("ESTABLISHED", "rcv FIN / snd ACK", "CLOSE-WAIT"),
    ("FIN-WAIT-1", "rcv FIN / snd ACK", "CLOSING"),
    ("FIN-WAIT-2", "rcv FIN / snd ACK", "TIME-WAIT"),
    ("CLOSE-WAIT", "CLOSE / snd FIN", "LAST-ACK"),
]


def transition_rows(out: str) -> list[str]:
    start = out.index("Transitions")
    end = out.index("\n\n", start)
    return out[start:end].splitlines()[1:]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_table_prints_all_11_states_with_their_descriptions(capsys, lang):
    from tcpedu.core import State
    from tcpedu.words import describe_state

    status, out, err = cli(capsys, "table", *(["--lang", lang] if lang != "en" else []))
    assert (status, err) == (0, "")
    rows = out.splitlines()
    for name in RFC_STATES:
        [row] = [row for row in rows[:13] if row.split()[:1] == [name]]
        description = row.split(maxsplit=1)[1]
        assert description == describe_state(State(name), lang)
        assert bool(HANGUL.search(description)) == (lang == "ko")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_table_prints_every_arc_once(capsys, lang):
    _, out, _ = cli(capsys, "table", "--lang", lang)
    rows = transition_rows(out)
    assert len(rows) == len(ARCS)
    for arc in ARCS:
        pattern = rf"\s+{re.escape(arc.state.value)}\s+{re.escape(arc.label)}\s+-> {re.escape(arc.target.value)}\s"
        assert any(re.match(pattern, row) for row in rows), arc


def test_table_has_the_20_arcs_of_figure_5_labelled_as_the_figure(capsys):
    _, out, _ = cli(capsys, "table")
    rows = transition_rows(out)
    assert sum(row.rstrip().endswith("Figure 5") for row in rows) == 20
    for state, label, target in FIGURE_5_SAMPLES:
        pattern = rf"\s+{re.escape(state)}\s+{re.escape(label)}\s+-> {re.escape(target)}\s+Figure 5$"
        assert any(re.match(pattern, row) for row in rows), (state, label, target)


# ----------------------------------------------------------------------------------------------
# The installed console script


def console_script() -> str:
    found = shutil.which("tcpedu", path=os.path.dirname(sys.executable))
    assert found, "the tcpedu console script is not installed next to this Python"
    return found


def test_the_installed_tcpedu_command_runs_a_named_scenario():
    done = subprocess.run([console_script(), "run", "three-way-handshake", "--json"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True


def test_the_installed_tcpedu_command_reports_a_bad_file_in_one_line(tmp_path):
    path = script(tmp_path, "server listen\nclient connect now\n")
    done = subprocess.run([console_script(), "run", path], capture_output=True, text=True)
    assert done.returncode == 2
    assert_one_error_line(done.stderr, f"{path}:2: ")
    assert done.stdout == ""


def test_the_installed_tcpedu_command_prints_its_version():
    done = subprocess.run([console_script(), "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and re.fullmatch(r"tcpedu \d+\.\d+\.\d+\S*\n", done.stdout), done


def test_the_installed_tcpedu_command_cannot_write_a_folder_and_says_so_in_one_line(tmp_path):
    folder = tmp_path / "ladder.svg"
    folder.mkdir()
    done = subprocess.run(
        [console_script(), "draw", "three-way-handshake", "-o", str(folder)], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert_one_error_line(done.stderr, f"{folder}: cannot write it")


def test_the_installed_tcpedu_command_writes_a_long_runs_json_whole_and_in_order(tmp_path):
    # Long enough for the command to share the rendering with a forked helper (HELPED_FROM
    # records), with a failed expectation at the end: the same bytes as one process, and status 1.
    import orjson

    from tcpedu.scenario import run_script, run_to_dict
    from tcpedu.scenario.report import HELPED_FROM, step_shares

    lines = ["server listen", "client connect", "deliver all"]
    lines += ["client send 3000", "drop", "deliver all", "wait next", "deliver all"] * (HELPED_FROM // 12)
    lines.append("expect client CLOSED")
    path = script(tmp_path, "\n".join(lines) + "\n", "long.tcp")
    run = run_script(tcpedu.scenario.parse(Path(path).read_text(), path))
    assert sum(len(step.records) for step in run.steps) >= HELPED_FROM and len(step_shares(run.steps, 2)) == 2
    done = subprocess.run([console_script(), "run", path, "--json"], capture_output=True)
    assert done.returncode == 1, done.stderr
    assert done.stdout == orjson.dumps(run_to_dict(run), option=orjson.OPT_APPEND_NEWLINE)
    assert done.stderr.decode() == f"tcpedu: {path}:{len(lines)}: " + run.failure.message + "\n"
