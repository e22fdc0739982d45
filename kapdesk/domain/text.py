"""Text that can be stored: free text with a lone surrogate is refused, by field.

A lone surrogate (U+D800..U+DFFF, e.g. from a broken paste or a mis-decoded file)
is a Python ``str`` character that UTF-8 cannot encode: SQLite's driver, the
audit hash and the PDF writer would all fail on it at encode time. It is refused
where the text comes in, as a :class:`ValidationError` naming the field, and the
message shows the position and code point, never the raw character.
"""

from __future__ import annotations

from typing import Any

from kapdesk.domain.errors import ValidationError


def first_surrogate(text: str) -> int | None:
    """The index of the first lone surrogate in ``text``, or None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


def require_storable(field: str, value: str) -> str:
    """``value`` unchanged, or a ValidationError naming ``field`` when UTF-8 cannot hold it."""
    at = first_surrogate(value)
    if at is None:
        return value
    shown = value.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
    raise ValidationError(
        field,
        shown,
        f"{field} contains a character that cannot be stored (U+{ord(value[at]):04X} at "
        f"position {at + 1}, an unpaired surrogate, e.g. from a damaged paste); "
        "please retype that part.",
    )


def find_unstorable(value: Any, path: str) -> tuple[str, str] | None:
    """The (path, text) of the first string inside ``value`` that UTF-8 cannot hold.

    Looks into strings, mapping keys and values, lists, tuples and sets, so a service
    argument such as ``{"themes": "..."}`` is checked as ``themes``."""
    if isinstance(value, str):
        return (path, value) if first_surrogate(value) is not None else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = find_unstorable(key, path) or find_unstorable(item, str(key))
            if found:
                return found
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            found = find_unstorable(item, path)
            if found:
                return found
    return None


def field_label(name: str) -> str:
    """A parameter or key name as the user reads it: ``same_day_reason`` -> 'Same day reason'."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else "Text"


def in_brackets(text: str) -> str:
    """'(text)' without the text's own closing full stop: a detail written as a sentence
    ('Due now: Before discharge.') never reads '.);' inside a longer one."""
    inner = text.strip()
    if inner.endswith(".") and not inner.endswith(".."):
        inner = inner[:-1]
    return f"({inner})"


def counted(n: int | float, one: str, many: str | None = None) -> str:
    """'1 dose', '2 doses', '0 doses', '1.5 devices'; ``many`` for an irregular plural
    ('1 criterion', '3 criteria')."""
    shown = str(int(n)) if float(n).is_integer() else f"{n:g}"
    return f"{shown} {one if n == 1 else (many or one + 's')}"
