"""Clinical notes: the integration-note template and what a note may hold.

A dosing session has one free-text *session note*. An *integration note*
records a psychotherapy session that works through what came up after dosing;
it follows a template of four sections plus free text. Both are drafts until
finalised; a final note is never edited (corrections are addenda). The section labels
and prompts are English constants marked for translation: ``shown_label`` /
``shown_prompt`` read them in the active language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.text import require_storable, too_long
from kapdesk.domain.wording import field_name
from kapdesk.i18n import N_, _

# Plausible-input limit for note text (one section or the free-text body).
NOTE_MAX_CHARS: Final = 20_000


class NoteKind(StrEnum):
    SESSION = "session"
    INTEGRATION = "integration"

    @property
    def label(self) -> str:
        """'session note', 'integration note' in the active language."""
        return _(_KIND_LABELS[self])


class NoteStatus(StrEnum):
    DRAFT = "draft"
    FINAL = "final"

    @property
    def label(self) -> str:
        """'draft', 'final' in the active language (the value is what is stored)."""
        return _(_STATUS_LABELS[self])


_KIND_LABELS = {NoteKind.SESSION: N_("session note"), NoteKind.INTEGRATION: N_("integration note")}
_STATUS_LABELS = {NoteStatus.DRAFT: N_("draft"), NoteStatus.FINAL: N_("final")}


@dataclass(frozen=True)
class NoteSection:
    key: str
    label: str
    prompt: str

    @property
    def shown_label(self) -> str:
        return _(self.label)

    @property
    def shown_prompt(self) -> str:
        return _(self.prompt)


INTEGRATION_SECTIONS: tuple[NoteSection, ...] = (
    NoteSection(
        "themes",
        N_("Themes and insights"),
        N_(
            "What came up during and after the dosing session: images, memories, "
            "emotions, meanings the patient draws from it."
        ),
    ),
    NoteSection(
        "changes",
        N_("What has changed since dosing"),
        N_(
            "Mood, sleep, relationships, habits and outlook since the dosing session, "
            "in the patient's words where possible."
        ),
    ),
    NoteSection(
        "plan",
        N_("Plan / homework"),
        N_("Practices, commitments and topics agreed for the time until the next session."),
    ),
    NoteSection(
        "risk",
        N_("Risk review"),
        N_(
            "Suicidal ideation (PHQ-9 item 9), self-harm, substance use or craving, "
            "safety plan and who was informed."
        ),
    ),
)

SECTIONS_BY_KEY: Mapping[str, NoteSection] = MappingProxyType(
    {s.key: s for s in INTEGRATION_SECTIONS}
)
SECTION_KEYS: tuple[str, ...] = tuple(SECTIONS_BY_KEY)


def empty_sections() -> dict[str, str]:
    return dict.fromkeys(SECTION_KEYS, "")


def validate_text(field: str, value: object) -> str:
    """Note text is kept exactly as typed (an autosaving editor must get back what it sent)."""
    if not isinstance(value, str):
        raise ValidationError(
            field,
            value,
            _("{field} must be text, got {value}.", field=field_name(field), value=repr(value)),
        )
    require_storable(field, value)
    if len(value) > NOTE_MAX_CHARS:
        raise ValidationError(
            field, f"{len(value)} characters", too_long(field, len(value), NOTE_MAX_CHARS)
        )
    return value


def validate_sections(sections: Mapping[str, object]) -> dict[str, str]:
    """Check section texts; keys must be among SECTION_KEYS (a subset is fine)."""
    if not isinstance(sections, Mapping):
        raise ValidationError(
            "Sections",
            sections,
            _("Sections must map section keys to text, got {value}.", value=repr(sections)),
        )
    clean: dict[str, str] = {}
    for key, value in sections.items():
        if key not in SECTIONS_BY_KEY:
            allowed = ", ".join(SECTION_KEYS)
            raise ValidationError(
                "Section",
                key,
                _(
                    "Section '{key}' is not part of the template; allowed: {allowed}.",
                    key=key,
                    allowed=allowed,
                ),
            )
        clean[key] = validate_text(SECTIONS_BY_KEY[key].label, value)
    return clean


def merged_sections(current: Mapping[str, object], changes: Mapping[str, str]) -> dict[str, str]:
    """Every template section, current text overlaid with ``changes``."""
    merged = empty_sections()
    for key in SECTION_KEYS:
        value = current.get(key, "")
        merged[key] = value if isinstance(value, str) else ""
    merged.update(changes)
    return merged


def is_blank(sections: Mapping[str, str], body: str) -> bool:
    """No text at all (an empty note cannot be finalised)."""
    return not body.strip() and not any(v.strip() for v in sections.values())
