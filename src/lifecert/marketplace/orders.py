"""Orders: the elder buys at the total price shown, within their spending limit; the gateway
charges; the cooling-off period allows a one-tap cancel with a full refund; family hears of
big and repeated orders; the merchant is paid only after the period and only for a service
that was proven to happen (``payouts``), never while an anti-scam alert about it is open."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.marketplace import catalogue, family, limits, scam
from lifecert.marketplace.models import (
    MarketCategory,
    Order,
    OrderStatus,
    Payment,
    PaymentKind,
    PaymentStatus,
)
from lifecert.marketplace.payments import GatewayResult, get_gateway
from lifecert.marketplace.policy import cooling_off_end, in_cooling_off
from lifecert.organisation.models import Region
from lifecert.retirees.models import Retiree, RetireeStatus


def record_payment(
    session: Session, order: Order, kind: PaymentKind, result: GatewayResult
) -> Payment:
    row = Payment(order_id=order.id, kind=kind, amount=order.price, gateway_ref=result.reference,
                  status=PaymentStatus.SUCCEEDED if result.ok else PaymentStatus.FAILED,
                  error=result.error[:255])
    session.add(row)
    session.flush()
    return row


def place_order(
    session: Session, *, retiree: Retiree, offer_id: int, today: date,
    now: datetime | None = None, channel: str = "phone",
) -> Order:
    """The elder confirmed the total price on their own phone: check, charge, then run the
    family notices and the anti-scam rules on the paid order."""
    now = now or utcnow()
    if retiree.status != RetireeStatus.ACTIVE:
        raise Conflict("Orders are paused for this person.")
    community = session.get_one(Region, retiree.community_id)
    offer = catalogue.offer_for(session, community=community, offer_id=offer_id)
    limits.check_limit(session, retiree_id=retiree.id, today=today, price=offer.price)
    order = Order(offer_id=offer.id, merchant_id=offer.merchant_id, retiree_id=retiree.id,
                  community_id=community.id, region_path=community.path, title=offer.title,
                  category_code=offer.category_code, price=offer.price,
                  status=OrderStatus.PAID, channel=channel[:16], placed_on=today,
                  cooling_off_until=cooling_off_end(today))
    session.add(order)
    session.flush()
    result = get_gateway().charge(order_id=order.id, amount=order.price,
                                  payer=f"retiree:{retiree.id}")
    record_payment(session, order, PaymentKind.CHARGE, result)
    if not result.ok:
        order.status = OrderStatus.PAYMENT_FAILED
        return order
    audit.record(session, actor=None, action="market.order_placed", target_type="market_order",
                 target_id=order.id, details={"price": order.price, "channel": channel})
    family.notify_family(session, order=order, today=today)
    scam.check_order(session, order, now)
    return order


def orders_of_retiree(session: Session, *, retiree_id: int) -> Sequence[Order]:
    return session.scalars(
        select(Order).where(Order.retiree_id == retiree_id).order_by(Order.id.desc())
    ).all()


def order_of_retiree(session: Session, *, retiree_id: int, order_id: int) -> Order:
    order = session.get(Order, order_id)
    if order is None or order.retiree_id != retiree_id:
        raise NotFound("No such order.")
    return order


def can_cancel(order: Order, today: date) -> bool:
    return order.status == OrderStatus.PAID and in_cooling_off(order.placed_on, today)


def cancel_order(
    session: Session, *, retiree_id: int, order_id: int, today: date, death: bool = False
) -> Order:
    """One tap, no reason asked, the whole price back. ``death``: the payout run refunds an
    unserved order of an elder registered as deceased, whatever the period."""
    order = order_of_retiree(session, retiree_id=retiree_id, order_id=order_id)
    if not (can_cancel(order, today) or (death and order.status == OrderStatus.PAID
                                         and order.fulfilled_at is None)):
        raise Conflict("This order can no longer be cancelled here. Your community can help.")
    charge = session.scalar(select(Payment).where(
        Payment.order_id == order.id, Payment.kind == PaymentKind.CHARGE,
        Payment.status == PaymentStatus.SUCCEEDED))
    result = get_gateway().refund(order_id=order.id, amount=order.price,
                                  charge_ref=charge.gateway_ref if charge else "")
    record_payment(session, order, PaymentKind.REFUND, result)
    if not result.ok:
        raise Conflict("The refund did not go through. Please try again in a minute.")
    order.status, order.cancelled_at = OrderStatus.CANCELLED, utcnow()
    audit.record(session, actor=None, action="market.order_cancelled",
                 target_type="market_order", target_id=order.id,
                 details={"refunded": order.price, "death": death})
    return order


def record_fulfilment(session: Session, *, order_id: int, reference: str) -> Order:
    """The service happened: a proven home-care visit (``homecare:visit:<id>``) or, for goods,
    the elder's own "received". Idempotent: a second proof changes nothing."""
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound("No such order.")
    if order.status != OrderStatus.PAID:
        raise Conflict("This order is not waiting for its service.")
    if order.fulfilled_at is None:
        order.fulfilled_at, order.fulfilment_ref = utcnow(), reference[:64]
        audit.record(session, actor=None, action="market.order_fulfilled",
                     target_type="market_order", target_id=order.id,
                     details={"reference": reference[:64]})
    return order


def needs_visit(session: Session, order: Order) -> bool:
    return bool(session.scalar(select(MarketCategory.home_service)
                               .where(MarketCategory.code == order.category_code)))


def confirm_received(session: Session, *, retiree_id: int, order_id: int) -> Order:
    """The elder's own "received" for goods; home services are fulfilled only by a proven
    visit (``marketplace.visits``), never by a tap."""
    order = order_of_retiree(session, retiree_id=retiree_id, order_id=order_id)
    if needs_visit(session, order):
        raise Conflict("A home service is confirmed by the visit, not here.")
    return record_fulfilment(session, order_id=order.id, reference="received")


def rate_order(session: Session, *, retiree_id: int, order_id: int, stars: int) -> Order:
    order = order_of_retiree(session, retiree_id=retiree_id, order_id=order_id)
    if not 1 <= stars <= 5:
        raise InvalidInput("Choose one to five stars.")
    if order.status == OrderStatus.PAYMENT_FAILED:
        raise Conflict("This order was never paid.")
    order.rating = stars
    return order


def merchant_orders(session: Session, *, merchant_id: int, days: int = 90) -> Sequence[Order]:
    since = utcnow() - timedelta(days=days)
    return session.scalars(
        select(Order).where(Order.merchant_id == merchant_id, Order.created_at >= since)
        .order_by(Order.id.desc())
    ).all()


def orders_count(session: Session, *, merchant_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Order)
                          .where(Order.merchant_id == merchant_id)) or 0
