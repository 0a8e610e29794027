"""The anti-scam rules applied to a new order: gather its facts from the database, evaluate
the rules (``rules.py``), raise a fraud alert for each rule hit (the community's and bureau's
existing triage) and hold the merchant's payouts while any such alert is open."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from lifecert.fraud.alerts import LinkSpec, raise_alert
from lifecert.fraud.models import Alert, AlertKind, AlertStatus, LinkKind, Severity
from lifecert.marketplace.catalogue import ancestor_paths
from lifecert.marketplace.models import (
    CallReport,
    Complaint,
    MarketAlert,
    MarketCategory,
    Merchant,
    Offer,
    Order,
    OrderStatus,
)
from lifecert.marketplace.policy import month_start
from lifecert.marketplace.rules import Facts, Hit, evaluate
from lifecert.organisation.models import Region

KINDS = {
    "community_sweep": (AlertKind.MARKET_COMMUNITY_SWEEP, Severity.HIGH),
    "complaints": (AlertKind.MARKET_COMPLAINTS, Severity.MEDIUM),
    "near_cap": (AlertKind.MARKET_NEAR_CAP, Severity.MEDIUM),
    "after_call": (AlertKind.MARKET_AFTER_CALL, Severity.HIGH),
    "spend_spike": (AlertKind.MARKET_SPEND_SPIKE, Severity.HIGH),
}
_COUNTED = (OrderStatus.PAID, OrderStatus.PAID_OUT, OrderStatus.CANCELLED)


def _city_median(session: Session, offer: Offer, community: Region) -> float | None:
    """The median price of the category's *other* active offers in the elder's city."""
    city_path = ancestor_paths(community.path)[1] if community.path.count("/") > 2 else "/"
    prices = session.scalars(
        select(Offer.price).where(Offer.category_code == offer.category_code,
                                  Offer.active.is_(True), Offer.id != offer.id,
                                  Offer.region_path.startswith(city_path))
    ).all()
    return float(statistics.median(prices)) if prices else None


def _count(session: Session, *conditions: ColumnElement[bool]) -> int:
    return session.scalar(select(func.count()).select_from(Order).where(*conditions)) or 0


def order_facts(session: Session, order: Order, now: datetime) -> Facts:
    offer = session.get_one(Offer, order.offer_id)
    community = session.get_one(Region, order.community_id)
    cap = session.scalars(select(MarketCategory.price_cap)
                          .where(MarketCategory.code == order.category_code)).one()
    month_ago = order.placed_on - timedelta(days=30)
    buyers = session.scalar(
        select(func.count(func.distinct(Order.retiree_id))).where(
            Order.merchant_id == order.merchant_id, Order.community_id == order.community_id,
            Order.created_at >= now - timedelta(hours=48), Order.status.in_(_COUNTED))
    ) or 0
    merchant_recent = (Order.merchant_id == order.merchant_id, Order.placed_on > month_ago)
    complaints = session.scalar(
        select(func.count()).select_from(Complaint).where(
            Complaint.merchant_id == order.merchant_id,
            Complaint.created_at >= now - timedelta(days=30))
    ) or 0
    call = session.scalar(
        select(func.max(CallReport.called_at)).where(
            CallReport.retiree_id == order.retiree_id, CallReport.merchant_id == order.merchant_id)
    )
    mine = (Order.retiree_id == order.retiree_id, Order.id != order.id,
            Order.status.in_((OrderStatus.PAID, OrderStatus.PAID_OUT)))
    this_month = month_start(order.placed_on)
    spent = session.scalar(select(func.coalesce(func.sum(Order.price), 0))
                           .where(*mine, Order.placed_on >= this_month)) or 0
    before = session.scalar(select(func.coalesce(func.sum(Order.price), 0)).where(
        *mine, Order.placed_on < this_month,
        Order.placed_on >= this_month - timedelta(days=183))) or 0
    return Facts(
        price=order.price, cap=cap, city_median=_city_median(session, offer, community),
        community_buyers_48h=buyers,
        merchant_orders_30d=_count(session, *merchant_recent, Order.status.in_(_COUNTED)),
        merchant_cancelled_30d=_count(session, *merchant_recent,
                                      Order.status == OrderStatus.CANCELLED),
        merchant_complaints_30d=complaints,
        hours_since_call=(now - call).total_seconds() / 3600 if call else None,
        elder_month_spend=int(spent), elder_avg_month=int(before) / 6,
    )


def raise_hits(session: Session, order: Order, hits: list[Hit]) -> list[Alert]:
    merchant = session.get_one(Merchant, order.merchant_id)
    alerts = []
    for hit in hits:
        kind, severity = KINDS[hit.rule]
        # One alert per rule and merchant and day: a seminar's 20 orders are one finding.
        key = f"market:{hit.rule}:{merchant.id}:{order.placed_on.isoformat()}"
        if hit.rule in ("after_call", "spend_spike"):
            key = f"market:{hit.rule}:{order.id}"  # about one elder: one alert per order
        alert = raise_alert(
            session, kind=kind, severity=severity,
            evidence={**hit.evidence, "rule": kind.value, "merchant": merchant.name,
                      "order_id": order.id},
            retiree_ids=[order.retiree_id],
            links=[LinkSpec(LinkKind.MERCHANT, str(merchant.id), merchant.name)],
            dedup_key=key,
        )
        session.add(MarketAlert(alert_id=alert.id, merchant_id=merchant.id, order_id=order.id,
                                rule=hit.rule))
        alerts.append(alert)
    order.alert_rules = [h.rule for h in hits]
    session.flush()
    return alerts


def check_order(session: Session, order: Order, now: datetime) -> list[Alert]:
    return raise_hits(session, order, evaluate(order_facts(session, order, now)))


def payout_held(session: Session, merchant_id: int) -> bool:
    """A merchant is paid nothing while any alert raised about it is unresolved."""
    held = session.scalar(
        select(func.count()).select_from(MarketAlert)
        .join(Alert, Alert.id == MarketAlert.alert_id)
        .where(MarketAlert.merchant_id == merchant_id, Alert.status != AlertStatus.RESOLVED)
    )
    return bool(held)
