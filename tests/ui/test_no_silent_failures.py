"""No silent failures: unexpected errors are logged (ids only) and said plainly, storage
faults are clear messages, and a confirmed entry is never lost."""

from __future__ import annotations

import logging
import re
import sqlite3
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer, qWarning
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from kapdesk import logs
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import ValidationError
from kapdesk.storage.orm import VitalReading
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.crash import ErrorReporter, hhmm
from kapdesk.ui.errors import ErrorBox
from kapdesk.ui.quick_vitals import QuickVitalsDialog
from tests.faultkit import inject

PATIENT_NAME = "Zebedee Quarrington"
MRN = "MRN-4711-XQ"


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        ErrorBox, "show", classmethod(lambda cls, parent, title, text: shown.append((title, text)))
    )
    return shown


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = logs.setup_logging(tmp_path / "logs" / "kapdesk.log")
    yield path
    logs.stop_logging()


@pytest.fixture
def reporter(app: AppContext, log_file: Path) -> Iterator[ErrorReporter]:
    r = ErrorReporter(log_file, app)
    yield r
    r.uninstall()


def _log_text(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def _raise(exc: BaseException) -> BaseException:
    try:
        raise exc
    except BaseException as caught:
        return caught


# ---------------------------------------------------------------- the log file


def test_the_log_rotates_in_the_user_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    from kapdesk import paths

    monkeypatch.delenv(logs.LOG_ENV, raising=False)
    monkeypatch.setattr(paths, "data_dir", lambda: Path("/userdata/kapdesk"))
    assert logs.log_path() == Path("/userdata/kapdesk/logs/kapdesk.log")
    monkeypatch.setenv(logs.LOG_ENV, "/elsewhere")
    assert logs.log_path() == Path("/elsewhere/kapdesk.log")


def test_the_log_rotates(log_file: Path) -> None:
    from logging.handlers import RotatingFileHandler

    [handler] = [
        h for h in logging.getLogger().handlers
        if isinstance(h, RotatingFileHandler) and Path(h.baseFilename) == log_file
    ]  # fmt: skip
    assert (handler.maxBytes, handler.backupCount) == (logs.MAX_BYTES, logs.BACKUPS)


def test_no_patient_name_or_mrn_ever_lands_in_the_log(log_file: Path) -> None:
    validation = _raise(
        ValidationError("Family name", PATIENT_NAME, f"Family name '{PATIENT_NAME}' ...")
    )
    sql = _raise(
        IntegrityError(
            "INSERT INTO patients (mrn, family_name) VALUES (?, ?)",
            (MRN, PATIENT_NAME),
            sqlite3.IntegrityError("UNIQUE constraint failed: patients.mrn"),
        )
    )
    os_error = _raise(
        FileNotFoundError(2, "No such file or directory", f"/pdfs/{PATIENT_NAME}.pdf")
    )
    plain = _raise(KeyError(MRN))
    for exc in (validation, sql, os_error, plain):
        logs.log_unexpected(exc, "a test")
    chained = _raise(RuntimeError(f"while printing {PATIENT_NAME}"))
    chained.__cause__ = validation
    logging.getLogger("kapdesk.test").exception("printing failed", exc_info=chained)

    text = _log_text(log_file)
    assert PATIENT_NAME not in text
    assert MRN not in text
    assert "Zebedee" not in text
    assert "4711" not in text
    # what it does keep: where, and what kind of failure
    assert "kapdesk.domain.errors.ValidationError" in text
    assert "IntegrityError: UNIQUE constraint failed: patients.mrn" in text
    assert "ENOENT No such file or directory" in text
    assert "builtins.KeyError" in text
    assert "test_no_silent_failures.py" in text
    assert "_raise" in text


# ---------------------------------------------------------------- the dialog


def test_an_unexpected_error_shows_a_plain_dialog_and_is_logged(
    reporter: ErrorReporter, boxes: list[tuple[str, str]], log_file: Path, kit: Kit
) -> None:
    kit.dosed(room="2")  # something was saved: its time is the one named
    saved = reporter.app.ctx.db.last_commit_at if reporter.app else None
    assert saved is not None
    exc = _raise(RuntimeError(f"cannot draw {PATIENT_NAME}"))
    reporter.excepthook(RuntimeError, exc, exc.__traceback__)
    [(title, text)] = boxes
    assert title == "kapdesk"
    assert text.startswith(f"Something went wrong; nothing after {hhmm(saved)} was saved; ")
    assert f"details in the log: {log_file}" in text
    assert "Traceback" not in text
    assert "RuntimeError" not in text
    assert PATIENT_NAME not in text
    log = _log_text(log_file)
    assert "builtins.RuntimeError" in log
    assert "Traceback" in log
    assert PATIENT_NAME not in log


def test_before_anything_is_saved_the_start_time_is_named(
    app: AppContext, log_file: Path, boxes: list[tuple[str, str]], clock: FakeClock
) -> None:
    reporter = ErrorReporter(log_file, app)
    clock.advance(minutes=30)
    reporter.excepthook(ValueError, ValueError("x"), None)
    [(_, text)] = boxes
    assert f"nothing after {hhmm(reporter.started_at)} was saved" in text


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_reaches_the_dialog(
    qtbot: QtBot, reporter: ErrorReporter, boxes: list[tuple[str, str]]
) -> None:
    reporter.install()

    def broken_slot() -> None:
        raise ZeroDivisionError("in a slot")

    QTimer.singleShot(0, broken_slot)
    qtbot.waitUntil(lambda: len(boxes) == 1)
    assert boxes[0][1].startswith("Something went wrong; nothing after ")
    reporter.uninstall()
    assert sys.excepthook is not reporter.excepthook


def test_an_exception_in_another_thread_reaches_the_dialog(
    qtbot: QtBot, reporter: ErrorReporter, boxes: list[tuple[str, str]], log_file: Path
) -> None:
    reporter.install()

    def worker() -> None:
        raise OSError(28, "No space left on device")

    thread = threading.Thread(target=worker, name="pdf-writer")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: len(boxes) == 1)
    assert "Traceback" not in boxes[0][1]
    log = _log_text(log_file)
    assert "thread pdf-writer" in log
    assert "ENOSPC" in log


