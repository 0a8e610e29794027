"""Staff pages of the services domain: the directory of a community (where each service is
defined, and the community's own address, hours, phone or hiding it), the review queue, one
application with its prefilled form, steps and the three decisions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from lifecert.core.errors import NotFound
from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.organisation.models import Region, RegionLevel
from lifecert.organisation.service import get_region, list_regions
from lifecert.retirees.models import Retiree
from lifecert.services import applications
from lifecert.services import service as services
from lifecert.services.applications import Decision
from lifecert.services.models import PublicService
from lifecert.web.pages import page_actor
from lifecert.web.service_labels import GLOBALS
from lifecert.web.templating import render, templates

router = APIRouter(include_in_schema=False)
templates.env.globals.update(GLOBALS)


@router.get("/services", response_class=HTMLResponse)
def directory(request: Request, session: SessionDep, community_id: int = 0) -> HTMLResponse:
    actor = page_actor(request, session)
    communities = list_regions(session, actor=actor, level=RegionLevel.COMMUNITY)[:500]
    if not communities:
        raise NotFound("No such region.")
    community = (get_region(session, actor=actor, region_id=community_id)
                 if community_id else communities[0])
    rows = services.directory_for(session, community=community)
    hidden = [s for s in services.services_of_region(session, actor=actor,
                                                     region_id=community.id) if not s.active]
    places = dict(session.execute(select(Region.id, Region.name).where(
        Region.id.in_({s.region_id for s in [*rows, *hidden]}))).all())
    return render(request, "services_admin.html", community=community,
                  communities=communities, rows=rows, hidden=hidden, places=places,
                  done=request.query_params.get("done", ""))


@router.post("/services/{community_id}/{code}")
def override(
    request: Request,
    session: SessionDep,
    community_id: int,
    code: str,
    address: Annotated[str, Form(max_length=255)] = "",
    hours: Annotated[str, Form(max_length=100)] = "",
    phone: Annotated[str, Form(max_length=30)] = "",
    active: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    services.save_service(session, actor=actor, region_id=community_id, code=code,
                          data={"address": address.strip(), "hours": hours.strip(),
                                "phone": phone.strip(), "active": active == "on"})
    return RedirectResponse(f"/services?community_id={community_id}&done=saved",
                            status_code=303)


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
