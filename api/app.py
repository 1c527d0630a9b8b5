"""``create_app(settings)`` builds the whole Falcon application and injects what it needs."""

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

import falcon
import falcon.media
from sqlalchemy.orm import Session

from api import errors
from api.auth import KeyAuthentication
from api.middleware import ActorCache, BodyLimit, Idempotency, SessionManager
from api.openapi import build_spec, service_version
from api.pages import add_pages
from api.ratelimit import RateLimits
from api.resources.audit_runs import AuditRuns
from api.resources.audits import Audits, DocumentAudits
from api.resources.barrier_checks import BarrierChecks
from api.resources.checks import PriceDeductionCheck, ReservationCheck, SizeCheck, TermsCheck
from api.resources.contracts import ContractEvents, Contracts
from api.resources.desk_links import DeskLinks
from api.resources.findings import Findings
from api.resources.health import Health
from api.resources.imports import OcdsImports
from api.resources.keys import ApiKeys
from api.resources.openapi import OpenApiDocument
from api.resources.platform import platform_resources
from api.resources.policies import Policies
from api.resources.reports import PaymentsReport
from api.resources.suppliers import Suppliers
from api.resources.terms import ContractTerms, ContractTermsApply, ContractTermsSupplement
from api.routes import ROUTES
from config.settings import Settings
from procurement.auditlog import mac as auditlog_mac
from procurement.db import create_db_engine, create_session_factory, is_sqlite, write_intent
from procurement.jobs.queue import JobQueue, build_huey
from rules.policy import load_policy_book


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _json_handler() -> falcon.media.JSONHandler:
    return falcon.media.JSONHandler(
        dumps=partial(json.dumps, ensure_ascii=False, default=_json_default, separators=(",", ":")),
        loads=json.loads,
    )


def create_app(
    settings: Settings,
    *,
    session_factory: Callable[[], Session] | None = None,
    actor_cache: ActorCache | None = None,
) -> falcon.App:
    """The app; tests pass a session factory bound to their transaction instead of an engine."""
    if settings.audit_mac_key:  # process-wide: one key per deployment
        auditlog_mac.configure(settings.audit_mac_key)
    write_factory = None
    own_engine = session_factory is None
    if session_factory is None:
        engine = create_db_engine(
            settings.database_url, echo=settings.sql_echo, pool_size=settings.db_pool_size
        )
        session_factory = create_session_factory(engine)
        if is_sqlite(settings.database_url):
            write_factory = create_session_factory(write_intent(engine))
        # jobs a request enqueues go to the queue once its transaction commits
        queue = JobQueue(build_huey(settings.queue_url, name=settings.queue_name), session_factory)
        queue.attach(session_factory, *([write_factory] if write_factory else []))
    middleware: list[Any] = [
        BodyLimit(settings),
        SessionManager(session_factory, write_factory),
        KeyAuthentication(
            session_factory,
            write_factory or session_factory,
            cache=actor_cache,
            limits=RateLimits(settings),
            touch_in_background=own_engine,  # a test's session factory is one connection
        ),
        Idempotency(),
    ]
    app = falcon.App(media_type=falcon.MEDIA_JSON, middleware=middleware)
    handler = _json_handler()
    app.req_options.media_handlers[falcon.MEDIA_JSON] = handler
    app.resp_options.media_handlers[falcon.MEDIA_JSON] = handler
    app.resp_options.media_handlers["application/problem+json"] = handler
    errors.register(app)

    book = load_policy_book(settings.policy_dir)  # once per app; resources share it
    operations = [op for route in ROUTES for op in route.operations]
    resources: dict[str, object] = {
        "health": Health(service_version()),
        "openapi": OpenApiDocument(build_spec(operations, max_page_size=settings.max_page_size)),
        "suppliers": Suppliers(),
        "contracts": Contracts(),
        "contract_events": ContractEvents(),
        "document_audits": DocumentAudits(settings.max_upload_bytes, ocr_max_pages=settings.ocr_max_pages),
        "audits": Audits(),
        "findings": Findings(),
        "barrier_checks": BarrierChecks(settings.max_upload_bytes),
        "audit_runs": AuditRuns(),
        "payments_report": PaymentsReport(),
        "ocds_imports": OcdsImports(settings.max_upload_bytes, settings.import_job_bytes),
        "contract_terms": ContractTerms(book),
        "contract_terms_apply": ContractTermsApply(book),
        "contract_terms_supplement": ContractTermsSupplement(),
        "check_terms": TermsCheck(book),
        "check_sme_size": SizeCheck(book),
        "check_price_deduction": PriceDeductionCheck(book),
        "check_reservation": ReservationCheck(book),
        "policies": Policies(book),
        "api_keys": ApiKeys(),
        **platform_resources(settings),
        "desk_links": DeskLinks(),
    }
    for route in ROUTES:
        if route.suffix:
            app.add_route(route.path, resources[route.resource], suffix=route.suffix)
        else:
            app.add_route(route.path, resources[route.resource])
    add_pages(app, settings, book)
    return app
