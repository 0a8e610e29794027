"""``/metrics`` for Prometheus: behind a bearer token (``LIFECERT_METRICS_TOKEN``).

Without a token the endpoint is open only in dev and test; in production it answers 404, so
request counts and latencies never leak to the internet by accident.
"""

from __future__ import annotations

import hmac

from prometheus_client import make_asgi_app
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from lifecert.core.settings import Settings


def metrics_app(settings: Settings) -> ASGIApp:
    inner = make_asgi_app()
    token = settings.metrics_token.get_secret_value()
    if not token and settings.is_dev:
        return inner

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", []))
        given = headers.get(b"authorization", b"").decode("latin-1")
        if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            await inner(scope, receive, send)
            return
        await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)

    return guarded
