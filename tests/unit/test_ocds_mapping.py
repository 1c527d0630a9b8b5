"""OCDS mapping: the e-mall shape, missing fields as notes, the real samples of other countries."""

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest

from procurement.ocds.mapping import OcdsMappingError, map_release
from procurement.ocds.reader import read_releases
from rules.vocabulary import BondForm, BondKind, Category, EventKind, PaymentKind, Size, Trigger
from tests.data_files import OCDS_SAMPLES

SAMPLES = OCDS_SAMPLES


def emall_release(scale: str | None = "micro", **contract: Any) -> dict[str, Any]:
    supplier: dict[str, Any] = {"id": "S1", "name": "新疆某公司", "roles": ["supplier"]}
    if scale is not None:
        supplier["details"] = {"scale": scale}
    body = {
        "id": "c1",
        "awardID": "a1",
        "dateSigned": "2025-03-01T00:00:00+08:00",
        "value": {"amount": 100000.0, "currency": "CNY"},
        "milestones": [
            {"id": "pre", "code": "prepayment", "value": {"amount": 30000.0}},
            {"id": "final", "code": "postpayment", "value": {"amount": 67000.0}},
            {
                "id": "ret",
                "code": "retention",
                "dueAfterDate": "2026-04-10T00:00:00+08:00",
                "value": {"amount": 3000.0},
            },
        ],
        "guarantees": [
            {
                "id": "g1",
                "type": "performanceBond",
                "form": "cash",
                "value": {"amount": 5000.0},
                "period": {"startDate": "2025-03-01T00:00:00+08:00"},
            }
        ],
        "implementation": {
            "milestones": [
                {"type": "delivery", "status": "met", "dateMet": "2025-04-01T00:00:00+08:00"},
                {
                    "type": "assessment",
                    "title": "验收",
                    "status": "met",
                    "dateMet": "2025-04-10T00:00:00+08:00",
                },
            ],
            "transactions": [
                {"date": "2025-03-05T00:00:00+08:00", "value": {"amount": 30000.0}},
            ],
        },
    }
    body.update(contract)
    return {
        "ocid": "ocds-xj-1",
        "id": "r1",
        "buyer": {"id": "B1", "name": "某单位"},
        "parties": [
            {"id": "B1", "name": "某单位", "roles": ["buyer"], "address": {"region": "650100"}},
            supplier,
        ],
        "tender": {"mainProcurementCategory": "services"},
        "awards": [{"id": "a1", "suppliers": [{"id": "S1"}]}],
        "contracts": [body],
    }


def test_emall_release_maps_terms_bonds_and_events() -> None:
    mapped = map_release(emall_release())
    facts = mapped.facts
    assert facts is not None
    assert (mapped.ocid, mapped.region, facts.jurisdiction) == ("ocds-xj-1", "650100", "650100")
    assert facts.category is Category.SERVICES and facts.supplier_size is Size.MICRO
    assert facts.amount == Decimal("100000.0") and facts.signed_on == date(2025, 3, 1)
    kinds = [(t.kind, t.trigger, t.rate) for t in facts.payment_terms]
    assert kinds == [
        (PaymentKind.PREPAYMENT, Trigger.SIGNING, Decimal("0.3")),
        (PaymentKind.FINAL, Trigger.ACCEPTANCE, Decimal("0.67")),
        (PaymentKind.RETENTION, Trigger.WARRANTY_END, Decimal("0.03")),
    ]
    assert not any(t.days_agreed for t in facts.payment_terms)
    assert facts.warranty_months == 12
    (bond,) = facts.bonds
    assert (bond.kind, bond.rate, bond.forms) == (
        BondKind.PERFORMANCE,
        Decimal("0.05"),
        frozenset({BondForm.CASH}),
    )
    assert [e.kind for e in facts.events] == [
        EventKind.BOND_RECEIVED,
        EventKind.PAID,
        EventKind.DELIVERED,
        EventKind.ACCEPTED,
    ]
    assert mapped.notes == ()


