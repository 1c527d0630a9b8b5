"""Routes of the platform-integration surface (jobs, webhooks, OCDS out, organizations); kept apart
from api/routes.py, whose ROUTES includes them."""

from api.route import Route, op
from api.schemas.common import PageQuerySchema
from api.schemas.jobs import JobSchema
from api.schemas.ocds_export import OcdsReleasesQuerySchema
from api.schemas.organizations import OrganizationPageSchema, OrganizationQuerySchema, OrganizationSchema
from api.schemas.webhooks import (
    DeliveryPageSchema,
    DeliverySchema,
    WebhookCreatedSchema,
    WebhookCreateSchema,
    WebhookPageSchema,
    WebhookSchema,
)

ID = "int(min=1, max=2147483647)"

PLATFORM_ROUTES: tuple[Route, ...] = (
    Route(
        f"/v1/jobs/{{job_id:{ID}}}",
        "jobs",
        (op("/v1/jobs/{job_id}", "get", "后台任务状态 / a background job", "jobs", JobSchema),),
    ),
    Route(
        "/v1/webhooks",
        "webhooks",
        (
            op(
                "/v1/webhooks",
                "post",
                "订阅事件回调（密钥仅显示一次） / subscribe to events (the secret is shown once)",
                "webhooks",
                WebhookCreatedSchema,
                status=201,
                request=WebhookCreateSchema,
                headers=("Idempotency-Key",),
                errors=(401, 403, 413, 422),
            ),
            op(
                "/v1/webhooks",
                "get",
                "回调订阅列表 / list subscriptions",
                "webhooks",
                WebhookPageSchema,
                query=PageQuerySchema,
            ),
        ),
        suffix="collection",
    ),
    Route(
        f"/v1/webhooks/{{webhook_id:{ID}}}",
        "webhooks",
        (
            op("/v1/webhooks/{webhook_id}", "get", "回调订阅 / a subscription", "webhooks", WebhookSchema),
            op(
                "/v1/webhooks/{webhook_id}",
                "delete",
                "取消订阅 / unsubscribe",
                "webhooks",
                None,
                status=204,
                errors=(401, 403, 404),
            ),
        ),
    ),
    Route(
        f"/v1/webhooks/{{webhook_id:{ID}}}/deliveries",
        "webhook_deliveries",
        (
            op(
                "/v1/webhooks/{webhook_id}/deliveries",
                "get",
                "投递记录（每次尝试） / the delivery log, every attempt",
                "webhooks",
                DeliveryPageSchema,
                query=PageQuerySchema,
            ),
        ),
    ),
    Route(
        f"/v1/webhooks/{{webhook_id:{ID}}}/deliveries/{{delivery_id:{ID}}}/redeliver",
        "webhook_deliveries",
        (
            op(
                "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
                "post",
                "重新投递（同一 webhook-id） / deliver again, with the same webhook-id",
                "webhooks",
                DeliverySchema,
                status=202,
                headers=("Idempotency-Key",),
            ),
        ),
        suffix="redeliver",
    ),
    Route(
        "/v1/ocds/releases",
        "ocds_releases",
        (
            op(
                "/v1/ocds/releases",
                "get",
                "以 OCDS 1.1 发布包导出合同（流式；Accept: application/x-ndjson 为逐行） / "
                "contracts as an OCDS 1.1 release package, streamed (JSON lines by Accept)",
                "ocds",
                None,
                query=OcdsReleasesQuerySchema,
                errors=(401, 403, 422),
            ),
        ),
    ),
    Route(
        "/v1/ocds/extension/{name}",
        "ocds_extension",
        (
            op(
                "/v1/ocds/extension/{name}",
                "get",
                "本服务的 OCDS 扩展（extension.json、release-schema.json） / our OCDS extension's files",
                "ocds",
                None,
                errors=(404,),
                auth=False,
            ),
        ),
    ),
    Route(
        "/v1/organizations",
        "organizations",
        (
            op(
                "/v1/organizations",
                "get",
                "可见的机构及其行政区划 / the organizations you may see, with region codes",
                "organizations",
                OrganizationPageSchema,
                query=OrganizationQuerySchema,
            ),
        ),
        suffix="collection",
    ),
    Route(
        f"/v1/organizations/{{organization_id:{ID}}}",
        "organizations",
        (
            op(
                "/v1/organizations/{organization_id}",
                "get",
                "机构 / an organization",
                "organizations",
                OrganizationSchema,
            ),
        ),
    ),
)
