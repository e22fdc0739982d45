"""Who may change or sign an authored record: its author, or a clinician.

One definition for integration notes (edit, make final, sign) and addenda
(sign); services refuse with :func:`require_author_or_clinician` and views
enable their buttons with :func:`is_author_or_clinician`, so the two never
disagree.
"""

from __future__ import annotations

from kapdesk.domain.errors import PermissionDenied
from kapdesk.domain.permissions import Action, Role, can
from kapdesk.domain.wording import Wording
from kapdesk.i18n import N_


def is_author_or_clinician(role: Role, user_id: int, author_id: int, action: Action) -> bool:
    """True when the role may do ``action`` at all and the user wrote the record or is a
    clinician."""
    role = Role(role)
    return can(role, action) and (user_id == author_id or role is Role.CLINICIAN)


def require_author_or_clinician(
    role: Role, user_id: int, author_id: int, action: Action, *, author: str, what: str
) -> None:
    """Raise PermissionDenied: 'Only the author (Ann Lee) or a clinician may sign note 4.'.

    ``what`` completes the sentence after "may" ("change integration note #4"; a
    ``Wording`` reads translated where the refusal is shown). The sentence is kept in the
    audit log: English there (a ``Wording``).
    """
    if not is_author_or_clinician(role, user_id, author_id, action):
        raise PermissionDenied(
            Role(role).value,
            action.value,
            Wording(
                N_("Only the author ({author}) or a clinician may {what}."),
                author=author,
                what=what,
            ),
        )
