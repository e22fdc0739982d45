"""A patient's row found by id or by MRN, through a Core statement on
:mod:`kapdesk.storage.tables` (an ORM session runs it too): the course summary printed
from the command line reads without the ORM.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, func, select

from kapdesk.domain.errors import NotFound
from kapdesk.i18n import N_, _
from kapdesk.storage.tables import patients

if TYPE_CHECKING:
    from kapdesk.storage.tables import Bind


def missing_row(record: str, row_id: int) -> NotFound:
    """NotFound as ``rows.stored`` words it ("There is no patient #3.")."""
    return NotFound(_("There is no {record} #{id}.", record=_(record), id=row_id))


def patient_row(s: Bind, patient_id: int) -> Row[Any]:
    row = s.execute(select(patients).where(patients.c.id == patient_id)).first()
    if row is None:
        raise missing_row(N_("patient"), patient_id)
    return row


def patient_by_mrn(s: Bind, mrn: str) -> Row[Any]:
    """The patient with this MRN (blanks around it and case do not count), or NotFound
    (``PatientService.get_by_mrn`` in the caller's transaction)."""
    text = mrn.strip() if isinstance(mrn, str) else ""
    row = s.execute(select(patients).where(func.lower(patients.c.mrn) == text.lower())).first()
    if row is None:
        raise NotFound(_("There is no patient with MRN '{mrn}'.", mrn=text))
    return row
