"""The research CSV export (kapdesk.services.research_export) on both stores: the files hold
what the database holds, de-identified files hold no identifier, pseudonyms and date shifts
are stable and keep intervals, ages are capped, cells are neutralized, the export is audited
and the database still passes kapdesk check."""

from __future__ import annotations

import csv
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kapdesk.domain.clock import FakeClock
from kapdesk.domain.name_search import search_key
from kapdesk.domain.research_columns import DICTIONARY_FILE, FILES, REMOVED
from kapdesk.services import research_export
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.courses import CourseService
from kapdesk.services.doses import DoseService
from kapdesk.services.instruments import InstrumentService
from kapdesk.services.patients import PatientService
from kapdesk.services.research_export import ExportFolderError, export_csv
from kapdesk.services.sessions import SessionService
from kapdesk.services.side_effects import SideEffectService
from kapdesk.services.vitals import VitalsService
from kapdesk.storage.orm import AuditEntry, Dose, InstrumentResult, Setting, VitalReading

from .sessionkit import YES_TO_ALL

PEOPLE = (
    # mrn, family, given, born, allergies (free text)
    ("KX-70531", "Wojciechowska-Þórð", "Zoë Ísold", date(1931, 1, 9), '=HYPERLINK("x")'),
    ("KX-88412", "Oyelaran-Quist", "Rónán", date(1984, 6, 30), "+penicillin; -latex @home"),
)


def _patient_with_a_session(
    ctx: ServiceContext, clock: FakeClock, nurse: Actor, clinician: Actor, person: tuple
) -> int:
    mrn, family, given, born, allergies = person
    patient = PatientService(ctx).create(
        clinician, mrn=mrn, family_name=family, given_name=given, date_of_birth=born,
        sex="female", weight_kg=61.5, allergies=allergies, contraindications="@risk: none known",
    )  # fmt: skip
    course = CourseService(ctx).start(
        clinician, patient.id, "kap-default", goal=f"Goalmarker for {given}"
    )
    InstrumentService(ctx).record(clinician, patient.id, "PHQ-9", [2, 1, 1, 2, 3, 0, 3, 1, 1],
                                  course_id=course.id)  # fmt: skip
    InstrumentService(ctx).record(clinician, patient.id, "GAD-7", [2, 1, 0, 2, 1, 1, 2],
                                  course_id=course.id)  # fmt: skip
    sessions = SessionService(ctx)
    sid = sessions.schedule(nurse, course.id, clock.now(), f"Room of {family}").id
    sessions.check_in(nurse, sid)
    sessions.record_checklist(nurse, sid, {**YES_TO_ALL, "weight_kg": 61.5})
    VitalsService(ctx).record(nurse, sid, 126, 81, pulse=72, spo2=98)
    clock.advance(minutes=2)
    DoseService(ctx).record(
        nurse, sid, medication="racemic ketamine", route="im", amount=0.5, unit="mg/kg",
        lot_number=f"=LOT {mrn}",
    )  # fmt: skip
    clock.advance(minutes=25)
    VitalsService(ctx).record(nurse, sid, 141, 88, pulse=80, spo2=97)
    SideEffectService(ctx).record(
        nurse, sid, "nausea", present=True, severity="mild", onset_at=clock.now(),
        intervention=f"ondansetron for {given}",
    )  # fmt: skip
    clock.advance(timedelta(days=3))
    return patient.id


@pytest.fixture
def clinic(ctx: ServiceContext, clock: FakeClock, nurse: Actor, clinician: Actor) -> ServiceContext:
    for person in PEOPLE:
        _patient_with_a_session(ctx, clock, nurse, clinician, person)
    return ctx


