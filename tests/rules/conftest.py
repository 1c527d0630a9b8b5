"""Collect the law cases: every tests/rules/*.yaml file is a list of cases of one kind.

Kinds: ``size`` (classification), ``param`` (a pack value on a date), ``terms`` (the terms
engine on one contract), ``deduction`` and ``reservation`` (evaluation helpers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from rules import errors
from rules.contract import BondTerm, ContractFacts, PaymentTerm
from rules.contract_text import adjustment_clauses
from rules.evaluation import DeductionKind, price_deduction, reservation_duty
from rules.policy import PolicySnapshot, default_policy_book
from rules.schedule import decide
from rules.sme_size import classify
from rules.terms import evaluate_terms
from rules.vocabulary import (
    BondForm,
    BondKind,
    Category,
    DayType,
    PaymentKind,
    PurchaserType,
    Size,
    Trigger,
)


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and file_path.parent == Path(__file__).parent:
        return LawFile.from_parent(parent, path=file_path)
    return None


class LawFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        kind = data["kind"]
        if kind not in RUNNERS:
            raise ValueError(f"{self.path.name}: unknown kind {kind!r}")
        for index, case in enumerate(data["cases"]):
            name = case.get("name") or f"case{index}"
            yield LawCase.from_parent(self, name=f"{index:03d} {name}", kind=kind, case=case)


class LawCase(pytest.Item):
    def __init__(self, *, kind: str, case: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kind = kind
        self.case = case

    def runtest(self) -> None:
        RUNNERS[self.kind](self.case)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> str:  # type: ignore[override]
        return f"law case failed: {excinfo.value!r}\ncase: {self.case}"

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"{self.kind}: {self.name}"


def _snapshot(case: dict[str, Any]) -> PolicySnapshot:
    return default_policy_book().at(str(case.get("jurisdiction", "cn")), case["date"])


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def run_size(case: dict[str, Any]) -> None:
    table = _snapshot({"date": case.get("date", date(2025, 1, 1))}).size_table
    result = classify(
        case["industry"],
        employees=case.get("employees"),
        revenue_wan=_dec(case.get("revenue_wan")),
        assets_wan=_dec(case.get("assets_wan")),
        table=table,
    )
    assert result.size is Size(case["expect"]), (result.size, result.reason_en)


def run_param(case: dict[str, Any]) -> None:
    expect = case["expect"]
    if expect == "no_pack":
        with pytest.raises(errors.PolicyNotInForce):
            _snapshot(case)
        return
    snapshot = _snapshot(case)
    found = snapshot.get(case["param"])
    if expect == "absent":
        assert found is None, found
        return
    assert found is not None, f"{case['param']} not in force"
    assert str(found.value) == str(expect), (found.value, expect)
    if "doc" in case:
        assert found.citations[0].doc_id == case["doc"], found.citations
    if "cites" in case:  # every document cited that day, not only the first
        assert [c.doc_id for c in found.citations] == case["cites"], found.citations
    if "default" in case:
        assert found.is_default is case["default"]


def _facts(raw: dict[str, Any]) -> ContractFacts:
    terms = tuple(
        PaymentTerm(
            PaymentKind(t["kind"]),
            Decimal(str(t["rate"])),
            Trigger(t["trigger"]),
            int(t["days"]),
            DayType(t.get("day_type", "calendar")),
            t.get("held_months"),
            t.get("days_agreed", True),
        )
        for t in raw.get("payment_terms", ())
    )
    bonds = tuple(
        BondTerm(
            BondKind(b["kind"]),
            Decimal(str(b["rate"])),
            frozenset(BondForm(f) for f in b["forms"]),
            b.get("return_days"),
        )
        for b in raw.get("bonds", ())
    )
    size = raw.get("supplier_size")
    return ContractFacts(
        category=Category(raw["category"]),
        amount=Decimal(str(raw["amount"])),
        purchaser_type=PurchaserType(raw.get("purchaser_type", "public_body")),
        supplier_size=Size(size) if size else None,
        signed_on=raw["signed_on"],
        jurisdiction=str(raw.get("jurisdiction", "cn")),
        sme_reserved=raw.get("sme_reserved", False),
        payment_terms=terms,
        bonds=bonds,
        acceptance_period_days=raw.get("acceptance_period_days"),
        settlement_tied_to_audit=raw.get("settlement_tied_to_audit", False),
    )


def run_terms(case: dict[str, Any]) -> None:
    facts = _facts(case["contract"])
    assert facts.signed_on is not None
    result = evaluate_terms(facts, default_policy_book().at(facts.jurisdiction, facts.signed_on))
    expect = case["expect"]
    by_field = {a.field: a for a in result.adjustments}
    if "findings" in expect:
        assert sorted(f.rule_id for f in result.findings) == sorted(expect["findings"]), [
            f.rule_id for f in result.findings
        ]
    for rule_id, severity in expect.get("severity", {}).items():
        assert [f.severity.value for f in result.findings if f.rule_id == rule_id] == [severity]
    if "adjustment_fields" in expect:
        assert sorted(by_field) == sorted(expect["adjustment_fields"]), sorted(by_field)
    for field, after in expect.get("adjustments", {}).items():
        assert field in by_field, f"no adjustment of {field}: {sorted(by_field)}"
        got = by_field[field].after
        got_text = sorted(str(g) for g in got) if isinstance(got, frozenset) else str(got)
        assert got_text == after, (field, got_text, after)
    for field in expect.get("no_adjustments", ()):
        assert field not in by_field, by_field[field]
    for field, force in expect.get("legal_force", {}).items():
        assert by_field[field].legal_force.value == force, (field, by_field[field].legal_force)
    for rule_id, force in expect.get("rule_force", {}).items():
        assert {a.legal_force.value for a in result.adjustments if a.rule_id == rule_id} == {force}, rule_id
    decided = decide(facts, {a.rule_id for a in result.adjustments}, result.adjustments)
    clauses = adjustment_clauses(decided, facts, result.adjustments)
    for adjustment in result.adjustments:
        assert adjustment.citations, adjustment.field
        assert clauses[adjustment.field] and adjustment.message_zh and adjustment.message_en


def run_deduction(case: dict[str, Any]) -> None:
    snapshot = _snapshot(case)

    def call() -> Any:
        size = case.get("bidder_size")
        return price_deduction(
            snapshot,
            category=Category(case["category"]),
            quote=Decimal(str(case["quote"])),
            stated_rate=Decimal(str(case["stated_rate"])),
            kind=DeductionKind(case.get("kind", "small_micro")),
            bidder_size=Size(size) if size else None,
            small_micro_share=_dec(case.get("small_micro_share")),
            reserved=case.get("reserved", False),
        )

    expect = case["expect"]
    if "error" in expect:
        with pytest.raises(getattr(errors, expect["error"])) as caught:
            call()
        if "range" in expect:
            assert expect["range"] in caught.value.message_en, caught.value.message_en
        return
    result = call()
    assert result.applies is expect["applies"]
    assert str(result.evaluated_price) == str(expect["evaluated_price"])


def run_reservation(case: dict[str, Any]) -> None:
    result = reservation_duty(
        _snapshot(case),
        category=Category(case["category"]),
        budget=Decimal(str(case["budget"])),
        suitable_amount=_dec(case.get("suitable_amount")),
    )
    expect = case["expect"]
    assert result.whole_project is expect["whole_project"]
    assert str(result.min_reserved_amount) == str(expect["min_reserved_amount"])
    assert str(result.min_small_micro_amount) == str(expect.get("min_small_micro_amount", "0"))


RUNNERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "size": run_size,
    "param": run_param,
    "terms": run_terms,
    "deduction": run_deduction,
    "reservation": run_reservation,
}
