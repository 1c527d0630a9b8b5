"""Size classification inputs, effective size and the declared-size finding."""

from datetime import date
from decimal import Decimal

import pytest

from rules.errors import InsufficientSizeData, InvalidInput, UnknownIndustry
from rules.policy import default_policy_book
from rules.size_table import Measure, SizeTable
from rules.sme_size import (
    SizeResult,
    classify,
    declared_size_finding,
    effective_size,
)
from rules.special_status import special_rules
from rules.vocabulary import Industry, LegalForce, Severity, Size, SpecialStatus


@pytest.fixture
def table() -> SizeTable:
    return default_policy_book().at("cn", date(2025, 1, 1)).size_table


def test_unknown_industry_lists_the_valid_ones(table: SizeTable) -> None:
    with pytest.raises(UnknownIndustry) as caught:
        classify("炼金术", employees=5, revenue_wan=None, assets_wan=None, table=table)
    assert "工业" in caught.value.message_zh
    assert "其他未列明行业" in caught.value.message_en
    assert len(caught.value.valid) == 16
    assert caught.value.field == "industry"


def test_industry_by_english_member_name(table: SizeTable) -> None:
    result = classify(
        "construction", employees=None, revenue_wan=Decimal(300), assets_wan=Decimal(300), table=table
    )
    assert result.size is Size.SMALL


def test_negative_figures_are_rejected(table: SizeTable) -> None:
    with pytest.raises(InvalidInput) as caught:
        classify(Industry.INDUSTRY, employees=-1, revenue_wan=None, assets_wan=None, table=table)
    assert caught.value.field == "employees"


def test_no_relevant_figure_is_an_error(table: SizeTable) -> None:
    # agriculture is classified on revenue alone; employees do not help
    with pytest.raises(InsufficientSizeData):
        classify(Industry.AGRICULTURE, employees=50, revenue_wan=None, assets_wan=None, table=table)


def test_missing_figure_classifies_on_the_figures_given(table: SizeTable) -> None:
    result = classify(
        Industry.INDUSTRY, employees=None, revenue_wan=Decimal(500), assets_wan=None, table=table
    )
    assert result.size is Size.SMALL
    assert "未提供从业人员" in result.reason_zh


def test_either_figure_under_the_ceiling_makes_an_sme(table: SizeTable) -> None:
    result = classify(
        Industry.INDUSTRY, employees=5000, revenue_wan=Decimal("39999.99"), assets_wan=None, table=table
    )
    assert result.size is Size.MEDIUM
    assert result.is_sme
    assert result.citations[0].doc_id == "300号"


def test_prison_enterprise_counts_as_small_even_if_large() -> None:
    large = SizeResult(Size.LARGE, "", "")
    result = effective_size(large, special_status=SpecialStatus.PRISON_ENTERPRISE)
    assert result is not None and result.size is Size.SMALL
    assert "68号" in result.reason_zh


def test_welfare_unit_meeting_141hao_keeps_micro() -> None:
    rules = special_rules(default_policy_book().at("cn", date(2025, 8, 1)))
    result = effective_size(
        Size.MICRO,
        special_status=SpecialStatus.DISABLED_WELFARE_UNIT,
        rules=rules,
        disabled_staff=10,
        staff=40,
    )
    assert result is not None and result.size is Size.MICRO
    assert [c.doc_id for c in result.citations] == ["141号"]


@pytest.mark.parametrize(
    ("disabled", "staff", "counted_small"),
    [
        (10, 40, True),  # exactly 25% and exactly 10 persons
        (9, 36, False),  # 25%, one person short
        (10, 41, False),  # 10 persons, 24.39%
        (30, 100, True),
        (None, 100, False),  # the flag alone
    ],
)
def test_welfare_unit_counts_as_small_only_on_the_141hao_conditions(
    disabled: int | None, staff: int, counted_small: bool
) -> None:
    rules = special_rules(default_policy_book().at("cn", date(2025, 8, 1)))
    large = SizeResult(Size.LARGE, "大型", "large")
    result = effective_size(
        large,
        special_status=SpecialStatus.DISABLED_WELFARE_UNIT,
        rules=rules,
        disabled_staff=disabled,
        staff=staff,
    )
    assert result is not None
    assert (result.size is Size.SMALL) is counted_small
    assert "141号" in {c.doc_id for c in result.citations}


