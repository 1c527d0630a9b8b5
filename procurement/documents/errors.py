"""Why a document cannot be audited, in Chinese and English.

They are InvalidInput domain errors (the API answers 422 with a stable ``code``, both messages and
the field at fault: ``file`` for the document, ``requirements.N`` for a structured item).

DocumentError
├── UnsupportedFormat   the file name's extension is none of .txt .docx .pdf
├── CorruptDocument     a .docx or .pdf whose structure cannot be read (says what is wrong)
├── EncryptedDocument   a password-protected PDF
├── DocumentTooLarge    past a reader limit (a zip bomb, too many pages or characters; README)
├── NoTextLayer         a PDF without text while OCR is off: nothing to audit, never a clean result
├── UnreadableScan      a PDF no page of which has text or OCR-readable text
├── UndecodableText     plain text in no encoding we can read (not guessed into mojibake)
└── InvalidRequirement  a structured requirement with a missing text or an unknown kind
"""

from procurement.errors import InvalidInput


class DocumentError(InvalidInput):
    """Base of the document errors; ``field`` names what the caller sent that is at fault."""

    code = "document_error"
    field = "file"

    def __init__(self, message_zh: str, message_en: str, *, field: str | None = None) -> None:
        super().__init__({field or self.field: f"{message_zh} / {message_en}"}, message_zh, message_en)


class UnsupportedFormat(DocumentError):
    code = "unsupported_format"

    def __init__(self, filename: str) -> None:
        super().__init__(
            f"不支持的文件格式：{filename}（支持 .txt、.docx、.pdf）",
            f"Unsupported file format: {filename} (use .txt, .docx or .pdf)",
        )


class CorruptDocument(DocumentError):
    code = "corrupt_document"

    def __init__(self, filename: str, detail_zh: str, detail_en: str) -> None:
        super().__init__(
            f"文件已损坏，无法读取：{filename}（{detail_zh}）",
            f"The file is corrupt and cannot be read: {filename} ({detail_en})",
        )


class EncryptedDocument(DocumentError):
    code = "encrypted_document"

    def __init__(self, filename: str) -> None:
        super().__init__(
            f"文件已加密，无法读取：{filename}（请上传未加密的文件）",
            f"The file is encrypted and cannot be read: {filename} (upload it without a password)",
        )


class DocumentTooLarge(DocumentError):
    code = "document_too_large"

    def __init__(self, filename: str, detail_zh: str, detail_en: str) -> None:
        super().__init__(
            f"文件超出可审查的范围：{filename}（{detail_zh}）",
            f"The file is beyond what can be audited: {filename} ({detail_en})",
        )


class TooManyScannedPages(DocumentTooLarge):
    """More scanned pages than one request reads by OCR: a stored audit takes it as a background
    job instead (barrier_audits.scan_jobs); a stateless check answers 422 with this code."""

    code = "too_many_scanned_pages"

    def __init__(self, filename: str, pages: int, limit: int) -> None:
        super().__init__(
            filename,
            f"需OCR识别{pages}页，超过单次审查上限{limit}页",
            f"{pages} pages need OCR, more than the {limit} one request may read",
        )
        self.pages = pages
        self.limit = limit


class NoTextLayer(DocumentError):
    code = "no_text_layer"

    def __init__(self, filename: str, pages: int) -> None:
        super().__init__(
            f"PDF 文件没有可提取的文字（共{pages}页，疑为扫描件），无可审查的文本；"
            "请上传带文字层的 PDF 或 Word 文件。",
            f"The PDF has no text layer ({pages} pages, probably a scan): there is no text to "
            "audit; upload a PDF with text or a Word file.",
        )


class UnreadableScan(DocumentError):
    code = "unreadable_scan"

    def __init__(self, filename: str, pages: list[int]) -> None:
        listed = "、".join(str(p) for p in pages[:20]) + ("…" if len(pages) > 20 else "")
        super().__init__(
            f"PDF 的任何一页都无法读取（无文字层，OCR 也未能识别；第{listed}页），无可审查的文本，"
            "请上传更清晰的扫描件或 Word 文件。",
            f"No page of the PDF can be read (no text layer and OCR recognised nothing; pages {listed}):"
            " there is no text to audit; upload a clearer scan or a Word file.",
        )


class UndecodableText(DocumentError):
    code = "undecodable_text"

    def __init__(self, filename: str) -> None:
        super().__init__(
            f"无法识别文本文件的字符编码：{filename}（请另存为 UTF-8 或 GB18030 编码）",
            f"The text file's encoding cannot be recognised: {filename} (save it as UTF-8 or GB18030)",
        )


class InvalidRequirement(DocumentError):
    code = "invalid_requirement"

    def __init__(self, index: int, detail_zh: str, detail_en: str) -> None:
        super().__init__(
            f"第{index + 1}项要求无效：{detail_zh}",
            f"Item {index + 1} is invalid: {detail_en}",
            field=f"requirements.{index}",
        )
