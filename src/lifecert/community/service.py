"""Community events: create and edit, sign-ups (by the retiree or by a worker), cancellation,
capacity, attendance. Staff see and manage the events of communities their regions cover;
a retiree sees and joins the events of their own community."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.community.models import (
    CommunityEvent,
    EventSignup,
    EventStatus,
    SignupStatus,
)
from lifecert.community.schemas import EventCreate, EventSummary, EventUpdate
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.core.i18n import N_
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor, ensure_in_scope, scope_filter
from lifecert.organisation.models import Region, RegionLevel

MAX_EVENT_HOURS = 24 * 7  # a week: longer "events" are typing mistakes in the end time
# Attendance may be marked from a little before the start (people arrive early) onwards.
ATTENDANCE_OPENS_BEFORE = timedelta(hours=2)


def signed_up_counts(session: Session, event_ids: list[int]) -> dict[int, int]:
    """Sign-ups per event, counted only for the events asked about (index on event_id)."""
    if not event_ids:
        return {}
    rows = session.execute(
        select(EventSignup.event_id, func.count())
        .where(EventSignup.event_id.in_(event_ids), EventSignup.status == SignupStatus.SIGNED_UP)
        .group_by(EventSignup.event_id)
    ).tuples()
    return {event_id: int(n) for event_id, n in rows}


def _summaries(session: Session, stmt: Select[CommunityEvent]) -> list[EventSummary]:
    events = session.scalars(stmt).all()
    counts = signed_up_counts(session, [e.id for e in events])
    return [summary_of(event, counts.get(event.id, 0)) for event in events]


def summary_of(event: CommunityEvent, signed_up: int) -> EventSummary:
    return EventSummary(
        id=event.id,
        title=event.title,
        kind=event.kind,
        status=event.status,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        place=event.place,
        capacity=event.capacity,
        signed_up=signed_up,
        community_id=event.community_id,
        community_name=event.community.name,
    )


def scoped_events(
    actor: Actor, permission: Permission = Permission.READ_RETIREES
) -> Select[CommunityEvent]:
    """Every staff query over events starts here: the organising community must be in scope."""
    return (
        select(CommunityEvent)
        .join(Region, CommunityEvent.community_id == Region.id)
        .where(scope_filter(actor, permission, Region.path))
    )


def list_upcoming_events(
    session: Session, *, actor: Actor, limit: int = 5, now: datetime | None = None
) -> list[EventSummary]:
    """The next scheduled events in the actor's regions (not yet ended), soonest first."""
    stmt = (
        scoped_events(actor)
        .where(
            CommunityEvent.status == EventStatus.SCHEDULED,
            CommunityEvent.ends_at >= (now or utcnow()),
        )
        .order_by(CommunityEvent.starts_at, CommunityEvent.id)
        .limit(max(1, min(limit, 100)))
    )
    return _summaries(session, stmt)


def list_events(
    session: Session,
    *,
    actor: Actor,
    include_past: bool = False,
    offset: int = 0,
    limit: int = 50,
    now: datetime | None = None,
) -> tuple[list[EventSummary], int]:
    stmt = scoped_events(actor)
    if include_past:
        stmt = stmt.order_by(CommunityEvent.starts_at.desc(), CommunityEvent.id.desc())
    else:
        stmt = stmt.where(CommunityEvent.ends_at >= (now or utcnow())).order_by(
            CommunityEvent.starts_at, CommunityEvent.id
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    return _summaries(session, stmt.offset(max(offset, 0)).limit(min(limit, 500))), total


def get_event(
    session: Session,
    *,
    actor: Actor,
    event_id: int,
    permission: Permission = Permission.READ_RETIREES,
) -> CommunityEvent:
    event = session.scalar(scoped_events(actor, permission).where(CommunityEvent.id == event_id))
    if event is None:
        raise NotFound("No such event.")
    return event


def count_signed_up(session: Session, event_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(EventSignup)
            .where(EventSignup.event_id == event_id, EventSignup.status == SignupStatus.SIGNED_UP)
        )
        or 0
    )


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidInput("Give the time with its time zone.")
    if ends_at <= starts_at:
        raise InvalidInput("The event must end after it starts.", fields={"ends_at": "after start"})
    if ends_at - starts_at > timedelta(hours=MAX_EVENT_HOURS):
        raise InvalidInput("An event may last at most a week. Check the end time.")


_REQUIRED = {
    "title": N_("Give the event a title."),
    "place": N_("Say where the event takes place."),
}


def _required(value: str, field: str) -> str:
    cleaned = value.strip()
    if len(cleaned) < 2:
        raise InvalidInput(_REQUIRED[field], fields={field: "empty"})
    return cleaned


def create_event(session: Session, *, actor: Actor, data: EventCreate) -> CommunityEvent:
    community = session.get(Region, data.community_id)
    if community is None or community.level != RegionLevel.COMMUNITY:
        raise InvalidInput("Choose the community that organises the event.")
    ensure_in_scope(actor, Permission.WRITE_RETIREES, community.path)
    _check_times(data.starts_at, data.ends_at)
    if data.starts_at < utcnow() - timedelta(days=1):
        raise InvalidInput("The start time is in the past. Check the date.")
    event = CommunityEvent(
        community_id=community.id,
        title=_required(data.title, "title"),
        kind=data.kind,
        description=data.description.strip(),
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        place=_required(data.place, "place"),
        capacity=data.capacity,
        created_by=actor.staff_id or None,
    )
    session.add(event)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="event.created",
        target_type="event",
        target_id=event.id,
        details={"community_id": community.id},
    )
    return event


def update_event(
    session: Session, *, actor: Actor, event_id: int, data: EventUpdate
) -> CommunityEvent:
    event = lock_event(session, actor=actor, event_id=event_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    starts_at = changes.get("starts_at", event.starts_at)
    ends_at = changes.get("ends_at", event.ends_at)
    _check_times(starts_at, ends_at)
    capacity = changes.get("capacity", event.capacity)
    taken = count_signed_up(session, event.id)
    if capacity < taken:
        raise Conflict(
            "{taken} people have signed up: the capacity cannot be less than that.",
            params={"taken": taken},
        )
    for name in ("title", "place"):
        if name in changes:
            changes[name] = _required(changes[name], name)
    for name, value in changes.items():
        setattr(event, name, value.strip() if isinstance(value, str) else value)
    audit.record(
        session,
        actor=actor,
        action="event.updated",
        target_type="event",
        target_id=event.id,
        details={"fields": sorted(changes)},
    )
    return event


def cancel_event(session: Session, *, actor: Actor, event_id: int) -> CommunityEvent:
    event = lock_event(session, actor=actor, event_id=event_id)
    event.status = EventStatus.CANCELLED
    audit.record(
        session, actor=actor, action="event.cancelled", target_type="event", target_id=event.id
    )
    return event


def lock_event(session: Session, *, actor: Actor | None, event_id: int) -> CommunityEvent:
    """Take the event's row lock before counting its sign-ups, so two people can never take
    the last place together. UPDATE first: it locks the row on PostgreSQL (a concurrent
    sign-up waits, then counts the committed rows) and takes the write lock on SQLite."""
    if actor is not None:
        get_event(session, actor=actor, event_id=event_id, permission=Permission.WRITE_RETIREES)
    locked = session.execute(
        update(CommunityEvent)
        .where(CommunityEvent.id == event_id)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("No such event.")
    event = session.scalars(
        select(CommunityEvent)
        .where(CommunityEvent.id == event_id)
        .execution_options(populate_existing=True)
    ).one()
    return event
