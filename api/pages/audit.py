"""The auditor's dashboard: region overview with charts and tables, drill-down region -> purchaser
-> contract -> finding, finding decisions, report downloads. Documents and audit runs are in
``audit_work``."""

import threading
import time
from datetime import date, datetime
from operator import add
from typing import Any

import falcon
from marshmallow import ValidationError

from api.pages import web
from api.pages.web import PageError, Redirect, page
from api.schemas.reports import PaymentsReportQuerySchema
from procurement import errors as domain
from procurement.contracts import services as contracts
from procurement.dashboard import queries
from procurement.findings import services as findings
from procurement.findings.models import FindingStatus
from procurement.organizations.models import Role
from procurement.reports import db_report
from procurement.reports.stats import GroupStats
from procurement.signin.services import Person
from procurement.terms.services import CHINA, today_in_china

ROLES = (Role.AUDITOR,)
PERIOD = PaymentsReportQuerySchema()
ACTIONS = {
    "acknowledge": FindingStatus.ACKNOWLEDGED,
    "resolve": FindingStatus.RESOLVED,
    "dismiss": FindingStatus.DISMISSED,
}


def _period(req: falcon.Request, person: Person) -> dict[str, Any]:
    """region, from, to, as_of from the query string, validated by the report API's schema."""
    params = {k: v for k, v in req.params.items() if k in ("region", "from", "to") and v}
    try:
        query = PERIOD.load(params)
    except ValidationError as error:
        names = ", ".join(error.messages)
        raise PageError(422, f"查询条件有误：{names}", f"invalid query: {names}") from error
    return {
        "region_code": db_report.check_region(person.actor, query.get("region")),
        "period_from": query.get("period_from"),
        "period_to": query.get("period_to"),
        "as_of": today_in_china(),
    }


def _sub_regions(report: db_report.RegionReport) -> list[GroupStats]:
    """The report's leaf regions summed one level below the chosen region."""
    scope = report.scope.region_code
    sums: dict[str, list[int]] = {}
    for code, counters in report.stats.regions.items():
        child = queries.child_region(scope, code)
        row = sums.get(child)
        sums[child] = list(counters) if row is None else list(map(add, row, counters))
    return [GroupStats.of(code, code, sums[code]) for code in sorted(sums)]


def _percent(value: Any) -> float | None:
    return None if value is None else round(float(value) * 100, 1)


def chart_data(
    regions: list[GroupStats], prepayment: dict[str, tuple[int, int]], names: dict[str, str]
) -> dict[str, Any]:
    """What the charts draw (and the tables beside them show), per sub-region."""
    labels = [f"{names.get(g.key, '')} {g.key}".strip() for g in regions]
    return {
        "labels": labels,
        "sme_count_share": [
            _percent(g.sme_contracts / g.contracts) if g.contracts else None for g in regions
        ],
        "sme_value_share": [_percent(g.sme_value_share) for g in regions],
        "prepayment_rate": [
            _percent(prepayment[g.key][1] / prepayment[g.key][0])
            if prepayment.get(g.key, (0, 0))[0]
            else None
            for g in regions
        ],
        "on_time_rate": [_percent(g.on_time_rate) for g in regions],
        "overdue_amount": [float(g.overdue_amount) for g in regions],
        "bonds_past_due_amount": [float(g.bonds_past_due_amount) for g in regions],
        "retention_past_due_amount": [float(g.retention_past_due_amount) for g in regions],
    }


