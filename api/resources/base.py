"""Helpers every resource uses: the caller, the session, paging parameters and page links."""

from typing import Any
from urllib.parse import urlencode

import falcon
from marshmallow import Schema
from sqlalchemy.orm import Session

from procurement.errors import InvalidInput, StaleVersion
from procurement.pagination import Page
from procurement.scope import Actor


def actor_of(req: falcon.Request) -> Actor:
    actor: Actor = req.context.actor
    return actor


def session_of(req: falcon.Request) -> Session:
    session: Session = req.context.session
    return session


def load_query(req: falcon.Request, schema: Schema) -> dict[str, Any]:
    params = {k: v for k, v in req.params.items() if not isinstance(v, list)}
    repeated = [k for k, v in req.params.items() if isinstance(v, list)]
    if repeated:
        raise InvalidInput({k: "参数只能出现一次 / give this parameter once" for k in repeated})
    loaded: dict[str, Any] = schema.load(params)
    return loaded


def page_limit(req: falcon.Request, query: dict[str, Any]) -> int:
    settings = req.context.settings
    limit: int = query.pop("limit", settings.default_page_size)
    if limit > settings.max_page_size:
        raise InvalidInput(
            {"limit": f"每页最多{settings.max_page_size}条 / at most {settings.max_page_size}"}
        )
    return limit


def page_body(req: falcon.Request, page: Page[Any], schema: Schema, limit: int) -> dict[str, Any]:
    next_url = None
    if page.next_after is not None:
        params = {k: v for k, v in req.params.items() if k != "after"}
        params.update(after=str(page.next_after), limit=str(limit))
        next_url = f"{req.path}?{urlencode(params)}"
    return {"items": schema.dump(page.items, many=True), "next": next_url}


def contract_etag(version: int) -> str:
    return f'"{version}"'


def expected_version(req: falcon.Request) -> int | None:
    """The contract version named by If-Match (``*`` or absent: no precondition)."""
    tags = [str(t) for t in req.if_match or ()]
    if not tags or "*" in tags:
        return None
    for tag in tags:
        if tag.isdigit():
            return int(tag)
    raise StaleVersion("If-Match 与合同的任何版本都不符", "If-Match names no version of this contract")
