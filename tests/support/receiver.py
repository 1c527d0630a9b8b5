"""A webhook receiver on 127.0.0.1 for tests and benchmarks: it verifies each request with the
standardwebhooks library, keeps what it got, and can be told to fail (status, delay, hang up)."""

import http.server
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks import Webhook


@dataclass
class Received:
    webhook_id: str
    payload: Any
    verified: bool
    at: float


@dataclass
class Behaviour:
    status: int = 204
    delay_seconds: float = 0.0
    hang_up: bool = False  # close the connection without answering


@dataclass
class Receiver:
    url: str
    secrets: list[str] = field(default_factory=list)
    behaviour: Behaviour = field(default_factory=Behaviour)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def verify(self, body: bytes, headers: dict[str, str]) -> tuple[bool, Any]:
        for secret in self.secrets:
            try:
                return True, Webhook(secret).verify(body, headers)
            except Exception:  # the library raises for a bad signature; try the next secret
                continue
        return False, None

    def ids(self) -> list[str]:
        with self.lock:
            return [r.webhook_id for r in self.received]


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    state: dict[str, Receiver] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as senders pool connections

        def do_POST(self) -> None:
            receiver = state["receiver"]
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            behaviour = receiver.behaviour
            if behaviour.delay_seconds:
                time.sleep(behaviour.delay_seconds)
            if behaviour.hang_up:
                self.close_connection = True
                self.connection.close()
                return
            verified, payload = receiver.verify(body, dict(self.headers.items()))
            with receiver.lock:
                receiver.received.append(
                    Received(self.headers.get("webhook-id", ""), payload, verified, time.time())
                )
            self.send_response(behaviour.status if verified else 401)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state["receiver"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hook")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["receiver"]
    finally:
        server.shutdown()
        server.server_close()
