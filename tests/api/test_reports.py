"""/v1/reports/payments: the same figures as the batch audit on the same file; JSON, CSV and XLSX by
Accept (406 otherwise); scoping by region and organization; the signing period."""

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from falcon import testing
from openpyxl import load_workbook

from procurement.batch_audit import audit_file
from procurement.organizations.models import Organization, Role
from procurement.reports.db_report import CSV, XLSX
from procurement.reports.stats import GroupStats
from rules.vocabulary import OrganizationKind
from tests import factories
from tests.api.helpers import headers_for
from tests.api.ocds_data import NDJSON, as_lines, corpus, sample_files

AS_OF = date(2026, 12, 31)  # after every event of the corpus
REPORT = "/v1/reports/payments"


@pytest.fixture
def platform() -> Organization:
    return factories.OrganizationFactory(kind=OrganizationKind.PLATFORM, region_code="650000")


@pytest.fixture
def headers(platform: Organization) -> dict[str, str]:
    return headers_for(platform, Role.PLATFORM)


def load(client: testing.TestClient, headers: dict[str, str], releases: list[Any]) -> None:
    result = client.simulate_post(
        "/v1/imports/ocds", body=as_lines(releases), headers={**headers, "Content-Type": NDJSON}
    )
    assert result.status_code == 201, result.text
    assert result.json["counts"]["rejected"] == 0


def expected(g: GroupStats) -> dict[str, Any]:
    """A batch GroupStats as the JSON report writes it."""
    return {
        k: (str(v) if isinstance(v, Decimal) else v)
        for k, v in g.as_dict().items()
        if k not in ("key", "name")
    }


def figures(item: dict[str, Any]) -> dict[str, Any]:
    skip = {"key", "name", "organization_id", "external_id", "region_code"}
    return {k: v for k, v in item.items() if k not in skip}


class TestMatchesBatchAudit:
    def test_300_releases_give_the_batch_audits_figures(
        self, client: testing.TestClient, headers: dict[str, str], tmp_path: Path
    ) -> None:
        releases = corpus(300)
        load(client, headers, releases)
        path = tmp_path / "corpus.jsonl"
        path.write_bytes(as_lines(releases))
        batch = audit_file(path, as_of=AS_OF, workers=1)
        result = client.simulate_get(REPORT, params={"as_of": AS_OF.isoformat()}, headers=headers)
        assert result.status_code == 200
        body = result.json
        assert body["total"]["contracts"] == 300
        assert figures(body["total"]) == expected(batch.stats.overall())
        assert {r["key"]: figures(r) for r in body["regions"]} == {
            g.key: expected(g) for g in batch.stats.by_region()
        }
        by_buyer = {p["external_id"]: figures(p) for p in body["purchasers"]}
        assert by_buyer == {g.key: expected(g) for g in batch.by_purchaser()}
        # the corpus has something to find, so the comparison is not of zeros
        assert body["total"]["overdue_count"] > 0
        # OCDS records no bond return and no retention release: none is shown past due
        assert body["total"]["bonds_past_due_count"] == 0
        assert body["total"]["retention_past_due_count"] == 0
        assert Decimal(body["total"]["on_time_rate"]) < 1

    def test_a_file_without_any_transaction_shows_no_payment_overdue(
        self, client: testing.TestClient, headers: dict[str, str], tmp_path: Path
    ) -> None:
        # the same releases without their transactions: the file records no payment at all, so an
        # unpaid instalment is not evidence of a late one (issue 13: evidence, not absence)
        releases = corpus(120)
        bare = [without_transactions(r) for r in releases]
        load(client, headers, bare)
        path = tmp_path / "bare.jsonl"
        path.write_bytes(as_lines(bare))
        batch = audit_file(path, as_of=AS_OF, workers=1)
        body = client.simulate_get(REPORT, params={"as_of": AS_OF.isoformat()}, headers=headers).json
        assert body["total"]["contracts"] == 120
        assert body["total"]["overdue_count"] == 0
        assert figures(body["total"]) == expected(batch.stats.overall())
        # the platform sends the file again with its transactions: payments are expected again
        load(client, headers, releases)
        again = client.simulate_get(REPORT, params={"as_of": AS_OF.isoformat()}, headers=headers).json
        assert again["total"]["overdue_count"] > 0


