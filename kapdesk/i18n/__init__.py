"""The language kapdesk speaks, below the GUI: a gettext catalogue and the active language.

Pure Python (no Qt): the domain, the services, the PDFs and the command line all mark
their text here; the GUI uses Qt's own ``tr()`` and a QTranslator (kapdesk.ui.translation),
whose language is chosen by the same :func:`choose`.

* A string is marked where it is written, in English, which is its message id (one
  source of truth): ``_("Session #{id}", id=12)``. Parameters are given by name and
  formatted *after* translation, so a translation may move them. ``_n(one, many, n)`` picks
  the plural form of the language (``{n}`` is available in both). ``N_("...")`` marks a
  string kept in a constant and translated where it is used (``_(CONSTANT)``).
* English is the source: with the language ``en`` no catalogue is read and ``_`` returns
  the text exactly as before it was marked.
* The catalogues ship in ``kapdesk.resources/i18n``: ``<ll_CC>.po`` (the translation,
  edited by hand) compiled to ``<ll_CC>.mo`` (read here); the GUI's are
  ``kapdesk_<ll_CC>.ts`` / ``.qm``. The languages offered are those with a compiled
  catalogue (:func:`supported`). ``python -m kapdesk.i18n.catalogues`` extracts and
  compiles them (README, "Languages").
* The active language is process-wide, as Qt's translator is: set at sign-in (the user's
  setting), by ``kapdesk --lang`` or ``KAPDESK_LANG``; :func:`choose` says in what order.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gettext import GNUTranslations

__all__ = [
    "ENGLISH",
    "ENV_VAR",
    "N_",
    "UnknownLanguage",
    "_",
    "_n",
    "choose",
    "current",
    "language_name",
    "normalize",
    "pin",
    "pinned",
    "set_language",
    "supported",
    "use_language",
]

ENGLISH = "en"
ENV_VAR = "KAPDESK_LANG"
DOMAIN_FILE_SUFFIX = ".mo"
# The name of each language in itself, for the language choice (a language not listed
# here is offered under its tag).
_NATIVE_NAMES = {"en": "English", "pt-PT": "Português (Portugal)"}


class UnknownLanguage(ValueError):
    """A language asked for by name (--lang, KAPDESK_LANG, a stored setting) that kapdesk
    has no translation for."""

    def __init__(self, given: str, source: str) -> None:
        self.given, self.source = given, source
        offered = ", ".join(supported())
        super().__init__(f"{source}: no translation for {given!r}; kapdesk speaks {offered}.")


class _Active:
    """The language in use and its catalogue (None: English, nothing to look up)."""

    tag: str = ENGLISH
    catalogue: GNUTranslations | None = None
    pinned: str | None = None  # the --lang of this run, which every sign-in keeps


_active = _Active()


def _folder() -> Any:
    return resources.files("kapdesk.resources") / "i18n"


def file_stem(tag: str) -> str:
    """'pt-PT' -> 'pt_PT': how a language's files are named."""
    return tag.replace("-", "_")


@cache
def supported() -> tuple[str, ...]:
    """'en' and every language with a compiled catalogue, e.g. ('en', 'pt-PT'). Without
    the catalogue folder (a damaged install) kapdesk still speaks English."""
    folder = _folder()
    if not folder.is_dir():
        return (ENGLISH,)
    found = [
        entry.name.removesuffix(DOMAIN_FILE_SUFFIX).replace("_", "-")
        for entry in folder.iterdir()
        if entry.name.endswith(DOMAIN_FILE_SUFFIX)
    ]
    return (ENGLISH, *sorted(found))


def language_name(tag: str) -> str:
    """'Português (Portugal)': a language as its speakers call it."""
    return _NATIVE_NAMES.get(tag, tag)


