"""The texts of a patient's chart: demographics, allergies, a course, a session's signature."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from kapdesk.domain.session_state import SessionState
from kapdesk.domain.signing import SIGNABLE_SESSION_STATES
from kapdesk.ui.widgets import local_date, local_time, years_between

if TYPE_CHECKING:
    from kapdesk.services.dtos import CourseInfo, PatientInfo, SessionInfo
    from kapdesk.services.session_rows import SessionRow


def demographics_text(p: PatientInfo, today: date) -> str:
    weight = "weight not recorded" if p.weight_kg is None else f"{p.weight_kg:g} kg"
    return (
        f"MRN {p.mrn}  ·  born {p.date_of_birth.isoformat()} "
        f"(age {years_between(p.date_of_birth, today)})  ·  {p.sex}  ·  {weight}"
    )


def allergy_text(p: PatientInfo) -> str:
    parts = []
    if p.allergies.strip():
        parts.append(f"Allergies: {p.allergies.strip()}")
    if p.contraindications.strip():
        parts.append(f"Contraindications: {p.contraindications.strip()}")
    return "\n".join(parts)


def course_text(c: CourseInfo) -> str:
    status = "open" if c.ended_on is None else f"ended {c.ended_on.isoformat()}"
    sessions = f"{c.session_count} session" + ("" if c.session_count == 1 else "s")
    return (
        f"{c.protocol_id} v{c.protocol_version} · from {c.started_on.isoformat()} "
        f"({status}, {sessions})"
    )


def signed_text(s: SessionInfo | SessionRow) -> str:
    """'Signed 14:02 by Dr X' (the date too when signed on a later day), 'Not signed' for a
    session that has ended, '–' while it is scheduled or running."""
    if s.signed_at is not None:
        when = local_time(s.signed_at)
        if local_date(s.signed_at) != local_date(s.scheduled_at):
            when = f"{local_date(s.signed_at)} {when}"
        return f"Signed {when} by {s.signed_by}"
    return "Not signed" if SessionState(s.state) in SIGNABLE_SESSION_STATES else "–"
