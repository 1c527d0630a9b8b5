"""The API's contract-create format as a batch-audit input (``smeproc audit --input-format contract``).

One JSON object a line: the fields of ``POST /v1/contracts`` (percentages 0-100), plus
``supplier`` (the fields of ``POST /v1/suppliers`` inline: name, external_id, industry, employees,
revenue_wan, assets_wan, declared_size, special_status, linked_to_large), optional ``purchaser``
({id, name, region_code}) for the statistics, and optional ``events`` (the fields of ``POST
/v1/contracts/{id}/events``). Checked with plain code (procurement does not import api); a record
that breaks a rule raises ``rules.errors.InvalidInput`` naming the field, and the batch reports it.
"""

from collections.abc import Mapping
from contextlib import suppress
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from procurement.ocds.mapping import MappedContract, MappedRelease, PartyRef
from rules.contract import BondTerm, ContractFacts, Event, PaymentTerm
from rules.errors import InsufficientSizeData, InvalidInput, PolicyNotInForce
from rules.policy import default_policy_book
from rules.sme_size import classify, effective_size
from rules.special_status import special_rules
from rules.vocabulary import (
    BondForm,
    BondKind,
    Category,
    ContractStatus,
    DayType,
    EventKind,
    Industry,
    PaymentKind,
    PurchaserType,
    Size,
    SpecialStatus,
    Trigger,
)

E = TypeVar("E", bound=StrEnum)
HUNDRED = Decimal(100)
CONTRACT_FIELDS = frozenset(
    {
        "external_ref", "purchaser_id", "supplier_id", "consortium", "title", "category", "amount",
        "currency", "purchaser_type", "announced_on", "signed_on", "jurisdiction", "sme_reserved",
        "status", "acceptance_period_days", "warranty_months", "settlement_tied_to_audit",
        "payment_terms", "bonds", "supplier", "purchaser", "events", "supplier_scale",
    }
)  # fmt: skip
SUPPLIER_FIELDS = frozenset(
    {
        "name", "credit_code", "external_id", "industry", "employees", "revenue_wan", "assets_wan",
        "declared_size", "special_status", "linked_to_large", "disabled_staff",
    }
)  # fmt: skip
NATIONAL = "cn"


def _bad(field: str, zh: str, en: str) -> InvalidInput:
    return InvalidInput(f"{field}: {zh}", f"{field}: {en}", field=field)


def _get(record: Mapping[str, Any], name: str, where: str, required: bool = False) -> Any:
    value = record.get(name)
    if value is None and required:
        raise _bad(f"{where}{name}", "必填", "required")
    return value


def _enum(kind: type[E], value: Any, field: str) -> E:
    try:
        return kind(value)
    except ValueError:
        valid = ", ".join(m.value for m in kind)
        raise _bad(
            field, f"无效的值 {value!r}（可选：{valid}）", f"invalid {value!r} (one of {valid})"
        ) from None


def _decimal(value: Any, field: str, low: Decimal = Decimal(0), high: Decimal | None = None) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _bad(field, "须为数字", "must be a number")
    try:
        number = Decimal(repr(value) if isinstance(value, float) else value)
    except InvalidOperation:
        raise _bad(field, "须为数字", "must be a number") from None
    if not number.is_finite() or number < low or (high is not None and number > high):
        raise _bad(field, "超出范围", "out of range")
    return number


