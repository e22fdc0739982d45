"""Texts kept in English where they are stored, read in the user's language where shown.

Some of the domain's sentences are both shown and *kept*: a reading's assessment is
stored with the reading (and signed), the warnings acknowledged with a dose and the
discharge checks frozen at discharge are stored in their rows, a refusal's sentence is
written to the audit log. What is kept must not depend on who was signed in: it is
English, byte for byte as before kapdesk spoke other languages.

A :class:`Wording` is that English text (a ``str``: stored, hashed, compared and joined
as English) that also knows its message and parameters, so :func:`shown` renders it in
the active language where it is put in front of a person. Everything that is only ever
shown is translated at once with ``_()`` instead.

* ``Wording(N_("{band} – {rule}"), band=..., rule=...)``: a message, its parameters given
  by name; a parameter that is itself a Wording is shown in the same language.
* :meth:`Wording.later` (a text written with ``_``/``_n``, plurals),
  :meth:`Wording.joined` (a list with a separator that reads differently in another
  language: " or " -> " ou "), :meth:`Wording.derived` (the same
  change to the English and to the translation: capitalising, brackets),
  :func:`decimal_text` (a number: '0.05' -> '0,05'), :func:`label_of` (a protocol item's
  label in the file's own translation or the catalogue's).
* Anything done to a Wording with ``str`` operations (``+``, f-strings, ``join``) gives
  the plain English: compose with the constructors above.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from kapdesk.i18n import ENGLISH, _, _n, current
from kapdesk.i18n import formats as locale_formats

__all__ = [
    "Wording",
    "decimal_text",
    "field_name",
    "grouped",
    "label_of",
    "shown",
    "shown_error",
    "shown_part",
]


Gettext = Callable[..., str]


def _english(value: object) -> object:
    """A parameter as the English text takes it (a Wording is its English)."""
    return str.__str__(value) if isinstance(value, Wording) else value


def _translated(value: object) -> object:
    return value.shown() if isinstance(value, Wording) else value


def _english_gettext(message: str, /, **params: object) -> str:
    return message.format(**{k: _english(v) for k, v in params.items()}) if params else message


def _english_ngettext(singular: str, plural: str, n: int, /, **params: object) -> str:
    text = singular if n == 1 else plural
    return text.format(n=n, **{k: _english(v) for k, v in params.items()})


def _shown_gettext(message: str, /, **params: object) -> str:
    return _(message, **{k: _translated(v) for k, v in params.items()})


def _shown_ngettext(singular: str, plural: str, n: int, /, **params: object) -> str:
    return _n(singular, plural, n, **{k: _translated(v) for k, v in params.items()})


class Wording(str):
    """English text (the ``str`` itself) that :meth:`shown` renders in the active language."""

    _render: Callable[[], str]

    def __new__(cls, message: str, /, **params: object) -> Wording:
        """``message`` (marked ``N_("...")`` where it is written) with its parameters."""
        return cls._made(
            _english_gettext(message, **params), lambda: _shown_gettext(message, **params)
        )

    @classmethod
    def _made(cls, english: str, render: Callable[[], str]) -> Wording:
        made = str.__new__(cls, english)
        made._render = render
        return made

    @classmethod
    def later(cls, build: Callable[[Gettext, Gettext], str]) -> Wording:
        """The text ``build(_, _n)`` writes, in English now and in the active language
        where shown: ``Wording.later(lambda _, _n: _n("{n} criterion", "{n} criteria",
        n))`` (written with ``_``/``_n`` so that the catalogue tools find it)."""
        return cls._made(
            build(_english_gettext, _english_ngettext),
            lambda: build(_shown_gettext, _shown_ngettext),
        )

    @classmethod
    def joined(cls, separator: str, parts: Iterable[str]) -> Wording:
        """``separator.join(parts)``; the separator is a message too (``N_(" or ")``)."""
        items = tuple(parts)
        english = separator.join(str.__str__(p) for p in items)
        return cls._made(english, lambda: _(separator).join(shown_part(p) for p in items))

    @classmethod
    def derived(cls, source: str, change: Callable[[str], str]) -> Wording:
        """``change`` applied to the English and, where shown, to the translation."""
        return cls._made(change(str.__str__(source)), lambda: change(shown_part(source)))

    @classmethod
    def fixed(cls, english: str, render: Callable[[], str]) -> Wording:
        """English text whose translation ``render`` gives (e.g. a protocol label)."""
        return cls._made(english, render)

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        # pickled or copied, it is the English text it stands for (a str)
        return (str, (str.__str__(self),))

    def shown(self) -> str:
        """This text in the active language (English: itself)."""
        if current() == ENGLISH:
            return str.__str__(self)
        return self._render()


def shown_part(text: str) -> str:
    """A part of a composed text: a Wording rendered, anything else as it is (a name, an
    id, a value typed by a person)."""
    return text.shown() if isinstance(text, Wording) else text


def shown(text: str) -> str:
    """What ``text`` reads as in the active language where a person sees it: a Wording
    rendered; a plain text (e.g. read back from the database) looked up in the catalogue,
    so a fixed message stored in English ('Not confirmed', a severity band) reads
    translated, and anything else (a name, a typed reason) as it is."""
    if isinstance(text, Wording):
        return text.shown()
    if not text or current() == ENGLISH:
        return text
    return _(text)


def field_name(field: str) -> str:
    """A form field's English name ('Given name': ``ValidationError.field``, what a form
    matches) as the user reads it, for the sentence of an error."""
    return _(field) if field else field


def shown_error(exc: BaseException) -> str:
    """An error's sentence in the active language (a refusal keeps its English in the
    audit log: ``str(exc)``; a screen shows this)."""
    message = getattr(exc, "message", None)
    if not isinstance(message, str):
        message = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
    return shown_part(message)


def decimal_text(text: str) -> Wording:
    """A number written with a decimal point ('0.05', '37.5'): itself in English, the
    language's decimal sign where shown ('0,05')."""
    return Wording.fixed(text, lambda: locale_formats.decimal(text))


def grouped(n: int) -> str:
    """A whole number with thousands grouped, in the active language: '9,999,999' in
    English, '9 999 999' in Portuguese (a no-break space, as the locale writes it)."""
    english = f"{n:,}"
    tag = current()
    if tag == ENGLISH:
        return english
    from babel.numbers import format_decimal

    from kapdesk.i18n import file_stem

    return str(format_decimal(n, format="#,##0", locale=file_stem(tag)))


class _Labelled(Protocol):
    @property
    def label(self) -> str: ...

    def shown_label(self) -> str: ...


def label_of(item: _Labelled) -> Wording:
    """A protocol item's label: the file's English, shown in the file's own translation or
    the catalogue's (``Labelled.shown_label``)."""
    return Wording.fixed(item.label, item.shown_label)
