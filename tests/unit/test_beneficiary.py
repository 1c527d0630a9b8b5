"""Who benefits (46号 Arts. 4, 9): manufacturers, builder, provider and consortium members decide."""

from decimal import Decimal

import pytest

from rules.beneficiary import Basis, GoodsItem, Party, Role, benefit_size
from rules.errors import InvalidInput
from rules.vocabulary import Category, Size


def supplier(size: Size | None, name: str = "供应商甲") -> Party:
    return Party(Role.SUPPLIER, name, size, "supplier")


def member(name: str, size: Size | None, percent: str) -> Party:
    return Party(Role.MEMBER, name, size, "consortium", Decimal(percent) / 100)


def item(size: Size | None, maker: str = "厂甲") -> GoodsItem:
    return GoodsItem("办公桌", maker, size)


def test_consortium_with_one_large_member_gets_no_benefit() -> None:
    # led by a small firm (60%), a large member holds 40%
    benefit = benefit_size(
        Category.SERVICES,
        supplier=supplier(Size.SMALL, "小公司"),
        consortium=[member("小公司", Size.SMALL, "60"), member("大集团", Size.LARGE, "40")],
    )
    assert benefit.size is Size.LARGE and not benefit.is_sme
    assert "大集团" in benefit.reason_zh and "联合体各方均为中小企业" in benefit.reason_zh
    assert "40%" in benefit.reason_zh


def test_consortium_all_small_is_small_and_one_medium_makes_it_medium() -> None:
    small = benefit_size(
        Category.SERVICES,
        supplier=supplier(Size.SMALL),
        consortium=[member("甲", Size.SMALL, "50"), member("乙", Size.MICRO, "50")],
    )
    assert small.size is Size.SMALL and small.is_small_or_micro
    medium = benefit_size(
        Category.SERVICES,
        supplier=supplier(Size.SMALL),
        consortium=[member("甲", Size.SMALL, "50"), member("乙", Size.MEDIUM, "50")],
    )
    assert medium.size is Size.MEDIUM and medium.is_sme and not medium.is_small_or_micro


def test_goods_with_one_large_made_item_lose_the_benefit() -> None:
    benefit = benefit_size(
        Category.GOODS,
        supplier=supplier(Size.SMALL),
        goods_items=[item(Size.SMALL), item(Size.LARGE, "大厂")],
    )
    assert benefit.size is Size.LARGE and benefit.basis is Basis.GOODS_ITEMS
    assert "大厂" in benefit.reason_zh


def test_goods_all_small_made_from_a_large_supplier_keep_the_benefit() -> None:
    benefit = benefit_size(
        Category.GOODS, supplier=supplier(Size.LARGE), goods_items=[item(Size.SMALL), item(Size.MICRO)]
    )
    assert benefit.size is Size.SMALL and benefit.is_small_or_micro


def test_goods_declared_all_sme_made_follow_the_declaration() -> None:
    benefit = benefit_size(Category.GOODS, supplier=supplier(Size.LARGE), all_goods_made_by=Size.MEDIUM)
    assert benefit.size is Size.MEDIUM and benefit.basis is Basis.GOODS_DECLARATION


def test_goods_without_item_data_follow_the_supplier_declaration() -> None:
    benefit = benefit_size(Category.GOODS, supplier=supplier(Size.MICRO))
    assert benefit.size is Size.MICRO and benefit.basis is Basis.SUPPLIER_DECLARATION


def test_an_item_without_a_maker_size_is_refused_when_the_supplier_claims_sme() -> None:
    with pytest.raises(InvalidInput) as caught:
        benefit_size(
            Category.GOODS, supplier=supplier(Size.SMALL), goods_items=[item(Size.SMALL), item(None)]
        )
    assert caught.value.field == "goods_items.1.manufacturer_size"


def test_an_unknown_maker_from_a_large_supplier_means_no_benefit() -> None:
    benefit = benefit_size(Category.GOODS, supplier=supplier(Size.LARGE), goods_items=[item(None)])
    assert benefit.size is None and not benefit.is_sme


def test_works_with_an_sme_builder_benefit_even_from_a_large_contractor() -> None:
    builder = Party(Role.BUILDER, "小建筑公司", Size.SMALL, "builder")
    benefit = benefit_size(Category.WORKS, supplier=supplier(Size.LARGE), builder=builder)
    assert benefit.size is Size.SMALL and benefit.basis is Basis.BUILDER


def test_works_without_a_builder_named_follow_the_supplier() -> None:
    assert benefit_size(Category.WORKS, supplier=supplier(Size.MEDIUM)).size is Size.MEDIUM


@pytest.mark.parametrize(("first", "second"), [("60", "39.99"), ("60", "40.01"), ("50", "49")])
def test_consortium_shares_must_add_up_to_exactly_100(first: str, second: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        benefit_size(
            Category.SERVICES,
            supplier=supplier(Size.SMALL),
            consortium=[member("甲", Size.SMALL, first), member("乙", Size.SMALL, second)],
        )
    assert caught.value.field == "consortium"


def test_a_member_twice_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        benefit_size(
            Category.SERVICES,
            supplier=supplier(Size.SMALL),
            consortium=[member("甲", Size.SMALL, "50"), member("甲", Size.SMALL, "50")],
        )
    assert caught.value.field == "consortium.1"
