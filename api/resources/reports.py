"""/v1/reports/payments: the region's payments report as JSON, CSV or XLSX, chosen by Accept."""

from datetime import date

import falcon

from api.resources.base import actor_of, load_query, session_of
from api.schemas.reports import PaymentsReportQuerySchema
from procurement.reports import db_export, db_report
from procurement.reports.db_report import CSV, JSON, XLSX

QUERY = PaymentsReportQuerySchema()
OFFERED = [JSON, CSV, XLSX]


def chosen_media(req: falcon.Request) -> str:
    """The best of what we offer for the Accept header (none or */*: JSON); 406 for none of them."""
    accept = req.get_header("Accept")
    if not accept or accept.strip() == "*/*":
        return JSON
    best = req.client_prefers(OFFERED)
    if best is None:
        raise falcon.HTTPNotAcceptable(description=f"offered: {', '.join(OFFERED)}")
    return str(best)


class PaymentsReport:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        media = chosen_media(req)
        query = load_query(req, QUERY)
        session, actor = session_of(req), actor_of(req)
        as_of = query.get("as_of") or date.today()
        report = db_report.region_report(
            session,
            actor,
            region_code=query.get("region"),
            period_from=query.get("period_from"),
            period_to=query.get("period_to"),
            as_of=as_of,
        )
        name = f"payments-{report.scope.region_code}-{as_of.isoformat()}"
        if media == JSON:
            resp.media = db_report.report_json(report)
        elif media == CSV:
            resp.content_type = "text/csv; charset=utf-8"
            resp.downloadable_as = f"{name}.csv"
            resp.data = ("\ufeff" + db_export.report_csv(report)).encode("utf-8")  # BOM: Excel reads UTF-8
        else:
            resp.content_type = XLSX
            resp.downloadable_as = f"{name}.xlsx"
            resp.data = db_export.report_xlsx(session, actor, report)
        resp.vary = ("Accept",)
