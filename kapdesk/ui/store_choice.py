"""The first-run question: where does this workstation keep the clinic's records?

Asked once per workstation, before the first administrator's dialog, when kapdesk starts
with no ``--db``, no ``KAPDESK_DB``, no remembered choice and no database file in the
default place (kapdesk.workstation decides). Two answers:

* **This workstation only**: the default SQLite file (a clinic with one workstation);
* **The clinic's server**: host, port, database, user, password and TLS (verify-full
  with the clinic's CA file by default; require; disable, with a plain warning).
  "Test connection" connects off the GUI thread and says what it found or what to fix,
  naming the field. Continue runs the same test and goes on only when it passed.

The answer is remembered (kapdesk.workstation: the URL without the password in the config
folder, the password in a 0600 libpq password file) and ``kapdesk workstation show|forget``
shows or forgets it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.errors import KapdeskError
from kapdesk.ui.background import BackgroundRunner
from kapdesk.ui.errors import message_of
from kapdesk.ui.widgets import error_label, ok_cancel, set_error
from kapdesk.ui.words import QT_TRANSLATE_NOOP
from kapdesk.workstation import (
    BadStoreField,
    ServerFields,
    field_of,
    remember_server,
    remember_this_workstation,
    remembered_server,
    server_from_fields,
    test_server,
)

if TYPE_CHECKING:
    from kapdesk.composition import ServerURL

QUESTION = QT_TRANSLATE_NOOP(
    "StoreChoiceDialog", "Where does this workstation keep the clinic's records?"
)
TLS_CHOICES = (
    (
        "verify-full",
        QT_TRANSLATE_NOOP(
            "StoreChoiceDialog", "Encrypted, the server verified (verify-full): recommended"
        ),
    ),
    (
        "require",
        QT_TRANSLATE_NOOP("StoreChoiceDialog", "Encrypted, the server NOT verified (require)"),
    ),
    ("disable", QT_TRANSLATE_NOOP("StoreChoiceDialog", "Not encrypted (disable)")),
)
TLS_WARNINGS = {
    "verify-full": "",
    "require": QT_TRANSLATE_NOOP(
        "StoreChoiceDialog",
        "The connection is encrypted, but kapdesk cannot tell the clinic's server "
        "from an impostor on the network. Use verify-full with the clinic's CA file if you can.",
    ),
    "disable": QT_TRANSLATE_NOOP(
        "StoreChoiceDialog",
        "Without encryption, patient records and the password cross the network as "
        "plain text. Only for a server on this same computer, or a test.",
    ),
}
# The form's fields by the name kapdesk.workstation gives them (BadStoreField.field), as
# the form shows them.
FIELD_LABELS = {
    "Host": QT_TRANSLATE_NOOP("StoreChoiceDialog", "Host"),
    "Port": QT_TRANSLATE_NOOP("StoreChoiceDialog", "Port"),
    "Database": QT_TRANSLATE_NOOP("StoreChoiceDialog", "Database"),
    "User": QT_TRANSLATE_NOOP("StoreChoiceDialog", "User"),
    "Password": QT_TRANSLATE_NOOP("StoreChoiceDialog", "Password"),
    "TLS": QT_TRANSLATE_NOOP("StoreChoiceDialog", "TLS"),
    "CA file": QT_TRANSLATE_NOOP("StoreChoiceDialog", "CA file"),
}
_TEST = "test"


class StoreChoiceDialog(QDialog):
    """The question; ``choice`` is the database to open once accepted (a file or a server)."""

    def __init__(
        self, default_file: Path, config: Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.default_file = default_file
        self.config = config  # None: the platform's config folder
        self.choice: Path | ServerURL | None = None
        self._accept_after_test = False
        self.setWindowTitle(self.tr("Clinic records – kapdesk"))
        self.setModal(True)
        self.setMinimumWidth(620)
        root = QVBoxLayout(self)
        heading = QLabel(self.tr(QUESTION))
        heading.setObjectName("dialogIntro")
        heading.setWordWrap(True)
        root.addWidget(heading)

        self.local = QRadioButton(self.tr("This workstation only"))
        self.local.setChecked(True)
        root.addWidget(self.local)
        root.addWidget(
            _note(
                self.tr(
                    "One file on this computer ({file}): a clinic with one workstation."
                ).format(file=default_file)
            )
        )
        self.server = QRadioButton(self.tr("The clinic's server"))
        root.addWidget(self.server)
        root.addWidget(
            _note(
                self.tr(
                    "A PostgreSQL server on the clinic's network, shared by every workstation "
                    "(set up once by the clinic's IT with kapdesk server init)."
                )
            )
        )

        self.form_box = QWidget()
        form = QFormLayout(self.form_box)
        self.host = QLineEdit()
        self.host.setPlaceholderText("db.clinic.lan")
        self.port = QLineEdit("5432")
        self.database = QLineEdit("kapdesk")
        self.user = QLineEdit("kapdesk_app")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.tls = QComboBox()
        for mode, label in TLS_CHOICES:
            self.tls.addItem(self.tr(label), mode)
        self.ca_file = QLineEdit()
        self.ca_file.setPlaceholderText(self.tr("the clinic's CA certificate, e.g. clinic-ca.pem"))
        self.choose_ca = QPushButton(self.tr("Choose…"))
        self.choose_ca.clicked.connect(self._pick_ca)
        ca_row = QHBoxLayout()
        ca_row.setContentsMargins(0, 0, 0, 0)
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.choose_ca)
        ca_box = QWidget()
        ca_box.setLayout(ca_row)
        self.tls_warning = QLabel()
        self.tls_warning.setObjectName("fieldError")
        self.tls_warning.setWordWrap(True)
        self.tls_warning.hide()
        self.editors: dict[str, QWidget] = {
            "Host": self.host,
            "Port": self.port,
            "Database": self.database,
            "User": self.user,
            "Password": self.password,
            "TLS": self.tls,
            "CA file": self.ca_file,
        }
        for name, editor in self.editors.items():
            label = self.tr(FIELD_LABELS[name])
            form.addRow(label, ca_box if editor is self.ca_file else editor)
        form.addRow("", self.tls_warning)
        root.addWidget(self.form_box)

        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.clicked.connect(self.test_connection)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        self.test_row = QWidget()
        self.test_row.setLayout(test_row)
        root.addWidget(self.test_row)
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.hide()
        root.addWidget(self.outcome)
        self.error = error_label()
        root.addWidget(self.error)
        self.buttons, self.ok = ok_cancel(self.tr("Continue"), self.submit, self.reject)
        self.buttons.button(self.buttons.StandardButton.Cancel).setText(self.tr("Quit"))
        root.addWidget(self.buttons)

        self.runner = BackgroundRunner(self)
        self.runner.finished.connect(self._tested)
        self.runner.failed.connect(self._test_failed)
        self.local.toggled.connect(self._sync)
        self.tls.currentIndexChanged.connect(self._sync)
        self._sync()

    # ------------------------------------------------------------------ state
    def _sync(self) -> None:
        on_server = self.server.isChecked()
        self.form_box.setVisible(on_server)
        self.test_row.setVisible(on_server)
        mode = str(self.tls.currentData())
        self.ca_file.setEnabled(mode == "verify-full")
        self.choose_ca.setEnabled(mode == "verify-full")
        warning = TLS_WARNINGS[mode]
        set_error(self.tls_warning, self.tr(warning) if warning else "")
        self._show(self.outcome, "")
        set_error(self.error, "")
        self._fit()

    def _fit(self) -> None:
        """Grow to show every line (a warning, an answer). adjustSize() stops at 2/3 of the
        screen's height and would squeeze the fields on a 768-pixel laptop screen."""
        root = self.layout()
        if root is None:
            return
        root.activate()
        width = max(self.width(), self.minimumWidth())
        height = root.totalSizeHint().height()
        if root.hasHeightForWidth():
            height = max(height, root.totalHeightForWidth(width))
        self.resize(width, height)

    def _pick_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("The clinic's CA certificate"),
            "",
            self.tr("Certificates (*.pem *.crt *.cer);;All (*)"),
        )
        if path:
            self.ca_file.setText(path)

    def fields(self) -> ServerFields:
        return ServerFields(
            host=self.host.text(),
            port=self.port.text(),
            database=self.database.text(),
            user=self.user.text(),
            sslmode=str(self.tls.currentData()),
            ca_file=self.ca_file.text(),
        )

    def _busy(self, busy: bool) -> None:
        self.test_button.setEnabled(not busy)
        self.ok.setEnabled(not busy)
        self.test_button.setText(self.tr("Testing…") if busy else self.tr("Test connection"))

    @staticmethod
    def _show(label: QLabel, text: str) -> None:
        label.setText(text)
        label.setVisible(bool(text))
        window = label.window()
        if isinstance(window, StoreChoiceDialog):
            window._fit()

    def _refuse(self, field: str, message: str) -> None:
        self._show(self.outcome, "")
        set_error(self.error, message)
        self._fit()
        editor = self.editors.get(field)
        if editor is not None:
            editor.setFocus()

    # ------------------------------------------------------------------ actions
    def test_connection(self) -> None:
        """Check the form, then connect off the GUI thread; the answer comes in _tested."""
        try:
            server = server_from_fields(self.fields(), self.password.text())
        except BadStoreField as exc:
            self._refuse(exc.field, message_of(exc))
            return
        set_error(self.error, "")
        text = self.tr("Connecting to {host}:{port}…")
        self._show(self.outcome, text.format(host=server.host, port=server.port))
        self._busy(True)
        self.runner.submit(_TEST, lambda: test_server(server))

    def _tested(self, _name: str, summary: object) -> None:
        self._busy(False)
        self._show(self.outcome, str(summary))
        if self._accept_after_test:
            self._accept_after_test = False
            self._remember_server()

    def _test_failed(self, _name: str, exc: object) -> None:
        self._busy(False)
        self._accept_after_test = False
        if isinstance(exc, KapdeskError):
            field = field_of(exc)
            prefix = self._field_words(field)
            # ServerUnreachable's "what" leaves out "reconnects by itself" (not yet connected)
            text = str(getattr(exc, "what", "") or exc)
            self._refuse(field, f"{prefix}: {text}" if prefix else text)
        else:  # not one of kapdesk's: still one line, never a traceback
            text = self.tr("The test connection failed: {kind}: {error}")
            self._refuse("", text.format(kind=type(exc).__name__, error=exc))

    def _field_words(self, field: str) -> str:
        """How a refusal names its field: 'User or password' for the user (a wrong password
        is not told apart), else the field's label ('' for none)."""
        if field == "User":
            return self.tr("User or password")
        label = FIELD_LABELS.get(field)
        return self.tr(label) if label else field

    def submit(self) -> None:
        if self.local.isChecked():
            remember_this_workstation(self.config)
            self.default_file.parent.mkdir(parents=True, exist_ok=True)
            self.choice = self.default_file
            self.accept()
            return
        self._accept_after_test = True
        self.test_connection()
        if not self.runner.busy:  # the form was refused before any connection
            self._accept_after_test = False

    def _remember_server(self) -> None:
        from kapdesk.workstation import read_choice

        server = server_from_fields(self.fields())
        remember_server(server, self.password.text(), self.config)
        remembered = read_choice(self.config)
        assert remembered is not None
        self.choice = remembered_server(remembered, self.config)
        self.accept()

    def reject(self) -> None:
        self._accept_after_test = False
        super().reject()

    def done(self, code: int) -> None:
        self.runner.wait(10_000)  # a test still connecting ends within its connect timeout
        super().done(code)


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setIndent(24)
    return label


def ask_store(default_file: Path, config: Path | None = None) -> Path | ServerURL | None:
    """Ask where this workstation's records are; the database to open (remembered), or
    None when the person quit."""
    dialog = StoreChoiceDialog(default_file, config)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    choice = dialog.choice if accepted else None
    dialog.deleteLater()
    return choice
