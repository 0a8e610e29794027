"""Four eyes on deaths: a report (an import row or a worker) only puts payment on hold; an
officer other than the reporter approves it (payment stops from the date of death), and a
wrong report is reversed with a reason (payment resumes with arrears). Every step audited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit.service import record
from lifecert.certification.models import PaymentAction, PaymentChange
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from lifecert.core.i18n import N_
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor, scope_filter
from lifecert.fraud.models import DeathRecord, DeathStatus
from lifecert.organisation.models import Region
from lifecert.retirees.models import Retiree, RetireeStatus
from lifecert.retirees.service import get_retiree
from lifecert.system.clock import scheduler_today

HOLD_REASON = "death reported: on hold until an officer approves"
STATUS_LABELS = {
    DeathStatus.PENDING: N_("Payment on hold, awaiting approval"),
    DeathStatus.APPROVED: N_("Approved: payment stopped"),
    DeathStatus.REVERSED: N_("Reversed: payment restored"),
}


def open_pending_death(
    session: Session,
    *,
    today: date,
    retiree_id: int,
    date_of_death: date,
    source: str,
    certificate_no: str,
    recorded_by: int | None,
    import_job_id: int | None = None,
) -> DeathRecord:
    """A death awaiting a second person's approval: recorded, and payment held from ``today``
    (not stopped; the person stays on the roll meanwhile)."""
    death = DeathRecord(
        retiree_id=retiree_id, date_of_death=date_of_death, source=source,
        certificate_no=certificate_no, recorded_by=recorded_by, import_job_id=import_job_id,
        status=DeathStatus.PENDING,
    )
    session.add(death)
    session.add(
        PaymentChange(
            retiree_id=death.retiree_id,
            action=PaymentAction.HOLD,
            effective_date=today,
            reason=HOLD_REASON,
            idempotency_key=f"death-hold:{death.retiree_id}",
        )
    )
    return death


def report_death(
    session: Session,
    *,
    actor: Actor,
    retiree_id: int,
    date_of_death: date,
    source: str = "",
    certificate_no: str = "",
    today: date | None = None,
) -> DeathRecord:
    """A worker reports one death: pending, payment on hold."""
    today = today or scheduler_today(session)
    retiree = get_retiree(
        session, actor=actor, retiree_id=retiree_id, permission=Permission.WRITE_RETIREES
    )
    if date_of_death > today or date_of_death < retiree.birth_date:
        raise InvalidInput("Check the date on the death certificate.")
    if session.scalar(select(DeathRecord.id).where(DeathRecord.retiree_id == retiree.id)):
        raise Conflict("A death is already recorded for this person.")
    death = open_pending_death(
        session, today=today, retiree_id=retiree.id, date_of_death=date_of_death,
        source=source.strip()[:100], certificate_no=certificate_no.strip()[:64],
        recorded_by=actor.staff_id or None,
    )
    session.flush()
    record(session, actor=actor, action="death.reported", target_type="retiree",
           target_id=retiree.id, details={"death_id": death.id,
                                          "date_of_death": date_of_death.isoformat()})
    return death


def get_death(session: Session, *, actor: Actor, death_id: int) -> DeathRecord:
    actor.require(Permission.READ_FULL_ID_NUMBER)  # bureau officers and admins
    death = session.get(DeathRecord, death_id)
    if death is None:
        raise NotFound("No such death record.")
    get_retiree(session, actor=actor, retiree_id=death.retiree_id)  # scope check
    return death


def approve_death(session: Session, *, actor: Actor, death_id: int) -> DeathRecord:
    """A second person confirms: the retiree is deceased and payment stops from the death."""
    death = get_death(session, actor=actor, death_id=death_id)
    if death.status != DeathStatus.PENDING:
        raise Conflict("This death record was already decided.")
    if death.recorded_by is not None and death.recorded_by == actor.staff_id:
        raise PermissionDenied("Another officer must approve a death you reported.")
    death.status, death.approved_by, death.approved_at = (
        DeathStatus.APPROVED, actor.staff_id or None, utcnow()
    )
    retiree = session.get_one(Retiree, death.retiree_id)
    retiree.status = RetireeStatus.DECEASED
    # The paying agency stops payment (and recovers any paid after the death).
    session.add(
        PaymentChange(
            retiree_id=retiree.id,
            action=PaymentAction.SUSPEND,
            effective_date=death.date_of_death,
            reason="death registered",
            idempotency_key=f"death:{retiree.id}",
        )
    )
    record(session, actor=actor, action="death.approved", target_type="retiree",
           target_id=retiree.id, details={"death_id": death.id,
                                          "reported_by": death.recorded_by})
    return death


def reverse_death(
    session: Session, *, actor: Actor, death_id: int, reason: str, today: date | None = None
) -> DeathRecord:
    """A wrong report: the person is alive. Payment resumes; arrears cover what was held or
    stopped (from the date of death once approved, else from the hold)."""
    today = today or scheduler_today(session)
    death = get_death(session, actor=actor, death_id=death_id)
    if death.status == DeathStatus.REVERSED:
        raise Conflict("This death record was already reversed.")
    if len(reason.strip()) < 4:
        raise InvalidInput("Write why the report was wrong (at least a few words).")
    stopped = _payment_stopped_since(session, death)
    was = death.status
    death.status, death.reversed_by, death.reversed_at = (
        DeathStatus.REVERSED, actor.staff_id or None, utcnow()
    )
    death.reversal_reason = reason.strip()[:2000]
    retiree = session.get_one(Retiree, death.retiree_id)
    if retiree.status == RetireeStatus.DECEASED:
        retiree.status = RetireeStatus.ACTIVE
    session.add(
        PaymentChange(
            retiree_id=retiree.id,
            action=PaymentAction.RESUME,
            effective_date=today,
            reason="death report reversed",
            arrears_from=stopped,
            arrears_to=today if stopped else None,
            idempotency_key=f"death-reversed:{retiree.id}:{death.id}",
        )
    )
    record(session, actor=actor, action="death.reversed", target_type="retiree",
           target_id=retiree.id, details={"death_id": death.id, "was": was.value,
                                          "reason": death.reversal_reason[:200],
                                          "arrears_from": str(stopped or "")})
    return death


def _payment_stopped_since(session: Session, death: DeathRecord) -> date | None:
    keys = [f"death-hold:{death.retiree_id}", f"death:{death.retiree_id}"]
    dates = session.scalars(
        select(PaymentChange.effective_date).where(
            PaymentChange.retiree_id == death.retiree_id,
            PaymentChange.idempotency_key.in_(keys),
        )
    ).all()
    return min(dates) if dates else None


def list_deaths(
    session: Session, *, actor: Actor, status: DeathStatus | None = None, limit: int = 200
) -> Sequence[tuple[DeathRecord, Retiree]]:
    stmt = (
        select(DeathRecord, Retiree)
        .join(Retiree, DeathRecord.retiree_id == Retiree.id)
        .join(Region, Retiree.community_id == Region.id)
        .where(scope_filter(actor, Permission.READ_RETIREES, Region.path))
        .order_by(DeathRecord.id)
        .limit(min(limit, 1000))
    )
    if status is not None:
        stmt = stmt.where(DeathRecord.status == status)
    return [(row[0], row[1]) for row in session.execute(stmt).all()]
