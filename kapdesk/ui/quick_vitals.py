"""Record one set of vitals for a session from the Today board, keyboard only.

Systolic, Tab, diastolic, Tab, pulse, Tab, SpO2, Enter. The form is the shared
``VitalsForm`` (kapdesk.ui.widgets.vitals_form): it validates through the
domain and shows an invalid value's message at its field, so nothing invalid
reaches the service. The reading is stored through ``VitalsService.record``
stamped with the signed-in user; what the service refuses (permission,
session state) is shown in the dialog. After acceptance, ``dialog.result_reading``
is the service's ``RecordedReading`` (the stored reading plus the protocol's
assessment of it). Esc, Cancel or closing with a value typed asks before discarding it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from kapdesk.domain.errors import KapdeskError, ValidationError
from kapdesk.ui.discard_guard import FormState, may_close
from kapdesk.ui.errors import message_of
from kapdesk.ui.widgets import ok_cancel
from kapdesk.ui.widgets.vitals_form import VitalsForm

if TYPE_CHECKING:
    from kapdesk.services.screen_dtos import RecordedReading
    from kapdesk.ui.app_context import AppContext


class QuickVitalsDialog(QDialog):
    def __init__(
        self, app: AppContext, session_id: int, heading: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.session_id = session_id
        self.result_reading: RecordedReading | None = None
        self.setWindowTitle(self.tr("Record vitals"))
        self.setModal(True)
        self.setMinimumWidth(460)
        root = QVBoxLayout(self)
        title = QLabel(heading)
        title.setObjectName("dialogIntro")
        title.setWordWrap(True)
        root.addWidget(title)
        self.form = VitalsForm(self, show_button=False, submit_on_enter=False)
        root.addWidget(self.form)
        root.addStretch(1)
        buttons, _ok = ok_cancel(self.tr("&Record reading"), self.submit, self.reject)
        root.addWidget(buttons)
        self.form.first_field.setFocus()
        self.state = FormState(self.form)

    def reject(self) -> None:
        if may_close(self, self.tr("vitals"), self.state):
            super().reject()

    def submit(self) -> None:
        from kapdesk.services.vitals import VitalsService

        values = self.form.submit()  # shows the domain's message at the field
        if values is None:
            self.adjustSize()
            return
        try:
            self.result_reading = VitalsService(self.app.ctx).record(
                self.app.require_actor(),
                self.session_id,
                values.systolic,
                values.diastolic,
                values.pulse,
                values.spo2,
            )
        except ValidationError as exc:
            if not self.form.show_error(exc.field, exc.message):
                self.form.show_message(exc.message)
            self.adjustSize()
            return
        except KapdeskError as exc:  # PermissionDenied, IllegalTransition, DatabaseBusy
            self.form.show_message(message_of(exc))
            self.adjustSize()
            return
        self.accept()
