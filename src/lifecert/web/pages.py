"""Staff pages: login, a landing page per role, and the scoped retiree list and detail."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lifecert.audit.service import record
from lifecert.core.client import client_address
from lifecert.core.errors import AuthenticationRequired, LifeCertError
from lifecert.core.i18n import SUPPORTED_LOCALES
from lifecert.core.scoping import Actor
from lifecert.core.security import new_csrf_token
from lifecert.identity.deps import SessionDep, resolve_actor, verify_form_csrf
from lifecert.identity.service import AccountLocked, authenticate_staff
from lifecert.organisation import service as organisation
from lifecert.retirees import service as retirees
from lifecert.retirees.models import CertState
from lifecert.web.templating import render
from lifecert.web.throttle import throttle_address

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50


def _safe_next(target: str | None) -> str:
    # Only local paths: an attacker's link must not bounce a fresh login to another site.
    if not target or urlparse(target).netloc or not target.startswith("/") or "//" in target:
        return "/home"
    return target


def page_actor(request: Request, session: SessionDep) -> Actor:
    actor = resolve_actor(request, session, csrf_header_required=False)
    request.state.actor = actor
    return actor


@router.get("/")
def root(request: Request) -> Response:
    target = "/home" if request.session.get("staff_id") else "/login"
    return RedirectResponse(target, status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "login.html", next=_safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/home",
) -> Response:
    verify_form_csrf(request, csrf)
    throttle_address(request)
    try:
        staff = authenticate_staff(
            session, username=username, password=password, client=client_address(request)
        )
    except AuthenticationRequired as exc:
        record(
            session,
            actor=None,
            action="staff.login_locked" if isinstance(exc, AccountLocked) else "staff.login_failed",
            target_type="staff",
            details={"username": username[:64]},
        )
        session.commit()  # keep the failed-attempt counter even though we answer with an error
        error = exc.translated()
        return render(
            request,
            "login.html",
            status_code=401,
            error=error,
            username=username,
            next=_safe_next(next),
        )
    record(
        session,
        actor=organisation.actor_for(staff),
        action="staff.login",
        target_type="staff",
        target_id=staff.id,
    )
    request.session.clear()  # fresh session content and CSRF token on login: no fixation
    request.session.update(
        {"staff_id": staff.id, "sv": staff.session_version, "csrf": new_csrf_token()}
    )
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, session: SessionDep, csrf: Annotated[str, Form()] = "") -> Response:
    verify_form_csrf(request, csrf)
    staff_id = request.session.get("staff_id")
    if staff_id is not None:
        # Server side too: a copy of this cookie (a shared computer, a stolen one) stops working.
        organisation.end_sessions(session, staff_id=int(staff_id), reason="logout")
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/lang/{locale}")
def switch_language(request: Request, locale: str) -> Response:
    back = _safe_next(request.headers.get("referer", "/home").split(request.url.netloc, 1)[-1])
    response = RedirectResponse(back, status_code=303)
    if locale in SUPPORTED_LOCALES:
        response.set_cookie("lang", locale, max_age=365 * 86400, samesite="lax")
    return response


@router.get("/retirees", response_class=HTMLResponse)
def retiree_list(
    request: Request, session: SessionDep, state: CertState | None = None, page: int = 1
) -> HTMLResponse:
    actor = page_actor(request, session)
    page = max(page, 1)
    rows, total = retirees.list_retirees(
        session, actor=actor, cert_state=state, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    pages = max(1, -(-total // PAGE_SIZE))
    return render(
        request,
        "retirees.html",
        rows=rows,
        total=total,
        state=state,
        page=page,
        pages=pages,
        states=list(CertState),
    )


async def render_error_page(request: Request, status: int, detail: str) -> HTMLResponse:
    if request.url.path.startswith("/m"):  # the retiree's pages keep their own simple layout
        page = "m/start.html" if status == 401 else "m/error.html"
        return render(request, page, status_code=status, error=detail)
    if status == 401:
        target = _safe_next(request.url.path)
        return RedirectResponse(f"/login?next={target}", status_code=303)  # type: ignore[return-value]
    return render(request, "error.html", status_code=status, status=status, detail=detail)


__all__ = ["LifeCertError", "render_error_page", "router"]
