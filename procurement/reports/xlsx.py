"""The audit workbook: a summary sheet, statistics by region and purchaser, one sheet per finding kind.

Written with openpyxl's write-only mode (rows stream to disk, constant memory). Headers are Chinese
with the English in a second header row; on every sheet both header rows are frozen, the columns
have widths and an autofilter; amounts show as #,##0.00 and shares as 0.00%. Region codes have
their names beside them (``procurement.reports.regions``). The summary holds native Excel charts:
findings by kind, SME share of contract value by region, overdue amounts by purchaser.
"""

import heapq
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from procurement.reports.labels import COVERAGE_REASONS, LEGAL_FORCE_TITLES, RULE_TITLES
from procurement.reports.stats import GroupStats, StatsAccumulator

AMOUNT_FORMAT = "#,##0.00"
RATE_FORMAT = "0.00%"
FINDING_COLUMNS = (
    ("行号", "Line", None),
    ("OCID", "OCID", None),
    ("合同编号", "Contract", None),
    ("规则", "Rule", None),
    ("性质", "Severity", None),
    ("法律效力", "Legal force", None),
    ("说明", "Message (zh)", None),
    ("Message", "Message (en)", None),
    ("金额（元）", "Amount (yuan)", AMOUNT_FORMAT),
    ("到期日", "Due on", None),
    ("逾期天数", "Days late", None),
    ("逾期利息（元）", "Late interest (yuan)", AMOUNT_FORMAT),
    ("依据", "Citations", None),
    ("整改建议", "Remedy", None),
)
STATS_COLUMNS = (
    ("编码", "Key", None),
    ("名称", "Name", None),
    ("合同数", "Contracts", None),
    ("合同金额（元）", "Value (yuan)", AMOUNT_FORMAT),
    ("中小企业合同数", "SME contracts", None),
    ("中小企业金额（元）", "SME value (yuan)", AMOUNT_FORMAT),
    ("中小企业金额占比", "SME share of value", RATE_FORMAT),
    ("小微企业合同数", "Small/micro contracts", None),
    ("小微企业金额（元）", "Small/micro value (yuan)", AMOUNT_FORMAT),
    ("小微企业金额占比", "Small/micro share of value", RATE_FORMAT),
    ("到期付款笔数", "Payments due", None),
    ("按时付款率", "On-time payment rate", RATE_FORMAT),
    ("平均付款天数", "Average days to pay", None),
    ("逾期未付金额（元）", "Overdue amount (yuan)", AMOUNT_FORMAT),
    ("逾期未付笔数", "Overdue payments", None),
    ("超期未退保证金（元）", "Bonds held past due (yuan)", AMOUNT_FORMAT),
    ("超期未退保证金笔数", "Bonds past due", None),
    ("超期扣留尾款（元）", "Retention held past due (yuan)", AMOUNT_FORMAT),
    ("超期扣留尾款笔数", "Retention past due", None),
)
_BOLD = Font(bold=True)
# column widths (characters) by header: wide for texts, narrow for counts
_WIDTHS = {
    "说明": 60,
    "Message": 60,
    "整改建议": 50,
    "依据": 30,
    "OCID": 34,
    "合同编号": 30,
    "名称": 28,
    "规则": 34,
    "法律效力": 18,
    "性质": 14,
}
_DEFAULT_WIDTH = 16
TOP_PURCHASERS = 20  # the overdue chart shows the purchasers owing most


def _sheet_title(rule_id: str) -> str:
    zh, _ = RULE_TITLES.get(rule_id, ("", ""))
    return (f"{zh} {rule_id}" if zh else rule_id)[:31]


