"""SME terms over the API: preview a stored contract, then accept or decline every adjustment."""

from datetime import date
from decimal import Decimal
from typing import Any

from falcon import testing
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.auditlog.models import AuditLogEntry
from procurement.auditlog.services import digest
from procurement.contracts.models import Contract
from procurement.organizations.models import Organization, Role
from procurement.terms.models import TermsResult
from procurement.terms.services import applied_state
from rules.vocabulary import Industry, Size
from tests import factories
from tests.api.helpers import contract_body, headers_for


def small_supplier(owner: Organization) -> Any:
    # 工业, 50 staff, 800万 revenue: both small floors reached, medium not (LAW.md §1)
    return factories.SupplierFactory(
        owner=owner,
        industry=Industry.INDUSTRY,
        employees=50,
        revenue_wan=Decimal(800),
        assets_wan=Decimal(100),
        declared_size=Size.SMALL,
    )


def create_contract(client: testing.TestClient, school: Organization, **overrides: Any) -> dict[str, Any]:
    supplier = small_supplier(school)
    body = contract_body(supplier_id=supplier.id, **overrides)
    result = client.simulate_post("/v1/contracts", json=body, headers=headers_for(school))
    assert result.status_code == 201, result.json
    created: dict[str, Any] = result.json
    return created


def stored_results(session: Session) -> int:
    return session.execute(select(func.count()).select_from(TermsResult)).scalar_one()


def test_a_small_goods_contract_in_xinjiang_gets_the_measure_12_adjustments(
    client: testing.TestClient, session: Session
) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    contract = create_contract(client, school)
    url = f"/v1/contracts/{contract['id']}/sme-terms"

    result = client.simulate_post(url, headers=headers_for(school))

    assert result.status_code == 200, result.json
    body = result.json
    assert body["policy_pack"] == "cn-65"
    assert body["evaluated_on"] == "2025-08-01"
    assert body["evaluated_on_basis"] == "signed_on"
    assert body["contract_version"] == 1
    assert result.headers["etag"] == '"1"'
    by_field = {a["field"]: a for a in body["adjustments"]}
    assert (by_field["prepayment.percent"]["before"], by_field["prepayment.percent"]["after"]) == ("0", "40")
    assert by_field["bonds[0].percent"]["after"] == "0"
    assert (
        by_field["payment_terms[1].percent"]["before"],
        by_field["payment_terms[1].percent"]["after"],
    ) == (
        "10",
        "3",
    )
    assert (by_field["payment_terms[0].days"]["before"], by_field["payment_terms[0].days"]["after"]) == (
        60,
        15,
    )
    for field in (
        "prepayment.percent",
        "bonds[0].percent",
        "payment_terms[1].percent",
        "payment_terms[0].days",
    ):
        adjustment = by_field[field]
        assert adjustment["citations"], field
        assert adjustment["clause_zh"] and adjustment["message"]["zh"] and adjustment["message"]["en"]
    assert "人民币肆拾万元整" in by_field["prepayment.percent"]["clause_zh"]
    cash_only = [f for f in body["findings"] if f["rule_id"] == "terms.bond.cash_only"]
    assert len(cash_only) == 1
    assert cash_only[0]["severity"] == "violation"
    assert cash_only[0]["citations"][0]["doc_id"] == "802号令"
    assert all(f["policy_version"] == body["policy_version"] for f in body["findings"])
    # a preview stores nothing and leaves the version alone
    assert stored_results(session) == 0
    assert client.simulate_get(url.rsplit("/", 1)[0], headers=headers_for(school)).headers["etag"] == '"1"'


def _decisions(preview: dict[str, Any], declined: dict[str, str]) -> dict[str, Any]:
    rule_ids = list(dict.fromkeys(a["rule_id"] for a in preview["adjustments"]))
    return {
        "accepted": [r for r in rule_ids if r not in declined],
        "declined": [{"rule_id": r, "reason": why} for r, why in declined.items()],
    }


