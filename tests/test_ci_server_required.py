"""tests/conftest.py: with KAPDESK_TEST_PG_REQUIRED=1 (.ci/run set a server up), a server
half that skipped because the server could not be reached fails the run; without it the
same run passes and says it skipped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVER_TEST = (
    "tests/cli/test_cli_server_url.py::test_an_empty_server_database_is_not_listed_as_a_clinic"
)
UNREACHABLE = "postgresql://nobody:nopass@127.0.0.1:1/postgres"


def _run(required: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAPDESK_TEST_PG_")}
    env["KAPDESK_TEST_PG_URL"] = UNREACHABLE
    if required is not None:
        env["KAPDESK_TEST_PG_REQUIRED"] = required
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
         SERVER_TEST],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_an_unreachable_required_server_fails_the_run() -> None:
    done = _run("1")
    assert done.returncode == pytest.ExitCode.TESTS_FAILED, done.stdout
    assert "1 skipped" in done.stdout
    assert "FAILED: KAPDESK_TEST_PG_REQUIRED=1" in done.stdout
    assert "cannot be reached" in done.stdout
    assert "nopass" not in done.stdout


@pytest.mark.parametrize("required", [None, "0"])
def test_without_the_requirement_an_unreachable_server_only_skips(required: str | None) -> None:
    done = _run(required)
    assert done.returncode == pytest.ExitCode.OK, done.stdout
    assert "clinic server (PostgreSQL): 1 tests SKIPPED" in done.stdout
    assert "FAILED" not in done.stdout
