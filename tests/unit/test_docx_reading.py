"""A .docx as officials write it: headers, footers, text boxes, footnotes, nested tables, each
finding located as the document shows it; a zip bomb is refused before any XML is parsed."""

import io
import zipfile

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from lxml import etree

from procurement.barrier_audits.services import check_document
from procurement.documents import CorruptDocument, DocumentTooLarge, scan_document

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TEXTBOX_RUN = f"""<w:r xmlns:w="{W}"
  xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
  xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
  xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent>
  <mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>
    <w:p><w:r><w:t>{{text}}</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice>
  <mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>
    <w:p><w:r><w:t>{{text}}</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>
</mc:AlternateContent></w:r>"""
FOOTNOTES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes xmlns:w="{W}">
  <w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
  <w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:t> </w:t></w:r></w:p></w:footnote>
  <w:footnote w:id="1"><w:p><w:r><w:t>注：投标人须为本市注册的企业。</w:t></w:r></w:p></w:footnote>
</w:footnotes>"""


def official_docx() -> bytes:
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "某某单位办公家具采购项目 招标文件"
    section.footer.paragraphs[0].text = "投标人须在乌鲁木齐市设有分公司。"
    document.add_paragraph("第一章 投标人须知")
    document.add_paragraph("本项目采购类别：货物。")
    box = document.add_paragraph("见右侧说明：")
    box._p.append(etree.fromstring(TEXTBOX_RUN.replace("{text}", "投标人注册资本不低于500万元。")))
    document.add_paragraph("第二章 评分标准")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "评分因素", "评分标准"
    table.cell(1, 0).text = "企业实力"
    inner = table.cell(1, 1).add_table(rows=1, cols=1)
    inner.cell(0, 0).text = "获得市级以上优秀企业荣誉证书且具有本市同类项目业绩的，每个得1分。"
    notes = Part(
        PackURI("/word/footnotes.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
        FOOTNOTES.encode(),
        document.part.package,
    )
    document.part.relate_to(notes, RT.FOOTNOTES)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_headers_footers_text_boxes_footnotes_and_nested_tables_are_read_and_located() -> None:
    result = scan_document(official_docx(), "招标文件.docx")
    where = {f.category: f.evidence["location"] for f in result.findings}
    assert where["locality.presence"] == {"part": "footer", "paragraph": 1, "document_section": 1}
    assert where["scale.registered_capital"] == {"section": "第一章 投标人须知", "paragraph": 2, "textbox": 1}
    assert where["locality.registration"] == {"part": "footnote", "footnote": 1}
    nested = where["honours_awards_scoring"]
    assert nested["within"] == {"table": 1, "row": 2, "column": 2}
    assert (nested["table"], nested["row"], nested["column"]) == (2, 1, 1)
    # the text box is read once, not again from its mc:Fallback copy
    assert sum(1 for f in result.findings if f.category == "scale.registered_capital") == 1


def test_the_summary_counts_characters_and_clauses_not_findings() -> None:
    result = check_document(official_docx(), "招标文件.docx")
    summary = result.summary
    assert summary["characters"] > 0
    assert summary["findings"] == len(result.findings)
    # a 市级 honour and 本市 experience in one cell break two rules on one clause: one clause flagged
    assert summary["clauses_flagged"] == summary["findings"] - 1


def zip_bomb() -> bytes:
    """A .docx whose document.xml would expand to 300 MB of whitespace (about 300 kB zipped)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        source = zipfile.ZipFile(io.BytesIO(official_docx()))
        for item in source.infolist():
            if item.filename != "word/document.xml":
                package.writestr(item, source.read(item))
        with package.open("word/document.xml", "w", force_zip64=True) as xml:
            xml.write(b'<?xml version="1.0"?><w:document xmlns:w="' + W.encode() + b'"><w:body>')
            for _ in range(300):
                xml.write(b" " * (1024 * 1024))
            xml.write(b"</w:body></w:document>")
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_its_xml_is_expanded() -> None:
    data = zip_bomb()
    assert len(data) < 2 * 1024 * 1024
    with pytest.raises(DocumentTooLarge) as error:
        scan_document(data, "炸弹.docx")
    assert error.value.code == "document_too_large" and "200MB" in error.value.message_zh


def test_a_docx_with_broken_xml_is_corrupt() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        source = zipfile.ZipFile(io.BytesIO(official_docx()))
        for item in source.infolist():
            body = source.read(item)
            package.writestr(item, body[: len(body) // 2] if item.filename == "word/document.xml" else body)
    with pytest.raises(CorruptDocument) as error:
        scan_document(buffer.getvalue(), "截断.docx")
    assert error.value.code == "corrupt_document"
