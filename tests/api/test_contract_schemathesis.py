"""Schemathesis against the app itself (its own OpenAPI document), a bounded run: no server error,
every status, media type and body as documented. Runs on SQLite (tox py) and PostgreSQL (tox pg)."""

from typing import Any

import pytest
import schemathesis
from falcon import testing
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from procurement.organizations.models import Role
from rules.vocabulary import OrganizationKind
from tests import factories
from tests.api.helpers import headers_for

EXAMPLES_PER_OPERATION = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def admin_headers(session: Session) -> dict[str, str]:
    region = factories.OrganizationFactory(kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650000")
    factories.ContractFactory()
    return headers_for(region, Role.ADMIN)


def test_the_app_keeps_its_contract(client: testing.TestClient, admin_headers: dict[str, str]) -> None:
    """Every operation of the document, fuzzed by schemathesis' hypothesis strategies (driven here
    rather than through its pytest plugin, which does not follow pytest 9)."""
    api = schemathesis.openapi.from_wsgi("/v1/openapi.json", client.app)
    failures: list[str] = []
    operations = [result.ok() for result in api.get_all_operations()]
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,  # the same examples on every run: a failure reproduces
            database=None,
        )
        def keeps_contract(case: Any) -> None:
            case.call_and_validate(headers=admin_headers, checks=CHECKS)

        try:
            keeps_contract()
        except Exception as exc:  # collected: one report naming every operation that failed
            failures.append(f"{operation.label}: {exc}")
    assert len(operations) >= 30
    assert failures == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/contracts"),
        ("GET", "/v1/contracts/{contract_id}"),
        ("GET", "/v1/contracts/{contract_id}/events"),
        ("POST", "/v1/contracts/{contract_id}/sme-terms"),
    ],
)
def test_responses_about_a_real_contract_conform(
    client: testing.TestClient, session: Session, method: str, path: str
) -> None:
    """Random ids mostly meet 404s: these answers carry real money, percents and dates."""
    region = factories.OrganizationFactory(kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650000")
    contract = factories.ContractFactory()
    session.flush()
    api = schemathesis.openapi.from_wsgi("/v1/openapi.json", client.app)
    case = api[path][method].Case(path_parameters={"contract_id": contract.id} if "{" in path else {})
    response = case.call(headers=headers_for(region, Role.ADMIN))
    assert response.status_code == 200, response.text
    case.validate_response(response, checks=CHECKS)
