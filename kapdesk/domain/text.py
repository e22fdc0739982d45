"""Text that can be stored: free text with a lone surrogate or a control character is
refused, by field.

A lone surrogate (U+D800..U+DFFF, e.g. from a broken paste or a mis-decoded file)
is a Python ``str`` character that UTF-8 cannot encode: SQLite's driver, the
audit hash and the PDF writer would all fail on it at encode time. It is refused
where the text comes in, as a :class:`ValidationError` naming the field, and the
message shows the position and code point, never the raw character.

A C0 control character other than tab, newline and carriage return (U+0000..U+001F,
e.g. a NUL from a pasted PDF) is refused the same way: a PostgreSQL server cannot hold
a NUL in text at all, and a clinic file must not accept what its server copy refuses.
"""

from __future__ import annotations

import re
from typing import Any

from kapdesk.domain.errors import ValidationError
from kapdesk.domain.wording import field_name
from kapdesk.i18n import _


def first_surrogate(text: str) -> int | None:
    """The index of the first lone surrogate in ``text``, or None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


# C0 controls but tab, newline and carriage return (which multi-line text keeps).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def first_control(text: str) -> int | None:
    """The index of the first control character ``text`` may not hold, or None."""
    found = _CONTROL.search(text)
    return found.start() if found else None


def first_unstorable(text: str) -> int | None:
    """The index of the first lone surrogate or refused control character, or None."""
    at = [i for i in (first_surrogate(text), first_control(text)) if i is not None]
    return min(at) if at else None


def shown_safely(value: str) -> str:
    """``value`` with lone surrogates and control characters written as escapes."""
    text = value.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def require_storable(field: str, value: str) -> str:
    """``value`` unchanged, or a ValidationError naming ``field`` when it holds a
    character that cannot be stored (a lone surrogate, a control character)."""
    at = first_unstorable(value)
    if at is None:
        return value
    code = ord(value[at])
    what = (
        _("an unpaired surrogate, e.g. from a damaged paste")
        if 0xD800 <= code <= 0xDFFF
        else _("a control character; of these only tab, newline and carriage return are allowed")
    )
    shown = shown_safely(value)
    excerpt = shown if len(shown) <= 60 else shown[:57] + "..."
    hexadecimal = f"{code:04X}"
    raise ValidationError(
        field,
        shown,
        _(
            "{field} contains a character that cannot be stored (U+{code} at position "
            '{position} of "{excerpt}", {what}); please retype that part.',
            field=field_name(field),
            code=hexadecimal,
            position=at + 1,
            excerpt=excerpt,
            what=what,
        ),
    )


def find_unstorable(value: Any, path: str) -> tuple[str, str] | None:
    """The (path, text) of the first string inside ``value`` that cannot be stored
    (:func:`first_unstorable`).

    Looks into strings, mapping keys and values, lists, tuples and sets, so a service
    argument such as ``{"themes": "..."}`` is checked as ``themes``."""
    if isinstance(value, str):
        return (path, value) if first_unstorable(value) is not None else None
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


def too_long(field: str, length: int, limit: int) -> str:
    """'Allergies is 2100 characters long; at most 2000 are allowed.'"""
    return _(
        "{field} is {length} characters long; at most {limit} are allowed.",
        field=field_name(field),
        length=length,
        limit=limit,
    )


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


def half_up(value: float, digits: int = 0) -> str:
    """``value`` rounded half away from zero, as a spreadsheet's ROUND does (12.5 -> 13,
    -12.5 -> -13, 1.25 -> 1.3; Python's round() and format() round half to even)."""
    from decimal import ROUND_HALF_UP, Decimal

    step = Decimal(1).scaleb(-digits)
    return str(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP))
