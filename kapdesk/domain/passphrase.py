"""The passphrase of an encrypted database: what a person may choose.

Opening a database takes any non-empty passphrase (it is either right or not); a new one
(encrypting a database, creating an encrypted one) needs at least
:data:`MIN_NEW_PASSPHRASE` characters. The passphrase itself never appears in a message.
"""

from __future__ import annotations

from typing import Final

from kapdesk.domain.errors import ValidationError
from kapdesk.i18n import _

MIN_NEW_PASSPHRASE: Final = 10


def validate_passphrase(key: object, *, new: bool = False) -> str:
    """``key`` if it may be used; ``new`` applies the length rule for a new passphrase."""
    if not isinstance(key, str) or not key:
        raise ValidationError("Passphrase", "(empty)", _("The passphrase is empty."))
    if new and len(key) < MIN_NEW_PASSPHRASE:
        raise ValidationError(
            "Passphrase",
            "(hidden)",
            _(
                "The passphrase has {length} characters; use at least {minimum}.",
                length=len(key),
                minimum=MIN_NEW_PASSPHRASE,
            ),
        )
    return key
