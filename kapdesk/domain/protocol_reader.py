"""Typed, strict access to the tables of a protocol file (parsed TOML)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from kapdesk.domain.errors import ProtocolError
from kapdesk.domain.protocol_model import Route
from kapdesk.i18n import _


class TableReader:
    """Typed access to one TOML table, raising ProtocolError that names file and key."""

    def __init__(self, source: str, data: Mapping[str, Any], prefix: str = "") -> None:
        self.source = source
        self.data = data
        self.prefix = prefix

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def fail(self, name: str, expected: str) -> ProtocolError:
        return ProtocolError(self.source, self.key(name), expected)

    def has(self, name: str) -> bool:
        return name in self.data

    def text(self, name: str, default: str | None = None) -> str:
        if name not in self.data:
            if default is not None:
                return default
            raise self.fail(name, _("a text value (missing)"))
        value = self.data[name]
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise self.fail(name, _("a non-empty text value, got {value}", value=repr(value)))
        return value

    def integer(self, name: str, default: int | None = None, *, minimum: int = 0) -> int:
        if name not in self.data:
            if default is not None:
                return default
            raise self.fail(name, _("a whole number (missing)"))
        value = self.data[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(
                name,
                _("a whole number ≥ {minimum}, got {value}", minimum=minimum, value=repr(value)),
            )
        return value

    def optional_int(self, name: str) -> int | None:
        if name not in self.data:
            return None
        return self.integer(name)

    def number(self, name: str, default: float | None = None) -> float | None:
        if name not in self.data:
            return default
        value = self.data[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.fail(name, _("a positive number, got {value}", value=repr(value)))
        return float(value)

    def boolean(self, name: str, default: bool) -> bool:
        if name not in self.data:
            return default
        value = self.data[name]
        if not isinstance(value, bool):
            raise self.fail(name, _("true or false, got {value}", value=repr(value)))
        return value

    def only(self, *names: str) -> None:
        """Reject unknown keys: a misspelt threshold must not silently vanish. Where
        ``label`` is allowed, so are its translations ``"label.<language>"``
        (:meth:`labels` checks them)."""
        for key in self.data:
            if key not in names and not (key.startswith("label.") and "label" in names):
                raise self.fail(key, _("a known key ({keys})", keys=", ".join(names)))

    def labels(self) -> tuple[tuple[str, str], ...]:
        """The ``"label.pt-PT" = "..."`` keys: (language, text), each a language kapdesk
        speaks (written as kapdesk writes it) and a non-empty text."""
        from kapdesk.i18n import ENGLISH, supported

        out: list[tuple[str, str]] = []
        for key in self.data:
            if not key.startswith("label."):
                continue
            language = key.removeprefix("label.")
            offered = [tag for tag in supported() if tag != ENGLISH]
            if language not in offered:
                raise self.fail(
                    key,
                    _(
                        "a language kapdesk speaks ({languages}) after 'label.', got {language}",
                        languages=", ".join(offered),
                        language=repr(language),
                    ),
                )
            out.append((language, self.text(key)))
        return tuple(out)

    def choice(self, name: str, enum: type[StrEnum], default: StrEnum | None = None) -> Any:
        allowed = ", ".join(repr(e.value) for e in enum)
        if name not in self.data:
            if default is not None:
                return default
            raise self.fail(name, _("one of {allowed} (missing)", allowed=allowed))
        value = self.data[name]
        try:
            return enum(value)
        except ValueError:
            raise self.fail(
                name, _("one of {allowed}, got {value}", allowed=allowed, value=repr(value))
            ) from None

    def text_list(self, name: str, default: Iterable[str] | None = None) -> tuple[str, ...]:
        if name not in self.data:
            if default is not None:
                return tuple(default)
            raise self.fail(name, _("a list of text values (missing)"))
        value = self.data[name]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(name, _("a list of text values, got {value}", value=repr(value)))
        return tuple(value)

    def routes(self, name: str) -> tuple[Route, ...]:
        values = self.text_list(name, default=())
        allowed = ", ".join(r.value for r in Route)
        out: list[Route] = []
        for v in values:
            try:
                out.append(Route(v))
            except ValueError:
                raise self.fail(
                    name, _("routes among {allowed}, got {value}", allowed=allowed, value=repr(v))
                ) from None
        return tuple(out)

    def table(self, name: str, *, required: bool = True) -> TableReader:
        value = self.data.get(name)
        if value is None and not required:
            return TableReader(self.source, {}, f"{self.key(name)}.")
        if not isinstance(value, dict):
            if value is None:
                raise self.fail(name, _("a table (missing)"))
            raise self.fail(name, _("a table, got {value}", value=repr(value)))
        return TableReader(self.source, value, f"{self.key(name)}.")

    def tables(self, name: str, *, required: bool = True) -> list[TableReader]:
        value = self.data.get(name)
        if value is None and not required:
            return []
        if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
            table = f"[[{self.key(name)}]]"
            if value is None:
                raise self.fail(name, _("one or more {table} tables (missing)", table=table))
            raise self.fail(
                name, _("one or more {table} tables, got {value}", table=table, value=repr(value))
            )
        return [TableReader(self.source, v, f"{self.key(name)}[{i}].") for i, v in enumerate(value)]
