"""The elder's phone pages of the marketplace: categories, offers with the total price, a
confirm screen, my orders with one-tap cancel in the cooling-off period, stars and a
complaint in large icons, and the answer to a proposed spending limit. Buying, cancelling and
agreeing to a limit happen only in the elder's own phone session."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lifecert.core.errors import LifeCertError
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
from lifecert.marketplace.policy import COMPLAINT_REASONS, cooling_off_end
from lifecert.organisation.models import Region
from lifecert.system.clock import scheduler_today
from lifecert.web.market_labels import GLOBALS
from lifecert.web.mobile_pages import _retiree as own_retiree
from lifecert.web.mobile_service_pages import _helper_link as helper_link
from lifecert.web.templating import render, templates

router = APIRouter(include_in_schema=False, prefix="/m/market")
templates.env.globals.update(GLOBALS)


@router.get("", response_class=HTMLResponse)
def start(request: Request, session: SessionDep) -> HTMLResponse:
    retiree = own_retiree(request, session)
    community = session.get_one(Region, retiree.community_id)
    offered = {o.category_code for o in catalogue.offers_for(session, community=community)}
    cats = [c for c in merchants.categories(session) if c.code in offered]
    return render(request, "m/market.html", categories=cats,
                  pending=limits.pending_limit(session, retiree_id=retiree.id))


@router.get("/c/{code}", response_class=HTMLResponse)
def category(request: Request, session: SessionDep, code: str) -> HTMLResponse:
    retiree = own_retiree(request, session)
    community = session.get_one(Region, retiree.community_id)
    cat = merchants.category(session, code[:32])
    rows = catalogue.offers_for(session, community=community, category_code=cat.code)
    return render(request, "m/market_offers.html", category=cat, rows=rows)


def _offer_page(request: Request, session: SessionDep, offer_id: int, name: str,
                error: str = "", status_code: int = 200) -> HTMLResponse:
    retiree = own_retiree(request, session)
    community = session.get_one(Region, retiree.community_id)
    offer = catalogue.offer_for(session, community=community, offer_id=offer_id)
    merchant = next(m for m in merchants.list_merchants_by_id(session, [offer.merchant_id]))
    today = scheduler_today(session)
    return render(request, name, status_code=status_code, offer=offer, merchant=merchant,
                  category=merchants.category(session, offer.category_code),
                  until=cooling_off_end(today), error=error,
                  done=request.query_params.get("done", ""))


@router.get("/offers/{offer_id}", response_class=HTMLResponse)
def offer_page(request: Request, session: SessionDep, offer_id: int) -> HTMLResponse:
    return _offer_page(request, session, offer_id, "m/market_offer.html")


@router.get("/offers/{offer_id}/confirm", response_class=HTMLResponse)
def confirm_page(request: Request, session: SessionDep, offer_id: int) -> HTMLResponse:
    return _offer_page(request, session, offer_id, "m/market_confirm.html")


@router.post("/offers/{offer_id}/buy")
def buy(
    request: Request, session: SessionDep, offer_id: int, csrf: Annotated[str, Form()] = ""
) -> Response:
    verify_form_csrf(request, csrf)
    retiree = own_retiree(request, session)
    try:
        order = orders.place_order(session, retiree=retiree, offer_id=offer_id,
                                   today=scheduler_today(session))
    except LifeCertError as exc:
        return _offer_page(request, session, offer_id, "m/market_confirm.html",
                           error=exc.translated(), status_code=exc.status_code)
    return RedirectResponse(f"/m/market/orders/{order.id}?done=bought", status_code=303)


@router.post("/offers/{offer_id}/called")
def merchant_called(
    request: Request, session: SessionDep, offer_id: int, csrf: Annotated[str, Form()] = ""
) -> Response:
    """"This merchant phoned me": recorded for the anti-scam rules; the elder is told to call
    the community before buying anything."""
    verify_form_csrf(request, csrf)
    retiree = own_retiree(request, session)
    community = session.get_one(Region, retiree.community_id)
    offer = catalogue.offer_for(session, community=community, offer_id=offer_id)
    service.report_call_by_elder(session, retiree_id=retiree.id, merchant_id=offer.merchant_id)
    return RedirectResponse(f"/m/market/offers/{offer_id}?done=called", status_code=303)


@router.get("/orders", response_class=HTMLResponse)
def my_orders(request: Request, session: SessionDep) -> HTMLResponse:
    retiree = own_retiree(request, session)
    return render(request, "m/market_orders.html",
                  rows=orders.orders_of_retiree(session, retiree_id=retiree.id))


@router.get("/orders/{order_id}", response_class=HTMLResponse)
def my_order(request: Request, session: SessionDep, order_id: int) -> HTMLResponse:
    retiree = own_retiree(request, session)
    order = orders.order_of_retiree(session, retiree_id=retiree.id, order_id=order_id)
    today = scheduler_today(session)
    return render(request, "m/market_order.html", order=order,
                  can_cancel=orders.can_cancel(order, today),
                  needs_visit=orders.needs_visit(session, order),
                  visit_done=visits.visit_proven(session, order),
                  done=request.query_params.get("done", ""))


@router.post("/orders/{order_id}/cancel")
def cancel(
    request: Request, session: SessionDep, order_id: int, csrf: Annotated[str, Form()] = ""
) -> Response:
    verify_form_csrf(request, csrf)
    retiree = own_retiree(request, session)
    orders.cancel_order(session, retiree_id=retiree.id, order_id=order_id,
                        today=scheduler_today(session))
    return RedirectResponse(f"/m/market/orders/{order_id}?done=cancelled", status_code=303)


@router.post("/orders/{order_id}/received")
def received(
    request: Request, session: SessionDep, order_id: int, csrf: Annotated[str, Form()] = ""
) -> Response:
    verify_form_csrf(request, csrf)
    retiree = own_retiree(request, session)
    orders.confirm_received(session, retiree_id=retiree.id, order_id=order_id)
    return RedirectResponse(f"/m/market/orders/{order_id}?done=received", status_code=303)


@router.post("/orders/{order_id}/rate")
def rate(
    request: Request, session: SessionDep, order_id: int,
    stars: Annotated[int, Form(ge=1, le=5)], csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    retiree = own_retiree(request, session)
    orders.rate_order(session, retiree_id=retiree.id, order_id=order_id, stars=stars)
    return RedirectResponse(f"/m/market/orders/{order_id}?done=rated", status_code=303)


@router.get("/orders/{order_id}/complain", response_class=HTMLResponse)
def complain_page(request: Request, session: SessionDep, order_id: int) -> HTMLResponse:
    retiree = own_retiree(request, session)
    order = orders.order_of_retiree(session, retiree_id=retiree.id, order_id=order_id)
    return render(request, "m/market_complain.html", order=order)


@router.post("/orders/{order_id}/complain")
def complain(
    request: Request, session: SessionDep, order_id: int,
    reason: Annotated[str, Form(max_length=32)], text: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    retiree = own_retiree(request, session)
    complaints.file_complaint(session, retiree_id=retiree.id, order_id=order_id,
                              reason=reason if reason in COMPLAINT_REASONS else "",
                              text=text, today=scheduler_today(session))
    return RedirectResponse(f"/m/market/orders/{order_id}?done=complained", status_code=303)


@router.get("/helper/{retiree_id}/limit", response_class=HTMLResponse)
def helper_limit_page(request: Request, session: SessionDep, retiree_id: int) -> HTMLResponse:
    """A verified family helper proposes a monthly limit for a linked elder."""
    elder = helper_link(request, session, retiree_id)
    return render(request, "m/market_limit.html", elder=elder,
                  pending=limits.pending_limit(session, retiree_id=elder.id),
                  active=limits.active_limit(session, retiree_id=elder.id),
                  done=request.query_params.get("done", ""))


@router.post("/helper/{retiree_id}/limit")
def helper_limit(
    request: Request, session: SessionDep, retiree_id: int,
    monthly_limit: Annotated[int, Form(ge=1, le=100_000)], csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    elder = helper_link(request, session, retiree_id)
    limits.propose_limit(session, retiree_id=elder.id, monthly_limit=monthly_limit,
                         helper_id=int(request.session["helper_id"]))
    return RedirectResponse(f"/m/market/helper/{elder.id}/limit?done=proposed", status_code=303)


@router.post("/limits/{limit_id}")
def answer_limit(
    request: Request, session: SessionDep, limit_id: int,
    agree: Annotated[str, Form()] = "0", csrf: Annotated[str, Form()] = "",
) -> Response:
    verify_form_csrf(request, csrf)
    retiree = own_retiree(request, session)
    limits.answer_limit(session, retiree_id=retiree.id, limit_id=limit_id, agree=agree == "1")
    return RedirectResponse("/m/market", status_code=303)