def read(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _moment(cell: str) -> datetime:
    return datetime.fromisoformat(cell.replace("Z", "+00:00"))


def test_identified_files_hold_every_reading_dose_and_score(
    clinic: ServiceContext, tmp_path: Path
) -> None:
    result = export_csv(clinic, tmp_path / "out", deidentify=False)
    out = result.folder
    assert sorted(p.name for p in out.iterdir()) == sorted([*FILES, DICTIONARY_FILE])
    with clinic.db.read() as s:
        readings = s.scalars(select(VitalReading).order_by(VitalReading.id)).all()
        doses = s.scalars(select(Dose).order_by(Dose.id)).all()
        scores = s.scalars(select(InstrumentResult).order_by(InstrumentResult.id)).all()
        got = read(out, "readings.csv")
        assert [int(r["reading_id"]) for r in got] == [r.id for r in readings]
        for row, reading in zip(got, readings, strict=True):
            assert (int(row["systolic"]), int(row["diastolic"])) == (reading.systolic,
                                                                    reading.diastolic)  # fmt: skip
            assert (int(row["pulse"]), int(row["spo2"])) == (reading.pulse, reading.spo2)
            assert _moment(row["taken_at"]) == reading.taken_at.replace(microsecond=0)
            assert row["band"] == reading.band
        got = read(out, "doses.csv")
        assert [int(r["dose_id"]) for r in got] == [d.id for d in doses]
        for row, dose in zip(got, doses, strict=True):
            assert (float(row["amount"]), row["unit"], float(row["mg"])) == (
                dose.amount, dose.unit, dose.mg,
            )  # fmt: skip
            assert row["lot_number"] == "'" + dose.lot_number  # starts with '='
        got = read(out, "instruments.csv")
        assert len(got) == len(scores) == 4
        for row, score in zip(got, scores, strict=True):
            answers = [int(row[f"item_{n}"]) for n in range(1, len(score.answers) + 1)]
            assert answers == score.answers
            assert int(row["total"]) == score.total
            assert row["instrument"] == score.instrument
            assert row["band"] == score.band
    patients = read(out, "patients.csv")
    assert [(p["mrn"], p["family_name"], p["given_name"]) for p in patients] == [
        (mrn, family, given) for mrn, family, given, *_ in PEOPLE
    ]
    assert patients[0]["allergies"] == '\'=HYPERLINK("x")'
    assert patients[1]["allergies"] == "'+penicillin; -latex @home"
    assert patients[0]["contraindications"] == "'@risk: none known"
    assert patients[0]["age"] == "95"  # not capped without --deidentify
    assert result.rows == {name: len(read(out, name)) for name in FILES}
    # ids join: every reading's session is in sessions.csv, its patient in patients.csv
    session_ids = {r["session_id"] for r in read(out, "sessions.csv")}
    assert {r["session_id"] for r in read(out, "readings.csv")} <= session_ids


def _forms(text: str) -> set[str]:
    """``text`` as it could be written: as is, case-folded, accents folded, name-search key."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    forms = {text, text.casefold(), plain, plain.casefold(), search_key(text, "")}
    forms |= {part for form in list(forms) for part in form.replace("-", " ").split()}
    return {f.casefold() for f in forms if len(f) >= 3}


def test_deidentified_files_hold_no_mrn_name_or_free_text(
    clinic: ServiceContext, tmp_path: Path
) -> None:
    out = export_csv(clinic, tmp_path / "out", deidentify=True).folder
    data = b"".join((out / name).read_bytes() for name in sorted([*FILES, DICTIONARY_FILE]))
    folded = data.decode("utf-8").casefold()
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    for mrn, family, given, _born, _allergies in PEOPLE:
        for form in _forms(mrn) | _forms(family) | _forms(given):
            assert form.encode() not in data
            assert form not in folded, form
            assert form not in plain, form
        assert "hyperlink" not in folded
        assert "penicillin" not in folded
    for text in ("ondansetron", "=lot", "room of", "goalmarker", "@risk"):
        assert text not in folded, text
    with clinic.db.read() as s:
        key = s.get(Setting, "research_key")
        assert key is not None
        assert key.value.encode() not in data
    for name, columns in FILES.items():
        header = next(csv.reader((out / name).open(encoding="utf-8")))
        assert header == [c.name for c in columns if c.deidentified != REMOVED]
    patients = read(out, "patients.csv")
    assert [p["age"] for p in patients] == ["90+", "41"]
    assert all(p["patient_id"].startswith("P-") for p in patients)


def test_pseudonyms_join_and_are_stable_and_dates_move_by_one_offset_per_patient(
    clinic: ServiceContext, tmp_path: Path
) -> None:
    plain = export_csv(clinic, tmp_path / "plain", deidentify=False).folder
    first = export_csv(clinic, tmp_path / "first", deidentify=True).folder
    second = export_csv(clinic, tmp_path / "second", deidentify=True).folder
    for name in FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes()
    pseudonym = {
        p["patient_id"]: q["patient_id"]
        for p, q in zip(read(plain, "patients.csv"), read(first, "patients.csv"), strict=True)
    }
    assert len(set(pseudonym.values())) == len(PEOPLE)
    offsets: dict[str, set[timedelta]] = {}
    for name, when in (("readings.csv", "taken_at"), ("doses.csv", "given_at"),
                       ("sessions.csv", "scheduled_at"), ("instruments.csv", "taken_at"),
                       ("side_effects.csv", "onset_at")):  # fmt: skip
        for p, q in zip(read(plain, name), read(first, name), strict=True):
            assert q["patient_id"] == pseudonym[p["patient_id"]]
            offsets.setdefault(q["patient_id"], set()).add(_moment(q[when]) - _moment(p[when]))
    for p, q in zip(read(plain, "courses.csv"), read(first, "courses.csv"), strict=True):
        shift = date.fromisoformat(q["started_on"]) - date.fromisoformat(p["started_on"])
        offsets[q["patient_id"]].add(shift)
    assert set(offsets) == set(pseudonym.values())
    for found in offsets.values():
        assert len(found) == 1  # one offset for all of a patient's rows: intervals kept
        (shift,) = found
        assert shift
        assert abs(shift) <= timedelta(days=365)
        assert shift.seconds == 0
    session_ids = {r["session_id"] for r in read(first, "sessions.csv")}
    assert {r["session_id"] for r in read(first, "readings.csv")} <= session_ids


def test_another_key_gives_other_pseudonyms(
    clinic: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = export_csv(clinic, tmp_path / "first", deidentify=True).folder
    monkeypatch.setattr(research_export, "research_key", lambda ctx: (b"\x01" * 32, False))
    other = export_csv(clinic, tmp_path / "other", deidentify=True).folder
    ids = {p["patient_id"] for p in read(first, "patients.csv")}
    assert ids.isdisjoint(p["patient_id"] for p in read(other, "patients.csv"))
    assert read(first, "readings.csv")[0]["taken_at"] != read(other, "readings.csv")[0]["taken_at"]


def test_the_export_is_audited_and_the_key_made_once(
    clinic: ServiceContext, tmp_path: Path
) -> None:
    with clinic.db.read() as s:
        start = s.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    result = export_csv(clinic, tmp_path / "a", deidentify=True)
    again = export_csv(clinic, tmp_path / "b", deidentify=False)
    assert result.key_created
    assert not again.key_created
    with clinic.db.read() as s:
        entries = s.scalars(
            select(AuditEntry).where(AuditEntry.id > start).order_by(AuditEntry.id)
        ).all()
        key = s.get(Setting, "research_key")
        assert key is not None
        secret = key.value
    assert [e.action for e in entries] == [
        "research_key.create", "export.csv_console", "export.csv_console",
    ]  # fmt: skip
    assert secret not in (entries[0].after or "")
    after = entries[1].after_data
    assert after is not None
    assert after["actor"].startswith("console:")
    assert after["deidentified"] is True
    assert entries[2].after_data["deidentified"] is False
    assert after["rows"] == result.rows
    assert after["rows"]["readings.csv"] == 4
    assert after["kinds"] == [name.removesuffix(".csv") for name in FILES]
    for mrn, family, *_ in PEOPLE:
        assert mrn not in (entries[1].after or "")
        assert family not in (entries[1].after or "")


def test_the_database_still_passes_the_check(
    clinic: ServiceContext, tmp_path: Path, store: str, request: pytest.FixtureRequest
) -> None:
    export_csv(clinic, tmp_path / "out", deidentify=True)
    export_csv(clinic, tmp_path / "again", deidentify=True)
    if store == "postgresql":  # the chain and every row against its trail (the test server's
        # reset between tests deletes rows, which the full server check rightly reports)
        from kapdesk.storage.audit import verify_chain
        from kapdesk.storage.server_replay import replay_server

        with clinic.db.read() as s:
            assert verify_chain(s).ok
            report = replay_server(s.connection())
        assert report.ok, report.messages()
        return
    from kapdesk.services.database_check import run_check

    clinic.db.close()
    lines, ok = run_check(tmp_path / "clinic.sqlite")
    assert ok, lines


def test_a_folder_that_is_not_empty_is_refused_unless_overwrite(
    clinic: ServiceContext, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(ExportFolderError, match="not empty"):
        export_csv(clinic, folder, deidentify=False)
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    export_csv(clinic, folder, deidentify=False, overwrite=True)
    assert (folder / "notes.txt").read_text() == "mine"
    assert (folder / "readings.csv").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no leftovers


def test_an_overwrite_that_cannot_replace_a_file_changes_nothing(
    clinic: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file replaced or none: a de-identified folder never ends up holding some
    identifying files beside the old de-identified ones, and no export is audited."""
    folder = tmp_path / "out"
    export_csv(clinic, folder, deidentify=True)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    (folder / "readings.csv").unlink()
    (folder / "readings.csv").mkdir()  # in the way (a file another program holds, on Windows)
    with clinic.db.read() as s:
        entries = s.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(ExportFolderError, match=r"readings\.csv"):
        export_csv(clinic, folder, deidentify=False, overwrite=True)
    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert after == {k: v for k, v in before.items() if k != "readings.csv"}
    with clinic.db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == entries
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

    # a replace that fails half-way (a disk error): the files already replaced come back
    (folder / "readings.csv").rmdir()
    (folder / "readings.csv").write_bytes(before["readings.csv"])
    real_replace, calls = research_export.os.replace, []

    def failing(src: object, dst: object) -> None:
        calls.append(dst)
        if len(calls) == 4:
            raise OSError(5, "Input/output error")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(research_export.os, "replace", failing)
    with pytest.raises(ExportFolderError, match="nothing in it was changed"):
        export_csv(clinic, folder, deidentify=False, overwrite=True)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
