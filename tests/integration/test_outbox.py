"""The outbox: an event exists exactly when the change that caused it was committed."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from falcon import testing
from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.errors import InvalidInput
from procurement.events.models import OutboxEvent
from procurement.events.services import emit_event
from procurement.finance.models import ContractObligation, ObligationKind
from tests import factories
from tests.api.helpers import headers_for
from tests.api.test_sme_terms import _decisions, create_contract


def test_an_event_rolled_back_with_its_change_was_never_written(session: Session) -> None:
    org = factories.OrganizationFactory(region_code="650102")
    with session.begin_nested() as change:
        event = emit_event(
            session, type="payment.overdue", organization_id=org.id, region_code="650102", data={}
        )
        change.rollback()
    assert session.get(OutboxEvent, event.id) is None


def test_data_keeps_money_as_strings_and_dates_as_text(session: Session) -> None:
    org = factories.OrganizationFactory(region_code="650102")
    event = emit_event(
        session,
        type="payment.overdue",
        organization_id=org.id,
        region_code=org.region_code,
        data={"amount": Decimal("1000.10"), "due_on": date(2025, 9, 1), "terms": [Decimal("0.5")]},
    )
    session.expire(event)
    assert event.data == {"amount": "1000.10", "due_on": "2025-09-01", "terms": ["0.5"]}
    assert event.fanned_out_at is None


def test_an_unknown_event_type_is_refused(session: Session) -> None:
    org = factories.OrganizationFactory()
    with pytest.raises(InvalidInput):
        emit_event(session, type="contract.deleted", organization_id=org.id, region_code="650102", data={})


def test_applying_sme_terms_writes_contract_terms_applied(
    client: testing.TestClient, session: Session
) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    contract = create_contract(client, school)
    headers = headers_for(school)
    base = f"/v1/contracts/{contract['id']}"
    preview = client.simulate_post(f"{base}/sme-terms", headers=headers).json
    applied = client.simulate_post(f"{base}/sme-terms/apply", json=_decisions(preview, {}), headers=headers)
    assert applied.status_code == 200, applied.json

    event = session.execute(
        select(OutboxEvent).where(OutboxEvent.type == "contract.terms_applied")
    ).scalar_one()
    assert (event.organization_id, event.region_code) == (school.id, "650102")
    assert event.data["contract_id"] == contract["id"]
    assert event.data["version"] == 2
    assert event.data["policy_version"] == preview["policy_version"]
    assert sorted(event.data["accepted"]) == sorted(a["rule_id"] for a in preview["adjustments"])


def test_a_refused_apply_writes_no_event(client: testing.TestClient, session: Session) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    contract = create_contract(client, school)
    result = client.simulate_post(
        f"/v1/contracts/{contract['id']}/sme-terms/apply",
        json={"accepted": [], "declined": []},
        headers=headers_for(school),
    )
    assert result.status_code == 422
    assert session.execute(select(OutboxEvent)).first() is None


def test_finding_decisions_and_audit_runs_write_their_events(session: Session) -> None:
    from datetime import date

    from procurement.finance.audit_runs import create_audit_run
    from procurement.findings.models import FindingStatus
    from procurement.findings.services import change_status
    from procurement.organizations.models import Role
    from procurement.scope import Actor
    from rules.vocabulary import OrganizationKind

    finance = factories.OrganizationFactory(kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650000")
    auditor = Actor(api_key_id=1, organization_id=finance.id, role=Role.AUDITOR, region_code="650000")
    from tests.api.test_audit_runs import late_contract

    late_contract(factories.OrganizationFactory(region_code="650102"))  # unpaid 30 days after acceptance
    run = create_audit_run(
        session, auditor, period_from=date(2025, 1, 1), period_to=date(2025, 12, 31), as_of=date(2026, 6, 1)
    )
    events = session.execute(select(OutboxEvent).order_by(OutboxEvent.id)).scalars().all()
    completed = [e for e in events if e.type == "audit_run.completed"]
    assert [e.data["audit_run_id"] for e in completed] == [run.id]
    opened = [e for e in events if e.type == "finding.opened"]
    assert sum(run.summary["findings"].values()) == len(opened) > 0
    finding_id = opened[0].data["finding_id"]
    change_status(session, auditor, finding_id, status=FindingStatus.ACKNOWLEDGED)
    changed = session.execute(
        select(OutboxEvent).where(OutboxEvent.type == "finding.status_changed")
    ).scalar_one()
    assert (changed.data["finding_id"], changed.data["from"], changed.data["to"]) == (
        finding_id,
        "open",
        "acknowledged",
    )


def test_an_unpaid_payment_past_its_due_date_is_told_once(connection: Any, session: Session) -> None:
    from procurement.events.overdue import notify_overdue
    from procurement.finance.obligations import refresh_obligations
    from tests.api.test_audit_runs import late_contract

    contract = late_contract(factories.OrganizationFactory(region_code="650102"))
    refresh_obligations(session, [contract.id])
    due_on = session.execute(
        select(ContractObligation.due_on).where(
            ContractObligation.contract_id == contract.id, ContractObligation.kind == ObligationKind.PAYMENT
        )
    ).scalar_one()
    assert due_on is not None

    def factory() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint")

    assert notify_overdue(factory, today=due_on) == 0  # on the due date it is not late yet
    assert notify_overdue(factory, today=due_on + timedelta(days=1)) == 1
    assert notify_overdue(factory, today=due_on + timedelta(days=2)) == 0  # told once
    event = session.execute(select(OutboxEvent).where(OutboxEvent.type == "payment.overdue")).scalar_one()
    assert event.data["contract_id"] == contract.id
    assert event.data["due_on"] == due_on.isoformat() and event.data["days_overdue"] == 1
    assert event.data["amount"] == "1000000.00"
