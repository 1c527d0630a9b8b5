"""Stored findings of every audit (barrier audits of documents, finance audits of a region):
storing them, listing them in the caller's scope, and their lifecycle.

Lifecycle: open -> acknowledged -> resolved; open or acknowledged -> dismissed, with a reason.
resolved and dismissed are final. Who may move a finding (it must be visible to them, else 404):

- admin: every transition;
- platform of the finding's region: every transition (it acts for the purchasers it serves);
- officer of the owning organization: acknowledge and resolve; dismiss only the findings of its own
  document audits (a false positive of its self-check), never a finance audit's finding about it;
- auditor (finance department of the region): acknowledge and dismiss (it reviews what the audits
  found); resolving is for the body that fixed the problem, so not the auditor.
"""

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auditlog.services import record
from procurement.errors import InvalidInput, NotPermitted
from procurement.events.services import emit_event
from procurement.findings.models import FindingSource, FindingStatus, StoredFinding
from procurement.organizations.models import Role
from procurement.orm import utcnow
from procurement.pagination import Page, fetch_page
from procurement.scope import Actor, one_visible
from rules.findings import Finding

S = FindingStatus
NEXT_STATUSES: Mapping[FindingStatus, frozenset[FindingStatus]] = {
    S.OPEN: frozenset({S.ACKNOWLEDGED, S.DISMISSED}),
    S.ACKNOWLEDGED: frozenset({S.RESOLVED, S.DISMISSED}),
    S.RESOLVED: frozenset(),
    S.DISMISSED: frozenset(),
}
STATUS_ZH = {S.OPEN: "待处理", S.ACKNOWLEDGED: "已确认", S.RESOLVED: "已整改", S.DISMISSED: "已排除"}
_EVERY = frozenset(FindingStatus)
# the statuses each role may set; the officer's dismissal is narrowed further in _require_may
MAY_SET: Mapping[Role, frozenset[FindingStatus]] = {
    Role.ADMIN: _EVERY,
    Role.PLATFORM: _EVERY,
    Role.OFFICER: frozenset({S.ACKNOWLEDGED, S.RESOLVED, S.DISMISSED}),
    Role.AUDITOR: frozenset({S.ACKNOWLEDGED, S.DISMISSED}),
}
OFFICER_MAY_DISMISS = frozenset({FindingSource.DOCUMENT_AUDIT})
REASON_MAX_CHARS = 2000


def _jsonable(value: Mapping[str, Any]) -> dict[str, Any]:
    """Evidence as plain JSON (a Decimal or date becomes its text), the same on both databases."""
    loaded: dict[str, Any] = json.loads(json.dumps(dict(value), ensure_ascii=False, default=str))
    return loaded


def store_findings(
    session: Session,
    *,
    source: FindingSource,
    source_id: int,
    organization_id: int,
    region_code: str,
    findings: Iterable[Finding],
    contract_id: int | None = None,
) -> list[StoredFinding]:
    """Store the findings of one audit as open; the caller logs the audit that produced them."""
    rows = [
        StoredFinding(
            source=source,
            source_id=source_id,
            organization_id=organization_id,
            region_code=region_code,
            contract_id=contract_id,
            rule_id=f.rule_id,
            category=f.category,
            legal_force=f.legal_force,
            severity=f.severity,
            citations=[c.as_dict() for c in f.citations],
            message_zh=f.message_zh,
            message_en=f.message_en,
            remedy_zh=f.remedy_zh,
            remedy_en=f.remedy_en,
            evidence=_jsonable(f.evidence),
            policy_version=f.policy_version,
            status=FindingStatus.OPEN,
            status_reason="",
        )
        for f in findings
    ]
    session.add_all(rows)
    session.flush()
    for row in rows:
        emit_event(
            session,
            type="finding.opened",
            organization_id=row.organization_id,
            region_code=row.region_code,
            data=finding_event(row),
        )
    return rows


def finding_event(finding: StoredFinding) -> dict[str, Any]:
    """What a finding.* webhook says of a finding (the rest is at its URL)."""
    return {
        "finding_id": finding.id,
        "finding": f"/v1/findings/{finding.id}",
        "rule_id": finding.rule_id,
        "severity": finding.severity,
        "legal_force": finding.legal_force,
        "contract_id": finding.contract_id,
        "source": finding.source,
        "source_id": finding.source_id,
    }


