"""Special status and new firms: prison enterprises (68号), welfare units for the disabled (141号),
and a new firm's declaration with blank figures. The numbers and citations come from the pack."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from rules.errors import InvalidInput, ParameterNotInForce
from rules.findings import Citation
from rules.policy import ParamValue, PolicySnapshot


@dataclass(frozen=True, slots=True)
class SpecialRules:
    """What the pack in force says; a rule not in force on the date is None."""

    prison: ParamValue | None
    welfare_min_share: ParamValue | None
    welfare_min_staff: ParamValue | None
    new_firm_years: ParamValue | None


def _param(snapshot: PolicySnapshot, name: str) -> ParamValue | None:
    try:
        return snapshot.param(name)
    except ParameterNotInForce:
        return None


def _build(snapshot: PolicySnapshot) -> SpecialRules:
    return SpecialRules(
        prison=_param(snapshot, "size.prison_enterprise.counts_as_small_micro"),
        welfare_min_share=_param(snapshot, "size.welfare_unit.min_disabled_share"),
        welfare_min_staff=_param(snapshot, "size.welfare_unit.min_disabled_staff"),
        new_firm_years=_param(snapshot, "size.new_firm.declared_only_years"),
    )


def special_rules(snapshot: PolicySnapshot) -> SpecialRules:
    return snapshot.memo("rules.special_status", _build)


@dataclass(frozen=True, slots=True)
class WelfareCheck:
    met: bool
    reason_zh: str
    reason_en: str
    citations: tuple[Citation, ...]


def _pct(rate: Decimal) -> str:
    return f"{format((rate * 100).normalize(), 'f')}%"


def check_welfare_unit(
    rules: SpecialRules | None, *, disabled_staff: int | None, staff: int | None
) -> WelfareCheck:
    """141号: at least the pack's share and number of disabled staff; anything unknown is not met."""
    if disabled_staff is not None and (disabled_staff < 0 or (staff is not None and disabled_staff > staff)):
        raise InvalidInput(
            f"残疾人职工人数{disabled_staff}不得为负数，也不得超过在职职工人数{staff}",
            f"disabled staff ({disabled_staff}) must be >= 0 and not above the staff count ({staff})",
            field="disabled_staff",
        )
    if rules is None or rules.welfare_min_share is None or rules.welfare_min_staff is None:
        return WelfareCheck(
            False,
            "该日期无残疾人福利性单位政策（财库〔2017〕141号）可适用，不按小型企业对待",
            "no welfare-unit rule (141号) is in force on the date: not counted as small",
            (),
        )
    share: Decimal = rules.welfare_min_share.value  # type: ignore[assignment]
    least: int = rules.welfare_min_staff.value  # type: ignore[assignment]
    cites = tuple(dict.fromkeys((*rules.welfare_min_share.citations, *rules.welfare_min_staff.citations)))
    needs_zh = f"残疾人占在职职工{_pct(share)}以上且不少于{least}人"
    needs_en = f"disabled persons at least {_pct(share)} of the staff and at least {least}"
    if disabled_staff is None or not staff:
        return WelfareCheck(
            False,
            f"自称残疾人福利性单位，但未提供残疾人职工人数和在职职工人数，无法核实（{needs_zh}），不按小型企业对待",
            f"claims to be a welfare unit, but the disabled and total staff counts are not given to check "
            f"({needs_en}): not counted as small on the flag alone",
            cites,
        )
    actual = Decimal(disabled_staff) / Decimal(staff)
    shown_zh = f"残疾人{disabled_staff}人，占在职职工{staff}人的{_pct(actual.quantize(Decimal('0.0001')))}"
    shown_en = f"{disabled_staff} disabled of {staff} staff"
    if actual >= share and disabled_staff >= least:
        return WelfareCheck(
            True,
            f"残疾人福利性单位：{shown_zh}，满足{needs_zh}的条件，视同小型、微型企业，不重复享受政策",
            f"welfare unit for the disabled: {shown_en} meets {needs_en}; counted as small/micro, "
            "no double benefit",
            cites,
        )
    return WelfareCheck(
        False,
        f"自称残疾人福利性单位，但{shown_zh}，不满足{needs_zh}的条件，不按小型企业对待",
        f"claims to be a welfare unit, but {shown_en} falls short of {needs_en}: not counted as small",
        cites,
    )


def is_new_firm(rules: SpecialRules | None, *, founded_on: date | None, on: date) -> bool:
    """Founded this year or within the pack's years before: no previous year's figures to give."""
    if rules is None or rules.new_firm_years is None or founded_on is None:
        return False
    years: int = rules.new_firm_years.value  # type: ignore[assignment]
    return on.year - years <= founded_on.year <= on.year
