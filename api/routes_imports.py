"""Routes of OCDS imports; api/routes.py's ROUTES includes them."""

from api.route import IDEMPOTENT, Route, op
from api.schemas.imports import (
    ImportQuerySchema,
    OcdsImportSchema,
    OcdsLinesSchema,
    OcdsPackageSchema,
)

IMPORT_ROUTES: tuple[Route, ...] = (
    Route(
        "/v1/imports/ocds",
        "ocds_imports",
        (
            op(
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
            op(
                "/v1/imports/ocds/{import_id}",
                "get",
                "一次导入的结果 / an OCDS import",
                "imports",
                OcdsImportSchema,
            ),
        ),
    ),
)
