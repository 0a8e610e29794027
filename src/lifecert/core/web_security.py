"""Web hygiene for every response: security headers, no caching of what a login shows, and
integers in paths or query strings bounded before any route (or database) sees them.

- ``Content-Security-Policy`` without inline script (scripts are files under ``/static``),
  ``frame-ancestors 'none'``, ``X-Content-Type-Options: nosniff``, ``Referrer-Policy``.
- ``Permissions-Policy`` denies the camera, microphone and location unless the page itself
  asks for them (the face-check and enrolment pages set ``camera=(self)``; see ``templating``).
- ``Cache-Control: no-store`` on every dynamic response (pages behind a login, API answers):
  a shared computer's back button or a proxy never shows a retiree's data again. Static
  assets keep their own caching.
- An all-digit path segment or query value above the database's BIGINT range can never name
  a record: the request is answered 422 at once instead of overflowing a driver (a 500).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_DB_INT = 2**63 - 1
CAMERA_POLICY = "camera=(self), microphone=(), geolocation=(self), payment=(), usb=()"
DEFAULT_POLICY = "camera=(), microphone=(), geolocation=(self), payment=(), usb=()"
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        # Inline style attributes remain in a few templates; styles cannot run code.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# The API documentation pages: ReDoc renders in a web worker it builds from a blob: URL.
_DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self'; worker-src 'self' blob:")
_DOCS_PATHS = ("/api/docs", "/api/redoc")
_CACHEABLE_PREFIXES = ("/static/",)
_DIGITS = re.compile(r"^[+-]?\d{19,}$")

ErrorResponder = Callable[[Request, int, str], Awaitable[Response]]


def out_of_range(scope: Scope) -> bool:
    """True when a path segment or query value is an integer no BIGINT column can hold."""
    for segment in scope.get("path", "").split("/"):
        if _DIGITS.match(segment) and abs(int(segment)) > MAX_DB_INT:
            return True
    query = scope.get("query_string", b"").decode("latin-1")
    for _name, value in parse_qsl(query, keep_blank_values=True):
        value = value.strip()
        if _DIGITS.match(value) and abs(int(value)) > MAX_DB_INT:
            return True
    return False


def _security_headers(path: str, existing: set[bytes], hsts: bool) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", (_DOCS_CSP if path in _DOCS_PATHS else CSP).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if hsts:  # production is served over HTTPS only (session cookies are https-only there)
        headers.append((b"strict-transport-security", b"max-age=31536000"))
    if b"permissions-policy" not in existing:
        headers.append((b"permissions-policy", DEFAULT_POLICY.encode()))
    if not path.startswith(_CACHEABLE_PREFIXES) and b"cache-control" not in existing:
        headers.append((b"cache-control", b"no-store"))
        headers.append((b"pragma", b"no-cache"))
    return [h for h in headers if h[0] not in existing]


class SecurityHeadersMiddleware:
    """Adds the headers above to every HTTP response and refuses out-of-range integers."""

    def __init__(self, app: ASGIApp, respond_error: ErrorResponder, hsts: bool = False) -> None:
        self.app = app
        self.respond_error = respond_error
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                existing = {name.lower() for name, _ in headers}
                message["headers"] = headers + _security_headers(path, existing, self.hsts)
            await send(message)

        if out_of_range(scope):
            from lifecert.core.i18n import gettext

            detail = gettext("A number in the address is too large.")
            response = await self.respond_error(Request(scope, receive), 422, detail)
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)
