"""A clinic server restored from ``pg_dump`` (the README's server-side backup) passes the
schema check: PostgreSQL 15 prints a restored ``CHECK (x IN (...))`` on a varchar column
differently from the one the migration made (the same constraint, re-parsed), and the
check must not report that as the schema changed behind the app."""

from __future__ import annotations

from kapdesk.storage.schema_pg import canonical_definition

MADE = (
    "CHECK (((entity)::text = ANY ((ARRAY['dosing_session'::character varying, "
    "'note'::character varying])::text[])))"
)
RESTORED = (
    "CHECK (((entity)::text = ANY (ARRAY[('dosing_session'::character varying)::text, "
    "('note'::character varying)::text])))"
)


def test_a_restored_in_list_check_reads_as_the_one_the_migration_made() -> None:
    assert canonical_definition(RESTORED) == canonical_definition(MADE)


def test_a_changed_in_list_is_still_a_change() -> None:
    tampered = RESTORED.replace("'note'", "'nose'")
    assert canonical_definition(tampered) != canonical_definition(MADE)
    shorter = "CHECK (((entity)::text = ANY (ARRAY[('note'::character varying)::text])))"
    assert canonical_definition(shorter) != canonical_definition(MADE)
    assert canonical_definition("CHECK ((amount > (0)::double precision))") == (
        "CHECK ((amount > (0)::double precision))"
    )
