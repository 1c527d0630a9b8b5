"""Bytes and a file name to text segments that know where they are (line, paragraph, cell, page).

Plain text is decoded in chunks (UTF-8 or GB18030/GBK, detected) so memory stays flat; .docx gives
its body, tables, text boxes, headers, footers and notes (docx_reader); PDF gives one segment per
page, from its text layer or by OCR (pdf_reader).
"""

import codecs
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import charset_normalizer

from procurement.documents.docx_reader import iter_docx_blocks
from procurement.documents.errors import UndecodableText, UnsupportedFormat

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
    # OCR text: (start, end, confidence) of each recognised line, for the findings that quote it
    confidence_spans: tuple[tuple[int, int, float], ...] | None = None


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
    ocr_pages: list[int] = field(default_factory=list)
    # what could not be read, per page: {"page", "code", "zh", "en"} (never a silent "no findings")
    problems: list[dict[str, Any]] = field(default_factory=list)

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
            "ocr_pages": list(self.ocr_pages),
            "problems": list(self.problems),
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
    """Body, tables (nested too), text boxes, headers, footers and notes (docx_reader)."""
    counts: dict[str, int] = {}
    characters = 0
    for text, where in iter_docx_blocks(data, filename, counts):
        characters += len(text)
        yield TextSegment(text, where)
    info.paragraphs, info.table_cells = counts.get("paragraphs"), counts.get("table_cells")
    info.characters = characters


def read_segments(
    data: bytes, filename: str, *, ocr_max_pages: int | None = None
) -> tuple[FileInfo, Iterator[TextSegment]]:
    """The file's info (completed as the segments are consumed) and its segments.

    ``ocr_max_pages``: how many PDF pages without text may be read by OCR (None: all, 0: none).
    """
    from procurement.documents.pdf_reader import iter_pdf  # it imports this module's types

    kind = format_of(filename)
    info = FileInfo(name=filename, format=kind, size_bytes=len(data))
    if kind == "docx":
        return info, iter_docx(data, filename, info)
    if kind == "pdf":
        return info, iter_pdf(data, filename, info, ocr_max_pages=ocr_max_pages)
    return info, iter_text(_chunks(data), filename, info)
