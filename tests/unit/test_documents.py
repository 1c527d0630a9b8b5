"""Reading tender documents (txt in UTF-8 / GBK, .docx, PDF) and the scan service and CLI on them.

The files are generated in the tests: a .docx with python-docx, PDFs written by hand (a text page
with a ToUnicode map, and an image-only page that stands for a scan).
"""

import argparse
import io
import json
import zipfile
from pathlib import Path

import docx
import pytest

from api.cli import scan as scan_cli
from procurement.documents import (
    CorruptDocument,
    InvalidRequirement,
    NoTextLayer,
    UndecodableText,
    UnreadableScan,
    UnsupportedFormat,
    read_segments,
    scan_document,
    scan_requirements,
)


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF whose object i+1 is objects[i]; object 1 must be the catalog."""
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


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def text_pdf(lines: list[str]) -> bytes:
    """One page of Chinese text: glyph ids 1..n, each mapped to its character by a ToUnicode CMap."""
    chars = sorted({ch for line in lines for ch in line})
    cid = {ch: i + 1 for i, ch in enumerate(chars)}
    content = b"BT /F1 12 Tf 40 800 Td 14 TL\n"
    for line in lines:
        content += b"<" + "".join(f"{cid[ch]:04X}" for ch in line).encode() + b"> Tj T*\n"
    content += b"ET"
    bfchar = b""
    for start in range(0, len(chars), 100):
        block = chars[start : start + 100]
        bfchar += b"%d beginbfchar\n" % len(block)
        bfchar += b"".join(f"<{cid[ch]:04X}> <{ord(ch):04X}>\n".encode() for ch in block)
        bfchar += b"endbfchar\n"
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n" + bfchar + b"endcmap\n"
        b"CMapName currentdict /CMap defineresource pop end end"
    )
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
            b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            _stream(content),
            b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H"
            b" /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
            b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
            b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
            _stream(cmap),
        ]
    )


def scanned_pdf() -> bytes:
    """One page that only paints an image: what a scanner produces."""
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
            b" /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>",
            _stream(b"q 595 0 0 842 0 0 cm /Im1 Do Q"),
            _stream(
                b"\x80" * 4,
                b"/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray"
                b" /BitsPerComponent 8 ",
            ),
        ]
    )


def by_section(paragraphs: list[str]) -> dict[tuple[str, int], str]:
    """(heading, number within its section) of each paragraph of a test document."""
    located: dict[tuple[str, int], str] = {}
    heading, number = "", 0
    for text in paragraphs:
        if text.startswith("第") and "章" in text[:4]:
            heading, number = text, 0
        else:
            number += 1
            located[heading, number] = text
    return located


def tender_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("第一章 采购公告")
    document.add_paragraph("项目名称：办公设备采购项目；预算金额：人民币壹佰伍拾万元。")
    document.add_paragraph("第二章 供应商资格要求")
    document.add_paragraph("（一）具有独立承担民事责任的能力。")
    document.add_paragraph("（二）投标人注册资本不低于人民币伍佰万元。")
    document.add_paragraph("（三）参加政府采购活动前三年内，在经营活动中没有重大违法记录。")
    document.add_paragraph("（四）投标人须成立3年以上，并提供营业执照。")
    document.add_paragraph("（五）投标人须在乌鲁木齐市设有分公司或常驻服务机构。")
    document.add_paragraph("（六）具有良好的商业信誉和健全的财务会计制度。")
    document.add_paragraph("第三章 评分标准")
    table = document.add_table(rows=3, cols=3)
    for row, cells in enumerate(
        [
            ("评分因素", "分值", "评分标准"),
            ("企业实力", "5分", "上一年度营业收入2000万元以上的得5分，其余不得分。"),
            ("售后服务", "5分", "承诺接到通知后2小时内响应的得5分。"),
        ]
    ):
        for column, text in enumerate(cells):
            table.cell(row, column).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_docx_tender_gets_exactly_its_barrier_clauses_with_offsets_and_citations() -> None:
    data = tender_docx()
    result = scan_document(data, "招标文件.docx")
    found = {(f.category, f.evidence["clause_kind"]) for f in result.findings}
    assert found == {
        ("scale.registered_capital", "qualification"),
        ("age.years_in_business", "qualification"),
        ("locality.presence", "qualification"),
        ("scale.revenue", "scoring"),
    }
    paragraphs = by_section([p.text for p in docx.Document(io.BytesIO(data)).paragraphs])
    for finding in result.findings:
        ev = finding.evidence
        assert finding.citations and ev["document"] == "招标文件.docx"
        where = ev["location"]
        if "paragraph" in where:  # as the document shows it: the heading and the n-th paragraph under it
            assert where["section"] == "第二章 供应商资格要求"
            source = paragraphs[where["section"], where["paragraph"]]
        else:
            assert where == {
                "section": "第三章 评分标准",
                "table": 1,
                "row": 2,
                "column": 3,
                "column_header": "评分标准",
            }
            source = "上一年度营业收入2000万元以上的得5分，其余不得分。"
        assert source[ev["start"] : ev["end"]] == ev["clause"]
    capital = next(f for f in result.findings if f.category == "scale.registered_capital")
    assert capital.evidence["values"][0]["value"] == "5000000"
    assert result.file.paragraphs == 10 and result.file.table_cells == 9


def test_a_text_pdf_is_read_page_by_page() -> None:
    data = text_pdf(["二、资格要求", "投标人注册资本不低于500万元。", "具有良好的商业信誉。"])
    info, segments = read_segments(data, "tender.pdf")
    pages = list(segments)
    assert info.pages == 1 and pages[0].location == {"page": 1}
    assert "注册资本不低于500万元" in pages[0].text
    result = scan_document(data, "tender.pdf")
    assert [f.category for f in result.findings] == ["scale.registered_capital"]
    assert result.findings[0].evidence["location"] == {"page": 1}


def test_a_clause_wrapped_over_two_pdf_lines_is_read_as_one() -> None:
    data = text_pdf(["三、评分标准", "企业实力：投标人上一年度经审计的营业收入不低于", "3000万元的得5分。"])
    [finding] = scan_document(data, "wrapped.pdf").findings
    assert finding.category == "scale.revenue"
    assert finding.evidence["clause_kind"] == "scoring"
    assert finding.evidence["values"][0]["value"] == "30000000"


def test_an_image_page_ocr_cannot_read_is_refused_never_reported_clean() -> None:
    with pytest.raises(UnreadableScan) as error:
        scan_document(scanned_pdf(), "扫描件.pdf")
    assert "无法读取" in error.value.message_zh and "第1页" in error.value.message_zh
    assert "OCR recognised nothing" in error.value.message_en


def test_with_ocr_off_a_scan_has_no_text_layer() -> None:
    with pytest.raises(NoTextLayer) as error:
        scan_document(scanned_pdf(), "扫描件.pdf", ocr_max_pages=0)
    assert "没有可提取的文字" in error.value.message_zh


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"PK\x03\x04 this is not a zip", "broken.docx"),
        (b"plain text pretending", "fake.docx"),
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog", "cut.pdf"),
        (b"not a pdf at all", "fake.pdf"),
    ],
)
def test_a_corrupt_docx_or_pdf_says_what_is_wrong(data: bytes, name: str) -> None:
    with pytest.raises(CorruptDocument) as error:
        scan_document(data, name)
    assert name in error.value.message_zh and name in error.value.message_en


def test_a_docx_zip_without_its_document_part_is_corrupt() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(CorruptDocument):
        scan_document(buffer.getvalue(), "empty.docx")


def test_gbk_and_gb18030_text_is_detected_and_read() -> None:
    text = "第二章 资格要求\n投标人注册资本不低于500万元。\n具有良好的商业信誉。\n"
    for encoding in ("gbk", "gb18030"):
        result = scan_document(text.encode(encoding), "tender.txt")
        assert result.file.encoding == "gb18030"
        [finding] = result.findings
        assert finding.evidence["location"] == {"line": 2}
        assert text[finding.evidence["start"] : finding.evidence["end"]] == finding.evidence["clause"]


def test_utf8_with_bom_keeps_offsets_into_the_decoded_text() -> None:
    text = "投标人须成立五年以上。\n"
    result = scan_document(b"\xef\xbb\xbf" + text.encode(), "a.txt")
    assert result.file.encoding == "utf-8-sig"
    assert result.findings[0].evidence["start"] == 0


def test_bytes_in_no_known_encoding_are_an_error_not_mojibake_findings() -> None:
    with pytest.raises(UndecodableText) as error:
        scan_document(bytes(range(256)) * 8, "binary.txt")
    assert "编码" in error.value.message_zh


def test_an_unknown_extension_is_refused() -> None:
    with pytest.raises(UnsupportedFormat):
        scan_document(b"x", "tender.xls")


def test_text_is_read_in_chunks_with_lines_and_offsets_across_chunk_boundaries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("procurement.documents.reader.CHUNK_BYTES", 64)
    lines = ["具有良好的商业信誉。"] * 20 + ["投标人从业人员不少于100人。"]
    text = "\n".join(lines) + "\n"
    [finding] = scan_document(text.encode(), "long.txt").findings
    assert finding.evidence["location"] == {"line": 21}
    assert text[finding.evidence["start"] : finding.evidence["end"]] == "投标人从业人员不少于100人"


def test_structured_requirements_are_checked_and_bad_items_refused() -> None:
    found = scan_requirements(
        [
            {"kind": "scoring", "text": "注册资本1000万元以上的得3分", "points": 3},
            {"kind": "qualification", "text": "具有良好的商业信誉"},
        ]
    )
    assert [(f.category, f.evidence["location"]) for f in found] == [
        ("scale.registered_capital", {"item": 0, "points": "3"})
    ]
    with pytest.raises(InvalidRequirement):
        scan_requirements([{"kind": "bonus", "text": "x"}])
    with pytest.raises(InvalidRequirement):
        scan_requirements([{"kind": "scoring"}])


def _run(files: list[Path], *options: str) -> int:
    parser = argparse.ArgumentParser()
    scan_cli.register(parser.add_subparsers())
    args = parser.parse_args(["scan", *map(str, files), *options])
    code: int = args.func(args)
    return code


def test_cli_exit_codes_and_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    barrier = tmp_path / "bar.docx"
    barrier.write_bytes(tender_docx())
    clean = tmp_path / "clean.txt"
    clean.write_text("具有良好的商业信誉。\n", encoding="utf-8")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(scanned_pdf())

    assert _run([clean]) == 0
    assert "发现0处" in capsys.readouterr().out
    assert _run([barrier]) == 1
    table = capsys.readouterr().out
    assert "第5段" in table and "表1 第2行第3列" in table and "依据：" in table
    assert _run([barrier, clean], "--format", "json") == 1
    body = json.loads(capsys.readouterr().out)
    assert len(body["findings"]) == 4 and [f["name"] for f in body["files"]] == ["bar.docx", "clean.txt"]
    assert "注册资本" in json.dumps(body, ensure_ascii=False)
    assert _run([clean, scan], "--format", "json") == 2
    body = json.loads(capsys.readouterr().out)
    assert body["files"][1]["error"]["code"] == "unreadable_scan"


def test_a_pdf_nested_100000_deep_is_a_document_error_not_a_crash() -> None:
    """The probe's hostile PDF (a content stream nesting arrays 100,000 deep) was a 500."""
    from procurement.documents import DocumentError

    depth = 100_000
    hostile = _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1"
            b" << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> /Contents 4 0 R >>",
            _stream(b"BT /F1 12 Tf [" + b"[" * depth + b"]" * depth + b"] TJ ET"),
        ]
    )
    with pytest.raises(DocumentError):
        _, segments = read_segments(hostile, "hostile.pdf")
        list(segments)