def without_transactions(release: dict[str, Any]) -> dict[str, Any]:
    copy = json.loads(json.dumps(release))
    for contract in copy.get("contracts") or ():
        (contract.get("implementation") or {}).pop("transactions", None)
    assert b'"transactions"' not in as_lines([copy])
    return copy


class TestFormats:
    @pytest.fixture(autouse=True)
    def _data(self, client: testing.TestClient, headers: dict[str, str]) -> None:
        load(client, headers, corpus(40))

    def test_csv(self, client: testing.TestClient, headers: dict[str, str]) -> None:
        result = client.simulate_get(
            REPORT, params={"as_of": AS_OF.isoformat()}, headers={**headers, "Accept": CSV}
        )
        assert result.status_code == 200
        assert result.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(result.text.lstrip("\ufeff"))))
        assert rows[0][0] == "层级 Level"
        assert "按时付款率 On-time payment rate" in rows[0]
        assert rows[1][:2] == ["total", "total"]
        assert int(rows[1][3]) == 40
        json_body = client.simulate_get(REPORT, params={"as_of": AS_OF.isoformat()}, headers=headers).json
        table = rows[: rows.index([])]
        assert len(table) == 2 + len(json_body["regions"]) + len(json_body["purchasers"])
        assert rows[len(table) + 1][0].startswith("统计范围") and "CNY" in rows[len(table) + 1][0]

    def test_xlsx(self, client: testing.TestClient, headers: dict[str, str]) -> None:
        result = client.simulate_get(
            REPORT, params={"as_of": AS_OF.isoformat()}, headers={**headers, "Accept": XLSX}
        )
        assert result.status_code == 200
        assert result.headers["content-type"] == XLSX
        book = load_workbook(io.BytesIO(result.content))
        names = book.sheetnames
        assert names[0] == "汇总 Summary"
        assert any("payment.overdue" in n for n in names)
        assert not any("bond.unreturned" in n for n in names)  # OCDS records no bond return
        overdue = book[next(n for n in names if "payment.overdue" in n)]
        assert overdue.freeze_panes == "A3"
        assert overdue["A1"].value == "行号" and overdue["A2"].value == "Line"
        assert overdue["I3"].number_format == "#,##0.00"  # amount, after the legal force column
        assert overdue["F3"].value == "违反强制性规定 Mandatory violation"
        assert overdue["K3"].value is not None and overdue["M3"].value  # late interest and remedy
        for sheet in book.worksheets:  # every sheet: frozen headers, an autofilter, column widths
            assert sheet.freeze_panes == "A3", sheet.title
            assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A2:"), sheet.title
            assert sheet.column_dimensions["A"].width, sheet.title
        regions = book["地区 By region"]
        names = {
            regions.cell(row, 1).value: regions.cell(row, 2).value for row in range(3, regions.max_row + 1)
        }
        assert names["650100"] == "乌鲁木齐市" and names["total"] == "合计 (total)"
        assert regions["G3"].number_format == "0.00%"
        summary = book["汇总 Summary"]
        assert len(summary._charts) == 3  # findings by kind, SME share by region, overdue by purchaser
        texts = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str)]
        assert any("强制 Mandatory" in t for t in texts) and any("逾期付款" in t for t in texts)
        total = client.simulate_get(REPORT, params={"as_of": AS_OF.isoformat()}, headers=headers).json
        assert overdue.max_row - 2 == total["total"]["overdue_count"]

    def test_anything_else_is_406(self, client: testing.TestClient, headers: dict[str, str]) -> None:
        result = client.simulate_get(REPORT, headers={**headers, "Accept": "application/xml"})
        assert result.status_code == 406

    def test_no_accept_header_gives_json(self, client: testing.TestClient, headers: dict[str, str]) -> None:
        result = client.simulate_get(REPORT, headers=headers)
        assert result.status_code == 200
        assert result.json["as_of"] == date.today().isoformat()


