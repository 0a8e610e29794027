"""Online applications: the elder (or a helper) applies with registry data prefilled, the
community reviews (approve, refuse with a reason, or ask for more) within the service's
deadline, the elder follows the progress on the phone; an approved allowance becomes a
payment row for the paying agency. Every step is audited and kept as a step."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifecert.audit import service as audit
from lifecert.core.db import utcnow
from lifecert.core.errors import Conflict, InvalidInput, NotFound
from lifecert.core.i18n import N_
from lifecert.core.roles import Permission
from lifecert.core.scoping import Actor, ensure_in_scope, scope_filter
from lifecert.notifications import service as notifications
from lifecert.organisation.models import Region
from lifecert.retirees.models import Retiree
from lifecert.services.models import (
    OPEN_STATUSES,
    AllowancePayment,
    ApplicationStatus,
    ApplicationStep,
    PublicService,
    ServiceApplication,
)
from lifecert.services.service import check_eligibility, prefill, service_in
from lifecert.system.clock import scheduler_today

MORE_INFO_REMINDER_DAYS = 3


class Decision(StrEnum):
    APPROVE = "approve"
    REFUSE = "refuse"
    MORE_INFO = "more_info"


_STATUS_OF = {
    Decision.APPROVE: ApplicationStatus.APPROVED,
    Decision.REFUSE: ApplicationStatus.REFUSED,
    Decision.MORE_INFO: ApplicationStatus.MORE_INFO,
}


def _step(
    session: Session, app: ServiceApplication, note: str = "", staff_id: int | None = None
) -> None:
    session.add(ApplicationStep(application_id=app.id, status=app.status, note=note,
                                staff_id=staff_id))


def apply_for(
    session: Session,
    *,
    retiree: Retiree,
    service_id: int,
    note: str = "",
    channel: str = "phone",
    today: date | None = None,
) -> ServiceApplication:
    """The elder's (or helper's) application; refused at once when a rule is not met."""
    today = today or scheduler_today(session)
    community = session.get_one(Region, retiree.community_id)
    service = service_in(session, community=community, service_id=service_id)
    if not service.online:
        raise InvalidInput("This service is handled in person; see where and when.")
    checks = check_eligibility(service, retiree, community, today)
    failed = [c for c in checks if not c.ok]
    if failed:
        raise InvalidInput(failed[0].message, params=dict(failed[0].params))
    existing = session.scalar(  # by code: a community override is the same service
        select(ServiceApplication.id)
        .join(PublicService, PublicService.id == ServiceApplication.service_id)
        .where(
            ServiceApplication.retiree_id == retiree.id,
            PublicService.code == service.code,
            ServiceApplication.status.in_([*OPEN_STATUSES, ApplicationStatus.APPROVED]),
        )
    )
    if existing is not None:
        raise Conflict("You have already applied for this service.")
    app = ServiceApplication(
        service_id=service.id,
        retiree_id=retiree.id,
        community_id=community.id,
        channel=channel[:16],
        form={**prefill(retiree, community, today), "note": note.strip()[:500]},
        eligibility={c.rule: c.ok for c in checks},
        respond_by=today + timedelta(days=service.review_days),
    )
    session.add(app)
    session.flush()
    _step(session, app, note.strip()[:500])
    audit.record(session, actor=None, action="services.applied", target_type="retiree",
                 target_id=retiree.id, details={"application_id": app.id,
                                                "service": service.code, "channel": channel})
    return app


def answer_more_info(
    session: Session, *, retiree: Retiree, application_id: int, note: str,
    today: date | None = None,
) -> ServiceApplication:
    app = application_of_retiree(session, retiree=retiree, application_id=application_id)
    if app.status != ApplicationStatus.MORE_INFO:
        raise Conflict("Nothing was asked for this application.")
    if len(note.strip()) < 2:
        raise InvalidInput("Write what you are sending.")
    service = session.get_one(PublicService, app.service_id)
    app.status = ApplicationStatus.SUBMITTED
    app.respond_by = (today or scheduler_today(session)) + timedelta(days=service.review_days)
    app.reminded_at = None
    _step(session, app, note.strip()[:500])
    audit.record(session, actor=None, action="services.answered", target_type="retiree",
                 target_id=retiree.id, details={"application_id": app.id})
    return app


def decide_application(
    session: Session,
    *,
    actor: Actor,
    application_id: int,
    decision: Decision,
    note: str = "",
    today: date | None = None,
) -> ServiceApplication:
    """The community's decision; a refusal or a request needs words the elder will read."""
    app = get_application(session, actor=actor, application_id=application_id,
                          permission=Permission.WRITE_RETIREES)
    if app.status not in OPEN_STATUSES:
        raise Conflict("This application was already decided.")
    if decision != Decision.APPROVE and len(note.strip()) < 2:
        raise InvalidInput("Give the reason; the person will read it.")
    app.status, app.reason = _STATUS_OF[decision], note.strip()[:1000]
    if decision != Decision.MORE_INFO:
        app.decided_by, app.decided_at = actor.staff_id or None, utcnow()
    _step(session, app, app.reason, actor.staff_id or None)
    service = session.get_one(PublicService, app.service_id)
    if decision == Decision.APPROVE and service.monthly_amount > 0:
        today = today or scheduler_today(session)
        start = (today.replace(day=1) + timedelta(days=32)).replace(day=1)  # next month
        session.add(AllowancePayment(application_id=app.id, retiree_id=app.retiree_id,
                                     service_id=service.id, monthly_amount=service.monthly_amount,
                                     start_month=start))
    session.flush()
    _tell(session, app, service, f"services:{app.id}:{app.status.value}:{len(app.reason)}")
    audit.record(session, actor=actor, action="services.decided", target_type="retiree",
                 target_id=app.retiree_id, details={"application_id": app.id,
                                                    "decision": decision.value})
    return app


