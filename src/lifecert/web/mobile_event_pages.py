"""The retiree's phone pages for community events: the list, then one event per screen with
one big button (sign up, or cancel), and the prompt read aloud like the face check's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lifecert.community import signups
from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.web.mobile_pages import _retiree as current_retiree
from lifecert.web.templating import render

router = APIRouter(include_in_schema=False, prefix="/m")


@router.get("/events", response_class=HTMLResponse)
def events(request: Request, session: SessionDep) -> HTMLResponse:
    retiree = current_retiree(request, session)
    rows = signups.events_for_retiree(session, retiree=retiree)
    return render(request, "m/events.html", rows=rows)


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event(request: Request, session: SessionDep, event_id: int) -> HTMLResponse:
    retiree = current_retiree(request, session)
    row = signups.event_for_retiree(session, retiree=retiree, event_id=event_id)
    return render(request, "m/event.html", row=row, done=request.query_params.get("done", ""))


@router.post("/events/{event_id}/signup")
def sign_up(
    request: Request, session: SessionDep, event_id: int, csrf: Annotated[str, Form()] = ""
) -> Response:
    verify_form_csrf(request, csrf)
    retiree = current_retiree(request, session)
    signups.sign_up_self(session, retiree=retiree, event_id=event_id)
    return RedirectResponse(f"/m/events/{event_id}?done=signed_up", status_code=303)


@router.post("/events/{event_id}/cancel")
def cancel(
    request: Request, session: SessionDep, event_id: int, csrf: Annotated[str, Form()] = ""
) -> Response:
    verify_form_csrf(request, csrf)
    retiree = current_retiree(request, session)
    signups.cancel_own_signup(session, retiree=retiree, event_id=event_id)
    return RedirectResponse(f"/m/events/{event_id}?done=cancelled", status_code=303)
