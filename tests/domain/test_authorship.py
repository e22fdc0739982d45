"""The author-or-clinician rule: one definition for notes and addenda."""

from __future__ import annotations

import pytest

from kapdesk.domain.authorship import is_author_or_clinician, require_author_or_clinician
from kapdesk.domain.errors import PermissionDenied
from kapdesk.domain.permissions import Action, Role, can


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", [Action.SIGN_INTEGRATION_NOTE, Action.WRITE_ADDENDUM])
def test_author_or_clinician_among_those_allowed_the_action(role: Role, action: Action) -> None:
    own = is_author_or_clinician(role, 7, 7, action)
    other = is_author_or_clinician(role, 7, 8, action)
    assert own == can(role, action)
    assert other == (can(role, action) and role is Role.CLINICIAN)


def test_refusal_names_the_author_and_what() -> None:
    with pytest.raises(
        PermissionDenied, match=r"Only the author \(Ann Lee\) or a clinician may sign note 4\."
    ):
        require_author_or_clinician(
            Role.THERAPIST, 7, 8, Action.SIGN_INTEGRATION_NOTE, author="Ann Lee", what="sign note 4"
        )
    require_author_or_clinician(
        Role.CLINICIAN, 7, 8, Action.SIGN_INTEGRATION_NOTE, author="Ann Lee", what="sign note 4"
    )
