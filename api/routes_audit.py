"""Routes of the audits: tender documents and barrier checks, findings, finance audit runs;
api/routes.py's ROUTES includes them where they stand in the OpenAPI document."""

from api.route import IDEMPOTENT, Route, op
from api.schemas.audit_runs import AuditRunCreateSchema, AuditRunSchema
from api.schemas.audits import (
    BarrierCheckResultSchema,
    BarrierCheckSchema,
    DocumentAuditSchema,
    DocumentUploadSchema,
)
from api.schemas.findings import (
    FindingListQuerySchema,
    FindingPageSchema,
    FindingStatusChangeSchema,
    FindingWithHistorySchema,
)

AUDIT_ROUTES: tuple[Route, ...] = (
    Route(
        "/v1/audits/documents",
        "document_audits",
        (
            op(
                "/v1/audits/documents",
                "post",
                "审查采购文件的门槛条款并保存 / audit a tender document for barriers (stored)",
                "barrier audits",
                DocumentAuditSchema,
                status=201,
                also_status=(
                    (
                        202,
                        "a scanned PDF with more pages to OCR than one request reads: stored as queued "
                        "and read by a background job; GET the Location for its progress and findings",
                    ),
                ),
                request=DocumentUploadSchema,
                request_media="multipart/form-data",
                more_requests=(("application/json", BarrierCheckSchema),),
                headers=IDEMPOTENT,
                errors=(400, 401, 403, 409, 413, 415, 422),
            ),
        ),
    ),
    Route(
        "/v1/audits/{audit_id:int(min=1, max=2147483647)}",
        "audits",
        (
            op(
                "/v1/audits/{audit_id}",
                "get",
                "门槛审查及其发现 / a document audit with its findings",
                "barrier audits",
                DocumentAuditSchema,
            ),
        ),
    ),
    Route(
        "/v1/findings",
        "findings",
        (
            op(
                "/v1/findings",
                "get",
                "审查发现列表 / list findings",
                "findings",
                FindingPageSchema,
                query=FindingListQuerySchema,
            ),
        ),
        suffix="collection",
    ),
    Route(
        "/v1/findings/{finding_id:int(min=1, max=2147483647)}",
        "findings",
        (
            op(
                "/v1/findings/{finding_id}",
                "get",
                "审查发现及其状态变更记录 / a finding with the history of its status",
                "findings",
                FindingWithHistorySchema,
            ),
            op(
                "/v1/findings/{finding_id}",
                "patch",
                "确认、整改或排除审查发现 / acknowledge, resolve or dismiss a finding",
                "findings",
                FindingWithHistorySchema,
                request=FindingStatusChangeSchema,
                errors=(401, 403, 404, 413, 422),
            ),
        ),
    ),
    Route(
        "/v1/checks/barriers",
        "barrier_checks",
        (
            op(
                "/v1/checks/barriers",
                "post",
                "门槛条款即时检查（不保存） / check text or requirements for barriers (nothing stored)",
                "barrier audits",
                BarrierCheckResultSchema,
                request=BarrierCheckSchema,
                errors=(400, 401, 413, 415, 422),
            ),
        ),
    ),
    Route(
        "/v1/audit-runs",
        "audit_runs",
        (
            op(
                "/v1/audit-runs",
                "post",
                "财政审计：逾期付款、保证金、质保金与强制条款 / start a finance audit of a region or "
                "purchaser (202: queued; 409 while a run over the same scope is queued or running)",
                "audit runs",
                AuditRunSchema,
                status=202,
                request=AuditRunCreateSchema,
                headers=IDEMPOTENT,
                errors=(401, 403, 404, 409, 413, 422),
            ),
        ),
        suffix="collection",
    ),
    Route(
        "/v1/audit-runs/{run_id:int(min=1, max=2147483647)}",
        "audit_runs",
        (
            op(
                "/v1/audit-runs/{run_id}",
                "get",
                "审计批次：状态、进度及汇总 / an audit run: state, percent done, summary",
                "audit runs",
                AuditRunSchema,
            ),
        ),
    ),
)
