"""The contract-create format as a batch-audit input: mapping, plain-code validation, and a run."""

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest

from procurement.batch_audit import MAPPERS, audit_file
from procurement.imports.contract_format import map_contract
from rules.errors import InvalidInput
from rules.vocabulary import EventKind, Size, Trigger
from tests.api.helpers import contract_body

SUPPLIER = {
    "name": "新疆某办公设备有限公司",
    "external_id": "S-1",
    "industry": "批发业",
    "employees": 12,
    "revenue_wan": "3200",
    "assets_wan": "900",
}
EVENTS = [
    {"kind": "accepted", "occurred_on": "2025-08-25"},
    {"kind": "delivered", "occurred_on": "2025-08-20"},
]


def record(**overrides: Any) -> dict[str, Any]:
    body = contract_body(
        supplier=SUPPLIER,
        purchaser={"id": "P-1", "name": "某中学", "region_code": "650102"},
        events=EVENTS,
    )
    body.update(overrides)
    return body


class TestMapping:
    def test_terms_supplier_and_events(self) -> None:
        mapped = map_contract(record())
        facts = mapped.facts
        assert facts is not None
        assert facts.payment_terms[0].rate == Decimal("0.9")
        assert facts.payment_terms[0].trigger is Trigger.ACCEPTANCE
        assert facts.bonds[0].rate == Decimal("0.1")
        assert facts.supplier_size is Size.SMALL  # classified from the figures (wholesale)
        assert [e.kind for e in facts.events] == [EventKind.DELIVERED, EventKind.ACCEPTED]
        assert facts.jurisdiction == "650102"
        assert (mapped.region, mapped.buyer and mapped.buyer.id) == ("650102", "P-1")
        assert mapped.contracts[0].scale == "small"

    def test_the_declaration_stands_without_figures(self) -> None:
        mapped = map_contract(record(supplier={"name": "x", "declared_size": "micro"}))
        assert mapped.facts is not None and mapped.facts.supplier_size is Size.MICRO

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"colour": "red"}, "record"),
            ({"category": "food"}, "category"),
            ({"amount": "-1"}, "amount"),
            ({"signed_on": "01/08/2025"}, "signed_on"),
            ({"signed_on": None}, "signed_on"),
            (
                {"payment_terms": [{"kind": "final", "percent": "101", "trigger": "acceptance", "days": 1}]},
                "payment_terms.0.percent",
            ),
            ({"bonds": [{"kind": "performance", "percent": "5", "forms": []}]}, "bonds.0.forms"),
            ({"events": [{"kind": "paid"}]}, "events.0.occurred_on"),
            ({"supplier": {"name": "x", "shoe_size": 4}}, "supplier"),
        ],
    )
    def test_bad_input_names_the_field(self, change: dict[str, Any], field: str) -> None:
        with pytest.raises(InvalidInput) as caught:
            map_contract(record(**change))
        assert caught.value.message_en.startswith(field)


class TestBatch:
    def test_registered_and_audited(self, tmp_path: Path) -> None:
        assert MAPPERS["contract"] is map_contract
        path = tmp_path / "contracts.jsonl"
        lines = [record(), record(external_ref="B", category="food"), record(external_ref="C")]
        path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in lines))
        summary = audit_file(path, as_of=date(2025, 12, 31), workers=1, fmt="contract")
        assert summary.contracts == 2
        assert summary.findings["payment.overdue"] == 2  # accepted 08-25, 60 days agreed, never paid
        assert summary.errors[0][0] == "line 2"
        assert "category" in summary.errors[0][1]
        assert summary.stats.overall().small_micro_contracts == 2
