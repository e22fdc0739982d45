"""Password hashing: argon2id with argon2-cffi's defaults (above OWASP's minimum)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# The demo accounts only (their password, "demo", is printed in the README): the cheapest
# argon2id parameters, so the demo builder can sign hundreds of records through
# SigningService (a password re-entry each) in well under a second. The first sign-in
# re-hashes with the defaults (needs_rehash; audited as auth.rehashed).
_demo_hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``salt``: None (a random one) except for the demo accounts (reproducible demos),
    which are also hashed with the demo parameters above."""
    if salt is not None:
        return _demo_hasher.hash(password, salt=salt)
    return _hasher.hash(password, salt=salt)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
