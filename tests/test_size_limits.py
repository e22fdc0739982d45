"""Size limits: no module in kapdesk/ over 500 lines, no function over 80 lines.

Exempt: Alembic revisions (kapdesk/storage/migrations), and in kapdesk/ui the Qt
widgets' ``__init__`` and ``_build*`` layout builders, which are long lists of
widget placements rather than logic.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "kapdesk"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def exempt_function(relative: Path, name: str) -> bool:
    in_ui = relative.parts[:1] == ("ui",)
    return in_ui and (name == "__init__" or name.startswith("_build"))


def modules(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root).parts[:2] != ("storage", "migrations"):
            yield path


def oversized(root: Path) -> list[str]:
    found = []
    for path in modules(root):
        relative = path.relative_to(root)
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            found.append(f"{relative}: {lines} lines (module)")
        for node in ast.walk(ast.parse(text, str(path))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = (node.end_lineno or node.lineno) - first + 1
            if length > MAX_FUNCTION_LINES and not exempt_function(relative, node.name):
                found.append(f"{relative}:{node.lineno} {node.name}: {length} lines (function)")
    return found


def test_no_module_or_function_over_the_limits() -> None:
    assert oversized(PACKAGE) == []


def test_the_limits_catch_a_long_module_and_a_long_function(tmp_path: Path) -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(80))
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "long.py").write_text(f"def use_case():\n{body}")
    (tmp_path / "services" / "big.py").write_text("pass\n" * 501)
    (tmp_path / "ui").mkdir()
    names = ("__init__", "_build_rows", "refresh")
    methods = "".join(f"def {name}(self):\n{body}" for name in names)
    (tmp_path / "ui" / "form.py").write_text("class Form:\n" + textwrap.indent(methods, "    "))
    (tmp_path / "storage" / "migrations").mkdir(parents=True)
    (tmp_path / "storage" / "migrations" / "r0001.py").write_text(f"def upgrade():\n{body}")

    assert oversized(tmp_path) == [
        "services/big.py: 501 lines (module)",
        "services/long.py:1 use_case: 81 lines (function)",
        "ui/form.py:164 refresh: 81 lines (function)",
    ]
