"""Reading a request body within its size limit, and loading JSON through a marshmallow schema."""

import json
from typing import Any

import falcon
from marshmallow import Schema

DEFAULT_LIMIT_ATTR = "max_body_bytes"


def body_limit(req: falcon.Request, resource: object) -> int:
    """The resource's own limit (uploads) or the service's default."""
    limit: int = getattr(resource, DEFAULT_LIMIT_ATTR, None) or req.context.settings.max_body_bytes
    return limit


def too_large(limit: int) -> falcon.HTTPContentTooLarge:
    error = falcon.HTTPContentTooLarge(
        title="Content too large", description=f"the request body is larger than {limit} bytes"
    )
    error.detail_zh = f"请求体超过{limit}字节的上限"  # type: ignore[attr-defined]
    return error


READ_CHUNK_BYTES = 64 * 1024


def is_chunked(req: falcon.Request) -> bool:
    """A body sent with ``Transfer-Encoding: chunked`` (no Content-Length; the server decodes it)."""
    encoding = (req.get_header("Transfer-Encoding") or "").lower()
    return req.content_length is None and "chunked" in encoding


def raw_body(req: falcon.Request) -> bytes:
    """The whole body, read once, chunked or length-delimited alike, and never past the limit.

    Falcon's ``bounded_stream`` reads Content-Length bytes, so a chunked body (no Content-Length)
    would read as empty; that stream is read to its end instead, a piece at a time, and refused as
    soon as it passes the limit, so an endless body costs at most the limit in memory.
    """
    cached: bytes | None = getattr(req.context, "raw_body", None)
    if cached is not None:
        return cached
    limit: int = req.context.body_limit
    data = _read_capped(req.stream, limit) if is_chunked(req) else req.bounded_stream.read(limit + 1)
    if len(data) > limit:
        raise too_large(limit)
    req.context.raw_body = data
    return data


def _read_capped(stream: Any, limit: int) -> bytes:
    pieces: list[bytes] = []
    size = 0
    while True:
        piece = stream.read(min(READ_CHUNK_BYTES, limit + 1 - size))
        if not piece:
            return b"".join(pieces)
        pieces.append(piece)
        size += len(piece)
        if size > limit:
            raise too_large(limit)


def load_json(req: falcon.Request, schema: Schema, *, partial: bool = False) -> dict[str, Any]:
    data = raw_body(req)
    if req.content_type and not req.content_type.startswith("application/json"):
        raise falcon.HTTPUnsupportedMediaType(description="send the body as application/json")
    try:
        document = json.loads(data or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise falcon.HTTPBadRequest(
            title="Malformed JSON", description=f"the body is not JSON: {exc}"
        ) from exc
    if not isinstance(document, dict):
        raise falcon.HTTPBadRequest(title="Malformed JSON", description="the body must be a JSON object")
    # partial applies to the top-level fields only: a nested item (a payment term, a bond) is
    # validated whole, as marshmallow's partial=True would otherwise let it through half-filled
    top_level = tuple(schema.load_fields) if partial else False
    loaded: dict[str, Any] = schema.load(document, partial=top_level)
    return loaded
