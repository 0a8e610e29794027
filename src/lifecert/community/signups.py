"""Sign-ups (by the retiree on their phone, or by a worker who is recorded), cancellation,
capacity without races, attendance, and what a retiree's events say (a life signal)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.community.models import (
    Attendance,
    CommunityEvent,
    EventSignup,
    EventStatus,
    SignupChannel,
    SignupStatus,
)
from lifecert.community.service import (
    ATTENDANCE_OPENS_BEFORE,
    count_signed_up,
    get_event,
    lock_event,
    signed_up_counts,
)
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor
from lifecert.retirees.models import Retiree, RetireeStatus
from lifecert.retirees.service import get_retiree, scoped_retirees


def sign_up(session: Session, *, actor: Actor, event_id: int, retiree_id: int) -> EventSignup:
    """A worker signs a retiree up (recorded as signed up by them)."""
    retiree = get_retiree(
        session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES
    )
    event = lock_event(session, actor=actor, event_id=event_id)
    signup = _take_place(session, event=event, retiree=retiree, staff_id=actor.staff_id or None)
    audit.record(
        session,
        actor=actor,
        action="event.signed_up",
        target_type="retiree",
        target_id=retiree.id,
        details={"event_id": event.id},
    )
    return signup


def sign_up_self(session: Session, *, retiree: Retiree, event_id: int) -> EventSignup:
    """The retiree signs up from their phone page: only events of their own community."""
    event = own_community_event(session, retiree, event_id)
    event = lock_event(session, actor=None, event_id=event.id)
    return _take_place(session, event=event, retiree=retiree, staff_id=None)


def own_community_event(session: Session, retiree: Retiree, event_id: int) -> CommunityEvent:
    event = session.get(CommunityEvent, event_id)
    if event is None or event.community_id != retiree.community_id:
        raise NotFound("No such event.")
    return event


def _take_place(
    session: Session, *, event: CommunityEvent, retiree: Retiree, staff_id: int | None
) -> EventSignup:
    """Called with the event row locked: checks, then inserts or revives the one row."""
    if event.community_id != retiree.community_id:
        raise InvalidInput(
            "This event is for the people of {community}.",
            params={"community": event.community.name},
        )
    if retiree.status != RetireeStatus.ACTIVE and retiree.status != RetireeStatus.SUSPENDED:
        raise Conflict("This person cannot be signed up (deceased or moved away).")
    _ensure_open(event)
    existing = session.scalar(
        select(EventSignup).where(
            EventSignup.event_id == event.id, EventSignup.retiree_id == retiree.id
        )
    )
    if existing is not None and existing.status == SignupStatus.SIGNED_UP:
        raise Conflict("Already signed up for this event.")
    if count_signed_up(session, event.id) >= event.capacity:
        raise Conflict("The event is full. No places are left.")
    channel = SignupChannel.MOBILE if staff_id is None else SignupChannel.STAFF
    if existing is not None:  # signed up again after cancelling: the same row, new details
        existing.status, existing.channel = SignupStatus.SIGNED_UP, channel
        existing.signed_up_at, existing.signed_up_by = utcnow(), staff_id
        existing.cancelled_at = existing.cancelled_by = None
        session.flush()
        return existing
    signup = EventSignup(
        event_id=event.id, retiree_id=retiree.id, channel=channel, signed_up_by=staff_id
    )
    try:
        with session.begin_nested():  # the unique (event, retiree) constraint is the backstop
            session.add(signup)
    except IntegrityError as exc:
        raise Conflict("Already signed up for this event.") from exc
    return signup


def _ensure_open(event: CommunityEvent) -> None:
    if event.status == EventStatus.CANCELLED:
        raise Conflict("This event was cancelled.")
    if event.starts_at <= utcnow():
        raise Conflict("This event has already started; sign-up is closed.")


def cancel_signup(session: Session, *, actor: Actor, event_id: int, retiree_id: int) -> EventSignup:
    retiree = get_retiree(
        session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES
    )
    event = lock_event(session, actor=actor, event_id=event_id)
    signup = _release_place(session, event=event, retiree_id=retiree.id, staff_id=actor.staff_id)
    audit.record(
        session,
        actor=actor,
        action="event.signup_cancelled",
        target_type="retiree",
        target_id=retiree.id,
        details={"event_id": event.id},
    )
    return signup


def cancel_own_signup(session: Session, *, retiree: Retiree, event_id: int) -> EventSignup:
    event = own_community_event(session, retiree, event_id)
    event = lock_event(session, actor=None, event_id=event.id)
    return _release_place(session, event=event, retiree_id=retiree.id, staff_id=None)


def _release_place(
    session: Session, *, event: CommunityEvent, retiree_id: int, staff_id: int | None
) -> EventSignup:
    signup = _active_signup(session, event_id=event.id, retiree_id=retiree_id)
    if event.starts_at <= utcnow():
        raise Conflict("This event has already started; record attendance instead.")
    signup.status, signup.cancelled_at = SignupStatus.CANCELLED, utcnow()
    signup.cancelled_by = staff_id or None
    return signup


def _active_signup(session: Session, *, event_id: int, retiree_id: int) -> EventSignup:
    signup = session.scalar(
        select(EventSignup).where(
            EventSignup.event_id == event_id,
            EventSignup.retiree_id == retiree_id,
            EventSignup.status == SignupStatus.SIGNED_UP,
        )
    )
    if signup is None:
        raise NotFound("This person is not signed up for this event.")
    return signup


def list_signups(
    session: Session, *, actor: Actor, event_id: int, include_cancelled: bool = False
) -> list[tuple[EventSignup, Retiree]]:
    event = get_event(session, actor=actor, event_id=event_id)
    # Sign-ups of people who moved out of scope since stay hidden: the retiree scope applies.
    stmt = (
        scoped_retirees(actor)
        .add_columns(EventSignup)
        .join(EventSignup, EventSignup.retiree_id == Retiree.id)
        .where(EventSignup.event_id == event.id)
        .order_by(EventSignup.signed_up_at, EventSignup.id)
    )
    if not include_cancelled:
        stmt = stmt.where(EventSignup.status == SignupStatus.SIGNED_UP)
    return [(signup, retiree) for retiree, signup in session.execute(stmt).all()]


def find_retirees_to_sign_up(
    session: Session, *, actor: Actor, event_id: int, name: str, limit: int = 20
) -> Sequence[Retiree]:
    """Search by name among the organising community's people that the actor may see."""
    event = get_event(session, actor=actor, event_id=event_id)
    query = name.strip()
    if not query:
        return []
    return session.scalars(
        scoped_retirees(actor, Permission.WRITE_RETIREES)
        .where(
            Retiree.community_id == event.community_id,
            Retiree.name.contains(query, autoescape=True),
            Retiree.status.in_([RetireeStatus.ACTIVE, RetireeStatus.SUSPENDED]),
        )
        .order_by(Retiree.name, Retiree.id)
        .limit(min(limit, 100))
    ).all()


