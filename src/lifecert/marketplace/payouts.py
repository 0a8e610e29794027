"""The daily payout run: money reaches a merchant only after the cooling-off period, only for
a service proven to have happened (a billable home-care visit, or the elder's "received" for
goods), only while the merchant is approved, and never while an anti-scam alert about the
merchant is open. Idempotent: a paid-out order is never paid again; a held, unproven or
failed one is looked at again the next day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.core.db import utcnow
from lifecert.marketplace import orders, scam, visits
from lifecert.marketplace.models import Merchant, MerchantStatus, Order, OrderStatus, PaymentKind
from lifecert.marketplace.payments import get_gateway
from lifecert.marketplace.policy import payout_due
from lifecert.retirees.models import Retiree, RetireeStatus


def refund_deceased(session: Session, *, today: date) -> int:
    """Unserved orders of elders since registered as deceased are refunded in full (nobody
    is billed for a visit to a person who died)."""
    rows = session.scalars(
        select(Order).join(Retiree, Retiree.id == Order.retiree_id)
        .where(Order.status == OrderStatus.PAID, Order.fulfilled_at.is_(None),
               Retiree.status == RetireeStatus.DECEASED)).all()
    for order in rows:
        orders.cancel_order(session, retiree_id=order.retiree_id, order_id=order.id,
                            today=today, death=True)
    return len(rows)


def pay_out_due(session: Session, *, today: date) -> dict[str, int]:
    """Counts of paid, held (suspended merchant or open alert), unproven and failed orders."""
    counts = {"paid": 0, "held": 0, "unproven": 0, "failed": 0,
              "refunded_deceased": refund_deceased(session, today=today)}
    due = session.scalars(
        select(Order).where(Order.status == OrderStatus.PAID,
                            Order.cooling_off_until < today).order_by(Order.id)
    ).all()
    for order in due:
        merchant = session.get_one(Merchant, order.merchant_id)
        if not payout_due(order.placed_on, today):
            continue
        if not visits.sync_visit(session, order) and order.fulfilled_at is None:
            counts["unproven"] += 1
        elif merchant.status != MerchantStatus.APPROVED or scam.payout_held(session, merchant.id):
            counts["held"] += 1
        else:
            result = get_gateway().payout(order_id=order.id, amount=order.price,
                                          merchant_ref=merchant.licence_no)
            orders.record_payment(session, order, PaymentKind.PAYOUT, result)
            if result.ok:
                order.status, order.paid_out_at = OrderStatus.PAID_OUT, utcnow()
                counts["paid"] += 1
            else:
                counts["failed"] += 1
    return counts
