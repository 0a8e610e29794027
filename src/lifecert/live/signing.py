"""Stream keys and signed play URLs.

A stream key is ``s<id>?key=<secret>``: OBS puts it after the RTMP URL, nginx-rtmp takes
``s<id>`` as the stream name (the HLS folder: URLs never carry the secret) and passes
``key=<secret>`` to the app's on_publish callback. Only the secret's SHA-256 is stored.

Play URLs are checked by nginx itself (``secure_link``), so segments are never authorised one by
one by the app: ``/<kind>/<sig>/<expires>/<viewer>/<stream>/<file>`` where ``sig`` is the
base64url MD5 of ``"<expires> <viewer> <stream> <secret>"`` (nginx's ``secure_link_md5``). The
player's relative segment URLs inherit the same prefix. A URL is bound to one viewer and one
stream: changing either, or using it after ``expires``, gets 403 from the engine.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from lifecert.core.settings import Settings


def new_stream_secret() -> str:
    return secrets.token_urlsafe(18)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return bool(secret) and hmac.compare_digest(hash_secret(secret), stored_hash)


def stream_key(stream_name: str, secret: str) -> str:
    """What the host pastes into OBS's "stream key" field."""
    return f"{stream_name}?key={secret}"


def signing_secret(settings: Settings) -> str:
    """The secret nginx's secure_link shares with the app (derived from secret_key unless set)."""
    explicit = settings.live.signing_secret.get_secret_value()
    if explicit:
        return explicit
    key = settings.secret_key.get_secret_value().encode()
    return hmac.new(key, b"lifecert.live.play-url", hashlib.sha256).hexdigest()[:40]


def signature(secret: str, *, expires: int, viewer: str, stream: str) -> str:
    digest = hashlib.md5(f"{expires} {viewer} {stream} {secret}".encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def signed_path(
    secret: str, *, kind: str, viewer: str, stream: str, file: str, ttl_s: int,
    now: float | None = None,
) -> tuple[str, int]:
    """``/<kind>/<sig>/<expires>/<viewer>/<stream>/<file>`` and its expiry (Unix seconds)."""
    expires = int((now if now is not None else time.time()) + ttl_s)
    sig = signature(secret, expires=expires, viewer=viewer, stream=stream)
    return f"/{kind}/{sig}/{expires}/{viewer}/{stream}/{file}", expires


def callback_token(settings: Settings) -> str:
    """The token in the engine's callback URLs: only the engine we configured may call them."""
    return hmac.new(
        signing_secret(settings).encode(), b"lifecert.live.callbacks", hashlib.sha256
    ).hexdigest()[:32]
