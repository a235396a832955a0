"""The programs the pictures need from the machine: Graphviz's ``dot`` (layout) and librsvg's
``rsvg-convert`` (PNG files). Each is asked for only when a picture needs it, and its absence
is a ``DiagramError`` saying how to install it, never a traceback."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .errors import DiagramError

__all__ = ["dot_svg", "save_picture", "svg_to_png"]

_INSTALL_GRAPHVIZ = (
    "Graphviz's 'dot' program is needed to draw the state diagram but was not found on PATH: "
    "install it with 'sudo apt-get install graphviz' (Debian, Ubuntu), 'brew install graphviz' "
    "(macOS) or 'conda install graphviz'; run the README's setup command to get everything"
)
_INSTALL_GRAPHVIZ_PACKAGE = (
    "the Python package 'graphviz' is needed to draw the state diagram: pip install 'tcpedu[diagrams]'"
)
_INSTALL_RSVG = (
    "librsvg's 'rsvg-convert' program is needed to write PNG files but was not found on PATH: "
    "install it with 'sudo apt-get install librsvg2-bin' (Debian, Ubuntu) or 'brew install librsvg' "
    "(macOS), or save the picture as .svg instead"
)


def dot_svg(dot_source: str) -> str:
    """Lay ``dot_source`` out with Graphviz's ``dot`` and return the SVG text."""
    try:
        import graphviz
    except ImportError:
        raise DiagramError(_INSTALL_GRAPHVIZ_PACKAGE) from None
    try:
        return graphviz.pipe("dot", "svg", dot_source.encode("utf-8")).decode("utf-8")
    except graphviz.ExecutableNotFound:
        raise DiagramError(_INSTALL_GRAPHVIZ) from None
    except graphviz.CalledProcessError as error:  # pragma: no cover - tcpedu writes the DOT
        raise DiagramError(f"Graphviz could not lay the diagram out: {error.stderr!r}") from None


def svg_to_png(svg: str, scale: float = 2.0) -> bytes:
    """Render SVG text to PNG bytes with ``rsvg-convert`` (``scale`` times the SVG's size)."""
    program = shutil.which("rsvg-convert")
    if program is None:
        raise DiagramError(_INSTALL_RSVG)
    completed = subprocess.run(
        [program, "--format=png", f"--zoom={scale:g}", "--background-color=white"],
        input=svg.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if completed.returncode != 0:  # pragma: no cover - tcpedu writes the SVG
        raise DiagramError(f"rsvg-convert failed: {completed.stderr.decode(errors='replace').strip()}")
    return completed.stdout


def save_picture(svg: str, path: str | Path) -> Path:
    """Write ``svg`` to ``path`` as SVG or PNG, chosen by the file's suffix."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".svg":
        target.write_text(svg, encoding="utf-8")
    elif suffix == ".png":
        target.write_bytes(svg_to_png(svg))
    else:
        raise DiagramError(f"{target}: say .svg or .png (the picture's format is taken from the suffix)")
    return target
