"""The pages through the Falcon test client: desk links and sessions, CSRF, scoping, the officer's
draft and apply, the auditor's overview and finding decisions, and the bad-input answers."""

import io
import re
import zipfile
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from falcon import testing
from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session

from api.pages.web import SESSION_COOKIE
from procurement.dashboard import overview
from procurement.findings.models import FindingSource, FindingStatus, StoredFinding
from procurement.findings.services import store_findings
from procurement.jobs.models import Job, JobState
from procurement.jobs.services import run_job
from procurement.organizations.models import Organization, Role
from procurement.orm import utcnow
from procurement.signin import services as signin
from procurement.signin.models import DeskLink
from procurement.terms.models import TermsResult
from rules.credit_code import with_check_character
from rules.findings import Citation, Finding
from rules.vocabulary import LegalForce, OrganizationKind
from tests import factories
from tests.api.helpers import headers_for

FORM = "application/x-www-form-urlencoded"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """The test client with a cookie jar, as a browser keeps one."""

    def __init__(self, client: testing.TestClient) -> None:
        self.client = client
        self.cookies: dict[str, str] = {}

    def _keep(self, result: testing.Result) -> testing.Result:
        for name, cookie in result.cookies.items():
            if cookie.max_age == 0 or cookie.value == "":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = cookie.value
        return result

    def get(self, path: str, **kw: object) -> testing.Result:
        return self._keep(self.client.simulate_get(path, cookies=self.cookies, **kw))  # type: ignore[arg-type]

    def post(self, path: str, fields: dict[str, str] | list[tuple[str, str]], **kw: object) -> testing.Result:
        return self._keep(
            self.client.simulate_post(
                path,
                body=urlencode(fields),
                headers={"Content-Type": FORM},
                cookies=self.cookies,
                **kw,  # type: ignore[arg-type]
            )
        )

    def token(self, path: str) -> str:
        page = self.get(path)
        assert page.status_code == 200, page.text
        match = TOKEN.search(page.text)
        assert match is not None
        return match.group(1)


