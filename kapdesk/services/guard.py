"""Refused actions are audited, centrally: the ``@audit_denials`` class decorator.

Put it on a service class (one with ``self.ctx``). Every public method that
takes an ``actor`` is wrapped: when it raises :class:`PermissionDenied`, the
refusal is written to the audit trail as ``denied.<action>`` in its *own*
short write transaction (the refused change itself was rolled back, or never
started), then the error propagates unchanged. The entry names the record the
call was about when the method has a recognised id parameter (``session_id``,
``patient_id``, ``note_id``, ... or ``entity``/``entity_id``), so the audit
viewer can show which patient it concerned. Argument values other than that
id are never stored (no passwords, no clinical text).

On a clinic server each call is one use case run again from its start after a deadlock
or serialization failure (:func:`kapdesk.storage.write_retry.run_use_case`): a bounded
number of times, then one clear ``WriteConflict`` with nothing of it saved.

A refusal is audited once even when it passes through several wrapped methods.
Writing the entry must not hide the refusal: if the database cannot take it
(busy, read-only), the failure is logged and the PermissionDenied still raised.

A :class:`SignInRevoked` refusal (the actor's stored account was deactivated, locked or
given another role: see ``services.recording``) is audited the same way, written for
that user without re-checking them, and then reported to every callback in
``ctx.sign_in_revoked`` (the GUI returns to the sign-in screen).

Every public method of a decorated class also turns a ``UnicodeEncodeError`` (free text
with a lone surrogate reaching SQLite or the audit hash unchecked) into a
``ValidationError`` naming the argument (:func:`unstorable_text`); the write rolled back.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, Final, TypeVar

from kapdesk.domain.errors import PermissionDenied, SignInRevoked, ValidationError
from kapdesk.domain.text import (
    field_label,
    find_unstorable,
    first_control,
    require_storable,
)
from kapdesk.i18n import _
from kapdesk.services.context import Actor, ServiceContext
from kapdesk.services.recording import AuditRecord, audit_change
from kapdesk.services.wording import english_text
from kapdesk.storage.write_retry import run_use_case, write_retrying

_log = logging.getLogger(__name__)
_AUDITED = "_kapdesk_denial_audited"

T = TypeVar("T")

# Parameter name -> the audit entity it identifies.
TARGET_PARAMETERS: Final = {
    "session_id": "dosing_session",
    "patient_id": "patient",
    "course_id": "course",
    "note_id": "note",
    "side_effect_id": "side_effect",
    "user_id": "user",
}


def _target(arguments: dict[str, Any]) -> tuple[str, int | None]:
    entity, entity_id = arguments.get("entity"), arguments.get("entity_id")
    if isinstance(entity_id, int) and entity is not None:
        return str(entity)[:64], entity_id
    for name, kind in TARGET_PARAMETERS.items():
        value = arguments.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return kind, value
    return "permission", None


def record_denial(
    ctx: ServiceContext,
    actor: Actor,
    exc: PermissionDenied,
    where: str,
    target: tuple[str, int | None],
) -> None:
    """Write ``denied.<action>`` in its own transaction (never raises)."""
    if getattr(exc, _AUDITED, False):
        return
    setattr(exc, _AUDITED, True)
    entity, entity_id = target
    # The entry keeps the refusal's English (stored and hashed); the user saw their language.
    message = english_text(exc)
    after = {"role": exc.role, "action": exc.action, "call": where, "message": message}
    record = AuditRecord(f"denied.{exc.action}", entity, entity_id, after=after)
    try:
        # A refused user's attempt is recorded all the same.
        write_retrying(ctx.db, lambda s: audit_change(s, ctx, actor, record, recheck_actor=False))
    except Exception:  # the refusal matters more than its record; keep it visible in logs
        _log.exception("could not audit a refused action (%s by user %s)", where, actor.user_id)
    if isinstance(exc, SignInRevoked):
        _tell_revoked(ctx, actor, exc)


def _tell_revoked(ctx: ServiceContext, actor: Actor, exc: SignInRevoked) -> None:
    for callback in list(ctx.sign_in_revoked):
        try:
            callback(actor, exc)
        except Exception:  # a front end's callback must not replace the refusal
            _log.exception("sign_in_revoked callback failed")


def unstorable_text(
    signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> ValidationError | None:
    """A ValidationError naming the argument that holds text UTF-8 cannot encode, or None.

    The safety net behind the domain validators: a lone surrogate in any free text a
    service was given fails at encode time (SQLite, hashing); the write has rolled back,
    and the caller gets the field instead of a UnicodeEncodeError."""
    try:
        bound = signature.bind_partial(*args, **kwargs).arguments
    except TypeError:
        return None
    for name, value in bound.items():
        found = find_unstorable(value, name)
        if found is None:
            continue
        where, text = found
        label = field_label(where)
        if any(secret in where.lower() for secret in ("password", "passphrase", "secret")):
            return ValidationError(
                label,
                "(hidden)",
                _("{field} contains a character that cannot be stored.", field=_(label)),
            )
        try:
            require_storable(label, text)
        except ValidationError as exc:
            return exc
    return None


def _holds_control(value: Any) -> bool:
    """Whether ``value`` (a string, or one inside a mapping or collection) holds a
    control character free text may not hold."""
    if isinstance(value, str):
        return first_control(value) is not None
    if isinstance(value, dict):
        return any(_holds_control(k) or _holds_control(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(_holds_control(item) for item in value)
    return False


def _guarded(fn: Callable[..., Any], owner: str) -> Callable[..., Any]:
    signature = inspect.signature(fn)
    acting = "actor" in signature.parameters

    @functools.wraps(fn)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        # A control character (a NUL) given to a use case is refused before anything runs:
        # a SQLite file would store what a server refuses. (A lone surrogate fails at encode
        # time, below; a search without an actor finds nothing for it.)
        if acting and any(_holds_control(value) for value in (*args, *kwargs.values())):
            problem = unstorable_text(signature, (self, *args), kwargs)
            if problem is not None:
                raise problem
        try:
            ctx = getattr(self, "ctx", None)
            if isinstance(ctx, ServiceContext):  # on a server: again after a deadlock
                return run_use_case(ctx.db, lambda: fn(self, *args, **kwargs))
            return fn(self, *args, **kwargs)
        except UnicodeEncodeError:
            problem = unstorable_text(signature, (self, *args), kwargs)
            if problem is None:
                raise
            raise problem from None
        except PermissionDenied as exc:
            bound = signature.bind_partial(self, *args, **kwargs).arguments
            actor = bound.get("actor")  # None for a method without one: nothing to record
            ctx = getattr(self, "ctx", None)
            if isinstance(actor, Actor) and isinstance(ctx, ServiceContext):
                record_denial(ctx, actor, exc, f"{owner}.{fn.__name__}", _target(bound))
            raise

    return wrapper


def audit_denials(cls: type[T]) -> type[T]:
    """Class decorator: audit every PermissionDenied its public actor-taking methods raise."""
    for name, member in list(vars(cls).items()):
        if name.startswith("_") or not inspect.isfunction(member):
            continue
        setattr(cls, name, _guarded(member, cls.__name__))
    return cls
