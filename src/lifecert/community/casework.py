"""A worker's case work on one retiree: notes (append-only), planned home visits, and the
in-person (non-face) verification, which goes through the certification service."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.certification import service as certification
from lifecert.certification.models import (
    CaseStatus,
    Certification,
    ReviewCase,
    ReviewSource,
)
from lifecert.community.models import HomeVisit, RetireeNote, VisitStatus
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.core.roles import Permission, Role
from lifecert.core.scoping import Actor
from lifecert.organisation.models import Staff
from lifecert.organisation.service import actor_for
from lifecert.retirees.service import get_retiree
from lifecert.system.clock import scheduler_today

MAX_NOTE = 5000
# Who may be sent to a home: people who work with the roster (not providers or academies).
VISITOR_ROLES = frozenset({Role.COMMUNITY_WORKER, Role.BUREAU_OFFICER})


class VerificationPlace(StrEnum):
    HOME = "home"
    COUNTER = "counter"


# -- notes ----------------------------------------------------------------------------------


def add_note(session: Session, *, actor: Actor, retiree_id: int, text: str) -> RetireeNote:
    retiree = get_retiree(
        session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES
    )
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput("Write the note first.", fields={"text": "empty"})
    if len(cleaned) > MAX_NOTE:
        raise InvalidInput("Notes are limited to 5000 characters.", fields={"text": "too long"})
    note = RetireeNote(
        retiree_id=retiree.id,
        author_id=actor.staff_id or None,
        author_name=(actor.display_name or actor.username)[:100],
        text=cleaned,
    )
    session.add(note)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="retiree.note_added",
        target_type="retiree",
        target_id=retiree.id,
        details={"note_id": note.id},
    )
    return note


def list_notes(
    session: Session, *, actor: Actor, retiree_id: int, limit: int = 100
) -> Sequence[RetireeNote]:
    retiree = get_retiree(session, actor=actor, retiree_id=retiree_id)
    return session.scalars(
        select(RetireeNote)
        .where(RetireeNote.retiree_id == retiree.id)
        .order_by(RetireeNote.created_at.desc(), RetireeNote.id.desc())
        .limit(min(limit, 500))
    ).all()


# -- home visits ----------------------------------------------------------------------------


def schedule_visit(
    session: Session,
    *,
    actor: Actor,
    retiree_id: int,
    scheduled_for: date,
    assigned_to: int | None = None,
    purpose: str = "",
    today: date | None = None,
) -> HomeVisit:
    retiree = get_retiree(
        session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES
    )
    if scheduled_for < (today or scheduler_today(session)):
        raise InvalidInput(
            "The visit date is in the past. Choose today or a later day.",
            fields={"scheduled_for": "past"},
        )
    visitor_id = assigned_to or actor.staff_id
    visitor = session.get(Staff, visitor_id) if visitor_id else None
    # The visitor must be able to open this person's page: same scope rules as everyone.
    if (
        visitor is None
        or not visitor.is_active
        or visitor.role not in VISITOR_ROLES
        or not actor_for(visitor).covers_path(retiree.community.path)
    ):
        raise InvalidInput(
            "Choose a worker who covers this person's community.",
            fields={"assigned_to": "not allowed"},
        )
    visit = HomeVisit(
        retiree_id=retiree.id,
        scheduled_for=scheduled_for,
        assigned_to=visitor.id,
        purpose=purpose.strip()[:500],
        created_by=actor.staff_id or None,
    )
    session.add(visit)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="home_visit.scheduled",
        target_type="retiree",
        target_id=retiree.id,
        details={"visit_id": visit.id, "assigned_to": visitor.id, "scheduled_for": scheduled_for},
    )
    return visit


def close_visit(
    session: Session, *, actor: Actor, visit_id: int, status: VisitStatus, outcome: str = ""
) -> HomeVisit:
    """Mark a planned visit done (say what happened) or cancelled."""
    visit = get_visit(session, actor=actor, visit_id=visit_id, permission=Permission.WRITE_RETIREES)
    if visit.status != VisitStatus.PLANNED:
        raise Conflict("This visit is already closed.")
    if status == VisitStatus.PLANNED:
        raise InvalidInput("Choose done or cancelled.")
    if status == VisitStatus.DONE and len(outcome.strip()) < 2:
        raise InvalidInput("Say what happened at the visit.", fields={"outcome": "empty"})
    visit.status, visit.outcome = status, outcome.strip()[:5000]
    visit.closed_at, visit.closed_by = utcnow(), actor.staff_id or None
    audit.record(
        session,
        actor=actor,
        action="home_visit.closed",
        target_type="retiree",
        target_id=visit.retiree_id,
        details={"visit_id": visit.id, "status": status.value},
    )
    return visit


def get_visit(
    session: Session,
    *,
    actor: Actor,
    visit_id: int,
    permission: Permission = Permission.READ_RETIREES,
) -> HomeVisit:
    visit = session.get(HomeVisit, visit_id)
    if visit is None:
        raise NotFound("No such visit.")
    get_retiree(session, actor=actor, retiree_id=visit.retiree_id, permission=permission)
    return visit


def list_visits(
    session: Session, *, actor: Actor, retiree_id: int, limit: int = 50
) -> list[tuple[HomeVisit, str]]:
    """A retiree's visits, latest date first, each with the assigned worker's name."""
    retiree = get_retiree(session, actor=actor, retiree_id=retiree_id)
    rows = session.execute(
        select(HomeVisit, Staff.full_name)
        .join(Staff, HomeVisit.assigned_to == Staff.id)
        .where(HomeVisit.retiree_id == retiree.id)
        .order_by(HomeVisit.scheduled_for.desc(), HomeVisit.id.desc())
        .limit(min(limit, 500))
    ).all()
    return [(visit, name) for visit, name in rows]


def visitors_for(session: Session, *, actor: Actor, retiree_id: int) -> list[Staff]:
    """Workers who could be assigned a visit to this person (for the form's choice list)."""
    retiree = get_retiree(
        session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES
    )
    candidates = session.scalars(
        select(Staff)
        .where(Staff.is_active.is_(True), Staff.role.in_(VISITOR_ROLES))
        .order_by(Staff.full_name)
        .limit(500)
    ).all()
    return [s for s in candidates if actor_for(s).covers_path(retiree.community.path)]


# -- in-person (non-face) verification --------------------------------------------------------


def record_in_person_verification(
    session: Session,
    *,
    actor: Actor,
    retiree_id: int,
    place: VerificationPlace,
    reason: str,
    evidence_note: str = "",
) -> ReviewCase:
    """A worker saw the person at home or at the counter. It is recorded through the
    certification service like every other route: an officer approves the review case, and
    the approval certifies the person (new validity, payment resumed) and is audited."""
    if awaiting_approval(session, actor=actor, retiree_id=retiree_id):
        raise Conflict("An in-person verification for this person is already awaiting approval.")
    return certification.record_non_face(
        session,
        actor=actor,
        retiree_id=retiree_id,
        reason=reason,
        place=place.value,
        evidence_note=evidence_note,
    )


def awaiting_approval(session: Session, *, actor: Actor, retiree_id: int) -> ReviewCase | None:
    """The open non-face review case of this person, if any."""
    retiree = get_retiree(session, actor=actor, retiree_id=retiree_id)
    return session.scalar(
        select(ReviewCase)
        .join(Certification, ReviewCase.certification_id == Certification.id)
        .where(
            Certification.retiree_id == retiree.id,
            ReviewCase.source == ReviewSource.NON_FACE,
            ReviewCase.status == CaseStatus.OPEN,
        )
        .limit(1)
    )
