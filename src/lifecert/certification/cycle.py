"""The rolling certification cycle: certified → due soon → overdue → (after grace) suspended,
and resumption with arrears when a suspended person certifies again.

Dates are fixed on the person when they certify (from their region's policy), so the nightly
job is plain date comparisons over the whole roll. A person with a recent system fault, or
under review, is never suspended: technical failures never count against the retiree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from lifecert.audit.service import record
from lifecert.certification.models import (
    Certification,
    CyclePolicy,
    Outcome,
    PaymentAction,
    PaymentChange,
)
from lifecert.core.db import utcnow
from lifecert.core.scoping import Actor
from lifecert.core.settings import get_settings
from lifecert.organisation.models import Region
from lifecert.partners import service as partners
from lifecert.partners.models import EventType
from lifecert.retirees.models import CertState, Retiree, RetireeStatus


@dataclass(frozen=True)
class Policy:
    cycle_days: int
    due_soon_days: int
    grace_days: int


def default_policy() -> Policy:
    c = get_settings().certification
    return Policy(c.cycle_days, c.due_soon_days, c.grace_days)


def policy_for(session: Session, region: Region) -> Policy:
    """The nearest ancestor's policy (community → ... → province), else the default."""
    ids = [int(part) for part in region.path.strip("/").split("/") if part]
    rows = {
        p.region_id: p
        for p in session.scalars(select(CyclePolicy).where(CyclePolicy.region_id.in_(ids)))
    }
    for region_id in reversed(ids):
        if region_id in rows:
            p = rows[region_id]
            return Policy(p.cycle_days, p.due_soon_days, p.grace_days)
    return default_policy()


def set_policy(
    session: Session, *, region_id: int, policy: Policy, actor: Actor | None = None
) -> None:
    row = session.scalar(select(CyclePolicy).where(CyclePolicy.region_id == region_id))
    if row is None:
        row = CyclePolicy(region_id=region_id, cycle_days=0, due_soon_days=0, grace_days=0)
        session.add(row)
    row.cycle_days, row.due_soon_days, row.grace_days = (
        policy.cycle_days,
        policy.due_soon_days,
        policy.grace_days,
    )
    record(session, actor=actor, action="policy.cycle_changed", target_type="region",
           target_id=region_id, details={"cycle_days": policy.cycle_days,
                                         "due_soon_days": policy.due_soon_days,
                                         "grace_days": policy.grace_days})


def suspended_since(session: Session, *, retiree_id: int) -> date | None:
    """The effective date of the person's latest payment suspension (None: never)."""
    return session.scalar(
        select(PaymentChange.effective_date)
        .where(
            PaymentChange.retiree_id == retiree_id, PaymentChange.action == PaymentAction.SUSPEND
        )
        .order_by(PaymentChange.id.desc())
        .limit(1)
    )


def mark_certified(
    session: Session, *, retiree: Retiree, certification: Certification, today: date
) -> PaymentChange | None:
    """A verified certification: new validity, and payment resumed (with arrears) if stopped."""
    policy = policy_for(session, retiree.community)
    valid_until = today + timedelta(days=policy.cycle_days)
    retiree.valid_until = valid_until
    retiree.due_soon_from = valid_until - timedelta(days=policy.due_soon_days)
    retiree.suspend_after = valid_until + timedelta(days=policy.grace_days)
    retiree.cert_state = CertState.CERTIFIED
    retiree.last_certified_at = utcnow()
    certification.valid_until = valid_until
    if retiree.status != RetireeStatus.SUSPENDED:
        return None
    retiree.status = RetireeStatus.ACTIVE
    stopped = suspended_since(session, retiree_id=retiree.id)
    change = PaymentChange(
        retiree_id=retiree.id,
        action=PaymentAction.RESUME,
        effective_date=today,
        reason="certified",
        arrears_from=stopped,
        arrears_to=today if stopped else None,
        certification_id=certification.id,
        idempotency_key=f"resume:{retiree.id}:{certification.id}",
    )
    session.add(change)
    return change


@dataclass
class CycleResult:
    due_soon: list[int]
    overdue: int
    suspended: list[int]


def run_cycle(session: Session, *, today: date) -> CycleResult:
    """Nightly transitions. Idempotent: rerunning on the same day changes nothing more."""
    default = default_policy()
    due_soon_ids = _to_due_soon(session, today, default)
    overdue = session.execute(
        update(Retiree)
        .where(
            Retiree.cert_state.in_([CertState.CERTIFIED, CertState.DUE_SOON]),
            Retiree.valid_until < today,
        )
        .values(cert_state=CertState.OVERDUE)
    ).rowcount  # type: ignore[attr-defined]
    suspended = _suspend_overdue(session, today, default)
    return CycleResult(due_soon=due_soon_ids, overdue=int(overdue), suspended=suspended)


def _to_due_soon(session: Session, today: date, default: Policy) -> list[int]:
    condition = and_(
        Retiree.cert_state == CertState.CERTIFIED,
        Retiree.valid_until >= today,
        or_(
            Retiree.due_soon_from <= today,
            and_(
                Retiree.due_soon_from.is_(None),
                Retiree.valid_until <= today + timedelta(days=default.due_soon_days),
            ),
        ),
    )
    ids = list(session.scalars(select(Retiree.id).where(condition)))
    if ids:
        session.execute(
            update(Retiree).where(Retiree.id.in_(ids)).values(cert_state=CertState.DUE_SOON)
        )
    return ids


def _suspend_overdue(session: Session, today: date, default: Policy) -> list[int]:
    fault_window = utcnow() - timedelta(days=max(default.grace_days, 7))
    had_fault = select(Certification.retiree_id).where(
        Certification.outcome == Outcome.SYSTEM_FAULT, Certification.created_at >= fault_window
    )
    candidates = list(
        session.scalars(
            select(Retiree.id).where(
                Retiree.cert_state == CertState.OVERDUE,
                Retiree.status == RetireeStatus.ACTIVE,
                or_(
                    Retiree.suspend_after < today,
                    and_(
                        Retiree.suspend_after.is_(None),
                        Retiree.valid_until < today - timedelta(days=default.grace_days),
                    ),
                ),
                Retiree.id.not_in(had_fault),
            )
        )
    )
    for retiree_id in candidates:
        session.add(
            PaymentChange(
                retiree_id=retiree_id,
                action=PaymentAction.SUSPEND,
                effective_date=today,
                reason="not certified after the grace period",
                idempotency_key=f"suspend:{retiree_id}:{today.isoformat()}",
            )
        )
    if candidates:
        session.execute(
            update(Retiree).where(Retiree.id.in_(candidates)).values(status=RetireeStatus.SUSPENDED)
        )
        # A bulk UPDATE: partners hear of it here (the flush watcher sees only loaded rows).
        partners.emit_for_retirees(session, type=EventType.SUSPENDED, retiree_ids=candidates)
    for retiree_id in candidates:  # the nightly job acts alone: each stop is on the record
        record(session, actor=None, action="payment.suspended", target_type="retiree",
               target_id=retiree_id, details={"reason": "not certified after the grace period",
                                              "effective_date": today.isoformat()})
    return candidates