# -- attendance ---------------------------------------------------------------------------


def record_attendance(
    session: Session, *, actor: Actor, event_id: int, retiree_id: int, attendance: Attendance
) -> EventSignup:
    """A worker marks who came. Correctable (the latest mark counts; each mark is audited)."""
    event = get_event(session, actor=actor, event_id=event_id, permission=Permission.WRITE_RETIREES)
    retiree = get_retiree(
        session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES
    )
    if event.status == EventStatus.CANCELLED:
        raise Conflict("This event was cancelled.")
    if utcnow() < event.starts_at - ATTENDANCE_OPENS_BEFORE:
        raise Conflict("Attendance can be recorded from the day of the event.")
    signup = _active_signup(session, event_id=event.id, retiree_id=retiree.id)
    signup.attendance = attendance
    signup.attendance_recorded_at, signup.attendance_recorded_by = utcnow(), actor.staff_id or None
    audit.record(
        session,
        actor=actor,
        action="event.attendance",
        target_type="retiree",
        target_id=retiree.id,
        details={"event_id": event.id, "attendance": attendance.value},
    )
    return signup


# -- the retiree's side, and what their attendance says -------------------------------------


@dataclass(frozen=True)
class RetireeEvent:
    """An event as one retiree sees it: with their own sign-up, if any."""

    event: CommunityEvent
    signed_up: int
    signup: EventSignup | None

    @property
    def is_signed_up(self) -> bool:
        return self.signup is not None and self.signup.status == SignupStatus.SIGNED_UP

    @property
    def is_full(self) -> bool:
        return self.signed_up >= self.event.capacity