def test_no_welfare_rule_before_141hao_took_force() -> None:
    rules = special_rules(default_policy_book().at("cn", date(2017, 9, 30)))
    result = effective_size(
        Size.MEDIUM,
        special_status=SpecialStatus.DISABLED_WELFARE_UNIT,
        rules=rules,
        disabled_staff=20,
        staff=40,
    )
    assert result is not None and result.size is Size.MEDIUM


def test_more_disabled_staff_than_staff_is_refused() -> None:
    rules = special_rules(default_policy_book().at("cn", date(2025, 8, 1)))
    with pytest.raises(InvalidInput) as caught:
        effective_size(
            Size.SMALL,
            special_status=SpecialStatus.DISABLED_WELFARE_UNIT,
            rules=rules,
            disabled_staff=41,
            staff=40,
        )
    assert caught.value.field == "disabled_staff"


def test_prison_enterprise_cites_68hao_in_citations() -> None:
    rules = special_rules(default_policy_book().at("cn", date(2025, 8, 1)))
    result = effective_size(Size.LARGE, special_status=SpecialStatus.PRISON_ENTERPRISE, rules=rules)
    assert result is not None and result.size is Size.SMALL
    assert [c.doc_id for c in result.citations] == ["68号"]


def test_a_size_answer_cites_no_threshold_on_a_figure_it_did_not_get(table: SizeTable) -> None:
    result = classify(Industry.INDUSTRY, employees=500, revenue_wan=None, assets_wan=None, table=table)
    assert result.size is Size.MEDIUM
    assert "2000" not in result.reason_zh and "revenue_wan >=" not in result.reason_en
    assert result.figures_missing == (Measure.REVENUE_WAN,)
    assert result.possible_sizes == (Size.MICRO, Size.SMALL, Size.MEDIUM)


def test_a_missing_figure_that_cannot_change_the_class_leaves_one_possible(table: SizeTable) -> None:
    # 工业 revenue 100: under the small floor (300) whatever the staff, so micro for certain
    result = classify(
        Industry.INDUSTRY, employees=None, revenue_wan=Decimal(100), assets_wan=None, table=table
    )
    assert result.size is Size.MICRO and result.possible_sizes == (Size.MICRO,)
    assert "不影响" in result.reason_zh


def test_large_on_one_figure_could_be_any_class(table: SizeTable) -> None:
    result = classify(Industry.INDUSTRY, employees=2000, revenue_wan=None, assets_wan=None, table=table)
    assert result.size is Size.LARGE
    assert result.possible_sizes == (Size.MICRO, Size.SMALL, Size.MEDIUM, Size.LARGE)


def test_link_to_a_large_enterprise_excludes_an_sme() -> None:
    result = effective_size(Size.SMALL, linked_to_large=True)
    assert result is not None and not result.is_sme


def test_non_enterprise_gets_no_benefit() -> None:
    result = effective_size(Size.SMALL, is_enterprise=False)
    assert result is not None and not result.is_sme


def test_unknown_size_stays_unknown() -> None:
    assert effective_size(None) is None


def test_declaring_smaller_than_computed_is_a_violation() -> None:
    computed = SizeResult(Size.MEDIUM, "中型", "medium")
    finding = declared_size_finding(Size.SMALL, computed, policy_version="cn@x")
    assert finding is not None
    assert finding.severity is Severity.VIOLATION
    assert finding.evidence == {"declared": "small", "computed": "medium"}
    assert finding.policy_version == "cn@x"


def test_declaring_larger_than_computed_is_advice() -> None:
    finding = declared_size_finding(Size.MEDIUM, SizeResult(Size.MICRO, "", ""))
    assert finding is not None and finding.legal_force is LegalForce.ENCOURAGED


def test_matching_or_missing_declaration_is_no_finding() -> None:
    assert declared_size_finding(Size.SMALL, SizeResult(Size.SMALL, "", "")) is None
    assert declared_size_finding(None, SizeResult(Size.SMALL, "", "")) is None
