"""Quantities in Chinese tender text: amounts, years, counts, percentages, dates, with comparators.

Offsets are kept exact: full-width characters are translated one for one (``to_halfwidth``), and
every quantity carries ``start``/``end`` into the text it was read from, never into a rewritten copy.
"""

import re
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from rules.barriers.cn_numbers import CN_NUMERAL_CHARS, parse_number, to_halfwidth


class QuantityKind(StrEnum):
    AMOUNT = "amount"  # money, in yuan
    YEARS = "years"  # a duration in years
    COUNT = "count"  # persons, items
    PERCENT = "percent"  # a ratio, as a Decimal fraction
    DATE = "date"  # a calendar year (with month/day when given): 2020年1月1日
    POINTS = "points"  # 分 of a scoring item
    DAYS = "days"  # 日 / 天 / 工作日: a period (payment terms, deadlines)
    NUMBER = "number"  # no unit


class Comparator(StrEnum):
    GE = ">="
    GT = ">"
    LE = "<="
    LT = "<"


@dataclass(frozen=True, slots=True)
class Quantity:
    kind: QuantityKind
    value: Decimal  # yuan for AMOUNT, fraction for PERCENT, the year for DATE
    comparator: Comparator | None
    start: int
    end: int
    text: str

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "kind": self.kind.value,
            "value": format(self.value.normalize(), "f"),
            "comparator": self.comparator.value if self.comparator else None,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }


_NUM = rf"(?:\d(?:\d|[,，](?=\d{{3}}))*(?:\.\d+)?|[{CN_NUMERAL_CHARS}]+)"
_UNIT = r"(?:亿元|万元|元|亿|万|周年|年度|年|个工作日|工作日|个月|月|日历天|日|天|人次|人|名|家|个|项|%|分)?"
_QUANTITY = re.compile(
    rf"(?P<date>\d{{4}})年(?!度)(?:(?P<month>\d{{1,2}})月(?:\d{{1,2}}日)?)?"
    # 百分之五, 百分之二点五: a percentage written out (otherwise read as 百 points)
    rf"|百分之(?P<pct>{_NUM})(?:点(?P<pct_tenths>[零〇一二三四五六七八九\d]+))?"
    rf"|(?P<num>{_NUM})(?P<unit>{_UNIT})"
)
_BEFORE = re.compile(
    r"(?P<ge>不低于|不少于|不小于|不得低于|不得少于|不应低于|不应少于|至少|达到|满|≥|>=|大于等于)"
    r"|(?P<gt>大于|高于|超过|多于|晚于|>)"
    r"|(?P<le>不超过|不高于|不大于|不得超过|不得高于|不应高于|小于等于|≤|<=)"
    r"|(?P<lt>低于|少于|小于|不足|未满|早于|<)"
)
_BEFORE_TAIL = re.compile(r"(?:人民币|为|在|是)?\s*$")
_AFTER = re.compile(
    r"\s*(?:[(（]含[)）])?\s*(?:(?P<ge>及以上|或以上|以上|起)|(?P<le>及以下|以下|以内)|(?P<lt>以前|之前|前))"
)
_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_AMOUNT_SCALE = {"元": 1, "万": 10_000, "万元": 10_000, "亿": 100_000_000, "亿元": 100_000_000}
_KIND_OF_UNIT = {
    "周年": QuantityKind.YEARS, "年": QuantityKind.YEARS, "年度": QuantityKind.YEARS,
    "人": QuantityKind.COUNT, "名": QuantityKind.COUNT, "家": QuantityKind.COUNT,
    "个": QuantityKind.COUNT, "项": QuantityKind.COUNT, "人次": QuantityKind.COUNT,
    "%": QuantityKind.PERCENT, "分": QuantityKind.POINTS, "": QuantityKind.NUMBER,
    "个月": QuantityKind.NUMBER, "月": QuantityKind.NUMBER,
    "个工作日": QuantityKind.DAYS, "工作日": QuantityKind.DAYS, "日历天": QuantityKind.DAYS,
    "日": QuantityKind.DAYS, "天": QuantityKind.DAYS,
}  # fmt: skip


