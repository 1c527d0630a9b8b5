"""The officer's desk: contracts (drafts first, search), a new draft, the contract page with the SME
terms side by side, and applying them. Every figure comes from the services the API calls."""

from collections.abc import Callable
from datetime import date
from typing import Any

import falcon

from api.pages import draft_form, web
from api.pages.web import PageError, Redirect, page
from procurement import errors as domain
from procurement.contracts import services as contracts
from procurement.contracts.models import Contract
from procurement.dashboard import queries
from procurement.organizations.models import Role
from procurement.signin.services import Person
from procurement.suppliers import services as suppliers
from procurement.terms import services as terms
from procurement.terms.decisions import terms_decisions
from procurement.terms.supplement import DOCX_MEDIA_TYPE, contract_supplement
from rules import errors as rules_errors
from rules.policy import PolicyBook
from rules.vocabulary import (
    BondForm,
    BondKind,
    Category,
    DayType,
    Industry,
    PaymentKind,
    PurchaserType,
    Size,
    Trigger,
)

ROLES = (Role.OFFICER,)
CHOICES = {
    "category": list(Category),
    "purchaser_type": list(PurchaserType),
    "payment_kind": list(PaymentKind),
    "trigger": list(Trigger),
    "day_type": list(DayType),
    "bond_kind": list(BondKind),
    "bond_form": list(BondForm),
    "industry": list(Industry),
    "size": list(Size),
}


class DeskHome:
    auth_required = False

    @page
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        person = web.require(req, *ROLES)
        search = req.get_param("q") or ""
        rows = queries.contracts_for_desk(req.context.session, person.actor, search=search)
        # htmx asks for the table alone as the officer types; a plain GET gets the whole page
        template = "desk/_contract_rows.html" if req.get_header("HX-Request") else "desk/home.html"
        web.render(req, resp, template, person=person, rows=rows, search=search)


class NewDraft:
    auth_required = False

    def _form(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        person: Person,
        *,
        values: dict[str, str],
        raw: dict[str, list[str]],
        errors: dict[str, list[str]],
        status: int = 200,
    ) -> None:
        page_of = suppliers.list_suppliers(req.context.session, person.actor, after=None, limit=200)
        web.render(
            req,
            resp,
            "desk/new.html",
            status=status,
            person=person,
            values=values,
            raw=raw,
            errors=errors,
            suppliers=page_of.items,
            choices=CHOICES,
            payment_rows=draft_form.PAYMENT_ROWS,
            bond_rows=draft_form.BOND_ROWS,
        )

    @staticmethod
    def _new_supplier(session: Any, person: Person, fields: dict[str, Any]) -> int:
        """Register the supplier typed on the form; its errors are named as the form names them."""
        try:
            return suppliers.create_supplier(session, person.actor, fields=fields).id
        except domain.InvalidInput as error:
            raise domain.InvalidInput({f"supplier.{k}": v for k, v in error.errors.items()}) from error
        except domain.Conflict as error:
            raise domain.InvalidInput(
                {"supplier.credit_code": f"{error.message_zh} / {error.message_en}"}
            ) from error

    @page
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        person = web.require(req, *ROLES)
        self._form(req, resp, person, values={}, raw={}, errors={})

    @page
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        person = web.require(req, *ROLES)
        raw = web.form(req)
        web.check_csrf(web.first(raw, "csrf_token"), person.csrf_token)
        values = draft_form.flat_values(raw)
        fields, supplier_fields, errors = draft_form.validate(raw)
        session = req.context.session
        if not errors:
            try:
                if supplier_fields is not None:
                    fields["supplier_id"] = self._new_supplier(session, person, supplier_fields)
                created = contracts.create_contract(session, person.actor, fields=fields)
            except domain.InvalidInput as error:
                errors = dict(error.errors)
            except domain.Conflict as error:
                errors = {"external_ref": [f"{error.message_zh} / {error.message_en}"]}
            else:
                raise Redirect(f"/desk/contracts/{created.id}")
        session.rollback()  # nothing of a refused draft is kept (a new supplier included)
        self._form(req, resp, person, values=values, raw=raw, errors=errors, status=422)


def _size_check(contract: Contract, snapshot: Any) -> dict[str, Any] | None:
    """The supplier's computed size and any declared-vs-computed mismatch (the API's size check)."""
    supplier = contract.supplier
    if supplier is None or supplier.industry is None:
        return None
    try:
        return terms.check_size(
            industry=supplier.industry.value,
            employees=supplier.employees,
            revenue_wan=supplier.revenue_wan,
            assets_wan=supplier.assets_wan,
            declared_size=supplier.declared_size,
            special_status=supplier.special_status,
            linked_to_large=supplier.linked_to_large,
            is_enterprise=True,
            snapshot=snapshot,
        )
    except rules_errors.RulesError as error:
        return {"error": {"zh": error.message_zh, "en": error.message_en}}


