from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, select

from kapdesk.domain.errors import NotFound, PermissionDenied, ValidationError
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.dtos import PatientInfo
from kapdesk.services.patients import PatientService, fold
from kapdesk.storage.orm import AuditEntry, Patient

from .conftest import table_counts

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

GOOD: dict[str, Any] = {
    "mrn": "K-100",
    "given_name": "Conceição",
    "family_name": "Simões",
    "date_of_birth": date(1980, 5, 17),
    "sex": "female",
    "weight_kg": 64.5,
    "allergies": "penicillin",
    "contraindications": "",
}


def audit_since(ctx: ServiceContext, start: int) -> list[AuditEntry]:
    with ctx.db.read() as s:
        return list(
            s.scalars(select(AuditEntry).where(AuditEntry.id > start).order_by(AuditEntry.id))
        )


def last_audit(ctx: ServiceContext) -> int:
    with ctx.db.read() as s:
        return int(s.scalar(select(func.max(AuditEntry.id))) or 0)


def add(ctx: ServiceContext, actor: Actor, **overrides: Any) -> Any:
    return PatientService(ctx).create(actor, **{**GOOD, **overrides})


# ------------------------------------------------------------------ create


def test_create_stores_cleaned_values_and_audits(ctx: ServiceContext, nurse: Actor) -> None:
    start = last_audit(ctx)
    info = add(ctx, nurse, given_name="  Conceição ", sex="Female")
    assert (info.given_name, info.sex, info.weight_kg) == ("Conceição", "female", 64.5)
    [entry] = audit_since(ctx, start)
    assert (entry.action, entry.entity, entry.entity_id) == (
        "patient.create",
        "patient",
        str(info.id),
    )
    assert entry.user_id == nurse.user_id
    assert entry.after_data is not None
    assert entry.after_data["mrn"] == "K-100"
    assert PatientService(ctx).get(info.id) == info


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mrn", "", "MRN is required"),
        ("mrn", "K 100", "may only contain"),
        ("given_name", "  ", "Given name is required"),
        ("family_name", "R2D2", "contains '2'"),
        ("date_of_birth", date(2026, 3, 3), "in the future"),
        ("date_of_birth", date(2010, 1, 1), "for adults"),
        ("sex", "x", "not one of"),
        ("weight_kg", 20, "25"),
        ("allergies", "a" * 2001, "at most 2000"),
    ],
)
def test_invalid_patient_leaves_no_trace(
    ctx: ServiceContext, nurse: Actor, field: str, value: object, message: str
) -> None:
    before = table_counts(ctx.db)
    with pytest.raises(ValidationError, match=message) as exc:
        add(ctx, nurse, **{field: value})
    assert exc.value.field
    assert table_counts(ctx.db) == before


@pytest.mark.parametrize("mrn", ["K-100", "k-100", " K-100 "])
def test_mrn_must_be_unique_ignoring_case(ctx: ServiceContext, nurse: Actor, mrn: str) -> None:
    add(ctx, nurse)
    before = table_counts(ctx.db)
    with pytest.raises(ValidationError, match="MRN 'K-100' is already used by another patient"):
        add(ctx, nurse, mrn=mrn.upper())
    with pytest.raises(ValidationError, match="already used"):
        add(ctx, nurse, mrn=mrn)
    assert table_counts(ctx.db) == before


@pytest.mark.parametrize("role", ["therapist", "admin"])
def test_roles_without_edit_patient_cannot_create(
    ctx: ServiceContext, request: pytest.FixtureRequest, role: str
) -> None:
    actor: Actor = request.getfixturevalue(role)
    before = table_counts(ctx.db)
    with pytest.raises(PermissionDenied):
        add(ctx, actor)
    assert table_counts(ctx.db) == before


# ------------------------------------------------------------------ update


