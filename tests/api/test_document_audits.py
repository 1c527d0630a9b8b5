"""POST /v1/audits/documents and GET /v1/audits/{id}: real files uploaded as multipart/form-data
(a .docx built with python-docx, an image-only PDF, GBK text), text and requirements as JSON."""

import hashlib
import io
import uuid
from collections.abc import Callable
from dataclasses import replace

import docx
import pytest
from falcon import testing
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from api.app import create_app
from api.middleware import ActorCache
from config.settings import Settings
from procurement.auditlog.models import AuditLogEntry
from procurement.barrier_audits.models import DocumentAudit
from procurement.findings.models import StoredFinding
from procurement.organizations.models import Role
from tests import factories
from tests.api.helpers import headers_for

URL = "/v1/audits/documents"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# the barrier clauses and the lawful look-alikes of the tender below
PARAGRAPHS = [
    "第一章 采购公告",
    "项目名称：办公设备采购项目；预算金额：人民币壹佰伍拾万元。",
    "本项目专门面向中小企业采购。",
    "第二章 供应商资格要求",
    "（一）具有独立承担民事责任的能力。",
    "（二）投标人注册资本不低于人民币伍佰万元。",
    "（三）投标人须具有有效的安全生产许可证。",
    "（四）投标人须成立3年以上，并提供营业执照。",
    "（五）投标人须在乌鲁木齐市设有分公司或常驻服务机构。",
    "（六）具有良好的商业信誉和健全的财务会计制度。",
    "第三章 合同主要条款",
    "履约保证金为合同金额的5%，供应商可以银行保函、保险等非现金形式提交。",
    "第四章 评分标准",
]
CELLS = [
    ("评分因素", "分值", "评分标准"),
    ("质量认证", "2分", "具有有效的ISO9001质量管理体系认证证书的得2分。"),
    ("企业实力", "5分", "上一年度营业收入2000万元以上的得5分，其余不得分。"),
    ("售后服务", "5分", "承诺接到通知后2小时内响应的得5分。"),
]


def by_section(paragraphs: list[str]) -> dict[tuple[str, int], str]:
    """(heading, number within its section) of each paragraph of the test document."""
    located: dict[tuple[str, int], str] = {}
    heading, number = "", 0
    for text in paragraphs:
        if text.startswith("第") and "章" in text[:4]:
            heading, number = text, 0
        else:
            number += 1
            located[heading, number] = text
    return located


LAWFUL = ["专门面向中小企业", "安全生产许可证", "履约保证金", "ISO9001", "2小时内响应"]


def tender_docx() -> bytes:
    document = docx.Document()
    for text in PARAGRAPHS:
        document.add_paragraph(text)
    table = document.add_table(rows=len(CELLS), cols=3)
    for row, cells in enumerate(CELLS):
        for column, text in enumerate(cells):
            table.cell(row, column).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pdf(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def scanned_pdf() -> bytes:
    """One page that only paints an image, as a scanner produces it."""
    image = b"\x80" * 4
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
            b" /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>",
            b"<< /Length 30 >>\nstream\nq 595 0 0 842 0 0 cm /Im1 Do Q\nendstream",
            b"<< /Length 4 /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray"
            b" /BitsPerComponent 8 >>\nstream\n" + image + b"\nendstream",
        ]
    )


def multipart(
    files: list[tuple[str, str, bytes, str]], fields: dict[str, str] | None = None
) -> tuple[bytes, dict[str, str]]:
    """A multipart/form-data body: ``files`` as (field, filename, content, content type)."""
    boundary = f"smeproc-{uuid.uuid4().hex}"
    body = bytearray()
    for name, value in (fields or {}).items():
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        body += value.encode() + b"\r\n"
    for name, filename, content, media_type in files:
        body += (
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{name}"; filename="{filename}"\r\nContent-Type: {media_type}\r\n\r\n'
        ).encode()
        body += content + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return bytes(body), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def upload(
    client: testing.TestClient,
    headers: dict[str, str],
    filename: str,
    content: bytes,
    media_type: str = "application/octet-stream",
    **fields: str,
) -> testing.Result:
    body, content_type = multipart([("file", filename, content, media_type)], fields)
    return client.simulate_post(URL, body=body, headers={**headers, **content_type})


