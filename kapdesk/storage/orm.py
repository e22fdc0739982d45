"""The tables, as typed SQLAlchemy 2 ORM classes.

Conventions callers rely on:

* Every timestamp column is :class:`UTCDateTime`: give it timezone-aware
  datetimes (naive ones raise ``ValueError``); you get aware UTC back.
  Calendar dates (date of birth, course start) are plain ``Date``.
* No column has a clock default: services stamp ``created_at``/``recorded_at``
  from their injected Clock.
* Foreign keys are ``ON DELETE RESTRICT``: clinical records are never removed by
  cascade (deleting a patient with a course fails with ``IntegrityError``).
* JSON columns hold plain JSON (dicts/lists of str/int/float/bool/None). The
  ORM does not see in-place mutation of a JSON value: assign a new dict/list.
* ``audit_log`` rows are written only through :mod:`kapdesk.storage.audit`;
  triggers reject UPDATE and DELETE on it.
* Text columns that are "empty unless given" default to ``""``; optional facts
  (weight, reasons, times that may not have happened yet) are ``None``.

The schema is created by the Alembic revisions, not by ``create_all``; a test
checks models and migrations agree. Change a model => write a new revision.

The annotations here are evaluated when each class is made (no ``from __future__ import
annotations``): SQLAlchemy reads a ``Mapped[...]`` given as text by evaluating it, ~30 µs
per column, ~6 ms of every process that loads the tables (a fifth of their declaration).
A name used in an annotation must therefore be imported here, not under TYPE_CHECKING.
"""

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Index,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from kapdesk.domain.name_search import search_key
from kapdesk.storage.orm_base import NAMING_CONVENTION as NAMING_CONVENTION
from kapdesk.storage.orm_base import Base as Base
from kapdesk.storage.orm_base import UTCDateTime as UTCDateTime
from kapdesk.storage.orm_base import restrict_fk as _fk


