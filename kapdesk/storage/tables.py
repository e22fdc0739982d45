"""Every table as a Core ``Table``, for the reads that need no ORM (the course summary
printed from the command line, ``kapdesk check``): the same names, columns and types as
:mod:`kapdesk.storage.orm`'s, on a ``MetaData`` of their own, so a process that only reads
and appends to the audit trail need not import ``sqlalchemy.orm`` and declare the mapped
classes (~80 ms of a ``kapdesk report course``, ~0.13 s of processor time of a
``kapdesk check``). Only names and types are here (what a SELECT and an INSERT need);
constraints, indexes and defaults live in the ORM classes and the migrations.
``tests/storage/test_core_tables.py`` keeps every column equal to the ORM's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Column, Date, Float, Integer, MetaData, String, Table, Text

from kapdesk.storage.column_types import UTCDateTime

metadata = MetaData()


users = Table(
    "users",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("full_name", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean(), nullable=False),
    Column("must_change_password", Boolean(), nullable=False),
    Column("failed_logins", Integer(), nullable=False),
    Column("locked_until", UTCDateTime()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("language", Text()),
)

patients = Table(
    "patients",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("mrn", String(64), nullable=False),
    Column("family_name", String(200), nullable=False),
    Column("given_name", String(200), nullable=False),
    Column("date_of_birth", Date(), nullable=False),
    Column("sex", String(32), nullable=False),
    Column("weight_kg", Float()),
    Column("allergies", Text(), nullable=False),
    Column("contraindications", Text(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("search_key", String(400), nullable=False),
)

courses = Table(
    "courses",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("patient_id", Integer(), nullable=False),
    Column("protocol_id", String(64), nullable=False),
    Column("protocol_version", String(32), nullable=False),
    Column("protocol_hash", String(64), nullable=False),
    Column("started_on", Date(), nullable=False),
    Column("goal", Text(), nullable=False),
    Column("ended_on", Date()),
    Column("created_at", UTCDateTime(), nullable=False),
)

dosing_sessions = Table(
    "dosing_sessions",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("course_id", Integer(), nullable=False),
    Column("scheduled_at", UTCDateTime(), nullable=False),
    Column("room", String(64), nullable=False),
    Column("state", String(32), nullable=False),
    Column("weight_kg", Float()),
    Column("checklist", JSON(), nullable=False),
    Column("checked_in_at", UTCDateTime()),
    Column("first_dose_at", UTCDateTime()),
    Column("discharged_at", UTCDateTime()),
    Column("discharged_by", Integer()),
    Column("discharge_criteria", JSON(), nullable=False),
    Column("discharge_reason", Text()),
    Column("state_reason", Text()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", Integer(), nullable=False),
    Column("same_day_reason", Text()),
    Column("same_day_confirmed_by", Integer()),
)

vital_readings = Table(
    "vital_readings",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("session_id", Integer(), nullable=False),
    Column("taken_at", UTCDateTime(), nullable=False),
    Column("systolic", Integer(), nullable=False),
    Column("diastolic", Integer(), nullable=False),
    Column("pulse", Integer()),
    Column("spo2", Integer()),
    Column("phase", String(32), nullable=False),
    Column("band", String(32), nullable=False),
    Column("rules", JSON(), nullable=False),
    Column("assessment", Text(), nullable=False),
    Column("protocol_label", String(128), nullable=False),
    Column("recorded_by", Integer(), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("error_at", UTCDateTime()),
    Column("error_by", Integer()),
    Column("error_reason", Text()),
)

doses = Table(
    "doses",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("session_id", Integer(), nullable=False),
    Column("medication", String(64), nullable=False),
    Column("route", String(32), nullable=False),
    Column("amount", Float(), nullable=False),
    Column("unit", String(32), nullable=False),
    Column("mg", Float(), nullable=False),
    Column("given_at", UTCDateTime(), nullable=False),
    Column("lot_number", String(64), nullable=False),
    Column("given_by", Integer(), nullable=False),
    Column("is_booster", Boolean(), nullable=False),
    Column("over_limit", Boolean(), nullable=False),
    Column("confirmation_reason", Text()),
    Column("confirmed_by", Integer()),
    Column("recorded_by", Integer(), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("warnings", JSON(), nullable=False),
    Column("error_at", UTCDateTime()),
    Column("error_by", Integer()),
    Column("error_reason", Text()),
)

side_effects = Table(
    "side_effects",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("session_id", Integer(), nullable=False),
    Column("effect_id", String(64), nullable=False),
    Column("label", String(200), nullable=False),
    Column("present", Boolean(), nullable=False),
    Column("severity", String(32)),
    Column("onset_at", UTCDateTime()),
    Column("intervention", Text(), nullable=False),
    Column("resolved_at", UTCDateTime()),
    Column("recorded_by", Integer(), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("error_at", UTCDateTime()),
    Column("error_by", Integer()),
    Column("error_reason", Text()),
)

observations = Table(
    "observations",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("session_id", Integer(), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("score", Integer()),
    Column("present", Boolean()),
    Column("text", Text(), nullable=False),
    Column("observed_at", UTCDateTime(), nullable=False),
    Column("recorded_by", Integer(), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("error_at", UTCDateTime()),
    Column("error_by", Integer()),
    Column("error_reason", Text()),
)

instrument_results = Table(
    "instrument_results",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("patient_id", Integer(), nullable=False),
    Column("course_id", Integer()),
    Column("session_id", Integer()),
    Column("instrument", String(32), nullable=False),
    Column("answers", JSON(), nullable=False),
    Column("total", Integer(), nullable=False),
    Column("band", String(64), nullable=False),
    Column("item9_flag", Boolean(), nullable=False),
    Column("taken_at", UTCDateTime(), nullable=False),
    Column("recorded_by", Integer(), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("scoring_rule", String(200), nullable=False),
    Column("error_at", UTCDateTime()),
    Column("error_by", Integer()),
    Column("error_reason", Text()),
)

protocol_versions = Table(
    "protocol_versions",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("protocol_id", String(64), nullable=False),
    Column("version", String(32), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("source_text", Text(), nullable=False),
    Column("source_name", String(200), nullable=False),
    Column("stored_at", UTCDateTime(), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("user_id", Integer()),
    Column("action", String(64), nullable=False),
    Column("entity", String(64), nullable=False),
    Column("entity_id", String(64)),
    Column("before", Text()),
    Column("after", Text()),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

hold_overrides = Table(
    "hold_overrides",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("session_id", Integer(), nullable=False),
    Column("reading_id", Integer()),
    Column("kind", String(32), nullable=False),
    Column("item_id", String(64)),
    Column("prescriber_name", String(200), nullable=False),
    Column("reason", Text(), nullable=False),
    Column("recorded_by", Integer(), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
)

notes = Table(
    "notes",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("course_id", Integer(), nullable=False),
    Column("dosing_session_id", Integer()),
    Column("held_at", UTCDateTime(), nullable=False),
    Column("sections", JSON(), nullable=False),
    Column("body", Text(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("author_id", Integer(), nullable=False),
    Column("signed_at", UTCDateTime()),
    Column("signed_by", Integer()),
    Column("addendum_of", Integer()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

signatures = Table(
    "signatures",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("entity", String(32), nullable=False),
    Column("entity_id", Integer(), nullable=False),
    Column("signer_id", Integer(), nullable=False),
    Column("signer_name", String(200), nullable=False),
    Column("signer_role", String(32), nullable=False),
    Column("signed_at", UTCDateTime(), nullable=False),
    Column("meaning", String(200), nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("method", String(32), nullable=False),
    Column("hash_scheme", Integer(), nullable=False),
)

addenda = Table(
    "addenda",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("entity", String(32), nullable=False),
    Column("entity_id", Integer(), nullable=False),
    Column("author_id", Integer(), nullable=False),
    Column("author_name", String(200), nullable=False),
    Column("author_role", String(32), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("text", Text(), nullable=False),
    Column("corrected", JSON(none_as_null=True)),
)

alert_acknowledgements = Table(
    "alert_acknowledgements",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("session_id", Integer(), nullable=False),
    Column("reading_id", Integer(), nullable=False),
    Column("acknowledged_by", Integer(), nullable=False),
    Column("acknowledged_at", UTCDateTime(), nullable=False),
    Column("note", Text(), nullable=False),
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", JSON(), nullable=False),
)

if TYPE_CHECKING:
    from typing import TypeAlias

    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    # What the readers over these tables take: a Core connection (no ORM loaded) or an
    # ORM session (which runs Core statements the same way).
    Bind: TypeAlias = Session | Connection
