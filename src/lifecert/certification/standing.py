"""What is true about a retiree's pension today, as their phone page says it: certified until
when, due in how many days, overdue since when, or payment stopped since when (and how to get
it back), with the community to call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy.orm import Session

from lifecert.certification.cycle import suspended_since
from lifecert.notifications.campaigns import community_phones
from lifecert.retirees.models import CertState, Retiree, RetireeStatus


class StandingKind(StrEnum):
    CERTIFIED = "certified"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"  # expired, in the grace period: payment continues until ``suspend_after``
    SUSPENDED = "suspended"  # payment stopped; a certification resumes it, with arrears
    REVIEW = "review"
    NEVER = "never"
    CLOSED = "closed"  # deceased or moved away: nothing to do on this phone


@dataclass(frozen=True)
class Standing:
    kind: StandingKind
    valid_until: date | None
    days_left: int | None  # until ``valid_until``; negative once expired
    suspend_after: date | None
    stopped_since: date | None
    community_name: str
    community_phone: str


def retiree_standing(session: Session, *, retiree: Retiree, today: date) -> Standing:
    """The retiree's own standing (the phone session already proved who they are)."""
    kind = _kind(retiree, today)
    stopped = None
    if kind == StandingKind.SUSPENDED:
        stopped = suspended_since(session, retiree_id=retiree.id)
    until = retiree.valid_until
    return Standing(
        kind=kind,
        valid_until=until,
        days_left=(until - today).days if until else None,
        suspend_after=retiree.suspend_after,
        stopped_since=stopped,
        community_name=retiree.community.name,
        community_phone=community_phones(session, {retiree.community_id}).get(
            retiree.community_id, ""
        ),
    )


def _kind(retiree: Retiree, today: date) -> StandingKind:
    if retiree.status == RetireeStatus.SUSPENDED:
        return StandingKind.SUSPENDED
    if retiree.status != RetireeStatus.ACTIVE:
        return StandingKind.CLOSED
    if retiree.cert_state == CertState.UNDER_REVIEW:
        return StandingKind.REVIEW
    if retiree.valid_until is None:
        return StandingKind.NEVER
    if retiree.valid_until < today or retiree.cert_state == CertState.OVERDUE:
        return StandingKind.OVERDUE
    if retiree.cert_state == CertState.DUE_SOON or (
        retiree.due_soon_from is not None and retiree.due_soon_from <= today
    ):
        return StandingKind.DUE_SOON
    return StandingKind.CERTIFIED
