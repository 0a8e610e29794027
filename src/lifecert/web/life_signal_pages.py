"""Pages of silent certification: the retiree's own records on the phone (which sources
renewed the certification, and a reversal with its reason), and the officers' page with the
report, the source-quality alert and the reversal of a silent certification."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from lifecert.certification.models import Certification, CertMode
from lifecert.core.db import utcnow
from lifecert.core.roles import Permission
from lifecert.core.scoping import scope_filter
from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.life_signals import reports, reversal, service
from lifecert.organisation.models import Region
from lifecert.retirees.models import Retiree
from lifecert.web.mobile_pages import _retiree as current_retiree
from lifecert.web.pages import page_actor
from lifecert.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/m/records", response_class=HTMLResponse)
def my_records(request: Request, session: SessionDep) -> HTMLResponse:
    retiree = current_retiree(request, session)
    rows = service.silent_history(session, retiree_id=retiree.id)
    return render(request, "m/records.html", rows=rows, names=service.source_names(session),
                  retiree=retiree)


@router.get("/life-signals", response_class=HTMLResponse)
def officer_page(request: Request, session: SessionDep) -> HTMLResponse:
    actor = page_actor(request, session)
    actor.require(Permission.READ_FULL_ID_NUMBER)
    since = utcnow() - timedelta(days=365)
    recent = session.execute(
        select(Certification, Retiree)
        .join(Retiree, Retiree.id == Certification.retiree_id)
        .join(Region, Region.id == Retiree.community_id)
        .where(Certification.mode == CertMode.SILENT,
               scope_filter(actor, Permission.READ_FULL_ID_NUMBER, Region.path))
        .order_by(Certification.id.desc())
        .limit(100)
    ).all()
    quality = (reports.source_quality(session, actor=actor)
               if actor.can(Permission.TRIAGE_ALERTS) else [])
    return render(
        request, "life_signals.html",
        regions=reports.silent_share_by_region(session, actor=actor, since=since),
        by_source=reports.silent_by_source(session, actor=actor, since=since),
        quality=quality, recent=recent, names=service.source_names(session),
    )


@router.post("/life-signals/{certification_id}/reverse")
def reverse(
    request: Request,
    session: SessionDep,
    certification_id: int,
    reason: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    reversal.reverse_silent(session, actor=actor, certification_id=certification_id,
                           reason=reason)
    return RedirectResponse("/life-signals", status_code=303)
