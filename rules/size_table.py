"""The size table (划型标准) as plain values: per industry, the SME ceilings and the class floors.

The numbers themselves are law and live in the national policy pack; this module only types them.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from rules.findings import Citation
from rules.vocabulary import Industry


class Measure(StrEnum):
    EMPLOYEES = "employees"  # 从业人员, persons
    REVENUE_WAN = "revenue_wan"  # 营业收入, 万元
    ASSETS_WAN = "assets_wan"  # 资产总额, 万元


MEASURE_NAMES_ZH = {
    Measure.EMPLOYEES: "从业人员",
    Measure.REVENUE_WAN: "营业收入",
    Measure.ASSETS_WAN: "资产总额",
}
MEASURE_UNITS_ZH = {
    Measure.EMPLOYEES: "人",
    Measure.REVENUE_WAN: "万元",
    Measure.ASSETS_WAN: "万元",
}


@dataclass(frozen=True, slots=True)
class IndustryThresholds:
    """SME if any figure is under its ceiling; medium / small need every floor reached."""

    industry: Industry
    sme_ceiling: Mapping[Measure, Decimal]
    medium_floor: Mapping[Measure, Decimal]
    small_floor: Mapping[Measure, Decimal]

    @property
    def measures(self) -> tuple[Measure, ...]:
        seen = {*self.sme_ceiling, *self.medium_floor, *self.small_floor}
        return tuple(m for m in Measure if m in seen)


@dataclass(frozen=True, slots=True)
class SizeTable:
    effective_from: date
    citations: tuple[Citation, ...]
    industries: Mapping[Industry, IndustryThresholds]