def events_for_retiree(
    session: Session, *, retiree: Retiree, limit: int = 20, now: datetime | None = None
) -> list[RetireeEvent]:
    """Upcoming events of the retiree's own community (for their phone page), soonest first."""
    now = now or utcnow()
    events = session.scalars(
        select(CommunityEvent)
        .where(
            CommunityEvent.community_id == retiree.community_id,
            CommunityEvent.status == EventStatus.SCHEDULED,
            CommunityEvent.ends_at >= now,
        )
        .order_by(CommunityEvent.starts_at, CommunityEvent.id)
        .limit(limit)
    ).all()
    return _with_signups(session, retiree, list(events))


def event_for_retiree(session: Session, *, retiree: Retiree, event_id: int) -> RetireeEvent:
    return _with_signups(session, retiree, [own_community_event(session, retiree, event_id)])[0]


def _with_signups(
    session: Session, retiree: Retiree, events: list[CommunityEvent]
) -> list[RetireeEvent]:
    ids = [e.id for e in events]
    counts = signed_up_counts(session, ids)
    own = {
        s.event_id: s
        for s in session.scalars(
            select(EventSignup).where(
                EventSignup.event_id.in_(ids), EventSignup.retiree_id == retiree.id
            )
        )
    }
    return [RetireeEvent(e, counts.get(e.id, 0), own.get(e.id)) for e in events]


def events_of_retiree(
    session: Session, *, actor: Actor, retiree_id: int, limit: int = 50
) -> list[tuple[EventSignup, CommunityEvent]]:
    """A retiree's sign-ups with attendance, newest event first (the staff detail page)."""
    retiree = get_retiree(session, actor=actor, retiree_id=retiree_id)
    rows = session.execute(
        select(EventSignup, CommunityEvent)
        .join(CommunityEvent, EventSignup.event_id == CommunityEvent.id)
        .where(EventSignup.retiree_id == retiree.id)
        .order_by(CommunityEvent.starts_at.desc())
        .limit(limit)
    ).all()
    return [(signup, event) for signup, event in rows]


def last_attended(
    session: Session, *, actor: Actor, since: datetime, limit: int = 10000
) -> dict[int, datetime]:
    """Life signal: for each retiree in scope seen at an event since ``since``, when they were
    last seen (the event's start). Data-based certification may read this later; it changes
    no certification rule today."""
    stmt = (
        scoped_retirees(actor)
        .with_only_columns(Retiree.id, func.max(CommunityEvent.starts_at))
        .join(EventSignup, EventSignup.retiree_id == Retiree.id)
        .join(CommunityEvent, EventSignup.event_id == CommunityEvent.id)
        .where(
            EventSignup.attendance == Attendance.ATTENDED,
            EventSignup.status == SignupStatus.SIGNED_UP,
            CommunityEvent.starts_at >= since,
        )
        .group_by(Retiree.id)
        .limit(limit)
    )
    return {int(rid): at for rid, at in session.execute(stmt).tuples()}
