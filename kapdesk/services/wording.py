"""Words the services' messages share, in the active language, and refusals kept in English.

* A refusal (PermissionDenied) is shown to the user in their language, and its text is
  also written in the ``denied.<action>`` audit entry (services.guard), which is stored
  and hashed: the entry keeps the English. :func:`denied` builds the message twice from
  one builder, once with ``_`` and once with :func:`plain` (English, without switching
  the process's language); :func:`english_text` reads the one to store.
* :func:`who_may`, :func:`band_word` and :func:`count` put roles, bands and counts in
  the active language (English as before, byte for byte).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final, Protocol, TypeVar

from kapdesk.domain.errors import PermissionDenied
from kapdesk.domain.permissions import Action, roles_that_can
from kapdesk.i18n import ENGLISH, N_, _, current

E = TypeVar("E", bound=BaseException)
ENGLISH_ATTRIBUTE: Final = "english"


class Say(Protocol):
    """``_`` or :func:`plain`: a message and its parameters -> text."""

    def __call__(self, message: str, /, **params: object) -> str: ...


Build = Callable[[Say], str]


def plain(message: str, /, **params: object) -> str:
    """``message`` in English (the source), formatted as ``_`` formats it."""
    return message.format(**params) if params else message


def keep_english(exc: E, english: str) -> E:
    """``exc`` (its text in the active language) remembering its English text."""
    setattr(exc, ENGLISH_ATTRIBUTE, english)
    return exc


def english_text(exc: BaseException) -> str:
    """The English text of ``exc`` when it kept one, else its text."""
    english = getattr(exc, ENGLISH_ATTRIBUTE, None)
    return english if isinstance(english, str) else str(exc)


def denied(role: str, action: str, build: Build) -> PermissionDenied:
    """PermissionDenied with ``build(_)`` as its text and ``build(plain)`` kept for the
    audit trail."""
    return keep_english(PermissionDenied(role, action, build(_)), build(plain))


# The roles as domain.permissions.ROLE_LABELS names them, for ``_(ROLE_LABELS[role])``.
ROLE_WORDS: Final = (N_("nurse"), N_("therapist"), N_("clinician"), N_("admin"))
_ROLE_WITH_ARTICLE: Final = {
    "nurse": N_("a nurse"),
    "therapist": N_("a therapist"),
    "clinician": N_("a clinician"),
}


def either(words: Iterable[str], say: Say = _) -> str:
    """'a, b or c' as kapdesk has always written it: 'a or b or c'."""
    joined = ""
    for word in words:
        joined = word if not joined else say(N_("{first} or {second}"), first=joined, second=word)
    return joined


def who_may(action: Action, say: Say = _) -> str:
    """'a clinician' / 'a nurse or a clinician': the roles allowed ``action``."""
    words = [
        say(_ROLE_WITH_ARTICLE[r.value]) if r.value in _ROLE_WITH_ARTICLE else f"a {r.value}"
        for r in roles_that_can(action)
    ]
    return either(words, say) or say(N_("nobody"))


_BAND_WORDS: Final = {
    "normal": N_("normal"),
    "elevated": N_("elevated"),
    "alert": N_("alert"),
    "critical": N_("critical"),
}


def band_word(band: str) -> str:
    """A reading's band as a word in a sentence ('alert'); an unknown one as stored."""
    word = _BAND_WORDS.get(band)
    return band if word is None else _(word)


def count(n: int) -> str:
    """A whole number with the language's grouping: '1,124' / '1 124' (no-break space)."""
    if current() == ENGLISH:
        return f"{n:,}"
    from babel.numbers import format_decimal

    return str(format_decimal(n, locale=current().replace("-", "_")))
