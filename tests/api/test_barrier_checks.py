"""POST /v1/checks/barriers: the barrier audit of text or requirements, answered and stored nowhere."""

import pytest
from falcon import testing
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.settings import Settings
from procurement.auditlog.models import AuditLogEntry
from procurement.barrier_audits.models import DocumentAudit
from procurement.findings.models import StoredFinding
from procurement.organizations.models import Role
from tests import factories
from tests.api.helpers import headers_for

URL = "/v1/checks/barriers"
TENDER = (
    "第二章 供应商资格要求\n"
    "（一）投标人注册资本不低于人民币伍佰万元。\n"
    "（二）投标人须具有有效的安全生产许可证。\n"
    "（三）履约保证金为合同金额的5%，可以银行保函形式提交。\n"
    "第三章 评分标准\n"
    "具有有效的ISO9001质量管理体系认证证书的得2分。\n"
    "上一年度营业收入2000万元以上的得5分。\n"
)


def _stored(session: Session) -> tuple[int, int, int]:
    def count(model: type[DocumentAudit] | type[StoredFinding] | type[AuditLogEntry]) -> int:
        return session.execute(select(func.count()).select_from(model)).scalar_one()

    return count(DocumentAudit), count(StoredFinding), count(AuditLogEntry)


def test_text_is_checked_and_nothing_is_stored(client: testing.TestClient, session: Session) -> None:
    before = _stored(session)
    result = client.simulate_post(
        URL,
        json={"text": TENDER, "filename": "公告.txt"},
        headers=headers_for(factories.OrganizationFactory()),
    )
    assert result.status_code == 200
    findings = result.json["findings"]
    assert [(f["category"], f["evidence"]["clause_kind"]) for f in findings] == [
        ("scale.registered_capital", "qualification"),
        ("scale.revenue", "scoring"),
    ]
    for finding in findings:
        ev = finding["evidence"]
        assert TENDER[ev["start"] : ev["end"]] == ev["clause"]
        assert ev["document"] == "公告.txt"
        assert finding["citations"] and finding["remedy"]["zh"] and finding["remedy"]["en"]
        assert "id" not in finding and "status" not in finding
    assert result.json["rules_version"].startswith("barriers-")
    assert result.json["summary"]["findings"] == 2
    assert _stored(session) == before


def test_requirements_are_checked_item_by_item(client: testing.TestClient) -> None:
    body = {
        "requirements": [
            {"kind": "qualification", "text": "具有建筑业企业资质（施工总承包三级及以上）"},
            {"kind": "scoring", "text": "成立年限满5年的得2分", "points": "2"},
            {"kind": "scoring", "text": "承诺2小时内到达现场的得3分", "points": "3"},
        ],
        "industry": "建筑业",
    }
    result = client.simulate_post(URL, json=body, headers=headers_for(factories.OrganizationFactory()))
    assert result.status_code == 200
    [finding] = result.json["findings"]
    assert finding["category"] == "age.years_in_business"
    assert finding["evidence"]["location"] == {"item": 1, "points": "2"}
    assert result.json["summary"]["clauses_read"] == 3


def test_an_auditor_may_check(client: testing.TestClient) -> None:
    auditor = factories.OrganizationFactory(kind="finance_department", region_code="650000")
    result = client.simulate_post(
        URL, json={"text": "投标人须成立3年以上。"}, headers=headers_for(auditor, Role.AUDITOR)
    )
    assert result.status_code == 200
    assert len(result.json["findings"]) == 1


def test_a_check_needs_an_api_key(client: testing.TestClient) -> None:
    assert client.simulate_post(URL, json={"text": "投标人须成立3年以上。"}).status_code == 401


def test_a_whole_document_above_the_json_limit_may_be_checked(
    client: testing.TestClient, settings: Settings
) -> None:
    text = "投标人须成立3年以上。\n" + "具有良好的商业信誉。\n" * (settings.max_body_bytes // 30 + 10)
    assert len(text.encode()) > settings.max_body_bytes
    result = client.simulate_post(
        URL, json={"text": text}, headers=headers_for(factories.OrganizationFactory())
    )
    assert result.status_code == 200
    assert [f["category"] for f in result.json["findings"]] == ["age.years_in_business"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "_schema"),
        ({"text": "x", "requirements": [{"kind": "scoring", "text": "x"}]}, "text"),
        ({"text": "   "}, "text"),
        ({"requirements": []}, "requirements"),
        ({"requirements": [{"kind": "bonus", "text": "x"}]}, "requirements.0.kind"),
        ({"requirements": [{"kind": "scoring"}]}, "requirements.0.text"),
        ({"requirements": [{"kind": "scoring", "text": "x", "points": "-1"}]}, "requirements.0.points"),
        ({"requirements": [{"kind": "scoring", "text": "x"}], "filename": "a.txt"}, "filename"),
        ({"text": "x", "industry": "钓鱼业"}, "industry"),
        ({"text": "x", "title": "x"}, "title"),
    ],
)
def test_a_bad_body_is_422_naming_the_field(
    client: testing.TestClient, body: dict[str, object], field: str
) -> None:
    result = client.simulate_post(URL, json=body, headers=headers_for(factories.OrganizationFactory()))
    assert result.status_code == 422
    assert field in result.json["errors"]
