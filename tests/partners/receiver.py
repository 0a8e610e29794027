"""A real HTTP server that receives webhooks as a partner would: it checks the signature and
the timestamp, and processes each event id once (deliveries are at-least-once)."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Receiver:
    secret: str
    script: list[str] = field(default_factory=list)  # "500", "200", "slow" per request; then 200
    received: list[dict[str, str]] = field(default_factory=list)  # every request's headers
    processed: dict[str, bytes] = field(default_factory=dict)  # event id -> body, once
    bad_signatures: int = 0
    url: str = ""

    def verifies(self, headers: dict[str, str], body: bytes) -> bool:
        stamp = headers.get("lifecert-timestamp", "")
        given = headers.get("lifecert-signature", "").removeprefix("v1=")
        expected = hmac.new(self.secret.encode(), f"{stamp}.".encode() + body,
                            hashlib.sha256).hexdigest()
        fresh = stamp.isdigit() and abs(time.time() - int(stamp)) < 300
        return fresh and hmac.compare_digest(given, expected)


@contextmanager
def receiving(secret: str, script: list[str] | None = None) -> Iterator[Receiver]:
    receiver = Receiver(secret, list(script or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            receiver.received.append(headers)
            if not receiver.verifies(headers, body):
                receiver.bad_signatures += 1
                self._answer(401)
                return
            step = receiver.script.pop(0) if receiver.script else "200"
            if step == "500":
                self._answer(500)
                return
            # Dedupe by event id: a retry of an event already processed changes nothing.
            receiver.processed.setdefault(headers["lifecert-event-id"], body)
            if step == "slow":
                time.sleep(1.5)  # processed, but the answer comes after the sender gave up
            self._answer(200)

        def _answer(self, status: int) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:
                pass  # the sender hung up (the "slow" case)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
