"""The one table of routes: the app adds them and the OpenAPI document describes them from here."""

from api.openapi import Operation
from api.route import Route
from api.routes_keys import KEY_ROUTES
from api.routes_platform import PLATFORM_ROUTES
from api.schemas.audit_runs import AuditRunCreateSchema, AuditRunSchema
from api.schemas.audits import (
    BarrierCheckResultSchema,
    BarrierCheckSchema,
    DocumentAuditSchema,
    DocumentUploadSchema,
)
from api.schemas.checks import (
    PriceDeductionCheckSchema,
    PriceDeductionResultSchema,
    SizeCheckResultSchema,
    SizeCheckSchema,
    TermsCheckResultSchema,
    TermsCheckSchema,
)
from api.schemas.common import HealthSchema, PageQuerySchema
from api.schemas.contracts import (
    ContractCreateSchema,
    ContractFieldsSchema,
    ContractListQuerySchema,
    ContractPageSchema,
    ContractSchema,
)
from api.schemas.desk_links import DeskLinkCreateSchema, DeskLinkSchema
from api.schemas.events import EventCreateSchema, EventPageSchema, EventSchema
from api.schemas.findings import (
    FindingListQuerySchema,
    FindingPageSchema,
    FindingStatusChangeSchema,
    FindingWithHistorySchema,
)
from api.schemas.imports import (
    ImportQuerySchema,
    OcdsImportSchema,
    OcdsLinesSchema,
    OcdsPackageSchema,
)
from api.schemas.policies import PackListSchema, PolicyInForceSchema, PolicyQuerySchema
from api.schemas.reports import PaymentsReportQuerySchema, PaymentsReportSchema
from api.schemas.reservation import ReservationCheckSchema, ReservationResultSchema
from api.schemas.suppliers import SupplierCreateSchema, SupplierPageSchema, SupplierSchema
from api.schemas.terms import (
    TermsAppliedSchema,
    TermsApplySchema,
    TermsDecisionsSchema,
    TermsPreviewSchema,
)

WRITE_ERRORS = (401, 403, 409, 413, 422)
IDEMPOTENT = ("Idempotency-Key",)


def _op(path: str, method: str, summary: str, tag: str, response: object, **kw: object) -> Operation:
    return Operation(path, method, summary, tag, response, **kw)  # type: ignore[arg-type]