def test_applying_stores_the_terms_bumps_the_version_and_writes_the_audit_log(
    client: testing.TestClient, session: Session
) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    contract = create_contract(client, school)
    headers = headers_for(school)
    base = f"/v1/contracts/{contract['id']}"
    preview = client.simulate_post(f"{base}/sme-terms", headers=headers).json
    reason = "质保期内需保留10%尾款以覆盖设备更换风险"
    decisions = _decisions(preview, {"terms.retention.rate": reason})

    result = client.simulate_post(
        f"{base}/sme-terms/apply", json=decisions, headers={**headers, "If-Match": '"1"'}
    )

    assert result.status_code == 200, result.json
    assert result.headers["etag"] == '"2"'
    assert result.json["contract_version"] == 2
    assert result.json["evaluated_version"] == 1
    assert result.json["declined"] == [{"rule_id": "terms.retention.rate", "reason": reason}]
    stored = client.simulate_get(base, headers=headers).json
    assert stored["version"] == 2
    terms = {(t["kind"], t["percent"], t["days"]) for t in stored["payment_terms"]}
    # prepayment 40% (paid within 15 days of signing) taken from the final payment; the declined
    # retention stays at 10%
    assert terms == {("prepayment", "40.0000", 15), ("final", "50.0000", 15), ("retention", "10.0000", 30)}
    assert stored["bonds"] == []  # waived for a small supplier
    row = session.execute(select(TermsResult)).scalar_one()
    assert row.contract_id == contract["id"] and row.contract_version == 1
    assert row.policy_pack == "cn-65" and row.policy_version == preview["policy_version"]
    assert str(row.evaluated_on) == "2025-08-01"
    assert set(row.accepted_rule_ids) == set(decisions["accepted"])
    # what was shown is stored, but each clause text is that of the contract as decided
    without_clauses = [{k: v for k, v in a.items() if k != "clause_zh"} for a in preview["adjustments"]]
    assert [{k: v for k, v in a.items() if k != "clause_zh"} for a in row.result["adjustments"]] == (
        without_clauses
    )
    stored_retention = next(a for a in row.result["adjustments"] if a["rule_id"] == "terms.retention.rate")
    assert "合同金额的10%" in stored_retention["clause_zh"]
    assert (
        "合同金额的3%"
        in next(a for a in preview["adjustments"] if a["rule_id"] == "terms.retention.rate")["clause_zh"]
    )
    entry = session.execute(select(AuditLogEntry).order_by(AuditLogEntry.seq.desc()).limit(1)).scalar_one()
    assert entry.action == "contract.sme_terms"
    assert entry.entity_id == str(contract["id"])
    contract_row = session.get(Contract, contract["id"])
    assert contract_row is not None
    session.refresh(contract_row)
    assert entry.after_digest == digest(applied_state(contract_row, row))
    # nothing is left to adjust except what was declined
    again = client.simulate_post(f"{base}/sme-terms", headers=headers).json
    assert {a["rule_id"] for a in again["adjustments"]} == {"terms.retention.rate"}
    assert again["findings"] == []


def test_every_adjustment_must_be_accepted_or_declined_and_nothing_is_stored_otherwise(
    client: testing.TestClient, session: Session
) -> None:
    school = factories.OrganizationFactory()
    contract = create_contract(client, school)
    headers = headers_for(school)
    base = f"/v1/contracts/{contract['id']}"
    preview = client.simulate_post(f"{base}/sme-terms", headers=headers).json
    decisions = _decisions(preview, {})
    left_out = decisions["accepted"].pop()

    result = client.simulate_post(f"{base}/sme-terms/apply", json=decisions, headers=headers)

    assert result.status_code == 422
    assert left_out in result.json["errors"]["undecided"][0]
    assert stored_results(session) == 0
    assert client.simulate_get(base, headers=headers).json["version"] == 1


def test_declining_without_a_reason_is_422(client: testing.TestClient) -> None:
    school = factories.OrganizationFactory()
    contract = create_contract(client, school)
    headers = headers_for(school)
    base = f"/v1/contracts/{contract['id']}"
    preview = client.simulate_post(f"{base}/sme-terms", headers=headers).json
    decisions = _decisions(preview, {"terms.prepayment": "   "})
    result = client.simulate_post(f"{base}/sme-terms/apply", json=decisions, headers=headers)
    assert result.status_code == 422
    assert "declined.0.reason" in result.json["errors"]


def test_an_unknown_rule_id_is_422_naming_it(client: testing.TestClient) -> None:
    school = factories.OrganizationFactory()
    contract = create_contract(client, school)
    headers = headers_for(school)
    base = f"/v1/contracts/{contract['id']}"
    preview = client.simulate_post(f"{base}/sme-terms", headers=headers).json
    decisions = _decisions(preview, {})
    decisions["accepted"].append("terms.no_such_rule")
    result = client.simulate_post(f"{base}/sme-terms/apply", json=decisions, headers=headers)
    assert result.status_code == 422
    assert "terms.no_such_rule" in result.json["errors"]["rule_id"][0]


def test_a_stale_if_match_is_412_and_changes_nothing(client: testing.TestClient, session: Session) -> None:
    school = factories.OrganizationFactory()
    contract = create_contract(client, school)
    headers = headers_for(school)
    base = f"/v1/contracts/{contract['id']}"
    preview = client.simulate_post(f"{base}/sme-terms", headers=headers).json
    client.simulate_patch(base, json={"title": "改名"}, headers=headers)  # version 2
    result = client.simulate_post(
        f"{base}/sme-terms/apply", json=_decisions(preview, {}), headers={**headers, "If-Match": '"1"'}
    )
    assert result.status_code == 412
    assert stored_results(session) == 0


