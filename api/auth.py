"""API-key authentication with rate limits, and the key's last use recorded.

The key is looked up in a read session of its own, never in the request's session: on SQLite that
one may be a writer, and a lookup there would begin the write transaction (and hold the write gate)
before the body is even parsed. ``last_used_at`` is written at most once a minute per key, off the
request's path when the app runs on its own engine.
"""

import hashlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import falcon
from sqlalchemy.orm import Session

from api.middleware import ActorCache
from api.ratelimit import RateLimits
from procurement.errors import NotAuthenticated
from procurement.organizations.keys import touch_last_used
from procurement.organizations.services import authenticate

log = logging.getLogger("smeproc.auth")


class KeyAuthentication:
    def __init__(
        self,
        read_factory: Callable[[], Session],
        write_factory: Callable[[], Session],
        *,
        cache: ActorCache | None = None,
        limits: RateLimits | None = None,
        touch_in_background: bool = True,
    ) -> None:
        self._read = read_factory
        self._write = write_factory
        self._cache = cache or ActorCache()
        self._limits = limits
        # one thread: recording last use is a few small writes a minute, never worth a request's wait
        self._toucher = ThreadPoolExecutor(max_workers=1) if touch_in_background else None

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: object, params: Any
    ) -> None:
        if resource is None:
            return
        address = req.remote_addr or "unknown"
        if self._limits is not None:
            self._limits.request_from(address)
        if not getattr(resource, "auth_required", True):
            return
        header = req.get_header("Authorization") or ""
        scheme, _, presented = header.partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            raise NotAuthenticated(
                "缺少API密钥：请在 Authorization 头中提供 Bearer 密钥",
                "missing API key: send Authorization: Bearer <key>",
            )
        presented = presented.strip()
        digest = hashlib.sha256(presented.encode()).hexdigest()
        actor = self._cache.get(digest)
        if actor is None:
            if self._limits is not None:
                self._limits.may_try_a_key(address)
            try:
                with self._read() as session:
                    actor = authenticate(session, presented)
            except NotAuthenticated:
                if self._limits is not None:
                    self._limits.failed_authentication(address)
                raise
            self._cache.put(digest, actor)
            self._record_use(actor.api_key_id)
        if self._limits is not None:
            self._limits.request_with_key(actor.api_key_id)
        req.context.actor = actor

    def _record_use(self, api_key_id: int) -> None:
        if self._toucher is None:
            self._touch(api_key_id)
        else:
            self._toucher.submit(self._touch, api_key_id)

    def _touch(self, api_key_id: int) -> None:
        try:
            with self._write() as session:
                if touch_last_used(session, api_key_id):
                    session.commit()
        except Exception:  # bookkeeping: never fails a request
            log.warning("could not record the use of key %s", api_key_id, exc_info=True)
