"""Request bodies are capped while they stream in, before any route or form parser sees them.

A declared ``Content-Length`` above the route's cap is refused at once; a chunked or lying
client is cut off as soon as the bytes received pass it. Either way: 413 and nothing parsed.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lifecert.core.http import problem
from lifecert.core.i18n import gettext
from lifecert.core.settings import get_settings

_SLACK = 256 * 1024  # multipart headers and small form fields


class _TooLarge(Exception):
    pass


def body_limit(path: str) -> int:
    """The most bytes one request to ``path`` may send."""
    settings = get_settings()
    cert, face = settings.certification, settings.face
    if path == "/api/v1/certify/submit":
        return cert.max_frames * cert.max_frame_bytes + _SLACK
    if path == "/api/v1/certify/hint":
        return cert.max_frame_bytes + _SLACK
    if path.endswith("/templates") or path.endswith("/enroll"):
        return face.max_image_bytes + _SLACK
    if path.endswith("/imports/photos"):
        return settings.work.max_archive_bytes + _SLACK
    return settings.work.max_body_bytes


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(scope, send, limit)
            return
        received = 0
        over = started = False

        async def counting_receive() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # The form parser may turn our exception into its own 400: the answer is a 413.
            nonlocal started
            if over:
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await _refuse(scope, send, limit)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _TooLarge:
            if not started:
                await _refuse(scope, send, limit)


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    detail = gettext("The upload is larger than {mb} MB.", mb=max(1, limit >> 20))
    response = problem(Request(scope), 413, "payload_too_large", detail)
    # The rest of the body is never read: the client must not reuse this connection.
    response.headers["connection"] = "close"
    await response(scope, _nothing, send)


async def _nothing() -> Message:
    return {"type": "http.disconnect"}