def test_a_storage_error_no_view_caught_says_what_happened(
    reporter: ErrorReporter, boxes: list[tuple[str, str]], app: AppContext, log_file: Path
) -> None:
    from kapdesk.storage.errors import StorageFailed

    exc = _raise(StorageFailed(app.ctx.db.path, "full"))
    reporter.excepthook(StorageFailed, exc, exc.__traceback__)
    [(_, text)] = boxes
    assert text.startswith(f"The disk holding {app.ctx.db.path} is full, so nothing was saved.")
    assert str(log_file) in text


def test_errors_while_the_dialog_is_open_are_logged_not_stacked(
    reporter: ErrorReporter, monkeypatch: pytest.MonkeyPatch, log_file: Path
) -> None:
    seen: list[str] = []

    def show(cls: object, parent: object, title: str, text: str) -> None:
        seen.append(text)
        reporter.excepthook(ValueError, ValueError("again"), None)  # a timer fails meanwhile

    monkeypatch.setattr(ErrorBox, "show", classmethod(show))
    reporter.excepthook(ValueError, ValueError("first"), None)
    assert len(seen) == 1
    assert _log_text(log_file).count("builtins.ValueError") == 2


def test_qt_warnings_go_to_the_log(reporter: ErrorReporter, log_file: Path) -> None:
    reporter.install()
    qWarning("QPainter::begin: Paint device returned engine == 0")
    reporter.uninstall()
    assert "QPainter::begin" in _log_text(log_file)


# ---------------------------------------------------------------- storage faults in the GUI


def _readings(app: AppContext) -> int:
    with app.ctx.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(VitalReading)) or 0)


def _enter(dialog: QuickVitalsDialog, *values: str) -> None:
    for key, value in zip(("systolic", "diastolic", "pulse", "spo2"), values, strict=True):
        dialog.form.edits[key].setText(value)
    dialog.submit()


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        ("full", "is full, so nothing was saved"),  # real_full: tests/storage (needs a big row)
        ("io", "disk I/O error"),
        ("read_only", "is read-only"),
    ],
)
def test_a_reading_refused_by_the_disk_is_said_plainly_and_kept_in_the_form(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clock: FakeClock,
    boxes: list[tuple[str, str]],
    mode: str,
    words: str,
) -> None:
    sid = kit.dosed(room="2")
    clock.advance(minutes=22)
    faults = inject(app.ctx.db.engine)

    first = QuickVitalsDialog(app, sid, "Room 2")
    qtbot.addWidget(first)
    _enter(first, "118", "76", "72", "98")
    assert first.result() == first.DialogCode.Accepted  # confirmed: stored
    confirmed = _readings(app)

    clock.advance(minutes=5)
    faults.mode = mode
    second = QuickVitalsDialog(app, sid, "Room 2")
    qtbot.addWidget(second)
    second.show()
    _enter(second, "124", "80", "70", "97")
    assert faults.hits
    assert second.isVisible()
    assert second.result_reading is None
    shown = second.form.error_text()
    assert words in shown
    assert "Traceback" not in shown
    assert "sqlite3" not in shown
    assert "OperationalError" not in shown
    assert boxes == []  # said in the dialog itself, no second box
    assert second.form.values() == {
        "systolic": "124", "diastolic": "80", "pulse": "70", "spo2": "97",
    }  # fmt: skip

    faults.mode = None
    assert _readings(app) == confirmed  # the confirmed reading is there, the refused one not
    second.submit()  # the disk recovered: the same entry is recorded now
    assert second.result_reading is not None
    assert _readings(app) == confirmed + 1


# ---------------------------------------------------------------- wired into run_gui

