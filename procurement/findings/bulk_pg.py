"""PostgreSQL: new findings, their first transition and their ``finding.opened`` events in three
statements whatever their number (the rows bound once as JSON, the ids as an array), instead of
one multi-row statement per few hundred whose text the driver must parse each time.

The rows are those ``procurement.findings.upsert`` builds for SQLite's path; the outbox data has the
same fields as ``upsert._opened``.
"""

from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.orm import Session

from procurement.findings.models import FindingStatus

# (column, its type in the JSON rows)
_COLUMNS: tuple[tuple[str, str], ...] = (
    ("key", "text"),
    ("source", "text"),
    ("source_id", "int"),
    ("first_source_id", "int"),
    ("organization_id", "int"),
    ("region_code", "text"),
    ("contract_id", "int"),
    ("rule_id", "text"),
    ("category", "text"),
    ("legal_force", "text"),
    ("severity", "text"),
    ("citations", "text"),
    ("message_zh", "text"),
    ("message_en", "text"),
    ("remedy_zh", "text"),
    ("remedy_en", "text"),
    ("evidence", "text"),
    ("evidence_digest", "text"),
    ("policy_version", "text"),
    ("status", "text"),
    ("status_reason", "text"),
)
_JSON = frozenset({"citations", "evidence"})  # stored as json
# the rows travel as one JSON text (orjson writes it fast), not as an array per column: psycopg
# escapes every element of a text array with a regular expression, which cost more than the insert
_INSERT = text(
    "INSERT INTO findings ("
    + ", ".join(c for c, _ in _COLUMNS)
    + ", created_at, last_seen_at) SELECT "
    + ", ".join(f"t.{c}" for c, _ in _COLUMNS)
    + ", :now, :now FROM json_to_recordset(CAST(:rows AS json)) AS t("
    + ", ".join(f"{c} json" if c in _JSON else f"{c} {kind}" for c, kind in _COLUMNS)
    + ") RETURNING id, key"
)
_TRANSITIONS = text(
    "INSERT INTO finding_transitions (finding_id, at, by, from_status, to_status, reason) "
    "SELECT t.id, :now, :by, NULL, :open, :reason FROM unnest(CAST(:ids AS int[])) AS t(id)"
)
_OPENED = text(
    "INSERT INTO outbox_events (type, organization_id, region_code, data, occurred_at) "
    "SELECT 'finding.opened', f.organization_id, f.region_code, json_build_object("
    "'finding_id', f.id, 'finding', '/v1/findings/' || f.id, 'rule_id', f.rule_id, "
    "'contract_id', f.contract_id, 'severity', f.severity, 'legal_force', f.legal_force, "
    "'source', CAST(:source AS text)), :now "
    "FROM findings f WHERE f.id = ANY(CAST(:ids AS int[])) ORDER BY f.id"
)


_ENUMS = ("source", "legal_force", "severity", "status")  # members stored as their values


def insert_findings(session: Session, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert new findings (rows keyed like ``StoredFinding``'s columns); their ids by key."""
    names = [c for c, _ in _COLUMNS]
    plain = [{c: row[c] for c in names} for row in rows]
    for row in plain:
        for c in _ENUMS:
            value = row[c]
            row[c] = value.value if isinstance(value, Enum) else value
    params = {"rows": orjson.dumps(plain).decode(), "now": rows[0]["created_at"]}
    return {key: id_ for id_, key in session.execute(_INSERT, params)}


def opened(session: Session, ids: list[int], now: datetime, by: str, reason: str, source: str) -> None:
    """Each new finding's first transition (None -> open) and its ``finding.opened`` event."""
    session.execute(
        _TRANSITIONS, {"ids": ids, "now": now, "by": by, "open": FindingStatus.OPEN.value, "reason": reason}
    )
    session.execute(_OPENED, {"ids": ids, "now": now, "source": source})
