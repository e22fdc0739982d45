"""Acknowledging an alert or critical reading (clinicians only), and listing the active
alerts of a session.

Decisions a caller must know:

* Only a reading whose band is alert or critical can be acknowledged, once; the
  acknowledgement names who and when (and an optional note) and is audited as
  ``alert.acknowledge`` on entity ``alert_acknowledgement``.
* An acknowledged alert leaves the board and the banner; the reading itself,
  its band and its rule stay in the record unchanged.
* Which alerts are active is ``kapdesk.domain.alerts.active_alerts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from kapdesk.domain.alerts import ActiveAlert, is_alert_band
from kapdesk.domain.errors import NotFound, ValidationError
from kapdesk.domain.patients import validate_notes
from kapdesk.domain.permissions import Action
from kapdesk.domain.protocol import Band
from kapdesk.i18n import _
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.due_readings import acknowledged_readings, session_alerts
from kapdesk.services.guard import audit_denials
from kapdesk.services.recording import audit_row
from kapdesk.services.session_support import load, reading_text
from kapdesk.services.signed_records import ensure_not_signed
from kapdesk.services.wording import band_word
from kapdesk.storage.orm import AlertAcknowledgement, VitalReading


@dataclass(frozen=True)
class AcknowledgementInfo:
    id: int
    session_id: int
    reading_id: int
    acknowledged_by: str
    acknowledged_at: datetime
    note: str


@audit_denials
class AlertService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def acknowledge(
        self, actor: Actor, session_id: int, reading_id: int, note: str = ""
    ) -> AcknowledgementInfo:
        text = validate_notes("Note", note)
        actor.require(Action.ACKNOWLEDGE_ALERT)
        with self.ctx.db.write() as s:
            loaded = load(s, self.ctx, session_id)
            ensure_not_signed(s, "dosing_session", session_id, self.ctx.tz)
            reading = s.get(VitalReading, reading_id)
            if reading is None or reading.session_id != session_id:
                raise NotFound(
                    _(
                        "Session #{session} has no reading #{reading}.",
                        session=session_id,
                        reading=reading_id,
                    )
                )
            if reading.error_at is not None:
                raise ValidationError(
                    "Reading",
                    reading_id,
                    _(
                        "{reading} was marked entered in error: it raises no alert to acknowledge.",
                        reading=reading_text(reading, loaded.protocol),
                    ),
                )
            if not is_alert_band(Band(reading.band)):
                raise ValidationError(
                    "Reading",
                    reading_id,
                    _(
                        "{reading} is {band} ({protocol}): only an alert or critical reading "
                        "is acknowledged.",
                        reading=reading_text(reading, loaded.protocol),
                        band=band_word(reading.band),
                        protocol=reading.protocol_label,
                    ),
                )
            done = s.scalar(
                select(AlertAcknowledgement).where(AlertAcknowledgement.reading_id == reading_id)
            )
            if done is not None:
                raise ValidationError(
                    "Reading",
                    reading_id,
                    _(
                        "The alert of {reading} was already acknowledged at {when}.",
                        reading=reading_text(reading, loaded.protocol),
                        when=self.ctx.shown(done.acknowledged_at, zone=True),
                    ),
                )
            row = AlertAcknowledgement(
                session_id=session_id,
                reading_id=reading_id,
                acknowledged_by=actor.user_id,
                acknowledged_at=self.ctx.now(),
                note=text,
            )
            s.add(row)
            s.flush()
            audit_row(s, self.ctx, actor, "alert.acknowledge", row)
            return AcknowledgementInfo(
                row.id, session_id, reading_id, actor.full_name, row.acknowledged_at, text
            )

    def active(self, session_id: int) -> tuple[ActiveAlert, ...]:
        """The session's active alerts now, most serious first."""
        with self.ctx.db.read() as s:
            loaded = load(s, self.ctx, session_id)
            readings = list(
                s.scalars(select(VitalReading).where(VitalReading.session_id == session_id))
            )
            acked = acknowledged_readings(s, [session_id]).get(session_id, set())
        return session_alerts(loaded.protocol, readings, acked, self.ctx.now())