def test_declining_everything_stores_the_decision_without_a_new_version(
    client: testing.TestClient, session: Session
) -> None:
    school = factories.OrganizationFactory()
    lawful_bond = [{"kind": "performance", "percent": "10", "forms": ["cash", "bank_guarantee", "insurance"]}]
    contract = create_contract(client, school, bonds=lawful_bond)
    headers = headers_for(school)
    base = f"/v1/contracts/{contract['id']}"
    preview = client.simulate_post(f"{base}/sme-terms", headers=headers).json
    reasons = {a["rule_id"]: "预算已批复，本年度不调整" for a in preview["adjustments"]}
    assert all(a["legal_force"] == "encouraged" for a in preview["adjustments"])
    result = client.simulate_post(
        f"{base}/sme-terms/apply", json=_decisions(preview, reasons), headers=headers
    )
    assert result.status_code == 200
    assert result.json["contract_version"] == 1
    assert stored_results(session) == 1


def test_declining_a_mandatory_adjustment_is_422_naming_the_rule_and_its_citation(
    client: testing.TestClient, session: Session
) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    contract = create_contract(client, school)
    headers = headers_for(school)
    base = f"/v1/contracts/{contract['id']}"
    preview = client.simulate_post(f"{base}/sme-terms", headers=headers).json
    forms = next(a for a in preview["adjustments"] if a["rule_id"] == "terms.bond.forms")
    assert forms["legal_force"] == "mandatory"

    result = client.simulate_post(
        f"{base}/sme-terms/apply",
        json=_decisions(preview, {"terms.bond.forms": "财务只收现金"}),
        headers=headers,
    )

    assert result.status_code == 422
    message = result.json["errors"]["declined"][0]
    assert "terms.bond.forms" in message and "802号令第十三条" in message
    assert stored_results(session) == 0
    assert client.simulate_get(base, headers=headers).json["version"] == 1


def test_the_citation_changes_from_728_to_802_on_2025_06_01(client: testing.TestClient) -> None:
    school = factories.OrganizationFactory()
    headers = headers_for(school)
    cited = {}
    for signed_on in ("2025-05-31", "2025-06-01"):
        contract = create_contract(
            client, school, external_ref=f"B-{signed_on}", signed_on=signed_on, announced_on="2025-05-01"
        )
        body = client.simulate_post(f"/v1/contracts/{contract['id']}/sme-terms", headers=headers).json
        finding = next(f for f in body["findings"] if f["rule_id"] == "terms.bond.cash_only")
        cited[signed_on] = [c["doc_id"] for c in finding["citations"]]
    assert cited["2025-05-31"][0] == "728号令"
    assert cited["2025-06-01"][0] == "802号令"
    assert "802号令" not in cited["2025-05-31"]


def test_an_unsigned_draft_is_judged_on_the_earliest_day_it_can_be_signed(
    client: testing.TestClient,
) -> None:
    school = factories.OrganizationFactory()
    contract = create_contract(
        client, school, status="draft", signed_on=None, announced_on="2099-03-01", external_ref="DRAFT-1"
    )
    body = client.simulate_post(f"/v1/contracts/{contract['id']}/sme-terms", headers=headers_for(school)).json
    assert body["evaluated_on"] == "2099-03-01"
    assert body["evaluated_on_basis"] == "earliest_signing"


def test_a_signing_date_no_pack_covers_is_422_naming_the_coverage(client: testing.TestClient) -> None:
    school = factories.OrganizationFactory()
    contract = factories.ContractFactory(purchaser=school, signed_on=date(2014, 12, 31))
    result = client.simulate_post(f"/v1/contracts/{contract.id}/sme-terms", headers=headers_for(school))
    assert result.status_code == 422
    assert "cn-65 covers 2015-03-01" in result.json["message"]["en"]
    assert "jurisdiction" in result.json["errors"]


def test_an_auditor_may_preview_but_not_apply(client: testing.TestClient, session: Session) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    auditor = factories.OrganizationFactory(kind="finance_department", region_code="650000")
    contract = create_contract(client, school)
    headers = headers_for(auditor, Role.AUDITOR)
    base = f"/v1/contracts/{contract['id']}"
    preview = client.simulate_post(f"{base}/sme-terms", headers=headers)
    assert preview.status_code == 200
    result = client.simulate_post(
        f"{base}/sme-terms/apply", json=_decisions(preview.json, {}), headers=headers
    )
    assert result.status_code == 403
    assert stored_results(session) == 0


def test_another_organizations_contract_is_404(client: testing.TestClient) -> None:
    contract = factories.ContractFactory()
    stranger = factories.OrganizationFactory()
    result = client.simulate_post(f"/v1/contracts/{contract.id}/sme-terms", headers=headers_for(stranger))
    assert result.status_code == 404


def test_a_completed_contract_keeps_its_terms(client: testing.TestClient, session: Session) -> None:
    school = factories.OrganizationFactory()
    contract = factories.ContractFactory(purchaser=school, status="completed")
    result = client.simulate_post(
        f"/v1/contracts/{contract.id}/sme-terms/apply",
        json={"accepted": [], "declined": []},
        headers=headers_for(school),
    )
    assert result.status_code == 422
    assert "status" in result.json["errors"]
    assert stored_results(session) == 0
