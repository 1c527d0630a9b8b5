"""Evaluation helpers: the out-of-range error names the range; results are JSON-ready."""

import json
from datetime import date
from decimal import Decimal

import pytest

from rules.errors import RateOutOfRange, RulesError
from rules.evaluation import DeductionKind, price_deduction, reservation_duty
from rules.policy import default_policy_book
from rules.vocabulary import Category, Size


def test_rate_out_of_range_names_range_basis_and_field() -> None:
    snapshot = default_policy_book().at("cn", date(2022, 7, 1))
    with pytest.raises(RateOutOfRange) as caught:
        price_deduction(snapshot, category=Category.GOODS, quote=Decimal(100), stated_rate=Decimal("0.08"))
    err = caught.value
    assert isinstance(err, RulesError)
    assert err.field == "stated_rate"
    assert "10%–20%" in err.message_zh and "19号" in err.message_zh
    assert "10%–20%" in err.message_en


def test_deduction_result_is_json_ready_and_cites_the_law() -> None:
    snapshot = default_policy_book().at("650102", date(2021, 3, 1))
    result = price_deduction(
        snapshot,
        category=Category.SERVICES,
        quote=Decimal("500000"),
        stated_rate=Decimal("0.08"),
        kind=DeductionKind.SMALL_MICRO,
        bidder_size=Size.MICRO,
    )
    data = json.loads(json.dumps(result.as_dict()))
    assert data["evaluated_price"] == "460000.00"
    assert data["allowed_range"] == ["0.06", "0.10"]
    assert data["citations"][0]["doc_id"] == "46号"
    assert data["policy_version"].startswith("cn-65@")


def test_reservation_duty_rejects_a_suitable_part_above_the_budget() -> None:
    snapshot = default_policy_book().at("cn", date(2025, 1, 1))
    with pytest.raises(RulesError) as caught:
        reservation_duty(snapshot, category=Category.GOODS, budget=Decimal(100), suitable_amount=Decimal(101))
    assert caught.value.field == "suitable_amount"


def test_no_duty_when_not_suitable_for_smes() -> None:
    snapshot = default_policy_book().at("cn", date(2025, 1, 1))
    duty = reservation_duty(snapshot, category=Category.GOODS, budget=Decimal(100), suitable_for_sme=False)
    assert not duty.has_duty
    assert json.loads(json.dumps(duty.as_dict()))["whole_project"] is False