_STARTUP_DRIVER = """
import sys
from pathlib import Path
import kapdesk.ui.run as app_module
from kapdesk.ui.errors import ErrorBox

def broken(*args, **kwargs):
    raise RuntimeError("start-up bug for Zebedee Quarrington")

def show(cls, parent, title, text):
    print("BOX:", text)

def disk_error(*args, **kwargs):
    import sqlite3
    try:
        raise sqlite3.OperationalError("disk I/O error")
    except sqlite3.OperationalError as exc:
        raise RuntimeError("migration step failed") from exc

app_module._open_database = disk_error if "--disk" in sys.argv else broken
ErrorBox.show = classmethod(show)
code = app_module.run_gui(Path(sys.argv[1]), demo=False)
print("hook restored:", sys.excepthook is sys.__excepthook__)
sys.exit(code)
"""


def test_run_gui_logs_and_shows_an_unexpected_start_up_error(tmp_path: Path) -> None:
    import os
    import subprocess

    logs_dir = tmp_path / "logs"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", logs.LOG_ENV: str(logs_dir)}
    done = subprocess.run(
        [sys.executable, "-c", _STARTUP_DRIVER, str(tmp_path / "x.sqlite")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    log_file = logs_dir / "kapdesk.log"
    hh_mm = re.search(r"nothing after (\d\d:\d\d) was saved", done.stdout)
    assert hh_mm is not None, done.stdout
    assert done.stdout.splitlines() == [
        f"BOX: Something went wrong; nothing after {hh_mm[1]} was saved; "
        f"details in the log: {log_file}.",
        "",
        "Everything confirmed until then is kept. If it happens again, restart kapdesk and "
        "tell whoever looks after it.",
        "hook restored: True",
    ]
    assert "Traceback" not in done.stdout + done.stderr
    text = log_file.read_text(encoding="utf-8")
    assert "builtins.RuntimeError" in text
    assert "opening the database" in text
    assert "Zebedee" not in text


def test_show_error_with_a_bug_logs_it_and_says_it_plainly(
    boxes: list[tuple[str, str]], log_file: Path
) -> None:
    from kapdesk.ui.errors import show_error

    show_error(None, _raise(TypeError(f"bad {PATIENT_NAME}")))
    show_error(None, PermissionError(13, "Permission denied", "/pdfs/summary.pdf"))
    [(_, bug), (_, file_problem)] = boxes
    assert (
        bug == f"Something went wrong and this step did not finish; details in the log: {log_file}."
    )
    assert (
        file_problem
        == "A file could not be read or written: Permission denied (/pdfs/summary.pdf)."
    )
    text = _log_text(log_file)
    assert "builtins.TypeError" in text
    assert PATIENT_NAME not in text


def test_a_session_note_the_disk_refuses_stays_in_the_editor_until_it_is_saved(
    qtbot: QtBot, app: AppContext, kit: Kit, clock: FakeClock, boxes: list[tuple[str, str]]
) -> None:
    from kapdesk.storage.orm import Note
    from kapdesk.ui.session.workspace import SessionWorkspace

    def stored() -> str | None:
        with app.ctx.db.read() as s:
            note = s.scalar(select(Note).where(Note.dosing_session_id == sid))
            return None if note is None else note.body

    sid = kit.checked_in()
    ws = SessionWorkspace(app, sid)
    qtbot.addWidget(ws)
    ws.show()
    try:
        editor = ws.note.editor
        editor.setPlainText("Calm at check-in.")
        ws.note.save_now()
        assert stored() == "Calm at check-in."  # confirmed: "Saved HH:MM"
        saved_label = ws.note.saved.text()
        assert saved_label == f"Saved {hhmm(clock.now())}"

        faults = inject(app.ctx.db.engine)
        faults.mode = "full"
        clock.advance(minutes=4)
        editor.setPlainText("Calm at check-in. Nauseous after dosing.")
        ws.note.save_now()
        assert faults.hits
        assert "is full, so nothing was saved" in ws.note.message.text()
        assert editor.toPlainText() == "Calm at check-in. Nauseous after dosing."  # not lost
        assert ws.note.saved.text() == saved_label  # still the last real save
        assert stored() == "Calm at check-in."  # the confirmed text is intact
        assert boxes == []

        faults.mode = None
        ws.note.save_now()  # the next save (pause, focus out) stores what was typed
        assert stored() == "Calm at check-in. Nauseous after dosing."
        assert ws.note.message.text() == ""
    finally:
        ws.stop()


def test_run_gui_says_a_disk_error_while_opening_plainly(tmp_path: Path) -> None:
    import os
    import subprocess

    path = tmp_path / "x.sqlite"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", logs.LOG_ENV: str(tmp_path / "logs")}
    done = subprocess.run(
        [sys.executable, "-c", _STARTUP_DRIVER, str(path), "--disk"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith(f"BOX: The database {path} could not be read or written (a disk")
    assert "Traceback" not in done.stdout + done.stderr
    assert "builtins.RuntimeError" in (tmp_path / "logs" / "kapdesk.log").read_text()
