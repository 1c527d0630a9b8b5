"""A user's mistake is a 4xx naming the field, never a 500: nested items of a partial update are
validated whole (they raised KeyError), and integrity errors are answered by their constraint (a
NOT NULL violation was answered 409 "external_ref already exists")."""

from typing import Any

import pytest
from falcon import testing
from sqlalchemy.orm import Session

from procurement.organizations.models import Organization
from tests import factories
from tests.api.helpers import contract_body, headers_for


@pytest.fixture
def officer(session: Session) -> Organization:
    return factories.OrganizationFactory()


@pytest.fixture
def contract_id(client: testing.TestClient, officer: Organization) -> int:
    created = client.simulate_post("/v1/contracts", json=contract_body(), headers=headers_for(officer))
    assert created.status_code == 201, created.text
    return int(created.json["id"])


@pytest.mark.parametrize(
    ("patch", "missing"),
    [
        ({"consortium": [{"supplier_id": 1}]}, {"consortium.0.share_percent"}),
        ({"bonds": [{"percent": "3"}]}, {"bonds.0.kind", "bonds.0.forms"}),
        ({"payment_terms": [{"percent": "10"}]}, {"payment_terms.0.kind", "payment_terms.0.trigger"}),
    ],
)
def test_a_partial_update_validates_nested_items_whole(
    client: testing.TestClient, officer: Organization, contract_id: int, patch: Any, missing: set[str]
) -> None:
    result = client.simulate_patch(f"/v1/contracts/{contract_id}", json=patch, headers=headers_for(officer))
    assert result.status_code == 422, result.text
    assert result.headers["content-type"] == "application/problem+json"
    assert missing <= set(result.json["errors"])


def test_a_partial_update_still_leaves_top_level_fields_optional(
    client: testing.TestClient, officer: Organization, contract_id: int
) -> None:
    result = client.simulate_patch(
        f"/v1/contracts/{contract_id}", json={"title": "新标题"}, headers=headers_for(officer)
    )
    assert result.status_code == 200, result.text
    assert result.json["title"] == "新标题"


def test_a_duplicate_external_ref_is_still_a_409(
    client: testing.TestClient, officer: Organization, contract_id: int
) -> None:
    again = client.simulate_post("/v1/contracts", json=contract_body(), headers=headers_for(officer))
    assert again.status_code == 409
    assert "external_ref" in again.json["message"]["en"]


def test_integrity_errors_are_classified_by_constraint(session: Session, officer: Organization) -> None:
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    from procurement.contracts.models import Contract, PaymentTermRow
    from procurement.integrity import classify

    contract = factories.ContractFactory()
    session.flush()
    with pytest.raises(IntegrityError) as not_null, session.begin_nested():
        session.execute(insert(PaymentTermRow).values(contract_id=contract.id, position=0, percent=10))
    violation = classify(not_null.value)
    assert violation.kind == "not_null" and violation.table == "payment_terms"
    with pytest.raises(IntegrityError) as unique, session.begin_nested():
        session.execute(
            insert(Contract).values(
                {c.name: getattr(contract, c.key) for c in Contract.__table__.columns if c.name != "id"}
            )
        )
    violation = classify(unique.value)
    assert (violation.kind, violation.constraint) == ("unique", "uq_contracts_owner_org_id_external_ref")
    with pytest.raises(IntegrityError) as foreign, session.begin_nested():
        session.execute(
            insert(PaymentTermRow).values(
                contract_id=10**9, position=0, percent=10, kind="final", trigger="acceptance", days=30
            )
        )
    assert classify(foreign.value).kind == "foreign_key"


def test_the_sqlite_write_gate_timing_out_is_503_not_500(
    client: testing.TestClient, officer: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from procurement.suppliers import services

    def gate_busy(*args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("database is locked (write gate busy)")

    monkeypatch.setattr(services, "create_supplier", gate_busy)
    result = client.simulate_post("/v1/suppliers", json={"name": "供应商"}, headers=headers_for(officer))
    assert result.status_code == 503
    assert result.headers["retry-after"] == "1"
