"""FastAPI dependencies: the database session, the calling staff member, CSRF checks."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from lifecert.core.db import get_session
from lifecert.core.errors import AuthenticationRequired, PermissionDenied
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor
from lifecert.core.security import csrf_matches, new_csrf_token
from lifecert.identity.service import staff_for_api_token
from lifecert.organisation.models import Staff
from lifecert.organisation.service import actor_for

# scope="function": commit before the response is sent, so a client that follows up at once
# (a redirect, the next page) always reads what it just wrote, and a failed commit is an error.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = new_csrf_token()
        request.session["csrf"] = token
    return str(token)


def _staff_from_cookie(request: Request, session: Session) -> Staff | None:
    staff_id = request.session.get("staff_id")
    if staff_id is None:
        return None
    staff = session.get(Staff, int(staff_id))
    # A password change bumps session_version, which ends every older session.
    if staff is None or not staff.is_active or staff.session_version != request.session.get("sv"):
        request.session.clear()
        return None
    return staff


def resolve_actor(request: Request, session: Session, *, csrf_header_required: bool) -> Actor:
    """Bearer token (integrations) or session cookie (pages). Pages check their form's CSRF
    field themselves; API calls made with a cookie must carry the X-CSRF-Token header."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return actor_for(staff_for_api_token(session, secret=auth[7:].strip()))
    staff = _staff_from_cookie(request, session)
    if staff is None:
        raise AuthenticationRequired("Please log in.")
    # Cookie-authenticated writes must prove they come from our own pages.
    if (
        csrf_header_required
        and request.method not in SAFE_METHODS
        and not csrf_matches(request.session.get("csrf"), request.headers.get("x-csrf-token"))
    ):
        raise PermissionDenied("The form has expired. Reload the page and try again.")
    return actor_for(staff)


def get_actor(request: Request, session: SessionDep) -> Actor:
    return resolve_actor(request, session, csrf_header_required=True)


CurrentActor = Annotated[Actor, Depends(get_actor)]


def require(permission: Permission) -> object:
    def _check(actor: CurrentActor) -> Actor:
        actor.require(permission)
        return actor

    return Depends(_check)


def verify_form_csrf(request: Request, token: str | None) -> None:
    if not csrf_matches(request.session.get("csrf"), token):
        raise PermissionDenied("The form has expired. Reload the page and try again.")
