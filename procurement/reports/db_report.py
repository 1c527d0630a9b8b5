"""The payments report of a region from the database: two aggregate queries, then CSV or XLSX.

Contracts give counts, value and the SME shares (``contracts.supplier_scale``); obligations
(``contract_obligations``, see procurement/finance/obligations.py) give the payment, bond and
retention figures as of a date. The figures mean what ``procurement.reports.stats.figures_of``
means for the batch audit, so the two agree on the same data (as of a day after the last event;
for an earlier day, partial payments made after it are not told apart).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    and_,
    cast,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from procurement.contracts.models import Contract
from procurement.errors import NotPermitted
from procurement.finance.models import ContractObligation, ObligationKind
from procurement.organizations.models import Organization, Role
from procurement.reports import stats as S
from procurement.reports.regions import UNKNOWN_REGION
from procurement.reports.stats import SMALL_MICRO_SCALES, SME_SCALES, GroupStats, StatsAccumulator, to_fen
from procurement.scope import Actor, region_covers, region_prefix
from rules.vocabulary import ContractStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
JSON = "application/json"
DETAIL_BATCH = 5000
REPORT_WORK_MEM = "64MB"


@dataclass(frozen=True, slots=True)
class ReportScope:
    region_code: str
    period_from: date | None
    period_to: date | None
    as_of: date


# what the payment figures count: contracts in yuan that were concluded and not terminated
COUNTED_CURRENCY = "CNY"
LEFT_OUT_STATUSES = (ContractStatus.DRAFT, ContractStatus.TERMINATED)
COUNTED_ZH = "统计范围：以人民币计价、已签订且未终止的合同；其他币种、草稿与已终止的合同单列，不计入金额"
COUNTED_EN = (
    "counted: contracts in CNY that were concluded and not terminated; other currencies, drafts and "
    "terminated contracts are listed apart and left out of every sum"
)


@dataclass(frozen=True, slots=True)
class LeftOut:
    """Contracts left out of the figures: why (currency or status), how many, their own-currency sum."""

    reason: str  # "currency" or "status"
    currency: str
    status: str
    contracts: int
    amount: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "currency": self.currency,
            "status": self.status,
            "contracts": self.contracts,
            "amount": str(self.amount),
        }


@dataclass
class RegionReport:
    scope: ReportScope
    stats: StatsAccumulator
    organizations: dict[str, tuple[str, str | None, str]] = field(default_factory=dict)  # name, ext, region
    left_out: list[LeftOut] = field(default_factory=list)

    def total(self) -> GroupStats:
        return self.stats.overall()

    def regions(self) -> list[GroupStats]:
        return list(self.stats.by_region())

    def purchasers(self) -> list[GroupStats]:
        return list(self.stats.by_purchaser())


def check_region(actor: Actor, region_code: str | None) -> str:
    """The report's region: the caller's by default; one outside the caller's region is refused."""
    region = region_code or actor.region_code
    if actor.role is not Role.ADMIN and not region_covers(actor.region_code, region):
        raise NotPermitted(
            f"地区 {region} 不在您的辖区（{actor.region_code}）", f"region {region} is outside yours"
        )
    return region


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _fen(session: Session, column: Any) -> Any:
    """Money as it can be summed exactly: numeric on PostgreSQL, integer fen on SQLite (floats)."""
    if _is_sqlite(session):
        return cast(func.round(column * 100), BigInteger)
    return column


def _as_fen(session: Session, value: Any) -> int:
    if value is None:
        return 0
    return int(value) if _is_sqlite(session) else to_fen(Decimal(value))


def _days(session: Session, later: Any, earlier: Any) -> Any:
    if _is_sqlite(session):
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return later - earlier


def scope_conditions(
    actor: Actor, scope: ReportScope, org: Any, region: Any, signed: Any
) -> list[ColumnElement[bool]]:
    """What a row needs to be counted: visible to the actor, in the region, signed in the period."""
    clauses = [
        actor.visible(org, region),
        region.startswith(region_prefix(scope.region_code), autoescape=True),
    ]
    if scope.period_from is not None:
        clauses.append(signed >= scope.period_from)
    if scope.period_to is not None:
        clauses.append(signed <= scope.period_to)
    return clauses


