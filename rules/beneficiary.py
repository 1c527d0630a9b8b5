"""Who benefits (46号 Arts. 4, 9): the size the SME terms follow, from the parties that count.

Goods: every item's manufacturer (the supplier itself may be large); works: the builder; services:
the provider; a consortium: every member. The benefit is the largest size among them; one large or
unknown party loses it. The citations come from the policy pack (``size.benefit.every_party_sme``).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from rules.errors import InvalidInput
from rules.findings import Citation
from rules.vocabulary import Category, Size

_RANK = {Size.MICRO: 0, Size.SMALL: 1, Size.MEDIUM: 2, Size.LARGE: 3}
SIZE_ZH = {Size.MICRO: "微型企业", Size.SMALL: "小型企业", Size.MEDIUM: "中型企业", Size.LARGE: "大型企业"}
_ONE = Decimal(1)


class Basis(StrEnum):
    """Whose size decided the benefit."""

    GOODS_ITEMS = "goods_items"  # the manufacturer of every goods item
    GOODS_DECLARATION = "goods_declaration"  # a declaration that every item is made by firms this size
    SUPPLIER_DECLARATION = "supplier_declaration"  # goods without item data: the supplier's letter
    BUILDER = "builder"
    PROVIDER = "provider"
    UNDECIDED = "undecided"  # stored data the rule cannot read (shares not adding up ...)


class Role(StrEnum):
    SUPPLIER = "supplier"
    MANUFACTURER = "manufacturer"
    BUILDER = "builder"
    MEMBER = "consortium_member"


_ROLE_ZH = {
    Role.SUPPLIER: "供应商",
    Role.MANUFACTURER: "制造商",
    Role.BUILDER: "施工单位",
    Role.MEMBER: "联合体成员",
}


@dataclass(frozen=True, slots=True)
class Party:
    """One party whose size counts; ``field`` is where its size came from in the input."""

    role: Role
    name: str
    size: Size | None
    field: str
    share: Decimal | None = None  # a consortium member's share of the contract, as a fraction

    def label_zh(self) -> str:
        share = f"（份额{_percent(self.share)}）" if self.share is not None else ""
        return f"{_ROLE_ZH[self.role]}{self.name}{share}"

    def label_en(self) -> str:
        share = f" ({_percent(self.share)})" if self.share is not None else ""
        return f"{self.role.value.replace('_', ' ')} {self.name}{share}".rstrip()

    def as_dict(self) -> dict[str, Any]:
        return {
            "role": self.role.value,
            "name": self.name,
            "size": self.size.value if self.size else None,
            "share_percent": None if self.share is None else _percent(self.share).rstrip("%"),
        }


@dataclass(frozen=True, slots=True)
class GoodsItem:
    name: str
    manufacturer: str
    manufacturer_size: Size | None


@dataclass(frozen=True, slots=True)
class Benefit:
    """The size the SME terms follow (None: no benefit can be given), whose size decided it, why."""

    size: Size | None
    basis: Basis
    reason_zh: str
    reason_en: str
    parties: tuple[Party, ...]
    citations: tuple[Citation, ...] = ()

    @property
    def is_sme(self) -> bool:
        return self.size is not None and self.size.is_sme

    @property
    def is_small_or_micro(self) -> bool:
        return self.size is not None and self.size.is_small_or_micro

    def as_dict(self) -> dict[str, Any]:
        return {
            "size": self.size.value if self.size else None,
            "is_sme": self.is_sme,
            "is_small_or_micro": self.is_small_or_micro,
            "basis": self.basis.value,
            "reason": {"zh": self.reason_zh, "en": self.reason_en},
            "parties": [p.as_dict() for p in self.parties],
            "citations": [c.as_dict() for c in self.citations],
        }


def _percent(share: Decimal) -> str:
    text = format((share * 100).normalize(), "f")
    return f"{text}%"


def check_consortium(members: Sequence[Party], *, field: str = "consortium") -> None:
    """Shares must add up to exactly 100% and no member may appear twice."""
    seen: dict[str, int] = {}
    for index, member in enumerate(members):
        key = member.name.strip()
        if key in seen:
            raise InvalidInput(
                f"联合体成员{key}重复出现（第{seen[key] + 1}、{index + 1}项）",
                f"consortium member {key} appears twice (entries {seen[key]}, {index})",
                field=f"{field}.{index}",
            )
        seen[key] = index
    total = sum((m.share or Decimal(0) for m in members), Decimal(0))
    if members and total != _ONE:
        raise InvalidInput(
            f"联合体各方份额合计应为100%，现为{_percent(total)}",
            f"consortium shares must add up to 100%, they add up to {_percent(total)}",
            field=field,
        )


def _goods_parties(
    supplier: Party,
    items: Sequence[GoodsItem],
    all_goods_made_by: Size | None,
    items_field: str,
) -> tuple[Basis, list[Party]]:
    if items:
        claims_sme = supplier.size is not None and supplier.size.is_sme
        parties = []
        for index, item in enumerate(items):
            field = f"{items_field}.{index}.manufacturer_size"
            if item.manufacturer_size is None and claims_sme:
                raise InvalidInput(
                    f"供应商按中小企业享受政策，货物“{item.name}”须填写制造商{item.manufacturer}的规模",
                    f"the supplier claims SME status: give the size of {item.manufacturer}, "
                    f"the manufacturer of {item.name}",
                    field=field,
                )
            parties.append(Party(Role.MANUFACTURER, item.manufacturer, item.manufacturer_size, field))
        return Basis.GOODS_ITEMS, parties
    if all_goods_made_by is not None:
        declared = Party(
            Role.MANUFACTURER, "（声明全部货物的制造商）", all_goods_made_by, "all_goods_made_by"
        )
        return Basis.GOODS_DECLARATION, [declared]
    # the goods declaration letter itself states that the goods are made by SMEs of the declared size
    return Basis.SUPPLIER_DECLARATION, [supplier]


def benefit_size(
    category: Category,
    *,
    supplier: Party,
    goods_items: Sequence[GoodsItem] = (),
    all_goods_made_by: Size | None = None,
    builder: Party | None = None,
    consortium: Sequence[Party] = (),
    citations: tuple[Citation, ...] = (),
    items_field: str = "goods_items",
    consortium_field: str = "consortium",
) -> Benefit:
    """The benefit size per 46号 Arts. 4 and 9; raises ``InvalidInput`` naming the field at fault."""
    check_consortium(consortium, field=consortium_field)
    if category is Category.GOODS:
        basis, parties = _goods_parties(supplier, goods_items, all_goods_made_by, items_field)
    elif category is Category.WORKS:
        basis, parties = Basis.BUILDER, [builder or supplier]
    else:
        basis, parties = Basis.PROVIDER, [supplier]
    parties = parties + list(consortium)
    unknown = [p for p in parties if p.size is None]
    if unknown:
        who_zh = "、".join(p.label_zh() for p in unknown)
        who_en = ", ".join(p.label_en() for p in unknown)
        return Benefit(
            None,
            basis,
            f"{who_zh}的规模不明，不能认定为中小企业，不给予中小企业合同条款",
            f"the size of {who_en} is unknown: no SME terms",
            tuple(parties),
            citations,
        )
    largest = max(_RANK[p.size] for p in parties if p.size is not None)
    size = next(s for s, rank in _RANK.items() if rank == largest)
    deciding = [p for p in parties if p.size is size]
    zh, en = _why(basis, size, deciding, bool(consortium))
    return Benefit(size, basis, zh, en, tuple(parties), citations)


_BASIS_ZH = {
    Basis.GOODS_ITEMS: ("全部货物的制造商", "every item's manufacturer"),
    Basis.GOODS_DECLARATION: ("声明的全部货物制造商", "the declared manufacturers of every item"),
    Basis.SUPPLIER_DECLARATION: (
        "供应商（未列明货物制造商，按其中小企业声明函所声明的货物制造商规模）",
        "the supplier (no items listed: its SME declaration letter speaks for the goods)",
    ),
    Basis.BUILDER: ("施工单位", "the builder"),
    Basis.UNDECIDED: ("", ""),
    Basis.PROVIDER: ("服务提供者", "the provider"),
}


def _why(basis: Basis, size: Size, deciding: Sequence[Party], consortium: bool) -> tuple[str, str]:
    who_zh, who_en = _BASIS_ZH[basis]
    if consortium:
        who_zh += "及联合体各方"
        who_en += " and every consortium member"
    named_zh = "、".join(p.label_zh() for p in deciding)
    named_en = ", ".join(p.label_en() for p in deciding)
    if size is Size.LARGE:
        rule_zh = (
            "联合体各方均为中小企业的，联合体才视同中小企业"
            if any(p.role is Role.MEMBER for p in deciding)
            else "一方为大型企业即不享受中小企业扶持政策"
        )
        return (
            f"按{who_zh}认定：{named_zh}为大型企业；{rule_zh}，不给予中小企业合同条款",
            f"judged on {who_en}: {named_en} is large; "
            + (
                "a consortium counts as an SME only if every member is"
                if any(p.role is Role.MEMBER for p in deciding)
                else "one large party loses the benefit"
            )
            + ": no SME terms",
        )
    return (
        f"按{who_zh}中规模最大者认定为{SIZE_ZH[size]}（{named_zh}）",
        f"judged on {who_en}: the largest is {size.value} ({named_en})",
    )
