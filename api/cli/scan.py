"""``smeproc scan FILE...``: audit tender documents for barriers against SMEs.

Exit status: 1 when a violation is found, 0 when none, 2 when a file cannot be read.
"""

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from procurement.documents import DocumentError, FileInfo, iter_findings, read_segments
from procurement.documents.reader import format_of
from procurement.documents.services import scan_text_stream
from rules.findings import Finding
from rules.vocabulary import Severity

_KIND_ZH = {
    "qualification": "资格条件",
    "scoring": "评分项",
    "requirements": "采购需求",
    "contract": "合同条款",
    "procedure": "公告/须知",
    "unknown": "未分类",
}
_SEVERITY_ZH = {"violation": "违规", "advice": "建议复核"}


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser(
        "scan",
        help="审查采购文件中的门槛条款 / audit tender documents for barriers against SMEs",
        description="审查采购文件（.txt .docx .pdf）中对中小企业设置门槛的条款。"
        " Exit 1 when a violation is found, 0 when none, 2 on unreadable input.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", type=Path)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--industry", help="采购标的所属行业（文件未写明时）/ size-table industry")
    parser.set_defaults(func=run)


_PART_ZH = {"header": "页眉", "footer": "页脚", "footnote": "脚注", "endnote": "尾注"}


def _location_zh(where: dict[str, Any]) -> str:
    """The place as the document shows it: page, part, section heading, paragraph or table cell."""
    parts: list[str] = []
    if "page" in where:
        parts.append(f"第{where['page']}页")
    if where.get("source") == "ocr":
        parts.append(f"（OCR识别，置信度{where.get('ocr_confidence', '')}）")
    if where.get("part") in _PART_ZH:
        parts.append(_PART_ZH[where["part"]])
    if "section" in where:
        parts.append(f"「{where['section']}」")
    if "within" in where:
        outer = where["within"]
        parts.append(f"表{outer.get('table')}第{outer.get('row')}行第{outer.get('column')}列内")
    if "table" in where:
        parts.append(f"表{where['table']} 第{where['row']}行第{where['column']}列")
    elif "paragraph" in where:
        parts.append(f"第{where['paragraph']}段")
    if "textbox" in where:
        parts.append(f"文本框{where['textbox']}")
    if "line" in where:
        parts.append(f"第{where['line']}行")
    return " ".join(parts)


def _print_finding(out: TextIO, number: int, finding: Finding) -> None:
    ev = finding.evidence
    cites = "；".join(f"{c.title}{c.article}" for c in finding.citations)
    values = "、".join(v["text"] for v in ev.get("values", ()))
    out.write(
        f"[{number}] {ev.get('document', '')} {_location_zh(ev.get('location', {}))}"
        f" 字符{ev.get('start')}-{ev.get('end')}  {_KIND_ZH.get(ev.get('clause_kind', ''), '')}"
        f"  {_SEVERITY_ZH[finding.severity.value]}  {finding.rule_id}（{finding.category}）\n"
        f"    条款：{ev.get('clause', '')}\n"
        + (f"    数值：{values}\n" if values else "")
        + (f"    OCR识别置信度：{ev['ocr']['confidence']}\n" if "ocr" in ev else "")
        + f"    问题：{finding.message_zh}\n"
        f"    依据：{cites}\n"
        f"    整改：{finding.remedy_zh}\n"
    )


def _scan_file(path: Path, industry: str | None) -> tuple[FileInfo, Iterable[Finding]]:
    """A plain-text file is streamed; .docx and PDF are read whole (their formats need it)."""
    if format_of(path.name) == "text":
        stream = path.open("rb")
        info, found = scan_text_stream(stream, path.name, industry=industry)
        return info, _closing(stream, found)
    info, segments = read_segments(path.read_bytes(), path.name)
    return info, iter_findings(segments, document=path.name, industry=industry)


def _closing(stream: BinaryIO, found: Iterator[Finding]) -> Iterator[Finding]:
    with stream:
        yield from found


class _Output:
    """Findings written as they are found (a 50 MB text file may hold half a million: none is
    kept), with the counts the summary needs; a clause's findings come one after another."""

    def __init__(self, out: TextIO, as_json: bool) -> None:
        self.out, self.as_json = out, as_json
        self.findings = self.clauses = 0
        self.violation = False
        self._last_clause: tuple[Any, ...] | None = None
        if as_json:
            out.write('{\n  "findings": [')

    def add(self, finding: Finding) -> None:
        self.findings += 1
        ev = finding.evidence
        clause = (ev.get("document"), repr(ev.get("location")), ev.get("start"))
        if clause != self._last_clause:  # one clause may break several rules: counted once
            self.clauses += 1
            self._last_clause = clause
        self.violation = self.violation or finding.severity is Severity.VIOLATION
        if self.as_json:
            body = json.dumps(finding.as_dict(), ensure_ascii=False, indent=2).replace("\n", "\n    ")
            self.out.write(("," if self.findings > 1 else "") + "\n    " + body)
        else:
            _print_finding(self.out, self.findings, finding)

    def close(self, files: list[dict[str, Any]]) -> None:
        if self.as_json:
            listed = json.dumps(files, ensure_ascii=False, indent=2).replace("\n", "\n  ")
            self.out.write(("\n  " if self.findings else "") + f'],\n  "files": {listed}\n}}\n')
            return
        for file in files:
            for problem in file.get("problems", ()):
                sys.stderr.write(f"{file['name']} 第{problem['page']}页：{problem['zh']} / {problem['en']}\n")
        checked = sum(1 for f in files if "error" not in f)
        self.out.write(
            f"共审查{checked}个文件，发现{self.clauses}处门槛条款（{self.findings}项问题）。"
            f" / {checked} file(s), {self.clauses} barrier clause(s), {self.findings} finding(s).\n"
        )


def run(args: argparse.Namespace) -> int:
    output = _Output(sys.stdout, args.format == "json")
    files: list[dict[str, Any]] = []
    unreadable = False
    for path in args.files:
        before = output.findings
        try:
            info, found = _scan_file(path, getattr(args, "industry", None))
            for finding in found:
                output.add(finding)
        except DocumentError as exc:
            error = {"code": exc.code, "zh": exc.message_zh, "en": exc.message_en}
        except OSError as exc:
            error = {"code": "os_error", "zh": f"无法读取文件：{exc}", "en": str(exc)}
        else:
            files.append(info.as_dict() | {"findings": output.findings - before})
            continue
        unreadable = True
        files.append({"name": path.name, "error": error})
        if args.format == "table":
            sys.stderr.write(f"{path}: {error['zh']} / {error['en']}\n")
    output.close(files)
    if unreadable:
        return 2
    return 1 if output.violation else 0
