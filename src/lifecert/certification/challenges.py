"""Challenge sessions: issued by the server, bound to one browser session, used once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lifecert.certification.models import CertMode, ChallengeSession, ChallengeStatus
from lifecert.certification.trust import ensure_face_check_allowed
from lifecert.core.db import session_scope, utcnow
from lifecert.core.errors import InvalidInput, NotFound, ReplayDetected
from lifecert.core.settings import get_settings
from lifecert.face_engine import new_challenge
from lifecert.face_engine.liveness.challenge import challenge_from_names
from lifecert.retirees.models import Retiree


@dataclass(frozen=True)
class Helper:
    """Who holds the phone when it is not the retiree: a staff member or a family helper."""

    staff_id: int | None = None
    family_id: int | None = None


def issue_challenge(
    session: Session,
    *,
    retiree_id: int,
    mode: CertMode,
    client_binding: str,
    helper: Helper = Helper(),
) -> ChallengeSession:
    retiree = session.get(Retiree, retiree_id)
    if retiree is None:
        raise NotFound("No such retiree.")
    ensure_face_check_allowed(session, retiree=retiree)
    settings = get_settings().certification
    ttl = settings.challenge_ttl_s
    drawn = (
        challenge_from_names(settings.fixed_actions, ttl=float(ttl))
        if settings.fixed_actions
        else new_challenge(ttl=float(ttl))
    )
    now = utcnow()
    challenge = ChallengeSession(
        retiree_id=retiree_id,
        nonce=secrets.token_urlsafe(24),
        actions=list(drawn.actions),
        mode=mode,
        issued_at=now,
        expires_at=now + timedelta(seconds=ttl),
        client_binding=client_binding,
        helper_staff_id=helper.staff_id,
        helper_family_id=helper.family_id,
    )
    session.add(challenge)
    session.flush()
    return challenge


def _claim(session: Session, *, nonce: str, client_binding: str) -> ChallengeSession:
    claimed = session.execute(  # one statement: the claim is atomic on every database
        update(ChallengeSession)
        .where(
            ChallengeSession.nonce == nonce,
            ChallengeSession.client_binding == client_binding,
            ChallengeSession.status == ChallengeStatus.OPEN,
        )
        .values(status=ChallengeStatus.USED)
        .returning(ChallengeSession.id)
    ).scalar_one_or_none()
    if claimed is None:
        known = session.scalar(
            select(ChallengeSession.id).where(
                ChallengeSession.nonce == nonce, ChallengeSession.client_binding == client_binding
            )
        )
        if known is None:
            raise ReplayDetected("This check is not valid any more. Please start again.")
        raise ReplayDetected("This check was already sent. Please start again.")
    return session.get_one(ChallengeSession, claimed, populate_existing=True)


def claim_challenge(session: Session, *, nonce: str, client_binding: str) -> ChallengeSession:
    """Atomically mark the nonce used. A replay, another browser, or a late answer is refused."""
    challenge = _claim(session, nonce=nonce, client_binding=client_binding)
    if challenge.expires_at < utcnow():
        raise InvalidInput("Time ran out for this check. Please start again; take your time.")
    return challenge


def claim_challenge_now(*, nonce: str, client_binding: str) -> int:
    """Spend the nonce in its own, committed transaction, before any other work: a refused,
    failed or crashed submit has used it all the same, so it can never be replayed. (Its own
    boundary, like a job: this is the one place certification commits outside a request.)"""
    with session_scope() as own:
        challenge = _claim(own, nonce=nonce, client_binding=client_binding)
        challenge_id, expired = challenge.id, challenge.expires_at < utcnow()
    if expired:
        raise InvalidInput("Time ran out for this check. Please start again; take your time.")
    return challenge_id
