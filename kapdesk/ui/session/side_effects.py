"""Step 5: the protocol's side-effect checklist for the session's route, saved on change.

A row is stored once it is ticked present *and* has a severity (severity is
required and never guessed); later changes correct that record in place
(``SideEffectService.update``, audited before/after).

On a wide page an effect takes one line; where that line does not fit (1024x700) each
effect takes two: name, severity and onset, then intervention and resolved under them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kapdesk.domain.dosing import ROUTE_LABELS
from kapdesk.domain.permissions import Action
from kapdesk.domain.protocol import Route, SideEffectDef
from kapdesk.domain.session_state import SessionState
from kapdesk.domain.side_effects import Severity
from kapdesk.i18n import _
from kapdesk.ui.entered_in_error import widget_menu
from kapdesk.ui.entry_rows import marked_text, side_effect_entry
from kapdesk.ui.session.common import (
    TERMINAL,
    Host,
    NowTimeEdit,
    StepPage,
    attempt,
    late_note,
    message_label,
    set_message,
    translate,
)
from kapdesk.ui.session.layout import hint_label, step_layout
from kapdesk.ui.session_words import QT_TRANSLATE_NOOP, effect_names, severity_word
from kapdesk.ui.widgets.fit import WrapCheckBox

if TYPE_CHECKING:
    from kapdesk.domain.errors import ValidationError
    from kapdesk.services.dtos import SideEffectInfo
    from kapdesk.services.screen_dtos import SessionDetail

HEADERS = (
    QT_TRANSLATE_NOOP("SideEffectsPage", "Present"),
    QT_TRANSLATE_NOOP("SideEffectsPage", "Severity"),
    QT_TRANSLATE_NOOP("SideEffectsPage", "Onset"),
    QT_TRANSLATE_NOOP("SideEffectsPage", "Intervention"),
    QT_TRANSLATE_NOOP("SideEffectsPage", "Resolved"),
)
NARROW_HEADERS = 3  # two lines an effect: only the first line's columns are headed
ROWS_PER_EFFECT = 3  # first line, second line (narrow page only), messages
LEFT = Qt.AlignmentFlag.AlignLeft


class EffectRow:
    """The widgets of one catalogue entry and its latest stored record."""

    def __init__(self, page: SideEffectsPage, effect: SideEffectDef) -> None:
        self.page = page
        self.effect = effect
        name = effect.shown_label()
        self.name = name
        names = effect_names(name)
        self.record: SideEffectInfo | None = None
        self.present = WrapCheckBox(name)  # a long name wraps: a narrower grid
        self.present.setAccessibleName(names["present"])
        self.severity = QComboBox()
        self.severity.addItem("—", None)
        for s in Severity:
            self.severity.addItem(severity_word(s.value), s.value)
            grade = _(s.label_format).format(grade=s.grade)
            self.severity.setItemData(self.severity.count() - 1, grade, Qt.ItemDataRole.ToolTipRole)
        self.severity.setAccessibleName(names["severity"])
        self.onset = NowTimeEdit(names["onset"])
        self.intervention = QLineEdit()
        self.intervention.setAccessibleName(names["intervention"])
        example = translate("SideEffectsPage", "e.g. antiemetic")
        self.intervention.setPlaceholderText(example)
        hint = self.intervention.fontMetrics().horizontalAdvance(example)
        self.intervention.setMinimumWidth(hint + 24)  # what it asks for, read whole
        self.resolved = QCheckBox(translate("SideEffectsPage", "resolved"))
        self.resolved.setAccessibleName(names["resolved"])
        self.resolved_at = NowTimeEdit(names["resolved_at"])
        self.resolved_box = QWidget()  # the tick and its time stay together
        resolved = QHBoxLayout(self.resolved_box)
        resolved.setContentsMargins(0, 0, 0, 0)
        resolved.addWidget(self.resolved)
        resolved.addWidget(self.resolved_at)
        # heads the intervention field on its own line (a narrow page)
        self.intervention_label = QLabel(translate("SideEffectsPage", "Intervention"))
        self.intervention_label.setAlignment(
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        )
        self.error = message_label(names["message"])
        self.late = message_label(names["late"], kind="status")
        # Records of this effect entered in error: struck through, with who, when and why.
        self.marked = QLabel()
        self.marked.setAccessibleName(names["marked"])
        self.marked.setWordWrap(True)
        self.marked.setTextFormat(Qt.TextFormat.RichText)
        self.marked.hide()
        self.below = QWidget()
        below = QVBoxLayout(self.below)
        below.setContentsMargins(0, 0, 0, 0)
        below.setSpacing(0)
        below.addWidget(self.error)
        below.addWidget(self.marked)
        self.menu = widget_menu(
            page.host.app,
            self.present,
            lambda: side_effect_entry(self.record) if self.record is not None else None,
        )

        self.present.clicked.connect(self.present_clicked)
        self.severity.activated.connect(self.severity_chosen)
        self.onset.editingFinished.connect(self.onset_done)
        self.intervention.editingFinished.connect(self.intervention_done)
        self.resolved.clicked.connect(self.resolved_clicked)
        self.resolved_at.editingFinished.connect(self.resolved_time_done)

    @property
    def inputs(self) -> tuple[QWidget, ...]:
        return (
            self.present,
            self.severity,
            self.onset,
            self.intervention,
            self.resolved,
            self.resolved_at,
        )

    def place(self, grid: QGridLayout, index: int, wide: bool) -> None:
        """Its widgets in the page's grid: one line (wide) or two."""
        line = 1 + ROWS_PER_EFFECT * index
        for w in self.widgets:
            grid.removeWidget(w)
        grid.addWidget(self.present, line, 0)
        grid.addWidget(self.severity, line, 1)
        grid.addWidget(self.onset, line, 2)
        if wide:
            grid.addWidget(self.intervention, line, 3)
            grid.addWidget(self.resolved_box, line, 4, LEFT)
            grid.addWidget(self.late, line, 5)
        else:
            grid.addWidget(self.late, line, 3)
            grid.addWidget(self.intervention_label, line + 1, 0)
            grid.addWidget(self.intervention, line + 1, 1, 1, 2)
            grid.addWidget(self.resolved_box, line + 1, 3, LEFT)  # not stretched apart
        self.intervention_label.setVisible(not wide)
        grid.addWidget(self.below, line + 2, 0, 1, 6 if wide else 4)

    @property
    def widgets(self) -> tuple[QWidget, ...]:
        """Everything it puts in the grid."""
        return (
            self.present,
            self.severity,
            self.onset,
            self.intervention,
            self.intervention_label,
            self.resolved_box,
            self.late,
            self.below,
        )

    def has_focus(self) -> bool:
        """Someone is working in this row (typing, or the severity list is open)."""
        return any(w.hasFocus() for w in self.inputs) or self.severity.view().isVisible()

    # ------------------------------------------------------------ showing

    def show(self, record: SideEffectInfo | None, now: datetime, editable: bool) -> None:
        if record is None and self.record is not None and not self.has_focus():
            self._clear()  # its record was entered in error: the row starts afresh
        self.record = record
        for w in self.inputs:
            w.setEnabled(editable)
        if self.has_focus():
            return  # do not change what someone is typing
        for w in self.inputs:
            w.blockSignals(True)
        try:
            present = record is not None and record.present
            self.present.setChecked(present or (record is None and self.present.isChecked()))
            if record is not None:
                index = self.severity.findData(record.severity)
                self.severity.setCurrentIndex(max(index, 0))
                self.intervention.setText(record.intervention)
                if record.onset_at is not None:
                    self.onset.set_fixed(record.onset_at)
                onset = record.onset_at
                late = "" if onset is None else late_note(onset, record.recorded_at)
                set_message(self.late, late)
                self.resolved.setChecked(record.resolved_at is not None)
                if record.resolved_at is not None:
                    self.resolved_at.set_fixed(record.resolved_at)
        finally:
            for w in self.inputs:
                w.blockSignals(False)
        self._sync(now, editable)

    def _clear(self) -> None:
        for w in self.inputs:
            w.blockSignals(True)
        try:
            self.present.setChecked(False)
            self.severity.setCurrentIndex(0)
            self.intervention.clear()
            self.resolved.setChecked(False)
            set_message(self.late, "")
        finally:
            for w in self.inputs:
                w.blockSignals(False)

    def show_marked(self, marked: list[SideEffectInfo]) -> None:
        self.marked.setText(marked_text([side_effect_entry(x) for x in marked]))
        self.marked.setVisible(bool(marked))

    def _sync(self, now: datetime, editable: bool) -> None:
        present = self.present.isChecked()
        for w in (self.severity, self.onset, self.intervention, self.resolved):
            w.setEnabled(editable and present)
        self.resolved_at.setEnabled(editable and present and self.resolved.isChecked())
        self.tick(now)

    def tick(self, now: datetime) -> None:
        if self.record is None or not self.record.present:
            self.onset.follow(now)
        if not self.resolved.isChecked():
            self.resolved_at.follow(now)

    # ------------------------------------------------------------ saving

    def _onset(self) -> datetime | None:
        return self.onset.moment(self.page.host.now())

    def _field_error(self, exc: ValidationError) -> bool:
        set_message(self.error, exc.message)
        return True

    def _call(self, call: Any) -> None:
        set_message(self.error, "")
        info = attempt(call, message=self.error, field_error=self._field_error)
        if info is not None:
            self.record = info
        else:
            self.page.refresh_row(self)

    def _create(self) -> None:
        from kapdesk.services.side_effects import SideEffectService

        host = self.page.host
        severity = self.severity.currentData()
        if severity is None:
            text = translate("SideEffectsPage", "{effect}: choose a severity to save it.").format(
                effect=self.name
            )
            set_message(self.error, text)
            self.severity.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._call(
            lambda: SideEffectService(host.app.ctx).record(
                host.actor(),
                host.session_id,
                self.effect.id,
                present=True,
                severity=severity,
                onset_at=self._onset(),
                intervention=self.intervention.text(),
            )
        )

    def update(self, **changes: Any) -> None:
        from kapdesk.services.side_effects import SideEffectService

        if self.record is None or not self.present.isChecked():
            return
        host = self.page.host
        record_id = self.record.id
        self._call(
            lambda: SideEffectService(host.app.ctx).update(host.actor(), record_id, **changes)
        )

    def present_clicked(self, checked: bool) -> None:
        self._sync(self.page.host.now(), True)
        if checked:
            if self.record is None:
                self._create()
            elif not self.record.present:
                if self.severity.currentData() is None:
                    self._create()  # explains that a severity is needed
                else:
                    self._update_present()
        elif self.record is not None and self.record.present:
            from kapdesk.services.side_effects import SideEffectService

            host = self.page.host
            record_id = self.record.id
            self._call(
                lambda: SideEffectService(host.app.ctx).update(
                    host.actor(), record_id, present=False
                )
            )
        else:
            set_message(self.error, "")

    def _update_present(self) -> None:
        from kapdesk.services.side_effects import SideEffectService

        assert self.record is not None
        host = self.page.host
        record_id = self.record.id
        changes = {
            "present": True,
            "severity": self.severity.currentData(),
            "onset_at": self._onset() or host.now(),
            "intervention": self.intervention.text(),
        }
        self._call(
            lambda: SideEffectService(host.app.ctx).update(host.actor(), record_id, **changes)
        )

    def severity_chosen(self, _index: int) -> None:
        if not self.present.isChecked():
            return
        if self.record is None:
            self._create()
        elif not self.record.present:
            self._update_present()
        elif self.severity.currentData() is not None:
            self.update(severity=self.severity.currentData())

    def intervention_done(self) -> None:
        if self.record is not None and self.record.present:
            if self.intervention.text().strip() != self.record.intervention:
                self.update(intervention=self.intervention.text())
        elif self.present.isChecked() and self.severity.currentData() is not None:
            self._create()

    def resolved_clicked(self, checked: bool) -> None:
        now = self.page.host.now()
        self.resolved_at.setEnabled(checked)
        if self.record is None or not self.record.present:
            return
        self.update(resolved_at=self.resolved_at.moment_or_now(now) if checked else None)

    def resolved_time_done(self) -> None:
        if self.record is not None and self.resolved.isChecked() and self.resolved_at.dirty:
            self.update(resolved_at=self.resolved_at.moment_or_now(self.page.host.now()))

    def onset_done(self) -> None:
        if self.record is not None and self.record.present and self.onset.dirty:
            self.update(onset_at=self._onset())


