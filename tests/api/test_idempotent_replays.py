"""Every POST of the API, retried with the same Idempotency-Key, answers exactly as the first time.

A route's resource either stores its first response and replays it (status, body, Location,
ETag) or changes nothing (stateless checks and previews), so a retry is always safe. A POST route
added without a case here fails the first test.
"""

from collections.abc import Callable
from typing import Any

import pytest
from falcon import testing

from api.routes import ROUTES
from procurement.organizations.models import Organization, OrganizationKind, Role
from rules.credit_code import with_check_character
from tests import factories
from tests.api.helpers import contract_body, headers_for

Case = Callable[[testing.TestClient, Organization], tuple[str, dict[str, Any]]]


def _contract(client: testing.TestClient, school: Organization) -> int:
    body = contract_body(external_ref="IDEM-1")
    created = client.simulate_post("/v1/contracts", json=body, headers=headers_for(school))
    assert created.status_code == 201, created.json
    contract_id: int = created.json["id"]
    return contract_id


def _apply(client: testing.TestClient, school: Organization) -> tuple[str, dict[str, Any]]:
    supplier = factories.SupplierFactory(owner=school, declared_size="small")
    body = contract_body(external_ref="IDEM-APPLY", supplier_id=supplier.id)
    contract_id = client.simulate_post("/v1/contracts", json=body, headers=headers_for(school)).json["id"]
    preview = client.simulate_post(f"/v1/contracts/{contract_id}/sme-terms", headers=headers_for(school)).json
    accepted = sorted({a["rule_id"] for a in preview["adjustments"]})
    return f"/v1/contracts/{contract_id}/sme-terms/apply", {"accepted": accepted, "declined": []}


PUBLIC_HOOK = "https://93.184.215.14/hook"  # a public address: production mode accepts it unresolved


def _delivery(client: testing.TestClient, platform: Organization) -> tuple[str, dict[str, Any]]:
    from procurement.events.services import emit_event
    from procurement.webhooks.models import WebhookDelivery

    created = client.simulate_post(
        "/v1/webhooks",
        json={"url": PUBLIC_HOOK, "event_types": ["import.completed"]},
        headers=headers_for(platform, Role.PLATFORM),
    )
    assert created.status_code == 201, created.json
    session = factories.current_session()
    event = emit_event(
        session, type="import.completed", organization_id=platform.id, region_code="650000", data={}
    )
    delivery = WebhookDelivery(subscription_id=created.json["id"], event_id=event.id)
    session.add(delivery)
    session.flush()
    return f"/v1/webhooks/{created.json['id']}/deliveries/{delivery.id}/redeliver", {}


