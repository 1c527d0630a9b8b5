"""The auditor's region overview: every figure it shows, as JSON, computed by a background job.

Aggregating a province's million contracts takes seconds, so the page never does it in a request:
a ``dashboard.overview`` job computes the figures (``overview_figures``) and keeps them as its
result; the page shows the newest result for the same scope, region and period that is recent
enough, and asks for a new one otherwise.
"""

from datetime import date, datetime, timedelta
from operator import add
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.dashboard import queries
from procurement.jobs.models import Job, JobState
from procurement.jobs.registry import JobContext, job_kind
from procurement.jobs.services import actor_from, actor_params, enqueue_job
from procurement.orm import utcnow
from procurement.reports import db_report
from procurement.reports.stats import GroupStats
from procurement.scope import Actor

KIND = "dashboard.overview"
# figures younger than this are shown without recomputing (the page says when they were computed)
FRESH_FOR = timedelta(minutes=10)
TOP_PURCHASERS = 50


def scope_key(actor: Actor, region_code: str, period_from: date | None, period_to: date | None) -> str:
    """Who may share one computation: callers with the same scope asking for the same figures."""
    kind, params = actor.scope
    scope = ",".join(f"{k}={v}" for k, v in sorted(params.items()))
    return f"{kind}:{scope}|{region_code}|{period_from or ''}|{period_to or ''}"


def _sub_regions(report: db_report.RegionReport) -> list[GroupStats]:
    """The report's leaf regions summed one level below the chosen region."""
    scope = report.scope.region_code
    sums: dict[str, list[int]] = {}
    for code, counters in report.stats.regions.items():
        child = queries.child_region(scope, code)
        row = sums.get(child)
        sums[child] = list(counters) if row is None else list(map(add, row, counters))
    return [GroupStats.of(code, code, sums[code]) for code in sorted(sums)]


def _by_child(scope: str, by_leaf: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    sums: dict[str, tuple[int, int]] = {}
    for code, (n, k) in by_leaf.items():
        child = queries.child_region(scope, code)
        m, j = sums.get(child, (0, 0))
        sums[child] = (m + n, j + k)
    return sums


def _share(part: int, whole: int) -> str | None:
    return str(round(part / whole, 4)) if whole else None


def _percent(value: Any) -> float | None:
    # for the charts only (a drawing); the tables show the exact figures
    return None if value is None else round(float(value) * 100, 1)


def _line(g: GroupStats, prepayment: tuple[int, int] | None = None) -> dict[str, Any]:
    line = db_report.stats_dict(g)
    line["sme_count_share"] = _share(g.sme_contracts, g.contracts)
    if prepayment is not None:
        line["prepayment_rate"] = _share(prepayment[1], prepayment[0])
    return line


def overview_figures(
    session: Session,
    actor: Actor,
    *,
    region_code: str,
    period_from: date | None,
    period_to: date | None,
    as_of: date,
) -> dict[str, Any]:
    """Everything the overview shows (JSON: money and rates as decimal strings)."""
    report = db_report.region_report(
        session, actor, region_code=region_code, period_from=period_from, period_to=period_to, as_of=as_of
    )
    window = {"signed_from": period_from, "signed_to": period_to}
    region = report.scope.region_code
    regions = _sub_regions(report)
    prepayment = _by_child(region, queries.prepayment_by_region(session, actor, region_code=region, **window))
    names = queries.region_names(session, [g.key for g in regions] + [region])
    total_prepayment = tuple(map(sum, zip(*prepayment.values(), strict=False))) or (0, 0)
    lines = [_line(g, prepayment.get(g.key, (0, 0))) for g in regions]
    purchasers = sorted(report.purchasers(), key=lambda g: (-g.overdue_amount, g.name))[:TOP_PURCHASERS]
    open_findings = queries.open_findings_by_kind(session, actor, region_code=region, **window)
    return {
        "region_code": region,
        "period_from": period_from.isoformat() if period_from else None,
        "period_to": period_to.isoformat() if period_to else None,
        "as_of": as_of.isoformat(),
        "computed_at": utcnow().isoformat(),
        "total": _line(report.total(), (total_prepayment[0], total_prepayment[1])),
        "regions": lines,
        "region_names": names,
        "purchasers": [_line(g) for g in purchasers],
        "open_findings": [
            {"category": f.category, "legal_force": f.legal_force, "count": f.count} for f in open_findings
        ],
        "late_interest": str(queries.late_interest_open(session, actor, region_code=region, **window)),
        "charts": {
            "labels": [f"{names.get(g.key, '')} {g.key}".strip() for g in regions],
            **{
                name: [_percent(line[name]) for line in lines]
                for name in ("sme_count_share", "sme_value_share", "prepayment_rate", "on_time_rate")
            },
            **{
                name: [float(line[name]) for line in lines]
                for name in ("overdue_amount", "bonds_past_due_amount", "retention_past_due_amount")
            },
        },
    }


@job_kind(KIND, max_attempts=2)  # read-only: running it twice is harmless
def compute_overview(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    actor = actor_from(params["actor"])
    with context.session() as session:
        figures = overview_figures(
            session,
            actor,
            region_code=params["region_code"],
            period_from=date.fromisoformat(params["from"]) if params["from"] else None,
            period_to=date.fromisoformat(params["to"]) if params["to"] else None,
            as_of=date.fromisoformat(params["as_of"]),
        )
    return {"figures": figures}


def latest_overview(session: Session, key: str, *, now: datetime | None = None) -> Job | None:
    """The newest overview job for ``key`` within FRESH_FOR: succeeded (its figures), queued or
    running (being computed), or failed (shown with its error; a new one only when asked, so a
    failing computation is not queued again on every reload). The key is the caller's own scope's."""
    since = (now or utcnow()) - FRESH_FOR
    query = (
        select(Job)
        .where(
            Job.kind == KIND,
            Job.created_at >= since,
            Job.state.in_((JobState.QUEUED, JobState.RUNNING, JobState.SUCCEEDED, JobState.FAILED)),
            Job.params["key"].as_string() == key,
        )
        .order_by(Job.id.desc())
        .limit(1)
    )
    return session.execute(query).scalar_one_or_none()


def request_overview(
    session: Session,
    actor: Actor,
    *,
    region_code: str,
    period_from: date | None,
    period_to: date | None,
    as_of: date,
) -> Job:
    """Queue the computation of the figures (dispatched when the caller's transaction commits)."""
    region = db_report.check_region(actor, region_code)
    return enqueue_job(
        session,
        kind=KIND,
        params={
            "key": scope_key(actor, region, period_from, period_to),
            "actor": actor_params(actor),
            "region_code": region,
            "from": period_from.isoformat() if period_from else None,
            "to": period_to.isoformat() if period_to else None,
            "as_of": as_of.isoformat(),
        },
        actor=actor,
        region_code=region,
    )
