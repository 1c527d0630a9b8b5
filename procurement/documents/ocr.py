"""Reading scanned pages: a PDF page rendered by pdfium (pypdfium2), its text recognised by
RapidOCR (PP-OCR Chinese models shipped in the rapidocr-onnxruntime wheel: nothing is downloaded).

Plain service functions, one page at a time, so a background job can run them page by page on a
long scan and memory stays at one rendered page. A page is "unreadable" when no line reaches
the confidence floor: the caller reports it per page, never as a page without findings.
"""

import ctypes
import ctypes.util
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pypdfium2 as pdfium

DPI = 200  # enough for 10.5 pt 宋体 in a scan; the detector downsizes the page anyway
LINE_CONFIDENCE_FLOOR = 0.5  # RapidOCR's own text_score: a line below it is noise
# Measured on A4 pages of 9-12 pt text at 200 dpi (bench/ocr_scan.py): the page scaled to 1280 px
# on its long side read every line (confidence >= 0.98), peak memory ~0.6 GB; the full page took
# ~0.8 GB. The detector runs at those 1280 px: with det_limit_type "max", rapidocr-onnxruntime
# 1.4.4 ignores det_limit_side_len and sizes detection from the image itself. Detecting at
# 960-1152 px was tried (0.3-0.5 s a page less) and lost 50-80 characters on 9-10.5 pt pages
# rotated 2 degrees: a slanted line splits into boxes that interleave with the next line. Recognising one
# line at a time avoids padding a batch of lines to the longest (batches of 6 cost 4.3 s).
# Recognition is ~80% of a page and its cost grows with the line image's area: a line is scaled to
# the recogniser's height and its width follows, so the height counts twice. At 36 px instead of
# the model's default 48 a page took 55-65% of the CPU time, and on pages of 9-12 pt text with
# noise and 0.7-2 degree rotation it read the same lines but one or two characters (one error
# against three at 48; bench/ocr_scan.py and tests/unit/test_scanned_tenders.py). 32 px read as
# well but with lower confidences (0.92 at worst): 36 keeps a margin for small print.
_ENGINE_OPTIONS = {
    "max_side_len": 1280,
    "det_limit_side_len": 960,  # not honoured with "max" (see above)
    "det_limit_type": "max",
    "rec_batch_num": 1,
    "rec_img_shape": [3, 36, 320],
}
_WRAPPED_LINE_CHARS = 20
_SENTENCE_ENDS = "。；;：:！？!?"
_ROW_TOLERANCE = 0.5  # boxes whose vertical centres differ by < half a line height share a row


@dataclass(frozen=True, slots=True)
class OcrLine:
    text: str
    confidence: float
    top: float
    left: float
    height: float


@dataclass(frozen=True, slots=True)
class OcrPage:
    """One page's recognised text: lines in reading order joined by newlines, with each line's
    character span in ``text`` and its confidence (for the findings that quote it)."""

    number: int
    text: str
    spans: tuple[tuple[int, int, float], ...] = field(default_factory=tuple)

    @property
    def confidence(self) -> float | None:
        """Mean line confidence weighted by length; None when nothing was read."""
        total = sum(end - start for start, end, _ in self.spans)
        if not total:
            return None
        return sum((end - start) * c for start, end, c in self.spans) / total

    @property
    def readable(self) -> bool:
        return bool(self.text.strip())

    def confidence_of(self, start: int, end: int) -> float | None:
        """The lowest confidence of the lines that ``text[start:end]`` touches."""
        touched = [c for s, e, c in self.spans if s < end and start < e]
        return min(touched) if touched else None


_LOCK = threading.Lock()  # one engine per process; onnxruntime sessions are not shared across calls


@lru_cache(maxsize=1)
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR  # loads the models: done once, on first use

    # one thread: a page per core; parallelism is more processes (or jobs), not more threads
    return RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, **_ENGINE_OPTIONS)


def _lines(result: Any) -> list[OcrLine]:
    lines = []
    for box, text, score in result or ():
        ys = [point[1] for point in box]
        xs = [point[0] for point in box]
        confidence = float(score)
        if text.strip() and confidence >= LINE_CONFIDENCE_FLOOR:
            lines.append(OcrLine(text, confidence, min(ys), min(xs), max(ys) - min(ys)))
    return lines


def _reading_order(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """Rows top to bottom, boxes left to right within a row (table cells share a row)."""
    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda item: item.top + item.height / 2):
        centre = line.top + line.height / 2
        if rows:
            last = rows[-1][0]
            if abs(centre - (last.top + last.height / 2)) < _ROW_TOLERANCE * max(line.height, last.height):
                rows[-1].append(line)
                continue
        rows.append([line])
    return [sorted(row, key=lambda item: item.left) for row in rows]


@lru_cache(maxsize=1)
def _malloc_trim() -> Any:
    """glibc's malloc_trim, or None on another C library (musl, macOS): nothing to release."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def release_freed_memory() -> None:
    """Give the heap memory freed by the last page back to the system.

    Reading a page allocates ~400 MB in onnxruntime and numpy (feature maps, line crops) and
    frees it at the end; glibc keeps those freed pages in its heap, so a worker held ~0.6 GB
    between pages and every later allocation (the next page, the findings, another request)
    stacked on top, fragmenting it over a long scan. Trimming after each page brings the
    process back to ~0.2 GB (measured in bench/ocr_scan.py) for well under 1% of a page's time.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def ocr_image(image: np.ndarray, number: int = 1) -> OcrPage:
    """The text of one page image (RGB array)."""
    with _LOCK:
        result, _elapsed = _engine()(image)
        release_freed_memory()
    parts: list[str] = []
    spans: list[tuple[int, int, float]] = []
    offset = 0
    for row in _reading_order(_lines(result)):
        row_start = offset
        for index, line in enumerate(row):
            if index:
                parts.append("  ")  # cells of one table row: apart, but on one line
                offset += 2
            parts.append(line.text)
            spans.append((offset, offset + len(line.text), round(line.confidence, 3)))
            offset += len(line.text)
        # a full line that does not end a sentence was wrapped by the page: the clause goes on
        # in the next row (a newline would cut it in two, as in a text PDF's unwrap_pdf_lines)
        wrapped = (
            len(row) == 1
            and offset - row_start >= _WRAPPED_LINE_CHARS
            and parts[-1][-1] not in _SENTENCE_ENDS
        )
        if not wrapped:
            parts.append("\n")
            offset += 1
    return OcrPage(number, "".join(parts), tuple(spans))


def render_page(document: Any, index: int, dpi: int = DPI) -> np.ndarray:
    """Page ``index`` (0-based) of an open pypdfium2 document as an RGB array."""
    page = document[index]
    try:
        bitmap = page.render(scale=dpi / 72, grayscale=True)
        try:
            grey = bitmap.to_numpy()
        finally:
            bitmap.close()
    finally:
        page.close()
    grey = grey.reshape(grey.shape[0], grey.shape[1])
    return np.repeat(grey[:, :, None], 3, axis=2)  # the models take three channels


def ocr_pdf_pages(data: bytes, numbers: Iterable[int], dpi: int = DPI) -> Iterator[OcrPage]:
    """OCR of the given 1-based pages of a PDF, one page in memory at a time."""
    document = pdfium.PdfDocument(data)
    try:
        for number in numbers:
            yield ocr_image(render_page(document, number - 1, dpi), number)
    finally:
        document.close()
