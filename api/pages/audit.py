"""The auditor's dashboard: region overview with charts and tables, drill-down region -> purchaser
-> contract -> finding, finding decisions, report downloads. Documents and audit runs are in
``audit_work``."""

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import falcon
from marshmallow import ValidationError

from api.pages import web
from api.pages.web import PageError, Redirect, page
from api.schemas.reports import PaymentsReportQuerySchema
from procurement import errors as domain
from procurement.contracts import services as contracts
from procurement.dashboard import overview, queries
from procurement.findings import services as findings
from procurement.findings.models import FindingStatus
from procurement.jobs.models import JobState
from procurement.organizations.models import Role
from procurement.reports import db_export, db_report
from procurement.signin.services import Person
from procurement.terms.decisions import terms_decisions
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


class Overview:
    """The region overview from the newest figures a ``dashboard.overview`` job computed for this
    scope, region and period; while they are being computed, a page that looks again shortly."""

    auth_required = False
    writes_on_get = True  # it may queue the job

    @page
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        person = web.require(req, *ROLES)
        period = _period(req, person)
        session = req.context.session
        key = overview.scope_key(
            person.actor, period["region_code"], period["period_from"], period["period_to"]
        )
        query = urlencode({k: v for k, v in req.params.items() if k in ("region", "from", "to") and v})
        job = None if req.get_param("refresh") else overview.latest_overview(session, key)
        if job is None:
            overview.request_overview(session, person.actor, **period)
            if req.get_param("refresh"):
                raise Redirect(f"/audit/?{query}")
        if job is None or job.state is not JobState.SUCCEEDED or not job.result:
            web.render(
                req, resp, "audit/overview_pending.html", person=person, period=period, job=job, query=query
            )
            return
        figures = job.result["figures"]
        computed_at = datetime.fromisoformat(figures["computed_at"]).astimezone(CHINA)
        web.render(
            req,
            resp,
            "audit/overview.html",
            person=person,
            period=period,
            query=query,
            figures=figures,
            computed_at=computed_at,
            fresh_minutes=int(overview.FRESH_FOR.total_seconds() // 60),
        )


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
            history=terms_decisions(session, person.actor, contract_id)["decisions"],
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
            resp.data = ("\ufeff" + db_export.report_csv(report)).encode("utf-8")
        else:
            resp.content_type = db_report.XLSX
            resp.data = db_export.report_xlsx(session, person.actor, report)
