"""A worker that has read a scanned page gives the page's working memory back: the resident size
after the page is close to what it was before, not ~0.4 GB higher (what glibc kept of the buffers
onnxruntime and numpy freed, which stacked up under everything that ran next on a long scan).

Measured in a fresh interpreter, so what other tests loaded does not hide the page's memory."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scans import render_pages

ROOT = Path(__file__).resolve().parents[2]
LIMIT_MB = 150  # without release_freed_memory() the page leaves ~390 MB behind; with it ~5 MB

_CHILD = """
import json, sys
from pathlib import Path


def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024


from procurement.documents.ocr import _engine
from procurement.documents.pdf_reader import iter_pdf
from procurement.documents.reader import FileInfo

_engine()
data = Path(sys.argv[1]).read_bytes()
before = rss_mb()
info = FileInfo(name="scan.pdf", format="pdf", size_bytes=len(data))
text = "".join(segment.text for segment in iter_pdf(data, "scan.pdf", info))
print(json.dumps({"before": before, "after": rss_mb(), "ocr_pages": info.ocr_pages, "text": text}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_a_scanned_page_leaves_no_working_memory_behind(tmp_path: Path) -> None:
    from tests.scans import image_pdf

    page = ["第二章 供应商资格要求", "（一）投标人注册资本不低于人民币伍佰万元。"] + [
        f"第{n}条 供应商应按照采购需求提供货物，负责运输、安装、调试和培训。" for n in range(1, 12)
    ]
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_pdf(render_pages([page], rotate_deg=0.7)))
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    row = json.loads(out.stdout)
    assert row["ocr_pages"] == [1] and "注册资本" in row["text"]  # the page was really read
    assert row["after"] - row["before"] < LIMIT_MB, row
