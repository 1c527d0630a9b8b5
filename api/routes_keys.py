"""Routes of API-key administration (admins only); api/routes.py's ROUTES includes them."""

from api.route import Route, op
from api.schemas.keys import (
    ApiKeyChangeSchema,
    ApiKeyCreatedSchema,
    ApiKeyCreateSchema,
    ApiKeyListQuerySchema,
    ApiKeyPageSchema,
    ApiKeySchema,
)

ID = "int(min=1, max=2147483647)"

KEY_ROUTES: tuple[Route, ...] = (
    Route(
        "/v1/keys",
        "api_keys",
        (
            op(
                "/v1/keys",
                "get",
                "API密钥列表（管理员） / API keys (admin)",
                "keys",
                ApiKeyPageSchema,
                query=ApiKeyListQuerySchema,
            ),
            op(
                "/v1/keys",
                "post",
                "新建API密钥（管理员，仅显示一次） / make an API key (admin; shown once)",
                "keys",
                ApiKeyCreatedSchema,
                status=201,
                request=ApiKeyCreateSchema,
                errors=(401, 403, 404, 413, 422),
            ),
        ),
        suffix="collection",
    ),
    Route(
        f"/v1/keys/{{key_id:{ID}}}",
        "api_keys",
        (
            op(
                "/v1/keys/{key_id}",
                "patch",
                "吊销密钥或设置有效期（管理员） / revoke or expire a key (admin)",
                "keys",
                ApiKeySchema,
                request=ApiKeyChangeSchema,
                errors=(401, 403, 404, 413, 422),
            ),
        ),
    ),
)
