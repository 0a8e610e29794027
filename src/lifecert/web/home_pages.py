"""The landing page of each role (``/home``): officers and workers get their dashboard, the
platform admin an overview, partner organisations (home care, senior university) what their
role can see today."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lifecert.core.roles import Role
from lifecert.fraud.alerts import count_alerts
from lifecert.homecare import service as homecare
from lifecert.identity.deps import SessionDep
from lifecert.organisation import service as organisation
from lifecert.organisation.models import RegionLevel
from lifecert.retirees import service as retirees
from lifecert.web.dashboard_pages import render_dashboard
from lifecert.web.homecare_pages import render_overview
from lifecert.web.pages import page_actor
from lifecert.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/home", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> Response:
    actor = page_actor(request, session)
    if actor.role == Role.MERCHANT_STAFF:  # a merchant has one page: its offers and orders
        return RedirectResponse("/market", status_code=303)
    if actor.role == Role.ACADEMY_STAFF:  # the senior university's own overview
        return RedirectResponse("/academy", status_code=303)
    if actor.role == Role.PROVIDER_STAFF and homecare.works_for_provider(session, actor=actor):
        return render_overview(request, session)  # home care: the provider's orders and KPIs
    if actor.role == Role.PROVIDER_STAFF:
        regions = organisation.list_regions(session, actor=actor)
        communities = [r for r in regions if r.level == RegionLevel.COMMUNITY]
        paths = [r.path for r in regions]
        top = [r for r in regions if not any(r.path != p and r.path.startswith(p) for p in paths)]
        staff = organisation.get_staff_by_username(session, username=actor.username)
        return render(
            request,
            "home_partner.html",
            regions=top,
            communities=len(communities),
            organisation_name=staff.organisation_name if staff else "",
        )
    if actor.role == Role.PLATFORM_ADMIN:
        regions = organisation.list_regions(session, actor=actor)
        return render(
            request,
            "home_admin.html",
            regions=regions,
            totals=retirees.count_by_cert_state(session, actor=actor),
            alert_counts=count_alerts(session, actor=actor),
        )
    return render_dashboard(request, session, actor, None)
