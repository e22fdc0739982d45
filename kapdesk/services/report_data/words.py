"""Codes stored in the records, as a printed summary names them in the active language.

A role, a patient's sex, a note's status and a signature's meaning and method are stored
as English words (they are compared and audited as they are); the summaries print them through
these, so a Portuguese page reads 'enfermeiro', 'final', 'Revisto e assinado'. A code
kapdesk does not know is printed as stored.
"""

from __future__ import annotations

from kapdesk.domain.permissions import ROLE_LABELS, Role
from kapdesk.domain.signing import SIGNATURE_METHOD, Meaning
from kapdesk.i18n import N_, _

_NOTE_STATUS = {"draft": N_("draft"), "final": N_("final")}
_SEX = {"female": N_("female"), "male": N_("male"), "other": N_("other"), "unknown": N_("unknown")}
_SIGNATURE_WORDS = {
    Meaning.REVIEWED.value: N_("Reviewed and signed"),
    Meaning.AUTHORED.value: N_("Authored and signed"),
    Meaning.APPROVED.value: N_("Approved"),
    SIGNATURE_METHOD: N_("password re-entry"),
}


def role_label(role: str) -> str:
    """'nurse' -> 'enfermeiro' (kapdesk.domain.permissions.ROLE_LABELS)."""
    try:
        return _(ROLE_LABELS[Role(role)])
    except ValueError:
        return role


def note_status(status: str) -> str:
    """'draft' / 'final' in the active language."""
    return _(_NOTE_STATUS[status]) if status in _NOTE_STATUS else status


def signature_word(stored: str) -> str:
    """A signature's meaning ('Reviewed and signed') or method ('password re-entry')."""
    return _(_SIGNATURE_WORDS[stored]) if stored in _SIGNATURE_WORDS else stored


def sex_label(sex: str) -> str:
    """'female' in the active language."""
    return _(_SEX[sex]) if sex in _SEX else sex


def instrument_wording(text: str) -> str:
    """A PHQ-9 / GAD-7 item or answer as printed (kapdesk.domain.instruments): the
    validated English wording in every language for now, under translated headings. The
    one place to change once a validated translation may be reproduced."""
    return text
