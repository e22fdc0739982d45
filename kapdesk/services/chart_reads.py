"""What a patient's chart shows at the top and on its Outcomes tab, read in one transaction.

The chart read the patient, the courses and the PHQ-9 and GAD-7 histories through four
services: four read transactions, each checking the patient exists, and two queries of
results and two of user names (issue 13: the open of the largest patient, 168 ms against
150). :meth:`ChartReads.for_patient` reads the same in one snapshot: the patient once,
both instruments' results in one query (one of user names), as the services build them.
The sessions (``SessionRows``) and a course's outcome stay their own reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from kapdesk.domain.instruments import GAD7, PHQ9
from kapdesk.services.context import Service
from kapdesk.services.courses import courses_of
from kapdesk.services.dtos import CourseInfo, InstrumentInfo, PatientInfo
from kapdesk.services.guard import audit_denials
from kapdesk.services.instruments import _results
from kapdesk.services.patients import patient_info
from kapdesk.services.rows import stored
from kapdesk.storage.orm import InstrumentResult, Patient


@dataclass(frozen=True)
class ChartHead:
    patient: PatientInfo
    courses: list[CourseInfo]  # oldest first (CourseService.list_for_patient)
    phq9: list[InstrumentInfo]  # oldest first (InstrumentService.history)
    gad7: list[InstrumentInfo]


@audit_denials
class ChartReads(Service):
    def for_patient(self, patient_id: int) -> ChartHead:
        """The patient, their courses and their PHQ-9 and GAD-7 results, as
        ``PatientService.get``, ``CourseService.list_for_patient`` and
        ``InstrumentService.history`` return them, from one snapshot."""
        with self.ctx.db.read() as s:
            patient = patient_info(stored(s, Patient, patient_id))
            courses = courses_of(s, self.ctx, patient_id)
            results = _results(
                s,
                InstrumentResult.patient_id == patient_id,
                InstrumentResult.instrument.in_((PHQ9.code, GAD7.code)),
            )
        return ChartHead(
            patient,
            courses,
            [r for r in results if r.instrument == PHQ9.code],
            [r for r in results if r.instrument == GAD7.code],
        )
