"""The texts of a patient's chart: demographics, allergies, a course, a session's signature."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from kapdesk.domain.session_state import SessionState
from kapdesk.domain.signing import SIGNABLE_SESSION_STATES
from kapdesk.domain.text import counted
from kapdesk.i18n import _
from kapdesk.ui.widgets import local_date, local_time, years_between
from kapdesk.ui.widgets.locale_words import day_text, in_english, number_text

if TYPE_CHECKING:
    from kapdesk.services.dtos import CourseInfo, PatientInfo, SessionInfo
    from kapdesk.services.session_rows import SessionRow

# The patient's sex as the form and the chart name it, by its stored value.
SEX_LABELS = {
    "female": str(QT_TRANSLATE_NOOP("PatientDialog", "Female")),
    "male": str(QT_TRANSLATE_NOOP("PatientDialog", "Male")),
    "other": str(QT_TRANSLATE_NOOP("PatientDialog", "Other")),
    "unknown": str(QT_TRANSLATE_NOOP("PatientDialog", "Unknown")),
}

# The chart's tables: the PHQ-9 history (the GAD-7's: its first three), the sessions.
PHQ_HEADERS = (
    str(QT_TRANSLATE_NOOP("PatientChart", "Taken")),
    str(QT_TRANSLATE_NOOP("PatientChart", "Total")),
    str(QT_TRANSLATE_NOOP("PatientChart", "Band")),
    str(QT_TRANSLATE_NOOP("PatientChart", "Item 9")),
)
SESSION_HEADERS = (
    str(QT_TRANSLATE_NOOP("PatientChart", "Date")),
    str(QT_TRANSLATE_NOOP("PatientChart", "Time")),
    str(QT_TRANSLATE_NOOP("PatientChart", "Protocol")),
    str(QT_TRANSLATE_NOOP("PatientChart", "State")),
    str(QT_TRANSLATE_NOOP("PatientChart", "Room")),
    str(QT_TRANSLATE_NOOP("PatientChart", "Signed")),
)


def sex_text(value: str) -> str:
    """'Female' ('Feminino'); a value kapdesk does not know, capitalised as it is."""
    label = SEX_LABELS.get(value)
    return (
        value.capitalize() if label is None else QCoreApplication.translate("PatientDialog", label)
    )


def demographics_text(p: PatientInfo, today: date) -> str:
    if p.weight_kg is None:
        weight = QCoreApplication.translate("PatientChart", "weight not recorded")
    else:
        weight = QCoreApplication.translate("PatientChart", "{kg} kg").format(
            kg=number_text(p.weight_kg)
        )
    return QCoreApplication.translate(
        "PatientChart", "MRN {mrn}  ·  born {born} (age {age})  ·  {sex}  ·  {weight}"
    ).format(
        mrn=p.mrn,
        born=day_text(p.date_of_birth),
        age=years_between(p.date_of_birth, today),
        sex=in_english(p.sex, sex_text(p.sex).lower()),
        weight=weight,
    )


def allergy_text(p: PatientInfo) -> str:
    parts = []
    if p.allergies.strip():
        text = QCoreApplication.translate("PatientChart", "Allergies: {text}")
        parts.append(text.format(text=p.allergies.strip()))
    if p.contraindications.strip():
        text = QCoreApplication.translate("PatientChart", "Contraindications: {text}")
        parts.append(text.format(text=p.contraindications.strip()))
    return "\n".join(parts)


def course_status_text(c: CourseInfo) -> str:
    """'open', 'ended 2026-04-27'."""
    if c.ended_on is None:
        return QCoreApplication.translate("PatientChart", "open")
    ended = QCoreApplication.translate("PatientChart", "ended {date}")
    return ended.format(date=day_text(c.ended_on))


def course_text(c: CourseInfo) -> str:
    from kapdesk.ui.patient_chart import PatientChart  # the context (loaded: it calls here)

    n = c.session_count
    plural = PatientChart.tr("%n session(s)", None, n)  # type: ignore[arg-type]  # the class's
    sessions = in_english(counted(n, "session"), plural)
    return QCoreApplication.translate(
        "PatientChart", "{protocol} v{version} · from {started} ({status}, {sessions})"
    ).format(
        protocol=c.protocol_id,
        version=c.protocol_version,
        started=day_text(c.started_on),
        status=course_status_text(c),
        sessions=sessions,
    )


def course_info_text(c: CourseInfo) -> str:
    """'Protocol: kap-default v3 – KAP induction · goal: PHQ-9 below 10'."""
    text = QCoreApplication.translate("PatientChart", "Protocol: {protocol} v{version}").format(
        protocol=c.protocol_id, version=c.protocol_version
    )
    if c.protocol_title:
        text += f" – {_(c.protocol_title)}"
    if c.goal:
        text += QCoreApplication.translate("PatientChart", " · goal: {goal}").format(goal=c.goal)
    return text


def signed_text(s: SessionInfo | SessionRow) -> str:
    """'Signed 14:02 by Dr X' (the date too when signed on a later day), 'Not signed' for a
    session that has ended, '–' while it is scheduled or running."""
    if s.signed_at is not None:
        when = local_time(s.signed_at)
        if local_date(s.signed_at) != local_date(s.scheduled_at):
            return QCoreApplication.translate(
                "PatientChart", "Signed {date} {time} by {who}"
            ).format(date=day_text(s.signed_at), time=when, who=s.signed_by)
        text = QCoreApplication.translate("PatientChart", "Signed {time} by {who}")
        return text.format(time=when, who=s.signed_by)
    if SessionState(s.state) in SIGNABLE_SESSION_STATES:
        return QCoreApplication.translate("PatientChart", "Not signed")
    return "–"