def _count(session: Session, model: type[DocumentAudit] | type[StoredFinding]) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def client_with_limit(
    settings: Settings, connection: Connection, session: Session
) -> Callable[[int], testing.TestClient]:
    """A client whose upload limit is ``limit`` bytes (requests share the test's transaction)."""

    def make(limit: int) -> testing.TestClient:
        app = create_app(
            replace(settings, max_upload_bytes=limit),
            session_factory=lambda: Session(
                bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
            ),
            actor_cache=ActorCache(0),
        )
        return testing.TestClient(app)

    return make


class TestDocxUpload:
    def test_exactly_the_barrier_clauses_are_flagged_with_offsets_and_citations(
        self, client: testing.TestClient
    ) -> None:
        data = tender_docx()
        result = upload(client, headers_for(factories.OrganizationFactory()), "招标文件.docx", data, DOCX)
        assert result.status_code == 201
        audit = result.json
        found = {(f["category"], f["evidence"]["clause_kind"]) for f in audit["findings"]}
        assert found == {
            ("scale.registered_capital", "qualification"),
            ("age.years_in_business", "qualification"),
            ("locality.presence", "qualification"),
            ("scale.revenue", "scoring"),
        }
        for finding in audit["findings"]:
            ev = finding["evidence"]
            where = ev["location"]
            if "paragraph" in where:
                source = by_section(PARAGRAPHS)[where["section"], where["paragraph"]]
            else:
                assert where == {
                    "section": "第四章 评分标准",
                    "table": 1,
                    "row": 3,
                    "column": 3,
                    "column_header": "评分标准",
                }
                source = CELLS[2][2]
            assert source[ev["start"] : ev["end"]] == ev["clause"]
            assert ev["document"] == "招标文件.docx"
            assert finding["citations"] and finding["citations"][0]["doc_id"]
            assert finding["remedy"]["zh"] and finding["remedy"]["en"]
            assert finding["severity"] == "violation" and finding["status"] == "open"
            assert not any(word in ev["clause"] for word in LAWFUL)
        capital = next(f for f in audit["findings"] if f["category"] == "scale.registered_capital")
        assert capital["evidence"]["values"][0]["value"] == "5000000"

    def test_the_audit_keeps_the_hash_rules_version_and_summary(self, client: testing.TestClient) -> None:
        data = tender_docx()
        school = factories.OrganizationFactory()
        audit = upload(client, headers_for(school), "招标文件.docx", data, DOCX).json
        assert audit["sha256"] == hashlib.sha256(data).hexdigest()
        assert audit["size_bytes"] == len(data)
        assert audit["media_type"] == DOCX
        assert audit["rules_version"].startswith("barriers-")
        assert audit["organization_id"] == school.id
        summary = audit["summary"]
        assert summary["findings"] == 4
        assert summary["by_category"] == {
            "age.years_in_business": 1,
            "locality.presence": 1,
            "scale.registered_capital": 1,
            "scale.revenue": 1,
        }
        assert summary["paragraphs"] == len(PARAGRAPHS)
        assert summary["table_cells"] == 12
        assert summary["clauses_read"] >= len(PARAGRAPHS)

    def test_get_returns_the_stored_audit_and_its_findings(
        self, client: testing.TestClient, session: Session
    ) -> None:
        headers = headers_for(factories.OrganizationFactory())
        created = upload(client, headers, "招标文件.docx", tender_docx(), DOCX)
        assert created.headers["location"] == f"/v1/audits/{created.json['id']}"
        again = client.simulate_get(created.headers["location"], headers=headers)
        assert again.status_code == 200
        assert again.json == created.json
        assert _count(session, StoredFinding) == 4
        actions = session.execute(select(AuditLogEntry.action)).scalars().all()
        assert "document_audit.create" in actions

    def test_a_browser_path_in_the_filename_is_cut_to_its_base_name(self, client: testing.TestClient) -> None:
        headers = headers_for(factories.OrganizationFactory())
        result = upload(client, headers, "C:\\fakepath\\招标文件.docx", tender_docx(), DOCX)
        assert result.json["filename"] == "招标文件.docx"

    def test_an_industry_field_is_accepted_and_a_wrong_one_named(self, client: testing.TestClient) -> None:
        headers = headers_for(factories.OrganizationFactory())
        ok = upload(client, headers, "a.docx", tender_docx(), DOCX, industry="批发业")
        assert ok.status_code == 201
        bad = upload(client, headers, "a.docx", tender_docx(), DOCX, industry="钓鱼业")
        assert bad.status_code == 422
        assert "industry" in bad.json["errors"]


