"""Errors every layer raises and every front end knows how to show.

Each carries a sentence fit for a clinician's screen; none should ever reach a
user as a traceback. The sentence is in the active language (kapdesk.i18n), except a
refusal's (PermissionDenied), which the audit log keeps: that one is a
:class:`~kapdesk.domain.wording.Wording`, English in the log, translated where shown
(``wording.shown_error(exc)``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kapdesk.domain.wording import Wording
from kapdesk.i18n import N_, _


class KapdeskError(Exception):
    """Base of every error kapdesk raises on purpose."""


class ValidationError(KapdeskError):
    """Input that must not be stored.

    ``field`` is the name the user sees (e.g. "Systolic"), ``value`` what was
    given, and ``message`` a whole sentence naming the field, the value and
    what is allowed.
    """

    def __init__(self, field: str, value: Any, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.value = value
        self.message = message


class PermissionDenied(KapdeskError):
    def __init__(self, role: str, action: str, message: str | None = None) -> None:
        self.role = role
        self.action = action
        if not message:
            message = Wording(
                N_("A {role} may not {action}."), role=role, action=action.replace("_", " ")
            )
        super().__init__(message)


class RecordLocked(KapdeskError):
    """The record is signed; corrections go in an addendum."""


class NotFound(KapdeskError):
    """No record with that id (or MRN, or username)."""


class IllegalTransition(KapdeskError):
    def __init__(self, current: str, target: str, message: str | None = None) -> None:
        self.current = current
        self.target = target
        super().__init__(
            message
            or _(
                "A session that is {state} cannot become {target}.",
                state=current.replace("_", " "),
                target=target.replace("_", " "),
            )
        )


class ProtocolError(KapdeskError):
    """A protocol file that cannot be used: names the file, the key and what was expected."""

    def __init__(self, source: str, key: str, expected: str) -> None:
        self.source = source
        self.key = key
        self.expected = expected
        super().__init__(
            _(
                "{source}: key '{key}': expected {expected}",
                source=source,
                key=key,
                expected=expected,
            )
        )


class AuthenticationFailed(KapdeskError):
    """Wrong username or password: deliberately does not say which."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(_("Unknown username or wrong password.") if message is None else message)


class AccountLocked(AuthenticationFailed):
    """Too many wrong passwords in a row: the account is locked until ``until`` (aware UTC).

    The message says until when, never whether the password just given was right.
    """

    def __init__(self, until: datetime, message: str) -> None:
        KapdeskError.__init__(self, message)
        self.until = until


class SignInRevoked(PermissionDenied):
    """The signed-in user's stored account no longer allows what their sign-in claimed.

    Raised inside the write transaction (``services.recording``) when the user was
    deactivated, locked, removed or given another role since signing in; the write is
    rolled back and the front end must have them sign in again. ``reason`` is one of
    ``"deactivated"``, ``"locked"``, ``"role_changed"``, ``"missing"``.
    """

    def __init__(self, role: str, action: str, reason: str, message: str) -> None:
        super().__init__(role, action, message)
        self.reason = reason


# The version of a record that does not exist yet (a session's first note) or has no audit
# entry: what an editor saves against when it started from nothing (see EditConflict).
NO_RECORD = 0


class EditConflict(KapdeskError):
    """Someone else changed the record since the caller's copy of it was read; nothing was
    written (two workstations editing one note or one patient's details).

    ``changed_by`` is the display name of who changed it last ("Someone" when no signed-in
    user did), ``changed_at`` when (aware UTC; None when unknown) and ``changed_at_text`` the
    same as a screen shows it ("10:42", with the date on another day). ``version`` is the
    record's version now: saving again with it replaces their change deliberately (theirs
    stays in the audit trail). ``current`` is the record as stored now (the service's DTO,
    e.g. a NoteInfo or PatientInfo) for the screen to show beside the user's own text.
    """

    def __init__(
        self,
        message: str,
        *,
        changed_by: str,
        changed_at: datetime | None,
        changed_at_text: str,
        version: int,
        current: Any,
    ) -> None:
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.changed_at_text = changed_at_text
        self.version = version
        self.current = current
