"""The elder's phone page for home care: recent visits (who came, when), confirm or dispute
each with one tap, and a rating with big stars. Also for a linked family helper."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lifecert.homecare import providers, visits
from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.web.mobile_service_pages import current_retiree
from lifecert.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/m/care", response_class=HTMLResponse)
def my_visits(request: Request, session: SessionDep) -> HTMLResponse:
    retiree = current_retiree(request, session)
    rows = [(v, providers.staff_name(session, v.worker_staff_id))
            for v in visits.visits_of_elder(session, retiree_id=retiree.id)]
    return render(request, "m/care.html", retiree=retiree, rows=rows)


@router.post("/m/care/{visit_id}")
def respond(request: Request, session: SessionDep, visit_id: int,
            response: Annotated[str, Form(pattern="^(confirmed|disputed)$")],
            rating: Annotated[int | None, Form(ge=1, le=5)] = None,
            csrf: Annotated[str, Form()] = "") -> Response:
    verify_form_csrf(request, csrf)
    retiree = current_retiree(request, session)
    visits.respond_to_visit(session, retiree_id=retiree.id, visit_id=visit_id,
                            response=response, rating=rating)
    return RedirectResponse("/m/care", status_code=303)