@pytest.fixture
def region(session: Session) -> dict[str, Organization]:
    platform = factories.OrganizationFactory(kind=OrganizationKind.PLATFORM, region_code="650000")
    finance = factories.OrganizationFactory(kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650000")
    school = factories.OrganizationFactory(region_code="650102")
    other = factories.OrganizationFactory(region_code="650102")
    return {"platform": platform, "finance": finance, "school": school, "other": other}


def _desk_link(client: testing.TestClient, region: dict[str, Organization], **body: object) -> testing.Result:
    return client.simulate_post(
        "/v1/desk-links",
        json={"purchaser_id": region["school"].id, "officer_name": "王经办", **body},
        headers=headers_for(region["platform"], Role.PLATFORM),
    )


def _officer(client: testing.TestClient, region: dict[str, Organization]) -> Browser:
    link = _desk_link(client, region)
    assert link.status_code == 201, link.text
    browser = Browser(client)
    opened = browser.get(link.json["url"].removeprefix("http://falconframework.org"))
    assert opened.status_code == 303
    assert opened.headers["Location"].endswith("/desk/")
    return browser


def _auditor(client: testing.TestClient, region: dict[str, Organization]) -> Browser:
    _, key = factories.api_key(region["finance"], Role.AUDITOR)
    browser = Browser(client)
    token = browser.token("/signin")
    signed = browser.post("/signin", {"csrf_token": token, "api_key": key})
    assert signed.status_code == 303, signed.text
    assert signed.headers["Location"] == "/audit/"
    return browser


def test_a_desk_link_signs_the_named_officer_in_once_with_a_safe_cookie(
    client: testing.TestClient, region: dict[str, Organization]
) -> None:
    link = _desk_link(client, region)
    assert link.status_code == 201
    assert link.headers["Cache-Control"] == "no-store"
    path = link.json["url"].removeprefix("http://falconframework.org")
    first = client.simulate_get(path)
    assert first.status_code == 303
    cookie = first.cookies[SESSION_COOKIE]
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure
    assert cookie.max_age is not None and cookie.max_age > 0
    desk = client.simulate_get("/desk/", cookies={SESSION_COOKIE: cookie.value})
    assert desk.status_code == 200
    assert "王经办" in desk.text

    again = client.simulate_get(path)
    assert again.status_code == 401
    assert "已使用" in again.text and SESSION_COOKIE not in again.cookies


def test_the_session_cookie_is_secure_when_the_page_came_over_tls(
    client: testing.TestClient, region: dict[str, Organization]
) -> None:
    path = _desk_link(client, region).json["url"].split("falconframework.org", 1)[1]
    opened = client.simulate_get(path, headers={"X-Forwarded-Proto": "https"})
    assert opened.cookies[SESSION_COOKIE].secure


def test_an_expired_desk_link_signs_nobody_in(session: Session, region: dict[str, Organization]) -> None:
    key, _ = factories.api_key(region["platform"], Role.PLATFORM)
    platform = signin.Actor(key.id, region["platform"].id, Role.PLATFORM, "650000")
    issued_at = utcnow()
    issued = signin.issue_desk_link(
        session,
        platform,
        purchaser_id=region["school"].id,
        person_name="王经办",
        valid_minutes=5,
        now=issued_at,
    )
    with pytest.raises(signin.NotAuthenticated):
        signin.redeem_desk_link(session, issued.token, now=issued_at + timedelta(minutes=5))
    started = signin.redeem_desk_link(session, issued.token, now=issued_at + timedelta(minutes=5, seconds=-1))
    assert started.row.role is Role.OFFICER
    assert session.get(DeskLink, issued.link.id).used_at is not None  # type: ignore[union-attr]


def test_only_a_platform_issues_desk_links_for_purchasers_of_its_region(
    client: testing.TestClient, region: dict[str, Organization]
) -> None:
    officer = client.simulate_post(
        "/v1/desk-links",
        json={"purchaser_id": region["school"].id, "officer_name": "王"},
        headers=headers_for(region["school"]),
    )
    assert officer.status_code == 403
    elsewhere = factories.OrganizationFactory(region_code="110101")
    outside = _desk_link(client, region, purchaser_id=elsewhere.id)
    assert outside.status_code == 422 and "purchaser_id" in outside.json["errors"]
    too_long = _desk_link(client, region, valid_minutes=31)
    assert too_long.status_code == 422 and "valid_minutes" in too_long.json["errors"]


def test_a_bad_key_on_the_sign_in_form_is_shown_beside_the_field(client: testing.TestClient) -> None:
    browser = Browser(client)
    token = browser.token("/signin")
    refused = browser.post("/signin", {"csrf_token": token, "api_key": "smp_nothing_here"})
    assert refused.status_code == 401
    assert 'id="api_key-error"' in refused.text and "API密钥无效" in refused.text
    assert SESSION_COOKIE not in browser.cookies


def test_a_cross_site_post_without_the_token_is_refused(
    client: testing.TestClient, region: dict[str, Organization]
) -> None:
    _, key = factories.api_key(region["school"], Role.OFFICER)
    # the sign-in form: no token, or a token without its cookie
    assert (
        client.simulate_post("/signin", body=f"api_key={key}", headers={"Content-Type": FORM}).status_code
        == 403
    )
    officer = _officer(client, region)
    contract = factories.ContractFactory(purchaser=region["school"])
    forged = officer.post(f"/desk/contracts/{contract.id}/apply", {"version": str(contract.version)})
    assert forged.status_code == 403
    assert "防伪令牌" in forged.text


def test_another_purchasers_contract_is_a_404_page(
    client: testing.TestClient, region: dict[str, Organization]
) -> None:
    officer = _officer(client, region)
    theirs = factories.ContractFactory(purchaser=region["other"])
    page = officer.get(f"/desk/contracts/{theirs.id}")
    assert page.status_code == 404
    assert page.headers["Content-Type"].startswith("text/html") and "未找到合同" in page.text


def test_the_desk_lists_drafts_first_and_searches(
    client: testing.TestClient, region: dict[str, Organization]
) -> None:
    officer = _officer(client, region)
    signed = factories.ContractFactory(purchaser=region["school"], external_ref="SIGNED-1", title="桌椅")
    draft = factories.ContractFactory(
        purchaser=region["school"], external_ref="DRAFT-1", title="电脑", status="draft", signed_on=None
    )
    factories.ContractFactory(purchaser=region["other"], external_ref="THEIRS-1")
    listed = officer.get("/desk/").text
    assert listed.index(draft.external_ref) < listed.index(signed.external_ref)
    assert "THEIRS-1" not in listed
    found = officer.get("/desk/", params={"q": "桌椅"}, headers={"HX-Request": "true"})
    assert "SIGNED-1" in found.text and "DRAFT-1" not in found.text
    assert "<html" not in found.text  # htmx gets the rows alone


def _draft_form(token: str, **overrides: str) -> dict[str, str]:
    fields = {
        "csrf_token": token,
        "external_ref": "WEB-2025-01",
        "title": "打印机采购",
        "category": "goods",
        "amount": "500000.00",
        "purchaser_type": "public_body",
        "signed_on": "2025-09-01",
        "acceptance_period_days": "20",
        "supplier_id": "new",
        "supplier.name": "新疆网页测试供应商有限公司",
        "supplier.credit_code": "91650102MA78Q9K2L0",
        "supplier.industry": "批发业",
        "supplier.employees": "12",
        "supplier.revenue_wan": "3200",
        "supplier.declared_size": "small",
        "payment_terms.0.kind": "final",
        "payment_terms.0.percent": "100",
        "payment_terms.0.trigger": "acceptance",
        "payment_terms.0.days": "60",
        "payment_terms.0.day_type": "calendar",
        "bonds.0.kind": "performance",
        "bonds.0.percent": "10",
        "bonds.0.forms": "cash",
    }
    fields.update(overrides)
    return fields


def test_a_bad_field_on_the_draft_form_comes_back_beside_it_with_what_was_typed(
    client: testing.TestClient, region: dict[str, Organization]
) -> None:
    officer = _officer(client, region)
    token = officer.token("/desk/contracts/new")
    page = officer.post("/desk/contracts/new", _draft_form(token, **{"payment_terms.0.percent": "120"}))
    assert page.status_code == 422
    assert 'id="payment_terms-0-percent-error"' in page.text
    assert "超出允许范围" in page.text or "100" in page.text
    assert 'value="WEB-2025-01"' in page.text and 'value="120"' in page.text
    # the credit code's check character is the API's check too
    page = officer.post(
        "/desk/contracts/new", _draft_form(token, **{"supplier.credit_code": "91650102MA78Q9K2L1"})
    )
    assert page.status_code == 422 and 'id="supplier-credit_code-error"' in page.text


def test_an_officer_creates_a_draft_and_applies_the_terms_with_one_decline(
    client: testing.TestClient, session: Session, region: dict[str, Organization]
) -> None:
    officer = _officer(client, region)
    token = officer.token("/desk/contracts/new")
    code = with_check_character("91650102MA78Q9K2L")
    created = officer.post("/desk/contracts/new", _draft_form(token, **{"supplier.credit_code": code}))
    assert created.status_code == 303, created.text
    page_path = created.headers["Location"]
    page = officer.get(page_path)
    assert page.status_code == 200
    rule_ids = re.findall(r'name="rule_id" value="([^"]+)"', page.text)
    assert rule_ids
    encouraged = re.findall(r'name="decision\.([^"]+)" value="decline"', page.text)
    assert encouraged, "an encouraged change offers a decline"
    fields: list[tuple[str, str]] = [
        ("csrf_token", token),
        ("version", re.search(r'name="version" value="(\d+)"', page.text).group(1)),
    ]  # type: ignore[union-attr]
    for rule_id in rule_ids:
        fields.append(("rule_id", rule_id))
        decision = "decline" if rule_id == encouraged[0] else "accept"
        fields.append((f"decision.{rule_id}", decision))
    fields.append((f"reason.{encouraged[0]}", "本项目资金按进度拨付"))
    applied = officer.post(f"{page_path}/apply", fields)
    assert applied.status_code == 303, applied.text
    shown = officer.get(applied.headers["Location"])
    assert "本项目资金按进度拨付" in shown.text
    row = session.execute(select(TermsResult).order_by(TermsResult.id.desc())).scalars().first()
    assert row is not None and row.declined == [{"rule_id": encouraged[0], "reason": "本项目资金按进度拨付"}]
    supplement = officer.get(f"{page_path}/supplement.docx")
    assert supplement.status_code == 200
    assert "attachment" in supplement.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(supplement.content)) as docx:
        document = docx.read("word/document.xml").decode("utf-8")
    assert "本项目资金按进度拨付" in document  # the declined change and its reason are in the paper


