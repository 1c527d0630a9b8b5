"""Rate limits per API key, per client address, and a stricter one on failed authentication, with
the ``limits`` library: in-memory storage embedded (per worker process), Redis in production (one
count across workers and machines). Over a limit: 429 with ``Retry-After``.

A limiter that cannot reach its storage lets the request through (logged): a Redis outage must not
take the API down with it.
"""

import logging
import math
import time

import falcon
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from config.settings import Settings

log = logging.getLogger("smeproc.ratelimit")


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(settings.rate_limit_storage))
        self._per_key = parse(settings.rate_limit_per_key)
        self._per_address = parse(settings.rate_limit_per_address)
        self._failed_auth = parse(settings.rate_limit_failed_auth)

    def request_from(self, address: str) -> None:
        """Every request counts against its client address."""
        self._hit(self._per_address, "address", address)

    def request_with_key(self, api_key_id: int) -> None:
        self._hit(self._per_key, "key", str(api_key_id))

    def may_try_a_key(self, address: str) -> None:
        """Refuse before looking a key up when this address failed too often lately."""
        try:
            allowed = self._limiter.test(self._failed_auth, "failed-auth", address)
        except Exception:  # storage unreachable: fail open
            log.warning("rate limit storage unavailable", exc_info=True)
            return
        if not allowed:
            raise self._too_many(self._failed_auth, "failed-auth", address)

    def failed_authentication(self, address: str) -> None:
        try:
            self._limiter.hit(self._failed_auth, "failed-auth", address)
        except Exception:
            log.warning("rate limit storage unavailable", exc_info=True)

    def _hit(self, item: RateLimitItem, *identifiers: str) -> None:
        try:
            allowed = self._limiter.hit(item, *identifiers)
        except Exception:
            log.warning("rate limit storage unavailable", exc_info=True)
            return
        if not allowed:
            raise self._too_many(item, *identifiers)

    def _too_many(self, item: RateLimitItem, *identifiers: str) -> falcon.HTTPTooManyRequests:
        try:
            reset_at = self._limiter.get_window_stats(item, *identifiers).reset_time
        except Exception:
            reset_at = time.time() + item.get_expiry()
        retry_after = max(1, math.ceil(reset_at - time.time()))
        error = falcon.HTTPTooManyRequests(
            title="Too many requests",
            description=f"more than {item} ({identifiers[0]}); retry in {retry_after} s",
            retry_after=retry_after,
        )
        error.detail_zh = f"请求过于频繁（{identifiers[0]}限额 {item}），请{retry_after}秒后重试"  # type: ignore[attr-defined]
        return error
