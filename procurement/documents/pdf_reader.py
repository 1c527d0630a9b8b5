"""PDF pages to text segments: the text layer where a page has one (pypdf), OCR where it has none
(a scan). A page that can be read neither way is a per-page problem in the file's info; a PDF of
which no page can be read is refused (422), never audited as "no findings".
"""

import io
from collections.abc import Iterator
from typing import Any

import pypdf

from procurement.documents.errors import (
    CorruptDocument,
    DocumentTooLarge,
    EncryptedDocument,
    NoTextLayer,
    UnreadableScan,
)
from procurement.documents.reader import FileInfo, TextSegment

MAX_PAGES = 2000  # README "Limits of the document reader"
MIN_TEXT_CHARS = 8  # fewer characters than this on a page: a scan with a stray text object
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


def _problem(page: int, code: str, zh: str, en: str) -> dict[str, Any]:
    return {"page": page, "code": code, "zh": zh, "en": en}


def _open(data: bytes, filename: str) -> list[Any]:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception as exc:  # an unsupported cipher (or a missing crypto library)
                raise EncryptedDocument(filename) from exc
            if not opened:
                raise EncryptedDocument(filename)
        pages = list(reader.pages)
    except (EncryptedDocument, DocumentTooLarge):
        raise
    except RecursionError as exc:  # cyclic or absurdly nested objects
        raise CorruptDocument(
            filename, "PDF 对象嵌套过深或循环引用", "PDF objects nest too deep or cycle"
        ) from exc
    except Exception as exc:  # pypdf raises PdfReadError, ValueError, KeyError... on a broken file
        raise CorruptDocument(
            filename, f"PDF 结构无法读取：{exc}", f"PDF structure unreadable: {exc}"
        ) from exc
    if len(pages) > MAX_PAGES:
        raise DocumentTooLarge(filename, f"超过{MAX_PAGES}页", f"more than {MAX_PAGES} pages")
    return pages


def _page_text(page: Any) -> str | None:
    """The page's text layer; None when it cannot be extracted (read by OCR instead)."""
    try:
        return page.extract_text() or ""
    except RecursionError:
        return None
    except Exception:  # a broken content stream on one page spoils that page only
        return None


def iter_pdf(
    data: bytes, filename: str, info: FileInfo, *, ocr_max_pages: int | None = None
) -> Iterator[TextSegment]:
    """One segment per page with text; pages without a text layer by OCR (at most ``ocr_max_pages``
    of them, None = all, 0 = no OCR)."""
    pages = _open(data, filename)
    info.pages = len(pages)
    texts = [_page_text(page) for page in pages]
    del pages
    to_ocr = [
        n for n, text in enumerate(texts, start=1) if text is None or len(text.strip()) < MIN_TEXT_CHARS
    ]
    if to_ocr and ocr_max_pages == 0:
        if len(to_ocr) == len(texts):
            raise NoTextLayer(filename, len(texts))
        for number in to_ocr:
            info.problems.append(
                _problem(
                    number, "no_text_layer", "该页没有文字层（未进行OCR识别）", "no text layer (OCR is off)"
                )
            )
        to_ocr = []
    if ocr_max_pages is not None and len(to_ocr) > ocr_max_pages:
        raise DocumentTooLarge(
            filename,
            f"需OCR识别{len(to_ocr)}页，超过单次审查上限{ocr_max_pages}页",
            f"{len(to_ocr)} pages need OCR, more than the {ocr_max_pages} one request may read",
        )
    scanned = set(to_ocr)
    readable = 0
    document = None
    try:
        for number, text in enumerate(texts, start=1):
            if number not in scanned:
                if text and text.strip():
                    readable += 1
                    info.characters += len(text)
                    yield TextSegment(unwrap_pdf_lines(text), {"page": number})
                continue
            if document is None:
                document = _pdfium(data, filename)
            page = _ocr(document, number, filename, info)
            if page is None:
                continue
            readable += 1
            info.characters += len(page.text)
            info.ocr_pages.append(number)
            where = {"page": number, "source": "ocr", "ocr_confidence": round(page.confidence or 0, 3)}
            yield TextSegment(page.text, where, confidence_spans=page.spans)
    finally:
        if document is not None:
            document.close()
    if not readable:
        raise UnreadableScan(filename, [p["page"] for p in info.problems])


def _pdfium(data: bytes, filename: str) -> Any:
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise EncryptedDocument(filename) from exc
        raise CorruptDocument(filename, f"PDF 无法渲染：{exc}", f"PDF cannot be rendered: {exc}") from exc


def _ocr(document: Any, number: int, filename: str, info: FileInfo) -> Any:
    """The page read by OCR, or None with a problem recorded for the page."""
    from procurement.documents.ocr import ocr_image, render_page

    try:
        page = ocr_image(render_page(document, number - 1), number)
    except Exception as exc:  # a page pdfium cannot render: that page, not the document
        info.problems.append(
            _problem(
                number, "page_unrenderable", f"该页无法渲染：{exc}", f"the page cannot be rendered: {exc}"
            )
        )
        return None
    if not page.readable:
        info.problems.append(
            _problem(
                number,
                "page_unreadable",
                "该页为图像，OCR未能识别出文字，请人工审查该页",
                "the page is an image whose text OCR could not recognise: review it by hand",
            )
        )
        return None
    return page
