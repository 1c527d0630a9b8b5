"""Evaluation helpers: price deduction for small/micro bidders and consortia, reservation duty.

Both read the policy in force on the procurement announcement date (pass that snapshot).
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from rules.errors import InvalidInput, RateOutOfRange
from rules.findings import Citation
from rules.policy import ParamValue, PolicySnapshot
from rules.terms import pct
from rules.vocabulary import Category, LegalForce, Size

_FEN = Decimal("0.01")
_ZERO = Decimal(0)


class DeductionKind(StrEnum):
    SMALL_MICRO = "small_micro"  # the bidder is small or micro (or a consortium all of them)
    CONSORTIUM = "consortium"  # a consortium or subcontract giving small/micro firms a share


def _group(category: Category) -> str:
    return "works" if category is Category.WORKS else "goods_services"


def _cites(*params: ParamValue) -> tuple[Citation, ...]:
    return tuple(dict.fromkeys(c for p in params for c in p.citations))


@dataclass(frozen=True, slots=True)
class Deduction:
    applies: bool
    rate: Decimal  # the rate applied: the stated rate, or 0 where none applies
    quote: Decimal
    evaluated_price: Decimal
    allowed_min: Decimal
    allowed_max: Decimal
    reason_zh: str
    reason_en: str
    citations: tuple[Citation, ...]
    policy_version: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "applies": self.applies,
            "rate": str(self.rate),
            "quote": str(self.quote),
            "evaluated_price": str(self.evaluated_price),
            "allowed_range": [str(self.allowed_min), str(self.allowed_max)],
            "reason": {"zh": self.reason_zh, "en": self.reason_en},
            "citations": [c.as_dict() for c in self.citations],
            "policy_version": self.policy_version,
        }


def deduction_range(
    snapshot: PolicySnapshot, *, category: Category, kind: DeductionKind
) -> tuple[ParamValue, ParamValue]:
    prefix = f"evaluation.deduction.{kind.value}.{_group(category)}"
    return snapshot.param(f"{prefix}.min_rate"), snapshot.param(f"{prefix}.max_rate")


def check_deduction_rate(
    snapshot: PolicySnapshot, *, category: Category, kind: DeductionKind, rate: Decimal
) -> tuple[ParamValue, ParamValue]:
    """Raise ``RateOutOfRange`` naming the range when a stated rate lies outside it."""
    if not _ZERO <= rate <= 1:
        raise InvalidInput(
            "扣除比例应在0%–100%之间", "a deduction rate must lie within 0-100%", field="stated_rate"
        )
    low, high = deduction_range(snapshot, category=category, kind=kind)
    if not low.value <= rate <= high.value:  # type: ignore[operator]
        cited = "、".join(f"{c.doc_id}{c.article}" for c in low.citations)
        raise RateOutOfRange(
            pct(rate),
            pct(low.value),  # type: ignore[arg-type]
            pct(high.value),  # type: ignore[arg-type]
            field="stated_rate",
            basis_zh=f"（{cited}，公告日 {snapshot.on.isoformat()}）",
        )
    return low, high


def price_deduction(
    snapshot: PolicySnapshot,
    *,
    category: Category,
    quote: Decimal,
    stated_rate: Decimal,
    kind: DeductionKind = DeductionKind.SMALL_MICRO,
    bidder_size: Size | None = None,
    small_micro_share: Decimal | None = None,
    reserved: bool = False,
) -> Deduction:
    """Evaluated price = quote x (1 - rate) where the bidder qualifies; the rate must be in range."""
    if quote < 0:
        raise InvalidInput("报价不得为负数", "the quote must not be negative", field="quote")
    if small_micro_share is not None and not _ZERO <= small_micro_share <= 1:
        raise InvalidInput(
            "小微企业份额应在0%–100%之间",
            "the small/micro share must lie within 0-100%",
            field="small_micro_share",
        )
    if reserved:
        return _reserved_package(snapshot, quote=quote, stated_rate=stated_rate)
    low, high = check_deduction_rate(snapshot, category=category, kind=kind, rate=stated_rate)
    cites = _cites(low, high)
    if kind is DeductionKind.SMALL_MICRO:
        applies = bidder_size is not None and bidder_size.is_small_or_micro
        zh, en = (
            ("小微企业报价给予价格扣除", "small/micro bidder: price deducted")
            if applies
            else ("中型、大型企业或规模不明的投标人不给予扣除", "no deduction for this bidder's size")
        )
    else:
        share = snapshot.param("evaluation.deduction.consortium.min_small_micro_share")
        cites = _cites(low, high, share)
        applies = small_micro_share is not None and small_micro_share >= share.value  # type: ignore[operator]
        zh, en = (
            (
                f"小微企业合同份额达到{pct(share.value)}以上，给予价格扣除",  # type: ignore[arg-type]
                f"small/micro share reaches {pct(share.value)}: price deducted",  # type: ignore[arg-type]
            )
            if applies
            else (
                f"小微企业合同份额不足{pct(share.value)}，不给予扣除",  # type: ignore[arg-type]
                f"small/micro share under {pct(share.value)}: no deduction",  # type: ignore[arg-type]
            )
        )
    rate = stated_rate if applies else _ZERO
    evaluated = (quote * (1 - rate)).quantize(_FEN, rounding=ROUND_HALF_UP)
    return Deduction(
        applies,
        rate,
        quote,
        evaluated,
        low.value,  # type: ignore[arg-type]
        high.value,  # type: ignore[arg-type]
        zh,
        en,
        cites,
        snapshot.version,
    )


def _reserved_package(snapshot: PolicySnapshot, *, quote: Decimal, stated_rate: Decimal) -> Deduction:
    """Inside a package reserved for SMEs the pack's rate (none) is right; any other is refused."""
    allowed = snapshot.param("evaluation.deduction.reserved_package.rate")
    rate: Decimal = allowed.value  # type: ignore[assignment]
    cites = _cites(allowed)
    if stated_rate != rate:
        cited = "、".join(f"{c.doc_id}{c.article}" for c in cites)
        raise InvalidInput(
            f"预留给中小企业的采购包内不给予价格扣除，扣除比例应为{pct(rate)}，不应为{pct(stated_rate)}（{cited}）",
            f"no price deduction inside a package reserved for SMEs: the rate must be {pct(rate)}, "
            f"not {pct(stated_rate)}",
            field="stated_rate",
        )
    return Deduction(
        False,
        rate,
        quote,
        quote.quantize(_FEN, rounding=ROUND_HALF_UP),
        rate,
        rate,
        f"预留份额内不再给予价格扣除，扣除比例{pct(rate)}",
        f"no deduction inside a reserved package: {pct(rate)}",
        cites,
        snapshot.version,
    )