# the regex group that matched -> the comparator (looked up, not built from its value, per number)
_COMPARATOR_OF_GROUP = {"ge": Comparator.GE, "gt": Comparator.GT, "le": Comparator.LE, "lt": Comparator.LT}


def _comparator(text: str, start: int, end: int) -> Comparator | None:
    after = _AFTER.match(text, end, min(len(text), end + 8))
    if after:
        return _COMPARATOR_OF_GROUP[after.lastgroup or "ge"]
    window = text[max(0, start - 9) : start]
    tail = _BEFORE_TAIL.search(window)
    head = window[: tail.start()] if tail else window
    best: re.Match[str] | None = None
    for m in _BEFORE.finditer(head):
        if m.end() == len(head) and (best is None or m.start() < best.start()):
            best = m  # the longest comparison word ending right before the number
    if best is None:
        return None
    return _COMPARATOR_OF_GROUP[best.lastgroup or "ge"]


def _kind_of(unit: str | None) -> QuantityKind | None:
    """The kind a number with ``unit`` gets (None: the unit is not known here)."""
    if unit in _AMOUNT_SCALE:
        return QuantityKind.AMOUNT
    if unit == "%":
        return QuantityKind.PERCENT
    return _KIND_OF_UNIT.get(unit) if unit is not None else None


def extract_quantities(
    text: str,
    start: int = 0,
    end: int | None = None,
    *,
    plain: str | None = None,
    kinds: Collection[QuantityKind] | None = None,
    starts_before: int | None = None,
) -> list[Quantity]:
    """Every quantity in ``text[start:end]``; offsets are into ``text`` itself.

    ``plain`` is ``to_halfwidth(text)`` when the caller has it already. ``kinds`` keeps only
    quantities of those kinds and ``starts_before`` only those starting before it: a rule's
    scope; the rest are not built (their comparator costs two regexes each).
    """
    end = len(text) if end is None else end
    plain = to_halfwidth(text) if plain is None else plain
    found: list[Quantity] = []
    for m in _QUANTITY.finditer(plain, start, end):
        if starts_before is not None and m.start() >= starts_before:
            break  # matches come in order: none of the rest starts in scope
        if m.group("date"):
            if kinds is not None and QuantityKind.DATE not in kinds:
                continue
            kind, value = QuantityKind.DATE, Decimal(m.group("date"))
        elif m.group("pct"):
            if kinds is not None and QuantityKind.PERCENT not in kinds:
                continue
            share = parse_number(m.group("pct"))
            if share is None:
                continue
            if tenths := m.group("pct_tenths"):
                share += Decimal("0." + tenths.translate(_CN_DIGITS))
            kind, value = QuantityKind.PERCENT, share / 100
        else:
            raw, unit = m.group("num"), m.group("unit")
            if raw and raw[-1] in "万亿" and not unit and raw[0] in "0123456789":
                unit = raw[-1]
            if kinds is not None and (wanted := _kind_of(unit)) is not None and wanted not in kinds:
                continue  # the kind is the unit's: no number parsed for a quantity not wanted
            number = parse_number(raw)
            if number is None:
                continue
            if unit in _AMOUNT_SCALE:
                kind, value = QuantityKind.AMOUNT, number * _AMOUNT_SCALE[unit]
            elif unit == "%":
                kind, value = QuantityKind.PERCENT, number / 100
            else:
                kind, value = _KIND_OF_UNIT[unit], number
                if kind is QuantityKind.YEARS and unit == "年度":
                    continue  # 2024年度 names a year, it is no duration
            if kinds is not None and kind not in kinds:
                continue
        found.append(
            Quantity(kind, value, _comparator(plain, m.start(), m.end()), m.start(), m.end(),
                     text[m.start() : m.end()])
        )  # fmt: skip
    return found