CASES: dict[str, Case] = {
    "/v1/suppliers": lambda c, o: (
        "/v1/suppliers",
        {"name": "乌鲁木齐某科技有限公司", "credit_code": with_check_character("91650102MA9999999")},
    ),
    "/v1/contracts": lambda c, o: ("/v1/contracts", contract_body(external_ref="IDEM-NEW")),
    "/v1/contracts/{contract_id}/events": lambda c, o: (
        f"/v1/contracts/{_contract(c, o)}/events",
        {"kind": "delivered", "occurred_on": "2025-08-20"},
    ),
    "/v1/contracts/{contract_id}/sme-terms": lambda c, o: (f"/v1/contracts/{_contract(c, o)}/sme-terms", {}),
    "/v1/contracts/{contract_id}/sme-terms/apply": _apply,
    "/v1/checks/terms": lambda c, o: (
        "/v1/checks/terms",
        {
            "category": "goods",
            "amount": "1200000.00",
            "purchaser_type": "public_body",
            "jurisdiction": "650102",
            "signed_on": "2025-08-01",
            "supplier_size": "small",
        },
    ),
    "/v1/checks/sme-size": lambda c, o: ("/v1/checks/sme-size", {"industry": "工业", "employees": 50}),
    "/v1/checks/price-deduction": lambda c, o: (
        "/v1/checks/price-deduction",
        {
            "jurisdiction": "650102",
            "announced_on": "2025-07-01",
            "category": "goods",
            "quote": "1000000.00",
            "stated_percent": "10",
            "bidder_size": "small",
        },
    ),
    "/v1/checks/reservation": lambda c, o: (
        "/v1/checks/reservation",
        {"jurisdiction": "cn-65", "announced_on": "2022-07-01", "category": "works", "budget": "4000000.01"},
    ),
    "/v1/checks/barriers": lambda c, o: ("/v1/checks/barriers", {"text": "投标人须成立3年以上。"}),
    "/v1/audits/documents": lambda c, o: (
        "/v1/audits/documents",
        {"text": "资格要求：投标人须在本市设有分支机构。", "filename": "公告正文"},
    ),
    "/v1/audit-runs": lambda c, o: ("/v1/audit-runs", {"from": "2025-01-01", "to": "2025-12-31"}),
    "/v1/imports/ocds": lambda c, o: ("/v1/imports/ocds", {"releases": []}),
    "/v1/webhooks": lambda c, o: ("/v1/webhooks", {"url": PUBLIC_HOOK, "event_types": ["finding.opened"]}),
    "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver": _delivery,
    "/v1/desk-links": lambda c, o: (
        "/v1/desk-links",
        {"purchaser_id": factories.OrganizationFactory(region_code="650102").id, "officer_name": "王经办"},
    ),
}
# the organization each route is called as: (kind, role)
CALLER = {
    "/v1/audit-runs": (OrganizationKind.FINANCE_DEPARTMENT, Role.AUDITOR),
    "/v1/imports/ocds": (OrganizationKind.PLATFORM, Role.PLATFORM),
    "/v1/webhooks": (OrganizationKind.PLATFORM, Role.PLATFORM),
    "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver": (
        OrganizationKind.PLATFORM,
        Role.PLATFORM,
    ),
    "/v1/desk-links": (OrganizationKind.PLATFORM, Role.PLATFORM),
}
# a new API key is shown once: it is never stored for a replay (the route is not idempotent)
NOT_REPLAYED = {"/v1/keys"}
POST_PATHS = sorted(
    op.path
    for route in ROUTES
    for op in route.operations
    if op.method == "post" and op.path not in NOT_REPLAYED
)


def test_every_post_route_has_a_replay_case() -> None:
    assert sorted(CASES) == POST_PATHS


@pytest.mark.parametrize("path", POST_PATHS)
def test_a_retry_with_the_same_key_replays_status_body_location_and_etag(
    client: testing.TestClient, path: str
) -> None:
    kind, role = CALLER.get(path, (OrganizationKind.PURCHASER, Role.OFFICER))
    caller = factories.OrganizationFactory(
        kind=kind, region_code="650102" if kind is not OrganizationKind.PLATFORM else "650000"
    )
    url, body = CASES[path](client, caller)
    headers = headers_for(caller, role, **{"Idempotency-Key": f"retry-{path}"})

    first = client.simulate_post(url, json=body, headers=headers)
    # the same body with other whitespace and key order is the same request
    reordered = dict(reversed(list(body.items())))
    second = client.simulate_post(
        url, body=_spaced(reordered), headers={**headers, "Content-Type": "application/json"}
    )

    assert 200 <= first.status_code < 300, first.text
    assert second.status_code == first.status_code
    assert second.content == first.content
    for name in ("location", "etag", "content-type"):
        assert second.headers.get(name) == first.headers.get(name), name


def _spaced(body: dict[str, Any]) -> str:
    import json

    return json.dumps(body, ensure_ascii=False, indent=2)


def test_the_apply_retried_replays_200_and_applies_once(client: testing.TestClient) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    url, body = _apply(client, school)
    headers = headers_for(school, **{"Idempotency-Key": "apply-1"})
    first = client.simulate_post(url, json=body, headers=headers)
    second = client.simulate_post(url, json=body, headers=headers)
    assert first.status_code == second.status_code == 200, first.text
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json == first.json
    assert second.json["evaluated_on"] == "2025-08-01" and second.json["created_at"]
    assert second.headers["etag"] == first.headers["etag"] == '"2"'
