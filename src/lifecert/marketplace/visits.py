"""Home-service orders are paid only for a visit that happened: the merchant (a licensed
home-care provider) assigns one of its caregivers, a visit is created in the home-care visit
proof (``homecare.service.create_visit``, ``order_kind="market"``), the caregiver checks in
and out on the same phone page as for the bureau's home care (GPS, own face, the elder's live
face), and only a completed, billable visit fulfils the order."""

from __future__ import annotations

from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.core.scoping import Actor
from lifecert.homecare import service as homecare
from lifecert.homecare.service import Visit
from lifecert.marketplace import merchants, orders
from lifecert.marketplace.models import Order, OrderStatus

ORDER_KIND = "market"


def visit_of(session: Session, order: Order) -> Visit | None:
    return homecare.visit_for_order(session, order_kind=ORDER_KIND, order_id=order.id)


def assign_worker(session: Session, *, actor: Actor, order_id: int, staff_id: int) -> int:
    """The merchant sends one of its provider's caregivers; returns the visit's id."""
    merchant = merchants.merchant_of(session, actor=actor)
    order = session.get(Order, order_id)
    if order is None or order.merchant_id != merchant.id:
        raise NotFound("No such order.")
    if not orders.needs_visit(session, order) or order.status != OrderStatus.PAID:
        raise Conflict("This order is not waiting for a visit.")
    provider_id = merchant.homecare_provider_id
    if provider_id is None or staff_id not in dict(
            homecare.caregivers_of(session, provider_id=provider_id)):
        raise InvalidInput("Choose one of your caregivers.")
    visit = homecare.create_visit(session, order_kind=ORDER_KIND, order_id=order.id,
                                  worker_staff_id=staff_id, retiree_id=order.retiree_id,
                                  provider_id=provider_id, service_code=order.category_code,
                                  price_cents=order.price * 100)
    if visit.worker_staff_id != staff_id:
        raise Conflict("A caregiver is already assigned to this order.")
    audit.record(session, actor=actor, action="market.worker_assigned",
                 target_type="market_order", target_id=order.id,
                 details={"visit_id": visit.id, "staff_id": staff_id})
    return visit.id


def sync_visit(session: Session, order: Order) -> bool:
    """Fulfil a home-service order whose visit is proven (idempotent); True when fulfilled."""
    if order.fulfilled_at is not None:
        return True
    if order.status != OrderStatus.PAID or not orders.needs_visit(session, order):
        return False
    visit = homecare.visit_for_order(session, order_kind=ORDER_KIND, order_id=order.id)
    if visit is None or not homecare.proven(visit):
        return False
    orders.record_fulfilment(session, order_id=order.id, reference=f"homecare:visit:{visit.id}")
    return True


def visit_proven(session: Session, order: Order) -> bool:
    """Read-only: whether the order's visit is proven (the elder's page shows it)."""
    return order.fulfilled_at is not None or homecare.proven(visit_of(session, order))