def test_a_binding_change_cannot_be_declined_even_by_a_forged_form(
    client: testing.TestClient, region: dict[str, Organization]
) -> None:
    officer = _officer(client, region)
    contract = factories.ContractFactory(purchaser=region["school"], status="draft", signed_on=None)
    page = officer.get(f"/desk/contracts/{contract.id}")
    token = TOKEN.search(page.text).group(1)  # type: ignore[union-attr]
    rule_ids = re.findall(r'name="rule_id" value="([^"]+)"', page.text)
    offered = set(re.findall(r'name="decision\.([^"]+)" value="decline"', page.text))
    binding = [r for r in rule_ids if r not in offered]
    assert binding, "the factory's cash-only bond is a binding change"
    fields = [("csrf_token", token), ("version", str(contract.version))]
    for rule_id in rule_ids:
        fields += [("rule_id", rule_id), (f"decision.{rule_id}", "decline"), (f"reason.{rule_id}", "不同意")]
    refused = officer.post(f"/desk/contracts/{contract.id}/apply", fields)
    assert refused.status_code == 422
    assert "不能拒绝" in refused.text


def test_a_supplement_before_any_apply_is_a_page_saying_so(
    client: testing.TestClient, region: dict[str, Organization]
) -> None:
    officer = _officer(client, region)
    contract = factories.ContractFactory(purchaser=region["school"], status="draft", signed_on=None)
    assert "supplement.docx" not in officer.get(f"/desk/contracts/{contract.id}").text
    early = officer.get(f"/desk/contracts/{contract.id}/supplement.docx")
    assert early.status_code == 409 and "尚未确认" in early.text