class AuditWorkbook:
    """Stream findings in with ``add_finding``; ``close`` writes the summary and saves."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.book = Workbook(write_only=True)
        self.summary = self.book.create_sheet("汇总 Summary")
        self.regions = self.book.create_sheet("地区 By region")
        self.purchasers = self.book.create_sheet("采购人 By purchaser")
        self.sheets: dict[str, tuple[WriteOnlyWorksheet, tuple[Any, ...]]] = {}
        # rows written and columns of each tabular sheet, for its autofilter
        self.shape: dict[str, list[int]] = {}

    def _cell(self, sheet: WriteOnlyWorksheet, value: Any, number_format: str | None) -> Any:
        if number_format is None or value is None:
            return value
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = number_format
        return cell

    def _headers(self, sheet: WriteOnlyWorksheet, columns: Iterable[tuple[str, str, Any]]) -> None:
        columns = list(columns)
        sheet.freeze_panes = "A3"
        for i, column in enumerate(columns, 1):
            sheet.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(column[0], _DEFAULT_WIDTH)
        self.shape[sheet.title] = [2, len(columns)]
        for row in (0, 1):
            cells = []
            for column in columns:
                cell = WriteOnlyCell(sheet, value=column[row])
                cell.font = _BOLD
                cells.append(cell)
            sheet.append(cells)

    def _finding_sheet(self, rule_id: str) -> WriteOnlyWorksheet:
        found = self.sheets.get(rule_id)
        if found is None:
            sheet = self.book.create_sheet(_sheet_title(rule_id))
            self._headers(sheet, FINDING_COLUMNS)
            found = (sheet, tuple(c[2] for c in FINDING_COLUMNS))
            self.sheets[rule_id] = found
        return found[0]

    def add_finding(self, finding: Mapping[str, Any]) -> None:
        """One finding as the batch audit writes it (``Finding.as_dict`` plus line and ids)."""
        rule_id = str(finding.get("rule_id", ""))
        sheet = self._finding_sheet(rule_id)
        evidence = finding.get("evidence") or {}
        message = finding.get("message") or {}
        remedy = finding.get("remedy") or {}
        amount = evidence.get("amount")
        interest = evidence.get("late_interest")
        citations = "；".join(
            f"{c.get('doc_id', '')} {c.get('article', '')}".strip() for c in finding.get("citations") or ()
        )
        force = str(finding.get("legal_force") or "mandatory")
        force_zh, force_en = LEGAL_FORCE_TITLES.get(force, (force, force))
        values = (
            finding.get("line") or finding.get("where"),
            finding.get("ocid"),
            finding.get("contract_id"),
            rule_id,
            "违规 violation" if finding.get("severity") == "violation" else "建议 advice",
            f"{force_zh} {force_en}",
            message.get("zh"),
            message.get("en"),
            Decimal(str(amount)) if amount is not None else None,
            evidence.get("due_on"),
            evidence.get("days_late", evidence.get("days_overdue")),
            Decimal(str(interest)) if interest is not None else None,
            citations,
            f"{remedy.get('zh', '')} / {remedy.get('en', '')}".strip(" /"),
        )
        formats = self.sheets[rule_id][1]
        sheet.append([self._cell(sheet, v, f) for v, f in zip(values, formats, strict=True)])
        self.shape[sheet.title][0] += 1

    def _stats_rows(self, sheet: WriteOnlyWorksheet, rows: Iterable[GroupStats]) -> list[GroupStats]:
        """Write the rows; the top purchasers by overdue amount are returned (for the chart)."""
        self._headers(sheet, STATS_COLUMNS)
        formats = [c[2] for c in STATS_COLUMNS]
        top: list[tuple[Decimal, str, GroupStats]] = []
        for g in rows:
            if g.overdue_amount:
                heapq.heappush(top, (g.overdue_amount, g.key, g))
                if len(top) > TOP_PURCHASERS:
                    heapq.heappop(top)
            self.shape[sheet.title][0] += 1
            values = (
                g.key,
                g.name,
                g.contracts,
                g.value,
                g.sme_contracts,
                g.sme_value,
                g.sme_value_share,
                g.small_micro_contracts,
                g.small_micro_value,
                g.small_micro_value_share,
                g.payments_due,
                g.on_time_rate,
                g.average_days_to_pay,
                g.overdue_amount,
                g.overdue_count,
                g.bonds_past_due_amount,
                g.bonds_past_due_count,
                g.retention_past_due_amount,
                g.retention_past_due_count,
            )
            sheet.append([self._cell(sheet, v, f) for v, f in zip(values, formats, strict=True)])
        return [g for _, _, g in sorted(top, reverse=True)]

    def close(
        self,
        *,
        counts: Mapping[str, int],
        coverage: Mapping[str, Counter[str]],
        stats: StatsAccumulator,
        facts: Iterable[tuple[str, str, Any]] = (),
        purchasers: Iterable[GroupStats] | None = None,
        by_force: Mapping[tuple[str, str], int] | None = None,
    ) -> None:
        """Write the summary (``facts``: label zh, label en, value), the statistics and the charts,
        then save. ``by_force`` counts findings by (rule id, legal force)."""
        overall = stats.overall()
        regions = list(stats.by_region())
        self._stats_rows(self.regions, [*regions, overall])
        rows = stats.by_purchaser() if purchasers is None else purchasers
        top = self._stats_rows(self.purchasers, rows)
        sheet = self.summary
        sheet.freeze_panes = "A3"
        for letter, width in zip("ABCDEF", (44, 40, 16, 16, 16, 16), strict=True):
            sheet.column_dimensions[letter].width = width
        lines = [[WriteOnlyCell(sheet, value="项目"), "数值"], ["Item", "Value"]]
        lines += [[f"{zh} ({en})", value] for zh, en, value in facts]
        lines.append([])
        lines.append(
            [
                "发现问题（按类型） Findings by kind",
                "规则 Rule",
                "数量 Count",
                "强制 Mandatory",
                "鼓励 Encouraged",
            ]
        )
        kinds_at = len(lines) + 1
        forces = by_force or {}
        for rule_id, n in sorted(counts.items()):
            zh, en = RULE_TITLES.get(rule_id, (rule_id, ""))
            lines.append(
                [
                    f"{zh} {en}".strip(),
                    rule_id,
                    n,
                    forces.get((rule_id, "mandatory"), 0),
                    forces.get((rule_id, "encouraged"), 0),
                ]
            )
        kinds_end = len(lines)
        if forces:
            lines.append([])
            for force, (zh, en) in LEGAL_FORCE_TITLES.items():
                lines.append([f"{zh} {en}", force, sum(v for (_, f), v in forces.items() if f == force)])
        lines.append([])
        lines.append(["规则覆盖 Coverage: rule", "情况 Outcome", "合同数 Contracts"])
        for rule_id in sorted(coverage):
            for reason, n in coverage[rule_id].most_common():
                lines.append([rule_id, f"{COVERAGE_REASONS.get(reason, reason)} ({reason})", n])
        lines.append([])
        lines.append(["地区 Region", "名称 Name", "中小企业金额占比 SME share of value"])
        shares_at = len(lines) + 1
        lines += [[g.key, g.name, self._cell(sheet, g.sme_value_share, RATE_FORMAT)] for g in regions]
        shares_end = len(lines)
        lines.append([])
        lines.append(["采购人 Purchaser", "名称 Name", "逾期未付金额（元） Overdue amount (yuan)"])
        owed_at = len(lines) + 1
        lines += [[g.key, g.name, self._cell(sheet, g.overdue_amount, AMOUNT_FORMAT)] for g in top]
        owed_end = len(lines)
        for line in lines:
            sheet.append(line)
        self.shape[sheet.title] = [len(lines), 5]  # its filter lets a reader narrow the tables down
        self._chart(sheet, "发现问题（按类型） Findings by kind", 3, kinds_at, kinds_end, "H2", categories=2)
        self._chart(
            sheet, "中小企业金额占比（按地区） SME share of value by region", 3, shares_at, shares_end, "H20"
        )
        self._chart(
            sheet, "逾期未付金额（按采购人） Overdue amount by purchaser", 3, owed_at, owed_end, "H38"
        )
        for title, (last_row, columns) in self.shape.items():
            self.book[title].auto_filter.ref = f"A2:{get_column_letter(columns)}{max(last_row, 3)}"
        self.book.save(self.path)

    @staticmethod
    def _chart(
        sheet: WriteOnlyWorksheet,
        title: str,
        column: int,
        first: int,
        last: int,
        anchor: str,
        categories: int = 1,
    ) -> None:
        """A native bar chart of column ``column`` over rows first..last, labelled by ``categories``."""
        if last < first:
            return
        chart = BarChart()
        chart.type = "bar"
        chart.title = title
        chart.legend = None
        chart.height, chart.width = 8, 18
        chart.add_data(Reference(sheet, min_col=column, min_row=first, max_row=last), titles_from_data=False)
        chart.set_categories(Reference(sheet, min_col=categories, min_row=first, max_row=last))
        sheet.add_chart(chart, anchor)
