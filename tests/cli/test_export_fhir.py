"""`kapdesk export fhir`: a demo patient round-trips (every reading, dose and score of the
database is in the Bundle with its code, value and unit), --all writes NDJSON whose every
line parses and validates as R4, both audited with the OS user; `kapdesk check` passes."""

from __future__ import annotations

import getpass
import json
from collections import Counter
from pathlib import Path

import pytest

from tests.fhirkit import component, of_code, references, validate, validate_bundle

from .conftest import Run, assert_one_line_error, sql


@pytest.fixture(autouse=True)
def os_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "alice")


def _busiest_patient(db: Path) -> tuple[int, str]:
    [(pid, mrn)] = sql(
        db,
        "SELECT p.id, p.mrn FROM patients p JOIN courses c ON c.patient_id = p.id "
        "JOIN dosing_sessions s ON s.course_id = c.id JOIN doses d ON d.session_id = s.id "
        "GROUP BY p.id ORDER BY count(*) DESC, p.id LIMIT 1",
    )
    return pid, mrn


def _of_patient(db: Path, table: str, columns: str, pid: int) -> list[tuple[object, ...]]:
    return sql(
        db,
        f"SELECT {columns} FROM {table} t JOIN dosing_sessions s ON t.session_id = s.id "
        f"JOIN courses c ON s.course_id = c.id WHERE c.patient_id = {pid} ORDER BY t.id",
    )


def test_a_demo_patient_round_trips_with_codes_values_and_units(
    run: Run, demo_db: Path, tmp_path: Path
) -> None:
    pid, mrn = _busiest_patient(demo_db)
    out = tmp_path / "patient.json"
    result = run("export", "fhir", "--db", demo_db, "--patient", mrn, "-o", out)
    assert result.code == 0, result.err
    bundle = json.loads(out.read_text(encoding="utf-8"))
    resources = validate_bundle(bundle)
    assert set(references(resources)) <= {e["fullUrl"] for e in bundle["entry"]}
    assert result.out.startswith(f"Wrote {out}: {len(resources)} FHIR R4 resources (")
    [patient] = [r for r in resources if r["resourceType"] == "Patient"]
    assert patient["identifier"][0]["value"] == mrn

    readings = _of_patient(demo_db, "vital_readings", "systolic, diastolic, pulse, spo2", pid)
    bps = of_code(resources, "85354-9")
    assert [
        (
            component(o, "8480-6")["valueQuantity"]["value"],
            component(o, "8462-4")["valueQuantity"]["value"],
        )
        for o in bps
    ] == [(sys, dia) for sys, dia, _, _ in readings]
    assert {component(o, "8462-4")["valueQuantity"]["code"] for o in bps} == {"mm[Hg]"}
    heart = of_code(resources, "8867-4")
    assert [o["valueQuantity"]["value"] for o in heart] == [
        p for _, _, p, _ in readings if p is not None
    ]
    assert {o["valueQuantity"]["code"] for o in heart} == {"/min"}
    spo2 = of_code(resources, "59408-5")
    assert [o["valueQuantity"]["value"] for o in spo2] == [s for *_, s in readings if s is not None]
    assert {o["valueQuantity"]["code"] for o in spo2} == {"%"}

    doses = _of_patient(demo_db, "doses", "mg, route, lot_number, medication", pid)
    given = [r for r in resources if r["resourceType"] == "MedicationAdministration"]
    assert [
        (
            d["dosage"]["dose"]["value"],
            d["dosage"]["route"]["text"],
            d["note"][0]["text"],
            d["medicationCodeableConcept"]["text"],
        )
        for d in given
    ] == [(mg, route, f"Lot number: {lot}", med) for mg, route, lot, med in doses]
    assert {d["dosage"]["dose"]["code"] for d in given} == {"mg"}
    assert all(
        d["dosage"]["route"]["coding"][0]["system"] == "http://snomed.info/sct" for d in given
    )

    scores = sql(
        demo_db,
        "SELECT instrument, total, answers FROM instrument_results "
        f"WHERE patient_id = {pid} ORDER BY id",
    )
    assert scores
    found = [
        r
        for r in resources
        if r.get("category", [{}])[0].get("coding", [{}])[0].get("code") == "survey"
    ]
    panel = {"PHQ-9": ("44249-1", "44261-6"), "GAD-7": ("69737-5", "70274-6")}
    assert [
        (o["code"]["coding"][0]["code"], component(o, panel[o["code"]["text"]][1])["valueInteger"])
        for o in found
    ] == [(panel[name][0], total) for name, total, _ in scores]
    assert [[c["valueInteger"] for c in o["component"][:-1]] for o in found] == [
        json.loads(answers) for *_, answers in scores
    ]


