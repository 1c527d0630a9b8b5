"""The payments report of a region as files auditors keep: CSV (one table) and XLSX (summary,
regions, purchasers, one sheet per kind of past-due item, the coverage of the latest audit run).

The figures come from ``procurement.reports.db_report.region_report``; the past-due items are
read here, as of the report's day, straight from the obligations.
"""

import csv
import io
import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import and_, literal, or_, select
from sqlalchemy.orm import Session

from procurement.contracts.models import Contract
from procurement.finance.models import ContractObligation, ObligationKind
from procurement.finance.obligations import default_policy_at
from procurement.reports.db_coverage import run_coverage
from procurement.reports.db_report import (
    COUNTED_EN,
    COUNTED_ZH,
    DETAIL_BATCH,
    RegionReport,
    ReportScope,
    plain,
    scope_conditions,
)
from procurement.reports.labels import REMEDIES
from procurement.reports.xlsx import STATS_COLUMNS, AuditWorkbook
from procurement.scope import Actor
from rules.audits import BOND_UNRETURNED, PAYMENT_OVERDUE, RETENTION_OVERHELD
from rules.errors import RulesError
from rules.payment_clock import late_interest


def report_csv(report: RegionReport) -> str:
    """One table: the total, each region, each purchaser; bilingual header."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    names = [f"{zh} {en}" for zh, en, _ in STATS_COLUMNS]
    writer.writerow(["层级 Level", *names])
    rows = [("total", report.total()), *(("region", g) for g in report.regions())]
    rows += [("purchaser", g) for g in report.purchasers()]
    for level, g in rows:
        d = g.as_dict()
        writer.writerow([level, *(_csv_value(d[f]) for f in _STATS_FIELDS)])
    writer.writerow([])
    writer.writerow([f"{COUNTED_ZH} / {COUNTED_EN}"])
    writer.writerow(
        ["未计入 Left out", "原因 Reason", "币种 Currency", "状态 Status", "合同数 Contracts", "金额 Amount"]
    )
    for x in report.left_out:
        writer.writerow(["left_out", x.reason, x.currency, x.status, x.contracts, str(x.amount)])
    return out.getvalue()


_STATS_FIELDS = (
    "key",
    "name",
    "contracts",
    "value",
    "sme_contracts",
    "sme_value",
    "sme_value_share",
    "small_micro_contracts",
    "small_micro_value",
    "small_micro_value_share",
    "payments_due",
    "on_time_rate",
    "average_days_to_pay",
    "overdue_amount",
    "overdue_count",
    "bonds_past_due_amount",
    "bonds_past_due_count",
    "retention_past_due_amount",
    "retention_past_due_count",
)


def _csv_value(value: Any) -> Any:
    return "" if value is None else plain(value)


def _detail_rows(session: Session, actor: Actor, scope: ReportScope) -> Iterator[dict[str, Any]]:
    """What is past due on ``as_of``, as findings the workbook lists (one sheet per kind)."""
    o, c = ContractObligation, Contract
    as_of = literal(scope.as_of)
    paid = and_(o.settled_on.is_not(None), o.settled_on <= as_of)
    overdue_payment = and_(o.kind == ObligationKind.PAYMENT, o.arises_on <= as_of, o.due_on < as_of, ~paid)
    held = and_(o.kind != ObligationKind.PAYMENT, o.due_on < as_of, ~paid)
    query = (
        select(o, c.external_ref, c.ocid)
        .join(c, c.id == o.contract_id)
        .where(
            *scope_conditions(actor, scope, o.purchaser_id, o.region_code, o.signed_on),
            or_(overdue_payment, held),
        )
        .order_by(o.contract_id, o.id)
        .execution_options(yield_per=DETAIL_BATCH)
    )
    rule = {
        ObligationKind.PAYMENT: PAYMENT_OVERDUE,
        ObligationKind.BOND_RETURN: BOND_UNRETURNED,
        ObligationKind.RETENTION_RELEASE: RETENTION_OVERHELD,
    }
    for ob, external_ref, ocid in session.execute(query):
        assert ob.due_on is not None
        days = (scope.as_of - ob.due_on).days
        outstanding = ob.amount - (ob.settled_amount or 0) if ob.settled_on is None else ob.amount
        what_zh = {PAYMENT_OVERDUE: "款项", BOND_UNRETURNED: "保证金", RETENTION_OVERHELD: "质保金/尾款"}
        rid = rule[ob.kind]
        force = str(ob.basis.get("legal_force", "mandatory"))
        evidence = {"amount": str(outstanding), "due_on": ob.due_on.isoformat(), "days_late": days}
        if rid == PAYMENT_OVERDUE:
            interest = _late_interest(ob.region_code, ob.due_on, outstanding, days)
            evidence["late_interest"] = str(interest) if interest is not None else None
        yield {
            "where": f"contract {ob.contract_id}",
            "ocid": ocid,
            "contract_id": external_ref,
            "rule_id": rid,
            "legal_force": force,
            "severity": "violation" if force == "mandatory" else "advice",
            "message": {
                "zh": f"{what_zh[rid]} {outstanding:,.2f} 元应于 {ob.due_on} 前支付或退还，已逾期 {days} 天",
                "en": f"{outstanding} due by {ob.due_on}, {days} days overdue",
            },
            "evidence": evidence,
            "citations": ob.basis.get("citations") or [],
            "remedy": dict(zip(("zh", "en"), REMEDIES[rid], strict=True)),
        }


def _late_interest(region_code: str, due_on: date, outstanding: Decimal, days: int) -> Decimal | None:
    """Interest at the default daily rate of the pack in force at the due date (802号令 Art. 17)."""
    try:
        rate = default_policy_at()(region_code, due_on).value("payment.late_interest.default_daily_rate")
    except RulesError:
        return None
    return late_interest(outstanding, days, Decimal(str(rate)))


def report_xlsx(session: Session, actor: Actor, report: RegionReport) -> bytes:
    """The workbook: summary, regions, purchasers, and one sheet per kind of past-due item."""
    scope = report.scope
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.xlsx"
        book = AuditWorkbook(path)
        counts: Counter[str] = Counter()
        forces: Counter[tuple[str, str]] = Counter()
        for finding in _detail_rows(session, actor, scope):
            counts[finding["rule_id"]] += 1
            forces[(finding["rule_id"], finding["legal_force"])] += 1
            book.add_finding(finding)
        covered = run_coverage(session, scope.region_code, scope.period_from, scope.period_to)
        book.close(
            by_force=forces,
            counts=counts,
            coverage=covered.coverage,
            stats=report.stats,
            facts=(
                ("地区", "Region", scope.region_code),
                ("签订日期自", "Signed from", str(scope.period_from or "")),
                ("签订日期至", "Signed to", str(scope.period_to or "")),
                ("统计日", "As of", scope.as_of.isoformat()),
                ("合同数", "Contracts", report.total().contracts),
                ("统计范围", "Counted", f"{COUNTED_ZH} / {COUNTED_EN}"),
                *(
                    (
                        f"未计入（{x.reason}）",
                        f"Left out ({x.reason})",
                        f"{x.currency} {x.status}: {x.contracts} / {x.amount:,.2f}",
                    )
                    for x in report.left_out
                ),
                *covered.facts,
            ),
        )
        return path.read_bytes()
