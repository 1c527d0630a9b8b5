"""The committed openapi.yaml is what the code generates, and every route is documented."""

import re
from pathlib import Path

import yaml
from falcon import inspect, testing

from api.app import create_app
from api.openapi import as_yaml, build_spec
from api.routes import ROUTES
from config.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _generated() -> str:
    return as_yaml(build_spec(op for route in ROUTES for op in route.operations))


def test_the_committed_document_matches_the_code() -> None:
    committed = (ROOT / "openapi.yaml").read_text(encoding="utf-8")
    assert committed == _generated(), "run `smeproc openapi --output openapi.yaml` and commit it"


def test_every_route_and_method_is_documented(settings: Settings) -> None:
    app = create_app(settings)
    documented = {(op.path, op.method.upper()) for route in ROUTES for op in route.operations}
    served = set()
    for route in inspect.inspect_routes(app):
        path = re.sub(r":int(\([^)]*\))?", "", route.path)
        if not path.startswith("/v1/"):  # the pages (/desk/, /audit/, /signin) are HTML, not the API
            continue
        for method in route.methods:
            if method.internal:
                continue
            served.add((path, method.method))
    assert served == documented


def test_the_document_is_served_and_is_openapi_3_1(client: testing.TestClient, settings: Settings) -> None:
    result = client.simulate_get("/v1/openapi.json")
    assert result.status_code == 200
    assert result.json["openapi"] == "3.1.0"
    served = build_spec(
        (op for route in ROUTES for op in route.operations), max_page_size=settings.max_page_size
    )
    assert result.json == yaml.safe_load(as_yaml(served))


def test_the_document_is_valid_openapi_3_1() -> None:
    from openapi_spec_validator import validate

    validate(yaml.safe_load(_generated()))


def test_money_and_percent_are_decimal_strings_and_limit_is_bounded() -> None:
    document = yaml.safe_load(_generated())
    contract = document["components"]["schemas"]["ContractCreate"]["properties"]
    assert contract["amount"]["type"] == "string" and contract["amount"]["pattern"].startswith("^")
    assert "minimum" not in contract["amount"]
    term = document["components"]["schemas"]["PaymentTerm"]["properties"]["percent"]
    assert (
        term["type"] == "string" and re.match(term["pattern"], "100") and not re.match(term["pattern"], "101")
    )
    limits = [
        p["schema"]["maximum"]
        for operations in document["paths"].values()
        for operation in operations.values()
        for p in operation.get("parameters", ())
        if p.get("name") == "limit"
    ]
    assert limits and set(limits) == {Settings().max_page_size}
    report = document["paths"]["/v1/reports/payments"]["get"]["responses"]
    assert {"application/json", "text/csv"} <= set(report["200"]["content"])
    assert "../" not in yaml.safe_dump(document)
