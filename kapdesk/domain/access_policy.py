"""Access-control policy as data: failed-login lockout and the password-hashing floor.

The numbers live here, in one place (HIPAA Security Rule technical safeguards;
OWASP Password Storage Cheat Sheet). Services apply them through the pure
functions below; nothing here touches the database or the clock.

* :data:`LOGIN_POLICY`: after ``max_failed_attempts`` wrong passwords in a row
  (sign-in or re-entering the password to sign) the account locks for
  ``lockout``; a successful sign-in, an administrator's unlock or a password
  reset clears the count. When a lock has run out the count starts again at 0.
* :data:`OWASP_ARGON2ID_MINIMUMS`: the argon2id configurations OWASP lists as
  equivalent minimums (memory in KiB, iterations, parallelism 1). kapdesk's
  hasher must meet at least one of them (a test asserts it).
* The minimum password length (10) is ``LIMITS.password_min`` in
  :mod:`kapdesk.domain.patients`, with the other input limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final


@dataclass(frozen=True)
class LoginPolicy:
    max_failed_attempts: int = 5
    lockout: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        if self.max_failed_attempts < 1 or self.lockout <= timedelta(0):
            raise ValueError("a login policy needs at least one attempt and a positive lockout")


LOGIN_POLICY: Final = LoginPolicy()


@dataclass(frozen=True)
class Argon2Parameters:
    memory_kib: int
    time_cost: int
    parallelism: int


# OWASP Password Storage Cheat Sheet, argon2id: "m=47104 (46 MiB), t=1, p=1" ...
# "m=7168 (7 MiB), t=5, p=1" - equivalent in defence, any one of them is the floor.
OWASP_ARGON2ID_MINIMUMS: Final = (
    Argon2Parameters(47104, 1, 1),
    Argon2Parameters(19456, 2, 1),
    Argon2Parameters(12288, 3, 1),
    Argon2Parameters(9216, 4, 1),
    Argon2Parameters(7168, 5, 1),
)


def meets_owasp_minimum(params: Argon2Parameters) -> bool:
    """At least one OWASP configuration is met in both memory and iterations."""
    return params.parallelism >= 1 and any(
        params.memory_kib >= m.memory_kib and params.time_cost >= m.time_cost
        for m in OWASP_ARGON2ID_MINIMUMS
    )


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until


def lock_ran_out(locked_until: datetime | None, now: datetime) -> bool:
    """A lock was set and has expired: the failure count starts again."""
    return locked_until is not None and now >= locked_until


def after_failure(
    failed_before: int, now: datetime, policy: LoginPolicy = LOGIN_POLICY
) -> tuple[int, datetime | None]:
    """(failures in a row, locked until or None) after one more wrong password."""
    failures = failed_before + 1
    if failures >= policy.max_failed_attempts:
        return failures, now + policy.lockout
    return failures, None
