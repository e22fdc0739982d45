"""Leaving a session whose note met another workstation's change never asks on the way out
(another page, the lock screen, closing): a modal question raised while the workspace hides
would stand over the lock screen or block the window being closed. The text stays in the
editor, the notice says so, and the question comes at the next save."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from kapdesk.domain.clock import FakeClock
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.edit_conflict import ConflictQuestion

from .test_edit_conflict import _bodies, _type, _workspaces


def test_hiding_a_workspace_with_a_conflicting_note_keeps_the_text_and_asks_nothing(
    qtbot: QtBot,
    stations: list[AppContext],
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[object] = []

    def ask(_cls: type, *args: object) -> object:
        asked.append(args)
        raise AssertionError("the conflict was asked while the workspace was hiding")

    monkeypatch.setattr(ConflictQuestion, "ask", classmethod(ask))
    ws_a, ws_b, sid = _workspaces(qtbot, stations, clock)
    _type(ws_b, "Still typing")
    _type(ws_a, "Saved elsewhere.")
    ws_a.note.save_now()
    ws_b.hide()  # another page, the lock screen: the hide saves what is pending
    assert asked == []
    assert _bodies(stations[0], sid) == ["Saved elsewhere."]  # theirs not overwritten
    assert ws_b.note.editor.toPlainText() == "Still typing"  # mine kept
    assert "Your text is kept here" in ws_b.note.notice.text()
