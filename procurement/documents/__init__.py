"""Reading procurement documents (txt, docx, pdf) and auditing them for barriers against SMEs."""

from procurement.documents.errors import (
    CorruptDocument,
    DocumentError,
    DocumentTooLarge,
    EncryptedDocument,
    InvalidRequirement,
    NoTextLayer,
    TooManyScannedPages,
    UndecodableText,
    UnreadableScan,
    UnsupportedFormat,
)
from procurement.documents.reader import FileInfo, TextSegment, read_segments
from procurement.documents.services import (
    DocumentScan,
    iter_findings,
    scan_document,
    scan_requirements,
    scan_text_stream,
)

__all__ = [
    "CorruptDocument",
    "DocumentError",
    "DocumentScan",
    "DocumentTooLarge",
    "EncryptedDocument",
    "FileInfo",
    "InvalidRequirement",
    "NoTextLayer",
    "TextSegment",
    "TooManyScannedPages",
    "UndecodableText",
    "UnreadableScan",
    "UnsupportedFormat",
    "iter_findings",
    "read_segments",
    "scan_document",
    "scan_requirements",
    "scan_text_stream",
]
