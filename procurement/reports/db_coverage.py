"""The coverage table of the database report: what each rule could evaluate, and why not.

Coverage is what an audit says of each contract (``rules.audits.audit_contract``): the payments
report reads aggregates of the derived obligations and audits nothing itself, so its workbook
shows the coverage of the latest completed audit run over the same region (the same signing period
when there is one), naming that run, its period and its date. Without such a run the table says so
rather than showing made-up figures.
"""

from collections import Counter
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.finance.models import AuditRun, AuditRunState


class RunCoverage(NamedTuple):
    coverage: dict[str, Counter[str]]
    facts: tuple[tuple[str, str, Any], ...]  # summary lines: label zh, label en, value


def run_coverage(session: Session, region_code: str, period_from: Any, period_to: Any) -> RunCoverage:
    """The coverage of the latest completed region-wide run over ``region_code``, preferring one
    over the same signing period."""
    query = (
        select(AuditRun)
        .where(
            AuditRun.region_code == region_code,
            AuditRun.organization_id.is_(None),
            AuditRun.state == AuditRunState.COMPLETED,
        )
        .order_by(AuditRun.finished_at.desc(), AuditRun.id.desc())
        .limit(50)
    )
    runs = list(session.execute(query).scalars())
    same = [r for r in runs if (r.period_from, r.period_to) == (period_from, period_to)]
    if not runs:
        return RunCoverage(
            {},
            (
                (
                    "规则覆盖",
                    "Coverage",
                    "本地区尚无已完成的审计任务，覆盖表为空；请先发起审计（POST /v1/audit-runs） / "
                    "no completed audit run over this region yet: start one (POST /v1/audit-runs)",
                ),
            ),
        )
    run = (same or runs)[0]
    raw = (run.summary or {}).get("coverage") or {}
    coverage = {rule: Counter({str(k): int(v) for k, v in reasons.items()}) for rule, reasons in raw.items()}
    return RunCoverage(
        coverage,
        (
            (
                "规则覆盖来源",
                "Coverage from",
                f"审计任务 audit run {run.id}: {run.period_from} – {run.period_to}, "
                f"审计基准日 as of {run.as_of}",
            ),
        ),
    )
