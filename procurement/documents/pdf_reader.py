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
    TooManyScannedPages,
    UnreadableScan,
)
from procurement.documents.reader import FileInfo, TextSegment

MAX_PAGES = 2000  # README "Limits of the document reader"
MIN_TEXT_CHARS = 8  # fewer characters than this on a page: a scan with a stray text object
_REOPEN_EVERY_PAGES = 20
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


class _MemoryRaw(io.RawIOBase):
    """A read-only stream over bytes without copying them (pypdf unshares a BytesIO: a second
    copy of a 200 MB scan)."""

    def __init__(self, data: bytes) -> None:
        self._view = memoryview(data)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = max(0, min(len(buffer), len(self._view) - self._pos))
        buffer[:n] = self._view[self._pos : self._pos + n]
        self._pos += n
        return n

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos


def _problem(page: int, code: str, zh: str, en: str) -> dict[str, Any]:
    return {"page": page, "code": code, "zh": zh, "en": en}


def _open(data: bytes, filename: str) -> list[Any]:
    try:
        reader = pypdf.PdfReader(io.BufferedReader(_MemoryRaw(data), 1 << 16))
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


def _has_text_objects(page: Any) -> bool:
    """Whether the page's content draws text (BT ... ET): a scan's content only paints an image,
    and its image data is never read here."""
    try:
        contents = page.get_contents()
        return contents is not None and b"BT" in contents.get_data()
    except Exception:  # a broken content stream: extraction will say so
        return True


class PdfPages:
    """An opened PDF, page by page: the text layer of every page read up front (cheap), a scanned
    page rendered and recognised only when asked for, one at a time (``segment``)."""

    def __init__(self, data: bytes, filename: str, info: FileInfo) -> None:
        self._data, self._filename, self._info = data, filename, info
        pages = _open(data, filename)
        info.pages = len(pages)
        self._texts = [_page_text(page) if _has_text_objects(page) else "" for page in pages]
        del pages  # the reader and what it cached go with them
        self.scanned = [
            n for n, text in enumerate(self._texts, start=1) if len((text or "").strip()) < MIN_TEXT_CHARS
        ]
        self._scanned_set = set(self.scanned)
        self._document: Any = None
        self._rendered = 0

    @property
    def count(self) -> int:
        return len(self._texts)

    def segment(self, number: int, *, ocr: bool = True) -> TextSegment | None:
        """Page ``number``'s text (its layer, or OCR for a scanned page); None with a problem
        recorded in the info when it cannot be read (or is scanned and ``ocr`` is off)."""
        info = self._info
        if number not in self._scanned_set:
            text = self._texts[number - 1]
            if not (text and text.strip()):
                return None
            info.characters += len(text)
            return TextSegment(unwrap_pdf_lines(text), {"page": number})
        if not ocr:
            info.problems.append(
                _problem(number, "no_text_layer", "该页没有文字层（未进行OCR识别）", "no text layer, OCR off")
            )
            return None
        if self._document is None or self._rendered % _REOPEN_EVERY_PAGES == 0:
            # pdfium keeps what it decoded for a document: reopening now and then keeps a long
            # scan's memory flat
            self.close()
            self._document = _pdfium(self._data, self._filename)
        self._rendered += 1
        page = _ocr(self._document, number, info)
        if page is None:
            return None
        info.characters += len(page.text)
        info.ocr_pages.append(number)
        where = {"page": number, "source": "ocr", "ocr_confidence": round(page.confidence or 0, 3)}
        return TextSegment(page.text, where, confidence_spans=page.spans)

    def close(self) -> None:
        if self._document is not None:
            self._document.close()
            self._document = None


def iter_pdf(
    data: bytes, filename: str, info: FileInfo, *, ocr_max_pages: int | None = None
) -> Iterator[TextSegment]:
    """One segment per page with text (pypdf); pages without a text layer by OCR (at most
    ``ocr_max_pages`` of them, None = all, 0 = no OCR), rendered by pdfium one at a time.

    More scanned pages than ``ocr_max_pages`` raise TooManyScannedPages before any is read (a
    stored audit then reads them as a background job)."""
    pages = PdfPages(data, filename, info)
    if pages.scanned and ocr_max_pages == 0 and len(pages.scanned) == pages.count:
        raise NoTextLayer(filename, pages.count)
    if ocr_max_pages and len(pages.scanned) > ocr_max_pages:
        raise TooManyScannedPages(filename, len(pages.scanned), ocr_max_pages)
    readable = 0
    try:
        for number in range(1, pages.count + 1):
            segment = pages.segment(number, ocr=ocr_max_pages != 0)
            if segment is not None:
                readable += 1
                yield segment
    finally:
        pages.close()
    if not readable:
        raise UnreadableScan(filename, [p["page"] for p in info.problems])


def _pdfium(data: bytes, filename: str) -> Any:
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise EncryptedDocument(filename) from exc
        detail = (f"PDF 无法渲染：{exc}", f"PDF cannot be rendered: {exc}")
        raise CorruptDocument(filename, *detail) from exc


def _ocr(document: Any, number: int, info: FileInfo) -> Any:
    """The page read by OCR, or None with a problem recorded for the page."""
    from procurement.documents.ocr import ocr_image, render_page

    try:
        page = ocr_image(render_page(document, number - 1), number)
    except Exception as exc:  # a page pdfium cannot render: that page, not the document
        info.problems.append(
            _problem(number, "page_unrenderable", f"该页无法渲染：{exc}", f"page cannot be rendered: {exc}")
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
