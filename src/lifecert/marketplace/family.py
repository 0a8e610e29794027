"""Family notices through the notifications outbox: every confirmed family contact of the
elder hears by SMS of an order at or above the threshold and of repeated orders from one
merchant (pressure sellers come back; lonely elders often tell nobody)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.certification.models import FamilyHelper, FamilyLink
from lifecert.core.i18n import N_, translations_for
from lifecert.marketplace.models import Merchant, Order, OrderStatus
from lifecert.marketplace.policy import FAMILY_THRESHOLD, REPEAT_DAYS, REPEAT_ORDERS
from lifecert.notifications import service as notifications
from lifecert.notifications.models import ChannelName, MessageKind
from lifecert.retirees.models import Retiree

BIG = N_("{name} bought \"{title}\" from {merchant} for {price} yuan on the LifeCert "
         "marketplace. It can be cancelled with a full refund until {until}.")
REPEAT = N_("{name} has ordered {count} times from {merchant} in {days} days (latest: "
            "\"{title}\", {price} yuan). It can be cancelled with a full refund until {until}.")

_TEXTS = {"big": BIG, "repeat": REPEAT}


def family_contacts(session: Session, retiree_id: int) -> list[FamilyHelper]:
    """Relatives whose link the elder (or their community) confirmed."""
    return list(session.scalars(
        select(FamilyHelper).join(FamilyLink, FamilyLink.helper_id == FamilyHelper.id)
        .where(FamilyLink.retiree_id == retiree_id, FamilyLink.confirmed_at.is_not(None))
        .order_by(FamilyHelper.id)))


def _reasons(session: Session, order: Order, today: date) -> list[tuple[str, int]]:
    reasons = []
    if order.price >= FAMILY_THRESHOLD:
        reasons.append(("big", 0))
    repeats = session.scalar(
        select(func.count()).select_from(Order).where(
            Order.retiree_id == order.retiree_id, Order.merchant_id == order.merchant_id,
            Order.placed_on > today - timedelta(days=REPEAT_DAYS),
            Order.status.in_((OrderStatus.PAID, OrderStatus.PAID_OUT, OrderStatus.CANCELLED)))
    ) or 0
    if repeats >= REPEAT_ORDERS:
        reasons.append(("repeat", repeats))
    return reasons


def notify_family(session: Session, *, order: Order, today: date) -> list[int]:
    """Queue the SMS notices the order calls for; returns the outbox ids (idempotent by key)."""
    reasons = _reasons(session, order, today)
    contacts = family_contacts(session, order.retiree_id) if reasons else []
    if not contacts:
        return []
    retiree = session.get_one(Retiree, order.retiree_id)
    merchant = session.get_one(Merchant, order.merchant_id)
    words = translations_for("zh_CN")  # relatives read the region's language
    messages = []
    for reason, count in reasons:
        text = words.gettext(_TEXTS[reason]).format(
            name=retiree.name, title=order.title, merchant=merchant.name, price=order.price,
            until=order.cooling_off_until.isoformat(), count=count, days=REPEAT_DAYS)
        messages += [notifications.NewMessage(
            retiree_id=order.retiree_id, channel=ChannelName.SMS, text=text,
            key=f"market:{reason}:{order.id}:{helper.id}", kind=MessageKind.FAMILY,
            to_phone=helper.phone) for helper in contacts]
    return notifications.queue_messages(session, messages)
