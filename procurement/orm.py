"""Declarative base with a naming convention (stable constraint names) and column types."""

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Enum, MetaData, Numeric
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC timestamps on both databases (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        Decimal: Numeric(18, 2),
    }


# Money in yuan with fen precision; percentages with 4 decimals (12.3456%).
Money = Numeric(18, 2)
MONEY_MAX = Decimal("9999999999999999.99")  # the largest amount Money holds
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


class EnumList(TypeDecorator[list[Any]]):
    """A JSON list of enum values, read back as enum members (e.g. the accepted bond forms)."""

    impl = JSON
    cache_ok = True

    def __init__(self, enum_class: type[enum.Enum]) -> None:
        super().__init__()
        self.enum_class = enum_class

    def process_bind_param(self, value: list[Any] | None, dialect: Dialect) -> list[Any] | None:
        if value is None:
            return None
        return sorted(self.enum_class(v).value for v in value)

    def process_result_value(self, value: list[Any] | None, dialect: Dialect) -> list[Any] | None:
        if value is None:
            return None
        return [self.enum_class(v) for v in value]
