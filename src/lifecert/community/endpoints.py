"""Community events API: thin routes over the services (scoping happens there)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from lifecert.community import service, signups
from lifecert.community.schemas import (
    AttendanceMark,
    EventCreate,
    EventList,
    EventRead,
    EventSummary,
    EventUpdate,
    SignupCreate,
    SignupRead,
)
from lifecert.core.scoping import Actor
from lifecert.identity.deps import CurrentActor, SessionDep

router = APIRouter(prefix="/api/v1/events", tags=["community"])


def _read(session: Session, actor: Actor, event_id: int) -> EventRead:
    event = service.get_event(session, actor=actor, event_id=event_id)
    summary = service.summary_of(event, service.count_signed_up(session, event.id))
    return EventRead(
        **summary.model_dump(),
        description=event.description,
        created_by=event.created_by,
        created_at=event.created_at,
    )


@router.get("", response_model=EventList)
def list_events(
    session: SessionDep,
    actor: CurrentActor,
    past: bool = False,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> EventList:
    rows, total = service.list_events(
        session, actor=actor, include_past=past, offset=offset, limit=limit
    )
    return EventList(items=rows, total=total, offset=offset, limit=limit)


@router.get("/upcoming", response_model=list[EventSummary])
def upcoming(
    session: SessionDep, actor: CurrentActor, limit: Annotated[int, Query(ge=1, le=100)] = 5
) -> list[EventSummary]:
    return service.list_upcoming_events(session, actor=actor, limit=limit)


@router.post("", response_model=EventRead, status_code=201)
def create_event(body: EventCreate, session: SessionDep, actor: CurrentActor) -> EventRead:
    event = service.create_event(session, actor=actor, data=body)
    return _read(session, actor, event.id)


@router.get("/{event_id}", response_model=EventRead)
def get_event(event_id: int, session: SessionDep, actor: CurrentActor) -> EventRead:
    return _read(session, actor, event_id)


@router.patch("/{event_id}", response_model=EventRead)
def update_event(
    event_id: int, body: EventUpdate, session: SessionDep, actor: CurrentActor
) -> EventRead:
    service.update_event(session, actor=actor, event_id=event_id, data=body)
    return _read(session, actor, event_id)


@router.get("/{event_id}/signups", response_model=list[SignupRead])
def list_signups(event_id: int, session: SessionDep, actor: CurrentActor) -> list[SignupRead]:
    rows = signups.list_signups(session, actor=actor, event_id=event_id, include_cancelled=True)
    return [SignupRead.model_validate(s) for s, _retiree in rows]


@router.post("/{event_id}/signups", response_model=SignupRead, status_code=201)
def sign_up(
    event_id: int, body: SignupCreate, session: SessionDep, actor: CurrentActor
) -> SignupRead:
    signup = signups.sign_up(session, actor=actor, event_id=event_id, retiree_id=body.retiree_id)
    return SignupRead.model_validate(signup)


@router.delete("/{event_id}/signups/{retiree_id}", response_model=SignupRead)
def cancel_signup(
    event_id: int, retiree_id: int, session: SessionDep, actor: CurrentActor
) -> SignupRead:
    signup = signups.cancel_signup(session, actor=actor, event_id=event_id, retiree_id=retiree_id)
    return SignupRead.model_validate(signup)


@router.post("/{event_id}/attendance", response_model=SignupRead)
def record_attendance(
    event_id: int, body: AttendanceMark, session: SessionDep, actor: CurrentActor
) -> SignupRead:
    signup = signups.record_attendance(
        session,
        actor=actor,
        event_id=event_id,
        retiree_id=body.retiree_id,
        attendance=body.attendance,
    )
    return SignupRead.model_validate(signup)
