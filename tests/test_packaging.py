"""Every package must be listed in pyproject.toml, or `pip install .` ships a broken app."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _declared() -> set[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(data["tool"]["setuptools"]["packages"])


def test_every_package_folder_is_declared() -> None:
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "kapdesk").rglob("__init__.py")
    }
    assert found - _declared() == set(), "add these to [tool.setuptools] packages"
    assert "kapdesk.resources" in _declared()


def test_shipped_data_is_matched_by_package_data() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["kapdesk.resources"]
    resources = ROOT / "resources"
    for path in resources.rglob("*"):
        if (
            path.is_file()
            and path.suffix not in {".py", ".pyc"}
            and "__pycache__" not in path.parts
        ):
            rel = path.relative_to(resources)
            assert any(rel.match(p) for p in patterns), f"resources/{rel} is not packaged"