def test_declining_without_a_reason_keeps_the_page_and_says_why(
    client: testing.TestClient, region: dict[str, Organization]
) -> None:
    officer = _officer(client, region)
    contract = factories.ContractFactory(purchaser=region["school"], status="draft", signed_on=None)
    page = officer.get(f"/desk/contracts/{contract.id}")
    token = TOKEN.search(page.text).group(1)  # type: ignore[union-attr]
    encouraged = re.findall(r'name="decision\.([^"]+)" value="decline"', page.text)
    fields = [("csrf_token", token), ("version", str(contract.version))]
    for rule_id in re.findall(r'name="rule_id" value="([^"]+)"', page.text):
        fields += [
            ("rule_id", rule_id),
            (f"decision.{rule_id}", "decline" if rule_id == encouraged[0] else "accept"),
        ]
    refused = officer.post(f"/desk/contracts/{contract.id}/apply", fields)
    assert refused.status_code == 422
    assert "不接受须说明理由" in refused.text


def _finding(session: Session, contract_org: Organization, contract_id: int) -> StoredFinding:
    stored = store_findings(
        session,
        source=FindingSource.AUDIT_RUN,
        source_id=1,
        organization_id=contract_org.id,
        region_code=contract_org.region_code,
        contract_id=contract_id,
        findings=[
            Finding(
                rule_id="payment.overdue",
                category="payment",
                legal_force=LegalForce.MANDATORY,
                citations=(Citation("国务院令第728号", "第八条", "保障中小企业款项支付条例", ""),),
                message_zh="逾期未付款",
                message_en="payment overdue",
                evidence={"amount": "900000.00", "due_on": "2025-10-24", "late_interest": "12345.67"},
            )
        ],
    )
    return stored[0]


