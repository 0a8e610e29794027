"""Complaints go to the elder's community and to the bureau (never to the merchant), each
with a deadline; a complaint also counts in the merchant's history and the anti-scam rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor, ensure_in_scope, scope_filter
from lifecert.marketplace.models import Complaint, ComplaintStatus, Order
from lifecert.marketplace.policy import BUREAU_DAYS, COMMUNITY_DAYS, COMPLAINT_REASONS


def file_complaint(
    session: Session, *, retiree_id: int, order_id: int, reason: str, text: str, today: date
) -> Complaint:
    order = session.get(Order, order_id)
    if order is None or order.retiree_id != retiree_id:
        raise NotFound("No such order.")
    if reason not in COMPLAINT_REASONS:
        raise InvalidInput("Choose what went wrong.")
    row = Complaint(order_id=order.id, merchant_id=order.merchant_id, retiree_id=retiree_id,
                    region_path=order.region_path, reason=reason, text=text.strip()[:2000],
                    community_due=today + timedelta(days=COMMUNITY_DAYS),
                    bureau_due=today + timedelta(days=BUREAU_DAYS))
    session.add(row)
    session.flush()
    audit.record(session, actor=None, action="market.complaint_filed",
                 target_type="market_complaint", target_id=row.id,
                 details={"reason": reason, "merchant_id": order.merchant_id})
    return row


def complaints_in_scope(
    session: Session, *, actor: Actor, status: ComplaintStatus | None = ComplaintStatus.OPEN
) -> Sequence[Complaint]:
    """The community worker's and the bureau's queue, soonest deadline first."""
    stmt = select(Complaint).where(
        scope_filter(actor, Permission.READ_RETIREES, Complaint.region_path))
    if status is not None:
        stmt = stmt.where(Complaint.status == status)
    return session.scalars(stmt.order_by(Complaint.community_due, Complaint.id)).all()


def answer_complaint(
    session: Session, *, actor: Actor, complaint_id: int, answer: str
) -> Complaint:
    row = session.get(Complaint, complaint_id)
    if row is None:
        raise NotFound("No such complaint.")
    ensure_in_scope(actor, Permission.WRITE_RETIREES, row.region_path)
    if row.status != ComplaintStatus.OPEN:
        raise Conflict("This complaint was already answered.")
    if len(answer.strip()) < 5:
        raise InvalidInput("Write what was done for the elder.")
    row.status, row.answer, row.answered_by = (ComplaintStatus.ANSWERED, answer.strip()[:2000],
                                               actor.staff_id or None)
    audit.record(session, actor=actor, action="market.complaint_answered",
                 target_type="market_complaint", target_id=row.id)
    return row


def retiree_complaints(session: Session, *, retiree_id: int) -> Sequence[Complaint]:
    return session.scalars(select(Complaint).where(Complaint.retiree_id == retiree_id)
                           .order_by(Complaint.id.desc())).all()