def _prepayment_by_child(scope: str, by_leaf: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    sums: dict[str, tuple[int, int]] = {}
    for code, (n, k) in by_leaf.items():
        child = queries.child_region(scope, code)
        m, j = sums.get(child, (0, 0))
        sums[child] = (m + n, j + k)
    return sums


class FiguresCache:
    """The overview's figures for a few minutes, per scope, region, period and day.

    Aggregating a province's million contracts takes seconds; auditors open the overview again and
    again while they drill down. The page says when its figures were computed and offers a refresh.
    Shared by the worker's threads (never request state): a lock guards it, and it is bounded.
    """

    def __init__(self, ttl_seconds: float = 300.0, max_entries: int = 256) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._entries: dict[tuple[Any, ...], tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> dict[str, Any] | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: tuple[Any, ...], figures: dict[str, Any]) -> None:
        with self._lock:
            if len(self._entries) >= self._max:
                self._entries.clear()
            self._entries[key] = (time.monotonic() + self._ttl, figures)


def overview_figures(session: Any, person: Person, period: dict[str, Any]) -> dict[str, Any]:
    """Everything the overview shows, from the report service and the dashboard queries."""
    report = db_report.region_report(session, person.actor, **period)
    regions = _sub_regions(report)
    window = {"signed_from": period["period_from"], "signed_to": period["period_to"]}
    prepayment = _prepayment_by_child(
        period["region_code"],
        queries.prepayment_by_region(session, person.actor, region_code=period["region_code"], **window),
    )
    names = queries.region_names(session, [g.key for g in regions] + [period["region_code"]])
    total_prepayment = tuple(map(sum, zip(*prepayment.values(), strict=False))) or (0, 0)
    return {
        "total": report.total(),
        "total_prepayment": total_prepayment,
        "regions": regions,
        "region_names": names,
        "prepayment": prepayment,
        "purchasers": sorted(report.purchasers(), key=lambda g: (-g.overdue_amount, g.name))[:50],
        "open_findings": queries.open_findings_by_kind(
            session, person.actor, region_code=period["region_code"], **window
        ),
        "late_interest": queries.late_interest_open(
            session, person.actor, region_code=period["region_code"], **window
        ),
        "charts": chart_data(regions, prepayment, names),
        "computed_at": datetime.now(CHINA),
    }


class Overview:
    auth_required = False

    def __init__(self, cache: FiguresCache | None = None) -> None:
        self._cache = cache or FiguresCache()

    @page
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        person = web.require(req, *ROLES)
        period = _period(req, person)
        key = (person.actor.scope[0], tuple(sorted(person.actor.scope[1].items())), *period.values())
        figures = None if req.get_param("refresh") else self._cache.get(key)
        if figures is None:
            figures = overview_figures(req.context.session, person, period)
            self._cache.put(key, figures)
        query = "&".join(f"{k}={v}" for k, v in req.params.items() if k in ("region", "from", "to") and v)
        web.render(req, resp, "audit/overview.html", person=person, period=period, query=query, **figures)


class PurchaserPage:
    auth_required = False

    @page
    def on_get(self, req: falcon.Request, resp: falcon.Response, purchaser_id: int) -> None:
        person = web.require(req, *ROLES)
        session = req.context.session
        purchaser = queries.purchaser(session, person.actor, purchaser_id)
        web.render(
            req,
            resp,
            "audit/purchaser.html",
            person=person,
            purchaser=purchaser,
            rows=queries.contracts_for_desk(session, person.actor, purchaser_id=purchaser_id),
            findings=queries.findings_about(session, person.actor, organization_id=purchaser_id),
        )


class AuditContractPage:
    auth_required = False

    @page
    def on_get(self, req: falcon.Request, resp: falcon.Response, contract_id: int) -> None:
        person = web.require(req, *ROLES)
        session = req.context.session
        contract = contracts.get_contract(session, person.actor, contract_id)
        web.render(
            req,
            resp,
            "audit/contract.html",
            person=person,
            contract=contract,
            findings=queries.findings_about(session, person.actor, contract_id=contract_id),
            history=queries.terms_decisions(session, person.actor, contract_id),
        )


class FindingList:
    auth_required = False

    @page
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        person = web.require(req, *ROLES)
        status = req.get_param("status") or "open"
        statuses = [FindingStatus(status)] if status in set(FindingStatus) else []
        web.render(
            req,
            resp,
            "audit/findings.html",
            person=person,
            current_status=status,
            findings=queries.findings_about(req.context.session, person.actor, statuses=statuses),
        )


class FindingPage:
    auth_required = False

    def show(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        person: Person,
        finding_id: int,
        *,
        status: int = 200,
        errors: dict[str, list[str]] | None = None,
        values: dict[str, str] | None = None,
    ) -> None:
        session = req.context.session
        finding = findings.get_finding(session, person.actor, finding_id)
        web.render(
            req,
            resp,
            "audit/finding.html",
            status=status,
            person=person,
            finding=finding,
            organization_name=queries.organization_name(session, finding.organization_id),
            history=queries.finding_history(session, person.actor, finding_id),
            next_statuses=sorted(s.value for s in findings.NEXT_STATUSES[finding.status]),
            may_set=sorted(s.value for s in findings.MAY_SET.get(person.actor.role, frozenset())),
            errors=errors or {},
            values=values or {},
            status_zh=findings.STATUS_ZH,
        )

    @page
    def on_get(self, req: falcon.Request, resp: falcon.Response, finding_id: int) -> None:
        person = web.require(req, *ROLES)
        self.show(req, resp, person, finding_id)

    @page
    def on_post(self, req: falcon.Request, resp: falcon.Response, finding_id: int) -> None:
        person = web.require(req, *ROLES)
        raw = web.form(req)
        web.check_csrf(web.first(raw, "csrf_token"), person.csrf_token)
        action = web.first(raw, "action")
        reason = web.first(raw, "reason")
        if action not in ACTIONS:
            raise PageError(422, "未知的操作", "unknown action")
        session = req.context.session
        try:
            findings.change_status(session, person.actor, finding_id, status=ACTIONS[action], reason=reason)
        except domain.InvalidInput as error:
            session.rollback()
            self.show(
                req,
                resp,
                person,
                finding_id,
                status=422,
                errors=dict(error.errors),
                values={"reason": reason},
            )
            return
        raise Redirect(f"/audit/findings/{finding_id}")


class ReportDownload:
    """GET /audit/reports/payments.{csv,xlsx}: the same report the API serves for ``Accept``."""

    auth_required = False

    @page
    def on_get(self, req: falcon.Request, resp: falcon.Response, extension: str) -> None:
        person = web.require(req, *ROLES)
        if extension not in ("csv", "xlsx"):
            raise PageError(404, "没有这种报表格式", "no such report format")
        session = req.context.session
        period = _period(req, person)
        report = db_report.region_report(session, person.actor, **period)
        as_of: date = period["as_of"]
        resp.downloadable_as = f"payments-{report.scope.region_code}-{as_of.isoformat()}.{extension}"
        if extension == "csv":
            resp.content_type = "text/csv; charset=utf-8"
            resp.data = ("\ufeff" + db_report.report_csv(report)).encode("utf-8")
        else:
            resp.content_type = db_report.XLSX
            resp.data = db_report.report_xlsx(session, person.actor, report)
