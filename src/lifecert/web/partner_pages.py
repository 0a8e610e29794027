"""Administrators' pages for partner systems: partners, their keys (issue, revoke), webhook
subscriptions with their delivery logs, and dead letters to replay. A new key or signing
secret is shown once, on the page that created it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from lifecert.core.errors import InvalidInput
from lifecert.core.roles import Permission
from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.organisation.models import Region
from lifecert.partners import keys, service, webhooks
from lifecert.partners.labels import DELIVERY_LABELS, EVENT_LABELS, SCOPE_LABELS
from lifecert.partners.models import PartnerScope
from lifecert.web.pages import page_actor
from lifecert.web.templating import render

router = APIRouter(include_in_schema=False, prefix="/partners")
ID = Path(ge=1, le=2**63 - 1)


@router.get("", response_class=HTMLResponse)
def partners_page(request: Request, session: SessionDep) -> HTMLResponse:
    actor = page_actor(request, session)
    return render(request, "partners.html", partners=service.list_partners(session, actor=actor))


@router.post("", response_class=HTMLResponse)
def create(
    request: Request, session: SessionDep,
    code: Annotated[str, Form(max_length=32)], name: Annotated[str, Form(max_length=100)],
    return_urls: Annotated[str, Form(max_length=5000)] = "",
    signal_source_code: Annotated[str, Form(max_length=32)] = "",
    csrf: Annotated[str, Form()] = "",
) -> HTMLResponse:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    partner, secret = service.create_partner(session, actor=actor, code=code, name=name,
                                             return_urls=return_urls,
                                             signal_source_code=signal_source_code)
    return _detail(request, session, partner.id, shown_secret=secret)


def _detail(request: Request, session: SessionDep, partner_id: int, *, shown_secret: str = "",
            shown_token: str = "") -> HTMLResponse:
    actor = page_actor(request, session)
    actor.require(Permission.MANAGE_REGIONS)
    partner = service.get_partner(session, partner_id=partner_id)
    subscriptions = service.subscriptions_of(session, partner_id=partner.id)
    logs = {s.id: webhooks.delivery_log(session, subscription_id=s.id, limit=20)
            for s in subscriptions}
    regions = session.scalars(select(Region).order_by(Region.path)).all()
    return render(request, "partner.html", partner=partner,
                  keys=service.keys_of(session, partner_id=partner.id), regions=regions,
                  region_names={r.id: r.name for r in regions}, subscriptions=subscriptions,
                  logs=logs, scopes=list(PartnerScope), scope_labels=SCOPE_LABELS,
                  event_labels=EVENT_LABELS, delivery_labels=DELIVERY_LABELS,
                  shown_secret=shown_secret,
                  shown_token=shown_token)


@router.get("/dead-letters", response_class=HTMLResponse)
def dead_letters(request: Request, session: SessionDep) -> HTMLResponse:
    actor = page_actor(request, session)
    return render(request, "partner_dead_letters.html",
                  rows=webhooks.dead_letters(session, actor=actor), event_labels=EVENT_LABELS)


@router.post("/dead-letters/{delivery_id}/replay")
def replay(request: Request, session: SessionDep, delivery_id: Annotated[int, ID],
           csrf: Annotated[str, Form()] = "") -> Response:
    verify_form_csrf(request, csrf)
    webhooks.replay(session, actor=page_actor(request, session), delivery_id=delivery_id)
    return RedirectResponse("/partners/dead-letters", status_code=303)


@router.get("/{partner_id}", response_class=HTMLResponse)
def partner_page(request: Request, session: SessionDep, partner_id: Annotated[int, ID]
                 ) -> HTMLResponse:
    return _detail(request, session, partner_id)


@router.post("/{partner_id}/keys", response_class=HTMLResponse)
def issue(
    request: Request, session: SessionDep, partner_id: Annotated[int, ID],
    scopes: Annotated[list[str], Form()], region_ids: Annotated[list[int], Form()],
    days: Annotated[int, Form(ge=1, le=3650)] = 365,
    label: Annotated[str, Form(max_length=100)] = "",
    csrf: Annotated[str, Form()] = "",
) -> HTMLResponse:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    actor.require(Permission.MANAGE_REGIONS)
    try:
        chosen = [PartnerScope(s) for s in scopes]
    except ValueError as exc:
        raise InvalidInput("Choose the key's actions from the list.") from exc
    partner = service.get_partner(session, partner_id=partner_id)
    _key, token = keys.issue_key(session, actor=actor, partner=partner, scopes=chosen,
                                 region_ids=region_ids, days=days, label=label)
    return _detail(request, session, partner_id, shown_token=token)


@router.post("/{partner_id}/keys/{key_id}/revoke")
def revoke(request: Request, session: SessionDep, partner_id: Annotated[int, ID],
           key_id: Annotated[str, Path(max_length=24)], csrf: Annotated[str, Form()] = ""
           ) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    actor.require(Permission.MANAGE_REGIONS)
    keys.revoke_key(session, actor=actor, key_id=key_id)
    return RedirectResponse(f"/partners/{partner_id}", status_code=303)


@router.post("/{partner_id}/return-urls")
def return_urls(request: Request, session: SessionDep, partner_id: Annotated[int, ID],
                urls: Annotated[str, Form(max_length=5000)] = "",
                csrf: Annotated[str, Form()] = "") -> Response:
    verify_form_csrf(request, csrf)
    service.set_return_urls(session, actor=page_actor(request, session), partner_id=partner_id,
                            urls=urls)
    return RedirectResponse(f"/partners/{partner_id}", status_code=303)


@router.post("/{partner_id}/signing-secret", response_class=HTMLResponse)
def rotate_secret(request: Request, session: SessionDep, partner_id: Annotated[int, ID],
                  csrf: Annotated[str, Form()] = "") -> HTMLResponse:
    """A new signing secret (shown once); the old one stops signing at once."""
    verify_form_csrf(request, csrf)
    secret = service.rotate_signing_secret(session, actor=page_actor(request, session),
                                           partner_id=partner_id)
    return _detail(request, session, partner_id, shown_secret=secret)
