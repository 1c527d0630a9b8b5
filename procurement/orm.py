"""Declarative base with a naming convention (stable constraint names) and column types."""

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Enum, MetaData, Numeric
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: DateTime(timezone=True),
        Decimal: Numeric(18, 2),
    }


# Money in yuan with fen precision; percentages with 4 decimals (12.3456%).
Money = Numeric(18, 2)
Percent = Numeric(7, 4)
Wan = Numeric(14, 2)  # 万元, as the size table and the declaration letter state figures


def enum_column(enum_class: type[enum.Enum]) -> Enum:
    """A portable enum column storing the enum's value (no native PostgreSQL type to migrate)."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_dict(obj: Any, columns: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in columns}