def test_sme_of_unknown_class_counts_as_sme_but_keeps_its_published_scale() -> None:
    mapped = map_release(emall_release(scale="sme"))
    assert mapped.facts is not None and mapped.facts.supplier_size is Size.MEDIUM
    assert mapped.contracts[0].scale == "sme"


def test_missing_scale_and_milestone_values_are_notes_not_failures() -> None:
    release = emall_release(scale=None, milestones=[{"id": "m", "code": "postpayment"}])
    mapped = map_release(release)
    assert mapped.facts is not None and mapped.facts.supplier_size is None
    assert mapped.facts.payment_terms == ()
    assert any("scale missing" in n for n in mapped.notes)
    assert any("milestones[0].value: missing" in n for n in mapped.notes)


def test_unknown_scale_is_noted() -> None:
    mapped = map_release(emall_release(scale="huge"))
    assert mapped.facts is not None and mapped.facts.supplier_size is None
    assert any("unknown scale 'huge'" in n for n in mapped.notes)


def test_unreadable_date_is_noted() -> None:
    mapped = map_release(emall_release(dateSigned="yesterday"))
    assert mapped.facts is not None and mapped.facts.signed_on is None
    assert any("dateSigned" in n for n in mapped.notes)


@pytest.mark.parametrize("bad", [None, [], "text", {"id": "no ocid"}])
def test_non_release_is_an_error_naming_the_ocid(bad: Any) -> None:
    with pytest.raises(OcdsMappingError) as err:
        map_release(bad)
    assert err.value.field == "ocid"


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_every_real_sample_maps_and_reports_what_it_lacks(path: Path) -> None:
    items = list(read_releases(path))
    assert items and all(i.error is None for i in items)
    for item in items:
        mapped = map_release(item.release)
        assert mapped.contracts, item.where
        assert mapped.notes, "foreign data lacks region and scale at least"


def test_mexico_city_transactions_of_ocds_1_0_are_payments() -> None:
    item = next(read_releases(SAMPLES / "ocdskit_realdata_release-package-1.json"))
    facts = map_release(item.release).facts
    assert facts is not None and facts.currency == "MXN"
    assert len([e for e in facts.events if e.kind is EventKind.PAID]) == 11


def test_uk_award_with_sme_scale_maps_as_an_unsigned_contract() -> None:
    path = next(SAMPLES.glob("ukcf_release_*edfe8c92*.json"))
    mapped = map_release(orjson.loads(path.read_bytes()))
    contract = mapped.contracts[0]
    assert contract.scale == "sme" and contract.facts.signed_on is None
    assert contract.facts.amount == Decimal("83180")
    assert "contracts: none, active awards mapped as unsigned contracts" in mapped.notes


def test_an_ocds_1_0_supplier_named_in_the_award_is_kept() -> None:
    release = emall_release()
    release["parties"] = [release["parties"][0]]  # OCDS 1.0: no supplier party
    release["awards"] = [
        {
            "id": "a1",
            "suppliers": [{"name": "EMPRESA SA DE CV", "identifier": {"scheme": "MX-RFC", "id": "ESA9"}}],
        }
    ]
    [contract] = map_release(release).contracts
    assert contract.supplier is not None
    assert (contract.supplier.id, contract.supplier.name) == ("MX-RFC-ESA9", "EMPRESA SA DE CV")


def test_each_supplier_of_a_joint_award_left_out_is_reported() -> None:
    release = emall_release()
    release["parties"].append({"id": "S2", "name": "第二成员", "roles": ["supplier"]})
    release["awards"] = [{"id": "a1", "suppliers": [{"id": "S1"}, {"id": "S2"}]}]
    mapped = map_release(release)
    [contract] = mapped.contracts
    assert contract.supplier is not None and contract.supplier.id == "S1"
    [note] = [n for n in mapped.notes if "left out" in n]
    assert "2 suppliers" in note and "第二成员 (S2)" in note