def _run_overview_jobs(connection: Connection) -> int:
    """What the worker does: run the queued overview jobs (here in the test's transaction)."""

    def factory() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)

    with factory() as session:
        queued = session.execute(
            select(Job.id).where(Job.kind == overview.KIND, Job.state == JobState.QUEUED)
        ).scalars()
        ids = list(queued)
    for job_id in ids:
        assert run_job(factory, job_id) is JobState.SUCCEEDED
    return len(ids)


def test_an_auditor_sees_the_overview_as_charts_and_tables_and_drills_to_a_finding(
    client: testing.TestClient, session: Session, connection: Connection, region: dict[str, Organization]
) -> None:
    contract = factories.ContractFactory(purchaser=region["school"], external_ref="AUD-1")
    finding = _finding(session, region["school"], contract.id)
    auditor = _auditor(client, region)
    period = {"from": "2025-01-01", "to": "2025-12-31"}
    pending = auditor.get("/audit/", params=period)
    assert pending.status_code == 200 and "正在统计" in pending.text  # a job computes the figures
    assert _run_overview_jobs(connection) == 1
    overview = auditor.get("/audit/", params=period)
    assert overview.status_code == 200
    assert 'id="chart-share"' in overview.text and 'id="chart-data"' in overview.text
    assert f"/audit/purchasers/{region['school'].id}" in overview.text
    assert 'data-category="payment"' in overview.text  # the open finding, in the table the chart reads
    assert "12,345.67" in overview.text  # its late interest
    purchaser = auditor.get(f"/audit/purchasers/{region['school'].id}")
    assert f"/audit/contracts/{contract.id}" in purchaser.text
    contract_page = auditor.get(f"/audit/contracts/{contract.id}")
    assert f"/audit/findings/{finding.id}" in contract_page.text
    assert auditor.get("/audit/", params={"region": "110000"}).status_code == 403
    # the figures are shown again without a new job; a refresh asks for one
    auditor.get("/audit/", params=period)
    assert _run_overview_jobs(connection) == 0
    again = auditor.get("/audit/", params={**period, "refresh": "1"})
    assert again.status_code == 303 and "refresh" not in again.headers["Location"]
    assert _run_overview_jobs(connection) == 1


def test_a_failed_overview_job_is_shown_and_not_queued_again_on_reload(
    client: testing.TestClient, session: Session, region: dict[str, Organization]
) -> None:
    auditor = _auditor(client, region)
    assert "正在统计" in auditor.get("/audit/").text
    session.execute(
        update(Job)
        .where(Job.kind == overview.KIND)
        .values(state=JobState.FAILED, error="数据库不可用 / db down")
    )
    failed = auditor.get("/audit/")
    assert "统计失败" in failed.text and "数据库不可用" in failed.text
    assert 'http-equiv="refresh"' not in failed.text
    assert session.execute(select(func.count()).select_from(Job)).scalar() == 1


def test_an_auditor_dismisses_a_finding_only_with_a_reason_and_sees_its_history(
    client: testing.TestClient, session: Session, region: dict[str, Organization]
) -> None:
    contract = factories.ContractFactory(purchaser=region["school"])
    finding = _finding(session, region["school"], contract.id)
    auditor = _auditor(client, region)
    token = auditor.token(f"/audit/findings/{finding.id}")
    blank = auditor.post(
        f"/audit/findings/{finding.id}", {"csrf_token": token, "action": "dismiss", "reason": ""}
    )
    assert blank.status_code == 422 and 'id="reason-error"' in blank.text
    done = auditor.post(
        f"/audit/findings/{finding.id}", {"csrf_token": token, "action": "dismiss", "reason": "已于10月补付"}
    )
    assert done.status_code == 303
    page = auditor.get(f"/audit/findings/{finding.id}")
    assert "已排除" in page.text and "已于10月补付" in page.text
    session.expire_all()
    assert session.get(StoredFinding, finding.id).status is FindingStatus.DISMISSED  # type: ignore[union-attr]


