"""Size classification inputs, effective size and the declared-size finding."""

from datetime import date
from decimal import Decimal

import pytest

from rules.errors import InsufficientSizeData, InvalidInput, UnknownIndustry
from rules.policy import default_policy_book
from rules.size_table import SizeTable
from rules.sme_size import (
    SizeResult,
    classify,
    declared_size_finding,
    effective_size,
)
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


def test_welfare_unit_keeps_micro() -> None:
    result = effective_size(Size.MICRO, special_status=SpecialStatus.DISABLED_WELFARE_UNIT)
    assert result is not None and result.size is Size.MICRO


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
