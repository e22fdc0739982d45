"""Signing sessions and notes, and addenda, through the real widgets on a real database.

Every step checks the rows written (signatures, addenda, audit entries), not only
what the widgets show.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot
from services.sessionkit import Kit
from services.signkit import cheap_passwords, closed_session, integration_note
from sqlalchemy import select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.permissions import Role
from kapdesk.services.addenda import AddendumService
from kapdesk.services.context import Actor
from kapdesk.services.signing import SigningService
from kapdesk.storage.orm import Addendum, AuditEntry, Note, Signature
from kapdesk.ui.app_context import AppContext
from kapdesk.ui.integration_note import IntegrationNoteEditor
from kapdesk.ui.session import SessionWorkspace
from kapdesk.ui.signing import local_stamp

from .conftest import PASSWORD, actor_for, focused, insert_patient_and_course

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def kit(app: AppContext, clock: FakeClock, nurse: Actor) -> Kit:
    cheap_passwords(app.ctx.db)
    return Kit(app.ctx, clock, nurse)


@pytest.fixture
def therapist(app: AppContext) -> Actor:
    return actor_for(app, Role.THERAPIST)


@pytest.fixture
def discharged(kit: Kit, clinician: Actor, therapist: Actor) -> int:
    return closed_session(kit, clinician, therapist)


@pytest.fixture
def ws_size() -> tuple[int, int]:
    """conftest's open_ws shows this module's workspaces at 1280 x 800."""
    return (1280, 800)


def signatures(app: AppContext) -> list[tuple[str, int, int, str]]:
    with app.ctx.db.read() as s:
        return [
            (g.entity, g.entity_id, g.signer_id, g.meaning)
            for g in s.scalars(select(Signature).order_by(Signature.id))
        ]


def addenda(app: AppContext) -> list[tuple[str, int, int, str, dict[str, object] | None]]:
    with app.ctx.db.read() as s:
        return [
            (a.entity, a.entity_id, a.author_id, a.text, a.corrected)
            for a in s.scalars(select(Addendum).order_by(Addendum.id))
        ]


def actions(app: AppContext) -> list[str]:
    with app.ctx.db.read() as s:
        return list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def enabled_inputs(ws: SessionWorkspace) -> list[QWidget]:
    """Inputs in the step pages that would take a click or a keystroke."""
    kinds = (QAbstractButton, QLineEdit, QAbstractSpinBox, QComboBox, QPlainTextEdit)
    return [
        w
        for page in ws.pages
        for w in page.findChildren(QWidget)
        if isinstance(w, kinds) and w.isEnabled() and w.isVisibleTo(page)
    ]


def type_password(qtbot: QtBot, edit: object, password: str) -> None:
    qtbot.waitUntil(lambda: focused() is edit)
    qtbot.keyClicks(edit, password)  # type: ignore[arg-type]
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # type: ignore[arg-type]


def test_clinician_signs_a_discharged_session_then_adds_and_signs_an_addendum(
    qtbot: QtBot,
    app: AppContext,
    discharged: int,
    clinician: Actor,
    open_ws: Callable[[int], SessionWorkspace],
) -> None:
    app.actor = clinician
    ws = open_ws(discharged)
    banner = ws.signature_banner
    assert banner.isVisible()
    assert banner.status.text() == "Session is not signed yet; a clinician signs it."
    assert banner.sign_button.isVisible()
    assert not banner.add_button.isVisible()  # no addenda before signing
    assert enabled_inputs(ws)  # e.g. the discharge time
    assert not ws.note.editor.isReadOnly()  # the session note is still a draft

    # A wrong password: said at the field, nothing signed, the failure audited.
    qtbot.mouseClick(banner.sign_button, LEFT)
    dialog = banner.sign_dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert f"session {discharged} of Simões, Conceição (MRN-1)" in dialog.intro.text()
    assert dialog.signer.text() == "Test Clinician (clinician)"
    assert dialog.meaning.currentText() == "Reviewed and signed"
    type_password(qtbot, dialog.password, "not my password")
    assert dialog.isVisible()
    assert dialog.fields["Password"].error.text() == "Wrong password."
    assert dialog.password.text() == ""
    assert signatures(app) == []
    assert actions(app)[-1] == "sign.failed"
    assert all(p.isEnabled() for p in ws.pages)

    # The right password: signed, and the whole workspace is read-only.
    type_password(qtbot, dialog.password, PASSWORD)
    assert not dialog.isVisible()
    assert signatures(app) == [
        ("dosing_session", discharged, clinician.user_id, "Reviewed and signed")
    ]
    with app.ctx.db.read() as s:
        sig = s.scalars(select(Signature)).one()
        note = s.scalars(select(Note).where(Note.dosing_session_id == discharged)).one()
        assert (note.status, note.signed_by) == ("final", clinician.user_id)
        stamp = local_stamp(sig.signed_at)
    assert banner.status.text().splitlines()[0] == (
        f"Signed by Test Clinician (clinician) on {stamp} – Reviewed and signed"
    )
    assert not banner.sign_button.isVisible()
    assert banner.add_button.isVisible()
    assert not any(p.isEnabled() for p in ws.pages)
    assert enabled_inputs(ws) == []
    assert ws.note.editor.isReadOnly()

    # An addendum with a corrected value, then its own signature.
    qtbot.mouseClick(banner.add_button, LEFT)
    add = banner.addendum_dialog
    assert add is not None
    qtbot.waitUntil(lambda: focused() is add.text)
    qtbot.keyClick(add.field, Qt.Key.Key_Return)  # nothing typed: refused at the text
    assert add.isVisible()
    assert add.fields["Addendum"].error.text() == "Addendum text is required; none was given."
    assert addenda(app) == []
    qtbot.keyClicks(add.text, "The 09:06 reading was typed wrongly.")
    qtbot.keyClicks(add.field, "Reading 09:06 systolic")
    qtbot.keyClicks(add.value, "128")
    qtbot.keyClick(add.value, Qt.Key.Key_Return)
    assert not add.isVisible()
    assert addenda(app) == [
        (
            "dosing_session",
            discharged,
            clinician.user_id,
            "The 09:06 reading was typed wrongly.",
            {"Reading 09:06 systolic": "128"},
        )
    ]
    [added] = AddendumService(app.ctx).list_for("dosing_session", discharged)
    assert added.id in banner.addendum_sign_buttons
    qtbot.mouseClick(banner.addendum_sign_buttons[added.id], LEFT)
    sign_add = banner.sign_dialog
    assert sign_add is not None
    assert sign_add is not dialog
    assert sign_add.meaning.currentText() == "Authored and signed"
    type_password(qtbot, sign_add.password, PASSWORD)
    assert not sign_add.isVisible()
    assert signatures(app)[-1] == ("addendum", added.id, clinician.user_id, "Authored and signed")
    assert banner.addendum_sign_buttons == {}
    assert actions(app)[-2:] == ["addendum.add", "sign.signed"]


def test_nurse_sees_no_sign_action_but_may_add_an_addendum_once_signed(
    qtbot: QtBot,
    app: AppContext,
    discharged: int,
    clinician: Actor,
    nurse: Actor,
    open_ws: Callable[[int], SessionWorkspace],
) -> None:
    app.actor = nurse
    ws = open_ws(discharged)
    banner = ws.signature_banner
    assert banner.isVisible()
    assert not banner.sign_button.isVisible()
    assert not banner.add_button.isVisible()
    assert "a clinician signs it" in banner.status.text()

    SigningService(app.ctx).sign(clinician, "dosing_session", discharged, PASSWORD)
    mine = AddendumService(app.ctx).add_addendum(nurse, "dosing_session", discharged, "Mine.")
    theirs = AddendumService(app.ctx).add_addendum(clinician, "dosing_session", discharged, "No.")
    assert banner.status.text().startswith("Signed by Test Clinician (clinician)")
    assert not banner.sign_button.isVisible()
    assert banner.add_button.isVisible()
    assert set(banner.addendum_sign_buttons) == {mine.id}  # only her own addendum
    assert not any(p.isEnabled() for p in ws.pages)
    assert enabled_inputs(ws) == []

    app.actor = clinician  # a clinician may sign anyone's addendum
    assert set(banner.addendum_sign_buttons) == {mine.id, theirs.id}


def test_running_session_has_no_signature_banner(
    qtbot: QtBot,
    app: AppContext,
    kit: Kit,
    clinician: Actor,
    open_ws: Callable[[int], SessionWorkspace],
) -> None:
    app.actor = clinician
    ws = open_ws(kit.dosed())
    assert not ws.signature_banner.isVisible()
    assert all(p.isEnabled() for p in ws.pages)


def test_therapist_signs_her_integration_note_and_adds_an_addendum(
    qtbot: QtBot, app: AppContext, kit: Kit, therapist: Actor
) -> None:
    course_id = insert_patient_and_course(app.ctx.db, mrn="MRN-9")[1]
    note_id = integration_note(app.ctx, therapist, course_id)
    app.actor = therapist
    editor = IntegrationNoteEditor(app, note_id)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    assert not editor.signature_banner.isVisible()  # a draft: nothing to show yet
    qtbot.mouseClick(editor.sign_button, LEFT)
    dialog = editor.sign_dialog
    assert dialog is not None
    type_password(qtbot, dialog.password, PASSWORD)
    assert not dialog.isVisible()
    assert signatures(app) == [("note", note_id, therapist.user_id, "Authored and signed")]
    banner = editor.signature_banner
    assert banner.isVisible()
    assert banner.status.text().startswith("Signed by Test Therapist (therapist) on ")
    assert editor.editors["themes"].isReadOnly()
    assert not editor.sign_button.isEnabled()

    add = banner.add_addendum()
    qtbot.keyClicks(add.text, "Partner's name corrected.")
    add.submit()
    assert addenda(app) == [("note", note_id, therapist.user_id, "Partner's name corrected.", None)]
    assert len(banner.addendum_sign_buttons) == 1
