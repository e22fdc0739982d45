"""Issue 12: a new patient with the name and date of birth of an existing one is offered as a
possible duplicate (case, accents and spacing do not matter), before it is created."""

from __future__ import annotations

from datetime import date

import pytest

from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.patients import PatientService

from .conftest import table_counts

BORN = date(1980, 5, 17)


@pytest.fixture
def existing(ctx: ServiceContext, nurse: Actor) -> int:
    service = PatientService(ctx)
    service.create(
        nurse, mrn="KAP-0002", given_name="Ana", family_name="Lima", date_of_birth=BORN,
        sex="female",
    )  # fmt: skip
    return service.create(
        nurse, mrn="KAP-0001", given_name="Conceição", family_name="Simões",
        date_of_birth=BORN, sex="female",
    ).id  # fmt: skip


@pytest.mark.parametrize(
    ("given", "family"),
    [
        ("Conceição", "Simões"),
        ("conceicao", "SIMOES"),
        ("  Conceição ", "Simões  "),
        ("Simões", "Conceição"),  # given and family name swapped
        ("Conceição", "Sim ões"),  # spacing
        ("Conceição", "Simões,"),  # punctuation typed with the name
        ("Conceição", "Sim-oes"),
        ("Conceiçao.", "`Simões'"),
    ],
)
def test_same_name_and_birth_date_is_a_possible_duplicate(
    ctx: ServiceContext, existing: int, given: str, family: str
) -> None:
    counts = table_counts(ctx.db)
    found = PatientService(ctx).possible_duplicates(given, family, BORN)
    assert [(p.id, p.mrn) for p in found] == [(existing, "KAP-0001")]
    assert table_counts(ctx.db) == counts  # a look-up writes nothing


def test_a_date_typed_as_text_counts(ctx: ServiceContext, existing: int) -> None:
    found = PatientService(ctx).possible_duplicates("Conceição", "Simões", "17.05.1980")
    assert [p.id for p in found] == [existing]


@pytest.mark.parametrize(
    ("given", "family", "born"),
    [
        ("Conceição", "Simões", date(1980, 5, 18)),  # another birth date
        ("Conceição", "Simões-Lopes", BORN),  # another family name
        ("Maria Conceição", "Simões", BORN),
        ("", "", BORN),
        ("Conceição", "Simões", "not a date"),
    ],
)
def test_anything_else_is_not_a_duplicate(
    ctx: ServiceContext, existing: int, given: str, family: str, born: date | str
) -> None:
    assert PatientService(ctx).possible_duplicates(given, family, born) == []


@pytest.mark.parametrize(
    ("given", "family"),
    [
        ("Siobhán", "OBrien"),
        ("Siobhan", "O'Brien,"),
        ("Siobhan", "O`Brien"),
        ("siobhan", "o brien"),
        ("Siobhan ", " O’Brien"),
        ("O'Brien", "Siobhan"),
    ],
)
def test_apostrophes_and_spaces_inside_a_name_do_not_hide_a_duplicate(
    ctx: ServiceContext, nurse: Actor, given: str, family: str
) -> None:
    service = PatientService(ctx)
    obrien = service.create(
        nurse, mrn="KAP-0003", given_name="Siobhán", family_name="O'Brien",
        date_of_birth=BORN, sex="female",
    ).id  # fmt: skip
    mcdonald = service.create(
        nurse, mrn="KAP-0004", given_name="Ann", family_name="McDonald",
        date_of_birth=BORN, sex="female",
    ).id  # fmt: skip
    assert [p.id for p in service.possible_duplicates(given, family, BORN)] == [obrien]
    assert [p.id for p in service.possible_duplicates("Ann", "Mc Donald", BORN)] == [mcdonald]
    assert service.possible_duplicates("Ann", "McDonald", date(1980, 5, 18)) == []
