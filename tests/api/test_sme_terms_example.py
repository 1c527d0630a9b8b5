"""Issue 8's contract over the API: every accept/decline combination stores a schedule of 100% whose
clause texts state the stored numbers, the decisions history keeps the reasons, and the Word
supplement states the same numbers.

1,200,000 yuan of goods from a small enterprise: prepayment 10% at signing (30 days), 85% final
60 days after acceptance, 5% retention 730 days after acceptance, a 10% cash-only performance bond.
"""

import io
import itertools
import re
from decimal import Decimal
from typing import Any

import docx
import pytest
from falcon import testing
from sqlalchemy.orm import Session

from procurement.organizations.models import Organization
from procurement.terms.supplement import DOCX_MEDIA_TYPE, chinese_ordinal
from rules.money_words import yuan_in_capitals
from rules.vocabulary import Industry, Size
from tests import factories
from tests.api.helpers import headers_for

AMOUNT = Decimal("1200000.00")
ENCOURAGED = (
    "terms.prepayment",
    "terms.bond.rate",
    "terms.bond.return_days",
    "terms.payment.days",
    "terms.retention.rate",
    "terms.retention.release_days",
)
MANDATORY = ("terms.bond.forms", "terms.acceptance_period")
_SHARE = re.compile(r"合同金额的?([\d.]+)%")
_FIGURES = re.compile(r"（¥([\d,]+\.\d\d)）")
_DAYS = re.compile(r"之日起(\d+)日内")


def example_body(external_ref: str, supplier_id: int) -> dict[str, Any]:
    return {
        "external_ref": external_ref,
        "supplier_id": supplier_id,
        "category": "goods",
        "amount": "1200000.00",
        "purchaser_type": "public_body",
        "announced_on": "2025-07-01",
        "signed_on": "2025-08-01",
        "status": "signed",
        "payment_terms": [
            {"kind": "prepayment", "percent": "10", "trigger": "signing", "days": 30},
            {"kind": "final", "percent": "85", "trigger": "acceptance", "days": 60},
            {"kind": "retention", "percent": "5", "trigger": "acceptance", "days": 730},
        ],
        "bonds": [{"kind": "performance", "percent": "10", "forms": ["cash"]}],
    }


def create(client: testing.TestClient, school: Organization, ref: str) -> int:
    supplier = factories.SupplierFactory(
        owner=school,
        industry=Industry.INDUSTRY,
        employees=50,
        revenue_wan=Decimal(800),
        assets_wan=Decimal(100),
        declared_size=Size.SMALL,
    )
    result = client.simulate_post(
        "/v1/contracts", json=example_body(ref, supplier.id), headers=headers_for(school)
    )
    assert result.status_code == 201, result.json
    contract_id: int = result.json["id"]
    return contract_id


def assert_clause_states(text: str, percent: Decimal, days: int | None = None) -> None:
    """The share, the amount in figures and in capitals, and the days, read out of one clause."""
    share = _SHARE.search(text)
    assert share is not None, text
    assert Decimal(share.group(1)) == percent, text
    amount = (percent / 100 * AMOUNT).quantize(Decimal("0.01"))
    figures = _FIGURES.search(text)
    assert figures is not None and Decimal(figures.group(1).replace(",", "")) == amount, text
    assert yuan_in_capitals(amount) in text, text
    if days is not None:
        found = _DAYS.search(text)
        assert found is not None and int(found.group(1)) == days, text


def assert_clauses_match(contract: dict[str, Any], clauses: list[dict[str, str]]) -> None:
    by_ref = {c["ref"]: c["text_zh"] for c in clauses}
    for k, term in enumerate(contract["payment_terms"]):
        text = by_ref[f"payment_terms[{k}]"]
        assert_clause_states(text, Decimal(term["percent"]), term["days"])
        trigger = "质量保证期满" if term["trigger"] == "warranty_end" else None
        if trigger:
            assert trigger in text
    for k, bond in enumerate(contract["bonds"]):
        text = by_ref[f"bonds[{k}]"]
        assert_clause_states(text, Decimal(bond["percent"]))
        if "cheque" in bond["forms"]:
            assert "支票、汇票、本票" in text and "银行保函" in text and "保险保函" in text
    assert len(by_ref) == len(contract["payment_terms"]) + len(contract["bonds"]) + (
        contract["acceptance_period_days"] is not None
    )


