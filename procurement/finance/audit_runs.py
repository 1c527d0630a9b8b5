"""Finance audit runs: audit the signed contracts of a region (or one purchaser) and a signing period.

Each contract goes through ``rules.audits.audit_contract`` as of ``as_of``; findings are stored
with source ``audit_run`` (shared finding lifecycle), and the run keeps a summary: counts by
finding kind and, per rule, how many contracts it could evaluate and why it could not the others.
Who may run one: an auditor (finance department) for its region and below, a platform for its
region, an officer for its own organization, an admin anywhere.
"""

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auditlog.services import record
from procurement.contracts.models import Contract
from procurement.errors import InvalidInput, NotFound, NotPermitted
from procurement.events.services import emit_event
from procurement.finance.models import AuditRun
from procurement.finance.obligations import default_policy_at
from procurement.finance.stored import load_contracts, stored_facts
from procurement.findings.models import FindingSource
from procurement.findings.services import store_findings
from procurement.organizations.models import Organization, Role
from procurement.scope import Actor, one_visible, region_covers, region_prefix
from rules.audits import RULES, TERMS_MANDATORY, audit_contract
from rules.errors import RulesError
from rules.payment_clock import PolicyAt

BATCH = 500
MAX_ERRORS_KEPT = 200
EVALUATED = "evaluated"


def _scope(
    session: Session, actor: Actor, region_code: str | None, organization_id: int | None
) -> tuple[str, int | None]:
    """The run's region and purchaser after the caller's rights are applied."""
    if actor.role is Role.OFFICER:
        if organization_id not in (None, actor.organization_id):
            raise NotPermitted("经办人只能审查本单位的合同", "an officer may audit its own organization only")
        return actor.region_code, actor.organization_id
    region = region_code or actor.region_code
    if actor.role is not Role.ADMIN and not region_covers(actor.region_code, region):
        raise NotPermitted(
            f"地区 {region} 不在您的辖区（{actor.region_code}）", f"region {region} is outside yours"
        )
    if organization_id is not None:
        org = one_visible(
            session,
            actor,
            Organization,
            organization_id,
            org_column=Organization.id,
            region_column=Organization.region_code,
            names=("采购人", "organization"),
        )
        region = org.region_code
    return region, organization_id


def contract_ids_in(
    session: Session,
    actor: Actor,
    *,
    region_code: str,
    organization_id: int | None,
    period_from: date,
    period_to: date,
) -> Sequence[int]:
    query = select(Contract.id).where(
        actor.visible(Contract.purchaser_id, Contract.region_code),
        Contract.region_code.startswith(region_prefix(region_code), autoescape=True),
        Contract.signed_on.is_not(None),
        Contract.signed_on >= period_from,
        Contract.signed_on <= period_to,
    )
    if organization_id is not None:
        query = query.where(Contract.purchaser_id == organization_id)
    return list(session.execute(query.order_by(Contract.id)).scalars())


def create_audit_run(
    session: Session,
    actor: Actor,
    *,
    region_code: str | None = None,
    organization_id: int | None = None,
    period_from: date,
    period_to: date,
    as_of: date,
    policy_at: PolicyAt | None = None,
) -> AuditRun:
    """Audit the signed contracts in scope and store the run, its summary and its findings."""
    if period_to < period_from:
        raise InvalidInput({"to": "结束日期早于开始日期 / 'to' is before 'from'"})
    region, organization_id = _scope(session, actor, region_code, organization_id)
    policy_at = policy_at or default_policy_at()
    run = AuditRun(
        requested_by_org_id=actor.organization_id,
        region_code=region,
        organization_id=organization_id,
        period_from=period_from,
        period_to=period_to,
        as_of=as_of,
        summary={},
        created_by=actor.label,
    )
    session.add(run)
    session.flush()
    ids = contract_ids_in(
        session,
        actor,
        region_code=region,
        organization_id=organization_id,
        period_from=period_from,
        period_to=period_to,
    )
    counts: Counter[str] = Counter({rule: 0 for rule in RULES if rule != TERMS_MANDATORY})
    coverage: dict[str, Counter[str]] = {rule: Counter() for rule in RULES}
    errors: list[dict[str, Any]] = []
    error_count = 0
    for start in range(0, len(ids), BATCH):
        contracts = load_contracts(session, ids[start : start + BATCH])
        facts = stored_facts(session, contracts)
        for contract in contracts:
            try:
                audit = audit_contract(facts[contract.id], policy_at, as_of, record=f"contract {contract.id}")
            except RulesError as err:
                error_count += 1
                if len(errors) < MAX_ERRORS_KEPT:
                    errors.append(
                        {"contract_id": contract.id, "message": f"{err.message_zh} / {err.message_en}"}
                    )
                continue
            for rule, reason in audit.coverage.items():
                coverage.setdefault(rule, Counter())[reason or EVALUATED] += 1
            counts.update(f.rule_id for f in audit.findings)
            if audit.findings:
                store_findings(
                    session,
                    source=FindingSource.AUDIT_RUN,
                    source_id=run.id,
                    organization_id=contract.purchaser_id,
                    region_code=contract.region_code,
                    findings=audit.findings,
                    contract_id=contract.id,
                )
        for contract in contracts:  # a region holds many contracts: keep the identity map small
            session.expunge(contract)
    run.summary = {
        "contracts": len(ids),
        "audited": len(ids) - error_count,
        "findings": dict(sorted(counts.items())),
        "coverage": {rule: dict(c.most_common()) for rule, c in sorted(coverage.items())},
        "errors": errors,
        "error_count": error_count,
    }
    session.flush()
    record(
        session,
        actor=actor.label,
        action="audit_run.create",
        entity_type="audit_run",
        entity_id=run.id,
        before=None,
        after={
            "region_code": region,
            "organization_id": organization_id,
            "from": period_from.isoformat(),
            "to": period_to.isoformat(),
            "as_of": as_of.isoformat(),
            "findings": run.summary["findings"],
        },
    )
    emit_event(
        session,
        type="audit_run.completed",
        organization_id=actor.organization_id,
        region_code=region,
        data={
            "audit_run_id": run.id,
            "audit_run": f"/v1/audit-runs/{run.id}",
            "contracts": run.summary["contracts"],
            "audited": run.summary["audited"],
            "findings": run.summary["findings"],
            "error_count": error_count,
        },
    )
    return run


def get_audit_run(session: Session, actor: Actor, run_id: int) -> AuditRun:
    """A run the caller may see: admin any; officer its own or about its organization; platform and
    auditor those whose region lies in theirs."""
    run = session.get(AuditRun, run_id)
    visible = run is not None and (
        actor.role is Role.ADMIN
        or (
            actor.role is Role.OFFICER
            and actor.organization_id in (run.requested_by_org_id, run.organization_id)
        )
        or (actor.role in (Role.PLATFORM, Role.AUDITOR) and region_covers(actor.region_code, run.region_code))
    )
    if run is None or not visible:
        raise NotFound("审计批次", "audit run", run_id)
    return run