def test_update_changes_fields_with_full_before_after(
    ctx: ServiceContext, nurse: Actor, clinician: Actor, clock: Any
) -> None:
    info = add(ctx, nurse)
    clock.advance(minutes=10)
    start = last_audit(ctx)
    new = PatientService(ctx).update(clinician, info.id, weight_kg="70", allergies="none known")
    assert (new.weight_kg, new.allergies, new.mrn) == (70.0, "none known", "K-100")
    [entry] = audit_since(ctx, start)
    assert entry.action == "patient.update"
    assert entry.user_id == clinician.user_id
    assert entry.before_data is not None
    assert entry.after_data is not None
    assert entry.before_data["weight_kg"] == 64.5
    assert entry.after_data["weight_kg"] == 70.0
    # Full snapshots: unchanged fields are there too.
    assert entry.before_data["family_name"] == entry.after_data["family_name"] == "Simões"
    with ctx.db.read() as s:
        row = s.get(Patient, info.id)
        assert row is not None
        assert row.updated_at == clock.now()


def test_update_that_changes_nothing_writes_nothing(ctx: ServiceContext, nurse: Actor) -> None:
    info = add(ctx, nurse)
    before = table_counts(ctx.db)
    again = PatientService(ctx).update(nurse, info.id, weight_kg=64.5, given_name=" Conceição")
    assert again == info
    assert table_counts(ctx.db) == before


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"mrn": "k-200"}, ValidationError),  # another patient's MRN
        ({"date_of_birth": "1980-02-30"}, ValidationError),
        ({"weight_kg": 400}, ValidationError),
        ({"created_at": T0}, ValidationError),
        ({"weight_kg": 70}, PermissionDenied),
    ],
)
def test_refused_updates_leave_no_trace(
    ctx: ServiceContext, nurse: Actor, therapist: Actor, changes: dict[str, Any], error: type
) -> None:
    info = add(ctx, nurse)
    add(ctx, nurse, mrn="K-200")
    actor = therapist if error is PermissionDenied else nurse
    before = table_counts(ctx.db)
    with pytest.raises(error):
        PatientService(ctx).update(actor, info.id, **changes)
    assert table_counts(ctx.db) == before
    assert PatientService(ctx).get(info.id) == info


def test_update_may_change_case_of_own_mrn(ctx: ServiceContext, nurse: Actor) -> None:
    info = add(ctx, nurse)
    assert PatientService(ctx).update(nurse, info.id, mrn="k-100").mrn == "k-100"


def test_update_unknown_patient_is_not_found(ctx: ServiceContext, nurse: Actor) -> None:
    with pytest.raises(NotFound, match="#999"):
        PatientService(ctx).update(nurse, 999, weight_kg=70)


# ------------------------------------------------------------------ reads / view


def test_get_by_mrn_ignores_case_and_reports_missing(ctx: ServiceContext, nurse: Actor) -> None:
    info = add(ctx, nurse)
    assert PatientService(ctx).get_by_mrn(" k-100 ") == info
    with pytest.raises(NotFound, match="There is no patient with MRN 'K-999'"):
        PatientService(ctx).get_by_mrn("K-999")
    with pytest.raises(NotFound, match="#42"):
        PatientService(ctx).get(42)


def test_record_view_audits_and_admin_may_not_view(
    ctx: ServiceContext, nurse: Actor, therapist: Actor, admin: Actor
) -> None:
    info = add(ctx, nurse)
    start = last_audit(ctx)
    PatientService(ctx).record_view(therapist, info.id)
    [entry] = audit_since(ctx, start)
    assert (entry.action, entry.entity_id, entry.user_id) == (
        "patient.view",
        str(info.id),
        therapist.user_id,
    )
    before = table_counts(ctx.db)
    with pytest.raises(PermissionDenied, match="admin may not view a patient's chart"):
        PatientService(ctx).record_view(admin, info.id)
    with pytest.raises(NotFound):
        PatientService(ctx).record_view(therapist, 999)
    assert table_counts(ctx.db) == before


# ------------------------------------------------------------------ search

