"""Errors every layer raises and every front end knows how to show.

Each carries a sentence fit for a clinician's screen; none should ever reach a
user as a traceback.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


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
        super().__init__(message or f"A {role} may not {action.replace('_', ' ')}.")


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
            or f"A session that is {current.replace('_', ' ')} cannot become "
            f"{target.replace('_', ' ')}."
        )


class ProtocolError(KapdeskError):
    """A protocol file that cannot be used: names the file, the key and what was expected."""

    def __init__(self, source: str, key: str, expected: str) -> None:
        self.source = source
        self.key = key
        self.expected = expected
        super().__init__(f"{source}: key '{key}': expected {expected}")


class AuthenticationFailed(KapdeskError):
    """Wrong username or password: deliberately does not say which."""

    def __init__(self, message: str = "Unknown username or wrong password.") -> None:
        super().__init__(message)


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
