"""The one table of routes: the app adds them and the OpenAPI document describes them from here."""

from api.route import IDEMPOTENT, WRITE_ERRORS, Route, op
from api.routes_audit import AUDIT_ROUTES
from api.routes_imports import IMPORT_ROUTES
from api.routes_keys import KEY_ROUTES
from api.routes_platform import PLATFORM_ROUTES
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

ROUTES: tuple[Route, ...] = (
    Route(
        "/v1/health",
        "health",
        (
            op(
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
            op(
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
            op(
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
            op(
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
            op(
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
            op(
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
            op(
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
            op(
                "/v1/contracts/{contract_id}",
                "get",
                "合同（带ETag） / a contract",
                "contracts",
                ContractSchema,
            ),
            op(
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
            op(
                "/v1/contracts/{contract_id}/events",
                "post",
                "记录履约事件 / record a performance event",
                "contracts",
                EventSchema,
                status=201,
                request=EventCreateSchema,
                headers=IDEMPOTENT,
            ),
            op(
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
            op(
                "/v1/contracts/{contract_id}/sme-terms",
                "post",
                "中小企业合同条款建议（不保存） / SME terms preview (stores nothing)",
                "sme-terms",
                TermsPreviewSchema,
            ),
            op(
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
            op(
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
            op(
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
            op(
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
            op(
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
            op(
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
            op(
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
            op(
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
            op(
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
    *AUDIT_ROUTES,
    Route(
        "/v1/desk-links",
        "desk_links",
        (
            op(
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
            op(
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
    *IMPORT_ROUTES,
    *PLATFORM_ROUTES,
    *KEY_ROUTES,
)