PEOPLE = [
    ("K-1", "Simões", "Conceição", date(1980, 5, 17)),
    ("K-2", "Straße", "Jürgen", date(1975, 1, 2)),
    ("K-3", "Øster", "Åsa", date(1990, 12, 31)),
    ("K-4", "van der Berg", "Anne-Marie", date(1985, 7, 8)),
    ("K-5", "O'Brien", "Seán", date(1969, 3, 4)),
    ("K-6", "Bacon", "Francis", date(1961, 1, 22)),
    ("K-7", "Nguyễn", "Thị Lan", date(1992, 2, 29)),
    ("X-10", "Smith", "Mary", date(1980, 5, 18)),
    ("X-11", "Smith", "Adam", date(1955, 6, 6)),
    ("K-8", "Mæhle", "Œdipa", date(1970, 10, 10)),
]


@pytest.fixture
def people(ctx: ServiceContext, nurse: Actor) -> dict[str, int]:
    svc = PatientService(ctx)
    ids = {}
    for mrn, family, given_name, born in PEOPLE:
        ids[mrn] = svc.create(
            nurse,
            mrn=mrn,
            family_name=family,
            given_name=given_name,
            date_of_birth=born,
            sex="other",
        ).id
    return ids


def mrns(ctx: ServiceContext, text: str, limit: int = 50) -> list[str]:
    return [p.mrn for p in PatientService(ctx).search(text, limit)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sim", ["K-1"]),
        ("SIMÕES", ["K-1"]),
        ("conceicao", ["K-1"]),
        ("CONCEIÇÃO", ["K-1"]),
        ("simoes, conc", ["K-1"]),
        ("conc simoes", ["K-1"]),
        ("strasse", ["K-2"]),
        ("straß", ["K-2"]),
        ("stras", ["K-2"]),
        ("jurgen", ["K-2"]),
        ("oster", ["K-3"]),
        ("asa", ["K-3"]),
        ("berg", ["K-4"]),
        ("marie", ["K-4"]),
        ("van der", ["K-4"]),
        ("brien", ["K-5"]),
        ("o'brien", ["K-5"]),
        ("sean", ["K-5"]),
        ("con", ["K-1"]),  # not "Bacon": only word starts match
        ("nguyen thi", ["K-7"]),
        ("maehle", ["K-8"]),
        ("mae", ["K-8"]),
        ("oedipa", ["K-8"]),
        ("smith", ["X-11", "X-10"]),  # Smith, Adam before Smith, Mary
        ("x-1", ["X-11", "X-10"]),  # MRN prefix, still in name order
        ("k-1", ["K-1"]),
        ("K-1", ["K-1"]),
        ("k_1", []),  # a typed _ or % is a character, not a wildcard, on both stores
        ("x-%", []),
        ("k\x00", []),  # PostgreSQL refuses a NUL in a parameter: never sent
        ("smi\x00th", []),
        ("1980-05-17", ["K-1"]),
        ("17.05.1980", ["K-1"]),
        ("17/05/1980", ["K-1"]),
        ("29.02.1992", ["K-7"]),
        ("18.05.1980", ["X-10"]),
        ("31.02.1980", []),
        ("%", []),
        ("_", []),
        ("s%", []),
        ("zzz", []),
        ("simoes zzz", []),
    ],
)
def test_search(
    ctx: ServiceContext, people: dict[str, int], text: str, expected: list[str]
) -> None:
    assert mrns(ctx, text) == expected


def test_blank_search_lists_by_name_up_to_limit(
    ctx: ServiceContext, people: dict[str, int]
) -> None:
    assert mrns(ctx, "  ", limit=3) == ["K-6", "K-8", "K-7"]  # Bacon, Mæhle, Nguyễn
    assert len(mrns(ctx, "")) == len(PEOPLE)
    assert mrns(ctx, "smith", limit=1) == ["X-11"]
    with pytest.raises(ValueError, match="limit"):
        PatientService(ctx).search("x", limit=0)


def test_fold() -> None:
    assert fold("Conceição Simões") == "conceicao simoes"
    assert fold("Straße ÆØÅ Łódź") == "strasse aeoa lodz"
    assert fold("ǅoko") == "dzoko"


