"""The import contracts in .importlinter hold, and a wrong import breaks them.

`lint-imports` (import-linter) reads the import graph of the kapdesk package:
layers (cli > ui > reports, demo, composition > services > storage > domain),
a pure domain, no Qt below the ui, a Qt-free composition root, no ORM outside
storage and services, and rendering that reads report data only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / ".importlinter"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint(source_root: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports over the kapdesk package found in source_root."""
    # Not skipped when missing: the contracts must run wherever the tests run.
    assert LINT_IMPORTS.exists(), "import-linter is missing: pip install -e '.[test]'"
    env = {**os.environ, "PYTHONPATH": str(source_root), "COLUMNS": "400"}  # one line each
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(CONFIG)],
        cwd=source_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def verdicts(output: str) -> dict[str, str]:
    """Contract name -> KEPT / BROKEN, from lint-imports' summary lines."""
    return {m[1].strip(): m[2] for m in re.finditer(r"^(.+?) (KEPT|BROKEN)$", output, re.M)}


def contract_names() -> list[str]:
    text = CONFIG.read_text(encoding="utf-8")
    return re.findall(r"^\[importlinter:contract:[^\]]+\]\nname = (.+)$", text, re.M)


def test_the_import_contracts_hold() -> None:
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    found = verdicts(result.stdout)
    assert found == dict.fromkeys(contract_names(), "KEPT")


# Deliberately wrong imports, one aimed at each contract (appended to a copy of the package).
WRONG = {
    "services/_wrong_layer.py": "import kapdesk.ui.app_context",  # services reach up to the ui
    "domain/_wrong_purity.py": "from kapdesk.services import context",  # domain on services
    "storage/_wrong_qt.py": "from PySide6 import QtCore",  # Qt below the ui
    "composition.py": "import PySide6",  # the composition root pulls in Qt
    "ui/_wrong_orm.py": "from kapdesk.storage.orm import Patient",  # a view touches ORM tables
    "reports/_wrong_data.py": "from kapdesk.storage import db",  # rendering queries the database
    "cli/_wrong_storage.py": "from kapdesk.storage import backup",  # a front end skips services
}


def test_a_wrong_import_breaks_the_contracts(tmp_path: Path) -> None:
    copy = tmp_path / "src"
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "kapdesk", copy / "kapdesk", ignore=skip)
    for relative, line in WRONG.items():
        module = copy / "kapdesk" / relative
        before = module.read_text(encoding="utf-8") if module.exists() else ""
        module.write_text(f"{before}\n{line}\n", encoding="utf-8")

    result = lint(copy)

    assert result.returncode != 0
    found = verdicts(result.stdout)
    assert found == dict.fromkeys(contract_names(), "BROKEN"), result.stdout
    for module in ("kapdesk.services._wrong_layer", "kapdesk.domain._wrong_purity"):
        assert module in result.stdout
    assert "kapdesk.ui._wrong_orm -> kapdesk.storage.orm" in result.stdout
