"""/v1/findings (list in the caller's scope), /v1/findings/{id} (read, PATCH its status)."""

from typing import Any

import falcon

from api.body import load_json
from api.resources.base import actor_of, load_query, page_body, page_limit, session_of
from api.schemas.findings import (
    FindingListQuerySchema,
    FindingStatusChangeSchema,
    FindingWithHistorySchema,
    StoredFindingSchema,
)
from procurement.findings import services
from procurement.findings.models import StoredFinding
from procurement.terms.decisions import declined_by_contract

LIST_QUERY = FindingListQuerySchema()
STATUS_IN = FindingStatusChangeSchema()
OUT = StoredFindingSchema()
ONE = FindingWithHistorySchema()


def _with_history(req: falcon.Request, finding: StoredFinding) -> dict[str, Any]:
    body: dict[str, Any] = ONE.dump((finding, services.transitions_of(session_of(req), finding.id)))
    return body


class Findings:
    def on_get_collection(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = load_query(req, LIST_QUERY)
        limit = page_limit(req, query)
        after = query.pop("after", None)
        page = services.list_findings(session_of(req), actor_of(req), after=after, limit=limit, **query)
        body = page_body(req, page, OUT, limit)
        _with_declined_terms(req, body["items"])
        resp.media = body

    def on_get(self, req: falcon.Request, resp: falcon.Response, finding_id: int) -> None:
        body = _with_history(req, services.get_finding(session_of(req), actor_of(req), finding_id))
        _with_declined_terms(req, [body])
        resp.media = body

    def on_patch(self, req: falcon.Request, resp: falcon.Response, finding_id: int) -> None:
        body = load_json(req, STATUS_IN)
        finding = services.change_status(
            session_of(req), actor_of(req), finding_id, status=body["status"], reason=body["reason"]
        )
        body = _with_history(req, finding)
        _with_declined_terms(req, [body])
        resp.media = body


def _with_declined_terms(req: falcon.Request, items: list[dict[str, Any]]) -> None:
    # an auditor reading a finding sees what the officer declined on that contract, and why
    declined = declined_by_contract(
        session_of(req), (i["contract_id"] for i in items if i.get("contract_id"))
    )
    for item in items:
        item["contract_terms_declined"] = declined.get(item.get("contract_id") or 0, [])