class TestScope:
    @pytest.fixture(autouse=True)
    def _data(self, client: testing.TestClient, headers: dict[str, str]) -> None:
        load(client, headers, corpus(40))

    def _total(self, client: testing.TestClient, headers: dict[str, str], **params: str) -> Any:
        result = client.simulate_get(REPORT, params={"as_of": AS_OF.isoformat(), **params}, headers=headers)
        assert result.status_code == 200, result.text
        return result.json

    def test_a_city_platform_sees_its_city(self, client: testing.TestClient, headers: dict[str, str]) -> None:
        everything = self._total(client, headers)
        city = headers_for(
            factories.OrganizationFactory(kind=OrganizationKind.PLATFORM, region_code="650100"), Role.PLATFORM
        )
        mine = self._total(client, city)
        assert {r["key"] for r in mine["regions"]} == {"650100"}
        expected_count = next(r["contracts"] for r in everything["regions"] if r["key"] == "650100")
        assert mine["total"]["contracts"] == expected_count

    def test_a_region_outside_the_callers_is_refused(
        self, client: testing.TestClient, headers: dict[str, str]
    ) -> None:
        city = headers_for(
            factories.OrganizationFactory(kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650100"),
            Role.AUDITOR,
        )
        result = client.simulate_get(REPORT, params={"region": "650200"}, headers=city)
        assert result.status_code == 403

    def test_region_filter_narrows(self, client: testing.TestClient, headers: dict[str, str]) -> None:
        everything = self._total(client, headers)
        narrowed = self._total(client, headers, region="650200")
        assert narrowed["total"]["contracts"] == next(
            r["contracts"] for r in everything["regions"] if r["key"] == "650200"
        )

    def test_an_officer_sees_its_own_organization_only(self, client: testing.TestClient) -> None:
        school = factories.OrganizationFactory(region_code="650102")
        assert self._total(client, headers_for(school))["total"]["contracts"] == 0

    def test_the_signing_period_filters(self, client: testing.TestClient, headers: dict[str, str]) -> None:
        releases = corpus(40)
        signed = [r["contracts"][0]["dateSigned"][:10] for r in releases]
        in_2024 = sum(1 for d in signed if d.startswith("2024"))
        assert 0 < in_2024 < 40
        body = self._total(client, headers, **{"from": "2024-01-01", "to": "2024-12-31"})
        assert body["total"]["contracts"] == in_2024
        assert (body["from"], body["to"]) == ("2024-01-01", "2024-12-31")

    def test_a_bad_date_is_422(self, client: testing.TestClient, headers: dict[str, str]) -> None:
        result = client.simulate_get(REPORT, params={"as_of": "yesterday"}, headers=headers)
        assert result.status_code == 422


class TestFollowsTheContractsApi:
    """Contracts and events recorded over the API reach the report without any import."""

    def test_an_unpaid_payment_becomes_overdue_and_its_payment_settles_it(
        self, client: testing.TestClient
    ) -> None:
        school = factories.OrganizationFactory(region_code="650102")
        supplier = factories.SupplierFactory(owner=school)  # a small wholesaler
        officer = headers_for(school)
        body = {
            "external_ref": "RPT-1",
            "supplier_id": supplier.id,
            "category": "goods",
            "amount": "100000.00",
            "purchaser_type": "public_body",
            "signed_on": "2025-08-01",
            "status": "signed",
            "acceptance_period_days": 10,
            "payment_terms": [{"kind": "final", "percent": "100", "trigger": "acceptance", "days": 20}],
        }
        created = client.simulate_post("/v1/contracts", json=body, headers=officer)
        assert created.status_code == 201
        events = f"/v1/contracts/{created.json['id']}/events"
        for kind, on in (("delivered", "2025-08-10"), ("accepted", "2025-08-15")):
            assert (
                client.simulate_post(
                    events, json={"kind": kind, "occurred_on": on}, headers=officer
                ).status_code
                == 201
            )
        params = {"from": "2025-01-01", "to": "2025-12-31", "as_of": "2025-12-31"}
        before = client.simulate_get(REPORT, params=params, headers=officer).json["total"]
        assert (before["contracts"], before["payments_due"], before["overdue_count"]) == (1, 1, 1)
        assert before["overdue_amount"] == "100000.00"
        paid = {"kind": "paid", "occurred_on": "2025-09-01", "amount": "100000.00"}
        assert client.simulate_post(events, json=paid, headers=officer).status_code == 201
        after = client.simulate_get(REPORT, params=params, headers=officer).json["total"]
        assert (after["payments_due"], after["overdue_count"]) == (1, 0)
        assert after["on_time_rate"] == "1.0000"


class TestWhatIsCounted:
    def test_the_real_samples_sum_only_yuan_and_list_the_rest_apart(
        self, client: testing.TestClient, headers: dict[str, str]
    ) -> None:
        for path in sample_files():  # MXN, PYG and GBP contracts and awards
            imported = client.simulate_post(
                "/v1/imports/ocds",
                body=path.read_bytes(),
                headers={**headers, "Content-Type": "application/json"},
            )
            assert imported.status_code == 201, imported.text
        load(client, headers, corpus(5))  # and some in yuan
        body = client.simulate_get(REPORT, params={"as_of": AS_OF.isoformat()}, headers=headers).json
        assert body["total"]["contracts"] == 5
        assert Decimal(body["total"]["value"]) == sum(
            Decimal(str(r["contracts"][0]["value"]["amount"])) for r in corpus(5)
        )
        currencies = {x["currency"] for x in body["left_out"] if x["reason"] == "currency"}
        assert {"MXN", "GBP"} <= currencies and "CNY" not in currencies
        assert "CNY" in body["counted"]["en"]

    def test_drafts_and_terminated_contracts_are_left_out_of_the_figures(
        self, client: testing.TestClient, headers: dict[str, str]
    ) -> None:
        releases = corpus(3)
        releases[1]["contracts"][0]["status"] = "cancelled"
        del releases[2]["contracts"][0]["dateSigned"]
        load(client, headers, releases)
        body = client.simulate_get(REPORT, params={"as_of": AS_OF.isoformat()}, headers=headers).json
        assert body["total"]["contracts"] == 1
        assert {(x["reason"], x["status"]) for x in body["left_out"]} == {
            ("status", "terminated"),
            ("status", "draft"),
        }

    def test_a_buyer_without_a_region_code_is_an_unknown_region_not_the_importers(
        self, client: testing.TestClient, headers: dict[str, str], tmp_path: Path
    ) -> None:
        releases = corpus(3)
        buyer_id = releases[0]["buyer"]["id"]
        for party in releases[0]["parties"]:
            if party["id"] == buyer_id:
                party["address"].pop("region", None)
        load(client, headers, releases)
        body = client.simulate_get(REPORT, params={"as_of": AS_OF.isoformat()}, headers=headers).json
        regions = {r["key"]: r for r in body["regions"]}
        assert regions["unknown"]["contracts"] == 1
        assert regions["unknown"]["name"] == "未知地区 (unknown region)"
        assert "650000" not in regions  # the importing platform's region
        path = tmp_path / "r.jsonl"
        path.write_bytes(as_lines(releases))
        batch = audit_file(path, as_of=AS_OF, workers=1)
        assert {g.key: expected(g) for g in batch.stats.by_region()} == {
            k: figures(r) for k, r in regions.items()
        }