NAME_LETTERS = (
    "abcdeilnorsuyzÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝßàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿłŁđœŒšŠžŽčČřŘıǆĳễ"
)
names = st.text(alphabet=NAME_LETTERS, min_size=1, max_size=8).flatmap(
    lambda first: st.lists(
        st.text(alphabet=NAME_LETTERS, min_size=1, max_size=8), min_size=0, max_size=2
    ).map(lambda rest: " ".join([first, *rest]))
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(family=names, given_name=names, data=st.data())
def test_any_word_prefix_finds_the_patient(
    ctx: ServiceContext, nurse: Actor, family: str, given_name: str, data: st.DataObject
) -> None:
    svc = PatientService(ctx)
    with ctx.db.read() as s:
        n = int(s.scalar(select(func.count(Patient.id))) or 0)
    info = svc.create(
        nurse,
        mrn=f"H-{n}",
        family_name=family,
        given_name=given_name,
        date_of_birth=date(1970, 1, 1),
        sex="unknown",
    )
    words = fold(info.family_name + " " + info.given_name).split()
    word = data.draw(st.sampled_from(words))
    prefix = word[: data.draw(st.integers(1, len(word)))]
    assert info.id in {p.id for p in svc.search(prefix, limit=1000)}


SEP = re.compile(r"[\s,;'’.\-]+")
FRAGMENTS = [
    "sim",
    "SIMÕ",
    "conc",
    "strass",
    "ß",
    "ost",
    "Ø",
    "van",
    "der",
    "o'b",
    "sm",
    "K-",
    "x-1",
]
FRAGMENTS += ["19", "1980-05-17", "17.05.1980", "%", "_", "\\", "æ", "oe", "nguy", "thi", ",", "-"]


def oracle(text: str, p: PatientInfo) -> bool:
    """What search promises, written independently of its SQL."""
    clean = unicodedata.normalize("NFC", text).strip()
    if not clean:
        return True
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            if datetime.strptime(clean, fmt).date() == p.date_of_birth:
                return True
        except ValueError:
            pass
    if clean.isascii() and p.mrn.lower().startswith(clean.lower()):
        return True
    tokens = [t for t in SEP.split(fold(clean)) if t]
    words = SEP.split(fold(p.family_name)) + SEP.split(fold(p.given_name))
    return bool(tokens) and all(any(w.startswith(t) for w in words) for t in tokens)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.one_of(
        st.text(max_size=30),
        st.lists(st.sampled_from(FRAGMENTS), max_size=3).map(" ".join),
        st.lists(st.sampled_from(FRAGMENTS), max_size=3).map("".join),
    )
)
def test_search_never_raises_and_finds_exactly_the_matches(
    ctx: ServiceContext, people: dict[str, int], text: str
) -> None:
    svc = PatientService(ctx)
    everyone = svc.search("", limit=1000)
    expected = [p for p in everyone if oracle(text, p)]
    assert svc.search(text) == expected


def test_search_caps_results_with_5000_patients(ctx: ServiceContext) -> None:
    families = ["Simões", "Conceição", "Müller", "Silva", "Øster", "Straße", "Nguyễn", "Smith"]
    givens = ["Ana", "João", "Zoë", "Léa", "Mary", "Åsa", "Renée", "Björn"]
    rows = [
        {
            "mrn": f"B-{i:05d}",
            "family_name": f"{families[i % 8]}{'' if i % 3 else ' da Costa'}",
            "given_name": givens[(i // 8) % 8],
            "date_of_birth": date(1950 + i % 50, 1 + i % 12, 1 + i % 28),
            "sex": "female",
            "allergies": "",
            "contraindications": "",
            "created_at": T0,
            "updated_at": T0,
        }
        for i in range(5000)
    ]
    with ctx.db.write() as s:
        s.execute(insert(Patient), rows)
    svc = PatientService(ctx)
    for text, at_least in [
        ("c", 50),
        ("conceicao", 50),
        ("costa", 50),
        ("zzzz", 0),
        ("B-0420", 10),
        ("01.01.1950", 1),
    ]:
        found = svc.search(text)
        assert len(found) >= at_least
        assert len(found) <= 50
