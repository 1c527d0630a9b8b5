""".docx as officials write it: body paragraphs and tables (nested ones too), text boxes, headers,
footers, footnotes and endnotes, each located as the document shows it.

A location names the part (body, header, footer, footnote, endnote, textbox), the section heading
the text sits under and the paragraph's number within that section, or the table, row and column
(with the column's header text, so a cell of a 评分标准 column is read as a scoring item). The
package is checked against a decompression limit before any XML is parsed (a zip bomb is refused).
"""

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from lxml import etree

from procurement.documents.errors import CorruptDocument, DocumentTooLarge

# limits (README "Limits of the document reader"): a real tender's XML is a few MB
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_PARTS = 5000
MAX_TABLE_DEPTH = 8

# a heading without a heading style: 第三章 资格条件 / 三、评分标准 (a numbered item "（二）…" is no heading)
_HEADING = re.compile(r"^\s*(第[一二三四五六七八九十百零\d]+[章节部分篇]|[一二三四五六七八九十]+、)")
_HEADING_NUMBERED_MAX_CHARS = 24
_HEADING_MAX_CHARS = 40
_NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
}
# mc:Fallback repeats the mc:Choice content of a text box: read it once
_TEXTBOXES = etree.XPath(".//w:txbxContent[not(ancestor::mc:Fallback)]//w:p", namespaces=_NS)
Block = tuple[str, dict[str, Any]]
_NOT_A_ZIP = ("不是有效的 Word（.docx）压缩包", "not a valid .docx zip package")
_P, _TBL, _TR, _TC, _T = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:t")
_TAB, _BR, _CR, _TXBX = qn("w:tab"), qn("w:br"), qn("w:cr"), qn("w:txbxContent")


def check_package(data: bytes, filename: str) -> None:
    """Refuse a package that is not a zip, or that would expand past the limits (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise CorruptDocument(
            filename, "不是有效的 Word（.docx）压缩包", "not a valid .docx zip package"
        ) from exc
    if len(infos) > MAX_PARTS:
        raise DocumentTooLarge(filename, f"部件超过{MAX_PARTS}个", f"more than {MAX_PARTS} parts")
    expanded = sum(info.file_size for info in infos)
    if expanded > MAX_UNZIPPED_BYTES:
        mb = MAX_UNZIPPED_BYTES // (1024 * 1024)
        raise DocumentTooLarge(filename, f"解压后超过{mb}MB", f"expands past {mb} MB")


def _in_textbox(node: Any, element: Any) -> bool:
    """Whether ``node`` sits in a text box nested inside ``element`` (read as its own block)."""
    for ancestor in node.iterancestors():
        if ancestor is element:
            return False
        if ancestor.tag == _TXBX:
            return True
    return False


def _text(element: Any) -> str:
    """A paragraph's own text (w:t, tabs and breaks of its runs), not that of text boxes in it."""
    parts: list[str] = []
    for node in element.iter(_T, _TAB, _BR, _CR):
        if _in_textbox(node, element):
            continue
        parts.append(node.text or "" if node.tag == _T else "\t" if node.tag == _TAB else "\n")
    return "".join(parts)


def _is_heading(paragraph: Any, text: str, styles: dict[str, str]) -> bool:
    if len(text) > _HEADING_MAX_CHARS:
        return False
    style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    name = styles.get(style.get(qn("w:val")), "") if style is not None else ""
    if name.lower().startswith(("heading", "title")) or name.startswith(("标题", "目录")):
        return True
    outline = paragraph.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
    if outline is not None:
        return True
    short = len(text) <= _HEADING_NUMBERED_MAX_CHARS and text[-1] not in "。；;：:，,"
    return short and bool(_HEADING.match(text))


