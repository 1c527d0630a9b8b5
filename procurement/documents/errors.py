"""Why a document cannot be audited, in Chinese and English.

They are InvalidInput domain errors (the API answers 422 with a stable ``code``, both messages and
the field at fault: ``file`` for the document, ``requirements.N`` for a structured item).

DocumentError
├── UnsupportedFormat   the file name's extension is none of .txt .docx .pdf
├── CorruptDocument     a .docx or .pdf whose structure cannot be read (says what is wrong)
├── NoTextLayer         a PDF without text (a scan): nothing to audit, never a clean result
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


class NoTextLayer(DocumentError):
    code = "no_text_layer"

    def __init__(self, filename: str, pages: int) -> None:
        super().__init__(
            f"PDF 文件没有可提取的文字（共{pages}页，疑为扫描件），无可审查的文本；"
            "请上传带文字层的 PDF 或 Word 文件。",
            f"The PDF has no text layer ({pages} pages, probably a scan): there is no text to "
            "audit; upload a PDF with text or a Word file.",
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
