"""Who may do what: the role x action matrix, as data.

The split follows who is in the room. Nurses check patients in, run the
checklist, give and record doses, take vitals and observe. Therapists run the
session in the room (vitals, side effects, observations), write session and
integration notes and enter PHQ-9/GAD-7, but do not give or withhold medicine.
Clinicians (prescribers) may do every clinical action, including the ones that
go past a safety stop: overriding a pre-dose hold, confirming a dose above the
protocol maximum and discharging with unmet criteria. Admins look after users,
backups, the clinic settings and the audit log and enter no clinical data and read no chart.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from kapdesk.domain.errors import PermissionDenied, ValidationError


class Role(StrEnum):
    NURSE = "nurse"
    THERAPIST = "therapist"
    CLINICIAN = "clinician"
    ADMIN = "admin"


class Action(StrEnum):
    VIEW_PATIENT = "view_patient"
    EDIT_PATIENT = "edit_patient"
    MANAGE_COURSES = "manage_courses"
    SCHEDULE_SESSION = "schedule_session"
    CHECK_IN = "check_in"
    COMPLETE_CHECKLIST = "complete_checklist"
    RECORD_VITALS = "record_vitals"
    RECORD_DOSE = "record_dose"
    RECORD_SIDE_EFFECT = "record_side_effect"
    RECORD_OBSERVATION = "record_observation"
    RECORD_INSTRUMENT = "record_instrument"
    OVERRIDE_HOLD = "override_hold"
    ACKNOWLEDGE_ALERT = "acknowledge_alert"
    CONFIRM_OVER_MAX_DOSE = "confirm_over_max_dose"
    CONFIRM_SAME_DAY_DOSE = "confirm_same_day_dose"
    WITHHOLD_DOSE = "withhold_dose"
    CANCEL_SESSION = "cancel_session"
    DISCHARGE = "discharge"
    DISCHARGE_WITH_UNMET_CRITERIA = "discharge_with_unmet_criteria"
    WRITE_SESSION_NOTE = "write_session_note"
    WRITE_INTEGRATION_NOTE = "write_integration_note"
    SIGN_SESSION = "sign_session"
    SIGN_INTEGRATION_NOTE = "sign_integration_note"
    WRITE_ADDENDUM = "write_addendum"
    MARK_ENTERED_IN_ERROR = "mark_entered_in_error"
    PRINT_REPORT = "print_report"
    VIEW_COHORT = "view_cohort"
    VIEW_AUDIT = "view_audit"
    MANAGE_USERS = "manage_users"
    BACKUP_RESTORE = "backup_restore"
    MANAGE_SETTINGS = "manage_settings"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


# Completes "A nurse may not ..." / "A clinician may ...".
ACTION_LABELS: Mapping[Action, str] = MappingProxyType(
    {
        Action.VIEW_PATIENT: "view a patient's chart",
        Action.EDIT_PATIENT: "edit a patient's details",
        Action.MANAGE_COURSES: "start or change a treatment course",
        Action.SCHEDULE_SESSION: "schedule a session",
        Action.CHECK_IN: "check a patient in",
        Action.COMPLETE_CHECKLIST: "complete the pre-session checklist",
        Action.RECORD_VITALS: "record vital signs",
        Action.RECORD_DOSE: "record a dose",
        Action.RECORD_SIDE_EFFECT: "record a side effect",
        Action.RECORD_OBSERVATION: "record a sedation or dissociation observation",
        Action.RECORD_INSTRUMENT: "record a PHQ-9 or GAD-7",
        Action.OVERRIDE_HOLD: "override a pre-dose hold",
        Action.ACKNOWLEDGE_ALERT: "acknowledge an alert reading",
        Action.CONFIRM_OVER_MAX_DOSE: "confirm a dose above the protocol maximum",
        Action.CONFIRM_SAME_DAY_DOSE: "confirm a second dosing session on one day",
        Action.WITHHOLD_DOSE: "withhold a dose",
        Action.CANCEL_SESSION: "cancel a session",
        Action.DISCHARGE: "discharge a patient",
        Action.DISCHARGE_WITH_UNMET_CRITERIA: "discharge a patient with unmet criteria",
        Action.WRITE_SESSION_NOTE: "write a session note",
        Action.WRITE_INTEGRATION_NOTE: "write an integration note",
        Action.SIGN_SESSION: "sign a dosing session",
        Action.SIGN_INTEGRATION_NOTE: "sign an integration note",
        Action.WRITE_ADDENDUM: "write an addendum",
        Action.MARK_ENTERED_IN_ERROR: "mark an entry as entered in error",
        Action.PRINT_REPORT: "print a report",
        Action.VIEW_COHORT: "view or export the clinic's cohort outcomes",
        Action.VIEW_AUDIT: "view the audit log",
        Action.MANAGE_USERS: "manage user accounts",
        Action.BACKUP_RESTORE: "back up or restore the database",
        Action.MANAGE_SETTINGS: "change the clinic settings",
    }
)

ROLE_LABELS: Mapping[Role, str] = MappingProxyType(
    {
        Role.NURSE: "nurse",
        Role.THERAPIST: "therapist",
        Role.CLINICIAN: "clinician",
        Role.ADMIN: "admin",
    }
)

_A = Action
_IN_THE_ROOM = frozenset(
    {
        _A.VIEW_PATIENT,
        _A.SCHEDULE_SESSION,
        _A.CHECK_IN,
        _A.RECORD_VITALS,
        _A.RECORD_SIDE_EFFECT,
        _A.RECORD_OBSERVATION,
        _A.RECORD_INSTRUMENT,
        _A.CANCEL_SESSION,
        _A.WRITE_SESSION_NOTE,
        _A.WRITE_ADDENDUM,
        _A.MARK_ENTERED_IN_ERROR,  # what one recorded oneself (domain.corrections)
    }
)
_NURSE = _IN_THE_ROOM | {
    _A.EDIT_PATIENT,
    _A.COMPLETE_CHECKLIST,
    _A.RECORD_DOSE,
    _A.WITHHOLD_DOSE,
    _A.DISCHARGE,
}
_THERAPIST = _IN_THE_ROOM | {
    _A.WRITE_INTEGRATION_NOTE,
    _A.SIGN_INTEGRATION_NOTE,
    _A.PRINT_REPORT,
}
_ADMIN = frozenset({_A.VIEW_AUDIT, _A.MANAGE_USERS, _A.BACKUP_RESTORE, _A.MANAGE_SETTINGS})
# Everything clinical: all actions but the admin-only ones (the audit log is both).
_CLINICIAN = frozenset(Action) - (_ADMIN - {_A.VIEW_AUDIT})

PERMISSIONS: Mapping[Role, frozenset[Action]] = MappingProxyType(
    {
        Role.NURSE: frozenset(_NURSE),
        Role.THERAPIST: frozenset(_THERAPIST),
        Role.CLINICIAN: _CLINICIAN,
        Role.ADMIN: _ADMIN,
    }
)


def _article(word: str) -> str:
    return "An" if word[:1].lower() in "aeiou" else "A"


def can(role: Role, action: Action) -> bool:
    return Action(action) in PERMISSIONS[Role(role)]


def require(role: Role, action: Action) -> None:
    """Raise PermissionDenied, e.g. 'A nurse may not override a pre-dose hold.'"""
    role, action = Role(role), Action(action)
    if action not in PERMISSIONS[role]:
        name = ROLE_LABELS[role]
        raise PermissionDenied(
            role.value, action.value, f"{_article(name)} {name} may not {action.label}."
        )


def allowed_actions(role: Role) -> frozenset[Action]:
    return PERMISSIONS[Role(role)]


def roles_that_can(action: Action) -> tuple[Role, ...]:
    return tuple(r for r in Role if Action(action) in PERMISSIONS[r])


def parse_role(text: str) -> Role:
    """A role from user input ('Nurse', ' admin '), or a ValidationError naming the choices."""
    try:
        return Role(text.strip().lower())
    except (ValueError, AttributeError):
        allowed = ", ".join(r.value for r in Role)
        raise ValidationError(
            "Role", text, f"Role '{text}' is not known; choose one of {allowed}."
        ) from None