ROUTES: tuple[Route, ...] = (
    Route(
        "/v1/health",
        "health",
        (
            _op(
                "/v1/health",
                "get",
                "服务状态 / health",
                "service",
                HealthSchema,
                errors=(),
                auth=False,
            ),
        ),
    ),
    Route(
        "/v1/openapi.json",
        "openapi",
        (
            _op(
                "/v1/openapi.json",
                "get",
                "本文档 / this document",
                "service",
                None,
                errors=(),
                auth=False,
            ),
        ),
    ),
    Route(
        "/v1/suppliers",
        "suppliers",
        (
            _op(
                "/v1/suppliers",
                "post",
                "登记供应商 / register a supplier",
                "suppliers",
                SupplierSchema,
                status=201,
                request=SupplierCreateSchema,
                headers=IDEMPOTENT,
                errors=WRITE_ERRORS,
            ),
            _op(
                "/v1/suppliers",
                "get",
                "供应商列表 / list suppliers",
                "suppliers",
                SupplierPageSchema,
                query=PageQuerySchema,
            ),
        ),
        suffix="collection",
    ),
    Route(
        "/v1/suppliers/{supplier_id:int(min=1, max=2147483647)}",
        "suppliers",
        (
            _op(
                "/v1/suppliers/{supplier_id}",
                "get",
                "供应商 / a supplier",
                "suppliers",
                SupplierSchema,
            ),
        ),
    ),
    Route(
        "/v1/contracts",
        "contracts",
        (
            _op(
                "/v1/contracts",
                "post",
                "登记合同 / create a contract",
                "contracts",
                ContractSchema,
                status=201,
                request=ContractCreateSchema,
                headers=IDEMPOTENT,
                errors=WRITE_ERRORS,
            ),
            _op(
                "/v1/contracts",
                "get",
                "合同列表 / list contracts",
                "contracts",
                ContractPageSchema,
                query=ContractListQuerySchema,
            ),
        ),
        suffix="collection",
    ),
    Route(
        "/v1/contracts/{contract_id:int(min=1, max=2147483647)}",
        "contracts",
        (
            _op(
                "/v1/contracts/{contract_id}",
                "get",
                "合同（带ETag） / a contract",
                "contracts",
                ContractSchema,
            ),
            _op(
                "/v1/contracts/{contract_id}",
                "patch",
                "修改合同 / update a contract",
                "contracts",
                ContractSchema,
                request=ContractFieldsSchema,
                headers=("If-Match",),
                errors=(401, 403, 404, 409, 412, 413, 422),
            ),
        ),
    ),
    Route(
        "/v1/contracts/{contract_id:int(min=1, max=2147483647)}/events",
        "contract_events",
        (
            _op(
                "/v1/contracts/{contract_id}/events",
                "post",
                "记录履约事件 / record a performance event",
                "contracts",
                EventSchema,
                status=201,
                request=EventCreateSchema,
                headers=IDEMPOTENT,
            ),
            _op(
                "/v1/contracts/{contract_id}/events",
                "get",
                "履约事件 / list events",
                "contracts",
                EventPageSchema,
                query=PageQuerySchema,
            ),
        ),
    ),
    Route(
        "/v1/contracts/{contract_id:int(min=1, max=2147483647)}/sme-terms",
        "contract_terms",
        (
            _op(
                "/v1/contracts/{contract_id}/sme-terms",
                "post",
                "中小企业合同条款建议（不保存） / SME terms preview (stores nothing)",
                "sme-terms",
                TermsPreviewSchema,
            ),
            _op(
                "/v1/contracts/{contract_id}/sme-terms",
                "get",
                "条款决定记录（含不采纳理由） / the SME terms decisions history, with reasons",
                "sme-terms",
                TermsDecisionsSchema,
            ),
        ),
    ),
    Route(
        "/v1/contracts/{contract_id:int(min=1, max=2147483647)}/sme-terms/supplement",
        "contract_terms_supplement",
        (
            _op(
                "/v1/contracts/{contract_id}/sme-terms/supplement",
                "get",
                "合同补充条款（Word .docx，Accept: application/vnd.openxmlformats-officedocument."
                "wordprocessingml.document） / the SME terms supplement as a Word document",
                "sme-terms",
                None,
                errors=(401, 403, 404, 406, 409),
            ),
        ),
    ),
    Route(
        "/v1/contracts/{contract_id:int(min=1, max=2147483647)}/sme-terms/apply",
        "contract_terms_apply",
        (
            _op(
                "/v1/contracts/{contract_id}/sme-terms/apply",
                "post",
                "接受或拒绝条款建议 / accept or decline the SME terms",
                "sme-terms",
                TermsAppliedSchema,
                request=TermsApplySchema,
                headers=("If-Match", *IDEMPOTENT),
                errors=(401, 403, 404, 409, 412, 413, 422),
            ),
        ),
    ),
    Route(
        "/v1/checks/terms",
        "check_terms",
        (
            _op(
                "/v1/checks/terms",
                "post",
                "合同条款检查（不保存） / check contract terms (stateless)",
                "checks",
                TermsCheckResultSchema,
                request=TermsCheckSchema,
                errors=(401, 413, 422),
            ),
        ),
    ),
    Route(
        "/v1/checks/sme-size",
        "check_sme_size",
        (
            _op(
                "/v1/checks/sme-size",
                "post",
                "企业划型（不保存） / classify a supplier's size (stateless)",
                "checks",
                SizeCheckResultSchema,
                request=SizeCheckSchema,
                errors=(401, 413, 422),
            ),
        ),
    ),
    Route(
        "/v1/checks/price-deduction",
        "check_price_deduction",
        (
            _op(
                "/v1/checks/price-deduction",
                "post",
                "价格扣除（不保存） / price deduction for a bid (stateless)",
                "checks",
                PriceDeductionResultSchema,
                request=PriceDeductionCheckSchema,
                errors=(401, 413, 422),
            ),
        ),
    ),
    Route(
        "/v1/checks/reservation",
        "check_reservation",
        (
            _op(
                "/v1/checks/reservation",
                "post",
                "项目预留份额（不保存） / a project's SME reservation duty (stateless)",
                "checks",
                ReservationResultSchema,
                request=ReservationCheckSchema,
                errors=(401, 413, 422),
            ),
        ),
    ),
    Route(
        "/v1/policies",
        "policies",
        (
            _op(
                "/v1/policies",
                "get",
                "政策包及其有效期 / policy packs, versions and coverage",
                "policies",
                PackListSchema,
                errors=(401,),
            ),
        ),
        suffix="collection",
    ),
    Route(
        "/v1/policies/{jurisdiction}",
        "policies",
        (
            _op(
                "/v1/policies/{jurisdiction}",
                "get",
                "某日有效的政策参数 / parameters in force on a date",
                "policies",
                PolicyInForceSchema,
                query=PolicyQuerySchema,
                errors=(401, 422),
            ),
        ),
    ),
    Route(
        "/v1/audits/documents",
        "document_audits",
        (
            _op(
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
            _op(
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
            _op(
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
            _op(
                "/v1/findings/{finding_id}",
                "get",
                "审查发现及其状态变更记录 / a finding with the history of its status",
                "findings",
                FindingWithHistorySchema,
            ),
            _op(
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
            _op(
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
            _op(
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
            _op(
                "/v1/audit-runs/{run_id}",
                "get",
                "审计批次：状态、进度及汇总 / an audit run: state, percent done, summary",
                "audit runs",
                AuditRunSchema,
            ),
        ),
    ),
    Route(
        "/v1/desk-links",
        "desk_links",
        (
            _op(
                "/v1/desk-links",
                "post",
                "经办人一次性登录链接 / a one-time desk sign-in link for an officer (platform key)",
                "pages",
                DeskLinkSchema,
                status=201,
                request=DeskLinkCreateSchema,
                headers=IDEMPOTENT,
                errors=WRITE_ERRORS,
            ),
        ),
        suffix="collection",
    ),
    Route(
        "/v1/reports/payments",
        "payments_report",
        (
            _op(
                "/v1/reports/payments",
                "get",
                "付款情况报表（按 Accept 选 JSON、CSV 或 XLSX） / payments report (JSON, CSV, XLSX)",
                "reports",
                PaymentsReportSchema,
                query=PaymentsReportQuerySchema,
                errors=(401, 403, 406, 422),
                more_responses=(
                    "text/csv",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
            ),
        ),
    ),
    Route(
        "/v1/imports/ocds",
        "ocds_imports",
        (
            _op(
                "/v1/imports/ocds",
                "post",
                "导入 OCDS 发布（幂等） / import OCDS releases (idempotent)",
                "imports",
                OcdsImportSchema,
                status=201,
                request=OcdsPackageSchema,
                more_requests=(
                    ("application/x-ndjson", OcdsLinesSchema),
                    ("application/jsonl", OcdsLinesSchema),
                ),
                query=ImportQuerySchema,
                headers=IDEMPOTENT,
                errors=(400, 401, 403, 409, 413, 415, 422),
            ),
        ),
        suffix="collection",
    ),
    Route(
        "/v1/imports/ocds/{import_id:int(min=1, max=2147483647)}",
        "ocds_imports",
        (
            _op(
                "/v1/imports/ocds/{import_id}",
                "get",
                "一次导入的结果 / an OCDS import",
                "imports",
                OcdsImportSchema,
            ),
        ),
    ),
    *PLATFORM_ROUTES,
    *KEY_ROUTES,
)
