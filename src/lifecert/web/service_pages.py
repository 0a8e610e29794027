"""Staff pages of the services domain: the community's review queue, one application with
its prefilled form, steps and the three decisions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.retirees.models import Retiree
from lifecert.services import applications
from lifecert.services.applications import Decision
from lifecert.services.models import PublicService
from lifecert.web.pages import page_actor
from lifecert.web.service_labels import GLOBALS
from lifecert.web.templating import render, templates

router = APIRouter(include_in_schema=False)
templates.env.globals.update(GLOBALS)


@router.get("/service-applications", response_class=HTMLResponse)
def queue(request: Request, session: SessionDep) -> HTMLResponse:
    actor = page_actor(request, session)
    rows = applications.review_queue(session, actor=actor)
    return render(request, "service_applications.html", rows=rows)


@router.get("/service-applications/{application_id}", response_class=HTMLResponse)
def one(request: Request, session: SessionDep, application_id: int) -> HTMLResponse:
    actor = page_actor(request, session)
    app = applications.get_application(session, actor=actor, application_id=application_id)
    return render(request, "service_application.html", app=app,
                  service=session.get_one(PublicService, app.service_id),
                  retiree=session.get_one(Retiree, app.retiree_id),
                  steps=applications.steps_of(session, app.id))


@router.post("/service-applications/{application_id}")
def decide(
    request: Request,
    session: SessionDep,
    application_id: int,
    decision: Annotated[Decision, Form()],
    note: Annotated[str, Form(max_length=1000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    applications.decide_application(session, actor=actor, application_id=application_id,
                                    decision=decision, note=note)
    return RedirectResponse(f"/service-applications/{application_id}?done={decision.value}",
                            status_code=303)
