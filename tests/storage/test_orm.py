"""Column types and constraints: aware UTC timestamps, foreign keys that restrict, uniques."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, StatementError

from kapdesk.storage.db import Database
from kapdesk.storage.orm import Course, DosingSession, Note, Patient, UTCDateTime

from .helpers import T0, add_patient, add_session, add_user


def _patient(**overrides: object) -> Patient:
    fields: dict[str, object] = {
        "mrn": "P-1",
        "family_name": "Nguyen",
        "given_name": "Linh",
        "date_of_birth": date(1985, 2, 3),
        "sex": "female",
        "created_at": T0,
        "updated_at": T0,
    }
    fields.update(overrides)
    return Patient(**fields)


def _count(db: Database, model: type) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_naive_datetimes_are_refused_and_nothing_is_stored(db: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"), db.write() as s:
        s.add(_patient(created_at=datetime(2026, 3, 2, 9, 0)))
    assert _count(db, Patient) == 0


def test_timestamps_come_back_as_the_same_instant_in_aware_utc(db: Database) -> None:
    sydney = datetime(2026, 3, 2, 20, 15, 30, 123456, tzinfo=timezone(timedelta(hours=11)))
    with db.write() as s:
        s.add(_patient(created_at=sydney))
    with db.read() as s:
        stored = s.scalars(select(Patient.created_at)).one()
        raw = s.execute(text("SELECT created_at FROM patients")).scalar()
    assert stored == sydney
    assert stored.tzinfo is UTC
    assert stored.hour == 9
    assert raw == "2026-03-02 09:15:30.123456"  # UTC wall time in the file


def test_utc_comparisons_work_in_sql(db: Database) -> None:
    with db.write() as s:
        s.add(_patient(mrn="early", created_at=T0))
        s.add(_patient(mrn="late", created_at=T0 + timedelta(hours=1)))
    cutoff = datetime(2026, 3, 2, 11, 30, tzinfo=timezone(timedelta(hours=2)))  # = 09:30 UTC
    with db.read() as s:
        assert s.scalars(select(Patient.mrn).where(Patient.created_at > cutoff)).all() == ["late"]


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 2),
        max_value=datetime(2200, 1, 1),
        timezones=st.builds(
            timezone, st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23))
        ),
    )
)
def test_utc_datetime_round_trips_any_aware_value(moment: datetime) -> None:
    column = UTCDateTime()
    dialect = sqlite.dialect()
    stored = column.process_bind_param(moment, dialect)
    assert stored is not None
    assert stored.tzinfo is None
    back = column.process_result_value(stored, dialect)
    assert back == moment
    assert back is not None
    assert back.tzinfo is UTC


def test_other_databases_get_aware_values() -> None:
    moment = datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    bound = UTCDateTime().process_bind_param(moment, postgresql.dialect())
    assert bound == moment
    assert bound is not None
    assert bound.tzinfo is UTC


def test_utc_datetime_rejects_non_datetimes() -> None:
    with pytest.raises(TypeError):
        UTCDateTime().process_bind_param("2026-03-02", sqlite.dialect())  # type: ignore[arg-type]


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError, match="FOREIGN KEY"), db.write() as s:
        s.add(
            Course(
                patient_id=999,
                protocol_id="kap-default",
                protocol_version="1",
                started_on=date(2026, 3, 2),
                created_at=T0,
            )
        )
    assert _count(db, Course) == 0


def test_clinical_records_are_never_deleted_by_cascade(db: Database) -> None:
    user = add_user(db)
    patient = add_patient(db)
    add_session(db, patient, user)
    for model, key in ((Patient, patient), (Course, 1)):
        with pytest.raises(IntegrityError, match="FOREIGN KEY"), db.write() as s:
            s.execute(delete(model).where(model.id == key))
    assert (_count(db, Patient), _count(db, Course), _count(db, DosingSession)) == (1, 1, 1)


def test_mrn_and_username_are_unique(db: Database) -> None:
    add_patient(db, "MRN-1")
    with pytest.raises(IntegrityError, match="UNIQUE"):
        add_patient(db, "MRN-1")
    add_user(db, "sam")
    with pytest.raises(IntegrityError, match="UNIQUE"):
        add_user(db, "sam")


def test_note_kind_and_status_are_checked(db: Database) -> None:
    user = add_user(db)
    session_id = add_session(db, add_patient(db), user)
    good = {
        "course_id": 1,
        "dosing_session_id": session_id,
        "held_at": T0,
        "author_id": user,
        "created_at": T0,
        "updated_at": T0,
    }
    with db.write() as s:
        s.add(Note(kind="integration", **good))
    for bad in ({"kind": "gossip"}, {"kind": "session", "status": "signed"}):
        with pytest.raises(IntegrityError, match="CHECK"), db.write() as s:
            s.add(Note(**{**good, **bad}))
    with db.read() as s:
        note = s.scalars(select(Note)).one()
    assert (note.status, note.sections, note.body) == ("draft", {}, "")


def test_json_columns_round_trip(db: Database) -> None:
    user = add_user(db)
    session_id = add_session(db, add_patient(db), user)
    answers = {"consent": True, "fasting_hours": 2.5, "notes": "Zoë — ride 🚗", "list": [1, None]}
    with db.write() as s:
        row = s.get(DosingSession, session_id)
        assert row is not None
        assert row.checklist == {}
        row.checklist = answers
    with db.read() as s:
        row = s.get(DosingSession, session_id)
        assert row is not None
        assert row.checklist == answers
