"""Shared test set-up: Qt runs offscreen, pyqtgraph uses PySide6."""

import os
import re

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
# The tests read kapdesk's English (the source language), whatever the tester's computer
# speaks; tests of another language choose it themselves (kapdesk.i18n.use_language).
os.environ["KAPDESK_LANG"] = "en"

# kapdesk's log file (kapdesk.logs) goes to a temporary folder, never the tester's own.
if not os.environ.get("KAPDESK_LOG_DIR"):
    import tempfile

    os.environ["KAPDESK_LOG_DIR"] = tempfile.mkdtemp(prefix="kapdesk-test-logs-")
# ... and its cache (reportlab's parsed fonts: kapdesk.reports.font_cache) too.
if not os.environ.get("KAPDESK_CACHE_DIR"):
    import tempfile

    os.environ["KAPDESK_CACHE_DIR"] = tempfile.mkdtemp(prefix="kapdesk-test-cache-")


@pytest.fixture(autouse=True)
def _english_after_each_test():  # type: ignore[no-untyped-def]
    """A test that speaks another language (``kapdesk --lang``, a sign-in) leaves English."""
    yield
    from kapdesk.i18n import ENGLISH, pin, set_language

    set_language(ENGLISH)
    pin(None)


# ---------------------------------------------------------------- the clinic-server half
# Tests that need a PostgreSQL server (tests/pg_support.py: KAPDESK_TEST_PG_URL) skip
# without one. The run then still passes, so it says at the very end, in one place, how
# many were skipped and why: a green run that never touched the server must not look
# like one that did.

_server_tests = {"ran": 0, "skipped": 0}
# .ci/run sets this once it has set up a server itself: there, a server half that skipped
# because the server could not be reached is a failed run, not a green one.
_REQUIRED_ENV = "KAPDESK_TEST_PG_REQUIRED"
_NO_SERVER = "PostgreSQL tests skipped:"  # how tests/pg_support.py's skip reasons begin
_SERVER_PARAM = re.compile(r"\[(?:[^\]]*-)?postgresql(?:-[^\]]*)?\]$")
_server_skip_reasons: dict[str, int] = {}


def _is_server_test(nodeid: str) -> bool:
    """A test of the clinic-server half: a ``[postgresql...]`` parameter (the service
    tests' store) or a ``test_pg_*`` module (storage)."""
    path, _, rest = nodeid.partition("::")
    return bool(_SERVER_PARAM.search(rest)) or path.rsplit("/", 1)[-1].startswith("test_pg_")


def pytest_runtest_logreport(report):  # type: ignore[no-untyped-def]
    if report.skipped and isinstance(report.longrepr, tuple):
        reason = str(report.longrepr[2]).removeprefix("Skipped: ")
        if "postgresql" in reason.lower():
            _server_tests["skipped"] += 1
            _server_skip_reasons[reason] = _server_skip_reasons.get(reason, 0) + 1
            return
    if report.when == "call" and _is_server_test(report.nodeid):
        _server_tests["ran"] += 1


def _required_server_missing() -> bool:
    return os.environ.get(_REQUIRED_ENV) == "1" and any(
        reason.startswith(_NO_SERVER) for reason in _server_skip_reasons
    )


def pytest_sessionfinish(session, exitstatus):  # type: ignore[no-untyped-def]
    if _required_server_missing() and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter):  # type: ignore[no-untyped-def]
    # A wrapper, so this comes after pytest's own "short test summary info" (-ra).
    result = yield
    _server_summary(terminalreporter)
    return result


def _server_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    ran, skipped = _server_tests["ran"], _server_tests["skipped"]
    if not ran and not skipped:
        return
    write = terminalreporter.write_line
    if skipped:
        terminalreporter.write_sep(
            "=", f"clinic server (PostgreSQL): {skipped} tests SKIPPED", yellow=True, bold=True
        )
        for reason, count in sorted(_server_skip_reasons.items(), key=lambda kv: -kv[1]):
            write(f"{count} skipped: {reason}")
        setup = os.environ.get("KAPDESK_TEST_PG_SETUP")
        if setup:
            write(f".ci/run: {setup}")
        if _required_server_missing():
            write(
                f"FAILED: {_REQUIRED_ENV}=1 (.ci/run set up this server) but the tests could "
                "not reach it, so the clinic-server half did not run.",
                red=True,
                bold=True,
            )
        write(
            "These tests run against a server when KAPDESK_TEST_PG_URL names one (an admin "
            "URL, e.g. postgresql://kapdesk_test:kapdesk_test@localhost:5432/postgres); "
            ".ci/run sets one up (README: Clinic server)."
        )
    if ran:
        from tests.pg_support import pg_admin_url

        url = pg_admin_url() or ""
        try:
            from kapdesk.storage.server_url import parse_server_url

            shown = parse_server_url(url).redacted()
        except Exception:  # the summary must not fail the run; the URL is never shown raw
            shown = "KAPDESK_TEST_PG_URL"
        terminalreporter.write_sep(
            "=", f"clinic server (PostgreSQL): {ran} tests ran against {shown}", green=True
        )
