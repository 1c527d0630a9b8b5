#!/usr/bin/env python3
"""A webhook receiver for bench/webhooks.py: verifies every request with standardwebhooks and
appends ``webhook-id arrival-epoch-seconds`` lines to a file (flushed every 0.2 s and at exit).

Usage: bench/webhook_receiver.py PORT SECRET OUT_FILE
Loopback only. Answers 204, or 401 for a bad signature (which the sender then retries).
"""

import http.server
import signal
import sys
import threading
import time
from typing import Any

from standardwebhooks import Webhook


def main() -> None:
    port, secret, out_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    webhook = Webhook(secret)
    lines: list[str] = []
    lock = threading.Lock()
    out = open(out_path, "a")  # noqa: SIM115 (kept open for the process's life)

    def flush() -> None:
        with lock:
            batch = lines[:]
            lines.clear()
        if batch:
            out.write("".join(batch))
            out.flush()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            try:
                webhook.verify(body, dict(self.headers.items()))
                status = 204
            except Exception:  # a bad signature is refused, as a real receiver would
                status = 401
            if status == 204:
                with lock:
                    lines.append(f"{self.headers['webhook-id']} {time.time():.6f}\n")
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.request_queue_size = 256

    def flusher() -> None:
        while True:
            time.sleep(0.2)
            flush()

    threading.Thread(target=flusher, daemon=True).start()

    def stop(*_: Any) -> None:
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    print("ready", flush=True)
    server.serve_forever()
    flush()
    out.close()


if __name__ == "__main__":
    main()
