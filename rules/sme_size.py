"""SME size classification (划型) from the size table, effective size and the declared-size check.

The thresholds come from the policy pack (``snapshot.size_table``); this module only applies them.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rules.errors import InsufficientSizeData, InvalidInput, UnknownIndustry
from rules.findings import Citation, Finding
from rules.size_table import MEASURE_NAMES_ZH, MEASURE_UNITS_ZH, Measure, SizeTable
from rules.vocabulary import Industry, LegalForce, Size, SpecialStatus

# smaller is more favoured; used to compare a declared size with a computed one
_RANK = {Size.MICRO: 0, Size.SMALL: 1, Size.MEDIUM: 2, Size.LARGE: 3}
_SIZE_ZH = {Size.MICRO: "微型企业", Size.SMALL: "小型企业", Size.MEDIUM: "中型企业", Size.LARGE: "大型企业"}
_MEASURE_EN = {
    Measure.EMPLOYEES: "employees",
    Measure.REVENUE_WAN: "revenue (10k yuan)",
    Measure.ASSETS_WAN: "assets (10k yuan)",
}


@dataclass(frozen=True, slots=True)
class SizeResult:
    size: Size
    reason_zh: str
    reason_en: str
    citations: tuple[Citation, ...] = ()

    @property
    def is_sme(self) -> bool:
        return self.size.is_sme

    @property
    def is_small_or_micro(self) -> bool:
        return self.size.is_small_or_micro

    def as_dict(self) -> dict[str, Any]:
        return {
            "size": self.size.value,
            "is_sme": self.is_sme,
            "reason": {"zh": self.reason_zh, "en": self.reason_en},
            "citations": [c.as_dict() for c in self.citations],
        }


def parse_industry(industry: Industry | str) -> Industry:
    """Accept the enum, its Chinese name or its English member name (``construction``)."""
    if isinstance(industry, Industry):
        return industry
    try:
        return Industry(industry)
    except ValueError:
        pass
    try:
        return Industry[str(industry).strip().upper()]
    except KeyError:
        raise UnknownIndustry(str(industry), [i.value for i in Industry]) from None


def _num(value: Decimal) -> str:
    return format(value, "f") if value == value.to_integral_value() else str(value)


def _describe(bounds: Mapping[Measure, Decimal], joiner_zh: str, suffix_zh: str) -> tuple[str, str]:
    zh = joiner_zh.join(
        f"{MEASURE_NAMES_ZH[m]}{_num(v)}{MEASURE_UNITS_ZH[m]}{suffix_zh}" for m, v in bounds.items()
    )
    en = (" and " if joiner_zh == "且" else " or ").join(
        f"{_MEASURE_EN[m]} {'>=' if suffix_zh == '及以上' else '<'} {_num(v)}" for m, v in bounds.items()
    )
    return zh, en


def _reaches(figures: Mapping[Measure, Decimal], floors: Mapping[Measure, Decimal]) -> bool:
    known = [m for m in floors if m in figures]
    return bool(known) and all(figures[m] >= floors[m] for m in known)


def classify(
    industry: Industry | str,
    *,
    employees: int | None,
    revenue_wan: Decimal | None,
    assets_wan: Decimal | None,
    table: SizeTable,
) -> SizeResult:
    """Classify per the size table: exactly at a floor is the higher class (及以上)."""
    chosen = parse_industry(industry)
    row = table.industries[chosen]
    given: dict[Measure, Decimal | int | None] = {
        Measure.EMPLOYEES: employees,
        Measure.REVENUE_WAN: revenue_wan,
        Measure.ASSETS_WAN: assets_wan,
    }
    figures: dict[Measure, Decimal] = {}
    for measure, value in given.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | Decimal) or value < 0:
            raise InvalidInput(
                f"{MEASURE_NAMES_ZH[measure]}应为非负数",
                f"{measure.value} must be a non-negative number",
                field=measure.value,
            )
        if measure in row.measures:
            figures[measure] = Decimal(value)
    if not figures:
        raise InsufficientSizeData(chosen.value, [m.value for m in row.measures])
    data_zh = "、".join(f"{MEASURE_NAMES_ZH[m]}{_num(v)}{MEASURE_UNITS_ZH[m]}" for m, v in figures.items())
    data_en = ", ".join(f"{_MEASURE_EN[m]} {_num(v)}" for m, v in figures.items())
    missing = [m for m in row.measures if m not in figures]
    note_zh = (
        f"（未提供{'、'.join(MEASURE_NAMES_ZH[m] for m in missing)}，按已提供数据划型）" if missing else ""
    )
    note_en = f" (no {', '.join(m.value for m in missing)}; classified on the figures given)"
    note_en = note_en if missing else ""
    head_zh = f"{chosen.value}：{data_zh}"
    head_en = f"{chosen.name.lower()}: {data_en}"

    under = [m for m in row.sme_ceiling if m in figures and figures[m] < row.sme_ceiling[m]]
    if not under:
        zh, en = _describe({m: v for m, v in row.sme_ceiling.items() if m in figures}, "且", "及以上")
        return SizeResult(
            Size.LARGE,
            f"{head_zh}，{zh}，不属于中小企业{note_zh}",
            f"{head_en}; {en}: not an SME{note_en}",
            table.citations,
        )
    for size, floors in ((Size.MEDIUM, row.medium_floor), (Size.SMALL, row.small_floor)):
        if _reaches(figures, floors):
            zh, en = _describe(floors, "且", "及以上")
            return SizeResult(
                size,
                f"{head_zh}，达到{_SIZE_ZH[size]}标准（{zh}）{note_zh}",
                f"{head_en}; meets the {size.value} floors ({en}){note_en}",
                table.citations,
            )
    return SizeResult(
        Size.MICRO,
        f"{head_zh}，低于小型企业标准，为微型企业{note_zh}",
        f"{head_en}; below the small floors: micro{note_en}",
        table.citations,
    )


def effective_size(
    computed: SizeResult | Size | None,
    *,
    special_status: SpecialStatus = SpecialStatus.NONE,
    linked_to_large: bool = False,
    is_enterprise: bool = True,
) -> SizeResult | None:
    """The size policy treats a supplier as: special status and large-enterprise links first."""
    if special_status is SpecialStatus.PRISON_ENTERPRISE:
        base = Size.MICRO if _size_of(computed) is Size.MICRO else Size.SMALL
        return SizeResult(
            base,
            "监狱企业视同小型、微型企业（财库〔2014〕68号），不重复享受政策",
            "prison enterprise: counted as small/micro (68号), no double benefit",
        )
    if special_status is SpecialStatus.DISABLED_WELFARE_UNIT:
        base = Size.MICRO if _size_of(computed) is Size.MICRO else Size.SMALL
        return SizeResult(
            base,
            "残疾人福利性单位视同小型、微型企业（财库〔2017〕141号），不重复享受政策",
            "welfare unit for the disabled: counted as small/micro (141号), no double benefit",
        )
    if not is_enterprise:
        return SizeResult(
            Size.LARGE,
            "事业单位、社会组织等非企业主体不享受中小企业政策（其提供的货物均由中小企业制造的除外）",
            "not an enterprise: no SME benefit (unless all goods it supplies are SME-made)",
        )
    if linked_to_large:
        return SizeResult(
            Size.LARGE,
            "与大企业的负责人为同一人，或与大企业存在直接控股、管理关系，不属于中小企业",
            "shares its responsible person with, or is controlled, managed or a branch of, "
            "a large enterprise: not an SME",
        )
    if computed is None:
        return None
    if isinstance(computed, Size):
        return SizeResult(computed, f"按划型结果为{_SIZE_ZH[computed]}", f"classified {computed}")
    return computed


def _size_of(computed: SizeResult | Size | None) -> Size | None:
    return computed.size if isinstance(computed, SizeResult) else computed


def declared_size_finding(
    declared: Size | None,
    computed: SizeResult,
    *,
    policy_version: str = "",
) -> Finding | None:
    """A mismatch between the declaration letter (声明函) and the computed size is a finding.

    Declaring a smaller size than computed claims benefits the supplier has no right to
    (a violation); declaring a larger one forgoes benefits (advice).
    """
    if declared is None or declared is computed.size:
        return None
    overclaim = _RANK[declared] < _RANK[computed.size]
    force = LegalForce.MANDATORY if overclaim else LegalForce.ENCOURAGED
    zh_declared, zh_computed = _SIZE_ZH[declared], _SIZE_ZH[computed.size]
    return Finding(
        rule_id="size.declared_mismatch",
        category="sme_size",
        legal_force=force,
        citations=computed.citations,
        message_zh=f"中小企业声明函声明为{zh_declared}，按划型标准应为{zh_computed}：{computed.reason_zh}",
        message_en=(
            f"declared {declared.value} in the SME declaration letter, but the size table gives "
            f"{computed.size.value}: {computed.reason_en}"
        ),
        remedy_zh=(
            "核实供应商上一年度从业人员、营业收入和资产总额，要求其更正声明函"
            if overclaim
            else "提示供应商按实际规模出具声明函，可享受相应扶持政策"
        ),
        remedy_en=(
            "check last year's figures and have the supplier correct its declaration"
            if overclaim
            else "tell the supplier it may declare its actual size and receive the benefits"
        ),
        evidence={"declared": declared.value, "computed": computed.size.value},
        policy_version=policy_version,
    )
