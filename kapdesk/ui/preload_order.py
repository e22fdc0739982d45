"""What the sign-in preload (kapdesk.ui.preload) reads before it imports: the order of the
kapdesk.ui modules (each after what it imports at module level) and pyqtgraph's package
``__init__`` cut into one import statement per piece.

Both work in a PyInstaller build too, where the modules come from the PYZ archive as code
objects and no ``.py`` file exists, although every spec's origin names one under
``sys._MEIPASS``: the import order is then read from each module's bytecode (the loader's
``get_code``), and pyqtgraph's pieces need its source (``get_source``, None there), so
:func:`pyqtgraph_statements` returns None and the preload imports pyqtgraph in one step.
"""

from __future__ import annotations

import ast
import dis
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable
from importlib.machinery import ModuleSpec, PathFinder
from pathlib import Path
from types import CodeType

_JUMP_IF_FALSE = {"POP_JUMP_FORWARD_IF_FALSE", "POP_JUMP_IF_FALSE"}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _absolute(base: str, level: int, name: str, is_package: bool) -> str:
    """The absolute name of ``from <level dots><base> import ...`` in module ``name``."""
    if not level:
        return base
    package = name if is_package else name.rpartition(".")[0]
    anchor = package.rsplit(".", level - 1)[0] if level > 1 else package
    return f"{anchor}.{base}" if base else anchor


def _module_level_imports(tree: ast.Module, name: str, is_package: bool) -> list[str]:
    """Absolute names of the modules a module imports when it is run (not in functions,
    classes or ``if TYPE_CHECKING:``); ``from x import y`` names both x and x.y."""
    found: list[str] = []

    def visit(body: Iterable[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                found.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node.module or "", node.level, name, is_package)
                if base == "__future__":
                    continue
                found.append(base)
                found.extend(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
            elif isinstance(node, ast.If):
                if not _is_type_checking(node.test):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                for block in (node.body, node.orelse, node.finalbody):
                    visit(block)
                for handler in node.handlers:
                    visit(handler.body)
            elif isinstance(node, ast.With):
                visit(node.body)

    visit(tree.body)
    return found


def _code_imports(code: CodeType, name: str, is_package: bool) -> list[str]:
    """:func:`_module_level_imports` read from a module's code object instead (a frozen
    build has no source): each IMPORT_NAME of the module body, minus the block of an
    ``if TYPE_CHECKING:``. Functions and classes are code objects of their own."""
    found: list[str] = []
    consts: list[object] = []  # the constants loaded since the last import: level, fromlist
    skip_to = -1
    instructions = list(dis.get_instructions(code))
    for index, ins in enumerate(instructions):
        if ins.offset < skip_to:
            continue
        following = instructions[index + 1] if index + 1 < len(instructions) else None
        if (
            ins.argval == "TYPE_CHECKING"
            and ins.opname in {"LOAD_NAME", "LOAD_GLOBAL", "LOAD_ATTR"}
            and following is not None
            and following.opname in _JUMP_IF_FALSE
        ):
            skip_to = int(following.argval)
            continue
        if ins.opname == "LOAD_CONST":
            consts = [*consts[-1:], ins.argval]
            continue
        if ins.opname != "IMPORT_NAME":
            continue
        level, fromlist = (consts if len(consts) == 2 else [0, None])[:2]
        base = _absolute(str(ins.argval), int(level or 0), name, is_package)  # type: ignore[call-overload]
        consts = []
        if base == "__future__":
            continue
        found.append(base)
        if isinstance(fromlist, tuple):
            found.extend(f"{base}.{leaf}" for leaf in fromlist if leaf != "*")
    return found


def _find_spec(name: str, bases: dict[str, Path]) -> ModuleSpec | None:
    """The spec of ``name`` as the import system would find it (its path-entry finders:
    the file system's, or PyInstaller's for its archive), without importing its parent
    package, which the preload imports later, on the GUI thread."""
    parts = name.split(".")
    base = bases.get(parts[0])
    if base is None:
        return None
    path = [str(base.joinpath(*parts[1:-1]))] if len(parts) > 1 else None
    return PathFinder.find_spec(name, path)


def _imports_of(spec: ModuleSpec) -> list[str] | None:
    """The module-level imports of the module ``spec`` finds: from its source, or from its
    code object when there is none (a frozen build); None when neither is at hand."""
    loader = spec.loader
    is_package = spec.submodule_search_locations is not None
    get_source = getattr(loader, "get_source", None)
    source = get_source(spec.name) if get_source is not None else None
    if source is not None:
        tree = ast.parse(source, spec.origin or spec.name)
        return _module_level_imports(tree, spec.name, is_package)
    get_code = getattr(loader, "get_code", None)
    code = get_code(spec.name) if get_code is not None else None
    return _code_imports(code, spec.name, is_package) if isinstance(code, CodeType) else None


def import_order(
    roots: Iterable[str], inside: str, between: Callable[[], None] | None = None
) -> tuple[list[str], list[str]]:
    """(the modules under ``inside`` that ``roots`` import at module level, each after
    what it imports; the other modules they import), read from their source or, in a
    frozen build, their code; ``between`` is called before each module is read."""
    top = inside.split(".")[0]
    package = importlib.import_module(top)
    bases = {top: Path(next(iter(package.__path__)))}
    ordered: list[str] = []
    outside: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        if not (name == inside or name.startswith(inside + ".")):
            if name not in outside:
                outside.append(name)
            return
        parent = name.rpartition(".")[0]
        if parent.startswith(inside):
            visit(parent)
        if between is not None:
            between()
        spec = _find_spec(name, bases)
        if spec is None:
            return  # a name imported from a module, not a module itself
        for dep in _imports_of(spec) or []:
            visit(dep)
        ordered.append(name)

    for root in roots:
        visit(root)
    return ordered, outside


def pyqtgraph_statements() -> list[CodeType] | None:
    """pyqtgraph's ``__init__`` compiled in pieces of at most one import statement each;
    None when it is imported already or its source is not at hand (a frozen build: the
    spec's origin names a ``.py`` file that is not there)."""
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    if "pyqtgraph" in sys.modules:
        return None
    spec = importlib.util.find_spec("pyqtgraph")
    if spec is None or spec.origin is None or not os.path.isfile(spec.origin):
        return None
    get_source = getattr(spec.loader, "get_source", None)
    try:
        source = get_source("pyqtgraph") if get_source is not None else None
    except (ImportError, OSError):
        return None
    if source is None:
        return None
    tree = ast.parse(source, spec.origin)
    pieces: list[CodeType] = []
    pending: list[ast.stmt] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
            return None  # a future statement would not carry over to the pieces
        pending.append(stmt)
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            pieces.append(compile(ast.Module(pending, []), spec.origin, "exec", dont_inherit=True))
            pending = []
    if pending:
        pieces.append(compile(ast.Module(pending, []), spec.origin, "exec", dont_inherit=True))
    return pieces
