"""The header every page of a printed report carries (session and course summaries)."""

from __future__ import annotations

from kapdesk.services.dtos import PatientInfo
from kapdesk.services.report_data import fmt
from kapdesk.services.report_data.model import PageHeader, PrintContext
from kapdesk.services.wording import shown_clinic_name


def page_header(title: str, patient: PatientInfo, pc: PrintContext, subtitle: str) -> PageHeader:
    return PageHeader(
        title=title,
        clinic_name=shown_clinic_name(pc.clinic_name),
        patient_name=f"{patient.family_name}, {patient.given_name}",
        mrn=patient.mrn,
        date_of_birth=patient.date_of_birth,
        printed_by=pc.printed_by,
        printed_at=fmt.stamp(pc.printed_at, pc.tz),
        demo=pc.demo,
        subtitle=subtitle,
        seal=pc.seal,
    )