def test_all_writes_ndjson_that_validates_audited_and_check_passes(
    run: Run, demo_db: Path, tmp_path: Path
) -> None:
    [(start,)] = sql(demo_db, "SELECT max(id) FROM audit_log")
    out = tmp_path / "bulk"
    result = run("export", "fhir", "--db", demo_db, "--all", "-o", out)
    assert result.code == 0, result.err
    counts: Counter[str] = Counter()
    ids: set[str] = set()
    refs: set[str] = set()
    for path in sorted(out.iterdir()):
        assert path.suffix == ".ndjson", path
        for line in path.read_text(encoding="utf-8").splitlines():
            resource = json.loads(line)
            validate(resource)
            assert resource["resourceType"] == path.stem
            counts[path.stem] += 1
            ids.add(f"{path.stem}/{resource['id']}")
            refs |= set(references(resource))
    assert refs <= ids
    [(n_patients,)] = sql(demo_db, "SELECT count(*) FROM patients")
    [(n_doses,)] = sql(demo_db, "SELECT count(*) FROM doses")
    assert counts["Patient"] == n_patients
    assert counts["MedicationAdministration"] == n_doses
    [(action, entity, after)] = sql(
        demo_db, f"SELECT action, entity, after FROM audit_log WHERE id > {start}"
    )
    assert (action, entity) == ("export.fhir_console", "database")
    details = json.loads(after)
    assert details["actor"] == "console:alice"
    assert details["resources"] == sum(counts.values())
    assert details["by_type"] == dict(counts)
    check = run("check", "--db", demo_db)
    assert check.code == 0, check.out + check.err


def test_a_second_export_keeps_the_ids(run: Run, demo_db: Path, tmp_path: Path) -> None:
    _, mrn = _busiest_patient(demo_db)
    for name in ("a.json", "b.json"):
        assert (
            run("export", "fhir", "--db", demo_db, "--patient", mrn, "-o", tmp_path / name).code
            == 0
        )
    a, b = (json.loads((tmp_path / n).read_text(encoding="utf-8")) for n in ("a.json", "b.json"))
    assert [e["fullUrl"] for e in a["entry"]] == [e["fullUrl"] for e in b["entry"]]


def test_unknown_mrn_and_a_folder_for_the_bundle_are_one_line_errors(
    run: Run, demo_db: Path, tmp_path: Path
) -> None:
    [(before,)] = sql(demo_db, "SELECT max(id) FROM audit_log")
    result = run(
        "export", "fhir", "--db", demo_db, "--patient", "NOPE-1", "-o", tmp_path / "x.json"
    )
    assert "NOPE-1" in assert_one_line_error(result)
    result = run("export", "fhir", "--db", demo_db, "--patient", "NOPE-1", "-o", tmp_path)
    assert "folder" in assert_one_line_error(result)
    result = run("export", "fhir", "--db", demo_db, "-o", tmp_path / "y.json")
    assert_one_line_error(result)  # --patient or --all is required
    assert sql(demo_db, "SELECT max(id) FROM audit_log") == [(before,)]
    assert not (tmp_path / "x.json").exists()


def test_a_missing_database_makes_no_output_folder(run: Run, tmp_path: Path) -> None:
    typo = tmp_path / "typo" / "x.sqlite"
    out = tmp_path / "bulk"
    line = assert_one_line_error(run("export", "fhir", "--db", typo, "--all", "-o", out))
    assert "No database at" in line
    assert not out.exists()
    assert not (tmp_path / "typo").exists()


def test_all_into_a_folder_that_is_not_empty_is_refused(
    run: Run, demo_db: Path, tmp_path: Path
) -> None:
    """An earlier export's files of a type this one has none of would stay beside the new
    ones, and a receiver loading the folder would load both."""
    out = tmp_path / "bulk"
    out.mkdir()
    (out / "AdverseEvent.ndjson").write_text('{"resourceType": "AdverseEvent"}\n')
    message = assert_one_line_error(run("export", "fhir", "--db", demo_db, "--all", "-o", out))
    assert "not empty" in message
    assert [p.name for p in out.iterdir()] == ["AdverseEvent.ndjson"]