def list_findings(
    session: Session,
    actor: Actor,
    *,
    after: int | None,
    limit: int,
    status: FindingStatus | None = None,
    category: str | None = None,
    org: int | None = None,
    source: FindingSource | None = None,
    source_id: int | None = None,
    rule_id: str | None = None,
) -> Page[StoredFinding]:
    """Findings the caller may see (officer: its organization's; platform, auditor: its region's;
    admin: all), oldest first, filtered by what is given."""
    query = select(StoredFinding).where(
        actor.visible(StoredFinding.organization_id, StoredFinding.region_code)
    )
    filters = {
        StoredFinding.status: status,
        StoredFinding.category: category,
        StoredFinding.organization_id: org,
        StoredFinding.source: source,
        StoredFinding.source_id: source_id,
        StoredFinding.rule_id: rule_id,
    }
    for column, value in filters.items():
        if value is not None:
            query = query.where(column == value)
    return fetch_page(session, query, StoredFinding.id, after=after, limit=limit)


def findings_of(session: Session, *, source: FindingSource, source_id: int) -> list[StoredFinding]:
    """Every finding of one audit, in order (the caller has checked that it may see the audit)."""
    query = (
        select(StoredFinding)
        .where(StoredFinding.source == source, StoredFinding.source_id == source_id)
        .order_by(StoredFinding.id)
    )
    return list(session.execute(query).scalars())


def _visible(session: Session, actor: Actor, finding_id: int, *, for_update: bool = False) -> StoredFinding:
    return one_visible(
        session,
        actor,
        StoredFinding,
        finding_id,
        org_column=StoredFinding.organization_id,
        region_column=StoredFinding.region_code,
        names=("审查发现", "finding"),
        for_update=for_update,  # two reviewers at once: the second sees the first one's status
    )


def get_finding(session: Session, actor: Actor, finding_id: int) -> StoredFinding:
    return _visible(session, actor, finding_id)


def _require_may(actor: Actor, finding: StoredFinding, status: FindingStatus) -> None:
    allowed = MAY_SET.get(actor.role, frozenset())
    officer_dismissal = (
        actor.role is Role.OFFICER
        and status is FindingStatus.DISMISSED
        and finding.source not in OFFICER_MAY_DISMISS
    )
    if status not in allowed or officer_dismissal:
        raise NotPermitted(
            f"您的角色（{actor.role.value}）不能将此审查发现改为“{STATUS_ZH[status]}”",
            f"your role ({actor.role.value}) may not set this finding to {status.value}",
        )


def finding_state(finding: StoredFinding) -> dict[str, Any]:
    """What the audit log keeps of a finding's lifecycle."""
    changed_at = finding.status_changed_at
    return {
        "status": finding.status.value,
        "reason": finding.status_reason,
        "changed_at": changed_at.isoformat() if changed_at else None,
        "changed_by": finding.status_changed_by,
    }


def change_status(
    session: Session,
    actor: Actor,
    finding_id: int,
    *,
    status: FindingStatus,
    reason: str | None = None,
    now: datetime | None = None,
) -> StoredFinding:
    """Move a finding along its lifecycle (see the module docstring); logged with before and after.

    NotFound when invisible; InvalidInput naming ``status`` for a move the lifecycle forbids;
    NotPermitted when the role may not set ``status``; InvalidInput naming ``reason`` for a
    dismissal without one.
    """
    finding = _visible(session, actor, finding_id, for_update=True)
    current = finding.status
    if status not in NEXT_STATUSES[current]:  # whoever asks: the lifecycle answers first
        raise InvalidInput(
            {
                "status": f"审查发现不能从“{STATUS_ZH[current]}”改为“{STATUS_ZH[status]}” / "
                f"a finding cannot go from {current.value} to {status.value}"
            }
        )
    _require_may(actor, finding, status)
    text = (reason or "").strip()
    if status is FindingStatus.DISMISSED and not text:
        raise InvalidInput({"reason": "排除审查发现须说明理由 / dismissing a finding needs a reason"})
    if len(text) > REASON_MAX_CHARS:
        raise InvalidInput(
            {"reason": f"理由不能超过{REASON_MAX_CHARS}字 / at most {REASON_MAX_CHARS} characters"}
        )
    before = finding_state(finding)
    finding.status = status
    finding.status_reason = text
    finding.status_changed_at = now or utcnow()
    finding.status_changed_by = actor.label
    session.flush()
    record(
        session,
        actor=actor.label,
        action=f"finding.{status.value}",
        entity_type="finding",
        entity_id=finding.id,
        before=before,
        after=finding_state(finding),
    )
    emit_event(
        session,
        type="finding.status_changed",
        organization_id=finding.organization_id,
        region_code=finding.region_code,
        data={
            **finding_event(finding),
            "from": current,
            "to": status,
            "reason": text,
            "changed_by": actor.label,
        },
    )
    return finding