def _contract_rows(session: Session, actor: Actor, scope: ReportScope) -> Iterator[Any]:
    """Count and value per purchaser, region and published scale (folded into SME shares later):
    two plain aggregates per row are what keeps a million contracts under a second."""
    c = Contract
    query = (
        select(
            c.purchaser_id, c.region_code, c.supplier_scale, func.count(), func.sum(_fen(session, c.amount))
        )
        .where(
            *scope_conditions(actor, scope, c.purchaser_id, c.region_code, c.signed_on),
            c.currency == COUNTED_CURRENCY,
            c.status.not_in(LEFT_OUT_STATUSES),
        )
        .group_by(c.purchaser_id, c.region_code, c.supplier_scale)
    )
    yield from session.execute(query)


def _left_out(session: Session, actor: Actor, scope: ReportScope) -> list[LeftOut]:
    """The contracts the figures leave out, by currency and status (their obligations are never
    derived: ``procurement.finance.obligations.counted``)."""
    c = Contract
    query = (
        select(c.currency, c.status, func.count(), func.sum(c.amount))
        .where(
            *scope_conditions(actor, scope, c.purchaser_id, c.region_code, c.signed_on),
            or_(c.currency != COUNTED_CURRENCY, c.status.in_(LEFT_OUT_STATUSES)),
        )
        .group_by(c.currency, c.status)
        .order_by(c.currency, c.status)
    )
    return [
        LeftOut(
            "currency" if currency != COUNTED_CURRENCY else "status",
            currency,
            ContractStatus(status).value,
            int(n),
            Decimal(str(amount or 0)).quantize(Decimal("0.01")),
        )
        for currency, status, n, amount in session.execute(query)
    ]


def _obligation_rows(session: Session, actor: Actor, scope: ReportScope) -> Iterator[Any]:
    """Per purchaser, region and kind, the figures as of ``scope.as_of``.

    Grouping by kind leaves each aggregate one simple filter. A due date is never before its clock
    start, so "past due on as_of" implies the duty had arisen by then.
    """
    o = ContractObligation
    as_of = literal(scope.as_of)
    paid = and_(o.arises_on <= as_of, o.settled_on <= as_of)
    past_due = and_(o.due_on < as_of, or_(o.settled_on.is_(None), o.settled_on > as_of))
    query = (
        select(
            o.purchaser_id,
            o.region_code,
            o.kind,
            func.count().filter(and_(o.arises_on <= as_of, or_(o.settled_on <= as_of, o.due_on < as_of))),
            func.count().filter(paid),
            func.count().filter(and_(paid, o.settled_on <= o.due_on)),
            func.sum(_days(session, o.settled_on, o.arises_on)).filter(paid),
            func.count().filter(past_due),
            func.sum(_fen(session, o.amount)).filter(past_due),
            func.sum(_fen(session, o.settled_amount)).filter(and_(o.due_on < as_of, o.settled_on.is_(None))),
        )
        .where(
            *scope_conditions(actor, scope, o.purchaser_id, o.region_code, o.signed_on),
            o.due_on.is_not(None),
            or_(o.due_on < as_of, o.settled_on <= as_of),  # nothing else counts on as_of
        )
        .group_by(o.purchaser_id, o.region_code, o.kind)
    )
    yield from session.execute(query)


def _row(table: dict[str, list[int]], key: str) -> list[int]:
    found = table.get(key)
    if found is None:
        found = table[key] = [0] * S.WIDTH
    return found


def _add(acc: StatsAccumulator, purchaser: str, region: str, values: dict[int, int]) -> None:
    for target in (_row(acc.purchasers, purchaser), _row(acc.regions, region), acc.total):
        for position, value in values.items():
            target[position] += value


def _contract_values(n: int, value_fen: int, scale: str | None) -> dict[int, int]:
    sme, small = scale in SME_SCALES, scale in SMALL_MICRO_SCALES
    return {
        S.CONTRACTS: n,
        S.VALUE: value_fen,
        S.SME_CONTRACTS: n if sme else 0,
        S.SME_VALUE: value_fen if sme else 0,
        S.SMALL_MICRO_CONTRACTS: n if small else 0,
        S.SMALL_MICRO_VALUE: value_fen if small else 0,
    }


