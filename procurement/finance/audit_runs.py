"""Finance audit runs: audit the signed contracts of a region (or one purchaser) and a signing period.

A run is stored first (queued, ``start_audit_run``) and then executed by id (``execute_audit_run``,
by a job or at once). Each contract goes through ``rules.audits.audit_contract`` as of ``as_of``;
findings are upserted by key with source ``audit_run`` (so a re-run refreshes them and keeps their
status), those the run no longer finds are resolved, and the run keeps a summary: counts by finding
kind and by legal force and, per rule, how many contracts it could evaluate and why it could not
the others.
Who may run one: an auditor (finance department) for its region and below, a platform for its
region, an officer for its own organization, an admin anywhere.
"""

from collections.abc import Callable
from datetime import date

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from procurement.auditlog.services import record
from procurement.contracts.models import Contract
from procurement.errors import Conflict, InvalidInput, NotFound
from procurement.events.services import emit_event
from procurement.finance.models import ACTIVE_RUN_STATES, AuditRun, AuditRunState
from procurement.finance.obligations import default_policy_at
from procurement.finance.rerun import clear, found_unchanged, mark_audited, refresh_unchanged
from procurement.finance.set_audit import Tally, audit_chunk, audit_one_by_one
from procurement.findings.models import FindingSource, StoredFinding
from procurement.findings.upsert import UpsertCounts, resolve_unseen, upsert_findings
from procurement.jobs.models import Job, JobState
from procurement.organizations.models import Organization, Role
from procurement.orm import utcnow
from procurement.scope import Actor, one_visible, region_covers, region_prefix
from rules.payment_clock import PolicyAt
from rules.vocabulary import LegalForce

BATCH = 500  # contracts a run audits one by one between two progress reports
CHUNK = 10_000  # contracts a set-based run reads at once (ids in order) and commits together


def _scope(
    session: Session, actor: Actor, region_code: str | None, organization_id: int | None
) -> tuple[str, int | None]:
    """The run's region and purchaser after the caller's rights are applied."""
    # what the caller may not see is answered as if it did not exist (404), like every lookup
    if actor.role is Role.OFFICER:
        if organization_id not in (None, actor.organization_id):
            raise NotFound("采购人", "organization", organization_id)
        return actor.region_code, actor.organization_id
    region = region_code or actor.region_code
    if actor.role is not Role.ADMIN and not region_covers(actor.region_code, region):
        raise NotFound("地区", "region", region)
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


def run_scope(run: AuditRun) -> ColumnElement[bool]:
    """The signed contracts a run audits: its region and below (or its purchaser), its period."""
    conditions = [
        Contract.region_code.startswith(region_prefix(run.region_code), autoescape=True),
        Contract.signed_on.is_not(None),
        Contract.signed_on >= run.period_from,
        Contract.signed_on <= run.period_to,
    ]
    if run.organization_id is not None:
        conditions.append(Contract.purchaser_id == run.organization_id)
    return and_(*conditions)


def _overlaps(run: AuditRun, other: AuditRun) -> bool:
    """Whether two runs may audit the same contracts (their findings would race)."""
    return (
        (
            region_covers(run.region_code, other.region_code)
            or region_covers(other.region_code, run.region_code)
        )
        and other.period_from <= run.period_to
        and other.period_to >= run.period_from
        and (
            None in (run.organization_id, other.organization_id)
            or run.organization_id == other.organization_id
        )
    )


def start_audit_run(
    session: Session,
    actor: Actor,
    *,
    region_code: str | None = None,
    organization_id: int | None = None,
    period_from: date,
    period_to: date,
    as_of: date,
) -> AuditRun:
    """Store a queued run over what the caller may audit; ``execute_audit_run`` does the work.

    Conflict (naming it) while a run over an overlapping scope is queued or running.
    """
    if period_to < period_from:
        raise InvalidInput({"to": "结束日期早于开始日期 / 'to' is before 'from'"})
    region, organization_id = _scope(session, actor, region_code, organization_id)
    run = AuditRun(
        requested_by_org_id=actor.organization_id,
        region_code=region,
        organization_id=organization_id,
        period_from=period_from,
        period_to=period_to,
        as_of=as_of,
        summary={},
        state=AuditRunState.QUEUED,
        created_by=actor.label,
    )
    active = session.execute(
        select(AuditRun, Job.state, Job.error)
        .outerjoin(Job, Job.id == AuditRun.job_id)
        .where(AuditRun.state.in_(ACTIVE_RUN_STATES))
        .order_by(AuditRun.id)
    ).all()
    running = None
    for other, job_state, job_error in active:
        if job_state is JobState.FAILED:
            # its worker stopped (the queue's sweeper failed the job): the run no longer blocks
            other.state, other.error = AuditRunState.FAILED, f"job failed: {job_error or ''}"[:2000]
            other.finished_at = utcnow()
        elif running is None and _overlaps(run, other):
            running = other
    if running is not None:
        raise Conflict(
            f"审计批次 {running.id} 正在审查同一范围（{running.state.value}），请待其完成",
            f"audit run {running.id} over the same scope is {running.state.value}: wait for it to finish",
        )
    session.add(run)
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
        },
    )
    return run


