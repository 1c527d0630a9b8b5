"""Who benefits from a contract (46号 Arts. 4, 9), from a stored contract or an API body.

The supplier's effective size is decided elsewhere (``facts.supplier_size``); this module gathers
the other parties that count (manufacturers, builder, consortium members) and asks the rule.
"""

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from procurement.contracts.models import Contract
from rules.beneficiary import Basis, Benefit, GoodsItem, Party, Role, benefit_size
from rules.errors import InvalidInput, PolicyNotInForce
from rules.findings import Citation
from rules.policy import PolicySnapshot
from rules.vocabulary import Size

HUNDRED = Decimal(100)
BENEFIT_PARAMETER = "size.benefit.every_party_sme"


def benefit_citations(snapshot: PolicySnapshot | None) -> tuple[Citation, ...]:
    """46号 Arts. 4 and 9 as the pack cites them; none before the pack holds the rule (pre-2021)."""
    if snapshot is None:
        return ()
    try:
        return snapshot.param(BENEFIT_PARAMETER).citations
    except PolicyNotInForce:
        return ()


def _items(rows: Sequence[Any]) -> list[GoodsItem]:
    get = (lambda r, n: r.get(n)) if rows and isinstance(rows[0], Mapping) else getattr
    return [GoodsItem(get(r, "name"), get(r, "manufacturer"), get(r, "manufacturer_size")) for r in rows]


def body_benefit(
    fields: Mapping[str, Any],
    *,
    supplier_size: Size | None,
    member_size: Callable[[int, Mapping[str, Any]], Size | None],
    snapshot: PolicySnapshot | None,
) -> Benefit:
    """The benefit of a contract body (``/v1/checks/terms``, the CLI): members carry their facts."""
    name = (fields.get("supplier") or {}).get("name") or ""
    supplier = Party(Role.SUPPLIER, name, supplier_size, "supplier")
    members = [
        Party(
            Role.MEMBER,
            m["name"],
            member_size(i, m),
            f"consortium.{i}",
            m["share_percent"] / HUNDRED,
        )
        for i, m in enumerate(fields.get("consortium") or ())
    ]
    return benefit_size(
        fields["category"],
        supplier=supplier,
        goods_items=_items(fields.get("goods_items") or ()),
        all_goods_made_by=fields.get("all_goods_made_by"),
        builder=_builder(fields),
        consortium=members,
        citations=benefit_citations(snapshot),
    )


def _builder(values: Mapping[str, Any]) -> Party | None:
    # the works builder when it is not the supplier itself (a subcontracted construction firm)
    if values.get("builder_size") is None and not values.get("builder_name"):
        return None
    return Party(Role.BUILDER, values.get("builder_name") or "", values.get("builder_size"), "builder_size")


def stored_benefit(
    values: Mapping[str, Any] | Contract,
    *,
    supplier_name: str,
    supplier_size: Size | None,
    members: Sequence[tuple[str, Size | None, Decimal]],
    snapshot: PolicySnapshot | None,
    strict: bool = True,
) -> Benefit:
    """The benefit of a stored (or just inserted) contract; ``members`` as (name, size, percent).

    ``strict`` raises on data the rule cannot read (a new contract: the caller's 422); otherwise
    (rows stored before the checks existed) the answer is no benefit, saying why, so one bad row does
    not stop a report or an obligations refresh.
    """
    if not strict:
        try:
            return stored_benefit(
                values,
                supplier_name=supplier_name,
                supplier_size=supplier_size,
                members=members,
                snapshot=snapshot,
            )
        except InvalidInput as exc:
            return Benefit(
                None,
                Basis.UNDECIDED,
                f"无法认定受益企业规模（{exc.message_zh}），不给予中小企业合同条款",
                f"who benefits cannot be decided ({exc.message_en}): no SME terms",
                (),
                benefit_citations(snapshot),
            )

    def get(name: str) -> Any:
        return values.get(name) if isinstance(values, Mapping) else getattr(values, name)

    builder = _builder({"builder_name": get("builder_name"), "builder_size": get("builder_size")})
    return benefit_size(
        get("category"),
        supplier=Party(Role.SUPPLIER, supplier_name, supplier_size, "supplier_id"),
        goods_items=_items(list(get("goods_items") or ())),
        all_goods_made_by=get("all_goods_made_by"),
        builder=builder,
        consortium=[
            Party(Role.MEMBER, name, size, f"consortium.{i}", percent / HUNDRED)
            for i, (name, size, percent) in enumerate(members)
        ],
        citations=benefit_citations(snapshot),
    )
