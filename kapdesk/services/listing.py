"""Flat listings for `kapdesk list` (stable field names: other tools rely on them)."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import select

from kapdesk.services.console import audit_console
from kapdesk.services.context import ServiceContext
from kapdesk.storage.orm import Course, DosingSession, Patient

Listing = Literal["patients", "sessions"]


def export_list(ctx: ServiceContext, what: Listing, *, fmt: str) -> list[dict[str, Any]]:
    """`kapdesk list`: the rows of ``what``, audited as an export by the console user
    (how many rows and in which format, never which) before the caller prints them."""
    rows = list_patients(ctx) if what == "patients" else list_sessions(ctx)
    audit_console(ctx, f"list.{what}_console", after={"rows": len(rows), "format": fmt})
    return rows


def list_patients(ctx: ServiceContext) -> list[dict[str, Any]]:
    """[{mrn, name, date_of_birth}] ordered by name."""
    with ctx.db.read() as s:
        rows = s.execute(
            select(
                Patient.mrn, Patient.family_name, Patient.given_name, Patient.date_of_birth
            ).order_by(Patient.family_name, Patient.given_name, Patient.mrn)
        ).all()
    return [
        {"mrn": mrn, "name": f"{family}, {given}", "date_of_birth": dob.isoformat()}
        for mrn, family, given, dob in rows
    ]


def list_sessions(ctx: ServiceContext) -> list[dict[str, Any]]:
    """[{id, mrn, patient, scheduled, state, protocol}] ordered by scheduled time."""
    with ctx.db.read() as s:
        rows = s.execute(
            select(
                DosingSession.id,
                Patient.mrn,
                Patient.family_name,
                Patient.given_name,
                DosingSession.scheduled_at,
                DosingSession.state,
                Course.protocol_id,
                Course.protocol_version,
            )
            .join(Course, DosingSession.course_id == Course.id)
            .join(Patient, Course.patient_id == Patient.id)
            .order_by(DosingSession.scheduled_at, DosingSession.id)
        ).all()
    return [
        {
            "id": sid,
            "mrn": mrn,
            "patient": f"{family}, {given}",
            "scheduled": scheduled.isoformat(),
            "state": state,
            "protocol": f"{pid} v{pver}",
        }
        for sid, mrn, family, given, scheduled, state, pid, pver in rows
    ]
