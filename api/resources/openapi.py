"""Serves the generated OpenAPI document."""

from typing import Any

import falcon


class OpenApiDocument:
    auth_required = False
    read_only = True

    def __init__(self, spec: dict[str, Any]) -> None:
        self._spec = spec

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self._spec
