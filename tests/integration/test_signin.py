"""Browser sessions and sign-in links (procurement.signin): expiry, one use, revocation, scope."""

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from procurement.errors import InvalidInput, NotAuthenticated, NotFound, NotPermitted
from procurement.organizations.models import ApiKey, Organization, Role
from procurement.orm import utcnow
from procurement.scope import Actor
from procurement.signin import services
from rules.vocabulary import OrganizationKind
from tests import factories


@pytest.fixture
def platform(session: Session) -> tuple[Actor, Organization]:
    org = factories.OrganizationFactory(kind=OrganizationKind.PLATFORM, region_code="650000")
    key, _ = factories.api_key(org, Role.PLATFORM)
    return Actor(key.id, org.id, Role.PLATFORM, "650000"), org


def test_a_session_ends_at_its_expiry_to_the_second(session: Session) -> None:
    school = factories.OrganizationFactory()
    _, key = factories.api_key(school, Role.OFFICER)
    started_at = utcnow()
    started = services.sign_in_with_key(session, key, now=started_at)
    end = started_at + timedelta(hours=services.SESSION_HOURS)
    person = services.person_of(session, started.token, now=end - timedelta(seconds=1))
    assert person is not None and person.actor.organization_id == school.id
    assert services.person_of(session, started.token, now=end) is None


def test_a_revoked_key_ends_its_sessions(session: Session) -> None:
    school = factories.OrganizationFactory()
    row, key = factories.api_key(school, Role.OFFICER)
    started = services.sign_in_with_key(session, key)
    assert services.person_of(session, started.token) is not None
    session.get(ApiKey, row.id).revoked_at = utcnow()  # type: ignore[union-attr]
    session.flush()
    assert services.person_of(session, started.token) is None


def test_signing_out_ends_the_session_only(session: Session) -> None:
    school = factories.OrganizationFactory()
    _, key = factories.api_key(school, Role.OFFICER)
    first = services.sign_in_with_key(session, key)
    second = services.sign_in_with_key(session, key)
    services.end_session(session, first.token)
    assert services.person_of(session, first.token) is None
    assert services.person_of(session, second.token) is not None


def test_a_platform_key_cannot_use_the_sign_in_form(
    session: Session, platform: tuple[Actor, Organization]
) -> None:
    _, key = factories.api_key(platform[1], Role.PLATFORM)
    with pytest.raises(NotPermitted):
        services.sign_in_with_key(session, key)


def test_a_desk_link_signs_in_an_officer_of_that_purchaser_with_its_region(
    session: Session, platform: tuple[Actor, Organization]
) -> None:
    school = factories.OrganizationFactory(region_code="650102")
    issued = services.issue_desk_link(session, platform[0], purchaser_id=school.id, person_name=" 王经办 ")
    person = services.person_of(session, services.redeem_desk_link(session, issued.token).token)
    assert person is not None
    assert person.actor == Actor(platform[0].api_key_id, school.id, Role.OFFICER, "650102")
    assert person.name == "王经办"
    with pytest.raises(NotAuthenticated):
        services.redeem_desk_link(session, issued.token)


def test_a_desk_link_is_refused_for_what_is_not_a_purchaser_of_the_region(
    session: Session, platform: tuple[Actor, Organization]
) -> None:
    finance = factories.OrganizationFactory(kind=OrganizationKind.FINANCE_DEPARTMENT)
    elsewhere = factories.OrganizationFactory(region_code="110101")
    for org in (finance, elsewhere):
        with pytest.raises(InvalidInput):
            services.issue_desk_link(session, platform[0], purchaser_id=org.id, person_name="王")
    officer = Actor(platform[0].api_key_id, finance.id, Role.OFFICER, "650000")
    with pytest.raises(NotPermitted):
        services.issue_desk_link(session, officer, purchaser_id=finance.id, person_name="王")


def test_the_link_of_a_revoked_platform_key_signs_nobody_in(
    session: Session, platform: tuple[Actor, Organization]
) -> None:
    school = factories.OrganizationFactory()
    issued = services.issue_desk_link(session, platform[0], purchaser_id=school.id, person_name="王")
    session.get(ApiKey, platform[0].api_key_id).revoked_at = utcnow()  # type: ignore[union-attr]
    session.flush()
    with pytest.raises(NotAuthenticated):
        services.redeem_desk_link(session, issued.token)


def test_an_operator_link_signs_in_with_the_keys_own_role(session: Session) -> None:
    finance = factories.OrganizationFactory(kind=OrganizationKind.FINANCE_DEPARTMENT, region_code="650000")
    row, _ = factories.api_key(finance, Role.AUDITOR)
    issued = services.issue_key_link(session, api_key_id=row.id)
    person = services.person_of(session, services.redeem_desk_link(session, issued.token).token)
    assert person is not None and person.actor.role is Role.AUDITOR and person.actor.region_code == "650000"
    with pytest.raises(NotFound):
        services.issue_key_link(session, api_key_id=row.id + 1000)
