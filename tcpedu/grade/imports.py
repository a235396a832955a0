"""Which parts of tcpedu a learner's code uses, read from its text (never by running it).

An exercise allows some of tcpedu's values and helpers (``tcpedu.kit``'s ``Segment``,
``Flags``...). Anything else from tcpedu is the reference implementation of something, and a
solution that imports it for the very thing it is asked to write scores nothing on that
exercise. Names are resolved to the objects they denote, so ``from tcpedu import Segment``
and ``from tcpedu.kit import Segment`` are the same allowed thing, and
``from tcpedu.core.seqnum import seq_lt`` is the reference comparison however it is spelled.
A string naming a tcpedu module handed to ``__import__``, ``importlib`` or ``sys.modules``
counts as using it.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
from collections.abc import Collection

__all__ = ["Use", "forbidden_uses"]

_PACKAGE = "tcpedu"


@dataclasses.dataclass(frozen=True)
class Use:
    """A use of tcpedu the exercise does not allow: what, and on which line."""

    name: str
    line: int


def forbidden_uses(tree: ast.Module, allowed: Collection[object]) -> list[Use]:
    """Every use of tcpedu in ``tree`` that is not one of the ``allowed`` objects (modules
    only passed through on the way to an allowed name are fine)."""
    allowed_ids = {id(value) for value in allowed}
    aliases: dict[str, str] = {}  # local name -> tcpedu module path it stands for
    found: list[Use] = []

    def check(path: str, line: int) -> None:
        value = _resolve(path)
        if value is _MISSING or id(value) not in allowed_ids:
            found.append(Use(path, line))

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and _is_ours(node.module or ""):
            for alias in node.names:
                if alias.name == "*":
                    found.append(Use(f"{node.module}.*", node.lineno))
                    continue
                path = f"{node.module}.{alias.name}"
                if _is_module(path):
                    aliases[alias.asname or alias.name] = path
                else:
                    check(path, node.lineno)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _is_ours(alias.name):
                    if alias.asname:
                        aliases[alias.asname] = alias.name
                    else:
                        aliases[alias.name.split(".")[0]] = _PACKAGE
        elif isinstance(node, ast.Call) and _imports_dynamically(node):
            found.append(Use(_literal(node.args[0]) if node.args else "a module", node.lineno))
        elif isinstance(node, ast.Subscript) and _is_sys_modules(node.value):
            name = _literal(node.slice)
            if name is None or _is_ours(name):
                found.append(Use(f"sys.modules[{name or '...'}]", node.lineno))
    if aliases:
        found += _attribute_uses(tree, aliases, check)
    found.sort(key=lambda use: (use.line, use.name))
    return found


def _attribute_uses(tree: ast.Module, aliases: dict[str, str], check) -> list[Use]:
    """Uses through a module alias: ``tcpedu.core.seqnum.seq_lt``; the alias alone (passed to
    ``getattr``, say) is a use of everything."""
    uses: list[Use] = []
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Name) and node.id in aliases and isinstance(node.ctx, ast.Load)):
            continue
        path = aliases[node.id]
        top: ast.AST = node
        while isinstance(parent := parents.get(id(top)), ast.Attribute):
            path = f"{path}.{parent.attr}"
            top = parent
            if not _is_module(path):
                break
        if _is_module(path):
            uses.append(Use(f"{path} (as a whole)", node.lineno))
        else:
            check(path, node.lineno)
    return uses


_MISSING = object()


def _resolve(path: str) -> object:
    """The object ``tcpedu.a.b.name`` denotes, or _MISSING."""
    module_path, _, name = path.rpartition(".")
    try:
        module = importlib.import_module(module_path)
    except ImportError:
        return _MISSING
    return getattr(module, name, _MISSING)


def _is_module(path: str) -> bool:
    try:
        importlib.import_module(path)
    except ImportError:
        return False
    return True


def _is_ours(name: str) -> bool:
    return name == _PACKAGE or name.startswith(_PACKAGE + ".")


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _imports_dynamically(call: ast.Call) -> bool:
    """``__import__("tcpedu...")``, ``importlib.import_module("tcpedu...")``, or either with a
    name that is not a plain string."""
    function = call.func
    name = getattr(function, "id", None) or getattr(function, "attr", "")
    if name not in ("__import__", "import_module"):
        return False
    if not call.args:
        return False
    text = _literal(call.args[0])
    return text is None or _is_ours(text)


def _is_sys_modules(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "modules" and isinstance(node.value, ast.Name)
