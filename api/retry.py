"""A lost database connection: safe requests are retried once, the rest are answered 503.

PostgreSQL connections are not pinged at checkout (one round trip on every request), so the request
that meets a connection the server dropped (a restart, a failover, ``pg_terminate_backend``) fails;
SQLAlchemy then discards the pool. ``api/errors.py`` answers such failures 503 with ``Retry-After``
and marks the WSGI environ; this wrapper runs a GET, HEAD or OPTIONS again once on a fresh
connection, which is safe because they change nothing. A write is not repeated here: its transaction
was rolled back, and the client retries it (with its ``Idempotency-Key``).
"""

from collections.abc import Callable, Iterable
from typing import Any

UNAVAILABLE = "smeproc.database_unavailable"  # set by api/errors.py on the request's environ
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class RetryOnLostConnection:
    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") not in SAFE_METHODS:
            return self.app(environ, start_response)
        pristine = dict(environ)
        captured: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured[:] = [status, headers, exc_info]
            return lambda data: None  # the legacy write(): Falcon never calls it

        body = b"".join(self.app(environ, capture))
        if environ.get(UNAVAILABLE):
            return self.app(pristine, start_response)
        start_response(*captured)
        return [body]
