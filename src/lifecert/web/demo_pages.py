"""The demo clock page (``/admin/demo-clock``): platform admins of the embedded demo move the
date forward; the nightly cycle then runs, with the same task code, for every day passed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lifecert.core.errors import Conflict, NotFound, PermissionDenied
from lifecert.core.queue import get_celery
from lifecert.core.roles import Role
from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.system import clock
from lifecert.system.scheduler import CATCH_UP, start_catch_up
from lifecert.web.pages import page_actor
from lifecert.web.templating import render

router = APIRouter(include_in_schema=False)


def _admin_page(request: Request, session: SessionDep) -> None:
    actor = page_actor(request, session)
    if not clock.demo_clock_enabled():
        raise NotFound("No such page.")
    if actor.role != Role.PLATFORM_ADMIN:
        raise PermissionDenied("Only a platform administrator may move the demo clock.")


@router.get("/admin/demo-clock", response_class=HTMLResponse)
def demo_clock_page(request: Request, session: SessionDep) -> HTMLResponse:
    _admin_page(request, session)
    return render(
        request,
        "demo_clock.html",
        today=clock.scheduler_today(session),
        offset=clock.demo_offset(session),
        move=CATCH_UP if CATCH_UP.total else None,
    )


@router.post("/admin/demo-clock")
def advance_demo_clock(
    request: Request,
    session: SessionDep,
    days: Annotated[int, Form(ge=1, le=clock.MAX_ADVANCE_DAYS)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    _admin_page(request, session)
    if CATCH_UP.running:
        raise Conflict("The demo clock is still moving. Please wait until it has finished.")
    move = clock.advance_demo_clock(session, actor=request.state.actor, days=days)
    session.commit()  # the cycle's jobs run in their own transactions, on the new date
    start_catch_up(get_celery(), move.before, move.days())
    return RedirectResponse("/admin/demo-clock", status_code=303)
