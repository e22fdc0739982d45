"""The audited tables and the entity name their rows are recorded under.

Read by the services when they audit a row (``kapdesk.services.recording``) and by the
audit replay behind ``kapdesk check`` (``kapdesk.storage.audit_replay``, which
re-exports both); kept apart so that writing one entry does not load the replay.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Audited:
    table: str
    entity: str
    key: str = "id"


AUDITED: tuple[Audited, ...] = (
    Audited("users", "user"),
    Audited("patients", "patient"),
    Audited("protocol_versions", "protocol_version"),
    Audited("courses", "course"),
    Audited("dosing_sessions", "dosing_session"),
    Audited("vital_readings", "vital_reading"),
    Audited("hold_overrides", "hold_override"),
    Audited("doses", "dose"),
    Audited("side_effects", "side_effect"),
    Audited("observations", "observation"),
    Audited("instrument_results", "instrument_result"),
    Audited("notes", "note"),
    Audited("signatures", "signature"),
    Audited("addenda", "addendum"),
    Audited("alert_acknowledgements", "alert_acknowledgement"),
    Audited("settings", "setting", key="key"),
)
