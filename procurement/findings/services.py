"""Stored findings of every audit (barrier audits of documents, finance audits of a region):
storing them, listing them in the caller's scope, and their lifecycle.

Lifecycle: open -> acknowledged -> resolved; open or acknowledged -> dismissed, with a reason.
resolved and dismissed are final for people; audits resolve what they no longer find and reopen
what they find again (``procurement.findings.upsert``). Every transition is kept
(``transitions_of``). Who may move a finding (it must be visible to them, else 404):

- admin: every transition;
- platform of the finding's region: every transition (it acts for the purchasers it serves);
- officer of the owning organization: acknowledge and resolve; dismiss only the findings of its own
  document audits (a false positive of its self-check), never a finance audit's finding about it;
- auditor (finance department of the region): acknowledge and dismiss (it reviews what the audits
  found); resolving is for the body that fixed the problem, so not the auditor.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auditlog.services import record
from procurement.errors import InvalidInput, NotPermitted
from procurement.events.services import emit_event
from procurement.finance import seen
from procurement.findings.identity import contract_scope, keyed
from procurement.findings.models import FindingSource, FindingStatus, FindingTransition, StoredFinding
from procurement.findings.upsert import Sighting, status_changed_event, upsert_findings
from procurement.organizations.models import Role
from procurement.orm import utcnow
from procurement.pagination import Page, fetch_page
from procurement.scope import Actor, one_visible
from rules.findings import Finding
from rules.vocabulary import LegalForce

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


def store_findings(
    session: Session,
    *,
    source: FindingSource,
    source_id: int,
    organization_id: int,
    region_code: str,
    findings: Iterable[Finding],
    scope: str | None = None,
    contract_id: int | None = None,
    by: str = "",
) -> list[StoredFinding]:
    """Upsert the findings of one audited thing (``scope``, see ``identity``) and return them.

    Without ``scope``, the thing is the contract (``contract_id``) or else the audit itself.
    """
    if scope is None:
        scope = contract_scope(contract_id) if contract_id is not None else f"{source.value}:{source_id}"
    sightings = [
        Sighting(key, f, organization_id, region_code, contract_id) for key, f in keyed(scope, findings)
    ]
    counts = upsert_findings(
        session, sightings, source=source, source_id=source_id, by=by or f"{source.value}:{source_id}"
    )
    if not counts.ids:
        return []
    rows = session.execute(
        select(StoredFinding)
        .where(StoredFinding.id.in_(counts.ids))
        .execution_options(populate_existing=True)
    ).scalars()
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in counts.ids]


def transitions_of(session: Session, finding_id: int) -> list[FindingTransition]:
    """A finding's history, oldest first (the caller has checked that it may see the finding)."""
    query = select(FindingTransition).where(FindingTransition.finding_id == finding_id)
    return list(session.execute(query.order_by(FindingTransition.id)).scalars())


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
    legal_force: LegalForce | None = None,
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
        StoredFinding.rule_id: rule_id,
        StoredFinding.legal_force: legal_force,
    }
    for column, value in filters.items():
        if value is not None:
            query = query.where(column == value)
    if source_id is not None:  # the audit that last found it, as shown (see procurement.finance.seen)
        query = query.where(seen.source_is(session, source_id))
    page = fetch_page(session, query, StoredFinding.id, after=after, limit=limit)
    seen.show_last_seen(session, page.items)
    return page


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
    finding = _visible(session, actor, finding_id)
    seen.show_last_seen(session, [finding])
    return finding


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
    session.add(
        FindingTransition(
            finding_id=finding.id,
            at=finding.status_changed_at,
            by=actor.label,
            from_status=current,
            to_status=status,
            reason=text,
        )
    )
    session.flush()
    emit_event(
        session,
        **status_changed_event(
            finding.id, finding.organization_id, finding.region_code, current, status, text, actor.label
        ),
    )
    record(
        session,
        actor=actor.label,
        action=f"finding.{status.value}",
        entity_type="finding",
        entity_id=finding.id,
        before=before,
        after=finding_state(finding),
    )
    seen.show_last_seen(session, [finding])
    return finding