@dataclass(frozen=True, slots=True)
class ReservationDuty:
    whole_project: bool
    min_reserved_amount: Decimal
    min_small_micro_amount: Decimal
    reason_zh: str
    reason_en: str
    citations: tuple[Citation, ...]
    policy_version: str
    # the shares the law sets above the threshold (of the suitable part; of the reserved part)
    min_reserved_share: Decimal | None = None
    min_small_micro_share: Decimal | None = None
    legal_force: LegalForce | None = None  # of the provisions cited; None where no duty arises

    @property
    def has_duty(self) -> bool:
        return self.whole_project or self.min_reserved_amount > 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "whole_project": self.whole_project,
            "min_reserved_amount": str(self.min_reserved_amount),
            "min_small_micro_amount": str(self.min_small_micro_amount),
            "min_reserved_share": None if self.min_reserved_share is None else str(self.min_reserved_share),
            "min_small_micro_share": None
            if self.min_small_micro_share is None
            else str(self.min_small_micro_share),
            "reason": {"zh": self.reason_zh, "en": self.reason_en},
            "citations": [c.as_dict() for c in self.citations],
            "policy_version": self.policy_version,
        }


def _at_least(amount: Decimal) -> Decimal:
    return amount.quantize(_FEN, rounding=ROUND_CEILING)


def reservation_duty(
    snapshot: PolicySnapshot,
    *,
    category: Category,
    budget: Decimal,
    suitable_amount: Decimal | None = None,
    suitable_for_sme: bool = True,
    above_procurement_threshold: bool = True,
) -> ReservationDuty:
    """Up to the threshold (inclusive, 以下) the whole project is for SMEs; above it a share
    of the part suitable for SMEs, of which a share again for small/micro firms."""
    if budget < 0 or (suitable_amount is not None and not _ZERO <= suitable_amount <= budget):
        raise InvalidInput(
            "预算金额不得为负数，适宜部分不得超过预算",
            "the budget must be >= 0 and the suitable part within it",
            field="budget" if budget < 0 else "suitable_amount",
        )
    group = _group(category)
    ceiling = snapshot.param(f"evaluation.reservation.whole_project.{group}.max_amount")
    version = snapshot.version
    if not suitable_for_sme or not above_procurement_threshold:
        why_zh = "不适宜由中小企业提供" if not suitable_for_sme else "未达到政府采购限额标准"
        why_en = "not suitable for SMEs" if not suitable_for_sme else "below the procurement threshold"
        return ReservationDuty(
            False, _ZERO, _ZERO, f"{why_zh}，无预留义务", f"{why_en}: no duty", (), version
        )
    limit: Decimal = ceiling.value  # type: ignore[assignment]
    if budget <= limit:
        return ReservationDuty(
            True,
            budget,
            _ZERO,
            f"预算{budget}元，未超过{limit}元，应当专门面向中小企业采购",
            f"budget {budget} is within {limit}: the whole project is for SMEs",
            ceiling.citations,
            version,
            legal_force=ceiling.legal_force,
        )
    share = snapshot.param(f"evaluation.reservation.{group}.min_share")
    small_share = snapshot.param("evaluation.reservation.small_micro_min_share")
    base = budget if suitable_amount is None else suitable_amount
    reserved = _at_least(base * share.value)  # type: ignore[operator]
    small = _at_least(reserved * small_share.value)  # type: ignore[operator]
    return ReservationDuty(
        False,
        reserved,
        small,
        f"预算{budget}元，超过{limit}元：适宜部分{base}元的{pct(share.value)}以上（不少于{reserved}元）"  # type: ignore[arg-type]
        f"预留给中小企业，其中{pct(small_share.value)}以上（不少于{small}元）预留给小微企业",  # type: ignore[arg-type]
        f"budget {budget} exceeds {limit}: reserve at least {reserved} for SMEs, "
        f"of which at least {small} for small/micro firms",
        _cites(ceiling, share, small_share),
        version,
        share.value,  # type: ignore[arg-type]
        small_share.value,  # type: ignore[arg-type]
        share.legal_force,
    )
