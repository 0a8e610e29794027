"""Logging in: passwords with lockout, and API tokens for integrations."""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.service import record
from lifecert.core.db import utcnow
from lifecert.core.errors import AuthenticationRequired, InvalidInput, NotFound
from lifecert.core.limits import clear_attempts, count_attempt, login_keys
from lifecert.core.scoping import Actor
from lifecert.core.security import (
    hash_password,
    new_token,
    password_needs_rehash,
    token_digest,
    verify_password,
)
from lifecert.core.settings import get_settings
from lifecert.identity.models import ApiToken
from lifecert.organisation.models import Staff
from lifecert.organisation.service import actor_for, get_staff_by_username

ACCOUNT_FACTOR = 4  # an account, from all addresses together, locks after 4x the failures


class AccountLocked(AuthenticationRequired):
    """Too many failed attempts: refused without checking the password."""


def authenticate_staff(
    session: Session, *, username: str, password: str, client: str = ""
) -> Staff:
    """Check a password under two atomic limits, counted *before* the check in their own
    transactions: per account and client address (a stranger locks only themself out, for a
    time that doubles with each lock), and per account from everywhere (4x the failures).
    Unknown names cost the same as known ones: the limits and a dummy argon2 verify."""
    work = get_settings().work
    pair_key, account_key = login_keys(username, client)
    for key, most in ((pair_key, work.login_max_failures),
                      (account_key, work.login_max_failures * ACCOUNT_FACTOR)):
        hit = count_attempt(key, limit=most, window_s=work.login_lock_max_s,
                            lock_s=work.login_lock_s, max_lock_s=work.login_lock_max_s)
        if hit.locked_until is not None:
            minutes = max(1, math.ceil((hit.locked_until - utcnow()).total_seconds() / 60))
            raise AccountLocked(
                "Too many failed attempts. Try again in {minutes} minutes.",
                params={"minutes": minutes},
            )
    staff = get_staff_by_username(session, username=username.strip())
    ok = verify_password(staff.password_hash if staff else None, password)
    if staff is None or not ok or not staff.is_active:
        raise AuthenticationRequired("Wrong username or password.")
    clear_attempts(session, pair_key, account_key)  # with the login: it commits with it
    staff.last_login_at = utcnow()
    if password_needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    return staff


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


# The demo city's accounts (lifecert.demo) and its published password. A test checks that every
# account the demo creates is listed, so production refuses to start while any still opens.
DEMO_USERNAMES = (
    "admin", "bureau", "district", "worker", "worker2", "provider", "academy",
    "academy_teacher", "academy2", "carer11", "carer12", "carer21", "carer22", "carer31", "carer32",
    "merchant", "merchant2", "merchant3",
)
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