def _decision_groups(adjustments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Adjustments grouped by rule: the officer decides per rule, as the apply endpoint takes it."""
    groups: dict[str, dict[str, Any]] = {}
    for adjustment in adjustments:
        group = groups.setdefault(
            adjustment["rule_id"],
            {"rule_id": adjustment["rule_id"], "legal_force": adjustment["legal_force"], "items": []},
        )
        group["items"].append(adjustment)
    return list(groups.values())


class ContractPage:
    auth_required = False

    def __init__(self, book: PolicyBook, clock: Callable[[], date] = terms.today_in_china) -> None:
        self.book = book  # shared with ApplyTerms, which shows this page again on an error
        self.clock = clock

    def show(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        person: Person,
        contract_id: int,
        *,
        status: int = 200,
        errors: dict[str, list[str]] | None = None,
        decisions: dict[str, str] | None = None,
    ) -> None:
        session = req.context.session
        contract = contracts.get_contract(session, person.actor, contract_id)
        evaluation = None
        evaluation_error = None
        try:
            evaluation = terms.evaluate_contract(session, contract, book=self.book, today=self.clock())
        except (domain.InvalidInput, rules_errors.RulesError) as error:
            evaluation_error = {"zh": error.message_zh, "en": error.message_en}
        body = evaluation.body() if evaluation else None
        history = terms_decisions(session, person.actor, contract_id)["decisions"]
        if decisions is None and history:
            # what the officer declined last time stays declined, with its reason, until changed
            decisions = {f"decision.{d['rule_id']}": "decline" for d in history[0]["declined"]}
            decisions |= {f"reason.{d['rule_id']}": d["reason"] for d in history[0]["declined"]}
        web.render(
            req,
            resp,
            "desk/contract.html",
            status=status,
            person=person,
            contract=contract,
            terms=body,
            groups=_decision_groups(body["adjustments"]) if body else [],
            evaluation_error=evaluation_error,
            size=_size_check(contract, evaluation.snapshot) if evaluation else None,
            history=history,
            errors=errors or {},
            decisions=decisions or {},
            applied=req.get_param("applied") == "1",
            supplement_url=f"/desk/contracts/{contract.id}/supplement.docx" if history else None,
        )

    @page
    def on_get(self, req: falcon.Request, resp: falcon.Response, contract_id: int) -> None:
        person = web.require(req, *ROLES)
        self.show(req, resp, person, contract_id)


class ApplyTerms:
    auth_required = False

    def __init__(self, contract_page: ContractPage) -> None:
        self._page = contract_page

    @page
    def on_post(self, req: falcon.Request, resp: falcon.Response, contract_id: int) -> None:
        person = web.require(req, *ROLES)
        raw = web.form(req)
        web.check_csrf(web.first(raw, "csrf_token"), person.csrf_token)
        values = draft_form.flat_values(raw)
        rule_ids = raw.get("rule_id", [])
        accepted = [r for r in rule_ids if values.get(f"decision.{r}") == "accept"]
        declined = {
            r: values.get(f"reason.{r}", "") for r in rule_ids if values.get(f"decision.{r}") == "decline"
        }
        version = values.get("version", "")
        if not version.isdigit():
            raise PageError(422, "表单缺少合同版本", "the form names no contract version")
        session = req.context.session
        try:
            terms.apply_terms(
                session,
                person.actor,
                contract_id,
                book=self._page.book,
                accepted=accepted,
                declined=declined,
                expected_version=int(version),
                today=self._page.clock(),
            )
        except (domain.InvalidInput, domain.StaleVersion) as error:
            session.rollback()
            errors = (
                dict(error.errors)
                if isinstance(error, domain.InvalidInput)
                else {"version": [f"{error.message_zh} / {error.message_en}"]}
            )
            status = 422 if isinstance(error, domain.InvalidInput) else 412
            self._page.show(req, resp, person, contract_id, status=status, errors=errors, decisions=values)
            return
        raise Redirect(f"/desk/contracts/{contract_id}?applied=1")


class Supplement:
    """GET /desk/contracts/{id}/supplement.docx: the 合同补充条款 of the latest apply (the API's)."""

    auth_required = False
    read_only = True

    @page
    def on_get(self, req: falcon.Request, resp: falcon.Response, contract_id: int) -> None:
        person = web.require(req, *ROLES, Role.AUDITOR)
        name, data = contract_supplement(req.context.session, person.actor, contract_id)
        resp.content_type = DOCX_MEDIA_TYPE
        resp.downloadable_as = name
        resp.data = data
