"""Scanned tenders made here: text (or a .docx we wrote) laid out on A4 pages as images, with
speckle noise and a slight rotation, saved as an image-only PDF (no text layer) -- what a
procurement office's scanner produces. The font is WenQuanYi Micro Hei from the
paperang-p2-fonts-cjk wheel (MIT; a test dependency), so the tests need no system font.
"""

import io
import random
from collections.abc import Iterable, Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

A4_MM = (210, 297)
MARGIN_MM = 20


def font_path() -> Path:
    import paperang_p2_fonts_cjk

    return Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"


def _wrap(text: str, chars: int) -> list[str]:
    return [text[i : i + chars] for i in range(0, len(text), chars)] or [""]


def render_pages(
    pages: Sequence[Sequence[str]],
    *,
    dpi: int = 200,
    font_pt: float = 12,
    noise: float = 0.01,
    rotate_deg: float = 0.8,
    seed: int = 7,
) -> list[Image.Image]:
    """Each page's paragraphs as a greyscale A4 image, wrapped, speckled and turned a little."""
    rng = random.Random(seed)
    width, height = (round(mm / 25.4 * dpi) for mm in A4_MM)
    margin = round(MARGIN_MM / 25.4 * dpi)
    size = round(font_pt / 72 * dpi)
    font = ImageFont.truetype(str(font_path()), size)
    per_line = (width - 2 * margin) // size
    images = []
    for paragraphs in pages:
        image = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(image)
        y = margin
        for paragraph in paragraphs:
            for line in _wrap(paragraph, per_line):
                draw.text((margin, y), line, font=font, fill=rng.randint(0, 60))
                y += round(size * 1.6)
            y += size // 2
        pixels = image.load()
        assert pixels is not None
        for _ in range(int(width * height * noise)):  # scanner dust
            pixels[rng.randrange(width), rng.randrange(height)] = rng.randint(0, 255)
        turned = image.rotate(rotate_deg, resample=Image.Resampling.BILINEAR, fillcolor=255, expand=False)
        images.append(turned)
    return images


def image_pdf(images: Iterable[Image.Image], *, dpi: int = 200) -> bytes:
    """An image-only PDF, one page per image (what a scanner writes)."""
    frames = iter(images)
    first = next(frames).convert("L")
    buffer = io.BytesIO()
    # append_images may be an iterator: pages are converted one at a time, not all held at once
    grey = (im.convert("L") for im in frames)
    first.save(buffer, format="PDF", save_all=True, append_images=grey, resolution=dpi)
    return buffer.getvalue()


def scan_of_docx(data: bytes, *, paragraphs_per_page: int = 18, **options: float) -> bytes:
    """A .docx we wrote, its paragraphs and table rows printed page by page and scanned."""
    import docx

    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, docx.table.Table):
            lines.extend("  ".join(cell.text for cell in row.cells) for row in block.rows)
        elif block.text.strip():
            lines.append(block.text)
    pages = [lines[i : i + paragraphs_per_page] for i in range(0, len(lines), paragraphs_per_page)]
    return image_pdf(render_pages(pages, **options))  # type: ignore[arg-type]


def blank_scan(*, noise: float = 0.3, seed: int = 3) -> bytes:
    """A page of heavy noise and no text: OCR cannot read it."""
    return image_pdf(render_pages([[]], noise=noise, seed=seed, rotate_deg=0))
