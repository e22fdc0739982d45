"""Encryption at rest with SQLCipher 4 (the optional ``sqlcipher3`` package).

An encrypted kapdesk database is an SQLCipher file: every page of the main
file and of its ``-wal`` is encrypted with a key derived from the clinic's
passphrase (PBKDF2-HMAC-SHA512, SQLCipher 4 defaults). Without the passphrase
the file is indistinguishable from random bytes, down to its header.

* :func:`connect` - a DBAPI connection (``sqlite3`` or ``sqlcipher3``) whose
  first statement, when a key is given, is ``PRAGMA key``. Everything in
  ``storage/`` that opens a file goes through it.
* :func:`key_from_environment`, :func:`obtain_key` - where a passphrase comes
  from: ``KAPDESK_DB_KEY`` for scripted use, else a prompt the front end
  supplies (``getpass`` in the CLI, a dialog in the GUI).
* :func:`looks_encrypted` - a guess, from the bytes alone, used to tell the
  user to add ``--encrypted`` instead of calling the file "not SQLite".
* :func:`encrypt_database` (in :mod:`kapdesk.storage.encrypt_file`) converts a
  plain database.

Errors: :class:`EncryptionUnavailable` (``sqlcipher3`` missing),
:class:`WrongPassphrase`, :class:`PassphraseNeeded`, :class:`NotEncrypted`.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable, Mapping
from functools import cache, lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.passphrase import validate_passphrase
from kapdesk.storage.errors import NotAKapdeskDatabase, StorageError

ENV_KEY = "KAPDESK_DB_KEY"
SQLITE_HEADER = b"SQLite format 3\x00"
INSTALL_HINT = "install it with: pip install 'kapdesk[encryption]'"
SALT_BYTES = 16
# SQLCipher 4's key derivation. Checked against the linked library's defaults
# before :func:`connect` derives keys itself (see _raw_key_literal).
KDF_ALGORITHM, KDF_HASH, KDF_ITER, KEY_BYTES = "PBKDF2_HMAC_SHA512", "sha512", 256_000, 32


class EncryptionUnavailable(StorageError):
    def __init__(self) -> None:
        super().__init__(
            "Encrypted databases need the sqlcipher3 package, which is not installed; "
            + INSTALL_HINT
            + "."
        )


class WrongPassphrase(StorageError):
    """SQLCipher could not decrypt the first page with the key given. Nothing was written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"Wrong passphrase or not an encrypted kapdesk database: {path} could not be "
            "decrypted; nothing was changed."
        )


class PassphraseNeeded(NotAKapdeskDatabase):
    """An encrypted-looking file opened without a key."""

    def __init__(self, path: Path) -> None:
        StorageError.__init__(
            self,
            f"{path} is encrypted (or is not an SQLite file at all): open it with its "
            "passphrase, e.g. kapdesk --encrypted (the passphrase is asked for, or taken "
            f"from {ENV_KEY}).",
        )
        self.path = path
        self.reason = "it is encrypted"


