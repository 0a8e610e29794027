"""Home-care pages: the provider's and supervisors' overview (orders, KPIs of the month) and
the caregiver's phone page that proves a visit (GPS, own face, the elder's live face)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from lifecert.core.db import utcnow
from lifecert.core.settings import get_settings
from lifecert.homecare import access, kpis, orders, providers
from lifecert.homecare.labels import visit_state_label
from lifecert.identity.deps import SessionDep
from lifecert.retirees.models import Retiree
from lifecert.system.clock import local_zone
from lifecert.web.pages import page_actor
from lifecert.web.templating import render

router = APIRouter(include_in_schema=False)


def render_overview(request: Request, session: SessionDep) -> HTMLResponse:
    actor = page_actor(request, session)
    month = utcnow().astimezone(local_zone()).strftime("%Y-%m")
    rows = []
    for order in orders.list_orders(session, actor=actor, limit=100):
        visit = orders.visit_of(session, order)
        rows.append({"order": order, "visit": visit,
                     "elder": session.get_one(Retiree, order.retiree_id).name,
                     "state": visit_state_label(visit)})
    caregiver = access.caregiver_of(session, actor)
    return render(request, "homecare/overview.html", rows=rows, month=month,
                  kpis=kpis.provider_kpis(session, actor=actor, month=month),
                  caregiver=caregiver,
                  provider=providers.get_provider(session, provider_id=caregiver.provider_id)
                  if caregiver else None)


@router.get("/homecare", response_class=HTMLResponse)
def overview(request: Request, session: SessionDep) -> HTMLResponse:
    return render_overview(request, session)


@router.get("/homecare/m/visits/{visit_id}", response_class=HTMLResponse)
def phone_visit(request: Request, session: SessionDep, visit_id: int) -> HTMLResponse:
    actor = page_actor(request, session)
    visit = access.get_visit(session, actor=actor, visit_id=visit_id)
    mine = visit.worker_staff_id == actor.staff_id
    return render(request, "homecare/visit.html", visit=visit, mine=mine,
                  elder=session.get_one(Retiree, visit.retiree_id),
                  state=visit_state_label(visit),
                  fixed=",".join(get_settings().certification.fixed_actions))
