"""What an IntegrityError was, by constraint: NOT NULL, unique, foreign key or check, with the
constraint's name and columns, read alike from PostgreSQL (the error's diagnostics) and SQLite (its
message, whose columns are looked up in the metadata to name the constraint).

Callers decide by name (``uq_contracts_owner_org_id_external_ref`` is a duplicate external_ref), so a
NOT NULL violation is never misread as a duplicate.
"""

import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import UniqueConstraint
from sqlalchemy.exc import IntegrityError

from procurement.orm import Base

Kind = Literal["not_null", "unique", "foreign_key", "check", "other"]
PG_STATES: dict[str, Kind] = {
    "23502": "not_null",
    "23505": "unique",
    "23503": "foreign_key",
    "23514": "check",
}
SQLITE_MESSAGE = re.compile(r"^(NOT NULL|UNIQUE|FOREIGN KEY|CHECK) constraint failed(?::\s*(.*))?$")
SQLITE_KINDS: dict[str, Kind] = {
    "NOT NULL": "not_null",
    "UNIQUE": "unique",
    "FOREIGN KEY": "foreign_key",
    "CHECK": "check",
}


@dataclass(frozen=True, slots=True)
class Violation:
    kind: Kind
    table: str | None
    columns: tuple[str, ...]
    constraint: str | None


def classify(exc: IntegrityError) -> Violation:
    original = exc.orig
    diag = getattr(original, "diag", None)
    if diag is not None:  # psycopg
        kind = PG_STATES.get(getattr(original, "sqlstate", "") or "", "other")
        column = diag.column_name
        constraint = diag.constraint_name
        table = diag.table_name
        columns = (column,) if column else _unique_columns(table, constraint)
        return Violation(kind, table, columns, constraint)
    match = SQLITE_MESSAGE.match(str(original).strip())
    if match is None:
        return Violation("other", None, (), None)
    kind = SQLITE_KINDS[match.group(1)]
    detail = (match.group(2) or "").strip()
    if kind == "check":
        return Violation(kind, None, (), detail or None)
    qualified = [part.strip() for part in detail.split(",") if part.strip()]
    table = qualified[0].split(".")[0] if qualified else None
    columns = tuple(part.split(".", 1)[-1] for part in qualified)
    constraint = _unique_name(table, columns) if kind == "unique" else None
    return Violation(kind, table, columns, constraint)


def _unique_name(table: str | None, columns: tuple[str, ...]) -> str | None:
    if table is None or table not in Base.metadata.tables:
        return None
    for constraint in Base.metadata.tables[table].constraints:
        if isinstance(constraint, UniqueConstraint) and tuple(constraint.columns.keys()) == columns:
            return str(constraint.name)
    return None


def _unique_columns(table: str | None, name: str | None) -> tuple[str, ...]:
    if table is None or name is None or table not in Base.metadata.tables:
        return ()
    for constraint in Base.metadata.tables[table].constraints:
        if constraint.name == name and isinstance(constraint, UniqueConstraint):
            return tuple(constraint.columns.keys())
    return ()


def is_unique(exc: IntegrityError, constraint: str) -> bool:
    violation = classify(exc)
    return violation.kind == "unique" and violation.constraint == constraint
