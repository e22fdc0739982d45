"""One banner of the alert bar (``kapdesk.ui.alerts.AlertBar``), refillable.

A banner is built once and can be filled with another alert of the same kind (a
due/overdue/missed alert: Open and Dismiss; an alert reading: Open and Acknowledge). The
bar refills a banner whose alert went instead of building a new one for an alert raised
in the same tick (or kept hidden for a later one): building, polishing and showing a
banner under the application's stylesheet was most of a minute turn that raised alerts.

Decisions a caller must know:

* Everything the user sees or reaches comes from ``fill``: the text, the accessible
  names, the level (the stylesheet's colours), whether Acknowledge is allowed and its
  tooltip. The buttons act on the alert the banner holds when clicked (``self.alert``),
  never on the one it was built for.
* A banner is re-styled only when its level changes (the stylesheet picks the frame's
  and the label's colours by ``level``; the buttons' rules do not depend on it).
* ``reusable`` is False while the keyboard focus is in the banner or one of its buttons
  is held down: refilled, the same key press or mouse release would act on another
  alert than the one the user saw. Such a banner goes, as before.
* A spare (``kapdesk.ui.alert_spares``) is blank: no alert, no text, no accessible name
  (a patient's name never waits hidden in it for the next user).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from kapdesk.ui.words import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from kapdesk.ui.alerts import Alert, AlertCenter

ACK_ALLOWED_TIP = QT_TRANSLATE_NOOP(
    "AlertBanner", "Record that you have seen this alert (audited)."
)
ACK_REFUSED_TIP = QT_TRANSLATE_NOOP(
    "AlertBanner",
    "Only a clinician can acknowledge an alert reading; it stays until then "
    "or until a later reading is within limits.",
)


class AlertBanner(QFrame):
    def __init__(
        self,
        center: AlertCenter,
        alert: Alert | None,
        parent: QWidget | None = None,
        *,
        reading: bool = False,
        level: str = "due",
    ) -> None:
        """A banner showing ``alert``; None: a blank spare of a kind (``reading``: an alert
        reading's, Acknowledge; else Dismiss) and ``level``, filled later."""
        # made in its bar: a banner made as a window of its own, then moved into the bar,
        # had its buttons styled twice (a minute raising 9 alerts: 20 restylings, now 10)
        super().__init__(parent)
        self.center = center
        self.alert = alert
        if alert is not None:
            reading, level = alert.is_reading_alert, alert.level
        self.setObjectName("alertBanner")
        self.setProperty("level", level)
        self.setAccessibleName(self.tr("Alert"))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 2, 4, 2)
        self.label = QLabel()
        self.label.setWordWrap(True)
        lay.addWidget(self.label, 1)
        self.open_button = QPushButton(self.tr("Open"))
        self.open_button.clicked.connect(self._open)
        lay.addWidget(self.open_button)
        self.dismiss_button: QPushButton | None = None
        self.acknowledge_button: QPushButton | None = None
        if reading:
            self.acknowledge_button = QPushButton(self.tr("Acknowledge"))
            self.acknowledge_button.clicked.connect(self._acknowledge)
            lay.addWidget(self.acknowledge_button)
        else:
            self.dismiss_button = QPushButton(self.tr("Dismiss"))
            self.dismiss_button.clicked.connect(self._dismiss)
            lay.addWidget(self.dismiss_button)
        if alert is not None:
            self.fill(alert)

    @property
    def level(self) -> str:
        """The level it is styled for (a blank spare's too)."""
        return str(self.property("level"))

    @property
    def reading(self) -> bool:
        """Whether it is an alert reading's banner (Acknowledge), else Dismiss."""
        return self.acknowledge_button is not None

    def fits(self, alert: Alert) -> bool:
        """Whether ``fill`` can take ``alert``: the same buttons (the same kind of alert)."""
        return (self.acknowledge_button is not None) == alert.is_reading_alert

    @property
    def reusable(self) -> bool:
        """Neither the keyboard focus in it nor one of its buttons held down. Its own
        window's focus: QApplication.focusWidget() knows only the active window's, and a
        window given back the activation gives the focus back to the same button."""
        focus = self.window().focusWidget()
        if focus is not None and (focus is self or self.isAncestorOf(focus)):
            return False
        buttons = (self.open_button, self.dismiss_button, self.acknowledge_button)
        return not any(b is not None and b.isDown() for b in buttons)

    def fill(self, alert: Alert) -> None:
        """Show ``alert``: its text, level, accessible names and what its buttons do."""
        self.alert = alert
        if self.level != alert.level:
            self.setProperty("level", alert.level)
            style = self.style()
            for widget in (self, self.label):  # the colours are chosen by level
                style.unpolish(widget)
                style.polish(widget)
        self.label.setText(f"{alert.text} – {alert.patient_name}")
        self.label.setAccessibleName(alert.text)
        self.open_button.setAccessibleName(self.tr("Open {alert}").format(alert=alert.text))
        if self.dismiss_button is not None:
            self.dismiss_button.setAccessibleName(
                self.tr("Dismiss {alert}").format(alert=alert.text)
            )
        if self.acknowledge_button is not None:
            self.acknowledge_button.setAccessibleName(
                self.tr("Acknowledge {alert}").format(alert=alert.text)
            )
            allowed = self.center.can_acknowledge()
            self.acknowledge_button.setEnabled(allowed)
            self.acknowledge_button.setToolTip(
                self.tr(ACK_ALLOWED_TIP if allowed else ACK_REFUSED_TIP)
            )

    def blank(self) -> None:
        """No alert, no text, no accessible name left in it (hidden, as a spare)."""
        self.alert = None
        self.label.clear()
        for widget in (self.label, self.open_button, self.dismiss_button, self.acknowledge_button):
            if widget is not None:
                widget.setAccessibleName("")
        if self.acknowledge_button is not None:
            self.acknowledge_button.setToolTip("")

    def _open(self) -> None:
        if self.alert is not None:
            self.center.open(self.alert)

    def _dismiss(self) -> None:
        if self.alert is not None:
            self.center.dismiss(self.alert)

    def _acknowledge(self) -> None:
        if self.alert is not None:
            self.center.acknowledge(self.alert)