class _Walker:
    """Walks one part's block content in order, keeping the current heading and counters."""

    def __init__(self, part: str, styles: dict[str, str], first_table: int = 0) -> None:
        self.part = part
        self.styles = styles
        self.heading = ""
        self.paragraph_in_section = 0
        self.paragraphs = 0
        self.tables = first_table
        self.cells = 0

    def _where(self, **extra: Any) -> dict[str, Any]:
        where: dict[str, Any] = {"part": self.part} if self.part != "body" else {}
        if self.heading:
            where["section"] = self.heading
        return where | extra

    def blocks(self, container: Any, depth: int = 0, parent: dict[str, Any] | None = None) -> Iterator[Block]:
        for child in container.iterchildren(_P, _TBL):
            if child.tag == _P:
                yield from self._paragraph(child, parent)
            elif depth < MAX_TABLE_DEPTH:
                yield from self._table(child, depth, parent)

    def _paragraph(self, p: Any, parent: dict[str, Any] | None) -> Iterator[Block]:
        text = _text(p)
        if parent is None:
            self.paragraphs += 1
            if text.strip() and _is_heading(p, text.strip(), self.styles):
                self.heading, self.paragraph_in_section = text.strip(), 0
            else:
                self.paragraph_in_section += 1
            if text.strip():  # a heading is located by itself, not as paragraph 0 of its section
                number = self.paragraph_in_section
                yield text, self._where(**({"paragraph": number} if number else {}))
        elif text.strip():
            yield text, parent
        for box_number, box in enumerate(_TEXTBOXES(p), start=1):
            box_text = _text(box)
            if box_text.strip():
                yield (
                    box_text,
                    (parent or self._where(paragraph=self.paragraph_in_section)) | {"textbox": box_number},
                )

    def _table(self, tbl: Any, depth: int, parent: dict[str, Any] | None) -> Iterator[Block]:
        self.tables += 1
        number = self.tables
        headers: list[str] = []
        for r, tr in enumerate(tbl.iterchildren(_TR), start=1):
            column = 0
            for tc in tr.iterchildren(_TC):
                span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
                column += 1
                where = self._where(table=number, row=r, column=column)
                if parent is not None:
                    where["within"] = {k: parent[k] for k in ("table", "row", "column") if k in parent}
                if r == 1:
                    headers.append(" ".join(_text(p) for p in tc.iterchildren(_P)).strip())
                elif column - 1 < len(headers) and headers[column - 1]:
                    where["column_header"] = headers[column - 1][:_HEADING_MAX_CHARS]
                self.cells += 1
                # a cell's paragraphs form one text (a clause may run over lines); nested tables apart
                text = "\n".join(_text(p) for p in tc.iterchildren(_P))
                if text.strip():
                    yield text, where
                for p in tc.iterchildren(_P):
                    for box_number, box in enumerate(_TEXTBOXES(p), start=1):
                        if (box_text := _text(box)).strip():
                            yield box_text, where | {"textbox": box_number}
                for inner in tc.iterchildren(_TBL):
                    if depth + 1 < MAX_TABLE_DEPTH:
                        yield from self._table(inner, depth + 1, where)
                if span is not None:
                    column += int(span.get(qn("w:val"), "1")) - 1


def _notes(document: Any, kind: str) -> Iterator[Block]:
    """Footnotes or endnotes (python-docx does not read them): their part's XML, parsed safely."""
    for part in document.part.package.parts:
        if str(part.partname).endswith(f"/word/{kind}s.xml"):
            parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
            root = etree.fromstring(part.blob, parser)
            for note in root.iterchildren(qn(f"w:{kind}")):
                note_id = note.get(qn("w:id"), "")
                if note_id.lstrip("-").isdigit() and int(note_id) <= 0:
                    continue  # the separators Word keeps as notes -1 and 0
                text = "\n".join(_text(p) for p in note.iter(_P))
                if text.strip():
                    yield text, {"part": kind, kind: int(note_id) if note_id.isdigit() else note_id}


def iter_docx_blocks(data: bytes, filename: str, counts: dict[str, int]) -> Iterator[Block]:
    """(text, location) of every readable piece of a .docx, body first, then headers and footers,
    then notes. ``counts`` receives paragraphs, tables and table cells of the body."""
    check_package(data, filename)
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError) as exc:
        raise CorruptDocument(
            filename, "不是有效的 Word（.docx）压缩包", "not a valid .docx zip package"
        ) from exc
    except KeyError as exc:
        raise CorruptDocument(filename, f"缺少部件 {exc}", f"missing part {exc}") from exc
    except Exception as exc:  # lxml raises its own syntax errors for a broken document.xml
        raise CorruptDocument(
            filename, f"文档内容无法解析：{exc}", f"document XML cannot be parsed: {exc}"
        ) from exc
    styles = {s.style_id: s.name or "" for s in document.styles}
    body = _Walker("body", styles)
    yield from body.blocks(document.element.body)
    counts.update(paragraphs=body.paragraphs, tables=body.tables, table_cells=body.cells)
    seen: set[str] = set()
    for number, section in enumerate(document.sections, start=1):
        for kind, part in (
            ("header", section.header),
            ("header", section.first_page_header),
            ("header", section.even_page_header),
            ("footer", section.footer),
            ("footer", section.first_page_footer),
            ("footer", section.even_page_footer),
        ):
            if part.is_linked_to_previous or str(part.part.partname) in seen:
                continue  # a header shared by sections (or by its first/even variants) is read once
            seen.add(str(part.part.partname))
            walker = _Walker(kind, styles)
            for text, where in walker.blocks(part._element):
                yield text, where | {"document_section": number}
    for kind in ("footnote", "endnote"):
        try:
            yield from _notes(document, kind)
        except etree.XMLSyntaxError as exc:
            raise CorruptDocument(
                filename, f"{kind}s.xml 无法解析：{exc}", f"{kind}s.xml cannot be parsed: {exc}"
            ) from exc
