"""The retiree's phone pages for public services: the directory with search (Chinese or
pinyin initials), one service per screen (read aloud), an application with the registry's
data prefilled, and the progress of every application with the community's reason."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from lifecert.certification.models import FamilyHelper, FamilyLink
from lifecert.core.errors import AuthenticationRequired, LifeCertError, NotFound
from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.organisation.models import Region
from lifecert.retirees.models import Retiree
from lifecert.services import applications
from lifecert.services import service as services
from lifecert.system.clock import scheduler_today
from lifecert.web.mobile_pages import _retiree as own_retiree
from lifecert.web.service_labels import GLOBALS
from lifecert.web.templating import render, templates

router = APIRouter(include_in_schema=False, prefix="/m")
templates.env.globals.update(GLOBALS)
_ACTING = "services_for"


def _helper_link(request: Request, session: SessionDep, retiree_id: int) -> Retiree:
    """The elder a verified family helper is linked to (else: not found)."""
    helper_id = request.session.get("helper_id")
    helper = session.get(FamilyHelper, int(helper_id)) if helper_id else None
    if helper is None:
        raise AuthenticationRequired("Please log in again.")
    # Only a link the elder (or their community) confirmed acts for them: issue 17's rule.
    linked = session.scalar(select(FamilyLink.id).where(
        FamilyLink.helper_id == helper.id, FamilyLink.retiree_id == retiree_id,
        FamilyLink.confirmed_at.is_not(None)))
    if helper.verified_at is None or linked is None:
        raise NotFound("No such elder.")
    return session.get_one(Retiree, retiree_id)


def current_retiree(request: Request, session: SessionDep) -> Retiree:
    """The elder these pages are for: the retiree's own session, or the elder a helper
    chose (``/m/helper/services/{id}``)."""
    acting = request.session.get(_ACTING)
    if request.session.get("helper_id") and acting:
        return _helper_link(request, session, int(acting))
    return own_retiree(request, session)


@router.get("/helper/services/{retiree_id}")
def helper_services(request: Request, session: SessionDep, retiree_id: int) -> Response:
    _helper_link(request, session, retiree_id)
    request.session[_ACTING] = retiree_id
    return RedirectResponse("/m/services", status_code=303)


@router.get("/services", response_class=HTMLResponse)
def directory(request: Request, session: SessionDep, q: str = "") -> HTMLResponse:
    retiree = current_retiree(request, session)
    community = session.get_one(Region, retiree.community_id)
    rows = services.search_services(session, community=community, query=q[:50])
    return render(request, "m/services.html", rows=rows, q=q[:50])


@router.get("/services/{service_id}", response_class=HTMLResponse)
def one_service(request: Request, session: SessionDep, service_id: int) -> HTMLResponse:
    retiree = current_retiree(request, session)
    community = session.get_one(Region, retiree.community_id)
    row = services.service_in(session, community=community, service_id=service_id)
    checks = services.check_eligibility(row, retiree, community, scheduler_today(session))
    return render(request, "m/service.html", service=row, checks=checks)


@router.get("/services/{service_id}/apply", response_class=HTMLResponse)
def apply_form(request: Request, session: SessionDep, service_id: int) -> HTMLResponse:
    retiree = current_retiree(request, session)
    community = session.get_one(Region, retiree.community_id)
    row = services.service_in(session, community=community, service_id=service_id)
    form = services.prefill(retiree, community, scheduler_today(session))
    return render(request, "m/apply.html", service=row, form=form, error="")


@router.post("/services/{service_id}/apply")
def apply(
    request: Request,
    session: SessionDep,
    service_id: int,
    note: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    retiree = current_retiree(request, session)
    community = session.get_one(Region, retiree.community_id)
    try:
        channel = "helper" if request.session.get(_ACTING) else "phone"
        app = applications.apply_for(session, retiree=retiree, service_id=service_id, note=note,
                                     channel=channel)
    except LifeCertError as exc:
        row = services.service_in(session, community=community, service_id=service_id)
        form = services.prefill(retiree, community, scheduler_today(session))
        return render(request, "m/apply.html", status_code=exc.status_code, service=row,
                      form=form, error=exc.translated())
    return RedirectResponse(f"/m/applications/{app.id}?done=submitted", status_code=303)


@router.get("/applications", response_class=HTMLResponse)
def my_applications(request: Request, session: SessionDep) -> HTMLResponse:
    retiree = current_retiree(request, session)
    rows = applications.applications_of_retiree(session, retiree=retiree)
    return render(request, "m/applications.html", rows=rows)


@router.get("/applications/{application_id}", response_class=HTMLResponse)
def my_application(request: Request, session: SessionDep, application_id: int) -> HTMLResponse:
    retiree = current_retiree(request, session)
    app = applications.application_of_retiree(session, retiree=retiree,
                                              application_id=application_id)
    community = session.get_one(Region, retiree.community_id)
    row = services.service_in(session, community=community, service_id=app.service_id)
    return render(request, "m/application.html", app=app, service=row,
                  steps=applications.steps_of(session, app.id),
                  done=request.query_params.get("done", ""))


@router.post("/applications/{application_id}/answer")
def answer(
    request: Request,
    session: SessionDep,
    application_id: int,
    note: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    retiree = current_retiree(request, session)
    applications.answer_more_info(session, retiree=retiree, application_id=application_id,
                                  note=note)
    return RedirectResponse(f"/m/applications/{application_id}?done=answered", status_code=303)
