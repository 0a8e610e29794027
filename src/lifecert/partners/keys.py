"""API keys: issue (shown once), check on every call, revoke.

A key is ``lcp_<key_id>_<secret>``. The key id names the row (no scan, and logs can name a
key without holding it); the secret is 256 random bits, so a plain SHA-256 of it is as safe at
rest as a slow hash: slow hashes (argon2) exist to stop guessing of *low-entropy* passwords,
and 2^256 cannot be guessed; they would only add ~50 ms to every API call.

Every call reads the key row again in its own short transaction: a revocation takes effect on
the next request (no cache to wait out), and the per-key rate counter is taken before the
request's own session reads anything (see core/limits.py).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.service import record
from lifecert.core.db import session_scope, utcnow
from lifecert.core.errors import AuthenticationRequired, InvalidInput, NotFound, PermissionDenied
from lifecert.core.limits import hit_limit
from lifecert.core.roles import Role
from lifecert.core.scoping import Actor
from lifecert.organisation.models import Region
from lifecert.partners.models import Partner, PartnerKey, PartnerScope

PREFIX = "lcp"


@dataclass(frozen=True)
class PartnerCaller:
    """A checked key: who, what it may do, and the Actor its region scope gives."""

    partner_id: int
    partner_code: str
    key_id: str
    scopes: frozenset[str]
    actor: Actor

    def require(self, scope: PartnerScope) -> None:
        if scope.value not in self.scopes:
            raise PermissionDenied("This API key may not do this (missing scope {scope}).",
                                   params={"scope": scope.value})


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_key(
    session: Session,
    *,
    actor: Actor,
    partner: Partner,
    scopes: list[PartnerScope],
    region_ids: list[int],
    days: int | None = 365,
    label: str = "",
    rate_per_minute: int = 600,
) -> tuple[PartnerKey, str]:
    """A new key and its token (shown once). Regions must exist; none: the key sees nothing."""
    known = set(session.scalars(select(Region.id).where(Region.id.in_(region_ids))))
    if missing := sorted(set(region_ids) - known):
        raise InvalidInput("No such region: {ids}.", params={"ids": missing})
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    key = PartnerKey(
        partner_id=partner.id, key_id=key_id, secret_hash=_digest(secret), label=label[:100],
        scopes=sorted({s.value for s in scopes}), region_ids=sorted(set(region_ids)),
        rate_per_minute=rate_per_minute,
        expires_at=utcnow() + timedelta(days=days) if days else None,
    )
    session.add(key)
    session.flush()
    record(session, actor=actor, action="partner.key_issued", target_type="partner",
           target_id=partner.id, details={"key_id": key_id, "scopes": key.scopes,
                                          "regions": key.region_ids})
    return key, f"{PREFIX}_{key_id}_{secret}"


def revoke_key(session: Session, *, actor: Actor, key_id: str) -> PartnerKey:
    key = session.scalar(select(PartnerKey).where(PartnerKey.key_id == key_id))
    if key is None:
        raise NotFound("No such key.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        record(session, actor=actor, action="partner.key_revoked", target_type="partner",
               target_id=key.partner_id, details={"key_id": key_id})
    return key


def split_token(token: str) -> tuple[str, str]:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        raise AuthenticationRequired("Unknown, expired or revoked API key.")
    return parts[1], parts[2]


def _check(session: Session, key_id: str, secret: str, now: datetime) -> PartnerCaller:
    row = session.execute(
        select(PartnerKey, Partner).join(Partner, Partner.id == PartnerKey.partner_id)
        .where(PartnerKey.key_id == key_id)
    ).one_or_none()
    # One answer for every failure: a caller learns nothing about which keys exist.
    if row is None or not hmac.compare_digest(row[0].secret_hash, _digest(secret)):
        raise AuthenticationRequired("Unknown, expired or revoked API key.")
    key, partner = row
    if key.revoked_at is not None or not partner.active or (
        key.expires_at is not None and key.expires_at <= now
    ):
        raise AuthenticationRequired("Unknown, expired or revoked API key.")
    paths = tuple(sorted(session.scalars(select(Region.path).where(
        Region.id.in_(key.region_ids or [-1])))))
    actor = Actor(0, f"partner:{partner.code}/{key.key_id}", Role.PARTNER, paths, partner.name)
    return PartnerCaller(partner.id, partner.code, key.key_id, frozenset(key.scopes), actor)


def authenticate(token: str, *, method: str, path: str) -> PartnerCaller:
    """Check a bearer token (own transaction), count the call against the key's limit and
    audit it with the key id (committed even when the call itself fails later)."""
    key_id, secret = split_token(token)
    with session_scope() as own:
        caller = _check(own, key_id, secret, utcnow())
        limit = own.scalar(select(PartnerKey.rate_per_minute).where(PartnerKey.key_id == key_id))
    hit_limit(f"partner-key:{key_id}", limit=int(limit or 1), window_s=60)
    with session_scope() as own:
        record(own, actor=caller.actor, action="partner.api_call", target_type="partner",
               target_id=caller.partner_id,
               details={"key_id": key_id, "method": method, "path": path[:200]})
    return caller


def region_ids_of(session: Session, *, key_id: str) -> list[int]:
    return list(session.scalar(select(PartnerKey.region_ids).where(PartnerKey.key_id == key_id))
                or [])
