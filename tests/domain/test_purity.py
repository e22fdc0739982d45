"""The domain imports nothing of Qt or SQLAlchemy.

Each module is imported in a fresh interpreter, so a heavy import pulled in by
one module cannot hide behind another test having imported it already.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import kapdesk.domain

FORBIDDEN = ("PySide6", "sqlalchemy")

DOMAIN_MODULES = sorted(
    f"kapdesk.domain.{m.name}" for m in pkgutil.iter_modules(kapdesk.domain.__path__)
)

PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
roots = {name.split(".")[0] for name in sys.modules}
print(json.dumps(sorted(roots & set(sys.argv[2:]))))
"""


def test_discovery_finds_the_domain_modules() -> None:
    # If discovery broke, the parametrised test below would silently test nothing.
    for name in ("clock", "errors", "protocol", "instruments", "session_state", "permissions"):
        assert f"kapdesk.domain.{name}" in DOMAIN_MODULES


def test_the_probe_detects_a_forbidden_import() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "json", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == ["json"]


@pytest.mark.parametrize("module", ["kapdesk.domain", *DOMAIN_MODULES])
def test_module_imports_no_gui_or_database(module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, module, *FORBIDDEN],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [], f"{module} pulls in {result.stdout.strip()}"
