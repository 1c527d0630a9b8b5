"""/v1/contracts/{id}/sme-terms: preview (POST, stores nothing), decisions history (GET),
/sme-terms/apply (If-Match) and /sme-terms/supplement (the Word supplement)."""

from collections.abc import Callable
from datetime import date

import falcon

from api.body import load_json
from api.resources.base import actor_of, contract_etag, expected_version, session_of
from api.schemas.terms import TermsApplySchema
from procurement.terms import decisions, services
from procurement.terms.supplement import DOCX_MEDIA_TYPE, contract_supplement
from rules.policy import PolicyBook

APPLY = TermsApplySchema()


class ContractTerms:
    """The adjustments and findings for a stored contract; nothing is stored."""

    read_only = True

    def __init__(self, book: PolicyBook, clock: Callable[[], date] = services.today_in_china) -> None:
        self._book = book
        self._clock = clock

    def on_post(self, req: falcon.Request, resp: falcon.Response, contract_id: int) -> None:
        body = services.preview_terms(
            session_of(req), actor_of(req), contract_id, book=self._book, today=self._clock()
        )
        resp.etag = contract_etag(body["contract_version"])
        resp.media = body

    def on_get(self, req: falcon.Request, resp: falcon.Response, contract_id: int) -> None:
        resp.media = decisions.terms_decisions(session_of(req), actor_of(req), contract_id)


class ContractTermsSupplement:
    """The latest decided SME terms as a 合同补充条款 .docx (409 before any apply)."""

    read_only = True

    def on_get(self, req: falcon.Request, resp: falcon.Response, contract_id: int) -> None:
        accept = req.get_header("Accept")
        if accept and accept.strip() != "*/*" and req.client_prefers([DOCX_MEDIA_TYPE]) is None:
            raise falcon.HTTPNotAcceptable(description=f"offered: {DOCX_MEDIA_TYPE}")
        name, data = contract_supplement(session_of(req), actor_of(req), contract_id)
        resp.content_type = DOCX_MEDIA_TYPE
        resp.downloadable_as = name
        resp.data = data


class ContractTermsApply:
    """Accept or decline every adjustment; the contract's terms change and the decision is kept."""

    idempotent = True

    def __init__(self, book: PolicyBook, clock: Callable[[], date] = services.today_in_china) -> None:
        self._book = book
        self._clock = clock

    def on_post(self, req: falcon.Request, resp: falcon.Response, contract_id: int) -> None:
        fields = load_json(req, APPLY)
        row, contract = services.apply_terms(
            session_of(req),
            actor_of(req),
            contract_id,
            book=self._book,
            accepted=fields["accepted"],
            declined={d["rule_id"]: d["reason"] for d in fields["declined"]},
            expected_version=expected_version(req),
            today=self._clock(),
        )
        resp.etag = contract_etag(contract.version)
        resp.media = {
            **row.result,
            "id": row.id,
            "contract_id": contract.id,
            "evaluated_version": row.contract_version,
            "contract_version": contract.version,
            "policy_pack": row.policy_pack,
            "evaluated_on": row.evaluated_on,
            "evaluated_on_basis": "signed_on" if contract.signed_on else "earliest_signing",
            "accepted": row.accepted_rule_ids,
            "declined": row.declined,
            "applied_by": row.applied_by,
            "created_at": row.created_at,
        }
