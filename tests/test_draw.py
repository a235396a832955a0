"""``tcpedu draw``: a scenario to a ladder or state diagram, as SVG or PNG, with clear errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tcpedu.cli import main
from tcpedu.render import state_diagram

SVG = "{http://www.w3.org/2000/svg}"


def classes(root: ET.Element, name: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if name in (g.get("class") or "").split()]


def test_draw_writes_a_scenarios_ladder_to_standard_output(capsys):
    assert main(["draw", "three-way-handshake"]) == 0
    root = ET.fromstring(capsys.readouterr().out)
    assert len(classes(root, "segment")) == 5  # SYN, SYN-ACK, ACK, data, its ACK


@pytest.mark.parametrize("diagram", ["ladder", "state"])
@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_draw_writes_svg_or_png_by_the_suffix(tmp_path, diagram, suffix):
    out = tmp_path / f"picture{suffix}"
    assert main(["draw", "simultaneous-close", "--diagram", diagram, "-o", str(out)]) == 0
    data = out.read_bytes()
    if suffix == ".png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert ET.fromstring(data).tag == f"{SVG}svg"


def test_the_state_diagram_highlights_where_the_run_left_both_sides(capsys):
    assert main(["draw", "three-way-handshake", "--diagram", "state"]) == 0
    root = ET.fromstring(capsys.readouterr().out)
    client = [g.get("id") for g in classes(root, "current-client")]
    server = [g.get("id") for g in classes(root, "current-server")]
    assert client == server == ["state-ESTABLISHED"]


def test_upto_draws_the_run_as_it_was_after_that_line(tmp_path, capsys):
    script = tmp_path / "open.tcp"
    script.write_text("client isn 100\nserver listen\nclient connect\ndeliver\ndeliver\ndeliver\n")
    assert main(["draw", str(script), "--diagram", "state", "--upto", "4"]) == 0
    root = ET.fromstring(capsys.readouterr().out)
    assert [g.get("id") for g in classes(root, "current-client")] == ["state-SYN-SENT"]
    assert [g.get("id") for g in classes(root, "current-server")] == ["state-SYN-RECEIVED"]
    assert main(["draw", str(script), "--upto", "4"]) == 0
    assert len(classes(ET.fromstring(capsys.readouterr().out), "segment")) == 2


def test_upto_before_the_first_action_is_a_clear_error(tmp_path, capsys):
    script = tmp_path / "open.tcp"
    script.write_text("client isn 100\nserver listen\n")
    assert main(["draw", str(script), "--upto", "1"]) == 2
    assert "first action" in capsys.readouterr().err


def test_side_highlights_only_that_side(capsys):
    assert main(["draw", "four-way-handshake", "--diagram", "state", "--side", "server"]) == 0
    root = ET.fromstring(capsys.readouterr().out)
    assert classes(root, "current-client") == [] and classes(root, "current-server")


def test_a_script_with_an_error_draws_nothing_and_says_where(tmp_path, capsys):
    script = tmp_path / "bad.tcp"
    script.write_text("server listen\ndeliver\n")
    out = tmp_path / "x.svg"
    assert main(["draw", str(script), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{script}:2" in err and "nothing in flight" in err and "Traceback" not in err
    assert not out.exists()


def test_an_existing_picture_is_kept_when_the_script_is_broken(tmp_path, capsys):
    script = tmp_path / "bad.tcp"
    script.write_text("server listen\nbogus\n")
    out = tmp_path / "mine.svg"
    out.write_text("my drawing")
    assert main(["draw", str(script), "-o", str(out)]) == 2
    assert out.read_text() == "my drawing"


def test_a_failed_expect_still_draws_and_exits_1(tmp_path, capsys):
    script = tmp_path / "wrong.tcp"
    script.write_text("server listen\nclient connect\nexpect client ESTABLISHED\n")
    out = tmp_path / "x.svg"
    assert main(["draw", str(script), "-o", str(out)]) == 1
    assert f"{script}:3" in capsys.readouterr().err
    assert len(classes(ET.fromstring(out.read_text()), "segment")) == 1


@pytest.mark.parametrize(("output", "message"), [("nowhere/x.svg", "no folder"), ("x.jpg", ".svg or .png")])
def test_a_bad_output_path_is_a_clear_error(tmp_path, capsys, monkeypatch, output, message):
    monkeypatch.chdir(tmp_path)
    assert main(["draw", "three-way-handshake", "-o", output]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize("where", ["folder", "/proc/ladder.svg", "/sys/ladder.svg", "/proc/self/ladder.png"])
def test_an_output_that_cannot_be_written_is_one_line_naming_it_with_status_2(tmp_path, capsys, where):
    # A folder of that name; /proc (no new files there); /sys (refused even to root).
    if where == "folder":
        where = str(tmp_path / "ladder.svg")
        Path(where).mkdir()
    assert main(["draw", "three-way-handshake", "-o", where]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    [line] = err.splitlines()
    assert line.startswith(f"tcpedu: {where}: cannot write it (")


def test_without_graphviz_draw_says_how_to_install_it_and_the_rest_keeps_working(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    state_diagram._template.cache_clear()
    try:
        assert main(["draw", "three-way-handshake", "--diagram", "state"]) == 2
        err = capsys.readouterr().err
        assert "apt-get install graphviz" in err and "Traceback" not in err
        assert main(["draw", "three-way-handshake"]) == 0  # the ladder needs no Graphviz
        assert main(["run", "three-way-handshake"]) == 0
    finally:
        state_diagram._template.cache_clear()
