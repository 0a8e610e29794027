"""HMAC-SHA256 signatures shared with a partner: webhooks, verification requests, results.

The partner's signing secret is kept encrypted (LifeCert signs with it, so it cannot be a
one-way hash) and named by its key id in every signed message, so a partner can rotate it.
Compact tokens are ``base64url(JSON).base64url(HMAC(secret, first part))``; a ``typ`` field
keeps a request from being passed off as a result.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from typing import Any

from lifecert.core.crypto import get_keyring
from lifecert.core.errors import AuthenticationRequired
from lifecert.partners.models import Partner

_CONTEXT = "partner-signing"


def new_signing_secret() -> tuple[str, str]:
    """A fresh (key id, secret)."""
    return f"sk_{secrets.token_hex(6)}", f"lcs_{secrets.token_urlsafe(32)}"


def seal_secret(secret: str, key_id: str) -> bytes:
    return get_keyring().encrypt_text(secret, context=f"{_CONTEXT}:{key_id}")


def secret_of(partner: Partner) -> str:
    return get_keyring().decrypt_text(
        partner.signing_secret_enc, context=f"{_CONTEXT}:{partner.signing_key_id}"
    )


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 over ``timestamp + "." + body`` (the timestamp stops replays of old
    deliveries: receivers refuse one older than a few minutes)."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_token(secret: str, claims: dict[str, Any]) -> str:
    head = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(secret.encode(), head.encode(), hashlib.sha256).digest()
    return f"{head}.{_b64(mac)}"


def unverified_claims(token: str) -> dict[str, Any]:
    """The claims before the signature is checked (to find whose secret checks it)."""
    try:
        head = token.split(".", 1)[0]
        claims = json.loads(_unb64(head))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise AuthenticationRequired("The signed request is not valid.") from exc
    if not isinstance(claims, dict):
        raise AuthenticationRequired("The signed request is not valid.")
    return claims


def verify_token(secret: str, token: str) -> dict[str, Any]:
    head, _, mac = token.partition(".")
    try:
        given = _unb64(mac)
    except (ValueError, binascii.Error) as exc:
        raise AuthenticationRequired("The signed request is not valid.") from exc
    expected = hmac.new(secret.encode(), head.encode(), hashlib.sha256).digest()
    if not mac or not hmac.compare_digest(given, expected):
        raise AuthenticationRequired("The signed request is not valid.")
    return unverified_claims(token)
