"""Everything the retiree page shows, gathered through each domain's service, in scope.

Opening the page is itself audited ("retiree.viewed"): it shows personal data, and insider
misuse is the fraud this platform has seen most.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.certification import service as certification
from lifecert.certification.models import Certification, FamilyHelper, FamilyLink, ReviewCase
from lifecert.community import casework, signups
from lifecert.community.models import CommunityEvent, EventSignup, HomeVisit, RetireeNote
from lifecert.core.scoping import Actor
from lifecert.enrollment import service as enrollment
from lifecert.enrollment.models import FaceTemplate, StoredPhoto
from lifecert.enrollment.policy import may_see_faces
from lifecert.notifications import service as notifications
from lifecert.notifications.schemas import NotificationRead
from lifecert.organisation.models import Staff
from lifecert.retirees import service as retirees
from lifecert.retirees.models import Retiree, RetireeTransfer


@dataclass(frozen=True)
class HistoryRow:
    """One certification decision with its scores and who helped."""

    certification: Certification
    helper_kind: str  # "family", "staff", or "" when the person certified alone
    helper: str  # the family helper's name (with relation) or the worker's
    model_id: str
    distance: float | None  # best match; lower is closer
    accept_below: float | None
    liveness_passed: bool | None
    review: ReviewCase | None
    reviewed_by: str


@dataclass(frozen=True)
class TemplateRow:
    template: FaceTemplate
    has_photo: bool


@dataclass(frozen=True)
class RetireeDetail:
    retiree: Retiree
    history: list[HistoryRow]
    show_faces: bool
    templates: list[TemplateRow]  # empty unless show_faces: the rows carry face pictures
    template_counts: dict[str, int]  # by status, for everyone
    model_ids: list[str]
    notifications: list[NotificationRead]
    notes: Sequence[RetireeNote]
    visits: list[tuple[HomeVisit, str]]
    events: list[tuple[EventSignup, CommunityEvent]]
    transfers: Sequence[RetireeTransfer]
    awaiting_approval: ReviewCase | None


def retiree_detail(session: Session, *, actor: Actor, retiree_id: int) -> RetireeDetail:
    retiree = retirees.get_retiree(session, actor=actor, retiree_id=retiree_id)
    show_faces = may_see_faces(actor)
    all_templates = enrollment.list_templates(session, actor=actor, retiree_id=retiree.id)
    detail = RetireeDetail(
        retiree=retiree,
        history=_history(session, actor=actor, retiree_id=retiree.id),
        show_faces=show_faces,
        templates=_template_rows(session, all_templates) if show_faces else [],
        template_counts=dict(Counter(t.status.value for t in all_templates)),
        model_ids=sorted({t.model_id for t in all_templates}),
        notifications=notifications.list_notifications_for_retiree(
            session, actor=actor, retiree_id=retiree.id, limit=50
        ),
        notes=casework.list_notes(session, actor=actor, retiree_id=retiree.id),
        visits=casework.list_visits(session, actor=actor, retiree_id=retiree.id),
        events=signups.events_of_retiree(session, actor=actor, retiree_id=retiree.id),
        transfers=retirees.list_transfers(session, actor=actor, retiree_id=retiree.id),
        awaiting_approval=casework.awaiting_approval(session, actor=actor, retiree_id=retiree.id),
    )
    audit.record(
        session, actor=actor, action="retiree.viewed", target_type="retiree", target_id=retiree.id
    )
    return detail


def _template_rows(session: Session, templates: Sequence[FaceTemplate]) -> list[TemplateRow]:
    photo_ids = [t.photo_id for t in templates if t.photo_id]
    kept = set(
        session.scalars(
            select(StoredPhoto.id).where(StoredPhoto.id.in_(photo_ids), StoredPhoto.blob_key != "")
        )
    )
    return [TemplateRow(t, t.photo_id in kept) for t in templates]


def _history(session: Session, *, actor: Actor, retiree_id: int) -> list[HistoryRow]:
    rows = certification.history(session, actor=actor, retiree_id=retiree_id)
    ids = [c.id for c in rows]
    reviews: dict[int, ReviewCase] = {}
    for case in session.scalars(
        select(ReviewCase).where(ReviewCase.certification_id.in_(ids)).order_by(ReviewCase.id)
    ):
        reviews[case.certification_id] = case  # the latest case wins
    staff_ids = {c.helper_staff_id for c in rows} | {r.decided_by for r in reviews.values()}
    staff = dict(
        session.execute(select(Staff.id, Staff.full_name).where(Staff.id.in_(staff_ids - {None})))
        .tuples()
        .all()
    )
    family = _family_helpers(session, retiree_id, {c.helper_family_id for c in rows} - {None})
    return [_history_row(c, reviews.get(c.id), staff, family) for c in rows]


def _family_helpers(session: Session, retiree_id: int, ids: set[int | None]) -> dict[int, str]:
    rows = (
        session.execute(
            select(FamilyHelper.id, FamilyHelper.name, FamilyLink.relation)
            .outerjoin(
                FamilyLink,
                (FamilyLink.helper_id == FamilyHelper.id) & (FamilyLink.retiree_id == retiree_id),
            )
            .where(FamilyHelper.id.in_(ids))
        )
        .tuples()
        .all()
    )
    return {hid: f"{name} ({relation})" if relation else name for hid, name, relation in rows}


def _history_row(
    c: Certification, review: ReviewCase | None, staff: dict[int, str], family: dict[int, str]
) -> HistoryRow:
    matching = c.evidence.get("matching") or {}
    best = matching.get("deciding_template") or {}
    liveness = c.evidence.get("liveness") or {}
    if c.helper_family_id:
        kind, helper = "family", family.get(c.helper_family_id, f"#{c.helper_family_id}")
    elif c.helper_staff_id:
        kind, helper = "staff", staff.get(c.helper_staff_id, f"#{c.helper_staff_id}")
    else:
        kind, helper = "", ""
    return HistoryRow(
        certification=c,
        helper_kind=kind,
        helper=helper,
        model_id=str(matching.get("model_id") or ""),
        distance=best.get("distance"),
        accept_below=(best.get("thresholds") or {}).get("accept"),
        liveness_passed=liveness.get("passed") if liveness else None,
        review=review,
        reviewed_by=staff.get(review.decided_by, "") if review and review.decided_by else "",
    )
