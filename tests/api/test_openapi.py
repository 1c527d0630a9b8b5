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


def test_the_document_is_served_and_is_openapi_3_1(client: testing.TestClient) -> None:
    result = client.simulate_get("/v1/openapi.json")
    assert result.status_code == 200
    assert result.json["openapi"] == "3.1.0"
    assert result.json == yaml.safe_load(_generated())
