"""Staff pages of the marketplace. A merchant's staff see their own offers (with the form to
list one: the same checks as the API) and orders; community workers and the bureau see open
anti-scam alerts about their elders, complaints with deadlines, and the merchants (the
bureau approves or suspends them). Offer photos are served from here."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from lifecert.core.db import utcnow
from lifecert.core.errors import LifeCertError, NotFound
from lifecert.core.roles import Permission, Role
from lifecert.core.scoping import Actor
from lifecert.core.uploads import read_upload
from lifecert.homecare import service as homecare
from lifecert.homecare.labels import visit_state_label
from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.marketplace import (
    catalogue,
    complaints,
    limits,
    merchants,
    orders,
    service,
    visits,
)
from lifecert.marketplace.models import MerchantStatus
from lifecert.marketplace.policy import MAX_PHOTO_BYTES
from lifecert.organisation.models import Region
from lifecert.retirees.service import get_retiree
from lifecert.system.clock import scheduler_today
from lifecert.web.market_labels import GLOBALS
from lifecert.web.pages import page_actor
from lifecert.web.templating import render, templates

router = APIRouter(include_in_schema=False)
templates.env.globals.update(GLOBALS)


def _merchant_page(request: Request, session: SessionDep, actor: Actor, *, error: str = "",
                   form: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    merchant = merchants.merchant_of(session, actor=actor)
    allowed = [c for c in merchants.categories(session) if c.code in merchant.categories]
    regions = session.scalars(select(Region).where(Region.path.startswith(merchant.region_path))
                              .order_by(Region.path).limit(200)).all()
    caregivers = (homecare.caregivers_of(session, provider_id=merchant.homecare_provider_id)
                  if merchant.homecare_provider_id else [])
    rows = orders.merchant_orders(session, merchant_id=merchant.id)
    return render(request, "market_merchant.html", status_code=status_code, merchant=merchant,
                  caregivers=caregivers,
                  states={o.id: visit_state_label(v) for o in rows
                          if (v := visits.visit_of(session, o)) is not None},
                  home={c.code for c in allowed if c.home_service},
                  categories=allowed, regions=regions,
                  offers=catalogue.merchant_offers(session, actor=actor),
                  orders=rows,
                  error=error, form=form or {}, done=request.query_params.get("done", ""))


@router.get("/market", response_class=HTMLResponse)
def market_home(request: Request, session: SessionDep) -> HTMLResponse:
    actor = page_actor(request, session)
    if actor.role == Role.MERCHANT_STAFF:
        return _merchant_page(request, session, actor)
    return render(request, "market_staff.html",
                  alerts=service.alerts_for_worker(session, actor=actor),
                  complaints=complaints.complaints_in_scope(session, actor=actor),
                  merchants=merchants.list_merchants(session, actor=actor),
                  bureau=actor.role in (Role.PLATFORM_ADMIN, Role.BUREAU_OFFICER),
                  statuses=list(MerchantStatus)[1:], today=scheduler_today(session),
                  done=request.query_params.get("done", ""))


@router.post("/market/offers")
def create_offer(
    request: Request,
    session: SessionDep,
    category_code: Annotated[str, Form(max_length=32)],
    region_id: Annotated[int, Form()],
    title: Annotated[str, Form(max_length=100)],
    description: Annotated[str, Form(max_length=4000)],
    price: Annotated[int, Form(ge=1, le=1_000_000)],
    registration_no: Annotated[str, Form(max_length=60)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    try:
        catalogue.create_offer(session, actor=actor, category_code=category_code,
                               region_id=region_id, title=title, description=description,
                               price=price, registration_no=registration_no)
    except LifeCertError as exc:
        form = {"category_code": category_code, "title": title, "description": description,
                "price": str(price), "registration_no": registration_no}
        return _merchant_page(request, session, actor, error=exc.translated(), form=form,
                              status_code=exc.status_code)
    return RedirectResponse("/market?done=listed", status_code=303)


@router.post("/market/offers/{offer_id}/photo")
def upload_photo(
    request: Request, session: SessionDep, offer_id: int, photo: UploadFile,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Size-limited while read (``core.uploads``), header checked before it is stored."""
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    catalogue.set_offer_photo(session, actor=actor, offer_id=offer_id,
                              data=read_upload(photo, max_bytes=MAX_PHOTO_BYTES))
    return RedirectResponse("/market?done=photo", status_code=303)


@router.post("/market/orders/{order_id}/assign")
def assign_worker(
    request: Request, session: SessionDep, order_id: int,
    staff_id: Annotated[int, Form()], csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    visits.assign_worker(session, actor=actor, order_id=order_id, staff_id=staff_id)
    return RedirectResponse("/market?done=assigned", status_code=303)


@router.post("/market/merchants/{merchant_id}/decision")
def decide_merchant(
    request: Request, session: SessionDep, merchant_id: int,
    status: Annotated[MerchantStatus, Form()], reason: Annotated[str, Form(max_length=1000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    merchants.decide_merchant(session, actor=actor, merchant_id=merchant_id, status=status,
                              reason=reason)
    return RedirectResponse(f"/market?done={status.value}", status_code=303)


@router.post("/market/complaints/{complaint_id}/answer")
def answer_complaint(
    request: Request, session: SessionDep, complaint_id: int,
    answer: Annotated[str, Form(max_length=2000)], csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    complaints.answer_complaint(session, actor=actor, complaint_id=complaint_id, answer=answer)
    return RedirectResponse("/market?done=answered", status_code=303)


@router.post("/market/limits")
def propose_limit(
    request: Request, session: SessionDep, retiree_id: Annotated[int, Form()],
    monthly_limit: Annotated[int, Form(ge=1, le=100_000)], csrf: Annotated[str, Form()] = "",
) -> Response:
    """A worker proposes a limit (e.g. asked by family); the elder agrees on their phone."""
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    get_retiree(session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES)
    limits.propose_limit(session, retiree_id=retiree_id, monthly_limit=monthly_limit,
                         staff_id=actor.staff_id or None)
    return RedirectResponse("/market?done=limit", status_code=303)


@router.post("/market/calls")
def report_call(
    request: Request, session: SessionDep, retiree_id: Annotated[int, Form()],
    merchant_id: Annotated[int, Form()], hours_ago: Annotated[int, Form(ge=0, le=720)] = 0,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """"The merchant phoned me", as the elder or family told the worker."""
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    service.report_call(session, actor=actor, retiree_id=retiree_id, merchant_id=merchant_id,
                        called_at=utcnow() - timedelta(hours=hours_ago))
    return RedirectResponse("/market?done=call", status_code=303)


@router.get("/market/photos/{offer_id}")
def offer_photo(session: SessionDep, offer_id: int) -> Response:
    """Offer photos are public adverts of approved merchants; served by the app (no CDN)."""
    offer = session.get(catalogue.Offer, offer_id)
    if offer is None or not offer.active:
        raise NotFound("No such photo.")
    data, media = catalogue.offer_photo(session, offer_id=offer_id)
    return Response(data, media_type=media,
                    headers={"Cache-Control": "public, max-age=3600",
                             "X-Content-Type-Options": "nosniff"})
