"""Challenge sessions: issued by the server, bound to one browser session, used once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from lifecert.certification.models import CertMode, ChallengeSession, ChallengeStatus
from lifecert.certification.trust import ensure_face_check_allowed
from lifecert.core.db import utcnow
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


def claim_challenge(session: Session, *, nonce: str, client_binding: str) -> ChallengeSession:
    """Atomically mark the nonce used. A replay, another browser, or a late answer is refused."""
    challenge = session.query(ChallengeSession).filter_by(nonce=nonce).one_or_none()
    if challenge is None or challenge.client_binding != client_binding:
        raise ReplayDetected("This check is not valid any more. Please start again.")
    claimed = session.execute(
        update(ChallengeSession)
        .where(ChallengeSession.id == challenge.id, ChallengeSession.status == ChallengeStatus.OPEN)
        .values(status=ChallengeStatus.USED)
    ).rowcount  # type: ignore[attr-defined]
    if claimed != 1:
        raise ReplayDetected("This check was already sent. Please start again.")
    session.refresh(challenge)
    if challenge.expires_at < utcnow():
        raise InvalidInput("Time ran out for this check. Please start again; take your time.")
    return challenge