def _date(value: Any, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _bad(field, "日期格式须为 YYYY-MM-DD", "a date as YYYY-MM-DD") from None


def _int(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _bad(field, "须为非负整数", "a non-negative integer")
    return value


def _list(record: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    items = record.get(name) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise _bad(name, "须为对象列表", "must be a list of objects")
    return items


def _terms(record: Mapping[str, Any]) -> tuple[PaymentTerm, ...]:
    out = []
    for i, t in enumerate(_list(record, "payment_terms")):
        where = f"payment_terms.{i}."
        out.append(
            PaymentTerm(
                kind=_enum(PaymentKind, _get(t, "kind", where, True), where + "kind"),
                rate=_decimal(_get(t, "percent", where, True), where + "percent", high=HUNDRED) / HUNDRED,
                trigger=_enum(Trigger, _get(t, "trigger", where, True), where + "trigger"),
                days=_int(_get(t, "days", where, True), where + "days") or 0,
                day_type=_enum(DayType, t.get("day_type") or "calendar", where + "day_type"),
                held_months=_int(t.get("held_months"), where + "held_months"),
            )
        )
    if sum((t.rate for t in out), Decimal(0)) > 1:
        raise _bad("payment_terms", "付款比例合计超过100%", "percents add up to more than 100")
    return tuple(out)


def _bonds(record: Mapping[str, Any]) -> tuple[BondTerm, ...]:
    out = []
    for i, b in enumerate(_list(record, "bonds")):
        where = f"bonds.{i}."
        forms = _get(b, "forms", where, True)
        if not isinstance(forms, list) or not forms:
            raise _bad(where + "forms", "至少一种形式", "at least one form")
        out.append(
            BondTerm(
                kind=_enum(BondKind, _get(b, "kind", where, True), where + "kind"),
                rate=_decimal(_get(b, "percent", where, True), where + "percent", high=HUNDRED) / HUNDRED,
                forms=frozenset(_enum(BondForm, f, where + "forms") for f in forms),
                return_days=_int(b.get("return_days"), where + "return_days"),
            )
        )
    return tuple(out)


def _events(record: Mapping[str, Any]) -> tuple[Event, ...]:
    out = []
    for i, e in enumerate(_list(record, "events")):
        where = f"events.{i}."
        amount = e.get("amount")
        on = _date(_get(e, "occurred_on", where, True), where + "occurred_on")
        assert on is not None
        out.append(
            Event(
                kind=_enum(EventKind, _get(e, "kind", where, True), where + "kind"),
                on=on,
                amount=_decimal(amount, where + "amount") if amount is not None else None,
                ref=str(e["ref"]) if e.get("ref") is not None else None,
            )
        )
    return tuple(sorted(out, key=lambda e: e.on))


def _supplier_size(supplier: Mapping[str, Any], jurisdiction: str, on: date | None) -> Size | None:
    """The effective size: classified from the figures where the industry is known, else declared."""
    unknown = set(supplier) - SUPPLIER_FIELDS
    if unknown:
        raise _bad("supplier", f"未知字段 {sorted(unknown)}", f"unknown fields {sorted(unknown)}")
    declared = supplier.get("declared_size")
    computed: Any = _enum(Size, declared, "supplier.declared_size") if declared else None
    industry = supplier.get("industry")
    snapshot = None
    # without a pack in force: the declaration stands, and a welfare unit's conditions cannot be
    # checked (no small status on the flag alone)
    with suppress(PolicyNotInForce):
        snapshot = default_policy_book().at(jurisdiction, on) if on is not None else None
    if industry is not None and snapshot is not None:
        revenue, assets = supplier.get("revenue_wan"), supplier.get("assets_wan")
        with suppress(InsufficientSizeData):  # the declaration stands
            computed = classify(
                _enum(Industry, industry, "supplier.industry"),
                employees=_int(supplier.get("employees"), "supplier.employees"),
                revenue_wan=_decimal(revenue, "supplier.revenue_wan") if revenue is not None else None,
                assets_wan=_decimal(assets, "supplier.assets_wan") if assets is not None else None,
                table=snapshot.size_table,
            )
    special = _enum(SpecialStatus, supplier.get("special_status") or "none", "supplier.special_status")
    result = effective_size(
        computed,
        special_status=special,
        linked_to_large=bool(supplier.get("linked_to_large")),
        rules=special_rules(snapshot) if snapshot is not None else None,
        disabled_staff=_int(supplier.get("disabled_staff"), "supplier.disabled_staff"),
        staff=_int(supplier.get("employees"), "supplier.employees"),
    )
    return result.size if result is not None else None


def map_contract(record: Any) -> MappedRelease:
    """One contract-create object (see the module docstring) as a ``MappedRelease`` of one contract."""
    if not isinstance(record, dict):
        raise InvalidInput("不是 JSON 对象", "not a JSON object", field="record")
    unknown = set(record) - CONTRACT_FIELDS
    if unknown:
        raise _bad("record", f"未知字段 {sorted(unknown)}", f"unknown fields {sorted(unknown)}")
    ref = _get(record, "external_ref", "", True)
    purchaser = record.get("purchaser") or {}
    if not isinstance(purchaser, dict):
        raise _bad("purchaser", "须为对象", "must be an object")
    region = purchaser.get("region_code")
    jurisdiction = str(record.get("jurisdiction") or region or NATIONAL)
    signed_on = _date(record.get("signed_on"), "signed_on")
    status = record.get("status")
    signed = status is not None and _enum(ContractStatus, status, "status") is not ContractStatus.DRAFT
    if signed and signed_on is None:
        raise _bad("signed_on", "已签订的合同必须有签订日期", "a signed contract needs signed_on")
    supplier = record.get("supplier")
    if supplier is not None and not isinstance(supplier, dict):
        raise _bad("supplier", "须为对象", "must be an object")
    size = _supplier_size(supplier, jurisdiction, signed_on) if supplier else None
    scale = record.get("supplier_scale") or (size.value if size else None)
    amount = _decimal(_get(record, "amount", "", True), "amount")
    facts = ContractFacts(
        category=_enum(Category, _get(record, "category", "", True), "category"),
        amount=amount,
        purchaser_type=_enum(PurchaserType, _get(record, "purchaser_type", "", True), "purchaser_type"),
        supplier_size=size,
        signed_on=signed_on,
        jurisdiction=jurisdiction,
        announced_on=_date(record.get("announced_on"), "announced_on"),
        sme_reserved=bool(record.get("sme_reserved", False)),
        payment_terms=_terms(record),
        bonds=_bonds(record),
        acceptance_period_days=_int(record.get("acceptance_period_days"), "acceptance_period_days"),
        warranty_months=_int(record.get("warranty_months"), "warranty_months"),
        settlement_tied_to_audit=bool(record.get("settlement_tied_to_audit", False)),
        events=_events(record),
        currency=str(record.get("currency") or "CNY"),
    )
    supplier_ref = None
    if supplier:
        supplier_ref = PartyRef(
            str(supplier.get("external_id") or supplier.get("credit_code") or ""),
            str(supplier.get("name", "")),
            scale,
        )
    buyer = (
        PartyRef(str(purchaser.get("id", "")), str(purchaser.get("name", "")), None, region)
        if purchaser
        else None
    )
    contract = MappedContract(str(ref), facts, supplier_ref, scale)
    return MappedRelease(
        ocid=str(ref), release_id=str(ref), buyer=buyer, region=region, contracts=(contract,)
    )
