"""The audit trail you can read: filters, before/after, the patient concerned, CSV export."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.errors import PermissionDenied, ValidationError
from kapdesk.services import audit_log
from kapdesk.services.addenda import AddendumService
from kapdesk.services.audit_log import CSV_COLUMNS, AuditQueryService
from kapdesk.services.audit_text import HIDDEN_CHANGED
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.courses import CourseService
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.notes import NoteService
from kapdesk.services.observations import ObservationService
from kapdesk.services.patients import PatientService
from kapdesk.services.side_effects import SideEffectService
from kapdesk.services.signing import SigningService
from kapdesk.storage import audit

from .conftest import PASSWORD, T0, table_counts
from .sessionkit import YES_TO_ALL, Kit
from .signkit import cheap_passwords


@dataclass(frozen=True)
class Chart:
    patient: int
    course: int
    session: int


def _chart(ctx: ServiceContext, kit: Kit, staff: dict[str, Actor], mrn: str, family: str) -> Chart:
    """A patient with one of everything, all through the services (so all audited)."""
    nurse, ther, doc = staff["nurse"], staff["therapist"], staff["clinician"]
    p = PatientService(ctx).create(
        nurse, mrn=mrn, given_name="Ada", family_name=family, date_of_birth="1980-05-17",
        sex="female", weight_kg=70,
    )  # fmt: skip
    c = CourseService(ctx).start(doc, p.id, "kap-default")
    sid = kit.sessions.schedule(nurse, c.id, kit.clock.now(), "Room 1").id
    kit.sessions.check_in(nurse, sid)
    kit.sessions.record_checklist(nurse, sid, {**YES_TO_ALL, "weight_kg": 70.0})
    kit.vitals.record(nurse, sid, 150, 96)
    kit.sessions.override_hold(doc, sid, "Dr. Lima", "Baseline is high")
    kit.advance(minutes=1)
    kit.dose(sid)
    kit.advance(minutes=5)
    kit.vitals.record(nurse, sid, 131, 82)
    ObservationService(ctx).record_moaas(nurse, sid, 4)
    SideEffectService(ctx).record(nurse, sid, "nausea", severity="mild")
    NoteService(ctx).save_session_note(ther, sid, "Calm.")
    kit.advance(minutes=5)
    kit.sessions.discharge(doc, sid, unmet_reason="Reviewed")
    SigningService(ctx).sign(doc, "dosing_session", sid, PASSWORD)
    add = AddendumService(ctx).add_addendum(nurse, "dosing_session", sid, "Late entry.")
    SigningService(ctx).sign(nurse, "addendum", add.id, PASSWORD)
    note = NoteService(ctx).create_integration_note(ther, c.id, follows_session_id=sid)
    NoteService(ctx).update_integration_note(ther, note.id, body="Integration went well.")
    InstrumentService(ctx).record(ther, p.id, "PHQ-9", [1] * 9, course_id=c.id)
    PatientService(ctx).record_view(doc, p.id)
    return Chart(p.id, c.id, sid)


@pytest.fixture
def staff(nurse: Actor, therapist: Actor, clinician: Actor, admin: Actor) -> dict[str, Actor]:
    return {"nurse": nurse, "therapist": therapist, "clinician": clinician, "admin": admin}


@pytest.fixture
def two_charts(
    ctx: ServiceContext, clock: FakeClock, staff: dict[str, Actor]
) -> tuple[Chart, Chart]:
    cheap_passwords(ctx.db)
    kit = Kit(ctx, clock, staff["nurse"])
    first = _chart(ctx, kit, staff, "MRN-A", "Okafor")
    clock.advance(timedelta(days=7))
    second = _chart(ctx, kit, staff, "MRN-B", "Lindqvist")
    return first, second


def test_filter_by_patient_reaches_every_kind_of_record(
    ctx: ServiceContext, clinician: Actor, two_charts: tuple[Chart, Chart]
) -> None:
    first, second = two_charts
    rows = AuditQueryService(ctx).query(clinician, patient_id=first.patient, limit=5000)
    assert {r.patient_id for r in rows} == {first.patient}
    assert {r.patient_name for r in rows} == {"Okafor, Ada"}
    assert {r.patient_mrn for r in rows} == {"MRN-A"}
    assert {r.entity for r in rows} == {
        "patient", "course", "dosing_session", "vital_reading", "hold_override", "dose",
        "observation", "side_effect", "note", "signature", "addendum", "instrument_result",
    }  # fmt: skip
    actions = [r.action for r in rows]
    assert actions.count("sign.signed") == 2
    assert "patient.view" in actions
    assert rows == sorted(rows, key=lambda r: -r.id)  # newest first
    everything = AuditQueryService(ctx).query(clinician, limit=5000)
    mine = [r for r in everything if r.patient_id == first.patient]
    assert mine == rows  # the SQL filter and the per-row derivation agree
    other = AuditQueryService(ctx).query(clinician, patient_id=second.patient, limit=5000)
    assert not {r.id for r in rows} & {r.id for r in other}


def test_rows_show_who_and_before_after_as_dicts(
    ctx: ServiceContext, admin: Actor, clinician: Actor, two_charts: tuple[Chart, Chart]
) -> None:
    first, _ = two_charts
    rows = AuditQueryService(ctx).query(
        admin, patient_id=first.patient, action_prefix="session.discharge"
    )
    assert len(rows) == 1
    row = rows[0]
    assert (row.user_id, row.user_name) == (clinician.user_id, "Test Clinician")
    assert (row.entity, row.entity_id) == ("dosing_session", str(first.session))
    assert row.before is not None
    assert row.after is not None
    assert (row.before["state"], row.after["state"]) == ("monitoring", "discharged")
    # An admin may not open charts: the reason's text is hidden, that it changed is not.
    assert row.after["discharge_reason"] == HIDDEN_CHANGED
    (whole,) = AuditQueryService(ctx).query(
        clinician, patient_id=first.patient, action_prefix="session.discharge"
    )
    assert whole.after is not None
    assert whole.after["discharge_reason"] == "Reviewed"


def test_filter_by_user_time_and_action(
    ctx: ServiceContext,
    clinician: Actor,
    nurse: Actor,
    two_charts: tuple[Chart, Chart],
) -> None:
    svc = AuditQueryService(ctx)
    by_nurse = svc.query(clinician, user_id=nurse.user_id, limit=5000)
    assert by_nurse
    assert {r.user_name for r in by_nurse} == {"Test Nurse"}
    week_two = svc.query(clinician, since=T0 + timedelta(days=7), limit=5000)
    week_one = svc.query(clinician, until=T0 + timedelta(days=7), limit=5000)
    assert {r.patient_mrn for r in week_two} == {"MRN-B"}
    assert "MRN-B" not in {r.patient_mrn for r in week_one}
    assert len(week_one) + len(week_two) == len(svc.query(clinician, limit=5000))
    assert {r.action for r in svc.query(clinician, action_prefix="sign")} == {"sign.signed"}
    assert {r.action for r in svc.query(clinician, action_prefix="dose.")} == {"dose.record"}
    assert {r.action for r in svc.query(clinician, action_prefix="DOSE.")} == {"dose.record"}
    assert svc.query(clinician, action_prefix="dose_") == []  # "_" is a character, not a wildcard
    assert svc.query(clinician, action_prefix="session%") == []


def test_paging(ctx: ServiceContext, admin: Actor, two_charts: tuple[Chart, Chart]) -> None:
    svc = AuditQueryService(ctx)
    everything = svc.query(admin, limit=5000)
    pages = [svc.query(admin, limit=7, offset=n) for n in range(0, len(everything), 7)]
    assert [r for page in pages for r in page] == everything


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"since": datetime(2026, 3, 2, 9, 0)}, "Since .* needs a date, a time and a time zone"),
        ({"since": T0, "until": T0 - timedelta(hours=1)}, "is before since"),
        ({"limit": 0}, "Limit 0 is outside the allowed range 1-5000"),
        ({"limit": 5001}, "outside the allowed range"),
        ({"offset": -1}, "Offset -1 must be 0 or more"),
    ],
)
def test_invalid_filters(
    ctx: ServiceContext, admin: Actor, filters: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        AuditQueryService(ctx).query(admin, **filters)


@pytest.mark.parametrize("role", ["nurse", "therapist"])
def test_only_admins_and_clinicians_read_the_log(
    ctx: ServiceContext, staff: dict[str, Actor], role: str, tmp_path: Path
) -> None:
    with pytest.raises(PermissionDenied, match="may not view the audit log"):
        AuditQueryService(ctx).query(staff[role])
    with pytest.raises(PermissionDenied):
        AuditQueryService(ctx).export_csv(staff[role], tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()
    assert AuditQueryService(ctx).query(staff["clinician"], action_prefix="denied.")


# ---------------------------------------------------------------- CSV export


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_export_writes_every_matching_row_and_is_audited(
    ctx: ServiceContext, admin: Actor, tmp_path: Path, two_charts: tuple[Chart, Chart]
) -> None:
    first, _ = two_charts
    svc = AuditQueryService(ctx)
    expected = list(reversed(svc.query(admin, patient_id=first.patient, limit=5000)))
    out = tmp_path / "audit.csv"
    count = svc.export_csv(admin, out, patient_id=first.patient)
    assert count == len(expected)
    rows = _read_csv(out)
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [int(r["id"]) for r in rows] == [e.id for e in expected]  # oldest first
    for got, want in zip(rows, expected, strict=True):
        assert got["action"] == want.action
        assert got["user"] == want.user_name
        assert got["patient"] == "Okafor, Ada"
        assert (json.loads(got["after"]) if got["after"] else None) == want.after
        assert (json.loads(got["before"]) if got["before"] else None) == want.before
    last = svc.query(admin, limit=1)[0]
    assert (last.action, last.user_id) == ("audit.export", admin.user_id)
    assert last.after == {
        "path": str(out),
        "rows": count,
        "filters": {"patient_id": first.patient},
    }
    assert not list(tmp_path.glob(".*partial"))


def test_export_neutralises_spreadsheet_formulas(
    ctx: ServiceContext, admin: Actor, tmp_path: Path
) -> None:
    with ctx.db.write() as s:
        audit.append(
            s, at=T0, user_id=None, action='=HYPERLINK("http://x","y")', entity="-2+3",
            entity_id="@SUM(1)", before=None, after={"a": 1},
        )  # fmt: skip
    out = tmp_path / "audit.csv"
    AuditQueryService(ctx).export_csv(admin, out, action_prefix="=")
    (row,) = _read_csv(out)
    assert row["action"] == '\'=HYPERLINK("http://x","y")'
    assert (row["entity"], row["entity_id"]) == ("'-2+3", "'@SUM(1)")


def test_no_file_without_its_audit_entry(
    ctx: ServiceContext, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("audit write failed")

    monkeypatch.setattr(audit_log, "audit_change", broken)
    folder = tmp_path / "exports"
    folder.mkdir()
    before = table_counts(ctx.db)
    with pytest.raises(RuntimeError, match="audit write failed"):
        AuditQueryService(ctx).export_csv(admin, folder / "audit.csv")
    assert list(folder.iterdir()) == []
    assert table_counts(ctx.db) == before


def test_export_refuses_a_folder(ctx: ServiceContext, admin: Actor, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="is a folder"):
        AuditQueryService(ctx).export_csv(admin, tmp_path)


def test_export_never_overwrites_the_database(
    ctx: ServiceContext, admin: Actor, tmp_path: Path
) -> None:
    for target in (ctx.db.path, ctx.db.path.with_name(ctx.db.path.name + "-wal")):
        with pytest.raises(ValidationError, match="is the database itself"):
            AuditQueryService(ctx).export_csv(admin, target)
    with ctx.db.read() as s:
        assert audit.verify_chain(s).ok


def test_ids_must_be_numbers(ctx: ServiceContext, admin: Actor) -> None:
    with pytest.raises(ValidationError, match="Patient must be a record number"):
        AuditQueryService(ctx).query(admin, patient_id="1 OR 1=1")  # type: ignore[arg-type]
