"""The gallery in ``docs/``: the state diagram and every shipped scenario's ladder diagram.

``python -m tcpedu.render.gallery docs`` (or ``scripts/render-docs``) writes them; a test
checks that the committed ones are what the code draws today.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..scenario import load_scenario, run_script, scenario_names
from .ladder import Ladder
from .state_diagram import StateDiagram

__all__ = ["STATE_DIAGRAMS", "gallery_index", "ladder_svg", "render_gallery"]

STATE_DIAGRAMS = {
    "state-diagram.svg": ("figure", "en"),
    "state-diagram-ko.svg": ("figure", "ko"),
    "state-diagram-rfc.svg": ("rfc", "en"),
    "state-diagram-all.svg": ("all", "en"),
    "state-diagram-linux.svg": ("linux", "en"),
}
"""File name -> (detail, language) of the state diagrams in the gallery."""


def ladder_svg(name: str) -> str:
    """The ladder diagram of the shipped scenario ``name``, as the gallery shows it."""
    script = load_scenario(name)
    run = run_script(script)
    return Ladder(run.simulation.history, title=f"{name}: {script.title}").svg()


def gallery_index() -> str:
    """``docs/README.md``: what each picture shows."""
    lines = [
        "# Pictures",
        "",
        "Drawn by tcpedu from its own data (`python -m tcpedu.render.gallery docs`, or",
        "`scripts/render-docs`); a test fails when these differ from what the code draws.",
        "",
        "## The state diagram (RFC 9293 Figure 5)",
        "",
        "Laid out by Graphviz from the transition table. Bold solid: the client's usual path;",
        "bold dashed: the server's; thin: Figure 5's other arcs; grey: arcs stated in the RFC's",
        "text (`state-diagram-rfc.svg`) and the simulator's host crash (`state-diagram-all.svg`).",
        "",
        "![The state diagram](state-diagram.svg)",
        "",
        "In Korean: [state-diagram-ko.svg](state-diagram-ko.svg); every arc of RFC 9293:",
        "[state-diagram-rfc.svg](state-diagram-rfc.svg); with the crash too:",
        "[state-diagram-all.svg](state-diagram-all.svg); RFC 9293's with the Linux profile's switched",
        "arcs beside them (green, dashed): [state-diagram-linux.svg](state-diagram-linux.svg).",
        "",
        "## Ladder diagrams of the named scenarios",
        "",
    ]
    for name in scenario_names():
        title = load_scenario(name).title
        lines += [f"### {name}", "", title, "", f"![{name}](ladders/{name}.svg)", ""]
    return "\n".join(lines)


def render_gallery(folder: str | Path) -> list[Path]:
    """Write the gallery into ``folder``; returns the files written."""
    root = Path(folder)
    ladders = root / "ladders"
    ladders.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, (detail, lang) in STATE_DIAGRAMS.items():
        path = root / file_name
        path.write_text(StateDiagram(detail, lang).svg(), encoding="utf-8")
        written.append(path)
    for name in scenario_names():
        path = ladders / f"{name}.svg"
        path.write_text(ladder_svg(name), encoding="utf-8")
        written.append(path)
    index = root / "README.md"
    index.write_text(gallery_index(), encoding="utf-8")
    written.append(index)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tcpedu.render.gallery FOLDER", file=sys.stderr)
        return 2
    for path in render_gallery(args[0]):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
