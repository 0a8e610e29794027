"""The marketplace's entry points for staff and other domains: call reports, and what a
community worker sees (the open anti-scam alerts about elders of their communities, with the
merchants' payouts held)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.core.db import utcnow
from lifecert.core.errors import NotFound
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor, scope_filter
from lifecert.fraud.models import Alert, AlertStatus
from lifecert.marketplace.models import CallReport, MarketAlert, Merchant, Order
from lifecert.retirees.service import get_retiree

__all__ = ["alerts_for_worker", "report_call", "report_call_by_elder"]


def report_call(
    session: Session, *, actor: Actor, retiree_id: int, merchant_id: int, called_at: datetime
) -> CallReport:
    """A worker records "the merchant phoned me" as the elder or family told it."""
    get_retiree(session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES)
    if session.get(Merchant, merchant_id) is None:
        raise NotFound("No such merchant.")
    row = CallReport(retiree_id=retiree_id, merchant_id=merchant_id, called_at=called_at,
                     reported_by=actor.staff_id or None)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="market.call_reported",
                 target_type="market_call_report", target_id=row.id,
                 details={"merchant_id": merchant_id})
    return row


def report_call_by_elder(session: Session, *, retiree_id: int, merchant_id: int) -> CallReport:
    """The elder taps "this merchant phoned me" on the merchant's offer (their own session)."""
    if session.get(Merchant, merchant_id) is None:
        raise NotFound("No such merchant.")
    row = CallReport(retiree_id=retiree_id, merchant_id=merchant_id, called_at=utcnow())
    session.add(row)
    session.flush()
    audit.record(session, actor=None, action="market.call_reported",
                 target_type="market_call_report", target_id=row.id,
                 details={"merchant_id": merchant_id, "by": "elder"})
    return row


def alerts_for_worker(session: Session, *, actor: Actor) -> Sequence[tuple[MarketAlert, Alert,
                                                                           Order]]:
    """Open marketplace alerts about elders in the worker's communities (newest first)."""
    return session.execute(
        select(MarketAlert, Alert, Order)
        .join(Alert, Alert.id == MarketAlert.alert_id)
        .join(Order, Order.id == MarketAlert.order_id)
        .where(Alert.status != AlertStatus.RESOLVED,
               scope_filter(actor, Permission.READ_RETIREES, Order.region_path))
        .order_by(MarketAlert.id.desc()).limit(200)
    ).tuples().all()
