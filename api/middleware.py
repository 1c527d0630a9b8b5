"""Request pipeline: size limit, a DB session per request, idempotent POSTs (API-key auth: api/auth.py).

Nothing per request is stored on resources (they are shared between threads): all of it lives on
``req.context``.
"""

import hashlib
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import falcon
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.body import body_limit, raw_body, too_large
from procurement.errors import Conflict, IdempotencyKeyReused
from procurement.idempotency.models import IdempotencyRecord
from procurement.scope import Actor

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BodyLimit:
    def __init__(self, settings: Any) -> None:
        self._settings = settings

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: object, params: Any
    ) -> None:
        req.context.settings = self._settings
        limit = body_limit(req, resource)
        req.context.body_limit = limit
        if req.content_length is not None and req.content_length > limit:
            raise too_large(limit)


class SessionManager:
    """Commit when the request succeeded, else roll back; always close (falcon-sqla's way).

    Requests that may write get a session from ``write_factory`` (on SQLite: one whose transaction
    takes the write lock at its first statement); reads, and resources marked ``read_only``, do not.
    """

    def __init__(
        self, read_factory: Callable[[], Session], write_factory: Callable[[], Session] | None = None
    ) -> None:
        self._read = read_factory
        self._write = write_factory or read_factory

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: object, params: Any
    ) -> None:
        if resource is None:
            return
        # a GET may write too (a one-time link being used, a job being queued): ``writes_on_get``
        writes = (
            req.method not in READ_METHODS or getattr(resource, "writes_on_get", False)
        ) and not getattr(resource, "read_only", False)
        req.context.session = (self._write if writes else self._read)()

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, req_succeeded: bool
    ) -> None:
        session: Session | None = getattr(req.context, "session", None)
        if session is None:
            return
        try:
            if req_succeeded and resp.status_code < 400:
                session.commit()
            else:
                session.rollback()
        finally:
            session.close()


class ActorCache:
    """Verified keys for a few seconds, so a busy client does not cost one key lookup per request.

    A revoked key stops working within ``ttl_seconds``.
    """

    def __init__(self, ttl_seconds: float = 10.0, max_entries: int = 10_000) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._entries: dict[str, tuple[float, Actor]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Actor | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: str, actor: Actor) -> None:
        with self._lock:
            if len(self._entries) >= self._max:
                self._entries.clear()
            self._entries[key] = (time.monotonic() + self._ttl, actor)


class Idempotency:
    """A POST with an ``Idempotency-Key`` replays its first successful response on retry.

    The record is written in the request's own transaction: it exists exactly when the effect does.
    Bodies are compared as parsed JSON (whitespace and key order do not matter); the response is
    stored as the app's own JSON handler rendered it, with the headers a replay must carry.
    """

    HEADER = "Idempotency-Key"
    REPLAYED_HEADERS = ("Location", "ETag", "Content-Type")

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: object, params: Any
    ) -> None:
        key = req.get_header(self.HEADER)
        if req.method != "POST" or key is None or not getattr(resource, "idempotent", False):
            return
        if not 1 <= len(key) <= 200:
            raise falcon.HTTPBadRequest(description="Idempotency-Key must be 1 to 200 characters")
        actor: Actor = req.context.actor
        fingerprint = hashlib.sha256(
            b"\x1f".join([req.method.encode(), req.relative_uri.encode(), _canonical_body(req)])
        ).hexdigest()
        session: Session = req.context.session
        stored = session.execute(
            select(IdempotencyRecord).where(
                IdempotencyRecord.api_key_id == actor.api_key_id, IdempotencyRecord.key == key
            )
        ).scalar_one_or_none()
        if stored is None:
            req.context.idempotency = (key, fingerprint)
            return
        if stored.fingerprint != fingerprint:
            raise IdempotencyKeyReused(
                {"Idempotency-Key": "该幂等键已用于另一个请求 / key used with another request"}
            )
        headers = stored.response_headers or {}
        resp.status = stored.status_code
        resp.data = stored.response_body.encode()
        resp.content_type = headers.get("Content-Type", falcon.MEDIA_JSON)
        for name in ("Location", "ETag"):
            if headers.get(name):
                resp.set_header(name, headers[name])
        resp.set_header("Idempotent-Replayed", "true")
        resp.complete = True

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, req_succeeded: bool
    ) -> None:
        pending = getattr(req.context, "idempotency", None)
        if pending is None or not req_succeeded or not 200 <= resp.status_code < 300:
            return
        session: Session = req.context.session
        # rendered by the same media handler the client got (dates, Decimals, nested results)
        body = resp.render_body() or b""
        headers = {name: resp.get_header(name) for name in self.REPLAYED_HEADERS if resp.get_header(name)}
        session.add(
            IdempotencyRecord(
                api_key_id=req.context.actor.api_key_id,
                key=pending[0],
                fingerprint=pending[1],
                status_code=resp.status_code,
                response_body=body.decode(),
                response_headers=headers,
            )
        )
        try:
            session.flush()
        except IntegrityError as exc:
            # a concurrent retry with the same key won the race; this one must not take effect
            session.rollback()
            raise Conflict(
                "同一幂等键的请求正在处理，请稍后重试",
                "a request with this Idempotency-Key is in progress; retry",
            ) from exc


def _canonical_body(req: falcon.Request) -> bytes:
    """A JSON body as parsed and re-serialised with sorted keys; any other body as its bytes."""
    data = raw_body(req)
    if req.content_type and not req.content_type.startswith("application/json"):
        return data
    try:
        document = json.loads(data or b"null")
    except (ValueError, UnicodeDecodeError):
        return data  # the resource answers the malformed body; the key then stores nothing
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
