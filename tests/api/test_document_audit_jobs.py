"""A scanned PDF with more pages to OCR than one request reads is audited by a background job:
POST answers 202 with the audit's location, GET shows pages done / total and, once the job has
run, the findings by page with their OCR confidence -- the same findings a synchronous audit of
the file gives. A page OCR cannot read is a per-page problem; a job stopped half way goes on from
the first page it had not kept, without duplicates. The OCR limit is lowered to 1 page here so that
a 3-page scan (two pages of tender, one of noise) is "long" (OCR costs ~2 s a page)."""

import io
from dataclasses import replace
from typing import Any

import pypdf
import pytest
from falcon import testing
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from api.app import create_app
from api.middleware import ActorCache
from config.settings import Settings
from procurement.barrier_audits.models import DocumentAuditPage
from procurement.barrier_audits.services import check_document
from procurement.documents.pdf_reader import PdfPages
from procurement.findings.models import StoredFinding
from procurement.jobs.models import Job, JobState
from tests import factories
from tests.api.helpers import headers_for, work_jobs
from tests.api.test_document_audits import upload
from tests.scans import blank_scan
from tests.unit.test_scanned_tenders import scanned_tender


def long_scan() -> bytes:
    """The 2-page scanned tender and a page of noise (no text to recognise)."""
    writer = pypdf.PdfWriter()
    for part in (scanned_tender(), blank_scan()):
        for page in pypdf.PdfReader(io.BytesIO(part)).pages:
            writer.add_page(page)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def scan() -> bytes:
    return long_scan()


@pytest.fixture(scope="module")
def synchronous(scan: bytes) -> list[tuple[str, int, str]]:
    """What an audit in the request gives: (rule, page, clause) of each finding, in order."""
    result = check_document(scan, "长扫描件.pdf")
    assert result.summary["ocr_pages"] == [1, 2]
    return [(f.rule_id, f.evidence["location"]["page"], f.evidence["clause"]) for f in result.findings]


@pytest.fixture
def client(settings: Settings, connection: Connection) -> testing.TestClient:
    app = create_app(
        replace(settings, ocr_max_pages=1, max_upload_bytes=20_000_000),
        session_factory=lambda: Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        ),
        actor_cache=ActorCache(0),
    )
    return testing.TestClient(app)


@pytest.fixture
def headers(session: Session) -> dict[str, str]:
    return headers_for(factories.OrganizationFactory())


def _start(client: testing.TestClient, headers: dict[str, str], scan: bytes) -> testing.Result:
    started = upload(client, headers, "长扫描件.pdf", scan, "application/pdf")
    assert started.status_code == 202, started.json
    return started


def test_a_long_scan_is_a_job_whose_audit_shows_progress_then_findings_by_page(
    client: testing.TestClient,
    connection: Connection,
    session: Session,
    headers: dict[str, str],
    scan: bytes,
    synchronous: list[tuple[str, int, str]],
) -> None:
    started = _start(client, headers, scan)
    location = started.headers["location"]
    assert started.json["state"] == "queued" and started.json["findings"] == []
    assert started.json["progress"] == {"pages_done": 0, "pages_total": None}
    job = session.get(Job, started.json["job_id"])
    assert job is not None and job.kind == "document_audit_scan" and job.state is JobState.QUEUED

    assert work_jobs(connection) == [job.id]
    done = client.simulate_get(location, headers=headers)
    assert done.status_code == 200
    body = done.json
    assert body["state"] == "completed" and body["progress"] == {"pages_done": 3, "pages_total": 3}
    summary = body["summary"]
    assert summary["pages"] == 3 and summary["ocr_pages"] == [1, 2]
    # the page of noise is reported, not passed over as a page without findings
    assert [(p["page"], p["code"]) for p in summary["problems"]] == [(3, "page_unreadable")]
    found = [
        (f["rule_id"], f["evidence"]["location"]["page"], f["evidence"]["clause"]) for f in body["findings"]
    ]
    assert sorted(found) == sorted(synchronous) and len(found) >= 3
    assert all(f["evidence"]["ocr"]["confidence"] >= 0.5 for f in body["findings"])
    session.expire_all()
    job = session.get(Job, started.json["job_id"])
    assert job is not None and job.state is JobState.SUCCEEDED
    assert (job.progress_done, job.progress_total) == (3, 3)


def test_a_job_stopped_half_way_goes_on_from_the_page_it_had_not_kept(
    client: testing.TestClient,
    connection: Connection,
    session: Session,
    headers: dict[str, str],
    scan: bytes,
    synchronous: list[tuple[str, int, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started = _start(client, headers, scan)
    read: list[int] = []
    segment = PdfPages.segment

    def crash_on_page_2(self: PdfPages, number: int, **kwargs: Any) -> Any:
        read.append(number)
        if number == 2 and read.count(2) == 1:
            raise MemoryError("the worker ran out of memory")  # as a killed worker would stop
        return segment(self, number, **kwargs)

    monkeypatch.setattr(PdfPages, "segment", crash_on_page_2)
    work_jobs(connection)
    session.expire_all()
    job = session.get(Job, started.json["job_id"])
    assert job is not None and job.state is JobState.QUEUED and "memory" in (job.error or "")  # retried
    halfway = client.simulate_get(started.headers["location"], headers=headers).json
    assert halfway["state"] == "running" and halfway["progress"] == {"pages_done": 1, "pages_total": 3}

    work_jobs(connection)
    assert read == [1, 2, 2, 3]  # page 1 was kept: not read again
    done = client.simulate_get(started.headers["location"], headers=headers).json
    assert done["state"] == "completed"
    found = [
        (f["rule_id"], f["evidence"]["location"]["page"], f["evidence"]["clause"]) for f in done["findings"]
    ]
    assert sorted(found) == sorted(synchronous)
    pages = session.execute(
        select(DocumentAuditPage.page)
        .where(DocumentAuditPage.audit_id == done["id"])
        .order_by(DocumentAuditPage.page)
    ).scalars()
    assert list(pages) == [1, 2, 3]
    stored = session.execute(
        select(func.count()).select_from(StoredFinding).where(StoredFinding.source_id == done["id"])
    ).scalar_one()
    assert stored == len(synchronous)

    # the job run once more (a lost acknowledgement) changes nothing
    session.execute(Job.__table__.update().where(Job.id == job.id).values(state=JobState.QUEUED))
    work_jobs(connection)
    again = client.simulate_get(started.headers["location"], headers=headers).json
    assert again["findings"] == done["findings"] and again["summary"] == done["summary"]


def test_a_short_scan_is_still_audited_in_the_request(
    settings: Settings, connection: Connection, headers: dict[str, str]
) -> None:
    app = create_app(
        replace(settings, ocr_max_pages=2, max_upload_bytes=20_000_000),
        session_factory=lambda: Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        ),
        actor_cache=ActorCache(0),
    )
    result = upload(testing.TestClient(app), headers, "扫描件.pdf", scanned_tender(), "application/pdf")
    assert result.status_code == 201 and result.json["state"] == "completed"
    assert result.json["job_id"] is None and result.json["progress"] == {"pages_done": 2, "pages_total": 2}
