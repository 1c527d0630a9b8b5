"""``smeproc audit FILE``: audit a file of OCDS releases for overdue payments, bonds and retention.

No database: the file is streamed on every core. Exit status: 0 when nothing was found, 1 when
there are findings, 2 when the file cannot be read or the arguments are wrong.
"""

import argparse
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from procurement.batch_audit import MAPPERS, AuditSummary, audit_file
from procurement.reports.labels import COVERAGE_REASONS, RULE_TITLES
from rules.vocabulary import LegalForce

SHOWN_ERRORS = 20


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD: {text}") from err


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser(
        "audit",
        help="批量审计合同履约（付款、保证金、尾款）/ batch audit of payments, bonds and retention",
        description="审计 OCDS 合并发布文件（JSON lines 或发布包）：逾期付款、未退保证金、超期扣留尾款"
        "及合同强制性条款。 Exit 1 when there are findings, 0 when none, 2 on unreadable input.",
    )
    parser.add_argument("file", metavar="FILE", type=Path)
    parser.add_argument("--as-of", type=_date, default=None, help="审计基准日 / audit date (default: today)")
    parser.add_argument("--jsonl", type=Path, help="发现问题写入 JSON lines / findings file")
    parser.add_argument("--xlsx", type=Path, help="Excel 报告 / XLSX report")
    parser.add_argument("--input-format", choices=sorted(MAPPERS), default="ocds", help="input records")
    parser.add_argument("--workers", type=int, default=None, help="进程数 / processes (all cores)")
    parser.add_argument(
        "--no-terms",
        dest="terms",
        action="store_false",
        help="不审查合同强制性条款（更快）/ leave out the mandatory-term rules (faster)",
    )
    parser.set_defaults(func=run)


class _Progress:
    """A one-line progress bar on a terminal's stderr; silent when stderr is not a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.active = stream.isatty()
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if not self.active or not total:
            return
        share = done / total
        bar = "#" * int(share * 30)
        elapsed = time.monotonic() - self.started
        self.stream.write(
            f"\r审计中 auditing [{bar:<30}] {share:6.1%} {done >> 20}/{total >> 20} MB {elapsed:5.1f}s"
        )
        self.stream.flush()

    def end(self) -> None:
        if self.active:
            self.stream.write("\n")


def print_summary(out: TextIO, summary: AuditSummary, as_of: date, seconds: float) -> None:
    out.write(f"审计基准日 as of: {as_of.isoformat()}\n")
    out.write(
        f"行 lines: {summary.lines}  发布 releases: {summary.releases}  "
        f"合同 contracts: {summary.contracts}  错误 bad records: {summary.error_count}  "
        f"用时 time: {seconds:.2f}s\n\n"
    )
    out.write("发现问题 Findings by kind\n")
    if not summary.findings:
        out.write("  （无 none）\n")
    for rule_id, n in sorted(summary.findings.items()):
        zh, en = RULE_TITLES.get(rule_id, ("", ""))
        label = f"{zh} ({en})" if zh else ""
        mandatory = summary.by_force[(rule_id, LegalForce.MANDATORY.value)]
        encouraged = summary.by_force[(rule_id, LegalForce.ENCOURAGED.value)]
        split = f"强制 {mandatory} / 鼓励 {encouraged}"
        out.write(f"  {rule_id:<44} {n:>9}  [{split}]  {label}\n")
    out.write("\n按法律效力 By legal force\n")
    for force, zh, en in (
        (LegalForce.MANDATORY, "违反强制性规定", "mandatory violations"),
        (
            LegalForce.ENCOURAGED,
            "未达鼓励性目标（财政部门目标，非违法）",
            "encouraged-target misses (not violations)",
        ),
    ):
        n = sum(v for (_, f), v in summary.by_force.items() if f == force.value)
        out.write(f"  {zh} {en}: {n}\n")
    if summary.unrecorded:
        kinds = ", ".join(sorted(k.value for k in summary.unrecorded))
        out.write(f"\n文件未记录的事件 events the file records nowhere: {kinds}\n")
    out.write("\n规则覆盖 Coverage: contracts each rule could evaluate, and why not\n")
    for rule_id in sorted(summary.coverage):
        outcomes: Counter[str] = summary.coverage[rule_id]
        total = sum(outcomes.values())
        evaluated = outcomes.get("evaluated", 0)
        out.write(f"  {rule_id:<36} {evaluated:>9} / {total}\n")
        for reason, n in outcomes.most_common():
            if reason != "evaluated":
                out.write(f"      {n:>9}  {COVERAGE_REASONS.get(reason, '')} ({reason})\n")
    overall = summary.stats.overall()
    out.write(
        f"\n合同金额 value: {overall.value:,.2f}  中小企业占比 SME share: "
        f"{_pct(overall.sme_value_share)}  小微 small/micro: {_pct(overall.small_micro_value_share)}"
        f"  按时付款率 on-time: {_pct(overall.on_time_rate)}\n"
    )
    out.write(
        "统计范围 counted: 以人民币计价、已签订且未终止的合同 contracts in CNY, signed, not cancelled\n"
    )
    for (reason, currency), n in sorted(summary.left_out.items()):
        amount = summary.left_out_fen[(reason, currency)] / 100
        out.write(f"  未计入 left out ({reason}): {n} 份合同 contracts, {amount:,.2f} {currency}\n")


def _pct(value: Any) -> str:
    return "-" if value is None else f"{value:.2%}"


def run(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        sys.stderr.write(f"找不到文件 / no such file: {path}\n")
        return 2
    as_of: date = args.as_of or date.today()
    progress = _Progress(sys.stderr)
    workbook = None
    if args.xlsx:
        # openpyxl takes a fifth of a second to import: only when a workbook is asked for
        from procurement.reports.xlsx import AuditWorkbook

        workbook = AuditWorkbook(args.xlsx)
    started = time.perf_counter()
    jsonl = args.jsonl.open("wb") if args.jsonl else None
    try:
        summary = audit_file(
            path,
            as_of=as_of,
            workers=args.workers,
            findings_out=jsonl,
            on_finding=workbook.add_finding if workbook else None,
            progress=progress,
            fmt=args.input_format,
            terms=args.terms,
        )
    except OSError as err:
        sys.stderr.write(f"无法读取 / cannot read {path}: {err}\n")
        return 2
    finally:
        progress.end()
        if jsonl is not None:
            jsonl.close()
    seconds = time.perf_counter() - started
    if workbook is not None:
        workbook.close(
            by_force=summary.by_force,
            counts=summary.findings,
            coverage=summary.coverage,
            stats=summary.stats,
            purchasers=summary.by_purchaser(),
            facts=(
                ("文件", "file", str(path)),
                ("审计基准日", "as of", as_of.isoformat()),
                ("发布数", "releases", summary.releases),
                ("合同数", "contracts", summary.contracts),
                ("错误记录", "bad records", summary.error_count),
            ),
        )
    for where, message in summary.errors[:SHOWN_ERRORS]:
        sys.stderr.write(f"{path}: {where}: {message}\n")
    if summary.error_count > SHOWN_ERRORS:
        sys.stderr.write(f"… 另有 {summary.error_count - SHOWN_ERRORS} 条错误 / more errors\n")
    print_summary(sys.stdout, summary, as_of, seconds)
    summary.close()
    return 1 if summary.findings else 0
