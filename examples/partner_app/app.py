"""An example partner app (a bank's or a provincial app's web side) using LifeCert's
certification as a service. Deliberately independent of the lifecert package: everything a
partner needs is its partner code, its signing secret and the standard library.

Run: LIFECERT_URL=http://127.0.0.1:8000 PARTNER_CODE=bank SIGNING_SECRET=lcs_... \
     PUBLIC_URL=http://127.0.0.1:9000 uvicorn examples.partner_app.app:app --port 9000
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
import json
import os
import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

app = FastAPI(title="Example partner app")
_lock = threading.Lock()
_pending: dict[str, int] = {}  # nonce -> retiree id, until LifeCert's result comes back once
_accepted: list[dict[str, Any]] = []


def _config() -> tuple[str, str, str, str]:
    return (os.environ["LIFECERT_URL"].rstrip("/"), os.environ["PARTNER_CODE"],
            os.environ["SIGNING_SECRET"], os.environ["PUBLIC_URL"].rstrip("/"))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(secret: str, claims: dict[str, Any]) -> str:
    """``base64url(JSON).base64url(HMAC-SHA256(secret, first part))``."""
    head = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    return f"{head}.{_b64(hmac.new(secret.encode(), head.encode(), hashlib.sha256).digest())}"


def verify_result(secret: str, partner: str, token: str) -> dict[str, Any]:
    """The result's claims, or ValueError saying why it is refused."""
    head, _, mac = token.partition(".")
    try:
        given = _unb64(mac)
        claims = json.loads(_unb64(head))
    except (ValueError, binascii.Error) as exc:
        raise ValueError("malformed") from exc
    expected = hmac.new(secret.encode(), head.encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(given, expected):
        raise ValueError("bad signature")
    if claims.get("typ") != "lifecert.verify.result" or claims.get("partner") != partner:
        raise ValueError("not a result for us")
    if not isinstance(claims.get("exp"), int) or claims["exp"] < time.time():
        raise ValueError("expired")
    with _lock:  # single use: the nonce we sent is spent by the first result naming it
        if _pending.pop(str(claims.get("nonce")), None) != claims.get("retiree_id"):
            raise ValueError("unknown or replayed")
    return claims


@app.get("/", response_class=HTMLResponse)
def home() -> str:
    return ("<h1>Example partner</h1><form action='/start'><label>Retiree id "
            "<input name='retiree_id'></label><button>Verify with LifeCert</button></form>")


@app.get("/start")
def start(retiree_id: int) -> RedirectResponse:
    lifecert, partner, secret, public = _config()
    nonce = secrets.token_urlsafe(16)
    with _lock:
        _pending[nonce] = retiree_id
    request = sign(secret, {"typ": "lifecert.verify.request", "partner": partner,
                            "retiree_id": retiree_id, "return_url": f"{public}/lifecert/return",
                            "nonce": nonce, "exp": int(time.time()) + 900})
    return RedirectResponse(f"{lifecert}/m/verify?{urlencode({'request': request})}",
                            status_code=303)


@app.get("/lifecert/return", response_class=HTMLResponse)
def back(result: str = "") -> HTMLResponse:
    _lifecert, partner, secret, _public = _config()
    try:
        claims = verify_result(secret, partner, result)
    except ValueError as exc:
        return HTMLResponse(f"<h1>Refused</h1><p id='reason'>{html.escape(str(exc))}</p>",
                            status_code=400)
    with _lock:
        _accepted.append(claims)
    return HTMLResponse(f"<h1>Verified</h1><p id='outcome'>{html.escape(claims['outcome'])}</p>"
                        f"<p id='retiree'>{claims['retiree_id']}</p>")


@app.get("/accepted")
def accepted() -> list[dict[str, Any]]:
    with _lock:
        return list(_accepted)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


_seen_events: set[str] = set()


@app.post("/hooks")
async def hooks(request: Request) -> Response:
    """A webhook receiver: signature over timestamp + "." + body, fresh timestamp, and each
    event id processed once (LifeCert resends an event whose answer it did not get)."""
    _lifecert, _partner, secret, _public = _config()
    body = await request.body()
    stamp = request.headers.get("lifecert-timestamp", "")
    given = request.headers.get("lifecert-signature", "").removeprefix("v1=")
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not (stamp.isdigit() and abs(time.time() - int(stamp)) < 300
            and hmac.compare_digest(given, expected)):
        return Response(status_code=401)
    event_id = request.headers.get("lifecert-event-id", "")
    with _lock:
        if event_id in _seen_events:
            return Response(status_code=200)  # a retry of one we processed: nothing to do
        _seen_events.add(event_id)
    return Response(status_code=200)
