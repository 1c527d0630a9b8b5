"""POST /v1/audits/documents with what auditors really upload: a scanned tender (read by OCR,
findings by page), and bad files (encrypted, zip bomb, 50 MB of text) -- a 4xx problem with a
stable code, nothing stored."""

from falcon import testing
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.barrier_audits.models import DocumentAudit
from tests import factories
from tests.api.helpers import headers_for
from tests.api.test_document_audits import upload
from tests.unit.test_bad_pdfs import encrypted_pdf
from tests.unit.test_docx_reading import zip_bomb
from tests.unit.test_scanned_tenders import scanned_tender


def _audits(session: Session) -> int:
    return session.execute(select(func.count()).select_from(DocumentAudit)).scalar_one()


def test_a_scanned_tender_is_audited_by_ocr_and_its_findings_name_their_page(
    client: testing.TestClient, session: Session
) -> None:
    result = upload(
        client,
        headers_for(factories.OrganizationFactory()),
        "扫描件.pdf",
        scanned_tender(),
        "application/pdf",
    )
    assert result.status_code == 201, result.json
    summary = result.json["summary"]
    assert summary["ocr_pages"] == [1, 2] and summary["problems"] == []
    pages = {f["category"]: f["evidence"]["location"]["page"] for f in result.json["findings"]}
    assert pages["scale.registered_capital"] == 1 and pages["scale.revenue"] == 2
    assert all(f["evidence"]["ocr"]["confidence"] >= 0.5 for f in result.json["findings"])


def test_an_encrypted_pdf_and_a_zip_bomb_are_422_with_their_codes(
    client: testing.TestClient, session: Session
) -> None:
    headers = headers_for(factories.OrganizationFactory())
    encrypted = upload(client, headers, "加密.pdf", encrypted_pdf(), "application/pdf")
    bomb = upload(client, headers, "炸弹.docx", zip_bomb())
    assert (encrypted.status_code, encrypted.json["code"]) == (422, "encrypted_document")
    assert (bomb.status_code, bomb.json["code"]) == (422, "document_too_large")
    assert bomb.headers["content-type"] == "application/problem+json"
    assert _audits(session) == 0


def test_fifty_megabytes_of_text_is_refused_at_the_upload_limit(
    client: testing.TestClient, session: Session
) -> None:
    text = ("投标人须具有独立承担民事责任的能力。\n" * 1_000_000).encode()[: 50 * 1024 * 1024]
    result = upload(client, headers_for(factories.OrganizationFactory()), "大文件.txt", text, "text/plain")
    assert result.status_code == 413
    assert result.headers["content-type"] == "application/problem+json"
    assert _audits(session) == 0