def normalize(value: str | None) -> str | None:
    """The supported language ``value`` names, or None.

    Accepts 'pt-PT', 'pt_PT', 'pt_PT.UTF-8', 'PT-pt' and a bare 'pt' (the one variant
    shipped for it); 'C', 'POSIX' and '' are None (no language named)."""
    if not value:
        return None
    text = value.split(".", 1)[0].split("@", 1)[0].replace("_", "-").strip()
    if text in ("", "C", "POSIX"):
        return None
    lowered = text.lower()
    for tag in supported():
        if tag.lower() == lowered:
            return tag
    primary = lowered.split("-", 1)[0]
    same = [tag for tag in supported() if tag.lower().split("-", 1)[0] == primary]
    if "-" not in lowered and len(same) == 1:
        return same[0]
    if primary == ENGLISH:  # en-GB, en-US: the English kapdesk is written in
        return ENGLISH
    return None


def _system_language(environ: Mapping[str, str]) -> str | None:
    """The computer's language as POSIX names it (LC_ALL, LC_MESSAGES, LANG, LANGUAGE),
    else the one Python found at start-up (Windows, macOS)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(name):
            return environ[name]
    if environ.get("LANGUAGE"):
        return environ["LANGUAGE"].split(":", 1)[0]
    import locale

    return locale.getlocale()[0]


def choose(
    *,
    flag: str | None = None,
    user: str | None = None,
    environ: Mapping[str, str] | None = None,
    system: str | None = None,
) -> str:
    """The language to speak: ``--lang`` (``flag``), else the signed-in user's setting,
    else ``KAPDESK_LANG``, else the computer's language when kapdesk has a translation
    for it, else English.

    A flag or variable naming a language kapdesk lacks raises :class:`UnknownLanguage`
    (a typo should not silently give English); a stored user setting that is no longer
    shipped falls through to the next source."""
    env = os.environ if environ is None else environ
    if flag:
        return normalize(flag) or _refuse(flag, "--lang")
    chosen = normalize(user)
    if chosen:
        return chosen
    if env.get(ENV_VAR):
        return normalize(env[ENV_VAR]) or _refuse(env[ENV_VAR], ENV_VAR)
    return normalize(system if system is not None else _system_language(env)) or ENGLISH


def _refuse(value: str, source: str) -> str:
    raise UnknownLanguage(value, source)


@cache
def _catalogue(tag: str) -> GNUTranslations:
    from gettext import GNUTranslations

    with (_folder() / f"{file_stem(tag)}{DOMAIN_FILE_SUFFIX}").open("rb") as fp:
        return GNUTranslations(fp)


def set_language(tag: str) -> str:
    """Speak ``tag`` (a supported language, see :func:`normalize`) from now on; returns it."""
    chosen = normalize(tag)
    if chosen is None:
        raise UnknownLanguage(tag, "language")
    _active.tag = chosen
    _active.catalogue = None if chosen == ENGLISH else _catalogue(chosen)
    return chosen


def pin(flag: str | None) -> None:
    """Remember this run's ``--lang`` (None: none given) for the choices made later, at
    each sign-in."""
    _active.pinned = flag


def pinned() -> str | None:
    """This run's ``--lang``, or None."""
    return _active.pinned


def current() -> str:
    """The language in use: 'en', 'pt-PT', ..."""
    return _active.tag


@contextmanager
def use_language(tag: str) -> Iterator[str]:
    """Speak ``tag`` inside the block, then the language before it (tests, one PDF)."""
    before = _active.tag
    try:
        yield set_language(tag)
    finally:
        set_language(before)


def _(message: str, /, **params: object) -> str:
    """``message`` in the active language, then ``str.format(**params)`` when given."""
    catalogue = _active.catalogue
    text = message if catalogue is None else catalogue.gettext(message)
    return text.format(**params) if params else text


def _n(singular: str, plural: str, n: int, /, **params: object) -> str:
    """The form of ``singular``/``plural`` for ``n`` in the active language, formatted
    with ``n`` and ``params``: ``_n("{n} dose", "{n} doses", 2)`` -> '2 doses'."""
    catalogue = _active.catalogue
    if catalogue is None:
        text = singular if n == 1 else plural
    else:
        text = catalogue.ngettext(singular, plural, n)
    return text.format(n=n, **params)


def N_(message: str, /) -> str:
    """Mark ``message`` for extraction only; translate it where it is shown: ``_(X)``."""
    return message
