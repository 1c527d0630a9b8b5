"""Scanned tenders read by OCR: findings located by page with the recognition confidence; a page
OCR cannot read is reported per page. The scans are made here (tests/scans.py): a .docx we wrote,
printed to A4 images with speckle noise and a slight rotation, saved as an image-only PDF."""

import io

import docx
import pypdf
import pytest

from procurement.documents import DocumentTooLarge, read_segments, scan_document
from procurement.documents.services import DocumentScan
from tests.scans import blank_scan, scan_of_docx
from tests.unit.test_documents import text_pdf


def scanned_tender() -> bytes:
    document = docx.Document()
    for text in [
        "第一章 采购公告",
        "项目名称：办公设备采购项目。采购类别：货物。",
        "第二章 供应商资格要求",
        "（一）具有独立承担民事责任的能力。",
        "（二）投标人注册资本不低于人民币伍佰万元。",
        "（三）投标人须成立3年以上，并提供营业执照。",
        "（四）投标人须在乌鲁木齐市设有分公司或常驻服务机构。",
        "第三章 评分标准",
        "企业实力：上一年度营业收入2000万元以上的得5分，其余不得分。",
        "售后服务：承诺接到通知后2小时内响应的得5分。",
    ]:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    # two pages: the 资格要求 on page 1, the 评分标准 on page 2
    return scan_of_docx(buffer.getvalue(), paragraphs_per_page=7, noise=0.01, rotate_deg=0.7)


@pytest.fixture(scope="module")
def scanned() -> DocumentScan:
    return scan_document(scanned_tender(), "扫描招标文件.pdf")


def test_a_scanned_tender_is_audited_through_ocr_with_findings_located_by_page(scanned: DocumentScan) -> None:
    assert scanned.file.ocr_pages == [1, 2] and scanned.file.problems == []
    by_category = {f.category: f for f in scanned.findings}
    assert {"scale.registered_capital", "age.years_in_business", "locality.presence", "scale.revenue"} <= set(
        by_category
    )
    assert by_category["scale.registered_capital"].evidence["location"]["page"] == 1
    assert by_category["scale.revenue"].evidence["location"]["page"] == 2
    for finding in scanned.findings:
        assert finding.evidence["location"]["source"] == "ocr"
        ocr = finding.evidence["ocr"]
        assert ocr["source"] == "ocr" and 0.5 <= ocr["confidence"] <= 1
    # the 2-hour response commitment is lawful, read from a scan as from text
    assert not any("2小时内响应" in f.evidence["clause"] for f in scanned.findings)


def test_the_section_headings_of_a_scan_decide_the_clause_kind(scanned: DocumentScan) -> None:
    kinds = {f.category: f.evidence["clause_kind"] for f in scanned.findings}
    assert kinds["scale.registered_capital"] == "qualification"
    assert kinds["scale.revenue"] == "scoring"


def test_a_page_ocr_cannot_read_is_reported_by_page_while_the_rest_is_audited() -> None:
    writer = pypdf.PdfWriter()
    for part in (text_pdf(["投标人注册资本不低于500万元。"]), blank_scan()):
        for page in pypdf.PdfReader(io.BytesIO(part)).pages:
            writer.add_page(page)
    buffer = io.BytesIO()
    writer.write(buffer)
    result = scan_document(buffer.getvalue(), "混合.pdf")
    assert [f.category for f in result.findings] == ["scale.registered_capital"]
    assert [(p["page"], p["code"]) for p in result.file.problems] == [(2, "page_unreadable")]
    assert "OCR" in result.file.problems[0]["zh"]


def test_a_scan_longer_than_the_ocr_limit_is_refused_before_any_page_is_read() -> None:
    _info, segments = read_segments(scanned_tender(), "长扫描件.pdf", ocr_max_pages=1)
    with pytest.raises(DocumentTooLarge) as error:
        list(segments)
    assert error.value.code == "too_many_scanned_pages" and "OCR" in error.value.message_zh
