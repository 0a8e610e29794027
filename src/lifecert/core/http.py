"""HTTP plumbing shared by API and pages: request ids, locale, metrics, and error mapping.

No stack trace ever reaches a user: every error becomes an RFC 9457 problem (API) or a friendly
page (web), with the request id so support can find the log line.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from prometheus_client import Counter, Histogram
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lifecert.core.errors import LifeCertError
from lifecert.core.i18n import (
    N_,
    gettext,
    locale_from_accept_language,
    normalise_locale,
    set_locale,
)
from lifecert.core.logging import get_logger

log = get_logger("lifecert.http")

REQUESTS = Counter("lifecert_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("lifecert_http_request_seconds", "HTTP request latency", ["method", "route"])

HtmlErrorRenderer = Callable[[Request, int, str], Awaitable[HTMLResponse]]


class RequestContextMiddleware:
    """Binds a request id and the caller's language for everything that runs in the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = headers.get("x-request-id", "")[:64] or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        set_locale(_pick_locale(headers))
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _observe(scope, status_holder["status"], time.perf_counter() - started)


def _pick_locale(headers: dict[str, str]) -> str:
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == "lang" and value:
            return normalise_locale(value)
    return locale_from_accept_language(headers.get("accept-language")) or "zh_CN"


def _observe(scope: Scope, status: int, seconds: float) -> None:
    route = scope.get("route")
    # Label by route template, never the raw path: ids in paths would explode cardinality.
    template = getattr(route, "path", "unmatched")
    REQUESTS.labels(scope["method"], template, str(status)).inc()
    LATENCY.labels(scope["method"], template).observe(seconds)
    log.info(
        "request",
        method=scope["method"],
        path=scope["path"],
        status=status,
        ms=round(seconds * 1000, 1),
    )


def _wants_html(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "json" not in accept


def problem(
    request: Request, status: int, code: str, detail: str, fields: dict[str, str] | None = None
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://lifecert.invalid/problems/{code}",
        "title": code,
        "status": status,
        "detail": detail,
        "request_id": getattr(request.state, "request_id", ""),
    }
    if fields:
        body["fields"] = fields
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def error_responder(
    render_html: HtmlErrorRenderer,
) -> Callable[[Request, int, str], Awaitable[Response]]:
    """A page or a problem answer for middleware that refuses a request before any route."""

    async def respond(request: Request, status: int, detail: str) -> Response:
        if _wants_html(request):
            return await render_html(request, status, detail)
        return problem(request, status, "invalid_input", detail)

    return respond


def install_error_handlers(app: FastAPI, render_html: HtmlErrorRenderer) -> None:
    async def respond(
        request: Request, status: int, code: str, detail: str, fields: dict[str, str] | None = None
    ) -> Response:
        if _wants_html(request):
            return await render_html(request, status, detail)
        return problem(request, status, code, detail, fields)

    @app.exception_handler(LifeCertError)
    async def _domain(request: Request, exc: LifeCertError) -> Response:
        if exc.status_code >= 500:
            log.error("domain_error", code=exc.code, detail=exc.message)
        detail = exc.translated()
        fields = {k: gettext(v) for k, v in exc.fields.items()}
        response = await respond(request, exc.status_code, exc.code, detail, fields)
        if exc.retry_after is not None:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        fields = {
            ".".join(str(p) for p in err["loc"][1:]) or "body": err["msg"] for err in exc.errors()
        }
        detail = gettext("Some fields are missing or invalid; see the list of fields.")
        return await respond(request, 422, "invalid_input", detail, fields)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {
            404: N_("This page does not exist."),
            405: N_("This action is not allowed here."),
        }
        detail = gettext(messages.get(exc.status_code, N_("The request could not be handled.")))
        return await respond(request, exc.status_code, f"http_{exc.status_code}", detail)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, exc: Exception) -> Response:
        # A number or text no database column can hold (a JSON body, a form): the caller's
        # mistake, answered as such instead of a 500.
        log.warning("value_out_of_range", error_type=type(exc).__name__)
        detail = gettext("A value in the request is too large.")
        return await respond(request, 422, "invalid_input", detail)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled_error", error_type=type(exc).__name__)
        detail = gettext("Something went wrong on our side. Nothing was changed; please try again.")
        return await respond(request, 500, "internal_error", detail)
