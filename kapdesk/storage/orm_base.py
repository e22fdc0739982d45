"""The declarative base of the tables (the timestamp type is :mod:`.column_types`'s).

``kapdesk.storage.orm`` holds the tables and re-exports ``Base`` and ``UTCDateTime``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    MetaData,
)
from sqlalchemy.orm import DeclarativeBase

from kapdesk.storage.column_types import UTCDateTime as UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def restrict_fk(target: str) -> ForeignKey:
    """A foreign key that refuses to delete a referenced row (no cascades on clinical data)."""
    return ForeignKey(target, ondelete="RESTRICT")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads it as a class attribute)
        datetime: UTCDateTime(),
        date: Date(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
        float: Float(),
        bool: Boolean(),
        int: Integer(),
    }