class TestUnreadableDocuments:
    def test_an_image_page_ocr_cannot_read_is_a_422_and_nothing_is_stored(
        self, client: testing.TestClient, session: Session
    ) -> None:
        result = upload(
            client,
            headers_for(factories.OrganizationFactory()),
            "扫描件.pdf",
            scanned_pdf(),
            "application/pdf",
        )
        assert result.status_code == 422
        assert result.headers["content-type"] == "application/problem+json"
        assert result.json["code"] == "unreadable_scan"
        assert "OCR 也未能识别" in result.json["message"]["zh"]
        assert "no text layer" in result.json["message"]["en"]
        assert "file" in result.json["errors"]
        assert _count(session, DocumentAudit) == 0
        assert _count(session, StoredFinding) == 0

    @pytest.mark.parametrize(
        ("filename", "content", "code"),
        [
            ("broken.docx", b"PK\x03\x04 this is not a zip", "corrupt_document"),
            ("cut.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", "corrupt_document"),
            ("binary.txt", bytes(range(256)) * 8, "undecodable_text"),
            ("tender.xls", b"x", "unsupported_format"),
        ],
    )
    def test_a_file_that_cannot_be_read_is_422_with_its_code(
        self, client: testing.TestClient, session: Session, filename: str, content: bytes, code: str
    ) -> None:
        result = upload(client, headers_for(factories.OrganizationFactory()), filename, content)
        assert result.status_code == 422
        assert result.json["code"] == code
        assert filename in result.json["message"]["zh"] and filename in result.json["message"]["en"]
        assert _count(session, DocumentAudit) == 0

    def test_gbk_text_is_decoded_and_its_offsets_point_into_the_text(
        self, client: testing.TestClient
    ) -> None:
        text = "第二章 资格要求\n投标人注册资本不低于500万元。\n具有良好的商业信誉。\n"
        result = upload(
            client, headers_for(factories.OrganizationFactory()), "公告.txt", text.encode("gbk"), "text/plain"
        )
        assert result.status_code == 201
        assert result.json["summary"]["encoding"] == "gb18030"
        [finding] = result.json["findings"]
        ev = finding["evidence"]
        assert ev["location"] == {"line": 2}
        assert text[ev["start"] : ev["end"]] == ev["clause"] == "投标人注册资本不低于500万元"

    def test_an_empty_file_is_refused_rather_than_reported_clean(self, client: testing.TestClient) -> None:
        result = upload(client, headers_for(factories.OrganizationFactory()), "empty.txt", b"")
        assert result.status_code == 422
        assert "file" in result.json["errors"]


