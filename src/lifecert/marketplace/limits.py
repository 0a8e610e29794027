"""Monthly spending limits: a family contact or a community worker proposes one, and it is in
force only once the elder agrees on their own phone (the elder's money, the elder's say)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.marketplace.models import LimitStatus, Order, OrderStatus, SpendingLimit
from lifecert.marketplace.policy import MAX_SPENDING_LIMIT, month_start


def propose_limit(
    session: Session, *, retiree_id: int, monthly_limit: int, staff_id: int | None = None,
    helper_id: int | None = None,
) -> SpendingLimit:
    """Callers check who may propose (the worker's scope, the helper's confirmed link)."""
    if not 1 <= monthly_limit <= MAX_SPENDING_LIMIT:
        raise InvalidInput("Choose a monthly limit between 1 and 100000 yuan.")
    for old in session.scalars(select(SpendingLimit).where(
            SpendingLimit.retiree_id == retiree_id,
            SpendingLimit.status == LimitStatus.PENDING)):
        old.status = LimitStatus.REFUSED  # the newest proposal replaces an unanswered one
    row = SpendingLimit(retiree_id=retiree_id, monthly_limit=monthly_limit,
                        status=LimitStatus.PENDING, set_by_staff=staff_id,
                        set_by_helper=helper_id)
    session.add(row)
    session.flush()
    audit.record(session, actor=None, action="market.limit_proposed",
                 target_type="market_spending_limit", target_id=row.id,
                 details={"retiree_id": retiree_id, "monthly_limit": monthly_limit,
                          "staff_id": staff_id, "helper_id": helper_id})
    return row


def pending_limit(session: Session, *, retiree_id: int) -> SpendingLimit | None:
    return session.scalar(select(SpendingLimit).where(
        SpendingLimit.retiree_id == retiree_id, SpendingLimit.status == LimitStatus.PENDING)
        .order_by(SpendingLimit.id.desc()).limit(1))


def active_limit(session: Session, *, retiree_id: int) -> SpendingLimit | None:
    return session.scalar(select(SpendingLimit).where(
        SpendingLimit.retiree_id == retiree_id, SpendingLimit.status == LimitStatus.ACTIVE)
        .order_by(SpendingLimit.id.desc()).limit(1))


def answer_limit(session: Session, *, retiree_id: int, limit_id: int, agree: bool) -> SpendingLimit:
    """The elder's own answer (their phone session): agreeing replaces the limit in force."""
    row = session.get(SpendingLimit, limit_id)
    if row is None or row.retiree_id != retiree_id:
        raise NotFound("No such limit.")
    if row.status != LimitStatus.PENDING:
        raise Conflict("This limit was already answered.")
    if agree:
        current = active_limit(session, retiree_id=retiree_id)
        if current is not None:
            current.status = LimitStatus.REFUSED
    row.status = LimitStatus.ACTIVE if agree else LimitStatus.REFUSED
    row.answered_at = utcnow()
    audit.record(session, actor=None, action="market.limit_answered",
                 target_type="market_spending_limit", target_id=row.id,
                 details={"agree": agree})
    return row


def spent_this_month(session: Session, *, retiree_id: int, today: date) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(Order.price), 0)).where(
        Order.retiree_id == retiree_id, Order.placed_on >= month_start(today),
        Order.status.in_((OrderStatus.PAID, OrderStatus.PAID_OUT)))) or 0)


def check_limit(session: Session, *, retiree_id: int, today: date, price: int) -> None:
    limit = active_limit(session, retiree_id=retiree_id)
    if limit is None:
        return
    spent = spent_this_month(session, retiree_id=retiree_id, today=today)
    if spent + price > limit.monthly_limit:
        raise Conflict("This would pass your monthly limit of {limit} yuan ({left} yuan left).",
                       params={"limit": limit.monthly_limit,
                               "left": max(limit.monthly_limit - spent, 0)})
