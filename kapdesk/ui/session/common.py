"""What the session steps share: the host interface, time fields, messages and text.

Every step page is a ``StepPage``: ``show_detail`` receives the latest
``SessionDetail`` after each change (and every few seconds of the app clock),
``tick`` is called every second with ``app.ctx.now()`` for countdowns.
Pages never talk to each other; they call services (each committed write publishes
its change set, ``signals.data_changed``), and the workspace of that session
refreshes every page from the services.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Final, Protocol, TypeVar

from PySide6.QtCore import QCoreApplication, Qt, QTime
from PySide6.QtWidgets import QLabel, QTimeEdit, QWidget

from kapdesk.domain.errors import KapdeskError, ValidationError
from kapdesk.domain.permissions import Action
from kapdesk.domain.session_state import SessionState
from kapdesk.domain.timetext import countdown, duration
from kapdesk.ui.errors import message_of
from kapdesk.ui.models.board import local_hhmm
from kapdesk.ui.session_words import band_or_within, band_word, cannot_text, role_word

if TYPE_CHECKING:
    from kapdesk.domain.protocol import Protocol as ClinicProtocol
    from kapdesk.domain.vitals import VitalsInput
    from kapdesk.services.context import Actor
    from kapdesk.services.dtos import ReadingInfo
    from kapdesk.services.screen_dtos import RecordedReading, SessionDetail
    from kapdesk.ui.app_context import AppContext
    from kapdesk.ui.widgets.vitals_form import VitalsForm

__all__ = [
    "Host",
    "NowTimeEdit",
    "StepPage",
    "attempt",
    "band_or_within",
    "band_word",
    "cannot_text",
    "countdown",
    "duration",
    "late_note",
    "local_hhmm",
    "message_label",
    "moment_text",
    "reading_line",
    "role_word",
    "set_message",
    "translate",
]

_T = TypeVar("_T")
TERMINAL: Final = frozenset(
    {SessionState.DISCHARGED, SessionState.CANCELLED, SessionState.DOSE_WITHHELD}
)
# Documentation more than this after the moment it records is shown as entered late.
LATE_AFTER: Final = timedelta(minutes=1)
PRE_DOSE_STATES: Final = frozenset({SessionState.CHECKED_IN, SessionState.PRE_DOSE_VITALS})
AFTER_DOSE_STATES: Final = frozenset({SessionState.DOSED, SessionState.MONITORING})

# The GUI's catalogue (Qt's): translate("Context", "English text"), extracted by lupdate.
translate = QCoreApplication.translate


class Host(Protocol):
    """What a step page may use of the workspace."""

    app: AppContext
    session_id: int
    protocol: ClinicProtocol

    def can(self, action: Action) -> bool: ...

    def actor(self) -> Actor: ...

    def cannot(self, what: str) -> str: ...

    def now(self) -> datetime: ...


class StepPage(QWidget):
    title = ""

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        # Before the workspace's refresh: what one user typed is not the next user's to record.
        host.app.signals.actor_changed.connect(self.reset_inputs)

    def reset_inputs(self) -> None:
        """Drops what was typed or chosen but not recorded (the user changed)."""
        from kapdesk.ui.widgets.vitals_form import VitalsForm

        for form in self.findChildren(VitalsForm):
            form.clear()

    def unsaved_input(self) -> str | None:
        """What this page holds typed or chosen and not recorded, named for the question
        "Discard the unsaved <thing>?" (None: nothing would be lost). Each page with inputs
        of its own says what they hold; here the vitals forms."""
        from kapdesk.ui.widgets.vitals_form import VitalsForm

        for form in self.findChildren(VitalsForm):
            if form.isEnabled() and any(form.values().values()):
                return translate("StepPage", "vitals")
        return None

    def show_detail(self, detail: SessionDetail) -> None:
        raise NotImplementedError

    def tick(self, now: datetime) -> None:
        """Countdowns and clocks; no database access."""

    def first_input(self) -> QWidget | None:
        """Where the keyboard focus goes when the step is opened."""
        return None


# ---------------------------------------------------------------- messages


def message_label(name: str, *, kind: str = "error") -> QLabel:
    """A message line (error: red, otherwise a calm status line); hidden while empty."""
    label = QLabel()
    label.setObjectName("fieldError" if kind == "error" else "statusLine")
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def set_message(label: QLabel, text: str, band: str | None = None) -> None:
    label.setText(text)
    label.setVisible(bool(text))
    if band is not None or label.property("band") is not None:
        label.setProperty("band", band or "")
        label.style().unpolish(label)
        label.style().polish(label)


def attempt(
    call: Callable[[], _T],
    *,
    message: QLabel,
    field_error: Callable[[ValidationError], bool] | None = None,
) -> _T | None:
    """Run a service call; show a ValidationError at its field (or in ``message``),
    any other KapdeskError in ``message``; return None when refused."""
    set_message(message, "")
    try:
        return call()
    except ValidationError as exc:
        if field_error is None or not field_error(exc):
            set_message(message, exc.message)
    except KapdeskError as exc:
        set_message(message, message_of(exc))
    return None


def entered_late(moment: datetime, recorded_at: datetime | None) -> bool:
    """Documented later than it happened (a typed past time), by more than a minute."""
    return recorded_at is not None and recorded_at - moment > LATE_AFTER


def late_note(moment: datetime, recorded_at: datetime | None) -> str:
    """'entered 10:42 for 10:30' for late documentation, else ''."""
    if recorded_at is None or not entered_late(moment, recorded_at):
        return ""
    return translate("StepPage", "entered {entered} for {moment}").format(
        entered=local_hhmm(recorded_at), moment=local_hhmm(moment)
    )


def moment_text(moment: datetime, recorded_at: datetime | None) -> str:
    """'10:30', or 'entered 10:42 for 10:30' when it was documented later."""
    return late_note(moment, recorded_at) or local_hhmm(moment)


def reading_line(r: ReadingInfo) -> str:
    """'09:04  128/82 mmHg, pulse 72/min, SpO2 98 %' (late: 'entered 09:20 for 09:04  ...')."""
    parts = [f"{r.systolic}/{r.diastolic} mmHg"]
    if r.pulse is not None:
        parts.append(translate("StepPage", "pulse {pulse}/min").format(pulse=r.pulse))
    if r.spo2 is not None:
        parts.append(translate("StepPage", "SpO2 {spo2} %").format(spo2=r.spo2))
    return f"{moment_text(r.taken_at, r.recorded_at)}  " + ", ".join(parts)


# ---------------------------------------------------------------- time


def wall_time_to_utc(value: time, now: datetime) -> datetime:
    """A time of day typed on this workstation -> the nearest such moment to ``now``
    (a session crossing midnight: 23:50 typed at 00:10 means yesterday)."""
    local_now = now.astimezone()
    moment = datetime.combine(local_now.date(), value, tzinfo=local_now.tzinfo)
    if moment - local_now > timedelta(hours=12):
        moment -= timedelta(days=1)
    elif local_now - moment > timedelta(hours=12):
        moment += timedelta(days=1)
    return moment.astimezone(now.tzinfo)


class NowTimeEdit(QTimeEdit):
    """An HH:MM field that follows the clock until someone edits it.

    ``moment(now)`` is None while it follows the clock (the service then stamps
    the exact current time), else the typed time of day as an aware datetime.
    """

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDisplayFormat("HH:mm")
        self.setMaximumWidth(96)
        self.setAccessibleName(name)
        self.setToolTip(
            translate("NowTimeEdit", "{name}: now, unless you type another time (HH:MM)").format(
                name=name
            )
        )
        self.following = True
        self.dirty = False  # edited by hand since the last time the program set it
        self._programmatic = False
        self.timeChanged.connect(self._edited)

    def _edited(self, _value: QTime) -> None:
        if not self._programmatic:
            self.following = False
            self.dirty = True

    def show_time(self, moment: datetime) -> None:
        local = moment.astimezone()
        self._programmatic = True
        try:
            self.setTime(QTime(local.hour, local.minute))
        finally:
            self._programmatic = False
        self.dirty = False

    def follow(self, now: datetime) -> None:
        """Called every second: keep showing now unless edited."""
        if self.following:
            self.show_time(now)

    def reset(self, now: datetime) -> None:
        self.following = True
        self.show_time(now)

    def set_fixed(self, moment: datetime) -> None:
        """Show a stored moment (not following the clock)."""
        self.show_time(moment)
        self.following = False

    def moment(self, now: datetime) -> datetime | None:
        if self.following:
            return None
        t = self.time()
        return wall_time_to_utc(time(t.hour(), t.minute()), now)

    def moment_or_now(self, now: datetime) -> datetime:
        return self.moment(now) or now


# ---------------------------------------------------------------- keyboard


# The main window's menu titles (&File, &Go, Re&cords, &Admin, &Help) share Alt+letters
# with its pages (tests/ui/test_mnemonics.py walks them).
MENU_BAR_LETTERS = "fgcah"


def mnemonic_letter(text: str) -> str:
    """'Check &in' -> 'i' ('' without one; '&&' is a literal ampersand)."""
    i = text.find("&")
    while 0 <= i < len(text) - 1:
        if text[i + 1] != "&":
            return text[i + 1].lower()
        i = text.find("&", i + 2)
    return ""


# The main window's menu titles as it translates them (context, English): in another
# language its menus take other letters.
MENU_TITLES = (
    ("MainWindow", "&File"),
    ("MainWindow", "&Go"),
    ("MainWindow", "Re&cords"),
    ("MainWindow", "&Admin"),
    ("HelpActions", "&Help"),
)


def menu_bar_letters() -> str:
    """MENU_BAR_LETTERS and the menu titles' letters in the language spoken (read from the
    catalogue, not from the windows open: one may be half destroyed)."""
    translated = (QCoreApplication.translate(context, text) for context, text in MENU_TITLES)
    return MENU_BAR_LETTERS + "".join(mnemonic_letter(title) for title in translated)


class Mnemonics:
    """Hands out Alt+letter mnemonics within one page, skipping letters already taken
    (``taken``: letters, or texts whose mnemonics are taken) and the main window's
    menu-bar letters."""

    def __init__(self, taken: str = "", *texts: str) -> None:
        marked = "".join(mnemonic_letter(t) for t in texts)
        self.taken = set((taken + marked + menu_bar_letters()).lower())

    def mark(self, text: str) -> str:
        """'Consent on file' -> '&Consent on file' (or the next free letter)."""
        for i, ch in enumerate(text):
            if ch.isalpha() and ch.lower() not in self.taken:
                self.taken.add(ch.lower())
                return f"{text[:i]}&{text[i:]}"
        return text


# ---------------------------------------------------------------- readings


def store_reading(host: Host, form: VitalsForm, values: VitalsInput) -> RecordedReading | None:
    """Store what the vitals form validated; errors go back to the form."""
    from kapdesk.services.vitals import VitalsService

    try:
        recorded = VitalsService(host.app.ctx).record(
            host.actor(),
            host.session_id,
            values.systolic,
            values.diastolic,
            values.pulse,
            values.spo2,
        )
    except ValidationError as exc:
        if not form.show_error(exc.field, exc.message):
            form.show_message(exc.message)
        return None
    except KapdeskError as exc:
        form.show_message(message_of(exc))
        return None
    form.clear()
    form.first_field.setFocus(Qt.FocusReason.OtherFocusReason)
    return recorded


def rule_actions(protocol: ClinicProtocol, r: ReadingInfo) -> list[str]:
    """What the protocol says to do about a reading, most serious rule first."""
    rules = {x.id: x for x in protocol.vital_rules}
    return list(dict.fromkeys(rules[i].action for i in r.rules if i in rules))


def recheck_minutes(protocol: ClinicProtocol, r: ReadingInfo) -> int | None:
    """Minutes until a recheck of a non-normal reading (the rule's, else the protocol's)."""
    if r.band == "normal":
        return None
    rules = {x.id: x for x in protocol.vital_rules}
    minutes = [rules[i].repeat_after_min for i in r.rules if i in rules]
    given = [m for m in minutes if m is not None]
    return min(given) if given else protocol.recheck_after_min
