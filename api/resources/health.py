"""Liveness and database reachability, without a key."""

import falcon
from sqlalchemy import text

from api.resources.base import session_of


class Health:
    auth_required = False
    read_only = True

    def __init__(self, version: str) -> None:
        self._version = version

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        session_of(req).execute(text("SELECT 1"))
        resp.media = {"status": "ok", "database": "ok", "version": self._version}
