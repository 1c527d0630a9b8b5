"""The SME terms supplement (合同补充条款) as a Word document (.docx, python-docx).

Built from what was decided and stored (the clause texts of the decided contract, the changes with
their legal basis, the declined items with their reasons), so the paper the parties sign states the
same numbers as the stored contract. A4, 宋体 / 仿宋 for East Asian text, page numbers in the footer.
"""

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from sqlalchemy.orm import Session

from procurement.contracts.models import Contract
from procurement.scope import Actor
from procurement.terms.decisions import latest_decision
from procurement.terms.models import TermsResult
from rules.contract_text import forms_text
from rules.money_words import yuan_in_capitals
from rules.vocabulary import BondForm

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BODY_FONT = "仿宋"
BODY_SIZE_PT = 12
TABLE_STYLE, TABLE_HEAD_STYLE = "SME Table Text", "SME Table Head"
HEADING_FONT = "宋体"
BLANK = "【          】"
_DIGITS = "零一二三四五六七八九"
_FORMS = {form.value for form in BondForm}
_FORCE_ZH = {"mandatory": "强制性（法定）", "encouraged": "鼓励性（非强制）"}


def chinese_ordinal(number: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五 (clause numbers 第N条)."""
    if number < 10:
        return _DIGITS[number]
    if number < 20:
        return "十" + (_DIGITS[number % 10] if number % 10 else "")
    if number < 100:
        tens, ones = divmod(number, 10)
        return _DIGITS[tens] + "十" + (_DIGITS[ones] if ones else "")
    hundreds, rest = divmod(number, 100)
    if not rest:
        return _DIGITS[hundreds] + "百"
    tail = chinese_ordinal(rest) if rest >= 10 else "零" + _DIGITS[rest]
    if 10 <= rest < 20:
        tail = "一" + tail
    return _DIGITS[hundreds] + "百" + tail


@dataclass(frozen=True)
class SupplementData:
    """Everything the supplement states; plain values so the CLI can build one without a database."""

    purchaser_name: str
    supplier_name: str
    contract_ref: str
    contract_title: str
    amount: Decimal
    signed_on: date | None
    clauses: Sequence[Mapping[str, str]]  # {ref, heading_zh, text_zh} of the decided contract
    adjustments: Sequence[Mapping[str, Any]]  # as shown: field, before, after, legal force, basis
    accepted: Sequence[str]
    declined: Sequence[Mapping[str, str]]  # {rule_id, reason}
    policy_pack: str
    policy_version: str
    evaluated_on: date | None = None
    extra_notes: Sequence[str] = field(default_factory=tuple)


def supplement_data(contract: Contract, row: TermsResult) -> SupplementData:
    return SupplementData(
        purchaser_name=contract.purchaser.name if contract.purchaser else BLANK,
        supplier_name=contract.supplier.name if contract.supplier else BLANK,
        contract_ref=contract.external_ref,
        contract_title=contract.title or "",
        amount=contract.amount,
        signed_on=contract.signed_on,
        clauses=row.result.get("clauses", []),
        adjustments=row.result.get("adjustments", []),
        accepted=row.accepted_rule_ids,
        declined=row.declined,
        policy_pack=row.policy_pack,
        policy_version=row.policy_version,
        evaluated_on=row.evaluated_on,
    )


def contract_supplement(session: Session, actor: Actor, contract_id: int) -> tuple[str, bytes]:
    """The file name and .docx bytes of the latest decided SME terms of a contract."""
    contract, row = latest_decision(session, actor, contract_id)
    return f"合同补充条款-{contract.external_ref}.docx", supplement_docx(supplement_data(contract, row))


# --- the document ------------------------------------------------------------------------------


def _fonts(run: Run, east_asia: str, size_pt: float, *, bold: bool = False) -> None:
    # only what differs from the Normal style (仿宋 12 pt): setting run properties is the costly part
    if east_asia == BODY_FONT and size_pt == BODY_SIZE_PT and not bold:
        return
    run.font.size = Pt(size_pt)
    if bold:
        run.font.bold = True
    properties = run._element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.insert(0, fonts)
    fonts.set(qn("w:ascii"), "Times New Roman")
    fonts.set(qn("w:hAnsi"), "Times New Roman")
    fonts.set(qn("w:eastAsia"), east_asia)


def _para(
    document: Any,
    text: str,
    *,
    font: str = BODY_FONT,
    size_pt: float = 12,
    bold: bool = False,
    align: Any = None,
    indent: bool = False,
) -> Paragraph:
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size_pt * 2)
    _fonts(paragraph.add_run(text), font, size_pt, bold=bold)
    return paragraph


def _page_number(paragraph: Paragraph) -> None:
    # a PAGE field, which Word fills in on every page
    _fonts(paragraph.add_run("第 "), BODY_FONT, 10.5)
    run = paragraph.add_run()
    _fonts(run, BODY_FONT, 10.5)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._element.append(element)
    _fonts(paragraph.add_run(" 页"), BODY_FONT, 10.5)


def _setup(document: Any) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(26)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(BODY_SIZE_PT)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    # table cells take their fonts from two paragraph styles, not from each run
    for name, east_asia, bold in ((TABLE_STYLE, BODY_FONT, False), (TABLE_HEAD_STYLE, HEADING_FONT, True)):
        cell_style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        cell_style.base_style = style
        cell_style.font.size = Pt(10.5)
        cell_style.font.bold = bold
        cell_style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asia)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer)


def _money_text(amount: Decimal) -> str:
    return f"{yuan_in_capitals(amount)}（¥{amount.quantize(Decimal('0.01')):,}）"


def _change_rows(data: SupplementData) -> list[list[str]]:
    accepted = set(data.accepted)
    declined = {d["rule_id"] for d in data.declined}
    rows = []
    for i, adj in enumerate(data.adjustments, 1):
        basis = (adj.get("legal_basis") or {}).get("zh") or "、".join(
            f"{c['doc_id']}{c['article']}" for c in adj.get("citations", [])
        )
        if adj["rule_id"] in accepted:
            decision = "采纳"
        elif adj["rule_id"] in declined:
            decision = "未采纳"
        else:
            decision = "—"
        rows.append(
            [
                str(i),
                adj["message"]["zh"],
                _value_text(adj["field"], adj.get("before")),
                _value_text(adj["field"], adj.get("after")),
                basis,
                _FORCE_ZH.get(adj["legal_force"], adj["legal_force"]),
                decision,
            ]
        )
    return rows


def _value_text(field_name: str, value: Any) -> str:
    """A before/after value as a contract reads it: 40%, 15日, 银行保函、现金."""
    if value is None:
        return "未约定"
    if isinstance(value, list):
        return forms_text(BondForm(v) for v in value if v in _FORMS) or "、".join(map(str, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if field_name.endswith("percent"):
        return f"{value}%"
    if field_name.endswith("days"):
        return f"{value}日"
    if field_name.endswith("months"):
        return f"{value}个月"
    return str(value)


def _table(
    document: Any, header: Sequence[str], rows: Sequence[Sequence[str]], widths_mm: Sequence[int]
) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    # the style ids set on the XML directly: python-docx's style setter scans every style per call
    head = document.styles[TABLE_HEAD_STYLE].style_id
    body = document.styles[TABLE_STYLE].style_id
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        paragraph = cell.paragraphs[0]
        paragraph._p.style = head
        paragraph.add_run(text)
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            paragraph = cell.paragraphs[0]
            paragraph._p.style = body
            paragraph.add_run(text)
    # Word reads each cell's width, LibreOffice the table grid: set both. The legal basis gets the
    # room (the text width is 158 mm)
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def supplement_docx(data: SupplementData) -> bytes:
    """The 合同补充条款 as .docx bytes."""
    document = Document()
    _setup(document)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(document, "合同补充条款", font=HEADING_FONT, size_pt=22, bold=True, align=center)
    _para(document, "（中小企业合同条款）", font=HEADING_FONT, size_pt=14, align=center)
    _para(document, f"采购人（甲方）：{data.purchaser_name}")
    _para(document, f"供应商（乙方）：{data.supplier_name}")
    _para(document, f"原合同编号：{data.contract_ref}")
    if data.contract_title:
        _para(document, f"原合同名称：{data.contract_title}")
    _para(document, f"合同金额：{_money_text(data.amount)}")
    signed = data.signed_on.strftime("%Y年%m月%d日") if data.signed_on else "    年  月  日"
    _para(document, f"原合同签订日期：{signed}")
    _para(
        document,
        "根据《政府采购促进中小企业发展管理办法》（财库〔2020〕46号）、《保障中小企业款项支付条例》及"
        "新政办发〔2019〕90号等规定，甲乙双方经协商一致，对原合同的付款、保证金及相关条款作如下补充约定，"
        "本补充条款与原合同不一致的，以本补充条款为准：",
        indent=True,
    )
    for number, clause in enumerate(data.clauses, 1):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(24)
        _fonts(
            paragraph.add_run(f"第{chinese_ordinal(number)}条　{clause['heading_zh']}　"),
            HEADING_FONT,
            12,
            bold=True,
        )
        _fonts(paragraph.add_run(clause["text_zh"]), BODY_FONT, 12)
    number = len(data.clauses) + 1
    _para(
        document,
        f"第{chinese_ordinal(number)}条　本补充条款一式贰份，甲乙双方各执壹份，自双方签字盖章之日起生效。",
        indent=True,
    )

    _para(document, "附表一　条款调整及法律依据", font=HEADING_FONT, size_pt=14, bold=True)
    _table(
        document,
        ["序号", "调整事项", "调整前", "调整后", "法律依据", "法律效力", "决定"],
        _change_rows(data),
        (10, 36, 17, 21, 46, 16, 12),
    )
    _para(document, "附表二　未采纳的调整及理由", font=HEADING_FONT, size_pt=14, bold=True)
    shown = {a["rule_id"]: a for a in data.adjustments}
    if data.declined:
        _table(
            document,
            ["规则", "调整事项", "未采纳理由"],
            [
                [d["rule_id"], shown.get(d["rule_id"], {}).get("message", {}).get("zh", ""), d["reason"]]
                for d in data.declined
            ],
            (40, 60, 58),
        )
    else:
        _para(document, "无。")
    evaluated = f"，适用日期 {data.evaluated_on.isoformat()}" if data.evaluated_on else ""
    _para(
        document,
        f"政策包：{data.policy_pack}，版本 {data.policy_version}{evaluated}。",
        size_pt=10.5,
    )
    for note in data.extra_notes:
        _para(document, note, size_pt=10.5)

    for party in ("甲方（采购人）", "乙方（供应商）"):
        _para(document, "")
        _para(document, f"{party}（盖章）：")
        _para(document, "法定代表人或授权代表（签字）：")
        _para(document, "日期：        年    月    日")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
