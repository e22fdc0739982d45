from __future__ import annotations

import pytest

from kapdesk.domain.errors import PermissionDenied, ValidationError
from kapdesk.domain.permissions import (
    ACTION_LABELS,
    Action,
    Role,
    allowed_actions,
    can,
    parse_role,
    require,
    roles_that_can,
)

# The expected matrix, written out by hand (not derived from the module).
#                                 nurse therapist clinician admin
MATRIX = """
view_patient                        Y       Y         Y       .
edit_patient                        Y       .         Y       .
manage_courses                      .       .         Y       .
schedule_session                    Y       Y         Y       .
check_in                            Y       Y         Y       .
complete_checklist                  Y       .         Y       .
record_vitals                       Y       Y         Y       .
record_dose                         Y       .         Y       .
record_side_effect                  Y       Y         Y       .
record_observation                  Y       Y         Y       .
record_instrument                   Y       Y         Y       .
override_hold                       .       .         Y       .
acknowledge_alert                   .       .         Y       .
confirm_over_max_dose               .       .         Y       .
confirm_same_day_dose               .       .         Y       .
withhold_dose                       Y       .         Y       .
cancel_session                      Y       Y         Y       .
discharge                           Y       .         Y       .
discharge_with_unmet_criteria       .       .         Y       .
write_session_note                  Y       Y         Y       .
write_integration_note              .       Y         Y       .
sign_session                        .       .         Y       .
sign_integration_note               .       Y         Y       .
write_addendum                      Y       Y         Y       .
mark_entered_in_error               Y       Y         Y       .
print_report                        .       Y         Y       .
view_cohort                         .       .         Y       .
view_audit                          .       .         Y       Y
manage_users                        .       .         .       Y
backup_restore                      .       .         .       Y
manage_settings                     .       .         .       Y
"""
ROLES_IN_COLUMNS = ["nurse", "therapist", "clinician", "admin"]


def _cells() -> list[tuple[str, str, bool]]:
    cells = []
    for line in MATRIX.strip().splitlines():
        action, *marks = line.split()
        assert len(marks) == len(ROLES_IN_COLUMNS), line
        for role, mark in zip(ROLES_IN_COLUMNS, marks, strict=True):
            assert mark in ("Y", "."), line
            cells.append((role, action, mark == "Y"))
    return cells


CELLS = _cells()


def test_the_table_lists_every_role_and_action_once() -> None:
    actions = [a for _, a, _ in CELLS[:: len(ROLES_IN_COLUMNS)]]
    assert sorted(actions) == sorted(a.value for a in Action)
    assert len(actions) == len(set(actions))
    assert {r.value for r in Role} == set(ROLES_IN_COLUMNS)
    assert len(CELLS) == len(Role) * len(Action)


@pytest.mark.parametrize(("role", "action", "allowed"), CELLS)
def test_every_cell(role: str, action: str, allowed: bool) -> None:
    assert can(Role(role), Action(action)) is allowed
    assert (Action(action) in allowed_actions(Role(role))) is allowed
    assert (Role(role) in roles_that_can(Action(action))) is allowed
    if allowed:
        require(Role(role), Action(action))
    else:
        with pytest.raises(PermissionDenied) as info:
            require(Role(role), Action(action))
        assert info.value.role == role
        assert info.value.action == action
        article = "An" if role == "admin" else "A"
        assert str(info.value) == f"{article} {role} may not {ACTION_LABELS[Action(action)]}."


def test_messages_read_as_sentences() -> None:
    with pytest.raises(PermissionDenied, match=r"^A nurse may not override a pre-dose hold\.$"):
        require(Role.NURSE, Action.OVERRIDE_HOLD)
    with pytest.raises(PermissionDenied, match=r"^An admin may not record vital signs\.$"):
        require(Role.ADMIN, Action.RECORD_VITALS)
    with pytest.raises(PermissionDenied, match=r"^A therapist may not record a dose\.$"):
        require(Role.THERAPIST, Action.RECORD_DOSE)


def test_every_action_has_a_label() -> None:
    assert set(ACTION_LABELS) == set(Action)
    assert all(label and label[0].islower() for label in ACTION_LABELS.values())


def test_admin_enters_no_clinical_data() -> None:
    assert allowed_actions(Role.ADMIN) == {
        Action.VIEW_AUDIT,
        Action.MANAGE_USERS,
        Action.BACKUP_RESTORE,
        Action.MANAGE_SETTINGS,
    }


@pytest.mark.parametrize(("text", "role"), [("nurse", Role.NURSE), (" Admin ", Role.ADMIN)])
def test_parse_role(text: str, role: Role) -> None:
    assert parse_role(text) is role


def test_parse_role_refuses_unknown_roles() -> None:
    with pytest.raises(ValidationError) as info:
        parse_role("doctor")
    assert info.value.message == (
        "Role 'doctor' is not known; choose one of nurse, therapist, clinician, admin."
    )
