"""The demo clock page (``/admin/demo-clock``): platform admins of the embedded demo move the
date forward; the nightly cycle then runs, with the same task code, for every day passed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from lifecert.core.errors import NotFound, PermissionDenied
from lifecert.core.queue import get_celery
from lifecert.core.roles import Role
from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.system import clock
from lifecert.system.scheduler import run_cycle_days
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
        moved=None,
    )


@router.post("/admin/demo-clock", response_class=HTMLResponse)
def advance_demo_clock(
    request: Request,
    session: SessionDep,
    days: Annotated[int, Form(ge=1, le=clock.MAX_ADVANCE_DAYS)],
    csrf: Annotated[str, Form()] = "",
) -> HTMLResponse:
    verify_form_csrf(request, csrf)
    _admin_page(request, session)
    move = clock.advance_demo_clock(session, actor=request.state.actor, days=days)
    session.commit()  # the cycle's jobs run in their own transactions, on the new date
    results = run_cycle_days(get_celery(), move.days())
    totals = {
        key: sum(int(r.get(key, 0) or 0) for r in results)  # type: ignore[call-overload]
        for key in ("due_soon", "overdue", "suspended")
    }
    return render(
        request,
        "demo_clock.html",
        today=move.after,
        offset=clock.demo_offset(session),
        moved=move,
        totals=totals,
    )