class TestForm:
    def test_a_form_without_a_file_names_the_file(self, client: testing.TestClient) -> None:
        body, content_type = multipart([], {"industry": "批发业"})
        headers = {**headers_for(factories.OrganizationFactory()), **content_type}
        result = client.simulate_post(URL, body=body, headers=headers)
        assert result.status_code == 422
        assert "file" in result.json["errors"]

    def test_two_files_or_an_unknown_field_are_refused(self, client: testing.TestClient) -> None:
        headers = headers_for(factories.OrganizationFactory())
        two, content_type = multipart(
            [("file", "a.txt", b"x", "text/plain"), ("file", "b.txt", b"y", "text/plain")]
        )
        assert client.simulate_post(URL, body=two, headers={**headers, **content_type}).status_code == 422
        other, content_type = multipart([("file", "a.txt", b"x", "text/plain")], {"title": "x"})
        result = client.simulate_post(URL, body=other, headers={**headers, **content_type})
        assert result.status_code == 422
        assert "title" in result.json["errors"]

    def test_a_multipart_body_without_a_boundary_is_400(self, client: testing.TestClient) -> None:
        headers = {**headers_for(factories.OrganizationFactory()), "Content-Type": "multipart/form-data"}
        result = client.simulate_post(URL, body=b"--x\r\n", headers=headers)
        assert result.status_code == 400
        assert result.headers["content-type"] == "application/problem+json"

    def test_another_media_type_is_415(self, client: testing.TestClient) -> None:
        headers = {**headers_for(factories.OrganizationFactory()), "Content-Type": "application/pdf"}
        assert client.simulate_post(URL, body=scanned_pdf(), headers=headers).status_code == 415