class SideEffectsPage(StepPage):
    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.title = translate("SideEffectsPage", "Side effects")
        root = step_layout(self, f"5 · {self.title}")
        self.hint = hint_label(root)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        inner = QWidget()
        self.grid = QGridLayout(inner)
        self.grid.setColumnStretch(3, 1)
        self.headers: list[QLabel] = []
        for col, text in enumerate(HEADERS):
            label = QLabel(translate("SideEffectsPage", text))
            label.setObjectName("pageSubtitle")
            self.grid.addWidget(label, 0, col)
            self.headers.append(label)
        scroll.setWidget(inner)
        root.addWidget(scroll, 1)
        self.scroll_area, self.inner = scroll, inner
        self.rows: dict[str, EffectRow] = {}
        self._catalogue: tuple[str, ...] = ()
        self._editable = False
        self.wide = True
        self._wide_need = 0  # px the one-line layout needs (measured when it last did not fit)
        scroll.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.scroll_area.viewport() and event.type() == QEvent.Type.Resize:
            self._fit()
        return super().eventFilter(watched, event)

    def _fit(self) -> None:
        """One line an effect where it fits the page's width, else two."""
        room = self.scroll_area.viewport().width()
        if self.wide:
            need = self.inner.minimumSizeHint().width()
            if need > room:
                self._wide_need = need
                self._lay_out(wide=False)
        elif room >= self._wide_need:
            self._lay_out(wide=True)

    def _lay_out(self, *, wide: bool) -> None:
        self.wide = wide
        for i, row in enumerate(self.rows.values()):
            row.place(self.grid, i, wide)
        for label in self.headers[NARROW_HEADERS:]:
            label.setVisible(wide)

    def _build(self, effects: tuple[SideEffectDef, ...]) -> None:
        ids = tuple(e.id for e in effects)
        if ids == self._catalogue:
            return
        for row in self.rows.values():
            for w in row.widgets:
                self.grid.removeWidget(w)
                w.deleteLater()
        self.rows = {effect.id: EffectRow(self, effect) for effect in effects}
        self._catalogue = ids
        self._lay_out(wide=True)  # measured again for this catalogue's names
        self._fit()

    def show_detail(self, detail: SessionDetail) -> None:
        route = Route(detail.route) if detail.route else None
        self._build(self.host.protocol.side_effects_for(route))
        state = SessionState(detail.session.state)
        editable = (
            route is not None
            and state not in TERMINAL
            and state is not SessionState.SCHEDULED
            and self.host.can(Action.RECORD_SIDE_EFFECT)
        )
        if route is None:
            hint = translate(
                "SideEffectsPage",
                "The catalogue depends on the route: record the first dose (step 3) first.",
            )
        elif not self.host.can(Action.RECORD_SIDE_EFFECT):
            hint = self.host.cannot(translate("SideEffectsPage", "record side effects"))
        elif state in TERMINAL:
            hint = translate("SideEffectsPage", "The session is {state}.").format(state=state.label)
        else:
            # {route} is the route's code (English), {route_name} its name in the language.
            hint = translate(
                "SideEffectsPage",
                "{protocol} catalogue for the {route} route. Tick what is present and choose "
                "its severity; everything saves at once.",
            ).format(
                protocol=self.host.protocol.label,
                route=route.value,
                route_name=_(ROUTE_LABELS[route]),
            )
        self.hint.setText(hint)
        latest: dict[str, SideEffectInfo] = {}
        marked: dict[str, list[SideEffectInfo]] = {}
        for x in detail.side_effects:
            if x.error is None:
                latest[x.effect_id] = x
            else:
                marked.setdefault(x.effect_id, []).append(x)
        now = self.host.now()
        self._editable = editable
        for effect_id, row in self.rows.items():
            row.show(latest.get(effect_id), now, editable)
            row.show_marked(marked.get(effect_id, []))

    def refresh_row(self, row: EffectRow) -> None:
        """After a refused change: show what is stored again."""
        row.show(row.record, self.host.now(), self._editable)

    def tick(self, now: datetime) -> None:
        for row in self.rows.values():
            row.tick(now)

    def unsaved_input(self) -> str | None:
        """A side effect ticked without the severity that stores it, or an intervention
        typed and its field not yet left."""
        for row in self.rows.values():
            stored = row.record if row.record is not None and row.record.present else None
            typed = row.intervention.text().strip()
            if row.present.isChecked() and (stored is None or typed != stored.intervention):
                return translate("SideEffectsPage", "side effect ({effect})").format(
                    effect=row.name
                )
        return super().unsaved_input()

    def first_input(self) -> QWidget | None:
        first = next(iter(self.rows.values()), None)
        return first.present if first is not None and first.present.isEnabled() else None
