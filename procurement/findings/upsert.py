"""Upserting what an audit found, by key and in bulk, and resolving what it no longer finds.

Both work in a few statements per few hundred findings (no object per finding), so an audit run
over a province writes its findings at the speed of the database.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, Text, and_, insert, literal, select, update
from sqlalchemy.orm import Session

from procurement.events.models import OutboxEvent
from procurement.findings import bulk_pg
from procurement.findings.identity import changed_fields, evidence_digest
from procurement.findings.models import FindingSource, FindingStatus, FindingTransition, StoredFinding
from procurement.orm import utcnow
from rules.findings import Finding

S = FindingStatus


def jsonable(value: Mapping[str, Any]) -> dict[str, Any]:
    """Evidence as plain JSON (a Decimal or date becomes its text), the same on both databases."""
    loaded: dict[str, Any] = json.loads(json.dumps(dict(value), ensure_ascii=False, default=str))
    return loaded


@dataclass(frozen=True, slots=True)
class Sighting:
    """A finding an audit made now, keyed (``procurement.findings.identity``), with its owner."""

    key: str
    finding: Finding
    organization_id: int
    region_code: str
    contract_id: int | None = None


@dataclass(slots=True)
class UpsertCounts:
    opened: int = 0  # new keys
    reopened: int = 0  # dismissed or resolved, found again (see ``_reopen_reason``)
    refreshed: int = 0  # seen again, status kept
    ids: list[int] = field(default_factory=list)  # in the order of the sightings

    def add(self, other: "UpsertCounts") -> None:
        self.opened += other.opened
        self.reopened += other.reopened
        self.refreshed += other.refreshed
        self.ids += other.ids


KEYS_PER_QUERY = 2000
CLEARED_REASON = "条件已消除 / condition cleared"
_ACTIVE = (S.OPEN, S.ACKNOWLEDGED)


def _reopen_reason(status: FindingStatus, reason: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """Why a closed finding found again reopens, or "" when it stays as it is.

    Dismissed or resolved by a person: only when its evidence changed materially. Resolved by an
    audit (condition cleared): whenever it is found again.
    """
    if status is S.RESOLVED and reason == CLEARED_REASON:
        return "再次发现 / found again after its condition had cleared"
    changed = ", ".join(changed_fields(old, new))
    return f"证据发生实质变化（{changed}） / evidence changed materially ({changed})"


def _content(f: Finding, evidence: dict[str, Any]) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id,
        "category": f.category,
        "legal_force": f.legal_force,
        "severity": f.severity,
        "citations": [c.as_dict() for c in f.citations],
        "message_zh": f.message_zh,
        "message_en": f.message_en,
        "remedy_zh": f.remedy_zh,
        "remedy_en": f.remedy_en,
        "evidence": evidence,
        "evidence_digest": evidence_digest(evidence),
        "policy_version": f.policy_version,
    }


def upsert_findings(
    session: Session,
    sightings: Sequence[Sighting],
    *,
    source: FindingSource,
    source_id: int,
    by: str,
    now: datetime | None = None,
) -> UpsertCounts:
    """Store what an audit found, by key, in bulk: a new key is a new open finding; a known one is
    refreshed (evidence, texts, ``last_seen_at``, the audit that saw it) and keeps its status, except
    that a closed one reopens as ``_reopen_reason`` says. Every opening is a transition."""
    now = now or utcnow()
    counts = UpsertCounts()
    for start in range(0, len(sightings), KEYS_PER_QUERY):
        counts.add(
            _upsert_some(session, sightings[start : start + KEYS_PER_QUERY], source, source_id, by, now)
        )
    return counts


def _upsert_some(
    session: Session,
    sightings: Sequence[Sighting],
    source: FindingSource,
    source_id: int,
    by: str,
    now: datetime,
) -> UpsertCounts:
    counts = UpsertCounts()
    known = {
        row.key: row
        for row in session.execute(select(*_KNOWN).where(StoredFinding.key.in_([s.key for s in sightings])))
    }
    contents = [_content(s.finding, jsonable(s.finding.evidence)) for s in sightings]
    reopening = {
        s.key: known[s.key].id
        for s, content in zip(sightings, contents, strict=True)
        if s.key in known and _reopens(known[s.key], content)
    }
    old_evidence: dict[int, dict[str, Any]] = {}
    if reopening:  # only a reopening says what changed: read those findings' evidence alone
        old_evidence = dict(
            session.execute(
                select(StoredFinding.id, StoredFinding.evidence).where(
                    StoredFinding.id.in_(list(reopening.values()))
                )
            ).all()
        )
    inserts: list[dict[str, Any]] = []
    news: list[Sighting] = []
    updates: list[dict[str, Any]] = []
    seen_only: list[int] = []  # found again exactly as stored: only the sighting is recorded
    transitions: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for s, content in zip(sightings, contents, strict=True):
        row = known.get(s.key)
        if row is None:
            inserts.append(
                content
                | {
                    "key": s.key,
                    "source": source,
                    "source_id": source_id,
                    "first_source_id": source_id,
                    "organization_id": s.organization_id,
                    "region_code": s.region_code,
                    "contract_id": s.contract_id,
                    "status": S.OPEN,
                    "status_reason": "",
                    "created_at": now,
                    "last_seen_at": now,
                }
            )
            news.append(s)
            continue
        if s.key not in reopening:
            counts.refreshed += 1
            if source is FindingSource.AUDIT_RUN and _unchanged(row, content):
                seen_only.append(row.id)
            else:
                updates.append(
                    content | {"id": row.id, "source": source, "source_id": source_id, "last_seen_at": now}
                )
            continue
        reason = _reopen_reason(row.status, row.status_reason, old_evidence[row.id], content["evidence"])
        updates.append(
            content
            | {
                "id": row.id,
                "source": source,
                "source_id": source_id,
                "last_seen_at": now,
                "status": S.OPEN,
                "status_reason": reason,
                "status_changed_at": now,
                "status_changed_by": by,
            }
        )
        transitions.append(
            {
                "finding_id": row.id,
                "at": now,
                "by": by,
                "from_status": row.status,
                "to_status": S.OPEN,
                "reason": reason,
            }
        )
        events.append(
            status_changed_event(row.id, s.organization_id, s.region_code, row.status, S.OPEN, reason, by)
        )
        counts.reopened += 1
    new_ids: dict[str, int] = {}
    if inserts:
        found_reason = f"{source.value} {source_id} 发现 / found by {source.value} {source_id}"
        if session.get_bind().dialect.name == "postgresql":
            new_ids = bulk_pg.insert_findings(session, inserts)
            bulk_pg.opened(session, list(new_ids.values()), now, by, found_reason, source.value)
        else:
            returned = session.execute(
                insert(StoredFinding).returning(StoredFinding.id, StoredFinding.key), inserts
            )
            new_ids = {key: id_ for id_, key in returned}
            transitions += [
                {
                    "finding_id": new_ids[row["key"]],
                    "at": now,
                    "by": by,
                    "from_status": None,
                    "to_status": S.OPEN,
                    "reason": found_reason,
                }
                for row in inserts
            ]
            events += [_opened(new_ids[s.key], s, source) for s in news]
        counts.opened = len(inserts)
    if seen_only:
        session.execute(
            update(StoredFinding)
            .where(StoredFinding.id.in_(seen_only))
            .values(source=source, source_id=source_id, last_seen_at=now)
            .execution_options(synchronize_session=False)
        )
    if updates:
        session.execute(update(StoredFinding), updates)
    if transitions:
        session.execute(insert(FindingTransition), transitions)
    if events:  # the outbox rows emit_event would write, in one statement
        session.execute(insert(OutboxEvent), events)
    counts.ids = [new_ids[s.key] if s.key in new_ids else known[s.key].id for s in sightings]
    return counts


_KNOWN = (
    StoredFinding.id,
    StoredFinding.key,
    StoredFinding.status,
    StoredFinding.status_reason,
    StoredFinding.evidence_digest,
    StoredFinding.message_zh,
    StoredFinding.message_en,
    StoredFinding.policy_version,
    StoredFinding.legal_force,
    StoredFinding.rule_id,
)


def _reopens(row: Any, content: Mapping[str, Any]) -> bool:
    """A closed finding found again reopens: one the audit cleared always, one a person closed when
    its material evidence changed."""
    if row.status not in (S.DISMISSED, S.RESOLVED):
        return False
    if row.status is S.RESOLVED and row.status_reason == CLEARED_REASON:
        return True
    return bool(row.evidence_digest != content["evidence_digest"])


def _unchanged(row: Any, content: Mapping[str, Any]) -> bool:
    # a contract's findings: the texts carry what moves with the day (days late, interest, what is
    # outstanding, when it was settled) and the digest the rest of the evidence; equal, the stored
    # finding already says what was found (a document's clause may move without either changing, so
    # document audits always rewrite)
    return bool(
        row.evidence_digest == content["evidence_digest"]
        and row.message_zh == content["message_zh"]
        and row.message_en == content["message_en"]
        and row.policy_version == content["policy_version"]
        and row.legal_force == content["legal_force"]
        and row.rule_id == content["rule_id"]
    )


def _opened(finding_id: int, s: Sighting, source: FindingSource) -> dict[str, Any]:
    data = {
        "finding_id": finding_id,
        "finding": f"/v1/findings/{finding_id}",
        "rule_id": s.finding.rule_id,
        "contract_id": s.contract_id,
        "severity": s.finding.severity.value,
        "legal_force": s.finding.legal_force.value,
        "source": source.value,
    }
    return {
        "type": "finding.opened",
        "organization_id": s.organization_id,
        "region_code": s.region_code,
        "data": data,
    }


def status_changed_event(
    finding_id: int,
    organization_id: int,
    region_code: str,
    old: FindingStatus,
    new: FindingStatus,
    reason: str,
    by: str,
) -> dict[str, Any]:
    """An outbox row (``procurement.events``) saying a finding changed status."""
    data = {
        "finding_id": finding_id,
        "finding": f"/v1/findings/{finding_id}",
        "from": old.value,
        "to": new.value,
        "reason": reason,
        "changed_by": by,
    }
    return {
        "type": "finding.status_changed",
        "organization_id": organization_id,
        "region_code": region_code,
        "data": data,
    }


def resolve_unseen(
    session: Session,
    in_scope: ColumnElement[bool],
    *,
    source: FindingSource,
    source_id: int,
    by: str,
    now: datetime | None = None,
    found_else: ColumnElement[bool] | None = None,
) -> int:
    """Resolve, with the reason "condition cleared", the open or acknowledged findings of
    ``source`` in scope that audit ``source_id`` (which looked at all of the scope) did not find:
    those it did not stamp with its id, unless ``found_else`` says it found them (an audit run
    leaves those of unchanged contracts as they are)."""
    now = now or utcnow()
    unseen = and_(
        in_scope,
        StoredFinding.source == source,
        StoredFinding.source_id != source_id,
        *([~found_else] if found_else is not None else []),
        StoredFinding.status.in_(_ACTIVE),
    )
    resolved = session.execute(
        select(
            StoredFinding.id, StoredFinding.organization_id, StoredFinding.region_code, StoredFinding.status
        ).where(unseen)
    ).all()
    if not resolved:
        return 0
    session.execute(
        insert(OutboxEvent),
        [
            status_changed_event(
                r.id, r.organization_id, r.region_code, r.status, S.RESOLVED, CLEARED_REASON, by
            )
            for r in resolved
        ],
    )
    session.execute(
        insert(FindingTransition).from_select(
            ["finding_id", "at", "by", "from_status", "to_status", "reason"],
            select(
                StoredFinding.id,
                literal(now, FindingTransition.at.type),
                literal(by, String(200)),
                StoredFinding.status,
                literal(S.RESOLVED, FindingTransition.to_status.type),
                literal(CLEARED_REASON, Text()),
            ).where(unseen),
        )
    )
    result = session.execute(
        update(StoredFinding)
        .where(unseen)
        .values(status=S.RESOLVED, status_reason=CLEARED_REASON, status_changed_at=now, status_changed_by=by)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