class TestSizeLimit:
    def test_a_body_of_exactly_the_limit_is_read_and_one_byte_more_is_413(
        self, client_with_limit: Callable[[int], testing.TestClient], session: Session
    ) -> None:
        headers = headers_for(factories.OrganizationFactory())
        text = ("投标人注册资本不低于500万元。\n" + "具有良好的商业信誉。\n" * 400).encode()
        body, content_type = multipart([("file", "a.txt", text, "text/plain")])
        at_limit = client_with_limit(len(body)).simulate_post(
            URL, body=body, headers={**headers, **content_type}
        )
        assert at_limit.status_code == 201
        over = client_with_limit(len(body) - 1).simulate_post(
            URL, body=body, headers={**headers, **content_type}
        )
        assert over.status_code == 413
        assert over.json["code"] == "content_too_large"
        assert _count(session, DocumentAudit) == 1

    def test_an_upload_may_exceed_the_json_body_limit(
        self, client: testing.TestClient, settings: Settings
    ) -> None:
        filler = "具有良好的商业信誉。\n" * (settings.max_body_bytes // 30 + 10)
        content = ("投标人须成立3年以上。\n" + filler).encode()
        assert len(content) > settings.max_body_bytes
        result = upload(
            client, headers_for(factories.OrganizationFactory()), "long.txt", content, "text/plain"
        )
        assert result.status_code == 201
        assert [f["category"] for f in result.json["findings"]] == ["age.years_in_business"]


class TestJsonVariants:
    def test_text_is_audited_under_the_name_given(self, client: testing.TestClient) -> None:
        body = {"text": "资格要求：投标人须在本市设有分支机构。", "filename": "公告正文"}
        result = client.simulate_post(URL, json=body, headers=headers_for(factories.OrganizationFactory()))
        assert result.status_code == 201
        assert result.json["filename"] == "公告正文"
        assert result.json["media_type"].startswith("text/plain")
        assert [f["category"] for f in result.json["findings"]] == ["locality.presence"]
        assert result.json["findings"][0]["evidence"]["document"] == "公告正文"

    def test_requirements_are_audited_item_by_item(self, client: testing.TestClient) -> None:
        body = {
            "requirements": [
                {"kind": "qualification", "text": "具有独立承担民事责任的能力"},
                {"kind": "scoring", "text": "注册资本1000万元以上的得3分", "points": "3"},
            ]
        }
        result = client.simulate_post(URL, json=body, headers=headers_for(factories.OrganizationFactory()))
        assert result.status_code == 201
        assert result.json["filename"] == "requirements.json"
        [finding] = result.json["findings"]
        assert finding["evidence"]["location"] == {"item": 1, "points": "3"}
        assert finding["evidence"]["clause_kind"] == "scoring"

    def test_both_text_and_requirements_is_422(self, client: testing.TestClient) -> None:
        body = {"text": "x", "requirements": [{"kind": "scoring", "text": "x"}]}
        result = client.simulate_post(URL, json=body, headers=headers_for(factories.OrganizationFactory()))
        assert result.status_code == 422


class TestWhoAndRetries:
    def test_a_retry_with_the_same_idempotency_key_stores_one_audit(
        self, client: testing.TestClient, session: Session
    ) -> None:
        headers = headers_for(factories.OrganizationFactory(), **{"Idempotency-Key": "upload-1"})
        body, content_type = multipart([("file", "a.docx", tender_docx(), DOCX)])
        first = client.simulate_post(URL, body=body, headers={**headers, **content_type})
        again = client.simulate_post(URL, body=body, headers={**headers, **content_type})
        assert first.status_code == again.status_code == 201
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json == first.json
        assert _count(session, DocumentAudit) == 1

    def test_an_auditor_stores_an_audit_in_its_own_region(
        self, client: testing.TestClient, session: Session
    ) -> None:
        auditor = factories.OrganizationFactory(kind="finance_department", region_code="650100")
        result = upload(client, headers_for(auditor, Role.AUDITOR), "a.txt", "投标人须成立3年以上。".encode())
        assert result.status_code == 201
        assert result.json["summary"]["findings"] == 1
        audit = session.get(DocumentAudit, result.json["id"])
        assert audit is not None
        assert (audit.organization_id, audit.region_code) == (auditor.id, "650100")
        url = f"/v1/audits/{result.json['id']}"
        org = factories.OrganizationFactory
        same_region = headers_for(org(kind="finance_department", region_code="650000"), Role.AUDITOR)
        other_region = headers_for(org(kind="finance_department", region_code="110000"), Role.AUDITOR)
        school_below = headers_for(org(region_code="650102"))
        assert client.simulate_get(url, headers=same_region).status_code == 200
        assert client.simulate_get(url, headers=other_region).status_code == 404
        assert client.simulate_get(url, headers=school_below).status_code == 404

    @pytest.mark.parametrize(
        "body",
        [
            {"text": "投标人须成立3年以上。"},
            {"requirements": [{"kind": "scoring", "text": "注册资本1000万元以上的得3分", "points": "3"}]},
        ],
    )
    def test_an_auditor_audits_text_and_requirements(
        self, client: testing.TestClient, body: dict[str, object]
    ) -> None:
        auditor = factories.OrganizationFactory(kind="finance_department", region_code="650000")
        result = client.simulate_post(URL, json=body, headers=headers_for(auditor, Role.AUDITOR))
        assert result.status_code == 201
        assert result.json["findings"]

    @pytest.mark.parametrize(
        ("who", "sees"),
        [
            ("owner", True),
            ("neighbour officer", False),
            ("regional platform", True),
            ("other region auditor", False),
            ("city auditor", True),
            ("admin", True),
        ],
    )
    def test_an_audit_is_visible_only_within_scope(
        self, client: testing.TestClient, who: str, sees: bool
    ) -> None:
        school = factories.OrganizationFactory(region_code="650102")
        created = upload(client, headers_for(school), "a.txt", "投标人须成立3年以上。".encode())
        org = factories.OrganizationFactory
        callers = {
            "owner": headers_for(school),
            "neighbour officer": headers_for(org(region_code="650102")),
            "regional platform": headers_for(org(kind="platform", region_code="650000"), Role.PLATFORM),
            "other region auditor": headers_for(
                org(kind="finance_department", region_code="110000"), Role.AUDITOR
            ),
            "city auditor": headers_for(org(kind="finance_department", region_code="650100"), Role.AUDITOR),
            "admin": headers_for(org(region_code="110000"), Role.ADMIN),
        }
        result = client.simulate_get(f"/v1/audits/{created.json['id']}", headers=callers[who])
        assert result.status_code == (200 if sees else 404)