def test_the_reports_download_as_csv_and_xlsx(
    client: testing.TestClient, region: dict[str, Organization]
) -> None:
    factories.ContractFactory(purchaser=region["school"])
    auditor = _auditor(client, region)
    csv = auditor.get("/audit/reports/payments.csv")
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert "合同数" in csv.content.decode("utf-8-sig")
    xlsx = auditor.get("/audit/reports/payments.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_a_tender_document_is_read_back_with_its_barriers_marked(
    client: testing.TestClient, region: dict[str, Organization]
) -> None:
    auditor = _auditor(client, region)
    token = auditor.token("/audit/documents")
    text = "第一章 投标人资格要求\n1. 投标人注册资本不低于500万元。\n2. 投标人须具有良好的商业信誉。\n"
    boundary = "----smeproc"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="tender.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\n{text}\r\n--{boundary}--\r\n"
    ).encode()
    page = client.simulate_post(
        "/audit/documents",
        body=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        cookies=auditor.cookies,
    )
    assert page.status_code == 200, page.text
    marked = re.findall(r"<mark[^>]*>(.*?)</mark>", page.text, re.S)
    assert any("注册资本" in m for m in marked)
    assert "良好的商业信誉" not in "".join(marked)


def test_signing_out_ends_the_session(client: testing.TestClient, region: dict[str, Organization]) -> None:
    officer = _officer(client, region)
    token = officer.token("/desk/")
    cookie = officer.cookies[SESSION_COOKIE]
    out = officer.post("/signout", {"csrf_token": token})
    assert out.status_code == 303 and out.headers["Location"] == "/signin"
    after = client.simulate_get("/desk/", cookies={SESSION_COOKIE: cookie})
    assert after.status_code == 303 and after.headers["Location"].startswith("/signin")


def test_pages_are_chinese_first_with_an_english_switch(client: testing.TestClient) -> None:
    browser = Browser(client)
    assert "登录" in browser.get("/signin").text
    switched = browser.get("/lang/en", params={"next": "/signin"})
    assert switched.status_code == 303 and switched.headers["Location"] == "/signin"
    assert "Sign in" in browser.get("/signin").text
    evil = browser.get("/lang/zh", params={"next": "//evil.example"})
    assert evil.headers["Location"] == "/"


def test_vendored_assets_are_served_by_the_service(client: testing.TestClient) -> None:
    for path in (
        "/static/vendor/htmx-4.0.1.min.js",
        "/static/vendor/echarts-6.1.0.min.js",
        "/static/app.css",
    ):
        asset = client.simulate_get(path)
        assert asset.status_code == 200 and len(asset.content) > 1000
    assert client.simulate_get("/static/../pages/web.py").status_code == 404
    page = client.simulate_get("/signin")  # nothing loaded from another host, no inline script runs
    assert "https://" not in page.text and "http://" not in page.text
    assert "script-src 'self';" in page.headers["Content-Security-Policy"]


def test_an_auditor_starts_an_audit_run_and_a_bad_period_is_shown_beside_the_field(
    client: testing.TestClient, region: dict[str, Organization]
) -> None:
    factories.ContractFactory(purchaser=region["school"])
    auditor = _auditor(client, region)
    token = auditor.token("/audit/runs")
    bad = auditor.post("/audit/runs", {"csrf_token": token, "from": "2025-12-31", "to": "2025-01-01"})
    assert bad.status_code == 422 and 'id="to-error"' in bad.text and 'value="2025-12-31"' in bad.text
    started = auditor.post("/audit/runs", {"csrf_token": token, "from": "2025-01-01", "to": "2025-12-31"})
    assert started.status_code == 303
    run = auditor.get(started.headers["Location"])
    assert run.status_code == 200 and 'id="run-status"' in run.text
    partial = auditor.get(started.headers["Location"], headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith("<section") and "<html" not in partial.text
    listed = auditor.get("/audit/runs")
    assert f'href="{started.headers["Location"]}"' in listed.text