def _obligation_values(kind: ObligationKind, counts: list[int], amounts: tuple[int, int]) -> dict[int, int]:
    due, paid, on_time, days, past_due = counts
    past_due_fen, partly_paid_fen = amounts
    if kind is ObligationKind.PAYMENT:
        return {
            S.PAYMENTS_DUE: due,
            S.PAID: paid,
            S.ON_TIME: on_time,
            S.DAYS_TO_PAY: days,
            S.OVERDUE_COUNT: past_due,
            S.OVERDUE_FEN: past_due_fen - partly_paid_fen,  # what is still owed
        }
    if kind is ObligationKind.BOND_RETURN:
        return {S.BONDS_COUNT: past_due, S.BONDS_FEN: past_due_fen}
    return {S.RETENTION_COUNT: past_due, S.RETENTION_FEN: past_due_fen}


def region_report(
    session: Session,
    actor: Actor,
    *,
    region_code: str | None,
    period_from: date | None,
    period_to: date | None,
    as_of: date,
) -> RegionReport:
    """Figures per purchaser, per region code and in total for the caller's visible contracts."""
    scope = ReportScope(check_region(actor, region_code), period_from, period_to, as_of)
    if not _is_sqlite(session):
        # thousands of purchasers x kinds: with the default 4 MB PostgreSQL sorts the groups on disk
        # instead of hashing them in memory, and the report takes twice as long
        session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))
    acc = StatsAccumulator()
    for purchaser_id, region, scale, n, value in _contract_rows(session, actor, scope):
        _add(acc, str(purchaser_id), region, _contract_values(int(n), _as_fen(session, value), scale))
    for purchaser_id, region, kind, *figures in _obligation_rows(session, actor, scope):
        counts = [int(v or 0) for v in figures[:5]]
        amounts = (_as_fen(session, figures[5]), _as_fen(session, figures[6]))
        _add(acc, str(purchaser_id), region, _obligation_values(ObligationKind(kind), counts, amounts))
    report = RegionReport(scope, acc, left_out=_left_out(session, actor, scope))
    ids = [int(k) for k in acc.purchasers]
    for start in range(0, len(ids), DETAIL_BATCH):
        chunk = ids[start : start + DETAIL_BATCH]
        query = select(
            Organization.id,
            Organization.name,
            Organization.external_id,
            Organization.region_code,
            Organization.region_known,
        ).where(Organization.id.in_(chunk))
        for org_id, name, external_id, region, known in session.execute(query):
            acc.names[str(org_id)] = name
            report.organizations[str(org_id)] = (name, external_id, region if known else UNKNOWN_REGION)
            if not known:
                _move_to_unknown_region(acc, str(org_id), region)
    return report


def _move_to_unknown_region(acc: StatsAccumulator, purchaser: str, region: str) -> None:
    """A buyer imported without a region code counts under "unknown region", not the importer's."""
    row = acc.purchasers[purchaser]
    placed = acc.regions[region]
    placed[:] = [a - b for a, b in zip(placed, row, strict=True)]
    if not any(placed):
        del acc.regions[region]
    unknown = _row(acc.regions, UNKNOWN_REGION)
    unknown[:] = [a + b for a, b in zip(unknown, row, strict=True)]


# --- rendering ----------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value


def stats_dict(g: GroupStats) -> dict[str, Any]:
    return {k: plain(v) for k, v in g.as_dict().items()}


def report_json(report: RegionReport) -> dict[str, Any]:
    scope = report.scope
    purchasers = []
    for g in report.purchasers():
        _, external_id, region = report.organizations.get(g.key, (g.name, None, ""))
        purchasers.append(
            {
                **stats_dict(g),
                "organization_id": int(g.key),
                "external_id": external_id,
                "region_code": region,
            }
        )
    return {
        "region_code": scope.region_code,
        "from": scope.period_from,
        "to": scope.period_to,
        "as_of": scope.as_of,
        "counted": {"zh": COUNTED_ZH, "en": COUNTED_EN},
        "left_out": [x.as_dict() for x in report.left_out],
        "total": stats_dict(report.total()),
        "regions": [stats_dict(g) for g in report.regions()],
        "purchasers": purchasers,
    }