_TEXTS = {
    ApplicationStatus.APPROVED: N_("Your application for {service} was approved."),
    ApplicationStatus.REFUSED: N_("Your application for {service} was not approved: {reason}"),
    ApplicationStatus.MORE_INFO: N_("For your application for {service} we need: {reason}"),
}


def _tell(session: Session, app: ServiceApplication, service: PublicService, key: str) -> None:
    notifications.tell_in_inbox(session, retiree_id=app.retiree_id, msgid=_TEXTS[app.status],
                                key=key, service=service.name, reason=app.reason)


def remind_pending(session: Session, *, today: date | None = None) -> dict[str, int]:
    """Daily: remind elders who have not answered a request for more after a few days;
    count the applications past the community's deadline (shown first on the staff page)."""
    today = today or scheduler_today(session)
    limit = utcnow() - timedelta(days=MORE_INFO_REMINDER_DAYS)
    waiting = session.scalars(
        select(ServiceApplication).where(
            ServiceApplication.status == ApplicationStatus.MORE_INFO,
            ServiceApplication.reminded_at.is_(None),
            ServiceApplication.updated_at <= limit,
        )
    ).all()
    for app in waiting:
        app.reminded_at = utcnow()
        _tell(session, app, session.get_one(PublicService, app.service_id),
              f"services:{app.id}:reminder:{today.isoformat()}")
    late = len(session.scalars(
        select(ServiceApplication.id).where(
            ServiceApplication.status == ApplicationStatus.SUBMITTED,
            ServiceApplication.respond_by < today,
        )
    ).all())
    return {"reminded": len(waiting), "past_deadline": late}


def get_application(
    session: Session, *, actor: Actor, application_id: int,
    permission: Permission = Permission.READ_RETIREES,
) -> ServiceApplication:
    app = session.get(ServiceApplication, application_id)
    if app is None:
        raise NotFound("No such application.")
    ensure_in_scope(actor, permission, session.get_one(Region, app.community_id).path)
    return app


def application_of_retiree(
    session: Session, *, retiree: Retiree, application_id: int
) -> ServiceApplication:
    app = session.get(ServiceApplication, application_id)
    if app is None or app.retiree_id != retiree.id:
        raise NotFound("No such application.")
    return app


def applications_of_retiree(
    session: Session, *, retiree: Retiree
) -> Sequence[tuple[ServiceApplication, PublicService]]:
    rows = session.execute(
        select(ServiceApplication, PublicService)
        .join(PublicService, PublicService.id == ServiceApplication.service_id)
        .where(ServiceApplication.retiree_id == retiree.id)
        .order_by(ServiceApplication.id.desc())
    ).all()
    return [(a, s) for a, s in rows]


def steps_of(session: Session, application_id: int) -> Sequence[ApplicationStep]:
    return session.scalars(
        select(ApplicationStep).where(ApplicationStep.application_id == application_id)
        .order_by(ApplicationStep.id)
    ).all()


def review_queue(
    session: Session, *, actor: Actor, status: ApplicationStatus | None = None, limit: int = 200
) -> Sequence[tuple[ServiceApplication, PublicService, Retiree]]:
    """Applications in the actor's communities, the oldest deadline first."""
    stmt = (
        select(ServiceApplication, PublicService, Retiree)
        .join(PublicService, PublicService.id == ServiceApplication.service_id)
        .join(Retiree, Retiree.id == ServiceApplication.retiree_id)
        .join(Region, Region.id == ServiceApplication.community_id)
        .where(scope_filter(actor, Permission.READ_RETIREES, Region.path))
        .order_by(ServiceApplication.respond_by, ServiceApplication.id)
        .limit(limit)
    )
    stmt = stmt.where(
        ServiceApplication.status == status if status
        else ServiceApplication.status.in_(OPEN_STATUSES)
    )
    return [(a, s, r) for a, s, r in session.execute(stmt).all()]