@pytest.mark.parametrize(
    "declined",
    [set(c) for n in range(len(ENCOURAGED) + 1) for c in itertools.combinations(ENCOURAGED, n)],
    ids=lambda d: "+".join(sorted(r.removeprefix("terms.") for r in d)) or "none",
)
def test_every_combination_stores_a_whole_schedule_that_its_clauses_state(
    client: testing.TestClient, declined: set[str]
) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    headers = headers_for(school)
    contract_id = create(client, school, "XJ-EX-" + "-".join(sorted(declined)))
    base = f"/v1/contracts/{contract_id}"
    preview = client.simulate_post(f"{base}/sme-terms", headers=headers).json
    offered = {a["rule_id"] for a in preview["adjustments"]}
    assert offered == set(ENCOURAGED) | set(MANDATORY)
    assert {a["rule_id"] for a in preview["adjustments"] if a["legal_force"] == "mandatory"} == set(MANDATORY)
    # the preview's texts are one contract: paste them all and it pays 100%
    preview_shares = {c["ref"]: c for c in preview["clauses"] if c["ref"].startswith("payment_terms")}
    assert sum(Decimal(_SHARE.search(c["text_zh"]).group(1)) for c in preview_shares.values()) == 100  # type: ignore[union-attr]

    body = {
        "accepted": sorted(offered - declined),
        "declined": [{"rule_id": r, "reason": f"采购人决定不采纳 {r}"} for r in sorted(declined)],
    }
    applied = client.simulate_post(
        f"{base}/sme-terms/apply", json=body, headers={**headers, "If-Match": '"1"'}
    )
    assert applied.status_code == 200, applied.json

    stored = client.simulate_get(base, headers=headers).json
    percents = [Decimal(t["percent"]) for t in stored["payment_terms"]]
    assert sum(percents) == 100 and all(p > 0 for p in percents)
    assert_clauses_match(stored, applied.json["clauses"])
    # every adjustment's clause text is a clause of the contract as decided
    texts = {c["text_zh"] for c in applied.json["clauses"]}
    for adjustment in applied.json["adjustments"]:
        for line in adjustment["clause_zh"].split("\n"):
            assert line in texts or line.startswith("本合同"), (adjustment["rule_id"], line)
    # the decisions history keeps the reasons
    history = client.simulate_get(f"{base}/sme-terms", headers=headers).json
    assert {d["rule_id"]: d["reason"] for d in history["decisions"][0]["declined"]} == {
        d["rule_id"]: d["reason"] for d in body["declined"]
    }
    assert all(d["legal_force"] == "encouraged" for d in history["decisions"][0]["declined"])


def test_all_accepted_gives_the_schedule_the_issue_expects(client: testing.TestClient) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    headers = headers_for(school)
    contract_id = create(client, school, "XJ-EX-ALL")
    base = f"/v1/contracts/{contract_id}"
    preview = client.simulate_post(f"{base}/sme-terms", headers=headers).json
    by_rule = {a["rule_id"]: a for a in preview["adjustments"]}
    assert "（¥480,000.00）" in by_rule["terms.prepayment"]["clause_zh"]
    assert "自合同签订之日起30日内" in by_rule["terms.prepayment"]["clause_zh"]  # the stored days
    assert "57%" in by_rule["terms.prepayment"]["clause_zh"]  # the final payment it was taken from
    assert "自质量保证期满之日起30日内" in by_rule["terms.retention.release_days"]["clause_zh"]
    assert "财政部门设定的默认目标，非法定要求" in by_rule["terms.prepayment"]["legal_basis"]["zh"]
    assert "not a legal requirement" in by_rule["terms.prepayment"]["legal_basis"]["en"]
    assert "small_micro_min_rate" in by_rule["terms.prepayment"]["legal_basis"]["zh"]
    assert by_rule["terms.payment.days"]["legal_note"]["zh"].count("60日") >= 1
    accept_all = {"accepted": sorted(by_rule), "declined": []}
    client.simulate_post(f"{base}/sme-terms/apply", json=accept_all, headers=headers)
    stored = client.simulate_get(base, headers=headers).json
    assert [(t["kind"], t["percent"], t["trigger"], t["days"]) for t in stored["payment_terms"]] == [
        ("prepayment", "40.0000", "signing", 30),
        ("final", "57.0000", "acceptance", 15),
        ("retention", "3.0000", "warranty_end", 30),
    ]
    assert stored["bonds"] == [] and stored["acceptance_period_days"] == 15


