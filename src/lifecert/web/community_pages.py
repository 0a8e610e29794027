"""Staff pages for community events: list, create/edit, sign-ups, attendance (tablet-sized)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.community import service, signups
from lifecert.community.models import Attendance, CommunityEvent, EventKind
from lifecert.community.schemas import EventCreate, EventUpdate
from lifecert.core.errors import LifeCertError, parse_choice
from lifecert.core.i18n import N_, gettext
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor
from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.organisation import service as organisation
from lifecert.organisation.models import RegionLevel, Staff
from lifecert.web.community_labels import form_time, parse_local
from lifecert.web.pages import page_actor
from lifecert.web.templating import render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50


@router.get("/events", response_class=HTMLResponse)
def event_list(
    request: Request, session: SessionDep, past: bool = False, page: int = 1
) -> HTMLResponse:
    actor = page_actor(request, session)
    page = max(page, 1)
    rows, total = service.list_events(
        session, actor=actor, include_past=past, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    return render(
        request,
        "events.html",
        rows=rows,
        total=total,
        past=past,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        can_write=actor.can(Permission.WRITE_RETIREES),
    )


def _form_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    values: dict[str, Any],
    event: CommunityEvent | None = None,
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    actor.require(Permission.WRITE_RETIREES)
    communities = organisation.list_regions(session, actor=actor, level=RegionLevel.COMMUNITY)
    return render(
        request,
        "event_form.html",
        status_code=status_code,
        event=event,
        values=values,
        error=error,
        communities=communities,
        kinds=list(EventKind),
    )


def _values(event: CommunityEvent) -> dict[str, Any]:
    return {
        "community_id": event.community_id,
        "title": event.title,
        "kind": event.kind.value,
        "description": event.description,
        "starts_at": form_time(event.starts_at),
        "ends_at": form_time(event.ends_at),
        "place": event.place,
        "capacity": event.capacity,
    }


def _error_text(exc: Exception) -> str:
    if isinstance(exc, LifeCertError):
        return exc.translated()
    return gettext("Check the form: every field needs a valid value.")


@router.get("/events/new", response_class=HTMLResponse)
def new_event_form(request: Request, session: SessionDep) -> HTMLResponse:
    actor = page_actor(request, session)
    return _form_page(request, session, actor, values={"capacity": 30, "kind": "health_talk"})


class _EventFields(BaseModel):
    """The event form as posted: times are local text until parsed (errors re-show the form)."""

    title: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    starts_at: str = Field(max_length=32)
    ends_at: str = Field(max_length=32)
    place: str = Field(max_length=200)
    capacity: int
    description: str = Field(default="", max_length=5000)
    csrf: str = ""

    def values(self) -> dict[str, Any]:
        """What the form shows again after a refusal."""
        return self.model_dump(exclude={"csrf"})

    def parsed(self) -> dict[str, Any]:
        """The fields for EventCreate/EventUpdate, local times parsed (raises InvalidInput)."""
        return {
            **self.values(),
            "starts_at": parse_local(self.starts_at, "starts_at"),
            "ends_at": parse_local(self.ends_at, "ends_at"),
        }


class _NewEventFields(_EventFields):
    community_id: int


@router.post("/events/new", response_class=HTMLResponse)
def create_event(
    request: Request, session: SessionDep, form: Annotated[_NewEventFields, Form()]
) -> Response:
    verify_form_csrf(request, form.csrf)
    actor = page_actor(request, session)
    try:
        data = EventCreate(**form.parsed())
        with session.begin_nested():  # a refusal leaves nothing behind
            event = service.create_event(session, actor=actor, data=data)
    except (LifeCertError, ValueError) as exc:
        status = exc.status_code if isinstance(exc, LifeCertError) else 422
        return _form_page(
            request,
            session,
            actor,
            values=form.values(),
            error=_error_text(exc),
            status_code=status,
        )
    return RedirectResponse(f"/events/{event.id}", status_code=303)


@router.get("/events/{event_id}/edit", response_class=HTMLResponse)
def edit_event_form(request: Request, session: SessionDep, event_id: int) -> HTMLResponse:
    actor = page_actor(request, session)
    event = service.get_event(
        session, actor=actor, event_id=event_id, permission=Permission.WRITE_RETIREES
    )
    return _form_page(request, session, actor, values=_values(event), event=event)


@router.post("/events/{event_id}/edit", response_class=HTMLResponse)
def update_event(
    request: Request, session: SessionDep, event_id: int, form: Annotated[_EventFields, Form()]
) -> Response:
    verify_form_csrf(request, form.csrf)
    actor = page_actor(request, session)
    event = service.get_event(
        session, actor=actor, event_id=event_id, permission=Permission.WRITE_RETIREES
    )
    try:
        data = EventUpdate(**form.parsed())
        with session.begin_nested():
            service.update_event(session, actor=actor, event_id=event.id, data=data)
    except (LifeCertError, ValueError) as exc:
        status = exc.status_code if isinstance(exc, LifeCertError) else 422
        session.refresh(event)
        return _form_page(
            request,
            session,
            actor,
            values={**form.values(), "community_id": event.community_id},
            event=event,
            error=_error_text(exc),
            status_code=status,
        )
    return RedirectResponse(f"/events/{event.id}", status_code=303)


@router.post("/events/{event_id}/cancel")
def cancel_event(
    request: Request, session: SessionDep, event_id: int, csrf: Annotated[str, Form()] = ""
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    service.cancel_event(session, actor=actor, event_id=event_id)
    return RedirectResponse(f"/events/{event_id}", status_code=303)


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_detail(request: Request, session: SessionDep, event_id: int, q: str = "") -> HTMLResponse:
    actor = page_actor(request, session)
    event = service.get_event(session, actor=actor, event_id=event_id)
    rows = signups.list_signups(session, actor=actor, event_id=event.id)
    can_write = actor.can(Permission.WRITE_RETIREES)
    found = (
        signups.find_retirees_to_sign_up(session, actor=actor, event_id=event.id, name=q[:50])
        if q.strip() and can_write
        else []
    )
    taken = {retiree.id for _signup, retiree in rows}
    helper_ids = {s.signed_up_by for s, _r in rows if s.signed_up_by}
    helpers = dict(
        session.execute(select(Staff.id, Staff.full_name).where(Staff.id.in_(helper_ids)))
        .tuples()
        .all()
    )
    return render(
        request,
        "event.html",
        event=event,
        summary=service.summary_of(event, service.count_signed_up(session, event.id)),
        rows=rows,
        q=q,
        found=[r for r in found if r.id not in taken],
        helpers=helpers,
        can_write=can_write,
    )


@router.post("/events/{event_id}/signups")
def add_signup(
    request: Request,
    session: SessionDep,
    event_id: int,
    retiree_id: Annotated[int, Form()],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    signups.sign_up(session, actor=actor, event_id=event_id, retiree_id=retiree_id)
    return RedirectResponse(f"/events/{event_id}", status_code=303)


@router.post("/events/{event_id}/signups/{retiree_id}/cancel")
def remove_signup(
    request: Request,
    session: SessionDep,
    event_id: int,
    retiree_id: int,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    signups.cancel_signup(session, actor=actor, event_id=event_id, retiree_id=retiree_id)
    return RedirectResponse(f"/events/{event_id}", status_code=303)


@router.get("/events/{event_id}/attendance", response_class=HTMLResponse)
def attendance_sheet(request: Request, session: SessionDep, event_id: int) -> HTMLResponse:
    """One big row per person with two large buttons: made for a tablet at the door."""
    actor = page_actor(request, session)
    event = service.get_event(
        session, actor=actor, event_id=event_id, permission=Permission.WRITE_RETIREES
    )
    rows = signups.list_signups(session, actor=actor, event_id=event.id)
    marked = sum(1 for signup, _r in rows if signup.attendance is not None)
    return render(
        request,
        "event_attendance.html",
        event=event,
        rows=rows,
        marked=marked,
        Attendance=Attendance,
    )


@router.post("/events/{event_id}/attendance/{retiree_id}")
def mark_attendance(
    request: Request,
    session: SessionDep,
    event_id: int,
    retiree_id: int,
    attendance: Annotated[str, Form(max_length=16)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    mark = parse_choice(Attendance, attendance, N_("Choose attended or absent."))
    signups.record_attendance(
        session, actor=actor, event_id=event_id, retiree_id=retiree_id, attendance=mark
    )
    return RedirectResponse(f"/events/{event_id}/attendance#r{retiree_id}", status_code=303)
