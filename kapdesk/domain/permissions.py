"""Who may do what: the role x action matrix, as data.

The split follows who is in the room. Nurses check patients in, run the
checklist, give and record doses, take vitals and observe. Therapists run the
session in the room (vitals, side effects, observations), write session and
integration notes and enter PHQ-9/GAD-7, but do not give or withhold medicine.
Clinicians (prescribers) may do every clinical action, including the ones that
go past a safety stop: overriding a pre-dose hold, confirming a dose above the
protocol maximum and discharging with unmet criteria. Admins look after users,
backups, the clinic settings and the audit log and enter no clinical data and read no chart.

Words: ``Action.label`` and :func:`role_name` / :func:`role_phrase` are in the active
language; a refusal (:func:`require`) is kept in the audit log, so its sentence is a
``Wording`` (English there, translated where shown).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from kapdesk.domain.errors import PermissionDenied, ValidationError
from kapdesk.domain.wording import Wording
from kapdesk.i18n import N_, _


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
        """Completes 'A nurse may not ...', in the active language."""
        return _(ACTION_LABELS[self])


# Completes "A nurse may not ..." / "A clinician may ...".
ACTION_LABELS: Mapping[Action, str] = MappingProxyType(
    {
        Action.VIEW_PATIENT: N_("view a patient's chart"),
        Action.EDIT_PATIENT: N_("edit a patient's details"),
        Action.MANAGE_COURSES: N_("start or change a treatment course"),
        Action.SCHEDULE_SESSION: N_("schedule a session"),
        Action.CHECK_IN: N_("check a patient in"),
        Action.COMPLETE_CHECKLIST: N_("complete the pre-session checklist"),
        Action.RECORD_VITALS: N_("record vital signs"),
        Action.RECORD_DOSE: N_("record a dose"),
        Action.RECORD_SIDE_EFFECT: N_("record a side effect"),
        Action.RECORD_OBSERVATION: N_("record a sedation or dissociation observation"),
        Action.RECORD_INSTRUMENT: N_("record a PHQ-9 or GAD-7"),
        Action.OVERRIDE_HOLD: N_("override a pre-dose hold"),
        Action.ACKNOWLEDGE_ALERT: N_("acknowledge an alert reading"),
        Action.CONFIRM_OVER_MAX_DOSE: N_("confirm a dose above the protocol maximum"),
        Action.CONFIRM_SAME_DAY_DOSE: N_("confirm a second dosing session on one day"),
        Action.WITHHOLD_DOSE: N_("withhold a dose"),
        Action.CANCEL_SESSION: N_("cancel a session"),
        Action.DISCHARGE: N_("discharge a patient"),
        Action.DISCHARGE_WITH_UNMET_CRITERIA: N_("discharge a patient with unmet criteria"),
        Action.WRITE_SESSION_NOTE: N_("write a session note"),
        Action.WRITE_INTEGRATION_NOTE: N_("write an integration note"),
        Action.SIGN_SESSION: N_("sign a dosing session"),
        Action.SIGN_INTEGRATION_NOTE: N_("sign an integration note"),
        Action.WRITE_ADDENDUM: N_("write an addendum"),
        Action.MARK_ENTERED_IN_ERROR: N_("mark an entry as entered in error"),
        Action.PRINT_REPORT: N_("print a report"),
        Action.VIEW_COHORT: N_("view or export the clinic's cohort outcomes"),
        Action.VIEW_AUDIT: N_("view the audit log"),
        Action.MANAGE_USERS: N_("manage user accounts"),
        Action.BACKUP_RESTORE: N_("back up or restore the database"),
        Action.MANAGE_SETTINGS: N_("change the clinic settings"),
    }
)

ROLE_LABELS: Mapping[Role, str] = MappingProxyType(
    {
        Role.NURSE: N_("nurse"),
        Role.THERAPIST: N_("therapist"),
        Role.CLINICIAN: N_("clinician"),
        Role.ADMIN: N_("admin"),
    }
)

# A person of the role in a sentence ("A nurse may not ...", "or a clinician records").
ROLE_PHRASES: Mapping[Role, str] = MappingProxyType(
    {
        Role.NURSE: N_("a nurse"),
        Role.THERAPIST: N_("a therapist"),
        Role.CLINICIAN: N_("a clinician"),
        Role.ADMIN: N_("an admin"),
    }
)


def role_name(role: Role) -> str:
    """'nurse' in the active language (ROLE_LABELS keeps the English)."""
    return _(ROLE_LABELS[Role(role)])


def role_phrase(role: Role) -> str:
    """'a nurse', 'an admin' in the active language."""
    return _(ROLE_PHRASES[Role(role)])


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


def can(role: Role, action: Action) -> bool:
    return Action(action) in PERMISSIONS[Role(role)]


def require(role: Role, action: Action) -> None:
    """Raise PermissionDenied, e.g. 'A nurse may not override a pre-dose hold.'"""
    role, action = Role(role), Action(action)
    if action not in PERMISSIONS[role]:
        who = Wording.derived(Wording(ROLE_PHRASES[role]), lambda t: t[:1].upper() + t[1:])
        message = Wording(
            N_("{who} may not {action}."), who=who, action=Wording(ACTION_LABELS[action])
        )
        raise PermissionDenied(role.value, action.value, message)


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
            "Role",
            text,
            _("Role '{role}' is not known; choose one of {allowed}.", role=text, allowed=allowed),
        ) from None
