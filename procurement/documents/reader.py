"""Bytes and a file name to text segments that know where they are (line, paragraph, cell, page).

Plain text is decoded in chunks (UTF-8 or GB18030/GBK, detected) so memory stays flat; .docx gives
paragraphs and table cells in body order (python-docx); PDF gives one segment per page (pypdf).
"""

import codecs
import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import charset_normalizer
import docx
import pypdf
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf.errors import PdfReadError

from procurement.documents.errors import (
    CorruptDocument,
    NoTextLayer,
    UndecodableText,
    UnsupportedFormat,
)

CHUNK_BYTES = 1 << 20
_SAMPLE_BYTES = 64 * 1024
_FORMATS = {"txt": "text", "text": "text", "csv": "text", "docx": "docx", "pdf": "pdf"}


@dataclass(frozen=True, slots=True)
class TextSegment:
    """A run of text; evidence offsets are ``base_offset`` + the index into ``text``."""

    text: str
    location: Mapping[str, Any] = field(default_factory=dict)
    base_offset: int = 0
    base_line: int | None = None


@dataclass(slots=True)
class FileInfo:
    """What was read: filled in while the segments are produced."""

    name: str
    format: str
    size_bytes: int
    encoding: str | None = None
    pages: int | None = None
    paragraphs: int | None = None
    table_cells: int | None = None
    characters: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "format": self.format,
            "size_bytes": self.size_bytes,
            "encoding": self.encoding,
            "pages": self.pages,
            "paragraphs": self.paragraphs,
            "table_cells": self.table_cells,
            "characters": self.characters,
        }


def format_of(filename: str) -> str:
    """``text``, ``docx`` or ``pdf`` from the file name; UnsupportedFormat otherwise."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in _FORMATS:
        raise UnsupportedFormat(filename)
    return _FORMATS[ext]


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\n\r\f")
    return "\x00" not in text and "\ufffd" not in text and controls * 100 <= len(text)


def _decodes(sample: bytes, encoding: str) -> bool:
    try:
        text = codecs.getincrementaldecoder(encoding)("strict").decode(sample, final=False)
    except (UnicodeDecodeError, LookupError):
        return False
    return _looks_like_text(text)


def detect_encoding(sample: bytes, filename: str) -> str:
    """UTF-8 (with or without BOM), then GB18030 (a superset of GBK), then charset-normalizer's guess."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        if _decodes(sample, encoding):
            return encoding
    best = charset_normalizer.from_bytes(sample).best()
    if best is not None and _decodes(sample, best.encoding):
        return str(best.encoding)
    raise UndecodableText(filename)


def iter_text(chunks: Iterable[bytes], filename: str, info: FileInfo) -> Iterator[TextSegment]:
    """Decode byte chunks into segments cut at line ends, with their character offset and line."""
    decoder: codecs.IncrementalDecoder | None = None
    pending, offset, line = "", 0, 1
    for chunk in chunks:
        if decoder is None:
            info.encoding = detect_encoding(chunk[:_SAMPLE_BYTES], filename)
            decoder = codecs.getincrementaldecoder(info.encoding)("strict")
        try:
            text = pending + decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            raise UndecodableText(filename) from exc
        cut = text.rfind("\n") + 1
        if cut == 0:
            pending = text
            continue
        segment, pending = text[:cut], text[cut:]
        yield TextSegment(segment, {}, offset, line)
        offset += len(segment)
        line += segment.count("\n")
    if decoder is not None:
        try:
            pending += decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise UndecodableText(filename) from exc
    if pending:
        yield TextSegment(pending, {}, offset, line)
        offset += len(pending)
    info.characters = offset


def _chunks(data: bytes) -> Iterator[bytes]:
    view = memoryview(data)
    for start in range(0, len(data), CHUNK_BYTES):
        yield bytes(view[start : start + CHUNK_BYTES])


def iter_docx(data: bytes, filename: str, info: FileInfo) -> Iterator[TextSegment]:
    """Body paragraphs and table cells in document order (python-docx)."""
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
    paragraphs = tables = cells = 0
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            paragraphs += 1
            if block.text.strip():
                yield TextSegment(block.text, {"paragraph": paragraphs})
        elif isinstance(block, Table):
            tables += 1
            for r, row in enumerate(block.rows, start=1):
                seen: set[int] = set()
                for c, cell in enumerate(row.cells, start=1):
                    if id(cell._tc) in seen:  # a merged cell repeats across the columns it spans
                        continue
                    seen.add(id(cell._tc))
                    cells += 1
                    if cell.text.strip():
                        yield TextSegment(cell.text, {"table": tables, "row": r, "column": c})
    info.paragraphs, info.table_cells = paragraphs, cells


_WRAPPED_LINE_CHARS = 20  # a PDF line this long without closing punctuation was wrapped by layout
_SENTENCE_ENDS = "。；;：:！？!?"


def unwrap_pdf_lines(text: str) -> str:
    """Join the lines a PDF's layout wrapped, replacing their line break by a space, so a clause
    is not cut in two; the length stays the same, so offsets still point into the page text."""
    out = list(text)
    line_start = 0
    for at, ch in enumerate(text):
        if ch != "\n":
            continue
        line = text[line_start:at].rstrip()
        if len(line) >= _WRAPPED_LINE_CHARS and line[-1] not in _SENTENCE_ENDS:
            out[at] = " "
        line_start = at + 1
    return "".join(out)


def iter_pdf(data: bytes, filename: str, info: FileInfo) -> Iterator[TextSegment]:
    """One segment per page with text (pypdf); a PDF with no text at all is NoTextLayer."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise CorruptDocument(filename, "文件已加密", "the file is encrypted")
        pages = list(reader.pages)
    except PdfReadError as exc:
        raise CorruptDocument(
            filename, f"PDF 结构无法读取：{exc}", f"PDF structure unreadable: {exc}"
        ) from exc
    info.pages = len(pages)
    found_text = False
    for number, page in enumerate(pages, start=1):
        try:
            text = page.extract_text() or ""
        except (PdfReadError, ValueError, KeyError) as exc:
            raise CorruptDocument(
                filename, f"第{number}页无法读取：{exc}", f"page {number} unreadable: {exc}"
            ) from exc
        if text.strip():
            found_text = True
            yield TextSegment(unwrap_pdf_lines(text), {"page": number})
    if not found_text:
        raise NoTextLayer(filename, len(pages))


def read_segments(data: bytes, filename: str) -> tuple[FileInfo, Iterator[TextSegment]]:
    """The file's info (completed as the segments are consumed) and its segments."""
    kind = format_of(filename)
    info = FileInfo(name=filename, format=kind, size_bytes=len(data))
    if kind == "docx":
        return info, iter_docx(data, filename, info)
    if kind == "pdf":
        return info, iter_pdf(data, filename, info)
    return info, iter_text(_chunks(data), filename, info)