Progress = Callable[[int, int], None]


def execute_audit_run(
    session: Session,
    run_id: int,
    *,
    policy_at: PolicyAt | None = None,
    progress: Progress | None = None,
) -> AuditRun:
    """Audit the contracts of a stored run, upsert its findings by key, resolve those of its
    contracts it no longer finds ("condition cleared") and store its summary.

    ``progress(done, total)`` is called after every batch, once the run's counters are flushed
    (a job commits them so that ``GET /v1/audit-runs/{id}`` shows them while it works).
    """
    run = session.get(AuditRun, run_id)
    if run is None:
        raise NotFound("审计批次", "audit run", run_id)
    # the derived rows were worked out with the default packs: another policy audits one by one
    set_based = policy_at is None or policy_at is default_policy_at()
    policy_at = policy_at or default_policy_at()
    by = f"audit_run:{run.id}"
    ids = list(session.execute(select(Contract.id).where(run_scope(run)).order_by(Contract.id)).scalars())
    run.state = AuditRunState.RUNNING
    run.started_at = utcnow()
    run.contracts_total = len(ids)
    run.contracts_done = 0
    session.flush()
    tally = Tally()
    written = UpsertCounts()
    step = CHUNK if set_based else BATCH
    for start in range(0, len(ids), step):
        chunk = ids[start : start + step]
        if set_based:
            lo, hi = chunk[0], chunk[-1]
            # contracts nothing changed in since a run on the same day: refreshed in SQL alone
            same, refreshed = refresh_unchanged(session, run_scope(run), lo, hi, as_of=run.as_of, tally=tally)
            written.refreshed += refreshed
            alone = len(tally.alone)
            rest = [i for i in chunk if i not in same] if same else chunk
            sightings = []
            if rest:
                sightings = audit_chunk(session, run_scope(run), rest, policy_at, run.as_of, tally)
        else:
            clear(session, chunk)  # audited under other packs: the marks no longer vouch for them
            sightings = audit_one_by_one(session, chunk, policy_at, run.as_of, tally)
        written.add(
            upsert_findings(session, sightings, source=FindingSource.AUDIT_RUN, source_id=run.id, by=by)
        )
        if set_based:
            mark_audited(
                session, run_scope(run), lo, hi, run_id=run.id, as_of=run.as_of, alone=tally.alone[alone:]
            )
        run.contracts_done = min(start + step, len(ids))
        session.flush()
        if progress is not None:
            progress(run.contracts_done, run.contracts_total)
    failed = tally.failed
    audited = select(Contract.id).where(run_scope(run))
    if failed:  # a contract the rules could not read keeps its findings as they were
        audited = audited.where(Contract.id.not_in(failed))
    cleared = resolve_unseen(
        session,
        StoredFinding.contract_id.in_(audited),
        source=FindingSource.AUDIT_RUN,
        source_id=run.id,
        by=by,
        found_else=found_unchanged(),  # an unchanged contract's findings were found as its mark says
    )
    run.summary = {
        "contracts": len(ids),
        "audited": len(ids) - len(failed),
        # audited through the per-contract path: the derived rows could not stand for them
        "audited_one_by_one": tally.one_by_one if set_based else len(ids),
        "findings": dict(sorted(tally.counts.items())),
        "by_legal_force": {force.value: tally.forces[force.value] for force in LegalForce},
        "written": {
            "opened": written.opened,
            "reopened": written.reopened,
            "refreshed": written.refreshed,
            "resolved_as_cleared": cleared,
        },
        "coverage": {rule: dict(c.most_common()) for rule, c in sorted(tally.coverage.items())},
        "errors": tally.errors,
        "error_count": len(failed),
    }
    run.state = AuditRunState.COMPLETED
    run.finished_at = utcnow()
    session.flush()
    emit_event(
        session,
        type="audit_run.completed",
        organization_id=run.requested_by_org_id,
        region_code=run.region_code,
        data={
            "audit_run_id": run.id,
            "audit_run": f"/v1/audit-runs/{run.id}",
            "job": f"/v1/jobs/{run.job_id}" if run.job_id else None,
            "summary": {k: run.summary[k] for k in ("contracts", "findings", "by_legal_force", "written")},
        },
    )
    return run


def fail_audit_run(session: Session, run_id: int, message: str) -> None:
    """Mark a run that stopped on an error as failed, so that its scope may be audited again."""
    run = session.get(AuditRun, run_id)
    if run is not None:
        run.state = AuditRunState.FAILED
        run.error = message[:2000]
        run.finished_at = utcnow()
        session.flush()


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
    """Start a run and execute it at once, in the caller's transaction."""
    run = start_audit_run(
        session,
        actor,
        region_code=region_code,
        organization_id=organization_id,
        period_from=period_from,
        period_to=period_to,
        as_of=as_of,
    )
    return execute_audit_run(session, run.id, policy_at=policy_at)


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
