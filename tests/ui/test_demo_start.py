"""`kapdesk --demo`: the demo clinic is built off the GUI thread behind a progress window,
and a demo whose day is past is offered a rebuild around today (Keep / Rebuild, the old one
kept beside it), unless someone added accounts or patients to it (then only Keep)."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from kapdesk.demo.plan import local_time
from kapdesk.demo.rebuild import DemoFile, read_demo
from kapdesk.demo.small import build_demo_clinic
from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import KapdeskError
from kapdesk.storage.backup import verify_database
from kapdesk.ui import demo_start
from kapdesk.ui.demo_start import (
    DemoBuildWindow,
    ask_rebuild,
    ensure_demo_clinic,
    tell_not_rebuilt,
)

OLD_DAY = date(2026, 3, 4)
TODAY = date(2026, 3, 9)  # a Monday, five days later
NOW = local_time(TODAY, time(10, 30))


def _count(path: Path, table: str) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture(scope="module")
def old_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("old-demo") / "demo.sqlite"
    build_demo_clinic(path, seed=1, patients=1, today=OLD_DAY)
    return path


@pytest.fixture
def demo_copy(old_demo: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.sqlite"
    path.write_bytes(old_demo.read_bytes())
    return path


def test_first_use_builds_off_the_gui_thread_behind_a_painting_progress_window(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "demo.sqlite"
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    steps: list[tuple[int, int, str, int, bool]] = []
    shown = DemoBuildWindow.show_step

    def record(window: DemoBuildWindow, done: int, total: int, words: str) -> None:
        shown(window, done, total, words)
        assert threading.current_thread() is threading.main_thread()
        steps.append(
            (window.bar.value(), total, window.step.text(), len(ticks), window.isVisible())
        )

    builders: list[threading.Thread] = []
    real_build = build_demo_clinic

    def build_in(target: Path, **kwargs: object) -> str:
        builders.append(threading.current_thread())
        return real_build(target, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(DemoBuildWindow, "show_step", record)
    monkeypatch.setattr("kapdesk.demo.small.build_demo_clinic", build_in)
    ensure_demo_clinic(path, clock=FakeClock(NOW), patients=2)
    timer.stop()

    assert len(builders) == 1
    assert builders[0] is not threading.main_thread()
    assert [s[2] for s in steps[:3]] == [
        "Loading the demo generator",
        "Creating the database",
        "Creating the staff accounts",
    ]
    counted = [s for s in steps if s[1] > 0]
    values = [s[0] for s in counted]
    assert len(set(values)) > 10
    assert values == sorted(values)
    assert values[-1] == counted[-1][1]  # the bar reached its end
    assert counted[-1][2].startswith("Creating patients 2 of 2 and sessions ")
    assert all(s[4] for s in steps)  # the window was on screen for every step
    assert steps[-1][3] - steps[0][3] >= 10  # the GUI event loop kept running during the build
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, DemoBuildWindow)]
    assert not any(w.isVisible() for w in windows)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.sqlite"]  # closed, renamed
    assert read_demo(path).day == TODAY  # the complete demo, around the clock's today
    assert _count(path, "patients") == 2
    assert verify_database(path).ok


def test_a_past_demo_asks_and_rebuild_makes_it_around_today(
    qtbot: QtBot, demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[date, Path]] = []
    monkeypatch.setattr(
        demo_start, "ask_rebuild", lambda day, kept_as: asked.append((day, kept_as)) or True
    )
    ensure_demo_clinic(demo_copy, clock=FakeClock(NOW), patients=1)
    kept = demo_copy.with_name("demo.before-reset.sqlite")
    assert asked == [(OLD_DAY, kept)]
    assert sorted(p.name for p in demo_copy.parent.iterdir()) == [kept.name, "demo.sqlite"]
    assert read_demo(demo_copy).day == TODAY
    assert verify_database(demo_copy).ok
    assert read_demo(kept).day == OLD_DAY  # the demo it replaced, kept whole


def test_keep_leaves_the_demo_as_it_was(
    qtbot: QtBot, demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = demo_copy.read_bytes()
    asked: list[date] = []
    monkeypatch.setattr(demo_start, "ask_rebuild", lambda day, kept_as: asked.append(day) and False)
    ensure_demo_clinic(demo_copy, clock=FakeClock(NOW), patients=1)
    assert asked == [OLD_DAY]
    assert demo_copy.read_bytes() == before


def test_a_demo_of_today_is_opened_without_asking(
    qtbot: QtBot, demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(day: date, kept_as: Path) -> bool:
        raise AssertionError("asked about a demo of today")

    monkeypatch.setattr(demo_start, "ask_rebuild", never)
    before = demo_copy.read_bytes()
    same_day = local_time(OLD_DAY, time(17, 45))
    ensure_demo_clinic(demo_copy, clock=FakeClock(same_day), patients=1)
    assert demo_copy.read_bytes() == before


def test_a_failed_build_is_a_plain_message_and_leaves_nothing_behind(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kapdesk.services.notes import NoteService

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(NoteService, "save_session_note", broken)
    monkeypatch.setattr("kapdesk.logs.log_unexpected", lambda exc, where="": None)
    with pytest.raises(KapdeskError) as failure:
        ensure_demo_clinic(tmp_path / "demo.sqlite", clock=FakeClock(NOW), patients=2)
    assert str(failure.value) == (
        "The demo clinic could not be created: disk on fire. Any earlier demo clinic was "
        "left as it was; details are in the log."
    )
    assert list(tmp_path.iterdir()) == []
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, DemoBuildWindow)]
    assert not any(w.isVisible() for w in windows)


@pytest.mark.parametrize(
    ("button", "chosen"), [("Rebuild", True), ("Keep", False), ("Enter", False), ("Esc", False)]
)
def test_the_question_names_the_demo_day_and_where_it_is_kept(
    qtbot: QtBot, button: str, chosen: bool
) -> None:
    seen: list[str] = []
    kept = Path("/data/demo.before-reset.sqlite")

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.extend((box.text(), box.informativeText()))
        names = {b.text().replace("&", ""): b for b in box.buttons()}
        assert set(names) == {"Rebuild", "Keep"}
        assert box.defaultButton() is names["Keep"]  # Enter never replaces the file
        if button in names:
            qtbot.mouseClick(names[button], Qt.MouseButton.LeftButton)
        else:
            key = Qt.Key.Key_Return if button == "Enter" else Qt.Key.Key_Escape
            qtbot.keyClick(box, key)

    QTimer.singleShot(0, answer)
    assert ask_rebuild(OLD_DAY, kept) is chosen
    assert seen[0] == (
        "The demo clinic was made for Wednesday 4 March 2026. Rebuild it around today?"
    )
    assert f"keeps the current one as {kept}" in seen[1]


def _add_a_patient(path: Path) -> None:
    """Someone signed in to the demo and added a patient of their own."""
    from kapdesk.composition import build_context
    from kapdesk.services.patients import PatientService
    from kapdesk.services.users import UserService

    ctx = build_context(path, clock=FakeClock(local_time(OLD_DAY, time(16))), create=False)
    try:
        clinician = UserService(ctx).authenticate("clinician", "demo")
        PatientService(ctx).create(
            clinician, mrn="REAL-001", given_name="Real", family_name="Person",
            date_of_birth=date(1970, 1, 1), sex="female",
        )  # fmt: skip
    finally:
        ctx.db.close()


def test_a_demo_used_for_real_is_not_rebuilt_and_says_why(
    qtbot: QtBot, demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_a_patient(demo_copy)
    before = demo_copy.read_bytes()
    told: list[DemoFile] = []

    def never(day: date, kept_as: Path) -> bool:
        raise AssertionError("offered a rebuild of a demo in real use")

    monkeypatch.setattr(demo_start, "ask_rebuild", never)
    monkeypatch.setattr(demo_start, "tell_not_rebuilt", told.append)
    ensure_demo_clinic(demo_copy, clock=FakeClock(NOW), patients=1)
    assert [(d.day, d.patients_added, d.accounts_added) for d in told] == [(OLD_DAY, 1, 0)]
    assert demo_copy.read_bytes() == before
    assert sorted(p.name for p in demo_copy.parent.iterdir()) == ["demo.sqlite"]


def test_the_not_rebuilt_message_offers_only_keep_and_says_why(qtbot: QtBot) -> None:
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.extend((box.text(), box.informativeText()))
        assert [b.text().replace("&", "") for b in box.buttons()] == ["Keep"]
        assert box.defaultButton() is box.buttons()[0]
        qtbot.keyClick(box, Qt.Key.Key_Return)

    QTimer.singleShot(0, answer)
    tell_not_rebuilt(DemoFile(Path("/data/demo.sqlite"), OLD_DAY, 1, 2))
    assert seen[0] == (
        "The demo clinic was made for Wednesday 4 March 2026 and has 1 account and 2 patients "
        "added since then, so it is not rebuilt around today."
    )
    assert "kapdesk demo --db NEWPATH" in seen[1]
    assert "Keep opens it as it is" in seen[1]


def test_the_demo_day_is_not_moved_by_later_use(demo_copy: Path) -> None:
    """Signing in and recording on a later day leave the demo's day where it was built."""
    from kapdesk.composition import build_context
    from kapdesk.services.users import UserService

    later = FakeClock(local_time(OLD_DAY + timedelta(days=2), time(9, 0)))
    ctx = build_context(demo_copy, clock=later, create=False)
    try:
        UserService(ctx).authenticate("nurse", "demo")
    finally:
        ctx.db.close()
    assert read_demo(demo_copy).day == OLD_DAY
