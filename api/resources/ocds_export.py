"""/v1/ocds/releases: the caller's contracts as an OCDS 1.1 release package (or JSON lines with
``Accept: application/x-ndjson``), streamed; /v1/ocds/extension/{name}: our extension's files."""

from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import falcon
import orjson
from sqlalchemy.orm import Session

from api.resources.base import actor_of, load_query, session_of
from api.schemas.ocds_export import OcdsReleasesQuerySchema
from procurement.errors import InvalidInput
from procurement.ocds.export import PARTY_SCALE_EXTENSION, export_releases

QUERY = OcdsReleasesQuerySchema()
NDJSON = "application/x-ndjson"
EXTENSION_FILES = ("extension.json", "release-schema.json")


def _lines(first: dict[str, Any] | None, rest: Iterator[dict[str, Any]], session: Session) -> Iterator[bytes]:
    try:
        if first is None:
            return
        yield orjson.dumps(first) + b"\n"
        for release in rest:
            yield orjson.dumps(release) + b"\n"
    finally:
        session.close()


def _package(
    head: dict[str, Any], first: dict[str, Any] | None, rest: Iterator[dict[str, Any]], session: Session
) -> Iterator[bytes]:
    try:
        yield orjson.dumps(head)[:-1] + b',"releases":['
        if first is not None:
            yield orjson.dumps(first)
            for release in rest:
                yield b"," + orjson.dumps(release)
        yield b"]}"
    finally:
        session.close()


class OcdsReleases:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = load_query(req, QUERY)
        if query.get("signed_from") and query.get("signed_to") and query["signed_to"] < query["signed_from"]:
            raise InvalidInput({"to": "结束日期早于开始日期 / 'to' is before 'from'"})
        session = session_of(req)
        releases = export_releases(
            session,
            actor_of(req),
            region_code=query.get("region"),
            signed_from=query.get("signed_from"),
            signed_to=query.get("signed_to"),
        )
        # the first release now, so a refused scope is answered as an error, not a broken stream;
        # the middleware closes the request's session before the body streams: the stream then
        # reads in a transaction of its own on the same session and closes it at the end
        first = next(releases, None)
        if req.client_accepts(NDJSON) and not req.client_accepts("application/json"):
            resp.content_type = NDJSON
            resp.stream = _lines(first, releases, session)
            return
        resp.content_type = falcon.MEDIA_JSON
        base = f"{req.scheme}://{req.netloc}"
        head = {
            "uri": f"{base}{req.relative_uri}",
            "version": "1.1",
            "publishedDate": datetime.now(UTC).isoformat(timespec="seconds"),
            "publisher": {"name": "smeproc"},
            "extensions": [PARTY_SCALE_EXTENSION, f"{base}/v1/ocds/extension/extension.json"],
        }
        resp.stream = _package(head, first, releases, session)


class OcdsExtension:
    auth_required = False

    def on_get(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        if name not in EXTENSION_FILES:
            raise falcon.HTTPNotFound()
        resp.content_type = falcon.MEDIA_JSON
        resp.data = (resources.files("procurement.ocds") / "extension" / name).read_bytes()