def test_the_supplement_states_the_stored_numbers(client: testing.TestClient) -> None:
    school = factories.OrganizationFactory(region_code="650102", name="某市第一中学")
    headers = headers_for(school)
    contract_id = create(client, school, "XJ-EX-DOCX")
    base = f"/v1/contracts/{contract_id}"
    preview = client.simulate_post(f"{base}/sme-terms", headers=headers).json
    declined = {"terms.bond.rate": "供应商自愿提交履约保证金", "terms.retention.rate": "设备质保风险较高"}
    body = {
        "accepted": sorted({a["rule_id"] for a in preview["adjustments"]} - set(declined)),
        "declined": [{"rule_id": r, "reason": why} for r, why in declined.items()],
    }
    assert client.simulate_post(f"{base}/sme-terms/apply", json=body, headers=headers).status_code == 200
    stored = client.simulate_get(base, headers=headers).json

    result = client.simulate_get(
        f"{base}/sme-terms/supplement", headers={**headers, "Accept": DOCX_MEDIA_TYPE}
    )

    assert result.status_code == 200
    assert result.headers["content-type"] == DOCX_MEDIA_TYPE
    document = docx.Document(io.BytesIO(result.content))
    paragraphs = [p.text for p in document.paragraphs]
    text = "\n".join(paragraphs)
    assert paragraphs[0] == "合同补充条款"
    assert "某市第一中学" in text and "XJ-EX-DOCX" in text
    assert "人民币壹佰贰拾万元整（¥1,200,000.00）" in text
    clauses = [p for p in paragraphs if p.startswith("第") and "条　" in p]
    payment = [c for c in clauses if "合同金额的" in c and "保证金" not in c.split("　")[1]]
    for k, term in enumerate(stored["payment_terms"]):
        clause = clauses[k]
        assert clause.startswith(f"第{chinese_ordinal(k + 1)}条"), clause
        assert_clause_states(clause, Decimal(term["percent"]), term["days"])
    assert payment
    bond_clause = clauses[len(stored["payment_terms"])]
    assert_clause_states(bond_clause, Decimal(stored["bonds"][0]["percent"]))
    assert "支票、汇票、本票" in bond_clause
    # the change table and the declined reasons
    changes, refused = document.tables
    assert [c.text for c in changes.rows[0].cells] == [
        "序号",
        "调整事项",
        "调整前",
        "调整后",
        "法律依据",
        "法律效力",
        "决定",
    ]
    assert len(changes.rows) == len(preview["adjustments"]) + 1
    assert {row.cells[2].text for row in refused.rows[1:]} == set(declined.values())
    assert preview["policy_version"] in text
    assert "甲方（采购人）（盖章）：" in text and "乙方（供应商）（盖章）：" in text
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert "PAGE" in section.footer.paragraphs[0]._element.xml
    fonts = document.paragraphs[0].runs[0]._element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "宋体"


def test_a_supplement_before_any_apply_is_409_saying_to_preview_and_apply(
    client: testing.TestClient, session: Session
) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    contract_id = create(client, school, "XJ-EX-NONE")
    result = client.simulate_get(
        f"/v1/contracts/{contract_id}/sme-terms/supplement",
        headers={**headers_for(school), "Accept": DOCX_MEDIA_TYPE},
    )
    assert result.status_code == 409
    assert "preview" in result.json["message"]["en"] and "apply" in result.json["message"]["en"]


def test_an_auditor_sees_the_declined_reasons_on_a_finding_about_the_contract(
    client: testing.TestClient, session: Session
) -> None:
    from procurement.findings.models import FindingSource
    from procurement.findings.services import store_findings
    from procurement.organizations.models import OrganizationKind, Role
    from rules.findings import Finding
    from rules.vocabulary import LegalForce

    school = factories.OrganizationFactory(region_code="650102")
    headers = headers_for(school)
    contract_id = create(client, school, "XJ-EX-AUDIT")
    base = f"/v1/contracts/{contract_id}"
    preview = client.simulate_post(f"{base}/sme-terms", headers=headers).json
    reason = "财政资金分期拨付，预付款无法提高"
    body = {
        "accepted": sorted({a["rule_id"] for a in preview["adjustments"]} - {"terms.prepayment"}),
        "declined": [{"rule_id": "terms.prepayment", "reason": reason}],
    }
    assert client.simulate_post(f"{base}/sme-terms/apply", json=body, headers=headers).status_code == 200
    late = Finding("payment.late", "payment", LegalForce.MANDATORY, (), "逾期付款", "paid late")
    store_findings(
        session,
        source=FindingSource.AUDIT_RUN,
        source_id=1,
        organization_id=school.id,
        region_code="650102",
        findings=[late],
        contract_id=contract_id,
    )
    finance = factories.OrganizationFactory(kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650000")
    auditor = headers_for(finance, Role.AUDITOR)

    listed = client.simulate_get("/v1/findings", headers=auditor).json["items"]
    history = client.simulate_get(f"{base}/sme-terms", headers=auditor)

    mine = [f for f in listed if f["contract_id"] == contract_id]
    assert mine and mine[0]["contract_terms_declined"][0]["reason"] == reason
    assert mine[0]["contract_terms_declined"][0]["legal_force"] == "encouraged"
    one = client.simulate_get(f"/v1/findings/{mine[0]['id']}", headers=auditor).json
    assert one["contract_terms_declined"][0]["rule_id"] == "terms.prepayment"
    assert history.status_code == 200
    assert history.json["decisions"][0]["declined"][0]["reason"] == reason
