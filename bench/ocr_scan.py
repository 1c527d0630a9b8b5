#!/usr/bin/env python3
"""OCR speed and memory on a scanned tender made here: N A4 pages at 200 dpi (text printed with
WenQuanYi Micro Hei, speckle noise, 0.7 degree rotation), audited end to end (pdfium render ->
RapidOCR -> barrier scan). Prints CPU seconds per page (one onnxruntime thread: one core), wall
time and the process's peak RSS. The scan is built in a parent process so its memory is not counted.

Usage: .venv/bin/python bench/ocr_scan.py [--pages 300] [--dpi 200]
Needs the test extra (paperang-p2-fonts-cjk) for the font.
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGE = [
    "第二章 供应商资格要求",
    "（一）具有独立承担民事责任的能力；具有良好的商业信誉和健全的财务会计制度。",
    "（二）投标人注册资本不低于人民币伍佰万元。",
    "（三）投标人须成立3年以上，并提供营业执照。",
    "（四）投标人须在乌鲁木齐市设有分公司或常驻服务机构。",
    "第三章 评分标准",
    "企业实力：上一年度营业收入2000万元以上的得5分，其余不得分。",
    "售后服务：承诺接到通知后2小时内响应、4小时内到达现场的得5分。",
] + [
    f"第{n}条 供应商应按照采购需求提供货物，负责运输、安装、调试和培训，质保期不少于三年，"
    "质保期内免费维修更换。"
    for n in range(1, 19)
]


def build(pages: int, dpi: int, path: Path) -> None:
    from tests.scans import image_pdf, render_pages

    images = render_pages([PAGE] * min(pages, 2), dpi=dpi, rotate_deg=0.7)
    # a long scan repeats its pages; every page is still rendered and read on its own
    path.write_bytes(image_pdf((images[n % len(images)] for n in range(pages)), dpi=dpi))


def measure(path: Path) -> dict[str, float]:
    from procurement.barrier_audits.services import check_document
    from procurement.documents.ocr import _engine

    _engine()  # loading the models is start-up, not per page
    cpu, wall = time.process_time(), time.perf_counter()
    result = check_document(path.read_bytes(), path.name)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    pages = result.summary["pages"]
    return {
        "pages": pages,
        "ocr_pages": len(result.summary["ocr_pages"]),
        "problems": len(result.summary["problems"]),
        "findings": result.summary["findings"],
        "cpu_s_per_page": cpu / pages,
        "wall_s_per_page": wall / pages,
        "peak_rss_mb": _own_peak_rss_mb(),
    }


def _own_peak_rss_mb() -> float:
    """This process's own peak (VmHWM). Not getrusage's ru_maxrss: Linux carries that across exec,
    so the child reported the parent's peak from building the scan (1,340 MB for 300 pages)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"scan-{args.pages}.pdf"
        build(args.pages, args.dpi, path)
        size_mb = path.stat().st_size / 1_048_576
        child = [sys.executable, __file__, "--child", str(path)]
        row = json.loads(subprocess.run(child, capture_output=True, check=True, text=True).stdout)
    print(f"scan: {row['pages']} pages at {args.dpi} dpi, {size_mb:.1f} MB PDF")
    print(
        f"OCR pages {row['ocr_pages']}, unreadable {row['problems']}, findings {row['findings']}\n"
        f"CPU s/page {row['cpu_s_per_page']:.2f} (one core)  wall s/page {row['wall_s_per_page']:.2f}"
        f"  peak RSS {row['peak_rss_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
