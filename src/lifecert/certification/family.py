"""Family helpers under the community's eye: a link request is confirmed by the retiree (in
their own SMS-code session) or by staff of the retiree's community after an ID check; staff
only see and verify helpers of elders in their regions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from lifecert.audit.service import record
from lifecert.certification.models import FamilyHelper, FamilyLink
from lifecert.core.db import utcnow
from lifecert.core.errors import InvalidInput, NotFound
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor, scope_filter
from lifecert.organisation.models import Region
from lifecert.retirees.models import Retiree
from lifecert.retirees.service import get_retiree


def _scoped_links(actor: Actor) -> Select[FamilyLink, FamilyHelper, Retiree]:
    return (
        select(FamilyLink, FamilyHelper, Retiree)
        .join(FamilyHelper, FamilyLink.helper_id == FamilyHelper.id)
        .join(Retiree, FamilyLink.retiree_id == Retiree.id)
        .join(Region, Retiree.community_id == Region.id)
        .where(scope_filter(actor, Permission.WRITE_RETIREES, Region.path))
    )


def links_to_check(
    session: Session, *, actor: Actor, limit: int = 200
) -> Sequence[tuple[FamilyLink, FamilyHelper, Retiree]]:
    """Unconfirmed links and unverified helpers, for elders in the actor's regions only."""
    rows = session.execute(
        _scoped_links(actor)
        .where((FamilyLink.confirmed_at.is_(None)) | (FamilyHelper.verified_at.is_(None)))
        .order_by(FamilyLink.created_at)
        .limit(limit)
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def verify_helper(session: Session, *, actor: Actor, helper_id: int) -> FamilyHelper:
    """The helper's ID card was checked. Only staff of a community where the helper has
    asked to help an elder may do it; anyone else gets "not found"."""
    helper = session.scalar(
        _scoped_links(actor).with_only_columns(FamilyHelper).where(FamilyHelper.id == helper_id)
    )
    if helper is None:
        raise NotFound("No such helper.")
    if helper.verified_at is None:
        helper.verified_at, helper.verified_by = utcnow(), actor.staff_id or None
        record(session, actor=actor, action="helper.verified", target_type="family_helper",
               target_id=helper.id)
    return helper


def confirm_link_by_staff(
    session: Session, *, actor: Actor, link_id: int, id_checked: bool
) -> FamilyLink:
    """Staff of the retiree's community confirm a link after checking the helper's ID card
    (which also verifies the helper)."""
    link = session.get(FamilyLink, link_id)
    if link is None:
        raise NotFound("No such helper.")
    get_retiree(
        session, actor=actor, retiree_id=link.retiree_id, permission=Permission.WRITE_RETIREES
    )
    if not id_checked:
        raise InvalidInput("Check the helper's ID card in person or by video call first.")
    verify_helper(session, actor=actor, helper_id=link.helper_id)
    return _confirm(session, link, actor=actor, how="staff")


def pending_links_for(session: Session, *, retiree: Retiree) -> Sequence[tuple[FamilyLink, str]]:
    rows = session.execute(
        select(FamilyLink, FamilyHelper.name)
        .join(FamilyHelper, FamilyLink.helper_id == FamilyHelper.id)
        .where(FamilyLink.retiree_id == retiree.id, FamilyLink.confirmed_at.is_(None))
        .order_by(FamilyLink.id)
    ).all()
    return [(r[0], r[1]) for r in rows]


def answer_link_as_retiree(
    session: Session, *, retiree: Retiree, link_id: int, accept: bool
) -> None:
    """The retiree, logged in with the code sent to their own phone, accepts or refuses."""
    link = session.get(FamilyLink, link_id)
    if link is None or link.retiree_id != retiree.id or link.confirmed_at is not None:
        raise NotFound("No such request.")
    if accept:
        _confirm(session, link, actor=None, how="retiree")
        return
    record(session, actor=None, action="helper.link_refused", target_type="retiree",
           target_id=retiree.id, details={"helper_id": link.helper_id, "link_id": link.id})
    session.delete(link)
    session.flush()


def _confirm(session: Session, link: FamilyLink, *, actor: Actor | None, how: str) -> FamilyLink:
    if link.confirmed_at is None:
        link.confirmed_at, link.confirmed_how = utcnow(), how
        link.confirmed_by = (actor.staff_id or None) if actor else None
        record(session, actor=actor, action="helper.link_confirmed", target_type="retiree",
               target_id=link.retiree_id,
               details={"helper_id": link.helper_id, "link_id": link.id, "by": how})
    return link
