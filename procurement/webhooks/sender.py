"""Sending signed webhooks over HTTP: Standard Webhooks headers, a timeout, many at once."""

import json
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx
from standardwebhooks import Webhook

from procurement.errors import InvalidInput
from procurement.webhooks.urls import Resolver, check_url, resolve

CONNECT_TIMEOUT_SECONDS = 5.0
TIMEOUT_SECONDS = 10.0
MAX_ERROR_CHARS = 500
# how long an address check of a host holds (a host that turns private is refused after this)
ADDRESS_CHECK_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Outgoing:
    delivery_id: int
    subscription_id: int
    url: str
    secret: str
    message_id: str
    body: str


@dataclass(frozen=True, slots=True)
class Outcome:
    delivery_id: int
    status_code: int | None  # None: no HTTP answer
    error: str | None  # None on success (2xx)
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.error is None


class Sender(Protocol):
    def send(self, batch: Sequence[Outgoing]) -> list[Outcome]: ...


def event_body(event_type: str, occurred_at: datetime, data: dict[str, Any]) -> str:
    """The payload Standard Webhooks describes: type, timestamp and data; the same bytes on every
    attempt (keys sorted), so a signature can be checked against what was stored."""
    document = {"type": event_type, "timestamp": occurred_at.isoformat(), "data": data}
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def signed_headers(item: Outgoing, now: datetime) -> dict[str, str]:
    """The Standard Webhooks headers; ``now`` is the attempt's wall-clock time (webhook-timestamp)."""
    signature = Webhook(item.secret).sign(msg_id=item.message_id, timestamp=now, data=item.body)
    return {
        "webhook-id": item.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
        "user-agent": "smeproc-webhooks/1",
    }


class HttpSender:
    """Posts each delivery on a pooled client, ``concurrency`` at a time.

    With ``allow_private`` False (production) every host is checked again before it is called,
    so a name that has come to point at a private address since it was subscribed is refused.
    """

    def __init__(
        self,
        *,
        concurrency: int = 32,
        allow_private: bool = False,
        resolver: Resolver = resolve,
        timeout_seconds: float = TIMEOUT_SECONDS,
    ) -> None:
        connect_seconds = min(CONNECT_TIMEOUT_SECONDS, timeout_seconds)
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout_seconds, connect=connect_seconds),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2),
        )
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="smeproc-webhook")
        self._allow_private = allow_private
        self._resolver = resolver
        self._checked: dict[str, tuple[float, str | None]] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._client.close()

    def send(self, batch: Sequence[Outgoing]) -> list[Outcome]:
        return list(self._pool.map(self._send_one, batch))

    def _refusal(self, url: str) -> str | None:
        if self._allow_private:
            return None
        cached = self._checked.get(url)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        try:
            check_url(url, allow_private=False, resolver=self._resolver)
            refusal = None
        except InvalidInput as exc:
            refusal = "; ".join(m for ms in exc.errors.values() for m in ms)
        with self._lock:
            self._checked[url] = (time.monotonic() + ADDRESS_CHECK_SECONDS, refusal)
        return refusal

    def _send_one(self, item: Outgoing) -> Outcome:
        started = time.monotonic()
        refusal = self._refusal(item.url)
        if refusal is not None:
            return Outcome(item.delivery_id, None, refusal, 0)
        status: int | None = None
        try:
            response = self._client.post(
                item.url, content=item.body.encode(), headers=signed_headers(item, datetime.now(UTC))
            )
            status = response.status_code
            error = None if 200 <= status < 300 else f"HTTP {status}: {response.text[:200]}"
        except httpx.HTTPError as exc:  # timeout, refused, reset, closed: retried later
            error = f"{type(exc).__name__}: {exc}".rstrip(": ")
        elapsed_ms = int((time.monotonic() - started) * 1000)
        return Outcome(item.delivery_id, status, error[:MAX_ERROR_CHARS] if error else None, elapsed_ms)