class NotEncrypted(StorageError):
    """A key was given for a plain database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"{path} is not encrypted: open it without --encrypted, or encrypt it first "
            f"with: kapdesk encrypt --db {path}"
        )


@cache
def sqlcipher_module() -> ModuleType | None:
    """``sqlcipher3.dbapi2``, or None when the optional package is not installed."""
    try:
        import sqlcipher3.dbapi2 as dbapi2  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    _configure(dbapi2)
    return dbapi2  # type: ignore[no-any-return, unused-ignore]


_derive_keys = False  # set by _configure when the library's KDF is the one we replicate


def _configure(dbapi2: Any) -> None:
    global _derive_keys
    conn = dbapi2.connect(":memory:")
    try:
        # SQLCipher prints "hmac check failed" to stderr on a wrong key; we raise
        # a clear error instead. The log level is process-wide.
        conn.execute("PRAGMA cipher_log_level = NONE")
        kdf = (
            conn.execute("PRAGMA cipher_default_kdf_algorithm").fetchone()[0],
            int(conn.execute("PRAGMA cipher_default_kdf_iter").fetchone()[0]),
        )
        _derive_keys = kdf == (KDF_ALGORITHM, KDF_ITER)
    except dbapi2.DatabaseError:  # an SQLCipher build without these pragmas
        _derive_keys = False
    finally:
        conn.close()


@lru_cache(maxsize=16)
def _derived_key(passphrase: str, salt: bytes) -> str:
    key = hashlib.pbkdf2_hmac(KDF_HASH, passphrase.encode(), salt, KDF_ITER, KEY_BYTES)
    return f"x'{key.hex()}{salt.hex()}'"


def _raw_key_literal(passphrase: str, path: Path) -> str:
    """What ``PRAGMA key`` gets: SQLCipher's raw-key form when the file's salt is known.

    SQLCipher derives the page key from the passphrase and the file's salt
    (its first 16 bytes) with 256,000 PBKDF2 rounds on *every* connection:
    ~0.15-0.3 s each. Deriving it once per (passphrase, salt) here and handing
    SQLCipher the raw key (``x'<key><salt>'``) gives the same key, compatible
    with any SQLCipher 4 tool that opens the file with the passphrase. New
    files (no salt yet) get the passphrase, and SQLCipher picks the salt.
    """
    if not _derive_keys:
        return passphrase
    try:
        with path.open("rb") as fh:
            salt = fh.read(SALT_BYTES)
    except OSError:
        return passphrase
    if len(salt) < SALT_BYTES or salt == SQLITE_HEADER:
        return passphrase
    return _derived_key(passphrase, salt)


def require_sqlcipher() -> ModuleType:
    module = sqlcipher_module()
    if module is None:
        raise EncryptionUnavailable()
    return module


def database_errors() -> tuple[type[Exception], ...]:
    """DBAPI ``DatabaseError`` classes of both drivers (they are unrelated classes)."""
    module = sqlcipher_module()
    if module is None:
        return (sqlite3.DatabaseError,)
    return (sqlite3.DatabaseError, module.DatabaseError)


def sql_string(value: str) -> str:
    """``value`` as an SQL string literal (PRAGMA key takes no bound parameters)."""
    if "\x00" in value:
        raise ValidationError("Passphrase", "(hidden)", "A passphrase cannot contain NUL.")
    return "'" + value.replace("'", "''") + "'"


def check_passphrase(key: str, *, new: bool = False) -> str:
    """``key`` if usable: the domain's rules (kapdesk.domain.passphrase; ``new``: the
    length rule for a new passphrase), and storable in a PRAGMA."""
    sql_string(validate_passphrase(key, new=new))
    return key


def connect(path: Path, *, key: str | None, query: str = "", check_same_thread: bool = True) -> Any:
    """A DBAPI connection to ``path``; with ``key``, SQLCipher keyed before anything else.

    ``query``: URI parameters (e.g. ``mode=ro``); the file is then opened by
    URI. The key is not checked here (SQLCipher only notices on the first
    read): callers that need to know run :func:`check_key`.
    """
    path = Path(path)
    target, uri = (f"{path.absolute().as_uri()}?{query}", True) if query else (str(path), False)
    if key is None:
        return sqlite3.connect(target, uri=uri, check_same_thread=check_same_thread)
    module = require_sqlcipher()
    pragma = "PRAGMA key = " + sql_string(_raw_key_literal(check_passphrase(key), path))
    conn = module.connect(target, uri=uri, check_same_thread=check_same_thread)
    try:
        conn.execute(pragma)
    except BaseException:
        conn.close()
        raise
    return conn


def check_key(conn: Any, path: Path) -> None:
    """Raise :class:`WrongPassphrase` unless ``conn``'s key decrypts the file."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except database_errors() as exc:
        if "not a database" in str(exc).lower():
            raise WrongPassphrase(path) from exc
        raise


def has_sqlite_header(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def looks_encrypted(path: Path) -> bool:
    """A non-empty file of whole SQLite pages without the plain SQLite header.

    SQLCipher leaves no marker (the first 16 bytes are a random salt), so this
    is a guess: random junk of the right size passes too. It only decides
    which message the user sees, never whether a file is written.
    """
    size = path.stat().st_size
    return size >= 512 and size % 512 == 0 and not has_sqlite_header(path)


def key_from_environment(environ: Mapping[str, str] = os.environ) -> str | None:
    """The passphrase in ``KAPDESK_DB_KEY``, or None if it is unset or empty."""
    return environ.get(ENV_KEY) or None


def obtain_key(
    prompt: Callable[[str], str] | None,
    *,
    environ: Mapping[str, str] = os.environ,
    label: str = "database",
    new: bool = False,
) -> str:
    """The passphrase for an encrypted database: ``KAPDESK_DB_KEY`` first, else ``prompt``.

    ``prompt(text)`` asks the person (``getpass.getpass`` in a terminal, a
    password dialog in the GUI) and returns what they typed. ``new`` asks
    twice and enforces the domain rule (kapdesk.domain.passphrase). Raises ``ValidationError``
    for an empty or mismatched passphrase and :class:`EncryptionUnavailable`
    if ``sqlcipher3`` is missing (checked first, before anyone types).
    """
    require_sqlcipher()
    key = key_from_environment(environ)
    if key is not None:
        return check_passphrase(key, new=new)
    if prompt is None:
        raise ValidationError(
            "Passphrase",
            "(none)",
            f"No passphrase for the encrypted {label}: set {ENV_KEY} or run where it can be "
            "typed in.",
        )
    key = check_passphrase(prompt(f"Passphrase for the {label}: "), new=new)
    if new and prompt("Repeat the passphrase: ") != key:
        raise ValidationError("Passphrase", "(hidden)", "The two passphrases differ.")
    return key
