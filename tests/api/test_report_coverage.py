"""The payments report's workbook fills its coverage table from the latest completed audit run
over the region (named, with its period and date), and says so when there is none."""

import io
from typing import Any

import pytest
from falcon import testing
from openpyxl import load_workbook
from sqlalchemy import Connection

from procurement.organizations.models import Role
from procurement.reports.db_report import XLSX
from rules.vocabulary import OrganizationKind
from tests import factories
from tests.api.helpers import WorkingClient, headers_for
from tests.api.ocds_data import NDJSON, as_lines, corpus

REPORT = "/v1/reports/payments"
AS_OF = "2026-12-31"


@pytest.fixture
def client(client: testing.TestClient, connection: Connection) -> testing.TestClient:
    return WorkingClient(client.app, connection)


@pytest.fixture
def auditor() -> dict[str, str]:
    finance = factories.OrganizationFactory(kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650000")
    return headers_for(finance, Role.AUDITOR)


@pytest.fixture
def platform() -> dict[str, str]:
    org = factories.OrganizationFactory(kind=OrganizationKind.PLATFORM, region_code="650000")
    return headers_for(org, Role.PLATFORM)


def summary_rows(client: testing.TestClient, headers: dict[str, str]) -> list[list[Any]]:
    result = client.simulate_get(REPORT, params={"as_of": AS_OF}, headers={**headers, "Accept": XLSX})
    assert result.status_code == 200, result.text
    sheet = load_workbook(io.BytesIO(result.content))["汇总 Summary"]
    return [[c.value for c in row] for row in sheet.iter_rows()]


def coverage_table(rows: list[list[Any]]) -> dict[tuple[str, str], int]:
    start = next(i for i, r in enumerate(rows) if r[0] == "规则覆盖 Coverage: rule")
    table = {}
    for row in rows[start + 1 :]:
        if not row[0]:
            break
        table[(row[0], row[1].rsplit("(", 1)[1].rstrip(")"))] = row[2]
    return table


def test_the_coverage_table_is_the_latest_audit_runs(
    client: testing.TestClient, auditor: dict[str, str], platform: dict[str, str]
) -> None:
    loaded = client.simulate_post(
        "/v1/imports/ocds", body=as_lines(corpus(30)), headers={**platform, "Content-Type": NDJSON}
    )
    assert loaded.status_code == 201, loaded.text
    before = summary_rows(client, auditor)
    assert any(isinstance(r[1], str) and "no completed audit run" in r[1] for r in before)
    assert coverage_table(before) == {}
    started = client.simulate_post(
        "/v1/audit-runs", json={"from": "2000-01-01", "to": "2030-12-31", "as_of": AS_OF}, headers=auditor
    )
    assert started.status_code == 202, started.text
    run = client.simulate_get(started.headers["location"], headers=auditor).json
    assert run["state"] == "completed"
    rows = summary_rows(client, auditor)
    assert any(isinstance(r[1], str) and f"audit run {run['id']}" in r[1] for r in rows)
    coverage = run["summary"]["coverage"]
    expected = {(rule, reason): n for rule, reasons in coverage.items() for reason, n in reasons.items()}
    assert coverage_table(rows) == expected
    # the imported releases record no bond return: the table says so, it does not count them unreturned
    assert any(reason.startswith("not_applicable:") for _, reason in expected)
    assert sum(n for (rule, _), n in expected.items() if rule == "payment.overdue") == 30
