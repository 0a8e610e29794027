"""The retiree page (one per person, opening it is audited) and the worker's actions there:
notes, reminder, home visit, in-person verification."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lifecert.community import casework
from lifecert.community.casework import VerificationPlace
from lifecert.community.detail import retiree_detail
from lifecert.community.models import VisitStatus
from lifecert.core.errors import InvalidInput, parse_choice
from lifecert.core.i18n import N_
from lifecert.core.roles import Permission
from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.notifications import service as notifications
from lifecert.system.clock import scheduler_today
from lifecert.web.pages import page_actor
from lifecert.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/retirees/{retiree_id}", response_class=HTMLResponse)
def retiree_page(request: Request, session: SessionDep, retiree_id: int) -> HTMLResponse:
    actor = page_actor(request, session)
    detail = retiree_detail(session, actor=actor, retiree_id=retiree_id)
    can_write = actor.can(Permission.WRITE_RETIREES)
    return render(
        request,
        "retiree.html",
        d=detail,
        retiree=detail.retiree,
        can_write=can_write,
        can_review=actor.can(Permission.READ_FULL_ID_NUMBER),
        visitors=casework.visitors_for(session, actor=actor, retiree_id=retiree_id)
        if can_write
        else [],
        places=list(VerificationPlace),
        today=scheduler_today(session).isoformat(),
        done=request.query_params.get("done", ""),
    )


def _back(retiree_id: int, done: str) -> Response:
    return RedirectResponse(f"/retirees/{retiree_id}?done={done}", status_code=303)


@router.post("/retirees/{retiree_id}/notes")
def add_note(
    request: Request,
    session: SessionDep,
    retiree_id: int,
    notes: Annotated[str, Form(max_length=5000)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    casework.add_note(session, actor=actor, retiree_id=retiree_id, text=notes)
    return _back(retiree_id, "note")


@router.post("/retirees/{retiree_id}/reminder")
def send_reminder(
    request: Request, session: SessionDep, retiree_id: int, csrf: Annotated[str, Form()] = ""
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    notifications.send_reminder(session, actor=actor, retiree_id=retiree_id)
    return _back(retiree_id, "reminder")


@router.post("/retirees/{retiree_id}/visits")
def schedule_visit(
    request: Request,
    session: SessionDep,
    retiree_id: int,
    scheduled_for: Annotated[str, Form(max_length=10)],
    assigned_to: Annotated[int | None, Form()] = None,
    purpose: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    try:
        day = date.fromisoformat(scheduled_for)
    except ValueError as exc:
        raise InvalidInput("Give the visit date.", fields={"scheduled_for": "invalid"}) from exc
    casework.schedule_visit(
        session,
        actor=actor,
        retiree_id=retiree_id,
        scheduled_for=day,
        assigned_to=assigned_to,
        purpose=purpose,
    )
    return _back(retiree_id, "visit")


@router.post("/visits/{visit_id}/close")
def close_visit(
    request: Request,
    session: SessionDep,
    visit_id: int,
    status: Annotated[str, Form(max_length=16)],
    outcome: Annotated[str, Form(max_length=5000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    new_status = parse_choice(VisitStatus, status, N_("Choose done or cancelled."))
    visit = casework.close_visit(
        session, actor=actor, visit_id=visit_id, status=new_status, outcome=outcome
    )
    return _back(visit.retiree_id, "visit_closed")


@router.post("/retirees/{retiree_id}/non-face")
def record_in_person(
    request: Request,
    session: SessionDep,
    retiree_id: int,
    reason: Annotated[str, Form(max_length=2000)],
    place: Annotated[str, Form(max_length=16)] = VerificationPlace.HOME.value,
    evidence_note: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """A worker saw the person (at home or the counter); an officer's approval certifies."""
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    where = parse_choice(VerificationPlace, place, N_("Choose at home or at the counter."))
    casework.record_in_person_verification(
        session,
        actor=actor,
        retiree_id=retiree_id,
        place=where,
        reason=reason,
        evidence_note=evidence_note,
    )
    return _back(retiree_id, "non_face")