class User(Base):
    __tablename__ = "users"
    __table_args__ = (Index("ix_users_username", "username", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    # revision 0006: the language the user works in ('pt-PT'); None: the computer's
    language: Mapped[str | None] = mapped_column(Text)


class Patient(Base):
    __tablename__ = "patients"
    __table_args__ = (
        Index("ix_patients_mrn", "mrn", unique=True),
        Index("ix_patients_family_name_given_name", "family_name", "given_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mrn: Mapped[str] = mapped_column(String(64))
    family_name: Mapped[str] = mapped_column(String(200))
    given_name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date]
    sex: Mapped[str] = mapped_column(String(32))
    weight_kg: Mapped[float | None]
    allergies: Mapped[str] = mapped_column(Text, default="")
    contraindications: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Revision 0003: the folded name words (kapdesk.domain.name_search.search_key), kept in
    # step with the names by the events below and, for Core inserts, by the column default.
    search_key: Mapped[str] = mapped_column(String(400), default=lambda ctx: _key_default(ctx))


def _key_default(context: Any) -> str:
    row = context.get_current_parameters()
    return search_key(row.get("family_name"), row.get("given_name"))


@event.listens_for(Patient.family_name, "set", propagate=True)
def _family_set(target: Patient, value: str | None, _old: object, _initiator: object) -> None:
    target.search_key = search_key(value, target.given_name)


@event.listens_for(Patient.given_name, "set", propagate=True)
def _given_set(target: Patient, value: str | None, _old: object, _initiator: object) -> None:
    target.search_key = search_key(target.family_name, value)


class Course(Base):
    """A treatment course: one patient, one protocol (id + version), several dosing sessions."""

    __tablename__ = "courses"
    __table_args__ = (Index("ix_courses_patient_id", "patient_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(_fk("patients.id"))
    protocol_id: Mapped[str] = mapped_column(String(64))
    protocol_version: Mapped[str] = mapped_column(String(32))
    # revision 0004: SHA-256 of the pinned protocol text (protocol_versions.sha256)
    protocol_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    started_on: Mapped[date]
    goal: Mapped[str] = mapped_column(Text, default="")
    ended_on: Mapped[date | None]
    created_at: Mapped[datetime]


class DosingSession(Base):
    __tablename__ = "dosing_sessions"
    __table_args__ = (
        Index("ix_dosing_sessions_scheduled_at", "scheduled_at"),
        Index("ix_dosing_sessions_course_id", "course_id"),
        Index("ix_dosing_sessions_first_dose_at", "first_dose_at"),
        Index("ix_dosing_sessions_state", "state"),  # revision 0003: running sessions
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(_fk("courses.id"))
    scheduled_at: Mapped[datetime]
    room: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(32))
    weight_kg: Mapped[float | None]
    checklist: Mapped[dict[str, Any]] = mapped_column(default=dict)  # item id -> answer
    checked_in_at: Mapped[datetime | None]
    first_dose_at: Mapped[datetime | None]  # denormalised from doses for the Today board
    discharged_at: Mapped[datetime | None]
    discharged_by: Mapped[int | None] = mapped_column(_fk("users.id"))
    discharge_criteria: Mapped[dict[str, Any]] = mapped_column(default=dict)
    discharge_reason: Mapped[str | None] = mapped_column(Text)  # why unmet criteria were accepted
    state_reason: Mapped[str | None] = mapped_column(Text)  # cancel / withhold reason
    created_at: Mapped[datetime]
    created_by: Mapped[int] = mapped_column(_fk("users.id"))
    # revision 0004: a clinician's confirmation of a second dosing session on one day
    same_day_reason: Mapped[str | None] = mapped_column(Text)
    same_day_confirmed_by: Mapped[int | None]  # a user id (no foreign key, see revision 0004)


class VitalReading(Base):
    __tablename__ = "vital_readings"
    __table_args__ = (Index("ix_vital_readings_session_id_taken_at", "session_id", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(_fk("dosing_sessions.id"))
    taken_at: Mapped[datetime]
    systolic: Mapped[int]
    diastolic: Mapped[int]
    pulse: Mapped[int | None]
    spo2: Mapped[int | None]
    phase: Mapped[str] = mapped_column(String(32))
    band: Mapped[str] = mapped_column(String(32))
    rules: Mapped[list[Any]] = mapped_column(default=list)  # ids of the rules that fired
    assessment: Mapped[str] = mapped_column(Text, default="")  # summary with provenance
    protocol_label: Mapped[str] = mapped_column(String(128))
    recorded_by: Mapped[int] = mapped_column(_fk("users.id"))
    recorded_at: Mapped[datetime]
    # revision 0005: entered in error (who marked it, when, why); None while it stands
    error_at: Mapped[datetime | None]
    error_by: Mapped[int | None]  # a user id (no foreign key, see revision 0005)
    error_reason: Mapped[str | None] = mapped_column(Text)


class HoldOverride(Base):
    """A prescriber's recorded decision to dose despite a gate.

    ``kind='reading'``: the gate is a reading (an elevated pre-dose reading, or a
    post-dose alert before a booster), named by ``reading_id``.
    ``kind='checklist'``: a blocking checklist answer, named by ``item_id``.
    """

    __tablename__ = "hold_overrides"
    __table_args__ = (Index("ix_hold_overrides_session_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(_fk("dosing_sessions.id"))
    reading_id: Mapped[int | None] = mapped_column(_fk("vital_readings.id"))
    kind: Mapped[str] = mapped_column(String(32), default="reading", server_default="reading")
    item_id: Mapped[str | None] = mapped_column(String(64))
    prescriber_name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[int] = mapped_column(_fk("users.id"))
    recorded_at: Mapped[datetime]


class Dose(Base):
    __tablename__ = "doses"
    __table_args__ = (Index("ix_doses_session_id_given_at", "session_id", "given_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(_fk("dosing_sessions.id"))
    medication: Mapped[str] = mapped_column(String(64))
    route: Mapped[str] = mapped_column(String(32))
    amount: Mapped[float]  # as entered, in ``unit``
    unit: Mapped[str] = mapped_column(String(32))
    mg: Mapped[float]
    given_at: Mapped[datetime]
    lot_number: Mapped[str] = mapped_column(String(64))
    given_by: Mapped[int] = mapped_column(_fk("users.id"))
    is_booster: Mapped[bool] = mapped_column(default=False)
    over_limit: Mapped[bool] = mapped_column(default=False)
    confirmation_reason: Mapped[str | None] = mapped_column(Text)
    confirmed_by: Mapped[int | None] = mapped_column(_fk("users.id"))
    recorded_by: Mapped[int] = mapped_column(_fk("users.id"))
    recorded_at: Mapped[datetime]
    # revision 0004: warnings acknowledged with the dose (texts)
    warnings: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    # revision 0005: entered in error (who marked it, when, why); None while it stands
    error_at: Mapped[datetime | None]
    error_by: Mapped[int | None]  # a user id (no foreign key, see revision 0005)
    error_reason: Mapped[str | None] = mapped_column(Text)


class SideEffect(Base):
    __tablename__ = "side_effects"
    __table_args__ = (Index("ix_side_effects_session_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(_fk("dosing_sessions.id"))
    effect_id: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    present: Mapped[bool]
    severity: Mapped[str | None] = mapped_column(String(32))
    onset_at: Mapped[datetime | None]
    intervention: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None]
    recorded_by: Mapped[int] = mapped_column(_fk("users.id"))
    recorded_at: Mapped[datetime]
    # revision 0005: entered in error (who marked it, when, why); None while it stands
    error_at: Mapped[datetime | None]
    error_by: Mapped[int | None]  # a user id (no foreign key, see revision 0005)
    error_reason: Mapped[str | None] = mapped_column(Text)


class Observation(Base):
    """Sedation (MOAA/S score) or dissociation (present + free text) during monitoring."""

    __tablename__ = "observations"
    __table_args__ = (
        Index("ix_observations_session_id_observed_at", "session_id", "observed_at"),
        CheckConstraint("kind IN ('moaas', 'dissociation')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(_fk("dosing_sessions.id"))
    kind: Mapped[str] = mapped_column(String(32))
    score: Mapped[int | None]
    present: Mapped[bool | None]
    text: Mapped[str] = mapped_column(Text, default="")
    observed_at: Mapped[datetime]
    recorded_by: Mapped[int] = mapped_column(_fk("users.id"))
    recorded_at: Mapped[datetime]
    # revision 0005: entered in error (who marked it, when, why); None while it stands
    error_at: Mapped[datetime | None]
    error_by: Mapped[int | None]  # a user id (no foreign key, see revision 0005)
    error_reason: Mapped[str | None] = mapped_column(Text)


class InstrumentResult(Base):
    __tablename__ = "instrument_results"
    __table_args__ = (
        Index("ix_instrument_results_patient", "patient_id", "instrument", "taken_at"),
        Index("ix_instrument_results_course_id", "course_id"),
        Index("ix_instrument_results_session_id", "session_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(_fk("patients.id"))
    course_id: Mapped[int | None] = mapped_column(_fk("courses.id"))
    session_id: Mapped[int | None] = mapped_column(_fk("dosing_sessions.id"))
    instrument: Mapped[str] = mapped_column(String(32))  # 'PHQ-9' | 'GAD-7'
    answers: Mapped[list[Any]]
    total: Mapped[int]
    band: Mapped[str] = mapped_column(String(64))
    item9_flag: Mapped[bool] = mapped_column(default=False)
    taken_at: Mapped[datetime]
    recorded_by: Mapped[int] = mapped_column(_fk("users.id"))
    recorded_at: Mapped[datetime]
    # revision 0004: the scoring rule (instrument, version, bands) behind total and band
    scoring_rule: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # revision 0005: entered in error (who marked it, when, why); None while it stands
    error_at: Mapped[datetime | None]
    error_by: Mapped[int | None]  # a user id (no foreign key, see revision 0005)
    error_reason: Mapped[str | None] = mapped_column(Text)


class Note(Base):
    """A dosing-session note, or an integration note following up ``dosing_session_id``.

    A ``final`` note is signed (``signed_at``/``signed_by``) and immutable;
    corrections are new notes with ``addendum_of`` pointing at it.
    """

    __tablename__ = "notes"
    __table_args__ = (
        Index("ix_notes_course_id_held_at", "course_id", "held_at"),
        Index("ix_notes_dosing_session_id", "dosing_session_id"),
        CheckConstraint("kind IN ('session', 'integration')", name="kind"),
        CheckConstraint("status IN ('draft', 'final')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    course_id: Mapped[int] = mapped_column(_fk("courses.id"))
    dosing_session_id: Mapped[int | None] = mapped_column(_fk("dosing_sessions.id"))
    held_at: Mapped[datetime]
    sections: Mapped[dict[str, Any]] = mapped_column(default=dict)  # themes/changes/plan/risk
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    author_id: Mapped[int] = mapped_column(_fk("users.id"))
    signed_at: Mapped[datetime | None]
    signed_by: Mapped[int | None] = mapped_column(_fk("users.id"))
    addendum_of: Mapped[int | None] = mapped_column(_fk("notes.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AuditEntry(Base):
    """One append-only, hash-chained audit row; write it only via ``audit.append``.

    ``before``/``after`` hold canonical JSON *text* (not a JSON column) so the
    hash covers exactly the stored bytes; read them with ``before_data`` /
    ``after_data``. ``user_id`` has no foreign key so auditing can never fail.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity_entity_id", "entity", "entity_id"),
        Index("ix_audit_log_at", "at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    user_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    @property
    def before_data(self) -> dict[str, Any] | None:
        return _load_json(self.before)

    @property
    def after_data(self) -> dict[str, Any] | None:
        return _load_json(self.after)


class Setting(Base):
    """One typed setting (see :mod:`kapdesk.storage.settings_store`)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


def _load_json(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("audit before/after must be a JSON object")
    return data


# --- revision 0002: signatures and addenda ------------------------------------------------


class Signature(Base):
    """An electronic signature of one record (see :mod:`kapdesk.domain.signing`).

    ``entity``/``entity_id`` name the record (no foreign key: three kinds of
    record); at most one signature per record. Signer name and role are copied
    as they were at signing. ``content_sha256`` covers the record and all it
    holds; ``hash_scheme`` says how it was computed. Append-only: triggers
    (revision 0002) reject UPDATE and DELETE.
    """

    __tablename__ = "signatures"
    __table_args__ = (
        Index("ix_signatures_entity_entity_id", "entity", "entity_id", unique=True),
        Index("ix_signatures_signer_id", "signer_id"),
        CheckConstraint("entity IN ('dosing_session', 'note', 'addendum')", name="entity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int]
    signer_id: Mapped[int] = mapped_column(_fk("users.id"))
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_role: Mapped[str] = mapped_column(String(32))
    signed_at: Mapped[datetime]
    meaning: Mapped[str] = mapped_column(String(200))
    content_sha256: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(32))
    hash_scheme: Mapped[int] = mapped_column(default=1)


class Addendum(Base):
    """Text (and optionally corrected values) appended to a signed session or note.

    The original stays unchanged; an addendum may itself be signed (a
    ``signatures`` row with entity ``addendum``). Append-only like signatures.
    """

    __tablename__ = "addenda"
    __table_args__ = (
        Index("ix_addenda_entity_entity_id", "entity", "entity_id"),
        Index("ix_addenda_author_id", "author_id"),
        CheckConstraint("entity IN ('dosing_session', 'note')", name="entity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int]
    author_id: Mapped[int] = mapped_column(_fk("users.id"))
    author_name: Mapped[str] = mapped_column(String(200))
    author_role: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)
    corrected: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


# --- revision 0004: clinical safety ----------------------------------------------------------


class ProtocolVersion(Base):
    """The exact text of a protocol version some course used (see ``courses.protocol_hash``).

    Rows are only added: a course is judged with its pinned text for ever.
    """

    __tablename__ = "protocol_versions"
    __table_args__ = (
        Index("ix_protocol_versions_protocol_id_version", "protocol_id", "version", unique=True),
        Index("ix_protocol_versions_sha256", "sha256", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    protocol_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64))
    source_text: Mapped[str] = mapped_column(Text)
    source_name: Mapped[str] = mapped_column(String(200))
    stored_at: Mapped[datetime]


class AlertAcknowledgement(Base):
    """A clinician's acknowledgement of an alert or critical reading (it leaves the board)."""

    __tablename__ = "alert_acknowledgements"
    __table_args__ = (Index("ix_alert_acknowledgements_session_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(_fk("dosing_sessions.id"))
    reading_id: Mapped[int] = mapped_column(_fk("vital_readings.id"))
    acknowledged_by: Mapped[int] = mapped_column(_fk("users.id"))
    acknowledged_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")
