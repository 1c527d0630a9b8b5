"""Audit a document or a list of requirements for barriers against SMEs; returns findings."""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from procurement.documents.errors import InvalidRequirement, UnsupportedFormat
from procurement.documents.reader import (
    CHUNK_BYTES,
    FileInfo,
    TextSegment,
    format_of,
    iter_text,
    read_segments,
)
from rules.barriers import BarrierScanner, ClauseKind, Requirement, ScanContext, load_catalogue
from rules.barriers import scan_requirements as _scan_requirements
from rules.barriers.catalogue import ProjectCategory
from rules.findings import Finding
from rules.policy import default_policy_book

NATIONAL_PACK = "cn"
_SCANNER: BarrierScanner | None = None


def default_scanner() -> BarrierScanner:
    """One scanner per process (compiling the catalogue is the costly part), with the national
    pack's size table so that a threshold above the SME ceiling is named as such."""
    global _SCANNER
    if _SCANNER is None:
        _SCANNER = scanner_for(date.today())
    return _SCANNER


def scanner_for(on: date) -> BarrierScanner:
    """A scanner with the national pack of ``on``: its size table and the values the catalogue's
    limit rules compare against (bond caps, payment days, price-deduction range)."""
    snapshot = default_policy_book().at(NATIONAL_PACK, on)
    catalogue = load_catalogue()
    parameters: dict[str, Decimal] = {}
    for rule in catalogue.rules:
        if rule.limit_parameter and (param := snapshot.get(rule.limit_parameter)) is not None:
            parameters[rule.limit_parameter] = Decimal(str(param.value))
    return BarrierScanner(catalogue, size_table=snapshot.size_table, parameters=parameters)


@dataclass(frozen=True, slots=True)
class DocumentScan:
    file: FileInfo
    findings: list[Finding]

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file.as_dict(), "findings": [f.as_dict() for f in self.findings]}


def iter_findings(
    segments: Iterable[TextSegment],
    *,
    document: str,
    industry: str | None = None,
    scanner: BarrierScanner | None = None,
    region: str | None = None,
    category: ProjectCategory | None = None,
) -> Iterator[Finding]:
    """Findings of the segments of one document, in order, without holding them all.

    ``region`` (the audit's region code) switches on that region's local rules; ``category``
    (goods, services, works) holds until the document states its own. A segment whose table
    column header names a part of the document (评分标准, 资格条件) is read as that part.
    """
    scanner = scanner or default_scanner()
    context = ScanContext(document=document, industry=industry, region=region, category=category)
    for seg in segments:
        header = seg.location.get("column_header") if seg.location else None
        kind = scanner.kind_of_heading(header) if header else None
        found = scanner.scan(
            seg.text,
            context,
            location=seg.location,
            base_offset=seg.base_offset,
            base_line=seg.base_line,
            kind=kind,
        )
        if seg.confidence_spans is None:
            yield from found
        else:
            yield from (_with_ocr_confidence(f, seg) for f in found)


def _with_ocr_confidence(finding: Finding, segment: TextSegment) -> Finding:
    """A finding on OCR text says so, with the lowest confidence of the lines its clause spans:
    the reviewer checks the scan where recognition was unsure."""
    start, end = (
        finding.evidence["start"] - segment.base_offset,
        finding.evidence["end"] - segment.base_offset,
    )
    touched = [c for s, e, c in segment.confidence_spans or () if s < end and start < e]
    ocr = {"source": "ocr", "confidence": min(touched) if touched else None}
    return replace(finding, evidence={**finding.evidence, "ocr": ocr})


def scan_document(
    data: bytes,
    filename: str,
    *,
    industry: str | None = None,
    scanner: BarrierScanner | None = None,
    ocr_max_pages: int | None = None,
) -> DocumentScan:
    """Every barrier clause of a .txt, .docx or .pdf file; DocumentError when it cannot be read.

    ``industry`` (the size-table industry) is used until the document declares its own.
    """
    info, segments = read_segments(data, filename, ocr_max_pages=ocr_max_pages)
    findings = list(iter_findings(segments, document=filename, industry=industry, scanner=scanner))
    return DocumentScan(info, findings)


def scan_text_stream(
    stream: BinaryIO,
    filename: str,
    *,
    industry: str | None = None,
    scanner: BarrierScanner | None = None,
) -> tuple[FileInfo, Iterator[Finding]]:
    """A plain-text file of any size, read in chunks: memory stays flat."""
    if format_of(filename) != "text":
        raise UnsupportedFormat(filename)
    info = FileInfo(name=filename, format="text", size_bytes=0)

    def chunks() -> Iterator[bytes]:
        while block := stream.read(CHUNK_BYTES):
            info.size_bytes += len(block)
            yield block

    segments = iter_text(chunks(), filename, info)
    return info, iter_findings(segments, document=filename, industry=industry, scanner=scanner)


def _requirement(index: int, item: Requirement | Mapping[str, Any]) -> Requirement:
    if isinstance(item, Requirement):
        return item
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InvalidRequirement(index, "缺少条款文字（text）", "'text' is missing")
    try:
        kind = ClauseKind(item.get("kind") or ClauseKind.UNKNOWN)
    except ValueError as exc:
        raise InvalidRequirement(
            index,
            "kind 须为 qualification、scoring 或 unknown",
            "'kind' must be qualification, scoring or unknown",
        ) from exc
    points = item.get("points")
    try:
        amount = None if points is None else Decimal(str(points))
    except InvalidOperation as exc:
        raise InvalidRequirement(index, "分值（points）不是数字", "'points' is not a number") from exc
    return Requirement(text=text, kind=kind, points=amount)


def scan_requirements(
    items: Iterable[Requirement | Mapping[str, Any]],
    *,
    industry: str | None = None,
    scanner: BarrierScanner | None = None,
) -> list[Finding]:
    """Findings for structured requirements (``kind``, ``text``, optional ``points``)."""
    requirements = [_requirement(i, item) for i, item in enumerate(items)]
    return _scan_requirements(requirements, industry=industry, scanner=scanner or default_scanner())
