"""The words the session screens show for codes: a reading's band, a staff role, a side
effect's severity; and the sentence saying a role may not do something.

The codes ('elevated', 'nurse', 'life_threatening') are what the services store and
compare; these are what a person reads, in the language shown (Qt's catalogue).
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QCoreApplication

from kapdesk.domain.permissions import Role
from kapdesk.domain.side_effects import Severity
from kapdesk.ui.words import band_name, role_name

translate = QCoreApplication.translate


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks ``text`` for lupdate in ``context`` and returns it (Qt's own is typed as
    returning ``object``); translate it where it is shown: ``translate(context, X)``."""
    return text


def band_word(band: str) -> str:
    """'elevated' in the language shown ('elevada'); an unknown band as it is."""
    return band_name(band)


def band_or_within(band: str) -> str:
    """What a readings list says of a reading: 'within limits' or its band."""
    return translate("SessionWords", "within limits") if band == "normal" else band_word(band)


def role_word(role: Role) -> str:
    """'nurse', 'enfermeiro' (the domain's word)."""
    return role_name(role)


def cannot_text(role: Role | None, what: str) -> str:
    """'A therapist cannot record doses.' (None: 'Sign in to record doses.'); ``what`` is
    already in the language shown."""
    if role is None:
        return translate("SessionWords", "Sign in to {what}.").format(what=what)
    if role.value[0] in "aeiou":
        text = translate("SessionWords", "An {role} cannot {what}.")
    else:
        text = translate("SessionWords", "A {role} cannot {what}.")
    return text.format(role=role_word(role), what=what)


SEVERITY_WORDS: Final = {
    Severity.MILD: QT_TRANSLATE_NOOP("SessionWords", "mild"),
    Severity.MODERATE: QT_TRANSLATE_NOOP("SessionWords", "moderate"),
    Severity.SEVERE: QT_TRANSLATE_NOOP("SessionWords", "severe"),
    Severity.LIFE_THREATENING: QT_TRANSLATE_NOOP("SessionWords", "life-threatening"),
}


def severity_word(value: str) -> str:
    """A stored severity ('life_threatening') as the screens write it ('life-threatening')."""
    try:
        return translate("SessionWords", SEVERITY_WORDS[Severity(value)])
    except ValueError:
        return value.replace("_", "-")


def effect_names(name: str) -> dict[str, str]:
    """The accessible names of the widgets of the side effect ``name`` (its row on the
    side effects step), in the language shown."""
    names = {
        "present": translate("SideEffectsPage", "{effect} present"),
        "severity": translate("SideEffectsPage", "{effect} severity"),
        "onset": translate("SideEffectsPage", "{effect} onset"),
        "intervention": translate("SideEffectsPage", "{effect} intervention"),
        "resolved": translate("SideEffectsPage", "{effect} resolved"),
        "resolved_at": translate("SideEffectsPage", "{effect} resolved at"),
        "message": translate("SideEffectsPage", "{effect} message"),
        "late": translate("SideEffectsPage", "{effect} entered late"),
        "marked": translate("SideEffectsPage", "{effect} entered in error"),
    }
    return {key: text.format(effect=name) for key, text in names.items()}
