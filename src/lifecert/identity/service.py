"""Logging in: passwords with lockout, and API tokens for integrations."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.service import record
from lifecert.core.db import utcnow
from lifecert.core.errors import AuthenticationRequired, InvalidInput, NotFound
from lifecert.core.scoping import Actor
from lifecert.core.security import (
    hash_password,
    new_token,
    password_needs_rehash,
    token_digest,
    verify_password,
)
from lifecert.identity.models import ApiToken
from lifecert.organisation.models import Staff
from lifecert.organisation.service import actor_for, get_staff_by_username

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


def authenticate_staff(session: Session, *, username: str, password: str) -> Staff:
    """Check a password; after repeated failures the account locks for a while."""
    staff = get_staff_by_username(session, username=username.strip())
    now = utcnow()
    if staff is not None and staff.locked_until is not None and staff.locked_until > now:
        raise AuthenticationRequired("Too many failed attempts. Try again in 15 minutes.")
    ok = verify_password(staff.password_hash if staff else None, password)
    if staff is None or not ok or not staff.is_active:
        if staff is not None:
            _record_failure(staff, now)
        raise AuthenticationRequired("Wrong username or password.")
    staff.failed_logins = 0
    staff.last_login_at = now
    if password_needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    return staff


def _record_failure(staff: Staff, now: datetime) -> None:
    staff.failed_logins += 1
    if staff.failed_logins >= MAX_FAILED_LOGINS:
        staff.locked_until = now + LOCKOUT
        staff.failed_logins = 0


def create_api_token(
    session: Session, *, staff: Staff, name: str, valid_days: int | None = 365
) -> tuple[ApiToken, str]:
    """Returns the row and the secret, which is shown once and never stored."""
    if not name.strip():
        raise InvalidInput("Give the token a name so you can recognise it later.")
    secret = new_token()
    expires = utcnow() + timedelta(days=valid_days) if valid_days else None
    token = ApiToken(
        staff_id=staff.id,
        name=name.strip(),
        prefix=secret[:10],
        token_hash=token_digest(secret),
        expires_at=expires,
    )
    session.add(token)
    session.flush()
    record(session, actor=actor_for(staff), action="api_token.created", target_type="api_token",
           target_id=token.id, details={"name": token.name, "prefix": token.prefix,
                                        "expires_at": expires})
    return token, secret


def staff_for_api_token(session: Session, *, secret: str) -> Staff:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(secret)))
    now = utcnow()
    if (
        token is None
        or token.revoked_at is not None
        or (token.expires_at is not None and token.expires_at <= now)
    ):
        raise AuthenticationRequired("The API token is invalid, expired or revoked.")
    staff = session.get(Staff, token.staff_id)
    if staff is None or not staff.is_active:
        raise AuthenticationRequired("The API token is invalid, expired or revoked.")
    token.last_used_at = now
    return staff


def revoke_api_token(session: Session, *, actor: Actor, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.staff_id != actor.staff_id:
        raise NotFound("No such token.")
    token.revoked_at = utcnow()
    record(session, actor=actor, action="api_token.revoked", target_type="api_token",
           target_id=token.id, details={"name": token.name, "prefix": token.prefix})


# The demo city's accounts (lifecert.demo) and its published password.
DEMO_USERNAMES = ("admin", "bureau", "district", "worker", "worker2", "provider", "academy")
DEMO_PASSWORD = "lifecert-demo"


def demo_password_accounts(session: Session) -> list[str]:
    """Active accounts that still open with the published demo password."""
    accounts = session.scalars(
        select(Staff).where(Staff.username.in_(DEMO_USERNAMES), Staff.is_active.is_(True))
    )
    return [s.username for s in accounts if verify_password(s.password_hash, DEMO_PASSWORD)]


def refuse_demo_passwords(session: Session) -> None:
    """Production start: one clear message naming the accounts to fix."""
    names = demo_password_accounts(session)
    if names:
        raise RuntimeError(
            "unsafe production settings: the demo password still opens "
            + ", ".join(names)
            + "; change it with `lifecert staff set-password USER` (or deactivate the account)"
        )
