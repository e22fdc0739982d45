"""Words the services' messages share, in the active language, and refusals kept in English.

* A refusal (PermissionDenied) is shown to the user in their language, and its text is
  also written in the ``denied.<action>`` audit entry (services.guard), which is stored
  and hashed: the entry keeps the English. :func:`denied` builds the message twice from
  one builder, once with ``_`` and once with :func:`plain` (English, without switching
  the process's language); :func:`english_text` reads the one to store.
* :func:`who_may`, :func:`band_word` and :func:`count` put roles, bands and counts in
  the active language (English as before, byte for byte); the role and band words are
  the domain's (kapdesk.domain.permissions, kapdesk.domain.protocol_model).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final, Protocol, TypeVar

from kapdesk.domain.errors import PermissionDenied
from kapdesk.domain.permissions import ROLE_PHRASES, Action, roles_that_can
from kapdesk.domain.protocol_model import Band
from kapdesk.domain.protocol_model import band_word as domain_band_word
from kapdesk.domain.wording import shown_part
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


def shown_say(message: str, /, **params: object) -> str:
    """``_`` with every parameter that is a Wording (a domain text kept in English where
    stored) rendered in the active language too."""
    return _(message, **{k: shown_part(v) if isinstance(v, str) else v for k, v in params.items()})


def denied(role: str, action: str, build: Build) -> PermissionDenied:
    """PermissionDenied with ``build(shown_say)`` as its text and ``build(plain)`` kept for
    the audit trail."""
    return keep_english(PermissionDenied(role, action, build(shown_say)), build(plain))


def either(words: Iterable[str], say: Say = _) -> str:
    """'a, b or c' as kapdesk has always written it: 'a or b or c'."""
    joined = ""
    for word in words:
        joined = word if not joined else say(N_("{first} or {second}"), first=joined, second=word)
    return joined


def who_may(action: Action, say: Say = _) -> str:
    """'a clinician' / 'a nurse or a clinician': the roles allowed ``action``."""
    words = [say(ROLE_PHRASES[r]) for r in roles_that_can(action)]
    return either(words, say) or say(N_("nobody"))


def band_word(band: str) -> str:
    """A reading's band as a word in a sentence ('alert'; the domain's word, in the active
    language); an unknown one as stored."""
    return domain_band_word(Band(band)).shown() if band in _BANDS else band


_BANDS: Final = frozenset(b.value for b in Band)


def count(n: int) -> str:
    """A whole number with the language's grouping: '1,124' / '1 124' (no-break space)."""
    if current() == ENGLISH:
        return f"{n:,}"
    from babel.numbers import format_decimal

    return str(format_decimal(n, locale=current().replace("-", "_")))


def shown_clinic_name(name: str) -> str:
    """The clinic's name as shown: the default one (no name set) in the active language,
    a name set by the clinic as it is."""
    from kapdesk.storage.settings_store import DEFAULT_CLINIC_NAME

    return _(name) if name == DEFAULT_CLINIC_NAME else name
