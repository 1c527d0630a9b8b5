"""SME size classification (划型) from the size table, effective size and the declared-size check.

The thresholds come from the policy pack (``snapshot.size_table``); this module only applies them.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from itertools import product
from typing import Any

from rules.errors import InsufficientSizeData, InvalidInput, UnknownIndustry
from rules.findings import Citation, Finding
from rules.size_table import MEASURE_NAMES_ZH, MEASURE_UNITS_ZH, IndustryThresholds, Measure, SizeTable
from rules.special_status import SpecialRules, WelfareCheck, check_welfare_unit
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
    """The size a firm counts as, why, and what was known: the figures used, those missing, and the
    classes a missing figure could still make it (``possible_sizes``; just ``size`` when certain)."""

    size: Size
    reason_zh: str
    reason_en: str
    citations: tuple[Citation, ...] = ()
    figures_used: tuple[tuple[Measure, Decimal], ...] = ()
    figures_missing: tuple[Measure, ...] = ()
    possible_sizes: tuple[Size, ...] = ()
    # accepted on the declaration letter alone: a new firm with no previous year's figures
    declared_only: bool = False

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
            **self.known_dict(),
        }

    def known_dict(self) -> dict[str, Any]:
        """What the answer rests on, for the API: figures used and missing, classes still possible."""
        return {
            "figures_used": {m.value: _plain(v) for m, v in self.figures_used},
            "figures_missing": [m.value for m in self.figures_missing],
            "possible_sizes": [s.value for s in self.possible_sizes or (self.size,)],
            "declared_only": self.declared_only,
        }


def _plain(value: Decimal) -> int | str:
    return int(value) if value == value.to_integral_value() else str(value)


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
    missing = tuple(m for m in row.measures if m not in figures)
    size, zh, en = _decide(row, figures)
    possible = _possible_sizes(row, figures, missing)
    data_zh = "、".join(f"{MEASURE_NAMES_ZH[m]}{_num(v)}{MEASURE_UNITS_ZH[m]}" for m, v in figures.items())
    data_en = ", ".join(f"{_MEASURE_EN[m]} {_num(v)}" for m, v in figures.items())
    note_zh = note_en = ""
    if missing:
        missing_zh = "、".join(MEASURE_NAMES_ZH[m] for m in missing)
        missing_en = ", ".join(m.value for m in missing)
        if len(possible) > 1:
            others_zh = "、".join(_SIZE_ZH[p] for p in possible)
            note_zh = f"（未提供{missing_zh}，按已提供数据划型；视{missing_zh}不同，可能为{others_zh}）"
            note_en = (
                f" (no {missing_en}; classified on the figures given; depending on it: "
                f"{', '.join(p.value for p in possible)})"
            )
        else:
            note_zh = f"（未提供{missing_zh}，不影响划型结果）"
            note_en = f" (no {missing_en}; it would not change the class)"
    return SizeResult(
        size,
        f"{chosen.value}：{data_zh}，{zh}{note_zh}",
        f"{chosen.name.lower()}: {data_en}; {en}{note_en}",
        table.citations,
        figures_used=tuple(figures.items()),
        figures_missing=missing,
        possible_sizes=possible,
    )


def _decide(row: IndustryThresholds, figures: Mapping[Measure, Decimal]) -> tuple[Size, str, str]:
    """The class on the figures given, citing only thresholds on those figures."""
    under = [m for m in row.sme_ceiling if m in figures and figures[m] < row.sme_ceiling[m]]
    if not under:
        zh, en = _describe({m: v for m, v in row.sme_ceiling.items() if m in figures}, "且", "及以上")
        return Size.LARGE, f"{zh}，不属于中小企业", f"{en}: not an SME"
    for size, floors in ((Size.MEDIUM, row.medium_floor), (Size.SMALL, row.small_floor)):
        if _reaches(figures, floors):
            zh, en = _describe({m: v for m, v in floors.items() if m in figures}, "且", "及以上")
            return size, f"达到{_SIZE_ZH[size]}标准（{zh}）", f"meets the {size.value} floors ({en})"
    below = {m: v for m, v in row.small_floor.items() if m in figures and figures[m] < v}
    zh = "或".join(f"{MEASURE_NAMES_ZH[m]}低于{_num(v)}{MEASURE_UNITS_ZH[m]}" for m, v in below.items())
    en = " or ".join(f"{_MEASURE_EN[m]} < {_num(v)}" for m, v in below.items())
    return Size.MICRO, f"低于小型企业标准（{zh}），为微型企业", f"below the small floors ({en}): micro"


def _possible_sizes(
    row: IndustryThresholds, figures: Mapping[Measure, Decimal], missing: Sequence[Measure]
) -> tuple[Size, ...]:
    """Every class the firm could be in for some value of the missing figures (smallest first).

    The class only changes at a threshold, so each missing figure is tried at 0 and at every
    threshold the row sets on it.
    """
    candidates = [
        sorted({Decimal(0), *(b[m] for b in (row.sme_ceiling, row.medium_floor, row.small_floor) if m in b)})
        for m in missing
    ]
    found = set()
    for values in product(*candidates):
        full = {**figures, **dict(zip(missing, values, strict=True))}
        found.add(_decide(row, full)[0])
    return tuple(sorted(found, key=_RANK.__getitem__))


def effective_size(
    computed: SizeResult | Size | None,
    *,
    special_status: SpecialStatus = SpecialStatus.NONE,
    linked_to_large: bool = False,
    is_enterprise: bool = True,
    rules: SpecialRules | None = None,
    disabled_staff: int | None = None,
    staff: int | None = None,
) -> SizeResult | None:
    """The size policy treats a supplier as: special status and large-enterprise links first.

    ``rules`` are the special-status rules in force (``special_rules(snapshot)``); a welfare unit
    counts as small only when the 141号 conditions are met on ``disabled_staff`` of ``staff``.
    """
    welfare: WelfareCheck | None = None
    if special_status is SpecialStatus.PRISON_ENTERPRISE and (rules is None or rules.prison is not None):
        cites = rules.prison.citations if rules is not None and rules.prison is not None else ()
        return _counted_small(
            computed,
            "监狱企业视同小型、微型企业（财库〔2014〕68号），不重复享受政策",
            "prison enterprise: counted as small/micro (68号), no double benefit",
            cites,
        )
    if special_status is SpecialStatus.DISABLED_WELFARE_UNIT:
        welfare = check_welfare_unit(rules, disabled_staff=disabled_staff, staff=staff)
        if welfare.met:
            return _counted_small(computed, welfare.reason_zh, welfare.reason_en, welfare.citations)
    result = _ordinary_size(computed, linked_to_large=linked_to_large, is_enterprise=is_enterprise)
    if welfare is not None and result is not None:
        result = replace(
            result,
            reason_zh=f"{welfare.reason_zh}；{result.reason_zh}",
            reason_en=f"{welfare.reason_en}; {result.reason_en}",
            citations=(*welfare.citations, *result.citations),
        )
    return result


def _counted_small(
    computed: SizeResult | Size | None, reason_zh: str, reason_en: str, citations: tuple[Citation, ...]
) -> SizeResult:
    base = Size.MICRO if _size_of(computed) is Size.MICRO else Size.SMALL
    if isinstance(computed, SizeResult):
        return replace(
            computed,
            size=base,
            reason_zh=reason_zh,
            reason_en=reason_en,
            citations=citations,
            possible_sizes=(),
        )
    return SizeResult(base, reason_zh, reason_en, citations)


def _ordinary_size(
    computed: SizeResult | Size | None, *, linked_to_large: bool, is_enterprise: bool
) -> SizeResult | None:
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


def declared_only(declared: Size, *, founded_on: date, rules: SpecialRules | None) -> SizeResult:
    """A new firm's declaration with blank figures, accepted as declared (the letter is the proof)."""
    cites = rules.new_firm_years.citations if rules is not None and rules.new_firm_years else ()
    return SizeResult(
        declared,
        f"新成立企业（成立于{founded_on.isoformat()}）无上一年度数据，划型数据可不填报，按中小企业声明函认定为"
        f"{_SIZE_ZH[declared]}",
        f"a new firm (founded {founded_on.isoformat()}) has no previous year's figures: accepted as declared "
        f"({declared.value})",
        cites,
        possible_sizes=(declared,),
        declared_only=True,
    )


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
