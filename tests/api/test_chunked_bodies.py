"""Bodies sent with ``Transfer-Encoding: chunked`` (no Content-Length) are read like any other, within
the size limit: before, every such body read as empty, and a chunked import of 3 releases answered 201
recording 0."""

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from falcon import testing
from sqlalchemy.orm import Session

from api.routes import ROUTES
from procurement.organizations.models import Organization, Role
from rules.vocabulary import OrganizationKind
from tests import factories
from tests.api.helpers import headers_for
from tests.api.ocds_data import NDJSON, as_lines, corpus

WSGIApp = Callable[..., Any]


def as_chunked(app: WSGIApp) -> WSGIApp:
    """The request as a WSGI server hands a chunked one to the app: decoded body, no CONTENT_LENGTH."""

    def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
        environ.pop("CONTENT_LENGTH", None)
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
        environ["wsgi.input_terminated"] = True
        return app(environ, start_response)

    return wrapped


@pytest.fixture
def chunked(client: testing.TestClient) -> testing.TestClient:
    return testing.TestClient(as_chunked(client.app))


@pytest.fixture
def platform() -> Organization:
    return factories.OrganizationFactory(kind=OrganizationKind.PLATFORM, region_code="650000")


BODY_ROUTES = sorted(
    (op.method.upper(), op.path)
    for route in ROUTES
    for op in route.operations
    if op.request is not None or op.more_requests
)


def test_every_body_taking_route_is_listed() -> None:
    assert len(BODY_ROUTES) >= 13


def _stable(answer: Any) -> Any:
    """An answer without what differs between two requests that each created something."""
    return {k: v for k, v in answer.items() if k not in ("id", "created_at")}


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES, ids=lambda v: str(v))
def test_every_body_taking_route_reads_a_chunked_body_as_it_reads_a_sized_one(
    client: testing.TestClient, chunked: testing.TestClient, session: Session, method: str, path: str
) -> None:
    admin = factories.OrganizationFactory(kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650000")
    headers = headers_for(admin, Role.ADMIN, **{"Content-Type": "application/json"})
    contract = factories.ContractFactory()
    session.flush()
    url = path.replace("{contract_id}", str(contract.id)).replace("{finding_id}", "1")
    body = json.dumps({"zzz_not_a_field": 1}).encode()
    sized = client.simulate_request(method, url, body=body, headers=headers)
    sent = chunked.simulate_request(method, url, body=body, headers=headers)
    assert (sent.status_code, _stable(sent.json)) == (sized.status_code, _stable(sized.json))
    if sized.status_code != 404:  # the finding does not exist: nothing is read
        # the field named in the error, or (the import) the digest of the body it received
        assert "zzz_not_a_field" in sent.text or hashlib.sha256(body).hexdigest() in sent.text


def test_a_chunked_import_records_every_release(chunked: testing.TestClient, platform: Organization) -> None:
    headers = headers_for(platform, Role.PLATFORM, **{"Content-Type": NDJSON})
    result = chunked.simulate_post("/v1/imports/ocds", body=as_lines(corpus(3)), headers=headers)
    assert result.status_code == 201, result.text
    assert result.json["counts"]["releases"] == 3, result.json


def test_a_chunked_body_past_the_limit_is_413(chunked: testing.TestClient, platform: Organization) -> None:
    headers = headers_for(platform, Role.PLATFORM, **{"Content-Type": "application/json"})
    body = b'{"name": "' + b"x" * (64 * 1024) + b'"}'  # the test settings allow 64 KiB
    result = chunked.simulate_post("/v1/suppliers", body=body, headers=headers)
    assert result.status_code == 413
    assert result.headers["content-type"] == "application/problem+json"
